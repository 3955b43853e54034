"""The forms of an election: its candidates and its votes. Input validation
only: the rules (the quota, the threshold, the draft state) are the
services', whose errors the views put back on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
