"""Deadline reminders: one mail per officer listing the late units of their
subtree, nothing when nothing is late, the daily task (also through a real
Celery worker over Redis), the beat schedule, and the home page card."""

import datetime
import threading
import time

import pytest
from celery.schedules import crontab
from celery.signals import task_prerun
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress import reminders
from congress.models import Conference
from congress.tasks import send_deadline_reminders, send_officer_deadline_reminder
from tests.conftest import require
from tests.factories import ConferenceFactory, UnitFactory, UserFactory
from units.models import Role

S = Conference.Status
DUE_IN_5_DAYS = datetime.date(2020, 1, 25)  # tier 1 is due on 30/01/2020
TIER2_DUE_IN_5_DAYS = datetime.date(2020, 4, 25)  # tier 2 on 30/04/2020


@pytest.fixture
def late(tree, tiers):
    """HCM: district in draft, department held. Hà Nội: district closed.
    No tier-2 conference registered."""
    return {
        "hcm_district": ConferenceFactory(
            tier=tiers[1], unit=tree.hcm_district, date=datetime.date(2020, 1, 28)
        ),
        "hcm_department": ConferenceFactory(
            tier=tiers[1],
            unit=tree.hcm_department,
            status=S.HELD,
            held_on=datetime.date(2019, 12, 20),
            actual_attendance=25,
        ),
        "hanoi_district": ConferenceFactory(
            tier=tiers[1],
            unit=tree.hanoi_district,
            status=S.CLOSED,
            held_on=datetime.date(2019, 12, 5),
            actual_attendance=40,
        ),
    }


def test_officer_is_mailed_the_units_due_within_a_week(users, late):
    mail.outbox.clear()
    assert reminders.send_deadline_reminder(officer=users["officer_hcm"], today=DUE_IN_5_DAYS)
    (message,) = mail.outbox
    assert message.to == ["officer-hcm@example.invalid"]
    assert message.subject == (
        "[Đại hội Thi đua] Tiến độ hội nghị ngày 25/01/2020: 1 đơn vị sắp đến hạn"
    )
    body = message.body
    assert body.startswith(f"Kính gửi đồng chí {users['officer_hcm'].full_name},")
    assert "SẮP ĐẾN HẠN TRONG 7 NGÀY (1 đơn vị)" in body
    assert (
        "- BHXH Quận 1 — Hội nghị điển hình tiên tiến cấp cơ sở, hạn 30/01/2020 "
        "(còn 5 ngày): dự thảo, dự kiến ngày 28/01/2020"
    ) in body
    assert "Văn phòng" not in body  # held already
    assert "Ba Đình" not in body and "Hà Nội" not in body  # another province
    assert "QUÁ HẠN" not in body
    assert f"{settings.SITE_URL}/progress/" in body  # straight to the board
    assert message.content_subtype == "plain"


def test_after_the_deadline_units_are_overdue_unregistered_ones_too(tree, users, late):
    mail.outbox.clear()
    reminders.send_deadline_reminder(officer=users["officer_hcm"], today=TIER2_DUE_IN_5_DAYS)
    (message,) = mail.outbox
    assert message.subject == (
        "[Đại hội Thi đua] Tiến độ hội nghị ngày 25/04/2020: 1 đơn vị quá hạn, 1 đơn vị sắp đến hạn"
    )
    overdue, due = message.body.split("SẮP ĐẾN HẠN")
    assert "QUÁ HẠN (1 đơn vị)" in overdue
    assert "- BHXH Quận 1 — Hội nghị điển hình tiên tiến cấp cơ sở, hạn 30/01/2020" in overdue
    assert "BHXH TP. Hồ Chí Minh — Hội nghị điển hình tiên tiến cấp trên cơ sở" in due
    assert "chưa đăng ký" in due


def test_nothing_late_means_no_mail(users, late):
    mail.outbox.clear()
    # Hà Nội's district is closed; its tier-2 deadline is months away.
    sent = reminders.send_deadline_reminder(officer=users["officer_hanoi"], today=DUE_IN_5_DAYS)
    assert sent is False
    assert mail.outbox == []
    # Three weeks before the deadline nothing is due within a week.
    early = datetime.date(2020, 1, 9)
    assert not reminders.send_deadline_reminder(officer=users["officer_hcm"], today=early)
    assert mail.outbox == []


@pytest.mark.parametrize(
    "who", ["council", "printer_hcm", "officer without address", "inactive officer"]
)
def test_only_active_officers_with_an_address_are_mailed(tree, users, late, who):
    mail.outbox.clear()
    people = {
        **users,
        "officer without address": UserFactory(role=Role.OFFICER, unit=tree.hcm, email=""),
        "inactive officer": UserFactory(role=Role.OFFICER, unit=tree.hcm, is_active=False),
    }
    assert not reminders.send_deadline_reminder(officer=people[who], today=DUE_IN_5_DAYS)
    assert mail.outbox == []


def test_daily_task_mails_each_officer_once(tree, users, late):
    without_address = UserFactory(role=Role.OFFICER, unit=tree.hcm, email="")
    mail.outbox.clear()
    queued = send_deadline_reminders(today=TIER2_DUE_IN_5_DAYS.isoformat())
    assert queued == 3  # every active officer: the notice in the app for each
    # No address: the notice, not the mail.
    assert without_address.notifications.count() == 1
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["officer-hanoi@example.invalid", "officer-hcm@example.invalid"]
    hanoi = next(m for m in mail.outbox if m.to == ["officer-hanoi@example.invalid"])
    assert "BHXH TP. Hà Nội" in hanoi.body and "Hồ Chí Minh" not in hanoi.body


