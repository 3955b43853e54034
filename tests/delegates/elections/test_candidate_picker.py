"""The candidate picker of the election page: the register listed before
anything is typed, its filters, the badges of the guidance's priority
groups, the composition the candidates would give, hostile parameters,
the way back after adding, the queries, the scope."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from delegates.composition import Facts, priorities_of
from delegates.models import ETHNIC_MINORITY, EXEMPLAR, EmulationTitle, Gender, Person, Rank
from delegates.selectors.candidate_picker import PAGE_SIZE
from delegates.services.elections import open_election, open_runoff, record_votes, set_candidates
from tests.delegates.elections.test_elections import approve, held
from tests.factories import ConferenceFactory, PersonFactory, UnitFactory

GRASSROOTS = EmulationTitle.Title.GRASSROOTS
SECTOR = EmulationTitle.Title.SECTOR
NATIONAL = EmulationTitle.Title.NATIONAL


def url(name, conference):
    return reverse(f"elections:{name}", args=[conference.pk])


@pytest.fixture
def hcm_conf(tree, tiers, hcm_upper):
    """Quận 1's held tier-1 conference, electing to HCMC's."""
    return held(tiers[1], tree.hcm_district)


@pytest.fixture
def election(hcm_conf, users):
    return open_election(actor=users["officer_hcm"], conference=hcm_conf)


@pytest.fixture
def officer(client, users):
    client.force_login(users["officer_hcm"])
    return client


def person(unit, name, **facts):
    return PersonFactory(
        unit=unit, full_name=name, gender=facts.pop("gender", Gender.MALE), **facts
    )


def listed(response) -> list[str]:
    """The names of the picker's rows, in order."""
    return [row.person.full_name for row in response.context["picker"].rows]


def picker(client, conference, **params):
    response = client.get(url("election_detail", conference), params)
    assert response.status_code == 200
    return response


# -- The register, before anything is typed --------------------------------------


def test_register_is_listed_before_anything_is_typed(officer, users, tree, election, hcm_conf):
    an = person(tree.hcm_district, "Nguyễn Văn An")
    binh = person(tree.hcm_district, "Trần Thị Bình", gender=Gender.FEMALE)
    standing = person(tree.hcm_district, "Lê Văn Cường")
    set_candidates(actor=users["officer_hcm"], election=election, persons=[standing])
    person(tree.hcm_district, "Phạm Văn Đã Nghỉ", is_active=False)
    person(tree.hcm_department, "Võ Thị Văn Phòng")  # HCMC, not Quận 1
    person(tree.hanoi_district, "Đỗ Văn Hà Nội")
    response = picker(officer, hcm_conf)
    assert listed(response) == [an.full_name, binh.full_name]
    page = response.content.decode()
    assert page.count('data-testid="picker-row"') == 2
    assert "Lê Văn Cường" in page  # as a candidate, not in the picker
    assert "Phạm Văn Đã Nghỉ" not in page and "Võ Thị Văn Phòng" not in page
    assert "Đỗ Văn Hà Nội" not in page


def test_register_in_tree_order_rank_and_vietnamese_name_order(officer, users, tree, tiers):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    province = held(tiers[2], tree.hcm)
    open_election(actor=users["officer_hcm"], conference=province)
    staff = [
        person(tree.hcm_district, "Trần Văn Bình"),
        person(tree.hcm_district, "Lê Văn An"),
        person(tree.hcm_district, "Nguyễn Thị Ánh", rank=Rank.HEAD),
        person(tree.hcm, "Phạm Văn Xuân"),
    ]
    response = picker(officer, province)
    # The province's own people first (tree order), then Quận 1's: its head
    # first, then by given name (An before Bình).
    assert listed(response) == [p.full_name for p in (staff[3], staff[2], staff[1], staff[0])]
    assert congress.pk  # the conference the province elects to


def test_register_is_paginated_and_the_links_keep_the_filters(officer, tree, election, hcm_conf):
    for index in range(PAGE_SIZE + 5):
        person(tree.hcm_district, f"Nguyễn Thị Số {index:02d}", gender=Gender.FEMALE)
    person(tree.hcm_district, "Trần Văn Nam")
    first = picker(officer, hcm_conf, gender="female")
    assert len(listed(first)) == PAGE_SIZE
    assert first.context["picker"].total == PAGE_SIZE + 5
    page = first.content.decode()
    assert "?gender=female&amp;page=2#picker" in page
    second = picker(officer, hcm_conf, gender="female", page=2)
    assert len(listed(second)) == 5
    assert "Trần Văn Nam" not in listed(second)
    # A page beyond the last is the last.
    assert listed(picker(officer, hcm_conf, gender="female", page=99)) == listed(second)


