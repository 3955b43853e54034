"""Each role's home is its to-do list: the counts against a hand-built data
set, the reason of what was returned, the links to the filtered lists, and
the queries flat in the number of objects."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from congress import services, uploads
from congress.models import Conference, ConferenceTransition, OrganisationPlan
from delegates.models import Allocation, Election
from reports.models import DocumentJob, GeneratedFile
from tests.congress.documents_support import PDF, make_conference, upload
from tests.factories import DelegateFactory, UnitFactory

S = Conference.Status
A = ConferenceTransition.Action


def moved(conference, action, *, at, reason="", actor):
    ConferenceTransition.objects.create(
        conference=conference,
        from_status=S.DRAFT,
        to_status=conference.status,
        action=action,
        actor=actor,
        at=at,
        reason=reason,
    )


def allocation(conference, version, status, *, actor, reason="", submitted_at=None):
    return Allocation.objects.create(
        conference=conference,
        version=version,
        status=status,
        tie_break="larger_attendance_then_order",
        total_seats=10,
        created_by=actor,
        submitted_at=submitted_at,
        reviewed_at=submitted_at,
        review_reason=reason,
    )


def plan(unit, *, actor, status=OrganisationPlan.Status.SUBMITTED, reason=""):
    filed = services.upload_organisation_plan(
        actor=actor, unit=unit, upload=uploads.check_upload(upload("Kế hoạch.pdf", PDF))
    )
    if status != OrganisationPlan.Status.SUBMITTED:
        OrganisationPlan.objects.filter(pk=filed.pk).update(
            status=status, review_reason=reason, reviewed_at=timezone.now()
        )
    return filed


def document_job(conference, exporter, *, user, **params):
    result = GeneratedFile.objects.create(
        exporter=exporter,
        source_key=f"{exporter}-{conference.pk}-{len(params)}",
        file=ContentFile(PDF, name="tai-lieu.pdf"),
        filename="tai-lieu.pdf",
        mimetype="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    return DocumentJob.objects.create(
        requested_by=user,
        exporter=exporter,
        params={"conference": conference.pk, **params},
        title="Tài liệu",
        unit=conference.unit,
        status=DocumentJob.Status.DONE,
        progress=100,
        result=result,
    )


class World:
    """HCMC: a district held (its election to record), the office submitted
    on 2 Jan, the province's tier-2 accepted (its allocation to compute,
    delegates without invitations), its plan awaiting review. Hà Nội: its
    district returned with a reason, its tier-2 with allocation v1 returned
    and v2 submitted on 1 Jan, its plan returned."""

    def __init__(self, tree, tiers, users):
        admin = users["admin"]
        self.users = users
        self.tree, self.tiers = tree, tiers
        self.held = make_conference(tiers[1], tree.hcm_district, S.HELD)
        self.submitted = make_conference(tiers[1], tree.hcm_department, S.SUBMITTED)
        moved(self.submitted, A.SUBMIT, at=at(2), actor=admin)
        self.returned = make_conference(tiers[1], tree.hanoi_district, S.DRAFT)
        moved(self.returned, A.SUBMIT, at=at(1), actor=admin)
        moved(self.returned, A.RETURN, at=at(3), reason="Sai số người dự kiến.", actor=admin)
        self.hcm_upper = make_conference(tiers[2], tree.hcm, S.ACCEPTED)
        self.hanoi_upper = make_conference(tiers[2], tree.hanoi, S.DRAFT)
        allocation(self.hanoi_upper, 1, Allocation.Status.RETURNED, actor=admin, reason="Cũ.")
        self.pending = allocation(
            self.hanoi_upper, 2, Allocation.Status.SUBMITTED, actor=admin, submitted_at=at(1)
        )
        DelegateFactory(conference=self.hcm_upper)
        plan(tree.hcm, actor=admin)
        plan(tree.hanoi, actor=admin, status=OrganisationPlan.Status.RETURNED, reason="Bổ sung.")

    def more(self, n):
        """``n`` more of every kind, in HCMC and Hà Nội: the data grows."""
        admin = self.users["admin"]
        for i in range(n):
            for province in (self.tree.hcm, self.tree.hanoi):
                held = make_conference(self.tiers[1], UnitFactory(parent=province), S.HELD)
                DelegateFactory(conference=held)
                sent = make_conference(self.tiers[1], UnitFactory(parent=province), S.SUBMITTED)
                moved(sent, A.SUBMIT, at=at(5 + i), actor=admin)
                back = make_conference(self.tiers[1], UnitFactory(parent=province), S.DRAFT)
                moved(back, A.RETURN, at=at(5 + i), reason="Sửa.", actor=admin)
                upcoming = make_conference(self.tiers[1], UnitFactory(parent=province))
                DelegateFactory(conference=upcoming)


def at(day):
    return timezone.make_aware(datetime.datetime(2020, 1, day, 9, 0))


@pytest.fixture
def world(tree, tiers, users):
    return World(tree, tiers, users)


def home_of(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def items(response):
    return {item.key: item for item in response.context["home"].items}


def test_council_home_counts_what_awaits_its_review(client, world):
    response = home_of(client, world.users["council"])
    todo = items(response)
    assert todo["conferences_submitted"].count == 1
    assert todo["conferences_submitted"].entries[0].url == world.submitted.get_absolute_url()
    assert todo["plans_submitted"].count == 1
    assert todo["plans_submitted"].entries[0].label == world.tree.hcm.name
    assert todo["allocations_submitted"].count == 1
    assert "?version=2" in todo["allocations_submitted"].entries[0].url
    # Every unit of the tree's tier 1 and 2 not held is overdue (deadlines of 2020).
    assert todo["units_overdue"].count >= 4
    provinces = {p.name: p for p in response.context["home"].late_provinces}
    assert set(provinces) >= {world.tree.hcm.name, world.tree.hanoi.name}
    assert "province=P79" in provinces[world.tree.hcm.name].url
    assert response.context["home"].role_is_council
    assert 'data-testid="todo-conferences_submitted"' in response.text
    assert "?status=submitted&amp;sort=waiting" in response.text


def test_council_lists_the_longest_waiting_first(client, world):
    admin = world.users["admin"]
    older = make_conference(world.tiers[1], UnitFactory(parent=world.tree.hanoi), S.SUBMITTED)
    moved(older, A.SUBMIT, at=at(1), actor=admin)
    todo = items(home_of(client, world.users["council"]))
    assert [e.url for e in todo["conferences_submitted"].entries] == [
        older.get_absolute_url(),
        world.submitted.get_absolute_url(),
    ]


def test_officer_home_counts_its_province_only(client, world):
    hanoi = items(home_of(client, world.users["officer_hanoi"]))
    assert hanoi["conferences_returned"].count == 1
    assert hanoi["conferences_returned"].entries[0].reason == "Sai số người dự kiến."
    assert hanoi["plans_returned"].count == 1
    assert hanoi["plans_returned"].entries[0].reason == "Bổ sung."
    # v1 returned, but v2 is the newest, awaiting the council: nothing to correct.
    assert hanoi["allocations_returned"].count == 0
    assert hanoi["allocations_to_compute"].count == 0
    assert hanoi["elections_to_record"].count == 0

    hcm = items(home_of(client, world.users["officer_hcm"]))
    assert hcm["conferences_returned"].count == 0
    assert hcm["plans_returned"].count == 0
    assert hcm["elections_to_record"].count == 1
    assert hcm["elections_to_record"].entries[0].url == reverse(
        "elections:election_detail", args=[world.held.pk]
    )
    assert hcm["allocations_to_compute"].count == 1
    assert hcm["allocations_to_compute"].entries[0].label == world.tree.hcm.name
    # HCMC's tier 1 and 2 not held, deadlines of 2020: overdue.
    assert hcm["units_overdue"].count == 2
    assert hcm["units_due_soon"].count == 0


def test_officer_sees_the_reason_on_its_home(client, world):
    response = home_of(client, world.users["officer_hanoi"])
    assert "Sai số người dự kiến." in response.text
    assert reverse("congress:conference_list") + "?status=returned" in response.text


def test_a_confirmed_election_and_a_returned_newest_allocation(client, world):
    Election.objects.create(
        conference=world.held, target=world.hcm_upper, status=Election.Status.CONFIRMED
    )
    Allocation.objects.filter(pk=world.pending.pk).update(
        status=Allocation.Status.RETURNED, review_reason="Thiếu đơn vị."
    )
    assert items(home_of(client, world.users["officer_hcm"]))["elections_to_record"].count == 0
    hanoi = items(home_of(client, world.users["officer_hanoi"]))
    assert hanoi["allocations_returned"].count == 1
    assert hanoi["allocations_returned"].entries[0].reason == "Thiếu đơn vị."
    assert items(home_of(client, world.users["council"]))["allocations_submitted"].count == 0


def test_printer_home_counts_what_is_not_generated(client, world):
    printer = world.users["printer_hcm"]
    todo = items(home_of(client, printer))
    assert todo["invitations_to_generate"].count == 1
    assert todo["delegate_lists_to_generate"].count == 1
    assert todo["invitations_to_generate"].entries[0].url == reverse(
        "delegates:delegate_list", args=[world.hcm_upper.pk]
    )
    # Part of the list is not the conference's invitations.
    document_job(world.hcm_upper, "invitations_pdf", user=printer, category="guest")
    assert items(home_of(client, printer))["invitations_to_generate"].count == 1
    document_job(world.hcm_upper, "invitations_pdf", user=printer)
    todo = items(home_of(client, printer))
    assert todo["invitations_to_generate"].count == 0
    assert todo["delegate_lists_to_generate"].count == 1
    document_job(world.hcm_upper, "delegate_list_xlsx", user=printer)
    assert items(home_of(client, printer))["delegate_lists_to_generate"].count == 0


def test_printer_of_another_province_sees_none_of_it(client, world, make_user):
    from units.models import Role

    hanoi_printer = make_user(Role.PRINTER, world.tree.hanoi)
    todo = items(home_of(client, hanoi_printer))
    assert todo["invitations_to_generate"].count == 0


def test_admin_home_has_links_not_counts(client, world):
    response = home_of(client, world.users["admin"])
    assert response.context["home"].items == []
    assert response.context["home"].role_is_admin
    assert reverse("cycles:cycle_list") in response.text


@pytest.mark.parametrize(
    "role", ["council", "officer_hcm", "officer_hanoi", "printer_hcm", "printer", "admin"]
)
def test_home_queries_do_not_grow_with_the_data(client, world, role):
    client.force_login(world.users[role])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    small = queries()
    world.more(6)
    large = queries()
    assert large == small
    todo = items(client.get(reverse("home")))
    if role == "council":
        assert todo["conferences_submitted"].count == 13
        assert len(todo["conferences_submitted"].entries) == 5
        assert todo["conferences_submitted"].more == 8
