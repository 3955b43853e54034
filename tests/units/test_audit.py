"""The audit trail: an entry for every create, update and delete of the
domain's models with its before → after values, who made it (from the
request, or the service's actor outside one), the reason given, imports one
entry per row with the file's SHA-256; nobody outside a unit's scope sees
its entries; nobody edits or deletes them, the admin site included."""

import datetime
import hashlib
from io import BytesIO

import pytest
from django.contrib.admin.sites import site
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from congress.models import Conference, ConferenceLength, Paper
from congress.services import transition_conference
from delegates.models import Delegate, EmulationTitle, Person
from delegates.services import checkin as checkin_services
from delegates.services.delegates import remove_delegate
from delegates.services.people import delete_person, import_people, set_titles
from reports.registry import get_exporter
from tests.congress.conftest import tiers  # noqa: F401 - re-exported fixture
from tests.delegates.people.test_people_import import row as person_row
from tests.delegates.people.test_people_import import xlsx as people_xlsx
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory
from tests.units.test_unit_import import row as unit_row
from tests.units.test_unit_import import xlsx as units_xlsx
from units.audit import audit_context
from units.hierarchy_services import import_units
from units.history import history_of, rows_of, visible_entries
from units.models import AuditEntry, Unit, User

CREATE, UPDATE, DELETE = (
    AuditEntry.Action.CREATE,
    AuditEntry.Action.UPDATE,
    AuditEntry.Action.DELETE,
)


def entries_of(obj) -> list[AuditEntry]:
    content_type = ContentType.objects.get_for_model(obj)
    return list(
        AuditEntry.objects.filter(content_type=content_type, object_id=obj.pk).order_by("pk")
    )


def change(entry: AuditEntry, name: str) -> list:
    return entry.changes[name]


@pytest.fixture
def conference(tree, tiers):  # noqa: F811
    return ConferenceFactory(tier=tiers[2], unit=tree.hcm, expected_attendance=200)


# -- Each kind of write ---------------------------------------------------------------


def test_a_conference_created_changed_and_deleted_leaves_three_entries(conference):
    conference.venue = "Hội trường lớn"
    conference.save()
    pk = conference.pk
    conference.delete()
    kinds = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Conference), object_id=pk
    ).order_by("pk")
    created, updated, deleted = kinds
    assert [created.action, updated.action, deleted.action] == [CREATE, UPDATE, DELETE]
    assert change(created, "venue") == ["None", "Hội trường"]
    assert change(updated, "venue") == ["Hội trường", "Hội trường lớn"]
    assert change(deleted, "venue") == ["Hội trường lớn", "None"]
    # The lock counter and timestamps are no change of their own.
    assert "lock_version" not in updated.changes and "updated_at" not in updated.changes
    assert all(entry.unit_path == "/VSS/P79/" for entry in kinds)


def test_a_transition_records_its_actor_and_reason_outside_a_request(users, conference):
    conference.status = Conference.Status.SUBMITTED
    conference.save()
    transition_conference(
        actor=users["council"], conference=conference, name="return", reason="Sai số người dự"
    )
    entry = entries_of(conference)[-1]
    assert change(entry, "status") == ["submitted", "draft"]
    assert entry.actor == users["council"]
    assert entry.reason == "Sai số người dự"


