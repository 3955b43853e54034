"""A hierarchy's units in and out of Excel (``units.unit_import``'s file).

Importing is for administrators (``may_configure``), all or nothing: every
row is checked first, against the file and against the hierarchy, every
problem is returned by row and column, and nothing is saved unless there
is none. A row whose code is in the hierarchy updates that unit; a new
code creates one under its parent. A unit's place in the tree is fixed
once created (its path is what every subtree query and every role rests
on), so a row may not move it. Units not in the file are left alone.

The queries do not grow with the rows: the hierarchy is read once, new
units are inserted a tree level at a time, and changes and predecessor
links are written in bulk.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from .audit import NOISE, audit_context, audited, file_checksum, record_created, record_updated
from .models import Hierarchy, Unit, UnitKind, User
from .permissions import may_configure
from .unit_import import (
    HEADERS,
    RowError,
    UnitRow,
    error_order,
    export_row,
    kind_labels,
    read_workbook,
    write_workbook,
)

PATH_LENGTH = 255  # Unit.path
UPDATED_FIELDS = ("name", "search_name", "kind", "headcount", "headcount_is_demo", "is_active")


@dataclass
class ImportResult:
    """What an import did: nothing at all when ``errors`` is not empty."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    converted_cells: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Excel row → the code on it, so that an error names its unit too.
    row_codes: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def listed_errors(self) -> list[tuple[RowError, str]]:
        """Each error with the code of the unit on its row ("" if none)."""
        return [(error, self.row_codes.get(error.row or 0, "")) for error in self.errors]


