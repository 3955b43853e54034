"""The daily reminder as an in-app notice beside its mail: made once a
day, also for an officer who turned mail off (who then gets no mail)."""

from django.core import mail
from django.urls import reverse

from congress import reminders
from tests.congress.test_reminders import DUE_IN_5_DAYS, late  # noqa: F401 - the fixture
from units.models import Notification


def test_the_reminder_is_also_a_notice_made_once_a_day(users, late):  # noqa: F811
    officer = users["officer_hcm"]
    mail.outbox.clear()
    assert reminders.send_deadline_reminder(officer=officer, today=DUE_IN_5_DAYS)
    assert not reminders.send_deadline_reminder(officer=officer, today=DUE_IN_5_DAYS)
    notice = Notification.objects.get(recipient=officer)
    assert notice.kind == Notification.Kind.REMINDER
    assert notice.event_key == reminders.reminder_event_key(DUE_IN_5_DAYS)
    assert notice.title == mail.outbox[0].subject
    assert "BHXH Quận 1" in notice.body
    assert notice.url == reverse("progress:board")
    assert len(mail.outbox) == 1


def test_an_officer_with_mail_off_gets_the_notice_only(users, late):  # noqa: F811
    officer = users["officer_hcm"]
    officer.wants_mail = False
    officer.save()
    mail.outbox.clear()
    assert not reminders.send_deadline_reminder(officer=officer, today=DUE_IN_5_DAYS)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=officer, kind="reminder").count() == 1


def test_nothing_late_makes_no_notice(users, late):  # noqa: F811
    reminders.send_deadline_reminder(officer=users["officer_hanoi"], today=DUE_IN_5_DAYS)
    assert not Notification.objects.exists()
