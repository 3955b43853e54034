"""At most once: a scheduled task runs once per slot, a message goes once
to each recipient of an event, however many beats, retries or redeliveries.

Both are rows with a unique constraint in the database, inserted before the
work: the second insert fails and the work is skipped. The database rather
than Redis, so it holds on the embedded default too and in tests. Its own
module (not ``services.py``) because every app uses it, and it is about
delivery, not about the hierarchy.
"""

import datetime
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ScheduledRun, SentMessage, User

P = ParamSpec("P")
R = TypeVar("R")

# Claims older than this are forgotten: their slots never come back.
KEEP_RUNS = datetime.timedelta(days=7)


def daily_slot() -> str:
    """The slot of a task run once a day: today in ``TIME_ZONE``."""
    return timezone.localdate().isoformat()


def minutes_slot(every: int) -> str:
    """The slot of a task run every ``every`` minutes (``crontab(minute="*/5")``):
    the local time rounded down to it. A run delayed past the next slot
    counts as that slot's, which is harmless for the idempotent tasks run
    this often."""
    now = timezone.localtime()
    return now.replace(minute=now.minute - now.minute % every).strftime("%Y-%m-%dT%H:%M")


def claim_run(*, task: str, slot: str) -> bool:
    """Whether this caller may run ``task`` for ``slot``: true for the first
    caller only. The claim is committed at once, so a second beat's copy
    arriving a moment later sees it; a run that fails gives its claim back
    through ``release_run``. A worker killed mid-run keeps the claim: the
    slot is not run again (the next slot is)."""
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(task=task, slot=slot)
    except IntegrityError:
        return False
    ScheduledRun.objects.filter(task=task, started_at__lt=timezone.now() - KEEP_RUNS).delete()
    return True


def release_run(*, task: str, slot: str) -> None:
    """Give back a claim whose run failed, so a retry may run the slot."""
    ScheduledRun.objects.filter(task=task, slot=slot).delete()


def once_per_slot(
    slot: Callable[..., str],
) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Make a scheduled task run once per ``slot`` (computed from the
    task's arguments), keyed by the task's dotted name: the copy sent by a
    second beat returns None without working. Put it under ``@shared_task``."""

    def decorate(func: Callable[P, R]) -> Callable[P, R | None]:
        task = f"{func.__module__}.{func.__name__}"

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
            this_slot = slot(*args, **kwargs)
            if not claim_run(task=task, slot=this_slot):
                return None
            try:
                return func(*args, **kwargs)
            except BaseException:
                release_run(task=task, slot=this_slot)
                raise

        return run

    return decorate


def every_day(*_args: Any, **_kwargs: Any) -> str:
    return daily_slot()


def every_minute(*_args: Any, **_kwargs: Any) -> str:
    return minutes_slot(1)


def send_once(*, event_key: str, recipient: User, send: Callable[[], object]) -> bool:
    """Call ``send`` unless a message of ``event_key`` already went to
    ``recipient``; return whether it was called. The record is written
    first, in the same transaction as the send: a concurrent second call
    waits on the unique constraint and then finds the record, and a send
    that raises rolls the record back so that a retry sends. (Only a
    commit failing after the mail left would let a retry send twice.)"""
    with transaction.atomic():
        _message, created = SentMessage.objects.get_or_create(
            event_key=event_key, recipient=recipient
        )
        if not created:
            return False
        send()
    return True