def test_the_request_user_is_the_actor_of_a_page_change(client, users, conference):
    client.force_login(users["officer_hcm"])
    paper = Paper.objects.create(
        conference=conference,
        title="Cũ",
        presenter_kind="collective",
        presenter_unit=conference.unit,
        field_of_work="collection",
    )
    response = client.post(
        reverse("congress:paper_edit", args=[conference.pk, paper.pk]),
        {
            "title": "Tham luận mới",
            "presenter_kind": "collective",
            "presenter_unit": tree_unit(conference).pk,
            "presenter_name": "",
            "field_of_work": "collection",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    entry = entries_of(paper)[-1]
    assert change(entry, "title") == ["Cũ", "Tham luận mới"]
    assert entry.actor == users["officer_hcm"]
    assert entry.parent_id == conference.pk


def tree_unit(conference):
    return conference.unit


def test_a_delegate_removed_is_in_the_delegate_list_history(client, users, conference):
    delegate = DelegateFactory(conference=conference)
    name = delegate.person.full_name
    remove_delegate(actor=users["officer_hcm"], delegate=delegate)
    entry = AuditEntry.objects.filter(action=DELETE).get()
    assert entry.object_repr == name and entry.actor == users["officer_hcm"]
    client.force_login(users["officer_hcm"])
    page = client.get(reverse("delegates:delegate_list", args=[conference.pk]))
    rows = page.context["audit_history"].rows
    assert [row.entry.action for row in rows] == [DELETE, CREATE]
    assert [row.what.endswith(name) for row in rows] == [True, True]
    assert 'data-testid="audit-history"' in page.text


def test_a_person_deleted_keeps_its_entries_in_the_log(client, users, tree):
    person = PersonFactory(unit=tree.hcm_district, full_name="Trần Thị Hoa")
    delete_person(actor=users["officer_hcm"], person=person)
    deleted = AuditEntry.objects.get(action=DELETE)
    assert deleted.object_repr == "Trần Thị Hoa"
    assert change(deleted, "full_name") == ["Trần Thị Hoa", "None"]
    assert deleted.unit_path == tree.hcm_district.path
    # The unit's page lists it, the deletion first.
    rows = history_of(tree.hcm_district, users["officer_hcm"]).rows
    assert [row.entry for row in rows[:1]] == [deleted]
    client.force_login(users["officer_hcm"])
    page = client.get(reverse("units:audit_log"))
    assert "Trần Thị Hoa" in page.text
    assert page.context["rows"][0].entry.action == DELETE


def test_titles_replaced_are_entries_of_the_person(users, tree, settings):
    person = PersonFactory(unit=tree.hcm_district)
    set_titles(actor=users["officer_hcm"], person=person, titles=[(2019, "sector")])
    set_titles(actor=users["officer_hcm"], person=person, titles=[(2018, "grassroots")])
    titles = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(EmulationTitle)
    )
    assert sorted(titles.values_list("action", flat=True)) == [CREATE, CREATE, DELETE]
    assert {entry.parent_id for entry in titles} == {person.pk}
    history = history_of(person, users["officer_hcm"])
    assert len(history.rows) == 4  # the person's creation and three titles


def test_a_check_in_and_its_undoing_are_recorded(users, conference):
    delegate = DelegateFactory(conference=conference)
    conference.status = Conference.Status.HELD
    conference.held_on = datetime.date(2020, 1, 10)
    conference.actual_attendance = 100
    conference.save()
    checkin_services.check_in_delegate(
        conference=conference, delegate_pk=delegate.pk, user=users["printer_hcm"]
    )
    checkin_services.undo_check_in(
        conference=conference, delegate_pk=delegate.pk, user=users["officer_hcm"]
    )
    checked, undone = entries_of(delegate)[1:]
    assert checked.actor == users["printer_hcm"]
    assert change(checked, "checked_in_by") == ["None", str(users["printer_hcm"].pk)]
    assert undone.actor == users["officer_hcm"]
    assert change(undone, "checked_in_at")[1] == "None"
    # Shown in words: the user's name, not their id.
    shown = [c.after for c in rows_of([checked])[0].changes]
    assert users["printer_hcm"].get_full_name() in shown


def test_a_user_change_never_records_the_password(users):
    user = users["officer_hcm"]
    user.set_password("a-new-secret-1")
    user.full_name = "Nguyễn Văn Mới"
    user.save()
    entry = entries_of(user)[-1]
    assert "full_name" in entry.changes
    assert "password" not in entry.changes
    assert not AuditEntry.objects.filter(changes__icontains="pbkdf2").exists()


# -- Imports: one entry per row, with the file's checksum ---------------------------


def test_people_import_writes_one_entry_per_row_with_the_file_checksum(tree, users):
    file = people_xlsx(person_row(), person_row(full_name="Trần Văn Bình", gender="Nam"))
    checksum = hashlib.sha256(file.getvalue()).hexdigest()
    result = import_people(actor=users["officer_hcm"], file=file)
    assert result.ok, result.errors
    people = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Person))
    assert people.count() == 2
    for entry, number in zip(people.order_by("object_id"), (2, 3), strict=True):
        assert entry.action == CREATE
        assert entry.actor == users["officer_hcm"]
        data = entry.additional_data
        assert (data["import"], data["sha256"], data["row"]) == ("people", checksum, number)
        assert data["names"]["unit"] == ["", tree.hcm_district.name]
        assert entry.unit_path == tree.hcm_district.path
    nhung = Person.objects.get(full_name="Nguyễn Thị Hồng Nhung")
    row = history_of(nhung, users["officer_hcm"]).rows[-1]
    assert checksum[:16] in row.source
    # The titles of the file are recorded with it too.
    titles = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(EmulationTitle)
    )
    assert titles.count() == 6 and all(t.additional_data["sha256"] == checksum for t in titles)


