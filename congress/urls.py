"""The project's URLs; the conference pages are namespaced ``congress:``."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from delegates.urls.delegates import delegate_patterns
from delegates.urls.elections import election_patterns
from delegates.urls.people import people_patterns
from delegates.urls.quotas import allocation_patterns
from units.forms import LoginForm
from units.urls import urlpatterns as unit_patterns
from units.views import PasswordResetView

from .middleware import admin_path
from .views import board, conferences, cycles, documents, papers, units

admin.site.site_header = _("Emulation Congress administration")
admin.site.site_title = _("Emulation Congress")

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
        "<int:unit_pk>/<int:pk>/download/",
        documents.PlanDownloadView.as_view(),
        name="plan_download",
    ),
]

# The progress board, its export and the calendar: ``progress:``.
progress_patterns = [
    path("", board.BoardView.as_view(), name="board"),
    path("export.xlsx", board.BoardExportView.as_view(), name="board_export"),
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

urlpatterns = [
    path("", conferences.HomeView.as_view(), name="home"),
    path("cycles/choose/", cycles.CycleChooseView.as_view(), name="cycle_choose"),
    path("cycles/", include((cycle_patterns, "cycles"))),
    path("conferences/", include((conference_patterns, "congress"))),
    path("conferences/<int:pk>/delegates/", include((delegate_patterns, "delegates"))),
    path("conferences/<int:pk>/election/", include((election_patterns, "elections"))),
    path("people/", include((people_patterns, "people"))),
    path("allocations/", include((allocation_patterns, "allocations"))),
    path("plans/", include((plan_patterns, "plans"))),
    path("progress/", include((progress_patterns, "progress"))),
    # The units app's pages, its unit page extended with the unit's conferences.
    path(
        "units/",
        include(
            (
                [
                    path("<int:pk>/", units.UnitDetailView.as_view(), name="unit_detail"),
                    *unit_patterns,
                ],
                "units",
            )
        ),
    ),
    path("documents/", include("reports.urls")),
    path(
        "accounts/password_reset/",
        PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # ADMIN_URL; the client networks it answers are checked by
    # congress.middleware.AdminNetworkMiddleware.
    path(admin_path(settings.ADMIN_URL), admin.site.urls),
]
