"""The conference list's filters (province, tier, status, returned, search,
order) and pages, hostile values, and the scope: an officer never sees
another province's conferences, whatever the filters ask."""

import pytest
from django.urls import reverse

from congress.models import Conference, ConferenceTransition
from tests.congress.documents_support import make_conference
from tests.congress.test_todo import at, moved
from tests.factories import UnitFactory

S = Conference.Status


@pytest.fixture
def listed(tree, tiers, users):
    admin = users["admin"]
    held = make_conference(tiers[1], tree.hcm_district, S.HELD)
    submitted = make_conference(tiers[1], tree.hcm_department, S.SUBMITTED, venue="Nhà khách")
    moved(submitted, ConferenceTransition.Action.SUBMIT, at=at(4), actor=admin)
    returned = make_conference(tiers[1], tree.hanoi_district, S.DRAFT)
    moved(returned, ConferenceTransition.Action.RETURN, at=at(3), reason="Sửa.", actor=admin)
    hanoi_upper = make_conference(tiers[2], tree.hanoi, S.SUBMITTED)
    moved(hanoi_upper, ConferenceTransition.Action.SUBMIT, at=at(2), actor=admin)
    hcm_upper = make_conference(tiers[2], tree.hcm, S.DRAFT)
    return {
        "held": held,
        "submitted": submitted,
        "returned": returned,
        "hanoi_upper": hanoi_upper,
        "hcm_upper": hcm_upper,
    }


def shown(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("congress:conference_list"), query)
    assert response.status_code == 200
    return [c.pk for c in response.context["conferences"]]


def test_each_filter(client, users, listed):
    council = users["council"]
    assert len(shown(client, council)) == 5
    assert set(shown(client, council, province="P79")) == {
        listed[k].pk for k in ("held", "submitted", "hcm_upper")
    }
    assert set(shown(client, council, tier="2")) == {
        listed["hanoi_upper"].pk,
        listed["hcm_upper"].pk,
    }
    assert set(shown(client, council, status="submitted")) == {
        listed["submitted"].pk,
        listed["hanoi_upper"].pk,
    }
    assert shown(client, council, status="returned") == [listed["returned"].pk]
    assert shown(client, council, status="draft", tier="1") == [listed["returned"].pk]
    # The search folds case and marks: "ba dinh" finds "BHXH quận Ba Đình"; the venue too.
    assert shown(client, council, q="ba dinh") == [listed["returned"].pk]
    assert shown(client, council, q="Nhà khách") == [listed["submitted"].pk]


def test_the_longest_waiting_first(client, users, listed):
    order = shown(client, users["council"], sort="waiting")
    assert order[:2] == [listed["hanoi_upper"].pk, listed["submitted"].pk]


def test_filters_shown_with_what_was_chosen(client, users, listed):
    client.force_login(users["council"])
    response = client.get(reverse("congress:conference_list"), {"status": "returned", "q": "Ba"})
    text = response.text
    assert '<option value="returned" selected>' in text
    assert 'value="Ba"' in text
    assert "BHXH TP. Hà Nội" in text  # the province filter offers the provinces


def test_officer_never_sees_another_province(client, users, listed):
    officer = users["officer_hcm"]
    mine = {listed[k].pk for k in ("held", "submitted", "hcm_upper")}
    assert set(shown(client, officer)) == mine
    assert shown(client, officer, province="P01") == list(shown(client, officer))
    assert listed["hanoi_upper"].pk not in shown(client, officer, status="submitted")
    assert shown(client, officer, status="returned") == []
    assert shown(client, officer, q="Ba Đình") == []
    client.force_login(officer)
    response = client.get(reverse("congress:conference_list"))
    assert "BHXH TP. Hà Nội" not in response.text


@pytest.mark.parametrize(
    "query",
    [
        {"tier": "\x00"},
        {"tier": "²"},
        {"tier": "9" * 30},
        {"province": "\x00P79"},
        {"province": "P" * 300},
        {"status": "deleted"},
        {"status": "\x00"},
        {"q": "\x00ha\x00"},
        {"q": "²" * 500},
        {"sort": "-pk"},
        {"page": "9" * 30},
        {"page": "²"},
    ],
)
def test_hostile_values_filter_nothing(client, users, listed, query):
    client.force_login(users["council"])
    response = client.get(reverse("congress:conference_list"), query)
    assert response.status_code in (200, 404)
    # A province or a search is text: cleaned of control characters, it still filters.
    if response.status_code == 200 and not {"q", "province"} & set(query):
        assert len(response.context["conferences"]) == 5


def test_pages_keep_the_filters(client, tree, tiers, users):
    for _ in range(53):
        make_conference(tiers[1], UnitFactory(parent=tree.hcm))
    client.force_login(users["council"])
    first = client.get(reverse("congress:conference_list"), {"province": "P79"})
    assert len(first.context["conferences"]) == 50
    assert first.context["paginator"].count == 53
    assert "?province=P79&amp;page=2" in first.text
    second = client.get(reverse("congress:conference_list"), {"province": "P79", "page": "2"})
    assert len(second.context["conferences"]) == 3


def test_list_queries_do_not_grow_with_the_rows(
    client, tree, tiers, users, django_assert_max_num_queries
):
    client.force_login(users["council"])
    make_conference(tiers[1], UnitFactory(parent=tree.hcm))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("congress:conference_list"), {"sort": "waiting", "status": "draft"})
    for _ in range(30):
        make_conference(tiers[1], UnitFactory(parent=tree.hanoi))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("congress:conference_list"), {"sort": "waiting", "status": "draft"})
    assert len(many) == len(one)
