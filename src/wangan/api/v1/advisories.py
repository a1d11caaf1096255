"""``/api/v1/advisories``: Art. 9 advisories, internal (the owning organisation) and public.

Signed-in members of the owning organisation see and edit the advisory in every state. Everyone
else — anonymous callers, other organisations — sees only what a published revision froze
(``advisories.public_view``), and an advisory that was never published does not exist for them:
404 by number, by attachment URL, and absent from lists."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Header, Query, Response, UploadFile
from fastapi.responses import Response as RawResponse
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session

from wangan.api.deps import PrincipalDep, ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Page, Strict
from wangan.downloads import attachment_headers
from wangan.errors import Invalid, NotFound
from wangan.kernel.auth import Principal
from wangan.kernel.numbers import whole_number
from wangan.vulns import advisories
from wangan.vulns.models import Advisory, AdvisoryAttachment, AttachmentKind

router = APIRouter(prefix="/advisories", tags=["advisories"])

# The public list is filtered on the published snapshots, never on the live (possibly unpublished)
# fields, so it reads at most this many published advisories per request.


# --- bodies ---

class AdvisoryCreate(Strict):
    case: str = Field(min_length=1, max_length=100, description="case number or id")


class AdvisoryUpdate(Strict):
    version: int | None = Field(default=None, description="the version you read; 409 if it changed")
    title: str | None = None
    description: str | None = None
    affected: str | None = None
    fix: str | None = None
    cwe: str | None = None
    cvss31_vector: str | None = None
    cvss40_vector: str | None = None
    credits: str | None = None
    references: list[str] | None = None
    in_operator_system: bool | None = None
    joint_assessment_at: AwareDatetime | None = None
    reported_to_miit_mps_at: AwareDatetime | None = None
    evaluation_result: str | None = Field(default=None, description='"permitted", "refused" or "" (none yet)')
    evaluated_at: AwareDatetime | None = None


class AdvisoryAction(Strict):
    action: Literal["submit", "return", "approve", "publish", "withdraw"]
    note: str = Field(default="", max_length=2000)
    version: int | None = None


class AttachmentOut(BaseModel):
    id: uuid.UUID
    filename: str
    kind: str
    content_type: str
    size: int
    sha256: str
    human_cleared: bool
    download: str

    @classmethod
    def of(cls, number: str, a: AdvisoryAttachment) -> AttachmentOut:
        return cls(id=a.id, filename=a.filename, kind=a.kind.value, content_type=a.content_type, size=a.size,
                   sha256=a.sha256, human_cleared=a.human_cleared,
                   download=f"/api/v1/advisories/{number}/attachments/{a.id}")


class RevisionOut(BaseModel):
    revision: int
    published_at: datetime
    note: str


class AdvisoryOut(BaseModel):
    """The internal view, for members of the owning organisation."""

    view: Literal["internal"] = "internal"
    id: uuid.UUID
    number: str
    version: int
    organisation_id: uuid.UUID
    case_id: uuid.UUID
    case_number: str
    state: str
    actions: list[str] = Field(description="actions possible from this state (role permitting)")
    title: str
    description: str
    affected: str
    fix: str
    cwe: str
    cvss31_vector: str
    cvss31_score: float | None
    cvss31_severity: str
    cvss40_vector: str
    cvss40_score: float | None
    cvss40_severity: str
    credits: str
    references: list[str]
    in_operator_system: bool
    joint_assessment_at: datetime | None
    reported_to_miit_mps_at: datetime | None
    evaluation_result: str
    evaluated_at: datetime | None
    revision: int
    published_at: datetime | None
    withdrawn_at: datetime | None
    withdrawn_reason: str
    created_at: datetime
    updated_at: datetime
    attachments: list[AttachmentOut]
    revisions: list[RevisionOut]

    @classmethod
    def of(cls, a: Advisory) -> AdvisoryOut:
        return cls(
            id=a.id, number=a.number, version=a.version, organisation_id=a.org_id, case_id=a.case_id,
            case_number=a.case.number, state=a.state.value,
            actions=[name for name, (sources, _) in advisories.MOVES.items() if a.state in sources],
            title=a.title, description=a.description, affected=a.affected, fix=a.fix, cwe=a.cwe,
            cvss31_vector=a.cvss31_vector, cvss31_score=a.cvss31_score, cvss31_severity=a.cvss31_severity,
            cvss40_vector=a.cvss40_vector, cvss40_score=a.cvss40_score, cvss40_severity=a.cvss40_severity,
            credits=a.credits, references=list(a.references), in_operator_system=a.in_operator_system,
            joint_assessment_at=a.joint_assessment_at, reported_to_miit_mps_at=a.reported_to_miit_mps_at,
            evaluation_result=a.evaluation_result, evaluated_at=a.evaluated_at, revision=a.revision,
            published_at=a.published_at, withdrawn_at=a.withdrawn_at, withdrawn_reason=a.withdrawn_reason,
            created_at=a.created_at, updated_at=a.updated_at,
            attachments=[AttachmentOut.of(a.number, att) for att in a.attachments],
            revisions=[RevisionOut(revision=r.revision, published_at=r.published_at, note=r.change_note)
                       for r in a.revisions],
        )


class CvssOut(BaseModel):
    vector: str
    score: float | None
    severity: str


class PublicAttachmentOut(BaseModel):
    id: str
    filename: str
    kind: str
    size: int
    sha256: str
    download: str


class PublicAdvisoryOut(BaseModel):
    """What the public sees: the latest published revision, or only number and title once withdrawn."""

    view: Literal["public"] = "public"
    number: str
    title: str
    status: str
    revision: int
    url: str
    published_at: datetime | None
    updated_at: datetime
    withdrawn_at: datetime | None = None
    withdrawn_reason: str = ""
    description: str | None = None
    affected: str | None = None
    fix: str | None = None
    cwe: str | None = None
    cvss31: CvssOut | None = None
    cvss40: CvssOut | None = None
    credits: str | None = None
    references: list[str] | None = None
    attachments: list[PublicAttachmentOut] | None = None
    history: list[RevisionOut]

    @classmethod
    def of(cls, view: dict[str, Any], base_url: str) -> PublicAdvisoryOut:
        number = view["number"]
        attachments = view.get("attachments")
        return cls(
            number=number, title=view["title"], status=view["status"], revision=view["revision"],
            url=f"{base_url}/advisories/{number}", published_at=view["published_at"],
            updated_at=view["updated_at"], withdrawn_at=view["withdrawn_at"],
            withdrawn_reason=view["withdrawn_reason"] if view["status"] == "withdrawn" else "",
            description=view.get("description"), affected=view.get("affected"), fix=view.get("fix"),
            cwe=view.get("cwe"),
            cvss31=CvssOut(**view["cvss31"]) if view.get("cvss31") else None,
            cvss40=CvssOut(**view["cvss40"]) if view.get("cvss40") else None,
            credits=view.get("credits"), references=view.get("references"),
            attachments=None if attachments is None else [
                PublicAttachmentOut(id=a["id"], filename=a["filename"], kind=a["kind"], size=a["size"],
                                    sha256=a["sha256"],
                                    download=f"/api/v1/advisories/{number}/attachments/{a['id']}")
                for a in attachments],
            history=[RevisionOut(revision=h["revision"], published_at=h["published_at"], note=h["note"] or "")
                     for h in view["history"]],
        )


# --- helpers ---

def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    number = whole_number(text)
    if number is None:
        raise Invalid("If-Match must carry the advisory version, e.g. If-Match: \"3\"")
    return number


def _internal(session: Session, principal: Principal, number: str) -> Advisory | None:
    """The advisory if the principal may read it inside its organisation, else None."""
    if principal.is_anonymous or "read" not in principal.scopes:
        return None
    try:
        return advisories.get_advisory(session, principal, number)
    except NotFound:
        return None


# --- routes ---

@router.get("", response_model=Page[AdvisoryOut] | Page[PublicAdvisoryOut],
            summary="Your organisation's advisories; anonymously (or view=public) the published feed")
def list_advisories(rt: RuntimeDep, session: SessionDep, principal: PrincipalDep,
                    view: Literal["internal", "public"] | None = None,
                    q: Annotated[str, Query(max_length=200)] = "",
                    severity: Annotated[str, Query(max_length=20)] = "",
                    limit: Annotated[int, Query(ge=1, le=200)] = 50,
                    offset: Annotated[int, Query(ge=0)] = 0) -> Page[AdvisoryOut] | Page[PublicAdvisoryOut]:
    if principal.is_anonymous or view == "public":
        views, total = advisories.public_views(session, q=q, severity=severity, limit=limit, offset=offset)
        items = [PublicAdvisoryOut.of(v, rt.settings.base_url) for v in views]
        return Page[PublicAdvisoryOut](items=items, total=total, limit=limit, offset=offset)
    principal.require_scope("read")
    rows = advisories.list_advisories(session, principal)
    if q:
        rows = [a for a in rows if q.strip().casefold() in f"{a.number}\n{a.title}".casefold()]
    if severity:
        rows = [a for a in rows if severity.casefold() in (a.cvss31_severity.casefold(),
                                                           a.cvss40_severity.casefold())]
    return Page[AdvisoryOut](items=[AdvisoryOut.of(a) for a in rows[offset:offset + limit]], total=len(rows),
                             limit=limit, offset=offset)


@router.post("", status_code=201, response_model=AdvisoryOut, summary="Draft an advisory from a case")
def create_advisory(body: AdvisoryCreate, response: Response, session: SessionDep,
                    principal: WriterDep) -> AdvisoryOut:
    advisory = advisories.draft_from_case(session, principal, body.case.strip())
    response.headers["Location"] = f"/api/v1/advisories/{advisory.number}"
    response.headers["ETag"] = f'"{advisory.version}"'
    return AdvisoryOut.of(advisory)


@router.get("/{number}", response_model=AdvisoryOut | PublicAdvisoryOut,
            summary="Internal view for the owning organisation; otherwise the published view, or 404")
def get_advisory(number: str, response: Response, rt: RuntimeDep, session: SessionDep,
                 principal: PrincipalDep) -> AdvisoryOut | PublicAdvisoryOut:
    advisory = _internal(session, principal, number)
    if advisory is not None:
        response.headers["ETag"] = f'"{advisory.version}"'
        return AdvisoryOut.of(advisory)
    return PublicAdvisoryOut.of(advisories.public_view(advisories.get_published(session, number)),
                                rt.settings.base_url)


@router.patch("/{number}", response_model=AdvisoryOut, summary="Edit fields (optimistic locking)")
def update_advisory(number: str, body: AdvisoryUpdate, response: Response, session: SessionDep,
                    principal: WriterDep, if_match: Annotated[str | None, Header()] = None) -> AdvisoryOut:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    version = body.version if body.version is not None else _if_match(if_match)
    advisory = advisories.update_advisory(session, principal, number, changes, expected_version=version)
    response.headers["ETag"] = f'"{advisory.version}"'
    return AdvisoryOut.of(advisory)


@router.post("/{number}/transitions", response_model=AdvisoryOut,
             summary="submit / return / approve / publish / withdraw; a gate refusal is a 409 with every rule")
def transition(number: str, body: AdvisoryAction, response: Response, rt: RuntimeDep, session: SessionDep,
               principal: WriterDep) -> AdvisoryOut:
    # A refused publication keeps its audit record (the refusal is itself evidence, Art. 11): the unit
    # of work commits errors whose ``keeps_record`` is set, such as GateRefused.
    advisory = advisories.transition(session, principal, rt.gate_rules, number, body.action, note=body.note,
                                     expected_version=body.version, at=rt.clock.now())
    response.headers["ETag"] = f'"{advisory.version}"'
    return AdvisoryOut.of(advisory)


@router.get("/{number}/gate", summary="Dry run: what the publication gate would say now")
def gate_check(number: str, rt: RuntimeDep, session: SessionDep, principal: ReaderDep) -> dict[str, Any]:
    return advisories.check(session, principal, rt.gate_rules, number, at=rt.clock.now()).to_dict()


@router.post("/{number}/attachments", status_code=201, response_model=AttachmentOut,
             summary="Attach a file (multipart: file, kind = patch | poc | exploit | document)")
def add_attachment(number: str, session: SessionDep, principal: WriterDep, file: Annotated[UploadFile, File()],
                   kind: Annotated[str, Form(max_length=20)]) -> AttachmentOut:
    data = file.file.read(advisories.MAX_ATTACHMENT + 1)  # one byte more than allowed is enough to refuse
    att = advisories.add_attachment(session, principal, number, filename=file.filename or "file", kind=kind,
                                    content_type=file.content_type or "application/octet-stream", data=data)
    return AttachmentOut.of(att.advisory.number, att)


@router.post("/{number}/attachments/{attachment_id}/clear", response_model=AttachmentOut,
             summary="A manager clears an attachment the gate held as possible exploit code (PUB-4)")
def clear_attachment(number: str, attachment_id: uuid.UUID, session: SessionDep,
                     principal: WriterDep) -> AttachmentOut:
    att = advisories.clear_attachment(session, principal, number, attachment_id)
    return AttachmentOut.of(att.advisory.number, att)


@router.get("/{number}/attachments/{attachment_id}", response_class=RawResponse,
            summary="Download: the organisation any attachment; the public only what was published")
def download_attachment(number: str, attachment_id: uuid.UUID, session: SessionDep,
                        principal: PrincipalDep) -> RawResponse:
    att = find_attachment(session, principal, number, attachment_id)
    return RawResponse(att.data, media_type="application/octet-stream", headers=attachment_headers(att.filename))


def find_attachment(session: Session, principal: Principal, number: str,
                    attachment_id: uuid.UUID) -> AdvisoryAttachment:
    """Members of the owning organisation get any attachment. Anyone else gets only an attachment
    listed in the latest published revision, unchanged since, and never an exploit (PUB-4)."""
    missing = NotFound(f"no attachment {attachment_id} on a published advisory {number}")
    advisory = _internal(session, principal, number)
    if advisory is not None:
        found = next((a for a in advisory.attachments if a.id == attachment_id), None)
        if found is None:
            raise missing
        return found
    published = advisories.get_published(session, number)
    listed = {a["id"]: a for a in advisories.public_view(published).get("attachments") or []}
    entry = listed.get(str(attachment_id))
    found = next((a for a in published.attachments if a.id == attachment_id), None)
    if entry is None or found is None or found.kind is AttachmentKind.EXPLOIT or found.sha256 != entry["sha256"]:
        raise missing
    return found
