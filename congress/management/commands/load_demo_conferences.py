from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from congress.demo import fill_demo_cycle
from congress.selectors import current_cycle


class Command(BaseCommand):
    help = (
        "Fill the current cycle with demonstration conferences in every state "
        "(never in production). Seeded: the same seed gives the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument(
            "--share",
            type=float,
            default=1.0,
            help="Fraction of the organising units to fill (0–1); 1 is national scale.",
        )
        parser.add_argument(
            "--ready",
            action="append",
            default=[],
            metavar="PROVINCE_CODE",
            help="A province whose grassroots conferences are all held and whose own "
            "conference is accepted: ready to allocate its seats (repeatable).",
        )

    def handle(self, *args, seed, share, ready, **options):
        if not 0 <= share <= 1:
            raise CommandError("--share must lie between 0 and 1")
        cycle = current_cycle()
        if cycle is None:
            raise CommandError("Load a cycle first: manage.py load_cycle V")
        try:
            result = fill_demo_cycle(
                cycle=cycle, seed=seed, share=share, ready_branches=tuple(ready)
            )
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Demo conferences: {result.conferences} created with {result.papers} papers; "
            f"{result.skipped} units already had theirs."
        )
