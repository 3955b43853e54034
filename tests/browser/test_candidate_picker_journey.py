"""In a real browser: officer-hcm records the election of HCMC's tier-2
conference to the Congress; the register of HCMC (some forty people of
the province, a district and a department) is listed at once; the officer
narrows it to women with a good solution, adds two of them and stays on
the filtered list, sees the composition of the candidates against the
cycle's targets, then pages through the whole register."""

import datetime
import os

import pytest
from playwright.sync_api import expect

from congress.models import Conference
from delegates.models import EmulationTitle, Gender, Rank
from tests.congress.conftest import tiers  # noqa: F401 - fixture
from tests.delegates.elections.test_elections import approve
from tests.factories import ConferenceFactory, PersonFactory

pytestmark = pytest.mark.browser

LOOK_DIR = os.environ.get("LOOK_DIR", "")
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khoa", "Lan", "Mai", "Nam"]
POSITIONS = ["Chuyên viên", "Kế toán viên", "Phó Trưởng phòng", "Cán sự", "Giám định viên"]
ETHNIC = ["Tày", "Khmer", "Hoa"]


def register(units, size: int) -> list:
    """``size`` people spread over ``units``, with every priority group,
    marks and titles in a steady pattern."""
    people = []
    for index in range(size):
        woman = index % 2 == 1
        someone = PersonFactory(
            unit=units[index % len(units)],
            full_name=f"{FAMILY[index % 8]} {'Thị' if woman else 'Văn'} {GIVEN[index % 10]}",
            gender=Gender.FEMALE if woman else Gender.MALE,
            birth_year=1968 + index % 30,
            ethnicity=ETHNIC[index % 3] if index % 7 == 3 else "Kinh",
            position=POSITIONS[index % len(POSITIONS)],
            rank=Rank.DEPARTMENT_HEAD if index % 11 == 0 else Rank.STAFF,
            good_person_good_deed=index % 5 == 0,
            good_solution=index % 3 == 0,
            works_directly=index % 4 != 0,
            exemplar_reason="Sáng kiến rút ngắn thời gian giải quyết hồ sơ."
            if index % 9 == 0
            else "",
        )
        if index % 6 == 0:
            for year in (2017, 2018):
                EmulationTitle.objects.create(
                    person=someone, year=year, title=EmulationTitle.Title.GRASSROOTS
                )
        if index % 13 == 0:
            EmulationTitle.objects.create(
                person=someone, year=2019, title=EmulationTitle.Title.SECTOR
            )
        people.append(someone)
    return people


@pytest.fixture
def province(transactional_db, tree, tiers, users):  # noqa: F811
    """HCMC held its tier-2 conference; the Congress gives it 6 seats."""
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss, status=Conference.Status.ACCEPTED)
    conference = ConferenceFactory(
        tier=tiers[2],
        unit=tree.hcm,
        status=Conference.Status.HELD,
        held_on=datetime.date(2020, 3, 20),
        actual_attendance=300,
    )
    approve(congress, {tree.hcm: 6}, users["admin"])
    people = register([tree.hcm, tree.hcm_district, tree.hcm_department], 40)
    return conference, people


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def shot(page, name):
    if LOOK_DIR:
        page.screenshot(path=f"{LOOK_DIR}/{name}.png", full_page=True)


def fits(page) -> bool:
    """Nothing wider than the window (no horizontal scroll)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_pick_candidates_from_the_filtered_register(page, live_server, province):
    conference, people = province
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "officer-hcm")
    page.goto(f"{live_server.url}/conferences/{conference.pk}/election/")
    page.get_by_role("button", name="Bắt đầu ghi kết quả bầu cử").click()
    rows = page.get_by_test_id("picker-row")
    # Listed before anything is typed: a first page of 25 of the 40.
    expect(rows).to_have_count(25)
    expect(page.get_by_test_id("picker-count")).to_contain_text("40")
    assert fits(page)
    shot(page, "picker-register")

    picker = page.get_by_test_id("picker-filters")
    picker.get_by_label("Giới tính").select_option("female")
    picker.locator('input[name="mark"][value="good_solution"]').check()
    picker.get_by_role("button", name="Lọc", exact=True).click()
    women = [p for p in people if p.gender == Gender.FEMALE and p.good_solution]
    expect(rows).to_have_count(len(women))
    for badge in ("women", "good_solution"):
        expect(page.locator(f'[data-testid="picker-row"] [data-badge="{badge}"]')).to_have_count(
            len(women)
        )
    first = rows.first.locator("td").first.inner_text().splitlines()[0]
    rows.first.get_by_role("button", name="Thêm").click()
    # Back on the filtered list, without the one added.
    expect(page.get_by_test_id("candidate-row")).to_have_count(1)
    assert "gender=female" in page.url and "mark=good_solution" in page.url
    expect(rows).to_have_count(len(women) - 1)
    expect(picker.get_by_label("Giới tính")).to_have_value("female")
    rows.first.get_by_role("button", name="Thêm").click()
    expect(page.get_by_test_id("candidate-row")).to_have_count(2)
    expect(page.get_by_test_id("candidate-row").filter(has_text=first)).to_have_count(1)
    preview = page.get_by_test_id("candidate-preview")
    expect(preview.get_by_test_id("preview-target-women")).to_have_attribute("data-met", "yes")
    expect(preview.get_by_test_id("preview-row-good_solution")).to_contain_text("100")

    page.get_by_test_id("picker-clear").click()
    expect(rows).to_have_count(25)
    men = [p for p in people if p.gender == Gender.MALE][:3]
    for man in men:
        page.get_by_role("searchbox").fill(man.full_name)
        page.get_by_role("button", name="Lọc", exact=True).click()
        rows.filter(has_text=man.full_name).first.get_by_role("button", name="Thêm").click()
    expect(page.get_by_test_id("candidate-row")).to_have_count(5)
    expect(preview.get_by_test_id("preview-target-women")).to_have_attribute("data-met", "yes")
    page.get_by_test_id("picker-clear").click()
    page.get_by_test_id("picker-pages").get_by_role("link", name="2").click()
    expect(rows).to_have_count(40 - 5 - 25)
    assert fits(page)
    page.locator("#candidates").scroll_into_view_if_needed()
    shot(page, "picker-with-candidates")
