"""The forms of the people register: the filter of its list, a person, their
titles, the import of a workbook. Input validation only: the rules (the
CHANGE right, one record per person) are the services', whose errors the
views put back on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from congress.models import FieldOfWork
from delegates.models import CouncilRole, EmulationTitle, Gender, Rank
from units.forms import CleanForm
from units.unit_import import check_file_expansion

DATE_INPUT = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


def unit_label(unit) -> str:
    return f"{unit.name} ({unit.code})"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return unit_label(obj)


class PersonFilterForm(CleanForm):
    """Search and filters of the people list (and its export)."""

    STATUS_CHOICES = [("active", _("Active")), ("inactive", _("Deactivated")), ("all", _("All"))]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name, e.g. nguyen van an")}),
    )
    province = UnitChoiceField(
        label=_("Province / bloc"), required=False, queryset=None, empty_label=_("All")
    )
    unit = UnitChoiceField(label=_("Unit"), required=False, queryset=None, empty_label=_("All"))
    rank = forms.TypedChoiceField(
        label=_("Rank"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All")), *Rank.choices],
    )
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", _("All")), *Gender.choices]
    )
    title = forms.ChoiceField(
        label=_("Emulation title"),
        required=False,
        choices=[("", _("All")), *EmulationTitle.Title.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=STATUS_CHOICES, initial="active"
    )

    def __init__(self, *args, provinces, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces
        self.fields["unit"].queryset = units


class PersonForm(CleanForm):
    """A person's details; the rules (rights, duplicates, legacy text) are
    ``delegates.services.people.save_person``'s. Field names are its error keys."""

    unit = UnitChoiceField(label=_("Unit"), queryset=None)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "---------"), *Gender.choices])
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=DATE_INPUT, input_formats=["%d/%m/%Y"]
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        help_text=_("Enough when the date is not known."),
    )
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=64, initial="Kinh")
    position = forms.CharField(label=_("Position"), max_length=255, required=False)
    rank = forms.TypedChoiceField(
        label=_("Rank"), coerce=int, choices=Rank.choices, initial=Rank.STAFF
    )
    field_of_work = forms.ChoiceField(
        label=_("Field of work"), choices=FieldOfWork.choices, initial=FieldOfWork.OTHER
    )
    council_role = forms.ChoiceField(
        label=_("Role on the council"),
        required=False,
        choices=[("", _("Not on a council")), *CouncilRole.choices],
        help_text=_("The standing member is the standing vice-chair (Phó Chủ tịch Thường trực)."),
    )
    council_unit = UnitChoiceField(
        label=_("Whose council"),
        required=False,
        queryset=None,
        empty_label=_("Their own province (VSS for VSS and the HQ bloc)"),
    )
    handles_emulation = forms.BooleanField(
        label=_("In charge of emulation and reward work"), required=False
    )
    good_person_good_deed = forms.BooleanField(
        label=_("“Good person, good deed” exemplar"), required=False
    )
    good_solution = forms.BooleanField(label=_("Good work solution or new model"), required=False)
    works_directly = forms.BooleanField(label=_("Carries out the work directly"), required=False)
    exemplar_reason = forms.CharField(
        label=_("Exemplar with outstanding achievements: why"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Fill in to mark the person as an exemplar with outstanding achievements "
            "(a line of the official delegates' list); leave empty otherwise."
        ),
    )

    def __init__(self, *args, units, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["council_unit"].queryset = councils

    def clean(self):
        data = super().clean()
        if data.get("council_unit") is not None and not data.get("council_role"):
            self.add_error(
                "council_role", _("Choose the role on that council, or leave the council empty.")
            )
        if (
            not data.get("birth_date")
            and not data.get("birth_year")
            and not self.errors.get("birth_year")
        ):
            self.add_error(
                "birth_year", _("Enter the date of birth, or at least the year of birth.")
            )
        return data


class PersonTitlesForm(CleanForm):
    """The titles of a person as ticks "year:title" over the cycle's years."""

    titles = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        self.fields["titles"].choices = [
            (f"{year}:{value}", f"{label} {year}")
            for year in years
            for value, label in EmulationTitle.Title.choices
        ]

    def pairs(self) -> list[tuple[int, str]]:
        return [
            (int(year), title)
            for year, title in (tick.split(":") for tick in self.cleaned_data["titles"])
        ]


class PeopleImportForm(CleanForm):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        from django.conf import settings

        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choose an Excel file (.xlsx): use the template."))
        if file.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        # A zip bomb is refused before openpyxl decompresses anything.
        check_file_expansion(file)
        return file
