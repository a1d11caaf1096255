"""Deadline reminders: the NVDB report clock of cases (Art. 7(2)), the forward-to-provider clock
of a collection platform's cases (PLATFORM-FORWARD) and the operator clocks (Art. 8).

``check_deadlines`` is a job: it finds every running clock that has reached a reminder lead time
(``WANGAN_REMINDER_LEAD_HOURS``) or has passed, and writes reminder messages to the outbox in the
caller's transaction. It never sends anything itself; the dispatcher does after commit.

Running it again is harmless: every message has a dedupe key naming the subject, the clock, the
stage (a lead time or "overdue") and the recipient, so a stage is announced once per recipient
however often the job runs, and a worker that was down catches up with the stage reached now
rather than sending every stage it missed.

Webhook payloads leave the organisation, so a case title (undisclosed vulnerability content) goes
into one only when the publication gate allows it for that receiver (channel ``webhook``; the
receiver's jurisdiction is ``WANGAN_WEBHOOK_JURISDICTION``, unknown when unset, and unknown counts
as overseas under PUB-7). Otherwise the payload carries the id, number and due time only, and
names the rules that withheld the title. An operator finding's payload carries only its id,
because details of vulnerabilities in systems an operator runs must not leave the organisation
(PUB-2). E-mails go only to the managers and analysts of the owning organisation, who may read
the record anyway; on a collection platform (need-to-know) a case's reminders go to the managers
and to the analysts who are members of the case.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlalchemy import and_, or_, select, text
from sqlalchemy.orm import Session

from wangan.config import Settings
from wangan.kernel import audit, identity, outbox
from wangan.kernel.audit import Actor
from wangan.kernel.calendar import BEIJING
from wangan.kernel.models import Organisation, OutboxMessage, User, UserRole
from wangan.vulns import gate
from wangan.vulns.cases import FORWARD_CLOCK
from wangan.vulns.events import VulnTag
from wangan.vulns.models import Case, CaseMember, CaseState, FindingState, OperatorFinding
from wangan.vulns.operator import FIX_CLOCK, VERIFY_CLOCK
from wangan.vulns.rules import VulnRules

log = logging.getLogger(__name__)

REMINDER_EVENT = "deadline.reminder"
OVERDUE_EVENT = "deadline.overdue"
# Where the web UI shows an operator finding; cases are at /cases/{number}.
FINDING_PATH = "/findings/{id}"
ACTOR = Actor.system("deadlines")
# PostgreSQL advisory lock held by a check, so two workers checking at once cannot both queue
# the same dedupe key (the second would fail on the unique index). SQLite's BEGIN IMMEDIATE
# already serialises them. The audit chain uses 727061.
_CHECK_LOCK = 727062
_IN_CHUNK = 500  # keeps IN lists well below SQLite's bound-parameter limit

Stage = tuple[Literal["reminder", "overdue"], float | None]


@dataclass(frozen=True)
class DeadlineSummary:
    """What one check queued: reminder and overdue messages (e-mails and webhooks) newly added."""

    reminders_queued: int = 0
    overdue_queued: int = 0
    clocks_due: int = 0  # running clocks inside a reminder window or past due, queued or not
    unreachable: int = 0  # of those, clocks with nobody to tell (no recipient, no webhook)

    @property
    def queued(self) -> int:
        return self.reminders_queued + self.overdue_queued


@dataclass(frozen=True)
class _RunningClock:
    """One deadline of one subject that has reached a stage."""

    subject_type: Literal["case", "finding"]
    subject_id: uuid.UUID
    org_id: uuid.UUID
    org_slug: str
    number: str  # the case number, or the finding's reference (may be empty)
    title: str
    key: str  # "nvdb" | "forward" | "verify" | "fix": part of the dedupe key
    rule_id: str
    due_at: datetime
    url: str
    stage: Stage

    @property
    def event_key(self) -> str:
        kind, lead = self.stage
        suffix = "overdue" if kind == "overdue" else f"lead:{_hours(lead)}"
        return f"{self.subject_type}:{self.subject_id}:{self.key}:{suffix}"


@dataclass
class _Message:
    channel: Literal["email", "webhook"]
    recipient: str
    subject: str
    body: str
    payload: dict[str, Any]
    dedupe_key: str
    clock: _RunningClock


def _hours(lead: float | None) -> str:
    return "" if lead is None else f"{lead:g}"


def stage_at(due_at: datetime, now: datetime, lead_hours: Sequence[float]) -> Stage | None:
    """The stage a deadline is in at ``now``: overdue, the smallest lead time reached, or None.

    A lead L is reached when ``due - L h <= now < due``."""
    if now >= due_at:
        return ("overdue", None)
    reached = [lead for lead in lead_hours if lead > 0 and due_at - timedelta(hours=lead) <= now]
    return ("reminder", min(reached)) if reached else None


def check_deadlines(session: Session, rules: VulnRules, settings: Settings, now: datetime,
                    gate_rules: gate.GateRules) -> DeadlineSummary:
    """Queue reminders for open cases not yet reported to NVDB, and for operator findings not yet
    verified or fixed, whose deadline is within a lead time or has passed. Flushes; the caller
    commits. Reads: one query for cases, one for findings, one for recipients, one (per 500
    candidate messages) for dedupe keys already queued."""
    if now.tzinfo is None:
        raise ValueError("check_deadlines needs a timezone-aware 'now'")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHECK_LOCK})
    leads = [lead for lead in settings.lead_hours if lead > 0]
    horizon = now + timedelta(hours=max(leads, default=0))
    clocks = [*_case_clocks(session, rules, settings, now, horizon, leads),
              *_finding_clocks(session, settings, now, horizon, leads)]
    if not clocks:
        return DeadlineSummary()

    recipients = identity.deadline_recipients(session, {c.org_id for c in clocks})
    if settings.collection_platform:
        recipients_of = _need_to_know(session, clocks, recipients)
    else:
        def recipients_of(clock: _RunningClock) -> list[tuple[uuid.UUID, str]]:
            return recipients.get(clock.org_id, [])
    candidates = [m for c in clocks for m in _messages(c, rules, settings, recipients_of(c), gate_rules, now)]
    taken = _existing_keys(session, [m.dedupe_key for m in candidates])

    reminders = overdue = 0
    # subject -> event key -> messages newly queued: one audit event per subject and run.
    per_subject: dict[tuple[str, uuid.UUID], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for message in candidates:
        if message.dedupe_key in taken:
            continue
        if not outbox.enqueue(session, channel=message.channel, recipient=message.recipient,
                              subject=message.subject, body=message.body, payload=message.payload,
                              dedupe_key=message.dedupe_key, not_before=now):
            continue
        clock = message.clock
        if clock.stage[0] == "overdue":
            overdue += 1
        else:
            reminders += 1
        per_subject[(clock.subject_type, clock.subject_id)][clock.event_key] += 1

    by_event = {c.event_key: c for c in clocks}
    for (subject_type, subject_id), events in per_subject.items():
        first = by_event[next(iter(events))]
        tag = VulnTag.REMINDER_QUEUED if subject_type == "case" else VulnTag.FINDING_REMINDER_QUEUED
        audit.record(session, tag, ACTOR, subject_type, subject_id, org_id=first.org_id,
                     data={"reminders": [
                         {"clock": by_event[key].rule_id, "event": by_event[key].stage[0],
                          "lead_hours": by_event[key].stage[1], "due_at": by_event[key].due_at,
                          "messages": count}
                         for key, count in events.items()
                     ]})
    unreachable = [c for c in clocks if not recipients.get(c.org_id) and not settings.webhook_url_list]
    for clock in unreachable:
        log.debug("deadlines: %s %s (%s) is %s but organisation %s has no active manager or analyst",
                  clock.subject_type, clock.number or clock.subject_id, clock.rule_id, clock.stage[0],
                  clock.org_slug)
    return DeadlineSummary(reminders_queued=reminders, overdue_queued=overdue, clocks_due=len(clocks),
                           unreachable=len(unreachable))


# --- reading ---

def _case_clocks(session: Session, rules: VulnRules, settings: Settings, now: datetime,
                 horizon: datetime, leads: Sequence[float]) -> Iterable[_RunningClock]:
    """The NVDB clock and, on a collection platform, the forward-to-provider clock of open cases:
    one query for both, whichever of them is near or past due."""
    # Columns, not entities: loading Case would also select-in its notices, which are not needed.
    nvdb_running = and_(Case.nvdb_submitted_at.is_(None), Case.nvdb_due_at <= horizon)
    forward_running = and_(Case.forwarded_at.is_(None), Case.forward_due_at.is_not(None),
                           Case.forward_due_at <= horizon)
    rows = session.execute(
        select(Case.id, Case.org_id, Case.number, Case.title, Case.nvdb_rule_id, Case.nvdb_due_at,
               Case.nvdb_submitted_at, Case.forward_due_at, Case.forwarded_at, Organisation.slug)
        .join(Organisation, Organisation.id == Case.org_id)
        .where(Case.state.in_([CaseState(s) for s in rules.open_states()]), or_(nvdb_running, forward_running))
        .order_by(Case.nvdb_due_at)
    ).all()
    for row in rows:
        url = f"{settings.base_url}/cases/{row.number}"
        checks: list[tuple[str, str, datetime]] = []
        if row.nvdb_submitted_at is None:
            checks.append(("nvdb", row.nvdb_rule_id, row.nvdb_due_at))
        if row.forwarded_at is None and row.forward_due_at is not None:
            checks.append(("forward", FORWARD_CLOCK, row.forward_due_at))
        for key, rule_id, due in checks:
            stage = stage_at(due, now, leads)
            if stage is not None:
                yield _RunningClock("case", row.id, row.org_id, row.slug, row.number, row.title, key, rule_id, due,
                                    url, stage)


def _need_to_know(session: Session, clocks: Sequence[_RunningClock],
                  recipients: dict[uuid.UUID, list[tuple[uuid.UUID, str]]],
                  ) -> Callable[[_RunningClock], list[tuple[uuid.UUID, str]]]:
    """Recipients of each clock on a collection platform: managers, and members of the case."""
    case_ids = list({c.subject_id for c in clocks if c.subject_type == "case"})
    members: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for start in range(0, len(case_ids), _IN_CHUNK):
        for case_id, user_id in session.execute(select(CaseMember.case_id, CaseMember.user_id).where(
                CaseMember.case_id.in_(case_ids[start:start + _IN_CHUNK]))).all():
            members[case_id].add(user_id)
    managers = set(session.execute(select(User.id).where(
        User.org_id.in_({c.org_id for c in clocks}), User.role == UserRole.MANAGER)).scalars())

    def recipients_of(clock: _RunningClock) -> list[tuple[uuid.UUID, str]]:
        everyone = recipients.get(clock.org_id, [])
        if clock.subject_type != "case":
            return everyone
        allowed = members.get(clock.subject_id, set()) | managers
        return [(user_id, email) for user_id, email in everyone if user_id in allowed]

    return recipients_of


def _finding_clocks(session: Session, settings: Settings, now: datetime, horizon: datetime,
                    leads: Sequence[float]) -> Iterable[_RunningClock]:
    f = OperatorFinding
    rows = session.execute(
        select(f.id, f.org_id, f.title, f.reference, f.state, f.verify_due_at, f.fix_due_at, Organisation.slug)
        .join(Organisation, Organisation.id == f.org_id)
        .where(or_(and_(f.state == FindingState.OPEN, f.verify_due_at <= horizon),
                   and_(f.state.in_([FindingState.OPEN, FindingState.VERIFIED]), f.fix_due_at <= horizon)))
        .order_by(f.fix_due_at)
    ).all()
    for row in rows:
        url = settings.base_url + FINDING_PATH.format(id=row.id)
        checks = [("fix", FIX_CLOCK, row.fix_due_at)]
        if row.state == FindingState.OPEN:
            checks.insert(0, ("verify", VERIFY_CLOCK, row.verify_due_at))
        for key, rule_id, due in checks:
            stage = stage_at(due, now, leads)
            if stage is not None:
                yield _RunningClock("finding", row.id, row.org_id, row.slug, row.reference, row.title, key,
                                    rule_id, due, url, stage)


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start:start + _IN_CHUNK]
        found.update(session.execute(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk))
        ).scalars())
    return found


# --- writing ---

def _messages(clock: _RunningClock, rules: VulnRules, settings: Settings,
              recipients: Sequence[tuple[uuid.UUID, str]], gate_rules: gate.GateRules,
              now: datetime) -> list[_Message]:
    subject, body = _email_text(clock, rules, settings)
    messages = [
        _Message("email", email, subject, body, {}, f"{clock.event_key}:email:{user_id}", clock)
        for user_id, email in recipients
    ]
    for url in settings.webhook_url_list:
        payload = _payload(clock, _title_decision(clock, url, settings, gate_rules, now))
        # A hash, not the URL: URLs can be long and often carry a token.
        url_id = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
        messages.append(_Message("webhook", url, subject, "", payload,
                                 f"{clock.event_key}:webhook:{url_id}", clock))
    return messages


def _title_decision(clock: _RunningClock, url: str, settings: Settings, gate_rules: gate.GateRules,
                    now: datetime) -> gate.Decision | None:
    """May this receiver get the case title? Asked of the gate for each webhook URL."""
    if clock.subject_type != "case":
        return None
    content = gate.Content(title=clock.title, text="", computed_severity=None, fix_available=False,
                           fix_or_mitigation="", in_operator_system=False, disclosed=False)
    receiver = gate.Recipient(urlsplit(url).hostname or "webhook", settings.webhook_jurisdiction)
    return gate.decide(gate.GateRequest(channel=gate.Channel.WEBHOOK, content=content, at=now,
                                        recipient=receiver), gate_rules)


def _payload(clock: _RunningClock, title_decision: gate.Decision | None) -> dict[str, Any]:
    kind, lead = clock.stage
    subject: dict[str, Any] = {"type": clock.subject_type, "id": str(clock.subject_id)}
    if clock.subject_type == "case":
        subject["number"] = clock.number
        if title_decision is not None and title_decision.allowed:
            subject["title"] = clock.title
        elif title_decision is not None:
            subject["title_withheld"] = {"rules": list(title_decision.rule_ids), "reason": "; ".join(
                r.reason_en for r in title_decision.results if r.outcome is not gate.Outcome.ALLOW)}
    return {
        "event": OVERDUE_EVENT if kind == "overdue" else REMINDER_EVENT,
        "subject": subject,
        "clock": {"rule": clock.rule_id, "due_at": clock.due_at.astimezone(UTC).isoformat(),
                  "lead_hours": None if lead is None else (int(lead) if lead.is_integer() else lead)},
        "organisation": clock.org_slug,
    }


def _email_text(clock: _RunningClock, rules: VulnRules, settings: Settings) -> tuple[str, str]:
    """Bilingual subject and body: Simplified Chinese first, then English."""
    kind, lead = clock.stage
    rule = rules.clock_by_id.get(clock.rule_id)
    what_zh = rule.title_zh if rule else clock.rule_id
    what_en = rule.title_en if rule else clock.rule_id
    article = f"（第{rule.article}条）" if rule else ""
    article_en = f" (Art. {rule.article})" if rule else ""
    title = " ".join(clock.title.split())
    if clock.subject_type == "case":
        name_zh = f"{clock.number}「{title}」"
        name_en = f'{clock.number} "{title}"'
    else:
        ref = f" {clock.number}" if clock.number else ""
        name_zh = f"运营者漏洞{ref}「{title}」"
        name_en = f'Operator finding{ref} "{title}"'
    due_bj = clock.due_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    due_utc = clock.due_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    if kind == "overdue":
        tag = "已逾期 / OVERDUE"
        state_zh = "截止时间已过，尚未完成。请立即处理。"
        state_en = "The deadline has passed and this is not done yet. Act now."
    else:
        tag = f"截止提醒 / Deadline in {_hours(lead)} h"
        state_zh = f"距截止时间不足 {_hours(lead)} 小时。"
        state_en = f"Less than {_hours(lead)} hours remain."
    subject = f"[{settings.instance_name}] {tag}: {name_zh}"[:500]
    body = "\n".join([
        f"{name_zh}",
        f"事项：{what_zh}{article}",
        f"截止时间：北京时间 {due_bj}（UTC {due_utc}）",
        state_zh,
        f"查看：{clock.url}",
        "",
        f"{name_en}",
        f"Obligation: {what_en}{article_en}",
        f"Due: {due_bj} Beijing time (UTC+8), {due_utc} UTC",
        state_en,
        f"Open: {clock.url}",
        "",
        "-- ",
        f"{settings.instance_name} · 系统自动发送，请勿回复 / sent automatically, do not reply",
    ])
    return subject, body
