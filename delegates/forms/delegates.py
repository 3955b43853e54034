"""The forms of a conference's delegates: a name search, a guest, an official
delegate, the suggestions kept, the conference's own composition rules.
Input validation only: the rules (cap, once per person, the register of
the conference's units) are the services', whose errors the views put back
on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from delegates.models import Category
from units.forms import CleanForm


class NameSearchForm(CleanForm):
    """A name search box (``?q=``): refused when it holds control characters."""

    q = forms.CharField(required=False, strip=True)

    def query(self) -> str:
        """The text searched for: at most 100 characters, empty when refused."""
        return self.cleaned_data["q"][:100] if self.is_valid() else ""


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


class CompositionRulesForm(CleanForm):
    """A conference's own composition (the HQ bloc's, set by VSS); the rules
    are ``delegates.services.delegates.set_composition_rules``'."""

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
