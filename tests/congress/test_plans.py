"""Organisation plans (kế hoạch tổ chức) of the tier-2 organisers: filed
in versions by their officers, reviewed by the council, served only to
those who may see the unit."""

import hashlib
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from congress import services, uploads
from congress.models import OrganisationPlan
from tests.congress.documents_support import (
    ELF,
    PDF,
    REVIEWS,
    ROLES,
    SEES,
    docx,
    expected_change_status,
    expected_view_status,
    upload,
)
from tests.factories import UnitFactory, UserFactory
from units.models import Role, UnitKind


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def checked(name="ke-hoach.pdf", content=PDF):
    return uploads.check_upload(upload(name, content))


@pytest.fixture
def file_plan(users):
    """File a plan for ``unit`` as ``actor`` (the administrator by default)."""

    def file(unit, actor=None, name="ke-hoach.pdf", content=PDF):
        actor = actor or users["admin"]
        return services.upload_organisation_plan(
            actor=actor, unit=unit, upload=checked(name, content)
        )

    return file


def province(tree, name: str):
    return getattr(tree, name)


# -- Services ----------------------------------------------------------------


def test_each_upload_is_a_new_version_stored_under_a_random_name(
    tree, tiers, users, media_root, file_plan
):
    first = file_plan(tree.hcm, users["officer_hcm"], name="Kế hoạch tổ chức.pdf")
    second = file_plan(tree.hcm, users["officer_hcm"], name="Kế hoạch (sửa).docx", content=docx())
    assert (first.version, second.version) == (1, 2)
    assert first.tier == tiers[2] and first.status == OrganisationPlan.Status.SUBMITTED
    assert second.original_name == "Kế hoạch (sửa).docx"
    assert second.content_type.endswith("wordprocessingml.document")
    assert second.uploaded_by == users["officer_hcm"]
    assert "Kế hoạch" not in second.file.name and second.file.name.startswith("plans/")
    assert second.file.name.endswith(".docx")
    stored = media_root / second.file.name
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == second.sha256
    # Versions count per unit: Hà Nội starts at 1.
    assert file_plan(tree.hanoi).version == 1


def test_only_tier_two_organisers_file_a_plan(tree, tiers, users, file_plan):
    with pytest.raises(ValidationError, match="không phải nộp kế hoạch tổ chức"):
        file_plan(tree.hcm_district, users["officer_hcm"])
    hq_bloc = UnitFactory(parent=tree.vss, kind=UnitKind.HQ_BLOC, code="KCQ", name="Khối cơ quan")
    assert file_plan(hq_bloc).version == 1


@pytest.mark.parametrize("role", ["council", "printer", "printer_hcm", "officer_hanoi"])
def test_only_who_may_change_the_unit_uploads(tree, tiers, users, file_plan, role):
    with pytest.raises(PermissionDenied):
        file_plan(tree.hcm, users[role])
    assert not OrganisationPlan.objects.exists()


def test_council_accepts_the_latest_version(tree, tiers, users, file_plan):
    plan = file_plan(tree.hcm, users["officer_hcm"])
    services.review_organisation_plan(actor=users["council"], plan=plan, decision="accept")
    plan.refresh_from_db()
    assert plan.status == OrganisationPlan.Status.ACCEPTED
    assert plan.reviewed_by == users["council"] and plan.reviewed_at is not None


def test_returning_needs_a_reason(tree, tiers, users, file_plan):
    plan = file_plan(tree.hcm)
    with pytest.raises(ValidationError) as caught:
        services.review_organisation_plan(
            actor=users["council"], plan=plan, decision="return", reason="  "
        )
    assert "reason" in caught.value.message_dict
    plan.refresh_from_db()
    assert plan.status == OrganisationPlan.Status.SUBMITTED


