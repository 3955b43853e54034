"""The restore drill: the database and the uploaded files backed up into
one archive come back, rows and bytes, in a new database and media folder;
a non-empty target or a damaged archive is refused. PostgreSQL only."""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from congress import services, uploads
from congress.models import Conference
from tests.conftest import require
from tests.congress.conftest import tiers  # noqa: F401 - fixture
from tests.congress.documents_support import PDF, make_conference, upload

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def database():
    require(connection.vendor == "postgresql", "backups are of PostgreSQL databases")
    return connection.settings_dict


def maintenance(database):
    link = psycopg2.connect(
        dbname="postgres",
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
    )
    link.autocommit = True
    return link


@pytest.fixture
def empty_database(database):
    """A throw-away database, dropped at the end: the restore's target."""
    name = f"restore_drill_{uuid.uuid4().hex[:12]}"
    link = maintenance(database)
    with link.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**database, "NAME": name}
    finally:
        with link.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        link.close()


def url(database) -> str:
    credentials = quote(database["USER"] or "")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"])
    host = f"{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{database['NAME']}"


def manage(*args, database, media_root):
    """manage.py in a process of its own, as an operator would run it."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url(database),
        "MEDIA_ROOT": str(media_root),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def damaged_copy(archive: Path, target: Path) -> Path:
    """The archive with a manifest whose dump checksum is wrong."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            content = source.extractfile(member) if member.isfile() else None
            if member.name == "manifest.json":
                manifest = json.load(content)
                manifest["database"]["sha256"] = "0" * 64
                data = json.dumps(manifest).encode()
                member.size, content = len(data), io.BytesIO(data)
            copy.addfile(member, content)
    return target


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_new_database_with_its_files(
    database,
    empty_database,
    tree,
    tiers,  # noqa: F811 - the fixture imported above
    users,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    conference = make_conference(tiers[2], tree.hcm, Conference.Status.HELD)
    document = services.upload_conference_document(
        actor=users["officer_hcm"],
        conference=conference,
        kind="summary_report",
        upload=uploads.check_upload(upload("Báo cáo tổng kết.pdf", PDF)),
    )

    call_command("backup", str(tmp_path), stdout=io.StringIO())
    (archive,) = tmp_path.glob("congress-*.tar.gz")
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
        assert f"media/{document.file.name}" in opened.getnames()
    assert manifest["database"]["name"] == database["NAME"]
    assert manifest["media"]["files"] == 1

    restored_media = tmp_path / "restored"
    result = manage("restore", str(archive), database=empty_database, media_root=restored_media)
    assert result.returncode == 0, result.stderr

    with psycopg2.connect(url(empty_database)) as link, link.cursor() as cursor:
        cursor.execute("SELECT name FROM units_unit WHERE code = %s", [tree.hcm.code])
        assert cursor.fetchall() == [(tree.hcm.name,)]
        cursor.execute(
            "SELECT file, original_name, sha256 FROM congress_conferencedocument"
            " WHERE conference_id = %s",
            [conference.pk],
        )
        assert cursor.fetchall() == [(document.file.name, "Báo cáo tổng kết.pdf", document.sha256)]
        cursor.execute("SELECT username FROM units_user WHERE username = 'officer-hcm'")
        assert cursor.fetchall() == [("officer-hcm",)]
    link.close()
    assert (restored_media / document.file.name).read_bytes() == PDF

    # A second restore would mix two sites: refused.
    again = manage("restore", str(archive), database=empty_database, media_root=tmp_path / "x")
    assert again.returncode != 0
    assert "is not empty" in again.stderr
    # A damaged archive is refused before anything is replaced.
    damaged = damaged_copy(archive, tmp_path / "damaged.tar.gz")
    forced = manage(
        "restore", str(damaged), "--force", database=empty_database, media_root=tmp_path / "y"
    )
    assert forced.returncode != 0
    assert "does not match the manifest" in forced.stderr
    assert not (tmp_path / "y").exists()


def test_backup_on_sqlite_is_refused_with_the_way_to_do_it(monkeypatch, tmp_path):
    monkeypatch.setattr(connection, "vendor", "sqlite")  # the embedded default
    with pytest.raises(CommandError, match="copy the var/ folder"):
        call_command("backup", str(tmp_path))
    assert list(tmp_path.iterdir()) == []
