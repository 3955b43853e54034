"""The forms of quota allocation: computing a version, adjusting its seats,
the council's review. Input validation only: the rules (the seats to
share, the newest version, the council's right) are the services', whose
errors the views put back on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from units.forms import CleanForm


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
        from delegates.models import Allocation
        from delegates.quota_terms import TieRule

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


class AllocationWithdrawForm(AllocationLockForm):
    """The officer takes a submitted version back; a reason is needed."""

    reason = forms.CharField(
        label=_("Reason for withdrawing (required)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Give the reason for withdrawing the allocation.")},
    )


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
