"""In a real browser: officer-hcm registers a district's grassroots
conference and submits it, council accepts it, the officer records it as
held with its attendance, and the progress board shows it."""

import pytest
from playwright.sync_api import expect

from congress.models import Conference
from units.services import create_demo_users

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(national_cycle, transactional_db):
    create_demo_users(hierarchy=national_cycle.hierarchy)
    return national_cycle


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def log_out(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Đăng xuất").click()


def test_register_submit_accept_hold(page, live_server, demo):
    log_in(page, live_server, "officer-hcm")
    page.get_by_role("link", name="Hội nghị", exact=True).click()
    page.get_by_role("link", name="Đăng ký hội nghị").click()
    page.get_by_label("Đơn vị tổ chức và cấp hội nghị").select_option(
        label="BHXH huyện Củ Chi (BHXH TP. Hồ Chí Minh)"
    )
    page.get_by_label("Ngày").fill("14/01/2020")
    page.get_by_label("Giờ bắt đầu").fill("08:00")
    page.get_by_label("Địa điểm").fill("Hội trường BHXH huyện Củ Chi")
    page.get_by_label("Số đại biểu dự kiến").fill("41")
    page.get_by_label("Kết hợp với").select_option(label="Hội nghị tổng kết công tác năm")
    page.get_by_role("button", name="Đăng ký").click()

    expect(page.get_by_role("alert").first).to_contain_text("Đã đăng ký hội nghị")
    expect(page.get_by_test_id("conference-details")).to_contain_text("14/01/2020")
    page.get_by_role("button", name="Gửi Hội đồng TĐKT duyệt").click()
    page.get_by_test_id("confirm-dialog-ok").click()  # what follows, confirmed
    expect(page.get_by_text("Đã gửi duyệt").first).to_be_visible()
    url = page.url
    log_out(page)

    log_in(page, live_server, "council")
    page.goto(url)
    page.get_by_role("button", name="Duyệt", exact=True).click()
    page.get_by_test_id("confirm-dialog-ok").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã duyệt hội nghị")
    log_out(page)

    log_in(page, live_server, "officer-hcm")
    page.goto(url)
    page.get_by_label("Ngày tổ chức").fill("14/01/2020")
    page.get_by_label("Số người tham dự thực tế").fill("39")
    page.get_by_role("button", name="Ghi nhận đã tổ chức").click()
    expect(page.get_by_test_id("actual-attendance")).to_have_text("39")
    expect(page.get_by_test_id("history")).to_contain_text("Ghi nhận đã tổ chức")

    conference = Conference.objects.get(unit__name="BHXH huyện Củ Chi")
    assert (conference.status, conference.actual_attendance) == ("held", 39)

    page.get_by_role("link", name="Tiến độ").click()
    grassroots = page.get_by_test_id("tier-summaries")
    # Held out of HCMC's 35 grassroots organisers (24 districts, 11 departments).
    expect(grassroots).to_contain_text("1/35")
    units = page.get_by_test_id("board-units")
    row = units.get_by_role("row").filter(has_text="BHXH huyện Củ Chi")
    expect(row).to_contain_text("Đã tổ chức")
