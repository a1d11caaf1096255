"""Art. 5 intake channel: receive reports, keep the receipt log, enforce its retention."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.errors import Conflict, DomainError, ErrorList, Invalid, NotFound, RetentionLocked, TooLarge
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import add_period
from wangan.kernel.models import Organisation
from wangan.vulns import platform, policy
from wangan.vulns.events import VulnTag
from wangan.vulns.models import Case, IntakeAttachment, IntakeChannel, IntakeRecord
from wangan.vulns.rules import VulnRules

RETENTION_CLOCK = "VULN-INTAKE-RETENTION"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._\-\u4e00-\u9fff]+")


@dataclass(frozen=True)
class IntakeLimits:
    """Size limits of the public channel (from settings)."""

    max_text_bytes: int = 200_000
    max_attachment_bytes: int = 5_000_000
    max_attachments: int = 5
    allowed_types: frozenset[str] = frozenset({"text/plain", "application/pdf", "image/png", "image/jpeg",
                                               "application/json", "application/zip"})


@dataclass(frozen=True)
class AttachmentIn:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ReportIn:
    """A report as the channel received it, before validation."""

    title: str
    content: str
    reporter_contact: str
    reporter_name: str = ""
    product_hint: str = ""
    organisation: str | None = None
    attachments: list[AttachmentIn] = field(default_factory=list)
    idempotency_key: str | None = None


def _content_hash(report: ReportIn) -> str:
    body = {
        "title": report.title, "content": report.content, "contact": report.reporter_contact,
        "name": report.reporter_name, "product": report.product_hint,
        "attachments": sorted(hashlib.sha256(a.data).hexdigest() for a in report.attachments),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _validate(report: ReportIn, limits: IntakeLimits) -> None:
    errors = ErrorList()
    if not report.title.strip():
        errors.add("title", "a short title is required")
    elif len(report.title) > 300:
        errors.add("title", "at most 300 characters")
    if not report.content.strip():
        errors.add("content", "describe the vulnerability")
    if not report.reporter_contact.strip():
        errors.add("reporter_contact", "give an e-mail address or phone number so we can reply")
    elif len(report.reporter_contact) > 320:
        errors.add("reporter_contact", "at most 320 characters")
    if len(report.reporter_name) > 200:
        errors.add("reporter_name", "at most 200 characters")
    if len(report.product_hint) > 300:
        errors.add("product_hint", "at most 300 characters")
    if report.idempotency_key is not None and not (1 <= len(report.idempotency_key) <= 128):
        errors.add("idempotency_key", "1 to 128 characters")
    errors.raise_if_any("the report is not complete")
    text_bytes = len(report.content.encode("utf-8"))
    if text_bytes > limits.max_text_bytes:
        raise TooLarge(f"the description is {text_bytes} bytes; the limit is {limits.max_text_bytes} bytes")
    if len(report.attachments) > limits.max_attachments:
        raise TooLarge(f"{len(report.attachments)} attachments; at most {limits.max_attachments} are accepted")
    for att in report.attachments:
        if len(att.data) > limits.max_attachment_bytes:
            raise TooLarge(
                f"attachment {att.filename!r} is {len(att.data)} bytes; the limit is "
                f"{limits.max_attachment_bytes} bytes"
            )
        kind = att.content_type.split(";")[0].strip().lower()
        if kind not in limits.allowed_types:
            raise Invalid(
                f"attachment {att.filename!r} has type {kind or 'unknown'}; accepted: "
                f"{', '.join(sorted(limits.allowed_types))}",
                problems=[],
            )
        if not att.data:
            raise Invalid(f"attachment {att.filename!r} is empty")


def resolve_receiving_org(session: Session, ref: str | None) -> Organisation:
    """The organisation a report goes to: the one named, else the only or first accepting one."""
    query = select(Organisation).where(Organisation.accepts_reports.is_(True))
    if ref:
        org = session.execute(query.where(Organisation.slug == ref)).scalar_one_or_none()
        if org is None:
            raise Invalid(f"organisation {ref!r} does not accept vulnerability reports here")
        return org
    org = session.execute(query.order_by(Organisation.created_at).limit(1)).scalar_one_or_none()
    if org is None:
        raise Invalid("no organisation accepts vulnerability reports on this instance yet")
    return org


def receiving_orgs(session: Session) -> list[Organisation]:
    return list(session.execute(
        select(Organisation).where(Organisation.accepts_reports.is_(True)).order_by(Organisation.name)
    ).scalars())


@dataclass
class Submission:
    """One report arriving on a channel, with who sent it and from where."""

    report: ReportIn
    channel: IntakeChannel
    reporter_user_id: uuid.UUID | None = None
    source_ip: str | None = None


def submit_report(
    session: Session, rules: VulnRules, report: ReportIn, *, channel: IntakeChannel,
    limits: IntakeLimits, reporter_user_id: uuid.UUID | None = None, source_ip: str | None = None,
    now: datetime | None = None, collection_platform: bool = False,
) -> tuple[IntakeRecord, bool]:
    """Log one receipt (Art. 5). Returns the record and whether it is new.

    A repeat with the same idempotency key and the same content returns the first record; the same
    key with different content is a conflict. Either way nothing is stored twice."""
    result = submit_reports(session, rules, [Submission(report, channel, reporter_user_id, source_ip)],
                            limits=limits, now=now, collection_platform=collection_platform)[0]
    if isinstance(result, DomainError):
        raise result
    return result


SubmitResult = tuple[IntakeRecord, bool] | DomainError


def submit_reports(
    session: Session, rules: VulnRules, submissions: list[Submission], *, limits: IntakeLimits,
    now: datetime | None = None, collection_platform: bool = False,
) -> list[SubmitResult]:
    """Log many receipts in the caller's transaction, with a fixed number of statements.

    Each submission gets its own result: the record and whether it is new, or the error that
    refused it. One refused submission never affects the others. Used directly by the
    high-volume API channel, which groups concurrent submissions into one transaction.

    On a collection platform (``collection_platform``) without a recorded MIIT filing, every
    submission is refused with ``PlatformNotFiled`` (Art. 10: no going live before filing)."""
    try:
        platform.require_open_for_intake(session, collection_platform)
    except platform.PlatformNotFiled as exc:
        return [exc] * len(submissions)
    results: list[SubmitResult | None] = [None] * len(submissions)
    orgs = {o.slug: o for o in receiving_orgs(session)}
    default_org = min(orgs.values(), key=lambda o: o.created_at, default=None)
    pending: list[tuple[int, Submission, Organisation, str]] = []
    for i, sub in enumerate(submissions):
        try:
            _validate(sub.report, limits)
            ref = sub.report.organisation
            if ref:
                if ref not in orgs:
                    raise Invalid(f"organisation {ref!r} does not accept vulnerability reports here")
                org = orgs[ref]
            elif default_org is None:
                raise Invalid("no organisation accepts vulnerability reports on this instance yet")
            else:
                org = default_org
        except DomainError as exc:
            results[i] = exc
            continue
        pending.append((i, sub, org, _content_hash(sub.report)))

    # Idempotency: earlier receipts with the same keys, in one query.
    keys = {(org.id, sub.report.idempotency_key) for _, sub, org, _ in pending if sub.report.idempotency_key}
    earlier: dict[tuple[uuid.UUID, str], IntakeRecord] = {}
    if keys:
        found = session.execute(select(IntakeRecord).where(
            IntakeRecord.idempotency_key.in_({k for _, k in keys}))).scalars()
        earlier = {(r.org_id, r.idempotency_key): r for r in found if r.idempotency_key}

    received = now or utcnow()
    clock = rules.clock(RETENTION_CLOCK)
    retention_until = add_period(received, clock.length, clock.unit)
    fresh: list[tuple[int, IntakeRecord, Submission]] = []
    for i, sub, org, digest in pending:
        key = sub.report.idempotency_key
        if key and (org.id, key) in earlier:
            first = earlier[(org.id, key)]
            results[i] = (first, False) if first.content_hash == digest else Conflict(
                "this idempotency key was already used for a different report")
            continue
        record = _new_record(sub, org, digest, received, retention_until)
        if key:
            earlier[(org.id, key)] = record  # a twin later in the same batch gets this one
        fresh.append((i, record, sub))
        results[i] = (record, True)

    if fresh:
        session.add_all([record for _, record, _ in fresh])
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            # A concurrent transaction stored one of these keys first (PostgreSQL): the savepoint
            # is gone, so retry each receipt on its own and let only the clashing ones fail.
            return _one_by_one(session, rules, submissions, limits=limits, now=received)
        audit.record_many(session, [
            audit.EventIn(VulnTag.REPORT_RECEIVED, Actor(sub.reporter_user_id, f"reporter:{record.reporter_contact}"),
                          "report", record.id, org_id=record.org_id, data={"after": {
                              "channel": record.channel.value, "title": record.title,
                              "content_hash": record.content_hash, "retention_until": record.retention_until,
                              "attachments": len(sub.report.attachments)}})
            for _, record, sub in fresh])
    return [r if r is not None else Invalid("not processed") for r in results]


def _one_by_one(session: Session, rules: VulnRules, submissions: list[Submission], *, limits: IntakeLimits,
                now: datetime) -> list[SubmitResult]:
    out: list[SubmitResult] = []
    for sub in submissions:
        try:
            with session.begin_nested():
                out.append(submit_reports(session, rules, [sub], limits=limits, now=now)[0])
        except IntegrityError:
            out.append(Conflict("a report with this idempotency key is being stored; retry to get it"))
    return out


def _new_record(sub: Submission, org: Organisation, digest: str, received: datetime,
                retention_until: datetime) -> IntakeRecord:
    report = sub.report
    record = IntakeRecord(
        id=uuid.uuid4(), org_id=org.id, received_at=received, retention_until=retention_until,
        channel=sub.channel, reporter_name=report.reporter_name.strip(),
        reporter_contact=report.reporter_contact.strip(), reporter_user_id=sub.reporter_user_id,
        title=report.title.strip(), content=report.content, product_hint=report.product_hint.strip(),
        content_hash=digest, idempotency_key=report.idempotency_key, source_ip=sub.source_ip,
        attachments=[IntakeAttachment(
            filename=_SAFE_NAME.sub("_", att.filename)[:255] or "attachment",
            content_type=att.content_type.split(";")[0].strip().lower(), size=len(att.data),
            sha256=hashlib.sha256(att.data).hexdigest(), data=att.data,
        ) for att in report.attachments],
    )
    return record


def get_report(session: Session, principal: Principal, report_id: uuid.UUID) -> IntakeRecord:
    """One report, through the policy (need-to-know applies to a report whose case is undisclosed)."""
    record = session.get(IntakeRecord, report_id)
    restricted = (record is not None and policy.needs_membership(principal) and session.execute(
        policy.restricted_report_ids(principal).where(Case.report_id == record.id).limit(1)).first() is not None)
    return policy.require_read_report(principal, record, report_id, restricted=restricted)


def list_reports(
    session: Session, principal: Principal, *, limit: int = 50, offset: int = 0,
    untriaged_only: bool = False,
) -> tuple[list[IntakeRecord], int]:
    clause = policy.reports_visible(principal)
    query = select(IntakeRecord).where(clause)
    if untriaged_only:
        linked = select(Case.report_id).where(Case.report_id.is_not(None))
        query = query.where(IntakeRecord.id.not_in(linked))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(IntakeRecord.received_at.desc()).limit(limit).offset(offset)
    ).scalars().all()
    return list(rows), int(total)


def get_attachment(session: Session, principal: Principal, report_id: uuid.UUID,
                   attachment_id: uuid.UUID) -> IntakeAttachment:
    record = get_report(session, principal, report_id)
    for att in record.attachments:
        if att.id == attachment_id:
            return att
    raise NotFound(f"no attachment {attachment_id} on report {report_id}")


def delete_report(session: Session, principal: Principal, report_id: uuid.UUID,
                  now: datetime | None = None) -> None:
    """Delete one receipt; refused while it is inside the Art. 5 retention period."""
    record = get_report(session, principal, report_id)
    policy.require_manage_report(principal, record)  # get_report applied need-to-know already
    moment = now or utcnow()
    if moment < record.retention_until:
        raise RetentionLocked(
            f"report {record.id} must be kept until {record.retention_until.date().isoformat()} "
            f"({record.retention_until.isoformat()}, Art. 5: at least 6 months from receipt)",
            extra={"retention_until": record.retention_until.isoformat()},
        )
    _unlink_cases(session, [record.id])
    session.delete(record)
    audit.record(session, VulnTag.REPORT_DELETED, Actor(principal.user_id, principal.label), "report",
                 record.id, org_id=record.org_id, data={"before": {"content_hash": record.content_hash}})


def _unlink_cases(session: Session, ids: list[uuid.UUID]) -> None:
    session.execute(update(Case).where(Case.report_id.in_(ids)).values(report_id=None)
                    .execution_options(synchronize_session=False))


def purge_expired(session: Session, actor: Actor, now: datetime | None = None) -> int:
    """Remove only the receipts whose retention period has ended. Returns how many."""
    moment = now or utcnow()
    ids = list(session.execute(
        select(IntakeRecord.id).where(IntakeRecord.retention_until <= moment)
    ).scalars())
    if not ids:
        return 0
    _unlink_cases(session, ids)
    session.execute(delete(IntakeAttachment).where(IntakeAttachment.record_id.in_(ids)))
    session.execute(delete(IntakeRecord).where(IntakeRecord.id.in_(ids)))
    audit.record(session, VulnTag.REPORTS_PURGED, actor, "report", "retention", data={
        "purged": [str(i) for i in ids], "cutoff": moment})
    return len(ids)
