"""Major-event windows (PUB-6): an administrator-managed calendar, entered in Beijing time."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.errors import ErrorList, Forbidden, Invalid, NotFound
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import BEIJING
from wangan.vulns.events import VulnTag
from wangan.vulns.models import EventWindow

# Channel names a window can freeze; "all" freezes every publication channel.
SCOPES = frozenset({"all", "portal", "feed", "export_public"})


def as_beijing(value: datetime) -> datetime:
    """A time without a zone is read as Beijing time (how the State announces events); a time
    with another zone is converted, never reinterpreted."""
    return value.replace(tzinfo=BEIJING) if value.tzinfo is None else value


def _require_admin(principal: Principal) -> None:
    if principal.is_anonymous or not principal.is_admin:
        raise Forbidden("only administrators manage the major-event calendar")


def create_window(session: Session, principal: Principal, *, name: str, starts_at: datetime, ends_at: datetime,
                  scope: list[str] | None = None, note: str = "") -> EventWindow:
    _require_admin(principal)
    start, end = as_beijing(starts_at), as_beijing(ends_at)
    chosen = sorted(set(scope or ["all"]))
    errors = ErrorList()
    if not name.strip():
        errors.add("name", "name the event")
    if end <= start:
        errors.add("ends_at", "the window must end after it starts")
    bad = [s for s in chosen if s not in SCOPES]
    if bad:
        errors.add("scope", f"unknown scope {', '.join(bad)}; use {', '.join(sorted(SCOPES))}")
    errors.raise_if_any("the event window is not valid")
    window = EventWindow(name=name.strip()[:200], starts_at=start, ends_at=end, scope=chosen, note=note,
                         created_by=principal.user_id)
    session.add(window)
    session.flush()
    audit.record(session, VulnTag.EVENT_WINDOW_CREATED, Actor(principal.user_id, principal.label), "event-window",
                 window.id, data={"after": {"name": window.name, "starts_at": window.starts_at,
                                            "ends_at": window.ends_at, "scope": chosen}})
    return window


def record_consent(session: Session, principal: Principal, window_id: uuid.UUID, *, reference: str,
                   consent_date: datetime) -> EventWindow:
    """Record MPS consent to publish inside the window (reference number and date)."""
    _require_admin(principal)
    window = session.get(EventWindow, window_id)
    if window is None:
        raise NotFound(f"no event window {window_id}")
    if not reference.strip():
        raise Invalid("give the reference of the MPS consent")
    window.consent_reference = reference.strip()[:200]
    window.consent_date = as_beijing(consent_date)
    session.flush()
    audit.record(session, VulnTag.EVENT_WINDOW_CONSENT, Actor(principal.user_id, principal.label), "event-window",
                 window.id, data={"after": {"consent_reference": window.consent_reference,
                                            "consent_date": window.consent_date}})
    return window


def list_windows(session: Session, *, around: datetime | None = None) -> list[EventWindow]:
    """All windows, or those containing ``around``; visible to every signed-in user (the calendar
    itself is not sensitive, and analysts need it to plan releases)."""
    query = select(EventWindow).order_by(EventWindow.starts_at)
    if around is not None:
        query = query.where(EventWindow.starts_at <= around, EventWindow.ends_at > around)
    return list(session.execute(query).scalars())


def get_window(session: Session, window_id: uuid.UUID) -> EventWindow:
    window = session.get(EventWindow, window_id)
    if window is None:
        raise NotFound(f"no event window {window_id}")
    return window
