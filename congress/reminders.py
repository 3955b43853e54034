"""Deadline reminders: each morning an emulation officer is mailed the units
of their subtree that are late with their conference (and given the same
list as an in-app notice; the mail only if they want mail) (see
``congress.tasks.send_deadline_reminders``).

A write with a side effect, so a service; it lives in its own module
rather than ``congress/services.py`` to keep that module about conference
state. Each mail is recorded in the send log (``units.once.send_once``)
under the day's event key: a second run of the day mails nobody again.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from units.models import Notification, Role, User
from units.notifications import notify
from units.once import send_once

from .progress import REMINDER_DUE_DAYS, Lateness, deadline_alerts, tiers_of_cycle
from .selectors import cycle_for_user


def _subject(*, today: datetime.date, overdue: int, due_soon: int) -> str:
    parts = []
    if overdue:
        parts.append(
            ngettext("%(count)s unit overdue", "%(count)s units overdue", overdue)
            % {"count": overdue}
        )
    if due_soon:
        parts.append(
            ngettext("%(count)s unit due soon", "%(count)s units due soon", due_soon)
            % {"count": due_soon}
        )
    return _("[Emulation Congress] Conferences as of %(date)s: %(summary)s") % {
        "date": date_format(today, "SHORT_DATE_FORMAT"),
        "summary": ", ".join(parts),
    }


def send_deadline_reminder(
    *, officer: User, today: datetime.date, within_days: int = REMINDER_DUE_DAYS
) -> bool:
    """Tell ``officer`` (an active emulation officer), in the app and by
    mail when they have an address and want mail, the units of their scope
    that have not held their conference although its tier's deadline has
    passed (overdue) or comes within ``within_days`` days (due soon): one
    plain-text mail in Vietnamese.
    Nothing is sent when nothing is late, nor when this day's reminder
    went to the officer already. Returns whether a mail went out.
    """
    if officer.role != Role.OFFICER or not officer.is_active:
        return False
    tiers = tiers_of_cycle(cycle_for_user(officer))
    alerts = deadline_alerts(user=officer, tiers=tiers, today=today, within_days=within_days)
    if not alerts:
        return False
    overdue = [a for a in alerts if a.lateness == Lateness.OVERDUE]
    due_soon = [a for a in alerts if a.lateness == Lateness.DUE_SOON]
    context = {
        "officer": officer,
        "today": today,
        "within_days": within_days,
        "overdue": overdue,
        "due_soon": due_soon,
        "board_url": settings.SITE_URL.rstrip("/") + reverse("progress:board"),
    }
    # A worker has no request: the interface's language, whatever is active.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _subject(today=today, overdue=len(overdue), due_soon=len(due_soon))
        body = render_to_string("congress/board_reminder_email.txt", context)
    # The same list as an in-app notice, whether or not it is also mailed.
    notify(
        event_key=reminder_event_key(today),
        recipients=[officer],
        kind=Notification.Kind.REMINDER,
        title=subject,
        body="\n".join(
            f"- {alert.unit.name} ({alert.tier.name})" for alert in [*overdue, *due_soon]
        ),
        url=reverse("progress:board"),
        mail=False,
    )
    if not officer.email or not officer.wants_mail:
        return False
    message = EmailMessage(subject, body, None, [officer.email])
    return send_once(event_key=reminder_event_key(today), recipient=officer, send=message.send)


def reminder_event_key(today: datetime.date) -> str:
    """The send log's key of the reminders of ``today``: one mail a day each."""
    return f"deadline-reminder:{today.isoformat()}"
