"""Tables downloaded at once (``reports:download``): the checks of a job
(the exporter's form and right), then rendered in the request; the old
addresses of the in-request exports read their page's filters as the
page does; the same table from a job's worker as from the request."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from openpyxl import load_workbook

from reports import services
from reports.documents.board import ProgressBoardXlsx
from reports.documents.delegate_table import DelegateTableXlsx
from reports.documents.lists import DelegateListXlsx
from reports.documents.people import PeopleRegisterXlsx
from reports.xlsx import XLSX
from tests.congress.conftest import tiers  # noqa: F401 - fixture used below
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory
from units import workbooks

pytestmark = pytest.mark.django_db


@pytest.fixture
def hcm_upper(tree, tiers):  # noqa: F811
    conference = ConferenceFactory(tier=tiers[2], unit=tree.hcm)
    DelegateFactory(
        conference=conference, person=PersonFactory(unit=tree.hcm_district, full_name="Lê Văn An")
    )
    return conference


def download(client, exporter: str, **params):
    return client.get(reverse("reports:download", args=[exporter]), params)


def rows_of(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_one_mime_type_and_header_style():
    assert XLSX is workbooks.XLSX


def test_a_table_is_downloaded_at_once_with_the_exporters_file_name(client, users, hcm_upper):
    client.force_login(users["officer_hcm"])
    response = download(client, "delegate_table_xlsx", conference=hcm_upper.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        'attachment; filename="danh-sach-dai-bieu-bhxh-tp-ho-chi-minh.xlsx"'
    )
    assert "Lê Văn An" in {row[1] for row in rows_of(response.content)}


def test_a_bad_parameter_goes_back_with_the_forms_message(client, users, tree, hcm_upper):
    client.force_login(users["officer_hcm"])
    for unit in ("²", "٣", " 7", "1e3", str(tree.hanoi_district.pk)):
        response = download(client, "delegate_table_xlsx", conference=hcm_upper.pk, unit=unit)
        assert response.status_code == 302, unit
        shown = [str(message) for message in get_messages(response.wsgi_request)]
        assert any("không hợp lệ" in message for message in shown), (unit, shown)


def test_the_download_asks_what_a_job_asks(client, users, hcm_upper):
    client.force_login(users["officer_hanoi"])
    assert download(client, "delegate_table_xlsx", conference=hcm_upper.pk).status_code == 404
    client.force_login(users["officer_hcm"])
    # A PDF is a job's, never rendered in the request; an unknown document is none.
    assert download(client, "delegate_list_pdf", conference=hcm_upper.pk).status_code == 404
    assert download(client, "nonsense").status_code == 404
    client.logout()
    response = download(client, "delegate_table_xlsx", conference=hcm_upper.pk)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_old_address_reads_the_filters_as_the_page_does(client, users, tree, hcm_upper):
    """A bookmark of the list's export with a unit the page ignores still
    gives the list; the new address refuses the unit."""
    client.force_login(users["officer_hcm"])
    foreign = {"unit": tree.hanoi_district.pk, "gender": "other"}
    old = client.get(reverse("delegates:delegate_export", args=[hcm_upper.pk]), foreign)
    assert old.status_code == 200
    assert "Lê Văn An" in {row[1] for row in rows_of(old.content)}
    assert (
        download(client, "delegate_table_xlsx", conference=hcm_upper.pk, **foreign).status_code
        == 302
    )


def test_ids_are_ascii_digits_within_a_database_id(users, hcm_upper):
    for value in ("²", "٣", "+1", "9" * 20, "1.0"):
        with pytest.raises(ValidationError):
            DelegateListXlsx().target(user=users["officer_hcm"], params={"conference": value})
    with pytest.raises(ValidationError) as refusal:
        DelegateListXlsx().target(user=users["officer_hcm"], params={})
    assert "conference" in " ".join(refusal.value.messages)
    with pytest.raises(Http404):
        DelegateListXlsx().target(user=users["officer_hcm"], params={"conference": "9" * 18})


@pytest.mark.parametrize(
    ("exporter", "params"),
    [
        (DelegateTableXlsx, lambda c: {"conference": c.pk, "order": "name"}),
        (ProgressBoardXlsx, lambda c: {"tier": "2"}),
        (PeopleRegisterXlsx, lambda c: {"status": "all"}),
    ],
    ids=["delegate table", "board", "people register"],
)
def test_a_job_renders_the_table_the_request_downloads(users, hcm_upper, exporter, params):
    """The worker builds the source from the stored parameters; the request
    from the form's objects: the same table either way."""
    user = users["officer_hcm"]
    target = exporter().target(user=user, params=params(hcm_upper))
    in_request = exporter().source_of(target)
    job = services.request_document(
        user=user, exporter_id=exporter.identifier, params=params(hcm_upper)
    )
    assert job.unit == target.unit
    assert exporter().source(job.params).key == in_request.key
    filename, mimetype, data = exporter().render_source(in_request)
    assert mimetype == XLSX and filename.endswith(".xlsx")
    assert services.check_whole(mimetype, data) is None
