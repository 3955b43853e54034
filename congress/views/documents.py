"""Stored documents: the organisation plans of tier-2 organisers and the
documents of a conference.

Uploads are checked by their content (``congress.uploads``) and stored
under a random name; a file is served only through ``serve_stored_file``
to a user who may view its unit, never from ``MEDIA_URL``.
"""

import logging

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from congress import selectors, services
from congress.forms import (
    ConferenceDocumentForm,
    PlanReviewForm,
    PlanUploadForm,
    PlanWithdrawForm,
)
from congress.models import ConferenceDocument, OrganisationPlan, StoredFile
from congress.views.conferences import ConferenceDetailView
from units.history import history_under
from units.params import choice_param
from units.permissions import Action, has_permission, visible_units

logger = logging.getLogger(__name__)


def serve_stored_file(document: StoredFile) -> FileResponse:
    """The file as a download under its original name and the content type
    found when it was checked; the caller has checked permission."""
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except FileNotFoundError:
        logger.error("Stored file %s of %r is missing.", document.file.name, document)
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# -- Conference documents ----------------------------------------------------


class ConferenceDocumentUploadView(ConferenceDetailView):
    """Upload a new version of a conference's summary report or minutes.

    A refused file re-renders the conference page with the message on the
    field and the chosen kind kept.
    """

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = conference = self.get_object()
        if not has_permission(request.user, Action.CHANGE, conference.unit):
            raise PermissionDenied
        form = ConferenceDocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = services.upload_conference_document(
                    actor=request.user,
                    conference=conference,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("“%(name)s” is uploaded (version %(version)s).")
                    % {"name": document.original_name, "version": document.version},
                )
                return redirect(f"{conference.get_absolute_url()}#documents")
        return self.render_to_response(self.get_context_data(document_form=form), status=400)


class ConferenceDocumentDownloadView(LoginRequiredMixin, View):
    """A conference document, to those who may view the conference's unit
    (404 to anyone else: its existence is not told)."""

    def get(self, request, pk, document_pk):
        document = get_object_or_404(
            ConferenceDocument.objects.select_related("conference__unit"),
            pk=document_pk,
            conference_id=pk,
        )
        if not has_permission(request.user, Action.VIEW, document.conference.unit):
            raise Http404
        return serve_stored_file(document)


# -- Organisation plans ------------------------------------------------------


class PlanListView(LoginRequiredMixin, TemplateView):
    """Every tier-2 organiser the user may see with its latest plan's
    status, "not filed" included; filterable by status."""

    template_name = "congress/plan_list.html"

    def get_context_data(self, **kwargs):
        status = choice_param(
            self.request.GET, "status", [*OrganisationPlan.Status.values, selectors.NOT_FILED]
        )
        board = selectors.plan_board(user=self.request.user, status=status)
        labels = dict(OrganisationPlan.Status.choices)
        return super().get_context_data(
            board=board,
            status=status if status in board.counts else "",
            statuses=[
                (key, labels.get(key, _("Not filed")), count) for key, count in board.counts.items()
            ],
            total=sum(board.counts.values()),
            **kwargs,
        )


