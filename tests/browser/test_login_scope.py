"""In a real browser: officer-hcm logs in and sees only the HCMC subtree."""

import re

import pytest
from playwright.sync_api import expect

from units.models import Unit
from units.services import create_demo_users

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(national_cycle, transactional_db):
    create_demo_users(hierarchy=national_cycle.hierarchy)
    return national_cycle


def test_officer_hcm_sees_only_hcmc(page, live_server, demo):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Tên đăng nhập").fill("officer-hcm")
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Đại hội Thi đua yêu nước")
    expect(page.get_by_test_id("scope")).to_contain_text("BHXH TP. Hồ Chí Minh")

    page.get_by_role("link", name="Đơn vị", exact=True).click()
    tree = page.get_by_test_id("unit-tree")
    expect(tree).to_contain_text("BHXH TP. Hồ Chí Minh")
    expect(tree.get_by_role("link", name="BHXH Quận 1", exact=True)).to_be_visible()
    expect(tree).not_to_contain_text("Hà Nội")
    expect(tree).not_to_contain_text("Bảo hiểm xã hội Việt Nam")

    page.get_by_role("link", name="Tìm trong danh sách").click()
    page.get_by_label("Tìm kiếm").fill("ha noi")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_test_id("result-count")).to_contain_text("0")

    hanoi = Unit.objects.get(hierarchy=demo.hierarchy, code="P01")
    response = page.goto(f"{live_server.url}/units/{hanoi.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("Không tìm thấy")


def test_council_search_finds_hanoi_without_diacritics(page, live_server, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("council")
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server.url}/units/?q=ha+noi")
    expect(page.get_by_test_id("units")).to_contain_text("BHXH TP. Hà Nội")
