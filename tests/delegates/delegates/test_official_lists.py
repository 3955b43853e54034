"""The official (ex-officio) delegates of each tier exactly as the guidance
lists them (DOMAIN.md, "Delegates of a tier-2 conference", "Delegates of
the Congress", "Between the tiers"): the lists as data, then the
suggestions of Hà Nội's tier-2 conference and of the Congress on a register
built for them, line by line."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates import official_lists
from delegates.models import CouncilRole, EmulationTitle, Gender, Person, Rank
from delegates.official_lists import CONGRESS, TIER_2, Context, PersonFacts, lines_for, lines_met
from delegates.selectors.suggestions import (
    official_context,
    person_facts,
    suggest_official_delegates,
)
from tests.factories import ConferenceFactory, PersonFactory, UnitFactory
from units.models import UnitKind

NATIONAL, SECTOR, GRASSROOTS = EmulationTitle.Title
CHAIR, STANDING, SECRETARY, MEMBER = CouncilRole

# -- The lists as data -------------------------------------------------------------


def test_tier_two_list_is_the_guidance_line_by_line():
    assert [(line.key, line.label(range(2015, 2020))) for line in TIER_2] == [
        ("leaders", "Lãnh đạo BHXH tỉnh"),
        ("council", "Hội đồng Thi đua - Khen thưởng BHXH tỉnh"),
        ("district_leaders", "Đại diện lãnh đạo BHXH huyện"),
        ("department_leaders", "Đại diện lãnh đạo các đơn vị trực thuộc BHXH tỉnh"),
        ("national_soldiers", "Chiến sĩ thi đua toàn quốc (nếu có)"),
        (
            "sector_soldiers",
            "Chiến sĩ thi đua ngành BHXH các năm (từ năm 2015 đến năm 2019)",
        ),
        ("grassroots_soldiers", "Chiến sĩ thi đua cơ sở các năm (từ năm 2015 đến năm 2019)"),
        ("emulation_staff", "Cán bộ phụ trách công tác thi đua - khen thưởng tại các đơn vị"),
        (
            "exemplars",
            "Các gương điển hình tiên tiến có thành tích xuất sắc trong thực hiện nhiệm vụ "
            "được giao",
        ),
    ]


def test_congress_list_is_the_guidance_line_by_line():
    assert [(line.key, line.label(range(2015, 2020))) for line in CONGRESS] == [
        ("leaders", "Lãnh đạo BHXH Việt Nam"),
        ("vss_unit_heads", "Thủ trưởng các đơn vị trực thuộc BHXH Việt Nam"),
        ("emulation_staff", "Cán bộ phụ trách công tác thi đua - khen thưởng tại các đơn vị"),
        ("council", "Thành viên Hội đồng Thi đua - Khen thưởng BHXH Việt Nam"),
        ("press_reporters", "Phóng viên Báo BHXH, Tạp chí BHXH và Cổng TTĐT của Ngành"),
        ("province_council_chairs", "BHXH tỉnh: Chủ tịch Hội đồng Thi đua - Khen thưởng"),
        (
            "province_council_standing",
            "BHXH tỉnh: Thường trực Hội đồng Thi đua - Khen thưởng hoặc Thư ký Hội đồng "
            "Thi đua - Khen thưởng",
        ),
        (
            "defence_police_leaders",
            "Đại diện lãnh đạo BHXH Bộ Quốc phòng, BHXH Công an nhân dân",
        ),
        ("national_soldiers", "Chiến sĩ thi đua toàn quốc (giai đoạn 2015-2019)"),
        ("sector_soldiers", "Chiến sĩ thi đua ngành BHXH (giai đoạn 2015-2019)"),
        (
            "exemplars",
            "Các gương điển hình tiên tiến có thành tích xuất sắc trong thực hiện nhiệm vụ "
            "được giao",
        ),
        ("press_agencies", "Các cơ quan báo chí Trung ương và địa phương"),
    ]
    # The press agencies are organisations, not people of the register.
    assert [line.key for line in CONGRESS if not line.in_register] == ["press_agencies"]


def test_the_priorities_among_the_elected_are_no_line():
    text = " ".join(line.text for line in (*TIER_2, *CONGRESS)).casefold()
    for priority in ("người tốt", "giải pháp", "mô hình", "trực tiếp", "nữ", "dân tộc"):
        assert priority not in text
    person = PersonFacts(unit_id=9, unit_kind=UnitKind.DISTRICT, unit_parent_id=2, rank=Rank.STAFF)
    context = Context(unit_id=2, council_unit_id=2, title_years=range(2015, 2020))
    assert lines_met(person, context, (*TIER_2, *CONGRESS)) == []


def test_a_key_means_one_rule_in_every_list():
    tier_2 = {line.key: line for line in TIER_2}
    for line in CONGRESS:
        if line.key in tier_2:
            assert line.applies is tier_2[line.key].applies, line.key


def test_lines_for_a_tier_or_chosen_keys():
    assert lines_for(1) == ()
    assert lines_for(2) == TIER_2 and lines_for(3) == CONGRESS
    chosen = lines_for(2, ["vss_unit_heads", "leaders", "unknown"])
    # The tier's own lines first, with the tier's texts, then the others'.
    assert [(line.key, line.text) for line in chosen] == [
        ("leaders", "Lãnh đạo BHXH tỉnh"),
        ("vss_unit_heads", "Thủ trưởng các đơn vị trực thuộc BHXH Việt Nam"),
    ]


def test_standing_member_or_secretary_of_a_province_council():
    secretary = PersonFacts(
        unit_id=5,
        unit_kind=UnitKind.PROVINCE,
        unit_parent_id=1,
        rank=Rank.STAFF,
        council_role=SECRETARY,
        council_unit_id=5,
        council_unit_kind=UnitKind.PROVINCE,
    )
    line = official_lists.province_council_standing
    alone = Context(unit_id=1, council_unit_id=1, title_years=range(2015, 2020))
    assert line(secretary, alone)
    with_standing = Context(
        unit_id=1,
        council_unit_id=1,
        title_years=range(2015, 2020),
        councils_with_standing=frozenset({5}),
    )
    assert not line(secretary, with_standing)


# -- A register built for both tiers ---------------------------------------------


def person(unit, name, *, titles=(), **fields):
    made = PersonFactory(unit=unit, full_name=name, **fields)
    for year, title in titles:
        EmulationTitle.objects.create(person=made, year=year, title=title)
    return made


class Sector:
    """The hand-built tree with VSS's own units, the defence and police
    BHXH, and a register meeting every line of both lists (and people
    meeting only a priority among the elected)."""

    def __init__(self, tree):
        vss, hcm, hanoi = tree.vss, tree.hcm, tree.hanoi
        bloc = UnitFactory(parent=vss, kind=UnitKind.HQ_BLOC, code="KCQ", name="Khối cơ quan")
        office = UnitFactory(parent=bloc, kind=UnitKind.VSS_OFFICE, code="KCQ-TDKT")
        thu = UnitFactory(parent=bloc, kind=UnitKind.VSS_OFFICE, code="KCQ-THU")
        bao = UnitFactory(parent=bloc, kind=UnitKind.VSS_SERVICE, code="KCQ-BAO")
        portal = UnitFactory(parent=bloc, kind=UnitKind.VSS_SERVICE, code="KCQ-TRUYENTHONG")
        bqp = UnitFactory(parent=vss, kind=UnitKind.SECTOR, code="BQP")
        cand = UnitFactory(parent=vss, kind=UnitKind.SECTOR, code="CAND")
        hanoi_department = UnitFactory(
            parent=hanoi, kind=UnitKind.PROVINCE_DEPARTMENT, code="P01-VP", name="Văn phòng"
        )
        self.bloc = bloc
        on = {
            "vss": {"council_unit": vss},
            "hcm": {"council_unit": hcm},
            "hanoi": {"council_unit": hanoi},
        }
        p = {}
        # VSS and its units.
        p["vss_head"] = person(
            vss, "Tổng Văn Giám", rank=Rank.HEAD, council_role=CHAIR, **on["vss"]
        )
        p["vss_deputy"] = person(
            vss, "Phó Thị Tổng", rank=Rank.DEPUTY_HEAD, council_role=STANDING, **on["vss"]
        )
        p["vss_staff"] = person(vss, "Lê Văn Văn")
        p["office_head"] = person(
            office, "Trần Văn Vụ", rank=Rank.HEAD, council_role=MEMBER, **on["vss"]
        )
        p["office_clerk"] = person(
            office,
            "Ngô Thị Thư",
            handles_emulation=True,
            council_role=SECRETARY,
            **on["vss"],
        )
        p["thu_deputy"] = person(thu, "Đinh Văn Thu", rank=Rank.DEPUTY_HEAD)
        p["reporter"] = person(bao, "Kha Thị Báo", position="Phóng viên")
        p["bao_accountant"] = person(bao, "Kha Văn Toán", position="Kế toán viên")
        p["portal_reporter"] = person(portal, "Mai Văn Cổng", position="Phóng viên Cổng TTĐT")
        p["bqp_head"] = person(bqp, "Quân Văn Phòng", rank=Rank.HEAD)
        p["bqp_deputy"] = person(bqp, "Quân Thị Phó", rank=Rank.DEPUTY_HEAD)
        p["cand_head"] = person(cand, "An Văn Ninh", rank=Rank.HEAD)
        # HCMC: a council with a standing member and a secretary.
        p["hcm_chair"] = person(
            hcm, "Nguyễn Văn Giám", rank=Rank.HEAD, council_role=CHAIR, **on["hcm"]
        )
        p["hcm_standing"] = person(
            hcm, "Trần Thị Thường", rank=Rank.DEPUTY_HEAD, council_role=STANDING, **on["hcm"]
        )
        p["hcm_secretary"] = person(hcm, "Lý Thị Ký", council_role=SECRETARY, **on["hcm"])
        p["hcm_member"] = person(
            tree.hcm_district, "Đặng Văn Hội", rank=Rank.HEAD, council_role=MEMBER, **on["hcm"]
        )
        p["hcm_emulation"] = person(tree.hcm_district, "Lâm Thị Khen", handles_emulation=True)
        p["hcm_department_head"] = person(
            tree.hcm_department, "Vũ Thị Phòng", rank=Rank.DEPARTMENT_HEAD
        )
        p["hcm_sector"] = person(tree.hcm_district, "Bùi Văn Ngành", titles=[(2016, SECTOR)])
        p["hcm_exemplar"] = person(
            tree.hcm_district, "Hứa Thị Gương", exemplar_reason="Dẫn đầu giảm nợ BHXH 2019"
        )
        # Hà Nội: a council without a standing member.
        p["hanoi_chair"] = person(
            hanoi, "Phan Văn Chủ", rank=Rank.HEAD, council_role=CHAIR, **on["hanoi"]
        )
        p["hanoi_deputy"] = person(hanoi, "Phan Thị Phó", rank=Rank.DEPUTY_HEAD)
        p["hanoi_secretary"] = person(
            hanoi_department,
            "Võ Thị Ký",
            handles_emulation=True,
            council_role=SECRETARY,
            **on["hanoi"],
        )
        p["hanoi_member"] = person(
            tree.hanoi_district, "Kiều Văn Hà", council_role=MEMBER, **on["hanoi"]
        )
        # A Hà Nội person on VSS's council sits on no council of Hà Nội.
        p["hanoi_on_vss_council"] = person(
            tree.hanoi_district, "Lưu Văn Trung", council_role=MEMBER, **on["vss"]
        )
        p["hanoi_district_head"] = person(tree.hanoi_district, "Hồ Văn Huyện", rank=Rank.HEAD)
        p["hanoi_district_deputy"] = person(
            tree.hanoi_district, "Hồ Thị Phó", rank=Rank.DEPUTY_HEAD
        )
        p["hanoi_department_head"] = person(
            hanoi_department, "Chu Văn Chánh", rank=Rank.DEPARTMENT_HEAD
        )
        p["hanoi_national"] = person(
            tree.hanoi_district, "Hoàng Thị Quốc", titles=[(2018, NATIONAL), (2019, SECTOR)]
        )
        p["hanoi_sector"] = person(
            tree.hanoi_district, "Tô Văn Ngành", titles=[(2015, SECTOR), (2017, SECTOR)]
        )
        p["hanoi_grassroots"] = person(
            tree.hanoi_district, "Đỗ Văn Sở", titles=[(2019, GRASSROOTS)]
        )
        p["hanoi_old_title"] = person(tree.hanoi_district, "Cao Văn Sớm", titles=[(2014, NATIONAL)])
        p["hanoi_emulation"] = person(tree.hanoi_district, "Lò Thị Khen", handles_emulation=True)
        p["hanoi_exemplar"] = person(
            tree.hanoi_district, "Mạc Văn Gương", exemplar_reason="Sáng kiến một cửa liên thông"
        )
        p["hanoi_inactive_chair"] = person(hanoi, "Nghỉ Văn Hưu", rank=Rank.HEAD, is_active=False)
        # Only priorities among the elected: never official.
        p["good_deed"] = person(tree.hanoi_district, "Tạ Thị Tốt", good_person_good_deed=True)
        p["good_solution"] = person(tree.hanoi_district, "Mạc Văn Hay", good_solution=True)
        p["works_directly"] = person(tree.hanoi_district, "Lê Thị Làm", works_directly=True)
        p["woman_minority"] = person(
            tree.hanoi_district, "Hà Thị Tày", gender=Gender.FEMALE, ethnicity="Tày"
        )
        p["hcm_good_deed"] = person(tree.hcm, "Tạ Văn Tốt", good_person_good_deed=True)
        self.people = p


@pytest.fixture
def sector(tree):
    return Sector(tree)


@pytest.fixture
def congress(tree, tiers):
    return ConferenceFactory(tier=tiers[3], unit=tree.vss)


def lines_of(suggestions) -> dict[str, list[tuple[str, str]]]:
    return {s.person.full_name: [(r.key, r.detail) for r in s.reasons] for s in suggestions}


PRIORITIES_ONLY = ("good_deed", "good_solution", "works_directly", "woman_minority")


def test_hanoi_tier_two_suggestions_follow_the_list(sector, hanoi_upper):
    found = lines_of(suggest_official_delegates(hanoi_upper))
    assert found == {
        # Lãnh đạo BHXH tỉnh
        "Phan Văn Chủ": [("leaders", ""), ("council", "Chủ tịch")],
        "Phan Thị Phó": [("leaders", "")],
        # Hội đồng TĐKT BHXH tỉnh: chair, secretary, members of Hà Nội's council
        "Kiều Văn Hà": [("council", "Ủy viên")],
        "Võ Thị Ký": [("council", "Thư ký"), ("emulation_staff", "")],
        # Đại diện lãnh đạo BHXH huyện; … các đơn vị trực thuộc BHXH tỉnh
        "Hồ Văn Huyện": [("district_leaders", "")],
        "Chu Văn Chánh": [("department_leaders", "")],
        # Chiến sĩ thi đua toàn quốc, ngành, cơ sở (2015–2019)
        "Hoàng Thị Quốc": [("national_soldiers", "2018"), ("sector_soldiers", "2019")],
        "Tô Văn Ngành": [("sector_soldiers", "2015, 2017")],
        "Đỗ Văn Sở": [("grassroots_soldiers", "2019")],
        # Cán bộ phụ trách TĐKT; gương điển hình có thành tích xuất sắc
        "Lò Thị Khen": [("emulation_staff", "")],
        "Mạc Văn Gương": [("exemplars", "")],
    }
    names = set(found)
    people = sector.people
    for key in (*PRIORITIES_ONLY, "hanoi_on_vss_council", "hanoi_district_deputy"):
        assert people[key].full_name not in names, key
    # Nobody of another province.
    assert not {people["hcm_member"].full_name, people["hcm_chair"].full_name} & names


def test_congress_suggestions_follow_the_list(sector, congress):
    found = lines_of(suggest_official_delegates(congress))
    assert found == {
        # Lãnh đạo BHXH Việt Nam, and VSS's council
        "Tổng Văn Giám": [("leaders", ""), ("council", "Chủ tịch")],
        "Phó Thị Tổng": [("leaders", ""), ("council", "Thường trực")],
        # Thủ trưởng các đơn vị trực thuộc BHXH Việt Nam
        "Trần Văn Vụ": [("vss_unit_heads", ""), ("council", "Ủy viên")],
        # Cán bộ phụ trách TĐKT (VSS's units), secretary of VSS's council
        "Ngô Thị Thư": [("emulation_staff", ""), ("council", "Thư ký")],
        # Thành viên HĐTĐKT BHXH Việt Nam, wherever they work
        "Lưu Văn Trung": [("council", "Ủy viên")],
        # Phóng viên Báo BHXH, Tạp chí BHXH, Cổng TTĐT
        "Kha Thị Báo": [("press_reporters", "")],
        "Mai Văn Cổng": [("press_reporters", "")],
        # From each province: the chair, and the standing member or secretary
        "Nguyễn Văn Giám": [("province_council_chairs", "")],
        "Trần Thị Thường": [("province_council_standing", "Thường trực")],
        "Phan Văn Chủ": [("province_council_chairs", "")],
        "Võ Thị Ký": [("province_council_standing", "Thư ký")],
        # Đại diện lãnh đạo BHXH Bộ Quốc phòng, BHXH Công an nhân dân
        "Quân Văn Phòng": [("defence_police_leaders", "")],
        "An Văn Ninh": [("defence_police_leaders", "")],
        # Chiến sĩ thi đua toàn quốc, ngành (2015–2019); no grassroots ones
        "Hoàng Thị Quốc": [("national_soldiers", "2018"), ("sector_soldiers", "2019")],
        "Tô Văn Ngành": [("sector_soldiers", "2015, 2017")],
        "Bùi Văn Ngành": [("sector_soldiers", "2016")],
        # Các gương điển hình tiên tiến có thành tích xuất sắc
        "Hứa Thị Gương": [("exemplars", "")],
        "Mạc Văn Gương": [("exemplars", "")],
    }
    people = sector.people
    names = set(found)
    # A province council's member is not suggested, while its chair and
    # standing member are; nor its secretary when it has a standing member.
    assert people["hcm_member"].full_name not in names
    assert people["hcm_secretary"].full_name not in names
    assert people["hanoi_member"].full_name not in names
    # Districts' heads, provinces' emulation staff, grassroots soldiers and
    # the priorities among the elected are no ground at the Congress.
    for key in (
        "hanoi_district_head",
        "hcm_emulation",
        "hanoi_emulation",
        "hanoi_grassroots",
        "hcm_department_head",
        "hanoi_deputy",
        "bqp_deputy",
        "thu_deputy",
        "bao_accountant",
        "vss_staff",
        *PRIORITIES_ONLY,
        "hcm_good_deed",
    ):
        assert people[key].full_name not in names, key


def test_suggestions_are_ordered_by_the_first_line_met(sector, congress):
    order = [s.reasons[0].key for s in suggest_official_delegates(congress)]
    keys = [line.key for line in CONGRESS]
    assert order == sorted(order, key=keys.index)


@pytest.mark.parametrize("level", [2, 3])
def test_the_database_filter_misses_nobody_a_line_accepts(sector, tree, tiers, level):
    """Every person of the register, read by the predicates alone, meets
    exactly the lines the suggestions name."""
    conference = ConferenceFactory(tier=tiers[level], unit=tree.hanoi if level == 2 else tree.vss)
    lines = [line for line in lines_for(level) if line.in_register]
    context, councils = official_context(conference, lines)
    register = (
        Person.objects.filter(unit__path__startswith=conference.unit.path, is_active=True)
        .select_related("unit", "council_unit")
        .prefetch_related("titles")
    )
    expected = {}
    for someone in register:
        met = lines_met(person_facts(someone, councils, someone.titles.all()), context, lines)
        if met:
            expected[someone.full_name] = [(line.key, detail) for line, detail in met]
    assert lines_of(suggest_official_delegates(conference)) == expected


def test_congress_page_names_every_line_and_the_press_agencies(client, users, sector, congress):
    client.force_login(users["admin"])
    page = client.get(reverse("delegates:official_suggestions", args=[congress.pk]))
    assert page.status_code == 200
    for line in CONGRESS:
        assert line.label(range(2015, 2020)) in page.text
    lines = {
        key: (count, in_register)
        for key, _l, count, in_register, _listed in page.context["official_lines"]
    }
    assert lines["province_council_chairs"] == (2, True)
    assert lines["press_agencies"] == (0, False)
    row = next(s for s in page.context["suggestions"] if s.person.full_name == "Võ Thị Ký")
    assert [r.label for r in row.reasons] == [
        "BHXH tỉnh: Thường trực Hội đồng Thi đua - Khen thưởng hoặc Thư ký Hội đồng "
        "Thi đua - Khen thưởng"
    ]


# -- Query counts flat in the register's size ---------------------------------------


def grow(tree, sector, n: int) -> None:
    """``n`` more people on every line of both lists."""
    for i in range(n):
        person(tree.hanoi_district, f"Nhiều Văn {i}", rank=Rank.HEAD)
        person(tree.hanoi_district, f"Hội Văn {i}", council_role=MEMBER, council_unit=tree.hanoi)
        person(tree.hcm, f"Ủy Thị {i}", council_role=MEMBER, council_unit=tree.vss)
        person(tree.hanoi_district, f"Sĩ Văn {i}", titles=[(2016, SECTOR), (2017, GRASSROOTS)])
        person(tree.hanoi_district, f"Khen Thị {i}", handles_emulation=True)
        person(tree.hanoi_district, f"Gương Thị {i}", exemplar_reason="Xuất sắc")
        person(tree.hanoi_district, f"Tốt Thị {i}", good_person_good_deed=True)


@pytest.mark.parametrize("level", [2, 3])
def test_suggestion_page_queries_do_not_grow_with_the_register(
    client, users, tree, tiers, sector, level, django_assert_max_num_queries
):
    conference = ConferenceFactory(tier=tiers[level], unit=tree.hanoi if level == 2 else tree.vss)
    client.force_login(users["admin"])
    url = reverse("delegates:official_suggestions", args=[conference.pk])
    with CaptureQueriesContext(connection) as small:
        first = client.get(url)
    grow(tree, sector, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        second = client.get(url)
    assert second.context["suggestion_count"] > first.context["suggestion_count"] + 30