def test_two_beats_on_one_day_mail_each_officer_once(users, late):
    mail.outbox.clear()
    day = TIER2_DUE_IN_5_DAYS.isoformat()
    assert send_deadline_reminders(today=day) == 2
    assert send_deadline_reminders(today=day) is None  # the second beat's copy
    assert sorted(m.to[0] for m in mail.outbox) == [
        "officer-hanoi@example.invalid",
        "officer-hcm@example.invalid",
    ]


def test_a_retried_officer_task_mails_nothing_more(users, late):
    mail.outbox.clear()
    officer, day = users["officer_hcm"], DUE_IN_5_DAYS.isoformat()
    assert send_officer_deadline_reminder(officer.pk, day) is True
    assert send_officer_deadline_reminder(officer.pk, day) is False
    assert [m.to for m in mail.outbox] == [["officer-hcm@example.invalid"]]


def test_the_next_day_mails_again(users, late):
    mail.outbox.clear()
    send_deadline_reminders(today=DUE_IN_5_DAYS.isoformat())
    send_deadline_reminders(today=(DUE_IN_5_DAYS + datetime.timedelta(days=1)).isoformat())
    assert [m.to for m in mail.outbox] == [["officer-hcm@example.invalid"]] * 2


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_the_same_moment_run_once(tree, tiers, users, late):
    require(connection.vendor == "postgresql", "concurrent writers need PostgreSQL")
    mail.outbox.clear()
    day = TIER2_DUE_IN_5_DAYS.isoformat()
    start = threading.Barrier(2)
    results = []

    def beat():
        try:
            start.wait()
            results.append(send_deadline_reminders(today=day))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results, key=str) == [2, None]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "officer-hanoi@example.invalid",
        "officer-hcm@example.invalid",
    ]


def test_beat_runs_it_every_morning_at_seven_vietnam_time():
    entry = settings.CELERY_BEAT_SCHEDULE["send-deadline-reminders"]
    assert entry["task"] == "congress.tasks.send_deadline_reminders"
    assert entry["schedule"] == crontab(hour=7, minute=0)
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_reminders_go_through_a_real_worker(tree, tiers, users, late, celery_worker):
    mail.outbox.clear()
    ran_in = []

    def record(task=None, **kwargs):
        ran_in.append((task.name, threading.current_thread(), task.request.hostname))

    task_prerun.connect(record, weak=False)
    try:
        # Today, long after cycle V's deadlines: HCM's draft district and its
        # unregistered province are overdue; Hà Nội's province too.
        send_deadline_reminders.delay()
        deadline = time.monotonic() + 20
        while len(mail.outbox) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        task_prerun.disconnect(record)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "officer-hanoi@example.invalid",
        "officer-hcm@example.invalid",
    ]
    names = sorted(name for name, _thread, _host in ran_in)
    assert names == [
        "congress.tasks.send_deadline_reminders",
        "congress.tasks.send_officer_deadline_reminder",
        "congress.tasks.send_officer_deadline_reminder",
    ]
    # Run by the worker's thread, delivered through the broker: not eagerly.
    assert all(thread is not threading.current_thread() for _n, thread, _h in ran_in)
    assert all(host for _n, _t, host in ran_in)
    hcm = next(m for m in mail.outbox if m.to == ["officer-hcm@example.invalid"])
    assert "QUÁ HẠN (2 đơn vị)" in hcm.body
    assert "BHXH Quận 1" in hcm.body and "Ba Đình" not in hcm.body


# -- The same list on the officer's home page ---------------------------------


def main_html(response) -> str:
    text = response.text
    return text[text.index("<main") : text.index("</main>")]


def test_officer_home_lists_late_units_with_links(client, tree, tiers, users, late):
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("home"))
    html = main_html(response)
    assert "Sắp đến hạn / quá hạn" in html
    # Today is long after cycle V's deadlines: everything not held is overdue.
    alerts = response.context["deadline_alerts"]
    assert [(a.unit.name, a.lateness) for a in alerts] == [
        ("BHXH Quận 1", "overdue"),
        ("BHXH TP. Hồ Chí Minh", "overdue"),
    ]
    assert late["hcm_district"].get_absolute_url() in html
    register = f"{reverse('congress:conference_register')}?unit={tree.hcm.pk}&amp;tier="
    assert register in html
    assert "Quá hạn (hạn 30/01/2020)" in html
    assert "Ba Đình" not in html


@pytest.mark.parametrize("role", ["admin", "council", "printer", "printer_hcm"])
def test_no_card_for_other_roles(client, users, late, role):
    client.force_login(users[role])
    response = client.get(reverse("home"))
    assert "Sắp đến hạn / quá hạn" not in main_html(response)


def test_hanoi_officer_card_holds_only_hanoi(client, users, late):
    client.force_login(users["officer_hanoi"])
    response = client.get(reverse("home"))
    assert [a.unit.name for a in response.context["deadline_alerts"]] == ["BHXH TP. Hà Nội"]
    assert "Quận 1" not in main_html(response)


def test_officer_home_query_count_does_not_grow_with_late_units(client, tree, tiers, users):
    client.force_login(users["officer_hcm"])
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for number in range(20):
        unit = UnitFactory(parent=tree.hcm, code=f"D7{number:02d}")
        if number % 2:
            ConferenceFactory(tier=tiers[1], unit=unit)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("home"))
    assert len(response.context["deadline_alerts"]) == 23  # 20 + 2 districts + the province
    assert len(few) == len(many)
    assert "… và 13 đơn vị khác" in response.text  # ten listed, a link to the rest
