"""Writing to the transactional outbox. Sending happens after commit (see ``kernel.notifications``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.kernel.models import OutboxMessage


def enqueue(
    session: Session, *, channel: str, recipient: str, subject: str, body: str,
    dedupe_key: str, payload: dict[str, Any] | None = None, not_before: datetime | None = None,
) -> bool:
    """Add a message in the caller's transaction. Returns False if ``dedupe_key`` was queued before,
    so a reminder is never sent twice however often the deadline check runs."""
    if channel not in ("email", "webhook"):
        raise ValueError(f"unknown outbox channel {channel!r}")
    exists = session.execute(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first()
    if exists:
        return False
    session.add(OutboxMessage(
        channel=channel, recipient=recipient, subject=subject, body=body, payload=payload or {},
        dedupe_key=dedupe_key, next_attempt_at=not_before or utcnow(),
    ))
    session.flush()
    return True
