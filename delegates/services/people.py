"""Writes to the people register: one record per person across all tiers.

Every service checks the CHANGE right on the person's unit (and on the unit
a person moves to), keeps the stored text NFC (legacy TCVN3/VNI text
converted or refused), keeps ``search_name`` (folded) in step with the
name, and refuses a second record of the same person in a unit: same name
(NFC, case aside) and same birth date, or the same year when a date is
missing. Duplicates are reported, never merged.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.models import FieldOfWork
from congress.selectors import cycle_for_user
from delegates.models import KINH, CouncilRole, EmulationTitle, Person, Rank
from delegates.names import sortable_name
from delegates.people_import import (
    FLAGS,
    HEADERS,
    OLDEST_BIRTH_YEAR,
    YOUNGEST_AGE,
    PersonRow,
    RowError,
    name_key,
    read_workbook,
    same_birth,
)
from delegates.selectors.people import (
    branch_council,
    council_choices,
    council_units,
    find_same_person,
    years_of,
)
from units.audit import audit_context, audited, file_checksum, record_created
from units.encodings import LegacyEncodingError, normalise_text
from units.models import Unit, User
from units.permissions import (
    Action,
    allowed_actions,
    has_permission,
    require_permission,
    visible_units,
)
from units.text import fold

BATCH_SIZE = 1000


def _clean_text(value: str, field_name: str) -> str:
    text = " ".join(value.split())
    try:
        return normalise_text(text)[0]
    except LegacyEncodingError as error:
        raise ValidationError(
            {
                field_name: _(
                    "“%(text)s” looks like text typed in the old %(encoding)s encoding but "
                    "cannot be converted safely: retype it in Unicode."
                )
                % {"text": text, "encoding": (error.encoding or "TCVN3/VNI").upper()}
            }
        ) from error


def _lock_units(unit_ids: Iterable[int]) -> None:
    """Serialise additions to these units' registers (duplicate checks)."""
    list(Unit.objects.select_for_update().filter(pk__in=sorted(set(unit_ids))).values("pk"))


@dataclass(frozen=True)
class PersonDetails:
    """What the person form (or a caller) gives; text is cleaned here."""

    unit: Unit
    full_name: str
    gender: str
    birth_year: int | None = None
    birth_date: datetime.date | None = None
    ethnicity: str = KINH
    position: str = ""
    rank: int = Rank.STAFF
    field_of_work: str = FieldOfWork.OTHER
    council_role: str = ""
    # Whose council; ``None`` with a role: the person's branch's (``council_of``).
    council_unit: Unit | None = None
    handles_emulation: bool = False
    good_person_good_deed: bool = False
    good_solution: bool = False
    works_directly: bool = False
    exemplar_reason: str = ""


def _council_seat(
    *, actor: User, person: Person | None, details: PersonDetails
) -> tuple[str, Unit | None]:
    """The (role, council) to store: a role on the person's branch council
    by default, or on VSS's; who changes a seat must be able to change the
    council's unit (VSS's council is VSS's to record)."""
    role = details.council_role or ""
    if role and role not in CouncilRole.values:
        raise ValidationError({"council_role": _("Choose a role on the council.")})
    if not role:
        return "", None
    choices = council_choices(details.unit)
    council = details.council_unit or (choices[0] if choices else None)
    if council is None or council.pk not in {unit.pk for unit in choices}:
        raise ValidationError(
            {
                "council_unit": _(
                    "A person sits on the council of their own province (or of VSS for VSS "
                    "and the HQ bloc), or on the council of VSS."
                )
            }
        )
    unchanged = (
        person is not None and person.council_role == role and person.council_unit_id == council.pk
    )
    if not unchanged and not has_permission(actor, Action.CHANGE, council):
        raise ValidationError(
            {
                "council_unit": _("Only those who manage %(unit)s record its council's members.")
                % {"unit": council.name}
            }
        )
    return role, council


