"""Check-in at the door (điểm danh): the services that mark a delegate
present (or undo it).

Every invitation carries the delegate's check-in code as text and in a QR
code (the absolute URL of the check-in page with ``?code=``). Codes are
unique across conferences, so a code of another conference is recognised
and refused rather than reported as unknown. A delegate is marked present
once: the write is a conditional UPDATE (``checked_in_at IS NULL``), so of
two phones scanning the same invitation at the same moment only one wins;
the other is told when the delegate was checked in. The reads the
check-in page needs are in ``delegates.selectors.checkin``, the reading of
a typed or scanned code in ``delegates.checkin_codes``.
"""

from django.utils import timezone

from congress.models import Conference
from congress.policy import refuse_if_closed
from delegates.models import Delegate
from delegates.selectors.checkin import (
    CheckInResult,
    Outcome,
    delegates_for_display,
    find_code,
    present_result,
)
from units.audit import audited, record_updated
from units.models import User
from units.permissions import Action, require_permission


def _mark_present(delegate: Delegate, user: User, *, again: bool = True) -> CheckInResult:
    """Mark ``delegate`` present unless already: the conditional UPDATE is
    the only arbiter, so a concurrent check-in of the same delegate gets
    ALREADY with the winner's time."""
    now = timezone.now()
    won = Delegate.objects.filter(pk=delegate.pk, checked_in_at__isnull=True).update(
        checked_in_at=now, checked_in_by=user
    )
    if won:
        delegate.checked_in_at = now
        delegate.checked_in_by = user
        # A conditional UPDATE sends no signal: its entry is written here.
        record_updated(delegate, {"checked_in_at": (None, now), "checked_in_by": (None, user.pk)})
        return CheckInResult(
            Outcome.CHECKED_IN, code=delegate.check_in_code, delegate=delegate, checked_in_at=now
        )
    current = delegates_for_display().get(pk=delegate.pk)
    if current.checked_in_at is None and again:
        # Undone between our look and our write: try once more.
        return _mark_present(current, user, again=False)
    return present_result(current, current.check_in_code)


@audited
def check_in(*, conference: Conference, code: str, user: User) -> CheckInResult:
    """Check in the delegate whose invitation carries ``code`` (typed or
    scanned; spaces, dashes and case do not matter), once. A code of
    another conference is refused and nothing changes. Needs the PRINT
    right on the conference's unit (the staff at the door)."""
    require_permission(user, Action.PRINT, conference.unit)
    refuse_if_closed(conference)
    found = find_code(conference, code, user)
    if isinstance(found, CheckInResult):
        return found
    if found.checked_in_at is not None:
        return present_result(found, found.check_in_code)
    return _mark_present(found, user)


@audited
def check_in_delegate(*, conference: Conference, delegate_pk: int, user: User) -> CheckInResult:
    """Check in a delegate found by name (no invitation at hand), once,
    as ``check_in`` does; a delegate of another conference is UNKNOWN."""
    require_permission(user, Action.PRINT, conference.unit)
    refuse_if_closed(conference)
    delegate = delegates_for_display().filter(conference=conference, pk=delegate_pk).first()
    if delegate is None:
        return CheckInResult(Outcome.UNKNOWN)
    if delegate.checked_in_at is not None:
        return present_result(delegate, delegate.check_in_code)
    return _mark_present(delegate, user)


@audited
def undo_check_in(*, conference: Conference, delegate_pk: int, user: User) -> Delegate | None:
    """Take back a check-in made by mistake: only who may change the
    conference (officer, administrator), not the printing staff at the
    door. Returns the delegate, or ``None`` if they were not checked in;
    ``Delegate.DoesNotExist`` for a delegate of another conference."""
    require_permission(user, Action.CHANGE, conference.unit)
    refuse_if_closed(conference)
    delegate = delegates_for_display().get(conference=conference, pk=delegate_pk)
    undone = Delegate.objects.filter(pk=delegate.pk, checked_in_at__isnull=False).update(
        checked_in_at=None, checked_in_by=None
    )
    if not undone:
        return None
    record_updated(
        delegate,
        {
            "checked_in_at": (delegate.checked_in_at, None),
            "checked_in_by": (delegate.checked_in_by_id, None),
        },
    )
    delegate.checked_in_at = None
    delegate.checked_in_by = None
    return delegate
