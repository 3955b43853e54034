"""Input validation only: the tier rules live in ``congress.rules`` and are
applied by the services, whose errors the views put back on these forms."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CombinedWith, Conference, ConferenceLength
from .services import ConferenceDetails

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
