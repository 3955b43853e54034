"""The demo loader: six logins, idempotent, never in production."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from units.models import Role, User
from units.services import DEMO_PASSWORD, create_demo_users


def test_demo_users_log_in_with_their_roles(national_cycle, client):
    call_command("load_demo_users", stdout=open("/dev/null", "w"))  # noqa: SIM115
    expected = {
        "admin": (Role.ADMIN, "VSS"),
        "council": (Role.COUNCIL, "VSS"),
        "officer-hcm": (Role.OFFICER, "P79"),
        "officer-hanoi": (Role.OFFICER, "P01"),
        "officer-vss": (Role.OFFICER, "VSS"),
        "printer": (Role.PRINTER, "VSS"),
    }
    for username, (role, unit_code) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.unit.code) == (role, unit_code)
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        client.post(reverse("logout"))
    assert User.objects.get(username="admin").is_superuser
    vss = User.objects.get(username="officer-vss")
    assert not (vss.is_superuser or vss.is_staff)  # VSS acts as VSS, not as an administrator


def test_loading_again_keeps_changed_passwords(national_cycle):
    create_demo_users(hierarchy=national_cycle.hierarchy)
    officer = User.objects.get(username="officer-hcm")
    officer.set_password("Mat-khau-rieng-2020")
    officer.save()
    create_demo_users(hierarchy=national_cycle.hierarchy)
    officer.refresh_from_db()
    assert officer.check_password("Mat-khau-rieng-2020")
    assert User.objects.count() == 6


def test_refused_without_allow_demo_data(national_cycle, settings):
    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(ImproperlyConfigured):
        create_demo_users(hierarchy=national_cycle.hierarchy)
    assert not User.objects.exists()
