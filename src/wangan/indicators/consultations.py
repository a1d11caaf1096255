"""Public consultations on draft documents: publishing a draft with an open and close time (Beijing
time), comments from anyone while it is open, moderation, and export.

Who may do what (``wangan.indicators.policy``): managers and administrators create, edit, publish,
moderate and export (the export carries the commenters' contacts); anyone, anonymous callers included,
reads a published consultation and its approved comments, and comments while it is open. A draft does
not exist for anyone else (NotFound).

The window is inclusive at both ends: a comment submitted exactly at ``opens_at`` or exactly at
``closes_at`` is accepted, one a second later than ``closes_at`` is refused. Times are stored in UTC;
a naive time is read as Beijing time. A consultation recorded from a plan file (``recorded_only``) is a
record of a past consultation held elsewhere: it never takes comments here.

Services flush but never commit; the adapter's unit of work commits once.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, FieldProblem, Invalid, NotFound
from wangan.indicators import policy, registry
from wangan.indicators.events import IndicatorTag
from wangan.indicators.models import CommentState, Consultation, ConsultationComment, ConsultationState
from wangan.indicators.plans import PlanFile
from wangan.indicators.tabular import spreadsheet_safe
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.auth import ANONYMOUS, Principal
from wangan.kernel.calendar import BEIJING

SUBJECT = "consultation"
COMMENT_SUBJECT = "consultation_comment"
PUBLIC = Actor(None, "public")
SLUG_RE = re.compile(r"^[a-z0-9-]{3,80}$")
MAX_COMMENT = 20_000
MAX_CONTACT = 200
MAX_NAME = 200
MAX_ORGANISATION = 200
MAX_SECTION = 200
MAX_TITLE = 300
MAX_BODY = 200_000
MAX_URL = 500
MAX_NOTE = 2_000
EDITABLE = frozenset(("title_zh", "title_en", "body", "document_url", "opens_at", "closes_at", "plan_key"))
Window = Literal["upcoming", "open", "closed"]
EXPORT_COLUMNS = ("id", "submitted_at", "state", "section", "name", "organisation", "contact", "body")


# --------------------------------------------------------------------------- times


def parse_beijing(value: str) -> datetime:
    """``2021-07-16T23:59`` (read as Beijing time) or an ISO time with an offset, returned in UTC.

    Raises ``ValueError`` for anything that is not a date and time."""
    text = value.strip()
    if not text:
        raise ValueError("empty")
    parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    if not 1900 <= parsed.year <= 2100:
        # Also keeps astimezone() clear of the calendar's edges, where it overflows.
        raise ValueError(f"the year {parsed.year} is outside 1900–2100")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BEIJING)
    return parsed.astimezone(UTC)


def beijing_text(value: datetime, *, seconds: bool = False) -> str:
    """``2021-07-16 23:59`` in Beijing time."""
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _aware(value: datetime) -> datetime:
    return (value.replace(tzinfo=BEIJING) if value.tzinfo is None else value).astimezone(UTC)


def window_of(consultation: Consultation, now: datetime) -> Window:
    """Where ``now`` lies against the (inclusive) window."""
    moment = _aware(now)
    if moment < consultation.opens_at:
        return "upcoming"
    if moment > consultation.closes_at:
        return "closed"
    return "open"


def accepts_comments(consultation: Consultation, now: datetime) -> bool:
    return (consultation.state is ConsultationState.PUBLISHED and not consultation.recorded_only
            and window_of(consultation, now) == "open")


# --------------------------------------------------------------------------- reading


def _may_manage(principal: Principal) -> bool:
    return policy.may_manage(principal)


def _find(session: Session, slug: str) -> Consultation | None:
    if not isinstance(slug, str) or len(slug) > 80 or "\x00" in slug:
        return None
    return session.scalar(select(Consultation).where(Consultation.slug == slug))


def get_consultation(session: Session, principal: Principal, slug: str) -> Consultation:
    """A published consultation for anyone; a draft for managers and administrators only."""
    consultation = _find(session, slug)
    if consultation is None or (consultation.state is not ConsultationState.PUBLISHED
                                and not _may_manage(principal)):
        raise NotFound(f"no consultation {slug!r}")
    return consultation


def list_consultations(session: Session, principal: Principal) -> list[Consultation]:
    """Published consultations for everyone, drafts too for managers; the latest closing first."""
    query = select(Consultation).order_by(Consultation.closes_at.desc(), Consultation.slug)
    if not _may_manage(principal):
        query = query.where(Consultation.state == ConsultationState.PUBLISHED)
    return list(session.scalars(query))


@dataclass(frozen=True)
class CommentView:
    """A comment as the caller may see it: ``contact`` and the moderation details are None for the public."""

    id: uuid.UUID
    body: str
    section: str
    name: str
    organisation: str
    submitted_at: datetime
    state: CommentState
    contact: str | None = None
    moderated_at: datetime | None = None
    moderation_note: str | None = None

    @classmethod
    def of(cls, comment: ConsultationComment, *, full: bool) -> CommentView:
        return cls(id=comment.id, body=comment.body, section=comment.section, name=comment.name,
                   organisation=comment.organisation, submitted_at=comment.submitted_at, state=comment.state,
                   contact=comment.contact if full else None,
                   moderated_at=comment.moderated_at if full else None,
                   moderation_note=comment.moderation_note if full else None)


def _state(value: CommentState | str, field: str = "state") -> CommentState:
    try:
        return CommentState(value)
    except ValueError:
        raise Invalid(f"{field} must be one of pending, approved, rejected; got {value!r}",
                      problems=[FieldProblem(field, "pending, approved or rejected")]) from None


def list_comments(session: Session, principal: Principal, slug: str, *, include_pending: bool = False,
                  state: CommentState | str | None = None) -> list[CommentView]:
    """Approved comments without contacts for anyone; with ``include_pending`` (managers only) every
    comment, or those in ``state``, with contacts. Oldest first."""
    consultation = get_consultation(session, principal, slug)
    full = include_pending or state is not None
    if full:
        policy.require_manage(principal, "see unmoderated comments and contacts")
    query = select(ConsultationComment).where(ConsultationComment.consultation_id == consultation.id)
    if state is not None:
        query = query.where(ConsultationComment.state == _state(state))
    elif not include_pending:
        query = query.where(ConsultationComment.state == CommentState.APPROVED)
    rows = session.scalars(query.order_by(ConsultationComment.submitted_at, ConsultationComment.id))
    return [CommentView.of(c, full=full) for c in rows]


def comment_counts(session: Session, consultation: Consultation) -> dict[str, int]:
    """How many comments are in each moderation state (for managers' pages)."""
    counts = {s.value: 0 for s in CommentState}
    for comment_state in session.scalars(select(ConsultationComment.state)
                                         .where(ConsultationComment.consultation_id == consultation.id)):
        counts[CommentState(comment_state).value] += 1
    return counts


# --------------------------------------------------------------------------- writing


def _text(errors: ErrorList, field: str, value: object, limit: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        errors.add(field, "must be text")
        return ""
    text = value.strip()
    if required and not text:
        errors.add(field, "required")
    elif len(text) > limit:
        errors.add(field, f"at most {limit:,} characters (this has {len(text):,})")
    return text


def _url(errors: ErrorList, value: object) -> str:
    text = _text(errors, "document_url", value, MAX_URL)
    if text and not re.match(r"^https?://[^\s/]+\S*$", text):
        errors.add("document_url", "an http:// or https:// address")
    return text


def _when(errors: ErrorList, field: str, value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            return parse_beijing(value)
        except ValueError:
            errors.add(field, "a date and time, e.g. 2021-07-16T23:59 (Beijing time)")
            return None
    if not isinstance(value, datetime):
        errors.add(field, "a date and time, e.g. 2021-07-16T23:59 (Beijing time)")
        return None
    return _aware(value)


def _check_window(errors: ErrorList, opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        errors.add("closes_at", f"must be after the opening time ({beijing_text(opens_at)} Beijing time)")


def _refuse(errors: ErrorList, what: str) -> None:
    if errors.problems:
        raise Invalid(f"{what}: " + "; ".join(f"{p.field}: {p.message}" for p in errors.problems),
                      problems=errors.problems)


def _snapshot(c: Consultation) -> dict[str, Any]:
    return {"slug": c.slug, "title_zh": c.title_zh, "title_en": c.title_en, "document_url": c.document_url,
            "opens_at": c.opens_at, "closes_at": c.closes_at, "plan_key": c.plan_key, "state": c.state.value,
            "recorded_only": c.recorded_only}


def create_consultation(session: Session, principal: Principal, *, slug: str, title_zh: str, title_en: str,
                        body: str, document_url: str, opens_at: datetime, closes_at: datetime,
                        plan_key: str = "", now: datetime | None = None) -> Consultation:
    """A new draft consultation (not visible to the public until published)."""
    policy.require_manage(principal, "run consultations")
    errors = ErrorList()
    slug_text = slug.strip() if isinstance(slug, str) else ""
    if not SLUG_RE.match(slug_text):
        errors.add("slug", "3–80 lowercase letters, digits and hyphens, e.g. plan-2024-draft")
    values = {
        "title_zh": _text(errors, "title_zh", title_zh, MAX_TITLE, required=True),
        "title_en": _text(errors, "title_en", title_en, MAX_TITLE),
        "body": _text(errors, "body", body, MAX_BODY),
        "document_url": _url(errors, document_url),
        "plan_key": _text(errors, "plan_key", plan_key, 100),
    }
    start, end = _when(errors, "opens_at", opens_at), _when(errors, "closes_at", closes_at)
    _check_window(errors, start, end)
    _refuse(errors, "the consultation is not valid")
    assert start is not None and end is not None
    existing = _find(session, slug_text)
    if existing is not None:
        raise Conflict(f"a consultation {slug_text!r} already exists; choose another slug",
                       problems=[FieldProblem("slug", "already taken")])
    moment = now or utcnow()
    consultation = Consultation(slug=slug_text, opens_at=start, closes_at=end, state=ConsultationState.DRAFT,
                                recorded_only=False, created_by=principal.user_id, created_at=moment,
                                updated_at=moment, **values)
    session.add(consultation)
    session.flush()
    audit.record(session, IndicatorTag.CONSULTATION_CREATED, policy.actor_of(principal), SUBJECT,
                 consultation.id, data=_snapshot(consultation))
    return consultation


def _has_comments(session: Session, consultation: Consultation) -> bool:
    return session.scalar(select(ConsultationComment.id)
                          .where(ConsultationComment.consultation_id == consultation.id).limit(1)) is not None


def _writable(session: Session, principal: Principal, slug: str, expected_version: int | None) -> Consultation:
    policy.require_manage(principal, "run consultations")
    consultation = get_consultation(session, principal, slug)
    if expected_version is not None and expected_version != consultation.version:
        raise Conflict(f"consultation {consultation.slug} was changed by someone else (you have version "
                       f"{expected_version}, it is now at version {consultation.version}); reload and try again",
                       extra={"current_version": consultation.version})
    return consultation


def _flush(session: Session, consultation: Consultation) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"consultation {consultation.slug} was changed by someone else at the same time; "
                       "reload and try again") from exc


def update_consultation(session: Session, principal: Principal, slug: str, changes: dict[str, Any], *,
                        expected_version: int | None = None, now: datetime | None = None) -> Consultation:
    """Edit titles, text, link and window. The window of a published consultation that already has
    comments is fixed (Conflict): moving it would change the terms the comments were made under."""
    consultation = _writable(session, principal, slug, expected_version)
    errors = ErrorList()
    for name in sorted(set(changes) - EDITABLE):
        errors.add(name, "not an editable field of a consultation")
    limits = {"title_zh": MAX_TITLE, "title_en": MAX_TITLE, "body": MAX_BODY, "plan_key": 100}
    values: dict[str, Any] = {}
    for name, limit in limits.items():
        if name in changes:
            values[name] = _text(errors, name, changes[name], limit, required=name == "title_zh")
    if "document_url" in changes:
        values["document_url"] = _url(errors, changes["document_url"])
    for name in ("opens_at", "closes_at"):
        if name in changes:
            values[name] = _when(errors, name, changes[name])
    _check_window(errors, values.get("opens_at", consultation.opens_at),
                  values.get("closes_at", consultation.closes_at))
    _refuse(errors, "the consultation is not valid")
    moves = [n for n in ("opens_at", "closes_at") if n in values and values[n] != getattr(consultation, n)]
    if moves and consultation.state is ConsultationState.PUBLISHED and _has_comments(session, consultation):
        raise Conflict(f"consultation {consultation.slug} is published and already has comments; its window "
                       "(open and close times) can no longer be changed",
                       problems=[FieldProblem(n, "fixed once comments arrived") for n in moves])
    before = _snapshot(consultation)
    changed = {n: v for n, v in values.items() if v != getattr(consultation, n)}
    if not changed:
        return consultation
    for name, value in changed.items():
        setattr(consultation, name, value)
    consultation.updated_at = now or utcnow()
    _flush(session, consultation)
    audit.record(session, IndicatorTag.CONSULTATION_UPDATED, policy.actor_of(principal), SUBJECT, consultation.id,
                 data={"slug": consultation.slug, "fields": sorted(changed),
                       "before": {n: before[n] for n in changed if n in before and n != "body"},
                       "after": {n: _snapshot(consultation)[n] for n in changed if n != "body"}})
    return consultation


def publish(session: Session, principal: Principal, slug: str, *, expected_version: int | None = None,
            now: datetime | None = None) -> Consultation:
    """Make a draft public; it takes comments from its opening time to its closing time."""
    consultation = _writable(session, principal, slug, expected_version)
    if consultation.state is ConsultationState.PUBLISHED:
        raise Conflict(f"consultation {consultation.slug} is already published")
    consultation.state = ConsultationState.PUBLISHED
    consultation.updated_at = now or utcnow()
    _flush(session, consultation)
    audit.record(session, IndicatorTag.CONSULTATION_PUBLISHED, policy.actor_of(principal), SUBJECT,
                 consultation.id, data=_snapshot(consultation))
    return consultation


def plan_slug(plan: PlanFile) -> str:
    """The slug a plan's recorded consultation gets: ``cn-miit-csi-2021-2023-draft``."""
    return re.sub(r"[^a-z0-9]+", "-", plan.id.lower()).strip("-")[:74] + "-draft"


def record_plan_consultation(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str,
                             now: datetime | None = None) -> Consultation:
    """Record the consultation a plan file describes (e.g. the 2021 draft's 12–16 July 2021 window) as a
    published, closed, recorded-only consultation. Recording it again is a Conflict naming the record."""
    policy.require_manage(principal, "run consultations")
    entry = registry.find_plan(session, shipped, plan_key)
    if entry is None:
        known = [p.id for p in shipped]
        raise NotFound(f"no plan {plan_key!r}; known plans: {', '.join(known) or 'none'}")
    plan = entry.plan
    data = plan.consultation
    if data is None:
        raise Invalid(f"plan {plan.id} records no consultation (its file has no 'consultation' section)")
    existing = session.scalar(select(Consultation).where(Consultation.plan_key == plan.id,
                                                         Consultation.recorded_only.is_(True)))
    slug = plan_slug(plan)
    existing = existing or _find(session, slug)
    if existing is not None:
        raise Conflict(f"the consultation of plan {plan.id} is already recorded as {existing.slug!r}",
                       extra={"slug": existing.slug})
    sources = {s.id: s for s in plan.plan.sources}
    cited = [f"[{sid}] {sources[sid].title}" + (f" {sources[sid].url}" if sources[sid].url else "")
             for sid in data.sources if sid in sources]
    body = "\n\n".join(part for part in (data.note.strip(), "\n".join(cited)) if part)
    opens_at = datetime.combine(data.opens, time(0, 0), tzinfo=BEIJING).astimezone(UTC)
    moment = now or utcnow()
    consultation = Consultation(
        slug=slug, plan_key=plan.id, title_zh=data.title_zh[:MAX_TITLE], title_en=data.title_en[:MAX_TITLE],
        body=body, document_url=(plan.plan.official_text_url or "")[:MAX_URL], opens_at=opens_at,
        closes_at=data.closes_at.astimezone(UTC), state=ConsultationState.PUBLISHED, recorded_only=True,
        created_by=principal.user_id, created_at=moment, updated_at=moment)
    session.add(consultation)
    session.flush()
    audit.record(session, IndicatorTag.CONSULTATION_CREATED, policy.actor_of(principal), SUBJECT,
                 consultation.id, data={**_snapshot(consultation), "closes_at_status": data.closes_at_status,
                                        "sources": list(data.sources)})
    return consultation


# --------------------------------------------------------------------------- comments


def _refusal(consultation: Consultation, now: datetime) -> str | None:
    """Why ``consultation`` takes no comment at ``now``, or None."""
    if consultation.recorded_only:
        return (f"consultation {consultation.slug} is a record of a past consultation "
                f"({beijing_text(consultation.opens_at)} to {beijing_text(consultation.closes_at)} Beijing time); "
                "it never took comments here")
    window = window_of(consultation, now)
    if window == "upcoming":
        return f"consultation {consultation.slug} opens on {beijing_text(consultation.opens_at)} Beijing time"
    if window == "closed":
        return (f"consultation {consultation.slug} closed on {beijing_text(consultation.closes_at)} Beijing time; "
                "comments are no longer accepted")
    return None


def refusal_of(consultation: Consultation, now: datetime) -> str | None:
    """The message a comment would be refused with now (for pages that replace the form with it)."""
    return _refusal(consultation, now)


def submit_comment(session: Session, consultation_slug: str, *, body: str, section: str = "", name: str = "",
                   organisation: str = "", contact: str = "", now: datetime) -> ConsultationComment:
    """A comment from anyone, kept pending until moderated. Refused before the opening time, after the
    closing time (inclusive window) and on recorded-only consultations (Conflict), and for bad input
    (Invalid). The audit record names the public as actor and leaves the contact out."""
    consultation = get_consultation(session, ANONYMOUS, consultation_slug)
    refusal = _refusal(consultation, now)
    if refusal is not None:
        raise Conflict(refusal, extra={"window": "recorded" if consultation.recorded_only
                                       else window_of(consultation, now)})
    errors = ErrorList()
    text = body if isinstance(body, str) else ""
    if not isinstance(body, str) or not body.strip():
        errors.add("body", "write your comment")
    elif len(body) > MAX_COMMENT:
        errors.add("body", f"at most {MAX_COMMENT:,} characters (this has {len(body):,})")
    values = {
        "section": _text(errors, "section", section, MAX_SECTION),
        "name": _text(errors, "name", name, MAX_NAME),
        "organisation": _text(errors, "organisation", organisation, MAX_ORGANISATION),
        "contact": _text(errors, "contact", contact, MAX_CONTACT),
    }
    _refuse(errors, "the comment is not valid")
    comment = ConsultationComment(consultation_id=consultation.id, body=text.strip(), submitted_at=_aware(now),
                                  state=CommentState.PENDING, **values)
    session.add(comment)
    session.flush()
    audit.record(session, IndicatorTag.COMMENT_SUBMITTED, PUBLIC, COMMENT_SUBJECT, comment.id,
                 data={"consultation": consultation.slug, "section": comment.section,
                       "length": len(comment.body), "named": bool(comment.name),
                       "with_contact": bool(comment.contact)})
    return comment


def moderate(session: Session, principal: Principal, comment_id: uuid.UUID | str, *,
             state: CommentState | str, note: str = "", now: datetime | None = None,
             consultation_slug: str | None = None) -> ConsultationComment:
    """Approve (shown publicly) or reject (kept, never shown) a comment; again to change one's mind."""
    policy.require_manage(principal, "moderate comments")
    new_state = _state(state)
    if new_state is CommentState.PENDING:
        raise Invalid("a comment is moderated to approved or rejected",
                      problems=[FieldProblem("state", "approved or rejected")])
    errors = ErrorList()
    note_text = _text(errors, "note", note, MAX_NOTE)
    _refuse(errors, "the moderation is not valid")
    try:
        cid = comment_id if isinstance(comment_id, uuid.UUID) else uuid.UUID(str(comment_id))
    except ValueError:
        raise NotFound(f"no comment {comment_id}") from None
    comment = session.get(ConsultationComment, cid)
    if comment is None:
        raise NotFound(f"no comment {comment_id}")
    consultation = session.get(Consultation, comment.consultation_id)
    assert consultation is not None
    if consultation_slug is not None and consultation.slug != consultation_slug:
        raise NotFound(f"no comment {comment_id} on consultation {consultation_slug}")
    before = comment.state.value
    comment.state, comment.moderation_note = new_state, note_text
    comment.moderated_by, comment.moderated_at = principal.user_id, now or utcnow()
    session.flush()
    audit.record(session, IndicatorTag.COMMENT_MODERATED, policy.actor_of(principal), COMMENT_SUBJECT, comment.id,
                 data={"consultation": consultation.slug, "before": before, "after": new_state.value,
                       "note": note_text})
    return comment


# --------------------------------------------------------------------------- export


def _export_rows(session: Session, principal: Principal, slug: str,
                 state: CommentState | str | None) -> tuple[Consultation, list[CommentView]]:
    policy.require_manage(principal, "export comments with their contacts")
    consultation = get_consultation(session, principal, slug)
    rows = list_comments(session, principal, slug, include_pending=True, state=state)
    audit.record(session, IndicatorTag.REPORT_EXPORTED, policy.actor_of(principal), SUBJECT, consultation.id,
                 data={"what": "consultation comments", "slug": consultation.slug, "count": len(rows)})
    return consultation, rows


_cell = spreadsheet_safe


def export_comments_csv(session: Session, principal: Principal, slug: str, *,
                        state: CommentState | str | None = None) -> str:
    """Every comment (or those in ``state``) with contacts, as CSV with a UTF-8 BOM (opens in Excel);
    ``submitted_at`` in Beijing time."""
    _, rows = _export_rows(session, principal, slug, state)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for c in rows:
        writer.writerow([str(c.id), beijing_text(c.submitted_at, seconds=True), c.state.value, _cell(c.section),
                         _cell(c.name), _cell(c.organisation), _cell(c.contact or ""), _cell(c.body)])
    return "\ufeff" + out.getvalue()


def comment_dict(c: CommentView) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(c.id), "submitted_at": c.submitted_at.isoformat(),
                            "submitted_at_beijing": beijing_text(c.submitted_at, seconds=True),
                            "state": c.state.value, "section": c.section, "name": c.name,
                            "organisation": c.organisation, "body": c.body}
    if c.contact is not None:
        data["contact"] = c.contact
        data["moderated_at"] = c.moderated_at.isoformat() if c.moderated_at else None
        data["moderation_note"] = c.moderation_note
    return data


def export_comments_json(session: Session, principal: Principal, slug: str, *,
                         state: CommentState | str | None = None) -> str:
    """The same as JSON: the consultation and its comments with contacts."""
    consultation, rows = _export_rows(session, principal, slug, state)
    document = {"consultation": {"slug": consultation.slug, "title_zh": consultation.title_zh,
                                 "title_en": consultation.title_en, "opens_at": consultation.opens_at.isoformat(),
                                 "closes_at": consultation.closes_at.isoformat()},
                "comments": [comment_dict(c) for c in rows]}
    return json.dumps(document, ensure_ascii=False, indent=2)

