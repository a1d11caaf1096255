"""``/api/v1/consultations``: public consultations on draft documents.

Who may do what (``wangan.indicators.policy``): anyone, without a token, lists published consultations,
reads one with its approved comments, and comments while it is open (rate-limited per address, like the
public vulnerability report). Managers and administrators (token with the ``write`` scope) create, edit,
publish, moderate, see every comment with its contact, export, and record a plan's past consultation.

Times: send ISO 8601; a time without an offset (``2021-07-16T23:59``) is read as Beijing time. Every time
in a response is UTC with its offset, plus ``…_beijing`` text. The window is inclusive at both ends."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import Response as RawResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from wangan.api.deps import PrincipalDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Strict
from wangan.downloads import attachment_headers
from wangan.errors import FieldProblem, Invalid
from wangan.indicators import consultations as svc
from wangan.indicators import policy
from wangan.indicators.models import Consultation
from wangan.kernel.auth import Principal
from wangan.kernel.numbers import whole_number
from wangan.kernel.ratelimit import RateLimiter

router = APIRouter(prefix="/consultations", tags=["consultations"])

TIME_HINT = "ISO 8601; without an offset it is Beijing time, e.g. 2021-07-16T23:59"


def comment_limiter(request: Request) -> RateLimiter:
    """The per-address limiter of anonymous comments (web and API share it); same rate as the public
    vulnerability report form."""
    state = request.app.state
    limiter: RateLimiter | None = getattr(state, "consultation_limiter", None)
    if limiter is None:
        limiter = RateLimiter(state.runtime.settings.intake_rate_per_minute)
        state.consultation_limiter = limiter
    return limiter


def _time(value: str, field: str) -> datetime:
    try:
        return svc.parse_beijing(value)
    except ValueError:
        raise Invalid(f"{field}: not a date and time ({TIME_HINT})",
                      problems=[FieldProblem(field, TIME_HINT)]) from None


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    number = whole_number(text)
    if number is None:
        raise Invalid("If-Match must carry the consultation's version, e.g. If-Match: \"3\"",
                      problems=[FieldProblem("If-Match", "the version in quotes")])
    return number


class CommentOut(BaseModel):
    id: uuid.UUID
    submitted_at: datetime
    submitted_at_beijing: str
    state: str
    section: str
    name: str
    organisation: str
    body: str
    contact: str | None = Field(default=None, description="managers only; never public")
    moderated_at: datetime | None = None
    moderation_note: str | None = None

    @classmethod
    def of(cls, c: svc.CommentView) -> CommentOut:
        return cls(id=c.id, submitted_at=c.submitted_at, submitted_at_beijing=svc.beijing_text(c.submitted_at),
                   state=c.state.value, section=c.section, name=c.name, organisation=c.organisation, body=c.body,
                   contact=c.contact, moderated_at=c.moderated_at, moderation_note=c.moderation_note)


class ConsultationOut(BaseModel):
    id: uuid.UUID
    slug: str
    plan_key: str
    title_zh: str
    title_en: str
    body: str
    document_url: str
    opens_at: datetime
    closes_at: datetime
    opens_at_beijing: str
    closes_at_beijing: str
    state: str
    recorded_only: bool
    window: Literal["upcoming", "open", "closed"]
    accepts_comments: bool
    refusal: str | None = Field(description="why a comment would be refused now, if it would")
    version: int
    comments: list[CommentOut] | None = Field(default=None, description="approved comments (single reads only)")


def _out(c: Consultation, now: datetime, comments: list[svc.CommentView] | None = None) -> ConsultationOut:
    return ConsultationOut(
        id=c.id, slug=c.slug, plan_key=c.plan_key, title_zh=c.title_zh, title_en=c.title_en, body=c.body,
        document_url=c.document_url, opens_at=c.opens_at, closes_at=c.closes_at,
        opens_at_beijing=svc.beijing_text(c.opens_at), closes_at_beijing=svc.beijing_text(c.closes_at),
        state=c.state.value, recorded_only=c.recorded_only, window=svc.window_of(c, now),
        accepts_comments=svc.accepts_comments(c, now), refusal=svc.refusal_of(c, now), version=c.version,
        comments=[CommentOut.of(x) for x in comments] if comments is not None else None)


class ConsultationCreate(Strict):
    slug: str = Field(max_length=80, examples=["plan-2024-draft"])
    title_zh: str = Field(max_length=300)
    title_en: str = Field(default="", max_length=300)
    body: str = Field(default="", max_length=200_000)
    document_url: str = Field(default="", max_length=500)
    opens_at: str = Field(max_length=40, description=TIME_HINT)
    closes_at: str = Field(max_length=40, description=TIME_HINT)
    plan_key: str = Field(default="", max_length=100)


class ConsultationUpdate(Strict):
    title_zh: str | None = Field(default=None, max_length=300)
    title_en: str | None = Field(default=None, max_length=300)
    body: str | None = Field(default=None, max_length=200_000)
    document_url: str | None = Field(default=None, max_length=500)
    opens_at: str | None = Field(default=None, max_length=40, description=TIME_HINT)
    closes_at: str | None = Field(default=None, max_length=40, description=TIME_HINT)
    plan_key: str | None = Field(default=None, max_length=100)
    version: int | None = Field(default=None, description="the version you read (or send If-Match)")


class CommentCreate(Strict):
    body: str = Field(description="the comment, at most 20,000 characters")
    section: str = ""
    name: str = Field(default="", description="optional; shown with the comment once approved")
    organisation: str = Field(default="", description="optional; shown with the comment once approved")
    contact: str = Field(default="", description="optional; never published, only for follow-up")


class Moderation(Strict):
    state: Literal["approved", "rejected"]
    note: str = Field(default="", max_length=2000)


def _etag(response: Response, c: Consultation) -> None:
    response.headers["ETag"] = f'"{c.version}"'


@router.get("", response_model=list[ConsultationOut], summary="Consultations (published; managers see drafts too)")
def list_consultations(rt: RuntimeDep, session: SessionDep, principal: PrincipalDep) -> list[ConsultationOut]:
    now = rt.clock.now()
    return [_out(c, now) for c in svc.list_consultations(session, principal)]


@router.post("", status_code=201, response_model=ConsultationOut, summary="Create a draft consultation")
def create_consultation(body: ConsultationCreate, response: Response, rt: RuntimeDep, session: SessionDep,
                        principal: WriterDep) -> ConsultationOut:
    c = svc.create_consultation(
        session, principal, slug=body.slug, title_zh=body.title_zh, title_en=body.title_en, body=body.body,
        document_url=body.document_url, opens_at=_time(body.opens_at, "opens_at"),
        closes_at=_time(body.closes_at, "closes_at"), plan_key=body.plan_key,
        now=rt.clock.now())
    response.headers["Location"] = f"/api/v1/consultations/{c.slug}"
    _etag(response, c)
    return _out(c, rt.clock.now())


@router.post("/record-plan", status_code=201, response_model=ConsultationOut,
             summary="Record a plan file's past consultation (e.g. the 2021 draft's 12–16 July 2021 window)")
def record_plan(rt: RuntimeDep, session: SessionDep, principal: WriterDep,
                plan: Annotated[str | None, Query(max_length=100)] = None) -> ConsultationOut:
    key = plan or next((p.id for p in rt.plans if p.consultation is not None), "")
    c = svc.record_plan_consultation(session, principal, rt.plans, key, now=rt.clock.now())
    return _out(c, rt.clock.now())


@router.get("/{slug}", response_model=ConsultationOut, summary="One consultation with its approved comments")
def get_consultation(slug: str, response: Response, rt: RuntimeDep, session: SessionDep,
                     principal: PrincipalDep) -> ConsultationOut:
    c = svc.get_consultation(session, principal, slug)
    _etag(response, c)
    return _out(c, rt.clock.now(), svc.list_comments(session, principal, slug))


@router.patch("/{slug}", response_model=ConsultationOut, summary="Edit a consultation (optimistic locking)")
def update_consultation(slug: str, body: ConsultationUpdate, response: Response, rt: RuntimeDep,
                        session: SessionDep, principal: WriterDep,
                        if_match: Annotated[str | None, Header()] = None) -> ConsultationOut:
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"version"})
    for name in ("opens_at", "closes_at"):
        if name in changes:
            changes[name] = _time(changes[name], name) if changes[name] is not None else ""
    version = body.version if body.version is not None else _if_match(if_match)
    c = svc.update_consultation(session, principal, slug, changes, expected_version=version, now=rt.clock.now())
    _etag(response, c)
    return _out(c, rt.clock.now())


@router.post("/{slug}/publish", response_model=ConsultationOut, summary="Publish a draft")
def publish(slug: str, response: Response, rt: RuntimeDep, session: SessionDep, principal: WriterDep,
            if_match: Annotated[str | None, Header()] = None) -> ConsultationOut:
    c = svc.publish(session, principal, slug, expected_version=_if_match(if_match), now=rt.clock.now())
    _etag(response, c)
    return _out(c, rt.clock.now())


def _comments(session: Session, principal: Principal, slug: str, state: str | None) -> list[svc.CommentView]:
    if state is None:
        return svc.list_comments(session, principal, slug, include_pending=policy.may_manage(principal))
    return svc.list_comments(session, principal, slug, include_pending=True, state=state)


@router.get("/{slug}/comments", response_model=list[CommentOut],
            summary="Comments: approved ones for anyone; every one with contacts for managers")
def list_comments(slug: str, session: SessionDep, principal: PrincipalDep,
                  state: Annotated[str | None, Query(max_length=16)] = None) -> list[CommentOut]:
    return [CommentOut.of(c) for c in _comments(session, principal, slug, state)]


@router.post("/{slug}/comments", status_code=201, response_model=CommentOut,
             summary="Comment on an open consultation (no account needed; kept until moderated)")
def submit_comment(slug: str, body: CommentCreate, request: Request, response: Response, rt: RuntimeDep,
                   session: SessionDep) -> CommentOut:
    comment_limiter(request).hit(client_ip(request))
    comment = svc.submit_comment(session, slug, body=body.body, section=body.section, name=body.name,
                                 organisation=body.organisation, contact=body.contact, now=rt.clock.now())
    response.headers["Location"] = f"/api/v1/consultations/{slug}/comments/{comment.id}"
    # The commenter sees what they sent back, except the contact (a receipt is not a place for it).
    return CommentOut.of(svc.CommentView.of(comment, full=False))


@router.post("/{slug}/comments/{comment_id}/moderation", response_model=CommentOut,
             summary="Approve or reject a comment")
def moderate(slug: str, comment_id: str, body: Moderation, rt: RuntimeDep, session: SessionDep,
             principal: WriterDep) -> CommentOut:
    svc.get_consultation(session, principal, slug)
    comment = svc.moderate(session, principal, comment_id, state=body.state, note=body.note, now=rt.clock.now(),
                           consultation_slug=slug)
    return CommentOut.of(svc.CommentView.of(comment, full=True))


@router.get("/{slug}/comments/export", response_class=RawResponse,
            summary="Every comment with contacts, as CSV (UTF-8 with BOM) or JSON")
def export(slug: str, session: SessionDep, principal: WriterDep,
           format: Annotated[Literal["csv", "json"], Query()] = "csv",
           state: Annotated[str | None, Query(max_length=16)] = None) -> RawResponse:
    if format == "json":
        text = svc.export_comments_json(session, principal, slug, state=state)
        return RawResponse(text.encode("utf-8"), media_type="application/json",
                           headers=attachment_headers(f"{slug}-comments.json"))
    text = svc.export_comments_csv(session, principal, slug, state=state)
    return RawResponse(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                       headers=attachment_headers(f"{slug}-comments.csv"))
