"""Login, lockout, logout, password change and session expiry."""

import pytest
from django.conf import settings
from django.urls import reverse


def test_login_page_speaks_vietnamese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Đăng nhập" in response.text
    assert 'lang="vi"' in response.text


def test_login_lands_on_home(client, users):
    response = client.post(
        reverse("login"), {"username": "officer-hcm", "password": "demo12345"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "BHXH TP. Hồ Chí Minh" in response.text


def test_wrong_password_says_so_in_vietnamese_and_keeps_username(client, users):
    response = client.post(reverse("login"), {"username": "officer-hcm", "password": "sai"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.text
    assert 'value="officer-hcm"' in response.text


def test_repeated_failures_lock_the_account(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "officer-hcm", "password": "sai"})
    response = client.post(reverse("login"), {"username": "officer-hcm", "password": "demo12345"})
    assert response.status_code == 429
    assert "tạm khóa" in response.text
    assert "_auth_user_id" not in client.session
    # Another account from the same place is not locked.
    response = client.post(reverse("login"), {"username": "council", "password": "demo12345"})
    assert response.status_code == 302


def test_logout_requires_post_and_ends_session(client, users):
    client.force_login(users["council"])
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, users):
    client.force_login(users["officer_hcm"])
    page = client.get(reverse("password_change"))
    assert "Đổi mật khẩu" in page.text
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "demo12345",
            "new_password1": "Thi-dua-2020!",
            "new_password2": "Thi-dua-2020!",
        },
        follow=True,
    )
    assert "Mật khẩu của bạn đã được đổi" in response.text
    users["officer_hcm"].refresh_from_db()
    assert users["officer_hcm"].check_password("Thi-dua-2020!")


def test_password_change_mismatch_keeps_the_form(client, users):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("password_change"),
        {"old_password": "demo12345", "new_password1": "Thi-dua-2020!", "new_password2": "khac"},
    )
    assert response.status_code == 200
    assert "không giống nhau" in response.text
    users["officer_hcm"].refresh_from_db()
    assert users["officer_hcm"].check_password("demo12345")


def test_session_expires(client, users):
    client.post(reverse("login"), {"username": "council", "password": "demo12345"})
    assert client.session.get_expire_at_browser_close()
    assert 0 < client.session.get_expiry_age() <= 8 * 60 * 60


@pytest.mark.django_db
def test_admin_site_is_in_vietnamese(client, users):
    client.force_login(users["admin"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Quản trị" in response.text