def _birth(details: PersonDetails) -> int:
    year = details.birth_year
    if details.birth_date is not None:
        if year is not None and year != details.birth_date.year:
            raise ValidationError({"birth_year": _("The year does not match the date of birth.")})
        year = details.birth_date.year
    if year is None:
        raise ValidationError(
            {"birth_year": _("Enter the date of birth, or at least the year of birth.")}
        )
    latest = timezone.localdate().year - YOUNGEST_AGE
    if not OLDEST_BIRTH_YEAR <= year <= latest:
        raise ValidationError(
            {
                "birth_year": _("The year of birth must be between %(first)s and %(last)s.")
                % {"first": OLDEST_BIRTH_YEAR, "last": latest}
            }
        )
    return year


@audited
@transaction.atomic
def save_person(*, actor: User, person: Person | None = None, details: PersonDetails) -> Person:
    """Add a person to a unit's register, or change one.

    CHANGE right on the unit (and, to move a person, on their current
    unit); the unit must be active for a new person. The name is stored
    NFC, legacy text converted; the same person twice in a unit is refused.
    """
    require_permission(actor, Action.CHANGE, details.unit)
    if person is not None:
        require_permission(actor, Action.CHANGE, person.unit)
    if person is None and not details.unit.is_active:
        raise ValidationError({"unit": _("This unit is no longer active.")})
    full_name = _clean_text(details.full_name, "full_name")
    if not full_name:
        raise ValidationError({"full_name": _("Enter the full name.")})
    if any(char.isdigit() for char in full_name):
        raise ValidationError({"full_name": _("A name has no digits.")})
    birth_year = _birth(details)
    council_role, council_unit = _council_seat(actor=actor, person=person, details=details)
    exemplar_reason = _clean_text(details.exemplar_reason, "exemplar_reason")
    _lock_units([details.unit.pk])
    same = find_same_person(
        unit=details.unit,
        full_name=full_name,
        birth_year=birth_year,
        birth_date=details.birth_date,
        exclude_pk=person.pk if person else None,
    )
    if same is not None:
        raise ValidationError(
            {
                "full_name": _(
                    "%(name)s, born %(birth)s, is already in this unit's register: open that "
                    "record instead of adding another."
                )
                % {"name": same.full_name, "birth": _birth_label(same)}
            }
        )
    person = person or Person()
    person.unit = details.unit
    person.full_name = full_name
    person.search_name = fold(full_name)
    person.name_key = sortable_name(full_name)
    person.gender = details.gender
    person.birth_year = birth_year
    person.birth_date = details.birth_date
    person.ethnicity = _clean_text(details.ethnicity, "ethnicity") or KINH
    person.position = _clean_text(details.position, "position")
    person.rank = details.rank
    person.field_of_work = details.field_of_work
    person.council_role = council_role
    person.council_unit = council_unit
    person.exemplar_reason = exemplar_reason
    for flag in FLAGS:
        setattr(person, flag, getattr(details, flag))
    person.full_clean(exclude=["search_name", "name_key"])
    person.save()
    return person


def _birth_label(person: Person) -> str:
    return person.birth_date.strftime("%d/%m/%Y") if person.birth_date else str(person.birth_year)


@audited
@transaction.atomic
def set_titles(*, actor: User, person: Person, titles: Iterable[tuple[int, str]]) -> None:
    """Replace the person's emulation titles by ``titles`` (year, title).

    Years must be within the cycle's title years (cycle V: 2015–2019); a
    title is held once a year (several titles in one year are allowed).
    """
    require_permission(actor, Action.CHANGE, person.unit)
    years = years_of(cycle_for_user(actor))
    wanted = set()
    for year, title in titles:
        if year not in years:
            raise ValidationError(
                _("Titles are recorded for %(first)s to %(last)s only.")
                % {"first": years[0], "last": years[-1]}
                if years
                else _("The cycle has no title years.")
            )
        if title not in EmulationTitle.Title.values:
            raise ValidationError(_("Choose a title."))
        wanted.add((year, title))
    held = {(t.year, t.title): t.pk for t in person.titles.all()}
    stale = [pk for key, pk in held.items() if key not in wanted]
    EmulationTitle.objects.filter(pk__in=stale).delete()
    added = EmulationTitle.objects.bulk_create(
        [
            EmulationTitle(person=person, year=year, title=title)
            for year, title in sorted(wanted - held.keys())
        ]
    )
    record_created(added)


