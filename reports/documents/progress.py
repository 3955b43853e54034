"""The progress report (báo cáo tiến độ tổ chức Hội nghị điển hình tiên
tiến) of the user's scope, as a Decree 30 PDF (landscape: a wide table)
and as an .xlsx workbook.

It is the progress board on paper, with the board's filters (a tier, a
status, a province): per tier and per province, how many units must hold
a conference and how far they got, overdue and due soon, with totals and
a paragraph of them in words. The scope is the user's (a province officer
reports on their province; the council and administrators on the whole
country, issued by VSS); the worker recomputes the board for that scope
with ``congress.progress.progress_board`` on the day it runs.
"""

import datetime
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from django import forms
from django.http import Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress import progress
from congress.models import Cycle, Tier
from congress.progress import Board, BoardStatus, Branch, Funnel, Lateness, UnitProgress
from congress.selectors import cycle_for_user, work_in_cycle
from units.models import Unit, User
from units.permissions import scope_root
from units.text import fold

from ..exporters import Params, PdfExporter, Target, XlsxExporter
from ..forms import ExporterForm, NumberField, invalid_param
from ..letterhead import letterhead_for
from ..xlsx import Cell, Column, Sheet, date_cell

# -- Parameters ------------------------------------------------------------------


def report_scope(user: User) -> Unit:
    """The unit the report covers and is issued by: the top of the user's
    scope, or for nationwide roles the root (VSS) of their cycle. 404 when
    there is none (the exporter then asks its right on it)."""
    root = scope_root(user)
    if root is None:
        cycle = cycle_for_user(user)
        if cycle is not None:
            root = (
                Unit.objects.filter(hierarchy_id=cycle.hierarchy_id, parent__isnull=True)
                .order_by("pk")
                .first()
            )
    if root is None:
        raise Http404
    return root


class ProgressForm(ExporterForm):
    """The board's filters: ``tier`` a level of the cycle's tiers,
    ``status`` a ``BoardStatus``, ``province`` a branch code among the
    user's (of the tiers shown). The cycle is the user's."""

    tier = NumberField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", ""), *BoardStatus.choices])
    province = forms.CharField(required=False)

    def setup(self) -> None:
        self.cycle = cycle_for_user(self.user)
        self.tiers = progress.tiers_of_cycle(self.cycle)

    def clean_tier(self) -> int | None:
        level = self.cleaned_data["tier"]
        if level is not None and level not in {tier.level for tier in self.tiers}:
            raise invalid_param("tier")
        return level

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        province = data.get("province") or ""
        if province and "tier" in data:
            shown = progress.of_level(self.tiers, data["tier"])
            if province not in {b.code for b in progress.branches(user=self.user, tiers=shown)}:
                self.add_error("province", invalid_param("province"))
        return data

    @property
    def shown(self) -> list[Tier]:
        return progress.of_level(self.tiers, self.cleaned_data["tier"])

    def plain(self, root: Unit | None = None) -> Params:
        """The scope and the filters as plain values (the empty ones left
        out): the worker counts the board as its reader sees it."""
        data = self.cleaned_data
        cleaned: Params = {
            "reader": self.user.pk,
            "cycle": self.cycle.pk if self.cycle else None,
        }
        if root is not None:
            cleaned = {"unit": root.pk, **cleaned}
        if data["tier"] is not None:
            cleaned["tier"] = data["tier"]
        for name in ("status", "province"):
            if data[name]:
                cleaned[name] = data[name]
        return cleaned


class ProgressTargetMixin:
    form_class: ClassVar[type[ExporterForm]] = ProgressForm

    def target_of(self, form: ExporterForm) -> Target:
        form = cast(ProgressForm, form)
        root = report_scope(form.user)
        return Target(
            unit=root,
            title=_("Progress report: %(scope)s") % {"scope": scope_name(root)},
            params=form.plain(root),
        )


