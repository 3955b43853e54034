"""The election pages of a conference, included from congress/urls.py under
``conferences/<int:pk>/election/`` (``pk``: the electing conference) with
the namespace ``elections:``."""

from django.urls import path

from delegates.views import elections

election_patterns = [
    path("", elections.ElectionDetailView.as_view(), name="election_detail"),
    path("open/", elections.ElectionOpenView.as_view(), name="election_open"),
    path(
        "candidates/add/",
        elections.CandidateChangeView.as_view(adding=True),
        name="candidate_add",
    ),
    path(
        "candidates/remove/",
        elections.CandidateChangeView.as_view(adding=False),
        name="candidate_remove",
    ),
    path("votes/", elections.VotesRecordView.as_view(), name="votes_record"),
    path("runoff/", elections.RunoffOpenView.as_view(), name="runoff_open"),
    path("confirm/", elections.ElectionConfirmView.as_view(), name="election_confirm"),
    path("replace/", elections.ReplaceElectedView.as_view(), name="elected_replace"),
    path("further/", elections.FurtherRoundOpenView.as_view(), name="further_round_open"),
    path("further/seat/", elections.FurtherRoundSeatView.as_view(), name="further_round_seat"),
    path("resolve-excess/", elections.ExcessResolveView.as_view(), name="excess_resolve"),
]
