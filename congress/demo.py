"""Demonstration data at national scale: every organiser's conference of
cycle V in every state, held attendance close to the unit's headcount,
papers and history. Seeded, so the same seed gives the same data on every
machine; used by ``make run`` (a share of it), the scale tests and the
benchmarks. Never loaded in production (``ALLOW_DEMO_DATA``).
"""

import datetime
import hashlib
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from units.models import Role, Unit, User

from .models import (
    Conference,
    ConferenceDocument,
    ConferenceLength,
    ConferenceTransition,
    Cycle,
    FieldOfWork,
    Paper,
    Tier,
)

S = Conference.Status
A = ConferenceTransition.Action
# The moves that lead to each status, in order.
PATH_TO = {
    S.DRAFT: [A.REGISTER],
    S.SUBMITTED: [A.REGISTER, A.SUBMIT],
    S.ACCEPTED: [A.REGISTER, A.SUBMIT, A.ACCEPT],
    S.HELD: [A.REGISTER, A.SUBMIT, A.ACCEPT, A.HOLD],
    S.CLOSED: [A.REGISTER, A.SUBMIT, A.ACCEPT, A.HOLD, A.CLOSE],
}
STATUS_AFTER = {
    A.REGISTER: S.DRAFT,
    A.SUBMIT: S.SUBMITTED,
    A.ACCEPT: S.ACCEPTED,
    A.HOLD: S.HELD,
    A.CLOSE: S.CLOSED,
}
# Share of conferences in each state (the rest of the units: not registered).
STATUS_WEIGHTS = [
    (None, 6),
    (S.DRAFT, 8),
    (S.SUBMITTED, 10),
    (S.ACCEPTED, 12),
    (S.HELD, 30),
    (S.CLOSED, 34),
]
PAPER_TITLES = [
    "Đổi mới phương thức tuyên truyền, phát triển người tham gia BHXH tự nguyện",
    "Ứng dụng công nghệ thông tin trong giải quyết chế độ BHXH",
    "Kinh nghiệm giảm nợ đóng BHXH, BHYT tại doanh nghiệp",
    "Mô hình “Điểm thu BHXH, BHYT kiểu mẫu” ở cơ sở",
    "Nâng cao chất lượng giám định chi phí khám, chữa bệnh BHYT",
    "Cải cách thủ tục hành chính, giao dịch điện tử với đơn vị sử dụng lao động",
    "Phát triển người tham gia BHYT hộ gia đình",
    "Gương “Người tốt - Việc tốt” trong thực thi nhiệm vụ",
    "Giải pháp quản lý sổ BHXH, thẻ BHYT trên môi trường số",
    "Phối hợp liên ngành trong thanh tra, kiểm tra đóng BHXH",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Thị", "Văn", "Minh", "Ngọc", "Thanh", "Hữu", "Thu", "Quốc", "Hoài", "Đức"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Linh",
         "Mai", "Nam", "Nga", "Phương", "Quân", "Thảo", "Trang", "Tuấn", "Yến"]  # fmt: skip
VENUES = ["Hội trường {unit}", "Trụ sở {unit}", "Hội trường UBND", "Trung tâm Hội nghị tỉnh"]
DEMO_MINUTES_NAME = "demo/bien-ban-hoi-nghi-mau.pdf"
# A one-page PDF with one line of text; enough to stand for the minutes.
DEMO_MINUTES_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 44>>stream\nBT /F1 18 Tf 72 760 Td (Bien ban mau) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Times-Roman>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class DemoResult:
    conferences: int
    papers: int
    skipped: int


def _actor_for(unit: Unit, officers: dict[str, User], fallback: User) -> User:
    return officers.get(unit.branch_code, fallback)