def test_returned_plan_is_superseded_by_a_new_version(tree, tiers, users, file_plan):
    first = file_plan(tree.hcm, users["officer_hcm"])
    services.review_organisation_plan(
        actor=users["council"], plan=first, decision="return", reason="Thiếu dự toán kinh phí."
    )
    first.refresh_from_db()
    assert first.status == OrganisationPlan.Status.RETURNED
    assert first.review_reason == "Thiếu dự toán kinh phí."
    second = file_plan(tree.hcm, users["officer_hcm"])
    assert second.version == 2 and second.status == OrganisationPlan.Status.SUBMITTED


def test_only_the_latest_version_is_reviewed_and_only_once(tree, tiers, users, file_plan):
    first = file_plan(tree.hcm)
    second = file_plan(tree.hcm)
    with pytest.raises(ValidationError, match="Đã có phiên bản mới hơn"):
        services.review_organisation_plan(actor=users["council"], plan=first, decision="accept")
    services.review_organisation_plan(actor=users["council"], plan=second, decision="accept")
    with pytest.raises(ValidationError, match="đã được xem xét"):
        services.review_organisation_plan(
            actor=users["council"], plan=second, decision="return", reason="x"
        )


@pytest.mark.parametrize("role", ["officer_hcm", "printer", "printer_hcm", "officer_hanoi"])
def test_only_the_council_reviews(tree, tiers, users, file_plan, role):
    plan = file_plan(tree.hcm)
    with pytest.raises(PermissionDenied):
        services.review_organisation_plan(actor=users[role], plan=plan, decision="accept")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_uploads_get_distinct_versions(tree, tiers, users):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    errors = []

    def file():
        try:
            services.upload_organisation_plan(
                actor=users["officer_hcm"], unit=tree.hcm, upload=checked()
            )
        except Exception as error:  # the assertion below shows it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=file) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    versions = OrganisationPlan.objects.filter(unit=tree.hcm).values_list("version", flat=True)
    assert sorted(versions) == [1, 2, 3, 4]


# -- Pages -------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, tree, tiers, file_plan):
    plan = file_plan(tree.hcm)
    for url in (
        reverse("plans:plan_list"),
        reverse("plans:plan_unit", args=[tree.hcm.pk]),
        reverse("plans:plan_download", args=[tree.hcm.pk, plan.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(
        reverse("plans:plan_upload", args=[tree.hcm.pk]), {"file": upload("a.pdf", PDF)}
    )
    assert response.status_code == 302
    assert OrganisationPlan.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_plan_list_shows_the_organisers_in_scope(client, tree, tiers, users, file_plan, role):
    file_plan(tree.hcm)
    client.force_login(users[role])
    response = client.get(reverse("plans:plan_list"))
    assert response.status_code == 200
    units = {row.unit for row in response.context["board"].rows}
    assert (tree.hcm in units) == (role in SEES["hcm"])
    assert (tree.hanoi in units) == (role in SEES["hanoi"])
    assert tree.hcm_district not in units  # tier 1 files no plan
    assert "Kế hoạch tổ chức" in response.text  # the navbar link


def test_plan_list_filters_by_status_including_not_filed(client, tree, tiers, users, file_plan):
    plan = file_plan(tree.hcm)
    services.review_organisation_plan(actor=users["council"], plan=plan, decision="accept")
    client.force_login(users["council"])

    def rows(status):
        response = client.get(reverse("plans:plan_list"), {"status": status})
        return [row.unit for row in response.context["board"].rows], response

    assert rows("accepted")[0] == [tree.hcm]
    assert rows("none")[0] == [tree.hanoi]
    assert rows("returned")[0] == []
    units, response = rows("")
    assert set(units) == {tree.hcm, tree.hanoi}
    assert response.context["board"].counts == {
        "submitted": 0,
        "accepted": 1,
        "returned": 0,
        "withdrawn": 0,
        "none": 1,
    }
    assert "Chưa nộp" in response.text and "Đã duyệt" in response.text


def test_plan_list_queries_do_not_grow_with_organisers(
    client, tree, tiers, users, file_plan, django_assert_max_num_queries
):
    client.force_login(users["council"])
    file_plan(tree.hcm)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("plans:plan_list"))
    for n in range(20):
        unit = UnitFactory(parent=tree.vss, kind=UnitKind.PROVINCE, code=f"PX{n}")
        file_plan(unit)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("plans:plan_list"))
    assert len(response.context["board"].rows) == 22


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["hcm", "hanoi"])
def test_plan_unit_page_by_role(client, tree, tiers, users, file_plan, role, name):
    unit = province(tree, name)
    file_plan(unit, name="Kế hoạch tổ chức Hội nghị.pdf")
    client.force_login(users[role])
    response = client.get(reverse("plans:plan_unit", args=[unit.pk]))
    assert response.status_code == expected_view_status(role, name)
    if response.status_code == 200:
        assert "Kế hoạch tổ chức Hội nghị.pdf" in response.text
        assert ("plan-upload" in response.text) == (expected_change_status(role, name) == 302)
        assert ("plan-review" in response.text) == (role in REVIEWS)
    else:
        assert "Kế hoạch tổ chức Hội nghị.pdf" not in response.text


