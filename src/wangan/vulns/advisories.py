"""Advisories (Art. 9): drafted from a case, reviewed, and published only through the gate.

The public sees only what a published revision froze (``AdvisoryRevision.snapshot``): edits made
after publication stay internal until they pass the gate again as a new revision."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, FieldProblem, Forbidden, Invalid, NotFound
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import BEIJING
from wangan.kernel.models import UserRole
from wangan.kernel.numbering import take_next
from wangan.vulns import cases, gate, policy, windows
from wangan.vulns.events import VulnTag
from wangan.vulns.models import (
    Advisory,
    AdvisoryAttachment,
    AdvisoryRevision,
    AdvisoryState,
    AttachmentKind,
    Case,
    CaseState,
    EventWindow,
    PublicationRequest,
    PublicationRequestStatus,
)
from wangan.vulns.scoring import apply_vectors, normalise_cwe

TEXT_FIELDS = {"title": 300, "description": 100_000, "affected": 20_000, "fix": 20_000, "credits": 5_000}
# The authorities' evaluation of an early release (PUB-1): only "permitted" lets it through.
EVALUATION_RESULTS = ("", "permitted", "refused")
TIME_FIELDS = ("joint_assessment_at", "reported_to_miit_mps_at", "evaluated_at")
EDITABLE = frozenset((*TEXT_FIELDS, *TIME_FIELDS, "cwe", "cvss31_vector", "cvss40_vector", "references",
                      "in_operator_system", "evaluation_result"))
# States in which a fix exists at the provider, for PUB-1.
FIXED_STATES = frozenset({CaseState.FIX_AVAILABLE, CaseState.USERS_NOTIFIED, CaseState.CLOSED})
URL_RE = re.compile(r"^https?://[^\s]+$")
MAX_ATTACHMENT = 5_000_000
SAMPLE_BYTES = 1024

# action -> (from states, to state)
MOVES: dict[str, tuple[frozenset[AdvisoryState], AdvisoryState]] = {
    "submit": (frozenset({AdvisoryState.DRAFT}), AdvisoryState.UNDER_REVIEW),
    "return": (frozenset({AdvisoryState.UNDER_REVIEW, AdvisoryState.APPROVED}), AdvisoryState.DRAFT),
    "approve": (frozenset({AdvisoryState.UNDER_REVIEW}), AdvisoryState.APPROVED),
    "publish": (frozenset({AdvisoryState.APPROVED, AdvisoryState.PUBLISHED}), AdvisoryState.PUBLISHED),
    "withdraw": (frozenset({AdvisoryState.PUBLISHED}), AdvisoryState.WITHDRAWN),
}


class GateRefused(Conflict):
    """Publication refused by the Art. 9 gate. Its decision is already in the audit log of the
    caller's transaction: commit before answering, so the refusal stays on record (Art. 11)."""

    code = "gate-refused"
    title = "Refused by the publication gate"
    keeps_record = True

    def __init__(self, decision: gate.Decision) -> None:
        refusing = [r for r in decision.results if r.outcome is not gate.Outcome.ALLOW]
        super().__init__("the publication gate refused: " + "; ".join(f"{r.rule_id}: {r.reason_en}" for r in refusing),
                         problems=[FieldProblem(r.rule_id, f"{r.reason_en} / {r.reason_zh}") for r in refusing],
                         extra={"decision": decision.to_dict()})
        self.decision = decision


def _actor(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.label)


def _next_number(session: Session, now: datetime) -> str:
    return f"WA-SA-{now.year}-{take_next(session, f'advisory-{now.year}'):04d}"


def _accepted_credits(session: Session, case_id: uuid.UUID) -> str:
    """Names the provider agreed to credit on the finder's publication requests, one per line."""
    names = session.execute(select(PublicationRequest.credit_name).where(
        PublicationRequest.case_id == case_id, PublicationRequest.status == PublicationRequestStatus.ACCEPTED,
        PublicationRequest.credit_name != "").order_by(PublicationRequest.decided_at)).scalars().all()
    return "\n".join(dict.fromkeys(n.strip() for n in names if n.strip()))


