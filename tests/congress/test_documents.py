"""A conference's summary report and minutes: versions, permission, and
the minutes that allow closing the conference."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from congress import services, uploads
from congress.models import Conference, ConferenceDocument
from tests.congress.documents_support import (
    MZ,
    PDF,
    ROLES,
    SEES,
    docx,
    expected_change_status,
    expected_view_status,
    make_conference,
    ole2,
    upload,
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def conferences(tree, tiers):
    """The tier-2 conferences of both provinces, held (minutes may come)."""
    return {
        "hcm": make_conference(tiers[2], tree.hcm, Conference.Status.HELD, venue="Hội trường HCM"),
        "hanoi": make_conference(tiers[2], tree.hanoi, Conference.Status.HELD),
    }


def add_document(
    conference, actor, kind="summary_report", name="Báo cáo tổng kết.pdf", content=PDF
):
    return services.upload_conference_document(
        actor=actor,
        conference=conference,
        kind=kind,
        upload=uploads.check_upload(upload(name, content)),
    )


def upload_url(conference):
    return reverse("congress:conference_document_upload", args=[conference.pk])


# -- Services ----------------------------------------------------------------


def test_each_upload_is_a_new_version_per_kind(conferences, users):
    hcm = conferences["hcm"]
    first = add_document(hcm, users["officer_hcm"])
    second = add_document(hcm, users["officer_hcm"], name="Báo cáo (bản 2).docx", content=docx())
    minutes = add_document(
        hcm, users["officer_hcm"], kind="minutes", name="Biên bản.doc", content=ole2()
    )
    assert (first.version, second.version, minutes.version) == (1, 2, 1)
    assert second.original_name == "Báo cáo (bản 2).docx"
    assert second.file.name.startswith("conferences/") and "Báo cáo" not in second.file.name
    assert minutes.content_type == "application/msword"


def test_minutes_only_once_held(tree, tiers, users):
    draft = make_conference(tiers[2], tree.hcm)
    with pytest.raises(ValidationError) as caught:
        add_document(draft, users["officer_hcm"], kind="minutes")
    assert "kind" in caught.value.message_dict
    # The summary report may be prepared before.
    assert add_document(draft, users["officer_hcm"]).version == 1


def test_uploading_the_minutes_allows_closing(conferences, users):
    hcm = conferences["hcm"]
    with pytest.raises(ValidationError):
        services.transition_conference(actor=users["officer_hcm"], conference=hcm, name="close")
    add_document(hcm, users["officer_hcm"], kind="minutes")
    closed = services.transition_conference(
        actor=users["officer_hcm"], conference=hcm, name="close"
    )
    assert closed.status == Conference.Status.CLOSED


def test_closed_conference_documents_no_longer_change(tree, tiers, users):
    closed = make_conference(tiers[2], tree.hcm, Conference.Status.CLOSED)
    with pytest.raises(ValidationError):
        add_document(closed, users["officer_hcm"])


# -- Pages -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["hcm", "hanoi"])
def test_document_upload_by_role(client, conferences, users, role, name):
    conference = conferences[name]
    client.force_login(users[role])
    response = client.post(
        upload_url(conference),
        {"kind": "summary_report", "file": upload("Báo cáo tổng kết 2016-2020.pdf", PDF)},
    )
    expected = expected_change_status(role, name)
    assert response.status_code == expected
    assert conference.documents.exists() == (expected == 302)
    if expected == 302:
        assert response["Location"] == conference.get_absolute_url() + "#documents"


@pytest.mark.parametrize("role", ROLES)
def test_conference_page_shows_documents_and_the_form_to_who_may_upload(
    client, conferences, users, role
):
    hcm = conferences["hcm"]
    add_document(hcm, users["admin"], name="Báo cáo tổng kết.pdf")
    add_document(hcm, users["admin"], name="Báo cáo tổng kết (sửa).pdf")
    client.force_login(users[role])
    response = client.get(hcm.get_absolute_url())
    assert response.status_code == expected_view_status(role, "hcm")
    if response.status_code != 200:
        return
    text = response.text
    assert "Báo cáo tổng kết (sửa).pdf" in text and "phiên bản 2" in text
    assert "1 phiên bản trước" in text
    assert ("document-upload" in text) == (role in {"admin", "officer_hcm"})
    # Held without minutes: the page says that the minutes are what allow closing,
    # to whoever may upload them as what to do.
    if role in {"admin", "officer_hcm"}:
        assert "Để kết thúc hội nghị, trước hết hãy tải lên biên bản" in text
        assert 'data-testid="close-needs-minutes"' in text
    else:
        assert "Chưa có biên bản: hội nghị chỉ kết thúc được" in text


def test_page_says_closing_is_possible_once_the_minutes_are_in(client, conferences, users):
    hcm = conferences["hcm"]
    add_document(hcm, users["officer_hcm"], kind="minutes", name="Biên bản hội nghị.pdf")
    client.force_login(users["officer_hcm"])
    text = client.get(hcm.get_absolute_url()).text
    assert "Biên bản hội nghị.pdf" in text
    assert "Đã có biên bản: có thể kết thúc hội nghị" in text


def test_refused_file_comes_back_on_the_field_with_the_kind_kept(client, conferences, users):
    hcm = conferences["hcm"]
    client.force_login(users["officer_hcm"])
    response = client.post(
        upload_url(hcm), {"kind": "minutes", "file": upload("bien-ban.docx", MZ)}
    )
    assert response.status_code == 400
    form = response.context["document_form"]
    assert form.errors["file"] and form["kind"].value() == "minutes"
    assert "là một chương trình, không phải văn bản" in response.text
    assert '<option value="minutes" selected>' in response.text
    assert not hcm.documents.exists()


def test_minutes_before_held_are_refused_on_the_kind_field(client, tree, tiers, users):
    draft = make_conference(tiers[2], tree.hcm)
    client.force_login(users["officer_hcm"])
    response = client.post(upload_url(draft), {"kind": "minutes", "file": upload("bb.pdf", PDF)})
    assert response.status_code == 400
    assert response.context["document_form"].errors["kind"]
    assert not draft.documents.exists()


def test_closed_conference_shows_no_upload_form_and_refuses(client, tree, tiers, users):
    closed = make_conference(tiers[2], tree.hcm, Conference.Status.CLOSED)
    client.force_login(users["officer_hcm"])
    assert "document-upload" not in client.get(closed.get_absolute_url()).text
    response = client.post(
        upload_url(closed), {"kind": "summary_report", "file": upload("a.pdf", PDF)}
    )
    assert response.status_code == 400
    assert not closed.documents.exists()


def test_upload_url_takes_only_post(client, conferences, users):
    client.force_login(users["officer_hcm"])
    assert client.get(upload_url(conferences["hcm"])).status_code == 405


def test_anonymous_cannot_upload_or_download(client, conferences, users):
    document = add_document(conferences["hcm"], users["admin"])
    response = client.post(
        upload_url(conferences["hcm"]), {"kind": "summary_report", "file": upload("a.pdf", PDF)}
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    url = reverse(
        "congress:conference_document_download", args=[conferences["hcm"].pk, document.pk]
    )
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert conferences["hcm"].documents.count() == 1


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["hcm", "hanoi"])
def test_document_download_by_role(client, conferences, users, role, name):
    conference = conferences[name]
    document = add_document(conference, users["admin"], name="Báo cáo.docx", content=docx())
    client.force_login(users[role])
    response = client.get(
        reverse("congress:conference_document_download", args=[conference.pk, document.pk])
    )
    assert response.status_code == expected_view_status(role, name)
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == document.file.open("rb").read()
        assert response["Content-Type"] == document.content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "attachment;" in response["Content-Disposition"]
        assert "B%C3%A1o%20c%C3%A1o.docx" in response["Content-Disposition"]
    else:
        assert role not in SEES[name]


def test_document_of_another_conference_is_404(client, conferences, users):
    document = add_document(conferences["hanoi"], users["admin"])
    client.force_login(users["admin"])
    response = client.get(
        reverse("congress:conference_document_download", args=[conferences["hcm"].pk, document.pk])
    )
    assert response.status_code == 404


def test_kind_labels_name_the_reports_of_the_guidance():
    labels = dict(ConferenceDocument.Kind.choices)
    assert str(labels["summary_report"]).startswith("Báo cáo tổng kết")
    assert str(labels["minutes"]).startswith("Biên bản")