# -- The board of a scope --------------------------------------------------------------


def scope_name(root: Unit) -> str:
    if root.parent_id is None:
        return _("the whole country")
    return _("%(unit)s and the units under it") % {"unit": root.name}


@dataclass(frozen=True)
class Counted:
    """A counted column of the tables: its header and what it shows."""

    header: str
    attr: str


@dataclass(frozen=True)
class UnitLine:
    """One organiser of the drilled-down province, as the board lists it."""

    number: int
    unit: str
    status: str
    date: datetime.date | None
    lateness: str


@dataclass(frozen=True)
class ProgressReport:
    root: Unit
    board: Board
    tier: Tier | None  # the chosen tier, if one
    columns: list[Counted]
    drilled: Branch | None  # the province whose units are listed, as on the board
    units: list[UnitProgress]

    @property
    def unit_groups(self) -> list[tuple[str, list[UnitLine]]]:
        """The drilled-down province's organisers by tier, numbered
        continuously."""
        groups: dict[str, list[UnitLine]] = {}
        for number, item in enumerate(self.units, start=1):
            groups.setdefault(item.tier.name, []).append(
                UnitLine(
                    number=number,
                    unit=item.unit.name,
                    status=item.status_label,
                    date=item.date,
                    lateness=str(Lateness(item.lateness).label) if item.lateness else "",
                )
            )
        return list(groups.items())

    @property
    def is_national(self) -> bool:
        return self.root.parent_id is None

    def count(self, funnel: Funnel, attr: str, matching: int | None = None) -> int:
        if attr == "matching":
            return matching or 0
        return getattr(funnel, attr)

    @property
    def rows(self) -> list[tuple[int, str, list[int], int]]:
        """(number, name, counts, share held %) of each province."""
        return [
            (
                number,
                row.branch.name,
                [self.count(row.funnel, c.attr, row.matching) for c in self.columns],
                row.funnel.held_percent,
            )
            for number, row in enumerate(self.board.rows, start=1)
        ]

    @property
    def totals(self) -> list[int]:
        board = self.board
        return [self.count(board.totals, c.attr, board.matching) for c in self.columns]

    @property
    def tier_rows(self) -> list[tuple[str, datetime.date, list[int], int]]:
        """(tier, deadline, counts, share held %) of each tier shown that
        the scope holds conferences of (as the board's cards); no
        "matching" count (the status filter keeps provinces, not tiers)."""
        tiers = self.board.tiers
        return [
            (
                item.tier.name,
                item.tier.deadline,
                [self.count(item.funnel, c.attr) for c in self.columns if c.attr != "matching"],
                item.funnel.held_percent,
            )
            for item in tiers
            if item.funnel.expected or len(tiers) == 1
        ]

    def filters_line(self) -> str:
        board = self.board
        parts = [
            _("Scope: %(scope)s") % {"scope": scope_name(self.root)},
            _("Tier: %(tier)s") % {"tier": self.tier.name if self.tier else _("all tiers")},
        ]
        if board.status:
            parts.append(_("Status: %(status)s") % {"status": BoardStatus(board.status).label})
        if board.branch:
            parts.append(_("Province: %(province)s") % {"province": board.branch.name})
        return "; ".join(parts) + "."

    def date_line(self) -> str:
        """The cycle and the day the figures stand at."""
        date = _("as of %(date)s") % {"date": self.board.today.strftime("%d/%m/%Y")}
        if not self.board.tiers:
            return date
        cycle = self.board.tiers[0].tier.cycle
        return _("%(cycle)s, period %(period)s; %(date)s") % {
            "cycle": cycle.name,
            "period": cycle.period_label,
            "date": date,
        }

    def tier_sentences(self) -> list[str]:
        """Each tier's totals in words."""
        sentences = []
        for item in self.board.tiers:
            funnel = item.funnel
            if not funnel.expected:
                continue
            parts = [
                _(
                    "%(tier)s (to be held by %(deadline)s): %(held)s of %(expected)s units "
                    "have held their conference (%(percent)s%%)"
                )
                % {
                    "tier": item.tier.name,
                    "deadline": item.tier.deadline.strftime("%d/%m/%Y"),
                    "held": funnel.held,
                    "expected": funnel.expected,
                    "percent": funnel.held_percent,
                },
                _("%(count)s registered, %(submitted)s submitted, %(accepted)s accepted")
                % {
                    "count": funnel.registered,
                    "submitted": funnel.submitted,
                    "accepted": funnel.accepted,
                },
            ]
            if funnel.not_registered:
                parts.append(_("%(count)s not registered yet") % {"count": funnel.not_registered})
            if funnel.overdue:
                parts.append(
                    _("%(count)s overdue (the deadline has passed)") % {"count": funnel.overdue}
                )
            if funnel.due_soon:
                parts.append(
                    _("%(count)s due within %(days)s days")
                    % {"count": funnel.due_soon, "days": self.board.due_within}
                )
            sentences.append("; ".join(parts) + ".")
        return sentences

    def total_sentence(self) -> str:
        totals = self.board.totals
        if not self.board.rows:
            return _("No unit matches these filters.")
        return _(
            "In all, the table counts %(expected)s conferences to hold: %(held)s held "
            "(%(percent)s%%), %(overdue)s overdue, %(due_soon)s due within %(days)s days."
        ) % {
            "expected": totals.expected,
            "held": totals.held,
            "percent": totals.held_percent,
            "overdue": totals.overdue,
            "due_soon": totals.due_soon,
            "days": self.board.due_within,
        }

    def units_line(self) -> str:
        """The heading of the drilled-down province's units."""
        if self.drilled is None:
            return ""
        line = _("The units of %(province)s that must hold a conference") % {
            "province": self.drilled.name
        }
        if self.board.status:
            status = _("Status: %(status)s") % {"status": BoardStatus(self.board.status).label}
            line = f"{line} ({status})"
        return line

    def recipients(self) -> list[str]:
        if self.is_national:
            return [
                _("VSS leaders (to report)"),
                _("Standing body of the VSS Emulation & Reward Council"),
                _("Provinces' social security offices"),
            ]
        return [
            _("Standing body of the VSS Emulation & Reward Council (to report)"),
            _("The units under %(unit)s") % {"unit": self.root.name},
        ]


