from django.core.management.base import BaseCommand, CommandError

from congress.data.cycles import CYCLES
from congress.services import load_cycle


class Command(BaseCommand):
    help = "Load a cycle (tiers, deadlines, caps, pilots) and its unit hierarchy."

    def add_arguments(self, parser):
        parser.add_argument("number", choices=sorted(CYCLES), help="Cycle number, e.g. V.")
        parser.add_argument(
            "--no-demo-headcounts",
            action="store_true",
            help="Leave headcounts at 0 instead of plausible demo figures.",
        )

    def handle(self, *args, number, no_demo_headcounts, **options):
        spec = CYCLES.get(number)
        if spec is None:
            raise CommandError(f"Unknown cycle {number}")
        cycle, result = load_cycle(spec=spec, with_demo_headcounts=not no_demo_headcounts)
        self.stdout.write(
            f"Cycle {cycle.number}: {result.created} units created, "
            f"{result.existing} already present."
        )
