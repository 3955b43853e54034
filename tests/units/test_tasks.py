"""Password reset: the mail goes through a real Celery worker over Redis."""

import re
import threading
import time

import pytest
from celery.signals import task_prerun
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory
from units.models import Role

pytestmark = pytest.mark.services


@pytest.mark.django_db(transaction=True)
def test_reset_mail_is_sent_by_a_worker_and_its_link_works(client, tree, celery_worker):
    user = UserFactory(role=Role.OFFICER, unit=tree.hcm, email="can-bo@bhxh.invalid")
    mail.outbox.clear()
    ran_in = []

    def record(task=None, **kwargs):
        ran_in.append((threading.current_thread(), task.request.hostname))

    task_prerun.connect(record, weak=False)

    response = client.post(reverse("password_reset"), {"email": "can-bo@bhxh.invalid"})
    assert response.status_code == 302

    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    task_prerun.disconnect(record)
    assert len(mail.outbox) == 1, "the worker did not send the mail"
    # Run by the worker's thread, delivered through the broker: not eagerly.
    ((thread, hostname),) = ran_in
    assert thread is not threading.current_thread()
    assert hostname, "an eager run has no worker hostname"
    message = mail.outbox[0]
    assert message.to == ["can-bo@bhxh.invalid"]
    assert "mật khẩu" in message.subject.lower()

    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Moi-2020-thi-dua", "new_password2": "Moi-2020-thi-dua"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Moi-2020-thi-dua")


@pytest.mark.django_db
def test_unknown_address_sends_nothing_and_says_the_same(client, tree):
    mail.outbox.clear()
    response = client.post(reverse("password_reset"), {"email": "khong-co@bhxh.invalid"})
    assert response.status_code == 302
    assert mail.outbox == []
