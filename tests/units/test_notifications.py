"""Notices: one per event and recipient, in the app and by mail (once,
also when the mail task is delivered twice or run by a real worker), the
e-mail switch, the bell's count in one query, the notices page (own
notices only, opened = read, mark all read), and the recipients
(the council; every officer whose scope covers the unit)."""

import time

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from congress import services
from congress.models import Conference
from tests.congress.conftest import tiers  # noqa: F401 - re-exported fixture
from tests.factories import ConferenceFactory, UserFactory
from units.models import Notification, Role, SentMessage
from units.notifications import notify
from units.permissions import officers_covering
from units.tasks import send_notice_mail

pytestmark = pytest.mark.django_db
S = Conference.Status


@pytest.fixture
def district_conference(tree, tiers):  # noqa: F811
    """BHXH Quận 1's grassroots conference, a draft."""
    return ConferenceFactory(tier=tiers[1], unit=tree.hcm_district)


@pytest.fixture
def officer_q1(tree):
    return UserFactory(role=Role.OFFICER, unit=tree.hcm_district, username="officer-q1")


def submit(conference, actor):
    conference.refresh_from_db()
    return services.transition_conference(actor=actor, conference=conference, name="submit")


def give_back(conference, actor, reason="Số người dự kiến không đúng: đơn vị có 33 người."):
    conference.refresh_from_db()
    return services.transition_conference(
        actor=actor, conference=conference, name="return", reason=reason
    )


# -- Who is told -------------------------------------------------------------------


def test_officers_covering_a_unit_are_those_of_it_and_above(tree, users, officer_q1):
    UserFactory(role=Role.OFFICER, unit=tree.hcm, username="gone", is_active=False)
    UserFactory(role=Role.PRINTER, unit=tree.hcm, username="printer-2")
    assert officers_covering(tree.hcm_district) == [users["officer_hcm"], officer_q1]
    assert officers_covering(tree.hcm) == [users["officer_hcm"]]
    assert officers_covering(tree.hanoi_district) == [users["officer_hanoi"]]


def test_officers_covering_follow_their_unit_into_the_newer_hierarchy(tree, users, reform):
    # officer-hcm, on HCMC of 2019, acts on the 2025 grassroots office that
    # took Quận 1 over; officer-hanoi does not.
    assert officers_covering(reform.hcm_office) == [users["officer_hcm"]]


def test_submitting_tells_the_council_in_the_app_and_by_mail(
    tree, users, district_conference, officer_q1, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit(district_conference, officer_q1)
    assert len(callbacks) == 1  # one mail task, queued after the commit
    notice = Notification.objects.get()
    assert notice.recipient == users["council"]
    assert notice.kind == Notification.Kind.SUBMITTED
    assert notice.url == district_conference.get_absolute_url()
    with translation.override("vi"):
        assert notice.title == _("%(unit)s submitted its conference (%(tier)s) for review") % {
            "unit": "BHXH Quận 1",
            "tier": "Hội nghị điển hình tiên tiến cấp cơ sở",
        }
        subject = _("[Emulation Congress] %(title)s") % {"title": notice.title}
    assert notice.event_key.startswith(f"conference:{district_conference.pk}:submit:")
    [message] = mail.outbox
    assert message.to == [users["council"].email]
    assert message.subject == subject
    assert settings.SITE_URL.rstrip("/") + district_conference.get_absolute_url() in message.body
    assert "Kính gửi" in message.body


def test_a_return_tells_every_officer_of_the_unit_with_the_reason(
    tree, users, district_conference, officer_q1, django_capture_on_commit_callbacks
):
    UserFactory(role=Role.OFFICER, unit=tree.hcm, username="gone", is_active=False)
    submit(district_conference, officer_q1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        give_back(district_conference, users["council"])
    returned = Notification.objects.filter(kind=Notification.Kind.RETURNED)
    assert {n.recipient for n in returned} == {users["officer_hcm"], officer_q1}
    assert all("33 người" in n.body for n in returned)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [users["officer_hcm"].email, officer_q1.email]
    )
    assert all("33 người" in m.body for m in mail.outbox)


def test_the_one_who_moves_is_not_told_of_their_own_move(
    tree, users, district_conference, django_capture_on_commit_callbacks
):
    # The council member submits nothing, but accepts: only the officers hear.
    submit(district_conference, users["officer_hcm"])
    with django_capture_on_commit_callbacks(execute=True):
        district_conference.refresh_from_db()
        services.transition_conference(
            actor=users["council"], conference=district_conference, name="accept"
        )
    accepted = Notification.objects.filter(kind=Notification.Kind.ACCEPTED)
    assert [n.recipient for n in accepted] == [users["officer_hcm"]]
    assert not Notification.objects.filter(recipient=users["officer_hcm"], kind="submitted")


# -- Once ----------------------------------------------------------------------------


def test_notifying_one_event_twice_makes_one_notice_and_one_mail(
    users, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            notify(
                event_key="conference:1:submit:1",
                recipients=[users["council"], users["council"]],
                kind=Notification.Kind.SUBMITTED,
                title="Một sự kiện",
                url="/conferences/1/",
            )
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_mail_task_delivered_twice_mails_once(
    users, district_conference, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False):  # no task queued yet
        submit(district_conference, users["officer_hcm"])
    notice = Notification.objects.get()
    assert send_notice_mail(notice.event_key, users["council"].pk) is True
    assert send_notice_mail(notice.event_key, users["council"].pk) is False
    assert len(mail.outbox) == 1
    assert SentMessage.objects.filter(
        event_key=notice.event_key, recipient=users["council"]
    ).exists()


def test_a_mail_that_failed_is_sent_by_the_retry(users, monkeypatch):
    notify(
        event_key="plan:1:submitted",
        recipients=[users["council"]],
        kind=Notification.Kind.SUBMITTED,
        title="Kế hoạch",
    )
    mail.outbox.clear()

    def refuse(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(OSError):
        send_notice_mail.run("plan:1:submitted", users["council"].pk)
    monkeypatch.undo()
    assert send_notice_mail.run("plan:1:submitted", users["council"].pk) is True
    assert len(mail.outbox) == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_mails_each_recipient_once(users, district_conference, celery_worker):
    conference = district_conference
    mail.outbox.clear()
    submit(conference, users["officer_hcm"])  # committed: the worker takes the task
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    notice = Notification.objects.get()
    # The same task delivered again (a redelivery, a second sweep).
    send_notice_mail.delay(notice.event_key, users["council"].pk)
    send_notice_mail.delay(notice.event_key, users["council"].pk)
    time.sleep(2)
    assert [m.to for m in mail.outbox] == [[users["council"].email]]


# -- Mail off ----------------------------------------------------------------------


def test_mail_off_keeps_the_notice_but_sends_nothing(
    users, district_conference, django_capture_on_commit_callbacks
):
    council = users["council"]
    council.wants_mail = False
    council.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit(district_conference, users["officer_hcm"])
    assert Notification.objects.filter(recipient=council).count() == 1
    assert callbacks == []
    # A task already queued before the switch sends nothing either.
    assert send_notice_mail(Notification.objects.get().event_key, council.pk) is False
    assert mail.outbox == []


def test_the_notices_page_turns_mail_off_and_on(client, users):
    officer = users["officer_hcm"]
    client.force_login(officer)
    page = client.get(reverse("notifications:notification_list"))
    assert page.context["settings_form"]["wants_mail"].value() is True
    response = client.post(reverse("notifications:notification_settings"), {})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.wants_mail is False
    client.post(reverse("notifications:notification_settings"), {"wants_mail": "on"})
    officer.refresh_from_db()
    assert officer.wants_mail is True


# -- The bell and the notices page --------------------------------------------------


def _notices(user, count, start=0):
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            event_key=f"test:{start + n}",
            kind=Notification.Kind.SUBMITTED,
            title=f"Thông báo số {start + n}",
            url="/plans/",
        )
        for n in range(count)
    )


def _home_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("units:unit_tree"))
    assert response.status_code == 200
    return len(queries), response.text


