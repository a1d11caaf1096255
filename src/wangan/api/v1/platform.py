"""``/api/v1/platform``: collection-platform mode, its MIIT filing and listing (Art. 10), and the
read log of undisclosed cases (Art. 11)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session

from wangan.api.deps import ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Page, Strict
from wangan.errors import FieldProblem, Invalid, NotFound
from wangan.kernel import identity
from wangan.vulns import platform
from wangan.vulns.models import PlatformFiling

router = APIRouter(prefix="/platform", tags=["platform"])


class FilingIn(Strict):
    filing_number: str = Field(min_length=1, max_length=100, description="the number MIIT issued")
    filed_at: AwareDatetime
    note: str = Field(default="", max_length=2000)


class ListingIn(Strict):
    published_at: AwareDatetime = Field(description="when MIIT published the list naming this platform")
    reference: str = Field(description="where the list can be seen: URL or notice number (at most 500 characters)")


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


class FilingOut(BaseModel):
    id: uuid.UUID
    filing_number: str
    filed_at: datetime
    recorded_at: datetime
    recorded_by: uuid.UUID | None
    note: str
    miit_published_at: datetime | None = Field(description="when MIIT listed the platform; null until it did")
    miit_list_reference: str = Field(description="where MIIT's list can be seen; empty until it did")

    @classmethod
    def of(cls, f: PlatformFiling) -> FilingOut:
        # In UTC, as stored: the answer to a write reads the same as every later read.
        return cls(id=f.id, filing_number=f.filing_number, filed_at=f.filed_at.astimezone(UTC),
                   recorded_at=f.recorded_at, recorded_by=f.recorded_by, note=f.note,
                   miit_published_at=_utc(f.miit_published_at), miit_list_reference=f.miit_list_reference)


class PlatformStatus(BaseModel):
    collection_platform: bool
    state: str = Field(description="NOT_FILED, FILED or PUBLISHED_BY_MIIT (spec §4.1, platform registration)")
    open_for_intake: bool
    filing: FilingOut | None = Field(description="the filing in force, with MIIT's listing once recorded")


def _status(collection_platform: bool, filing: PlatformFiling | None) -> PlatformStatus:
    return PlatformStatus(collection_platform=collection_platform,
                          state=platform.registration_state(filing).name,
                          open_for_intake=not collection_platform or filing is not None,
                          filing=FilingOut.of(filing) if filing else None)


@router.get("", response_model=PlatformStatus, summary="Whether this is a collection platform, and its filing")
def status(rt: RuntimeDep, session: SessionDep, principal: ReaderDep) -> PlatformStatus:
    return _status(rt.settings.collection_platform, platform.filing_status(session))


@router.post("/filing", status_code=201, response_model=PlatformStatus,
             summary="Record the MIIT filing (administrators)")
def record_filing(body: FilingIn, rt: RuntimeDep, session: SessionDep, principal: WriterDep) -> PlatformStatus:
    filing = platform.record_filing(session, principal, body.filing_number, body.filed_at, note=body.note,
                                    now=rt.clock.now())
    return _status(rt.settings.collection_platform, filing)


@router.post("/filing/miit-listing", response_model=PlatformStatus,
             summary="Record that MIIT published the filed platform in its list (administrators; 409 before "
                     "the filing)")
def record_miit_listing(body: ListingIn, rt: RuntimeDep, session: SessionDep,
                        principal: WriterDep) -> PlatformStatus:
    filing = platform.record_miit_listing(session, principal, body.published_at, body.reference,
                                          now=rt.clock.now())
    return _status(rt.settings.collection_platform, filing)


# --- the read log (Art. 11) ---

class ReadLogEntryOut(BaseModel):
    event_id: int
    at: datetime
    reader: str
    reader_id: uuid.UUID | None
    view: str = Field(description="case, timeline or nvdb-packet")
    case_id: str
    case_number: str | None

    @classmethod
    def of(cls, e: platform.ReadLogEntry) -> ReadLogEntryOut:
        return cls(event_id=e.event_id, at=e.at, reader=e.reader, reader_id=e.reader_id, view=e.view,
                   case_id=e.case_id, case_number=e.case_number)


def _organisation_id(session: Session, slug: str) -> uuid.UUID | None:
    if not slug.strip():
        return None
    try:
        return identity.get_organisation(session, slug.strip()).id
    except NotFound as exc:
        raise Invalid("the read-log filter is not valid",
                      problems=[FieldProblem("organisation", f"no organisation {slug.strip()!r}")]) from exc


TimeQuery = Annotated[datetime | None, Query(
    description="ISO 8601 with a UTC offset, e.g. 2026-11-25T10:00:00+08:00 (a time without one is refused)")]


@router.get("/read-log", response_model=Page[ReadLogEntryOut],
            summary="Reads of undisclosed cases, newest first (administrators; managers for their organisation)")
def read_log(session: SessionDep, principal: ReaderDep,
             case: Annotated[str, Query(max_length=100, description="case number")] = "",
             reader: Annotated[str, Query(max_length=320, description="reader's e-mail, or part of it")] = "",
             since: TimeQuery = None, until: TimeQuery = None,
             organisation: Annotated[str, Query(max_length=64, description="slug; administrators only, "
                                                                           "default every organisation")] = "",
             limit: Annotated[int, Query(ge=1, le=1000)] = 100,
             offset: Annotated[int, Query(ge=0)] = 0) -> Page[ReadLogEntryOut]:
    entries, total = platform.read_log(
        session, principal, platform.ReadLogFilter(case=case, reader=reader, since=since, until=until),
        org_id=_organisation_id(session, organisation), limit=limit, offset=offset)
    return Page[ReadLogEntryOut](items=[ReadLogEntryOut.of(e) for e in entries], total=total, limit=limit,
                                 offset=offset)
