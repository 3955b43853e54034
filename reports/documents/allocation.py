"""The quota allocation table (bảng phân bổ số lượng đại biểu bầu) of a
tier-2 conference or of the Congress, as a Decree 30 PDF and as an .xlsx
sheet.

One version of the allocation: the one asked for (the page prints the
version it shows), or, when only the conference is named, the approved
one (the newest while none is approved). Only an approved version binds
the elections; any other is printed marked "draft" with its status. The
table is the page's: attendance, exact quota, computed and allocated
seats, the reason of an adjustment; above it, how the seats were computed.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from congress.models import Conference
from delegates.models import Allocation
from delegates.quota_terms import fraction_text, to_decimal
from delegates.selectors.quotas import AllocationView, allocation_view
from units.models import User
from units.permissions import visible_units

from ..exporters import (
    Params,
    PdfExporter,
    Target,
    XlsxExporter,
    conference_name,
    file_stem,
    visible_conferences,
)
from ..forms import ExporterForm, IdField, missing_message
from ..letterhead import Letterhead, letterhead_for
from ..xlsx import Cell, Column, Sheet

QUOTA_PLACES = 3  # the exact quota printed with three decimals; the fraction is exact

ALLOCATION_RELATED = (
    "conference__unit__parent",
    "conference__tier__cycle",
    "created_by",
    "reviewed_by",
)


def local_moment(moment: datetime.datetime | None) -> str:
    """ "14:05 ngày 05/02/2020" style: local time, then the date."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return _("%(time)s on %(date)s") % {
        "time": local.strftime("%H:%M"),
        "date": local.strftime("%d/%m/%Y"),
    }


# -- Parameters ------------------------------------------------------------------


class AllocationForm(ExporterForm):
    """The allocation named by ``allocation`` or, without it, the approved
    allocation of ``conference`` (the newest version while none is
    approved). Its conference must be visible to the user (404 otherwise);
    the exporter asks PRINT on its unit."""

    not_found = ("allocation", "conference")

    allocation = IdField(queryset=Allocation.objects.none(), required=False)
    conference = IdField(queryset=Conference.objects.none(), required=False)

    def setup(self) -> None:
        self.narrow(
            "allocation",
            Allocation.objects.select_related(*ALLOCATION_RELATED).filter(
                conference__unit__in=visible_units(self.user)
            ),
        )
        self.narrow("conference", visible_conferences(self.user))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors or data.get("allocation") is not None:
            return data
        conference = data.get("conference")
        if conference is None:
            raise ValidationError(missing_message("conference"))
        versions = list(
            Allocation.objects.filter(conference=conference)
            .select_related(*ALLOCATION_RELATED)
            .order_by("-version")
        )
        approved = [a for a in versions if a.status == Allocation.Status.APPROVED]
        chosen = approved[0] if approved else (versions[0] if versions else None)
        if chosen is None:
            raise ValidationError(_("No allocation has been computed for this conference yet."))
        data["allocation"] = chosen
        return data


class AllocationTargetMixin:
    """The request of an allocation table: one version, by its id."""

    form_class: ClassVar[type[ExporterForm]] = AllocationForm

    def target_of(self, form: ExporterForm) -> Target:
        allocation = form.cleaned_data["allocation"]
        conference = allocation.conference
        return Target(
            unit=conference.unit,
            title=_("Quota allocation table: %(conference)s, version %(version)s")
            % {"conference": conference_name(conference), "version": allocation.version},
            params={"allocation": allocation.pk},
        )


# -- What the table and the summary show ------------------------------------------


@dataclass(frozen=True)
class Line:
    number: int
    unit: str
    attendance: int
    quota: Fraction
    computed_seats: int
    seats: int
    reason: str

    @property
    def quota_decimal(self) -> Decimal:
        return to_decimal(self.quota, QUOTA_PLACES)

    @property
    def quota_text(self) -> str:
        return fraction_text(self.quota)

    @property
    def adjusted(self) -> bool:
        return self.seats != self.computed_seats


