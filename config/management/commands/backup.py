from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the whole system (the PostgreSQL database and MEDIA_ROOT) "
        "into one .tar.gz with a manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "destination",
            type=Path,
            help="The archive to write, or a folder to write a dated one in.",
        )

    def handle(self, *args, destination, **options):
        try:
            outcome = create_backup(destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        media = outcome.manifest["media"]
        self.stdout.write(
            f"{outcome.path}: database {outcome.manifest['database']['name']}, "
            f"{media['files']} media files ({media['bytes']} bytes)."
        )
