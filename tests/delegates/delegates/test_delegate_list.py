"""The delegate list of a conference: protocol and name order, filters,
counts against the cap, the Excel export, adding guests and official
delegates, removing one, and who may do what."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from congress.models import Conference
from delegates.models import Category, Delegate, Gender, Person, Rank
from delegates.selectors import delegates as delegate_selectors
from tests.congress.documents_support import (
    ROLES,
    expected_change_status,
    expected_view_status,
)
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory


def person(unit, name, **fields):
    return PersonFactory(unit=unit, full_name=name, **fields)


def official(conference, unit, name, **fields):
    return DelegateFactory(
        conference=conference, category=Category.OFFICIAL, person=person(unit, name, **fields)
    )


def guest(conference, name, **fields):
    return DelegateFactory(
        conference=conference, category=Category.GUEST, person=None, guest_name=name, **fields
    )


def names(response) -> list[str]:
    return [delegate.name for delegate in response.context["listing"].shown]


@pytest.fixture
def protocol(tree, tiers, hcm_upper):
    """HCMC's tier-2 list: two guests outside the register, officials of
    the province, its department and its district, two elected from the
    district. The department comes before the district by protocol
    position, although its code sorts after."""
    tree.hcm_department.position = 1
    tree.hcm_department.save()
    tree.hcm_district.position = 2
    tree.hcm_district.save()
    district_conference = ConferenceFactory(tier=tiers[1], unit=tree.hcm_district)
    made = {
        "guest_2": guest(hcm_upper, "Phan Văn Mãi", guest_title="Chủ tịch UBND"),
        "guest_1": guest(hcm_upper, "Nguyễn Văn Nên", guest_title="Bí thư Thành ủy"),
        "staff_phuc": official(hcm_upper, tree.hcm, "Lê Văn Phúc"),
        "staff_on": official(hcm_upper, tree.hcm, "Trần Thị Ơn"),
        "deputy": official(hcm_upper, tree.hcm, "Võ Văn An", rank=Rank.DEPUTY_HEAD),
        "head": official(hcm_upper, tree.hcm, "Đỗ Thị Bình", rank=Rank.HEAD),
        "district_head": official(hcm_upper, tree.hcm_district, "Hồ Văn Anh", rank=Rank.HEAD),
        "department_head": official(
            hcm_upper, tree.hcm_department, "Mai Thị Ánh", rank=Rank.DEPARTMENT_HEAD
        ),
    }
    for name in ("Ngô Thị Ánh", "Bùi Văn Bình"):
        made[name] = DelegateFactory(
            conference=hcm_upper,
            category=Category.ELECTED,
            person=person(tree.hcm_district, name),
            elected_at=district_conference,
            unit=tree.hcm_district,
        )
    return made


# -- Order ---------------------------------------------------------------


def test_protocol_order_category_unit_rank_then_vietnamese_name(client, users, hcm_upper, protocol):
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("delegates:delegate_list", args=[hcm_upper.pk]))
    assert response.status_code == 200
    assert names(response) == [
        # Guests outside the register: in the order they were entered.
        "Phan Văn Mãi",
        "Nguyễn Văn Nên",
        # The province: head, deputy, then staff by given name ("Ơn" < "Phúc"
        # in the Vietnamese alphabet, though "Ơ" sorts after "P" in bytes).
        "Đỗ Thị Bình",
        "Võ Văn An",
        "Trần Thị Ơn",
        "Lê Văn Phúc",
        # Then its units by protocol position: the department, the district.
        "Mai Thị Ánh",
        "Hồ Văn Anh",
        # Elected: "Ánh" before "Bình" (bytes would put "B" before "Á").
        "Ngô Thị Ánh",
        "Bùi Văn Bình",
    ]
    groups = response.context["groups"]
    assert [group.category for group in groups] == ["guest", "official", "elected"]
    official_units = [unit_group.unit.name for unit_group in groups[1].groups]
    assert official_units == ["BHXH TP. Hồ Chí Minh", "Văn phòng", "BHXH Quận 1"]
    # Numbered continuously, as a printed list is.
    assert [number for number, _ in groups[2].groups[0].rows] == [9, 10]


def test_name_order_within_each_category(client, users, hcm_upper, protocol):
    client.force_login(users["council"])
    response = client.get(
        reverse("delegates:delegate_list", args=[hcm_upper.pk]), {"order": "name"}
    )
    assert names(response) == [
        "Phan Văn Mãi",
        "Nguyễn Văn Nên",
        # Given name first: An, Anh, Ánh, Bình, Ơn, Phúc.
        "Võ Văn An",
        "Hồ Văn Anh",
        "Mai Thị Ánh",
        "Đỗ Thị Bình",
        "Trần Thị Ơn",
        "Lê Văn Phúc",
        "Ngô Thị Ánh",
        "Bùi Văn Bình",
    ]
    assert sorted(names(response)[2:8]) != names(response)[2:8]  # not byte order


# -- Filters -------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "elected"}, ["Ngô Thị Ánh", "Bùi Văn Bình"]),
        ({"q": "thi anh"}, ["Mai Thị Ánh", "Ngô Thị Ánh"]),  # every word, folded
        ({"q": "BI THU"}, ["Nguyễn Văn Nên"]),  # the guest's title, folded
        ({"q": "do thi binh"}, ["Đỗ Thị Bình"]),  # "đ" folds to "d"
        ({"gender": "female", "category": "official"}, ["Đỗ Thị Bình", "Mai Thị Ánh"]),
        ({"category": "nonsense", "gender": "x", "unit": "abc"}, None),  # ignored
    ],
)
def test_filters(client, users, hcm_upper, protocol, params, expected):
    for key in ("head", "department_head"):
        Person.objects.filter(pk=protocol[key].person_id).update(gender=Gender.FEMALE)
    Person.objects.exclude(
        pk__in=[protocol["head"].person_id, protocol["department_head"].person_id]
    ).update(gender=Gender.MALE)
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("delegates:delegate_list", args=[hcm_upper.pk]), params)
    assert response.status_code == 200
    if expected is None:
        assert len(names(response)) == 10
    else:
        assert names(response) == expected
        assert 'data-testid="shown-count"' in response.text


def test_unit_filter_takes_the_subtree_and_ignores_foreign_units(
    client, tree, users, hcm_upper, protocol
):
    client.force_login(users["officer_hcm"])
    url = reverse("delegates:delegate_list", args=[hcm_upper.pk])
    district = names(client.get(url, {"unit": tree.hcm_district.pk}))
    assert district == ["Hồ Văn Anh", "Ngô Thị Ánh", "Bùi Văn Bình"]
    # The province: itself and every unit under it (not the guests).
    assert len(names(client.get(url, {"unit": tree.hcm.pk}))) == 8
    # A unit of another province is not a filter here.
    assert len(names(client.get(url, {"unit": tree.hanoi_district.pk}))) == 10


# -- Counts against the cap ----------------------------------------------------


def test_counts_against_the_350_cap_count_guests_at_tier_two(client, users, hcm_upper, protocol):
    client.force_login(users["printer_hcm"])
    response = client.get(reverse("delegates:delegate_list", args=[hcm_upper.pk]))
    seats = response.context["listing"].seats
    assert [(c.category, c.count) for c in seats.categories] == [
        ("guest", 2),
        ("official", 6),
        ("elected", 2),
    ]
    assert (seats.counted, seats.cap, seats.left) == (10, 350, 340)
    assert "10/350" in response.text


def test_congress_counts_leave_guests_out(client, tree, tiers, users):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    guest(congress, "Khách mời")
    official(congress, tree.hcm, "Nguyễn Văn Một")
    client.force_login(users["council"])
    response = client.get(reverse("delegates:delegate_list", args=[congress.pk]))
    assert "1/500" in response.text
    assert "không tính khách mời" in response.text


# -- Export ----------------------------------------------------------------


def read_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def test_export_is_the_filtered_list_in_the_same_order(client, users, hcm_upper, protocol):
    client.force_login(users["printer_hcm"])
    url = reverse("delegates:delegate_export", args=[hcm_upper.pk])
    response = client.get(url, {"order": "name", "category": "official"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "danh-sach-dai-bieu-bhxh-tp-ho-chi-minh.xlsx" in response["Content-Disposition"]
    rows = read_rows(response.content)
    header = rows.index(
        (
            "STT",
            "Họ và tên",
            "Giới tính",
            "Năm sinh",
            "Dân tộc",
            "Chức vụ",
            "Đơn vị",
            "Thành phần",
            "Được bầu tại",
        )
    )
    body = rows[header + 1 :]
    assert [row[1] for row in body] == [
        "Võ Văn An",
        "Hồ Văn Anh",
        "Mai Thị Ánh",
        "Đỗ Thị Bình",
        "Trần Thị Ơn",
        "Lê Văn Phúc",
    ]
    assert [row[0] for row in body] == [1, 2, 3, 4, 5, 6]
    first = protocol["deputy"].person
    assert body[0][2:8] == (
        first.get_gender_display(),
        first.birth_year,
        "Kinh",
        "Chuyên viên",
        "BHXH TP. Hồ Chí Minh",
        "Đại biểu chính thức (mời)",
    )


def test_export_of_guests_and_elected(client, users, hcm_upper, protocol):
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("delegates:delegate_export", args=[hcm_upper.pk]))
    rows = read_rows(response.content)
    by_name = {row[1]: row for row in rows if row and isinstance(row[0], int)}
    assert len(by_name) == 10
    assert by_name["Nguyễn Văn Nên"][5:8] == ("Bí thư Thành ủy", None, "Đại biểu khách mời")
    assert by_name["Ngô Thị Ánh"][6:9] == ("BHXH Quận 1", "Đại biểu bầu", "BHXH Quận 1")


# -- Query counts ----------------------------------------------------------------


def bulk_delegates(conference, units, count, actor):
    """``count`` official delegates spread over ``units``, fast."""
    people = Person.objects.bulk_create(
        [
            Person(
                unit=units[n % len(units)],
                full_name=f"Nguyễn Văn Thử {n:03d}",
                gender=Gender.MALE if n % 2 else Gender.FEMALE,
                birth_year=1970 + n % 30,
                rank=Rank.STAFF if n % 7 else Rank.DEPARTMENT_HEAD,
            )
            for n in range(count)
        ]
    )
    Delegate.objects.bulk_create(
        [
            Delegate(
                conference=conference,
                category=Category.OFFICIAL,
                person=p,
                unit=p.unit,
                added_by=actor,
            )
            for p in people
        ]
    )


@pytest.mark.parametrize("name", ["delegates:delegate_list", "delegates:delegate_export"])
def test_list_queries_do_not_grow_with_the_delegates(
    client, tree, users, hcm_upper, name, django_assert_max_num_queries
):
    units = [tree.hcm, tree.hcm_district, tree.hcm_department]
    bulk_delegates(hcm_upper, units, 5, users["admin"])
    guest(hcm_upper, "Khách Một")
    client.force_login(users["officer_hcm"])
    url = reverse(name, args=[hcm_upper.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    bulk_delegates(hcm_upper, units, 495, users["admin"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"order": "name"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    if name == "delegates:delegate_list":
        assert len(response.context["listing"].shown) == 501


# -- Who may see and change --------------------------------------------------------


@pytest.fixture
def both(tree, tiers, hcm_upper, hanoi_upper):
    """A delegate on each province's list."""
    return {
        "hcm": (hcm_upper, official(hcm_upper, tree.hcm_district, "Nguyễn Văn Hồ")),
        "hanoi": (hanoi_upper, official(hanoi_upper, tree.hanoi_district, "Trần Văn Hà")),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("province", ["hcm", "hanoi"])
@pytest.mark.parametrize(
    "name", ["delegates:delegate_list", "delegates:delegate_export", "delegates:composition"]
)
def test_reading_pages_by_role(client, users, both, role, province, name):
    conference, delegate = both[province]
    client.force_login(users[role])
    response = client.get(reverse(name, args=[conference.pk]))
    assert response.status_code == expected_view_status(role, province)
    if name == "delegates:delegate_list" and response.status_code == 200:
        may_change = expected_change_status(role, province) == 302
        assert ("Thêm khách mời" in response.text) == may_change
        assert (
            reverse("delegates:delegate_remove", args=[conference.pk, delegate.pk]) in response.text
        ) == may_change


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("province", ["hcm", "hanoi"])
@pytest.mark.parametrize(
    "name",
    ["delegates:guest_add", "delegates:official_add", "delegates:official_suggestions"],
)
def test_adding_pages_by_role(client, users, both, role, province, name):
    conference, _delegate = both[province]
    client.force_login(users[role])
    response = client.get(reverse(name, args=[conference.pk]))
    assert response.status_code == expected_change_status(role, province, ok=200)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("province", ["hcm", "hanoi"])
def test_adding_a_guest_by_role(client, users, both, role, province):
    conference, _delegate = both[province]
    client.force_login(users[role])
    response = client.post(
        reverse("delegates:guest_add", args=[conference.pk]), {"guest_name": "Khách Mời"}
    )
    assert response.status_code == expected_change_status(role, province)
    added = Delegate.objects.filter(conference=conference, guest_name="Khách Mời").exists()
    assert added == (response.status_code == 302)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("province", ["hcm", "hanoi"])
def test_removing_by_role(client, users, both, role, province):
    conference, delegate = both[province]
    client.force_login(users[role])
    url = reverse("delegates:delegate_remove", args=[conference.pk, delegate.pk])
    assert client.get(url).status_code == expected_change_status(role, province, ok=200)
    response = client.post(url)
    assert response.status_code == expected_change_status(role, province)
    assert Delegate.objects.filter(pk=delegate.pk).exists() == (response.status_code != 302)


def test_anonymous_is_sent_to_login(client, both):
    conference, _delegate = both["hcm"]
    response = client.get(reverse("delegates:delegate_list", args=[conference.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_delegate_of_another_conference_is_not_found(client, users, both):
    hcm, _ = both["hcm"]
    _, hanoi_delegate = both["hanoi"]
    client.force_login(users["admin"])
    url = reverse("delegates:delegate_remove", args=[hcm.pk, hanoi_delegate.pk])
    assert client.post(url).status_code == 404
    assert Delegate.objects.filter(pk=hanoi_delegate.pk).exists()


def test_conference_page_links_to_its_delegates(client, users, both):
    conference, _delegate = both["hcm"]
    client.force_login(users["printer_hcm"])
    response = client.get(conference.get_absolute_url())
    assert reverse("delegates:delegate_list", args=[conference.pk]) in response.text
    assert "Đại biểu (1)" in response.text


# -- Adding and removing -----------------------------------------------------------


def test_guest_form_keeps_the_input_and_names_the_full_cap(client, users, hcm_upper):
    hcm_upper.tier.cap_exceptions.filter(unit=hcm_upper.unit).update(cap=2)
    guest(hcm_upper, "Khách Một")
    guest(hcm_upper, "Khách Hai")
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("delegates:guest_add", args=[hcm_upper.pk]),
        {"guest_name": "Nguyễn Thị Khách", "guest_title": "Phó Chủ tịch", "note": "ghi chú"},
    )
    assert response.status_code == 200
    assert "tối đa 2 đại biểu" in response.text
    assert 'value="Nguyễn Thị Khách"' in response.text
    assert 'value="Phó Chủ tịch"' in response.text
    assert Delegate.objects.filter(conference=hcm_upper).count() == 2


def test_guest_needs_a_name(client, users, hcm_upper):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("delegates:guest_add", args=[hcm_upper.pk]),
        {"guest_name": "  ", "guest_organisation": "UBND"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["guest_name"]
    assert 'value="UBND"' in response.text
    assert not Delegate.objects.exists()


def test_guest_is_added_in_nfc(client, users, hcm_upper):
    client.force_login(users["officer_hcm"])
    decomposed = "Nguye\u0302\u0303n Va\u0306n Kha\u0301ch"
    response = client.post(
        reverse("delegates:guest_add", args=[hcm_upper.pk]),
        {"guest_name": decomposed, "guest_organisation": "Thành ủy"},
    )
    assert response.status_code == 302
    delegate = Delegate.objects.get()
    assert delegate.guest_name == "Nguyễn Văn Khách"
    assert delegate.category == Category.GUEST and delegate.person is None


def test_official_search_without_diacritics_and_add(client, tree, users, hcm_upper):
    wanted = person(tree.hcm_district, "Đặng Thị Hường")
    person(tree.hanoi_district, "Đặng Thị Hường")  # another province: not found
    already = official(hcm_upper, tree.hcm, "Đặng Văn Hường")
    client.force_login(users["officer_hcm"])
    url = reverse("delegates:official_add", args=[hcm_upper.pk])
    response = client.get(url, {"q": "dang huong"})
    assert [p.pk for p in response.context["people"]] == [wanted.pk]
    assert already.person.full_name not in response.text
    response = client.post(url, {"q": "dang huong", "person": wanted.pk, "note": "Trưởng phòng"})
    assert response.status_code == 302
    added = Delegate.objects.get(person=wanted)
    assert (added.category, added.unit, added.note) == (
        Category.OFFICIAL,
        tree.hcm_district,
        "Trưởng phòng",
    )


def test_official_form_shows_the_cap_and_keeps_the_choice(client, tree, users, hcm_upper):
    hcm_upper.tier.cap_exceptions.filter(unit=hcm_upper.unit).update(cap=1)
    official(hcm_upper, tree.hcm, "Người Đầu Tiên")
    wanted = person(tree.hcm_district, "Lý Thị Mai")
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("delegates:official_add", args=[hcm_upper.pk]),
        {"q": "mai", "person": wanted.pk, "note": "giữ lại"},
    )
    assert response.status_code == 200
    assert "tối đa 1 đại biểu." in response.text
    assert f'value="{wanted.pk}" checked' in response.text
    assert 'value="giữ lại"' in response.text
    assert not Delegate.objects.filter(person=wanted).exists()


def test_official_form_needs_a_choice(client, tree, users, hcm_upper):
    person(tree.hcm_district, "Lý Thị Mai")
    client.force_login(users["officer_hcm"])
    response = client.post(reverse("delegates:official_add", args=[hcm_upper.pk]), {"q": "mai"})
    assert response.status_code == 200
    assert response.context["form"].errors["person"] == ["Vui lòng chọn cán bộ trong danh sách."]
    assert not Delegate.objects.exists()


def test_removing_frees_the_seat(client, tree, users, hcm_upper):
    delegate = official(hcm_upper, tree.hcm, "Nguyễn Văn Rời")
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("delegates:delegate_remove", args=[hcm_upper.pk, delegate.pk]), follow=True
    )
    assert not Delegate.objects.exists()
    assert Person.objects.filter(pk=delegate.person_id).exists()
    assert "0/350" in response.text


def test_closed_conference_cannot_change(client, tree, tiers, users):
    closed = ConferenceFactory(
        tier=tiers[2],
        unit=tree.hcm,
        status=Conference.Status.CLOSED,
        held_on=tiers[2].deadline,
        actual_attendance=100,
    )
    delegate = official(closed, tree.hcm, "Nguyễn Văn Ở")
    client.force_login(users["officer_hcm"])
    response = client.post(reverse("delegates:delegate_remove", args=[closed.pk, delegate.pk]))
    assert response.status_code == 302
    assert Delegate.objects.filter(pk=delegate.pk).exists()
    listing = client.get(reverse("delegates:delegate_list", args=[closed.pk]))
    assert "Thêm khách mời" not in listing.text


def test_selector_orders_the_units_by_position_not_code(tree, hcm_upper):
    tree.hcm_department.position = 1
    tree.hcm_department.save()
    keys = delegate_selectors.unit_protocol_keys([tree.hcm_district, tree.hcm_department, tree.hcm])
    ordered = sorted([tree.hcm_district, tree.hcm_department, tree.hcm], key=lambda u: keys[u.pk])
    assert ordered == [tree.hcm, tree.hcm_district, tree.hcm_department]
