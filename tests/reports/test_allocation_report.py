"""The quota allocation table: the version's computation and lines in the
PDF and the workbook, the draft mark, who may ask for it, and queries that
do not grow with the units."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from congress.models import Conference
from delegates.models import Allocation
from delegates.services import quotas as quota_services
from reports.documents.allocation import AllocationPdf, AllocationXlsx
from reports.models import DocumentJob
from tests.delegates import conftest as shared
from tests.factories import ConferenceFactory, UnitFactory
from tests.reports.pdf_support import flowing_text, pdf_text

pytestmark = pytest.mark.django_db

# Fixtures shared with the tests of delegates.
hanoi_upper = shared.hanoi_upper
hcm_upper = shared.hcm_upper
tiers = shared.tiers

HANOI_UNITS = [
    ("D001", "BHXH quận Ba Đình", 13),
    ("D002", "BHXH quận Hoàn Kiếm", 82),
    ("D017", "BHXH huyện Đông Anh", 26),
    ("P01-VP", "Văn phòng BHXH thành phố", 49),
]


def hold(tier, unit, attendance):
    return ConferenceFactory(
        tier=tier,
        unit=unit,
        status=Conference.Status.HELD,
        held_on=tier.window_start + datetime.timedelta(days=40),
        actual_attendance=attendance,
    )


def province_allocation(tree, tiers, conference, officer, units, *, cap):
    """Hold each unit's tier-1 conference with its attendance, set the
    province's cap and compute the allocation (a draft)."""
    for unit, attendance in units:
        hold(tiers[1], unit, attendance)
    tiers[2].cap_exceptions.update_or_create(unit=conference.unit, defaults={"cap": cap})
    return quota_services.compute_allocation(actor=officer, conference=conference)


@pytest.fixture
def hanoi(tree, tiers, users, hanoi_upper):
    """Hà Nội's tier-2 allocation: four units (13, 82, 26, 49 attending),
    20 seats; Hoàn Kiếm gives a seat to Ba Đình, then it is approved."""
    units = []
    for position, (code, name, attendance) in enumerate(HANOI_UNITS, start=1):
        if code == "D001":
            unit = tree.hanoi_district
            unit.position = position
            unit.save()
        else:
            kind = "province_department" if code.endswith("VP") else "district"
            unit = UnitFactory(
                parent=tree.hanoi, code=code, name=name, kind=kind, position=position
            )
        units.append((unit, attendance))
    allocation = province_allocation(
        tree, tiers, hanoi_upper, users["officer_hanoi"], units, cap=20
    )
    ba_dinh, hoan_kiem = units[0][0], units[1][0]
    lines = {line.unit_id: line for line in allocation.lines.all()}
    allocation = quota_services.adjust_seats(
        actor=users["officer_hanoi"],
        allocation=allocation,
        seats={
            ba_dinh.pk: lines[ba_dinh.pk].seats + 1,
            hoan_kiem.pk: lines[hoan_kiem.pk].seats - 1,
        },
        reasons={
            ba_dinh.pk: "Đơn vị điểm về cải cách thủ tục",
            hoan_kiem.pk: "Nhường một suất cho quận Ba Đình",
        },
        expected_lock_version=allocation.lock_version,
    )
    return {"allocation": allocation, "units": units, "lines": lines}


def approve(users, allocation):
    quota_services.submit_allocation(actor=users["officer_hanoi"], allocation=allocation)
    return quota_services.review_allocation(
        actor=users["council"], allocation=allocation, decision="approve"
    )


