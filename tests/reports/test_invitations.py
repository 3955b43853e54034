"""Invitations (giấy mời): one page per delegate in protocol order, the
right salutation, the check-in code and QR code, filters, refusals, and
chunks rendered apart then merged in order."""

import datetime
import io
import subprocess
import unicodedata

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from delegates.models import Category, Gender, Rank
from reports.documents.invitations import InvitationsPdf
from reports.models import DocumentJob
from reports.templatetags.documents import qr_code
from tests.congress.conftest import tiers  # noqa: F401 - re-exported fixture
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory
from tests.reports.pdf_support import pdf_pages

pytestmark = pytest.mark.django_db

VENUE = "Hội trường Thống Nhất"


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def conference(tree, tiers):  # noqa: F811
    """BHXH TP.HCM's tier-2 conference on a Thursday, its director signing."""
    PersonFactory(unit=tree.hcm, full_name="Nguyễn Văn Giám", position="Giám đốc", rank=Rank.HEAD)
    return ConferenceFactory(
        tier=tiers[2],
        unit=tree.hcm,
        date=datetime.date(2019, 11, 14),
        start_time=datetime.time(7, 30),
        venue=VENUE,
    )


@pytest.fixture
def district_conference(tree, tiers):  # noqa: F811
    return ConferenceFactory(tier=tiers[1], unit=tree.hcm_district)


@pytest.fixture
def delegates(tree, conference, district_conference):
    """A guest outside the register, a female official, an elected man."""
    guest = DelegateFactory(
        conference=conference,
        category=Category.GUEST,
        person=None,
        unit=None,
        guest_name="Lê Thanh Hải",
        guest_title="Phó Chủ tịch",
        guest_organisation="UBND TP. Hồ Chí Minh",
    )
    official = DelegateFactory(
        conference=conference,
        person=PersonFactory(
            unit=tree.hcm,
            full_name="Trần Thị Ưng",
            gender=Gender.FEMALE,
            position="Phó Giám đốc",
            rank=Rank.DEPUTY_HEAD,
        ),
    )
    elected = DelegateFactory(
        conference=conference,
        category=Category.ELECTED,
        person=PersonFactory(
            unit=tree.hcm_district, full_name="Nguyễn Văn Đức", gender=Gender.MALE
        ),
        elected_at=district_conference,
    )
    return {"guest": guest, "official": official, "elected": elected}


def render(**params) -> bytes:
    filename, mimetype, data = InvitationsPdf().render(params)
    assert mimetype == "application/pdf" and filename.endswith(".pdf")
    return data


def test_each_delegate_gets_one_page_in_protocol_order(conference, delegates):
    data = render(conference=conference.pk)
    assert page_count(data) == 3
    guest, official, elected = pdf_pages(data)
    for page, delegate in zip((guest, official, elected), delegates.values(), strict=True):
        assert "GIẤY MỜI" in page
        assert "Kính gửi:" in page
        assert f"Mã điểm danh: {delegate.check_in_code}" in page
        assert f"Địa điểm: {VENUE}" in page
        assert "Thời gian: 07 giờ 30, Thứ Năm, ngày 14/11/2019" in page
        assert "Dự Hội nghị điển hình tiên tiến cấp trên cơ sở giai đoạn 2016–2020" in page
        assert "Số: /GM-BHXH" in page
        assert "Nơi nhận:" in page and "- Như trên; - Lưu: VT." in page
        assert "Nguyễn Văn Giám" in page  # the signer
        assert unicodedata.is_normalized("NFC", page)
    assert "Kính gửi: Ông/Bà Lê Thanh Hải" in guest
    assert "Phó Chủ tịch, UBND TP. Hồ Chí Minh" in guest
    assert "Kính gửi: Bà Trần Thị Ưng" in official
    assert "Phó Giám đốc, BHXH TP. Hồ Chí Minh" in official
    assert "Kính gửi: Ông Nguyễn Văn Đức" in elected
    assert "BHXH Quận 1" in elected


