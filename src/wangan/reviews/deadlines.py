"""Reminders for review clocks nearing their due date or overdue, and for supervision items (Art. 19).

``check_review_deadlines`` is a job. It first brings the stored due dates of running clocks up to
date with the calendar it is given (``cases.refresh_clocks``: an administrator may have confirmed a
year or entered an override), then writes reminder messages to the outbox in the caller's
transaction; the dispatcher sends them after commit.

Stages are counted in PRC working days: a running clock or an open supervision item reaches the
lead L (rules ``reminders.lead_working_days``) when at most L working days remain after today
(Beijing) up to its due date, and is overdue once today is past the due date. A paused clock
(Art. 15) stands still and is not reminded. Each message's dedupe key names the clock run (or the
item), its due date, the stage and the recipient: running the job again queues nothing new, while a
due date that moved (a pause, an extension, a newly confirmed year) is announced afresh.

E-mails go to the active managers and analysts of the owning organisation, who may read the case
anyway. Webhook payloads leave the organisation, so they carry ids, the case number, the clock and
its due date, never the case's title or parties.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from wangan.kernel import audit, identity, outbox
from wangan.kernel.audit import Actor
from wangan.kernel.calendar import beijing_date
from wangan.kernel.models import Organisation
from wangan.kernel.workdays import WorkCalendar
from wangan.reviews.cases import SUBJECT, refresh_clocks
from wangan.reviews.events import ReviewTag
from wangan.reviews.models import ReviewCase, ReviewClock, ReviewPause, ReviewState, SupervisionItem
from wangan.reviews.rules import ReviewRules

log = logging.getLogger(__name__)

REMINDER_EVENT = "review.deadline.reminder"
OVERDUE_EVENT = "review.deadline.overdue"
CASE_PATH = "/reviews/{number}"  # where the web UI will show a review case
ACTOR = Actor.system("review-deadlines")
# PostgreSQL advisory lock held by a check, so two workers cannot both queue the same dedupe key.
# The audit chain uses 727061 and the vulnerability deadlines 727062.
_CHECK_LOCK = 727063

Stage = tuple[Literal["reminder", "overdue"], int | None]


class ReminderSettings(Protocol):
    """What the job reads of the settings (``wangan.config.Settings`` has it all)."""

    @property
    def base_url(self) -> str: ...

    @property
    def instance_name(self) -> str: ...

    @property
    def webhook_url_list(self) -> list[str]: ...


@dataclass(frozen=True)
class ReviewDeadlineSummary:
    """What one check did."""

    reminders_queued: int = 0
    overdue_queued: int = 0
    clocks_due: int = 0  # running, unpaused clocks inside a lead or overdue
    items_due: int = 0  # open supervision items inside a lead or overdue
    clocks_recomputed: int = 0

    @property
    def queued(self) -> int:
        return self.reminders_queued + self.overdue_queued


@dataclass(frozen=True)
class _Due:
    """One deadline of one case that has reached a stage."""

    kind: Literal["clock", "supervision"]
    key_id: uuid.UUID  # the clock run or the supervision item
    case_id: uuid.UUID
    org_id: uuid.UUID
    org_slug: str
    number: str
    what_id: str  # the clock rule id, or "ART-19" for supervision
    what_zh: str
    what_en: str
    due_on: date
    provisional: bool
    unconfirmed_years: tuple[int, ...]
    stage: Stage

    @property
    def event_key(self) -> str:
        kind, lead = self.stage
        suffix = "overdue" if kind == "overdue" else f"lead:{lead}"
        return f"review:{self.kind}:{self.key_id}:{self.due_on.isoformat()}:{suffix}"


def stage_on(calendar: WorkCalendar, today: date, due_on: date, leads: Sequence[int]) -> Stage | None:
    """Overdue once ``today`` is past the due date; else the smallest lead reached (working days
    left after today up to the due date, 0 on the due day), or None."""
    if today > due_on:
        return ("overdue", None)
    left = calendar.working_days_between(today, due_on).days
    reached = [lead for lead in leads if left <= lead]
    return ("reminder", min(reached)) if reached else None


def check_review_deadlines(session: Session, rules: ReviewRules, settings: ReminderSettings, now: datetime,
                           calendar: WorkCalendar) -> ReviewDeadlineSummary:
    """Queue reminders for running review clocks and open supervision items that reached a lead
    time or are overdue. Flushes; the caller commits."""
    if now.tzinfo is None:
        raise ValueError("check_review_deadlines needs a timezone-aware 'now'")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHECK_LOCK})
    recomputed = refresh_clocks(session, calendar, actor=ACTOR)
    today = beijing_date(now)
    leads = sorted(set(rules.reminders.lead_working_days))
    dues = [*_clock_dues(session, rules, calendar, today, leads), *_item_dues(session, calendar, today, leads)]
    if not dues:
        return ReviewDeadlineSummary(clocks_recomputed=recomputed)
    recipients = identity.deadline_recipients(session, {d.org_id for d in dues})
    reminders = overdue = 0
    per_case: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for due in dues:
        queued = 0
        for channel, recipient, subject, body, payload, key in _messages(due, settings, recipients.get(due.org_id, [])):
            if outbox.enqueue(session, channel=channel, recipient=recipient, subject=subject, body=body,
                              payload=payload, dedupe_key=key, not_before=now):
                queued += 1
        if not queued:
            continue
        if due.stage[0] == "overdue":
            overdue += queued
        else:
            reminders += queued
        per_case[due.case_id].append({"deadline": due.kind, "what": due.what_id, "due_on": due.due_on,
                                      "provisional": due.provisional, "event": due.stage[0],
                                      "lead_working_days": due.stage[1], "messages": queued})
    orgs = {d.case_id: d.org_id for d in dues}
    for case_id, entries in per_case.items():
        audit.record(session, ReviewTag.REMINDER_QUEUED, ACTOR, SUBJECT, case_id, org_id=orgs[case_id],
                     data={"reminders": entries})
    for due in dues:
        if not recipients.get(due.org_id) and not settings.webhook_url_list:
            log.debug("review deadlines: %s %s of %s is %s but organisation %s has nobody to tell",
                      due.kind, due.what_id, due.number, due.stage[0], due.org_slug)
    return ReviewDeadlineSummary(reminders_queued=reminders, overdue_queued=overdue,
                                 clocks_due=sum(1 for d in dues if d.kind == "clock"),
                                 items_due=sum(1 for d in dues if d.kind == "supervision"),
                                 clocks_recomputed=recomputed)


def _clock_dues(session: Session, rules: ReviewRules, calendar: WorkCalendar, today: date,
                leads: Sequence[int]) -> list[_Due]:
    paused = select(ReviewPause.clock_id).where(ReviewPause.ended_on.is_(None))
    rows = session.execute(
        select(ReviewClock.id, ReviewClock.rule_id, ReviewClock.due_on, ReviewClock.provisional,
               ReviewClock.unconfirmed_years, ReviewCase.id.label("case_id"), ReviewCase.org_id, ReviewCase.number,
               Organisation.slug)
        .join(ReviewCase, ReviewCase.id == ReviewClock.case_id)
        .join(Organisation, Organisation.id == ReviewCase.org_id)
        .where(ReviewClock.stopped_on.is_(None), ReviewClock.id.not_in(paused),
               ReviewCase.state.in_([ReviewState(s) for s in rules.open_states()]))
        .order_by(ReviewClock.due_on)
    ).all()
    dues = []
    for row in rows:
        stage = stage_on(calendar, today, row.due_on, leads)
        if stage is None:
            continue
        rule = rules.clock_by_id.get(row.rule_id)
        dues.append(_Due("clock", row.id, row.case_id, row.org_id, row.slug, row.number, row.rule_id,
                         rule.title_zh if rule else row.rule_id, rule.title_en if rule else row.rule_id,
                         row.due_on, bool(row.provisional), tuple(row.unconfirmed_years or ()), stage))
    return dues


def _item_dues(session: Session, calendar: WorkCalendar, today: date, leads: Sequence[int]) -> list[_Due]:
    rows = session.execute(
        select(SupervisionItem.id, SupervisionItem.title, SupervisionItem.due_on, SupervisionItem.provisional,
               SupervisionItem.unconfirmed_years, ReviewCase.id.label("case_id"), ReviewCase.org_id,
               ReviewCase.number, Organisation.slug)
        .join(ReviewCase, ReviewCase.id == SupervisionItem.case_id)
        .join(Organisation, Organisation.id == ReviewCase.org_id)
        .where(SupervisionItem.done_on.is_(None))
        .order_by(SupervisionItem.due_on)
    ).all()
    dues = []
    for row in rows:
        stage = stage_on(calendar, today, row.due_on, leads)
        if stage is None:
            continue
        dues.append(_Due("supervision", row.id, row.case_id, row.org_id, row.slug, row.number, "ART-19",
                         f"审查后监督事项「{' '.join(row.title.split())}」",
                         f'post-review supervision item "{" ".join(row.title.split())}"',
                         row.due_on, bool(row.provisional), tuple(row.unconfirmed_years or ()), stage))
    return dues


def _messages(due: _Due, settings: ReminderSettings, recipients: Sequence[tuple[uuid.UUID, str]],
              ) -> list[tuple[Literal["email", "webhook"], str, str, str, dict[str, Any], str]]:
    subject, body = _email_text(due, settings)
    messages: list[tuple[Literal["email", "webhook"], str, str, str, dict[str, Any], str]] = [
        ("email", email, subject, body, {}, f"{due.event_key}:email:{user_id}") for user_id, email in recipients]
    kind, lead = due.stage
    payload = {
        "event": OVERDUE_EVENT if kind == "overdue" else REMINDER_EVENT,
        "subject": {"type": SUBJECT, "id": str(due.case_id), "number": due.number},
        "deadline": {"kind": due.kind, "id": str(due.key_id), "rule": due.what_id if due.kind == "clock" else None,
                     "due_on": due.due_on.isoformat(), "provisional": due.provisional,
                     "unconfirmed_years": list(due.unconfirmed_years), "lead_working_days": lead},
        "organisation": due.org_slug,
    }
    for url in settings.webhook_url_list:
        # A hash, not the URL: URLs can be long and often carry a token.
        url_id = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
        messages.append(("webhook", url, subject, "", payload, f"{due.event_key}:webhook:{url_id}"))
    return messages


def _email_text(due: _Due, settings: ReminderSettings) -> tuple[str, str]:
    """Bilingual subject and body: Simplified Chinese first, then English."""
    kind, lead = due.stage
    url = settings.base_url + CASE_PATH.format(number=due.number)
    when = due.due_on.isoformat()
    years = ", ".join(str(y) for y in due.unconfirmed_years)
    mark_zh = f"（暂定：依赖尚未确认的{years}年节假日安排）" if due.provisional else ""
    mark_en = f" (provisional: relies on the holiday schedule of {years}, not yet confirmed)" if due.provisional else ""
    if kind == "overdue":
        tag = "已逾期 / OVERDUE"
        state_zh, state_en = "截止日期已过。", "The due date has passed."
    else:
        tag = f"截止提醒 / {lead} working day(s) left"
        state_zh = f"距截止日期不超过{lead}个工作日。"
        state_en = f"At most {lead} working day(s) remain."
    subject = f"[{settings.instance_name}] {tag}: {due.number}"[:500]
    body = "\n".join([
        f"网络安全审查 {due.number}",
        f"事项：{due.what_zh}",
        f"截止日期：{when}（北京时间，按工作日计算）{mark_zh}",
        state_zh,
        f"查看：{url}",
        "",
        f"Cybersecurity review {due.number}",
        f"Deadline: {due.what_en}",
        f"Due on: {when} (Beijing, counted in PRC working days){mark_en}",
        state_en,
        f"Open: {url}",
        "",
        "-- ",
        f"{settings.instance_name} · 系统自动发送，请勿回复 / sent automatically, do not reply",
    ])
    return subject, body
