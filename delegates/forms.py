"""Input validation only: the rules (cap, once per person, the register
of the conference's units) are the services', whose errors the views put
back on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from congress.models import FieldOfWork
from units.forms import CleanForm
from units.unit_import import check_file_expansion

from .models import Category, CouncilRole, EmulationTitle, Gender, Rank


class NameSearchForm(CleanForm):
    """A name search box (``?q=``): refused when it holds control characters."""

    q = forms.CharField(required=False, strip=True)

    def query(self) -> str:
        """The text searched for: at most 100 characters, empty when refused."""
        return self.cleaned_data["q"][:100] if self.is_valid() else ""


# -- Delegates of a conference (guests, official delegates) -----------------


class GuestDelegateForm(CleanForm):
    """A guest, who may be outside the register: a name, a title and an
    organisation. Field names are those of ``add_delegate``'s errors."""

    guest_name = forms.CharField(label=_("Full name"), max_length=150)
    guest_title = forms.CharField(
        label=_("Title / position"),
        max_length=255,
        required=False,
        help_text=_("For example: Vice-chair of the provincial People's Committee."),
    )
    guest_organisation = forms.CharField(label=_("Organisation"), max_length=255, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class OfficialDelegateForm(CleanForm):
    """One person of the register chosen among the search results."""

    person = forms.TypedChoiceField(
        label=_("Person"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a person from the register.")},
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(person.pk, person.full_name) for person in people]


class SuggestionSelectionForm(CleanForm):
    """The suggested people the officer confirms."""

    people = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one person."),
            "invalid_choice": _(
                "The list changed meanwhile (someone was added or left the register): "
                "check the ticks again."
            ),
        },
    )

    def __init__(self, *args, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [
            (suggestion.person.pk, suggestion.person.full_name) for suggestion in suggestions
        ]


# -- Elections of delegates to the conference above ---------------------------


def parse_fraction(text: str):
    """ "1/2", "2/3" (or "0") as a Fraction; ``None`` if not a fraction."""
    import re
    from fractions import Fraction

    match = re.fullmatch(r"\s*(\d{1,4})\s*(?:/\s*(\d{1,4})\s*)?", text or "")
    if not match or match.group(2) == "0":
        return None
    return Fraction(int(match.group(1)), int(match.group(2) or 1))


class ElectionVotesForm(CleanForm):
    """The valid ballots, the threshold and one vote count per candidate
    (fields ``votes_<person id>``)."""

    valid_ballots = forms.IntegerField(label=_("Valid ballots"), min_value=1)
    threshold = forms.CharField(
        label=_("Elected with more than"),
        max_length=11,
        initial="1/2",
        help_text=_("of the valid ballots: a fraction such as 1/2 (the default) or 2/3."),
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        for candidate in candidates:
            self.fields[f"votes_{candidate.person_id}"] = forms.IntegerField(
                label=candidate.person.full_name, min_value=0
            )

    @staticmethod
    def initial_for(election, candidates) -> dict:
        return {
            "valid_ballots": election.valid_ballots or None,
            "threshold": f"{election.threshold_numerator}/{election.threshold_denominator}",
            "lock_version": election.lock_version,
            **{f"votes_{c.person_id}": c.votes for c in candidates},
        }

    def clean_threshold(self):
        threshold = parse_fraction(self.cleaned_data["threshold"])
        if threshold is None:
            raise forms.ValidationError(_("Enter a fraction such as 1/2 or 2/3."))
        if threshold >= 1:
            raise forms.ValidationError(_("The threshold must be less than 1, such as 1/2."))
        return threshold

    def clean(self):
        cleaned = super().clean()
        valid = cleaned.get("valid_ballots")
        if valid is not None:
            for name, value in list(cleaned.items()):
                if name.startswith("votes_") and value is not None and value > valid:
                    self.add_error(
                        name,
                        _("More votes (%(votes)s) than valid ballots (%(valid)s).")
                        % {"votes": value, "valid": valid},
                    )
        return cleaned

    def votes(self) -> dict[int, int]:
        return {
            int(name.removeprefix("votes_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("votes_")
        }


class ElectionPersonForm(CleanForm):
    """One person of the register (add or remove a candidate)."""

    person = forms.IntegerField(min_value=1)


# -- The people register --------------------------------------------------------

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
    ``delegates.people.save_person``'s. Field names are its error keys."""

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


class CompositionRulesForm(CleanForm):
    """A conference's own composition (the HQ bloc's, set by VSS); the rules
    are ``delegates.services.set_composition_rules``'."""

    TIER, CHOSEN = "tier", "chosen"
    COUNTED, NOT_COUNTED = "counted", "not_counted"

    categories = forms.MultipleChoiceField(
        label=_("Categories of delegates"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Keep at least one category of delegates.")},
    )
    lines_from = forms.ChoiceField(
        label=_("Official delegates"),
        widget=forms.RadioSelect,
        choices=[
            (TIER, _("The tier's list (that of a province's conference)")),
            (CHOSEN, _("Only the lines ticked below")),
        ],
        initial=TIER,
    )
    official_lines = forms.MultipleChoiceField(
        label=_("Lines of the official list that give a seat"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cap = forms.IntegerField(
        label=_("Maximum attendance"), required=False, min_value=1, max_value=100000
    )
    cap_counts_guests = forms.ChoiceField(
        label=_("Guests and the maximum"),
        required=False,
        choices=[
            ("", _("As the tier says")),
            (COUNTED, _("Counted")),
            (NOT_COUNTED, _("Not counted")),
        ],
    )

    def __init__(self, *args, lines, tier_cap=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["official_lines"].choices = lines
        if tier_cap is not None:
            self.fields["cap"].help_text = _("Empty: the tier's maximum (%(cap)s).") % {
                "cap": tier_cap
            }

    def clean(self):
        data = super().clean()
        if data.get("lines_from") == self.CHOSEN and not data.get("official_lines"):
            self.add_error("official_lines", _("Tick at least one line, or keep the tier's list."))
        return data

    def chosen_lines(self) -> list[str]:
        if self.cleaned_data["lines_from"] != self.CHOSEN:
            return []
        return list(self.cleaned_data["official_lines"])

    def counts_guests(self) -> bool | None:
        return {self.COUNTED: True, self.NOT_COUNTED: False}.get(
            self.cleaned_data.get("cap_counts_guests") or ""
        )


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


# -- Quota allocation ---------------------------------------------------------


class AllocationComputeForm(CleanForm):
    """How to compute a new version of a conference's allocation."""

    method = forms.ChoiceField(label=_("Method"), widget=forms.RadioSelect)
    tie_break = forms.ChoiceField(
        label=_("Tie rule"),
        help_text=_("Decides a seat only if units have exactly equal claims to it."),
    )
    seed = forms.IntegerField(
        label=_("Lot seed"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_(
            "Only for drawing lots: a whole number fixed (e.g. drawn in public) beforehand."
        ),
    )
    upper = forms.IntegerField(
        label=_("Maximum seats per unit (optional)"),
        required=False,
        min_value=1,
        max_value=10000,
        error_messages={"min_value": _("The maximum per unit must be at least 1.")},
    )

    def __init__(self, *args, **kwargs):
        from delegates.quota_terms import TieRule

        from .models import Allocation

        super().__init__(*args, **kwargs)
        self.fields["method"].choices = Allocation.Method.choices
        self.fields["method"].initial = Allocation.Method.WEBSTER
        self.fields["tie_break"].choices = [(rule.value, rule.label) for rule in TieRule]

    def clean(self):
        from delegates.quota_terms import TieRule

        data = super().clean()
        if data.get("tie_break") == TieRule.LOT and data.get("seed") is None:
            self.add_error("seed", _("Drawing lots needs a seed: a whole number fixed beforehand."))
        return data


class AllocationLockForm(CleanForm):
    """The version of the allocation the page showed (optimistic locking)."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AllocationAdjustForm(AllocationLockForm):
    """One seats input and one reason per unit; the total and the reasons
    are checked by ``adjust_seats``, whose errors come back on the fields
    ``seats_<unit id>`` / ``reason_<unit id>``."""

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_ids = []
        for line in lines:
            self.unit_ids.append(line.unit_id)
            self.fields[f"seats_{line.unit_id}"] = forms.IntegerField(
                label=_("Seats of %(unit)s") % {"unit": line.unit.name},
                min_value=1,
                max_value=100000,
                initial=line.seats,
                error_messages={
                    "required": _("Enter the seats."),
                    "invalid": _("Enter a whole number."),
                    "min_value": _("Every unit elects at least one delegate."),
                },
            )
            self.fields[f"reason_{line.unit_id}"] = forms.CharField(
                label=_("Reason for the adjustment of %(unit)s") % {"unit": line.unit.name},
                required=False,
                max_length=1000,
                initial=line.adjustment_reason,
            )

    def seats(self) -> dict[int, int]:
        return {pk: self.cleaned_data[f"seats_{pk}"] for pk in self.unit_ids}

    def reasons(self) -> dict[int, str]:
        return {pk: self.cleaned_data[f"reason_{pk}"] for pk in self.unit_ids}


class AllocationReviewForm(AllocationLockForm):
    """The council's decision; returning needs a reason."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("return", _("Return"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason / remarks"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("reason", "").strip():
            self.add_error("reason", _("Give the reason for returning the allocation."))
        return data
