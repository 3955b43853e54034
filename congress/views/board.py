"""Following the cycle: the progress board and the calendar of
conferences (the board's Excel table is ``reports.documents.board``'s).
Every figure comes from ``congress.progress``, scoped by the permission
policy; these views only parse the filters."""

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from congress import progress
from congress.selectors import cycle_for_user
from units.params import choice_param, int_param, search_param
from units.permissions import Action, allowed_actions, is_nationwide, scope_root


class ProgressFiltersMixin(LoginRequiredMixin):
    """Reads the filters every progress page shares from the query string:
    ``tier`` (a level), ``status`` and ``province`` (a branch code). Values
    that mean nothing are ignored; a province outside the user's scope is
    left to the selectors, which show nothing of it."""

    def filters(self) -> tuple[int | None, str, str]:
        """(tier level, status, province code)."""
        query = self.request.GET
        return (
            int_param(query, "tier"),
            choice_param(query, "status", progress.BoardStatus.values),
            search_param(query, "province", max_length=32),
        )

    def cycle(self):
        return cycle_for_user(self.request.user)


class BoardView(ProgressFiltersMixin, TemplateView):
    """The progress board: per tier and per province, how many units must
    hold a conference and how far they got; a province's row opens its
    units. With a single row (an officer's own province) the units are
    shown at once."""

    template_name = "congress/board.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        tiers = progress.tiers_of_cycle(self.cycle())
        level, status, branch = self.filters()
        shown = progress.of_level(tiers, level)
        board = progress.progress_board(user=user, tiers=shown, status=status, branch=branch)
        drilled = board.branch or (board.rows[0].branch if len(board.rows) == 1 else None)
        units = (
            progress.branch_units(
                user=user, tiers=shown, branch=drilled.code, status=status, today=board.today
            )
            if drilled
            else []
        )
        return super().get_context_data(
            board=board,
            drilled=drilled,
            units=units,
            tiers=tiers,
            level=level,
            statuses=progress.BoardStatus.choices,
            status_label=progress.BoardStatus(board.status).label if board.status else "",
            nationwide=is_nationwide(user),
            scope=scope_root(user),
            # A role's PRINT covers its whole scope, the whole cycle for nationwide roles.
            may_print=Action.PRINT in allowed_actions(user),
            **kwargs,
        )


def _month(value: str) -> datetime.date | None:
    """``2020-01`` → 1 January 2020; anything else → None."""
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None


class CalendarView(ProgressFiltersMixin, TemplateView):
    """The conferences the user may see, one month at a time, as a grid and
    as an agenda; pilot units marked. Opens on the month of the earliest
    conference (see ``progress.default_calendar_month``), not today's."""

    template_name = "congress/calendar.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        cycle = self.cycle()
        tiers = progress.tiers_of_cycle(cycle)
        level, _status, branch = self.filters()
        month = _month(self.request.GET.get("month", "")) or progress.default_calendar_month(
            user=user, tiers=tiers, level=level, branch=branch
        )
        return super().get_context_data(
            calendar=progress.conference_calendar(
                user=user, cycle=cycle, tiers=tiers, month=month, level=level, branch=branch
            ),
            tiers=tiers,
            level=level,
            branch=branch,
            branches=progress.branches(user=user, tiers=tiers),
            **kwargs,
        )