def _rng(seed: int, tier: Tier, unit: Unit, *extra: str) -> random.Random:
    return random.Random(":".join([str(seed), str(tier.level), unit.code, *extra]))  # noqa: S311


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _season_start(tier: Tier, previous: Tier | None) -> datetime.date:
    """A tier's conferences follow the tier below (they elect its
    delegates, and the tiers run in order: ``rules.tier_order_errors``):
    from that tier's deadline, within the window."""
    if previous is None:
        return tier.window_start
    return min(max(previous.deadline, tier.window_start), tier.deadline)


def _conference_date(
    rng: random.Random, start: datetime.date, end: datetime.date, *, pilot: bool
) -> datetime.date:
    """Pilots in the first third of the season, everyone else after it."""
    span = (end - start).days
    third = span // 3
    offset = rng.randint(0, third) if pilot else rng.randint(third + 1, span)
    return start + datetime.timedelta(days=offset)


def _moment(day: datetime.date, days_before: int, hour: int) -> datetime.datetime:
    moment = datetime.datetime.combine(
        day - datetime.timedelta(days=days_before), datetime.time(hour)
    )
    return timezone.make_aware(moment)


# When each move happens, relative to the conference day: (days before, hour).
MOMENTS = {
    A.REGISTER: (45, 9),
    A.SUBMIT: (40, 10),
    A.ACCEPT: (30, 15),
    A.HOLD: (0, 17),
    A.CLOSE: (-3, 10),
}


def _attendance(rng: random.Random, tier: Tier, unit: Unit, subtree_staff: int) -> int:
    if tier.cap is None:  # grassroots: all staff of the unit
        return max(1, rng.randint(int(unit.headcount * 0.85), unit.headcount))
    return rng.randint(int(tier.cap * 0.7), tier.cap) if subtree_staff else 1


def _minutes_file() -> tuple[str, str]:
    if not default_storage.exists(DEMO_MINUTES_NAME):
        default_storage.save(DEMO_MINUTES_NAME, ContentFile(DEMO_MINUTES_PDF))
    return DEMO_MINUTES_NAME, hashlib.sha256(DEMO_MINUTES_PDF).hexdigest()


def _records_of(
    conference: Conference, subtree: list[Unit], *, seed: int, minutes: tuple[str, str], council
) -> tuple[list[ConferenceTransition], list[ConferenceDocument], list[Paper]]:
    """What a demo conference in its status has behind it: the transitions
    that brought it there, its minutes once closed, its programme once
    accepted (papers presented by units of ``subtree``)."""
    transitions: list[ConferenceTransition] = []
    documents: list[ConferenceDocument] = []
    papers: list[Paper] = []
    rng = _rng(seed, conference.tier, conference.unit, "papers")
    actor = conference.created_by
    source = ""
    for action in PATH_TO[conference.status]:
        target = STATUS_AFTER[action]
        transitions.append(
            ConferenceTransition(
                conference=conference,
                from_status=source,
                to_status=target,
                action=action,
                actor=council if action == A.ACCEPT else actor,
                at=_moment(conference.date, *MOMENTS[action]),
            )
        )
        source = target
    if conference.status == S.CLOSED:
        documents.append(
            ConferenceDocument(
                conference=conference,
                kind=ConferenceDocument.Kind.MINUTES,
                version=1,
                file=minutes[0],
                original_name="bien-ban-hoi-nghi.pdf",
                content_type="application/pdf",
                size=len(DEMO_MINUTES_PDF),
                sha256=minutes[1],
                uploaded_by=actor,
            )
        )
    if conference.status in (S.ACCEPTED, S.HELD, S.CLOSED):
        room = (
            conference.tier.papers_full_day
            if conference.length == ConferenceLength.FULL_DAY
            else conference.tier.papers_half_day
        )
        for position in range(rng.randint(2, room)):
            individual = rng.random() < 0.5
            papers.append(
                Paper(
                    conference=conference,
                    title=rng.choice(PAPER_TITLES),
                    presenter_kind=Paper.PresenterKind.INDIVIDUAL
                    if individual
                    else Paper.PresenterKind.COLLECTIVE,
                    presenter_unit=rng.choice(subtree),
                    presenter_name=_person(rng) if individual else "",
                    field_of_work=rng.choice(FieldOfWork.values),
                    status=Paper.Status.PRESENTED if conference.is_held else Paper.Status.SELECTED,
                    position=position,
                )
            )
    return transitions, documents, papers


