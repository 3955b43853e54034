from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive into the empty database of DATABASE_URL "
        "and the empty MEDIA_ROOT, after checking it against its manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="An archive written by `backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the tables of a non-empty database and write over MEDIA_ROOT's files.",
        )

    def handle(self, *args, source, force, **options):
        try:
            outcome = restore_backup(source, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = outcome.manifest
        self.stdout.write(
            f"Restored {source} (made {manifest['created_at']} of database "
            f"{manifest['database']['name']}): {manifest['media']['files']} media files."
        )
