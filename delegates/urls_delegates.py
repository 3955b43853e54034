"""The delegates of a conference: ``delegates:``, included from
congress/urls.py under ``conferences/<pk>/delegates/`` (``pk`` is the
conference)."""

from django.urls import path

from .views import checkin, delegates

delegate_patterns = [
    path("", delegates.DelegateListView.as_view(), name="delegate_list"),
    path("add/guest/", delegates.GuestAddView.as_view(), name="guest_add"),
    path("add/official/", delegates.OfficialAddView.as_view(), name="official_add"),
    path("suggestions/", delegates.SuggestionsView.as_view(), name="official_suggestions"),
    path(
        "<int:delegate_pk>/remove/",
        delegates.DelegateRemoveView.as_view(),
        name="delegate_remove",
    ),
    path("composition/", delegates.CompositionView.as_view(), name="composition"),
    path(
        "composition/rules/",
        delegates.CompositionRulesView.as_view(),
        name="composition_rules",
    ),
    path("check-in/", checkin.CheckInView.as_view(), name="check_in"),
    path("check-in/counts/", checkin.CheckInCountsView.as_view(), name="check_in_counts"),
]
