"""In a real browser: Quận 1's election is confirmed and nobody is next in
line when An cannot attend. officer-hcm opens a further round for An's
seat among two candidates, records it, finds a tie, opens another for the
same seat with the tied ticked, records it and seats the elected."""

import datetime
import os

import pytest
from playwright.sync_api import expect

from congress.models import Conference
from delegates.models import Category, Delegate
from delegates.services.elections import confirm_election, open_election
from tests.congress.conftest import tiers  # noqa: F401 - fixture
from tests.delegates.elections.test_elections import approve, vote
from tests.factories import ConferenceFactory, PersonFactory

pytestmark = pytest.mark.browser

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Thị Chi", "Phạm Văn Dung", "Hoàng Thị Em"]
# Where to keep screenshots of the journey, if set.
LOOK_DIR = os.environ.get("LOOK_DIR", "")


@pytest.fixture
def confirmed(transactional_db, tree, tiers, users):  # noqa: F811
    """An (30) and Bình (25) hold Quận 1's two seats at HCMC's; Chi,
    Dung and Em are below the threshold (21 of 40)."""
    conference = ConferenceFactory(
        tier=tiers[1],
        unit=tree.hcm_district,
        status=Conference.Status.HELD,
        held_on=datetime.date(2020, 1, 10),
        expected_attendance=45,
        actual_attendance=40,
    )
    upper = ConferenceFactory(tier=tiers[2], unit=tree.hcm, status=Conference.Status.ACCEPTED)
    approve(upper, {tree.hcm_district: 2}, users["admin"])
    officer = users["officer_hcm"]
    election = open_election(actor=officer, conference=conference)
    people = [PersonFactory(unit=tree.hcm_district, full_name=name) for name in NAMES]
    from delegates.services.elections import set_candidates

    set_candidates(actor=officer, election=election, persons=people)
    vote(election, officer, 40, dict(zip(people, [30, 25, 15, 12, 10], strict=True)))
    election.refresh_from_db()
    confirm_election(actor=officer, election=election)
    return conference, upper, people


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def shot(page, name):
    if LOOK_DIR:
        page.screenshot(path=f"{LOOK_DIR}/{name}.png", full_page=True)


def record(card, valid, votes):
    """Fill the votes form of a further round's card and save it."""
    for name in ("ballots_issued", "ballots_returned", "valid_ballots"):
        card.locator(f'#votes-form [name="{name}"]').fill(str(valid))
    card.locator('#votes-form [name="invalid_ballots"]').fill("0")
    for person, count in votes.items():
        card.get_by_label(f"Số phiếu của {person.full_name}").fill(str(count))
    card.locator("#votes-form").get_by_role("button", name="Lưu số phiếu").click()


def accept(page):
    """The confirmation dialog of what cannot be undone: confirmed."""
    expect(page.get_by_test_id("confirm-dialog-ok")).to_be_visible()
    page.get_by_test_id("confirm-dialog-ok").click()


def test_a_further_round_a_tie_another_and_the_seat(page, live_server, confirmed):
    conference, upper, (an, binh, chi, dung, em) = confirmed
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "officer-hcm")
    page.goto(f"{live_server.url}/conferences/{conference.pk}/election/")
    # An's row (Bình's names An too: his form may also fill An's seat).
    row = page.get_by_test_id("winner").first
    expect(row.locator("td").first).to_have_text(an.full_name)
    row.locator("summary").click()
    form = row.get_by_test_id("further-open")
    expect(form.get_by_test_id("successor")).to_be_visible()
    form.locator('textarea[name="reason"]').fill("Đi công tác nước ngoài")
    form.get_by_label(chi.full_name).check()
    form.get_by_label(dung.full_name).check()
    shot(page, "further-open-form")
    form.get_by_test_id("further-open-submit").click()
    accept(page)
    card = page.get_by_test_id("further-round")
    expect(card).to_have_count(1)
    expect(page.get_by_test_id("awaiting")).to_be_visible()
    # The delegates present and the committee are carried from round 1.
    expect(card.get_by_label(f"Số phiếu của {em.full_name}")).to_have_count(0)
    shot(page, "further-open")
    record(card, 30, {chi: 20, dung: 20})
    expect(card.get_by_test_id("tie")).to_be_visible()
    retry = card.get_by_test_id("further-retry")
    expect(retry.get_by_label(chi.full_name)).to_be_checked()
    expect(retry.get_by_label(dung.full_name)).to_be_checked()
    expect(retry.get_by_label(em.full_name)).not_to_be_checked()
    shot(page, "further-tie")
    retry.get_by_test_id("further-retry-submit").click()
    accept(page)
    expect(page.get_by_test_id("further-round")).to_have_count(2)
    latest = page.locator("#round-3")
    record(latest, 30, {chi: 12, dung: 17})
    expect(latest.get_by_test_id("seat")).to_be_visible()
    shot(page, "further-counted")
    latest.get_by_test_id("seat").click()
    accept(page)
    expect(page.get_by_test_id("further-outcome")).to_be_visible()
    shot(page, "further-seated")
    elected = Delegate.objects.filter(conference=upper, category=Category.ELECTED)
    assert {d.person.full_name for d in elected} == {binh.full_name, dung.full_name}


def test_a_seat_the_further_round_leaves_empty(page, live_server, confirmed, users):
    """A further round for An's and Bình's seats elects Chi only: the page
    says before seating whose seat stays empty, and after it who left."""
    from delegates.services.elections import record_votes
    from delegates.services.replacements import open_further_round

    conference, upper, (an, binh, chi, dung, _em) = confirmed
    officer = users["officer_hcm"]
    election = conference.election
    open_further_round(
        actor=officer,
        election=election,
        persons=[an, binh],
        reason="Chuyển công tác",
        candidates=[chi, dung],
    )
    election.refresh_from_db()
    record_votes(
        actor=officer,
        election=election,
        valid_ballots=30,
        votes={chi.pk: 20, dung.pk: 9},
        expected_lock_version=election.lock_version,
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "officer-hcm")
    page.goto(f"{live_server.url}/conferences/{conference.pk}/election/#round-2")
    preview = page.get_by_test_id("seat-preview").get_by_role("listitem")
    expect(preview).to_have_count(2)
    expect(preview.first).to_contain_text(chi.full_name)
    expect(preview.last).to_contain_text(binh.full_name)
    shot(page, "further-two-seats-counted")
    page.get_by_test_id("seat").click()
    accept(page)
    expect(page.get_by_test_id("left-empty")).to_have_count(1)
    expect(page.get_by_test_id("seat-left-empty")).to_contain_text(binh.full_name)
    shot(page, "further-two-seats-seated")
    elected = Delegate.objects.filter(conference=upper, category=Category.ELECTED)
    assert {d.person.full_name for d in elected} == {chi.full_name}
