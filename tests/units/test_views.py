"""The units browser: list, tree and detail, for every role and scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UnitFactory
from units.models import UnitKind


@pytest.mark.parametrize("url_name", ["home", "units:unit_list", "units:unit_tree"])
def test_anonymous_is_sent_to_login(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_cannot_open_a_unit(client, tree):
    response = client.get(reverse("units:unit_detail", args=[tree.hcm.pk]))
    assert response.status_code == 302


def main_html(response) -> str:
    """The page's own content, without the navigation and footer."""
    text = response.text
    return text[text.index("<main") : text.index("</main>")]


# role → (units it must see, units it must not see) by attribute of `tree`
SCOPES = {
    "admin": ({"vss", "hcm", "hanoi", "hcm_district", "hanoi_district"}, set()),
    "council": ({"vss", "hcm", "hanoi", "hcm_district", "hanoi_district"}, set()),
    "printer": ({"vss", "hcm", "hanoi", "hcm_district", "hanoi_district"}, set()),
    "officer_hcm": ({"hcm", "hcm_district", "hcm_department"}, {"vss", "hanoi", "hanoi_district"}),
    "printer_hcm": ({"hcm", "hcm_district", "hcm_department"}, {"vss", "hanoi", "hanoi_district"}),
    "officer_hanoi": ({"hanoi", "hanoi_district"}, {"vss", "hcm", "hcm_district"}),
}


@pytest.mark.parametrize("role", sorted(SCOPES))
def test_unit_detail_own_is_shown_foreign_is_404(client, tree, users, role):
    client.force_login(users[role])
    own, foreign = SCOPES[role]
    for name in own:
        unit = getattr(tree, name)
        response = client.get(reverse("units:unit_detail", args=[unit.pk]))
        assert response.status_code == 200, name
        assert unit.name in response.text
    for name in foreign:
        unit = getattr(tree, name)
        response = client.get(reverse("units:unit_detail", args=[unit.pk]))
        assert response.status_code == 404, name
        assert unit.name not in main_html(response)


@pytest.mark.parametrize("role", sorted(SCOPES))
def test_unit_list_shows_only_scope(client, tree, users, role):
    client.force_login(users[role])
    response = client.get(reverse("units:unit_list"))
    assert response.status_code == 200
    own, foreign = SCOPES[role]
    shown = {u.pk for u in response.context["units"]}
    assert {getattr(tree, n).pk for n in own} <= shown
    assert not {getattr(tree, n).pk for n in foreign} & shown


@pytest.mark.parametrize("role", sorted(SCOPES))
def test_unit_tree_shows_only_scope(client, tree, users, role):
    client.force_login(users[role])
    response = client.get(reverse("units:unit_tree"))
    assert response.status_code == 200
    own, foreign = SCOPES[role]
    for name in own:
        assert getattr(tree, name).name in main_html(response), name
    for name in foreign:
        assert getattr(tree, name).name not in main_html(response), name


def test_tree_totals_headcounts_of_subtree(client, tree, users):
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("units:unit_tree"))
    (root,) = response.context["roots"]
    assert root.unit == tree.hcm
    assert root.subtree_headcount == tree.hcm.headcount + 20 + 20
    assert root.subtree_size == 3


def test_search_ignores_diacritics_and_case(client, tree, users):
    client.force_login(users["council"])
    response = client.get(reverse("units:unit_list"), {"q": "ha noi"})
    assert [u.name for u in response.context["units"]] == ["BHXH TP. Hà Nội"]
    response = client.get(reverse("units:unit_list"), {"q": "BA DINH"})
    assert [u.name for u in response.context["units"]] == ["BHXH quận Ba Đình"]


def test_search_does_not_reach_outside_scope(client, tree, users):
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("units:unit_list"), {"q": "ha noi"})
    assert list(response.context["units"]) == []
    assert "Không có đơn vị nào" in response.text


def test_filter_by_kind_and_province(client, tree, users):
    client.force_login(users["council"])
    response = client.get(
        reverse("units:unit_list"), {"kind": UnitKind.DISTRICT, "province": tree.hcm.pk}
    )
    assert list(response.context["units"]) == [tree.hcm_district]


def test_officer_cannot_filter_by_foreign_province(client, tree, users):
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("units:unit_list"), {"province": tree.hanoi.pk})
    # An invalid choice: the filter is ignored, never widened to Hà Nội.
    assert tree.hanoi_district not in response.context["units"]
    assert set(response.context["units"]) == {tree.hcm, tree.hcm_district, tree.hcm_department}


def test_list_is_paginated_and_keeps_filters(client, tree, users):
    UnitFactory.create_batch(60, parent=tree.hcm, name="BHXH huyện Mẫu")
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("units:unit_list"), {"q": "mau"})
    assert response.context["paginator"].count == 60
    assert len(response.context["units"]) == 50
    assert "q=mau&amp;page=2" in response.text


def _queries_for_list(client, size, tree):
    UnitFactory.create_batch(size, parent=tree.hcm)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("units:unit_list"))
    assert response.status_code == 200
    return len(queries)


def test_unit_list_queries_do_not_grow_with_units(
    client, tree, users, django_assert_max_num_queries
):
    client.force_login(users["officer_hcm"])
    few = _queries_for_list(client, 5, tree)
    many = _queries_for_list(client, 495, tree)
    assert few == many
    with django_assert_max_num_queries(9):  # 8, and the bell's unread count
        client.get(reverse("units:unit_list"))


def test_unit_tree_queries_do_not_grow_with_units(client, tree, users):
    client.force_login(users["council"])
    UnitFactory.create_batch(5, parent=tree.hanoi)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("units:unit_tree"))
    UnitFactory.create_batch(300, parent=tree.hanoi)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("units:unit_tree"))
    assert len(few) == len(many)


def test_unit_detail_offers_registration_to_its_officer_only(client, tree, users):
    from tests.factories import TierFactory

    tier = TierFactory(cycle=tree.cycle, level=1, organiser_kinds=["district"])
    url = reverse("units:unit_detail", args=[tree.hcm_district.pk])
    client.force_login(users["officer_hcm"])
    response = client.get(url)
    assert response.context["registrable_tiers"] == [tier]
    assert f"?unit={tree.hcm_district.pk}&amp;tier={tier.pk}" in response.text
    client.force_login(users["council"])
    assert client.get(url).context["registrable_tiers"] == []


def test_a_headcount_typed_in_the_admin_loses_the_demo_label(client, tree, users):
    tree.hcm_district.headcount_is_demo = True
    tree.hcm_district.save()
    client.force_login(users["admin"])
    url = reverse("admin:units_unit_change", args=[tree.hcm_district.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        name=tree.hcm_district.name,
        kind=tree.hcm_district.kind,
        position=tree.hcm_district.position,
        headcount=57,
        is_active="on",
        headcount_is_demo="on",
    )
    data.pop("predecessors", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    tree.hcm_district.refresh_from_db()
    assert (tree.hcm_district.headcount, tree.hcm_district.headcount_is_demo) == (57, False)
