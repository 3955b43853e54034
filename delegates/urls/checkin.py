"""Check-in at the door, part of ``delegates:`` (included with the delegate
patterns under ``conferences/<pk>/delegates/``; ``pk`` is the conference)."""

from django.urls import path

from delegates.views import checkin

checkin_patterns = [
    path("check-in/", checkin.CheckInView.as_view(), name="check_in"),
    path("check-in/counts/", checkin.CheckInCountsView.as_view(), name="check_in_counts"),
]
