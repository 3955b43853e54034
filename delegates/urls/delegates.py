"""The delegates of a conference: ``delegates:``, included from
congress/urls.py under ``conferences/<pk>/delegates/`` (``pk`` is the
conference). The check-in patterns are urls/checkin.py's."""

from django.urls import path

from delegates.urls.checkin import checkin_patterns
from delegates.views import delegates

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
    *checkin_patterns,
]
