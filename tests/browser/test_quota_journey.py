"""In a real browser: officer-hcm computes the allocation of its tier-2
conference, adjusts one seat with a reason and submits it; council
approves it; the officer records a district's election and sees the
elected among the province conference's delegates."""

import datetime

import pytest
from playwright.sync_api import expect

from congress.models import Conference
from delegates.models import Category, Delegate
from tests.congress.conftest import tiers  # noqa: F401 - fixture
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def province(transactional_db, tree, tiers, users):  # noqa: F811
    """HCMC's tier-1 units have held their conferences (30 and 12 attended);
    its tier-2 conference (cap 350) has 340 official delegates: 10 seats to
    elect. Five people of BHXH Quận 1 stand for election."""
    held = {"status": Conference.Status.HELD, "held_on": datetime.date(2020, 1, 10)}
    ConferenceFactory(tier=tiers[1], unit=tree.hcm_district, actual_attendance=30, **held)
    ConferenceFactory(tier=tiers[1], unit=tree.hcm_department, actual_attendance=12, **held)
    upper = ConferenceFactory(
        tier=tiers[2],
        unit=tree.hcm,
        status=Conference.Status.ACCEPTED,
        date=datetime.date(2020, 3, 20),
    )
    DelegateFactory.create_batch(340, conference=upper, category=Category.OFFICIAL)
    names = ["Nguyễn Thị Lan", "Trần Văn Bình", "Lê Thị Mai", "Phạm Quốc Hùng", "Võ Thị Yến"]
    people = [PersonFactory(unit=tree.hcm_district, full_name=name) for name in names]
    return upper, people


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def log_out(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Đăng xuất").click()


def test_allocate_approve_elect(page, live_server, province, tree):
    upper, people = province
    log_in(page, live_server, "officer-hcm")
    page.goto(f"{live_server.url}{upper.get_absolute_url()}")
    page.get_by_test_id("allocation-link").click()
    page.get_by_role("button", name="Tính phân bổ").click()
    # 10 seats by Webster over 30 and 12 attendees: 7 and 3.
    district = page.get_by_label("Số suất của BHXH Quận 1")
    expect(district).to_have_value("7")
    district.fill("6")
    page.get_by_label("Số suất của Văn phòng").fill("4")
    page.get_by_label("Lý do điều chỉnh của Văn phòng").fill("Cân đối cơ cấu lĩnh vực")
    page.get_by_label("Lý do điều chỉnh của BHXH Quận 1").fill("Cân đối cơ cấu lĩnh vực")
    page.get_by_role("button", name="Lưu số suất").click()
    expect(page.get_by_label("Số suất của BHXH Quận 1")).to_have_value("6")
    page.get_by_role("button", name="Gửi phiên bản 1").click()
    page.get_by_test_id("confirm-dialog-ok").click()  # what follows, confirmed
    expect(page.get_by_role("alert").first).to_be_visible()
    allocation_url = page.url
    log_out(page)

    log_in(page, live_server, "council")
    page.goto(allocation_url)
    page.get_by_role("button", name="Phê duyệt phân bổ").click()
    page.get_by_test_id("confirm-dialog-ok").click()
    expect(page.get_by_text("Đã phê duyệt").first).to_be_visible()
    log_out(page)

    log_in(page, live_server, "officer-hcm")
    district_conference = tree.hcm_district.conferences.get()
    page.goto(f"{live_server.url}{district_conference.get_absolute_url()}")
    page.get_by_test_id("election-link").get_by_role("link").click()
    page.get_by_role("button", name="Bắt đầu ghi kết quả bầu cử").click()
    for person in people:
        page.get_by_role("searchbox").fill(person.full_name.split()[-1])
        page.get_by_role("button", name="Lọc", exact=True).click()
        results = page.get_by_test_id("picker-row")
        results.filter(has_text=person.full_name).get_by_role("button", name="Thêm").click()
    page.get_by_label("Số phiếu hợp lệ").fill("28")
    for person, votes in zip(people, [27, 25, 20, 14, 9], strict=True):
        page.get_by_label(f"Số phiếu của {person.full_name}").fill(str(votes))
    page.get_by_role("button", name="Lưu số phiếu").click()
    page.get_by_test_id("confirm").click()
    page.get_by_test_id("confirm-dialog-ok").click()

    page.goto(f"{live_server.url}/conferences/{upper.pk}/delegates/?category=elected")
    listed = page.get_by_test_id("delegates")
    for person in people[:3]:  # above half of 28 valid ballots, within the quota of 6
        expect(listed.get_by_text(person.full_name)).to_be_visible()
    expect(listed.get_by_text(people[3].full_name)).to_have_count(0)
    elected = Delegate.objects.filter(conference=upper, category=Category.ELECTED)
    assert {d.person for d in elected} == set(people[:3])
    assert {d.elected_at for d in elected} == {district_conference}