def test_units_import_writes_one_entry_per_row_with_the_file_checksum(tree, users):
    admin = users["admin"]
    file = units_xlsx(unit_row(), unit_row(code="D760", name="BHXH Quận Một", headcount=48))
    checksum = hashlib.sha256(file.getvalue()).hexdigest()
    result = import_units(actor=admin, hierarchy=tree.cycle.hierarchy, file=file)
    assert result.ok, result.errors
    created = AuditEntry.objects.get(action=CREATE, object_repr="BHXH Quận 3")
    data = created.additional_data
    assert (data["import"], data["sha256"], data["row"]) == ("units", checksum, 2)
    assert change(created, "headcount") == ["None", "35"]
    updated = AuditEntry.objects.get(action=UPDATE, object_id=tree.hcm_district.pk)
    data = updated.additional_data
    assert (data["import"], data["sha256"], data["row"]) == ("units", checksum, 3)
    assert change(updated, "name") == ["BHXH Quận 1", "BHXH Quận Một"]
    assert change(updated, "headcount") == ["20", "48"]
    assert updated.actor == admin


# -- Scope ----------------------------------------------------------------------------


@pytest.fixture
def two_provinces(tree, tiers):  # noqa: F811
    hcm = ConferenceFactory(tier=tiers[2], unit=tree.hcm, venue="Hội trường Sài Gòn")
    hanoi = ConferenceFactory(tier=tiers[2], unit=tree.hanoi, venue="Hội trường Thăng Long")
    return hcm, hanoi


def test_an_officer_never_sees_another_provinces_entries(client, users, two_provinces):
    hcm, hanoi = two_provinces
    officer = users["officer_hcm"]
    conferences = visible_entries(officer).filter(
        content_type=ContentType.objects.get_for_model(Conference)
    )
    assert set(conferences.values_list("object_id", flat=True)) == {hcm.pk}
    assert not visible_entries(officer).filter(unit_path__startswith=hanoi.unit.path).exists()
    assert history_of(hanoi, officer).rows == []
    assert len(history_of(hanoi, users["council"]).rows) == 1
    client.force_login(officer)
    page = client.get(reverse("units:audit_log"))
    assert "Hội trường Sài Gòn" in page.text and "Hội trường Thăng Long" not in page.text
    # Naming the other province's unit in the filter shows nothing of it.
    page = client.get(reverse("units:audit_log"), {"unit": str(hanoi.unit.pk)})
    assert "Hội trường Thăng Long" not in page.text
    export = client.get(reverse("reports:download", args=["audit_log_xlsx"]))
    assert export.status_code == 200
    cells = [
        str(cell.value)
        for line in load_workbook(BytesIO(export.content)).active.iter_rows()
        for cell in line
    ]
    assert any("Hội trường Sài Gòn" in cell for cell in cells)
    assert not any("Hội trường Thăng Long" in cell for cell in cells)


def test_the_council_sees_and_exports_every_province(client, users, two_provinces):
    client.force_login(users["council"])
    page = client.get(reverse("units:audit_log"))
    assert "Hội trường Sài Gòn" in page.text and "Hội trường Thăng Long" in page.text
    assert 'data-testid="nav-audit"' in page.text
    hanoi = two_provinces[1]
    page = client.get(reverse("units:audit_log"), {"unit": str(hanoi.unit.pk)})
    assert "Hội trường Sài Gòn" not in page.text and "Hội trường Thăng Long" in page.text


def test_the_log_filters_by_user_kind_and_period(client, users, conference):
    with audit_context(actor=users["officer_hcm"]):
        PersonFactory(unit=conference.unit, full_name="Lê Thị Lan")
    client.force_login(users["admin"])
    url = reverse("units:audit_log")
    person_type = ContentType.objects.get_for_model(Person).pk
    page = client.get(url, {"kind": str(person_type)})
    assert "Lê Thị Lan" in page.text and "Hội trường" not in page.text
    page = client.get(url, {"user": "officer-hcm"})
    assert "Lê Thị Lan" in page.text
    page = client.get(url, {"user": "council"})
    assert "Lê Thị Lan" not in page.text
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    page = client.get(url, {"date_from": tomorrow.strftime("%d/%m/%Y")})
    assert page.context["paginator"].count == 0
    page = client.get(url, {"date_from": "31/12/2099", "date_to": "01/01/2000"})
    assert page.status_code == 200 and page.context["form"].errors["date_to"]


