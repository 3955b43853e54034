"""Emulation clusters (cụm thi đua): groups of provincial offices of one
hierarchy, edited by administrators, shown to each role within its scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UnitFactory
from units.admin import ClusterForm
from units.models import Cluster, UnitKind
from units.services import set_cluster_members


@pytest.fixture
def clusters(tree, reform, users):
    north = Cluster.objects.create(hierarchy=reform.hierarchy, name="Cụm thi đua số 1")
    south = Cluster.objects.create(hierarchy=reform.hierarchy, name="Cụm thi đua số 6")
    set_cluster_members(actor=users["admin"], cluster=north, units=[reform.hanoi])
    set_cluster_members(actor=users["admin"], cluster=south, units=[reform.hcm])
    return north, south


def test_members_are_provincial_offices_of_the_hierarchy_in_one_cluster(
    tree, reform, users, clusters
):
    north, south = clusters
    admin = users["admin"]
    with pytest.raises(ValidationError) as foreign:
        set_cluster_members(actor=admin, cluster=north, units=[tree.hanoi])
    with pytest.raises(ValidationError) as kind:
        set_cluster_members(actor=admin, cluster=north, units=[reform.hcm_office])
    with pytest.raises(ValidationError) as taken:
        set_cluster_members(actor=admin, cluster=north, units=[reform.hanoi, reform.hcm])
    assert tree.hanoi.name in str(foreign.value)
    assert reform.hcm_office.name in str(kind.value)
    assert south.name in str(taken.value)
    assert list(north.members.all()) == [reform.hanoi]


@pytest.mark.parametrize("role", ["council", "officer_hcm", "printer"])
def test_only_administrators_set_members(tree, reform, users, clusters, role):
    north, _south = clusters
    with pytest.raises(PermissionDenied):
        set_cluster_members(actor=users[role], cluster=north, units=[])
    assert list(north.members.all()) == [reform.hanoi]


def test_the_admin_form_refuses_what_the_service_refuses(tree, reform, clusters):
    north, _south = clusters
    form = ClusterForm(
        data={
            "hierarchy": reform.hierarchy.pk,
            "name": north.name,
            "position": 1,
            "members": [reform.hcm.pk],
        },
        instance=north,
    )
    assert not form.is_valid()
    assert "Cụm thi đua số 6" in str(form.errors["members"])


# role → clusters listed, when working in the newer hierarchy
LISTED = {
    "admin": {"Cụm thi đua số 1", "Cụm thi đua số 6"},
    "council": {"Cụm thi đua số 1", "Cụm thi đua số 6"},
    "officer_hcm": {"Cụm thi đua số 6"},
    "officer_hanoi": {"Cụm thi đua số 1"},
    "printer_hcm": {"Cụm thi đua số 6"},
}


@pytest.mark.parametrize("role", sorted(LISTED))
def test_the_page_lists_the_clusters_of_ones_scope(client, tree, reform, users, clusters, role):
    client.force_login(users[role])
    client.post(reverse("cycle_choose"), {"cycle": reform.cycle.pk})
    response = client.get(reverse("units:cluster_list"))
    listed = {cluster.name for cluster in response.context["clusters"]}
    assert listed == LISTED[role]


def test_nothing_of_another_hierarchy_is_listed(client, tree, reform, users, clusters):
    client.force_login(users["council"])
    response = client.get(reverse("units:cluster_list"))  # cycle V, the older tree
    assert response.context["clusters"] == []
    assert 'data-testid="no-clusters"' in response.text


def test_the_unit_page_names_its_cluster(client, tree, reform, users, clusters):
    client.force_login(users["officer_hcm"])
    client.post(reverse("cycle_choose"), {"cycle": reform.cycle.pk})
    page = client.get(reverse("units:unit_detail", args=[reform.hcm.pk]))
    assert "Cụm thi đua số 6" in page.text


def test_the_page_costs_the_same_with_more_clusters(client, tree, reform, users, clusters):
    client.force_login(users["council"])
    client.post(reverse("cycle_choose"), {"cycle": reform.cycle.pk})
    url = reverse("units:cluster_list")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for number in range(2, 8):
        province = UnitFactory(parent=reform.vss, kind=UnitKind.PROVINCE, code=f"P9{number}")
        cluster = Cluster.objects.create(hierarchy=reform.hierarchy, name=f"Cụm {number}")
        cluster.members.add(province)
    assert count() == few