@dataclass(frozen=True)
class AllocationTable:
    """One version as the documents show it: no query beyond its lines."""

    allocation: Allocation
    conference: Conference
    conference_name: str
    lines: list[Line]
    view: AllocationView

    @property
    def is_draft(self) -> bool:
        """Only the approved version binds; any other is a draft."""
        return self.allocation.status != Allocation.Status.APPROVED

    @property
    def attendance_total(self) -> int:
        return sum(line.attendance for line in self.lines)

    @property
    def quota_total(self) -> Fraction:
        return sum((line.quota for line in self.lines), Fraction(0))

    @property
    def quota_total_decimal(self) -> Decimal:
        return to_decimal(self.quota_total, QUOTA_PLACES)

    @property
    def computed_total(self) -> int:
        return sum(line.computed_seats for line in self.lines)

    @property
    def seats_total(self) -> int:
        return sum(line.seats for line in self.lines)

    @property
    def adjusted_count(self) -> int:
        return sum(1 for line in self.lines if line.adjusted)

    # The computation, sentence by sentence (shared by the PDF and the sheet).

    def status_line(self) -> str:
        allocation = self.allocation
        if not self.is_draft:
            return _("Approved by %(who)s at %(when)s.") % {
                "who": _user_name(allocation.reviewed_by),
                "when": local_moment(allocation.reviewed_at),
            }
        status = allocation.get_status_display()
        if allocation.status == Allocation.Status.SUBMITTED:
            detail = _("submitted to the council at %(when)s, awaiting its review") % {
                "when": local_moment(allocation.submitted_at)
            }
        elif allocation.status == Allocation.Status.RETURNED:
            detail = _("returned by %(who)s at %(when)s: %(reason)s") % {
                "who": _user_name(allocation.reviewed_by),
                "when": local_moment(allocation.reviewed_at),
                "reason": allocation.review_reason,
            }
        else:
            detail = _("not yet submitted to the council")
        return _(
            "Draft: version %(version)s, status “%(status)s” (%(detail)s). It does not bind "
            "the elections until the council approves it."
        ) % {"version": allocation.version, "status": status, "detail": detail}

    def seats_line(self) -> str:
        budget = self.view.budget
        seats = self.allocation.total_seats
        if budget.get("cap") is None:
            return _("Elected seats shared: %(seats)s.") % {"seats": seats}
        if budget.get("guests_counted"):
            return _(
                "Elected seats shared: %(seats)s (maximum attendance %(cap)s − %(official)s "
                "official delegates − %(guests)s guest delegates)."
            ) % {
                "seats": seats,
                "cap": budget["cap"],
                "official": budget.get("official", 0),
                "guests": budget.get("guests", 0),
            }
        return _(
            "Elected seats shared: %(seats)s (maximum attendance %(cap)s − %(official)s "
            "official delegates; guest delegates are not counted)."
        ) % {"seats": seats, "cap": budget["cap"], "official": budget.get("official", 0)}

    def method_line(self) -> str:
        allocation = self.allocation
        if allocation.method == Allocation.Method.WEBSTER:
            how = _(
                "Each unit's seats = its attendance ÷ the divisor, rounded to the nearest "
                "whole number (at least 1)."
            )
        else:
            how = _(
                "Each unit gets the whole part of its exact share (held within the bounds); "
                "the seats left go one each to the largest remainders."
            )
        return _("Method: %(method)s. %(how)s") % {
            "method": allocation.get_method_display(),
            "how": how,
        }

    def divisor_line(self) -> str:
        divisor = self.view.divisor
        if divisor is None:
            return ""
        if self.allocation.method == Allocation.Method.WEBSTER:
            label = _("Divisor")
        else:
            label = _("Attendance per seat (quota)")
        text = _number(to_decimal(divisor, QUOTA_PLACES))
        if divisor.denominator != 1:
            text = f"{text} (= {fraction_text(divisor)})"
        return f"{label}: {text}."

    def bounds_line(self) -> str:
        upper = self.view.upper
        if upper:
            return _("Seats per unit: at least 1, at most %(upper)s.") % {"upper": upper}
        return _("Seats per unit: at least 1.")

    def tie_line(self) -> str:
        rule = _("Tie rule: %(rule)s.") % {"rule": self.view.tie_rule_label}
        tie = self.view.tie
        if tie is None:
            return f"{rule} " + _("No tie decided a seat.")
        winners = [unit.name for unit, won, _ticket in tie.units if won and unit is not None]
        others = [unit.name for unit, won, _ticket in tie.units if not won and unit is not None]
        decided = ngettext(
            "A tie decided the last seat: %(units)s had exactly equal claims "
            "(%(priority)s); by the rule, the seat went to %(winners)s.",
            "A tie decided the last %(count)s seats: %(units)s had exactly equal claims "
            "(%(priority)s); by the rule, the seats went to %(winners)s.",
            tie.seats,
        ) % {
            "count": tie.seats,
            "units": ", ".join(winners + others),
            "priority": fraction_text(tie.priority),
            "winners": ", ".join(winners),
        }
        return f"{rule} {decided}"

    def seed_line(self) -> str:
        seed = self.allocation.seed
        if seed is None:
            return ""
        return _(
            "Lot seed: %(seed)s (each unit's ticket is the SHA-256 of “seed:position in the "
            "list”; the lowest ticket wins)."
        ) % {"seed": seed}

    def computed_line(self) -> str:
        allocation = self.allocation
        return _("Computed at %(when)s by %(who)s.") % {
            "when": local_moment(allocation.created_at),
            "who": _user_name(allocation.created_by),
        }

    def summary_lines(self) -> list[str]:
        lines = [
            self.seats_line(),
            self.method_line(),
            self.divisor_line(),
            self.bounds_line(),
            self.tie_line(),
            self.seed_line(),
            self.computed_line(),
            self.status_line(),
        ]
        return [line for line in lines if line]