@audited
@transaction.atomic
def set_person_active(*, actor: User, person: Person, active: bool) -> Person:
    """Deactivate (left the unit, retired) or reactivate a person. The
    record stays, with the conferences they attended."""
    require_permission(actor, Action.CHANGE, person.unit)
    person.is_active = active
    person.save(update_fields=["is_active", "updated_at"])
    return person


@audited
@transaction.atomic
def delete_person(*, actor: User, person: Person) -> None:
    """Delete a record entered by mistake. A delegate or candidate of any
    conference is never deleted (deactivate them instead)."""
    require_permission(actor, Action.CHANGE, person.unit)
    if person.delegations.exists() or person.candidacies.exists():
        raise ValidationError(
            _("%(name)s is a delegate or candidate of a conference: deactivate instead.")
            % {"name": person.full_name}
        )
    person.delete()


# --- import --------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did: nothing at all when ``errors`` is not empty."""

    created: int = 0
    titles: int = 0
    converted_cells: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@audited
@transaction.atomic
def import_people(*, actor: User, unit_scope: Unit | None = None, file: IO[bytes]) -> ImportResult:
    """Add the people of an .xlsx file (the template's columns) to the register.

    All or nothing: every row is checked first (fields, units, duplicates
    within the file and against the units' registers), every problem is
    returned by row and column, and nothing is saved unless there is none.
    Each row's unit must exist (by code) among the units the actor may
    change, within ``unit_scope`` when given. An existing person is a
    duplicate error: the import only adds people.
    """
    if Action.CHANGE not in allowed_actions(actor):
        raise PermissionDenied
    if unit_scope is not None:
        require_permission(actor, Action.CHANGE, unit_scope)
    cycle = cycle_for_user(actor)
    checksum = file_checksum(file)
    parsed = read_workbook(file, years=years_of(cycle), today=timezone.localdate())
    result = ImportResult(converted_cells=parsed.converted_cells, rows=len(parsed.rows))
    if any(error.row in (None, 1) for error in parsed.errors):
        result.errors = parsed.errors
        return result

    units = _units_by_code(actor, set(parsed.unit_codes.values()))
    errors = list(parsed.errors)
    usable: dict[int, Unit] = {}
    for number, code in parsed.unit_codes.items():
        unit = units.get(code) or units.get(code.upper())
        problem = _unit_problem(actor, unit, code, unit_scope)
        if problem:
            errors.append(RowError(number, HEADERS["unit_code"], problem))
        elif unit is not None:
            usable[number] = unit
    placed = [(row, usable[row.row]) for row in parsed.rows if row.row in usable]
    _lock_units(unit.pk for _row, unit in placed)
    errors.extend(_duplicates_in_register(placed))
    councils = _branch_councils(unit for _row, unit in placed)
    errors.extend(_council_problems(actor, placed, councils))
    if errors:
        result.errors = sorted(errors, key=lambda e: (e.row or 0, _column_index(e.column)))
        return result

    people = Person.objects.bulk_create(
        [_person_of(row, unit, councils.get(unit.pk)) for row, unit in placed],
        batch_size=BATCH_SIZE,
    )
    titles = [
        EmulationTitle(person=person, year=year, title=title)
        for person, (row, _unit) in zip(people, placed, strict=True)
        for title, years in row.titles.items()
        for year in years
    ]
    EmulationTitle.objects.bulk_create(titles, batch_size=BATCH_SIZE)
    # One entry per row (and per title), each with the file's SHA-256 and
    # its row: a person's history says which file and row created them.
    with audit_context(source={"import": "people", "sha256": checksum}):
        record_created(people, rows=[row.row for row, _unit in placed])
        record_created(titles)
    result.created, result.titles = len(people), len(titles)
    return result


def _column_index(column: str) -> int:
    headers = list(HEADERS.values())
    return headers.index(column) if column in headers else -1


