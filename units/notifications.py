"""Notices: each decision and hand-over of the workflow tells the people
concerned, in the app (the navbar's bell, the notices page) and by
e-mail.

``notify`` is called by the service that makes the move, inside its
transaction: the notices are rows of that transaction (one per event and
recipient, a unique constraint), and only once it commits is one mail task
queued per recipient who wants mail. The task sends through the send log
(``units.once.send_once``, the same event key × recipient), so a task
delivered twice, or retried after a mail server error, mails once. Its
own module, beside ``once.py``, because every app notifies and it is about
delivery, not about the hierarchy.
"""

from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Notification, Role, User
from .once import send_once
from .queue import enqueue

Kind = Notification.Kind


def interface_language():
    """The interface's language, whatever is active (a worker has no
    request): the text of a notice is written in it."""
    return translation.override(settings.LANGUAGE_CODE)


def council_members() -> QuerySet[User]:
    """Who reviews what is submitted: the active council members."""
    return User.objects.filter(role=Role.COUNCIL, is_active=True).order_by("pk")


def notify(
    *,
    event_key: str,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    mail: bool = True,
) -> list[User]:
    """Give each active recipient a notice of the event ``event_key``
    (unique per event, e.g. ``conference:12:return:40``) and, after the
    commit, mail it to those who want mail (``mail=False``: the caller
    mails on its own, as the daily reminder does). A recipient who has the
    notice already gets nothing new. Returns the recipients notified."""
    people = list({user.pk: user for user in recipients if user.is_active}.values())
    if not people:
        return []
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                event_key=event_key,
                kind=kind,
                title=title[:255],
                body=body,
                url=url,
            )
            for user in people
        ],
        ignore_conflicts=True,
    )
    if mail:
        for user in people:
            if user.wants_mail and user.email:
                transaction.on_commit(lambda pk=user.pk: enqueue(send_notice_mail, event_key, pk))
    return people


# The name it had in ``units.tasks``, which lists it for Celery's discovery.
@shared_task(
    name="units.tasks.send_notice_mail",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_notice_mail(event_key: str, recipient_id: int) -> bool:
    """Mail one notice; a second delivery (or a retry after the mail went)
    sends nothing: the send log holds the event × recipient."""
    notice = (
        Notification.objects.select_related("recipient")
        .filter(event_key=event_key, recipient_id=recipient_id)
        .first()
    )
    if notice is None:
        return False
    return mail_notice(notice=notice)


def mail_notice(*, notice: Notification) -> bool:
    """Mail ``notice`` to its recipient unless they turned mail off, have no
    address, or had it mailed already (the send log). Returns whether it
    went out."""
    recipient = notice.recipient
    if not recipient.is_active or not recipient.wants_mail or not recipient.email:
        return False
    site = settings.SITE_URL.rstrip("/")
    context = {
        "notice": notice,
        "recipient": recipient,
        "link": site + notice.url if notice.url else "",
        "notices_url": site + reverse("notifications:notification_list"),
    }
    with interface_language():
        subject = _("[Emulation Congress] %(title)s") % {"title": notice.title}
        body = render_to_string("units/notice_email.txt", context)
    message = EmailMessage(subject, body, None, [recipient.email])
    return send_once(event_key=notice.event_key, recipient=recipient, send=message.send)


# -- Reads and the user's own writes on their notices ------------------------


def unread_count(user: User) -> int:
    """The bell's number: one query."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notices_of(user: User) -> QuerySet[Notification]:
    """The user's own notices, newest first (nobody sees another's)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def open_notice(*, actor: User, notice: Notification) -> str:
    """Mark the actor's notice read; the path it leads to."""
    if notice.recipient_id != actor.pk:
        raise Notification.DoesNotExist
    if notice.read_at is None:
        Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    return notice.url


def mark_all_read(*, actor: User) -> int:
    """Mark every unread notice of the actor read; how many were."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def set_mail_preference(*, actor: User, wants_mail: bool) -> None:
    """Whether the actor's notices are also mailed (the in-app notice is
    made either way)."""
    actor.wants_mail = wants_mail
    actor.save(update_fields=["wants_mail"])