@dataclass
class _Plan:
    """The checked file against the hierarchy: what to create (by tree
    level, parents first) and which rows update existing units."""

    levels: list[list[UnitRow]] = field(default_factory=list)
    updates: list[tuple[UnitRow, Unit]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@audited
@transaction.atomic
def import_units(*, actor: User, hierarchy: Hierarchy, file: IO[bytes]) -> ImportResult:
    """Create and update ``hierarchy``'s units from an .xlsx file.

    Administrators only. All or nothing (see the module docstring). Rules:
    codes are unique in the file; an existing unit's parent may not change;
    a new unit's parent is in the hierarchy or in the file; a unit at the
    top only while the hierarchy has none; predecessors are codes of the
    previous hierarchy (none when there is no previous one); a headcount
    entered is real (the demo label goes) unless the cell labels it demo,
    an empty one keeps the figure.
    """
    if not may_configure(actor):
        raise PermissionDenied
    checksum = file_checksum(file)
    parsed = read_workbook(file)
    result = ImportResult(
        converted_cells=parsed.converted_cells,
        rows=len(parsed.rows),
        row_codes={row.row: row.code for row in parsed.rows if row.code},
    )
    if parsed.refused:
        result.errors = parsed.errors
        return result

    # Two imports into one hierarchy would each check against a tree the
    # other is changing: the second waits for the first.
    hierarchy = Hierarchy.objects.select_for_update().get(pk=hierarchy.pk)
    units = list(Unit.objects.filter(hierarchy=hierarchy))
    # Codes of the previous hierarchy, case aside, for the predecessors.
    previous: dict[str, int] = {}
    if hierarchy.predecessor_id is not None:
        previous = {
            code.upper(): pk
            for code, pk in Unit.objects.filter(hierarchy_id=hierarchy.predecessor_id)
            .order_by()
            .values_list("code", "pk")
        }
    through = Unit.predecessors.through
    links: dict[int, set[int]] = {}
    for from_id, to_id in through.objects.filter(from_unit__hierarchy=hierarchy).values_list(
        "from_unit_id", "to_unit_id"
    ):
        links.setdefault(from_id, set()).add(to_id)

    by_pk = {unit.pk: unit for unit in units}
    plan = _plan(parsed.rows, units=units, by_pk=by_pk, hierarchy=hierarchy, previous=previous)
    errors = parsed.errors + plan.errors
    if errors:
        result.errors = sorted(errors, key=error_order)
        return result

    wanted_links: dict[int, set[int]] = {}
    edited, changed = [], 0
    before: dict[int, tuple[int, dict]] = {}
    for row, unit in plan.updates:
        wanted = {previous[code] for code in row.predecessor_codes or ()}
        relinked = wanted != links.get(unit.pk, set())
        if relinked:
            wanted_links[unit.pk] = wanted
        was = {name: getattr(unit, name) for name in UPDATED_FIELDS if name not in NOISE}
        fields_changed = _apply(row, unit, by_pk)
        if fields_changed:
            edited.append(unit)
            before[unit.pk] = (row.row, was)
        changed += fields_changed or relinked
    if edited:
        Unit.objects.bulk_update(edited, UPDATED_FIELDS)
    # One entry per row, each with the file's SHA-256 and its row number.
    source = {"import": "units", "sha256": checksum}
    for unit in edited:
        number, was = before[unit.pk]
        with audit_context(source={**source, "row": number}):
            record_updated(
                unit,
                {
                    name: (old, getattr(unit, name))
                    for name, old in was.items()
                    if getattr(unit, name) != old
                },
            )

    by_code = {unit.code.upper(): unit for unit in units}
    next_position = _next_positions(units)
    for level in plan.levels:
        new_units = [
            _new_unit(
                row,
                hierarchy=hierarchy,
                parent=by_code.get(row.parent_code or ""),
                position=next_position,
            )
            for row in level
        ]
        created = Unit.objects.bulk_create(new_units)
        with audit_context(source=source):
            record_created(created, rows=[row.row for row in level])
        for unit, row in zip(created, level, strict=True):
            by_code[unit.code] = unit
            if row.predecessor_codes:
                wanted_links[unit.pk] = {previous[code] for code in row.predecessor_codes}

    if wanted_links:
        # Only units that were there may have links to replace.
        through.objects.filter(from_unit_id__in=[pk for pk in wanted_links if pk in by_pk]).delete()
        through.objects.bulk_create(
            through(from_unit_id=from_id, to_unit_id=to_id)
            for from_id, targets in wanted_links.items()
            for to_id in sorted(targets)
        )
    result.created = sum(len(level) for level in plan.levels)
    result.updated = changed
    result.unchanged = len(plan.updates) - changed
    return result


def _parent_problem(
    row: UnitRow,
    *,
    existing: dict[str, Unit],
    new_rows: dict[str, UnitRow],
    top: Unit | None,
    top_row: UnitRow | None,
) -> str:
    """Why the unit above a new row cannot be placed ("" if it can): a
    second top unit, or a parent code found neither in the hierarchy nor
    in the file."""
    if row.parent_code == "":
        if top is not None:
            return _(
                "Enter the code of the unit above: only the top unit of a hierarchy has "
                "none, and this one has its top unit already (%(code)s, %(name)s)."
            ) % {"code": top.code, "name": top.name}
        if top_row is not None:
            return _(
                "Enter the code of the unit above: only one unit is at the top of a "
                "hierarchy, and row %(row)s is already."
            ) % {"row": top_row.row}
        return ""
    if row.parent_code not in existing and row.parent_code not in new_rows:
        return _("No unit with the code %(code)s in this hierarchy or in the file.") % {
            "code": row.parent_code
        }
    return ""


def _plan(
    rows: list[UnitRow],
    *,
    units: list[Unit],
    by_pk: dict[int, Unit],
    hierarchy: Hierarchy,
    previous: dict[str, int],
) -> _Plan:
    plan = _Plan()
    existing = {unit.code.upper(): unit for unit in units}
    top = next((unit for unit in units if unit.parent_id is None), None)
    seen: set[str] = set()
    new_rows: dict[str, UnitRow] = {}
    for row in rows:
        if row.code is None or row.code in seen:
            continue  # its error is listed already
        seen.add(row.code)
        if row.code in existing:
            unit = existing[row.code]
            problem = _moved(row, unit, by_pk)
            if problem:
                plan.errors.append(RowError(row.row, HEADERS["parent_code"], problem))
            plan.updates.append((row, unit))
        else:
            new_rows[row.code] = row
        plan.errors.extend(_predecessor_errors(row, hierarchy=hierarchy, previous=previous))

    # A row whose parent cannot be found is reported, then counted as
    # placed, so that what is left unplaced below is a true loop.
    placed = set(existing)
    top_row: UnitRow | None = None
    for row in new_rows.values():
        if row.parent_code is None:
            placed.add(row.code or "")
            continue
        problem = _parent_problem(
            row, existing=existing, new_rows=new_rows, top=top, top_row=top_row
        )
        if problem:
            plan.errors.append(RowError(row.row, HEADERS["parent_code"], problem))
            placed.add(row.code or "")
        elif row.parent_code == "":
            top_row = row

    paths = {code: unit.path for code, unit in existing.items()}
    pending = [row for row in new_rows.values() if row.code not in placed]
    while pending:
        level = [row for row in pending if row.parent_code == "" or row.parent_code in placed]
        if not level:
            break
        for row in level:
            path = f"{paths.get(row.parent_code or '', '/')}{row.code}/"
            paths[row.code or ""] = path
            if len(path) > PATH_LENGTH:
                plan.errors.append(
                    RowError(
                        row.row,
                        HEADERS["code"],
                        _(
                            "The unit lies too deep in the tree: its path would be longer "
                            "than %(max)s characters."
                        )
                        % {"max": PATH_LENGTH},
                    )
                )
        plan.levels.append(level)
        placed |= {row.code or "" for row in level}
        pending = [row for row in pending if row.code not in placed]
    for row in pending:
        plan.errors.append(
            RowError(
                row.row,
                HEADERS["parent_code"],
                _(
                    "The rows form a loop: %(code)s is, through the units above it in the "
                    "file, under itself. One of them must be under a unit of the hierarchy."
                )
                % {"code": row.code},
            )
        )
    return plan


def _moved(row: UnitRow, unit: Unit, by_pk: dict[int, Unit]) -> str:
    """Why the row may not be saved as it places ``unit``, or ""."""
    parent = by_pk.get(unit.parent_id) if unit.parent_id else None
    current = parent.code.upper() if parent else ""
    if row.parent_code is None or row.parent_code == current:
        return ""
    if parent is None:
        return _(
            "A unit's place in the tree is fixed once it is created: %(unit)s is the top "
            "unit of the hierarchy; leave this cell empty."
        ) % {"unit": unit.code}
    return _(
        "A unit's place in the tree is fixed once it is created: %(unit)s is under "
        "%(code)s (%(name)s); write %(code)s here."
    ) % {"unit": unit.code, "code": parent.code, "name": parent.name}


def _predecessor_errors(
    row: UnitRow, *, hierarchy: Hierarchy, previous: dict[str, int]
) -> list[RowError]:
    if not row.predecessor_codes:
        return []
    column = HEADERS["predecessor_codes"]
    if hierarchy.predecessor_id is None:
        return [
            RowError(
                row.row,
                column,
                _(
                    "%(hierarchy)s replaced no earlier hierarchy, so its units have no "
                    "predecessors: leave this cell empty."
                )
                % {"hierarchy": hierarchy.name},
            )
        ]
    unknown = [code for code in row.predecessor_codes if code not in previous]
    if not unknown:
        return []
    return [
        RowError(
            row.row,
            column,
            _("Not a unit of the previous hierarchy (%(hierarchy)s): %(codes)s.")
            % {"hierarchy": hierarchy.predecessor, "codes": ", ".join(unknown)},
        )
    ]


def _apply(row: UnitRow, unit: Unit, by_pk: dict[int, Unit]) -> bool:
    """Give ``unit`` the row's values; whether any changed."""
    values: dict[str, object] = {"name": row.name, "kind": row.kind, "is_active": row.is_active}
    if row.headcount is not None:
        values |= {"headcount": row.headcount, "headcount_is_demo": row.headcount_is_demo}
    changed = {name for name, value in values.items() if getattr(unit, name) != value}
    for name in changed:
        setattr(unit, name, values[name])
    if "name" in changed:
        # The search key follows the name; the parent from memory, not a query.
        unit.parent = by_pk.get(unit.parent_id) if unit.parent_id else None
        unit.fill_derived_fields()
    return bool(changed)


def _next_positions(units: Iterable[Unit]) -> Callable[[Unit | None], int]:
    """A function giving a new unit the protocol position after its
    sisters' (those already there, then the file's in its order)."""
    last: dict[int | None, int] = {}
    for unit in units:
        last[unit.parent_id] = max(last.get(unit.parent_id, 0), unit.position)

    def next_position(parent: Unit | None) -> int:
        key = parent.pk if parent else None
        last[key] = last.get(key, 0) + 1
        return last[key]

    return next_position


def _new_unit(
    row: UnitRow,
    *,
    hierarchy: Hierarchy,
    parent: Unit | None,
    position: Callable[[Unit | None], int],
) -> Unit:
    unit = Unit(
        hierarchy=hierarchy,
        parent=parent,
        code=row.code or "",
        name=row.name,
        kind=row.kind,
        headcount=row.headcount or 0,
        headcount_is_demo=row.headcount is not None and row.headcount_is_demo,
        is_active=row.is_active,
        position=position(parent),
    )
    unit.fill_derived_fields()
    return unit


# --- export ----------------------------------------------------------------------


def export_units(*, hierarchy: Hierarchy, units: QuerySet[Unit] | None = None) -> bytes:
    """The hierarchy's units (or those of ``units`` in it: a user's visible
    ones) in the import's columns, each unit after the one above it and
    sisters in protocol order, so that the file imports back unchanged.
    Three queries whatever the size."""
    chosen = (units if units is not None else Unit.objects.all()).filter(hierarchy=hierarchy)
    rows = list(
        chosen.annotate(parent_code=F("parent__code")).order_by("depth", "position", "name_key")
    )
    through = Unit.predecessors.through
    predecessors: dict[int, list[str]] = {}
    for from_id, code in (
        through.objects.filter(from_unit__in=chosen)
        .order_by("to_unit__path")
        .values_list("from_unit_id", "to_unit__code")
    ):
        predecessors.setdefault(from_id, []).append(code)
    ordered = tree_order(rows)
    labels = kind_labels()
    return write_workbook(
        (
            export_row(
                code=unit.code,
                name=unit.name,
                kind=unit.kind,
                parent_code=unit.parent_code or "",  # type: ignore[attr-defined]
                headcount=unit.headcount,
                headcount_is_demo=unit.headcount_is_demo,
                is_active=unit.is_active,
                predecessor_codes=predecessors.get(unit.pk, ()),
                labels=labels,
            )
            for unit in ordered
        ),
        hierarchy_name=hierarchy.name,
        units=[(unit.code, unit.name) for unit in ordered],
        example_parent=_example_parent(ordered),
    )


def import_template(*, hierarchy: Hierarchy) -> bytes:
    """The empty file for ``hierarchy``, its lists holding the codes of the
    hierarchy's units (for parents) and of the previous one's (for
    predecessors). For administrators, who may see every unit."""
    ordered = _in_tree_order(hierarchy)
    previous = hierarchy.predecessor
    old = _in_tree_order(previous) if previous is not None else []
    return write_workbook(
        [],
        hierarchy_name=hierarchy.name,
        units=[(unit.code, unit.name) for unit in ordered],
        previous_name=previous.name if previous is not None else "",
        previous_units=[(unit.code, unit.name) for unit in old],
        example_parent=_example_parent(ordered),
    )


def _in_tree_order(hierarchy: Hierarchy) -> list[Unit]:
    units = Unit.objects.filter(hierarchy=hierarchy).order_by("depth", "position", "name_key")
    return tree_order(list(units.only("pk", "parent_id", "code", "name", "kind")))


def _example_parent(units: list[Unit]) -> str:
    return next((unit.code for unit in units if unit.kind == UnitKind.PROVINCE), "P79")


def tree_order(units: list[Unit]) -> list[Unit]:
    """``units`` depth first, each after the unit above it, sisters in the
    given order; a unit whose parent is not among them starts a branch."""
    present = {unit.pk for unit in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        key = unit.parent_id if unit.parent_id in present else None
        children.setdefault(key, []).append(unit)
    ordered: list[Unit] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(children.get(unit.pk, [])))
    return ordered