def test_the_conference_note_replaces_the_standard_one(conference, delegates):
    data = render(conference=conference.pk, delegate=delegates["guest"].pk)
    assert "trước giờ khai mạc 15 phút" in pdf_pages(data)[0]
    conference.note = "Trang phục: áo dài truyền thống."
    conference.save()
    (page,) = pdf_pages(render(conference=conference.pk, delegate=delegates["guest"].pk))
    assert "Lưu ý: Trang phục: áo dài truyền thống." in page
    assert "15 phút" not in page


def test_a_category_gives_only_its_delegates(conference, delegates):
    pages = pdf_pages(render(conference=conference.pk, category=Category.ELECTED))
    assert len(pages) == 1
    assert "Nguyễn Văn Đức" in pages[0]


def test_a_unit_gives_its_delegates_and_those_of_the_units_below(tree, conference, delegates):
    pages = pdf_pages(render(conference=conference.pk, unit=tree.hcm.pk))
    assert ["Trần Thị Ưng" in page for page in pages] == [True, False]
    assert "Nguyễn Văn Đức" in pages[1]
    pages = pdf_pages(render(conference=conference.pk, unit=tree.hcm_district.pk))
    assert len(pages) == 1 and "Nguyễn Văn Đức" in pages[0]


def test_one_delegate_gets_one_page(conference, delegates):
    filename, _, data = InvitationsPdf().render(
        {"conference": conference.pk, "delegate": delegates["official"].pk}
    )
    assert filename == "giay-moi-bhxh-tp-ho-chi-minh-tran-thi-ung.pdf"
    assert page_count(data) == 1
    assert "Bà Trần Thị Ưng" in pdf_pages(data)[0]


def test_the_qr_code_encodes_the_absolute_check_in_address(conference, delegates):
    exporter = InvitationsPdf()
    params = {"conference": conference.pk}
    invitations = exporter.context(params)["invitations"]
    (html,) = exporter.source(params).chunks
    path = reverse("delegates:check_in", args=[conference.pk])
    for invitation, delegate in zip(invitations, delegates.values(), strict=True):
        url = f"{settings.SITE_URL}{path}?code={delegate.check_in_code}"
        assert invitation.check_in_url == url
        assert qr_code(url) in html


def test_the_printed_qr_code_scans_to_the_check_in_address(conference, delegates, tmp_path):
    """Read back from the printed page, as a phone's camera would."""
    import zxingcpp
    from PIL import Image

    delegate = delegates["official"]
    _, _, data = InvitationsPdf().render({"conference": conference.pk, "delegate": delegate.pk})
    (tmp_path / "invitation.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-singlefile", "invitation.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    (code,) = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    path = reverse("delegates:check_in", args=[conference.pk])
    assert code.text == f"{settings.SITE_URL}{path}?code={delegate.check_in_code}"


def test_target_names_what_was_asked(users, conference, delegates):
    target = InvitationsPdf().target(
        user=users["printer_hcm"],
        params={"conference": str(conference.pk), "category": "guest", "unit": ""},
    )
    assert target.params == {"conference": conference.pk, "category": "guest"}
    assert target.unit == conference.unit
    assert target.title == (
        "Giấy mời: Hội nghị điển hình tiên tiến cấp trên cơ sở – BHXH TP. Hồ Chí Minh"
        " (Đại biểu khách mời)"
    )
    target = InvitationsPdf().target(
        user=users["officer_hcm"],
        params={"conference": conference.pk, "delegate": str(delegates["official"].pk)},
    )
    assert target.params == {"conference": conference.pk, "delegate": delegates["official"].pk}
    assert target.title.endswith("(Trần Thị Ưng)")


def test_target_refuses_another_provinces_officer(users, conference, delegates):
    with pytest.raises(Http404):
        InvitationsPdf().target(user=users["officer_hanoi"], params={"conference": conference.pk})


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"category": "vip"}, "không phải là một loại đại biểu"),
        ({"unit": "hanoi_district"}, "Đơn vị này không thuộc phạm vi của hội nghị"),
        ({"delegate": "other"}, "không phải là đại biểu của hội nghị"),
        ({"unit": "not-a-number"}, "không hợp lệ"),
    ],
)
def test_target_refuses_what_is_not_of_the_conference(
    tree,
    tiers,  # noqa: F811
    users,
    conference,
    delegates,
    extra,
    message,
):
    other = DelegateFactory(conference=ConferenceFactory(tier=tiers[2], unit=tree.hanoi))
    values = {"hanoi_district": tree.hanoi_district.pk, "other": other.pk}
    params = {"conference": conference.pk}
    params.update({name: values.get(value, value) for name, value in extra.items()})
    with pytest.raises(ValidationError) as refusal:
        InvitationsPdf().target(user=users["printer_hcm"], params=params)
    assert message in " ".join(refusal.value.messages)


