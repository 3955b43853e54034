"""Check-in at the door (điểm danh): services that mark a delegate present,
and the reads the check-in page needs.

Every invitation carries the delegate's check-in code as text and in a QR
code (the absolute URL of the check-in page with ``?code=``). Codes are
unique across conferences, so a code of another conference is recognised
and refused rather than reported as unknown. A delegate is marked present
once: the write is a conditional UPDATE (``checked_in_at IS NULL``), so of
two phones scanning the same invitation at the same moment only one wins;
the other is told when the delegate was checked in.
"""

import datetime
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.models import Conference
from units.models import User
from units.permissions import Action, has_permission, require_permission
from units.text import fold

from .models import CHECK_IN_ALPHABET, CHECK_IN_CODE_LENGTH, Category, Delegate
from .names import name_sort_key

# What a typed code may hold besides its characters: spaces and dashes
# (printed as "ABC-DEF" or read aloud in groups).
_SEPARATORS = re.compile("[\\s\\-\u2010-\u2015\u2212]+")
_CODE = re.compile(f"[{CHECK_IN_ALPHABET}]{{{CHECK_IN_CODE_LENGTH}}}")

SEARCH_LIMIT = 20  # delegates listed by the name search at the door


class Outcome(StrEnum):
    """What a check-in (or a look-up of a code) found."""

    CHECKED_IN = "checked_in"  # marked present now
    ALREADY = "already"  # present before: nothing changed
    FOREIGN = "foreign"  # the code of another conference: refused
    UNKNOWN = "unknown"  # no delegate has this code
    READY = "ready"  # a look-up only: found, not present yet


@dataclass(frozen=True)
class CheckInResult:
    """The outcome of a check-in, with the delegate (only one of this
    conference: nothing is shown of another conference's delegate)."""

    outcome: Outcome
    code: str = ""
    delegate: Delegate | None = None
    checked_in_at: datetime.datetime | None = None
    checked_in_by: str = ""  # who checked the delegate in (ALREADY)
    other_conference: str = ""  # FOREIGN, when the user may see that conference

    @property
    def time_label(self) -> str:
        return check_in_time_label(self.checked_in_at)

    @property
    def level(self) -> str:
        """The Bootstrap colour of the result: green, amber, red, blue."""
        return {
            Outcome.CHECKED_IN: "success",
            Outcome.ALREADY: "warning",
            Outcome.READY: "primary",
        }.get(self.outcome, "danger")

    @property
    def headline(self) -> str:
        if self.outcome == Outcome.CHECKED_IN:
            return _("Checked in")
        if self.outcome == Outcome.ALREADY:
            return _("Already checked in at %(time)s") % {"time": self.time_label}
        if self.outcome == Outcome.READY:
            return _("Not checked in yet")
        if self.outcome == Outcome.FOREIGN:
            return _("Code of another conference")
        return _("Unknown code")

    @property
    def detail(self) -> str:
        if self.outcome == Outcome.FOREIGN:
            if self.other_conference:
                return _(
                    "The code %(code)s is on an invitation to %(conference)s. Nothing was recorded."
                ) % {"code": self.code, "conference": self.other_conference}
            return _(
                "The code %(code)s is on an invitation to another conference. Nothing was recorded."
            ) % {"code": self.code}
        if self.outcome == Outcome.UNKNOWN:
            if not self.code:
                return _("Type the code printed on the invitation, or search by name.")
            return _("No delegate has the code %(code)s. Check the code, or search by name.") % {
                "code": self.code
            }
        if self.outcome == Outcome.ALREADY and self.checked_in_by:
            return _("Checked in by %(user)s.") % {"user": self.checked_in_by}
        return ""


