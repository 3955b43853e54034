"""At most once: the send log calls a send once per event and recipient,
gives the record back when the send fails, and a scheduled task runs once
per slot."""

import pytest

from reports.tasks import purge_old_documents
from units.models import Role, ScheduledRun, SentMessage
from units.once import claim_run, once_per_slot, send_once


def test_send_once_twice_sends_once(make_user, tree):
    officer = make_user(Role.OFFICER, tree.hcm)
    sent = []
    assert send_once(
        event_key="deadline-reminder:2020-01-25", recipient=officer, send=lambda: sent.append(1)
    )
    assert not send_once(
        event_key="deadline-reminder:2020-01-25", recipient=officer, send=lambda: sent.append(2)
    )
    assert sent == [1]
    assert SentMessage.objects.get().recipient == officer


def test_another_event_or_recipient_sends_again(make_user, tree):
    officer, other = make_user(Role.OFFICER, tree.hcm), make_user(Role.OFFICER, tree.hanoi)
    sent = []
    send_once(
        event_key="deadline-reminder:2020-01-25", recipient=officer, send=lambda: sent.append("a")
    )
    send_once(
        event_key="deadline-reminder:2020-01-26", recipient=officer, send=lambda: sent.append("b")
    )
    send_once(
        event_key="deadline-reminder:2020-01-25", recipient=other, send=lambda: sent.append("c")
    )
    assert sent == ["a", "b", "c"]


def test_a_failed_send_is_not_recorded_so_a_retry_sends(make_user, tree):
    officer = make_user(Role.OFFICER, tree.hcm)

    def mail_server_down():
        raise OSError("connection refused")

    with pytest.raises(OSError):
        send_once(
            event_key="deadline-reminder:2020-01-25", recipient=officer, send=mail_server_down
        )
    assert not SentMessage.objects.exists()
    sent = []
    assert send_once(
        event_key="deadline-reminder:2020-01-25", recipient=officer, send=lambda: sent.append(1)
    )
    assert sent == [1]


def test_a_slot_is_claimed_once(db):
    assert claim_run(task="t", slot="2020-01-25")
    assert not claim_run(task="t", slot="2020-01-25")
    assert claim_run(task="t", slot="2020-01-26")
    assert claim_run(task="other", slot="2020-01-25")


def test_a_failed_run_gives_its_slot_back(db):
    calls = []

    @once_per_slot(lambda: "2020-01-25")
    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return "done"

    with pytest.raises(RuntimeError):
        flaky()
    assert flaky() == "done"
    assert flaky() is None
    assert len(calls) == 2


def test_scheduled_document_tasks_run_once_per_slot(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert purge_old_documents() == 0
    assert purge_old_documents() is None  # a second beat the same day
    assert ScheduledRun.objects.get().task == "reports.tasks.purge_old_documents"
