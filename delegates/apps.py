from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegatesConfig(AppConfig):
    name = "delegates"
    verbose_name = _("Delegates and quotas")

    def ready(self) -> None:
        from congress.extensions import add_to_conference_page, add_to_home
        from units.models import Role

        from . import audit
        from .selectors import todo
        from .selectors.delegates import composition

        # The allocations and elections waiting, on the council's and the officers' homes.
        add_to_home(Role.COUNCIL)(todo.council_items)
        add_to_home(Role.OFFICER)(todo.officer_items)

        @add_to_conference_page
        def composition_targets(conference):
            # The cycle's composition targets (women, minorities) not met by
            # the delegates so far: shown beside the conference's next step.
            return {"target_shortfalls": composition(conference).shortfalls}

        audit.register()
