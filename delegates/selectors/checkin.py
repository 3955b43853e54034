"""The reads of check-in at the door: what a code finds (a delegate of this
conference, of another, or none) and the result shown, who may undo a
check-in, the attendance counts and the name search at the door. The
writes are ``delegates.services.checkin``'."""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from congress.models import Conference
from delegates.checkin_codes import check_in_time_label, is_well_formed, normalise_code
from delegates.models import Category, Delegate
from delegates.names import name_sort_key
from units.models import User
from units.permissions import Action, has_permission
from units.text import fold

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
    def is_ready(self) -> bool:
        """Found by a look-up and not in yet: the desk confirms it."""
        return self.outcome == Outcome.READY

    @property
    def is_checked_in(self) -> bool:
        """Checked in by this request: a mistake may be taken back."""
        return self.outcome == Outcome.CHECKED_IN

    @property
    def symbol(self) -> str:
        """The sign beside the headline, for those who do not tell colours
        apart: ✓ in, ! already in, ✕ refused, none for a look-up."""
        return {"success": "✓", "warning": "!", "danger": "✕"}.get(self.level, "")

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


def delegates_for_display() -> QuerySet[Delegate]:
    return Delegate.objects.select_related(
        "person", "person__unit", "unit", "checked_in_by", "conference__unit", "conference__tier"
    )


def find_code(conference: Conference, code: str, user: User) -> CheckInResult | Delegate:
    """The delegate of ``conference`` holding ``code``, or the result that
    refuses it (unknown, or of another conference). One query."""
    code = normalise_code(code)
    if not is_well_formed(code):
        return CheckInResult(Outcome.UNKNOWN, code=code)
    delegate = delegates_for_display().filter(check_in_code=code).first()
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


def present_result(delegate: Delegate, code: str) -> CheckInResult:
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
    found = find_code(conference, code, user)
    if isinstance(found, CheckInResult):
        return found
    if found.checked_in_at is not None:
        return present_result(found, found.check_in_code)
    return CheckInResult(Outcome.READY, code=found.check_in_code, delegate=found)


def may_undo(user: User, conference: Conference) -> bool:
    return has_permission(user, Action.CHANGE, conference.unit)


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
        aggregates[f"{category}present_result"] = Count("pk", filter=Q(category=category) & present)
    row = Delegate.objects.filter(conference=conference).aggregate(**aggregates)
    return _counts(
        {
            category: (row[f"{category}present_result"], row[f"{category}_expected"])
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
