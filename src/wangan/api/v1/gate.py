"""``/api/v1/event-windows`` (PUB-6 calendar) and ``/api/v1/gate/decisions`` (dry run of the gate)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from wangan.api.deps import ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Strict
from wangan.errors import FieldProblem, Invalid
from wangan.kernel.audit import Actor
from wangan.vulns import advisories, gate, windows
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


class RecipientIn(Strict):
    label: str = Field(min_length=1, max_length=300)
    jurisdiction: Literal["domestic", "overseas"] | None = Field(
        default=None, description="null = unknown, treated as overseas")
    is_product_provider: bool = False
    is_cert: bool = Field(default=False, description="the recipient is a CERT (abroad: held for legal sign-off)")
    legal_signoff: str = Field(default="", max_length=200, description="reference of the legal sign-off")


class AttachmentFactIn(Strict):
    filename: str
    kind: Literal["patch", "poc", "exploit", "document"]
    sample_text: str = Field(default="", max_length=4096, description="the first KB of the file, as text")
    human_cleared: bool = False


class ContentIn(Strict):
    title: str
    text: str = ""
    computed_severity: Literal["None", "Low", "Medium", "High", "Critical"] | None = None
    fix_available: bool
    fix_or_mitigation: str = ""
    in_operator_system: bool
    disclosed: bool = False
    attachments: list[AttachmentFactIn] = Field(default_factory=list)


class EarlyReleaseIn(Strict):
    joint_assessment_at: AwareDatetime | None = None
    reported_to_miit_mps_at: AwareDatetime | None = None
    evaluation_result: str | None = None
    evaluated_at: AwareDatetime | None = None


class DecisionRequest(Strict):
    """Either an advisory you may read (its facts are taken from wangan) or the facts themselves."""

    channel: str
    at: AwareDatetime | None = Field(default=None, description="default: now")
    recipient: RecipientIn | None = None
    advisory: str | None = Field(default=None, description="advisory number; its facts are used")
    content: ContentIn | None = None
    early_release: EarlyReleaseIn | None = None


@router.post("/gate/decisions", summary="Dry run: what would the publication gate decide, and why")
def dry_run(body: DecisionRequest, rt: RuntimeDep, session: SessionDep, principal: ReaderDep) -> dict[str, Any]:
    if (body.advisory is None) == (body.content is None):
        raise Invalid("give either 'advisory' (a number) or 'content' (the facts), not both or neither",
                      problems=[FieldProblem("advisory", "one of advisory/content"),
                                FieldProblem("content", "one of advisory/content")])
    at = body.at or rt.clock.now()
    try:
        channel = gate.Channel(body.channel)
    except ValueError as exc:
        raise Invalid(f"unknown channel {body.channel!r}; use {', '.join(c.value for c in gate.Channel)}",
                      problems=[FieldProblem("channel", "unknown channel")]) from exc
    recipient = gate.Recipient(body.recipient.label, body.recipient.jurisdiction,
                               body.recipient.is_product_provider, body.recipient.is_cert,
                               body.recipient.legal_signoff) if body.recipient else None
    actor = Actor(principal.user_id, principal.label)
    if body.advisory is not None:
        advisory = advisories.get_advisory(session, principal, body.advisory)
        return advisories.decide(session, rt.gate_rules, advisory, channel, recipient, at, actor,
                                 dry_run=True).to_dict()
    assert body.content is not None
    c = body.content
    content = gate.Content(
        title=c.title, text=c.text, computed_severity=c.computed_severity, fix_available=c.fix_available,
        fix_or_mitigation=c.fix_or_mitigation, in_operator_system=c.in_operator_system, disclosed=c.disclosed,
        attachments=tuple(gate.GateAttachment(a.filename, gate.AttachmentKind(a.kind), a.sample_text.encode(),
                                              a.human_cleared) for a in c.attachments))
    early = gate.EarlyRelease(**body.early_release.model_dump()) if body.early_release else None
    return advisories.decide_facts(session, rt.gate_rules, principal, channel=channel, content=content,
                                   recipient=recipient, early_release=early, at=at).to_dict()
