"""Pages of the documents: ask for one, watch it being prepared, download
it, and the list of one's recent documents; a table downloaded at once.

A job and its file belong to whoever asked for it, and only while they may
still see the unit the document shows; anybody else gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, ListView

from congress.selectors import cycle_for_user
from units.navigation import posted_return_path, return_path
from units.permissions import Action, has_permission

from . import services, settle
from .models import DocumentJob
from .registry import exporters

# Fields of the request form that are not the document's parameters.
FORM_FIELDS = frozenset({"csrfmiddlewaretoken", "exporter", "next"})
RECENT_JOBS = 30
NOT_HANDED_OVER = _(
    "The task server cannot be reached just now. Your request is kept: it is sent "
    "again automatically within a few minutes, and the document will be in your list."
)


class DocumentRequestView(LoginRequiredMixin, View):
    """POST ``exporter`` and the document's parameters: records the job and
    goes to its page, which shows the progress."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        params = {name: request.POST.get(name) for name in request.POST if name not in FORM_FIELDS}
        try:
            job = services.request_document(
                user=request.user, exporter_id=request.POST.get("exporter", ""), params=params
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(back_url(request))
        job.refresh_from_db(fields=["status", "dispatched_at"])
        if not job.is_finished and job.dispatched_at is None:
            messages.warning(request, NOT_HANDED_OVER)
        return redirect("reports:job_detail", pk=job.pk)


def back_url(request) -> str:
    """Where a refused request goes back to: the page it came from."""
    referrer = return_path(request, request.headers.get("referer"), fallback="/")
    return posted_return_path(request, fallback=referrer)


class DocumentDownloadView(LoginRequiredMixin, View):
    """GET ``/documents/<exporter>/download/?<params>``: a table document
    (.xlsx) rendered at once, in the request, after the very checks of a
    job (``Exporter.target``: 404 / 403, or back to the page with the
    form's messages). The old addresses of the in-request exports are this
    view with their exporter fixed (``exporter``), URL arguments named as
    parameters (``url_params``: keyword → parameter) and the page's filters
    read as the page reads them (``as_shown``), so that bookmarks keep
    giving the table they gave."""

    http_method_names = ["get"]
    exporter = ""
    url_params: dict[str, str] = {}
    as_shown = False

    def get(self, request, *args, **kwargs):
        exporter_id = self.exporter or kwargs.get("exporter", "")
        params = {name: request.GET.get(name) for name in request.GET if name not in FORM_FIELDS}
        params.update({param: str(kwargs[name]) for name, param in self.url_params.items()})
        try:
            filename, mimetype, data = services.download_document(
                user=request.user, exporter_id=exporter_id, params=params, as_shown=self.as_shown
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(back_url(request))
        response = HttpResponse(data, content_type=mimetype)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class OwnJobMixin(LoginRequiredMixin):
    """The job of the URL, if it is the user's and they may still see its
    unit."""

    def get_object(self, queryset=None) -> DocumentJob:
        job = get_object_or_404(
            DocumentJob.objects.select_related("unit", "result"),
            pk=self.kwargs["pk"],
            requested_by=self.request.user,
        )
        if not has_permission(self.request.user, Action.VIEW, job.unit):
            raise Http404
        return settle.settle_if_due(job)


class DocumentJobDetailView(OwnJobMixin, DetailView):
    template_name = "reports/job_detail.html"
    context_object_name = "job"

    def get_template_names(self) -> list[str]:
        if self.request.GET.get("fragment"):
            return ["reports/_job_status.html"]
        return [self.template_name]


class DocumentJobDownloadView(OwnJobMixin, View):
    def get(self, request, *args, **kwargs):
        job = self.get_object()
        if job.status != DocumentJob.Status.DONE or job.result is None:
            raise Http404
        result = job.result
        try:
            handle = result.file.storage.open(result.file.name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=request.GET.get("inline") != "1",
            filename=result.filename,
            content_type=result.mimetype,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class DocumentJobListView(LoginRequiredMixin, ListView):
    """The user's recent documents, newest first."""

    template_name = "reports/job_list.html"
    context_object_name = "jobs"

    def get_queryset(self):
        return DocumentJob.objects.filter(
            requested_by=self.request.user, cycle=cycle_for_user(self.request.user)
        ).select_related("result")[:RECENT_JOBS]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        known = exporters()
        for job in context["jobs"]:
            exporter = known.get(job.exporter)
            job.kind = exporter.verbose_name if exporter else job.exporter
        context["polling"] = any(not job.is_finished for job in context["jobs"])
        return context
