"""The progress report: the board of the user's scope on paper and in a
workbook, with the board's filters; a province officer's report covers
their province only; queries do not grow with the provinces."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.models import Conference
from reports.documents.progress import ProgressPdf, ProgressXlsx
from reports.models import DocumentJob
from tests.congress import conftest as shared
from tests.factories import ConferenceFactory, UnitFactory
from tests.reports.pdf_support import flowing_text, pdf_text
from units.models import UnitKind

pytestmark = pytest.mark.django_db

# Fixtures shared with the tests of congress.
tiers = shared.tiers

S = Conference.Status
TODAY = datetime.date(2020, 1, 20)  # tier 1 is due on 30/01/2020: due soon


def conference(tier, unit, status=S.DRAFT):
    held = status in (S.HELD, S.CLOSED)
    return ConferenceFactory(
        tier=tier,
        unit=unit,
        status=status,
        held_on=tier.window_start if held else None,
        actual_attendance=40 if held else None,
    )


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def progress_data(tree, tiers):
    """HCM: Quận 1 held, Văn phòng submitted, Quận 12 not registered; the
    province accepted at tier 2. Hà Nội: Ba Đình closed, the province not
    registered. VSS: the Congress as a draft."""
    UnitFactory(parent=tree.hcm, code="D761", name="BHXH Quận 12")
    conference(tiers[1], tree.hcm_district, S.HELD)
    conference(tiers[1], tree.hcm_department, S.SUBMITTED)
    conference(tiers[1], tree.hanoi_district, S.CLOSED)
    conference(tiers[2], tree.hcm, S.ACCEPTED)
    conference(tiers[3], tree.vss, S.DRAFT)


def row_of(text: str, name: str) -> list[str]:
    """The counts of the table row (numbered) of ``name``."""
    line = next(line for line in text.splitlines() if name in line and line.strip()[:1].isdigit())
    return line.split()[-9:]


def test_the_national_report_has_every_province_and_the_totals(users, progress_data):
    exporter = ProgressPdf()
    target = exporter.target(user=users["council"], params={})

    filename, _mimetype, data = exporter.render(target.params)

    text = pdf_text(data)
    assert filename == "bao-cao-tien-do-toan-quoc-2020-01-20.pdf"
    assert target.unit.parent_id is None  # issued by VSS
    assert _("Report on the progress of the exemplars conferences").upper() in text
    assert _("as of %(date)s") % {"date": "20/01/2020"} in text
    assert "BẢO HIỂM XÃ HỘI VIỆT NAM" in text
    # must hold, registered, submitted, accepted, held, closed, overdue, due soon, share held
    assert row_of(text, "BHXH TP. Hồ Chí Minh") == ["4", "3", "3", "2", "1", "0", "0", "2", "25"]
    assert row_of(text, "BHXH TP. Hà Nội") == ["2", "1", "1", "1", "1", "1", "0", "0", "50"]
    totals = [line for line in text.splitlines() if line.strip().startswith(_("Total"))]
    assert totals[-1].split()[-9:] == ["7", "5", "4", "3", "2", "1", "0", "2", "29"]
    flowing = flowing_text(data)
    # In words, tier by tier: Quận 12 has not registered its tier-1 conference.
    assert _("%(count)s not registered yet") % {"count": 1} in flowing
    assert _("VSS leaders (to report)") in flowing


def test_a_province_officer_reports_on_their_province_only(tree, users, progress_data):
    exporter = ProgressPdf()
    target = exporter.target(user=users["officer_hcm"], params={})

    text = pdf_text(exporter.render(target.params)[2])

    assert target.unit.name == "BHXH TP. Hồ Chí Minh"
    assert target.params == {
        "unit": target.unit.pk,
        "reader": users["officer_hcm"].pk,
        "cycle": tree.cycle.pk,
    }
    assert "BHXH TP. Hà Nội" not in text
    assert "BHXH quận Ba Đình" not in text
    assert "BHXH TP. HỒ CHÍ MINH" in text  # the issuing body
    # Its one row, then its units, as the board drills down.
    assert row_of(text, "BHXH TP. Hồ Chí Minh") == ["4", "3", "3", "2", "1", "0", "0", "2", "25"]
    for name in ("BHXH Quận 1", "BHXH Quận 12", "Văn phòng"):
        assert name in text
    assert str(S.SUBMITTED.label) in text


def test_the_filters_are_applied_and_told(users, progress_data):
    exporter = ProgressPdf()
    params = {"tier": "1", "status": "closed", "province": "P01"}
    target = exporter.target(user=users["council"], params=params)

    data = exporter.render(target.params)[2]

    assert target.params["tier"] == 1 and target.params["province"] == "P01"
    flowing = flowing_text(data)
    assert _("Tier: %(tier)s") % {"tier": "Hội nghị điển hình tiên tiến cấp cơ sở"} in flowing
    assert _("Status: %(status)s") % {"status": S.CLOSED.label} in flowing
    assert _("Province: %(province)s") % {"province": "BHXH TP. Hà Nội"} in flowing
    text = pdf_text(data)
    assert "BHXH TP. Hồ Chí Minh" not in text
    assert "BHXH quận Ba Đình" in text  # Hà Nội's units listed


@pytest.mark.parametrize(
    "params",
    [{"tier": "9"}, {"tier": "x"}, {"status": "lost"}, {"province": "P79"}],
    ids=["unknown tier", "not a tier", "unknown status", "foreign province"],
)
def test_filters_that_mean_nothing_are_refused(users, progress_data, params):
    with pytest.raises(ValidationError):
        ProgressPdf().target(user=users["officer_hanoi"], params=params)


def test_the_workbook_has_the_board_rows_and_totals(users, progress_data):
    target = ProgressXlsx().target(user=users["council"], params={"tier": "1"})

    filename, _mimetype, data = ProgressXlsx().render(target.params)

    assert filename == "bao-cao-tien-do-toan-quoc-2020-01-20.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(data))
    provinces, by_tier = book.worksheets
    rows = {row[1]: row for row in provinces.iter_rows(values_only=True) if row[1]}
    assert rows["BHXH TP. Hồ Chí Minh"][2:] == (3, 2, 2, 1, 1, 0, 0, 2, 33)
    assert rows["BHXH TP. Hà Nội"][2:] == (1, 1, 1, 1, 1, 1, 0, 0, 100)
    assert rows[_("Total")][2:] == (4, 3, 3, 2, 2, 1, 0, 2, 50)
    deadline = datetime.datetime(2020, 1, 30)
    tier_rows = [row for row in by_tier.iter_rows(values_only=True) if row[1] == deadline]
    assert tier_rows == [
        ("Hội nghị điển hình tiên tiến cấp cơ sở", deadline, 4, 3, 3, 2, 2, 1, 0, 2, 50)
    ]
    # A date cell, shown as offices write dates.
    cell = next(c for c in by_tier["B"] if c.value == deadline)
    assert cell.number_format == "DD/MM/YYYY"


@pytest.mark.parametrize("exporter", [ProgressPdf(), ProgressXlsx()], ids=["pdf", "xlsx"])
def test_the_queries_do_not_grow_with_the_provinces(tree, tiers, users, exporter):
    counts = []
    for size in (2, 10):
        while tree.vss.children.filter(kind=UnitKind.PROVINCE).count() < size:
            n = tree.vss.children.count()
            province = UnitFactory(
                parent=tree.vss, kind=UnitKind.PROVINCE, code=f"P{n:02d}X", name=f"BHXH tỉnh {n}"
            )
            district = UnitFactory(parent=province, code=f"D{n:02d}X")
            conference(tiers[1], district, S.HELD)
        params = exporter.target(user=users["council"], params={}).params
        with CaptureQueriesContext(connection) as queries:
            exporter.source(params)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 9


def test_asking_from_the_board_as_filtered_gives_the_pdf(
    client, users, progress_data, django_capture_on_commit_callbacks
):
    client.force_login(users["council"])
    board = client.get(reverse("progress:board"), {"tier": "1", "province": "P79"})
    assert 'data-testid="ask-progress_pdf"' in board.text
    assert 'name="province" value="P79"' in board.text
    assert 'name="tier" value="1"' in board.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {"exporter": "progress_pdf", "tier": "1", "province": "P79"},
            follow=True,
        )

    job = DocumentJob.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reports:job_detail", args=[job.pk])
    assert job.status == DocumentJob.Status.DONE, job.error
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    text = pdf_text(b"".join(download.streaming_content))
    assert "BHXH Quận 1" in text and "BHXH TP. Hà Nội" not in text
