from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from units.models import Hierarchy
from units.services import DEMO_PASSWORD, DEMO_USERS, create_demo_users


class Command(BaseCommand):
    help = (
        "Create the demo logins (never in production) on the oldest hierarchy's units; "
        "their roles follow those units into newer hierarchies. Existing ones are kept."
    )

    def handle(self, *args, **options):
        hierarchy = Hierarchy.objects.order_by("effective_from").first()
        if hierarchy is None:
            raise CommandError("Load a cycle first: manage.py load_cycle V")
        try:
            create_demo_users(hierarchy=hierarchy)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        width = max(len(d.username) for d in DEMO_USERS)
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<{width}}  {DEMO_PASSWORD}  ({demo.description})")
