"""The conferences app's URLs, in lists the root URLconf
(``config/urls.py``) includes under their namespaces: ``congress:`` (the
conferences), ``plans:``, ``progress:``, ``cycles:``; the home page and the
cycle menu at the top; and the unit page, which extends the units app's
with the unit's conferences."""

from django.urls import path

from .views import board, conferences, cycles, documents, papers, units

conference_patterns = [
    path("", conferences.ConferenceListView.as_view(), name="conference_list"),
    path("register/", conferences.ConferenceRegisterView.as_view(), name="conference_register"),
    path("<int:pk>/", conferences.ConferenceDetailView.as_view(), name="conference_detail"),
    path("<int:pk>/edit/", conferences.ConferenceEditView.as_view(), name="conference_edit"),
    path(
        "<int:pk>/correct/", conferences.ConferenceCorrectView.as_view(), name="conference_correct"
    ),
    path(
        "<int:pk>/accept-before-pilots/",
        conferences.ConferenceAcceptOrderView.as_view(),
        name="conference_accept_order",
    ),
    path("exemptions/add/", conferences.ExemptionCreateView.as_view(), name="exemption_add"),
    path(
        "exemptions/<int:pk>/lift/",
        conferences.ExemptionLiftView.as_view(),
        name="exemption_lift",
    ),
    path(
        "<int:pk>/documents/upload/",
        documents.ConferenceDocumentUploadView.as_view(),
        name="conference_document_upload",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/",
        documents.ConferenceDocumentDownloadView.as_view(),
        name="conference_document_download",
    ),
    path("<int:pk>/papers/add/", papers.PaperCreateView.as_view(), name="paper_add"),
    path("<int:pk>/papers/<int:paper_pk>/edit/", papers.PaperEditView.as_view(), name="paper_edit"),
    path(
        "<int:pk>/papers/<int:paper_pk>/delete/",
        papers.PaperDeleteView.as_view(),
        name="paper_delete",
    ),
    path(
        "<int:pk>/papers/<int:paper_pk>/status/",
        papers.PaperStatusView.as_view(),
        name="paper_status",
    ),
    path("<int:pk>/papers/<int:paper_pk>/move/", papers.PaperMoveView.as_view(), name="paper_move"),
    path(
        "<int:pk>/communication/add/",
        papers.CommunicationCreateView.as_view(),
        name="communication_add",
    ),
    path(
        "<int:pk>/communication/<int:activity_pk>/edit/",
        papers.CommunicationEditView.as_view(),
        name="communication_edit",
    ),
    path(
        "<int:pk>/communication/<int:activity_pk>/delete/",
        papers.CommunicationDeleteView.as_view(),
        name="communication_delete",
    ),
]

# Organisation plans of the tier-2 organisers: ``plans:``. Files are served
# only by the download views, which check permission; nothing serves
# MEDIA_ROOT.
plan_patterns = [
    path("", documents.PlanListView.as_view(), name="plan_list"),
    path("<int:unit_pk>/", documents.PlanUnitView.as_view(), name="plan_unit"),
    path("<int:unit_pk>/upload/", documents.PlanUploadView.as_view(), name="plan_upload"),
    path("<int:unit_pk>/<int:pk>/review/", documents.PlanReviewView.as_view(), name="plan_review"),
    path(
        "<int:unit_pk>/<int:pk>/withdraw/",
        documents.PlanWithdrawView.as_view(),
        name="plan_withdraw",
    ),
    path(
        "<int:unit_pk>/<int:pk>/download/",
        documents.PlanDownloadView.as_view(),
        name="plan_download",
    ),
]

# The progress board and the calendar: ``progress:`` (its workbook, the
# ``reports`` app's, is added by the root URLconf).
progress_patterns = [
    path("", board.BoardView.as_view(), name="board"),
    path("calendar/", board.CalendarView.as_view(), name="calendar"),
]

# Setting up cycles, for administrators: ``cycles:``.
cycle_patterns = [
    path("", cycles.CycleListView.as_view(), name="cycle_list"),
    path("new/", cycles.CycleCreateView.as_view(), name="cycle_create"),
    path("<int:pk>/", cycles.CycleDetailView.as_view(), name="cycle_detail"),
    path("<int:pk>/edit/", cycles.CycleEditView.as_view(), name="cycle_edit"),
    path("<int:pk>/pilots/", cycles.CyclePilotsView.as_view(), name="cycle_pilots"),
    path("<int:pk>/current/", cycles.CycleMarkCurrentView.as_view(), name="cycle_mark_current"),
    path("<int:pk>/tiers/<int:level>/", cycles.TierEditView.as_view(), name="tier_edit"),
]

# At the top of the site, without a namespace.
top_patterns = [
    path("", conferences.HomeView.as_view(), name="home"),
    path("cycles/choose/", cycles.CycleChooseView.as_view(), name="cycle_choose"),
]

# The unit page (``units:unit_detail``): the units app's, with the conferences.
unit_page = path("<int:pk>/", units.UnitDetailView.as_view(), name="unit_detail")