def columns_of(board: Board) -> list[Counted]:
    """The board's counted columns, with its matching one when a status is
    chosen (the lateness statuses have their own columns)."""
    columns = [
        Counted(_("Must hold"), "expected"),
        Counted(_("Already registered"), "registered"),
        Counted(_("Already submitted"), "submitted"),
        Counted(_("Already accepted"), "accepted"),
        Counted(_("Already held"), "held"),
        Counted(_("Already closed"), "closed"),
        Counted(_("Overdue"), "overdue"),
        Counted(_("Due within %(days)s days") % {"days": board.due_within}, "due_soon"),
    ]
    if board.matching_column:
        columns.append(
            Counted(
                _("Units “%(status)s”") % {"status": BoardStatus(board.status).label}, "matching"
            )
        )
    return columns


def load_report(params: Params) -> ProgressReport:
    """The board of a cleaned request's scope and filters, computed today:
    the scope, the tiers, one aggregate per tier and the branch names,
    whatever the number of provinces."""
    root = Unit.objects.select_related("parent").get(pk=params["unit"])
    cycle = Cycle.objects.select_related("hierarchy").get(pk=params["cycle"])
    tiers = progress.tiers_of_cycle(cycle)
    level = params.get("tier")
    shown = progress.of_level(tiers, level)
    reader = User.objects.select_related("unit").get(pk=params["reader"])
    work_in_cycle(reader, cycle)
    status = params.get("status", "")
    board = progress.progress_board(
        user=reader, tiers=shown, status=status, branch=params.get("province", "")
    )
    # As on the board: one province chosen, or only one in the scope,
    # and its units are listed too (one more query per tier).
    drilled = board.branch or (board.rows[0].branch if len(board.rows) == 1 else None)
    units = (
        progress.branch_units(
            user=reader, tiers=shown, branch=drilled.code, status=status, today=board.today
        )
        if drilled
        else []
    )
    return ProgressReport(
        root=root,
        board=board,
        tier=shown[0] if level and shown else None,
        columns=columns_of(board),
        drilled=drilled,
        units=units,
    )