# -- Each filter narrows -------------------------------------------------------------


def test_name_filter_ignores_diacritics(officer, tree, election, hcm_conf):
    person(tree.hcm_district, "Nguyễn Thị Ánh")
    person(tree.hcm_district, "Trần Văn Bình")
    assert listed(picker(officer, hcm_conf, q="anh")) == ["Nguyễn Thị Ánh"]
    assert listed(picker(officer, hcm_conf, q="NGUYEN anh")) == ["Nguyễn Thị Ánh"]


def test_gender_filter(officer, tree, election, hcm_conf):
    person(tree.hcm_district, "Nguyễn Thị Lan", gender=Gender.FEMALE)
    person(tree.hcm_district, "Trần Văn Bình", gender=Gender.MALE)
    assert listed(picker(officer, hcm_conf, gender="female")) == ["Nguyễn Thị Lan"]
    assert listed(picker(officer, hcm_conf, gender="male")) == ["Trần Văn Bình"]


def test_ethnicity_filter(officer, tree, election, hcm_conf):
    person(tree.hcm_district, "Thạch Thị Sa", ethnicity="Khmer")
    person(tree.hcm_district, "Hoàng Văn Páo", ethnicity=" Tày ")
    person(tree.hcm_district, "Trần Văn Bình", ethnicity=" kinh")
    assert listed(picker(officer, hcm_conf, ethnicity="minority")) == [
        "Hoàng Văn Páo",
        "Thạch Thị Sa",
    ]
    assert listed(picker(officer, hcm_conf, ethnicity="kinh")) == ["Trần Văn Bình"]


@pytest.mark.parametrize(
    ("mark", "facts"),
    [
        ("good_person_good_deed", {"good_person_good_deed": True}),
        ("good_solution", {"good_solution": True}),
        ("works_directly", {"works_directly": True}),
        ("exemplar", {"exemplar_reason": "Sáng kiến giảm thời gian giải quyết hồ sơ."}),
    ],
)
def test_each_exemplar_mark_filter(officer, tree, election, hcm_conf, mark, facts):
    person(tree.hcm_district, "Nguyễn Thị Có", **facts)
    person(tree.hcm_district, "Trần Văn Không", exemplar_reason="   ")
    assert listed(picker(officer, hcm_conf, mark=mark)) == ["Nguyễn Thị Có"]


def test_marks_filter_together_requires_each(officer, tree, election, hcm_conf):
    person(tree.hcm_district, "Nguyễn Thị Cả Hai", good_solution=True, works_directly=True)
    person(tree.hcm_district, "Trần Văn Một", good_solution=True)
    response = picker(officer, hcm_conf, mark=["good_solution", "works_directly"])
    assert listed(response) == ["Nguyễn Thị Cả Hai"]


def test_title_filter_counts_the_cycles_years_only(officer, tree, election, hcm_conf):
    sector = person(tree.hcm_district, "Nguyễn Thị Ngành")
    grassroots = person(tree.hcm_district, "Trần Văn Cơ Sở")
    old = person(tree.hcm_district, "Lê Văn Xưa")
    person(tree.hcm_district, "Phạm Văn Không")
    EmulationTitle.objects.create(person=sector, year=2019, title=SECTOR)
    EmulationTitle.objects.create(person=grassroots, year=2015, title=GRASSROOTS)
    EmulationTitle.objects.create(person=old, year=2014, title=SECTOR)  # before cycle V's years
    assert listed(picker(officer, hcm_conf, title="any")) == ["Nguyễn Thị Ngành", "Trần Văn Cơ Sở"]
    assert listed(picker(officer, hcm_conf, title="sector")) == ["Nguyễn Thị Ngành"]
    assert listed(picker(officer, hcm_conf, title="national")) == []


