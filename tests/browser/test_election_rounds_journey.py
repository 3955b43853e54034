"""In a real browser: officer-hcm records round 1 of a district's
election with the counting committee and the ballots, which ends in a tie
at the last seat; opens the run-off, records it, sees which round elected
whom, asks for the minutes of round 1, confirms, and takes the list sent
up of the elected as a table and as a PDF; then replaces one who cannot
attend by the next in line."""

import datetime
import os

import pytest
from playwright.sync_api import expect

from congress.models import Conference
from delegates.models import Category, Delegate
from reports.models import DocumentJob
from tests.congress.conftest import tiers  # noqa: F401 - fixture
from tests.delegates.elections.test_elections import approve
from tests.factories import ConferenceFactory, PersonFactory

pytestmark = pytest.mark.browser

NAMES = ["Nguyễn Thị Lan", "Trần Văn Bình", "Lê Thị Mai", "Phạm Quốc Hùng", "Đỗ Minh Tâm"]
# Where to keep screenshots of the journey, if set.
LOOK_DIR = os.environ.get("LOOK_DIR", "")


@pytest.fixture
def district(transactional_db, tree, tiers, users):  # noqa: F811
    """Quận 1 held its conference (40 present) and has 2 seats at HCMC's."""
    conference = ConferenceFactory(
        tier=tiers[1],
        unit=tree.hcm_district,
        status=Conference.Status.HELD,
        held_on=datetime.date(2020, 1, 10),
        actual_attendance=40,
    )
    upper = ConferenceFactory(tier=tiers[2], unit=tree.hcm, status=Conference.Status.ACCEPTED)
    approve(upper, {tree.hcm_district: 2}, users["admin"])
    people = [PersonFactory(unit=tree.hcm_district, full_name=name) for name in NAMES]
    return conference, upper, people


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def field(page, name):
    """A field of the round's form by its name (its label is the catalogue's)."""
    return page.locator(f'#votes-form [name="{name}"]')


def shot(page, name):
    if LOOK_DIR:
        page.screenshot(path=f"{LOOK_DIR}/{name}.png", full_page=True)


def test_a_tie_a_runoff_the_minutes_and_the_result(page, live_server, district):
    conference, upper, people = district
    log_in(page, live_server, "officer-hcm")
    page.goto(f"{live_server.url}/conferences/{conference.pk}/election/")
    page.get_by_role("button", name="Bắt đầu ghi kết quả bầu cử").click()
    for person in people:
        page.get_by_role("searchbox").fill(person.full_name.split()[-1])
        page.get_by_role("button", name="Lọc", exact=True).click()
        results = page.get_by_test_id("picker-row")
        results.filter(has_text=person.full_name).get_by_role("button", name="Thêm").click()
    # Round 1: 41 ballots issued to 40 present is refused, what was typed kept.
    field(page, "summoned").fill("45")
    field(page, "present").fill("40")
    field(page, "ballots_issued").fill("41")
    field(page, "ballots_returned").fill("39")
    field(page, "valid_ballots").fill("38")
    field(page, "invalid_ballots").fill("1")
    for person, votes in zip(people, [30, 25, 25, 10, 20], strict=True):
        page.get_by_label(f"Số phiếu của {person.full_name}").fill(str(votes))
    field(page, "committee").fill("Võ Thị Hoa - Trưởng ban\nĐặng Văn Khoa - Thành viên")
    page.get_by_role("button", name="Lưu số phiếu").click()
    expect(page.locator("#id_ballots_issued + .invalid-feedback")).to_contain_text("(40)")
    expect(page.get_by_label("Số phiếu của Trần Văn Bình")).to_have_value("25")
    field(page, "ballots_issued").fill("40")
    page.get_by_role("button", name="Lưu số phiếu").click()
    expect(page.get_by_test_id("tie")).to_be_visible()
    shot(page, "election-round-1-tie")
    page.get_by_test_id("open-runoff").click()
    # Round 2 stands the two tied for the seat left, before the same committee.
    expect(page.get_by_test_id("round")).to_have_count(2)
    expect(page.get_by_label("Số phiếu của Nguyễn Thị Lan")).to_have_count(0)
    expect(field(page, "present")).to_have_value("40")
    expect(field(page, "committee")).to_contain_text("Võ Thị Hoa")
    field(page, "ballots_issued").fill("40")
    field(page, "ballots_returned").fill("40")
    field(page, "valid_ballots").fill("40")
    field(page, "invalid_ballots").fill("0")
    page.get_by_label("Số phiếu của Trần Văn Bình").fill("18")
    page.get_by_label("Số phiếu của Lê Thị Mai").fill("22")
    page.get_by_role("button", name="Lưu số phiếu").click()
    winners = page.get_by_test_id("winner")
    expect(winners).to_have_count(2)
    expect(page.locator('[data-testid="winner"][data-round="2"]')).to_contain_text("Lê Thị Mai")
    shot(page, "election-round-2")
    page.locator("#round-1").get_by_test_id("ask-count_minutes_pdf").click()
    expect(page.get_by_test_id("job-status").first).to_be_visible()
    assert DocumentJob.objects.filter(exporter="count_minutes_pdf").count() == 1
    page.go_back()
    page.reload()
    page.get_by_test_id("confirm").click()
    page.get_by_test_id("confirm-dialog-ok").click()  # what follows, confirmed
    elected = Delegate.objects.filter(conference=upper, category=Category.ELECTED)
    expect(page.get_by_test_id("confirmed")).to_be_visible()
    assert {d.person.full_name for d in elected} == {"Nguyễn Thị Lan", "Lê Thị Mai"}
    shot(page, "election-confirmed")
    # The list sent up, now that the result is confirmed: the table at once,
    # the PDF as a job.
    with page.expect_download() as download:
        page.get_by_test_id("download-elected_list_xlsx").click()
    assert download.value.suggested_filename == "danh-sach-trich-ngang-bhxh-quan-1.xlsx"
    page.get_by_test_id("ask-elected_list_pdf").click()
    expect(page.get_by_test_id("job-status").first).to_be_visible()
    assert DocumentJob.objects.filter(exporter="elected_list_pdf").count() == 1
    # Nguyễn Thị Lan cannot attend: Đỗ Minh Tâm, above the threshold beyond
    # the quota in round 1, is next in line and takes her seat.
    page.goto(f"{live_server.url}/conferences/{conference.pk}/election/")
    lan = page.get_by_test_id("winner").filter(has_text="Nguyễn Thị Lan")
    lan.get_by_test_id("replace").locator("summary").click()
    expect(lan.get_by_test_id("successor")).to_contain_text("Đỗ Minh Tâm")
    lan.locator('textarea[name="reason"]').fill("Đi công tác nước ngoài")
    lan.get_by_test_id("replace-submit").click()
    page.get_by_test_id("confirm-dialog-ok").click()
    expect(lan.get_by_test_id("replaced")).to_contain_text("Đỗ Minh Tâm")
    expect(page.get_by_test_id("substitute-of")).to_contain_text("Nguyễn Thị Lan")
    assert {d.person.full_name for d in elected.all()} == {"Đỗ Minh Tâm", "Lê Thị Mai"}
    shot(page, "election-replaced")
    page.goto(f"{live_server.url}/conferences/{upper.pk}/delegates/")
    expect(page.get_by_test_id("replaces")).to_contain_text("Đi công tác nước ngoài")
    shot(page, "delegates-above-with-substitute")