def test_a_printer_reads_the_log_of_their_subtree_only(client, users, two_provinces):
    client.force_login(users["printer_hcm"])
    page = client.get(reverse("units:audit_log"))
    assert page.status_code == 200 and 'data-testid="nav-audit"' in page.text
    assert "Hội trường Sài Gòn" in page.text and "Hội trường Thăng Long" not in page.text


# -- Nobody edits or deletes the trail -------------------------------------------------


def test_entries_cannot_be_changed_or_deleted(conference):
    entry = AuditEntry.objects.first()
    entry.object_repr = "đã sửa"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.update(object_repr="x")
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "đã sửa"


def test_the_admin_offers_no_add_change_or_delete_even_to_a_superuser(client, users, conference):
    admin_user = users["admin"]
    model_admin = site._registry[AuditEntry]
    request = RequestFactory().get("/")
    request.user = admin_user
    entry = AuditEntry.objects.first()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    client.force_login(admin_user)
    base = "admin:units_auditentry"
    assert client.get(reverse(f"{base}_changelist")).status_code == 200
    assert (
        client.post(reverse(f"{base}_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    client.post(reverse(f"{base}_change", args=[entry.pk]), {"object_repr": "x"})
    client.post(
        reverse(f"{base}_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert AuditEntry.objects.filter(pk=entry.pk, object_repr=entry.object_repr).exists()


# -- Queries that do not grow with the entries -------------------------------------------


def _edit(conference: Conference, times: int) -> None:
    for number in range(times):
        conference.venue = f"Hội trường {number}"
        conference.expected_attendance = 100 + number
        conference.save()
        DelegateFactory(conference=conference)


@pytest.mark.parametrize("url_name", ["congress:conference_detail", "delegates:delegate_list"])
def test_the_history_costs_the_same_queries_for_few_or_many_entries(
    client, users, conference, url_name, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["officer_hcm"])
    url = reverse(url_name, args=[conference.pk])
    _edit(conference, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _edit(conference, 25)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(page.context["audit_history"].rows) >= 25
    # One query per kind of object the entries name, never one per entry.
    assert len(many) <= len(few), (len(few), len(many))


def test_the_log_page_costs_the_same_queries_for_few_or_many_entries(client, users, conference):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["council"])
    # One kind of record, so that both pages name the same kinds of objects.
    url = reverse("units:audit_log")
    query = {"kind": str(ContentType.objects.get_for_model(Delegate).pk)}
    _edit(conference, 1)
    client.get(url, query)
    with CaptureQueriesContext(connection) as few:
        client.get(url, query)
    _edit(conference, 60)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, query)
    assert page.context["paginator"].count == 61 and len(page.context["rows"]) == 50
    assert len(many) == len(few)


def test_the_export_renders_the_changes_in_words(users, conference):
    conference.length = "full_day"
    conference.save()
    exporter = get_exporter("audit_log_xlsx")
    target = exporter.target(user=users["council"], params={})
    _name, _type, data = exporter.render_source(exporter.source_of(target))
    text = " | ".join(
        str(cell.value)
        for line in load_workbook(BytesIO(data)).active.iter_rows()
        for cell in line
        if cell.value
    )
    label = str(Conference._meta.get_field("length").verbose_name)
    assert f"{label[:1].upper()}{label[1:]}: {ConferenceLength.HALF_DAY.label} → " in text
    assert str(ConferenceLength.FULL_DAY.label) in text


def test_every_domain_model_is_tracked():
    from units.audit import tracked_models

    labels = {model._meta.label for model in tracked_models()}
    assert labels >= {
        "congress.Conference",
        "congress.ConferenceDocument",
        "congress.Paper",
        "congress.CommunicationActivity",
        "congress.OrganisationPlan",
        "congress.Cycle",
        "congress.Tier",
        "delegates.Person",
        "delegates.EmulationTitle",
        "delegates.Delegate",
        "delegates.Allocation",
        "delegates.AllocationLine",
        "delegates.Election",
        "delegates.Candidate",
        "units.Unit",
        "units.User",
    }
    assert Unit in tracked_models() and User in tracked_models() and Delegate in tracked_models()
