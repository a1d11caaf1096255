"""Collection-platform mode (Art. 10, 11): the MIIT filing, the intake it opens, and the read log.

An instance that collects vulnerabilities in products that are not its operator's own is a
"platform" under Art. 10 and must be filed with MIIT before going live (Filing Measures,
工信部网安〔2022〕146号). Until a filing is recorded here, such an instance refuses new reports.
Registration runs NOT_FILED → FILED → PUBLISHED_BY_MIIT (MIIT lists filed platforms publicly).

Every read of an undisclosed case's internal view on a platform is audited (``vulns:case:read``);
``read_log`` is the reviewers' view of those records."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, Forbidden, Invalid, Unauthenticated
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.models import AuditEvent
from wangan.vulns import policy
from wangan.vulns.events import VulnTag
from wangan.vulns.models import Case, PlatformFiling

NOT_FILED_MESSAGE = (
    "this instance is a vulnerability collection platform and has not recorded its filing with MIIT "
    "(Art. 10; Filing Measures 工信部网安〔2022〕146号): reports cannot be accepted until an administrator "
    "records the filing"
)


class PlatformNotFiled(Conflict):
    """A collection platform without a recorded MIIT filing may not go live (Art. 10)."""

    code = "platform-not-filed"
    title = "The platform is not filed with MIIT"


class RegistrationState(enum.StrEnum):
    """Where the platform stands with MIIT (spec §4.1, platform registration)."""

    NOT_FILED = "not_filed"
    FILED = "filed"
    PUBLISHED_BY_MIIT = "published_by_miit"


def registration_state(filing: PlatformFiling | None) -> RegistrationState:
    if filing is None:
        return RegistrationState.NOT_FILED
    if filing.miit_published_at is not None:
        return RegistrationState.PUBLISHED_BY_MIIT
    return RegistrationState.FILED


def filing_status(session: Session) -> PlatformFiling | None:
    """The filing in force: the most recently recorded one, or None while NOT_FILED."""
    return session.execute(
        select(PlatformFiling).order_by(PlatformFiling.recorded_at.desc()).limit(1)
    ).scalar_one_or_none()


def require_open_for_intake(session: Session, collection_platform: bool) -> None:
    """Refuse intake on a collection platform that is not filed; a no-op otherwise."""
    if collection_platform and filing_status(session) is None:
        raise PlatformNotFiled(NOT_FILED_MESSAGE)


def _require_admin_writer(principal: Principal) -> None:
    if principal.is_anonymous:
        raise Unauthenticated("sign in or send an API token")
    if not principal.is_admin:
        raise Forbidden("only administrators record the platform's MIIT filing")
    principal.require_scope("write")


def record_filing(session: Session, principal: Principal, filing_number: str, filed_at: datetime, *,
                  note: str = "", now: datetime | None = None) -> PlatformFiling:
    """Record the MIIT filing (NOT_FILED → FILED). Administrators only; audited."""
    _require_admin_writer(principal)
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


def record_miit_listing(session: Session, principal: Principal, published_at: datetime, reference: str, *,
                        now: datetime | None = None) -> PlatformFiling:
    """Record that MIIT published the filed platform in its list (FILED → PUBLISHED_BY_MIIT).
    Administrators only; audited. ``reference`` is where the list can be seen (URL or notice)."""
    _require_admin_writer(principal)
    filing = filing_status(session)
    if filing is None:
        raise Conflict("record the MIIT filing first: MIIT lists only filed platforms (Art. 10)")
    errors = ErrorList()
    ref = reference.strip()
    if not ref:
        errors.add("reference", "say where MIIT published the list (URL or notice number)")
    elif len(ref) > 500:
        errors.add("reference", "at most 500 characters")
    if published_at.tzinfo is None:
        errors.add("published_at", "must be a date-time with a time zone")
    errors.raise_if_any("the MIIT listing is not complete")
    if published_at > (now or utcnow()):
        errors.add("published_at", "cannot be in the future")
    elif published_at < filing.filed_at:
        errors.add("published_at", "cannot be before the filing date")
    errors.raise_if_any("the MIIT listing is not complete")
    before = {"miit_published_at": filing.miit_published_at, "miit_list_reference": filing.miit_list_reference}
    filing.miit_published_at = published_at
    filing.miit_list_reference = ref
    session.flush()
    audit.record(session, VulnTag.PLATFORM_MIIT_PUBLISHED, Actor(principal.user_id, principal.label), "platform",
                 filing.id, data={"before": before,
                                  "after": {"miit_published_at": published_at, "miit_list_reference": ref}})
    return filing


# --- the read log (Art. 11) ---

READ_TAGS = ("vulns:case:read",)


@dataclass(frozen=True)
class ReadLogEntry:
    """One read of an undisclosed case's internal view."""

    event_id: int
    at: datetime
    reader: str
    reader_id: uuid.UUID | None
    view: str
    case_id: str
    case_number: str | None


