"""In a real browser, with the keyboard only: submitting a conference and
confirming an election ask first in a dialog that says what will follow;
Escape (or "Cancel") changes nothing, Tab stays in the dialog, Enter on
"Confirm" submits; the council's reason typed in the form is kept."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from congress.models import Conference
from congress.services import CONFERENCE_WORKFLOW
from delegates.models import Election
from delegates.services.elections import ELECTION_WORKFLOW
from tests.congress.conftest import tiers  # noqa: F401 - fixture
from tests.delegates.elections.test_election_views import prepared
from tests.delegates.elections.test_elections import approve, held
from tests.factories import ConferenceFactory

pytestmark = pytest.mark.browser


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def tab_to(page, target, *, limit=120):
    """Press Tab until ``target`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError("Tab never reached the button")


def shown(text) -> str:
    """What the page says: the interface's language (the catalogue may or
    may not be compiled where the test runs)."""
    with translation.override("vi"):
        return str(text)


def dialog_parts(page):
    dialog = page.locator("#confirm-dialog")
    return (
        dialog,
        dialog.get_by_test_id("confirm-dialog-cancel"),
        dialog.get_by_test_id("confirm-dialog-ok"),
    )


@pytest.fixture
def draft(transactional_db, tree, tiers, users):  # noqa: F811
    return ConferenceFactory(tier=tiers[1], unit=tree.hcm_district)


@pytest.fixture
def submitted(transactional_db, tree, tiers, users):  # noqa: F811
    return ConferenceFactory(
        tier=tiers[1], unit=tree.hcm_district, status=Conference.Status.SUBMITTED
    )


@pytest.fixture
def election(transactional_db, tree, tiers, users):  # noqa: F811
    """A district's election with two candidates and their votes, its unit's
    two seats approved: ready to be confirmed."""
    upper = ConferenceFactory(tier=tiers[2], unit=tree.hcm, status=Conference.Status.ACCEPTED)
    district = held(tiers[1], tree.hcm_district)
    approve(upper, {tree.hcm_district: 2}, users["admin"])
    election, _people = prepared(district, users["admin"], count=2, votes=(30, [25, 20]))
    return election


def test_submit_a_conference_with_the_keyboard(page, live_server, draft):
    conference = draft
    log_in(page, live_server, "officer-hcm")
    page.goto(f"{live_server.url}{conference.get_absolute_url()}")
    submit = page.get_by_role("button", name="Gửi Hội đồng TĐKT duyệt")
    dialog, cancel, ok = dialog_parts(page)

    tab_to(page, submit)
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(shown(CONFERENCE_WORKFLOW.moves["submit"].confirm))
    expect(cancel).to_be_focused()
    # Tab and Shift+Tab go round the dialog's two buttons.
    page.keyboard.press("Tab")
    expect(ok).to_be_focused()
    page.keyboard.press("Tab")
    expect(cancel).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(ok).to_be_focused()
    # Escape: nothing sent, the focus back on the button.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(submit).to_be_focused()
    conference.refresh_from_db()
    assert conference.status == Conference.Status.DRAFT
    # Cancel with Enter: nothing sent either.
    page.keyboard.press("Enter")
    expect(cancel).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    conference.refresh_from_db()
    assert conference.status == Conference.Status.DRAFT

    page.keyboard.press("Enter")
    expect(cancel).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("actions")).to_contain_text("Đang chờ Hội đồng")
    conference.refresh_from_db()
    assert conference.status == Conference.Status.SUBMITTED


def test_return_keeps_the_reason(page, live_server, submitted):
    conference = submitted
    log_in(page, live_server, "council")
    page.goto(f"{live_server.url}{conference.get_absolute_url()}")
    reason = page.get_by_label("Lý do")
    dialog, _cancel, _ok = dialog_parts(page)
    tab_to(page, reason)
    page.keyboard.type("Số người dự kiến 4.000 vượt quân số.")
    page.keyboard.press("Tab")  # to the return button
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Số người dự kiến 4.000 vượt quân số.")
    page.keyboard.press("Escape")
    expect(reason).to_have_value("Số người dự kiến 4.000 vượt quân số.")
    conference.refresh_from_db()
    assert conference.status == Conference.Status.SUBMITTED
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    # Returned: the council has nothing more to do on the draft.
    expect(reason).to_have_count(0)
    conference.refresh_from_db()
    assert conference.status == Conference.Status.DRAFT
    assert conference.transitions.get(action="return").reason == (
        "Số người dự kiến 4.000 vượt quân số."
    )


def test_confirm_an_election_with_the_keyboard(page, live_server, election):
    district = election.conference
    log_in(page, live_server, "officer-hcm")
    page.goto(f"{live_server.url}/conferences/{district.pk}/election/")
    button = page.get_by_test_id("confirm")
    dialog, cancel, ok = dialog_parts(page)

    tab_to(page, button)
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(shown(ELECTION_WORKFLOW.moves["confirm"].confirm))
    expect(cancel).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    election.refresh_from_db()
    assert election.status == Election.Status.DRAFT

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(ok).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("confirmed")).to_be_visible()
    election.refresh_from_db()
    assert election.status == Election.Status.CONFIRMED
