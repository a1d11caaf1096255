"""``/api/v1/platform``: collection-platform mode and its MIIT filing (Art. 10)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from wangan.api.deps import ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Strict
from wangan.vulns import platform
from wangan.vulns.models import PlatformFiling

router = APIRouter(prefix="/platform", tags=["platform"])


class FilingIn(Strict):
    filing_number: str = Field(min_length=1, max_length=100, description="the number MIIT issued")
    filed_at: AwareDatetime
    note: str = Field(default="", max_length=2000)


class FilingOut(BaseModel):
    id: uuid.UUID
    filing_number: str
    filed_at: datetime
    recorded_at: datetime
    recorded_by: uuid.UUID | None
    note: str

    @classmethod
    def of(cls, f: PlatformFiling) -> FilingOut:
        return cls(id=f.id, filing_number=f.filing_number, filed_at=f.filed_at, recorded_at=f.recorded_at,
                   recorded_by=f.recorded_by, note=f.note)


class PlatformStatus(BaseModel):
    collection_platform: bool
    state: str = Field(description="NOT_FILED or FILED (spec §4.1, platform registration)")
    open_for_intake: bool
    filing: FilingOut | None


def _status(collection_platform: bool, filing: PlatformFiling | None) -> PlatformStatus:
    return PlatformStatus(collection_platform=collection_platform,
                          state="FILED" if filing else "NOT_FILED",
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
