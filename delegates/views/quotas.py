"""Quota allocation pages: the allocation of a tier-2 conference or of the
Congress (units below, exact shares, seats, steps, tie, versions) with its
forms, and the council's list of allocations.

Whoever may see the conference sees its allocation (404 outside the user's
units; a tier-1 conference has none: 404). Computing, adjusting and
submitting need CHANGE on the conference's unit, reviewing needs REVIEW
(403 otherwise). The rules are the services' (delegates.services.quotas).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, TemplateView

from congress.models import Conference, Tier
from congress.views.conferences import ConferenceScopedMixin
from delegates import quota_terms
from delegates.forms.quotas import (
    AllocationAdjustForm,
    AllocationComputeForm,
    AllocationLockForm,
    AllocationReviewForm,
    AllocationWithdrawForm,
)
from delegates.models import Allocation
from delegates.selectors import elections as election_selectors
from delegates.selectors import quotas as quota_selectors
from delegates.selectors.allocation_page import allocation_page
from delegates.services import quotas as quota_services
from units.history import history_of
from units.locking import StaleEditError
from units.params import int_param
from units.permissions import Action, allowed_actions, has_permission

STALE_MESSAGE = gettext_lazy(
    "Someone else changed this allocation meanwhile; nothing was saved. Reload the page "
    "to see their change."
)
STALE_ADJUST_MESSAGE = gettext_lazy(
    "Someone else changed this allocation meanwhile; nothing was saved. The table shows "
    "the seats as they are now; your entries are kept in the form: check them and save again."
)


def excess_message(excess: election_selectors.Excess) -> str:
    return _(
        "%(unit)s elected %(elected)s delegates, more than the %(seats)s seats version "
        "%(version)s gives it: %(names)s. Resolve it on its election page."
    ) % {
        "unit": excess.unit.name,
        "elected": excess.elected,
        "seats": excess.seats,
        "version": excess.allocation.version,
        "names": excess.names,
    }


class AllocationMixin(ConferenceScopedMixin):
    """The conference of the URL: visible to the user (404 otherwise) and
    of tier 2 or the Congress (a tier-1 conference has no elected seats:
    404)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.conference = self.get_conference()
        if self.conference.tier.level not in (Tier.Level.UPPER_GRASSROOTS, Tier.Level.CONGRESS):
            raise Http404
        self.may_change = has_permission(request.user, Action.CHANGE, self.conference.unit)
        self.may_review = has_permission(request.user, Action.REVIEW, self.conference.unit)
        return super().dispatch(request, *args, **kwargs)

    def page_url(self, version: int | None = None) -> str:
        url = reverse("allocations:allocation_detail", args=[self.conference.pk])
        return f"{url}?{urlencode({'version': version})}" if version else url

    def version(self) -> Allocation:
        return get_object_or_404(
            Allocation.objects.select_related("conference__tier", "conference__unit"),
            conference=self.conference,
            version=self.kwargs["version"],
        )


def allocation_context(
    *,
    conference: Conference,
    may_change: bool,
    may_review: bool,
    version: int | None = None,
    compute_form=None,
    adjust_form=None,
    review_form=None,
    withdraw_form=None,
    failed_decision: str = "",
    loaded: dict[int, int] | None = None,
) -> dict:
    """The allocation page's read-model (``selectors.allocation_page``)
    with its forms: blank ones for what the user may do now, or the
    refused ones passed in, and the table's rows with their inputs."""
    page = allocation_page(
        conference, may_change=may_change, may_review=may_review, version=version
    )
    shown, view = page.shown, page.view
    if compute_form is None and page.may_compute:
        compute_form = AllocationComputeForm(
            initial={
                "method": shown.method if shown else Allocation.Method.WEBSTER,
                "tie_break": shown.tie_break
                if shown
                else quota_terms.TieRule.LARGER_ATTENDANCE_THEN_ORDER,
                "upper": view.upper if view else None,
            }
        )
    if adjust_form is None and page.may_adjust and shown is not None and view is not None:
        adjust_form = AllocationAdjustForm(
            initial={"lock_version": shown.lock_version},
            lines=[row.line for row in view.rows],
        )
    if review_form is None and page.may_review and shown is not None:
        review_form = AllocationReviewForm(initial={"lock_version": shown.lock_version})
    if withdraw_form is None and page.may_withdraw and shown is not None:
        withdraw_form = AllocationWithdrawForm(initial={"lock_version": shown.lock_version})
    return {
        **page.context(),
        "compute_form": compute_form,
        "adjust_form": adjust_form,
        "review_form": review_form,
        "withdraw_form": withdraw_form,
        "failed_decision": failed_decision,
        # Rows of the table with their inputs when the allocation is editable.
        "rows": [
            {
                "row": row,
                "seats_field": adjust_form[f"seats_{row.line.unit_id}"] if adjust_form else None,
                "reason_field": adjust_form[f"reason_{row.line.unit_id}"] if adjust_form else None,
                # The seats the user's page started from: a line they did
                # not touch takes another user's change on a stale save.
                "loaded": (loaded or {}).get(row.line.unit_id, row.line.seats),
                # The attendance now, where a correction changed it.
                "change": page.changed_by_unit.get(row.line.unit_id),
            }
            for row in (view.rows if view else [])
        ],
        "statuses": Allocation.Status,
        # What follows a submission or a decision, for the dialog its button opens.
        "confirmations": quota_terms.ALLOCATION_WORKFLOW.confirmations,
    }


