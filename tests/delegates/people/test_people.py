"""The people register: its services (rights, NFC and legacy text,
duplicates, titles, deactivation) and its pages for every role, on own and
foreign units."""

import datetime
import unicodedata
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from delegates.models import EmulationTitle, Person, Rank
from delegates.selectors.people import years_of
from delegates.services.people import (
    PersonDetails,
    delete_person,
    save_person,
    set_person_active,
    set_titles,
)
from tests.delegates.people.test_people_import import row, xlsx
from tests.factories import DelegateFactory, PersonFactory
from units.encodings import encode_legacy

ROLES = ["admin", "council", "officer_hcm", "officer_hanoi", "printer_hcm", "printer"]
SEES_HCM = {"admin", "council", "officer_hcm", "printer_hcm", "printer"}
SEES_HANOI = {"admin", "council", "officer_hanoi", "printer"}
CHANGES_HCM = {"admin", "officer_hcm"}
MAY_CHANGE = {"admin", "officer_hcm", "officer_hanoi"}


def details(unit, **changes) -> PersonDetails:
    values = {
        "unit": unit,
        "full_name": "Nguyễn Thị Hồng Nhung",
        "gender": "female",
        "birth_date": datetime.date(1985, 3, 5),
        "position": "Chuyên viên",
    }
    values.update(changes)
    return PersonDetails(**values)


@pytest.fixture
def nhung(tree):
    return PersonFactory(
        unit=tree.hcm_district,
        full_name="Nguyễn Thị Hồng Nhung",
        gender="female",
        birth_year=1985,
        birth_date=datetime.date(1985, 3, 5),
    )


@pytest.fixture
def hanoi_person(tree):
    return PersonFactory(unit=tree.hanoi_district, full_name="Đỗ Mạnh Hùng", birth_year=1972)


# -- Services -------------------------------------------------------------------------


def test_title_years_of_cycle_v_are_2015_to_2019(tree):
    assert list(years_of(tree.cycle)) == [2015, 2016, 2017, 2018, 2019]


def test_save_person_stores_nfc_and_a_folded_search_name(tree, users):
    person = save_person(
        actor=users["officer_hcm"],
        details=details(
            tree.hcm_district,
            full_name="  " + unicodedata.normalize("NFD", "Nguyễn   Thị Hồng Nhung") + " ",
        ),
    )
    assert person.full_name == "Nguyễn Thị Hồng Nhung"
    assert unicodedata.is_normalized("NFC", person.full_name)
    assert person.search_name == "nguyen thi hong nhung"
    assert person.birth_year == 1985


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_save_person_converts_legacy_text(tree, users, encoding):
    person = save_person(
        actor=users["officer_hcm"],
        details=details(tree.hcm_district, full_name=encode_legacy("Nguyễn Văn Bình", encoding)),
    )
    assert person.full_name == "Nguyễn Văn Bình"


def test_save_person_refuses_ambiguous_legacy_text_on_the_field(tree, users):
    with pytest.raises(ValidationError) as error:
        save_person(
            actor=users["officer_hcm"],
            details=details(tree.hcm_district, full_name="NguyÔn V¨n Bình Trần"),
        )
    assert "TCVN3" in error.value.message_dict["full_name"][0]
    assert not Person.objects.exists()


def test_save_person_refuses_the_same_person_twice_in_a_unit(tree, users, nhung):
    with pytest.raises(ValidationError) as error:
        save_person(
            actor=users["officer_hcm"],
            details=details(tree.hcm_district, full_name="nguyễn thị hồng nhung"),
        )
    assert "đã có trong danh sách" in error.value.message_dict["full_name"][0]
    # Another unit, or another birthday: another person.
    save_person(actor=users["officer_hcm"], details=details(tree.hcm_department))
    save_person(
        actor=users["officer_hcm"],
        details=details(tree.hcm_district, birth_date=datetime.date(1985, 3, 6)),
    )
    assert Person.objects.count() == 3


