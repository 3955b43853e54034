"""The programme of a conference: its papers (tham luận) and its
communication activities. Whoever may change the conference's unit edits
them; everyone who sees the conference sees them on its page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from congress import policy, services
from congress.forms import (
    CommunicationActivityForm,
    PaperForm,
    PaperMoveForm,
    PaperStatusForm,
)
from congress.views.conferences import ConferenceScopedMixin
from units.permissions import Action, has_permission


class ConferenceChangeMixin(ConferenceScopedMixin):
    """The conference of the URL (404 outside the user's scope), which the
    user must be allowed to change (403 otherwise) and which is not closed."""

    anchor = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.conference = self.get_conference()
        if not has_permission(request.user, Action.CHANGE, self.conference.unit):
            raise PermissionDenied
        if not policy.may_change_records(request.user, self.conference):
            messages.warning(
                request, _("The conference is closed: its records can no longer change.")
            )
            return redirect(self.conference_url())
        return super().dispatch(request, *args, **kwargs)

    def conference_url(self) -> str:
        return f"{self.conference.get_absolute_url()}{self.anchor}"


class ItemFormView(ConferenceChangeMixin, FormView):
    """A form page for one paper or activity of the conference; a refused
    change comes back with the service's messages on the fields."""

    template_name = "congress/conference_item_form.html"
    title = ""
    submit_label = ""

    def save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            message = self.save(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(self.conference_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            conference=self.conference,
            title=self.title,
            submit_label=self.submit_label,
            cancel_url=self.conference_url(),
            **kwargs,
        )


class ItemDeleteView(ConferenceChangeMixin, TemplateView):
    """Asks before deleting; POST deletes."""

    template_name = "congress/conference_item_confirm_delete.html"

    def get_item(self):
        raise NotImplementedError

    def delete(self, item) -> str:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            conference=self.conference,
            item=self.get_item(),
            cancel_url=self.conference_url(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        try:
            message = self.delete(self.get_item())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, message)
        return redirect(self.conference_url())


# -- Papers ------------------------------------------------------------------


class PaperMixin:
    anchor = "#papers"

    def get_paper(self):
        return get_object_or_404(
            self.conference.papers.select_related("presenter_unit"), pk=self.kwargs["paper_pk"]
        )


class PaperCreateView(PaperMixin, ItemFormView):
    form_class = PaperForm

    @property
    def title(self):
        return _("Add a paper")

    @property
    def submit_label(self):
        return _("Add the paper")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "conference": self.conference}

    def save(self, form):
        paper = services.add_paper(
            actor=self.request.user, conference=self.conference, details=form.details()
        )
        return _("The paper “%(title)s” is added as proposed.") % {"title": paper.title}


class PaperEditView(PaperMixin, ItemFormView):
    form_class = PaperForm

    @property
    def title(self):
        return _("Change a paper")

    @property
    def submit_label(self):
        return _("Save")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "conference": self.conference}

    def get_initial(self):
        self.paper = self.get_paper()
        return PaperForm.initial_for(self.paper)

    def save(self, form):
        services.update_paper(actor=self.request.user, paper=self.paper, details=form.details())
        return _("The changes are saved.")


class PaperDeleteView(PaperMixin, ItemDeleteView):
    def get_item(self):
        return self.get_paper()

    def delete(self, item):
        services.delete_paper(actor=self.request.user, paper=item)
        return _("The paper “%(title)s” is removed.") % {"title": item.title}


class PaperStatusView(PaperMixin, ConferenceChangeMixin, View):
    """Select, unselect, mark as presented (buttons of the papers table)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        paper = self.get_paper()
        form = PaperStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Unknown action."))
            return redirect(self.conference_url())
        try:
            paper = services.set_paper_status(
                actor=request.user, paper=paper, status=form.cleaned_data["status"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The paper “%(title)s” is now “%(status)s”.")
                % {"title": paper.title, "status": paper.get_status_display()},
            )
        return redirect(self.conference_url())


class PaperMoveView(PaperMixin, ConferenceChangeMixin, View):
    """Move a paper up or down in the programme."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        paper = self.get_paper()
        form = PaperMoveForm(request.POST)
        if form.is_valid():
            services.move_paper(actor=request.user, paper=paper, offset=form.cleaned_data["offset"])
        return redirect(self.conference_url())


# -- Communication activities ------------------------------------------------


class ActivityMixin:
    anchor = "#communication"

    def get_activity(self):
        return get_object_or_404(
            self.conference.communication_activities, pk=self.kwargs["activity_pk"]
        )


class CommunicationCreateView(ActivityMixin, ItemFormView):
    form_class = CommunicationActivityForm

    @property
    def title(self):
        return _("Add a communication activity")

    @property
    def submit_label(self):
        return _("Add the activity")

    def save(self, form):
        services.add_communication_activity(
            actor=self.request.user, conference=self.conference, details=form.details()
        )
        return _("The communication activity is added.")


class CommunicationEditView(ActivityMixin, ItemFormView):
    form_class = CommunicationActivityForm

    @property
    def title(self):
        return _("Change a communication activity")

    @property
    def submit_label(self):
        return _("Save")

    def get_initial(self):
        self.activity = self.get_activity()
        return CommunicationActivityForm.initial_for(self.activity)

    def save(self, form):
        services.update_communication_activity(
            actor=self.request.user, activity=self.activity, details=form.details()
        )
        return _("The changes are saved.")


class CommunicationDeleteView(ActivityMixin, ItemDeleteView):
    def get_item(self):
        return self.get_activity()

    def delete(self, item):
        services.delete_communication_activity(actor=self.request.user, activity=item)
        return _("The communication activity is removed.")
