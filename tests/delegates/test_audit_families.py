"""The audit entry of each family of records written through its services:
documents, plans, communication activities, allocations and their lines,
elections and candidates, cycles and tiers, units; each with its before →
after values, its actor, the reason given, under its unit's path."""

import datetime

from django.contrib.contenttypes.models import ContentType

from congress import services as congress_services
from congress import uploads
from congress.models import (
    CommunicationActivity,
    ConferenceDocument,
    OrganisationPlan,
    TierExemption,
)
from congress.services import CommunicationDetails
from delegates.models import Allocation, AllocationLine, Candidate, ElectionRound, RoundCandidate
from tests.congress.documents_support import PDF, upload
from tests.delegates.elections.test_elections import (  # noqa: F401 - re-exported fixtures
    district_conf,
    election,
    stand,
    vote,
)
from tests.delegates.quotas.test_allocations import (  # noqa: F401 - re-exported fixture
    adjust,
    compute,
    province,
    review,
    submit,
)
from tests.factories import UnitFactory
from units.history import history_of, history_under
from units.models import AuditEntry

CREATE, UPDATE, DELETE = (
    AuditEntry.Action.CREATE,
    AuditEntry.Action.UPDATE,
    AuditEntry.Action.DELETE,
)


def entries(model, **filters) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), **filters
        ).order_by("pk")
    )


def test_a_document_uploaded_is_an_entry_of_its_conference(users, hcm_upper):
    document = congress_services.upload_conference_document(
        actor=users["officer_hcm"],
        conference=hcm_upper,
        kind="summary_report",
        upload=uploads.check_upload(upload("Báo cáo tổng kết.pdf", PDF)),
    )
    (entry,) = entries(ConferenceDocument)
    assert entry.action == CREATE and entry.object_id == document.pk
    assert entry.changes["original_name"] == ["None", "Báo cáo tổng kết.pdf"]
    assert entry.actor == users["officer_hcm"] and entry.parent_id == hcm_upper.pk
    assert entry.unit_path == hcm_upper.unit.path
    assert history_of(hcm_upper, users["officer_hcm"]).rows[0].entry == entry


def test_a_plan_returned_records_the_councils_reason(users, tree, tiers):
    plan = congress_services.upload_organisation_plan(
        actor=users["officer_hcm"],
        unit=tree.hcm,
        upload=uploads.check_upload(upload("Kế hoạch.pdf", PDF)),
    )
    congress_services.review_organisation_plan(
        actor=users["council"], plan=plan, decision="return", reason="Thiếu lịch tổ chức"
    )
    created, returned = entries(OrganisationPlan)
    assert created.action == CREATE and returned.action == UPDATE
    assert returned.changes["status"] == ["submitted", "returned"]
    assert returned.reason == "Thiếu lịch tổ chức" and returned.actor == users["council"]
    shown = history_under(tree.hcm, users["officer_hcm"], kind=OrganisationPlan)
    assert [row.entry for row in shown.rows] == [returned, created]
    assert history_under(tree.hcm, users["officer_hanoi"], kind=OrganisationPlan).rows == []


def test_an_activity_added_changed_and_deleted(users, hcm_upper):
    officer = users["officer_hcm"]
    details = CommunicationDetails(
        kind=CommunicationActivity.Kind.EXEMPLARS_ON_MEDIA,
        date=datetime.date(2020, 3, 2),
        channel="Cổng thông tin điện tử",
    )
    activity = congress_services.add_communication_activity(
        actor=officer, conference=hcm_upper, details=details
    )
    congress_services.update_communication_activity(
        actor=officer,
        activity=activity,
        details=CommunicationDetails(**{**details.__dict__, "channel": "Báo Bảo hiểm xã hội"}),
    )
    congress_services.delete_communication_activity(actor=officer, activity=activity)
    created, updated, deleted = entries(CommunicationActivity)
    assert [created.action, updated.action, deleted.action] == [CREATE, UPDATE, DELETE]
    assert updated.changes == {"channel": ["Cổng thông tin điện tử", "Báo Bảo hiểm xã hội"]}
    assert deleted.changes["channel"] == ["Báo Bảo hiểm xã hội", "None"]
    assert {e.actor for e in (created, updated, deleted)} == {officer}


