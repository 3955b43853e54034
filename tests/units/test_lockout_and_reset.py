"""The lockout page says how long in words; a password reset does the same
work whether the address is known or not."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils.translation import ngettext

from tests.factories import UserFactory
from units import tasks
from units.models import Role
from units.views import duration_in_words


def in_minutes(count: int) -> str:
    return ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}


def test_lockout_page_says_the_cool_off_time_in_words(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "officer-hcm", "password": "sai"})
    response = client.post(reverse("login"), {"username": "officer-hcm", "password": "demo12345"})
    assert response.status_code == 429
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    # "30 phút" with the Vietnamese catalogue.
    assert in_minutes(30) in response.text
    assert "PT30M" not in response.text


def test_duration_in_words_counts_hours_and_minutes():
    assert duration_in_words(timedelta(minutes=30)) == in_minutes(30)
    hour = ngettext("%(count)d hour", "%(count)d hours", 1) % {"count": 1}
    assert duration_in_words(timedelta(minutes=90)) == f"{hour} {in_minutes(30)}"
    assert duration_in_words(timedelta(seconds=20)) == in_minutes(1)


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(
        tasks.send_password_reset_for_address,
        "apply_async",
        lambda args, kwargs: calls.append(tuple(args)),
    )
    return calls


@pytest.mark.parametrize("email", ["can-bo@bhxh.invalid", "khong-co@bhxh.invalid"])
def test_reset_queues_the_same_task_for_known_and_unknown_addresses(
    client, tree, queued, django_capture_on_commit_callbacks, email
):
    UserFactory(role=Role.OFFICER, unit=tree.hcm, email="can-bo@bhxh.invalid")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302
    assert queued == [(email, "testserver", False)]


def test_reset_task_mails_a_known_address_and_nothing_for_an_unknown_one(tree):
    UserFactory(role=Role.OFFICER, unit=tree.hcm, email="can-bo@bhxh.invalid")
    mail.outbox.clear()
    tasks.send_password_reset_for_address("khong-co@bhxh.invalid", "testserver", False)
    assert mail.outbox == []
    tasks.send_password_reset_for_address("CAN-BO@bhxh.invalid", "testserver", True)
    assert [message.to for message in mail.outbox] == [["can-bo@bhxh.invalid"]]
    assert "https://testserver/accounts/reset/" in mail.outbox[0].body
