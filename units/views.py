from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from . import notifications, selectors
from .forms import (
    AuditLogForm,
    NoticeSettingsForm,
    QueuedPasswordResetForm,
    UnitFilterForm,
    UnitImportForm,
)
from .hierarchy_services import export_units, import_template, import_units
from .history import history_of, may_search_log, rows_of, search_log
from .models import Hierarchy
from .navigation import return_path
from .params import int_param
from .permissions import (
    Action,
    allowed_actions,
    has_permission,
    may_configure,
    visible_units,
    working_hierarchy_id,
)
from .text import fold
from .unit_import import COLUMNS
from .workbooks import XLSX


class UnitListView(LoginRequiredMixin, ListView):
    """Searchable, paginated list of the units the user may see."""

    template_name = "units/unit_list.html"
    context_object_name = "units"
    paginate_by = 50

    def get_queryset(self):
        self.form = UnitFilterForm(
            self.request.GET or None, provinces=selectors.visible_provinces(self.request.user)
        )
        filters = self.form.cleaned_data if self.form.is_valid() else {}
        return selectors.unit_list(
            user=self.request.user,
            query=filters.get("q", ""),
            kind=filters.get("kind", ""),
            province=filters.get("province"),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            form=self.form, may_configure=may_configure(self.request.user), **kwargs
        )


class UnitTreeView(LoginRequiredMixin, TemplateView):
    """The visible subtree as a tree with headcount totals."""

    template_name = "units/unit_tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["roots"] = roots = selectors.unit_tree(user=self.request.user)
        context["has_demo"] = any(root.demo_headcounts for root in roots)
        context["may_configure"] = may_configure(self.request.user)
        return context


class ClusterListView(LoginRequiredMixin, TemplateView):
    """The emulation clusters (cụm thi đua) of the hierarchy one works in;
    administrators edit them in the administration site."""

    template_name = "units/cluster_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            clusters=selectors.clusters_of(self.request.user),
            may_configure=may_configure(self.request.user),
            **kwargs,
        )


