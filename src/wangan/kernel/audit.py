"""The append-only, hash-chained audit log. Every state change is recorded through ``record``."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.kernel.models import AuditEvent

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who did it: a user, a token's user, the anonymous public, or the system itself."""

    id: uuid.UUID | None
    label: str

    @classmethod
    def system(cls, what: str = "system") -> Actor:
        return cls(None, what)

    @classmethod
    def anonymous(cls, where: str = "public") -> Actor:
        return cls(None, f"anonymous:{where}")


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def normalise(data: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe copy, so what is hashed is exactly what is stored and read back."""
    result: dict[str, Any] = json.loads(json.dumps(data, default=_json_default, ensure_ascii=False))
    return result


def compute_hash(event: AuditEvent) -> str:
    body = {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(),
        "tag": event.tag,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_label": event.actor_label,
        "org_id": str(event.org_id) if event.org_id else None,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    # SQLite serialises writers at BEGIN IMMEDIATE; PostgreSQL needs an explicit lock so two
    # transactions never read the same chain head.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727061)"))


@dataclass(frozen=True)
class EventIn:
    """One event to append; see ``record``."""

    tag: str
    actor: Actor
    subject_type: str
    subject_id: str | uuid.UUID
    org_id: uuid.UUID | None = None
    data: dict[str, Any] | None = None


def record_many(session: Session, events: list[EventIn]) -> list[AuditEvent]:
    """Append events to the chain in the caller's transaction, in order, with one head lookup."""
    if not events:
        return []
    _lock_chain(session)
    head = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    prev_hash = head.hash if head else GENESIS
    next_id = (head.id + 1) if head else 1
    moment = utcnow()
    rows = []
    for offset, e in enumerate(events):
        event = AuditEvent(
            id=next_id + offset, occurred_at=moment, tag=e.tag, actor_id=e.actor.id, actor_label=e.actor.label,
            org_id=e.org_id, subject_type=e.subject_type, subject_id=str(e.subject_id),
            data=normalise(e.data or {}), prev_hash=prev_hash,
        )
        event.hash = prev_hash = compute_hash(event)
        rows.append(event)
    session.add_all(rows)
    session.flush()
    return rows


def record(
    session: Session,
    tag: str,
    actor: Actor,
    subject_type: str,
    subject_id: str | uuid.UUID,
    *,
    org_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain in the caller's transaction."""
    return record_many(session, [EventIn(tag, actor, subject_type, subject_id, org_id, data)])[0]


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    problem: str


def chain_head(session: Session) -> tuple[int, str] | None:
    """The id and hash of the newest event: an anchor to keep outside the database."""
    row = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return (int(row.id), str(row.hash)) if row else None


def verify_chain(session: Session, batch: int = 5000,
                 anchors: list[tuple[int, str]] | None = None) -> tuple[int, list[ChainProblem]]:
    """Walk the whole chain; return how many rows were checked and every problem found.

    Detects an edited row (its hash no longer matches its content), a deleted row (a gap in ids
    and a ``prev_hash`` that points at nothing) and a re-linked row."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS
    expected_id = 1
    checked = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for ev in rows:
            checked += 1
            if ev.id != expected_id:
                missing = (
                    f"event {expected_id}" if ev.id == expected_id + 1
                    else f"events {expected_id}–{ev.id - 1}"
                )
                problems.append(ChainProblem(ev.id, f"{missing} deleted: the chain skips to {ev.id}"))
            if ev.prev_hash != expected_prev:
                problems.append(ChainProblem(
                    ev.id, f"event {ev.id} does not follow the event before it (prev_hash mismatch)"
                ))
            if compute_hash(ev) != ev.hash:
                problems.append(ChainProblem(
                    ev.id, f"event {ev.id} ({ev.tag}) was altered: its content no longer matches its hash"
                ))
            expected_prev = ev.hash
            expected_id = ev.id + 1
            last_id = ev.id
        session.expunge_all()
    for anchor_id, anchor_hash in anchors or []:
        stored = session.execute(select(AuditEvent.hash).where(AuditEvent.id == anchor_id)).scalar_one_or_none()
        if stored is None:
            problems.append(ChainProblem(anchor_id, f"event {anchor_id} of the anchor is gone: the chain was "
                                                    f"cut short (it now ends at {last_id})"))
        elif stored != anchor_hash:
            problems.append(ChainProblem(anchor_id, f"event {anchor_id} no longer has the anchored hash"))
    return checked, problems


def events_for(session: Session, subject_type: str, subject_id: str | uuid.UUID) -> list[AuditEvent]:
    """The timeline of one subject, oldest first."""
    return list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
            .order_by(AuditEvent.id)
        ).scalars()
    )