def test_unit_filter_offers_the_subtree_only(officer, users, tree, tiers):
    ConferenceFactory(tier=tiers[3], unit=tree.vss)
    province = held(tiers[2], tree.hcm)
    open_election(actor=users["officer_hcm"], conference=province)
    person(tree.hcm, "Phạm Văn Tỉnh")
    person(tree.hcm_district, "Nguyễn Văn Quận")
    person(tree.hcm_department, "Trần Thị Phòng")
    response = picker(officer, province, unit=tree.hcm_district.pk)
    assert listed(response) == ["Nguyễn Văn Quận"]
    offered = dict(response.context["picker_form"].fields["unit"].choices)
    assert str(tree.hanoi_district.pk) not in offered
    assert str(tree.hcm_department.pk) in offered
    # Another province's unit is no choice: it filters nothing.
    everyone = listed(picker(officer, province, unit=tree.hanoi_district.pk))
    assert everyone == ["Phạm Văn Tỉnh", "Nguyễn Văn Quận", "Trần Thị Phòng"]


def test_a_district_register_offers_no_unit_filter(officer, tree, election, hcm_conf):
    person(tree.hcm_district, "Nguyễn Văn An")
    page = picker(officer, hcm_conf).content.decode()
    assert 'name="unit"' not in page and 'name="gender"' in page


def test_filters_combine_and_are_kept_in_the_form(officer, tree, election, hcm_conf):
    person(tree.hcm_district, "Nguyễn Thị Lan", gender=Gender.FEMALE, works_directly=True)
    person(tree.hcm_district, "Nguyễn Thị Hoa", gender=Gender.FEMALE)
    person(tree.hcm_district, "Nguyễn Văn Lâm", works_directly=True)
    response = picker(officer, hcm_conf, q="nguyen", gender="female", mark="works_directly")
    assert listed(response) == ["Nguyễn Thị Lan"]
    page = response.content.decode()
    assert 'value="nguyen"' in page
    assert '<option value="female" selected>' in page
    assert 'value="works_directly" class="form-check-input" id="id_mark_2" checked' in page
    assert 'data-testid="picker-clear"' in page


# -- Badges of the priority groups ----------------------------------------------------


def test_badges_of_each_priority_group_in_the_guidances_order(officer, tree, election, hcm_conf):
    every = person(
        tree.hcm_district,
        "Hoàng Thị Đủ",
        gender=Gender.FEMALE,
        ethnicity="Tày",
        good_person_good_deed=True,
        good_solution=True,
        works_directly=True,
        exemplar_reason="Điển hình xuất sắc.",
    )
    person(tree.hcm_district, "Trần Văn Không")
    response = picker(officer, hcm_conf)
    rows = {row.person.pk: row for row in response.context["picker"].rows}
    assert [badge.key for badge in rows[every.pk].priorities] == [
        "good_person_good_deed",
        "good_solution",
        "works_directly",
        "women",
        "minority",
    ]
    assert rows[every.pk].outstanding
    (nobody,) = (row for pk, row in rows.items() if pk != every.pk)
    assert nobody.priorities == [] and not nobody.outstanding
    page = response.content.decode()
    for key in ("good_person_good_deed", "good_solution", "works_directly", "women", "minority"):
        assert page.count(f'data-badge="{key}"') == 1, key
    assert page.count('data-badge="exemplar"') == 1
    with translation.override("vi"):
        assert str(translation.gettext("Good person, good deed")) in page


@pytest.mark.parametrize(
    ("facts", "badge"),
    [
        ({"good_person_good_deed": True}, "good_person_good_deed"),
        ({"good_solution": True}, "good_solution"),
        ({"works_directly": True}, "works_directly"),
        ({"gender": Gender.FEMALE}, "women"),
        ({"ethnicity": "Khmer"}, "minority"),
    ],
)
def test_badge_of_one_priority_group(officer, tree, election, hcm_conf, facts, badge):
    one = person(tree.hcm_district, "Nguyễn Một Nhóm", **facts)
    (row,) = picker(officer, hcm_conf).context["picker"].rows
    assert row.person == one
    assert [b.key for b in row.priorities] == [badge]


def test_titles_held_are_shown_with_their_years(officer, tree, election, hcm_conf):
    titled = person(tree.hcm_district, "Nguyễn Văn Danh")
    for year in (2017, 2018):
        EmulationTitle.objects.create(person=titled, year=year, title=GRASSROOTS)
    EmulationTitle.objects.create(person=titled, year=2019, title=NATIONAL)
    EmulationTitle.objects.create(person=titled, year=2013, title=SECTOR)  # outside the years
    response = picker(officer, hcm_conf)
    (row,) = response.context["picker"].rows
    assert [(t.key, t.years) for t in row.titles] == [
        (NATIONAL, (2019,)),
        (GRASSROOTS, (2017, 2018)),
    ]
    page = response.content.decode()
    with translation.override("vi"):
        assert f"{translation.gettext('Grassroots ES')} 2017, 2018" in page
    assert 'data-badge="title-sector"' not in page


