"""The composition report (báo cáo cơ cấu đại biểu) of a conference's
delegates, as a Decree 30 PDF and as an .xlsx workbook.

It is the composition page on paper: the cycle's targets (women, ethnic
minorities) and whether they are met, then every dimension's table with
its bar chart (``delegates.composition.bar_chart``'s geometry, drawn as
inline SVG), then the delegations: the delegates by the unit they come
from, grouped under the units directly below the organiser (the provinces
and the HQ bloc at the Congress; the districts and departments at a
province's conference), with the organiser's own office, units from
elsewhere and guests outside the register as rows of their own.
"""

from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from congress.models import Conference, Tier
from delegates.composition import BarChart, Composition, Dimension, bar_chart
from delegates.models import Category, Delegate, Gender
from delegates.selectors.delegates import composition, delegate_unit
from units.models import Unit

from ..exporters import (
    ConferenceForm,
    Params,
    PdfExporter,
    Target,
    XlsxExporter,
    conference_name,
    file_stem,
    load_conference,
)
from ..forms import ExporterForm
from ..letterhead import letterhead_for
from ..xlsx import Cell, Column, Sheet

CHART_WIDTH_MM = 150  # the charts' printed width; their height keeps the proportions


class CompositionTargetMixin:
    form_class: ClassVar[type[ExporterForm]] = ConferenceForm

    def target_of(self, form: ExporterForm) -> Target:
        conference = form.cleaned_data["conference"]
        return Target(
            unit=conference.unit,
            title=_("Composition of the delegates: %(conference)s")
            % {"conference": conference_name(conference)},
            params={"conference": conference.pk},
        )


# -- The delegations, unit by unit ----------------------------------------------------

OWN, BELOW, OUTSIDE, UNREGISTERED = "own", "below", "outside", "unregistered"


@dataclass
class Delegation:
    """The delegates that come from one unit (and the units under it)."""

    name: str
    kind: str  # OWN, BELOW, OUTSIDE or UNREGISTERED
    total: int = 0
    guests: int = 0
    official: int = 0
    elected: int = 0
    women: int = 0
    minorities: int = 0

    @property
    def is_outside_register(self) -> bool:
        """Guests named on the list only, with no unit of the register."""
        return self.kind == UNREGISTERED

    def add(self, delegate: Delegate) -> None:
        self.total += 1
        if delegate.category == Category.GUEST:
            self.guests += 1
        elif delegate.category == Category.OFFICIAL:
            self.official += 1
        else:
            self.elected += 1
        person = delegate.person
        if person is not None:
            self.women += person.gender == Gender.FEMALE
            self.minorities += person.is_ethnic_minority

    @property
    def women_percent(self) -> float:
        return round(100 * self.women / self.total, 1) if self.total else 0.0


@dataclass
class Delegations:
    rows: list[Delegation]
    totals: Delegation

    @property
    def numbered(self) -> list[tuple[int, Delegation]]:
        return list(enumerate(self.rows, start=1))


def delegations(conference: Conference) -> Delegations:
    """The delegates of ``conference`` by the unit they come from, under
    the units directly below its organiser, in protocol order; a unit
    below that sent nobody is listed with zeros (the table shows who is
    missing). Two queries, whatever the number of delegates and units."""
    root = conference.unit
    children = list(
        Unit.objects.filter(parent=root)
        .order_by("position", "code")
        .only("name", "path", "is_active")
    )
    own = Delegation(name=_("Office of %(unit)s") % {"unit": root.name}, kind=OWN)
    below = {child.path: Delegation(name=child.name, kind=BELOW) for child in children}
    outside: dict[int, tuple[str, Delegation]] = {}
    unregistered = Delegation(name=_("Guests outside the register"), kind=UNREGISTERED)
    totals = Delegation(name=_("Total"), kind="")
    delegates = Delegate.objects.filter(conference=conference).select_related(
        "person", "person__unit", "unit"
    )
    for delegate in delegates:
        totals.add(delegate)
        unit = delegate_unit(delegate)
        if unit is None:
            unregistered.add(delegate)
        elif unit.path == root.path:
            own.add(delegate)
        elif unit.is_within(root):
            segment = unit.path[len(root.path) :].split("/", 1)[0]
            below[f"{root.path}{segment}/"].add(delegate)
        else:
            outside.setdefault(unit.pk, (unit.path, Delegation(name=unit.name, kind=OUTSIDE)))
            outside[unit.pk][1].add(delegate)
    active = {child.path for child in children if child.is_active}
    rows = [own] if own.total else []
    rows += [row for path, row in below.items() if row.total or path in active]
    rows += [row for _path, row in sorted(outside.values(), key=lambda item: item[0])]
    if unregistered.total:
        rows.append(unregistered)
    return Delegations(rows=rows, totals=totals)


# -- The report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    number: int
    dimension: Dimension
    chart: BarChart

    @property
    def chart_size(self) -> tuple[str, str]:
        """The chart's printed width and height (CSS lengths, unlocalised)."""
        height = CHART_WIDTH_MM * self.chart.height / self.chart.width
        return f"{CHART_WIDTH_MM}mm", f"{height:.1f}mm"


