"""The root URLconf: each app's pages under their prefixes and namespaces,
Django's sign-in pages with the project's forms, and the admin site under
``ADMIN_URL`` (the client networks it answers are checked by
``config.middleware.AdminNetworkMiddleware``)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from congress.urls import (
    conference_patterns,
    cycle_patterns,
    plan_patterns,
    progress_patterns,
    top_patterns,
    unit_page,
)
from delegates.urls.delegates import delegate_patterns
from delegates.urls.elections import election_patterns
from delegates.urls.people import people_patterns
from delegates.urls.quotas import allocation_patterns
from reports.views import DocumentDownloadView
from units.forms import LoginForm
from units.urls import notification_patterns
from units.urls import urlpatterns as unit_patterns
from units.views import PasswordResetView

from .middleware import admin_path

admin.site.site_header = _("Emulation Congress administration")
admin.site.site_title = _("Emulation Congress")

# The old addresses of the tables downloaded at once, kept for bookmarks:
# each is ``reports:download`` of its exporter (the URL's conference named
# as the parameter), the page's filters read as the page reads them.
board_export = path(
    "export.xlsx",
    DocumentDownloadView.as_view(exporter="progress_board_xlsx", as_shown=True),
    name="board_export",
)
delegate_export = path(
    "export.xlsx",
    DocumentDownloadView.as_view(
        exporter="delegate_table_xlsx", url_params={"pk": "conference"}, as_shown=True
    ),
    name="delegate_export",
)
people_export = path(
    "export.xlsx",
    DocumentDownloadView.as_view(exporter="people_register_xlsx", as_shown=True),
    name="people_export",
)

urlpatterns = [
    *top_patterns,
    path("cycles/", include((cycle_patterns, "cycles"))),
    path("conferences/", include((conference_patterns, "congress"))),
    path(
        "conferences/<int:pk>/delegates/",
        include(([delegate_export, *delegate_patterns], "delegates")),
    ),
    path("conferences/<int:pk>/election/", include((election_patterns, "elections"))),
    path("people/", include(([people_export, *people_patterns], "people"))),
    path("allocations/", include((allocation_patterns, "allocations"))),
    path("plans/", include((plan_patterns, "plans"))),
    path("progress/", include(([*progress_patterns, board_export], "progress"))),
    path("units/", include(([unit_page, *unit_patterns], "units"))),
    path("documents/", include("reports.urls")),
    path("notifications/", include((notification_patterns, "notifications"))),
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
    path(admin_path(settings.ADMIN_URL), admin.site.urls),
]