def test_the_bell_counts_unread_notices_in_one_query(client, users):
    officer = users["officer_hcm"]
    client.force_login(officer)
    _home_queries(client)  # the first request of a session costs more
    none, page = _home_queries(client)
    assert 'data-testid="unread-count"' not in page
    _notices(officer, 1)
    one, page = _home_queries(client)
    assert 'data-testid="unread-count">1<' in page
    _notices(officer, 40, start=1)
    _notices(users["officer_hanoi"], 5, start=100)
    many, page = _home_queries(client)
    assert 'data-testid="unread-count">41<' in page
    assert none == one == many


def test_the_notices_page_lists_only_ones_own_newest_first_by_pages(client, users):
    officer = users["officer_hcm"]
    _notices(officer, 30)
    _notices(users["officer_hanoi"], 1, start=100)
    client.force_login(officer)
    page = client.get(reverse("notifications:notification_list"))
    listed = [n.title for n in page.context["notices"]]
    assert len(listed) == 25
    assert listed[0] == "Thông báo số 29"
    assert "Thông báo số 100" not in page.text
    second = client.get(reverse("notifications:notification_list"), {"page": 2})
    assert len(second.context["notices"]) == 5


def test_opening_a_notice_marks_it_read_and_goes_to_its_object(client, users):
    officer = users["officer_hcm"]
    _notices(officer, 2)
    first = Notification.objects.get(event_key="test:0")
    client.force_login(officer)
    response = client.post(reverse("notifications:notification_open", args=[first.pk]))
    assert response.status_code == 302 and response.url == "/plans/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.get(event_key="test:1").read_at is None
    # Opening by GET does nothing (a link elsewhere cannot mark it).
    opened_by_get = client.get(reverse("notifications:notification_open", args=[first.pk]))
    assert opened_by_get.status_code == 405


def test_another_users_notice_is_a_404_and_stays_unread(client, users):
    _notices(users["officer_hanoi"], 1)
    theirs = Notification.objects.get()
    client.force_login(users["officer_hcm"])
    response = client.post(reverse("notifications:notification_open", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_ones_own(client, users):
    _notices(users["officer_hcm"], 3)
    _notices(users["officer_hanoi"], 2, start=10)
    client.force_login(users["officer_hcm"])
    response = client.post(reverse("notifications:notification_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=users["officer_hcm"], read_at=None)
    assert Notification.objects.filter(recipient=users["officer_hanoi"], read_at=None).count() == 2


def test_the_notices_page_needs_a_login(client):
    response = client.get(reverse("notifications:notification_list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url
