"""The progress board: exact counts on a hand-built tree, lateness from the
tier's dates, filters, drill-down, Excel export, every role on own and
foreign provinces, and query counts that do not grow with the provinces."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress import progress
from congress.models import Conference
from tests.factories import ConferenceFactory, UnitFactory, UserFactory
from units.models import Role, Unit, UnitKind

S = Conference.Status
ROLES = ["admin", "council", "officer_hcm", "officer_hanoi", "printer_hcm", "printer"]
# role → the branches (Unit.branch_code) whose rows it sees
ROWS = {
    "admin": {"VSS", "P79", "P01"},
    "council": {"VSS", "P79", "P01"},
    "printer": {"VSS", "P79", "P01"},
    "officer_hcm": {"P79"},
    "printer_hcm": {"P79"},
    "officer_hanoi": {"P01"},
}
BEFORE_TIER1_DEADLINE = datetime.date(2020, 1, 20)  # tier 1 is due on 30/01/2020
AFTER_TIER1_DEADLINE = datetime.date(2020, 2, 5)


def conference(tier, unit, status=S.DRAFT, date=None, **kwargs):
    """A conference in ``status``; held ones get their date and attendance."""
    if status in (S.HELD, S.CLOSED):
        kwargs.setdefault("held_on", date or tier.window_start)
        kwargs.setdefault("actual_attendance", 30)
    if date is not None:
        kwargs["date"] = date
    return ConferenceFactory(tier=tier, unit=unit, status=status, **kwargs)


@pytest.fixture
def progress_data(tree, tiers):
    """HCM: district held, department submitted, a second district not
    registered, an inactive district (never counted); the province
    accepted at tier 2. Hà Nội: district closed, province not registered.
    VSS: the Congress as a draft."""
    tree.hcm_district2 = UnitFactory(parent=tree.hcm, code="D761", name="BHXH Quận 12")
    tree.hcm_closed_down = UnitFactory(
        parent=tree.hcm, code="D799", name="BHXH huyện Đã Giải Thể", is_active=False
    )
    return {
        "hcm_district": conference(tiers[1], tree.hcm_district, S.HELD),
        "hcm_department": conference(tiers[1], tree.hcm_department, S.SUBMITTED),
        "hanoi_district": conference(tiers[1], tree.hanoi_district, S.CLOSED),
        "hcm": conference(tiers[2], tree.hcm, S.ACCEPTED),
        "vss": conference(tiers[3], tree.vss, S.DRAFT),
        "closed_down": conference(tiers[1], tree.hcm_closed_down, S.DRAFT),
    }


def all_tiers(tree):
    return progress.tiers_of_cycle(tree.cycle)


def funnel(**counts) -> progress.Funnel:
    return progress.Funnel(**counts)


def rows_by_code(board) -> dict[str, progress.BranchRow]:
    return {row.branch.code: row for row in board.rows}


def main_html(response) -> str:
    text = response.text
    return text[text.index("<main") : text.index("</main>")]


# -- Counting: the selector --------------------------------------------------


def test_board_counts_the_hand_built_tree_exactly(tree, users, tiers, progress_data):
    board = progress.progress_board(
        user=users["council"], tiers=all_tiers(tree), today=BEFORE_TIER1_DEADLINE
    )
    rows = rows_by_code(board)
    assert set(rows) == {"VSS", "P79", "P01"}
    assert board.rows[0].branch.code == "VSS"  # the root first, then the provinces
    assert rows["P79"].branch.name == "BHXH TP. Hồ Chí Minh"
    # Tier 1 in HCM: 3 active organisers (the inactive one is left out),
    # 2 registered, both submitted, 1 accepted and held; 2 not held, due by 30/01.
    assert rows["P79"].by_level[1] == funnel(
        expected=3, registered=2, submitted=2, accepted=1, held=1, due_soon=2
    )
    assert rows["P79"].by_level[2] == funnel(expected=1, registered=1, submitted=1, accepted=1)
    assert rows["P79"].funnel == funnel(
        expected=4, registered=3, submitted=3, accepted=2, held=1, due_soon=2
    )
    assert rows["P01"].funnel == funnel(
        expected=2, registered=1, submitted=1, accepted=1, held=1, closed=1
    )
    assert rows["VSS"].funnel == funnel(expected=1, registered=1)
    tier_totals = {item.tier.level: item.funnel for item in board.tiers}
    assert tier_totals[1] == funnel(
        expected=4, registered=3, submitted=3, accepted=2, held=2, closed=1, due_soon=2
    )
    assert board.totals.expected == 7 and board.totals.not_registered == 2
    assert [item.lateness for item in board.tiers] == ["due_soon", "", ""]


def test_overdue_after_the_deadline_counts_the_unregistered_too(tree, users, progress_data):
    board = progress.progress_board(
        user=users["council"], tiers=all_tiers(tree), today=AFTER_TIER1_DEADLINE
    )
    rows = rows_by_code(board)
    # HCM: the submitted department and the unregistered district.
    assert rows["P79"].by_level[1].overdue == 2
    assert rows["P79"].by_level[1].due_soon == 0
    assert rows["P01"].funnel.overdue == 0  # its district's conference is closed
    assert board.totals.overdue == 2


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2020, 1, 15), ""),  # 15 days before the 30/01 deadline
        (datetime.date(2020, 1, 16), "due_soon"),  # 14 days before
        (datetime.date(2020, 1, 30), "due_soon"),  # the deadline itself
        (datetime.date(2020, 1, 31), "overdue"),
    ],
)
def test_lateness_follows_the_tier_deadline(tiers, today, expected):
    assert progress.lateness(tiers[1], today=today, within_days=14) == expected


def test_status_filter_keeps_rows_with_units_in_that_state(tree, users, progress_data):
    board = progress.progress_board(
        user=users["council"], tiers=all_tiers(tree), status="not_registered"
    )
    rows = rows_by_code(board)
    # HCM: the second district (tier 1); Hà Nội: the province (tier 2).
    assert {code: row.matching for code, row in rows.items()} == {"P79": 1, "P01": 1}
    assert board.matching == 2
    held = progress.progress_board(user=users["council"], tiers=all_tiers(tree), status="held")
    assert {code: row.matching for code, row in rows_by_code(held).items()} == {"P79": 1}


def test_tier_filter_keeps_one_tier(tree, users, tiers, progress_data):
    board = progress.progress_board(user=users["council"], tiers=[tiers[3]])
    assert [item.tier.level for item in board.tiers] == [3]
    assert set(rows_by_code(board)) == {"VSS"}


def test_foreign_province_filter_shows_nothing(tree, users, progress_data):
    board = progress.progress_board(
        user=users["officer_hanoi"], tiers=all_tiers(tree), branch="P79"
    )
    assert board.rows == [] and board.branch is None
    assert board.totals == progress.Funnel()
    units = progress.branch_units(user=users["officer_hanoi"], tiers=all_tiers(tree), branch="P79")
    assert units == []


def test_branch_units_list_each_organiser_with_its_state(tree, users, tiers, progress_data):
    units = progress.branch_units(
        user=users["officer_hcm"],
        tiers=all_tiers(tree),
        branch="P79",
        today=AFTER_TIER1_DEADLINE,
    )
    by_name = {(u.unit.name, u.tier.level): u for u in units}
    assert set(by_name) == {
        ("BHXH Quận 1", 1),
        ("Văn phòng", 1),
        ("BHXH Quận 12", 1),
        ("BHXH TP. Hồ Chí Minh", 2),
    }
    held = by_name["BHXH Quận 1", 1]
    assert (held.status, held.lateness) == (S.HELD, "")
    assert held.url == progress_data["hcm_district"].get_absolute_url()
    missing = by_name["BHXH Quận 12", 1]
    assert (missing.status, missing.lateness, missing.date) == ("not_registered", "overdue", None)
    assert missing.url == (
        f"{reverse('congress:conference_register')}?unit={tree.hcm_district2.pk}&tier={tiers[1].pk}"
    )
    overdue = progress.branch_units(
        user=users["officer_hcm"],
        tiers=all_tiers(tree),
        branch="P79",
        status="overdue",
        today=AFTER_TIER1_DEADLINE,
    )
    assert {u.unit.name for u in overdue} == {"Văn phòng", "BHXH Quận 12"}


def test_only_those_who_may_register_get_the_register_link(tree, users, progress_data):
    for role, may in (("officer_hcm", True), ("council", False), ("printer_hcm", False)):
        units = progress.branch_units(user=users[role], tiers=all_tiers(tree), branch="P79")
        missing = next(u for u in units if u.unit == tree.hcm_district2)
        assert missing.may_register is may, role
        assert bool(missing.url) is may, role


# -- The page, for every role ------------------------------------------------


@pytest.mark.parametrize("url_name", ["progress:board", "progress:board_export"])
def test_anonymous_is_sent_to_login(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_board_shows_only_the_roles_scope(client, tree, users, progress_data, role):
    client.force_login(users[role])
    response = client.get(reverse("progress:board"))
    assert response.status_code == 200
    board = response.context["board"]
    assert set(rows_by_code(board)) == ROWS[role]
    html = main_html(response)
    if "P01" not in ROWS[role]:
        assert "BHXH TP. Hà Nội" not in html and "BHXH quận Ba Đình" not in html
    if "P79" not in ROWS[role]:
        assert "BHXH TP. Hồ Chí Minh" not in html and "BHXH Quận 1" not in html


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("province", ["P79", "P01"])
def test_province_filter_own_or_foreign(client, tree, users, progress_data, role, province):
    client.force_login(users[role])
    response = client.get(reverse("progress:board"), {"province": province})
    assert response.status_code == 200
    board, units = response.context["board"], response.context["units"]
    own = province in ROWS[role]
    assert [row.branch.code for row in board.rows] == ([province] if own else [])
    assert {u.unit.branch_code for u in units} == ({province} if own else set())
    foreign_unit = "BHXH Quận 1" if province == "P79" else "BHXH quận Ba Đình"
    assert (foreign_unit in main_html(response)) is own


def test_officer_sees_own_units_at_once_with_register_links(client, tree, users, tiers):
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("progress:board"))
    assert response.context["drilled"].code == "P79"
    html = main_html(response)
    assert "Các đơn vị của BHXH TP. Hồ Chí Minh" in html
    register = f"{reverse('congress:conference_register')}?unit={tree.hcm_district.pk}&amp;tier="
    assert register in html
    assert "Chưa đăng ký" in html


def test_council_drills_down_without_register_links(client, tree, users, progress_data):
    client.force_login(users["council"])
    response = client.get(reverse("progress:board"), {"province": "P79"})
    html = main_html(response)
    assert "BHXH Quận 12" in html
    assert progress_data["hcm_department"].get_absolute_url() in html
    assert reverse("congress:conference_register") not in html


def test_board_page_speaks_vietnamese(client, tree, users, progress_data):
    client.force_login(users["council"])
    html = main_html(client.get(reverse("progress:board")))
    for text in ("Tiến độ tổ chức hội nghị", "Đã đăng ký", "Đã tổ chức", "Quá hạn", "lũy kế"):
        assert text in html


def test_navbar_links_to_board_and_calendar(client, users):
    client.force_login(users["officer_hcm"])
    text = client.get(reverse("home")).text
    assert f'href="{reverse("progress:board")}">Tiến độ<' in text
    assert f'href="{reverse("progress:calendar")}">Lịch<' in text


# -- Excel export ------------------------------------------------------------


def read_xlsx(response) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_export_is_the_board_table_with_vietnamese_headers(client, tree, users, progress_data):
    client.force_login(users["council"])
    response = client.get(reverse("progress:board_export"), {"tier": "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="tien-do-hoi-nghi-')
    rows = read_xlsx(response)
    header = next(row for row in rows if row[0] == "STT")
    assert header[1:6] == (
        "Tỉnh, thành phố / đơn vị",
        "Số đơn vị phải tổ chức",
        "Đã đăng ký",
        "Đã gửi duyệt",
        "Đã duyệt",
    )
    body = {row[1]: row[2:] for row in rows[rows.index(header) + 1 :]}
    assert body["BHXH TP. Hồ Chí Minh"][:6] == (3, 2, 2, 1, 1, 0)
    assert body["BHXH TP. Hà Nội"][:6] == (1, 1, 1, 1, 1, 1)
    assert body["Tổng cộng"][:6] == (4, 3, 3, 2, 2, 1)
    assert "Cấp: Hội nghị điển hình tiên tiến cấp cơ sở" in rows[1][0]


@pytest.mark.parametrize("role", ROLES)
def test_export_holds_only_the_roles_scope(client, tree, users, progress_data, role):
    client.force_login(users[role])
    rows = read_xlsx(client.get(reverse("progress:board_export"), {"province": "P79"}))
    names = {row[1] for row in rows}
    assert ("BHXH TP. Hồ Chí Minh" in names) == ("P79" in ROWS[role])
    assert "BHXH TP. Hà Nội" not in names


def test_export_with_a_status_adds_its_column(client, tree, users, progress_data):
    client.force_login(users["officer_hcm"])
    rows = read_xlsx(client.get(reverse("progress:board_export"), {"status": "not_registered"}))
    header = next(row for row in rows if row[0] == "STT")
    assert header[-2] == "Số đơn vị “Chưa đăng ký”"
    hcm = next(row for row in rows if row[1] == "BHXH TP. Hồ Chí Minh")
    assert hcm[-2] == 1


# -- Query counts ------------------------------------------------------------


def add_provinces(tree, tiers, count: int, start: int, creator) -> None:
    """``count`` more provinces, each with two districts and a department
    and conferences in several states."""
    statuses = [S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.HELD, S.CLOSED]
    for number in range(start, start + count):
        province = UnitFactory(
            parent=tree.vss, kind=UnitKind.PROVINCE, code=f"Q{number:02d}", position=number
        )
        district = UnitFactory(parent=province, code=f"Q{number:02d}-D1")
        UnitFactory(parent=province, code=f"Q{number:02d}-D2")
        UnitFactory(parent=province, kind=UnitKind.PROVINCE_DEPARTMENT, code=f"Q{number:02d}-VP")
        conference(tiers[1], district, statuses[number % 5], created_by=creator)
        conference(tiers[2], province, statuses[(number + 2) % 5], created_by=creator)


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("role", "url_name", "params", "expected"),
    [
        # session, user, their unit, cycle, tiers, one aggregate per tier (3),
        # branch names, the bell's unread count
        ("council", "progress:board", {}, 10),
        # the same, and the drill-down: one query per tier
        ("council", "progress:board", {"province": "Q01", "status": "held"}, 13),
        ("council", "progress:board_export", {}, 8),
        # session, user, unit, cycles, the unit's successors, tiers,
        # branches, the month's conferences, counts per month, pilot units,
        # the bell's unread count
        ("printer", "progress:calendar", {"month": "2019-10"}, 11),
    ],
)
def test_query_count_does_not_grow_with_provinces(
    client, tree, users, tiers, role, url_name, params, expected
):
    creator = UserFactory(role=Role.ADMIN, unit=None, username="creator")
    add_provinces(tree, tiers, 3, start=1, creator=creator)  # 5 provinces with HCM and Hà Nội
    client.force_login(users[role])
    url = reverse(url_name)
    count_queries(client, url, params)  # the first request of a session costs more
    few = count_queries(client, url, params)
    add_provinces(tree, tiers, 58, start=4, creator=creator)
    assert Unit.objects.filter(kind=UnitKind.PROVINCE).count() == 63
    many = count_queries(client, url, params)
    assert (few, many) == (expected, expected)


def test_board_query_count_is_bounded(
    client, tree, users, progress_data, django_assert_max_num_queries
):
    client.force_login(users["officer_hcm"])
    client.get(reverse("progress:board"))
    # session, user, unit, cycles, the unit's successors, tiers, 3
    # aggregates, branches, 3 drill-downs, the bell's unread count
    with django_assert_max_num_queries(14):
        client.get(reverse("progress:board"))


def test_export_filtered_by_lateness_has_no_extra_column(client, tree, users, progress_data):
    client.force_login(users["council"])
    rows = read_xlsx(client.get(reverse("progress:board_export"), {"status": "overdue"}))
    header = next(row for row in rows if row[0] == "STT")
    assert header[-3:] == ("Quá hạn", "Sắp đến hạn (trong 14 ngày)", "Tỷ lệ đã tổ chức (%)")
    assert "Trạng thái: Quá hạn" in rows[1][0]
