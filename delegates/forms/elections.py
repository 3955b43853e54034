"""The forms of an election: its candidates and its votes. Input validation
only: the rules (the quota, the threshold, the draft state) are the
services', whose errors the views put back on these forms."""

from django import forms
from django.utils import timezone
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