@dataclass(frozen=True)
class Report:
    conference: Conference
    conference_name: str
    is_congress: bool
    figures: Composition
    sections: list[Section]
    delegations: Delegations

    def count_line(self) -> str:
        by_category = {
            row.key: row.count for row in self.figures.dimensions[0].rows
        }  # the first dimension is the category
        return ngettext(
            "%(count)s delegate: %(guests)s guest, %(official)s official and %(elected)s "
            "elected delegates; %(in_register)s of them from the register.",
            "%(count)s delegates: %(guests)s guest, %(official)s official and %(elected)s "
            "elected delegates; %(in_register)s of them from the register.",
            self.figures.total,
        ) % {
            "count": self.figures.total,
            "guests": by_category.get(Category.GUEST, 0),
            "official": by_category.get(Category.OFFICIAL, 0),
            "elected": by_category.get(Category.ELECTED, 0),
            "in_register": self.figures.in_register,
        }

    def targets_line(self) -> str:
        if not self.figures.in_register:
            return _("No delegate from the register yet: the targets cannot be measured.")
        if not self.figures.shortfalls:
            return _("Every target of the cycle is met.")
        return _("Below the cycle's target: %(targets)s.") % {
            "targets": "; ".join(
                _("%(label)s %(percent)s%% (target %(target)s%%)")
                % {
                    "label": target.label,
                    "percent": _percent(target.percent),
                    "target": target.target_percent,
                }
                for target in self.figures.shortfalls
            )
        }


def _percent(value: float) -> str:
    return number_format(value, decimal_pos=1)


def load_report(params: Params) -> Report:
    """The composition of a cleaned request's conference: a fixed number of
    queries (the conference, the composition's two, the delegations' two)."""
    conference = load_conference(params)
    figures = composition(conference)
    return Report(
        conference=conference,
        conference_name=conference_name(conference),
        is_congress=conference.tier.level >= Tier.Level.CONGRESS,
        figures=figures,
        sections=[
            Section(number=number, dimension=dimension, chart=bar_chart(dimension))
            for number, dimension in enumerate(figures.dimensions, start=1)
        ],
        delegations=delegations(conference),
    )


def recipients() -> list[str]:
    return [
        _("Standing body of the VSS Emulation & Reward Council (to report)"),
        _("The organising board of the conference"),
    ]


class CompositionPdf(CompositionTargetMixin, PdfExporter):
    identifier = "composition_pdf"
    verbose_name = gettext_lazy("Composition of the delegates (PDF)")
    template_name = "reports/pdf/composition.html"

    def context(self, params: Params) -> dict[str, Any]:
        report = load_report(params)
        return {
            "report": report,
            "document_title": _("Report on the composition of the delegates"),
            "subtitle": _("To attend the %(conference)s") % {"conference": report.conference_name},
            "cycle": report.conference.tier.cycle,
            "letterhead": letterhead_for(report.conference.unit, symbol="BC"),
            "recipients": recipients(),
        }

    def filename(self, params: Params, context: dict[str, Any]) -> str:
        return f"co-cau-dai-bieu-{file_stem(context['report'].conference)}.pdf"


class CompositionXlsx(CompositionTargetMixin, XlsxExporter):
    identifier = "composition_xlsx"
    verbose_name = gettext_lazy("Composition of the delegates (Excel)")

    def sheets(self, params: Params) -> tuple[str, list[Sheet]]:
        report = load_report(params)
        figures = report.figures
        heading = _("Report on the composition of the delegates").upper()
        lines = [
            _("To attend the %(conference)s") % {"conference": report.conference_name},
            report.count_line(),
        ]
        targets = Sheet(
            title=_("Targets"),
            heading=heading,
            lines=[*lines, report.targets_line()],
            columns=[
                Column(_("Target"), 30),
                Column(_("Target (%)"), 10),
                Column(_("Delegates"), 11),
                Column(_("Delegates in the register"), 14),
                Column(_("Share (%)"), 10),
                Column(_("Met"), 10),
            ],
            rows=[
                [
                    target.label,
                    target.target_percent,
                    target.count,
                    target.base,
                    target.percent,
                    _("yes") if target.met else _("no"),
                ]
                for target in figures.targets
            ],
        )
        dimension_rows: list[list[Cell] | str] = []
        for section in report.sections:
            dimension_rows.append(f"{section.number}. {section.dimension.title}")
            dimension_rows.extend(
                [row.label, row.count, row.percent, row.target] for row in section.dimension.rows
            )
        dimensions = Sheet(
            title=_("Composition"),
            heading=heading,
            lines=lines,
            columns=[
                Column(_("Dimension"), 44),
                Column(_("Delegates"), 11),
                Column(_("Share (%)"), 10),
                Column(_("Target (%)"), 10),
            ],
            rows=dimension_rows,
            footer=[
                _(
                    "Shares are of all the delegates; guests outside the register count by "
                    "category only."
                )
            ],
        )
        units = Sheet(
            title=_("By unit"),
            heading=heading,
            lines=lines,
            columns=_delegation_columns(),
            rows=[
                *([number, *_delegation_cells(row)] for number, row in report.delegations.numbered),
                [None, *_delegation_cells(report.delegations.totals)],
            ],
        )
        filename = f"co-cau-dai-bieu-{file_stem(report.conference)}.xlsx"
        return filename, [targets, dimensions, units]


def _delegation_columns() -> list[Column]:
    return [
        Column(_("No."), 6),
        Column(_("Unit"), 40),
        Column(_("Delegates"), 11),
        Column(_("Guest delegates"), 11),
        Column(_("Official delegates"), 11),
        Column(_("Elected delegates"), 11),
        Column(_("Women"), 9),
        Column(_("Women (%)"), 9),
        Column(_("Ethnic minorities"), 11),
    ]


def _delegation_cells(row: Delegation) -> list[Cell]:
    return [
        row.name,
        row.total,
        row.guests,
        row.official,
        row.elected,
        row.women,
        row.women_percent,
        row.minorities,
    ]
