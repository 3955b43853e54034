"""The allocation page's read-model: what a conference's allocation page
shows, in a fixed number of queries whatever the number of units below
(the versions, the shown one's lines, the units below, those yet to hold,
the attendance now, the confirmed elections above quota; at the Congress,
the balance), with what the user may do there now.

A module of its own because it reads across quotas, elections and
delegates (each of which ``quotas`` itself must not import back).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.utils.translation import gettext as _

from congress.models import Conference
from congress.selectors import ReturnNotice, units_yet_to_hold
from delegates import quota_terms
from delegates.models import Allocation

from . import delegates as delegate_selectors
from . import elections as election_selectors
from . import quotas as quota_selectors


@dataclass(frozen=True)
class AllocationPage:
    conference: Conference
    versions: list[Allocation]
    newest: Allocation | None
    # The version shown (``?version=``, else the newest) and its lines.
    shown: Allocation | None
    view: quota_selectors.AllocationView | None
    approved: Allocation | None
    pending: Allocation | None  # the version awaiting the council, if any
    workable: bool  # the shown version may still be adjusted and submitted
    budget: quota_selectors.SeatBudget
    below: list[quota_selectors.UnitBelow]
    # Units below that must hold their conference before any allocation.
    not_held: list[dict[str, Any]]
    # Units below neither held nor waited for: exempted by the council.
    exempted: set[int]
    official_warning: str
    # Out of date: the attendance changed since the shown / approved version.
    shown_changes: list[quota_selectors.AttendanceChange]
    approved_changes: list[quota_selectors.AttendanceChange]
    changed_by_unit: dict[int, quota_selectors.AttendanceChange]
    # Confirmed elections above the shown version's seats.
    excess: list[Any]
    balance: Any
    # Drafts a later version replaced before they were submitted.
    replaced: set[int]
    may_change: bool
    may_compute: bool
    may_adjust: bool
    may_review: bool
    # The officer may take the shown version back from the council's review.
    may_withdraw: bool
    # The council's return of the newest version, until it is submitted again.
    returned: ReturnNotice | None

    @property
    def may_submit(self) -> bool:
        return self.may_adjust

    def context(self) -> dict[str, Any]:
        """The page's template context (attribute by attribute, not copied)."""
        values = {field.name: getattr(self, field.name) for field in fields(self)}
        return {**values, "may_submit": self.may_submit}


def _lower_status_label(unit: Any) -> str:
    """The status of the unit's conference of the tier below, as
    ``units_yet_to_hold`` annotates it (none: not registered)."""
    status = getattr(unit, "lower_status", "")
    return str(Conference.Status(status).label) if status else _("not registered")


def allocation_page(
    conference: Conference, *, may_change: bool, may_review: bool, version: int | None = None
) -> AllocationPage:
    """The page of ``conference``'s allocation, version ``version`` shown
    (the newest when absent or unknown); ``may_change`` / ``may_review``:
    the user's rights on the conference's unit."""
    versions = quota_selectors.conference_allocations(conference)
    newest = versions[0] if versions else None
    shown = next((a for a in versions if a.version == version), newest)
    view = quota_selectors.allocation_view(shown) if shown is not None else None
    pending = next((a for a in versions if a.status == Allocation.Status.SUBMITTED), None)
    approved = next((a for a in versions if a.status == Allocation.Status.APPROVED), None)
    workable = (
        shown is not None
        and newest is not None
        and quota_selectors.is_workable(shown, newest=newest.version)
    )
    review = quota_terms.ALLOCATION_WORKFLOW.moves[quota_terms.Decision.APPROVE]
    withdraw = quota_terms.ALLOCATION_WORKFLOW.moves["withdraw"]
    lines = {shown.pk: [row.line for row in view.rows]} if shown and view else None
    changes = quota_selectors.attendance_changes(
        list(dict.fromkeys(a for a in (shown, approved) if a is not None)),
        lines=lines,
        corrections=True,
    )
    excess: list[Any] = []
    if shown is not None and view is not None and shown in (approved, newest):
        excess = election_selectors.excess_of(
            shown, seats_by_unit={row.line.unit_id: row.line.seats for row in view.rows}
        )
    shown_changes = changes.get(shown.pk, []) if shown else []
    below = quota_selectors.units_below(conference)
    yet_to_hold = units_yet_to_hold(conference)
    waiting = {unit.pk for unit in yet_to_hold}
    budget = quota_selectors.seat_budget(conference)
    return AllocationPage(
        conference=conference,
        versions=versions,
        newest=newest,
        shown=shown,
        view=view,
        approved=approved,
        pending=pending,
        workable=workable,
        budget=budget,
        below=below,
        not_held=[{"unit": unit, "status": _lower_status_label(unit)} for unit in yet_to_hold],
        exempted={e.unit.pk for e in below if not e.is_held and e.unit.pk not in waiting},
        official_warning=quota_terms.official_warning(budget.official),
        shown_changes=shown_changes,
        approved_changes=changes.get(approved.pk, [])
        if approved is not None and approved != shown
        else [],
        changed_by_unit={change.unit.pk: change for change in shown_changes},
        excess=excess,
        balance=delegate_selectors.congress_balance(conference)
        if not conference.tier.sends_delegates_up
        else None,
        replaced={a.pk for a in versions if a is not newest and a.is_draft},
        may_change=may_change,
        may_compute=may_change and pending is None,
        may_adjust=may_change and workable,
        may_review=may_review and shown is not None and review.leaves(shown.status),
        may_withdraw=may_change and shown is not None and withdraw.leaves(shown.status),
        returned=ReturnNotice(
            reviewer=newest.reviewed_by, at=newest.reviewed_at, reason=newest.review_reason
        )
        if newest is not None and newest.is_returned
        else None,
    )
