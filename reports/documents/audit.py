"""The audit log as its page shows it (the same filters: a unit's subtree,
a user, a kind of record, a period), newest first, as an .xlsx workbook:
"Download Excel" on the log. Whoever may search the log (the council and
the administrators all of it, the others their subtree's) may download
it at once (``reports:download``) or ask for it as a job."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.models import Cycle
from congress.selectors import cycle_for_user, work_in_cycle
from units.forms import AuditLogForm
from units.history import Row, may_search_log, rows_of, search_log
from units.models import Unit, User
from units.permissions import Action

from ..exporters import Params, Source, Target, XlsxExporter
from ..forms import ExporterForm, plain
from ..xlsx import Column, Sheet
from .progress import report_scope

# A workbook is for reading: the newest entries up to this many, said so.
MAX_ROWS = 20_000


class AuditLogExportForm(ExporterForm, AuditLogForm):
    """The log page's filters, read as the page reads them."""

    page_filters = ("unit", "user", "kind", "date_from", "date_to")

    def setup(self) -> None:
        AuditLogForm.setup(self)


def _changes_text(row: Row) -> str:
    lines = []
    for change in row.changes:
        if row.is_create:
            lines.append(f"{change.label}: {change.after}")
        elif row.is_delete:
            lines.append(f"{change.label}: {change.before}")
        else:
            lines.append(f"{change.label}: {change.before} → {change.after}")
    return "\n".join(lines)


def log_sheet(rows: list[Row], *, lines: list[str]) -> Sheet:
    return Sheet(
        title=_("Audit log"),
        heading=_("Audit log"),
        lines=lines,
        columns=[
            Column(_("When"), 18),
            Column(_("Who"), 24),
            Column(_("Action"), 12),
            Column(_("What"), 40),
            Column(_("Unit"), 28),
            Column(_("Changes (before → after)"), 60),
            Column(_("Reason"), 40),
            Column(_("Import"), 30),
        ],
        rows=[
            [
                date_format(timezone.localtime(row.entry.timestamp), "SHORT_DATETIME_FORMAT"),
                row.actor,
                row.action,
                row.what,
                row.entry.unit_name,
                _changes_text(row),
                row.entry.reason,
                row.source,
            ]
            for row in rows
        ],
        frozen_columns=1,
    )


class AuditLogXlsx(XlsxExporter):
    identifier = "audit_log_xlsx"
    verbose_name = gettext_lazy("Audit log (Excel)")
    form_class = AuditLogExportForm
    action = Action.VIEW

    def target_of(self, form: ExporterForm) -> Target:
        user = form.user
        if not may_search_log(user):
            raise PermissionDenied
        filters = AuditLogForm.filters(form)
        cycle = cycle_for_user(user)
        unit = filters["unit"]
        params = {
            "reader": user.pk,
            "cycle": cycle.pk if cycle else None,
            **plain(
                [
                    ("unit", unit.pk if unit is not None else None),
                    ("actor", filters["actor"]),
                    ("kind", filters["kind"]),
                    (
                        "date_from",
                        filters["date_from"].isoformat() if filters["date_from"] else None,
                    ),
                    ("date_to", filters["date_to"].isoformat() if filters["date_to"] else None),
                ]
            ),
        }
        return Target(
            unit=lambda: report_scope(user),
            title=_("Audit log (Excel)"),
            params=params,
            cleaned={"reader": user},
        )

    def log_source(self, reader: User, params: Params) -> Source:
        unit = Unit.objects.get(pk=params["unit"]) if params.get("unit") else None
        days = {
            name: datetime.date.fromisoformat(params[name]) if params.get(name) else None
            for name in ("date_from", "date_to")
        }
        entries = search_log(
            reader,
            unit=unit,
            actor=params.get("actor", ""),
            kind=params.get("kind"),
            **days,
        )
        rows = rows_of(entries[: MAX_ROWS + 1])
        lines = [
            _("As of %(date)s") % {"date": date_format(timezone.localdate(), "SHORT_DATE_FORMAT")}
        ]
        if unit is not None:
            lines.append(_("Unit: %(unit)s and the units under it") % {"unit": unit.name})
        if len(rows) > MAX_ROWS:
            rows = rows[:MAX_ROWS]
            lines.append(
                _("The newest %(count)s entries: narrow the filters for the others.")
                % {"count": MAX_ROWS}
            )
        return self.source_of_sheets(
            f"nhat-ky-thay-doi-{timezone.localdate():%Y-%m-%d}.xlsx", [log_sheet(rows, lines=lines)]
        )

    def source(self, params: Params) -> Source:
        reader = User.objects.select_related("unit").get(pk=params["reader"])
        if params.get("cycle"):
            work_in_cycle(reader, Cycle.objects.select_related("hierarchy").get(pk=params["cycle"]))
        return self.log_source(reader, params)

    def source_of(self, target: Target) -> Source:
        return self.log_source(target.cleaned["reader"], target.params)