def test_priorities_of_pure_facts():
    assert priorities_of(Facts(category="elected")) == ()
    assert priorities_of(
        Facts(
            category="elected",
            gender=Gender.FEMALE,
            minority=True,
            marks=frozenset({"good_solution"}),
        )
    ) == ("good_solution", "women", "minority")
    # A guest outside the register belongs to no group.
    assert priorities_of(Facts(category="guest", in_register=False)) == ()


@pytest.mark.parametrize(
    ("ethnicity", "minority"),
    [("Kinh", False), (" kinh ", False), ("KINH", False), ("Tày", True), ("Kinh Tày", True)],
)
def test_minority_condition_agrees_with_the_property(tree, ethnicity, minority):
    one = person(tree.hcm_district, "Nguyễn Văn Dân", ethnicity=ethnicity)
    assert one.is_ethnic_minority == minority
    assert Person.objects.filter(ETHNIC_MINORITY, pk=one.pk).exists() == minority


@pytest.mark.parametrize(("reason", "exemplar"), [("", False), ("  \n\t", False), ("Có", True)])
def test_exemplar_condition_agrees_with_the_property(tree, reason, exemplar):
    one = person(tree.hcm_district, "Nguyễn Văn Gương", exemplar_reason=reason)
    assert one.is_exemplar == exemplar
    assert Person.objects.filter(EXEMPLAR, pk=one.pk).exists() == exemplar


# -- The composition the candidates would give ----------------------------------


def test_preview_figures_and_target_verdicts(officer, users, tree, election, hcm_conf):
    candidates = [
        person(tree.hcm_district, "Nguyễn Thị Lan", gender=Gender.FEMALE, good_solution=True),
        person(tree.hcm_district, "Thạch Văn Sa", ethnicity="Khmer", works_directly=True),
        person(tree.hcm_district, "Trần Văn Bình", works_directly=True, exemplar_reason="Có."),
        person(tree.hcm_district, "Lê Văn Cường", good_person_good_deed=True),
    ]
    EmulationTitle.objects.create(person=candidates[2], year=2018, title=GRASSROOTS)
    EmulationTitle.objects.create(person=candidates[2], year=2019, title=GRASSROOTS)
    EmulationTitle.objects.create(person=candidates[3], year=2012, title=SECTOR)  # not counted
    person(tree.hcm_district, "Phạm Thị Chưa", gender=Gender.FEMALE)  # not a candidate
    set_candidates(actor=users["officer_hcm"], election=election, persons=candidates)
    response = picker(officer, hcm_conf)
    preview = response.context["preview"]
    assert preview.total == 4
    targets = {t.key: t for t in preview.targets}
    # Women: 1 of 4 (25 %) below the cycle's 30 %; minorities 1 of 4 above 5 %.
    assert (targets["women"].count, targets["women"].base, targets["women"].percent) == (1, 4, 25.0)
    assert not targets["women"].met
    assert (targets["minorities"].count, targets["minorities"].met) == (1, True)
    marks = {row.key: (row.count, row.percent) for row in preview.marks}
    assert marks == {
        "good_person_good_deed": (1, 25.0),
        "good_solution": (1, 25.0),
        "works_directly": (2, 50.0),
        "exemplar": (1, 25.0),
    }
    titles = {row.key: row.count for row in preview.titles}
    assert titles == {NATIONAL: 0, SECTOR: 0, GRASSROOTS: 1}
    page = response.content.decode()
    assert 'data-testid="preview-target-women"' in page
    assert 'data-met="no"' in page and page.count('data-met="yes"') == 1
    assert 'data-testid="preview-shortfall"' in page
    # Each candidate of the list shows what they bring.
    assert page.count('data-testid="candidate-badges"') == 4
    assert page.count('data-badge="title-grassroots"') == 1


