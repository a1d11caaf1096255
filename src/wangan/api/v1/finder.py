"""The finder side of cases: ``/api/v1/finder/cases`` for researchers, and the messages and
publication requests both sides use under ``/api/v1/cases/{number}``.

A finder (whoever submitted, signed in, the report a case was opened from) gets only the limited
projection of ``vulns.finder``; the internal case view stays 404 for them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from wangan.api.deps import ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Page, Strict
from wangan.runtime import Runtime
from wangan.vulns import finder
from wangan.vulns.models import FinderMessage, PublicationRequest

router = APIRouter(tags=["finder"])


def _links(rt: Runtime) -> finder.NoticeLinks:
    """Where the content-free e-mail notice to the other side points."""
    return finder.NoticeLinks(base_url=rt.settings.base_url, instance_name=rt.settings.instance_name)


# --- bodies ---

class MessageIn(Strict):
    body: str = Field(min_length=1, max_length=finder.MAX_MESSAGE)


class MessageOut(BaseModel):
    id: uuid.UUID
    from_provider: bool
    body: str
    created_at: datetime

    @classmethod
    def of(cls, m: FinderMessage) -> MessageOut:
        return cls(id=m.id, from_provider=m.from_provider, body=m.body, created_at=m.created_at)


class PublicationRequestIn(Strict):
    credit_name: str = Field(default="", max_length=finder.MAX_CREDIT,
                             description="the name to be credited under; empty for no credit")
    note: str = Field(default="", max_length=finder.MAX_NOTE)


class DecisionIn(Strict):
    decision: Literal["accept", "decline"]
    note: str = Field(default="", max_length=finder.MAX_NOTE, description="required when declining")


class PublicationRequestOut(BaseModel):
    id: uuid.UUID
    status: str
    credit_name: str
    note: str
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str

    @classmethod
    def of(cls, r: PublicationRequest) -> PublicationRequestOut:
        return cls(id=r.id, status=r.status.value, credit_name=r.credit_name, note=r.note,
                   requested_at=r.requested_at, decided_at=r.decided_at, decision_note=r.decision_note)


class DecisionOut(PublicationRequestOut):
    advisories_updated: list[str] = Field(description="advisories whose credits now name the finder")


class FinderCaseOut(BaseModel):
    """The finder's view of a case: never the provider's internal assessment."""

    view: Literal["finder"] = "finder"
    number: str
    state: str
    report_id: uuid.UUID
    report_title: str
    opened_at: datetime
    nvdb_submitted: bool
    fix_available: bool
    fix_description: str
    advisory_number: str | None

    @classmethod
    def of(cls, c: finder.FinderCase) -> FinderCaseOut:
        return cls(number=c.number, state=c.state, report_id=c.report_id, report_title=c.report_title,
                   opened_at=c.opened_at, nvdb_submitted=c.nvdb_submitted, fix_available=c.fix_available,
                   fix_description=c.fix_description, advisory_number=c.advisory_number)


class FinderCaseDetailOut(FinderCaseOut):
    messages: list[MessageOut]
    publication_requests: list[PublicationRequestOut]


# --- the finder's own cases ---

@router.get("/finder/cases", response_model=Page[FinderCaseOut], summary="Cases opened from your reports")
def list_finder_cases(session: SessionDep, principal: ReaderDep,
                      limit: Annotated[int, Query(ge=1, le=200)] = 50,
                      offset: Annotated[int, Query(ge=0)] = 0) -> Page[FinderCaseOut]:
    rows, total = finder.list_cases(session, principal, limit=limit, offset=offset)
    return Page[FinderCaseOut](items=[FinderCaseOut.of(c) for c in rows], total=total, limit=limit, offset=offset)


@router.get("/finder/cases/{case_ref}", response_model=FinderCaseDetailOut,
            summary="One case opened from your report, with the provider's messages")
def get_finder_case(case_ref: str, session: SessionDep, principal: ReaderDep) -> FinderCaseDetailOut:
    detail = finder.get_case(session, principal, case_ref)
    return FinderCaseDetailOut(**FinderCaseOut.of(detail.case).model_dump(),
                               messages=[MessageOut.of(m) for m in detail.messages],
                               publication_requests=[PublicationRequestOut.of(r) for r in detail.requests])


@router.post("/finder/cases/{case_ref}/publication-requests", status_code=201,
             response_model=PublicationRequestOut, summary="Ask the provider to publish and to credit you")
def request_publication(case_ref: str, body: PublicationRequestIn, response: Response, rt: RuntimeDep,
                        session: SessionDep, principal: WriterDep) -> PublicationRequestOut:
    request = finder.request_publication(session, principal, case_ref, credit_name=body.credit_name,
                                         note=body.note, now=rt.clock.now(), links=_links(rt))
    response.headers["Location"] = f"/api/v1/finder/cases/{case_ref}"  # the request is listed there
    return PublicationRequestOut.of(request)


# --- both sides, on the case ---

@router.get("/cases/{case_ref}/messages", response_model=list[MessageOut],
            summary="Messages between the provider and the finder, oldest first")
def list_messages(case_ref: str, session: SessionDep, principal: ReaderDep) -> list[MessageOut]:
    return [MessageOut.of(m) for m in finder.list_messages(session, principal, case_ref)]


@router.post("/cases/{case_ref}/messages", status_code=201, response_model=MessageOut,
             summary="Write to the finder (analysts, managers) or to the provider (the finder)")
def post_message(case_ref: str, body: MessageIn, rt: RuntimeDep, session: SessionDep,
                 principal: WriterDep) -> MessageOut:
    """The other side gets an e-mail notice that there is something to read, never the text itself."""
    return MessageOut.of(finder.post_message(session, principal, case_ref, body.body, now=rt.clock.now(),
                                             links=_links(rt)))


@router.get("/cases/{case_ref}/publication-requests", response_model=list[PublicationRequestOut],
            summary="The finder's publication and credit requests")
def list_requests(case_ref: str, session: SessionDep, principal: ReaderDep) -> list[PublicationRequestOut]:
    return [PublicationRequestOut.of(r) for r in finder.list_requests(session, principal, case_ref)]


@router.post("/cases/{case_ref}/publication-requests/{request_id}/decision", response_model=DecisionOut,
             summary="Accept (sets advisory credits; publishing still passes the gate) or decline")
def decide(case_ref: str, request_id: str, body: DecisionIn, rt: RuntimeDep, session: SessionDep,
           principal: WriterDep) -> DecisionOut:
    decision = finder.decide(session, principal, case_ref, request_id, accept=body.decision == "accept",
                             note=body.note, now=rt.clock.now(), links=_links(rt))
    return DecisionOut(**PublicationRequestOut.of(decision.request).model_dump(),
                       advisories_updated=decision.advisories)