def _units_by_code(actor: User, codes: set[str]) -> dict[str, Unit]:
    wanted = codes | {code.upper() for code in codes}
    found = visible_units(actor).filter(code__in=wanted).select_related("hierarchy")
    units: dict[str, Unit] = {}
    for unit in found:
        units[unit.code] = unit
        units.setdefault(unit.code.upper(), unit)
    return units


def _unit_problem(actor: User, unit: Unit | None, code: str, scope: Unit | None) -> str:
    # A unit outside the actor's view reads as unknown: its existence is not told.
    if unit is None:
        return _("No unit with the code “%(code)s” among your units.") % {"code": code}
    if not has_permission(actor, Action.CHANGE, unit):
        return _("You may not change the staff of %(unit)s.") % {"unit": unit.name}
    if scope is not None and not unit.is_within(scope):
        return _("%(unit)s is not under %(scope)s.") % {"unit": unit.name, "scope": scope.name}
    if not unit.is_active:
        return _("%(unit)s is no longer active.") % {"unit": unit.name}
    return ""


def _duplicates_in_register(placed: list[tuple[PersonRow, Unit]]) -> list[RowError]:
    """Rows whose person is already in their unit's register (one query)."""
    existing: dict[tuple[int, str], list[tuple[int, datetime.date | None, bool]]] = {}
    rows = Person.objects.filter(unit_id__in={unit.pk for _row, unit in placed}).values_list(
        "unit_id", "full_name", "birth_year", "birth_date", "is_active"
    )
    for unit_id, full_name, birth_year, birth_date, is_active in rows:
        existing.setdefault((unit_id, name_key(full_name)), []).append(
            (birth_year, birth_date, is_active)
        )
    errors = []
    for row, unit in placed:
        for birth_year, birth_date, is_active in existing.get((unit.pk, row.name_key), ()):
            if same_birth(row.birth_date, row.birth_year, birth_date, birth_year):
                message = _(
                    "%(name)s (born %(birth)s) is already in the register of %(unit)s; the "
                    "import only adds new people."
                ) % {
                    "name": row.full_name,
                    "birth": birth_date.strftime("%d/%m/%Y") if birth_date else birth_year,
                    "unit": unit.name,
                }
                if not is_active:
                    message += " " + _("(The record is deactivated: reactivate it instead.)")
                errors.append(RowError(row.row, HEADERS["full_name"], message))
                break
    return errors


def _branch_councils(units: Iterable[Unit]) -> dict[int, Unit | None]:
    """Each unit's default council (``council_of``), one query per
    hierarchy (an import touches one)."""

    by_pk = {unit.pk: unit for unit in units}
    councils: dict[int, dict[str, Unit]] = {}
    for unit in by_pk.values():
        if unit.hierarchy_id not in councils:
            councils[unit.hierarchy_id] = council_units(unit.hierarchy_id)
    return {pk: branch_council(unit, councils[unit.hierarchy_id]) for pk, unit in by_pk.items()}


def _council_problems(
    actor: User, placed: list[tuple[PersonRow, Unit]], councils: dict[int, Unit | None]
) -> list[RowError]:
    """Rows giving a council role the actor may not record: the role is on
    the branch's council (VSS's for VSS and the HQ bloc), as on the form."""
    errors = []
    allowed: dict[int, bool] = {}
    for row, unit in placed:
        if not row.council_role:
            continue
        council = councils.get(unit.pk)
        if council is None:
            continue
        if council.pk not in allowed:
            allowed[council.pk] = has_permission(actor, Action.CHANGE, council)
        if not allowed[council.pk]:
            errors.append(
                RowError(
                    row.row,
                    HEADERS["council_role"],
                    _("Only those who manage %(unit)s record its council's members.")
                    % {"unit": council.name},
                )
            )
    return errors


def _person_of(row: PersonRow, unit: Unit, council: Unit | None) -> Person:
    # The import records a role on the branch's council; VSS's council is
    # set on the person's page.
    return Person(
        unit=unit,
        council_role=row.council_role if council is not None else "",
        council_unit=council if row.council_role else None,
        full_name=row.full_name,
        search_name=fold(row.full_name),
        name_key=sortable_name(row.full_name),
        gender=row.gender,
        birth_year=row.birth_year,
        birth_date=row.birth_date,
        ethnicity=row.ethnicity,
        position=row.position,
        rank=row.rank,
        field_of_work=row.field_of_work,
        **row.flags,
    )


