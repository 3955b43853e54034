"""The authorisation matrix: every URL pattern of the project × every role ×
an object of the user's own province, of another province, and (for a URL
naming an object inside another) the user's own parent with another
province's child.

``tests/url_catalogue.py`` says, for each pattern, how to build its URL and
which right it needs; a pattern missing from the catalogue fails
``test_catalogue_names_every_pattern`` ("add <name> to the authorisation
catalogue"), so a new view cannot skip the matrix. The world is built once
per test and every cell runs in a savepoint rolled back after it, so a POST
that changes something changes it for that cell only; the failing cells
are listed together at the end, each by method, pattern, role and variant.

Each view is requested with GET if it answers GET, and with POST if it
answers POST (an empty body unless the catalogue gives one; Django's test
client skips CSRF). Expected, from units/permissions.py:
- anonymous → the login page (302 to /accounts/login/?next=…);
- a signed-in user without the right, or outside the object's unit → 403
  or 404, and a refused POST changes no row;
- a user with the right → the page (200), or for a POST the entry's
  statuses (302 by default);
- whatever the status, a page for a user whose scope is one province (or
  one district) carries nothing of another province (or of the rest of
  the province): unit, person, venue and paper names, in HTML or Excel;
  lists are also probed with filters and searches aimed elsewhere;
- never a 500.
"""

import io
import zipfile
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from config.middleware import admin_path
from congress.models import (
    CommunicationActivity,
    Conference,
    ConferenceDocument,
    ConferenceTransition,
    Cycle,
    OrganisationPlan,
    Paper,
    Tier,
    TierExemption,
)
from delegates.models import (
    Allocation,
    AllocationLine,
    Candidate,
    CompositionRules,
    Delegate,
    Election,
    EmulationTitle,
    Person,
)
from reports.models import DocumentJob
from reports.registry import exporters
from tests.congress.conftest import tiers  # noqa: F401 - the cycle V tiers fixture
from tests.url_catalogue import (
    ADMIN_NAMESPACE,
    CATALOGUE,
    EXPORTER_LEVELS,
    EXPORTER_PARAMS,
    PUBLIC_AUTH,
    RIGHTS,
    ROLES,
    World,
    home,
    in_scope,
    methods_of,
    other,
    walk,
)
from units.models import Role

LOGIN_PREFIX = "/accounts/login/"
PRINT_RIGHT = "print"
# Cells where a view breaks the policy, as strict expected failures:
# (method, pattern name, role, variant) → the defect. Such a cell must
# still fail; once it behaves, the matrix fails until it is removed here.
KNOWN_DEFECTS: dict[tuple[str, str, str, str], str] = {}


# -- The catalogue covers every pattern ------------------------------------------


def project_patterns() -> dict[str, tuple[str, object]]:
    """name → (route, callback) of every named pattern; the first of two
    patterns sharing a name wins, as ``reverse`` does."""
    found: dict[str, tuple[str, object]] = {}
    for route, name, callback in walk():
        found.setdefault(name, (route, callback))
    return found


def test_catalogue_names_every_pattern():
    admin_prefix = admin_path(settings.ADMIN_URL)
    unnamed, admin_outside, non_admin_inside = [], [], []
    names = set()
    for route, name, _callback in walk():
        is_admin = name.split(":")[0] == ADMIN_NAMESPACE or (
            not name and route.startswith(admin_prefix)
        )
        if is_admin:
            if not route.startswith(admin_prefix):
                admin_outside.append(route)
            continue
        if route.startswith(admin_prefix):
            non_admin_inside.append(f"{name} {route}")
        if not name:
            unnamed.append(route)
            continue
        names.add(name)
    assert not unnamed, f"every pattern needs a name (for the catalogue): {unnamed}"
    assert not admin_outside, f"admin patterns outside ADMIN_URL: {admin_outside}"
    assert not non_admin_inside, f"non-admin patterns under ADMIN_URL: {non_admin_inside}"
    missing = sorted(names - set(CATALOGUE) - PUBLIC_AUTH)
    assert not missing, "\n".join(
        f"add {name} to the authorisation catalogue (tests/url_catalogue.py)" for name in missing
    )
    stale = sorted(set(CATALOGUE) - names)
    assert not stale, f"the catalogue names patterns that no longer exist: {stale}"
    assert not set(CATALOGUE) & PUBLIC_AUTH
    assert names >= PUBLIC_AUTH, f"public auth views gone: {sorted(PUBLIC_AUTH - names)}"


# -- The public sign-in pages answer --------------------------------------------


