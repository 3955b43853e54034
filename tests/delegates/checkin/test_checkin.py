"""Check-in at the door: once and only once, codes of another conference
refused, typed codes forgiven their case, spaces and dashes, the QR's URL
shown before it is confirmed, the name search, the counts, and who may
check in or take a check-in back."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from congress.models import Conference
from delegates import checkin_codes
from delegates.models import Category, Delegate, Person, Rank
from delegates.selectors import checkin as checkin_selectors
from delegates.selectors.checkin import Outcome
from delegates.services import checkin as checkin_services
from tests.congress.documents_support import ROLES, expected_view_status
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def official(conference, unit, name, **fields):
    return DelegateFactory(
        conference=conference,
        category=Category.OFFICIAL,
        person=PersonFactory(unit=unit, full_name=name, position="Phó Giám đốc", **fields),
    )


def guest(conference, name, **fields):
    return DelegateFactory(
        conference=conference, category=Category.GUEST, person=None, guest_name=name, **fields
    )


def with_code(delegate, code):
    Delegate.objects.filter(pk=delegate.pk).update(check_in_code=code)
    delegate.refresh_from_db()
    return delegate


def page_url(conference, **params):
    url = reverse("delegates:check_in", args=[conference.pk])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def today_at(hour, minute):
    """An aware moment today, at ``hour:minute`` in Vietnam."""
    day = timezone.localdate()
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=VIETNAM)


@pytest.fixture
def an(tree, hcm_upper):
    return with_code(official(hcm_upper, tree.hcm, "Nguyễn Văn An"), "ABCD23")


@pytest.fixture
def hanoi_delegate(tree, hanoi_upper):
    return with_code(official(hanoi_upper, tree.hanoi, "Trần Văn Hà"), "HNHN23")


# -- Once and only once ---------------------------------------------------------


def test_check_in_once_then_again_says_when(users, hcm_upper, an):
    first = checkin_services.check_in(
        conference=hcm_upper, code="ABCD23", user=users["printer_hcm"]
    )
    assert first.outcome == Outcome.CHECKED_IN
    assert first.delegate.pk == an.pk
    an.refresh_from_db()
    assert an.checked_in_at is not None and an.checked_in_by == users["printer_hcm"]
    at = an.checked_in_at

    second = checkin_services.check_in(
        conference=hcm_upper, code="ABCD23", user=users["officer_hcm"]
    )
    assert second.outcome == Outcome.ALREADY
    assert second.checked_in_at == at
    assert second.time_label == timezone.localtime(at).strftime("%H:%M")
    assert second.checked_in_by == users["printer_hcm"].get_full_name()
    an.refresh_from_db()
    assert an.checked_in_at == at and an.checked_in_by == users["printer_hcm"]


def test_already_checked_in_shows_the_local_time(client, users, hcm_upper, an):
    # 01:05 UTC is 08:05 in Hồ Chí Minh City.
    moment = today_at(8, 5).astimezone(datetime.UTC)
    Delegate.objects.filter(pk=an.pk).update(checked_in_at=moment, checked_in_by=users["admin"])
    client.force_login(users["printer_hcm"])
    response = client.post(page_url(hcm_upper), {"action": "code", "code": "abcd23"}, follow=True)
    result = response.context["result"]
    assert result.outcome == Outcome.ALREADY
    assert result.time_label == "08:05"
    assert 'data-outcome="already"' in response.text and "08:05" in response.text
    an.refresh_from_db()
    assert an.checked_in_at == moment and an.checked_in_by == users["admin"]


def test_a_check_in_of_an_earlier_day_gives_the_date(users, hcm_upper, an):
    moment = today_at(7, 30) - datetime.timedelta(days=1)
    Delegate.objects.filter(pk=an.pk).update(checked_in_at=moment)
    result = checkin_services.check_in(conference=hcm_upper, code="ABCD23", user=users["admin"])
    assert result.time_label == moment.astimezone(VIETNAM).strftime("07:30 %d/%m/%Y")


@pytest.mark.django_db(transaction=True)
def test_two_phones_scanning_at_once_cannot_both_win(users, hcm_upper, an):
    barrier = threading.Barrier(2)
    results = []

    def scan(user):
        try:
            barrier.wait(timeout=10)
            results.append(
                checkin_services.check_in(conference=hcm_upper, code="ABCD23", user=user)
            )
        finally:
            connection.close()

    phones = [
        threading.Thread(target=scan, args=(users[name],))
        for name in ("printer_hcm", "officer_hcm")
    ]
    for phone in phones:
        phone.start()
    for phone in phones:
        phone.join(timeout=20)
    assert sorted(result.outcome for result in results) == [Outcome.ALREADY, Outcome.CHECKED_IN]
    winner = next(result for result in results if result.outcome == Outcome.CHECKED_IN)
    loser = next(result for result in results if result.outcome == Outcome.ALREADY)
    an.refresh_from_db()
    assert an.checked_in_at == winner.checked_in_at == loser.checked_in_at


def test_checking_in_by_name_is_once_too(users, hcm_upper, an):
    user = users["printer_hcm"]
    first = checkin_services.check_in_delegate(conference=hcm_upper, delegate_pk=an.pk, user=user)
    second = checkin_services.check_in_delegate(conference=hcm_upper, delegate_pk=an.pk, user=user)
    assert (first.outcome, second.outcome) == (Outcome.CHECKED_IN, Outcome.ALREADY)
    assert second.checked_in_at == first.checked_in_at
    # The code then finds them present as well.
    third = checkin_services.check_in(conference=hcm_upper, code=an.check_in_code, user=user)
    assert third.outcome == Outcome.ALREADY and third.checked_in_at == first.checked_in_at


# -- Codes of another conference, unknown codes, typing ---------------------------


def test_a_code_of_another_conference_is_refused(client, users, hcm_upper, an, hanoi_delegate):
    result = checkin_services.check_in(
        conference=hcm_upper, code="HNHN23", user=users["officer_hcm"]
    )
    assert result.outcome == Outcome.FOREIGN
    assert result.delegate is None  # nothing of Hà Nội's delegate is shown
    assert result.other_conference == ""  # HCMC's officer may not see Hà Nội
    assert Delegate.objects.filter(checked_in_at__isnull=False).count() == 0

    client.force_login(users["printer_hcm"])
    response = client.post(page_url(hcm_upper), {"code": "hnhn23"}, follow=True)
    assert 'data-outcome="foreign"' in response.text
    assert "Trần Văn Hà" not in response.text
    assert Delegate.objects.filter(checked_in_at__isnull=False).count() == 0


def test_a_code_of_another_conference_names_it_to_who_may_see_it(
    users, hcm_upper, hanoi_upper, hanoi_delegate
):
    result = checkin_services.check_in(conference=hcm_upper, code="HNHN23", user=users["council"])
    assert result.outcome == Outcome.FOREIGN
    assert "BHXH TP. Hà Nội" in result.other_conference
    hanoi_delegate.refresh_from_db()
    assert hanoi_delegate.checked_in_at is None


@pytest.mark.parametrize("code", ["ZZZZZZ", "", "   ", "ABC", "0O1IL0", "ABCD23X"])
def test_an_unknown_code_changes_nothing(users, hcm_upper, an, code):
    result = checkin_services.check_in(conference=hcm_upper, code=code, user=users["printer_hcm"])
    assert result.outcome == Outcome.UNKNOWN
    assert result.delegate is None
    assert not Delegate.objects.filter(checked_in_at__isnull=False).exists()


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD23",
        " abcd23 ",
        "abc-d23",
        "AB CD 23",
        "ab–cd–23",  # en dashes, as a phone's keyboard may put them
        "https://dai-hoi.example/conferences/7/delegates/check-in/?code=abcd23",
        "?code=ABCD23",
    ],
)
def test_typed_codes_are_normalised(users, hcm_upper, an, typed):
    assert checkin_codes.normalise_code(typed) == "ABCD23"
    result = checkin_services.check_in(conference=hcm_upper, code=typed, user=users["printer_hcm"])
    assert result.outcome == Outcome.CHECKED_IN and result.delegate.pk == an.pk


# -- The page ---------------------------------------------------------------------


def test_opening_the_qr_url_shows_the_delegate_and_changes_nothing(client, users, hcm_upper, an):
    client.force_login(users["printer_hcm"])
    # The URL printed in the QR code: absolute, the code as printed.
    response = client.get(f"http://testserver{page_url(hcm_upper, code='ABCD23')}")
    assert response.status_code == 200
    pending = response.context["pending"]
    assert pending.outcome == Outcome.READY and pending.delegate.pk == an.pk
    assert "Nguyễn Văn An" in response.text and "Phó Giám đốc" in response.text
    assert 'data-testid="confirm"' in response.text
    an.refresh_from_db()
    assert an.checked_in_at is None

    response = client.post(page_url(hcm_upper), {"action": "code", "code": "ABCD23"})
    assert response.status_code == 302 and response["Location"] == page_url(hcm_upper)
    an.refresh_from_db()
    assert an.checked_in_at is not None
    response = client.get(response["Location"])
    assert response.context["result"].outcome == Outcome.CHECKED_IN
    assert 'data-outcome="checked_in"' in response.text and "Nguyễn Văn An" in response.text
    # Shown once: a reload does not show it again, nor check in again.
    assert client.get(page_url(hcm_upper)).context["result"] is None


def test_opening_the_qr_url_of_a_present_delegate_says_when(client, users, hcm_upper, an):
    Delegate.objects.filter(pk=an.pk).update(checked_in_at=today_at(7, 45))
    client.force_login(users["printer_hcm"])
    response = client.get(page_url(hcm_upper, code="ABCD23"))
    assert response.context["pending"].outcome == Outcome.ALREADY
    assert "07:45" in response.text
    assert 'data-testid="confirm"' not in response.text


def test_the_code_input_suits_a_phone(client, users, hcm_upper):
    client.force_login(users["printer_hcm"])
    text = client.get(page_url(hcm_upper)).text
    for attribute in ('autocapitalize="characters"', 'inputmode="text"', "autofocus"):
        assert attribute in text
    assert 'id="check-in-scan"' in text and "js/checkin.js" in text


def test_the_name_search_ignores_diacritics(client, users, tree, hcm_upper, hanoi_upper, an):
    official(hcm_upper, tree.hcm, "Trần Thị Bình")
    present_guest = guest(hcm_upper, "Nguyễn Văn An", guest_organisation="UBND TP.HCM")
    Delegate.objects.filter(pk=present_guest.pk).update(checked_in_at=today_at(8, 0))
    official(hanoi_upper, tree.hanoi, "Nguyễn Văn An")  # another conference
    client.force_login(users["printer_hcm"])
    response = client.get(page_url(hcm_upper, q="nguyen van an"))
    found = response.context["found"]
    assert {delegate.pk for delegate in found} == {an.pk, present_guest.pk}
    # The present guest is marked, the other has a button.
    assert response.text.count('data-testid="present-button"') == 1
    assert response.text.count('data-testid="present"') == 1
    assert "08:00" in response.text

    response = client.post(page_url(hcm_upper), {"action": "delegate", "delegate": an.pk})
    assert response.status_code == 302
    an.refresh_from_db()
    assert an.checked_in_at is not None


def test_checking_in_a_delegate_of_another_conference_by_id_is_refused(
    client, users, hcm_upper, hanoi_delegate
):
    client.force_login(users["admin"])
    response = client.post(
        page_url(hcm_upper), {"action": "delegate", "delegate": hanoi_delegate.pk}, follow=True
    )
    assert response.context["result"].outcome == Outcome.UNKNOWN
    hanoi_delegate.refresh_from_db()
    assert hanoi_delegate.checked_in_at is None


def test_a_closed_conference_takes_no_check_in(client, users, hcm_upper, an):
    Conference.objects.filter(pk=hcm_upper.pk).update(
        status=Conference.Status.CLOSED, held_on=hcm_upper.date, actual_attendance=250
    )
    hcm_upper.refresh_from_db()
    with pytest.raises(ValidationError):
        checkin_services.check_in(conference=hcm_upper, code="ABCD23", user=users["admin"])
    client.force_login(users["officer_hcm"])
    client.post(page_url(hcm_upper), {"code": "ABCD23"})
    an.refresh_from_db()
    assert an.checked_in_at is None
    assert 'data-testid="code-form"' not in client.get(page_url(hcm_upper)).text


# -- Counts and the attendance ------------------------------------------------------


@pytest.fixture
def mixed(tree, tiers, hcm_upper, hanoi_upper):
    """HCMC: 2 guests (1 present), 3 officials (2 present), 1 elected
    (absent); Hà Nội: one present delegate, not counted for HCMC."""
    district = ConferenceFactory(tier=tiers[1], unit=tree.hcm_district)
    guests = [guest(hcm_upper, "Khách Một"), guest(hcm_upper, "Khách Hai")]
    officials = [
        official(hcm_upper, tree.hcm, name, rank=rank)
        for name, rank in (
            ("Lê Văn Phúc", Rank.STAFF),
            ("Đỗ Thị Bình", Rank.HEAD),
            ("Võ Văn Cường", Rank.DEPUTY_HEAD),
        )
    ]
    elected = DelegateFactory(
        conference=hcm_upper,
        category=Category.ELECTED,
        person=PersonFactory(unit=tree.hcm_district, full_name="Ngô Thị Ánh"),
        elected_at=district,
        unit=tree.hcm_district,
    )
    other = official(hanoi_upper, tree.hanoi, "Trần Văn Hà")
    present = [guests[0], officials[0], officials[1], other]
    Delegate.objects.filter(pk__in=[d.pk for d in present]).update(checked_in_at=timezone.now())
    return {"guests": guests, "officials": officials, "elected": elected}


def test_counts_by_category(client, users, hcm_upper, mixed):
    counts = checkin_selectors.attendance_counts(hcm_upper)
    assert [(c.category, c.present, c.expected) for c in counts.categories] == [
        (Category.GUEST, 1, 2),
        (Category.OFFICIAL, 2, 3),
        (Category.ELECTED, 0, 1),
    ]
    assert (counts.present, counts.expected, counts.absent, counts.percent) == (3, 6, 3, 50)

    client.force_login(users["printer_hcm"])
    response = client.get(reverse("delegates:check_in_counts", args=[hcm_upper.pk]))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    text = " ".join(response.text.split())
    assert 'data-testid="count-total">3<span class="fw-normal opacity-75">/6' in text
    assert 'data-testid="count-official">2<span class="fw-normal text-body-secondary">/3' in text


def bulk_delegates(conference, unit, count, actor):
    people = Person.objects.bulk_create(
        [
            Person(
                unit=unit,
                full_name=f"Nguyễn Văn Thử {n:03d}",
                search_name=f"nguyen van thu {n:03d}",
                gender="male",
                birth_year=1970 + n % 30,
            )
            for n in range(count)
        ]
    )
    delegates = Delegate.objects.bulk_create(
        [
            Delegate(
                conference=conference,
                category=Category.OFFICIAL,
                person=p,
                unit=unit,
                added_by=actor,
                checked_in_at=timezone.now() if n % 2 else None,
            )
            for n, p in enumerate(people)
        ]
    )
    return delegates


def test_queries_do_not_grow_with_the_delegates(
    client, tree, users, hcm_upper, django_assert_max_num_queries
):
    first = bulk_delegates(hcm_upper, tree.hcm, 1, users["admin"])[0]
    client.force_login(users["officer_hcm"])
    page = page_url(hcm_upper, code=first.check_in_code, q="nguyen van thu")
    counts = reverse("delegates:check_in_counts", args=[hcm_upper.pk])

    def after_check_in():
        client.post(page_url(hcm_upper), {"code": "ZZZZZZ"})
        return client.get(page)

    after_check_in()
    client.get(counts)
    with CaptureQueriesContext(connection) as few_page:
        assert after_check_in().status_code == 200
    with CaptureQueriesContext(connection) as few_counts:
        client.get(counts)
    aggregates = [q for q in few_counts.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(aggregates) == 1  # ONE aggregate query for all the counts

    bulk_delegates(hcm_upper, tree.hcm, 400, users["admin"])
    with django_assert_max_num_queries(len(few_page.captured_queries)):
        response = after_check_in()
    assert len(response.context["found"]) == checkin_selectors.SEARCH_LIMIT
    assert response.context["more_found"]
    assert response.context["counts"].expected == 401
    with django_assert_max_num_queries(len(few_counts.captured_queries)):
        assert client.get(counts).status_code == 200


# -- Who may do what ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("province", ["hcm", "hanoi"])
@pytest.mark.parametrize("name", ["delegates:check_in", "delegates:check_in_counts"])
def test_who_may_open_the_page(client, users, hcm_upper, hanoi_upper, role, province, name):
    conference = {"hcm": hcm_upper, "hanoi": hanoi_upper}[province]
    client.force_login(users[role])
    response = client.get(reverse(name, args=[conference.pk]))
    # Every role that sees a conference may print for it, so may check in.
    assert response.status_code == expected_view_status(role, province)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("printer_hcm", 302),
        ("officer_hcm", 302),
        ("council", 302),
        ("admin", 302),
        ("printer", 302),
        ("officer_hanoi", 404),
    ],
)
def test_who_may_check_in_on_hcmc_conference(client, users, hcm_upper, an, role, status):
    client.force_login(users[role])
    response = client.post(page_url(hcm_upper), {"code": "ABCD23"})
    assert response.status_code == status
    an.refresh_from_db()
    assert (an.checked_in_at is not None) == (status == 302)


def test_the_service_refuses_who_may_not_print(users, hcm_upper, an):
    with pytest.raises(PermissionDenied):
        checkin_services.check_in(conference=hcm_upper, code="ABCD23", user=users["officer_hanoi"])
    with pytest.raises(PermissionDenied):
        checkin_services.check_in_delegate(
            conference=hcm_upper, delegate_pk=an.pk, user=users["officer_hanoi"]
        )


def test_the_qr_url_sends_who_is_signed_out_to_log_in_and_back(client, hcm_upper, an):
    url = page_url(hcm_upper, code="ABCD23")
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "code%3DABCD23" in response["Location"]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("officer_hcm", True),
        ("admin", True),
        ("printer_hcm", False),
        ("council", False),
        ("printer", False),
    ],
)
def test_only_who_may_change_takes_a_check_in_back(client, users, hcm_upper, an, role, allowed):
    checkin_services.check_in(conference=hcm_upper, code="ABCD23", user=users["printer_hcm"])
    if allowed:
        undone = checkin_services.undo_check_in(
            conference=hcm_upper, delegate_pk=an.pk, user=users[role]
        )
        assert undone is not None and undone.checked_in_at is None
    else:
        with pytest.raises(PermissionDenied):
            checkin_services.undo_check_in(
                conference=hcm_upper, delegate_pk=an.pk, user=users[role]
            )
    an.refresh_from_db()
    assert (an.checked_in_at is None) == allowed


@pytest.mark.parametrize(("role", "status"), [("officer_hcm", 302), ("printer_hcm", 403)])
def test_taking_back_on_the_page(client, users, hcm_upper, an, role, status):
    client.force_login(users[role])
    client.post(page_url(hcm_upper), {"code": "ABCD23"})
    response = client.get(page_url(hcm_upper))
    assert ('data-testid="undo"' in response.text) == (status == 302)
    response = client.post(page_url(hcm_upper), {"action": "undo", "delegate": an.pk})
    assert response.status_code == status
    an.refresh_from_db()
    assert (an.checked_in_at is None) == (status == 302)
    # Checked in again after the mistake is undone.
    if status == 302:
        again = checkin_services.check_in(conference=hcm_upper, code="ABCD23", user=users[role])
        assert again.outcome == Outcome.CHECKED_IN


def test_undo_of_a_delegate_of_another_conference_is_not_found(
    client, users, hcm_upper, hanoi_delegate
):
    Delegate.objects.filter(pk=hanoi_delegate.pk).update(checked_in_at=timezone.now())
    client.force_login(users["admin"])
    response = client.post(page_url(hcm_upper), {"action": "undo", "delegate": hanoi_delegate.pk})
    assert response.status_code == 404
    hanoi_delegate.refresh_from_db()
    assert hanoi_delegate.checked_in_at is not None


def test_the_delegate_list_links_to_the_check_in(client, users, hcm_upper):
    client.force_login(users["printer_hcm"])  # the staff at the door
    response = client.get(reverse("delegates:delegate_list", args=[hcm_upper.pk]))
    assert page_url(hcm_upper) in response.text


# -- In a real browser: the polled counts, the camera where it reads QR codes ----

# A browser that reads QR codes by itself (Chrome on Android): its detector
# and camera are stood in for, as Debian's headless Chromium has neither.
FAKE_QR_READER = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code", "ean_13"]); }
  detect() { return Promise.resolve([{ rawValue: window.__qr }]); }
};
navigator.mediaDevices.getUserMedia = () => {
  const canvas = document.createElement("canvas");
  canvas.getContext("2d").fillRect(0, 0, 10, 10);
  return Promise.resolve(canvas.captureStream());
};
"""


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_camera_reads_the_qr_code_and_checks_in(page, live_server, users, hcm_upper, an):
    from playwright.sync_api import expect

    url = f"{live_server.url}{page_url(hcm_upper)}"
    page.add_init_script(f"window.__qr = {url + '?code=ABCD23'!r};" + FAKE_QR_READER)
    log_in(page, live_server, "printer-hcm")
    page.goto(url)
    page.locator("#check-in-scan").click()
    expect(page.get_by_test_id("check-in-result")).to_have_attribute("data-outcome", "checked_in")
    expect(page.get_by_test_id("check-in-result")).to_contain_text("Nguyễn Văn An")
    an.refresh_from_db()
    assert an.checked_in_at is not None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_a_qr_reader_the_scan_button_stays_hidden(page, live_server, users, hcm_upper):
    from playwright.sync_api import expect

    log_in(page, live_server, "printer-hcm")
    page.goto(f"{live_server.url}{page_url(hcm_upper)}")
    expect(page.locator("#check-in-code")).to_be_focused()
    expect(page.locator("#check-in-scan")).to_be_hidden()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_counts_refresh_by_themselves(page, live_server, users, hcm_upper, an):
    from playwright.sync_api import expect

    page.clock.install()
    log_in(page, live_server, "printer-hcm")
    page.goto(f"{live_server.url}{page_url(hcm_upper)}")
    expect(page.get_by_test_id("count-total")).to_have_text("0/1")
    # Another phone checks An in.
    checkin_services.check_in(conference=hcm_upper, code="ABCD23", user=users["officer_hcm"])
    page.clock.run_for(6000)
    expect(page.get_by_test_id("count-total")).to_have_text("1/1")


def test_the_page_offers_the_attendance_list_afterwards(
    client, users, hcm_upper, an, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["printer_hcm"])
    page = client.get(reverse("delegates:check_in", args=[hcm_upper.pk])).content.decode()
    assert 'data-testid="ask-attendance_pdf"' in page
    assert 'data-testid="ask-attendance_xlsx"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:job_create"),
            {"exporter": "attendance_xlsx", "conference": hcm_upper.pk},
        )
    from reports.models import DocumentJob

    job = DocumentJob.objects.get(exporter="attendance_xlsx")
    assert job.status == DocumentJob.Status.DONE and job.result.filename.endswith(".xlsx")