def _user_name(user: User | None) -> str:
    return user.get_full_name() if user is not None else "…"


def _number(value: Decimal) -> str:
    """A decimal in the language's format (Vietnamese: a decimal comma)."""
    return number_format(value, decimal_pos=QUOTA_PLACES)


def load_table(params: Params) -> AllocationTable:
    """The version a cleaned request names, with its lines and their units:
    two queries, whatever the number of units."""
    allocation = Allocation.objects.select_related(*ALLOCATION_RELATED).get(pk=params["allocation"])
    view = allocation_view(allocation)
    lines = [
        Line(
            number=number,
            unit=row.line.unit.name,
            attendance=row.line.attendance,
            quota=row.quota,
            computed_seats=row.line.computed_seats,
            seats=row.line.seats,
            reason=row.line.adjustment_reason,
        )
        for number, row in enumerate(view.rows, start=1)
    ]
    return AllocationTable(
        allocation=allocation,
        conference=allocation.conference,
        conference_name=conference_name(allocation.conference),
        lines=lines,
        view=view,
    )


def recipients() -> list[str]:
    return [
        _("Standing body of the Emulation & Reward Council (to report)"),
        _("The units in the table (to carry out)"),
    ]


def filename(table: AllocationTable, extension: str) -> str:
    return f"phan-bo-dai-bieu-{file_stem(table.conference)}-v{table.allocation.version}.{extension}"


# -- The exporters ------------------------------------------------------------------


class AllocationPdf(AllocationTargetMixin, PdfExporter):
    identifier = "allocation_pdf"
    verbose_name = gettext_lazy("Quota allocation table (PDF)")
    template_name = "reports/pdf/allocation.html"

    def context(self, params: Params) -> dict[str, Any]:
        table = load_table(params)
        letterhead: Letterhead = letterhead_for(table.conference.unit)
        return {
            "table": table,
            "document_title": _("Table of the quota of elected delegates"),
            "subtitle": _("To attend the %(conference)s") % {"conference": table.conference_name},
            "summary": table.summary_lines(),
            "letterhead": letterhead,
            "recipients": recipients(),
        }

    def filename(self, params: Params, context: dict[str, Any]) -> str:
        return filename(context["table"], "pdf")


class AllocationXlsx(AllocationTargetMixin, XlsxExporter):
    identifier = "allocation_xlsx"
    verbose_name = gettext_lazy("Quota allocation table (Excel)")

    def sheets(self, params: Params) -> tuple[str, list[Sheet]]:
        table = load_table(params)
        heading = _("Table of the quota of elected delegates").upper()
        if table.is_draft:
            heading = f"{heading} ({_('Draft').upper()})"
        rows: list[list[Cell] | str] = [
            [
                line.number,
                line.unit,
                line.attendance,
                float(line.quota_decimal),
                line.quota_text,
                line.computed_seats,
                line.seats,
                line.reason or None,
            ]
            for line in table.lines
        ]
        rows.append(
            [
                None,
                _("Total"),
                table.attendance_total,
                float(table.quota_total_decimal),
                fraction_text(table.quota_total),
                table.computed_total,
                table.seats_total,
                None,
            ]
        )
        sheet = Sheet(
            title=_("Allocation"),
            heading=heading,
            lines=[
                _("To attend the %(conference)s") % {"conference": table.conference_name},
                *table.summary_lines(),
            ],
            columns=[
                Column(_("No."), 6),
                Column(_("Unit"), 36),
                Column(_("People attending its conference"), 14),
                Column(_("Exact quota"), 12),
                Column(_("Exact quota (fraction)"), 16),
                Column(_("Seats computed"), 11),
                Column(_("Seats allocated"), 11),
                Column(_("Reason for the adjustment"), 40),
            ],
            rows=rows,
            footer=[
                _(
                    "Exact quota = elected seats × the unit's attendance ÷ the attendance of "
                    "all the units."
                )
            ],
        )
        return filename(table, "xlsx"), [sheet]