def filename(report: ProgressReport, extension: str) -> str:
    stem = "toan-quoc" if report.is_national else slugify(fold(report.root.name))
    return f"bao-cao-tien-do-{stem}-{report.board.today:%Y-%m-%d}.{extension}"


# -- The exporters ------------------------------------------------------------------


class ProgressPdf(ProgressTargetMixin, PdfExporter):
    identifier = "progress_pdf"
    verbose_name = gettext_lazy("Progress report (PDF)")
    template_name = "reports/pdf/progress.html"

    def context(self, params: Params) -> dict[str, Any]:
        report = load_report(params)
        return {
            "report": report,
            "document_title": _("Report on the progress of the exemplars conferences"),
            "letterhead": letterhead_for(report.root, symbol="BC", date=report.board.today),
            "recipients": report.recipients(),
        }

    def filename(self, params: Params, context: dict[str, Any]) -> str:
        return filename(context["report"], "pdf")


class ProgressXlsx(ProgressTargetMixin, XlsxExporter):
    identifier = "progress_xlsx"
    verbose_name = gettext_lazy("Progress report (Excel)")

    def sheets(self, params: Params) -> tuple[str, list[Sheet]]:
        report = load_report(params)
        heading = _("Report on the progress of the exemplars conferences").upper()
        lines = [report.date_line(), report.filters_line()]
        counted = [Column(column.header, 12) for column in report.columns]
        rows: list[list[Cell] | str] = [
            [number, name, *counts, held] for number, name, counts, held in report.rows
        ]
        rows.append([None, _("Total"), *report.totals, report.board.totals.held_percent])
        provinces = Sheet(
            title=_("By province"),
            heading=heading,
            lines=lines,
            columns=[
                Column(_("No."), 6),
                Column(_("Province / unit"), 40),
                *counted,
                Column(_("Share held"), 12),
            ],
            rows=rows,
            footer=[*report.tier_sentences(), report.total_sentence()],
        )
        tier_columns = [c for c in report.columns if c.attr != "matching"]
        tiers = Sheet(
            title=_("By tier"),
            heading=heading,
            lines=lines,
            columns=[
                Column(_("Tier"), 44),
                Column(_("Deadline"), 12),
                *(Column(column.header, 12) for column in tier_columns),
                Column(_("Share held"), 12),
            ],
            rows=[
                [name, date_cell(deadline), *counts, held]
                for name, deadline, counts, held in report.tier_rows
            ],
        )
        sheets = [provinces, tiers]
        if report.drilled is not None:
            unit_rows: list[list[Cell] | str] = []
            for tier_name, group in report.unit_groups:
                unit_rows.append(tier_name)
                unit_rows.extend(
                    [
                        line.number,
                        line.unit,
                        line.status,
                        date_cell(line.date),
                        line.lateness or None,
                    ]
                    for line in group
                )
            sheets.append(
                Sheet(
                    title=_("Units"),
                    heading=heading,
                    lines=[*lines, report.units_line()],
                    columns=[
                        Column(_("No."), 6),
                        Column(_("Unit"), 40),
                        Column(_("Status"), 16),
                        Column(_("Date"), 12),
                        Column(_("Deadline"), 16),
                    ],
                    rows=unit_rows,
                )
            )
        return filename(report, "xlsx"), sheets
