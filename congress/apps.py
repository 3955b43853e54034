from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CongressConfig(AppConfig):
    name = "congress"
    verbose_name = _("Cycles and conferences")

    def ready(self) -> None:
        from . import audit

        audit.register()