def _all_held_below(
    unit: Unit, units: list[Unit], lower: Tier | None, held_units: dict[int, set[int]]
) -> bool:
    """Whether every unit under ``unit`` that organises the ``lower`` tier
    has held its conference (the tiers run in order)."""
    if lower is None:
        return True
    below = {
        other.pk
        for other in units
        if other.path.startswith(unit.path)
        and other.pk != unit.pk
        and other.kind in lower.organiser_kinds
    }
    return below <= held_units.get(lower.pk, set())


def _held_units(cycle: Cycle, held: set[str]) -> dict[int, set[int]]:
    """The units that have held their conference, by tier."""
    units: dict[int, set[int]] = {}
    rows = Conference.objects.filter(tier__cycle=cycle, status__in=held)
    for tier_id, unit_id in rows.values_list("tier_id", "unit_id"):
        units.setdefault(tier_id, set()).add(unit_id)
    return units


@transaction.atomic
def fill_demo_cycle(
    *,
    cycle: Cycle,
    seed: int = 2020,
    share: float = 1.0,
    ready_branches: tuple[str, ...] = (),
) -> DemoResult:
    """Give ``share`` of the cycle's organisers a conference in a random
    state (the same units and states for the same seed). Units that already
    have their conference are left alone, so running it again adds nothing.

    In the ``ready_branches`` (province codes), every grassroots conference
    is held and the province's own conference accepted: the point where
    the province shares its elected seats and its units elect.
    """
    if not getattr(settings, "ALLOW_DEMO_DATA", False):
        raise ImproperlyConfigured("Demo data is not allowed with these settings.")
    fallback = User.objects.filter(is_superuser=True).order_by("pk").first()
    if fallback is None:
        raise ImproperlyConfigured("Create the demo users (or a superuser) first.")
    officers = {
        user.unit.branch_code: user
        for user in User.objects.filter(
            role=Role.OFFICER, unit__hierarchy_id=cycle.hierarchy_id
        ).select_related("unit")
    }
    pilots = set(cycle.pilot_units.values_list("pk", flat=True))
    units = list(
        Unit.objects.filter(hierarchy_id=cycle.hierarchy_id, is_active=True).order_by("path")
    )
    staff_by_branch: dict[str, int] = {}
    for unit in units:
        staff_by_branch[unit.branch_code] = (
            staff_by_branch.get(unit.branch_code, 0) + unit.headcount
        )
    taken = set(Conference.objects.filter(tier__cycle=cycle).values_list("tier_id", "unit_id"))
    minutes_name, minutes_sha = _minutes_file()
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)

    new: list[tuple[Conference, Unit]] = []
    skipped = 0
    previous = None
    # The tiers run in order: a conference is held only once every unit
    # below that organises the tier beneath has held its own.
    held = {S.HELD, S.CLOSED}
    held_units = _held_units(cycle, held)
    for tier in cycle.tiers.order_by("level"):
        lower = previous
        season_start, previous = _season_start(tier, previous), tier
        for unit in units:
            if unit.kind not in tier.organiser_kinds:
                continue
            # One generator per unit and tier: a unit always gets the same
            # conference whatever else exists, and a share is a subset of
            # the full data.
            rng = _rng(seed, tier, unit)
            chosen = rng.random() < share
            status = rng.choices(statuses, weights)[0]
            if unit.branch_code in ready_branches and tier.level <= 2:
                chosen = True
                status = S.HELD if tier.level == 1 else S.ACCEPTED
            day = _conference_date(rng, season_start, tier.deadline, pilot=unit.pk in pilots)
            if not chosen or status is None:
                continue
            if (tier.pk, unit.pk) in taken:
                skipped += 1
                continue
            if status in held and not _all_held_below(unit, units, lower, held_units):
                status = S.ACCEPTED
            is_held = status in held
            if is_held:
                held_units.setdefault(tier.pk, set()).add(unit.pk)
            length = (
                ConferenceLength.FULL_DAY
                if tier.allows_full_day and rng.random() < 0.4
                else ConferenceLength.HALF_DAY
            )
            staff = unit.headcount if tier.cap is None else staff_by_branch[unit.branch_code]
            conference = Conference(
                tier=tier,
                unit=unit,
                status=status,
                date=day,
                start_time=datetime.time(rng.choice([7, 8, 13, 14]), rng.choice([0, 30])),
                venue=rng.choice(VENUES).format(unit=unit.name),
                length=length,
                combined_with=rng.choice(["", "", *tier.combinable_with]),
                expected_attendance=_attendance(rng, tier, unit, staff),
                held_on=day if is_held else None,
                actual_attendance=_attendance(rng, tier, unit, staff) if is_held else None,
                lock_version=len(PATH_TO[status]),
                created_by=_actor_for(unit, officers, fallback),
            )
            new.append((conference, unit))
    Conference.objects.bulk_create([c for c, _unit in new], batch_size=500)

    subtrees: dict[str, list[Unit]] = {}
    for unit in units:
        for prefix in [*unit.ancestor_paths, unit.path]:
            subtrees.setdefault(prefix, []).append(unit)
    transitions, papers, documents = [], [], []
    minutes = (minutes_name, minutes_sha)
    for conference, unit in new:
        made = _records_of(
            conference, subtrees[unit.path], seed=seed, minutes=minutes, council=fallback
        )
        transitions += made[0]
        documents += made[1]
        papers += made[2]
    ConferenceTransition.objects.bulk_create(transitions, batch_size=1000)
    ConferenceDocument.objects.bulk_create(documents, batch_size=500)
    Paper.objects.bulk_create(papers, batch_size=1000)
    return DemoResult(conferences=len(new), papers=len(papers), skipped=skipped)


