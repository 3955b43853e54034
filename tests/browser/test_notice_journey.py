"""In a real browser, the journey of a return as a new user meets it: the
officer submits a conference, the council returns it with a reason, the
officer sees the bell's count, opens the notice, finds the reason at the
top of the conference's page beside the next step, corrects the figure
and submits again; the reason is then gone and the council is told."""

import pytest
from playwright.sync_api import expect

from congress.models import Conference
from tests.browser.test_conference_journey import demo, log_in, log_out  # noqa: F401
from units.models import Notification

pytestmark = pytest.mark.browser

REASON = "Số đại biểu dự kiến 4.000 là gõ nhầm: đơn vị có 33 người."


def test_officer_sees_the_return_corrects_and_resubmits(page, live_server, demo):  # noqa: F811
    log_in(page, live_server, "officer-hcm")
    page.get_by_role("link", name="Hội nghị", exact=True).click()
    page.get_by_role("link", name="Đăng ký hội nghị").click()
    page.get_by_label("Đơn vị tổ chức và cấp hội nghị").select_option(
        label="BHXH huyện Củ Chi (BHXH TP. Hồ Chí Minh)"
    )
    page.get_by_label("Ngày").fill("14/01/2020")
    page.get_by_label("Giờ bắt đầu").fill("08:00")
    page.get_by_label("Địa điểm").fill("Hội trường BHXH huyện Củ Chi")
    page.get_by_label("Số đại biểu dự kiến").fill("40")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_test_id("conference-details")).to_contain_text("14/01/2020")
    page.get_by_role("button", name="Gửi Hội đồng TĐKT duyệt").click()
    expect(page.get_by_text("Đã gửi duyệt").first).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    url = page.url
    log_out(page)

    log_in(page, live_server, "council")
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.goto(url)
    actions = page.get_by_test_id("actions")
    actions.get_by_label("Lý do").fill(REASON)
    actions.get_by_role("button", name="Trả lại để chỉnh sửa").click()
    expect(page.get_by_test_id("returned-reason")).to_contain_text("33 người")
    log_out(page)

    log_in(page, live_server, "officer-hcm")
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_test_id("bell").click()
    page.get_by_test_id("notice").first.click()
    page.wait_for_url(url)
    returned = page.get_by_test_id("returned-reason")
    expect(returned).to_contain_text(REASON)
    expect(page.get_by_test_id("returned-next-step")).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)  # opened: read
    # The reason sits above the page's details, where it is seen first.
    reason_top = returned.bounding_box()["y"]
    details_top = page.get_by_test_id("conference-details").bounding_box()["y"]
    assert reason_top < details_top

    page.get_by_role("link", name="Sửa thông tin").first.click()
    page.get_by_label("Số đại biểu dự kiến").fill("33")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("conference-details")).to_contain_text("33")
    page.get_by_role("button", name="Gửi Hội đồng TĐKT duyệt").click()
    expect(page.get_by_text("Đã gửi duyệt").first).to_be_visible()
    expect(page.get_by_test_id("returned-reason")).to_have_count(0)

    conference = Conference.objects.get(unit__name="BHXH huyện Củ Chi")
    assert (conference.status, conference.expected_attendance) == ("submitted", 33)
    council_notices = Notification.objects.filter(recipient__username="council")
    assert sorted(council_notices.values_list("kind", flat=True)) == ["submitted", "submitted"]