def test_the_pdf_shows_the_computation_and_every_line(users, hanoi):
    allocation = approve(users, hanoi["allocation"])
    lines = hanoi["lines"]
    ba_dinh, hoan_kiem = hanoi["units"][0][0], hanoi["units"][1][0]

    filename, mimetype, data = AllocationPdf().render({"allocation": allocation.pk})

    text = pdf_text(data)
    assert filename == "phan-bo-dai-bieu-bhxh-tp-ha-noi-v1.pdf"
    assert mimetype == "application/pdf"
    assert _("Table of the quota of elected delegates").upper() in text
    assert "Hội nghị điển hình tiên tiến cấp trên cơ sở" in text
    assert "BHXH TP. HÀ NỘI" in text  # the issuing body, upper case
    for _code, name, _attendance in HANOI_UNITS:
        assert name in text
    assert "BHXH quận Ba Đình" in text
    # Ba Đình: 13 attending of 170, 20 seats: exact quota 260/170 = 1,529.
    assert "1,529" in text
    # The totals: 170 attending, quota 20,000, 20 seats.
    total_line = next(line for line in text.splitlines() if _("Total") in line)
    assert total_line.split()[-3:] == ["20,000", "20", "20"]
    assert "170" in total_line
    # The reason of the adjustment, wrapped in its cell.
    assert "Đơn vị điểm về cải cách thủ tục" in flowing_text(data)
    assert lines[ba_dinh.pk].computed_seats + 1 == allocation.lines.get(unit=ba_dinh).seats
    assert lines[hoan_kiem.pk].seats - 1 == allocation.lines.get(unit=hoan_kiem).seats
    # The computation: the method, the seats, the approval.
    assert "Sainte-Laguë / Webster" in text
    assert users["council"].get_full_name() in flowing_text(data)
    assert _("Draft").upper() not in text


def test_a_version_not_approved_is_marked_draft_with_its_status(users, hanoi):
    allocation = hanoi["allocation"]
    quota_services.submit_allocation(actor=users["officer_hanoi"], allocation=allocation)

    _filename, _mimetype, data = AllocationPdf().render({"allocation": allocation.pk})

    text = pdf_text(data)
    assert _("Draft").upper() in text
    assert str(Allocation.Status.SUBMITTED.label) in text


def test_a_tie_and_its_rule_are_told(tree, tiers, users, hanoi_upper):
    names = ["BHXH quận Tây Hồ", "BHXH quận Long Biên", "BHXH huyện Sóc Sơn"]
    units = [tree.hanoi_district] + [
        UnitFactory(parent=tree.hanoi, code=f"D1{n}", name=name, position=n + 1)
        for n, name in enumerate(names)
    ]
    for unit in units:
        hold(tiers[1], unit, 10)
    # Four units of 10: the two seats above the minimum go by the tie rule.
    tiers[2].cap_exceptions.update_or_create(unit=tree.hanoi, defaults={"cap": 6})
    allocation = quota_services.compute_allocation(
        actor=users["officer_hanoi"], conference=hanoi_upper, tie_break="lot", seed=2020
    )

    text = flowing_text(AllocationPdf().render({"allocation": allocation.pk})[2])

    assert allocation.computation["tie"] is not None
    assert _("Drawing lots with a seed fixed beforehand") in text
    assert "2020" in text
    assert "BHXH quận Tây Hồ" in text


