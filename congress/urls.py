from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from units.forms import QueuedPasswordResetForm

from .views import HomeView

admin.site.site_header = _("Emulation Congress administration")
admin.site.site_title = _("Emulation Congress")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("units/", include("units.urls")),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
