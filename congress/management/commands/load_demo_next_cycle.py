from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError

from congress.demo import fill_demo_next_cycle
from congress.selectors import current_cycle


class Command(BaseCommand):
    help = (
        "Beside the current cycle, a demonstration cycle on VSS's structure since "
        "01/07/2025 (34 provincial offices, a few grassroots offices imported from a "
        "workbook), its figures copied from the current cycle ten years on. Never in "
        "production; loading again changes nothing."
    )

    def handle(self, *args, **options):
        source = current_cycle()
        if source is None:
            raise CommandError("Load a cycle first: manage.py load_cycle V")
        try:
            cycle = fill_demo_next_cycle(source=source)
        except (ImproperlyConfigured, ValidationError) as error:
            raise CommandError(str(error)) from error
        units = cycle.hierarchy.units.count()
        self.stdout.write(
            f"Demo cycle {cycle.number} on “{cycle.hierarchy}”: {units} units, "
            f"{cycle.tiers.count()} tiers."
        )