def test_target_refuses_an_empty_list(users, conference, delegates):
    with pytest.raises(ValidationError):
        InvitationsPdf().target(
            user=users["printer_hcm"],
            params={"conference": conference.pk, "unit": conference.unit.pk, "category": "guest"},
        )


def add_officials(conference, count: int) -> None:
    for number in range(count):
        DelegateFactory(
            conference=conference,
            person=PersonFactory(unit=conference.unit, full_name=f"Phạm Văn Số {number:02d}"),
        )


def source_queries(conference) -> int:
    with CaptureQueriesContext(connection) as queries:
        InvitationsPdf().source({"conference": conference.pk})
    return len(queries)


def test_the_queries_do_not_grow_with_the_delegates(tree, tiers, conference):  # noqa: F811
    add_officials(conference, 1)
    many = ConferenceFactory(tier=tiers[2], unit=tree.hanoi)
    add_officials(many, 30)
    assert source_queries(conference) == source_queries(many) <= 6


def test_a_big_batch_is_cut_into_chunks_and_merged_in_order(
    client, settings, users, conference, django_capture_on_commit_callbacks
):
    settings.REPORTS_CHUNK_SIZE = 2
    add_officials(conference, 5)
    exporter = InvitationsPdf()
    source = exporter.source({"conference": conference.pk})
    assert len(source.chunks) == 3
    assert all(chunk.lstrip().startswith("<!DOCTYPE html>") for chunk in source.chunks)

    client.force_login(users["printer_hcm"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {"exporter": "invitations_pdf", "conference": conference.pk},
            follow=True,
        )
    job = DocumentJob.objects.get()
    assert response.status_code == 200
    assert job.status == DocumentJob.Status.DONE, job.error
    assert job.title.startswith("Giấy mời: Hội nghị điển hình tiên tiến")
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('filename="giay-moi-bhxh-tp-ho-chi-minh.pdf"')
    data = b"".join(download.streaming_content)
    assert page_count(data) == job.result.pages == 5
    pages = pdf_pages(data)
    assert [f"Phạm Văn Số {number:02d}" in page for number, page in enumerate(pages)] == [True] * 5


def test_the_delegate_list_offers_the_invitations(client, users, conference, delegates):
    client.force_login(users["printer_hcm"])
    url = reverse("delegates:delegate_list", args=[conference.pk])
    page = client.get(url).content.decode()
    assert "Giấy mời (tất cả)" in page
    assert "Giấy mời (theo bộ lọc)" not in page
    page = client.get(url, {"category": "guest"}).content.decode()
    assert "Giấy mời (theo bộ lọc)" in page
    assert '<input type="hidden" name="category" value="guest">' in page


def test_each_row_of_the_delegate_list_asks_for_that_delegates_invitation(
    client, users, conference, delegates, django_capture_on_commit_callbacks
):
    client.force_login(users["printer_hcm"])
    page = client.get(reverse("delegates:delegate_list", args=[conference.pk])).content.decode()
    official = delegates["official"]
    assert f'data-testid="ask-invitation-{official.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {"exporter": "invitations_pdf", "conference": conference.pk, "delegate": official.pk},
            follow=True,
        )
    job = response.context["job"]
    data = client.get(reverse("reports:job_download", args=[job.pk]))
    pages = pdf_pages(b"".join(data.streaming_content))
    assert len(pages) == 1 and "Bà Trần Thị Ưng" in pages[0]
