"""Background work of the congress app; tasks take ids and simple values."""

import datetime

from celery import shared_task

from units.models import Role, User
from units.once import daily_slot, once_per_slot

from . import reminders


def _reminder_day(today: str | None = None) -> str:
    return today or daily_slot()


@shared_task
@once_per_slot(_reminder_day)
def send_deadline_reminders(today: str | None = None) -> int:
    """Daily (Celery beat, 07:00 Asia/Ho_Chi_Minh): one reminder task per
    active officer, all for the same day (the notice in the app for each,
    the mail for those with an address who want it). Each officer's
    mail is its own task, so a mail server failing for one is retried for
    that one only. Returns how many officers were queued; None for a second
    run of the day (a second beat), which queues nothing."""
    day = _reminder_day(today)
    officer_ids = list(
        User.objects.filter(role=Role.OFFICER, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for officer_id in officer_ids:
        send_officer_deadline_reminder.delay(officer_id, day)
    return len(officer_ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_officer_deadline_reminder(officer_id: int, today: str) -> bool:
    """Mail one officer their late units as of ``today`` (ISO date); no
    mail when nothing is late, and none when this day's reminder went to
    them already (a retry, a second beat)."""
    officer = User.objects.select_related("unit").filter(pk=officer_id).first()
    if officer is None:
        return False
    return reminders.send_deadline_reminder(
        officer=officer, today=datetime.date.fromisoformat(today)
    )
