"""The worker loop: deadline check then delivery, sender selection, stopping, one-shot check."""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from wangan.db import utcnow
from wangan.kernel.calendar import FixedClock
from wangan.kernel.models import OutboxMessage, OutboxStatus
from wangan.kernel.notifications import RecordingSender, SmtpSender, WebhookSender
from wangan.runtime import Runtime
from wangan.vulns import cases
from wangan.vulns.cases import CaseIn
from wangan.vulns.deadlines import DeadlineSummary
from wangan.worker import runner
from wangan.worker.runner import build_senders, check_deadlines_once, run_worker, worker_id

AWARE = (utcnow() - timedelta(days=1)).replace(microsecond=0)
DUE = AWARE + timedelta(days=2)


@pytest.fixture
def case_due_soon(rt: Runtime, factory: Factory) -> str:
    """A case whose NVDB report is due in three hours, with one analyst to remind; its number."""
    org = factory.org("acme")
    principal = factory.principal(factory.user(org, "analyst", "analyst@acme.example"))
    with rt.sessions.begin() as s:
        case = cases.create_case(s, principal, rt.vuln_rules, CaseIn(title="Auth bypass", aware_at=AWARE),
                                 now=AWARE)
        number = case.number
    rt.clock = FixedClock(DUE - timedelta(hours=3))
    return number


def messages(rt: Runtime) -> list[OutboxMessage]:
    with rt.sessions() as s:
        return list(s.execute(select(OutboxMessage)).scalars())


def test_worker_id_is_host_and_pid() -> None:
    host, pid = worker_id().rsplit(":", 1)
    assert host and int(pid) == os.getpid()


def test_build_senders_only_for_configured_channels(rt: Runtime) -> None:
    assert build_senders(rt.settings) == {}
    mail_only = build_senders(rt.settings.model_copy(update={"smtp_host": "localhost"}))
    assert list(mail_only) == ["email"] and isinstance(mail_only["email"], SmtpSender)
    both = build_senders(rt.settings.model_copy(update={
        "smtp_host": "localhost", "webhook_urls": "https://hooks.example/a"}))
    hook = both["webhook"]
    assert sorted(both) == ["email", "webhook"] and isinstance(hook, WebhookSender)
    hook.close()


def test_check_deadlines_once_commits(rt: Runtime, case_due_soon: str) -> None:
    summary = check_deadlines_once(rt)
    assert summary.reminders_queued == 1
    [msg] = messages(rt)  # read in a new session: it was committed
    assert case_due_soon in msg.subject
    assert check_deadlines_once(rt).queued == 0


def test_one_round_queues_and_delivers(rt: Runtime, case_due_soon: str) -> None:
    sender = RecordingSender()
    run_worker(rt, threading.Event(), once=True, senders={"email": sender})
    [msg] = messages(rt)
    assert msg.status is OutboxStatus.SENT
    assert [m.recipient for m in sender.sent] == ["analyst@acme.example"]
    run_worker(rt, threading.Event(), once=True, senders={"email": sender})
    assert sender.calls == 1  # nothing new, nothing sent again


def test_messages_without_a_sender_stay_pending_with_a_warning(
        rt: Runtime, case_due_soon: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="wangan.worker"):
        run_worker(rt, threading.Event(), once=True)  # no SMTP host, no webhook URLs configured
    [msg] = messages(rt)
    assert msg.status is OutboxStatus.PENDING and msg.attempts == 0
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "email messages will stay pending: WANGAN_SMTP_HOST is not set" in warned
    assert "webhook messages will stay pending" in warned


def test_a_failing_check_does_not_hold_back_delivery(rt: Runtime, case_due_soon: str,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    check_deadlines_once(rt)  # a reminder is queued while the check still works

    def broken(*_args: object) -> DeadlineSummary:
        raise RuntimeError("database went away")

    monkeypatch.setattr(runner, "check_deadlines", broken)
    sender = RecordingSender()
    with caplog.at_level(logging.ERROR, logger="wangan.worker"):
        run_worker(rt, threading.Event(), once=True, senders={"email": sender})
    assert any("check failed" in r.getMessage() for r in caplog.records)
    assert len(sender.sent) == 1


def test_loop_runs_until_stopped(rt: Runtime, case_due_soon: str) -> None:
    fast = dataclasses.replace(rt, settings=rt.settings.model_copy(update={"worker_poll_seconds": 0.05}))
    sender = RecordingSender(fail_times=1)  # the first round fails to deliver; a later one retries
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(fast, stop), kwargs={"senders": {"email": sender}})
    thread.start()
    deadline = time.monotonic() + 10
    while sender.calls < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert isinstance(fast.clock, FixedClock)
    fast.clock.advance(timedelta(minutes=2))  # past the 30 s backoff
    while not sender.sent and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(sender.sent) == 1
    [msg] = messages(rt)
    assert (msg.status, msg.attempts) == (OutboxStatus.SENT, 2)
