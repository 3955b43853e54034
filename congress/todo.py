"""Each role's home is its to-do list: what waits for this user, counted,
each count linking to the list that shows those objects.

- the council: conferences, organisation plans and allocations awaiting
  its review (the longest waiting first) and the units overdue, by
  province;
- an officer: what the council returned (with its reason), the units late
  or nearly so, the elections to record and the allocations to compute;
- printing staff: the conferences with delegates whose invitations or
  delegate list have not been generated yet;
- an administrator: the pages of the set-up.

This module is the selector of the home and counts what congress holds;
the items of the apps above (allocations and elections in ``delegates``,
generated documents in ``reports``) come from the providers they register
with ``congress.extensions.add_to_home``, since congress may not import
them. Every item costs a fixed number of queries (a count and the few
oldest rows), whatever the number of objects.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from units.models import Role, User
from units.workflow import Text

from . import progress, selectors
from .extensions import home_providers
from .filters import RETURNED, WAITING, returned, with_last_move
from .models import Conference, Cycle, OrganisationPlan, Tier

SHOWN = 5  # the oldest entries listed under each count


@dataclass(frozen=True)
class Entry:
    """One object under a count: what it is, where it is, since when, and
    the council's reason where it returned it."""

    label: str
    detail: str
    url: str
    since: datetime.date | datetime.datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class ToDo:
    """One line of the to-do list: ``count`` objects, ``url`` the list of
    them all ("" when there is none: the entries are the list), the oldest
    ``entries``. ``position`` orders the lines of the page; ``urgent`` marks
    what is late or sent back."""

    key: str
    label: Text
    count: int
    url: str
    position: int
    entries: list[Entry] = field(default_factory=list)
    urgent: bool = False

    @property
    def more(self) -> int:
        """How many are not listed under the count."""
        return self.count - len(self.entries)


@dataclass(frozen=True)
class LateProvince:
    """A province (or the HQ bloc, or VSS) with units overdue."""

    name: str
    overdue: int
    url: str


@dataclass(frozen=True)
class Home:
    items: list[ToDo]
    late_provinces: list[LateProvince] = field(default_factory=list)
    # The officer's units late or nearly so (the reminder mail's list).
    deadline_alerts: list[progress.UnitProgress] = field(default_factory=list)
    role_is_council: bool = False
    role_is_officer: bool = False
    role_is_printer: bool = False
    role_is_admin: bool = False

    @property
    def waiting(self) -> int:
        """Everything waiting for the user, summed."""
        return sum(item.count for item in self.items)


def url_with(name: str, **query) -> str:
    """The URL of ``name`` with the filters ``query``."""
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def _conference_entry(conference: Conference, *, since=None, reason: str = "") -> Entry:
    return Entry(
        label=conference.unit.name,
        detail=conference.tier.name,
        url=conference.get_absolute_url(),
        since=since,
        reason=reason,
    )


def _counted(rows: QuerySet) -> tuple[int, list]:
    """The number of ``rows`` and the first ``SHOWN`` of them: two queries."""
    return rows.count(), list(rows[:SHOWN])


# -- The council ---------------------------------------------------------------


def conferences_awaiting_review(user: User) -> ToDo:
    """Submitted conferences, the longest waiting first."""
    rows = with_last_move(
        selectors.visible_conferences(user).filter(status=Conference.Status.SUBMITTED)
    ).order_by("submitted_at", "pk")
    count, shown = _counted(rows)
    return ToDo(
        key="conferences_submitted",
        label=_("Conferences awaiting review"),
        count=count,
        url=url_with("congress:conference_list", status=Conference.Status.SUBMITTED, sort=WAITING),
        position=10,
        entries=[_conference_entry(c, since=c.submitted_at) for c in shown],
    )


def _plans(board: selectors.PlanBoard, status: str) -> list:
    """The board's rows in ``status``, the longest waiting first."""
    rows = [row for row in board.rows if row.status == status]
    key = "reviewed_at" if status == OrganisationPlan.Status.RETURNED else "uploaded_at"
    return sorted(rows, key=lambda row: getattr(row.plan, key) or row.plan.uploaded_at)


def plans_awaiting_review(board: selectors.PlanBoard) -> ToDo:
    """The organisers whose latest plan awaits review, the oldest upload first."""
    rows = _plans(board, OrganisationPlan.Status.SUBMITTED)
    return ToDo(
        key="plans_submitted",
        label=_("Organisation plans awaiting review"),
        count=len(rows),
        url=url_with("plans:plan_list", status=OrganisationPlan.Status.SUBMITTED),
        position=20,
        entries=[
            Entry(
                label=row.unit.name,
                detail=_("Version %(version)s") % {"version": row.plan.version},
                url=reverse("plans:plan_unit", args=[row.unit.pk]),
                since=row.plan.uploaded_at,
            )
            for row in rows[:SHOWN]
        ],
    )