@dataclass(frozen=True)
class ReadLogFilter:
    case: str = ""  # number
    reader: str = ""  # e-mail, exact or part
    since: datetime | None = None
    until: datetime | None = None


def read_log(session: Session, principal: Principal, filt: ReadLogFilter | None = None, *,
             org_id: uuid.UUID | None = None, limit: int = 100, offset: int = 0) -> tuple[list[ReadLogEntry], int]:
    """Reads of undisclosed cases, newest first. Administrators see every organisation's (or
    ``org_id``'s); managers see their own organisation's only."""
    filt = filt or ReadLogFilter()
    scope = org_id if org_id is not None or principal.is_admin else principal.org_id
    policy.require_read_log(principal, scope)
    errors = ErrorList()
    for name, value in (("since", filt.since), ("until", filt.until)):
        if value is not None and value.tzinfo is None:
            errors.add(name, "add a time zone")
    if filt.since and filt.until and filt.since.tzinfo and filt.until.tzinfo and filt.until < filt.since:
        errors.add("until", "must not be before 'since'")
    if not 1 <= limit <= 1000:
        errors.add("limit", "between 1 and 1000")
    errors.raise_if_any("the read-log filter is not valid")
    query = select(AuditEvent).where(AuditEvent.tag.in_(READ_TAGS))
    if scope is not None:
        query = query.where(AuditEvent.org_id == scope)
    if filt.case.strip():
        lookup = select(Case.id).where(Case.number == filt.case.strip())
        if scope is not None:  # a reviewer learns nothing of other organisations' case numbers
            lookup = lookup.where(Case.org_id == scope)
        case_id = session.execute(lookup).scalar_one_or_none()
        if case_id is None:
            raise Invalid(f"no case {filt.case.strip()}")
        query = query.where(AuditEvent.subject_type == "case", AuditEvent.subject_id == str(case_id))
    if filt.reader.strip():
        query = query.where(func.lower(AuditEvent.actor_label).contains(filt.reader.strip().lower()))
    if filt.since is not None:
        query = query.where(AuditEvent.occurred_at >= filt.since)
    if filt.until is not None:
        query = query.where(AuditEvent.occurred_at < filt.until)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    events = session.execute(query.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)).scalars().all()
    numbers = _case_numbers(session, {e.subject_id for e in events})
    return [ReadLogEntry(event_id=e.id, at=e.occurred_at, reader=e.actor_label, reader_id=e.actor_id,
                         view=str((e.data or {}).get("view", "case")), case_id=e.subject_id,
                         case_number=numbers.get(e.subject_id)) for e in events], total


def _case_numbers(session: Session, ids: set[str]) -> dict[str, str]:
    wanted: list[uuid.UUID] = []
    for raw in ids:
        try:
            wanted.append(uuid.UUID(raw))
        except ValueError:
            continue
    if not wanted:
        return {}
    rows = session.execute(select(Case.id, Case.number).where(Case.id.in_(wanted))).all()
    return {str(i): n for i, n in rows}