class AllocationDetailView(AllocationMixin, TemplateView):
    template_name = "delegates/allocation_detail.html"

    def get_context_data(self, **kwargs):
        context = allocation_context(
            conference=self.conference,
            may_change=self.may_change,
            may_review=self.may_review,
            version=int_param(self.request.GET, "version"),
        )
        shown = context.get("shown")
        return super().get_context_data(
            **context,
            may_print=has_permission(self.request.user, Action.PRINT, self.conference.unit),
            # The shown version's history: its decisions and its lines' seats.
            audit_history=history_of(shown, self.request.user) if shown is not None else None,
            **kwargs,
        )


class AllocationActionView(AllocationMixin, TemplateView):
    """A POST that changes the allocation; a refused one re-renders the
    page (400) with the user's input and the message on its field."""

    http_method_names = ["post"]
    template_name = "delegates/allocation_detail.html"
    action = Action.CHANGE

    def post(self, request, *args, **kwargs):
        allowed = self.may_review if self.action == Action.REVIEW else self.may_change
        if not allowed:
            raise PermissionDenied
        return self.act()

    def act(self):
        raise NotImplementedError

    def render_page(self, *, version: int | None = None, status: int = 400, **forms):
        context = allocation_context(
            conference=self.conference,
            may_change=self.may_change,
            may_review=self.may_review,
            version=version,
            **forms,
        )
        return self.render_to_response(self.get_context_data(**context), status=status)


class AllocationComputeView(AllocationActionView):
    def act(self):
        form = AllocationComputeForm(self.request.POST)
        if form.is_valid():
            try:
                allocation = quota_services.compute_allocation(
                    actor=self.request.user,
                    conference=self.conference,
                    method=form.cleaned_data["method"],
                    tie_break=form.cleaned_data["tie_break"],
                    seed=form.cleaned_data["seed"],
                    upper=form.cleaned_data["upper"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    self.request,
                    _(
                        "Version %(version)s is computed: %(seats)s seats. Check it, adjust "
                        "it if needed, then submit it to the council."
                    )
                    % {"version": allocation.version, "seats": allocation.total_seats},
                )
                warning = quota_terms.official_warning(
                    allocation.computation.get("budget", {}).get("official", 0)
                )
                if warning:
                    messages.warning(self.request, warning)
                return redirect(self.page_url())
        return self.render_page(compute_form=form)


class AllocationAdjustView(AllocationActionView):
    def act(self):
        allocation = self.version()
        lines = list(quota_selectors.allocation_lines(allocation))
        form = AllocationAdjustForm(self.request.POST, lines=lines)
        if form.is_valid():
            try:
                quota_services.adjust_seats(
                    actor=self.request.user,
                    allocation=allocation,
                    seats=form.seats(),
                    reasons=form.reasons(),
                    expected_lock_version=form.cleaned_data["lock_version"],
                )
            except StaleEditError:
                return self.stale(allocation)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(self.request, _("The seats are saved."))
                return redirect(self.page_url(allocation.version))
        return self.render_page(
            version=allocation.version, adjust_form=form, loaded=self.loaded(lines)
        )

    def loaded(self, lines) -> dict[int, int]:
        """The seats the user's page started from (hidden ``was_<unit>``)."""
        result = {}
        for line in lines:
            was = int_param(self.request.POST, f"was_{line.unit_id}")
            result[line.unit_id] = line.seats if was is None else was
        return result

    def stale(self, allocation: Allocation):
        """Merge with the other user's change and keep what this user
        typed: a line they left as loaded takes the saved value, a line
        they changed keeps their input with the saved value shown beside
        it. Nothing is saved until they save again."""
        allocation.refresh_from_db(fields=["lock_version", "status"])
        messages.error(self.request, STALE_ADJUST_MESSAGE)
        lines = list(quota_selectors.allocation_lines(allocation))  # as saved now
        data = self.request.POST.copy()
        data["lock_version"] = str(allocation.lock_version)
        for line in lines:
            typed, was = data.get(f"seats_{line.unit_id}"), data.get(f"was_{line.unit_id}")
            if typed is not None and typed == was:
                data[f"seats_{line.unit_id}"] = str(line.seats)
                data[f"reason_{line.unit_id}"] = line.adjustment_reason
        form = AllocationAdjustForm(data, lines=lines)
        form.is_valid()
        return self.render_page(
            version=allocation.version,
            status=409,
            adjust_form=form,
            loaded={line.unit_id: line.seats for line in lines},
        )


class AllocationSubmitView(AllocationActionView):
    def act(self):
        allocation = self.version()
        form = AllocationLockForm(self.request.POST)
        if not form.is_valid():
            messages.error(self.request, STALE_MESSAGE)
            return redirect(self.page_url(allocation.version))
        try:
            quota_services.submit_allocation(
                actor=self.request.user,
                allocation=allocation,
                expected_lock_version=form.cleaned_data["lock_version"],
            )
        except StaleEditError:
            messages.error(self.request, STALE_MESSAGE)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
        else:
            messages.success(
                self.request,
                _("Version %(version)s is submitted to the council for review.")
                % {"version": allocation.version},
            )
        return redirect(self.page_url(allocation.version))


class AllocationWithdrawView(AllocationActionView):
    """The officer takes a submitted version back before the council decides."""

    def act(self):
        allocation = self.version()
        form = AllocationWithdrawForm(self.request.POST)
        if form.is_valid():
            try:
                quota_services.withdraw_allocation(
                    actor=self.request.user,
                    allocation=allocation,
                    reason=form.cleaned_data["reason"],
                    expected_lock_version=form.cleaned_data["lock_version"],
                )
            except StaleEditError:
                messages.error(self.request, STALE_MESSAGE)
                return redirect(self.page_url(allocation.version))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    self.request,
                    _(
                        "Version %(version)s is withdrawn from the council's review: it is a "
                        "draft again, to adjust and submit."
                    )
                    % {"version": allocation.version},
                )
                return redirect(self.page_url(allocation.version))
        return self.render_page(version=allocation.version, withdraw_form=form)


