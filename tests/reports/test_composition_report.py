"""The composition report: the targets, every dimension's table and chart,
the delegations by unit (also at the Congress), the workbook, who may ask
for it, and queries that do not grow with the delegates."""

import io

import openpyxl
import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from delegates.models import Category, Gender
from reports.documents.composition import (
    BELOW,
    OUTSIDE,
    OWN,
    UNREGISTERED,
    CompositionPdf,
    CompositionXlsx,
    delegations,
)
from reports.models import DocumentJob
from tests.delegates import conftest as shared
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory, UnitFactory
from tests.reports.pdf_support import flowing_text, pdf_text

pytestmark = pytest.mark.django_db

# Fixtures shared with the tests of delegates.
hanoi_upper = shared.hanoi_upper
hcm_upper = shared.hcm_upper
tiers = shared.tiers


def delegate(conference, category, unit, name, **fields):
    person = PersonFactory(unit=unit, full_name=name, **fields)
    extra = {"elected_at": conference} if category == Category.ELECTED else {}
    return DelegateFactory(
        conference=conference, category=category, person=person, unit=unit, **extra
    )


def guest(conference, name):
    return DelegateFactory(
        conference=conference, category=Category.GUEST, person=None, unit=None, guest_name=name
    )


@pytest.fixture
def hcm(tree, hcm_upper):
    """HCMC's tier-2 conference: 7 delegates (see each line); a third
    district sends nobody."""
    UnitFactory(parent=tree.hcm, code="D762", name="BHXH Quận 5", position=9)
    # Outside the register, and from VSS: outside the province.
    guest(hcm_upper, "Khách Mời Một")
    delegate(hcm_upper, Category.GUEST, tree.vss, "Vương Văn Khách", gender=Gender.MALE)
    # The province's own office.
    delegate(hcm_upper, Category.OFFICIAL, tree.hcm, "An Thị Tỉnh", gender=Gender.FEMALE)
    # Quận 1: two, one a Tày woman.
    delegate(
        hcm_upper,
        Category.ELECTED,
        tree.hcm_district,
        "Nông Thị Tày",
        gender=Gender.FEMALE,
        ethnicity="Tày",
    )
    delegate(hcm_upper, Category.ELECTED, tree.hcm_district, "Lê Văn Quận", gender=Gender.MALE)
    # The department (Văn phòng), and a team under it counted with it.
    team = UnitFactory(parent=tree.hcm_department, code="P79-VP-T1", name="Tổ Hành chính")
    delegate(hcm_upper, Category.OFFICIAL, tree.hcm_department, "Chu Văn Phòng", gender=Gender.MALE)
    delegate(hcm_upper, Category.ELECTED, team, "Đặng Thị Tổ", gender=Gender.FEMALE)
    return hcm_upper


def test_the_delegations_group_the_delegates_under_the_units_below(tree, hcm):
    result = delegations(hcm)

    rows = [(row.name, row.kind, row.total, row.women, row.minorities) for row in result.rows]
    assert rows == [
        (_("Office of %(unit)s") % {"unit": "BHXH TP. Hồ Chí Minh"}, OWN, 1, 1, 0),
        ("BHXH Quận 1", BELOW, 2, 1, 1),
        ("Văn phòng", BELOW, 2, 1, 0),
        ("BHXH Quận 5", BELOW, 0, 0, 0),
        ("Bảo hiểm xã hội Việt Nam", OUTSIDE, 1, 0, 0),
        (_("Guests outside the register"), UNREGISTERED, 1, 0, 0),
    ]
    totals = result.totals
    assert (totals.total, totals.guests, totals.official, totals.elected) == (7, 2, 2, 3)
    assert (totals.women, totals.minorities) == (3, 1)


def test_the_pdf_has_the_targets_the_dimensions_their_charts_and_the_units(tree, hcm):
    filename, mimetype, data = CompositionPdf().render({"conference": hcm.pk})

    text = pdf_text(data)
    assert filename == "co-cau-dai-bieu-bhxh-tp-ho-chi-minh.pdf"
    assert mimetype == "application/pdf"
    assert _("Report on the composition of the delegates").upper() in text
    name = _("%(tier)s of %(unit)s") % {
        "tier": "Hội nghị điển hình tiên tiến cấp trên cơ sở",
        "unit": "BHXH TP. Hồ Chí Minh",
    }
    assert name in flowing_text(data)
    # The targets: 3 women of 6 in the register (50 %), 1 minority (16,7 %).
    assert "3/6" in text and "50,0%" in text and "16,7%" in text
    # Every dimension, its table and its chart (the chart repeats the labels).
    assert text.count(str(Category.OFFICIAL.label)) >= 2
    assert text.count(_("Ethnic minorities")) >= 2
    # The delegations by unit.
    line = next(line for line in text.splitlines() if "BHXH Quận 1" in line)
    assert line.split()[-7:] == ["2", "0", "0", "2", "1", "50,0", "1"]
    assert "BHXH Quận 5" in text  # sent nobody: listed with zeros
    totals = [line for line in text.splitlines() if line.strip().startswith(_("Total"))]
    assert totals[-1].split()[-7:] == ["7", "2", "2", "3", "3", "42,9", "1"]


