"""National-scale demo data: reproducible, idempotent, plausible."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count

from congress.demo import fill_demo_cycle
from congress.models import Conference, ConferenceDocument, Paper
from units.models import Unit
from units.services import create_demo_users


@pytest.fixture
def demo_cycle(national_cycle, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    create_demo_users(hierarchy=national_cycle.hierarchy)
    return national_cycle


def snapshot():
    return sorted(
        Conference.objects.values_list(
            "tier__level", "unit__code", "status", "date", "actual_attendance"
        )
    )


def test_national_data_covers_every_tier_and_state(demo_cycle):
    result = fill_demo_cycle(cycle=demo_cycle, seed=7)
    conferences = Conference.objects.filter(tier__cycle=demo_cycle)
    assert result.conferences == conferences.count() > 1300
    by_status = dict(conferences.values_list("status").annotate(n=Count("pk")))
    assert set(by_status) == set(Conference.Status.values)
    assert set(conferences.values_list("tier__level", flat=True)) == {1, 2, 3}
    assert result.papers == Paper.objects.count() > 0
    # Closed conferences have their minutes; held ones their attendance.
    closed = conferences.filter(status="closed")
    assert (
        ConferenceDocument.objects.filter(conference__in=closed, kind="minutes").count()
        == closed.count()
    )
    assert not conferences.filter(
        status__in=["held", "closed"], actual_attendance__isnull=True
    ).exists()
    for conference in conferences.filter(tier__level=1, status="held").select_related("unit")[:50]:
        assert (
            0.85 * conference.unit.headcount - 1
            <= conference.actual_attendance
            <= conference.unit.headcount
        )
    # Every conference's history ends in its status.
    for conference in conferences.prefetch_related("transitions")[:100]:
        assert list(conference.transitions.all())[-1].to_status == conference.status


def test_same_seed_same_data_and_running_again_adds_nothing(demo_cycle):
    fill_demo_cycle(cycle=demo_cycle, seed=3, share=0.2)
    first = snapshot()
    again = fill_demo_cycle(cycle=demo_cycle, seed=3, share=0.2)
    assert again.conferences == 0
    assert snapshot() == first
    Conference.objects.all().delete()
    fill_demo_cycle(cycle=demo_cycle, seed=3, share=0.2)
    assert snapshot() == first


def test_a_share_is_a_subset_of_the_whole(demo_cycle):
    fill_demo_cycle(cycle=demo_cycle, seed=5, share=0.25)
    part = set(snapshot())
    fill_demo_cycle(cycle=demo_cycle, seed=5, share=1.0)
    assert part <= set(snapshot())
    assert len(part) < 0.4 * len(snapshot())


def test_pilots_go_first_at_tier_two(demo_cycle):
    fill_demo_cycle(cycle=demo_cycle, seed=11)
    tier_two = Conference.objects.filter(tier__cycle=demo_cycle, tier__level=2)
    pilots = demo_cycle.pilot_units.all()
    latest_pilot = max(tier_two.filter(unit__in=pilots).values_list("date", flat=True))
    assert not tier_two.exclude(unit__in=pilots).filter(date__lt=latest_pilot).exists()


def test_refused_without_allow_demo_data(demo_cycle, settings):
    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(ImproperlyConfigured):
        fill_demo_cycle(cycle=demo_cycle)
    assert not Conference.objects.exists()
    assert Unit.objects.exists()


def test_a_ready_province_has_every_grassroots_conference_held(demo_cycle):
    fill_demo_cycle(cycle=demo_cycle, seed=2, share=0.1, ready_branches=("P01",))
    hanoi = Conference.objects.filter(unit__branch_code="P01")
    organisers = Unit.objects.filter(
        hierarchy=demo_cycle.hierarchy,
        branch_code="P01",
        kind__in=["district", "province_department"],
    )
    assert hanoi.filter(tier__level=1, status="held").count() == organisers.count()
    assert hanoi.get(tier__level=2).status == "accepted"


def test_the_demo_keeps_the_tiers_in_order(demo_cycle):
    from congress.selectors import units_yet_to_hold

    fill_demo_cycle(cycle=demo_cycle, seed=4, share=1.0)
    held_above = Conference.objects.filter(
        tier__cycle=demo_cycle, tier__level__gte=2, status__in=["held", "closed"]
    ).select_related("tier", "unit")
    # Without the rule, provinces' conferences would be held
    # over districts that have not held theirs.
    for conference in held_above:
        assert units_yet_to_hold(conference) == [], conference