def test_a_year_only_record_matches_any_date_of_that_year(tree, users):
    PersonFactory(unit=tree.hcm_district, full_name="Trần Văn Bình", birth_year=1970)
    with pytest.raises(ValidationError):
        save_person(
            actor=users["officer_hcm"],
            details=details(
                tree.hcm_district, full_name="Trần Văn Bình", birth_date=datetime.date(1970, 7, 1)
            ),
        )


def test_birth_date_and_year_must_agree(tree, users):
    with pytest.raises(ValidationError) as error:
        save_person(actor=users["officer_hcm"], details=details(tree.hcm_district, birth_year=1984))
    assert "birth_year" in error.value.message_dict
    with pytest.raises(ValidationError):
        save_person(
            actor=users["officer_hcm"],
            details=details(tree.hcm_district, birth_date=None, birth_year=None),
        )


def test_editing_keeps_the_record_and_may_not_move_it_abroad(tree, users, nhung):
    officer = users["officer_hcm"]
    person = save_person(
        actor=officer,
        person=nhung,
        details=details(tree.hcm_department, position="Kế toán", rank=Rank.DEPARTMENT_HEAD),
    )
    assert person.pk == nhung.pk and person.unit == tree.hcm_department
    assert Person.objects.get(pk=nhung.pk).rank == Rank.DEPARTMENT_HEAD
    with pytest.raises(PermissionDenied):
        save_person(actor=officer, person=nhung, details=details(tree.hanoi_district))
    with pytest.raises(PermissionDenied):
        save_person(
            actor=users["officer_hanoi"], person=nhung, details=details(tree.hanoi_district)
        )


@pytest.mark.parametrize("role", ["council", "printer", "printer_hcm", "officer_hanoi"])
def test_save_person_needs_change_right_on_the_unit(tree, users, role):
    with pytest.raises(PermissionDenied):
        save_person(actor=users[role], details=details(tree.hcm_district))


def test_set_titles_replaces_the_titles_within_the_cycle_years(users, nhung):
    officer = users["officer_hcm"]
    set_titles(actor=officer, person=nhung, titles=[(2016, "grassroots"), (2019, "sector")])
    set_titles(actor=officer, person=nhung, titles=[(2019, "sector"), (2019, "national")])
    assert sorted(nhung.titles.values_list("year", "title")) == [
        (2019, "national"),
        (2019, "sector"),
    ]
    with pytest.raises(ValidationError) as error:
        set_titles(actor=officer, person=nhung, titles=[(2020, "sector")])
    assert "2015" in error.value.messages[0] and "2019" in error.value.messages[0]
    with pytest.raises(PermissionDenied):
        set_titles(actor=users["council"], person=nhung, titles=[])
    assert nhung.titles.count() == 2


def test_a_delegate_is_deactivated_not_deleted(users, nhung, hcm_upper):
    DelegateFactory(conference=hcm_upper, person=nhung)
    officer = users["officer_hcm"]
    with pytest.raises(ValidationError):
        delete_person(actor=officer, person=nhung)
    set_person_active(actor=officer, person=nhung, active=False)
    assert not Person.objects.get(pk=nhung.pk).is_active
    other = PersonFactory(unit=nhung.unit)
    delete_person(actor=officer, person=other)
    assert not Person.objects.filter(pk=other.pk).exists()


