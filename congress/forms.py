"""Input validation only: the tier rules live in ``congress.rules`` and are
applied by the services, whose errors the views put back on these forms."""

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from units.forms import CleanForm
from units.models import Hierarchy, Unit, UnitKind

from . import rules, uploads
from .models import (
    CombinedWith,
    CommunicationActivity,
    Conference,
    ConferenceDocument,
    ConferenceLength,
    Cycle,
    FieldOfWork,
    Paper,
    Tier,
)
from .services import (
    CommunicationDetails,
    ConferenceDetails,
    CycleDetails,
    PaperDetails,
    PlanDecision,
    TierDetails,
)

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm"})


def asks_for_confirmation(error: ValidationError) -> bool:
    """Whether a service refused figures outside the plausible range that a
    reason would confirm (``rules.UNUSUAL``): the form then asks for one."""
    return any(
        item.code == rules.UNUSUAL
        for items in getattr(error, "error_dict", {}).values()
        for item in items
    )


def unusual_figures_reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Confirm, with the reason these figures are right"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_(
            "Figures outside the plausible range are saved only with a reason, "
            "and shown as confirmed unusual figures on the progress board."
        ),
    )


class ConferenceForm(CleanForm):
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
    unusual_figures_reason = unusual_figures_reason_field()
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisers=None, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisers is None:
            del self.fields["organiser"]
        else:
            self.fields["organiser"].choices = organisers
        self.organisers = organisers
        self.submit_label = submit_label
        # The confirmation is asked for once a figure was found unusual, or
        # shown while one is stored or typed.
        self.asks_reason = bool(
            self.initial.get("unusual_figures_reason")
            or (self.data.get("unusual_figures_reason") or "").strip()
        )
        self.helper = FormHelper()
        self._lay_out()

    def _lay_out(self) -> None:
        self.helper.layout = Layout(
            *(["organiser"] if self.organisers is not None else []),
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
            *(
                [
                    Div(
                        "unusual_figures_reason",
                        css_class="border border-warning rounded p-2 mb-3",
                        data_testid="confirm-unusual",
                    )
                ]
                if self.asks_reason
                else []
            ),
            "lock_version",
            Submit("save", self.submit_label or _("Save")),
        )

    def ask_for_reason(self) -> None:
        """Show the "confirm, with reason" field (a figure was unusual)."""
        self.asks_reason = True
        self._lay_out()

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
            unusual_figures_reason=data.get("unusual_figures_reason", ""),
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
            "unusual_figures_reason": conference.unusual_figures_reason,
            "lock_version": conference.lock_version,
        }


class TransitionForm(CleanForm):
    """A move of a conference's status, with what that move needs."""

    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    held_on = forms.DateField(label=_("Held on"), widget=DATE_WIDGET, required=False)
    actual_attendance = forms.IntegerField(
        label=_("Actual attendance"), min_value=1, required=False
    )
    unusual_figures_reason = unusual_figures_reason_field()
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class CorrectionForm(CleanForm):
    """A correction of a held conference's date and attendance, with why."""

    held_on = forms.DateField(label=_("Held on"), widget=DATE_WIDGET)
    actual_attendance = forms.IntegerField(label=_("Actual attendance"), min_value=1)
    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    unusual_figures_reason = unusual_figures_reason_field()
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, conference: Conference) -> dict:
        return {
            "held_on": conference.held_on,
            "actual_attendance": conference.actual_attendance,
            "lock_version": conference.lock_version,
        }


class ReasonForm(CleanForm):
    """A decision of the council that needs only its reason: accepting a
    conference before the pilot units, exempting a unit."""

    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ExemptionForm(ReasonForm):
    """The council exempts a unit from a tier: which unit, which tier."""

    unit = forms.IntegerField(widget=forms.HiddenInput)
    tier = forms.IntegerField(widget=forms.HiddenInput)


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


class PlanUploadForm(CleanForm):
    """A new version of a unit's organisation plan."""

    file = DocumentFileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _upload_help()


class PlanReviewForm(CleanForm):
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


class PlanWithdrawForm(CleanForm):
    """The unit takes its filed version back before the council decides."""

    reason = forms.CharField(
        label=_("Reason for withdrawing (required)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Give the reason for withdrawing the plan.")},
    )


class ConferenceDocumentForm(CleanForm):
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


class PaperForm(CleanForm):
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


class PaperStatusForm(CleanForm):
    status = forms.ChoiceField(choices=Paper.Status.choices, error_messages=CHOICE_ERRORS)


