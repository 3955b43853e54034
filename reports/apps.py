from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Documents and reports")

    def ready(self) -> None:
        # Register the tasks with Celery in every process, so that the
        # services queue them by name and never import the module that
        # calls them; and the checks of the settings they run by.
        from . import checks, tasks  # noqa: F401