# -- Carrying a register into a newer hierarchy ---------------------------------


# What a carried record keeps of the old one: everything it says of the person.
_CARRIED_FIELDS = (
    "full_name",
    "search_name",
    "name_key",
    "gender",
    "birth_year",
    "birth_date",
    "ethnicity",
    "position",
    "rank",
    "field_of_work",
    "handles_emulation",
    "good_person_good_deed",
    "good_solution",
    "works_directly",
    "exemplar_reason",
)


@dataclass(frozen=True)
class CarryResult:
    copied: int  # people copied by this run
    already: int  # people carried by an earlier run, left as they are
    units: int  # units of the newer hierarchy that received people


@audited
@transaction.atomic
def carry_register(*, actor: User, unit: Unit) -> CarryResult:
    """Copy into ``unit`` and the units below it the staff of the units they
    took over in the previous hierarchy (their ``predecessors``): each
    active person once, with their emulation titles.

    The old records stay exactly as they were: the old cycle's delegate
    lists, elections and documents keep pointing at them. Each copy
    remembers its original (``carried_from``), so running it again adds
    nothing. An old unit taken over by several units of the subtree gives
    its staff to the first of them in the tree; the officer moves people on
    from there.
    """
    require_permission(actor, Action.CHANGE, unit)
    targets = Unit.objects.subtree_of(unit)
    links = (
        Unit.predecessors.through.objects.filter(from_unit__in=targets)
        .order_by("from_unit__path")
        .values_list("from_unit_id", "to_unit_id")
    )
    new_unit_of: dict[int, int] = {}
    for new_id, old_id in links:
        new_unit_of.setdefault(old_id, new_id)
    # Two officers carrying at once would both copy: the second waits here.
    _lock_units(set(new_unit_of.values()))
    people = list(
        Person.objects.filter(unit_id__in=new_unit_of, is_active=True)
        .select_related("council_unit")
        .prefetch_related("titles")
        .order_by("pk")
    )
    carried = set(
        Person.objects.filter(
            unit__hierarchy_id=unit.hierarchy_id, carried_from__in=[p.pk for p in people]
        ).values_list("carried_from_id", flat=True)
    )
    pending = [person for person in people if person.pk not in carried]
    new_units = Unit.objects.in_bulk({new_unit_of[person.unit_id] for person in pending})
    defaults = _branch_councils(new_units.values())
    root = Unit.objects.filter(hierarchy_id=unit.hierarchy_id, parent=None).first()

    def carried_seat(person: Person) -> dict:
        # A seat on VSS's council stays on VSS's; any other moves to the
        # council of the new unit's branch (the merged province's).
        council = None
        if person.council_role and person.council_unit is not None:
            if person.council_unit.parent_id is None:
                council = root
            else:
                council = defaults.get(new_unit_of[person.unit_id])
        return {
            "council_role": person.council_role if council is not None else "",
            "council_unit": council,
        }

    copies = Person.objects.bulk_create(
        [
            Person(
                unit=new_units[new_unit_of[person.unit_id]],
                carried_from=person,
                **{name: getattr(person, name) for name in _CARRIED_FIELDS},
                **carried_seat(person),
            )
            for person in pending
        ],
        batch_size=BATCH_SIZE,
    )
    carried_titles = EmulationTitle.objects.bulk_create(
        [
            EmulationTitle(person=copy, year=title.year, title=title.title)
            for person, copy in zip(pending, copies, strict=True)
            for title in person.titles.all()
        ],
        batch_size=BATCH_SIZE,
    )
    with audit_context(source={"carried_from_hierarchy": True}):
        record_created(copies)
        record_created(carried_titles)
    return CarryResult(
        copied=len(copies),
        already=len(carried),
        units=len({copy.unit_id for copy in copies}),
    )
