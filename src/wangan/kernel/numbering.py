"""Human-readable sequence numbers (WA-2026-0001), one counter per name, taken under a row lock."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.kernel.models import Counter


def take_next(session: Session, name: str) -> int:
    """The next value of counter ``name`` in the caller's transaction (gap-free while it commits)."""
    counter = session.execute(select(Counter).where(Counter.name == name).with_for_update()).scalar_one_or_none()
    if counter is None:
        counter = Counter(name=name, value=0)
        session.add(counter)
    counter.value += 1
    session.flush()
    return counter.value