def test_an_allocation_its_lines_adjustments_and_review(users, province):  # noqa: F811
    allocation = compute(users, province["conference"])
    district1, office, *_rest = province["units"]
    lines = entries(AllocationLine, action=CREATE)
    assert len(lines) == 4 and {line.parent_id for line in lines} == {allocation.pk}
    adjust(
        users,
        allocation,
        {district1.pk: 1, office.pk: 10},
        {district1.pk: "Đơn vị nhỏ", office.pk: "Khối văn phòng đông"},
    )
    adjusted = entries(AllocationLine, action=UPDATE)
    by_unit = {entry.object_repr.split(":")[0]: entry for entry in adjusted}
    assert len(adjusted) == 2
    assert by_unit[office.name].changes["seats"] == ["9", "10"]
    assert by_unit[office.name].reason == "Khối văn phòng đông"
    allocation.refresh_from_db()
    submit(users, allocation)
    allocation.refresh_from_db()
    review(users, allocation, "return", reason="Chưa cân đối")
    returned = entries(Allocation, action=UPDATE)[-1]
    assert returned.changes["status"] == ["submitted", "returned"]
    assert returned.reason == "Chưa cân đối" and returned.actor == users["council"]
    # The allocation's page shows its decisions and its lines.
    history = history_of(allocation, users["officer_hcm"])
    kinds = {row.entry.content_type.model for row in history.rows}
    assert kinds == {"allocation", "allocationline"}


def test_an_election_its_candidates_rounds_and_votes(users, election):  # noqa: F811
    officer = users["officer_hcm"]
    first, second = stand(election, officer, 2)
    vote(election, officer, 10, {first: 7, second: 3})
    assert [e.action for e in entries(Candidate)] == [CREATE, CREATE]
    votes = entries(RoundCandidate, action=UPDATE)
    assert sorted(e.changes["votes"] for e in votes) == [["0", "3"], ["0", "7"]]
    # A round's votes belong to its election: its page lists them.
    assert {e.parent_id for e in entries(RoundCandidate)} == {election.pk}
    assert {e.actor for e in votes} == {officer}
    (counted,) = entries(ElectionRound, action=UPDATE)
    assert counted.changes["valid_ballots"] == ["0", "10"] and counted.actor == officer
    kinds = {row.entry.content_type.model for row in history_of(election, officer).rows}
    assert kinds >= {"candidate", "electionround", "roundcandidate"}


def test_a_tier_and_a_unit_changed_and_an_exemption_with_its_reason(users, tree, tiers):
    tier = tiers[2]
    tier.cap = 320
    tier.save()
    (changed,) = entries(type(tier), action=UPDATE)
    assert changed.changes == {"cap": ["300", "320"]} and changed.unit_path == ""
    # Cycles and tiers belong to no unit: the nationwide roles' only.
    assert history_of(tier, users["officer_hcm"]).rows == []
    assert len(history_of(tier, users["council"]).rows) == 2
    tree.hcm_district.headcount = 55
    tree.hcm_district.save()
    (headcount,) = entries(type(tree.hcm_district), action=UPDATE)
    assert headcount.changes == {"headcount": ["20", "55"]}
    lagging = UnitFactory(parent=tree.hcm, name="BHXH huyện Cần Giờ")
    congress_services.exempt_unit(
        actor=users["council"], tier=tiers[1], unit=lagging, reason="Thiên tai, không tổ chức được"
    )
    (exempted,) = entries(TierExemption)
    assert exempted.reason == "Thiên tai, không tổ chức được"
    assert exempted.unit_path == lagging.path and exempted.actor == users["council"]