# -- Pages ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, nhung):
    for url in (
        reverse("people:person_list"),
        reverse("people:person_add"),
        reverse("people:people_import"),
        reverse("people:people_template"),
        reverse("people:people_export"),
        reverse("people:person_detail", args=[nhung.pk]),
        reverse("people:person_edit", args=[nhung.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_only_the_scope(client, users, nhung, hanoi_person, role):
    client.force_login(users[role])
    response = client.get(reverse("people:person_list"))
    assert response.status_code == 200
    shown = set(response.context["people"])
    assert (nhung in shown) == (role in SEES_HCM)
    assert (hanoi_person in shown) == (role in SEES_HANOI)
    assert ("Thêm cán bộ" in response.text) == (role in MAY_CHANGE)


def test_search_ignores_diacritics_and_filters_narrow(client, users, tree, nhung):
    binh = PersonFactory(
        unit=tree.hcm_department, full_name="Trần Văn Bình", gender="male", rank=Rank.HEAD
    )
    EmulationTitle.objects.create(person=binh, year=2018, title="sector")
    EmulationTitle.objects.create(person=nhung, year=2014, title="sector")  # before the cycle
    client.force_login(users["council"])
    url = reverse("people:person_list")

    def shown(**query):
        return set(client.get(url, query).context["people"])

    assert shown(q="nguyen thi") == {nhung}
    assert shown(q="BINH tran") == {binh}
    assert shown(gender="male") == {binh}
    assert shown(rank=Rank.HEAD) == {binh}
    assert shown(title="sector") == {binh}
    assert shown(province=tree.hcm.pk, unit=tree.hcm_district.pk) == {nhung}
    assert shown(province=tree.hanoi.pk) == set()
    set_person_active(actor=users["admin"], person=binh, active=False)
    assert shown() == {nhung}
    assert shown(status="inactive") == {binh}
    assert shown(status="all") == {nhung, binh}


def test_a_foreign_province_filter_is_ignored(client, users, tree, nhung, hanoi_person):
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("people:person_list"), {"province": tree.hanoi.pk})
    assert set(response.context["people"]) == {nhung}


def test_list_query_count_does_not_grow_with_rows(
    client, users, tree, django_assert_max_num_queries
):
    client.force_login(users["council"])
    url = reverse("people:person_list")
    person = PersonFactory(unit=tree.hcm_district)
    EmulationTitle.objects.create(person=person, year=2016, title="grassroots")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"province": tree.hcm.pk}).status_code == 200
    for _ in range(30):
        person = PersonFactory(unit=tree.hcm_district)
        EmulationTitle.objects.create(person=person, year=2017, title="sector")
        EmulationTitle.objects.create(person=person, year=2018, title="grassroots")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"province": tree.hcm.pk})
    assert len(response.context["people"]) == 31
    assert "CSTĐ ngành: 2017" in response.text and "CSTĐ cơ sở: 2016" in response.text


@pytest.mark.parametrize("role", ROLES)
def test_person_page_own_is_shown_foreign_is_404(client, users, nhung, hanoi_person, role):
    client.force_login(users[role])
    response = client.get(reverse("people:person_detail", args=[nhung.pk]))
    if role in SEES_HCM:
        assert response.status_code == 200
        assert "Nguyễn Thị Hồng Nhung" in response.text
        assert ('name="titles"' in response.text) == (role in CHANGES_HCM)
    else:
        assert response.status_code == 404
    foreign = client.get(reverse("people:person_detail", args=[hanoi_person.pk]))
    assert foreign.status_code == (200 if role in SEES_HANOI else 404)


def test_person_page_lists_titles_and_delegations(client, users, nhung, hcm_upper):
    DelegateFactory(conference=hcm_upper, person=nhung)
    EmulationTitle.objects.create(person=nhung, year=2017, title="sector")
    client.force_login(users["printer_hcm"])
    response = client.get(reverse("people:person_detail", args=[nhung.pk]))
    assert response.context["titles_held"] == [(2017, "sector")]
    assert [d.conference for d in response.context["delegations"]] == [hcm_upper]
    assert hcm_upper.get_absolute_url() in response.text
    assert "Đại biểu chính thức" in response.text


@pytest.mark.parametrize("role", ROLES)
def test_edit_page_by_role(client, users, nhung, role):
    client.force_login(users[role])
    response = client.get(reverse("people:person_edit", args=[nhung.pk]))
    expected = 200 if role in CHANGES_HCM else (403 if role in SEES_HCM else 404)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_add_page_by_role(client, users, role):
    client.force_login(users[role])
    response = client.get(reverse("people:person_add"))
    assert response.status_code == (200 if role in MAY_CHANGE else 403)


def form_data(unit, **changes) -> dict:
    data = {
        "unit": unit.pk,
        "full_name": "Lê Thị Thu Hà",
        "gender": "female",
        "birth_date": "12/09/1990",
        "birth_year": "",
        "ethnicity": "Kinh",
        "position": "Chuyên viên",
        "rank": Rank.STAFF,
        "field_of_work": "it",
        "good_person_good_deed": "on",
    }
    data.update(changes)
    return data


