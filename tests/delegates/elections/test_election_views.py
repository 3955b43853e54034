"""The election page: who sees it, who records, what a bad input keeps."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress.models import Conference
from delegates.models import Category, Delegate, Election, ElectionRound, EmulationTitle
from delegates.services.elections import open_election, open_runoff, record_votes, set_candidates
from tests.delegates.elections.test_elections import approve, held, votes_of
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory

ROLES = ["admin", "council", "officer_hcm", "officer_hanoi", "printer_hcm", "printer"]
# Who may see an HCMC conference, and who may record its election.
SEES_HCM = {"admin", "council", "officer_hcm", "printer_hcm", "printer"}
CHANGES_HCM = {"admin", "officer_hcm"}
SEES_HANOI = {"admin", "council", "officer_hanoi", "printer"}
CHANGES_HANOI = {"admin", "officer_hanoi"}


def url(name, conference):
    return reverse(f"elections:{name}", args=[conference.pk])


@pytest.fixture
def hcm_conf(tree, tiers, hcm_upper):
    return held(tiers[1], tree.hcm_district)


@pytest.fixture
def hanoi_conf(tree, tiers, hanoi_upper):
    return held(tiers[1], tree.hanoi_district)


def prepared(conference, actor, count=2, votes=None):
    """An open election with ``count`` candidates (and their votes)."""
    election = open_election(actor=actor, conference=conference)
    people = PersonFactory.create_batch(count, unit=conference.unit)
    set_candidates(actor=actor, election=election, persons=people)
    if votes is not None:
        election.refresh_from_db()
        record_votes(
            actor=actor,
            election=election,
            valid_ballots=votes[0],
            votes={p.pk: v for p, v in zip(people, votes[1], strict=True)},
            expected_lock_version=election.lock_version,
        )
    election.refresh_from_db()
    return election, people


# -- Who sees, who changes -------------------------------------------------------


def test_anonymous_goes_to_login(client, hcm_conf):
    response = client.get(url("election_detail", hcm_conf))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("province", ["hcm", "hanoi"])
def test_page_by_role_and_province(client, users, hcm_conf, hanoi_conf, role, province):
    conference, sees, changes = {
        "hcm": (hcm_conf, SEES_HCM, CHANGES_HCM),
        "hanoi": (hanoi_conf, SEES_HANOI, CHANGES_HANOI),
    }[province]
    client.force_login(users[role])
    response = client.get(url("election_detail", conference))
    assert response.status_code == (200 if role in sees else 404)
    if role in sees:
        page = response.content.decode()
        assert ("Bắt đầu ghi kết quả bầu cử" in page) == (role in changes)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("province", ["hcm", "hanoi"])
def test_open_by_role_and_province(client, users, hcm_conf, hanoi_conf, role, province):
    conference, sees, changes = {
        "hcm": (hcm_conf, SEES_HCM, CHANGES_HCM),
        "hanoi": (hanoi_conf, SEES_HANOI, CHANGES_HANOI),
    }[province]
    client.force_login(users[role])
    response = client.post(url("election_open", conference))
    expected = 302 if role in changes else 403 if role in sees else 404
    assert response.status_code == expected
    assert Election.objects.filter(conference=conference).exists() == (role in changes)


@pytest.mark.parametrize(
    "name", ["candidate_add", "candidate_remove", "votes_record", "election_confirm"]
)
@pytest.mark.parametrize("role", ROLES)
def test_changes_by_role_on_hcm(client, users, tree, hcm_upper, hcm_conf, name, role):
    election, people = prepared(hcm_conf, users["admin"], votes=(10, [8, 2]))
    approve(hcm_upper, {tree.hcm_district: 1}, users["admin"])
    newcomer = PersonFactory(unit=tree.hcm_district)
    data = {
        "candidate_add": {"person": newcomer.pk},
        "candidate_remove": {"person": people[1].pk},
        "votes_record": {
            "valid_ballots": 10,
            "threshold": "1/2",
            "lock_version": election.lock_version,
            f"votes_{people[0].pk}": 7,
            f"votes_{people[1].pk}": 3,
        },
        "election_confirm": {"lock_version": election.lock_version},
    }[name]
    client.force_login(users[role])
    response = client.post(url(name, hcm_conf), data)
    expected = 302 if role in CHANGES_HCM else 403 if role in SEES_HCM else 404
    assert response.status_code == expected
    election.refresh_from_db()
    changed = election.lock_version != 3
    assert changed == (role in CHANGES_HCM)


def test_get_on_an_action_is_not_allowed(client, users, hcm_conf):
    client.force_login(users["officer_hcm"])
    assert client.get(url("election_open", hcm_conf)).status_code == 405


def test_the_congress_has_no_election_page(client, users, tree, tiers):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    client.force_login(users["admin"])
    assert client.get(url("election_detail", congress)).status_code == 404


def test_conference_page_links_to_the_election_when_held(client, users, tree, tiers, hcm_conf):
    client.force_login(users["officer_hcm"])
    page = client.get(hcm_conf.get_absolute_url()).content.decode()
    assert url("election_detail", hcm_conf) in page
    draft = ConferenceFactory(tier=tiers[1], unit=tree.hcm_department)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'data-testid="election-link"' not in page


def test_missing_target_is_explained(client, users, tree, tiers):
    conference = held(tiers[1], tree.hcm_district)  # no tier-2 conference of HCMC
    client.force_login(users["officer_hcm"])
    page = client.get(url("election_detail", conference)).content.decode()
    assert "chưa được đăng ký" in page
    assert "Bắt đầu ghi kết quả bầu cử" not in page


# -- Recording --------------------------------------------------------------------


def test_officer_records_a_whole_election(client, users, tree, hcm_upper, hcm_conf):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 1}, users["admin"])
    an = PersonFactory(unit=tree.hcm_district, full_name="Nguyễn Thị Ánh")
    client.force_login(officer)
    client.post(url("election_open", hcm_conf))
    found = client.get(url("election_detail", hcm_conf), {"q": "anh"}).content.decode()
    assert "Nguyễn Thị Ánh" in found
    client.post(url("candidate_add", hcm_conf), {"person": an.pk, "q": "anh"})
    election = Election.objects.get(conference=hcm_conf)
    response = client.post(
        url("votes_record", hcm_conf),
        {
            "valid_ballots": 40,
            "threshold": "1/2",
            "lock_version": election.lock_version,
            f"votes_{an.pk}": 30,
        },
    )
    assert response.status_code == 302
    page = client.get(url("election_detail", hcm_conf)).content.decode()
    assert 'data-outcome="elected"' in page and ">Trúng cử</span>" in page
    assert 'data-testid="confirm"' in page
    election.refresh_from_db()
    client.post(url("election_confirm", hcm_conf), {"lock_version": election.lock_version})
    delegate = Delegate.objects.get(conference=hcm_upper)
    assert (delegate.person, delegate.category, delegate.elected_at) == (
        an,
        Category.ELECTED,
        hcm_conf,
    )
    page = client.get(url("election_detail", hcm_conf)).content.decode()
    assert reverse("delegates:delegate_list", args=[hcm_upper.pk]) in page
    assert 'id="votes-form"' not in page


def test_bad_votes_keep_what_was_typed(client, users, hcm_conf):
    election, (an, binh) = prepared(hcm_conf, users["officer_hcm"])
    client.force_login(users["officer_hcm"])
    response = client.post(
        url("votes_record", hcm_conf),
        {
            "valid_ballots": 10,
            "threshold": "1/2",
            "lock_version": election.lock_version,
            f"votes_{an.pk}": 11,
            f"votes_{binh.pk}": 4,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "nhiều hơn số phiếu hợp lệ" in page
    assert 'value="11"' in page and 'value="4"' in page
    assert set(votes_of(election).values()) == {0}


def test_bad_threshold_keeps_what_was_typed(client, users, hcm_conf):
    election, (an, binh) = prepared(hcm_conf, users["officer_hcm"])
    client.force_login(users["officer_hcm"])
    response = client.post(
        url("votes_record", hcm_conf),
        {
            "valid_ballots": "",
            "threshold": "một nửa",
            "lock_version": election.lock_version,
            f"votes_{an.pk}": 6,
            f"votes_{binh.pk}": -1,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nhập một phân số" in page
    assert 'value="một nửa"' in page and 'value="-1"' in page and 'value="6"' in page
    assert ElectionRound.objects.get(election=election).valid_ballots == 0


def test_stale_votes_form_keeps_what_was_typed(client, users, hcm_conf):
    election, (an, binh) = prepared(hcm_conf, users["officer_hcm"], votes=(10, [6, 2]))
    client.force_login(users["officer_hcm"])
    response = client.post(
        url("votes_record", hcm_conf),
        {
            "valid_ballots": 12,
            "threshold": "1/2",
            "lock_version": election.lock_version - 1,
            f"votes_{an.pk}": 9,
            f"votes_{binh.pk}": 1,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Người khác đã thay đổi" in page and 'value="9"' in page
    assert sorted(votes_of(election).values()) == [2, 6]


def test_tie_is_shown_and_blocks_confirmation(client, users, tree, hcm_upper, hcm_conf):
    approve(hcm_upper, {tree.hcm_district: 1}, users["admin"])
    prepared(hcm_conf, users["officer_hcm"], votes=(10, [7, 7]))
    client.force_login(users["officer_hcm"])
    page = client.get(url("election_detail", hcm_conf)).content.decode()
    assert 'data-testid="tie"' in page and 'data-testid="confirm"' not in page
    assert page.count('data-outcome="tied"') == 2
    assert page.count("Bằng phiếu: cần phân định") == 2


def test_without_approved_quota_the_page_says_so(client, users, hcm_conf):
    prepared(hcm_conf, users["officer_hcm"], votes=(10, [7, 2]))
    client.force_login(users["officer_hcm"])
    page = client.get(url("election_detail", hcm_conf)).content.decode()
    assert "chưa được phê duyệt" in page and 'data-testid="confirm"' not in page


def test_refused_confirmation_says_why(client, users, hcm_conf):
    election, _people = prepared(hcm_conf, users["officer_hcm"], votes=(10, [7, 2]))
    client.force_login(users["officer_hcm"])
    response = client.post(
        url("election_confirm", hcm_conf), {"lock_version": election.lock_version}, follow=True
    )
    assert "chưa được phê duyệt" in response.content.decode()
    assert not Delegate.objects.exists()


def test_person_already_above_is_flagged_on_the_page(client, users, tree, hcm_upper, hcm_conf):
    approve(hcm_upper, {tree.hcm_district: 2}, users["admin"])
    election, (an, _binh) = prepared(hcm_conf, users["officer_hcm"], votes=(10, [8, 7]))
    DelegateFactory(conference=hcm_upper, person=an, category=Category.OFFICIAL)
    client.force_login(users["officer_hcm"])
    page = client.get(url("election_detail", hcm_conf)).content.decode()
    assert "sẽ không được thêm lần nữa" in page
    response = client.post(
        url("election_confirm", hcm_conf), {"lock_version": election.lock_version}, follow=True
    )
    page = response.content.decode()
    assert page.count('data-testid="flagged"') == 1
    assert "đã là đại biểu của hội nghị cấp trên" in page
    assert Delegate.objects.filter(conference=hcm_upper).count() == 2


def test_candidate_outside_the_unit_cannot_be_added(client, users, tree, hcm_conf):
    election, _people = prepared(hcm_conf, users["officer_hcm"])
    other = PersonFactory(unit=tree.hcm_department)
    client.force_login(users["officer_hcm"])
    response = client.post(url("candidate_add", hcm_conf), {"person": other.pk})
    assert response.status_code == 404
    assert election.candidates.count() == 2


# -- Queries -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer_hcm", "council"])
def test_page_queries_do_not_grow_with_candidates(client, users, tree, tiers, hcm_upper, role):
    approve(hcm_upper, {tree.hcm_district: 3, tree.hcm_department: 3}, users["admin"])
    client.force_login(users[role])
    counts = []
    # The register beyond the candidates, every one with a title and a
    # mark: the officer's picker lists a page of it, whatever its size.
    for unit, size, register in ((tree.hcm_district, 5, 5), (tree.hcm_department, 50, 60)):
        conference = held(tiers[1], unit)
        prepared(
            conference, users["admin"], count=size, votes=(100, [60 + i % 40 for i in range(size)])
        )
        for person in PersonFactory.create_batch(register, unit=unit, good_solution=True):
            EmulationTitle.objects.create(person=person, year=2018, title="grassroots")
        client.get(url("election_detail", conference))  # warm caches (session, user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                url("election_detail", conference), {"title": "any", "mark": "good_solution"}
            )
        assert response.status_code == 200
        shown = response.content.decode().count('data-testid="picker-row"')
        assert shown == (min(register, 25) if role == "officer_hcm" else 0)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 20, counts


def test_closed_conference_still_shows_its_election(client, users, hcm_conf):
    prepared(hcm_conf, users["officer_hcm"], votes=(10, [7, 2]))
    Conference.objects.filter(pk=hcm_conf.pk).update(status=Conference.Status.CLOSED)
    client.force_login(users["council"])
    assert client.get(url("election_detail", hcm_conf)).status_code == 200


def test_count_explains_each_outcome(client, users, tree, hcm_upper, hcm_conf):
    approve(hcm_upper, {tree.hcm_district: 1}, users["admin"])
    prepared(hcm_conf, users["officer_hcm"], count=3, votes=(10, [9, 7, 3]))
    client.force_login(users["council"])
    page = client.get(url("election_detail", hcm_conf)).content.decode()
    assert ">Trúng cử</span>" in page
    assert "Quá ngưỡng, ngoài số được phân bổ" in page
    assert ">Không trúng cử</span>" in page and "cần ít nhất 6 phiếu" in page
    assert "quá 1/2 số phiếu hợp lệ" in page
    # Council members read the result; they do not record it.
    assert 'id="votes-form"' not in page and 'data-testid="confirm"' not in page


def test_candidates_in_vietnamese_name_order(client, users, tree, hcm_conf):
    officer = users["officer_hcm"]
    election = open_election(actor=officer, conference=hcm_conf)
    people = [
        PersonFactory(unit=tree.hcm_district, full_name=name)
        for name in ("Trần Văn An", "Nguyễn Thị Bình", "Lê Văn Ánh")
    ]
    set_candidates(actor=officer, election=election, persons=people)
    client.force_login(officer)
    page = client.get(url("election_detail", hcm_conf)).content.decode()
    positions = [page.index(name) for name in ("Trần Văn An", "Lê Văn Ánh", "Nguyễn Thị Bình")]
    assert positions == sorted(positions)


def test_every_bad_field_is_marked_at_once(client, users, hcm_conf):
    election, (an, binh) = prepared(hcm_conf, users["officer_hcm"])
    client.force_login(users["officer_hcm"])
    response = client.post(
        url("votes_record", hcm_conf),
        {
            "valid_ballots": 45,
            "threshold": "một nửa",
            "lock_version": election.lock_version,
            f"votes_{an.pk}": 50,
            f"votes_{binh.pk}": 30,
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nhập một phân số" in page
    assert "Số phiếu bầu (50) nhiều hơn số phiếu hợp lệ (45)" in page
    assert "Chưa lưu" in page


# -- Rounds on the page ------------------------------------------------------------------


def test_runoff_from_the_page_keeps_round_one(client, users, tree, hcm_upper, hcm_conf):
    approve(hcm_upper, {tree.hcm_district: 2}, users["admin"])
    election, (an, binh, chi) = prepared(hcm_conf, users["officer_hcm"], 3, (10, [9, 6, 6]))
    client.force_login(users["officer_hcm"])
    page = client.get(url("election_detail", hcm_conf)).content.decode()
    assert 'data-testid="open-runoff"' in page and 'data-testid="confirm"' not in page
    assert 'data-testid="runoff-rule"' in page
    response = client.post(url("runoff_open", hcm_conf), {"lock_version": election.lock_version})
    assert response.status_code == 302
    election.refresh_from_db()
    response = client.post(
        url("votes_record", hcm_conf),
        {
            "ballots_issued": 10,
            "ballots_returned": 10,
            "valid_ballots": 9,
            "invalid_ballots": 1,
            "threshold": "1/2",
            "lock_version": election.lock_version,
            f"votes_{binh.pk}": 3,
            f"votes_{chi.pk}": 6,
        },
    )
    assert response.status_code == 302
    page = client.get(url("election_detail", hcm_conf)).content.decode()
    assert page.count('data-testid="round"') == 2
    assert 'data-round="1"' in page and 'data-round="2"' in page
    assert votes_of(election, 1) == {an.pk: 9, binh.pk: 6, chi.pk: 6}
    assert 'data-testid="confirm"' in page


def test_ballots_above_those_present_are_told_on_the_field(client, users, hcm_conf):
    election, (an, binh) = prepared(hcm_conf, users["officer_hcm"])
    client.force_login(users["officer_hcm"])
    response = client.post(
        url("votes_record", hcm_conf),
        {
            "summoned": 45,
            "present": 38,
            "ballots_issued": 39,
            "ballots_returned": 39,
            "valid_ballots": 39,
            "invalid_ballots": 0,
            "threshold": "1/2",
            "lock_version": election.lock_version,
            f"votes_{an.pk}": 30,
            f"votes_{binh.pk}": 12,
        },
    )
    assert response.status_code == 400
    form = response.context["votes_form"]
    assert "ballots_issued" in form.errors and "38" in form.errors["ballots_issued"][0]
    page = response.content.decode()
    assert 'value="39"' in page and 'value="38"' in page and 'value="30"' in page
    assert ElectionRound.objects.get(election=election).valid_ballots == 0


@pytest.mark.parametrize("role", ["officer_hcm", "council"])
def test_page_queries_do_not_grow_with_rounds(client, users, tree, tiers, hcm_upper, role):
    approve(hcm_upper, {tree.hcm_district: 2, tree.hcm_department: 2}, users["admin"])
    client.force_login(users[role])
    counts = []
    # Both pages with a run-off under way: while round 1 is the latest the
    # page also shows the candidate picker (its own guard is below).
    for unit, runoffs in ((tree.hcm_district, 1), (tree.hcm_department, 3)):
        conference = held(tiers[1], unit)
        election, people = prepared(
            conference, users["admin"], count=6, votes=(100, [90, 70, 70, 70, 10, 5])
        )
        for _ in range(runoffs):
            open_runoff(actor=users["admin"], election=election)
            election.refresh_from_db()
            record_votes(
                actor=users["admin"],
                election=election,
                valid_ballots=100,
                votes={p.pk: 60 for p in people[1:4]},
                expected_lock_version=election.lock_version,
            )
            election.refresh_from_db()
        client.get(url("election_detail", conference))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("election_detail", conference))
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="round"') == runoffs + 1
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
