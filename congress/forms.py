"""Input validation only: the tier rules live in ``congress.rules`` and are
applied by the services, whose errors the views put back on these forms."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from units.models import Unit

from . import uploads
from .models import (
    CombinedWith,
    CommunicationActivity,
    Conference,
    ConferenceDocument,
    ConferenceLength,
    FieldOfWork,
    Paper,
)
from .services import CommunicationDetails, ConferenceDetails, PaperDetails, PlanDecision

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm"})


class ConferenceForm(forms.Form):
    """The details of a conference, for registering and changing it."""

    organiser = forms.ChoiceField(label=_("Organising unit and tier"))
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_WIDGET)
    venue = forms.CharField(label=_("Venue"), max_length=255)
    length = forms.ChoiceField(label=_("Length"), choices=ConferenceLength.choices)
    combined_with = forms.ChoiceField(
        label=_("Combined with"),
        choices=[("", _("Not combined")), *CombinedWith.choices],
        required=False,
        help_text=_("Grassroots conferences only."),
    )
    expected_attendance = forms.IntegerField(label=_("Expected attendance"), min_value=1)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisers=None, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisers is None:
            del self.fields["organiser"]
        else:
            self.fields["organiser"].choices = organisers
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *(["organiser"] if organisers is not None else []),
            Row(
                Column("date", css_class="col-md-4"),
                Column("start_time", css_class="col-md-3"),
                Column("length", css_class="col-md-5"),
            ),
            "venue",
            Row(
                Column("expected_attendance", css_class="col-md-4"),
                Column("combined_with", css_class="col-md-8"),
            ),
            "note",
            "version",
            Submit("save", submit_label or _("Save")),
        )

    def details(self) -> ConferenceDetails:
        data = self.cleaned_data
        return ConferenceDetails(
            date=data["date"],
            start_time=data["start_time"],
            venue=data["venue"].strip(),
            length=data["length"],
            combined_with=data["combined_with"],
            expected_attendance=data["expected_attendance"],
            note=data["note"].strip(),
        )

    @classmethod
    def initial_for(cls, conference: Conference) -> dict:
        return {
            "date": conference.date,
            "start_time": conference.start_time,
            "venue": conference.venue,
            "length": conference.length,
            "combined_with": conference.combined_with,
            "expected_attendance": conference.expected_attendance,
            "note": conference.note,
            "version": conference.version,
        }


class TransitionForm(forms.Form):
    """A move of a conference's status, with what that move needs."""

    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    held_on = forms.DateField(label=_("Held on"), widget=DATE_WIDGET, required=False)
    actual_attendance = forms.IntegerField(
        label=_("Actual attendance"), min_value=1, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


# -- Uploaded documents ------------------------------------------------------


class DocumentFileField(forms.FileField):
    """A PDF, DOC or DOCX file, checked by its content (``congress.uploads``);
    cleans to a ``CheckedUpload``, the only thing the services store."""

    default_error_messages = {
        "required": _("Choose a file to upload."),
        "missing": _("No file was received. Choose the file again."),
        "empty": _("The file is empty."),
        "invalid": _("No file was received. Choose the file again."),
    }

    widget = forms.FileInput  # nothing to clear: each upload is a new version

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("File (PDF, DOC or DOCX)"))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "accept": uploads.ACCEPT}

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return upload
        return uploads.check_upload(upload, max_bytes=settings.UPLOAD_MAX_BYTES)


# Django's Vietnamese catalogue leaves this one in English.
CHOICE_ERRORS = {"invalid_choice": _("Choose one of the options in the list.")}


def _upload_help() -> str:
    return _("PDF, DOC or DOCX, at most %(limit)s.") % {
        "limit": uploads.format_size(settings.UPLOAD_MAX_BYTES)
    }


class PlanUploadForm(forms.Form):
    """A new version of a unit's organisation plan."""

    file = DocumentFileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _upload_help()


