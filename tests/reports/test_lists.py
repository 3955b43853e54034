"""The delegate list and the attendance list of a conference, as PDF and
.xlsx: grouped by category then unit in protocol order, numbered
continuously, filtered like the list page, paged "Trang X/Y" with the
column headings repeated, and only for those who may print them."""

import datetime
import io
import unicodedata
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from openpyxl import load_workbook

from delegates.models import Category, Delegate, Gender, Rank
from reports.documents.lists import AttendancePdf, AttendanceXlsx, DelegateListPdf, DelegateListXlsx
from reports.models import DocumentJob
from reports.pdf import page_count
from tests.congress.conftest import tiers  # noqa: F401 - fixture used below
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory
from tests.reports.pdf_support import pdf_text

pytestmark = pytest.mark.django_db

LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def sheet_rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def official(conference, unit, name, **fields):
    return DelegateFactory(
        conference=conference,
        category=Category.OFFICIAL,
        person=PersonFactory(unit=unit, full_name=name, **fields),
    )


@pytest.fixture
def hcm_upper(tree, tiers):  # noqa: F811
    return ConferenceFactory(
        tier=tiers[2], unit=tree.hcm, date=datetime.date(2020, 4, 15), venue="Hội trường Quận 3"
    )


@pytest.fixture
def hcm_list(tree, tiers, hcm_upper):  # noqa: F811
    """HCMC's tier-2 list: a guest outside the register, officials of the
    province and of its district, two elected by the district's own
    conference. The province's head signs."""
    PersonFactory(unit=tree.hcm, full_name="Lê Thị Hương", rank=Rank.HEAD, position="Giám đốc")
    district_conference = ConferenceFactory(tier=tiers[1], unit=tree.hcm_district)
    made = {
        "guest": DelegateFactory(
            conference=hcm_upper,
            category=Category.GUEST,
            person=None,
            guest_name="Nguyễn Văn Nên",
            guest_title="Bí thư Thành ủy",
            guest_organisation="Thành ủy TP. Hồ Chí Minh",
        ),
        "head": official(
            hcm_upper,
            tree.hcm,
            "Đỗ Thị Bình",
            rank=Rank.DEPUTY_HEAD,
            position="Phó Giám đốc",
            gender=Gender.FEMALE,
            birth_year=1970,
        ),
        "district_head": official(
            hcm_upper,
            tree.hcm_district,
            "Hồ Văn Ẩn",
            rank=Rank.HEAD,
            position="Giám đốc",
            gender=Gender.MALE,
            birth_year=1968,
        ),
    }
    for key, name in (("elected_anh", "Ngô Thị Ánh"), ("elected_uyen", "Bùi Văn Uyển")):
        made[key] = DelegateFactory(
            conference=hcm_upper,
            category=Category.ELECTED,
            person=PersonFactory(unit=tree.hcm_district, full_name=name),
            elected_at=district_conference,
        )
    return made


def params(conference, **extra):
    return {"conference": conference.pk, "order": "protocol", **extra}


# -- The delegate list (PDF) ---------------------------------------------------------