def test_the_congress_report_has_the_delegations_of_the_provinces(tree, tiers, users):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    delegate(congress, Category.OFFICIAL, tree.vss, "Trần Văn Lãnh Đạo", gender=Gender.MALE)
    delegate(
        congress,
        Category.ELECTED,
        tree.hanoi_district,
        "Lò Thị Ba Đình",
        gender=Gender.FEMALE,
        ethnicity="Thái",
    )
    delegate(congress, Category.OFFICIAL, tree.hanoi, "Phạm Văn Hà Nội", gender=Gender.MALE)
    delegate(congress, Category.ELECTED, tree.hcm_district, "Ngô Thị Sài Gòn", gender=Gender.FEMALE)

    text = pdf_text(CompositionPdf().render({"conference": congress.pk})[2])

    assert _("Delegations of the units to the Congress").upper() in text
    assert "Đại hội Thi đua yêu nước ngành BHXH lần thứ V" in text
    hanoi = next(line for line in text.splitlines() if "BHXH TP. Hà Nội" in line)
    assert hanoi.split()[-7:] == ["2", "0", "1", "1", "1", "50,0", "1"]
    hcm = next(line for line in text.splitlines() if "BHXH TP. Hồ Chí Minh" in line)
    assert hcm.split()[-7:] == ["1", "0", "0", "1", "1", "100,0", "0"]
    assert "BHXH quận Ba Đình" not in text  # counted with its province


def test_the_workbook_has_the_targets_the_dimensions_and_the_units(hcm):
    filename, _mimetype, data = CompositionXlsx().render({"conference": hcm.pk})

    assert filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    targets, dimensions, units = book.worksheets
    target_rows = {row[0]: row for row in targets.iter_rows(values_only=True) if row[0]}
    assert target_rows[_("Women")][1:5] == (30, 3, 6, 50.0)
    assert target_rows[_("Ethnic minorities")][1:5] == (5, 1, 6, 16.7)
    labels = [row[0] for row in dimensions.iter_rows(values_only=True)]
    assert f"1. {_('Category')}" in labels and f"2. {_('Gender')}" in labels
    unit_rows = {row[1]: row for row in units.iter_rows(values_only=True) if row[1]}
    assert unit_rows["BHXH Quận 1"][2:] == (2, 0, 0, 2, 1, 50.0, 1)
    assert unit_rows[_("Total")][2:] == (7, 2, 2, 3, 3, 42.9, 1)


def test_a_conference_of_another_province_is_not_found(users, hcm):
    for exporter in (CompositionPdf(), CompositionXlsx()):
        with pytest.raises(Http404):
            exporter.target(user=users["officer_hanoi"], params={"conference": hcm.pk})
    target = CompositionPdf().target(user=users["printer_hcm"], params={"conference": hcm.pk})
    assert target.params == {"conference": hcm.pk} and target.unit == hcm.unit


@pytest.mark.parametrize("exporter", [CompositionPdf(), CompositionXlsx()], ids=["pdf", "xlsx"])
def test_the_queries_do_not_grow_with_the_delegates(tree, hcm_upper, hanoi_upper, exporter):
    counts = []
    for conference, size in ((hcm_upper, 2), (hanoi_upper, 20)):
        for n in range(size):
            unit = UnitFactory(parent=conference.unit, code=f"{conference.pk}-{n}")
            delegate(conference, Category.OFFICIAL, unit, f"Nguyễn Văn {n}")
        with CaptureQueriesContext(connection) as queries:
            exporter.source({"conference": conference.pk})
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 7


def test_asking_through_the_page_gives_the_pdf(
    client, users, hcm, django_capture_on_commit_callbacks
):
    client.force_login(users["printer_hcm"])
    page = client.get(reverse("delegates:composition", args=[hcm.pk]))
    assert 'data-testid="ask-composition_pdf"' in page.text
    assert 'data-testid="ask-composition_xlsx"' in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {"exporter": "composition_pdf", "conference": hcm.pk},
            follow=True,
        )

    job = DocumentJob.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reports:job_detail", args=[job.pk])
    assert job.status == DocumentJob.Status.DONE, job.error
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    text = pdf_text(b"".join(download.streaming_content))
    assert "BHXH Quận 1" in text and "Văn phòng" in text