class PlanReviewForm(forms.Form):
    """The council's decision on a filed plan; returning needs a reason."""

    decision = forms.ChoiceField(
        choices=PlanDecision.choices, widget=forms.HiddenInput, error_messages=CHOICE_ERRORS
    )
    reason = forms.CharField(
        label=_("Reason / remarks"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == PlanDecision.RETURN and not data.get("reason", "").strip():
            self.add_error("reason", _("Give the reason for returning the plan."))
        return data


class ConferenceDocumentForm(forms.Form):
    """A new version of a conference's summary report or minutes."""

    kind = forms.ChoiceField(
        label=_("Which document"),
        choices=ConferenceDocument.Kind.choices,
        error_messages=CHOICE_ERRORS,
    )
    file = DocumentFileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _upload_help()


# -- Papers and communication activities -------------------------------------


class PresenterUnitField(forms.ModelChoiceField):
    top_depth = 0  # the depth of the conference's unit

    def label_from_instance(self, obj):
        # Sister units share names ("Văn phòng"): say whose they are.
        if obj.depth > self.top_depth + 1 and obj.parent:
            return f"{obj.name} – {obj.parent.name}"
        return obj.name


class PaperForm(forms.Form):
    """A paper (tham luận): its title and who presents it."""

    title = forms.CharField(label=_("Title of the paper"), max_length=500)
    presenter_kind = forms.ChoiceField(
        label=_("Presented by"),
        choices=Paper.PresenterKind.choices,
        widget=forms.RadioSelect,
        initial=Paper.PresenterKind.COLLECTIVE,
        error_messages=CHOICE_ERRORS,
    )
    presenter_unit = PresenterUnitField(
        label=_("Collective, or the unit of the individual"),
        queryset=None,
        empty_label=_("— choose a unit —"),
        error_messages={"invalid_choice": _("Choose a unit from the list.")},
    )
    presenter_name = forms.CharField(
        label=_("Full name of the individual"),
        max_length=150,
        required=False,
        help_text=_("Only for a paper by an individual."),
    )
    field_of_work = forms.ChoiceField(
        label=_("Field of work"), choices=FieldOfWork.choices, error_messages=CHOICE_ERRORS
    )

    def __init__(self, *args, conference: Conference, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["presenter_unit"]
        field.queryset = (
            Unit.objects.subtree_of(conference.unit)
            .filter(is_active=True)
            .select_related("parent")
            .order_by("path")
        )
        field.top_depth = conference.unit.depth
        self.fields["presenter_name"].widget.attrs["autocomplete"] = "off"

    def clean(self):
        data = super().clean()
        if data.get("presenter_kind") == Paper.PresenterKind.INDIVIDUAL and not " ".join(
            data.get("presenter_name", "").split()
        ):
            self.add_error(
                "presenter_name", _("Enter the full name of the individual who presents.")
            )
        return data

    def details(self) -> PaperDetails:
        data = self.cleaned_data
        return PaperDetails(
            title=data["title"],
            presenter_kind=data["presenter_kind"],
            presenter_unit=data["presenter_unit"],
            field_of_work=data["field_of_work"],
            presenter_name=data["presenter_name"],
        )

    @classmethod
    def initial_for(cls, paper: Paper) -> dict:
        return {
            "title": paper.title,
            "presenter_kind": paper.presenter_kind,
            "presenter_unit": paper.presenter_unit_id,
            "presenter_name": paper.presenter_name,
            "field_of_work": paper.field_of_work,
        }


class PaperStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Paper.Status.choices, error_messages=CHOICE_ERRORS)


class PaperMoveForm(forms.Form):
    offset = forms.TypedChoiceField(choices=[("-1", "-1"), ("1", "1")], coerce=int)


class CommunicationActivityForm(forms.Form):
    """A communication activity: what, when, where."""

    kind = forms.ChoiceField(
        label=_("Kind of activity"),
        choices=CommunicationActivity.Kind.choices,
        error_messages=CHOICE_ERRORS,
    )
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    channel = forms.CharField(
        label=_("Channel"),
        max_length=255,
        help_text=_("For example: the sector's web portal, BHXH newspaper, the unit's hall."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def details(self) -> CommunicationDetails:
        data = self.cleaned_data
        return CommunicationDetails(
            kind=data["kind"],
            date=data["date"],
            channel=data["channel"],
            description=data["description"],
        )

    @classmethod
    def initial_for(cls, activity: CommunicationActivity) -> dict:
        return {
            "kind": activity.kind,
            "date": activity.date,
            "channel": activity.channel,
            "description": activity.description,
        }
