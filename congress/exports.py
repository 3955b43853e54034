"""Exports of the congress app, in the shape of STYLE.md's exporters
(``identifier``, ``verbose_name``, ``render(...) -> (filename, mimetype,
bytes)``), so that a registry and a Celery task can take them over when
one is too big for a request. The progress board is small (at most some
65 rows), so its view renders it in the request."""

from io import BytesIO

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from units.workbooks import append_row

from .progress import Board, BoardStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProgressBoardExport:
    """The board's province rows, with its filters, as an .xlsx workbook."""

    identifier = "progress_board"
    verbose_name = gettext_lazy("Progress board (Excel)")

    def columns(self, board: Board) -> list[tuple[str, str, int]]:
        """(header, Funnel attribute, width) of the counted columns."""
        columns = [
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
            columns.append(
                (
                    _("Units “%(status)s”") % {"status": BoardStatus(board.status).label},
                    "matching",
                    16,
                )
            )
        return columns

    def render(self, *, board: Board, scope_name: str = "") -> tuple[str, str, bytes]:
        workbook = Workbook()
        sheet = workbook.create_sheet(index=0)
        workbook.remove(workbook.worksheets[1])  # the default, untitled one
        sheet.title = _("Progress")
        columns = self.columns(board)
        today = date_format(board.today, "SHORT_DATE_FORMAT")

        append_row(sheet, [_("Progress of the exemplars conferences")])
        sheet["A1"].font = Font(bold=True, size=14)
        append_row(sheet, [self.filters_line(board, scope_name, today)])
        append_row(
            sheet,
            [
                _(
                    "Stages are cumulative: a held conference is also counted as registered, "
                    "submitted and accepted."
                )
            ],
        )
        append_row(sheet, [])
        header = [_("No."), _("Province / unit"), *(title for title, _attr, _w in columns)]
        header.append(_("Share held"))
        append_row(sheet, header)
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DCE6F1")
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")

        for number, row in enumerate(board.rows, start=1):
            values = [
                row.matching if attr == "matching" else getattr(row.funnel, attr)
                for _title, attr, _w in columns
            ]
            append_row(sheet, [number, row.branch.name, *values, row.funnel.held_percent])
        totals = [
            board.matching if attr == "matching" else getattr(board.totals, attr)
            for _title, attr, _w in columns
        ]
        append_row(sheet, ["", _("Total"), *totals, board.totals.held_percent])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)

        widths = [6, 42, *(width for _t, _a, width in columns), 12]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)

        buffer = BytesIO()
        workbook.save(buffer)
        filename = f"tien-do-hoi-nghi-{board.today:%Y-%m-%d}.xlsx"
        return filename, XLSX, buffer.getvalue()

    def filters_line(self, board: Board, scope_name: str, today: str) -> str:
        parts = [
            _("Cycle: %(cycle)s") % {"cycle": board.tiers[0].tier.cycle.name}
            if board.tiers
            else "",
            _("Scope: %(scope)s") % {"scope": scope_name or _("the whole country")},
            _("as of %(date)s") % {"date": today},
        ]
        if len(board.tiers) == 1:
            parts.append(_("Tier: %(tier)s") % {"tier": board.tiers[0].tier.name})
        if board.status:
            parts.append(_("Status: %(status)s") % {"status": BoardStatus(board.status).label})
        if board.branch:
            parts.append(_("Province: %(province)s") % {"province": board.branch.name})
        return "; ".join(part for part in parts if part)