def draft_from_case(session: Session, principal: Principal, case_ref: str | uuid.UUID) -> Advisory:
    """Start an advisory pre-filled from the case's assessment."""
    case = cases.get_case(session, principal, case_ref)
    policy.require_write(principal, case, "case", case_ref)
    product = case.product
    affected = " ".join(p for p in ((product.vendor, product.name, product.model) if product else ()) if p)
    if case.affected_versions:
        affected = f"{affected} {case.affected_versions}".strip()
    advisory = Advisory(
        number=_next_number(session, utcnow()), org_id=case.org_id, case_id=case.id, title=case.title,
        description=case.description, affected=affected, fix=case.fix_description, cwe=case.cwe,
        cvss31_vector=case.cvss31_vector, cvss31_score=case.cvss31_score, cvss31_severity=case.cvss31_severity,
        cvss40_vector=case.cvss40_vector, cvss40_score=case.cvss40_score, cvss40_severity=case.cvss40_severity,
        credits=_accepted_credits(session, case.id), created_by=principal.user_id, case=case,
    )
    session.add(advisory)
    session.flush()
    audit.record(session, VulnTag.ADVISORY_DRAFTED, _actor(principal), "advisory", advisory.id,
                 org_id=advisory.org_id, data={"after": {"number": advisory.number, "case": case.number}})
    return advisory


def get_advisory(session: Session, principal: Principal, ref: str | uuid.UUID) -> Advisory:
    """Internal view (any state) through the policy; the public uses ``get_published``."""
    advisory: Advisory | None
    try:
        advisory = session.get(Advisory, uuid.UUID(str(ref)))
    except ValueError:
        text = str(ref)
        advisory = None if "\x00" in text else session.execute(
            select(Advisory).where(Advisory.number == text)).scalar_one_or_none()
    found = policy.require_read(principal, advisory, "advisory", ref)
    assert isinstance(found, Advisory)
    if (policy.needs_membership(principal) and found.state is not AdvisoryState.PUBLISHED
            and not cases.is_known_to(session, principal, found.case)):
        raise NotFound(f"no advisory {ref}")  # need-to-know: a draft of an undisclosed case
    return found


def list_advisories(session: Session, principal: Principal) -> list[Advisory]:
    return list(session.execute(
        select(Advisory).where(policy.advisory_visible(principal)).order_by(Advisory.created_at.desc())
    ).scalars())


def _writable(session: Session, principal: Principal, ref: str | uuid.UUID,
              expected_version: int | None) -> Advisory:
    advisory = get_advisory(session, principal, ref)
    policy.require_write(principal, advisory, "advisory", ref)
    if advisory.state is AdvisoryState.WITHDRAWN:
        raise Conflict(f"advisory {advisory.number} was withdrawn; it can no longer change")
    if expected_version is not None and expected_version != advisory.version:
        raise Conflict(f"advisory {advisory.number} was changed by someone else (now version {advisory.version}); "
                       "reload", extra={"current_version": advisory.version})
    return advisory


def _flush(session: Session, advisory: Advisory) -> None:
    number = advisory.number
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"advisory {number} was changed by someone else at the same time; reload") from exc


def update_advisory(session: Session, principal: Principal, ref: str | uuid.UUID, changes: dict[str, Any],
                    expected_version: int | None = None) -> Advisory:
    """Edit fields. An approved advisory goes back to review; a published one keeps showing its
    last published revision until it is published again."""
    advisory = _writable(session, principal, ref, expected_version)
    errors = ErrorList()
    for name in sorted(set(changes) - EDITABLE):
        errors.add(name, "not an editable advisory field")
    for name, limit in TEXT_FIELDS.items():
        if name in changes:
            value = changes[name]
            if not isinstance(value, str) or len(value) > limit:
                errors.add(name, f"text of at most {limit} characters")
            elif name == "title" and not value.strip():
                errors.add(name, "a title is required")
            else:
                setattr(advisory, name, value)
    for name in TIME_FIELDS:
        if name in changes:
            value = changes[name]
            if value is not None and not (isinstance(value, datetime) and value.tzinfo is not None):
                errors.add(name, "a date-time with a time zone")
            else:
                setattr(advisory, name, windows.as_beijing(value) if value else None)
    if "evaluation_result" in changes:
        if changes["evaluation_result"] not in EVALUATION_RESULTS:
            errors.add("evaluation_result", "permitted, refused, or empty while there is no evaluation")
        else:
            advisory.evaluation_result = changes["evaluation_result"]
    if "in_operator_system" in changes:
        if not isinstance(changes["in_operator_system"], bool):
            errors.add("in_operator_system", "true or false")
        else:
            advisory.in_operator_system = changes["in_operator_system"]
    if "references" in changes:
        refs = changes["references"]
        if not isinstance(refs, list) or not all(isinstance(r, str) and URL_RE.match(r) for r in refs):
            errors.add("references", "a list of http(s) URLs")
        else:
            advisory.references = list(refs)
    if "cwe" in changes:
        try:
            advisory.cwe = normalise_cwe(changes["cwe"]) if changes["cwe"] else ""
        except (ValueError, AttributeError) as exc:
            errors.add("cwe", str(exc))
    apply_vectors(advisory, changes, errors)
    errors.raise_if_any("the advisory was not changed: some fields are not valid")
    if advisory.state is AdvisoryState.APPROVED:
        advisory.state = AdvisoryState.UNDER_REVIEW  # what was approved is not what will be published
    advisory.updated_at = utcnow()
    _flush(session, advisory)
    audit.record(session, VulnTag.ADVISORY_UPDATED, _actor(principal), "advisory", advisory.id,
                 org_id=advisory.org_id, data={"fields": sorted(changes)})
    return advisory