def check_in_time_label(moment: datetime.datetime | None) -> str:
    """The time as "08:05", in the conference's local time (the site's
    zone, Asia/Ho_Chi_Minh); with the date when it was not today."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.date() != timezone.localdate():
        return local.strftime("%H:%M %d/%m/%Y")
    return local.strftime("%H:%M")


def normalise_code(text: str) -> str:
    """The code as printed: upper-case, without spaces or dashes. A whole
    check-in URL (a hand scanner typing the QR's content) gives its
    ``code`` parameter."""
    text = (text or "").strip()
    if "code=" in text:
        values = parse_qs(urlsplit(text).query or text).get("code")
        if values:
            text = values[0]
    return _SEPARATORS.sub("", text).upper()[:64]


def is_well_formed(code: str) -> bool:
    return bool(_CODE.fullmatch(code))


def _delegates_for_display() -> QuerySet[Delegate]:
    return Delegate.objects.select_related(
        "person", "person__unit", "unit", "checked_in_by", "conference__unit", "conference__tier"
    )


def _found(conference: Conference, code: str, user: User) -> CheckInResult | Delegate:
    """The delegate of ``conference`` holding ``code``, or the result that
    refuses it (unknown, or of another conference). One query."""
    code = normalise_code(code)
    if not is_well_formed(code):
        return CheckInResult(Outcome.UNKNOWN, code=code)
    delegate = _delegates_for_display().filter(check_in_code=code).first()
    if delegate is None:
        return CheckInResult(Outcome.UNKNOWN, code=code)
    if delegate.conference_id != conference.pk:
        other = delegate.conference
        visible = has_permission(user, Action.VIEW, other.unit)
        return CheckInResult(
            Outcome.FOREIGN,
            code=code,
            other_conference=f"{other.tier.name} · {other.unit.name}" if visible else "",
        )
    return delegate


def _present(delegate: Delegate, code: str) -> CheckInResult:
    by = delegate.checked_in_by
    return CheckInResult(
        Outcome.ALREADY,
        code=code,
        delegate=delegate,
        checked_in_at=delegate.checked_in_at,
        checked_in_by=by.get_full_name() if by is not None else "",
    )


def look_up_code(*, conference: Conference, code: str, user: User) -> CheckInResult:
    """What checking in ``code`` would do, changing nothing (the page
    opened from the invitation's QR code asks before marking present):
    READY, ALREADY (with the time), FOREIGN or UNKNOWN. One query."""
    found = _found(conference, code, user)
    if isinstance(found, CheckInResult):
        return found
    if found.checked_in_at is not None:
        return _present(found, found.check_in_code)
    return CheckInResult(Outcome.READY, code=found.check_in_code, delegate=found)


def _refuse_closed(conference: Conference) -> None:
    if conference.status == Conference.Status.CLOSED:
        raise ValidationError(_("The conference is closed: its records can no longer change."))


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
        return CheckInResult(
            Outcome.CHECKED_IN, code=delegate.check_in_code, delegate=delegate, checked_in_at=now
        )
    current = _delegates_for_display().get(pk=delegate.pk)
    if current.checked_in_at is None and again:
        # Undone between our look and our write: try once more.
        return _mark_present(current, user, again=False)
    return _present(current, current.check_in_code)


def check_in(*, conference: Conference, code: str, user: User) -> CheckInResult:
    """Check in the delegate whose invitation carries ``code`` (typed or
    scanned; spaces, dashes and case do not matter), once. A code of
    another conference is refused and nothing changes. Needs the PRINT
    right on the conference's unit (the staff at the door)."""
    require_permission(user, Action.PRINT, conference.unit)
    _refuse_closed(conference)
    found = _found(conference, code, user)
    if isinstance(found, CheckInResult):
        return found
    if found.checked_in_at is not None:
        return _present(found, found.check_in_code)
    return _mark_present(found, user)


def check_in_delegate(*, conference: Conference, delegate_pk: int, user: User) -> CheckInResult:
    """Check in a delegate found by name (no invitation at hand), once,
    as ``check_in`` does; a delegate of another conference is UNKNOWN."""
    require_permission(user, Action.PRINT, conference.unit)
    _refuse_closed(conference)
    delegate = _delegates_for_display().filter(conference=conference, pk=delegate_pk).first()
    if delegate is None:
        return CheckInResult(Outcome.UNKNOWN)
    if delegate.checked_in_at is not None:
        return _present(delegate, delegate.check_in_code)
    return _mark_present(delegate, user)


def may_undo(user: User, conference: Conference) -> bool:
    return has_permission(user, Action.CHANGE, conference.unit)


def undo_check_in(*, conference: Conference, delegate_pk: int, user: User) -> Delegate | None:
    """Take back a check-in made by mistake: only who may change the
    conference (officer, administrator), not the printing staff at the
    door. Returns the delegate, or ``None`` if they were not checked in;
    ``Delegate.DoesNotExist`` for a delegate of another conference."""
    require_permission(user, Action.CHANGE, conference.unit)
    _refuse_closed(conference)
    delegate = _delegates_for_display().get(conference=conference, pk=delegate_pk)
    undone = Delegate.objects.filter(pk=delegate.pk, checked_in_at__isnull=False).update(
        checked_in_at=None, checked_in_by=None
    )
    if not undone:
        return None
    delegate.checked_in_at = None
    delegate.checked_in_by = None
    return delegate


# -- Reads ---------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryAttendance:
    category: str
    label: str
    present: int
    expected: int

    @property
    def short_label(self) -> str:
        """A word that fits a quarter of a phone's width."""
        labels: dict[str, str] = {
            Category.GUEST: _("Guests"),
            Category.OFFICIAL: _("Officials"),
            Category.ELECTED: _("By election"),
        }
        return labels.get(self.category, self.label)

    @property
    def absent(self) -> int:
        return self.expected - self.present

    @property
    def percent(self) -> int:
        return round(100 * self.present / self.expected) if self.expected else 0


@dataclass(frozen=True)
class AttendanceCounts:
    """Present and expected delegates per category (guest, official,
    elected, in protocol order) and in all."""

    categories: list[CategoryAttendance]

    @property
    def present(self) -> int:
        return sum(entry.present for entry in self.categories)

    @property
    def expected(self) -> int:
        return sum(entry.expected for entry in self.categories)

    @property
    def absent(self) -> int:
        return self.expected - self.present

    @property
    def percent(self) -> int:
        return round(100 * self.present / self.expected) if self.expected else 0


def _counts(per_category: dict[str, tuple[int, int]]) -> AttendanceCounts:
    return AttendanceCounts(
        categories=[
            CategoryAttendance(
                category=category,
                label=str(label),
                present=per_category.get(category, (0, 0))[0],
                expected=per_category.get(category, (0, 0))[1],
            )
            for category, label in Category.choices
        ]
    )


def attendance_counts(conference: Conference) -> AttendanceCounts:
    """Present / expected per category: ONE aggregate query, polled by the
    check-in page every few seconds."""
    present = Q(checked_in_at__isnull=False)
    aggregates = {}
    for category in Category.values:
        aggregates[f"{category}_expected"] = Count("pk", filter=Q(category=category))
        aggregates[f"{category}_present"] = Count("pk", filter=Q(category=category) & present)
    row = Delegate.objects.filter(conference=conference).aggregate(**aggregates)
    return _counts(
        {
            category: (row[f"{category}_present"], row[f"{category}_expected"])
            for category in Category.values
        }
    )


def search_delegates(
    conference: Conference, query: str, *, limit: int = SEARCH_LIMIT
) -> list[Delegate]:
    """Delegates of ``conference`` whose name holds every word of ``query``,
    ignoring case and diacritics ("nguyen van an" finds "Nguyễn Văn An"),
    present or not, in Vietnamese name order; at most ``limit``. People
    are matched on their folded ``search_name``; guests outside the
    register have only a name, folded here. One query."""
    words = fold(query).split()
    if not words:
        return []
    people = Q(person__isnull=False)
    for word in words:
        people &= Q(person__search_name__contains=word)
    candidates = (
        Delegate.objects.filter(conference=conference)
        .filter(people | Q(person__isnull=True))
        .select_related("person", "person__unit", "unit")
    )
    found = [
        delegate
        for delegate in candidates
        if delegate.person_id is not None
        or all(word in fold(delegate.guest_name) for word in words)
    ]
    found.sort(key=lambda delegate: (name_sort_key(delegate.name), delegate.pk))
    return found[:limit]
