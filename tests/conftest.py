"""Shared fixtures: a small hierarchy, users of every role, the national
hierarchy of cycle V, a real Celery worker, and the browser's launch."""

import os

import pytest
from django.conf import settings

from congress.data.cycles import CYCLE_V
from congress.services import load_cycle
from tests.factories import CycleFactory, UnitFactory, UserFactory
from units.models import Role, UnitKind

# Playwright's sync API runs an event loop in the test's thread; the ORM in
# the same test is safe because nothing else runs on that loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_report_header(config):
    database = settings.DATABASES["default"]
    return [
        f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''}".rstrip(),
        f"celery broker for worker tests: {settings.TEST_BROKER_URL or 'none (skipped)'}",
        f"REQUIRE_SERVICES={int(REQUIRE_SERVICES)}",
    ]


def pytest_configure(config):
    # Celery prefers the environment's CELERY_BROKER_URL to its own
    # configuration: point it at this test process's broker database
    # (config/settings/test.py gives each pytest-xdist process its own), so
    # that the workers a test starts, in a thread or in a process of their
    # own, consume where this process publishes.
    if settings.TEST_BROKER_URL:
        os.environ["CELERY_BROKER_URL"] = settings.TEST_BROKER_URL


def pytest_sessionstart(session):
    if REQUIRE_SERVICES and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        raise pytest.UsageError("REQUIRE_SERVICES=1 but the tests would run on SQLite.")


def require(condition: bool, reason: str) -> None:
    """Skip a test whose service is missing, or fail it under CI."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1: {reason}")
    pytest.skip(reason)


# -- A small hierarchy: VSS → two provinces → districts and departments -------


class Tree:
    """A hand-built hierarchy for rules and permissions."""

    def __init__(self):
        self.cycle = CycleFactory(number="V", is_current=True)
        self.vss = UnitFactory(
            hierarchy=self.cycle.hierarchy,
            kind=UnitKind.VSS,
            code="VSS",
            name="Bảo hiểm xã hội Việt Nam",
        )
        self.hcm = UnitFactory(
            parent=self.vss, kind=UnitKind.PROVINCE, code="P79", name="BHXH TP. Hồ Chí Minh"
        )
        self.hanoi = UnitFactory(
            parent=self.vss, kind=UnitKind.PROVINCE, code="P01", name="BHXH TP. Hà Nội"
        )
        self.hcm_district = UnitFactory(parent=self.hcm, code="D760", name="BHXH Quận 1")
        self.hcm_department = UnitFactory(
            parent=self.hcm, kind=UnitKind.PROVINCE_DEPARTMENT, code="P79-VP", name="Văn phòng"
        )
        self.hanoi_district = UnitFactory(parent=self.hanoi, code="D001", name="BHXH quận Ba Đình")


@pytest.fixture
def tree(db):
    return Tree()


class Reform:
    """The hand-built tree after a reform, as the 2025 one did it: a newer
    hierarchy whose HCMC took over the old HCMC and a third province, whose
    grassroots office took over Quận 1, and a cycle of its own on it."""

    def __init__(self, tree: Tree):
        import datetime

        from tests.factories import HierarchyFactory, TierFactory

        self.hierarchy = HierarchyFactory(
            name="BHXH Việt Nam từ 01/07/2025",
            effective_from=datetime.date(2025, 7, 1),
            predecessor=tree.cycle.hierarchy,
        )
        self.cycle = CycleFactory(
            number="VII",
            hierarchy=self.hierarchy,
            period_start_year=2026,
            period_end_year=2030,
        )
        self.old_binh_duong = UnitFactory(
            parent=tree.vss, kind=UnitKind.PROVINCE, code="P74", name="BHXH tỉnh Bình Dương"
        )
        self.vss = UnitFactory(
            hierarchy=self.hierarchy, kind=UnitKind.VSS, code="VSS", name="Bảo hiểm xã hội Việt Nam"
        )
        self.hcm = UnitFactory(
            parent=self.vss, kind=UnitKind.PROVINCE, code="P79", name="BHXH TP. Hồ Chí Minh"
        )
        self.hanoi = UnitFactory(
            parent=self.vss, kind=UnitKind.PROVINCE, code="P01", name="BHXH TP. Hà Nội"
        )
        self.hcm_office = UnitFactory(
            parent=self.hcm,
            kind=UnitKind.GRASSROOTS_OFFICE,
            code="P79-CS01",
            name="BHXH cơ sở Sài Gòn",
        )
        self.vss.predecessors.add(tree.vss)
        self.hcm.predecessors.add(tree.hcm, self.old_binh_duong)
        self.hanoi.predecessors.add(tree.hanoi)
        self.hcm_office.predecessors.add(tree.hcm_district)
        self.tier = TierFactory(
            cycle=self.cycle,
            level=1,
            organiser_kinds=[UnitKind.GRASSROOTS_OFFICE],
            window_start=datetime.date(2029, 10, 1),
            deadline=datetime.date(2030, 1, 30),
        )


@pytest.fixture
def reform(tree):
    return Reform(tree)


@pytest.fixture
def make_user(db):
    def make(role: str, unit=None, **kwargs):
        return UserFactory(role=role, unit=unit, **kwargs)

    return make


@pytest.fixture
def users(tree, make_user):
    """One user per role; officers and printers of both provinces."""
    return {
        "admin": make_user(
            Role.ADMIN, tree.vss, username="admin", is_staff=True, is_superuser=True
        ),
        "council": make_user(Role.COUNCIL, tree.vss, username="council"),
        "officer_hcm": make_user(Role.OFFICER, tree.hcm, username="officer-hcm"),
        "officer_hanoi": make_user(Role.OFFICER, tree.hanoi, username="officer-hanoi"),
        "printer_hcm": make_user(Role.PRINTER, tree.hcm, username="printer-hcm"),
        "printer": make_user(Role.PRINTER, tree.vss, username="printer"),
    }


@pytest.fixture
def national_cycle(db):
    """Cycle V with the real national hierarchy (about 1,500 units)."""
    cycle, _ = load_cycle(spec=CYCLE_V)
    return cycle


# -- A real Celery worker through Redis ------------------------------------


@pytest.fixture
def celery_worker():
    """A Celery worker thread consuming from the machine's Redis.

    Needs ``django_db(transaction=True)``: the worker has its own database
    connection and sees only committed rows.
    """
    require(bool(settings.TEST_BROKER_URL), "no Redis reachable for a real Celery worker")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    def drop_connections():
        # Pools made for the previous broker would publish there.
        app._pool = None
        app.amqp._producer_pool = None

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=settings.TEST_BROKER_URL, task_always_eager=False)
    drop_connections()
    try:
        with app.connection_for_write() as connection:
            connection.default_channel.client.flushdb()
        with start_worker(app, perform_ping_check=False, loglevel="WARNING") as worker:
            yield worker
    finally:
        app.conf.update(saved)
        drop_connections()


# -- Browser ---------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


CSP_MARKERS = ("Content Security Policy", "Refused to")


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Every browser test fails if a page's script, style or frame was
    refused by the Content-Security-Policy, or a script error escaped: the
    console and ``pageerror`` are recorded while the test runs."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    problems: list[str] = []

    def on_console(message):
        if any(marker in message.text for marker in CSP_MARKERS):
            problems.append(f"console {message.type}: {message.text}")

    def on_page_error(error):
        problems.append(f"pageerror: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    yield
    if problems:
        pytest.fail("The browser reported:\n" + "\n".join(problems))