def add_attachment(session: Session, principal: Principal, ref: str | uuid.UUID, *, filename: str, kind: str,
                   content_type: str, data: bytes) -> AdvisoryAttachment:
    advisory = _writable(session, principal, ref, None)
    errors = ErrorList()
    if kind not in {k.value for k in AttachmentKind}:
        errors.add("kind", "patch, poc, exploit or document")
    if not data:
        errors.add("file", "the file is empty")
    elif len(data) > MAX_ATTACHMENT:
        errors.add("file", f"at most {MAX_ATTACHMENT} bytes")
    errors.raise_if_any("the attachment was not added")
    att = AdvisoryAttachment(advisory_id=advisory.id, filename=re.sub(r"[^\w.\-]+", "_", filename)[:255] or "file",
                             kind=AttachmentKind(kind), content_type=content_type[:100] or "application/octet-stream",
                             size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
                             sample=data[:SAMPLE_BYTES])
    advisory.attachments.append(att)
    if advisory.state is AdvisoryState.APPROVED:
        advisory.state = AdvisoryState.UNDER_REVIEW
    _flush(session, advisory)
    audit.record(session, VulnTag.ADVISORY_UPDATED, _actor(principal), "advisory", advisory.id,
                 org_id=advisory.org_id, data={"attachment": {"filename": att.filename, "kind": kind,
                                                              "sha256": att.sha256}})
    return att


def clear_attachment(session: Session, principal: Principal, ref: str | uuid.UUID,
                     attachment_id: uuid.UUID) -> AdvisoryAttachment:
    """A manager's decision that a held attachment is not exploit code (PUB-4 hold)."""
    advisory = _writable(session, principal, ref, None)
    if principal.role is not UserRole.MANAGER and not principal.is_admin:
        raise Forbidden("only a manager may clear an attachment held as possible exploit code")
    att = next((a for a in advisory.attachments if a.id == attachment_id), None)
    if att is None:
        raise NotFound(f"no attachment {attachment_id} on {advisory.number}")
    if att.kind is AttachmentKind.EXPLOIT:
        raise Conflict("an attachment of kind 'exploit' never leaves (PUB-4); it cannot be cleared")
    att.human_cleared = True
    att.cleared_by = principal.user_id
    _flush(session, advisory)
    audit.record(session, VulnTag.ADVISORY_UPDATED, _actor(principal), "advisory", advisory.id,
                 org_id=advisory.org_id, data={"cleared_attachment": att.filename})
    return att


# --- the gate ---

def content_of(advisory: Advisory) -> gate.Content:
    """What the gate judges: the advisory's text, its computed severity and its facts."""
    case: Case = advisory.case
    severity = advisory.cvss40_severity or advisory.cvss31_severity or None
    return gate.Content(
        title=advisory.title, text=f"{advisory.description}\n{advisory.affected}\n{advisory.fix}",
        computed_severity=severity,
        fix_available=case.fix_available_at is not None or case.state in FIXED_STATES,
        fix_or_mitigation=advisory.fix, in_operator_system=advisory.in_operator_system,
        attachments=tuple(gate.GateAttachment(filename=a.filename, kind=gate.AttachmentKind(a.kind.value),
                                              sample=a.sample, human_cleared=a.human_cleared)
                          for a in advisory.attachments),
        disclosed=advisory.state is AdvisoryState.PUBLISHED,
    )


