from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectConfig(AppConfig):
    """The project package as an app: it holds no models, only the
    system-wide management commands (backup, restore)."""

    name = "config"
    label = "project"
    verbose_name = _("Emulation Congress")