@pytest.mark.django_db
def test_public_auth_views_answer(users):
    """The pages left out of the matrix as public: they answer, to the
    anonymous and to the signed-in, without a 500."""
    urls = [
        ("get", reverse("login")),
        ("get", reverse("password_reset")),
        ("get", reverse("password_reset_done")),
        ("get", reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "x-y"})),
        ("get", reverse("password_reset_complete")),
        ("post", reverse("password_reset")),
        ("post", reverse("logout")),
    ]
    problems = []
    for who in ("anonymous", "officer_hcm"):
        client = Client(raise_request_exception=False)
        if who != "anonymous":
            client.force_login(users[who])
        for method, url in urls:
            response = getattr(client, method)(url)
            # Signed in: logout last, so every other page is seen signed in.
            if response.status_code >= 500 or response.status_code in (403, 404):
                problems.append(f"{method.upper()} {url} as {who}: {response.status_code}")
    assert not problems, "\n".join(problems)


# -- The matrix ----------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    name: str
    role: str
    variant: str  # own / foreign / mixed / any / vss
    method: str = "get"
    also: bool = False  # a POST to a page that answers GET too

    def __str__(self):
        return f"{self.method.upper()} {self.name} × {self.role} × {self.variant}"


def region_of(entry, role: str, variant: str) -> str:
    if variant in ("own", "mixed"):
        return home(role)
    if variant == "foreign":
        return other(home(role))
    return variant  # "vss", or "any" (no object)


def allowed(entry, role: str, variant: str, region: str, right: str) -> bool:
    """Whether the policy gives ``role`` the page (signed-in roles only)."""
    if variant == "mixed":
        return False
    if right == "login":
        return True
    if right == "nobody":
        return False
    if right == "owner":
        return variant == "own"
    actions, _scope = RIGHTS[role]
    if right not in actions:
        return False
    # An unscoped page probed at a province is still the user's page.
    return not (entry.scoped or entry.region) or in_scope(role, region, entry.level)


def has_right(cell: Cell, entry) -> bool:
    """Whether the policy gives the cell's (signed-in) role the page."""
    right = (entry.post_right or entry.right) if cell.also else entry.right
    region = region_of(entry, cell.role, cell.variant)
    return allowed(entry, cell.role, cell.variant, region, right)


def cells(patterns):
    for name, entry in CATALOGUE.items():
        methods = methods_of(patterns[name][1])
        for method in methods:
            also = method == "post" and len(methods) > 1
            for role in ROLES:
                for variant in entry.variants:
                    yield Cell(name, role, variant, method, also), entry


def text_of(response) -> str:
    """The body as text: an Excel workbook's XML parts, a page's HTML."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(
                archive.read(item).decode("utf-8", "replace")
                for item in archive.namelist()
                if item.endswith(".xml")
            )
    return content.decode("utf-8", "replace")


def judge(cell: Cell, entry, method: str, response, world: World) -> str | None:
    """What is wrong with the response, or None."""
    status = response.status_code
    if status >= 500:
        return f"{status} (server error)"
    if cell.role == "anonymous":
        location = response.get("Location", "")
        if status == 302 and location.startswith(LOGIN_PREFIX):
            return None
        return f"{status} {location} for the anonymous, not the login page"
    if not has_right(cell, entry):
        if status in (403, 404):
            return leak(cell, entry, response, world)
        return f"{status}: the role has no right here, expected 403 or 404"
    default = (200,) if method == "get" else (302,)
    ok = entry.post_ok if cell.also else (entry.ok or default)
    if status not in ok:
        return f"{status}: the role has the right, expected {' or '.join(map(str, ok))}"
    if status == 302 and response.get("Location", "").startswith(LOGIN_PREFIX):
        return "sent a signed-in user with the right to the login page"
    return leak(cell, entry, response, world)


def leak(cell: Cell, entry, response, world: World) -> str | None:
    """Another province's markers on a page (any status) for a role whose
    scope is one province."""
    scope = RIGHTS.get(cell.role, (None, "all"))[1]
    if scope != "all" and response.status_code not in (301, 302):
        body = text_of(response)
        own, _, level = scope.partition("/")
        province = world.province(other(own))
        markers = province.unit_markers if entry.names_pilots else province.markers
        if level:  # a district's officer: nor the rest of their province
            markers = (*markers, *world.province(own).outside_district)
        shown = [marker for marker in markers if marker in body]
        if shown:
            return f"{response.status_code} showing another province's data: {shown}"
    return None


def request(client, cell: Cell, entry, world: World, patterns) -> tuple[str, object]:
    region = region_of(entry, cell.role, cell.variant)
    kwargs = entry.kwargs(world, region, cell.role) if entry.kwargs else {}
    if cell.variant == "mixed":
        theirs = entry.kwargs(world, other(region), cell.role)
        kwargs[entry.child] = theirs[entry.child]
    url = reverse(cell.name, kwargs=kwargs)
    if entry.probe and cell.method == "get":
        url = f"{url}?{urlencode(entry.probe(world, region, cell.role))}"
    method = cell.method
    if method == "get":
        return method, client.get(url)
    data = entry.data(world, region, cell.role) if entry.data else {}
    return method, client.post(url, data)


@pytest.fixture
def world(tree, tiers, everyone, settings, tmp_path):  # noqa: F811 - the fixture
    settings.MEDIA_ROOT = tmp_path / "media"
    return World(tree, tiers, everyone)


@pytest.fixture
def everyone(tree, users, make_user):
    """The ``users`` fixture's, and an officer of BHXH Quận 1."""
    officer_q1 = make_user(Role.OFFICER, tree.hcm_district, username="officer-q1")
    return {**users, "officer_q1": officer_q1}


