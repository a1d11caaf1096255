"""Deadline reminders: lead-time windows, overdue, idempotence, recipients, payloads, query budget."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from tests.conftest import Factory
from wangan.config import Settings
from wangan.db import utcnow
from wangan.kernel import audit
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import BEIJING
from wangan.kernel.models import AuditEvent, Organisation, OutboxMessage, User
from wangan.runtime import Runtime
from wangan.vulns import cases, operator, products
from wangan.vulns.cases import CaseIn
from wangan.vulns.deadlines import DeadlineSummary, check_deadlines, stage_at
from wangan.vulns.events import VulnTag
from wangan.vulns.models import Case

# Awareness a day ago, so the services accept it as "not in the future" whatever the date.
AWARE = (utcnow() - timedelta(days=1)).replace(microsecond=0)
DUE = AWARE + timedelta(days=2)  # VULN-NVDB-REPORT: 2 calendar days


@pytest.fixture
def org(factory: Factory) -> Organisation:
    return factory.org("acme", roles=("provider", "operator"))


@pytest.fixture
def analyst(factory: Factory, org: Organisation) -> User:
    return factory.user(org, "analyst", "analyst@acme.example")


@pytest.fixture
def principal(factory: Factory, analyst: User) -> Principal:
    return factory.principal(analyst)


def open_case(rt: Runtime, principal: Principal, title: str = "栈溢出 in the web admin",
              aware_at: datetime = AWARE, **fields: Any) -> Case:
    with rt.sessions.begin() as s:
        return cases.create_case(s, principal, rt.vuln_rules,
                                 CaseIn(title=title, aware_at=aware_at, fields=fields or None),
                                 now=aware_at + timedelta(minutes=1))


def check(rt: Runtime, now: datetime, settings: Settings | None = None) -> DeadlineSummary:
    with rt.sessions.begin() as s:
        return check_deadlines(s, rt.vuln_rules, settings or rt.settings, now, rt.gate_rules)


def outbox(rt: Runtime) -> list[OutboxMessage]:
    with rt.sessions() as s:
        return list(s.execute(select(OutboxMessage).order_by(OutboxMessage.dedupe_key)).scalars())


def reminder_events(rt: Runtime, subject_type: str, subject_id: uuid.UUID) -> list[AuditEvent]:
    with rt.sessions() as s:
        return [e for e in audit.events_for(s, subject_type, subject_id)
                if e.tag in (VulnTag.REMINDER_QUEUED, VulnTag.FINDING_REMINDER_QUEUED)]


# --- stage_at: the window arithmetic on its own ---

@pytest.mark.parametrize(("before_due", "expected"), [
    (timedelta(hours=25), None),
    (timedelta(hours=24), ("reminder", 24.0)),  # due - L <= now: the window opens exactly at L
    (timedelta(hours=23), ("reminder", 24.0)),
    (timedelta(hours=4), ("reminder", 4.0)),
    (timedelta(hours=3), ("reminder", 4.0)),
    (timedelta(minutes=59), ("reminder", 1.0)),
    (timedelta(seconds=1), ("reminder", 1.0)),
    (timedelta(0), ("overdue", None)),  # now < due is required for a reminder; at due it is overdue
    (-timedelta(days=3), ("overdue", None)),
])
def test_stage_is_the_smallest_lead_reached(before_due: timedelta, expected: object) -> None:
    assert stage_at(DUE, DUE - before_due, [24.0, 4.0, 1.0]) == expected


def test_stage_without_lead_times_is_only_overdue() -> None:
    assert stage_at(DUE, DUE - timedelta(minutes=1), []) is None
    assert stage_at(DUE, DUE, []) == ("overdue", None)


def test_naive_now_is_refused(rt: Runtime) -> None:
    with rt.sessions() as s, pytest.raises(ValueError, match="timezone-aware"):
        check_deadlines(s, rt.vuln_rules, rt.settings, datetime(2026, 1, 1), rt.gate_rules)


# --- cases ---

def test_nothing_before_the_first_lead_time(rt: Runtime, principal: Principal) -> None:
    open_case(rt, principal)
    assert check(rt, DUE - timedelta(hours=24, seconds=1)) == DeadlineSummary()
    assert outbox(rt) == []


def test_reminder_names_case_due_time_in_both_zones_and_url(rt: Runtime, principal: Principal) -> None:
    case = open_case(rt, principal)
    summary = check(rt, DUE - timedelta(hours=3))
    assert (summary.reminders_queued, summary.overdue_queued, summary.clocks_due) == (1, 0, 1)
    [mail] = outbox(rt)
    assert mail.channel == "email"
    assert mail.recipient == "analyst@acme.example"
    assert mail.dedupe_key.startswith(f"case:{case.id}:nvdb:lead:4:email:")
    assert case.number in mail.subject
    assert "栈溢出 in the web admin" in mail.subject
    assert DUE.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") in mail.body
    assert DUE.strftime("%Y-%m-%d %H:%M") in mail.body
    assert "北京时间" in mail.body and "Beijing time" in mail.body
    assert f"http://testserver/cases/{case.number}" in mail.body
    assert mail.next_attempt_at == DUE - timedelta(hours=3)  # due now, by the check's clock


def test_second_run_queues_nothing_new_and_writes_one_audit_event(rt: Runtime, principal: Principal) -> None:
    case = open_case(rt, principal)
    now = DUE - timedelta(hours=3)
    assert check(rt, now).queued == 1
    assert check(rt, now).queued == 0
    assert check(rt, now + timedelta(minutes=10)).queued == 0  # still the 4 h stage
    assert len(outbox(rt)) == 1
    [event] = reminder_events(rt, "case", case.id)
    assert event.data["reminders"] == [{
        "clock": "VULN-NVDB-REPORT", "event": "reminder", "lead_hours": 4.0,
        "due_at": DUE.isoformat(), "messages": 1,
    }]


def test_each_stage_once_as_time_passes_then_overdue(rt: Runtime, principal: Principal) -> None:
    case = open_case(rt, principal)
    stages = [(timedelta(hours=23), "lead:24"), (timedelta(hours=3), "lead:4"),
              (timedelta(minutes=30), "lead:1"), (-timedelta(minutes=1), "overdue")]
    for before_due, _stage in stages:
        check(rt, DUE - before_due)
        check(rt, DUE - before_due)  # a second worker round changes nothing
    keys = [m.dedupe_key.split(":email:")[0] for m in outbox(rt)]
    assert sorted(keys) == sorted(f"case:{case.id}:nvdb:{stage}" for _b, stage in stages)
    assert len(reminder_events(rt, "case", case.id)) == 4
    summary = check(rt, DUE + timedelta(days=5))
    assert (summary.queued, summary.clocks_due) == (0, 1)  # still overdue, already announced


def test_a_late_first_check_sends_only_the_stage_reached(rt: Runtime, principal: Principal) -> None:
    open_case(rt, principal)
    summary = check(rt, DUE - timedelta(minutes=20))  # the worker was down through 24 h and 4 h
    assert summary.reminders_queued == 1
    assert [m.dedupe_key.split(":")[3:5] for m in outbox(rt)] == [["lead", "1"]]


def test_overdue_message(rt: Runtime, principal: Principal) -> None:
    case = open_case(rt, principal)
    summary = check(rt, DUE + timedelta(hours=2))
    assert (summary.reminders_queued, summary.overdue_queued) == (0, 1)
    [mail] = outbox(rt)
    assert mail.dedupe_key == f"case:{case.id}:nvdb:overdue:email:{mail.dedupe_key.rsplit(':', 1)[1]}"
    assert "已逾期" in mail.subject and "OVERDUE" in mail.subject


def test_submitted_case_is_not_reminded(rt: Runtime, principal: Principal, org: Organisation) -> None:
    with rt.sessions.begin() as s:
        product = products.create_product(s, principal, vendor="Acme", name="Router", model="R1",
                                          versions=["1.0"])
    case = open_case(rt, principal, technical_characteristics="stack overflow", harm="RCE",
                     impact_scope="R1 1.0", product_id=str(product.id))
    with rt.sessions.begin() as s:
        cases.record_nvdb_submission(s, principal, rt.vuln_rules, case.id, reference="NVDB-1",
                                     submitted_at=AWARE + timedelta(hours=1))
    assert check(rt, DUE - timedelta(hours=3)) == DeadlineSummary()
    assert check(rt, DUE + timedelta(hours=3)) == DeadlineSummary()
    assert outbox(rt) == []


def test_closed_case_is_not_reminded(rt: Runtime, principal: Principal) -> None:
    case = open_case(rt, principal, verification_result="duplicate of an earlier report")
    with rt.sessions.begin() as s:
        cases.transition(s, principal, rt.vuln_rules, case.id, "reject")
    assert check(rt, DUE + timedelta(hours=3)) == DeadlineSummary()


def test_recipients_are_active_managers_and_analysts_of_the_owning_org(
        rt: Runtime, factory: Factory, org: Organisation, principal: Principal) -> None:
    factory.user(org, "manager", "boss@acme.example")
    factory.user(org, "viewer", "viewer@acme.example")
    gone = factory.user(org, "analyst", "gone@acme.example")
    with rt.sessions.begin() as s:
        loaded = s.get(User, gone.id)
        assert loaded is not None
        loaded.is_active = False
    other = factory.org("other")
    factory.user(other, "manager", "boss@other.example")
    open_case(rt, principal)
    check(rt, DUE - timedelta(hours=3))
    assert sorted(m.recipient for m in outbox(rt)) == ["analyst@acme.example", "boss@acme.example"]


def test_one_webhook_per_url_with_the_agreed_payload(rt: Runtime, principal: Principal) -> None:
    settings = rt.settings.model_copy(update={
        "webhook_urls": "https://hooks.example/a, https://hooks.example/b?token=x",
        "webhook_jurisdiction": "domestic"})
    case = open_case(rt, principal)
    summary = check(rt, DUE - timedelta(hours=3), settings)
    assert summary.reminders_queued == 3  # one e-mail, two webhooks
    hooks = [m for m in outbox(rt) if m.channel == "webhook"]
    assert sorted(h.recipient for h in hooks) == ["https://hooks.example/a", "https://hooks.example/b?token=x"]
    assert len({h.dedupe_key for h in hooks}) == 2
    assert all("token" not in h.dedupe_key for h in hooks)
    assert hooks[0].payload == {
        "event": "deadline.reminder",
        "subject": {"type": "case", "id": str(case.id), "number": case.number,
                    "title": "栈溢出 in the web admin"},
        "clock": {"rule": "VULN-NVDB-REPORT", "due_at": DUE.isoformat(), "lead_hours": 4},
        "organisation": "acme",
    }
    assert check(rt, DUE - timedelta(hours=3), settings).queued == 0
    check(rt, DUE, settings)
    overdue = [m for m in outbox(rt) if m.channel == "webhook" and m.payload["event"] == "deadline.overdue"]
    assert len(overdue) == 2
    assert overdue[0].payload["clock"]["lead_hours"] is None
    [*_, last] = reminder_events(rt, "case", case.id)
    assert last.data["reminders"][0]["messages"] == 3


@pytest.mark.parametrize("jurisdiction", ["overseas", None])
def test_the_gate_withholds_the_title_from_receivers_not_known_to_be_domestic(
        rt: Runtime, principal: Principal, jurisdiction: str | None) -> None:
    settings = rt.settings.model_copy(update={"webhook_urls": "https://hooks.example/a",
                                              "webhook_jurisdiction": jurisdiction})
    case = open_case(rt, principal)
    check(rt, DUE - timedelta(hours=3), settings)
    [hook] = [m for m in outbox(rt) if m.channel == "webhook"]
    subject = hook.payload["subject"]
    assert "title" not in subject and subject["number"] == case.number
    assert subject["title_withheld"]["rules"] == ["PUB-7"]
    assert "栈溢出" not in str(hook.payload)


# --- operator findings ---

def open_finding(rt: Runtime, principal: Principal, found_at: datetime) -> uuid.UUID:
    with rt.sessions.begin() as s:
        asset = operator.create_asset(s, principal, kind="system", name="ERP",
                                      identifier=f"erp-{uuid.uuid4().hex[:6]}")
        finding = operator.create_finding(s, principal, rt.vuln_rules, asset_id=asset.id,
                                          title="Outdated OpenSSL on ERP", reference="CVE-2024-0001",
                                          found_at=found_at)
        return finding.id


def test_finding_verify_and_fix_clocks(rt: Runtime, principal: Principal) -> None:
    settings = rt.settings.model_copy(update={"webhook_urls": "https://hooks.example/a"})
    found = utcnow().replace(microsecond=0) - timedelta(hours=1)
    fid = open_finding(rt, principal, found)
    verify_due, fix_due = found + timedelta(days=1), found + timedelta(days=30)

    summary = check(rt, verify_due - timedelta(hours=2), settings)
    assert summary.reminders_queued == 2  # e-mail + webhook for the verify clock only
    keys = {m.dedupe_key.rsplit(":", 2)[0] for m in outbox(rt)}
    assert keys == {f"finding:{fid}:verify:lead:4"}
    mail = next(m for m in outbox(rt) if m.channel == "email")
    assert "Outdated OpenSSL on ERP" in mail.body
    assert f"http://testserver/findings/{fid}" in mail.body
    hook = next(m for m in outbox(rt) if m.channel == "webhook")
    # Details of a vulnerability in an operator's own systems stay inside the organisation.
    assert hook.payload["subject"] == {"type": "finding", "id": str(fid)}
    assert "OpenSSL" not in str(hook.payload)
    assert hook.payload["clock"]["rule"] == "OPS-VERIFY"

    with rt.sessions.begin() as s:
        operator.move_finding(s, principal, fid, "verify")
    summary = check(rt, fix_due + timedelta(minutes=1), settings)
    assert summary.overdue_queued == 2  # the fix clock only: a verified finding has met its verify clock
    assert {m.dedupe_key.rsplit(":", 2)[0] for m in outbox(rt)} == {
        f"finding:{fid}:verify:lead:4", f"finding:{fid}:fix:overdue"}
    assert len(reminder_events(rt, "finding", fid)) == 2

    with rt.sessions.begin() as s:
        operator.move_finding(s, principal, fid, "fix", note="upgraded")
    assert check(rt, fix_due + timedelta(days=1), settings) == DeadlineSummary()


# --- efficiency ---

@contextmanager
def count_queries(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def test_reads_do_not_grow_with_the_number_of_cases(rt: Runtime, factory: Factory,
                                                     principal: Principal) -> None:
    others = []
    for slug in ("beta", "gamma"):
        o = factory.org(slug)
        others.append(factory.principal(factory.user(o, "manager")))
    for p in [principal, *others]:
        for i in range(4):
            open_case(rt, p, title=f"case {i}")
    first = check(rt, DUE - timedelta(hours=3))
    assert first.reminders_queued == 12
    with count_queries(rt.engine) as statements:
        again = check(rt, DUE - timedelta(hours=3))
    assert again.queued == 0
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # cases, findings, recipients, existing dedupe keys (+ the advisory lock on PostgreSQL)
    assert len(selects) <= 5, selects


def test_counts_match_the_outbox(rt: Runtime, principal: Principal, session: Session) -> None:
    open_case(rt, principal)
    open_case(rt, principal, aware_at=AWARE - timedelta(days=3))  # overdue already
    summary = check(rt, DUE - timedelta(hours=3))
    assert (summary.reminders_queued, summary.overdue_queued) == (1, 1)
    assert session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 2


def test_due_times_are_utc_aware(rt: Runtime, principal: Principal) -> None:
    open_case(rt, principal)
    check(rt, DUE)
    [mail] = outbox(rt)
    assert mail.next_attempt_at.tzinfo is not None
    assert mail.next_attempt_at.utcoffset() == UTC.utcoffset(None)