def test_officer_adds_a_person_and_lands_on_their_page(client, users, tree):
    client.force_login(users["officer_hcm"])
    response = client.post(reverse("people:person_add"), form_data(tree.hcm_district))
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:person_detail", args=[person.pk])
    assert person.birth_date == datetime.date(1990, 9, 12) and person.good_person_good_deed
    page = client.get(response["Location"])
    assert "Đã thêm Lê Thị Thu Hà." in page.text and "12/09/1990" in page.text


def test_a_foreign_unit_is_no_choice(client, users, tree):
    client.force_login(users["officer_hcm"])
    response = client.post(reverse("people:person_add"), form_data(tree.hanoi_district))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Person.objects.exists()


def test_a_duplicate_is_shown_on_the_name_with_input_kept(client, users, tree, nhung):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("people:person_add"),
        form_data(
            tree.hcm_district,
            full_name="Nguyễn Thị Hồng Nhung",
            birth_date="05/03/1985",
            position="Kế toán viên",
        ),
    )
    assert response.status_code == 200
    assert "đã có trong danh sách cán bộ" in response.context["form"].errors["full_name"][0]
    assert 'value="Kế toán viên"' in response.text
    assert Person.objects.count() == 1


def test_missing_birth_is_a_field_error(client, users, tree):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("people:person_add"), form_data(tree.hcm_district, birth_date="")
    )
    assert "Nhập ngày sinh" in response.context["form"].errors["birth_year"][0]


def test_officer_edits_a_person(client, users, tree, nhung):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("people:person_edit", args=[nhung.pk]),
        form_data(
            tree.hcm_district,
            full_name="Nguyễn Thị Hồng Nhung",
            birth_date="05/03/1985",
            position="Phó Trưởng phòng",
        ),
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=nhung.pk).position == "Phó Trưởng phòng"


# -- Council roles and the exemplar mark ----------------------------------------------


def test_a_role_without_a_council_sits_on_the_branch_council(tree, users):
    officer = users["officer_hcm"]
    member = save_person(actor=officer, details=details(tree.hcm_district, council_role="member"))
    assert (member.council_role, member.council_unit) == ("member", tree.hcm)
    cleared = save_person(
        actor=officer,
        person=member,
        details=details(tree.hcm_district, council_role="", council_unit=tree.hcm),
    )
    assert (cleared.council_role, cleared.council_unit) == ("", None)


def test_vss_and_hq_bloc_people_sit_on_vss_council(tree, users):
    from tests.factories import UnitFactory
    from units.models import UnitKind

    bloc = UnitFactory(parent=tree.vss, kind=UnitKind.HQ_BLOC, code="KCQ")
    office = UnitFactory(parent=bloc, kind=UnitKind.VSS_OFFICE, code="KCQ-TDKT")
    chair = save_person(
        actor=users["admin"],
        details=details(tree.vss, full_name="Tổng Văn Giám", council_role="chair"),
    )
    clerk = save_person(actor=users["admin"], details=details(office, council_role="secretary"))
    assert chair.council_unit == clerk.council_unit == tree.vss


def test_a_council_is_the_own_province_or_vss(tree, users):
    with pytest.raises(ValidationError) as foreign:
        save_person(
            actor=users["admin"],
            details=details(tree.hcm_district, council_role="member", council_unit=tree.hanoi),
        )
    assert "council_unit" in foreign.value.error_dict
    vss = save_person(
        actor=users["admin"],
        details=details(tree.hcm_district, council_role="member", council_unit=tree.vss),
    )
    assert vss.council_unit == tree.vss
    with pytest.raises(ValidationError) as role:
        save_person(actor=users["admin"], details=details(tree.hcm, council_role="president"))
    assert "council_role" in role.value.error_dict