class AllocationReviewView(AllocationActionView):
    action = Action.REVIEW

    def act(self):
        allocation = self.version()
        form = AllocationReviewForm(self.request.POST)
        decision = self.request.POST.get("decision", "")
        if form.is_valid():
            try:
                quota_services.review_allocation(
                    actor=self.request.user,
                    allocation=allocation,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    expected_lock_version=form.cleaned_data["lock_version"],
                )
            except StaleEditError:
                messages.error(self.request, STALE_MESSAGE)
                return redirect(self.page_url(allocation.version))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    self.request,
                    _("Version %(version)s is approved: it now binds the elections.")
                    % {"version": allocation.version}
                    if decision == quota_terms.Decision.APPROVE
                    else _("Version %(version)s is returned to %(unit)s with your reason.")
                    % {"version": allocation.version, "unit": self.conference.unit.name},
                )
                if decision == quota_terms.Decision.APPROVE:
                    for excess in election_selectors.excess_of(allocation):
                        messages.warning(self.request, excess_message(excess))
                return redirect(self.page_url(allocation.version))
        return self.render_page(
            version=allocation.version, review_form=form, failed_decision=decision
        )


class AllocationListView(LoginRequiredMixin, ListView):
    """The allocations of the conferences the user may see: those awaiting
    the council's review by default, or all, or those of one status."""

    template_name = "delegates/allocation_list.html"
    context_object_name = "allocations"
    paginate_by = 50
    ALL = "all"
    # The tabs: the council reads "submitted" as what awaits it.
    TAB_LABELS = {Allocation.Status.SUBMITTED: gettext_lazy("Awaiting review")}

    def status(self) -> str:
        status = self.request.GET.get("status", Allocation.Status.SUBMITTED)
        return status if status in (*Allocation.Status.values, self.ALL) else self.ALL

    def get_queryset(self):
        status = self.status()
        return quota_selectors.allocations_for_review(
            self.request.user, status="" if status == self.ALL else status
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Out of date after a correction, read now for the rows of the page:
        # the versions still in play (the approved one, the newest one).
        page = list(context["allocations"])
        changes = quota_selectors.attendance_changes(
            [a for a in page if a.is_approved or a.version == a.newest_version]
        )
        for allocation in page:
            allocation.attendance_changes = changes.get(allocation.pk, [])
        context["allocations"] = page
        return self.with_counts(context)

    def with_counts(self, context):
        counts = dict(
            quota_selectors.allocations_for_review(self.request.user)
            .order_by()
            .values_list("status")
            .annotate(count=Count("pk"))
        )
        status = self.status()
        context.update(
            status=status,
            showing_all=status == self.ALL,
            awaiting_review=status == Allocation.Status.SUBMITTED,
            statuses=[
                (value, self.TAB_LABELS.get(value, label), counts.get(value, 0))
                for value, label in Allocation.Status.choices
            ],
            total=sum(counts.values()),
            may_review=Action.REVIEW in allowed_actions(self.request.user),
        )
        return context
