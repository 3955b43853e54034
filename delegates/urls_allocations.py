"""Quota allocation pages, included from congress/urls.py under
``allocations/`` with the namespace ``allocations:``; ``pk`` is the
conference whose elected seats are shared, ``version`` one of its
allocation's versions."""

from django.urls import path

from .views import allocations

allocation_patterns = [
    path("", allocations.AllocationListView.as_view(), name="allocation_list"),
    path(
        "conference/<int:pk>/",
        allocations.AllocationDetailView.as_view(),
        name="allocation_detail",
    ),
    path(
        "conference/<int:pk>/compute/",
        allocations.AllocationComputeView.as_view(),
        name="allocation_compute",
    ),
    path(
        "conference/<int:pk>/v<int:version>/adjust/",
        allocations.AllocationAdjustView.as_view(),
        name="allocation_adjust",
    ),
    path(
        "conference/<int:pk>/v<int:version>/submit/",
        allocations.AllocationSubmitView.as_view(),
        name="allocation_submit",
    ),
    path(
        "conference/<int:pk>/v<int:version>/review/",
        allocations.AllocationReviewView.as_view(),
        name="allocation_review",
    ),
]