@pytest.fixture
def clients(everyone):
    """A client per role, signed in once; a 500 is a response, not a raise."""
    result = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(everyone[role])
        result[role] = client
    return result


# What a refused POST must leave as it was: every row of these tables.
WATCHED = [
    Conference,
    ConferenceTransition,
    ConferenceDocument,
    OrganisationPlan,
    Paper,
    CommunicationActivity,
    TierExemption,
    Cycle,
    Tier,
    Person,
    EmulationTitle,
    Delegate,
    Election,
    Candidate,
    Allocation,
    AllocationLine,
    CompositionRules,
    DocumentJob,
]


def fingerprint() -> list:
    """A checksum of every watched row, in one query on PostgreSQL."""
    if connection.vendor != "postgresql":
        return [list(model.objects.order_by("pk").values()) for model in WATCHED]
    # The table names are the models' own: nothing of a request's.
    sql = " UNION ALL ".join(
        f"SELECT {n}, md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) "  # noqa: S608
        f'FROM "{model._meta.db_table}" t'
        for n, model in enumerate(WATCHED)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return sorted(cursor.fetchall())


def run_cell(clients, cell, entry, world, patterns):
    """The cell's request in a savepoint rolled back afterwards; a refused
    POST must have changed nothing."""
    with transaction.atomic():
        refused = cell.method == "post" and (cell.role == "anonymous" or not has_right(cell, entry))
        before = fingerprint() if refused else None
        method, response = request(clients[cell.role], cell, entry, world, patterns)
        failure = judge(cell, entry, method, response, world)
        if before is not None and not failure and fingerprint() != before:
            failure = f"{response.status_code}, but the refused POST changed the data"
        transaction.set_rollback(True)
    return method, response, failure


# The matrix is run in shards (every SHARDS-th cell), so that parallel
# test workers share it; together they run every cell once.
SHARDS = 6


def shard_of(patterns, shard: int):
    for index, item in enumerate(cells(patterns)):
        if index % SHARDS == shard:
            yield item


def test_the_matrix_has_its_cells():
    patterns = project_patterns()
    total = sum(1 for _item in cells(patterns))
    assert total > 1000
    assert sum(sum(1 for _item in shard_of(patterns, n)) for n in range(SHARDS)) == total
    known = {(c.method, c.name, c.role, c.variant) for c, _entry in cells(patterns)}
    stale = sorted(set(KNOWN_DEFECTS) - known)
    assert not stale, f"KNOWN_DEFECTS names no cell of the matrix: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("shard", range(SHARDS))
def test_authorisation_matrix(world, clients, shard):
    patterns = project_patterns()
    failures, fixed, count = [], [], 0
    for cell, entry in shard_of(patterns, shard):
        count += 1
        _method, _response, failure = run_cell(clients, cell, entry, world, patterns)
        known = KNOWN_DEFECTS.get((cell.method, cell.name, cell.role, cell.variant))
        if known and failure is None:
            fixed.append(f"{cell}: now as the policy says; remove it from KNOWN_DEFECTS")
        elif failure and not known:
            failures.append(f"{cell}: {failure}")
    assert count > 1000 // SHARDS
    assert not fixed, "\n".join(fixed)
    assert not failures, f"{len(failures)} of {count} cells fail:\n" + "\n".join(failures)


# Query parameters no page makes: a NUL, digits that are no integer (``²``
# passes ``str.isdigit``), one too big for any column, a return address
# that ``redirect()`` would read as a view name. Every parameter a view
# reads outside a form goes through ``units.params`` or
# ``units.navigation``; this is what keeps them there.
HOSTILE_VALUES = ["a\x00b", "²", "9" * 30, "-1", "0", "\u202e", "=1+1"]
HOSTILE_NAMES = [
    "q",
    "code",
    "tier",
    "status",
    "province",
    "unit",
    "hierarchy",
    "version",
    "lock_version",
    "month",
    "reason",
    "source",
    "next",
    "fragment",
    "inline",
    "page",
    "cycle",
    # The candidate picker's filters (the election page).
    "gender",
    "ethnicity",
    "mark",
    "title",
]


@pytest.mark.django_db
@pytest.mark.parametrize("shard", range(SHARDS))
def test_hostile_query_parameters_never_make_a_server_error(world, clients, shard):
    patterns = project_patterns()
    failures, count = [], 0
    for cell, entry in shard_of(patterns, shard):
        if cell.method != "get" or cell.role not in ("admin", "officer_hcm"):
            continue
        if cell.variant not in ("own", "any", "vss"):
            continue
        region = region_of(entry, cell.role, cell.variant)
        kwargs = entry.kwargs(world, region, cell.role) if entry.kwargs else {}
        url = reverse(cell.name, kwargs=kwargs)
        for value in HOSTILE_VALUES:
            query = urlencode({name: value for name in HOSTILE_NAMES})
            count += 1
            with transaction.atomic():
                response = clients[cell.role].get(f"{url}?{query}")
                transaction.set_rollback(True)
            if response.status_code >= 500:
                failures.append(f"{cell} ?…={value!r}: {response.status_code}")
    assert count > 300 // SHARDS
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_the_checks_can_fail(world, clients):
    """The matrix's own checks see what they look for: pages a nationwide
    role gets (HTML and Excel) are flagged as leaks were an HCMC officer
    to get them, a province's officer sees their own markers, and the
    fingerprint of a refused POST moves when a row changes."""
    as_officer = Cell("", "officer_hcm", "any")
    for name, query in [
        ("congress:conference_list", ""),
        ("people:person_list", ""),
        ("people:people_export", ""),
        ("progress:board", "?province=P01"),
        ("allocations:allocation_list", "?status=all"),
    ]:
        response = clients["admin"].get(reverse(name) + query)
        assert leak(as_officer, CATALOGUE[name], response, world), name
        own = clients["officer_hcm"].get(reverse(name))
        assert not leak(as_officer, CATALOGUE[name], own, world), name
        assert any(marker in text_of(own) for marker in world.province("hcm").markers), name
    before = fingerprint()
    with transaction.atomic():
        Paper.objects.filter(pk=world.province("hanoi").paper.pk).update(title="Đổi")
        assert fingerprint() != before
        transaction.set_rollback(True)
    assert fingerprint() == before


def on_the_way(unit, province) -> bool:
    """The job's unit is the province, a unit in it, or the scope above it
    (a progress report of the whole country covers the province)."""
    return unit.path.startswith(province.path) or province.path.startswith(unit.path)


def test_exporter_params_name_every_document():
    missing = sorted(set(exporters()) - set(EXPORTER_PARAMS))
    assert not missing, "\n".join(
        f"add {name} to EXPORTER_PARAMS (tests/url_catalogue.py)" for name in missing
    )
    assert not set(EXPORTER_PARAMS) - set(exporters())


@pytest.mark.django_db
def test_every_document_checks_its_unit(world, clients):
    """Asking for a document (``reports:job_create``) of each exporter for
    the own and the foreign province: a job only for who may print there;
    anyone else is refused (403 / 404, or sent back with the reason) and
    no job is recorded."""
    url = reverse("reports:job_create")
    failures, count = [], 0
    for exporter, params in EXPORTER_PARAMS.items():
        for role in ROLES:
            for variant in ("own", "foreign"):
                region = home(role) if variant == "own" else other(home(role))
                data = {"exporter": exporter, **params(world, region, role)}
                cell = f"{exporter} × {role} × {variant}"
                count += 1
                with transaction.atomic():
                    before = set(DocumentJob.objects.values_list("pk", flat=True))
                    response = clients[role].post(url, data)
                    new = list(DocumentJob.objects.exclude(pk__in=before))
                    transaction.set_rollback(True)
                status, location = response.status_code, response.get("Location", "")
                if role == "anonymous":
                    ok = status == 302 and location.startswith(LOGIN_PREFIX) and not new
                elif PRINT_RIGHT in RIGHTS[role][0] and in_scope(
                    role, region, EXPORTER_LEVELS.get(exporter, "province")
                ):
                    ok = (
                        len(new) == 1
                        and status == 302
                        and location == reverse("reports:job_detail", args=[new[0].pk])
                        and on_the_way(new[0].unit, world.province(region).unit)
                    )
                else:
                    ok = not new and (status in (403, 404) or (status == 302 and location == "/"))
                if not ok:
                    failures.append(f"{cell}: {status} {location}, {len(new)} job(s)")
    assert count == len(EXPORTER_PARAMS) * len(ROLES) * 2
    assert not failures, f"{len(failures)} of {count} cells fail:\n" + "\n".join(failures)
