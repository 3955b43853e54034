"""The conference list's filters (django-filter): province, tier, status,
a search and the order. The queryset given is already scoped to what the
user may see (``selectors.visible_conferences``); the filters only narrow
it, so a province outside the scope is simply not offered.

The data comes cleaned by ``units.params`` (``conference_filter_data``): a
NUL, "²" or thirty digits never reach the form, and a value the form still
refuses (an unknown province) filters nothing instead of failing.
"""

import django_filters
from django import forms
from django.db.models import Case, Max, OuterRef, Q, QuerySet, Subquery, When
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from units.params import choice_param, int_param, search_param
from units.text import fold

from .models import Conference, ConferenceTransition, Tier

RETURNED = "returned"  # a draft whose last move was the council's return
WAITING = "waiting"  # the order: longest awaiting the council's review first
SORTS = [("", _("By date")), (WAITING, _("Waiting longest first"))]
STATUSES = [*Conference.Status.choices, (RETURNED, _("Returned by the council"))]


def conference_filter_data(query: QueryDict) -> dict[str, str]:
    """The filters of ``query`` read through ``units.params``: what cannot
    be one of them is left out."""
    tier = int_param(query, "tier")
    return {
        "province": search_param(query, "province", max_length=32),
        "tier": "" if tier is None else str(tier),
        "status": choice_param(query, "status", [value for value, _label in STATUSES]),
        "q": search_param(query, "q"),
        "sort": choice_param(query, "sort", [value for value, _label in SORTS]),
    }


def with_last_move(conferences: QuerySet) -> QuerySet:
    """Annotates ``last_action`` and ``last_reason`` (the newest status
    change) and ``submitted_at`` (the newest submission): one query with
    the rows."""
    last = ConferenceTransition.objects.filter(conference=OuterRef("pk")).order_by("-at", "-pk")
    return conferences.annotate(
        last_action=Subquery(last.values("action")[:1]),
        last_reason=Subquery(last.values("reason")[:1]),
        submitted_at=Max(
            "transitions__at", filter=Q(transitions__action=ConferenceTransition.Action.SUBMIT)
        ),
    )


def returned(conferences: QuerySet) -> QuerySet:
    """The drafts the council returned and that were not submitted again."""
    return with_last_move(conferences).filter(
        status=Conference.Status.DRAFT, last_action=ConferenceTransition.Action.RETURN
    )


SELECT = forms.Select(attrs={"class": "form-select"})


class ConferenceFilter(django_filters.FilterSet):
    province = django_filters.ChoiceFilter(
        label=_("Province"),
        field_name="unit__branch_code",
        empty_label=_("All provinces"),
        widget=SELECT,
    )
    tier = django_filters.ChoiceFilter(
        label=_("Tier"),
        field_name="tier__level",
        choices=Tier.Level.choices,
        empty_label=_("All tiers"),
        widget=SELECT,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=STATUSES,
        method="filter_status",
        empty_label=_("All statuses"),
        widget=SELECT,
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search", "maxlength": 100}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Order"),
        choices=SORTS[1:],
        method="filter_sort",
        empty_label=SORTS[0][1],
        widget=SELECT,
    )

    def __init__(self, data=None, *args, provinces=(), **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["province"].extra["choices"] = list(provinces)

    def filter_status(self, queryset, name, value):
        if value == RETURNED:
            return returned(queryset)
        return queryset.filter(status=value)

    def filter_search(self, queryset, name, value):
        # ``search_name`` is the unit's name and code folded (no case, no
        # marks); the venue is matched as typed, case aside.
        for word in value.split():
            queryset = queryset.filter(
                Q(unit__search_name__contains=fold(word)) | Q(venue__icontains=word)
            )
        return queryset

    def filter_sort(self, queryset, name, value):
        # The submitted ones first, the longest waiting first; then by date.
        awaiting = Case(When(status=Conference.Status.SUBMITTED, then=0), default=1)
        return with_last_move(queryset).order_by(
            awaiting, "submitted_at", "date", "start_time", "unit__path"
        )

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            # A value the form refuses filters nothing, it does not empty the list.
            self.is_valid()
            queryset = self.queryset.all()
            for name, value in self.form.cleaned_data.items():
                if value not in (None, ""):
                    queryset = self.filters[name].filter(queryset, value)
            self._qs = queryset
        return self._qs