def test_pdf_lists_delegates_by_category_then_unit_with_the_head_signing(hcm_upper, hcm_list):
    filename, mimetype, data = DelegateListPdf().render(params(hcm_upper))
    text = pdf_text(data)
    assert filename == "danh-sach-dai-bieu-bhxh-tp-ho-chi-minh.pdf"
    assert mimetype == "application/pdf"
    assert unicodedata.is_normalized("NFC", text)
    assert "DANH SÁCH ĐẠI BIỂU" in text
    assert "Dự Hội nghị điển hình tiên tiến cấp trên cơ sở BHXH TP. Hồ Chí Minh" in text
    assert "ngày 15/04/2020 tại Hội trường Quận 3" in " ".join(text.split())
    # Protocol order: guests, officials (province, then its district), elected.
    order = [
        "I. ĐẠI BIỂU KHÁCH MỜI",
        "Nguyễn Văn Nên",
        "II. ĐẠI BIỂU CHÍNH THỨC (MỜI)",
        "Đỗ Thị Bình",
        "Hồ Văn Ẩn",
        "III. ĐẠI BIỂU BẦU",
        "Ngô Thị Ánh",
        "Bùi Văn Uyển",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "BHXH Quận 1" in text  # the unit heading of the district
    # Numbered continuously across the categories.
    assert [line.split()[0] for line in text.splitlines() if "Bùi Văn Uyển" in line] == ["5"]
    assert "Danh sách này có 5 đại biểu." in text
    assert "NGƯỜI LẬP BIỂU" in text
    assert "GIÁM ĐỐC" in text and "Lê Thị Hương" in text
    assert "Trang 1/1" in text


def test_a_long_list_is_paged_with_the_column_headings_on_every_page(tree, hcm_upper, hcm_list):
    for index in range(30):
        official(hcm_upper, tree.hcm_department, f"Trần Thị Thu {index:02d}")
    _, _, data = DelegateListPdf().render(params(hcm_upper))
    assert page_count(data) == 2
    first, second = pdf_text(data, page=1), pdf_text(data, page=2)
    assert "Trang 1/2" in first and "Trang 2/2" in second
    for page in (first, second):
        assert "STT" in page and "Họ và tên" in page and "Năm sinh" in page
        assert "Chức vụ" in page and "Đơn vị" in page
        # The running line names the conference on every page.
        assert "Hội nghị điển hình tiên tiến cấp trên cơ sở BHXH TP. Hồ Chí Minh" in page
    # The closing is never alone on a page: the last row comes with it.
    assert "Bùi Văn Uyển" in second and "Danh sách này có 35 đại biểu." in second


def test_filters_keep_a_category_or_a_unit_and_its_units(tree, hcm_upper, hcm_list):
    _, _, data = DelegateListPdf().render(params(hcm_upper, category=Category.ELECTED))
    text = pdf_text(data)
    assert "Ngô Thị Ánh" in text and "Bùi Văn Uyển" in text
    assert "Đỗ Thị Bình" not in text and "Nguyễn Văn Nên" not in text
    assert "I. ĐẠI BIỂU BẦU" in text
    assert "Thành phần: Đại biểu bầu" in text

    _, _, data = DelegateListPdf().render(params(hcm_upper, unit=tree.hcm_district.pk))
    text = pdf_text(data)
    assert "Hồ Văn Ẩn" in text and "Ngô Thị Ánh" in text
    assert "Đỗ Thị Bình" not in text and "Nguyễn Văn Nên" not in text
    assert "Danh sách này có 3 đại biểu." in text


def test_name_order_sorts_by_given_name_within_each_category(hcm_upper, hcm_list):
    _, _, data = DelegateListXlsx().render(params(hcm_upper, order="name"))
    names = [row[1] for row in sheet_rows(data) if isinstance(row[0], int)]
    # Elected: "Ánh" before "Uyển" by given name; no unit headings.
    assert names == ["Nguyễn Văn Nên", "Hồ Văn Ẩn", "Đỗ Thị Bình", "Ngô Thị Ánh", "Bùi Văn Uyển"]


# -- The delegate list (Excel) ---------------------------------------------------------


def test_xlsx_has_the_same_sections_rows_and_columns(hcm_upper, hcm_list):
    filename, _, data = DelegateListXlsx().render(params(hcm_upper))
    assert filename == "danh-sach-dai-bieu-bhxh-tp-ho-chi-minh.xlsx"
    rows = sheet_rows(data)
    assert rows[0][0] == "DANH SÁCH ĐẠI BIỂU"
    header = rows.index(
        ("STT", "Họ và tên", "Năm sinh (Nam)", "Năm sinh (Nữ)", "Chức vụ", "Đơn vị", "Ghi chú")
    )
    body = [row[:7] for row in rows[header + 1 :] if any(row)]
    assert body == [
        ("I. ĐẠI BIỂU KHÁCH MỜI", *[None] * 6),
        (1, "Nguyễn Văn Nên", None, None, "Bí thư Thành ủy", "Thành ủy TP. Hồ Chí Minh", None),
        ("II. ĐẠI BIỂU CHÍNH THỨC (MỜI)", *[None] * 6),
        ("BHXH TP. Hồ Chí Minh", *[None] * 6),
        (2, "Đỗ Thị Bình", None, 1970, "Phó Giám đốc", "BHXH TP. Hồ Chí Minh", None),
        ("BHXH Quận 1", *[None] * 6),
        (3, "Hồ Văn Ẩn", 1968, None, "Giám đốc", "BHXH Quận 1", None),
        ("III. ĐẠI BIỂU BẦU", *[None] * 6),
        ("BHXH Quận 1", *[None] * 6),
        *[
            (
                number,
                hcm_list[key].person.full_name,
                *(
                    (hcm_list[key].person.birth_year, None)
                    if hcm_list[key].person.gender == Gender.MALE
                    else (None, hcm_list[key].person.birth_year)
                ),
                "Chuyên viên",
                "BHXH Quận 1",
                None,
            )
            for number, key in ((4, "elected_anh"), (5, "elected_uyen"))
        ],
        ("Danh sách này có 5 đại biểu.", *[None] * 6),
    ]


def test_a_delegate_elected_elsewhere_is_noted(tree, tiers, hcm_upper, hcm_list):  # noqa: F811
    """At the Congress the province's delegates are elected by the
    province's conference, though they work in its districts."""
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    DelegateFactory(
        conference=congress,
        category=Category.ELECTED,
        person=hcm_list["district_head"].person,
        elected_at=hcm_upper,
        unit=tree.hcm,
    )
    rows = sheet_rows(DelegateListXlsx().render(params(congress, order="name"))[2])
    (row,) = [row for row in rows if row[1] == "Hồ Văn Ẩn"]
    assert row[5:7] == ("BHXH Quận 1", "Được bầu tại BHXH TP. Hồ Chí Minh")


# -- The attendance list -----------------------------------------------------------


@pytest.fixture
def checked_in(hcm_upper, hcm_list):
    """The guest at 07:45 and one elected delegate at 08:05, local time."""
    day = hcm_upper.date
    for key, hour, minute in (("guest", 7, 45), ("elected_anh", 8, 5)):
        Delegate.objects.filter(pk=hcm_list[key].pk).update(
            checked_in_at=datetime.datetime.combine(day, datetime.time(hour, minute), LOCAL)
        )


def test_attendance_pdf_shows_times_absences_and_counts(hcm_upper, hcm_list, checked_in):
    filename, _, data = AttendancePdf().render(params(hcm_upper))
    assert filename == "danh-sach-diem-danh-bhxh-tp-ho-chi-minh.pdf"
    text = pdf_text(data)
    lines = text.splitlines()
    assert "DANH SÁCH ĐIỂM DANH ĐẠI BIỂU" in text
    assert "Giờ điểm danh" in text
    (guest,) = [line for line in lines if "Nguyễn Văn Nên" in line]
    (anh,) = [line for line in lines if "Ngô Thị Ánh" in line]
    (uyen,) = [line for line in lines if "Bùi Văn Uyển" in line]
    assert guest.rstrip().endswith("07:45")
    assert anh.rstrip().endswith("08:05")
    assert uyen.rstrip().endswith("Vắng")
    counts = {
        words[-4]: words[-3:]
        for words in map(str.split, lines)
        if len(words) > 4 and all(word.isdigit() for word in words[-3:])
    }
    assert counts["mời"] == ["1", "1", "0"]  # guests: expected, present, absent
    assert counts["(mời)"] == ["2", "0", "2"]
    assert counts["bầu"] == ["2", "1", "1"]
    assert counts["cộng"] == ["5", "2", "3"]


def test_attendance_xlsx_shows_times_absences_and_counts(hcm_upper, hcm_list, checked_in):
    filename, _, data = AttendanceXlsx().render(params(hcm_upper))
    assert filename == "danh-sach-diem-danh-bhxh-tp-ho-chi-minh.xlsx"
    rows = sheet_rows(data)
    assert ("STT", "Họ và tên", "Chức vụ", "Đơn vị", "Giờ điểm danh") in rows
    times = {row[1]: row[4] for row in rows if isinstance(row[0], int)}
    assert times == {
        "Nguyễn Văn Nên": "07:45",
        "Đỗ Thị Bình": "Vắng",
        "Hồ Văn Ẩn": "Vắng",
        "Ngô Thị Ánh": "08:05",
        "Bùi Văn Uyển": "Vắng",
    }
    footer = [row[0] for row in rows[-4:]]
    assert footer == [
        "Đại biểu khách mời: có mặt 1/1 đại biểu",
        "Đại biểu chính thức (mời): có mặt 0/2 đại biểu",
        "Đại biểu bầu: có mặt 1/2 đại biểu",
        "Tổng cộng: có mặt 2/5 đại biểu",
    ]


# -- Queries, parameters, permission ---------------------------------------------------


EXPORTERS = [DelegateListPdf, DelegateListXlsx, AttendancePdf, AttendanceXlsx]


@pytest.mark.parametrize("exporter", EXPORTERS, ids=lambda cls: cls.identifier)
@pytest.mark.parametrize("count", [1, 40])
def test_source_queries_do_not_grow_with_the_delegates(
    tree,
    tiers,  # noqa: F811
    hcm_upper,
    exporter,
    count,
    django_assert_max_num_queries,
):
    district_conference = ConferenceFactory(tier=tiers[1], unit=tree.hcm_district)
    for index in range(count):
        DelegateFactory(
            conference=hcm_upper,
            category=Category.ELECTED,
            person=PersonFactory(unit=tree.hcm_district if index % 2 else tree.hcm_department),
            elected_at=district_conference,
        )
    with django_assert_max_num_queries(6):
        exporter().source(params(hcm_upper, unit=tree.hcm.pk))


def test_target_cleans_the_parameters(tree, users, hcm_upper):
    target = DelegateListPdf().target(
        user=users["printer_hcm"],
        params={"conference": str(hcm_upper.pk), "category": "", "unit": str(tree.hcm_district.pk)},
    )
    assert target.unit == tree.hcm
    assert target.params == {
        "conference": hcm_upper.pk,
        "unit": tree.hcm_district.pk,
        "order": "protocol",
    }
    assert "BHXH TP. Hồ Chí Minh" in target.title


@pytest.mark.parametrize(
    "extra",
    [{"category": "speaker"}, {"order": "age"}, {"unit": "abc"}, {"unit": "hanoi_district"}],
)
def test_target_refuses_parameters_that_mean_nothing(tree, users, hcm_upper, extra):
    if extra.get("unit") == "hanoi_district":
        extra = {"unit": tree.hanoi_district.pk}  # a unit of another province
    with pytest.raises(ValidationError):
        DelegateListXlsx().target(
            user=users["officer_hcm"], params={"conference": hcm_upper.pk, **extra}
        )


@pytest.mark.parametrize("exporter", EXPORTERS, ids=lambda cls: cls.identifier)
def test_another_provinces_officer_gets_404(users, hcm_upper, exporter):
    with pytest.raises(Http404):
        exporter().target(user=users["officer_hanoi"], params={"conference": hcm_upper.pk})


# -- Through the pages ---------------------------------------------------------------


def test_the_list_page_offers_the_lists_as_filtered(client, tree, users, hcm_upper, hcm_list):
    client.force_login(users["printer_hcm"])
    url = reverse("delegates:delegate_list", args=[hcm_upper.pk])
    response = client.get(
        url, {"category": "elected", "unit": tree.hcm_district.pk, "order": "name"}
    )
    page = response.content.decode()
    for identifier in (
        "delegate_list_pdf",
        "delegate_list_xlsx",
        "attendance_pdf",
        "attendance_xlsx",
    ):
        assert f'data-testid="ask-{identifier}"' in page
    form = page[
        page.index('value="delegate_list_pdf"') : page.index('data-testid="ask-delegate_list_pdf"')
    ]
    assert 'name="category" value="elected"' in form
    assert f'name="unit" value="{tree.hcm_district.pk}"' in form
    assert 'name="order" value="name"' in form


def test_asking_for_the_list_renders_it_and_serves_it(
    client, tree, users, hcm_upper, hcm_list, django_capture_on_commit_callbacks
):
    client.force_login(users["printer_hcm"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {
                "exporter": "delegate_list_pdf",
                "conference": hcm_upper.pk,
                "unit": tree.hcm_district.pk,
                "order": "protocol",
            },
            follow=True,
        )
    job = DocumentJob.objects.get()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("reports:job_detail", args=[job.pk])
    assert job.status == DocumentJob.Status.DONE
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    assert download.status_code == 200
    text = pdf_text(b"".join(download.streaming_content))
    assert "Hồ Văn Ẩn" in text and "Ngô Thị Ánh" in text
    assert "Đỗ Thị Bình" not in text