def early_release_of(advisory: Advisory) -> gate.EarlyRelease | None:
    if not (advisory.joint_assessment_at or advisory.reported_to_miit_mps_at or advisory.evaluation_result):
        return None
    return gate.EarlyRelease(joint_assessment_at=advisory.joint_assessment_at,
                             reported_to_miit_mps_at=advisory.reported_to_miit_mps_at,
                             # A refusal is no evaluation that permits release: PUB-1 then lists it as missing.
                             evaluation_result="permitted" if advisory.evaluation_result == "permitted" else None,
                             evaluated_at=advisory.evaluated_at)


def window_facts(rows: list[EventWindow]) -> tuple[gate.EventWindow, ...]:
    return tuple(gate.EventWindow(id=str(w.id), name=w.name, starts_at=w.starts_at, ends_at=w.ends_at,
                                  scope=tuple(w.scope), consent_reference=w.consent_reference or None,
                                  consent_date=w.consent_date.astimezone(BEIJING).date() if w.consent_date else None)
                 for w in rows)


def decide(session: Session, rules: gate.GateRules, advisory: Advisory, channel: gate.Channel,
           recipient: gate.Recipient | None, at: datetime, actor: Actor, *, dry_run: bool = False) -> gate.Decision:
    """Ask the gate and write its decision to the audit log."""
    request = gate.GateRequest(channel=channel, content=content_of(advisory), recipient=recipient, at=at,
                               early_release=early_release_of(advisory),
                               windows=window_facts(windows.list_windows(session, around=at)))
    decision = gate.decide(request, rules)
    audit.record(session, VulnTag.GATE_DECIDED, actor, "advisory", advisory.id, org_id=advisory.org_id,
                 data={"channel": channel.value, "dry_run": dry_run, "decision": decision.to_dict()})
    return decision


def decide_facts(session: Session, rules: gate.GateRules, principal: Principal, *, channel: gate.Channel,
                 content: gate.Content, recipient: gate.Recipient | None, early_release: gate.EarlyRelease | None,
                 at: datetime) -> gate.Decision:
    """Dry run on facts given by the caller (no advisory), with the stored event windows; logged."""
    decision = gate.decide(gate.GateRequest(
        channel=channel, content=content, at=at, recipient=recipient, early_release=early_release,
        windows=window_facts(windows.list_windows(session, around=at))), rules)
    audit.record(session, VulnTag.GATE_DECIDED, _actor(principal), "gate", "dry-run", org_id=principal.org_id,
                 data={"channel": channel.value, "dry_run": True, "decision": decision.to_dict()})
    return decision


def check(session: Session, principal: Principal, rules: gate.GateRules, ref: str | uuid.UUID,
          at: datetime | None = None) -> gate.Decision:
    """Dry run: what would the gate say about publishing this advisory on the portal now?"""
    advisory = get_advisory(session, principal, ref)
    return decide(session, rules, advisory, gate.Channel.PORTAL, None, at or utcnow(), _actor(principal),
                  dry_run=True)


def snapshot(advisory: Advisory) -> dict[str, Any]:
    """The public record of one revision: only what the gate let out (never exploit attachments)."""
    return {
        "number": advisory.number, "title": advisory.title, "description": advisory.description,
        "affected": advisory.affected, "fix": advisory.fix, "cwe": advisory.cwe,
        "cvss31": {"vector": advisory.cvss31_vector, "score": advisory.cvss31_score,
                   "severity": advisory.cvss31_severity} if advisory.cvss31_vector else None,
        "cvss40": {"vector": advisory.cvss40_vector, "score": advisory.cvss40_score,
                   "severity": advisory.cvss40_severity} if advisory.cvss40_vector else None,
        "credits": advisory.credits, "references": list(advisory.references),
        "attachments": [{"id": str(a.id), "filename": a.filename, "kind": a.kind.value, "size": a.size,
                         "sha256": a.sha256} for a in advisory.attachments if a.kind is not AttachmentKind.EXPLOIT],
    }