class PaperMoveForm(CleanForm):
    offset = forms.TypedChoiceField(choices=[("-1", "-1"), ("1", "1")], coerce=int)


class CommunicationActivityForm(CleanForm):
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


# -- Setting up cycles (administrators) ---------------------------------------

YEAR_BOUNDS = {"min_value": 1990, "max_value": 2100}


def _helper(*layout) -> FormHelper:
    """Fields only: the template holds the ``<form>``, the hidden
    fingerprint and the buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*layout)
    return helper


class CycleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.period}) · {obj.hierarchy}"


class CycleCreateForm(CleanForm):
    """A new cycle copied from another: what differs is typed, the rest
    (tiers, cap exceptions, pilots, targets) is copied."""

    source = CycleChoiceField(
        label=_("Copy from the cycle"),
        queryset=Cycle.objects.select_related("hierarchy").order_by("-period_start_year", "pk"),
        empty_label=None,
        help_text=_("Its tiers, maxima for particular units, pilot units and targets are copied."),
        error_messages=CHOICE_ERRORS,
    )
    hierarchy = forms.ModelChoiceField(
        label=_("Hierarchy of units"),
        queryset=Hierarchy.objects.order_by("-effective_from"),
        empty_label=None,
        help_text=_(
            "On another hierarchy, maxima and pilot units go to the units that "
            "took over from the source's units; those without a successor are listed "
            "after saving."
        ),
        error_messages=CHOICE_ERRORS,
    )
    number = forms.CharField(label=_("Number"), max_length=16, help_text=_("For example: VI."))
    name = forms.CharField(
        label=_("Name of the cycle"),
        max_length=255,
        widget=forms.TextInput(attrs={"placeholder": "Chu kỳ thi đua lần thứ VI"}),
    )
    congress_name = forms.CharField(
        label=_("Name of the Congress"),
        max_length=255,
        widget=forms.TextInput(
            attrs={"placeholder": "Đại hội Thi đua yêu nước ngành BHXH lần thứ VI"}
        ),
    )
    period_start_year = forms.IntegerField(label=_("Emulation period from (year)"), **YEAR_BOUNDS)
    period_end_year = forms.IntegerField(label=_("to (year)"), **YEAR_BOUNDS)
    shift_years = forms.IntegerField(
        label=_("Move the dates by (years)"),
        min_value=-50,
        max_value=50,
        initial=0,
        help_text=_(
            "Every tier's window and deadline move by this many years, keeping day and "
            "month (29/02 becomes 28/02). 0 keeps them."
        ),
    )
    is_demo = forms.BooleanField(
        label=_("Demonstration data"),
        required=False,
        help_text=_("Marked “demo” everywhere until the real guidance is entered."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Row(Column("source", css_class="col-md-7"), Column("hierarchy", css_class="col-md-5")),
            Row(Column("number", css_class="col-md-3"), Column("name", css_class="col-md-9")),
            "congress_name",
            Row(
                Column("period_start_year", css_class="col-md-3"),
                Column("period_end_year", css_class="col-md-3"),
                Column("shift_years", css_class="col-md-6"),
            ),
            "is_demo",
        )

    @classmethod
    def initial_for(cls, source: Cycle) -> dict:
        """The next five-year period, with the dates moved as far."""
        length = source.period_end_year - source.period_start_year + 1
        return {
            "source": source.pk,
            "hierarchy": source.hierarchy_id,
            "period_start_year": source.period_end_year + 1,
            "period_end_year": source.period_end_year + length,
            "shift_years": length,
        }


class CycleForm(CleanForm):
    """A cycle's own fields; which cycle is current is set on its own."""

    number = forms.CharField(label=_("Number"), max_length=16, help_text=_("For example: VI."))
    name = forms.CharField(label=_("Name of the cycle"), max_length=255)
    congress_name = forms.CharField(label=_("Name of the Congress"), max_length=255)
    period_start_year = forms.IntegerField(label=_("Emulation period from (year)"), **YEAR_BOUNDS)
    period_end_year = forms.IntegerField(label=_("to (year)"), **YEAR_BOUNDS)
    women_target_percent = forms.IntegerField(
        label=_("Target share of women delegates (%)"), min_value=0, max_value=100
    )
    minority_target_percent = forms.IntegerField(
        label=_("Target share of ethnic-minority delegates (%)"), min_value=0, max_value=100
    )
    hierarchy = forms.ModelChoiceField(
        label=_("Hierarchy of units"),
        queryset=Hierarchy.objects.order_by("-effective_from"),
        empty_label=None,
        help_text=_(
            "Changing it moves the maxima and pilot units to the units that took over from them."
        ),
        error_messages=CHOICE_ERRORS,
    )
    is_demo = forms.BooleanField(
        label=_("Demonstration data"),
        required=False,
        help_text=_("Marked “demo” everywhere until the real guidance is entered."),
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, hierarchy_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if hierarchy_locked:
            field = self.fields["hierarchy"]
            field.disabled = True
            field.help_text = _(
                "Conferences are registered on this hierarchy's units: it can no longer change."
            )
        self.helper = _helper(
            Row(Column("number", css_class="col-md-3"), Column("name", css_class="col-md-9")),
            "congress_name",
            Row(
                Column("period_start_year", css_class="col-md-3"),
                Column("period_end_year", css_class="col-md-3"),
                Column("women_target_percent", css_class="col-md-3"),
                Column("minority_target_percent", css_class="col-md-3"),
            ),
            "hierarchy",
            "is_demo",
        )

    def details(self) -> CycleDetails:
        data = self.cleaned_data
        return CycleDetails(
            number=data["number"],
            name=data["name"],
            congress_name=data["congress_name"],
            period_start_year=data["period_start_year"],
            period_end_year=data["period_end_year"],
            hierarchy=data["hierarchy"],
            women_target_percent=data["women_target_percent"],
            minority_target_percent=data["minority_target_percent"],
            is_demo=data["is_demo"],
        )

    @classmethod
    def initial_for(cls, cycle: Cycle, fingerprint: str) -> dict:
        return {
            "number": cycle.number,
            "name": cycle.name,
            "congress_name": cycle.congress_name,
            "period_start_year": cycle.period_start_year,
            "period_end_year": cycle.period_end_year,
            "women_target_percent": cycle.women_target_percent,
            "minority_target_percent": cycle.minority_target_percent,
            "hierarchy": cycle.hierarchy_id,
            "is_demo": cycle.is_demo,
            "fingerprint": fingerprint,
        }


class TierForm(CleanForm):
    """A tier's rules: who organises it, how long, when, how many attend."""

    # The service's field names that this form shows under another.
    SERVICE_FIELDS = {
        "allows_half_day": "lengths",
        "allows_full_day": "lengths",
        "may_combine_with_year_end_review": "combinable_with",
        "may_combine_with_staff_conference": "combinable_with",
    }

    name = forms.CharField(label=_("Name of the tier"), max_length=255)
    organiser_kinds = forms.MultipleChoiceField(
        label=_("Organised by"),
        choices=UnitKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one kind of unit that organises this tier."),
            "invalid_choice": _("Unknown kind of unit: %(value)s."),
        },
    )
    lengths = forms.MultipleChoiceField(
        label=_("Lengths allowed"),
        choices=ConferenceLength.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Allow at least one length: half a day or one day."),
            "invalid_choice": CHOICE_ERRORS["invalid_choice"],
        },
    )
    window_start = forms.DateField(label=_("Held from"), widget=DATE_WIDGET)
    deadline = forms.DateField(label=_("Must be held by"), widget=DATE_WIDGET)
    cap = forms.IntegerField(
        label=_("Maximum attendance"),
        min_value=1,
        required=False,
        help_text=_("Empty: all staff of the unit attend."),
    )
    cap_counts_guests = forms.BooleanField(
        label=_("Guests count towards the maximum"), required=False
    )
    combinable_with = forms.MultipleChoiceField(
        label=_("May be combined with"),
        choices=CombinedWith.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: the conference is held on its own."),
        error_messages=CHOICE_ERRORS,
    )
    papers_half_day = forms.IntegerField(
        label=_("Papers for half a day"), min_value=0, max_value=100
    )
    papers_full_day = forms.IntegerField(label=_("Papers for one day"), min_value=0, max_value=100)
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, kind_counts: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if kind_counts is not None:
            # How many units of each kind the hierarchy has: 0 says a kind is
            # gone there (districts after the 2025 reform).
            field = self.fields["organiser_kinds"]
            field.choices = [
                (kind, f"{label} ({kind_counts.get(kind, 0)})") for kind, label in UnitKind.choices
            ]
            field.help_text = _("In brackets: how many units of that kind the hierarchy has.")
        self.helper = _helper(
            "name",
            "organiser_kinds",
            Row(
                Column(InlineCheckboxes("lengths"), css_class="col-md-4"),
                Column("papers_half_day", css_class="col-md-4"),
                Column("papers_full_day", css_class="col-md-4"),
            ),
            Row(
                Column("window_start", css_class="col-md-4"),
                Column("deadline", css_class="col-md-4"),
            ),
            Row(
                Column("cap", css_class="col-md-4"),
                Column("cap_counts_guests", css_class="col-md-8 pt-md-4"),
            ),
            "combinable_with",
        )

    def details(self) -> TierDetails:
        data = self.cleaned_data
        return TierDetails(
            name=data["name"],
            organiser_kinds=tuple(data["organiser_kinds"]),
            window_start=data["window_start"],
            deadline=data["deadline"],
            allows_half_day=ConferenceLength.HALF_DAY in data["lengths"],
            allows_full_day=ConferenceLength.FULL_DAY in data["lengths"],
            cap=data["cap"],
            cap_counts_guests=data["cap_counts_guests"],
            may_combine_with_year_end_review=CombinedWith.YEAR_END_REVIEW
            in data["combinable_with"],
            may_combine_with_staff_conference=CombinedWith.STAFF_CONFERENCE
            in data["combinable_with"],
            papers_half_day=data["papers_half_day"],
            papers_full_day=data["papers_full_day"],
        )

    @classmethod
    def initial_for(cls, tier: Tier, fingerprint: str) -> dict:
        return {
            "name": tier.name,
            "organiser_kinds": list(tier.organiser_kinds),
            "lengths": [str(length) for length in tier.allowed_lengths],
            "window_start": tier.window_start,
            "deadline": tier.deadline,
            "cap": tier.cap,
            "cap_counts_guests": tier.cap_counts_guests,
            "combinable_with": [str(option) for option in tier.combinable_with],
            "papers_half_day": tier.papers_half_day,
            "papers_full_day": tier.papers_full_day,
            "fingerprint": fingerprint,
        }