# -- The next cycle on today's structure ------------------------------------------

# Cycle V's figures shifted by ten years, for an administrator to correct
# once the guidance of the next cycle is issued.
NEXT_CYCLE = {
    "number": "VII",
    "name": "Chu kỳ thi đua lần thứ VII (minh họa)",
    "congress_name": "Đại hội Thi đua yêu nước ngành BHXH lần thứ VII (minh họa)",
    "period_start_year": 2026,
    "period_end_year": 2030,
    "shift_years": 10,
}


@transaction.atomic
def fill_demo_next_cycle(*, source: Cycle) -> Cycle:
    """A demonstration cycle on VSS's structure since 01/07/2025, beside
    ``source`` (cycle V): the 34 provincial offices, a few grassroots
    offices imported from a workbook, two emulation clusters, and tiers, caps, exceptions and
    pilots copied from ``source`` with its dates ten years on. Marked as a
    demo until the real guidance is entered. Loading again changes nothing.
    """
    from units.demo import create_demo_clusters, import_demo_offices
    from units.models import UnitKind
    from units.services import load_known_hierarchy

    from .services import create_cycle_from

    if not getattr(settings, "ALLOW_DEMO_DATA", False):
        raise ImproperlyConfigured("Demo data is not allowed with these settings.")
    existing = Cycle.objects.filter(number=NEXT_CYCLE["number"]).first()
    if existing is not None:
        return existing
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        raise ImproperlyConfigured("Create the demo users (or a superuser) first.")
    hierarchy, _ = load_known_hierarchy(key="2025")
    if not hierarchy.units.filter(kind=UnitKind.GRASSROOTS_OFFICE).exists():
        import_demo_offices(actor=admin, hierarchy=hierarchy)
    create_demo_clusters(actor=admin, hierarchy=hierarchy)
    return create_cycle_from(
        actor=admin, source=source, hierarchy=hierarchy, is_demo=True, **NEXT_CYCLE
    )