def test_preview_meets_the_women_target_at_the_exact_share(
    officer, users, tree, election, hcm_conf
):
    women = [person(tree.hcm_district, f"Nguyễn Thị {n}", gender=Gender.FEMALE) for n in "AB"]
    men = [person(tree.hcm_district, f"Trần Văn {n}") for n in "CDEFG"]
    tree.cycle.women_target_percent = 28  # 2 of 7 is 28.57 %
    tree.cycle.save()
    set_candidates(actor=users["officer_hcm"], election=election, persons=[*women, *men])
    targets = {t.key: t for t in picker(officer, hcm_conf).context["preview"].targets}
    assert targets["women"].met


def test_preview_without_candidates_measures_nothing(officer, tree, election, hcm_conf):
    person(tree.hcm_district, "Nguyễn Văn An")
    response = picker(officer, hcm_conf)
    assert response.context["preview"].total == 0
    page = response.content.decode()
    assert 'data-testid="preview-shortfall"' not in page
    assert 'data-testid="preview-empty"' in page and "≥ 30%" in page


# -- Hostile parameters -------------------------------------------------------------

HOSTILE = ["²", "a\x00b", "9" * 5000, "-1", "0", "=1+1", "\u202e", "female\x00"]
PARAMETERS = ["q", "gender", "ethnicity", "mark", "title", "unit", "page"]


@pytest.mark.parametrize("name", PARAMETERS)
def test_hostile_values_filter_nothing(officer, tree, election, hcm_conf, name):
    person(tree.hcm_district, "Nguyễn Thị Lan", gender=Gender.FEMALE)
    person(tree.hcm_district, "Trần Văn Bình")
    everyone = listed(picker(officer, hcm_conf))
    for value in HOSTILE:
        response = officer.get(url("election_detail", hcm_conf), {name: value})
        assert response.status_code == 200, (name, value)
        # A name is text: searched for as typed, unless it holds a control
        # character (refused: no search).
        if name != "q" or "\x00" in value:
            assert listed(response) == everyone, (name, value)


def test_hostile_values_leave_the_other_filters_working(officer, tree, election, hcm_conf):
    person(tree.hcm_district, "Nguyễn Thị Lan", gender=Gender.FEMALE)
    person(tree.hcm_district, "Trần Văn Bình")
    response = picker(
        officer, hcm_conf, gender="female", unit="9" * 5000, mark="²", title="\x00", page="²"
    )
    assert listed(response) == ["Nguyễn Thị Lan"]
    # The links and buttons carry the accepted filter only.
    assert response.context["picker_query"] == "gender=female"


# -- Adding keeps the picker as it was ---------------------------------------------


def test_add_keeps_the_filters_and_the_page(officer, tree, election, hcm_conf):
    women = [
        person(tree.hcm_district, f"Nguyễn Thị Số {index:02d}", gender=Gender.FEMALE)
        for index in range(PAGE_SIZE + 3)
    ]
    response = picker(officer, hcm_conf, gender="female", mark="", page=2)
    assert response.context["picker_pairs"] == [("gender", "female"), ("page", "2")]
    page = response.content.decode()
    assert '<input type="hidden" name="gender" value="female">' in page
    chosen = women[-1]
    response = officer.post(
        url("candidate_add", hcm_conf),
        {"person": chosen.pk, "gender": "female", "page": "2", "title": "²", "q": "\x00"},
    )
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == url("election_detail", hcm_conf)
    assert parse_qsl(location.query) == [("gender", "female"), ("page", "2")]
    assert location.fragment == "picker"
    assert election.candidates.filter(person=chosen).exists()


def test_add_keeps_every_filter_in_the_forms_order(officer, tree, election, hcm_conf):
    chosen = person(tree.hcm_district, "Nguyễn Thị Lan", gender=Gender.FEMALE, good_solution=True)
    response = officer.post(
        url("candidate_add", hcm_conf),
        {
            "person": chosen.pk,
            "mark": ["good_solution", "works_directly"],
            "title": "any",
            "ethnicity": "kinh",
            "gender": "female",
            "q": "lan",
            "unit": tree.hcm_district.pk,
        },
    )
    query = parse_qsl(urlsplit(response["Location"]).query)
    assert query == [
        ("q", "lan"),
        ("gender", "female"),
        ("ethnicity", "kinh"),
        ("mark", "good_solution"),
        ("mark", "works_directly"),
        ("title", "any"),
        ("unit", str(tree.hcm_district.pk)),
    ]