def test_the_workbook_has_the_lines_the_exact_quota_and_the_totals(users, hanoi):
    allocation = hanoi["allocation"]

    filename, _mimetype, data = AllocationXlsx().render({"allocation": allocation.pk})

    assert filename.endswith("-v1.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
    assert _("Draft").upper() in rows[0][0]
    by_unit = {row[1]: row for row in rows if isinstance(row[0], int)}
    ba_dinh = by_unit["BHXH quận Ba Đình"]
    assert ba_dinh[2] == 13
    assert ba_dinh[3] == pytest.approx(1.529)
    assert ba_dinh[4] == "26/17"
    assert ba_dinh[7] == "Đơn vị điểm về cải cách thủ tục"
    total = next(row for row in rows if row[1] == _("Total"))
    assert total[2:7] == (170, 20.0, "20", 20, 20)


def test_the_conference_alone_gives_its_approved_version(users, hanoi, hanoi_upper):
    approved = approve(users, hanoi["allocation"])
    newer = quota_services.compute_allocation(actor=users["officer_hanoi"], conference=hanoi_upper)

    target = AllocationPdf().target(
        user=users["officer_hanoi"], params={"conference": hanoi_upper.pk}
    )

    assert newer.version == 2
    assert target.params == {"allocation": approved.pk}
    assert target.unit == hanoi_upper.unit


def test_a_conference_without_allocation_is_refused(users, hcm_upper):
    with pytest.raises(ValidationError):
        AllocationPdf().target(user=users["officer_hcm"], params={"conference": hcm_upper.pk})


def test_an_allocation_of_another_province_is_not_found(tree, tiers, users, hcm_upper):
    units = [(tree.hcm_district, 30), (tree.hcm_department, 20)]
    allocation = province_allocation(tree, tiers, hcm_upper, users["officer_hcm"], units, cap=10)

    for exporter in (AllocationPdf(), AllocationXlsx()):
        with pytest.raises(Http404):
            exporter.target(user=users["officer_hanoi"], params={"allocation": allocation.pk})
        with pytest.raises(Http404):
            exporter.target(user=users["officer_hanoi"], params={"conference": hcm_upper.pk})
    assert AllocationPdf().target(
        user=users["printer_hcm"], params={"allocation": allocation.pk}
    ).params == {"allocation": allocation.pk}
    with pytest.raises(ValidationError):
        AllocationPdf().target(user=users["printer_hcm"], params={"allocation": "x"})


@pytest.mark.parametrize("exporter", [AllocationPdf(), AllocationXlsx()], ids=["pdf", "xlsx"])
def test_the_queries_do_not_grow_with_the_units(tree, tiers, users, hcm_upper, exporter):
    units = [(tree.hcm_district, 30), (tree.hcm_department, 20)]
    small = province_allocation(tree, tiers, hcm_upper, users["officer_hcm"], units, cap=40)
    more = [
        (UnitFactory(parent=tree.hcm, code=f"Q{n}", name=f"BHXH quận {n}", position=n), 10 + n)
        for n in range(18)
    ]
    large = province_allocation(tree, tiers, hcm_upper, users["officer_hcm"], more, cap=40)
    counts = []
    for allocation, lines in ((small, 2), (large, 20)):
        assert allocation.lines.count() == lines
        with CaptureQueriesContext(connection) as queries:
            exporter.source({"allocation": allocation.pk})
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4


def test_asking_through_the_page_gives_the_pdf(
    client, users, hanoi, django_capture_on_commit_callbacks
):
    allocation = hanoi["allocation"]
    client.force_login(users["officer_hanoi"])
    page = client.get(reverse("allocations:allocation_detail", args=[allocation.conference_id]))
    assert 'data-testid="ask-allocation_pdf"' in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {"exporter": "allocation_pdf", "allocation": allocation.pk},
            follow=True,
        )

    job = DocumentJob.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reports:job_detail", args=[job.pk])
    assert job.status == DocumentJob.Status.DONE, job.error
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    text = pdf_text(b"".join(download.streaming_content))
    assert "BHXH quận Ba Đình" in text and _("Draft").upper() in text


def test_the_buttons_print_the_version_shown(client, users, hanoi, hanoi_upper):
    first = approve(users, hanoi["allocation"])
    newer = quota_services.compute_allocation(actor=users["officer_hanoi"], conference=hanoi_upper)
    url = reverse("allocations:allocation_detail", args=[hanoi_upper.pk])
    client.force_login(users["council"])

    newest_page = client.get(url).text
    older_page = client.get(url, {"version": first.version}).text

    assert f'name="allocation" value="{newer.pk}"' in newest_page
    assert f'name="allocation" value="{first.pk}"' in older_page
    assert 'data-testid="ask-allocation_xlsx"' in older_page
