"""The project's URLs; the conference pages are namespaced ``congress:``."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from units.forms import QueuedPasswordResetForm

from .views import conferences

admin.site.site_header = _("Emulation Congress administration")
admin.site.site_title = _("Emulation Congress")

conference_patterns = [
    path("", conferences.ConferenceListView.as_view(), name="conference_list"),
    path("register/", conferences.ConferenceRegisterView.as_view(), name="conference_register"),
    path("<int:pk>/", conferences.ConferenceDetailView.as_view(), name="conference_detail"),
    path("<int:pk>/edit/", conferences.ConferenceEditView.as_view(), name="conference_edit"),
]

urlpatterns = [
    path("", conferences.HomeView.as_view(), name="home"),
    path("conferences/", include((conference_patterns, "congress"))),
    path("units/", include("units.urls")),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