def test_unit_that_files_no_plan_has_no_plan_page(client, tree, tiers, users):
    client.force_login(users["admin"])
    response = client.get(reverse("plans:plan_unit", args=[tree.hcm_district.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["hcm", "hanoi"])
def test_plan_upload_by_role(client, tree, tiers, users, role, name):
    unit = province(tree, name)
    client.force_login(users[role])
    response = client.post(
        reverse("plans:plan_upload", args=[unit.pk]),
        {"file": upload("Kế hoạch.pdf", PDF)},
    )
    expected = expected_change_status(role, name)
    assert response.status_code == expected
    assert OrganisationPlan.objects.filter(unit=unit).exists() == (expected == 302)
    if expected == 302:
        assert response["Location"] == reverse("plans:plan_unit", args=[unit.pk])


def test_plan_upload_of_a_program_is_refused_on_the_field(client, tree, tiers, users):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("plans:plan_upload", args=[tree.hcm.pk]), {"file": upload("ke-hoach.pdf", ELF)}
    )
    assert response.status_code == 400
    assert "là một chương trình, không phải văn bản" in response.text
    assert response.context["upload_form"].errors["file"]
    assert not OrganisationPlan.objects.exists()


def test_plan_upload_without_a_file_says_so(client, tree, tiers, users):
    client.force_login(users["officer_hcm"])
    response = client.post(reverse("plans:plan_upload", args=[tree.hcm.pk]), {})
    assert response.status_code == 400
    assert "Hãy chọn tệp để tải lên." in response.text


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["hcm", "hanoi"])
def test_plan_review_by_role(client, tree, tiers, users, file_plan, role, name):
    unit = province(tree, name)
    plan = file_plan(unit)
    client.force_login(users[role])
    response = client.post(
        reverse("plans:plan_review", args=[unit.pk, plan.pk]), {"decision": "accept"}
    )
    plan.refresh_from_db()
    if role in REVIEWS:
        assert response.status_code == 302
        assert plan.status == OrganisationPlan.Status.ACCEPTED
    else:
        assert response.status_code == (403 if role in SEES[name] else 404)
        assert plan.status == OrganisationPlan.Status.SUBMITTED


def test_return_without_reason_keeps_the_form(client, tree, tiers, users, file_plan):
    plan = file_plan(tree.hcm)
    client.force_login(users["council"])
    url = reverse("plans:plan_review", args=[tree.hcm.pk, plan.pk])
    response = client.post(url, {"decision": "return", "reason": ""})
    assert response.status_code == 400
    assert "Hãy nêu lý do trả lại kế hoạch." in response.text
    plan.refresh_from_db()
    assert plan.status == OrganisationPlan.Status.SUBMITTED

    response = client.post(url, {"decision": "return", "reason": "Bổ sung thành phần khách mời."})
    assert response.status_code == 302
    page = client.get(reverse("plans:plan_unit", args=[tree.hcm.pk]))
    assert "Bổ sung thành phần khách mời." in page.text
    assert "Đã trả lại" in page.text


