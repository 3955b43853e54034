"""Official delegates suggested by the app, line by line as the official
list of the tier says (delegates.official_lists; the lines themselves are
checked against DOMAIN.md in test_official_lists.py), and the officer's
confirmation: all or nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.models import Category, CouncilRole, Delegate, EmulationTitle, Rank
from delegates.selectors.delegates import title_years
from delegates.selectors.suggestions import suggest_official_delegates
from delegates.services.delegates import add_official_delegates
from tests.factories import DelegateFactory, PersonFactory

NATIONAL, SECTOR, GRASSROOTS = EmulationTitle.Title


def person(unit, name, *, titles=(), **fields):
    made = PersonFactory(unit=unit, full_name=name, **fields)
    for year, title in titles:
        EmulationTitle.objects.create(person=made, year=year, title=title)
    return made


def reasons(suggestions) -> dict[str, list[tuple]]:
    return {s.person.full_name: [(r.key, r.detail) for r in s.reasons] for s in suggestions}


@pytest.fixture
def register(tree):
    """The register of HCMC (province, district, department) and one
    person of Hà Nội, each meeting one line, several, or none."""
    hcm = {"council_unit": tree.hcm}
    return {
        "head": person(tree.hcm, "Nguyễn Văn Giám", rank=Rank.HEAD),
        "deputy": person(tree.hcm, "Trần Thị Phó", rank=Rank.DEPUTY_HEAD),
        "province_staff": person(tree.hcm, "Lê Văn Thường"),
        "province_department_head": person(tree.hcm, "Lê Văn Trưởng", rank=Rank.DEPARTMENT_HEAD),
        "district_head": person(tree.hcm_district, "Phạm Văn Huyện", rank=Rank.HEAD),
        "district_deputy": person(tree.hcm_district, "Phạm Thị Phó", rank=Rank.DEPUTY_HEAD),
        "department_head": person(tree.hcm_department, "Vũ Thị Phòng", rank=Rank.DEPARTMENT_HEAD),
        "council": person(
            tree.hcm_district, "Đặng Văn Hội", council_role=CouncilRole.MEMBER, **hcm
        ),
        "national": person(tree.hcm_district, "Hoàng Thị Quốc", titles=[(2019, NATIONAL)]),
        "sector": person(
            tree.hcm_department, "Bùi Văn Ngành", titles=[(2015, SECTOR), (2017, SECTOR)]
        ),
        "grassroots": person(tree.hcm_district, "Đỗ Văn Sở", titles=[(2018, GRASSROOTS)]),
        "too_early": person(tree.hcm_district, "Cao Văn Sớm", titles=[(2014, NATIONAL)]),
        "too_late": person(tree.hcm_district, "Cao Văn Muộn", titles=[(2020, SECTOR)]),
        "emulation_staff": person(tree.hcm, "Lý Thị Khen", handles_emulation=True),
        "good_deed": person(tree.hcm_district, "Tạ Thị Tốt", good_person_good_deed=True),
        "good_solution": person(tree.hcm_department, "Mạc Văn Hay", good_solution=True),
        "several": person(
            tree.hcm,
            "Hồ Thị Nhiều",
            rank=Rank.DEPUTY_HEAD,
            council_role=CouncilRole.STANDING,
            titles=[(2016, SECTOR), (2018, GRASSROOTS)],
            **hcm,
        ),
        "inactive": person(
            tree.hcm, "Ngô Văn Nghỉ", council_role=CouncilRole.MEMBER, is_active=False, **hcm
        ),
        "hanoi_council": person(
            tree.hanoi_district,
            "Kiều Văn Hà",
            council_role=CouncilRole.MEMBER,
            council_unit=tree.hanoi,
        ),
    }


def test_title_years_are_those_before_each_year_of_the_period(tree):
    assert list(title_years(tree.cycle)) == [2015, 2016, 2017, 2018, 2019]


def test_suggestions_and_their_lines_at_tier_two(tree, hcm_upper, register):
    found = reasons(suggest_official_delegates(hcm_upper))
    assert found == {
        "Nguyễn Văn Giám": [("leaders", "")],
        "Hồ Thị Nhiều": [
            ("leaders", ""),
            ("council", "Thường trực"),
            ("sector_soldiers", "2016"),
            ("grassroots_soldiers", "2018"),
        ],
        "Trần Thị Phó": [("leaders", "")],
        "Đặng Văn Hội": [("council", "Ủy viên")],
        "Phạm Văn Huyện": [("district_leaders", "")],
        "Vũ Thị Phòng": [("department_leaders", "")],
        "Hoàng Thị Quốc": [("national_soldiers", "2019")],
        "Bùi Văn Ngành": [("sector_soldiers", "2015, 2017")],
        "Đỗ Văn Sở": [("grassroots_soldiers", "2018")],
        "Lý Thị Khen": [("emulation_staff", "")],
    }


def test_suggestions_are_listed_line_by_line_in_the_guidance_order(tree, hcm_upper, register):
    order = [s.person.full_name for s in suggest_official_delegates(hcm_upper)]
    # Leaders in protocol order (head, then deputies by name), the council,
    # heads of districts then of departments, national before sector before
    # grassroots soldiers, emulation staff.
    assert order == [
        "Nguyễn Văn Giám",
        "Hồ Thị Nhiều",
        "Trần Thị Phó",
        "Đặng Văn Hội",
        "Phạm Văn Huyện",
        "Vũ Thị Phòng",
        "Hoàng Thị Quốc",
        "Bùi Văn Ngành",
        "Đỗ Văn Sở",
        "Lý Thị Khen",
    ]


def test_people_already_delegates_are_left_out(tree, hcm_upper, register):
    DelegateFactory(conference=hcm_upper, person=register["head"])
    DelegateFactory(conference=hcm_upper, category=Category.GUEST, person=None, guest_name="Khách")
    names = {s.person.full_name for s in suggest_official_delegates(hcm_upper)}
    assert "Nguyễn Văn Giám" not in names
    assert "Trần Thị Phó" in names  # a guest without person does not hide everyone


def test_no_suggestion_at_a_grassroots_conference(tree, tiers, register):
    from tests.factories import ConferenceFactory

    district = ConferenceFactory(tier=tiers[1], unit=tree.hcm_district)
    assert suggest_official_delegates(district) == []


def test_suggestion_queries_do_not_grow_with_people(
    tree, hcm_upper, register, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        first = suggest_official_delegates(hcm_upper)
    for n in range(40):
        person(
            tree.hcm_district,
            f"Người Thứ {n}",
            council_role=CouncilRole.MEMBER,
            council_unit=tree.hcm,
            titles=[(2016, SECTOR), (2017, NATIONAL)],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        many = suggest_official_delegates(hcm_upper)
    assert len(many) == len(first) + 40


# -- Confirming a selection ----------------------------------------------------


def test_confirming_adds_the_selection(client, tree, users, hcm_upper, register):
    client.force_login(users["officer_hcm"])
    url = reverse("delegates:official_suggestions", args=[hcm_upper.pk])
    page = client.get(url)
    assert (
        "Chiến sĩ thi đua ngành BHXH các năm (từ năm 2015 đến năm 2019): "
        "<strong>2015, 2017</strong>" in page.text
    )
    assert "Lãnh đạo BHXH tỉnh" in page.text
    chosen = [register["head"].pk, register["sector"].pk]
    response = client.post(url, {"people": chosen})
    assert response.status_code == 302
    added = Delegate.objects.filter(conference=hcm_upper)
    assert {d.person_id for d in added} == set(chosen)
    assert {d.category for d in added} == {Category.OFFICIAL}
    assert {d.added_by for d in added} == {users["officer_hcm"]}
    # They are no longer suggested.
    again = client.get(url)
    assert register["head"].pk not in {s.person.pk for s in again.context["suggestions"]}


def test_confirming_at_the_cap_adds_nothing_and_says_what_is_left(
    client, tree, users, hcm_upper, register
):
    hcm_upper.tier.cap_exceptions.filter(unit=hcm_upper.unit).update(cap=3)
    DelegateFactory(conference=hcm_upper, person=register["province_staff"])
    client.force_login(users["officer_hcm"])
    chosen = [register["head"].pk, register["deputy"].pk, register["council"].pk]
    response = client.post(
        reverse("delegates:official_suggestions", args=[hcm_upper.pk]), {"people": chosen}
    )
    assert response.status_code == 400
    assert "Chưa thêm ai: chỉ còn 2 chỗ mà đã chọn 3 người." in response.text
    # The ticks are kept.
    for pk in chosen:
        assert f'value="{pk}" id="p{pk}" checked' in response.text
    assert Delegate.objects.filter(conference=hcm_upper).count() == 1


def test_confirming_nothing_is_refused(client, users, hcm_upper, register):
    client.force_login(users["officer_hcm"])
    response = client.post(reverse("delegates:official_suggestions", args=[hcm_upper.pk]), {})
    assert response.status_code == 400
    assert "Vui lòng đánh dấu ít nhất một người." in response.text


def test_a_person_no_longer_suggested_is_refused(client, users, hcm_upper, register):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("delegates:official_suggestions", args=[hcm_upper.pk]),
        {"people": [register["province_staff"].pk, register["head"].pk]},
    )
    assert response.status_code == 400
    assert not Delegate.objects.exists()


def test_service_is_all_or_nothing_when_one_addition_fails(users, tree, hcm_upper, register):
    head, deputy = register["head"], register["deputy"]
    DelegateFactory(conference=hcm_upper, category=Category.GUEST, person=deputy)
    with pytest.raises(ValidationError, match="đã là đại biểu"):
        add_official_delegates(
            actor=users["officer_hcm"], conference=hcm_upper, people=[head, deputy]
        )
    assert not Delegate.objects.filter(person=head).exists()


def test_service_refuses_a_person_of_another_province(users, hcm_upper, register):
    with pytest.raises(ValidationError, match="không thuộc"):
        add_official_delegates(
            actor=users["admin"],
            conference=hcm_upper,
            people=[register["head"], register["hanoi_council"]],
        )
    assert not Delegate.objects.exists()


@pytest.mark.parametrize("role", ["officer_hanoi", "council", "printer_hcm"])
def test_service_checks_the_right(users, hcm_upper, register, role):
    with pytest.raises(PermissionDenied):
        add_official_delegates(actor=users[role], conference=hcm_upper, people=[register["head"]])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 302),
        ("officer_hcm", 302),
        ("officer_hanoi", 404),
        ("council", 403),
        ("printer_hcm", 403),
        ("printer", 403),
    ],
)
def test_confirming_by_role(client, users, hcm_upper, register, role, status):
    client.force_login(users[role])
    response = client.post(
        reverse("delegates:official_suggestions", args=[hcm_upper.pk]),
        {"people": [register["head"].pk]},
    )
    assert response.status_code == status
    assert Delegate.objects.exists() == (status == 302)


def test_each_line_counts_those_on_the_list_already(client, users, hcm_upper, register):
    DelegateFactory(conference=hcm_upper, person=register["head"])
    DelegateFactory(conference=hcm_upper, person=register["several"])
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("delegates:official_suggestions", args=[hcm_upper.pk]))
    lines = {
        key: (count, listed) for key, _l, count, _in, listed in response.context["official_lines"]
    }
    assert lines["leaders"] == (1, 2)  # the deputy left, the head and Hồ Thị Nhiều listed
    assert lines["council"] == (1, 1)
    assert lines["exemplars"] == (0, 0)
    assert 'data-testid="line-exemplars"' in response.text


def test_no_suggestion_says_so(client, users, hcm_upper):
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("delegates:official_suggestions", args=[hcm_upper.pk]))
    assert 'data-testid="no-suggestions"' in response.text


def test_suggestions_page_filters_by_reason(client, users, hcm_upper, register):
    client.force_login(users["officer_hcm"])
    url = reverse("delegates:official_suggestions", args=[hcm_upper.pk])
    response = client.get(url, {"reason": "council"})
    shown = {s.person.full_name for s in response.context["suggestions"]}
    assert shown == {"Đặng Văn Hội", "Hồ Thị Nhiều"}
    lines = {key: count for key, _label, count, _in, _listed in response.context["official_lines"]}
    assert lines["council"] == 2 and lines["leaders"] == 3 and lines["exemplars"] == 0
    assert response.context["suggestion_count"] == 10
    # An unknown line shows everyone.
    assert len(client.get(url, {"reason": "good_deed"}).context["suggestions"]) == 10
    # Ticking a person the filter hides is still accepted.
    response = client.post(f"{url}?reason=council", {"people": [register["head"].pk]})
    assert response.status_code == 302
