"""Request parameters read outside forms (units/params.py) and return
addresses (units/navigation.py): what no page makes comes out absent."""

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from units.navigation import return_path
from units.params import as_int, choice_param, int_list, int_param, search_param


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        ("0", 0),
        ("²", None),
        ("①", None),
        ("٣", None),
        ("-1", None),
        (" 7", None),
        ("1e3", None),
        ("9" * 19, None),
        (str(2**63 - 1), 2**63 - 1),
        ("9" * 5000, None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_as_int_reads_only_ascii_digits_within_a_database_id(value, expected):
    assert as_int(value) == expected


def test_params_of_a_query_string():
    query = QueryDict("tier=2&status=draft&people=3&people=²&people=3&people=4&q=%20a%00b%20")
    assert int_param(query, "tier") == 2
    assert int_param(query, "missing") is None
    assert choice_param(query, "status", {"draft", "submitted"}) == "draft"
    assert choice_param(query, "status", {"submitted"}) == ""
    assert int_list(query, "people") == [3, 4]
    assert search_param(query, "q") == "ab"
    assert len(search_param(QueryDict(f"q={'x' * 500}"), "q")) == 100


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("/units/3/?tab=a", "/units/3/?tab=a"),
        ("http://testserver/units/3/", "/units/3/"),
        ("0", "/fallback/"),  # redirect() would read it as a view name
        ("home", "/fallback/"),
        ("//evil.example/", "/fallback/"),
        ("https://evil.example/", "/fallback/"),
        ("/a\x00b", "/fallback/"),
        ("", "/fallback/"),
        (None, "/fallback/"),
        ("/" + "x" * 3000, "/fallback/"),
    ],
)
def test_a_return_address_is_a_path_of_this_site(candidate, expected):
    request = RequestFactory().get("/")
    assert return_path(request, candidate, fallback="/fallback/") == expected
