"""Choosing the cycle one works in: each page shows that cycle's units,
conferences and documents only, and costs the same with one cycle or two."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import DocumentJob
from tests.factories import ConferenceFactory
from units.models import Role


def choose(client, cycle):
    return client.post(reverse("cycle_choose"), {"cycle": cycle.pk})


def main_html(response) -> str:
    text = response.text
    return text[text.index("<main") : text.index("</main>")]


@pytest.fixture
def both_cycles(tree, tiers, reform, users):
    """A conference and a document in each cycle, for BHXH TP.HCM."""
    old = ConferenceFactory(tier=tiers[1], unit=tree.hcm_district, venue="Hội trường Quận 1")
    new = ConferenceFactory(tier=reform.tier, unit=reform.hcm_office, venue="Hội trường Sài Gòn")
    for cycle, unit, title in (
        (tree.cycle, tree.hcm, "Danh sách cũ"),
        (reform.cycle, reform.hcm, "Danh sách mới"),
    ):
        DocumentJob.objects.create(
            requested_by=users["officer_hcm"],
            exporter="delegate_list_pdf",
            title=title,
            unit=unit,
            cycle=cycle,
        )
    return old, new


def test_the_current_cycle_is_the_default(client, tree, reform, users):
    tree.cycle.is_current = True
    tree.cycle.save()
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("home"))
    assert response.context["cycle"] == tree.cycle
    assert [c.number for c in response.context["cycles"]] == ["VII", "V"]


@pytest.mark.parametrize("role", ["officer_hcm", "council", "admin", "printer_hcm"])
def test_switching_shows_only_that_cycles_units_conferences_and_documents(
    client, tree, reform, users, both_cycles, role
):
    client.force_login(users[role])
    units = main_html(client.get(reverse("units:unit_list")))
    assert "BHXH Quận 1" in units and "BHXH cơ sở Sài Gòn" not in units
    conferences = main_html(client.get(reverse("congress:conference_list")))
    assert "BHXH Quận 1" in conferences and "BHXH cơ sở Sài Gòn" not in conferences

    response = choose(client, reform.cycle)
    assert response.status_code == 302

    home = client.get(reverse("home"))
    assert home.context["cycle"] == reform.cycle
    units = main_html(client.get(reverse("units:unit_list")))
    assert "BHXH cơ sở Sài Gòn" in units and "BHXH Quận 1" not in units
    conferences = main_html(client.get(reverse("congress:conference_list")))
    assert "BHXH cơ sở Sài Gòn" in conferences and "BHXH Quận 1" not in conferences
    old, new = both_cycles
    assert client.get(old.get_absolute_url()).status_code == 404
    assert client.get(new.get_absolute_url()).status_code == 200


def test_my_documents_are_those_of_the_cycle(client, tree, reform, users, both_cycles):
    client.force_login(users["officer_hcm"])
    listed = main_html(client.get(reverse("reports:job_list")))
    assert "Danh sách cũ" in listed and "Danh sách mới" not in listed
    choose(client, reform.cycle)
    listed = main_html(client.get(reverse("reports:job_list")))
    assert "Danh sách mới" in listed and "Danh sách cũ" not in listed


def test_a_cycle_one_cannot_work_in_cannot_be_chosen(client, tree, reform, make_user):
    # Nothing took over the department: the newer cycle is not theirs.
    officer = make_user(Role.OFFICER, tree.hcm_department, username="officer-vp")
    client.force_login(officer)
    assert [c.number for c in client.get(reverse("home")).context["cycles"]] == ["V"]
    assert choose(client, reform.cycle).status_code == 404
    assert client.get(reverse("home")).context["cycle"] == tree.cycle
    assert client.post(reverse("cycle_choose"), {"cycle": "x"}).status_code == 404


def test_the_unit_page_shows_what_it_took_over(client, tree, reform, users):
    client.force_login(users["officer_hcm"])
    choose(client, reform.cycle)
    page = main_html(client.get(reverse("units:unit_detail", args=[reform.hcm.pk])))
    assert "BHXH TP. Hồ Chí Minh" in page and "BHXH tỉnh Bình Dương" in page
    assert tree.cycle.hierarchy.name in page
    choose(client, tree.cycle)
    page = main_html(client.get(reverse("units:unit_detail", args=[tree.hcm.pk])))
    assert reform.hierarchy.name in page  # taken over by the newer one


def count_queries(client, url) -> int:
    client.get(url)  # the first request of a session costs more
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["officer_hcm", "council"])
@pytest.mark.parametrize("url_name", ["progress:board", "units:unit_list", "units:unit_tree"])
def test_query_counts_are_the_same_with_one_cycle_or_two(
    client, tree, tiers, users, role, url_name, request
):
    client.force_login(users[role])
    url = reverse(url_name)
    one = count_queries(client, url)
    request.getfixturevalue("reform")
    two = count_queries(client, url)
    assert one == two