class PlanUnitView(LoginRequiredMixin, TemplateView):
    """One organiser's plan: every version with its review, the upload form
    for whoever may change the unit, accept/return for the council.

    A unit outside the user's scope, or one that files no plan, is a 404.
    """

    template_name = "congress/plan_unit.html"

    def load_unit(self):
        self.unit = get_object_or_404(
            visible_units(self.request.user).select_related("parent"), pk=self.kwargs["unit_pk"]
        )
        cycle = selectors.cycle_for_user(self.request.user)
        self.tier = selectors.plan_tier_for(self.unit, cycle) if cycle is not None else None
        if self.tier is None:
            raise Http404
        return self.unit

    def get(self, request, *args, **kwargs):
        self.load_unit()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        plans = list(selectors.unit_plans(unit=self.unit, tier=self.tier))
        latest = plans[0] if plans else None
        for plan in plans:
            # An older version still awaiting review was superseded unreviewed.
            plan.superseded = plan is not latest and plan.is_submitted
        may_upload = has_permission(user, Action.CHANGE, self.unit)
        may_review = latest is not None and bool(services.plan_reviews(user=user, plan=latest))
        may_withdraw = latest is not None and any(
            move.name == "withdraw"
            for move in services.PLAN_WORKFLOW.available(latest, user=user, unit=self.unit)
        )
        kwargs.setdefault("upload_form", PlanUploadForm() if may_upload else None)
        kwargs.setdefault("review_form", PlanReviewForm() if may_review else None)
        kwargs.setdefault("withdraw_form", PlanWithdrawForm() if may_withdraw else None)
        return super().get_context_data(
            unit=self.unit,
            tier=self.tier,
            plans=plans,
            latest=latest,
            returned=selectors.plan_return_notice(latest),
            may_upload=may_upload,
            may_review=may_review,
            may_withdraw=may_withdraw,
            confirmations=services.PLAN_WORKFLOW.confirmations,
            failed_decision=kwargs.pop("failed_decision", ""),
            audit_history=history_under(self.unit, user, kind=OrganisationPlan),
            **kwargs,
        )

    def url(self, anchor: str = "") -> str:
        return reverse("plans:plan_unit", args=[self.unit.pk]) + anchor


class PlanUploadView(PlanUnitView):
    """Upload a new version of the unit's plan (those who may change it)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        unit = self.load_unit()
        if not has_permission(request.user, Action.CHANGE, unit):
            raise PermissionDenied
        form = PlanUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                plan = services.upload_organisation_plan(
                    actor=request.user, unit=unit, upload=form.cleaned_data["file"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(
                        "Version %(version)s of the organisation plan is filed; "
                        "it now waits for the council's review."
                    )
                    % {"version": plan.version},
                )
                return redirect(self.url())
        return self.render_to_response(self.get_context_data(upload_form=form), status=400)


class PlanReviewView(PlanUnitView):
    """The council accepts the latest plan or returns it with a reason."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        unit = self.load_unit()
        plan = get_object_or_404(OrganisationPlan, pk=self.kwargs["pk"], unit=unit)
        if not has_permission(request.user, Action.REVIEW, unit):
            raise PermissionDenied
        form = PlanReviewForm(request.POST)
        if form.is_valid():
            try:
                services.review_organisation_plan(
                    actor=request.user,
                    plan=plan,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("The plan is accepted.")
                    if form.cleaned_data["decision"] == services.PlanDecision.ACCEPT
                    else _("The plan is returned to %(unit)s with your reason.")
                    % {"unit": unit.name},
                )
                return redirect(self.url())
        context = self.get_context_data(
            review_form=form, failed_decision=request.POST.get("decision", "")
        )
        return self.render_to_response(context, status=400)


class PlanWithdrawView(PlanUnitView):
    """The unit takes its latest filed version back, with a reason, while
    the council has not decided on it."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        unit = self.load_unit()
        plan = get_object_or_404(OrganisationPlan, pk=self.kwargs["pk"], unit=unit)
        if not has_permission(request.user, Action.CHANGE, unit):
            raise PermissionDenied
        form = PlanWithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.withdraw_organisation_plan(
                    actor=request.user, plan=plan, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(
                        "Version %(version)s is withdrawn: the council will not review it. "
                        "Upload a new version when it is ready."
                    )
                    % {"version": plan.version},
                )
                return redirect(self.url())
        return self.render_to_response(self.get_context_data(withdraw_form=form), status=400)


class PlanDownloadView(LoginRequiredMixin, View):
    """One version of a plan, to those who may view its unit (404 else)."""

    def get(self, request, unit_pk, pk):
        plan = get_object_or_404(OrganisationPlan.objects.select_related("unit"), pk=pk)
        if plan.unit_id != unit_pk or not has_permission(request.user, Action.VIEW, plan.unit):
            raise Http404
        return serve_stored_file(plan)