def test_review_of_an_old_version_is_refused_with_a_message(client, tree, tiers, users, file_plan):
    first = file_plan(tree.hcm)
    file_plan(tree.hcm)
    client.force_login(users["council"])
    response = client.post(
        reverse("plans:plan_review", args=[tree.hcm.pk, first.pk]), {"decision": "accept"}
    )
    assert response.status_code == 400
    assert "Đã có phiên bản mới hơn (2)" in response.text
    first.refresh_from_db()
    assert first.status == OrganisationPlan.Status.SUBMITTED


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["hcm", "hanoi"])
def test_plan_download_by_role(client, tree, tiers, users, file_plan, role, name):
    unit = province(tree, name)
    plan = file_plan(unit, name="Kế hoạch tổ chức.pdf")
    client.force_login(users[role])
    response = client.get(reverse("plans:plan_download", args=[unit.pk, plan.pk]))
    assert response.status_code == expected_view_status(role, name)
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''K%E1%BA%BF%20ho%E1%BA%A1ch" in response["Content-Disposition"]
    else:
        assert PDF not in response.content


def test_download_through_another_unit_is_404(client, tree, tiers, users, file_plan):
    plan = file_plan(tree.hanoi)
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("plans:plan_download", args=[tree.hcm.pk, plan.pk]))
    assert response.status_code == 404


def test_missing_file_on_disk_is_404_not_500(client, tree, tiers, users, file_plan, media_root):
    plan = file_plan(tree.hcm)
    (media_root / plan.file.name).unlink()
    client.force_login(users["admin"])
    response = client.get(reverse("plans:plan_download", args=[tree.hcm.pk, plan.pk]))
    assert response.status_code == 404


# -- Media is never served publicly -------------------------------------------


def _all_patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _all_patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_no_url_serves_media_root():
    from django.views.static import serve

    for route, callback in _all_patterns(get_resolver()):
        assert callback is not serve, route
        assert not route.startswith("media"), route


def test_stored_file_is_not_reachable_by_its_path(client, tree, tiers, users, file_plan, settings):
    plan = file_plan(tree.hcm)
    client.force_login(users["admin"])
    response = client.get(f"/{settings.MEDIA_URL}{plan.file.name}")
    assert response.status_code == 404
    page = client.get(reverse("plans:plan_unit", args=[tree.hcm.pk]))
    # The page links to the checked download, never to the stored name.
    assert plan.file.name not in page.text and settings.MEDIA_URL not in page.text


def test_user_of_a_foreign_subtree_sees_no_plan(client, tree, tiers, file_plan):
    stranger = UserFactory(role=Role.PRINTER, unit=tree.hanoi_district, username="stranger")
    plan = file_plan(tree.hcm)
    client.force_login(stranger)
    assert client.get(reverse("plans:plan_unit", args=[tree.hcm.pk])).status_code == 404
    response = client.get(reverse("plans:plan_download", args=[tree.hcm.pk, plan.pk]))
    assert response.status_code == 404


def test_upload_spooled_to_a_temporary_file_is_checked_too(client, tree, tiers, users, settings):
    # Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE reach the form as temporary
    # files on disk; zipfile must read those as well.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("plans:plan_upload", args=[tree.hcm.pk]), {"file": upload("Kế hoạch.docx", docx())}
    )
    assert response.status_code == 302
    plan = OrganisationPlan.objects.get()
    assert plan.content_type.endswith("wordprocessingml.document")
    assert plan.sha256 == hashlib.sha256(plan.file.open("rb").read()).hexdigest()
