"""``/api/v1/cases``: provider cases, their lifecycle, notices and the NVDB packet; sharing, the
case's members (need-to-know on a collection platform, Art. 11) and forwards to the product's
provider (Art. 10)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response
from pydantic import AwareDatetime, BaseModel, Field

from wangan.api.deps import ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import (
    CaseCreate,
    CaseOut,
    CaseUpdate,
    DownstreamIn,
    DownstreamOut,
    NvdbSubmissionIn,
    Page,
    Strict,
    TimelineEntry,
    TransitionIn,
    UpstreamIn,
    UpstreamOut,
)
from wangan.api.v1.views import case_out
from wangan.errors import Invalid
from wangan.kernel.numbers import whole_number
from wangan.vulns import cases, forwarding, members, sharing
from wangan.vulns.models import CaseShare, ProviderForward

router = APIRouter(prefix="/cases", tags=["cases"])


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().strip('W/').strip('"')
    number = whole_number(text)
    if number is None:
        raise Invalid("If-Match must carry the case version, e.g. If-Match: \"3\"")
    return number


@router.get("", response_model=Page[CaseOut], summary="Cases you may see, nearest NVDB deadline first")
def list_cases(rt: RuntimeDep, session: SessionDep, principal: ReaderDep,
               state: str | None = None, open: bool = False, overdue: bool = False,
               q: Annotated[str | None, Query(max_length=200)] = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50,
               offset: Annotated[int, Query(ge=0)] = 0) -> Page[CaseOut]:
    now = rt.clock.now()
    rows, total = cases.list_cases(session, principal, rt.vuln_rules,
                                   cases.CaseFilter(state=state, open_only=open, overdue_only=overdue, q=q),
                                   limit=limit, offset=offset, now=now)
    return Page[CaseOut](items=[case_out(c, rt.vuln_rules, now) for c in rows], total=total,
                         limit=limit, offset=offset)


@router.post("", status_code=201, response_model=CaseOut, summary="Open a case, from a report or directly")
def create_case(body: CaseCreate, response: Response, rt: RuntimeDep, session: SessionDep,
                principal: WriterDep) -> CaseOut:
    fields: dict[str, Any] = body.model_dump(
        exclude_unset=True, exclude={"title", "description", "report_id", "organisation_id", "aware_at"})
    case = cases.create_case(session, principal, rt.vuln_rules, cases.CaseIn(
        title=body.title, description=body.description, organisation_id=body.organisation_id,
        report_id=body.report_id, aware_at=body.aware_at, fields=fields), now=rt.clock.now())
    response.headers["Location"] = f"/api/v1/cases/{case.number}"
    response.headers["ETag"] = f'"{case.version}"'
    return case_out(case, rt.vuln_rules, rt.clock.now())


@router.get("/{case_ref}", response_model=CaseOut, summary="One case, by id or number")
def get_case(case_ref: str, response: Response, rt: RuntimeDep, session: SessionDep,
             principal: ReaderDep) -> CaseOut:
    case = cases.get_case(session, principal, case_ref, collection_platform=rt.settings.collection_platform)
    response.headers["ETag"] = f'"{case.version}"'
    return case_out(case, rt.vuln_rules, rt.clock.now())


@router.patch("/{case_ref}", response_model=CaseOut, summary="Edit assessment fields (optimistic locking)")
def update_case(case_ref: str, body: CaseUpdate, response: Response, rt: RuntimeDep, session: SessionDep,
                principal: WriterDep, if_match: Annotated[str | None, Header()] = None) -> CaseOut:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    version = body.version if body.version is not None else _if_match(if_match)
    case = cases.update_case(session, principal, case_ref, changes, expected_version=version)
    response.headers["ETag"] = f'"{case.version}"'
    return case_out(case, rt.vuln_rules, rt.clock.now())


@router.post("/{case_ref}/transitions", response_model=CaseOut, summary="Move the case along its lifecycle")
def transition(case_ref: str, body: TransitionIn, rt: RuntimeDep, session: SessionDep,
               principal: WriterDep) -> CaseOut:
    case = cases.transition(session, principal, rt.vuln_rules, case_ref, body.transition,
                            expected_version=body.version, note=body.note)
    return case_out(case, rt.vuln_rules, rt.clock.now())


@router.post("/{case_ref}/upstream-notices", status_code=201, response_model=UpstreamOut)
def upstream(case_ref: str, body: UpstreamIn, session: SessionDep, principal: WriterDep) -> UpstreamOut:
    notice = cases.record_upstream_notice(session, principal, case_ref, supplier=body.supplier,
                                          component=body.component, component_version=body.component_version,
                                          channel=body.channel, sent_at=body.sent_at)
    return UpstreamOut.of(notice)


@router.post("/{case_ref}/downstream-notices", status_code=201, response_model=DownstreamOut)
def downstream(case_ref: str, body: DownstreamIn, session: SessionDep, principal: WriterDep) -> DownstreamOut:
    notice = cases.record_downstream_notice(session, principal, case_ref, recipients=body.recipients,
                                            fix=body.fix, sent_at=body.sent_at)
    return DownstreamOut.of(notice)


@router.get("/{case_ref}/nvdb-report", summary="The Art. 7(2) NVDB packet; 422 lists every missing field")
def nvdb_report(case_ref: str, rt: RuntimeDep, session: SessionDep, principal: ReaderDep) -> dict[str, Any]:
    return cases.nvdb_packet(session, principal, rt.vuln_rules, case_ref,
                             collection_platform=rt.settings.collection_platform)


@router.post("/{case_ref}/nvdb-submission", response_model=CaseOut,
             summary="Record the NVDB submission time and reference number")
def nvdb_submission(case_ref: str, body: NvdbSubmissionIn, rt: RuntimeDep, session: SessionDep,
                    principal: WriterDep) -> CaseOut:
    case = cases.record_nvdb_submission(session, principal, rt.vuln_rules, case_ref,
                                        reference=body.reference, submitted_at=body.submitted_at,
                                        expected_version=body.version)
    return case_out(case, rt.vuln_rules, rt.clock.now())


@router.get("/{case_ref}/timeline", response_model=list[TimelineEntry], summary="The case's audit trail")
def timeline(case_ref: str, rt: RuntimeDep, session: SessionDep, principal: ReaderDep) -> list[TimelineEntry]:
    events = cases.timeline(session, principal, case_ref, collection_platform=rt.settings.collection_platform)
    return [TimelineEntry(id=e.id, occurred_at=e.occurred_at, tag=e.tag, actor=e.actor_label, data=e.data)
            for e in events]


# --- sharing with another organisation, through the Art. 9 gate (channel share) ---

class ShareIn(Strict):
    organisation: str = Field(min_length=1, max_length=64, description="slug of the recipient organisation")
    legal_signoff: str = Field(default="", max_length=200,
                               description="reference of the legal sign-off, for a CERT abroad (PUB-7 holds it "
                                           "otherwise)")


class ShareOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    organisation_id: uuid.UUID
    organisation: str
    granted_by: uuid.UUID | None
    granted_at: datetime
    revoked_at: datetime | None
    active: bool
    legal_signoff: str

    @classmethod
    def of(cls, share: CaseShare, slugs: dict[uuid.UUID, str]) -> ShareOut:
        return cls(id=share.id, case_id=share.case_id, organisation_id=share.org_id,
                   organisation=slugs.get(share.org_id, ""), granted_by=share.granted_by,
                   granted_at=share.granted_at, revoked_at=share.revoked_at, active=share.revoked_at is None,
                   legal_signoff=share.legal_signoff)


@router.post("/{case_ref}/shares", status_code=201, response_model=ShareOut,
             summary="Share the case with another organisation; a gate refusal is a 409 with every rule")
def share_case(case_ref: str, body: ShareIn, rt: RuntimeDep, session: SessionDep,
               principal: WriterDep) -> ShareOut:
    # A refusal (GateRefused) keeps its audit record: the unit of work commits errors that keep one.
    share = sharing.share_case(session, principal, rt.gate_rules, case_ref, body.organisation, at=rt.clock.now(),
                               legal_signoff=body.legal_signoff)
    return ShareOut.of(share, sharing.organisation_slugs(session, [share]))


@router.get("/{case_ref}/shares", response_model=list[ShareOut], summary="Who the case is shared with")
def list_shares(case_ref: str, session: SessionDep, principal: ReaderDep) -> list[ShareOut]:
    shares = sharing.list_shares(session, principal, case_ref)
    slugs = sharing.organisation_slugs(session, shares)
    return [ShareOut.of(s, slugs) for s in shares]


@router.delete("/{case_ref}/shares/{share_id}", response_model=ShareOut, summary="Revoke a share")
def revoke_share(case_ref: str, share_id: str, rt: RuntimeDep, session: SessionDep,
                 principal: WriterDep) -> ShareOut:
    share = sharing.revoke_share(session, principal, case_ref, share_id, at=rt.clock.now())
    return ShareOut.of(share, sharing.organisation_slugs(session, [share]))


# --- members: who needs to know the case (Art. 11; enforced on a collection platform) ---

class MemberIn(Strict):
    email: str = Field(min_length=1, max_length=320, description="a manager, analyst or viewer of the owning "
                                                                  "organisation")


class MemberOut(BaseModel):
    user_id: uuid.UUID
    email: str
    display_name: str
    role: str
    added_at: datetime
    added_by: str | None = Field(description="e-mail of who added the member")

    @classmethod
    def of(cls, m: members.MemberView) -> MemberOut:
        return cls(user_id=m.user_id, email=m.email, display_name=m.display_name, role=m.role,
                   added_at=m.added_at, added_by=m.added_by)


@router.get("/{case_ref}/members", response_model=list[MemberOut], summary="The case's members, oldest first")
def list_members(case_ref: str, session: SessionDep, principal: ReaderDep) -> list[MemberOut]:
    return [MemberOut.of(m) for m in members.list_members(session, principal, case_ref)]


@router.post("/{case_ref}/members", status_code=201, response_model=MemberOut,
             summary="Make a user of the owning organisation a member (managers)")
def add_member(case_ref: str, body: MemberIn, response: Response, rt: RuntimeDep, session: SessionDep,
               principal: WriterDep) -> MemberOut:
    member = members.add_member(session, principal, case_ref, body.email, at=rt.clock.now())
    added = next(m for m in members.list_members(session, principal, case_ref) if m.user_id == member.user_id)
    response.headers["Location"] = f"/api/v1/cases/{case_ref}/members/{added.email}"
    return MemberOut.of(added)


@router.delete("/{case_ref}/members/{email}", status_code=204, response_class=Response,
               summary="Take a user off the case (managers)")
def remove_member(case_ref: str, email: str, session: SessionDep, principal: WriterDep) -> Response:
    members.remove_member(session, principal, case_ref, email)
    return Response(status_code=204)


# --- forwarding the report to the product's provider (Art. 10), through the Art. 9 gate ---

class ForwardBody(Strict):
    channel: Literal["share", "email", "recorded"] = Field(
        description="share: with the provider's organisation on this instance; email: to its security contact, "
                    "through the outbox; recorded: sent outside wangan, recorded here")
    organisation: str = Field(default="", max_length=64, description="share: slug of the provider's organisation")
    email: str = Field(default="", max_length=320, description="email: the provider's security contact")
    recipient: str = Field(default="", max_length=320, description="recorded: who received it")
    jurisdiction: Literal["domestic", "overseas"] | None = Field(
        default=None, description="email and recorded: the recipient's jurisdiction; null = unknown, treated as "
                                  "overseas by the gate")
    reference: str = Field(default="", max_length=200, description="the provider's ticket or your reference")
    note: str = Field(default="", max_length=5000)
    forwarded_at: AwareDatetime | None = Field(default=None, description="recorded: when it was sent")


class ForwardOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    channel: str
    provider_org_id: uuid.UUID | None
    recipient: str
    jurisdiction: str
    reference: str
    note: str
    forwarded_by: uuid.UUID | None
    forwarded_at: datetime
    on_time: bool | None = Field(description="the first forward against the PLATFORM-FORWARD clock; null for "
                                             "later ones and when no clock runs")

    @classmethod
    def of(cls, f: ProviderForward) -> ForwardOut:
        return cls(id=f.id, case_id=f.case_id, channel=f.channel.value, provider_org_id=f.provider_org_id,
                   recipient=f.recipient, jurisdiction=f.jurisdiction, reference=f.reference, note=f.note,
                   forwarded_by=f.forwarded_by, forwarded_at=f.forwarded_at, on_time=f.on_time)


@router.get("/{case_ref}/forwards", response_model=list[ForwardOut],
            summary="Every forward of the case to the product's provider, oldest first")
def list_forwards(case_ref: str, session: SessionDep, principal: ReaderDep) -> list[ForwardOut]:
    return [ForwardOut.of(f) for f in forwarding.list_forwards(session, principal, case_ref)]


@router.post("/{case_ref}/forwards", status_code=201, response_model=ForwardOut,
             summary="Forward the report to the product's provider; a gate refusal is a 409 with every rule")
def forward(case_ref: str, body: ForwardBody, rt: RuntimeDep, session: SessionDep,
            principal: WriterDep) -> ForwardOut:
    data = forwarding.ForwardIn(channel=body.channel, organisation=body.organisation, email=body.email,
                                recipient=body.recipient, jurisdiction=body.jurisdiction or "",
                                reference=body.reference, note=body.note, forwarded_at=body.forwarded_at)
    done = forwarding.forward_to_provider(session, principal, rt.gate_rules, case_ref, data, now=rt.clock.now(),
                                          platform_name=rt.settings.instance_name)
    return ForwardOut.of(done)
