"""Back up and restore the whole system: the PostgreSQL database and the
media folder (uploads and generated documents) in one ``.tar.gz``.

The archive holds ``database.dump`` (``pg_dump --format=custom``), the
files of ``MEDIA_ROOT`` under ``media/`` and ``manifest.json`` (when, which
database, the dump's sha256, how many files). Restore goes into an empty
database and an empty media folder only, unless forced, and checks the
archive against its manifest before it touches either.

It lives in the project package, not in an app: it knows no model, only
the settings (``DATABASES``, ``MEDIA_ROOT``) and the whole system's tables.
"""

import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

FORMAT = 1
DUMP = "database.dump"
MANIFEST = "manifest.json"
MEDIA = "media"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    manifest: dict[str, Any]


def _database() -> dict[str, Any]:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        raise BackupError(
            "Backup and restore need PostgreSQL (DATABASE_URL=postgres://…). "
            f"This is {connection.vendor}: stop the app and copy the var/ folder instead."
        )
    return connection.settings_dict


def _client(program: str, database: dict[str, Any], *args: str) -> None:
    """Run pg_dump or pg_restore on ``database`` with its connection settings."""
    command = [program, "--no-password"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            command += [option, str(database[key])]
    environment = dict(os.environ)
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    if sslmode := database.get("OPTIONS", {}).get("sslmode"):
        environment["PGSSLMODE"] = sslmode
    try:
        subprocess.run(  # noqa: S603 - a PostgreSQL client, our own arguments
            [*command, *args], env=environment, check=True, capture_output=True, text=True
        )
    except FileNotFoundError as error:
        raise BackupError(f"{program} is missing: install the PostgreSQL client.") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{program} failed: {error.stderr.strip()}") from error


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def create_backup(destination: Path) -> Outcome:
    """Write the database and ``MEDIA_ROOT`` to one archive at ``destination``
    (a file name, or a folder to put a dated one in). The archive appears
    under its name only once complete."""
    database = _database()
    created = timezone.now()
    if destination.is_dir():
        destination = destination / f"congress-{created:%Y%m%d-%H%M%S}.tar.gz"
    if not destination.parent.is_dir():
        raise BackupError(f"There is no folder {destination.parent} to write the backup in.")
    media_root = Path(settings.MEDIA_ROOT)
    partial = destination.with_name(destination.name + ".partial")
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / DUMP
        _client("pg_dump", database, "--format=custom", f"--file={dump}", database["NAME"])
        files = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": created.isoformat(),
            "database": {
                "name": database["NAME"],
                "dump": DUMP,
                "size": dump.stat().st_size,
                "sha256": _sha256(dump),
            },
            "media": {
                "folder": MEDIA,
                "files": len(files),
                "bytes": sum(path.stat().st_size for path in files),
            },
        }
        manifest_path = Path(work) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest_path, arcname=MANIFEST)
            archive.add(dump, arcname=DUMP)
            for path in files:
                archive.add(path, arcname=f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
    partial.replace(destination)
    return Outcome(destination, manifest)


def _table_count() -> int:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        return cursor.fetchone()[0]


def _open_archive(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, "r:gz")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{source} is not a backup archive: {error}") from error


def restore_backup(source: Path, *, force: bool = False) -> Outcome:
    """Restore an archive of ``create_backup`` into the database of
    ``DATABASE_URL`` and into ``MEDIA_ROOT``. Both must be empty unless
    ``force`` (then the archive's tables replace the database's, and its
    files are written over the folder's, others left). The dump's sha256
    and the number of files are checked against the manifest first."""
    database = _database()
    media_root = Path(settings.MEDIA_ROOT)
    if not force and _table_count():
        raise BackupError(
            f"The database {database['NAME']} is not empty: restore into a new "
            "database (createdb), or pass --force to replace its tables."
        )
    if not force and media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(
            f"MEDIA_ROOT ({media_root}) is not empty: empty it, or pass --force "
            "to write the archive's files over it."
        )
    with _open_archive(source) as archive, tempfile.TemporaryDirectory() as work:
        try:
            manifest = json.load(archive.extractfile(MANIFEST))  # type: ignore[arg-type]
        except (KeyError, ValueError) as error:
            raise BackupError(f"{source} has no readable {MANIFEST}.") from error
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
        archive.extract(DUMP, work, filter="data")
        dump = Path(work) / DUMP
        if _sha256(dump) != manifest["database"]["sha256"]:
            raise BackupError(f"{DUMP} does not match the manifest's sha256: archive damaged.")
        prefix = f"{MEDIA}/"
        media = [member for member in archive.getmembers() if member.name.startswith(prefix)]
        files = [member for member in media if member.isfile()]
        if len(files) != manifest["media"]["files"]:
            raise BackupError(
                f"The archive holds {len(files)} media files, its manifest "
                f"{manifest['media']['files']}: archive damaged."
            )
        options = ["--clean", "--if-exists"] if force else []
        # The owner and grants of the backed-up site need not exist here.
        _client(
            "pg_restore",
            database,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *options,
            f"--dbname={database['NAME']}",
            str(dump),
        )
        for member in media:
            member.name = member.name[len(prefix) :]
        media_root.mkdir(parents=True, exist_ok=True)
        archive.extractall(media_root, members=media, filter="data")
    connections[DEFAULT_DB_ALIAS].close()
    return Outcome(source, manifest)