def late_provinces(
    user: User, tiers: list[Tier], today: datetime.date
) -> tuple[ToDo, list[LateProvince]]:
    """The units overdue (deadline passed, not held, not exempted) and how
    many in each province: one aggregate per tier (``progress_board``)."""
    board = progress.progress_board(
        user=user, tiers=tiers, status=progress.Lateness.OVERDUE, today=today
    )
    status = str(progress.Lateness.OVERDUE)
    provinces = [
        LateProvince(
            name=row.branch.name,
            overdue=row.matching,
            url=url_with("progress:board", status=status, province=row.branch.code),
        )
        for row in board.rows
    ]
    item = ToDo(
        key="units_overdue",
        label=_("Units overdue"),
        count=board.matching,
        url=url_with("progress:board", status=status),
        position=40,
        urgent=bool(board.matching),
    )
    return item, provinces


# -- Officers ------------------------------------------------------------------


def returned_conferences(user: User) -> ToDo:
    """The conferences the council returned, not submitted again, with its reason."""
    rows = returned(selectors.visible_conferences(user)).order_by("date", "pk")
    count, shown = _counted(rows)
    return ToDo(
        key="conferences_returned",
        label=_("Conferences returned by the council"),
        count=count,
        url=url_with("congress:conference_list", status=RETURNED),
        position=10,
        entries=[_conference_entry(c, reason=c.last_reason) for c in shown],
        urgent=bool(count),
    )


def returned_plans(board: selectors.PlanBoard) -> ToDo:
    """The organisers whose latest plan the council returned, with its reason."""
    rows = _plans(board, OrganisationPlan.Status.RETURNED)
    return ToDo(
        key="plans_returned",
        label=_("Organisation plans returned by the council"),
        count=len(rows),
        url=url_with("plans:plan_list", status=OrganisationPlan.Status.RETURNED),
        position=20,
        entries=[
            Entry(
                label=row.unit.name,
                detail=_("Version %(version)s") % {"version": row.plan.version},
                url=reverse("plans:plan_unit", args=[row.unit.pk]),
                since=row.plan.reviewed_at,
                reason=row.plan.review_reason,
            )
            for row in rows[:SHOWN]
        ],
        urgent=bool(rows),
    )


def deadline_items(alerts: list[progress.UnitProgress]) -> list[ToDo]:
    """How many units are overdue and due soon (``progress.deadline_alerts``)."""
    items = []
    for position, lateness, label in (
        (40, progress.Lateness.OVERDUE, _("Units overdue")),
        (41, progress.Lateness.DUE_SOON, _("Units due soon")),
    ):
        rows = [alert for alert in alerts if alert.lateness == lateness]
        items.append(
            ToDo(
                key=f"units_{lateness}",
                label=label,
                count=len(rows),
                url=url_with("progress:board", status=str(lateness)),
                position=position,
                # The units themselves are listed by the deadline card below
                # (``Home.deadline_alerts``, the reminder mail's list).
                urgent=lateness == progress.Lateness.OVERDUE and bool(rows),
            )
        )
    return items


# -- The home ------------------------------------------------------------------


def home(*, user: User, cycle: Cycle | None, tiers: list[Tier], today: datetime.date) -> Home:
    """The to-do list of ``user`` in ``cycle``: the items of its role,
    congress's and those the apps above add, in their order."""
    role = user.role if not user.is_superuser else Role.ADMIN
    if cycle is None or role == Role.ADMIN:
        return Home(items=[], role_is_admin=role == Role.ADMIN)
    items: list[ToDo] = []
    late: list[LateProvince] = []
    alerts: list[progress.UnitProgress] = []
    if role == Role.COUNCIL:
        overdue, late = late_provinces(user, tiers, today)
        items += [
            conferences_awaiting_review(user),
            plans_awaiting_review(selectors.plan_board(user=user)),
            overdue,
        ]
    elif role == Role.OFFICER:
        alerts = progress.deadline_alerts(user=user, tiers=tiers, today=today)
        items += [
            returned_conferences(user),
            returned_plans(selectors.plan_board(user=user)),
            *deadline_items(alerts),
        ]
    for provider in home_providers(role):
        items += provider(user, cycle)
    items.sort(key=lambda item: item.position)
    return Home(
        items=items,
        late_provinces=late,
        deadline_alerts=alerts,
        role_is_council=role == Role.COUNCIL,
        role_is_officer=role == Role.OFFICER,
        role_is_printer=role == Role.PRINTER,
    )
