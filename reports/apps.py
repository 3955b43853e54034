from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Documents and reports")

    def ready(self) -> None:
        # Register the tasks with Celery in every process, so that the
        # services queue them by name and never import the module that
        # calls them; and the checks of the settings they run by.
        from congress.extensions import add_to_home
        from units.models import Role

        from . import checks, selectors, tasks  # noqa: F401

        # The invitations and delegate lists not generated yet, on the printers' home.
        add_to_home(Role.PRINTER)(selectors.printer_items)
