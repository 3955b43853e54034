"""In a real browser: the administrator imports grassroots offices into
today's structure from a workbook and sets up the next cycle on it from
cycle V; an officer of a province merged by the 2025 reform then registers
a conference in it. Cycle V is left as it was."""

import pytest
from django.core import serializers
from django.utils import translation
from playwright.sync_api import expect

from congress.models import Conference, Cycle, Tier, TierCapException
from units import unit_import
from units.models import Role, Unit, UnitKind
from units.services import create_demo_users, load_known_hierarchy

pytestmark = pytest.mark.browser


def t(message: str) -> str:
    """The interface's Vietnamese for an English message id."""
    with translation.override("vi"):
        return translation.gettext(message)


@pytest.fixture
def demo(national_cycle, transactional_db):
    create_demo_users(hierarchy=national_cycle.hierarchy)
    today, _ = load_known_hierarchy(key="2025")
    return national_cycle, today


def offices_workbook(tmp_path) -> str:
    """Two grassroots offices of the new HCMC, taking over old districts."""
    labels = unit_import.kind_labels()
    rows = [
        unit_import.export_row(
            code=code,
            name=name,
            kind=UnitKind.GRASSROOTS_OFFICE,
            parent_code="P79",
            headcount=headcount,
            headcount_is_demo=False,
            is_active=True,
            predecessor_codes=predecessors,
            labels=labels,
        )
        for code, name, headcount, predecessors in (
            ("P79-CS01", "BHXH cơ sở Sài Gòn", 58, ["D760", "D770"]),
            ("P79-CS02", "BHXH cơ sở Dĩ An", 41, ["D724"]),
        )
    ]
    path = tmp_path / "bhxh-co-so.xlsx"
    path.write_bytes(unit_import.write_workbook(rows, hierarchy_name="2025"))
    return str(path)


def cycle_v_rows(cycle) -> str:
    tiers = Tier.objects.filter(cycle=cycle)
    return "".join(
        serializers.serialize("json", queryset.order_by("pk"))
        for queryset in (
            Cycle.objects.filter(pk=cycle.pk),
            tiers,
            TierCapException.objects.filter(tier__in=tiers),
            Unit.objects.filter(hierarchy=cycle.hierarchy),
        )
    )


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def test_next_cycle_set_up_in_the_browser(page, live_server, demo, tmp_path, make_user):
    cycle_v, today = demo
    before = cycle_v_rows(cycle_v)
    log_in(page, live_server, "admin")

    page.goto(f"{live_server.url}/units/import/")
    page.get_by_label(t("Hierarchy")).select_option(value=str(today.pk))
    page.get_by_label(t("Excel file (.xlsx)")).set_input_files(offices_workbook(tmp_path))
    page.get_by_role("button", name=t("Check and import")).click()
    expect(page.locator("main")).to_contain_text("2")
    office = Unit.objects.get(hierarchy=today, code="P79-CS02")
    assert (office.headcount, office.headcount_is_demo) == (41, False)
    assert list(office.predecessors.values_list("name", flat=True)) == ["BHXH thị xã Dĩ An"]

    page.get_by_test_id("nav-administration").click()
    page.get_by_test_id("nav-cycles").click()
    page.get_by_test_id("cycle-new").click()
    page.locator("[name=source]").select_option(value=str(cycle_v.pk))
    page.locator("[name=hierarchy]").select_option(value=str(today.pk))
    page.locator("[name=number]").fill("VII")
    page.locator("[name=name]").fill("Chu kỳ thi đua lần thứ VII")
    page.locator("[name=congress_name]").fill("Đại hội Thi đua yêu nước ngành BHXH lần thứ VII")
    page.locator("[name=period_start_year]").fill("2026")
    page.locator("[name=period_end_year]").fill("2030")
    page.locator("[name=shift_years]").fill("10")
    page.get_by_role("button", name=t("Create the cycle")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chu kỳ thi đua lần thứ VII")

    cycle_vii = Cycle.objects.get(number="VII")
    assert cycle_vii.hierarchy == today
    grassroots = cycle_vii.tiers.get(level=1)
    assert UnitKind.GRASSROOTS_OFFICE in grassroots.organiser_kinds
    assert str(grassroots.deadline) == "2030-01-30"
    assert set(cycle_vii.pilot_units.values_list("hierarchy", flat=True)) == {today.pk}
    assert cycle_v_rows(cycle_v) == before

    # An officer of Bình Dương, which the 2025 reform merged into HCMC.
    binh_duong = Unit.objects.get(hierarchy=cycle_v.hierarchy, code="P74")
    make_user(Role.OFFICER, binh_duong, username="officer-bd")
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, live_server, "officer-bd")
    page.get_by_test_id("cycle-menu").get_by_role("button").first.click()
    page.get_by_role("button", name="Chu kỳ thi đua lần thứ VII").click()
    expect(page.get_by_test_id("scope")).to_contain_text("BHXH TP. Hồ Chí Minh")

    page.goto(f"{live_server.url}/conferences/register/")
    organiser = page.get_by_label(t("Organising unit and tier"))
    organiser.select_option(label="BHXH cơ sở Dĩ An (BHXH TP. Hồ Chí Minh)")
    page.get_by_label("Ngày").fill("15/01/2030")
    page.get_by_label("Giờ bắt đầu").fill("08:00")
    page.get_by_label("Địa điểm").fill("Hội trường BHXH cơ sở Dĩ An")
    page.get_by_label("Số đại biểu dự kiến").fill("40")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã đăng ký hội nghị")

    conference = Conference.objects.get(unit=office)
    assert conference.tier.cycle == cycle_vii
    assert cycle_v_rows(cycle_v) == before