def transition(session: Session, principal: Principal, rules: gate.GateRules, ref: str | uuid.UUID, action: str,
               *, note: str = "", expected_version: int | None = None, at: datetime | None = None) -> Advisory:
    """submit / return / approve / publish / withdraw. Publishing asks the gate; a refusal is a
    409 carrying every rule that refused and why, in Chinese and English."""
    advisory = _writable(session, principal, ref, expected_version)
    if action not in MOVES:
        raise Invalid(f"unknown action {action!r}; use {', '.join(MOVES)}")
    sources, target = MOVES[action]
    if advisory.state not in sources:
        raise Conflict(f"advisory {advisory.number} is {advisory.state.value!r}; {action!r} is possible only from "
                       f"{', '.join(sorted(s.value for s in sources))}")
    if action in ("approve", "publish", "withdraw") and principal.role is not UserRole.MANAGER \
            and not principal.is_admin:
        raise Forbidden(f"only a manager may {action} an advisory")
    if action == "withdraw" and not note.strip():
        raise Invalid("say why the advisory is withdrawn", problems=[FieldProblem("note", "required")])
    moment = at or utcnow()
    if action == "publish":
        decision = decide(session, rules, advisory, gate.Channel.PORTAL, None, moment, _actor(principal))
        if not decision.allowed:
            raise GateRefused(decision)
        advisory.revision += 1
        advisory.published_at = advisory.published_at or moment
        advisory.revisions.append(AdvisoryRevision(revision=advisory.revision, published_at=moment,
                                                   snapshot=snapshot(advisory), change_note=note.strip()))
        advisory.public_title = advisory.title
        advisory.public_severities = " ".join(sorted({v.lower() for v in (advisory.cvss31_severity,
                                                                           advisory.cvss40_severity) if v}))
        advisory.public_changed_at = moment
    if action == "withdraw":
        advisory.withdrawn_at = moment
        advisory.withdrawn_reason = note.strip()
        advisory.public_changed_at = moment  # feeds must show the withdrawal as news
    before = advisory.state
    advisory.state = target
    advisory.updated_at = moment
    _flush(session, advisory)
    audit.record(session, VulnTag.ADVISORY_TRANSITIONED, _actor(principal), "advisory", advisory.id,
                 org_id=advisory.org_id, data={"action": action, "before": {"state": before.value},
                                               "after": {"state": target.value, "revision": advisory.revision},
                                               "note": note[:2000]})
    return advisory


# --- the public portal: published revisions only ---

def list_published(session: Session, *, q: str | None = None, severity: str | None = None,
                   include_withdrawn: bool = True, limit: int = 50, offset: int = 0) -> tuple[list[Advisory], int]:
    """Advisories that were published, newest public change first (withdrawn ones stay listed as
    withdrawn, so feeds reflect it). Searches only what was published, never later edits."""
    states = [AdvisoryState.PUBLISHED, *([AdvisoryState.WITHDRAWN] if include_withdrawn else [])]
    query = select(Advisory).where(Advisory.state.in_(states), Advisory.revision > 0)
    if q:
        if "\x00" in q:
            raise Invalid("the search text contains a NUL character")
        like = f"%{q.strip()}%"
        query = query.where(Advisory.public_title.ilike(like) | Advisory.number.ilike(like))
    if severity:
        query = query.where(Advisory.public_severities.contains(severity.strip().lower()))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.options(selectinload(Advisory.revisions))
                           .order_by(Advisory.public_changed_at.desc(), Advisory.number.desc())
                           .limit(limit).offset(offset)).scalars()
    return list(rows), int(total)


def public_views(session: Session, *, q: str | None = None, severity: str | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """One page of the public portal or feed, as the public sees each advisory."""
    rows, total = list_published(session, q=q, severity=severity, limit=limit, offset=offset)
    return [public_view(a) for a in rows], total


def get_published(session: Session, number: str) -> Advisory:
    advisory = None if "\x00" in number else session.execute(
        select(Advisory).where(Advisory.number == number)).scalar_one_or_none()
    if advisory is None or advisory.revision == 0 or advisory.state not in (AdvisoryState.PUBLISHED,
                                                                             AdvisoryState.WITHDRAWN):
        raise NotFound(f"no published advisory {number}")
    return advisory


def public_view(advisory: Advisory) -> dict[str, Any]:
    """The latest published snapshot plus its public status and history (never unpublished edits)."""
    latest = advisory.revisions[-1]
    shown = dict(latest.snapshot)
    if advisory.state is AdvisoryState.WITHDRAWN:
        # A withdrawn advisory keeps its number and title (feeds must say it is gone), not its body.
        shown = {k: shown.get(k) for k in ("number", "title")}
    return {**shown, "status": advisory.state.value, "revision": latest.revision,
            "published_at": advisory.published_at, "updated_at": latest.published_at,
            "withdrawn_at": advisory.withdrawn_at, "withdrawn_reason": advisory.withdrawn_reason,
            "history": [{"revision": r.revision, "published_at": r.published_at, "note": r.change_note}
                        for r in advisory.revisions]}
