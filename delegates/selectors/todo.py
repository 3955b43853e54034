"""What waits in the delegates app, for each role's home (``congress.todo``,
registered in ``DelegatesConfig.ready``): the allocations awaiting the
council's review; for an officer the allocations returned, the
allocations to compute and the elections to record. Two queries an item.
"""

from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from congress.models import Conference, Tier
from congress.selectors import visible_conferences
from congress.todo import SHOWN, Entry, ToDo, url_with
from delegates.models import Allocation, Election
from delegates.selectors.quotas import allocations_for_review
from units.models import User

HELD = [Conference.Status.HELD, Conference.Status.CLOSED]


def _allocation_entry(allocation: Allocation, *, since, reason: str = "") -> Entry:
    conference = allocation.conference
    return Entry(
        label=conference.unit.name,
        detail=_("%(tier)s, version %(version)s")
        % {"tier": conference.tier.name, "version": allocation.version},
        url=reverse("allocations:allocation_detail", args=[conference.pk])
        + f"?version={allocation.version}",
        since=since,
        reason=reason,
    )


def allocations_awaiting_review(user: User) -> ToDo:
    """Submitted allocation versions, the longest waiting first."""
    rows = allocations_for_review(user, status=Allocation.Status.SUBMITTED).order_by(
        "submitted_at", "pk"
    )
    shown = list(rows[:SHOWN])
    return ToDo(
        key="allocations_submitted",
        label=_("Allocations awaiting review"),
        count=rows.count(),
        url=url_with("allocations:allocation_list", status=Allocation.Status.SUBMITTED),
        position=30,
        entries=[_allocation_entry(a, since=a.submitted_at) for a in shown],
    )


def allocations_returned(user: User) -> ToDo:
    """Allocations whose newest version the council returned, with its reason."""
    rows = (
        allocations_for_review(user, status=Allocation.Status.RETURNED)
        .filter(version=F("newest_version"))
        .order_by("reviewed_at", "pk")
    )
    shown = list(rows[:SHOWN])
    count = rows.count()
    return ToDo(
        key="allocations_returned",
        label=_("Allocations returned by the council"),
        count=count,
        url=url_with("allocations:allocation_list", status=Allocation.Status.RETURNED),
        position=30,
        entries=[_allocation_entry(a, since=a.reviewed_at, reason=a.review_reason) for a in shown],
        urgent=bool(count),
    )


def allocations_to_compute(user: User) -> ToDo:
    """Conferences that share elected seats among the units below (tier 2,
    the Congress), not held yet, with no allocation computed yet."""
    rows = (
        visible_conferences(user)
        .filter(tier__level__gte=Tier.Level.UPPER_GRASSROOTS)
        .exclude(status__in=HELD)
        .exclude(Exists(Allocation.objects.filter(conference=OuterRef("pk"))))
        .order_by("date", "pk")
    )
    shown = list(rows[:SHOWN])
    return ToDo(
        key="allocations_to_compute",
        label=_("Allocations to compute"),
        count=rows.count(),
        url="",
        position=50,
        entries=[
            Entry(
                label=c.unit.name,
                detail=c.tier.name,
                url=reverse("allocations:allocation_detail", args=[c.pk]),
                since=c.date,
            )
            for c in shown
        ],
    )


def elections_to_record(user: User) -> ToDo:
    """Held conferences that elect delegates to the tier above and whose
    election is not confirmed yet, the earliest held first."""
    confirmed = Election.objects.filter(conference=OuterRef("pk"), status=Election.Status.CONFIRMED)
    rows = (
        visible_conferences(user)
        .filter(status__in=HELD, tier__level__lt=Tier.Level.CONGRESS)
        .exclude(Exists(confirmed))
        .order_by("held_on", "pk")
    )
    shown = list(rows[:SHOWN])
    return ToDo(
        key="elections_to_record",
        label=_("Elections to record"),
        count=rows.count(),
        url="",
        position=45,
        entries=[
            Entry(
                label=c.unit.name,
                detail=c.tier.name,
                url=reverse("elections:election_detail", args=[c.pk]),
                since=c.held_on,
            )
            for c in shown
        ],
    )


def council_items(user: User, cycle) -> list[ToDo]:
    return [allocations_awaiting_review(user)]


def officer_items(user: User, cycle) -> list[ToDo]:
    return [allocations_returned(user), elections_to_record(user), allocations_to_compute(user)]
