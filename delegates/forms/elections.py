"""The forms of an election: its candidates and its votes. Input validation
only: the rules (the quota, the threshold, the draft state) are the
services', whose errors the views put back on these forms."""

from django import forms
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from delegates.models import EmulationTitle, Gender
from delegates.selectors.candidate_picker import (
    ANY_TITLE,
    PICKER_MARKS,
    PickerFilters,
    badge_labels,
)
from units.forms import CleanForm


def parse_fraction(text: str):
    """ "1/2", "2/3" (or "0") as a Fraction; ``None`` if not a fraction."""
    import re
    from fractions import Fraction

    match = re.fullmatch(r"\s*(\d{1,4})\s*(?:/\s*(\d{1,4})\s*)?", text or "")
    if not match or match.group(2) == "0":
        return None
    return Fraction(int(match.group(1)), int(match.group(2) or 1))


class ElectionVotesForm(CleanForm):
    """A round's ballots and minutes, the threshold (round 1) and one vote
    count per candidate of the round (fields ``votes_<person id>``).
    Whether the ballots' figures agree (none issued above those present…)
    is the service's rule (``election_count.check_ballots``)."""

    summoned = forms.IntegerField(label=_("Delegates summoned"), min_value=0, required=False)
    present = forms.IntegerField(label=_("Delegates present"), min_value=0, required=False)
    # Left blank: returned = valid + invalid, issued = returned.
    ballots_issued = forms.IntegerField(label=_("Ballots issued"), min_value=0, required=False)
    ballots_returned = forms.IntegerField(label=_("Ballots returned"), min_value=0, required=False)
    valid_ballots = forms.IntegerField(label=_("Valid ballots"), min_value=1)
    invalid_ballots = forms.IntegerField(
        label=_("Invalid ballots"), min_value=0, required=False, initial=0
    )
    committee = forms.CharField(
        label=_("Vote-counting committee"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One member a line, with their role: “Nguyễn Văn An - Trưởng ban”."),
    )
    count_ended_at = forms.DateTimeField(
        label=_("Count ended at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )
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
    def initial_for(election, round_, candidates, *, voters=None) -> dict:
        """What the form shows of ``round_`` as recorded; before its first
        record, who is summoned and present from the check-in if it was
        used, else from the conference's attendance."""
        votes = {entry.candidate_id: entry.votes for entry in round_.entries.all()}
        conference = election.conference
        summoned, present = round_.summoned, round_.present
        if voters is not None and voters.from_check_in:
            summoned, present = voters.summoned, voters.present
        elif not round_.is_recorded:
            summoned = summoned or conference.expected_attendance
            present = present or conference.actual_attendance
        ended = timezone.localtime(round_.count_ended_at) if round_.count_ended_at else None
        return {
            "summoned": summoned,
            "present": present,
            "ballots_issued": round_.ballots_issued if round_.is_recorded else None,
            "ballots_returned": round_.ballots_returned if round_.is_recorded else None,
            "valid_ballots": round_.valid_ballots or None,
            "invalid_ballots": round_.invalid_ballots,
            "committee": round_.committee,
            "count_ended_at": ended.strftime("%Y-%m-%dT%H:%M") if ended else "",
            "threshold": f"{election.threshold_numerator}/{election.threshold_denominator}",
            "lock_version": election.lock_version,
            **{f"votes_{c.person_id}": votes.get(c.pk, 0) for c in candidates},
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


class ReplacementForm(CleanForm):
    """Who of the elected cannot attend, and why (the substitute is the
    next in line: the service decides, never the form)."""

    person = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why the delegate cannot attend"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    lock_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


SMALL_SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})
ETHNICITIES = {"minority": True, "kinh": False}


class CandidatePickerForm(CleanForm):
    """The filters of the candidate picker, read from the query string (and
    from the add and remove buttons' posts, to come back to them). Each
    field stands alone: a value it refuses (not one of its choices, a
    control character, a unit outside the register's subtree) filters
    nothing, and the other filters still apply."""

    FIELDS = ("q", "gender", "ethnicity", "mark", "title", "unit")

    q = forms.CharField(
        label=_("Name"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control form-control-sm",
                "placeholder": _("Name, with or without diacritics"),
                "maxlength": 100,
            }
        ),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=[("", _("All")), *Gender.choices],
        widget=SMALL_SELECT,
    )
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"),
        required=False,
        choices=[("", _("All")), ("minority", _("Ethnic minorities")), ("kinh", _("Kinh"))],
        widget=SMALL_SELECT,
    )
    mark = forms.MultipleChoiceField(
        label=_("Exemplar marks"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    title = forms.ChoiceField(label=_("Emulation title"), required=False, widget=SMALL_SELECT)
    unit = forms.ChoiceField(label=_("Unit"), required=False, widget=SMALL_SELECT)

    def __init__(self, data, *, units, years: range):
        super().__init__(data)
        self.units = {str(unit.pk): unit for unit in units}
        marks = badge_labels()
        self.fields["mark"].choices = [(mark, marks[mark]) for mark in PICKER_MARKS]
        if years:
            self.fields["title"].label = _("Title (%(first)s–%(last)s)") % {
                "first": years[0],
                "last": years[-1],
            }
        self.fields["title"].choices = [
            ("", _("All")),
            (ANY_TITLE, _("Any title")),
            *EmulationTitle.Title.choices,
        ]
        self.fields["unit"].choices = [
            ("", _("All units")),
            *((key, unit.name) for key, unit in self.units.items()),
        ]
        self.is_valid()

    @property
    def offers_units(self) -> bool:
        """Whether the register spans more than one unit."""
        return len(self.units) > 1

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:100]

    def filters(self) -> PickerFilters:
        """The filters accepted (the refused ones left out)."""
        data = self.cleaned_data
        return PickerFilters(
            query=data.get("q", ""),
            gender=data.get("gender", ""),
            minority=ETHNICITIES.get(data.get("ethnicity", "")),
            marks=tuple(data.get("mark", ())),
            title=data.get("title", ""),
            unit=self.units.get(data.get("unit", "")),
        )

    def pairs(self) -> list[tuple[str, str]]:
        """The accepted filters as the query string carries them, in the
        form's order: what the page links and the buttons pass on."""
        data = self.cleaned_data
        found: list[tuple[str, str]] = []
        for name in self.FIELDS:
            value = data.get(name)
            values = value if isinstance(value, list) else [value]
            found.extend((name, item) for item in values if item)
        return found

    def query_string(self, **extra: object) -> str:
        """``pairs`` urlencoded, with ``extra`` (the page) when set."""
        more = [(name, str(value)) for name, value in extra.items() if value]
        return urlencode([*self.pairs(), *more])


class FurtherRoundForm(CleanForm):
    """Whose seats a further round fills (``person``, repeated), who stands
    in it (``candidate``, repeated: person ids) and why the delegates
    cannot attend; the lists are read by the view (``units.params``), and
    whether the choice may be made is the service's rule. The reason is
    asked for new seats only: after a tie the seats keep theirs."""

    reason = forms.CharField(
        label=_("Why the delegate cannot attend"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    lock_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