def test_add_without_filters_comes_back_to_the_picker(officer, tree, election, hcm_conf):
    chosen = person(tree.hcm_district, "Nguyễn Văn An")
    response = officer.post(url("candidate_add", hcm_conf), {"person": chosen.pk})
    assert response["Location"] == f"{url('election_detail', hcm_conf)}#picker"


def test_remove_keeps_the_filters_too(officer, users, tree, election, hcm_conf):
    standing = person(tree.hcm_district, "Nguyễn Văn An")
    set_candidates(actor=users["officer_hcm"], election=election, persons=[standing])
    response = officer.post(
        url("candidate_remove", hcm_conf), {"person": standing.pk, "gender": "male"}
    )
    assert response["Location"] == f"{url('election_detail', hcm_conf)}?gender=male#candidates"
    assert not election.candidates.exists()


# -- Queries ---------------------------------------------------------------------------


def test_page_queries_do_not_grow_with_the_register_nor_the_candidates(
    officer, users, tree, tiers, hcm_upper
):
    sizes = [(5, 2), (60, 2), (5, 12), (60, 12)]  # (register beyond the candidates, candidates)
    units = [UnitFactory(parent=tree.hcm, name=f"BHXH quận Thử {n}") for n in range(len(sizes))]
    approve(hcm_upper, {unit: 3 for unit in units}, users["admin"])
    counts: dict[tuple, int] = {}
    for unit, (register, candidates) in zip(units, sizes, strict=True):
        conference = held(tiers[1], unit)
        election = open_election(actor=users["admin"], conference=conference)
        people = [
            PersonFactory(
                unit=unit,
                gender=Gender.FEMALE if index % 2 else Gender.MALE,
                good_solution=index % 3 == 0,
                ethnicity="Tày" if index % 5 == 0 else "Kinh",
            )
            for index in range(register + candidates)
        ]
        for index, someone in enumerate(people):
            EmulationTitle.objects.create(person=someone, year=2015 + index % 5, title=GRASSROOTS)
        set_candidates(actor=users["admin"], election=election, persons=people[:candidates])
        for query in ({}, {"gender": "female", "title": "any", "page": "2"}):
            officer.get(url("election_detail", conference), query)  # warm the session
            with CaptureQueriesContext(connection) as queries:
                response = officer.get(url("election_detail", conference), query)
            assert response.status_code == 200
            assert response.context["preview"].total == candidates
            assert response.context["picker"].rows
            counts[(register, candidates, bool(query))] = len(queries)
    for filtered in (False, True):
        found = {counts[(*size, filtered)] for size in sizes}
        assert len(found) == 1, counts


# -- Scope ------------------------------------------------------------------------------


def test_officer_of_another_province_gets_404(client, users, tree, election, hcm_conf):
    client.force_login(users["officer_hanoi"])
    assert client.get(url("election_detail", hcm_conf)).status_code == 404
    assert client.get(url("election_detail", hcm_conf), {"gender": "female"}).status_code == 404


@pytest.mark.parametrize("role", ["printer_hcm", "printer", "council"])
def test_who_may_not_change_sees_no_picker_and_no_add_buttons(
    client, users, tree, election, hcm_conf, role
):
    person(tree.hcm_district, "Nguyễn Văn An")
    client.force_login(users[role])
    response = client.get(url("election_detail", hcm_conf), {"gender": "male"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="picker"' not in page
    assert url("candidate_add", hcm_conf) not in page
    assert "Nguyễn Văn An" not in page


def test_no_picker_once_a_runoff_is_open(officer, users, tree, hcm_upper, election, hcm_conf):
    approve(hcm_upper, {tree.hcm_district: 1}, users["admin"])
    tied = [person(tree.hcm_district, name) for name in ("Nguyễn Văn An", "Trần Văn Bình")]
    set_candidates(actor=users["officer_hcm"], election=election, persons=tied)
    election.refresh_from_db()
    record_votes(
        actor=users["officer_hcm"],
        election=election,
        valid_ballots=10,
        votes={p.pk: 6 for p in tied},
        expected_lock_version=election.lock_version,
    )
    election.refresh_from_db()
    open_runoff(actor=users["officer_hcm"], election=election)
    person(tree.hcm_district, "Lê Văn Mới")
    page = picker(officer, hcm_conf).content.decode()
    assert 'data-testid="picker"' not in page and "Lê Văn Mới" not in page