class CapExceptionForm(CleanForm):
    """One unit allowed another maximum, typed by its code (a list of the
    tier's organisers is offered as the user types)."""

    code = forms.CharField(
        label=_("Unit code"),
        max_length=64,
        widget=forms.TextInput(attrs={"list": "organiser-codes", "autocomplete": "off"}),
    )
    cap = forms.IntegerField(label=_("Maximum attendance"), min_value=1)

    def clean_code(self) -> str:
        # "P79 BHXH TP. Hồ Chí Minh" pasted from a list: the code is the first word.
        return self.cleaned_data["code"].split()[0] if self.cleaned_data["code"].split() else ""


class BaseCapExceptionFormSet(forms.BaseFormSet):
    """The rows of a tier's cap exceptions; codes are looked up in the
    cycle's hierarchy in one query, each unit at most once."""

    def __init__(self, *args, hierarchy: Hierarchy, **kwargs):
        self.hierarchy = hierarchy
        super().__init__(*args, **kwargs)

    def _rows(self):
        return [
            form
            for form in self.forms
            if form.cleaned_data.get("code") and not self._should_delete_form(form)
        ]

    def clean(self):
        if any(self.errors):
            return
        rows = self._rows()
        codes = {form.cleaned_data["code"] for form in rows}
        units = {
            unit.code.upper(): unit
            for unit in Unit.objects.filter(
                hierarchy=self.hierarchy, code__in=codes | {code.upper() for code in codes}
            )
        }
        seen: set[int] = set()
        for form in rows:
            code = form.cleaned_data["code"]
            unit = units.get(code.upper())
            if unit is None:
                form.add_error(
                    "code",
                    _("No unit has the code %(code)s in %(hierarchy)s.")
                    % {"code": code, "hierarchy": self.hierarchy},
                )
            elif unit.pk in seen:
                form.add_error("code", _("%(unit)s is listed twice.") % {"unit": unit.name})
            else:
                seen.add(unit.pk)
                form.cleaned_data["unit"] = unit

    def exceptions(self) -> dict[Unit, int]:
        return {
            form.cleaned_data["unit"]: form.cleaned_data["cap"]
            for form in self._rows()
            if "unit" in form.cleaned_data
        }


CapExceptionFormSet = forms.formset_factory(
    CapExceptionForm, formset=BaseCapExceptionFormSet, extra=2, can_delete=True
)


class PilotUnitField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class PilotUnitsForm(CleanForm):
    """The cycle's pilot units (đơn vị điểm), among the units that organise
    the upper grassroots tier."""

    pilot_units = PilotUnitField(
        label=_("Pilot units"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("They hold their conferences first, so that others learn from them."),
        error_messages={"invalid_choice": _("Choose units from the list.")},
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilot_units"].queryset = units
        self.helper = _helper("pilot_units")
