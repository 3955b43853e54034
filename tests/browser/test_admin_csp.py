"""The admin site under the Content-Security-Policy: its pages work in a
real browser with no script, style or frame refused (the autouse
``no_csp_violations`` fixture fails the test on any)."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from config.middleware import admin_path
from tests.congress.conftest import tiers  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

# A page of each kind: the index, lists with filters and search, a change
# form with related-object widgets, date widgets and inlines, an add form.
PAGES = [
    "",
    "units/unit/",
    "units/unit/?kind__exact=province&q=h%C3%A0",
    "units/user/",
    "units/hierarchy/",
    "units/cluster/add/",
    "congress/cycle/",
    "congress/tier/",
    "congress/tierexemption/add/",
    "units/user/add/",
    # The audit trail, read only.
    "units/auditentry/",
]


@pytest.fixture
def signed_in_admin(page, live_server, tree, users, transactional_db):
    users["admin"].set_password("demo12345")
    users["admin"].save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("admin")
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    return page


def test_admin_pages_work_under_the_policy(signed_in_admin, live_server, tree, tiers):  # noqa: F811
    page = signed_in_admin
    tier = tiers[1]
    base = f"{live_server.url}/{admin_path(settings.ADMIN_URL)}"
    changes = [f"congress/tier/{tier.pk}/change/", f"units/unit/{tree.hcm.pk}/change/"]
    for path in [*PAGES, *changes]:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        expect(page.locator("#content")).to_be_visible()
    # The admin's scripts run: the date widget adds its "Today" shortcut.
    page.goto(f"{base}congress/tier/{tier.pk}/change/")
    expect(page.locator(".datetimeshortcuts").first).to_be_attached()
