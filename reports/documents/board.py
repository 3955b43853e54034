"""The progress board's table as the board page shows it (its province
rows, with the page's filters: a tier, a status, a province), as an .xlsx
workbook: "This table (Excel)" on the board. At most some 65 rows: the
page downloads it at once (``reports:download``); it may be asked for as a
job too. Any signed-in user may see the board of their scope."""

from typing import Any, cast

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress import progress
from congress.models import Cycle, Tier
from congress.progress import Board, BoardStatus
from congress.selectors import work_in_cycle
from units.models import User
from units.params import int_param, search_param
from units.permissions import Action, scope_root

from ..exporters import Params, Source, Target, XlsxExporter
from ..forms import ExporterForm
from ..xlsx import Cell, Column, Sheet
from .progress import ProgressForm, report_scope


def columns(board: Board) -> list[tuple[str, str, int]]:
    """(header, Funnel attribute, width) of the counted columns."""
    counted = [
        (_("Units that must hold one"), "expected", 14),
        (_("Already registered"), "registered", 12),
        (_("Already submitted"), "submitted", 12),
        (_("Already accepted"), "accepted", 12),
        (_("Already held"), "held", 12),
        (_("Already closed"), "closed", 12),
        (_("Overdue"), "overdue", 12),
        (_("Due within %(days)s days") % {"days": board.due_within}, "due_soon", 14),
    ]
    if board.matching_column:
        counted.append(
            (
                _("Units “%(status)s”") % {"status": BoardStatus(board.status).label},
                "matching",
                16,
            )
        )
    return counted


def filters_line(board: Board, scope: str) -> str:
    today = date_format(board.today, "SHORT_DATE_FORMAT")
    parts = [
        _("Cycle: %(cycle)s") % {"cycle": board.tiers[0].tier.cycle.name} if board.tiers else "",
        _("Scope: %(scope)s") % {"scope": scope or _("the whole country")},
        _("as of %(date)s") % {"date": today},
    ]
    if len(board.tiers) == 1:
        parts.append(_("Tier: %(tier)s") % {"tier": board.tiers[0].tier.name})
    if board.status:
        parts.append(_("Status: %(status)s") % {"status": BoardStatus(board.status).label})
    if board.branch:
        parts.append(_("Province: %(province)s") % {"province": board.branch.name})
    return "; ".join(part for part in parts if part)


def board_sheet(board: Board, scope: str) -> Sheet:
    """The board's province rows and totals; ``scope`` names the reader's
    scope ("" for the whole country)."""
    counted = columns(board)

    def counts(funnel: Any, matching: int) -> list[Cell]:
        return [
            matching if attr == "matching" else getattr(funnel, attr) for _t, attr, _w in counted
        ]

    return Sheet(
        title=_("Progress"),
        heading=_("Progress of the exemplars conferences"),
        lines=[
            filters_line(board, scope),
            _(
                "Stages are cumulative: a held conference is also counted as registered, "
                "submitted and accepted."
            ),
        ],
        columns=[
            Column(_("No."), 6),
            Column(_("Province / unit"), 42),
            *(Column(title, width) for title, _attr, width in counted),
            Column(_("Share held"), 12),
        ],
        rows=[
            [number, row.branch.name, *counts(row.funnel, row.matching), row.funnel.held_percent]
            for number, row in enumerate(board.rows, start=1)
        ],
        total=[None, _("Total"), *counts(board.totals, board.matching), board.totals.held_percent],
        frozen_columns=2,
    )


def reader_scope(user: User) -> str:
    root = scope_root(user)
    return _("%(unit)s and the units under it") % {"unit": root} if root else ""


class BoardForm(ProgressForm):
    """The progress report's filters; read as the board page reads them
    (its old address): a tier as a number, a province as typed (one outside
    the scope shows nothing), an unknown status ignored."""

    page_filters = ("tier", "status", "province")

    def page_value(self, name: str) -> Any:
        if name == "tier":
            return int_param(self.data, "tier")
        if name == "province":
            return search_param(self.data, "province", max_length=32)
        return super().page_value(name)


class ProgressBoardXlsx(XlsxExporter):
    identifier = "progress_board_xlsx"
    verbose_name = gettext_lazy("Progress board (Excel)")
    form_class = BoardForm
    # The board of one's own scope: whoever may see it.
    action = Action.VIEW

    def target_of(self, form: ExporterForm) -> Target:
        form = cast(ProgressForm, form)
        user = form.user
        return Target(
            # Found only when needed (a job's row): a download needs none.
            unit=lambda: report_scope(user),
            title=_("Progress board: %(scope)s")
            % {"scope": reader_scope(user) or _("the whole country")},
            params=form.plain(),
            cleaned={"reader": user, "tiers": form.shown},
        )

    def board_source(self, reader: User, tiers: list[Tier], params: Params) -> Source:
        board = progress.progress_board(
            user=reader,
            tiers=tiers,
            status=params.get("status", ""),
            branch=params.get("province", ""),
        )
        sheet = board_sheet(board, reader_scope(reader))
        return self.source_of_sheets(f"tien-do-hoi-nghi-{board.today:%Y-%m-%d}.xlsx", [sheet])

    def source(self, params: Params) -> Source:
        reader = User.objects.select_related("unit").get(pk=params["reader"])
        cycle = Cycle.objects.select_related("hierarchy").get(pk=params["cycle"])
        work_in_cycle(reader, cycle)
        tiers = progress.of_level(progress.tiers_of_cycle(cycle), params.get("tier"))
        return self.board_source(reader, tiers, params)

    def source_of(self, target: Target) -> Source:
        return self.board_source(target.cleaned["reader"], target.cleaned["tiers"], target.params)
