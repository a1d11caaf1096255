"""Collection-platform mode (Art. 10, 11): the MIIT filing and the intake it opens.

An instance that collects vulnerabilities in products that are not its operator's own is a
"platform" under Art. 10 and must be filed with MIIT before going live (Filing Measures,
工信部网安〔2022〕146号). Until a filing is recorded here, such an instance refuses new reports."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, Forbidden, Unauthenticated
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.vulns.events import VulnTag
from wangan.vulns.models import PlatformFiling

NOT_FILED_MESSAGE = (
    "this instance is a vulnerability collection platform and has not recorded its filing with MIIT "
    "(Art. 10; Filing Measures 工信部网安〔2022〕146号): reports cannot be accepted until an administrator "
    "records the filing"
)


class PlatformNotFiled(Conflict):
    """A collection platform without a recorded MIIT filing may not go live (Art. 10)."""

    code = "platform-not-filed"
    title = "The platform is not filed with MIIT"


def filing_status(session: Session) -> PlatformFiling | None:
    """The filing in force: the most recently recorded one, or None while NOT_FILED."""
    return session.execute(
        select(PlatformFiling).order_by(PlatformFiling.recorded_at.desc()).limit(1)
    ).scalar_one_or_none()


def require_open_for_intake(session: Session, collection_platform: bool) -> None:
    """Refuse intake on a collection platform that is not filed; a no-op otherwise."""
    if collection_platform and filing_status(session) is None:
        raise PlatformNotFiled(NOT_FILED_MESSAGE)


def record_filing(session: Session, principal: Principal, filing_number: str, filed_at: datetime, *,
                  note: str = "", now: datetime | None = None) -> PlatformFiling:
    """Record the MIIT filing (NOT_FILED → FILED). Administrators only; audited."""
    if principal.is_anonymous:
        raise Unauthenticated("sign in or send an API token")
    if not principal.is_admin:
        raise Forbidden("only administrators record the platform's MIIT filing")
    principal.require_scope("write")
    number = filing_number.strip()
    errors = ErrorList()
    if not number:
        errors.add("filing_number", "give the filing number MIIT issued")
    elif len(number) > 100:
        errors.add("filing_number", "at most 100 characters")
    if filed_at.tzinfo is None:
        errors.add("filed_at", "must be a date-time with a time zone")
    if len(note) > 2000:
        errors.add("note", "at most 2000 characters")
    errors.raise_if_any("the platform filing is not complete")
    moment = now or utcnow()
    if filed_at > moment:
        errors.add("filed_at", "cannot be in the future")
        errors.raise_if_any("the platform filing is not complete")
    before = filing_status(session)
    filing = PlatformFiling(id=uuid.uuid4(), filing_number=number, filed_at=filed_at,
                            recorded_by=principal.user_id, recorded_at=moment, note=note)
    session.add(filing)
    session.flush()
    audit.record(session, VulnTag.PLATFORM_FILED, Actor(principal.user_id, principal.label), "platform",
                 filing.id, data={
                     "before": {"filing_number": before.filing_number} if before else None,
                     "after": {"filing_number": number, "filed_at": filed_at}})
    return filing
