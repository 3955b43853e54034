from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from congress.models import Conference
from congress.selectors import current_cycle
from delegates.demo import fill_demo_official_delegates, fill_demo_people
from units.models import User


class Command(BaseCommand):
    help = (
        "Fill the staff registers of the current cycle's units with demonstration "
        "people (never in production). Seeded per unit; units with staff are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--branch",
            action="append",
            dest="branches",
            help="Unit code of a province or the HQ bloc (repeatable); default: every unit.",
        )
        parser.add_argument("--seed", type=int, default=2020)

    def handle(self, *args, branches, seed, **options):
        cycle = current_cycle()
        if cycle is None:
            raise CommandError("Load a cycle first: manage.py load_cycle V")
        try:
            result = fill_demo_people(cycle=cycle, branch_codes=branches, seed=seed)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Demo people: {result.people} in {result.units} units, with {result.titles} titles."
        )
        # The accepted tier-2 conferences of those branches get their official
        # delegates, as their officers would confirm them from the suggestions.
        officer = User.objects.filter(is_superuser=True).order_by("pk").first()
        accepted = Conference.objects.filter(
            tier__cycle=cycle, tier__level=2, status=Conference.Status.ACCEPTED
        ).select_related("tier__cycle", "unit")
        if branches is not None:
            accepted = accepted.filter(unit__code__in=branches)
        for conference in accepted:
            added = fill_demo_official_delegates(conference=conference, actor=officer)
            if added:
                self.stdout.write(f"  {conference.unit}: {added} official delegates")