class UnitDetailView(LoginRequiredMixin, DetailView):
    """One unit, its place in the tree, its direct children, and the units
    it took over from the previous hierarchy (or that took it over).

    A unit outside the user's scope is a 404: its existence is not told.
    The project's URLconf serves the conference app's extension of it,
    which adds the unit's conferences.
    """

    template_name = "units/unit_detail.html"
    context_object_name = "unit"

    def get_object(self, queryset=None):
        return get_object_or_404(
            visible_units(self.request.user).select_related("parent", "hierarchy"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        user = self.request.user
        context.update(
            ancestors=[
                a for a in selectors.ancestors_of(unit) if has_permission(user, Action.VIEW, a)
            ],
            children=unit.children.order_by("position", "name_key"),
            totals=selectors.subtree_totals(unit),
            may_change=has_permission(user, Action.CHANGE, unit),
            predecessors=selectors.predecessors_of(unit),
            clusters=unit.clusters.order_by("position"),
            successors=selectors.successors_of(unit),
            audit_history=history_of(unit, user),
        )
        return context


class AuditLogView(LoginRequiredMixin, ListView):
    """The searchable audit trail: by unit, user, kind of record and period,
    newest first, as far as the reader's scope goes (``units.history``):
    the whole country for the council and the administrators, their
    subtree for the others."""

    template_name = "units/audit_log.html"
    context_object_name = "entries"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_search_log(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        self.form = AuditLogForm(self.request.GET or None, user=self.request.user)
        return search_log(self.request.user, **self.form.filters())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(form=self.form, **kwargs)
        context["rows"] = rows_of(context["page_obj"].object_list)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["export_query"] = query.urlencode()
        return context


# --- Excel: import (administrators) and export ----------------------------------


def _xlsx_response(content: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    filename = f"{slugify(fold(stem))}-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ConfigureRequiredMixin(LoginRequiredMixin):
    """Administrators only (``may_configure``); anyone else signed in gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_configure(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UnitImportView(ConfigureRequiredMixin, FormView):
    """Upload a filled template into a hierarchy: every row saved, or none
    and every error listed by row and column."""

    template_name = "units/unit_import.html"
    form_class = UnitImportForm

    def get_initial(self):
        return {"hierarchy": working_hierarchy_id(self.request.user)}

    def form_valid(self, form):
        hierarchy = form.cleaned_data["hierarchy"]
        result = import_units(
            actor=self.request.user, hierarchy=hierarchy, file=form.cleaned_data["file"]
        )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                result=result,
                imported_into=hierarchy,
                file_name=form.cleaned_data["file"].name,
            ),
            status=200 if result.ok else 400,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            headers=[header for _key, header, _width in COLUMNS],
            hierarchies=Hierarchy.objects.select_related("predecessor").order_by("-effective_from"),
            **kwargs,
        )


class UnitTemplateView(ConfigureRequiredMixin, View):
    """The empty import file of ``?hierarchy=`` (default: the working one),
    listing its units' codes and the previous hierarchy's."""

    def get(self, request, *args, **kwargs):
        hierarchy = _hierarchy_of(request, default=working_hierarchy_id(request.user))
        return _xlsx_response(import_template(hierarchy=hierarchy), f"mau-don-vi {hierarchy}")


class UnitExportView(LoginRequiredMixin, View):
    """The units the user may see, in the import's columns: those of the
    hierarchy they work in, or, for administrators, of ``?hierarchy=``."""

    def get(self, request, *args, **kwargs):
        user = request.user
        if Action.VIEW not in allowed_actions(user):
            raise PermissionDenied
        working = working_hierarchy_id(user)
        if may_configure(user):
            hierarchy = _hierarchy_of(request, default=working)
            content = export_units(hierarchy=hierarchy)
        else:
            # Another hierarchy than the one the user works in is not theirs to see.
            hierarchy = _hierarchy_of(request, default=working, only=working)
            content = export_units(hierarchy=hierarchy, units=visible_units(user))
        return _xlsx_response(content, f"don-vi {hierarchy}")


def _hierarchy_of(request, *, default: int | None, only: int | None = None) -> Hierarchy:
    value = int_param(request.GET, "hierarchy")
    pk = default if value is None else value
    if pk is None or (only is not None and pk != only):
        raise Http404
    return get_object_or_404(Hierarchy, pk=pk)


def duration_in_words(delta: timedelta) -> str:
    """A cool-off time as people say it ("30 phút", "1 giờ 30 phút"), not
    the ISO 8601 ("PT30M") django-axes gives its template."""
    minutes = max(1, round(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if minutes:
        parts.append(
            ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
        )
    return " ".join(parts)


def locked_out(request, original_response=None, credentials=None):
    """The page of a locked-out login (``AXES_LOCKOUT_CALLABLE``): the
    template of django-axes, with the cool-off time in words."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request) or settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_time": duration_in_words(cool_off),
    }
    return render(
        request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page with the mail queued for any address
    (``QueuedPasswordResetForm``); when the task server cannot be reached
    the page says so and asks to try again, rather than answering 500 or
    pretending a mail is on its way."""

    form_class = QueuedPasswordResetForm

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.queued is False:
            form.add_error(
                None,
                _(
                    "The mail could not be sent just now (the task server cannot be reached). "
                    "Try again in a few minutes."
                ),
            )
            return self.form_invalid(form)
        return response


# -- The user's notices ---------------------------------------------------------


class NotificationListView(LoginRequiredMixin, ListView):
    """The signed-in user's notices, newest first, with "mark all read" and
    the e-mail setting; nobody sees another user's."""

    template_name = "units/notification_list.html"
    context_object_name = "notices"
    paginate_by = 25

    def get_queryset(self):
        return notifications.notices_of(self.request.user)

    def get_context_data(self, **kwargs):
        kwargs.setdefault(
            "settings_form",
            NoticeSettingsForm(initial={"wants_mail": self.request.user.wants_mail}),
        )
        return super().get_context_data(**kwargs)


class NotificationOpenView(LoginRequiredMixin, View):
    """Open a notice (POST, from the list): marked read, then its object's
    page. Another user's notice is a 404."""

    http_method_names = ["post"]

    def post(self, request, pk):
        notice = get_object_or_404(notifications.notices_of(request.user), pk=pk)
        url = notifications.open_notice(actor=request.user, notice=notice)
        fallback = reverse("notifications:notification_list")
        return redirect(return_path(request, url, fallback=fallback))


class NotificationReadAllView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        count = notifications.mark_all_read(actor=request.user)
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)s notice marked as read.", "%(count)s notices marked as read.", count
                )
                % {"count": count},
            )
        return redirect("notifications:notification_list")


class NotificationSettingsView(LoginRequiredMixin, View):
    """Turn the e-mails of one's notices on or off."""

    http_method_names = ["post"]

    def post(self, request):
        form = NoticeSettingsForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The setting could not be read; nothing was changed."))
            return redirect("notifications:notification_list")
        wants_mail = form.cleaned_data["wants_mail"]
        notifications.set_mail_preference(actor=request.user, wants_mail=wants_mail)
        messages.success(
            request,
            _("Your notices will also be sent by e-mail.")
            if wants_mail
            else _("Your notices will no longer be sent by e-mail; they stay listed here."),
        )
        return redirect("notifications:notification_list")
