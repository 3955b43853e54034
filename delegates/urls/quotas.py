"""Quota allocation pages, included from congress/urls.py under
``allocations/`` with the namespace ``allocations:``; ``pk`` is the
conference whose elected seats are shared, ``version`` one of its
allocation's versions."""

from django.urls import path

from delegates.views import quotas

allocation_patterns = [
    path("", quotas.AllocationListView.as_view(), name="allocation_list"),
    path(
        "conference/<int:pk>/",
        quotas.AllocationDetailView.as_view(),
        name="allocation_detail",
    ),
    path(
        "conference/<int:pk>/compute/",
        quotas.AllocationComputeView.as_view(),
        name="allocation_compute",
    ),
    path(
        "conference/<int:pk>/v<int:version>/adjust/",
        quotas.AllocationAdjustView.as_view(),
        name="allocation_adjust",
    ),
    path(
        "conference/<int:pk>/v<int:version>/submit/",
        quotas.AllocationSubmitView.as_view(),
        name="allocation_submit",
    ),
    path(
        "conference/<int:pk>/v<int:version>/withdraw/",
        quotas.AllocationWithdrawView.as_view(),
        name="allocation_withdraw",
    ),
    path(
        "conference/<int:pk>/v<int:version>/review/",
        quotas.AllocationReviewView.as_view(),
        name="allocation_review",
    ),
]