def test_a_province_officer_does_not_seat_people_on_vss_council(tree, users, nhung):
    officer = users["officer_hcm"]
    with pytest.raises(ValidationError) as refused:
        save_person(
            actor=officer,
            person=nhung,
            details=details(tree.hcm_district, council_role="member", council_unit=tree.vss),
        )
    assert "council_unit" in refused.value.error_dict
    # A seat VSS recorded stays while the officer changes the rest.
    Person.objects.filter(pk=nhung.pk).update(council_role="member", council_unit=tree.vss)
    nhung.refresh_from_db()
    kept = save_person(
        actor=officer,
        person=nhung,
        details=details(
            tree.hcm_district, council_role="member", council_unit=tree.vss, position="Kế toán"
        ),
    )
    assert (kept.council_unit, kept.position) == (tree.vss, "Kế toán")


def test_officer_sets_role_and_exemplar_reason_on_the_form(client, users, tree):
    client.force_login(users["officer_hcm"])
    page = client.get(reverse("people:person_add"))
    councils = list(page.context["form"].fields["council_unit"].queryset)
    assert councils == [tree.hcm]  # VSS's council is VSS's to record
    response = client.post(
        reverse("people:person_add"),
        form_data(
            tree.hcm_department,
            council_role="standing",
            exemplar_reason="Dẫn đầu phong trào thi đua giảm nợ",
        ),
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert (person.council_role, person.council_unit) == ("standing", tree.hcm)
    assert person.is_exemplar and person.exemplar_reason == "Dẫn đầu phong trào thi đua giảm nợ"
    detail = client.get(response["Location"])
    assert 'data-testid="council-role"' in detail.text and tree.hcm.name in detail.text
    assert "Dẫn đầu phong trào thi đua giảm nợ" in detail.text
    edit = client.get(reverse("people:person_edit", args=[person.pk]))
    assert edit.context["form"].initial["council_role"] == "standing"
    assert edit.context["form"].initial["exemplar_reason"].startswith("Dẫn đầu")


def test_a_council_without_a_role_is_a_field_error(client, users, tree):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("people:person_add"), form_data(tree.hcm_district, council_unit=tree.hcm.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["council_role"]
    assert not Person.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_migration_makes_former_members_members_of_their_branch_council():
    """0006: a council member becomes a member ("Ủy viên") of their branch's
    council: their province's, VSS's for VSS and the HQ bloc."""
    from django.db.migrations.executor import MigrationExecutor

    before = [("delegates", "0005_bound_elections_and_composition")]
    after = [("delegates", "0006_council_roles")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    units_leaf = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "units"]
    old = executor.loader.project_state(before + units_leaf).apps
    Hierarchy, Unit = old.get_model("units", "Hierarchy"), old.get_model("units", "Unit")
    OldPerson = old.get_model("delegates", "Person")
    hierarchy = Hierarchy.objects.create(name="Cây thử", effective_from=datetime.date(2019, 10, 1))

    def unit(code, kind, parent=None):
        path = f"{parent.path if parent else '/'}{code}/"
        return Unit.objects.create(
            hierarchy=hierarchy,
            parent=parent,
            kind=kind,
            code=code,
            name=code,
            path=path,
            depth=path.count("/") - 2,
        )

    vss = unit("VSS", "vss")
    hcm = unit("P79", "province", vss)
    district = unit("D760", "district", hcm)
    bloc = unit("KCQ", "hq_bloc", vss)
    office = unit("KCQ-TDKT", "vss_office", bloc)
    for code, place, member in (
        ("a", district, True),
        ("b", hcm, True),
        ("c", office, True),
        ("d", district, False),
    ):
        OldPerson.objects.create(
            unit=place, full_name=code, gender="male", birth_year=1980, is_council_member=member
        )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    people = new.get_model("delegates", "Person").objects
    seats = dict(people.values_list("full_name", "council_unit__code"))
    roles = dict(people.values_list("full_name", "council_role"))
    assert seats == {"a": "P79", "b": "P79", "c": "VSS", "d": None}
    assert roles == {"a": "member", "b": "member", "c": "member", "d": ""}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize("role", ROLES)
def test_titles_post_by_role(client, users, nhung, role):
    client.force_login(users[role])
    response = client.post(
        reverse("people:person_titles", args=[nhung.pk]),
        {"titles": ["2016:grassroots", "2019:sector"]},
    )
    if role in CHANGES_HCM:
        assert response.status_code == 302
        assert sorted(nhung.titles.values_list("year", flat=True)) == [2016, 2019]
    else:
        assert response.status_code == (403 if role in SEES_HCM else 404)
        assert not nhung.titles.exists()


def test_titles_outside_the_years_are_refused(client, users, nhung):
    client.force_login(users["officer_hcm"])
    client.post(reverse("people:person_titles", args=[nhung.pk]), {"titles": ["2020:sector"]})
    assert not nhung.titles.exists()


@pytest.mark.parametrize("role", ROLES)
def test_status_by_role(client, users, nhung, role):
    client.force_login(users[role])
    response = client.post(
        reverse("people:person_status", args=[nhung.pk]), {"action": "deactivate"}
    )
    nhung.refresh_from_db()
    if role in CHANGES_HCM:
        assert response.status_code == 302 and not nhung.is_active
    else:
        assert response.status_code == (403 if role in SEES_HCM else 404)
        assert nhung.is_active


def test_a_delegate_cannot_be_deleted_from_the_page(client, users, nhung, hcm_upper):
    DelegateFactory(conference=hcm_upper, person=nhung)
    client.force_login(users["officer_hcm"])
    page = client.get(reverse("people:person_detail", args=[nhung.pk]))
    assert 'value="delete"' not in page.text
    response = client.post(
        reverse("people:person_status", args=[nhung.pk]), {"action": "delete"}, follow=True
    )
    assert Person.objects.filter(pk=nhung.pk).exists()
    assert "ngừng theo dõi" in response.text


@pytest.mark.parametrize("role", ROLES)
def test_import_and_template_pages_by_role(client, users, role):
    client.force_login(users[role])
    expected = 200 if role in MAY_CHANGE else 403
    assert client.get(reverse("people:people_import")).status_code == expected
    template = client.get(reverse("people:people_template"))
    assert template.status_code == expected
    if expected == 200:
        units = load_workbook(BytesIO(template.content))["Danh mục"]
        codes = {cell.value for cell in units["D"][1:]} - {None}
        assert ("D760" in codes) == (role in CHANGES_HCM)
        assert ("D001" in codes) == (role in {"admin", "officer_hanoi"})


def test_import_page_lists_every_error_and_saves_nothing(client, users, tree):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("people:people_import"),
        {
            "file": xlsx(
                row(), row(full_name="", gender="?", unit_code="NOPE"), row(unit_code="D001")
            )
        },
    )
    assert response.status_code == 400
    assert "Chưa lưu dòng nào." in response.text
    errors = [(e.row, e.column) for e in response.context["result"].errors]
    # A row with field errors has its unit checked too: every error at once.
    assert errors == [
        (3, "Họ và tên"),
        (3, "Giới tính (Nam/Nữ)"),
        (3, "Mã đơn vị"),
        (4, "Mã đơn vị"),
    ]
    assert "Nhập họ và tên." in response.text
    assert not Person.objects.exists()


def test_import_page_reports_the_people_added_and_the_cells_converted(client, users, tree):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("people:people_import"),
        {"file": xlsx(row(), row(full_name=encode_legacy("Trần Văn Bình", "tcvn3"), gender="Nam"))},
    )
    assert response.status_code == 200
    text = " ".join(response.text.split())
    assert "Đã thêm 2 cán bộ" in text
    assert "1 ô gõ bằng bảng mã cũ" in text
    assert Person.objects.filter(full_name="Trần Văn Bình").exists()


def test_import_refuses_a_file_that_is_no_xlsx(client, users):
    client.force_login(users["officer_hcm"])
    upload = BytesIO(b"a,b,c")
    upload.name = "danh-sach.csv"
    response = client.post(reverse("people:people_import"), {"file": upload})
    assert ".xlsx" in response.context["form"].errors["file"][0]


@pytest.mark.parametrize("role", ROLES)
def test_export_holds_only_the_scope(client, users, nhung, hanoi_person, role):
    client.force_login(users[role])
    response = client.get(reverse("people:people_export"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content))["Danh sách"]
    names = {r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert ("Nguyễn Thị Hồng Nhung" in names) == (role in SEES_HCM)
    assert ("Đỗ Mạnh Hùng" in names) == (role in SEES_HANOI)
