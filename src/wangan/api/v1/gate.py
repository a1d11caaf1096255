"""``/api/v1/event-windows`` (PUB-6 calendar) and ``/api/v1/gate/decisions`` (dry run of the gate)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from wangan.api.deps import ReaderDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Strict
from wangan.vulns import windows
from wangan.vulns.models import EventWindow

router = APIRouter(tags=["publication gate"])


class WindowIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    starts_at: datetime = Field(description="ISO 8601; without a zone it is read as Beijing time")
    ends_at: datetime = Field(description="ISO 8601; without a zone it is read as Beijing time")
    scope: list[str] = Field(default_factory=lambda: ["all"])
    note: str = ""


class ConsentIn(Strict):
    reference: str = Field(min_length=1, max_length=200)
    consent_date: datetime


class WindowOut(BaseModel):
    id: uuid.UUID
    name: str
    starts_at: datetime
    ends_at: datetime
    scope: list[str]
    consent_reference: str
    consent_date: datetime | None
    note: str

    @classmethod
    def of(cls, w: EventWindow) -> WindowOut:
        return cls(id=w.id, name=w.name, starts_at=w.starts_at, ends_at=w.ends_at, scope=list(w.scope),
                   consent_reference=w.consent_reference, consent_date=w.consent_date, note=w.note)


@router.get("/event-windows", response_model=list[WindowOut], summary="The major-event calendar (PUB-6)")
def list_windows(session: SessionDep, principal: ReaderDep) -> list[WindowOut]:
    return [WindowOut.of(w) for w in windows.list_windows(session)]


@router.post("/event-windows", status_code=201, response_model=WindowOut, summary="Add a window (admins)")
def create_window(body: WindowIn, session: SessionDep, principal: WriterDep) -> WindowOut:
    return WindowOut.of(windows.create_window(session, principal, name=body.name, starts_at=body.starts_at,
                                              ends_at=body.ends_at, scope=body.scope, note=body.note))


@router.post("/event-windows/{window_id}/consent", response_model=WindowOut,
             summary="Record MPS consent to publish inside the window (admins)")
def consent(window_id: uuid.UUID, body: ConsentIn, session: SessionDep, principal: WriterDep) -> WindowOut:
    return WindowOut.of(windows.record_consent(session, principal, window_id, reference=body.reference,
                                               consent_date=body.consent_date))
