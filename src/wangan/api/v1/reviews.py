"""``/api/v1/reviews``: cybersecurity review (Measures for Cybersecurity Review): the applicability
screening, review cases with their Art. 8 dossier, working-day clocks and Art. 15 pauses, the Art. 10
risk-factor assessment and impact-analysis report, supplier commitments (Art. 6) and supervision
(Art. 19).

Who may do what (``wangan.reviews.policy``): the screening is a pure function of the answers given,
so anyone may ask it, signed in or not. Everything about a case is for members of the owning
organisation (viewers read; analysts and managers write; managers record conclusions) and for
administrators; anyone else is told the case does not exist (404). Every clock is shown with its
due date, the working days left and whether the due date is provisional (it relies on a year whose
holiday schedule nobody confirmed yet)."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Header, Query, Response, UploadFile
from fastapi.responses import Response as RawResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from wangan.api.deps import ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Page, Strict, TimelineEntry
from wangan.downloads import attachment_headers
from wangan.errors import FieldProblem, Invalid, NotFound, TooLarge
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import beijing_date
from wangan.kernel.numbers import whole_number
from wangan.reports import impact
from wangan.reviews import assessment, cases, commitments, screening
from wangan.reviews import clocks as clockmath
from wangan.reviews.models import (
    DossierDocument,
    FactorAssessment,
    ReviewCase,
    ReviewPause,
    SupervisionItem,
    SupplierCommitment,
)
from wangan.runtime import Runtime

router = APIRouter(prefix="/reviews", tags=["reviews"])

# The largest dossier document accepted. The request body limit of the server (sized for report
# attachments) caps it further; either refusal is a 413.
MAX_DOCUMENT_BYTES = cases.MAX_DOCUMENT_BYTES
PROVISIONAL = ("true when the due date relied on a year without a confirmed holiday schedule (counted as "
               "Monday–Friday weeks plus any overrides); it is recomputed once the year is confirmed")


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    number = whole_number(text)
    if number is None:
        raise Invalid("If-Match must carry the review case's version, e.g. If-Match: \"3\"",
                      problems=[FieldProblem("If-Match", "the case version in quotes")])
    return number


def _today(rt: Runtime) -> dt.date:
    return beijing_date(rt.clock.now())


# --------------------------------------------------------------------------- the screening


class ScreeningBody(Strict):
    party: str = Field(description="procurement (a CIIO buying a network product or service) or listing (a "
                                   "platform operator listing)", examples=["listing"])
    decided_on: dt.date = Field(description="the day the purchase or listing is decided; chooses the Measures",
                                examples=["2025-06-01"])
    product_category: str | None = Field(default=None, max_length=64,
                                         description="procurement: the Art. 21 category, e.g. cloud_services")
    may_affect_national_security: str | None = Field(default=None, max_length=16,
                                                     description="procurement: yes, no or unsure")
    user_count: int | str | None = Field(default=None, description="listing: users whose personal information the "
                                                                   "operator holds; a number or text like 120万")
    listing_venue: str | None = Field(default=None, max_length=200, description="listing: NYSE, 港交所, …")


@router.post("/screening", summary="Must this purchase or listing go to cybersecurity review? (no account needed)")
def screen(body: ScreeningBody, rt: RuntimeDep) -> dict[str, Any]:
    if isinstance(body.user_count, str) and len(body.user_count) > 200:
        raise Invalid("the user count is too long", problems=[FieldProblem("user_count", "at most 200 characters")])
    result = screening.screen(rt.review_rules, screening.ScreeningIn(
        party=body.party, decided_on=body.decided_on, product_category=body.product_category,
        may_affect_national_security=body.may_affect_national_security, user_count=body.user_count,
        listing_venue=body.listing_venue))
    return {**result.to_dict(), "explanation_zh": result.explanation_zh, "explanation_en": result.explanation_en}


# --------------------------------------------------------------------------- case output


class ClockOut(BaseModel):
    id: uuid.UUID
    rule_id: str
    title_zh: str
    title_en: str
    article: str
    started_on: dt.date
    due_on: dt.date = Field(description="while paused: the due date as of the pause's start")
    working_days: int = Field(description="length plus extensions")
    length_working_days: int
    extension_working_days: int
    extensions: int
    paused_working_days: int
    remaining_working_days: int | None = Field(description="running and not paused: working days after today up to "
                                                           "the due date (0 on the due day); null otherwise")
    overdue: bool
    provisional: bool = Field(description=PROVISIONAL)
    unconfirmed_years: list[int]
    running: bool
    paused: bool
    paused_since: dt.date | None
    stopped_on: dt.date | None
    met: bool | None

    @classmethod
    def of(cls, v: cases.ClockView) -> ClockOut:
        return cls(id=v.id, rule_id=v.rule_id, title_zh=v.title_zh, title_en=v.title_en, article=v.article,
                   started_on=v.started_on, due_on=v.due_on, working_days=v.working_days,
                   length_working_days=v.length_working_days, extension_working_days=v.extension_working_days,
                   extensions=v.extensions, paused_working_days=v.paused_working_days,
                   remaining_working_days=v.remaining_working_days, overdue=v.overdue, provisional=v.provisional,
                   unconfirmed_years=list(v.unconfirmed_years), running=v.running,
                   paused=v.paused_since is not None, paused_since=v.paused_since, stopped_on=v.stopped_on,
                   met=v.met)


class PauseOut(BaseModel):
    id: uuid.UUID
    clock_id: uuid.UUID
    started_on: dt.date
    ended_on: dt.date | None
    open: bool
    working_days: int | None = Field(description="working days the finished pause covers")
    reason: str

    @classmethod
    def of(cls, p: ReviewPause) -> PauseOut:
        return cls(id=p.id, clock_id=p.clock_id, started_on=p.started_on, ended_on=p.ended_on,
                   open=p.ended_on is None, working_days=p.working_days, reason=p.reason)


class DocumentOut(BaseModel):
    id: uuid.UUID
    slot: str
    version: int
    filename: str
    content_type: str
    size: int
    sha256: str
    filed_on: dt.date
    note: str
    uploaded_at: dt.datetime

    @classmethod
    def of(cls, d: DossierDocument) -> DocumentOut:
        return cls(id=d.id, slot=d.slot, version=d.version, filename=d.filename, content_type=d.content_type,
                   size=d.size, sha256=d.sha256, filed_on=d.filed_on, note=d.note, uploaded_at=d.uploaded_at)


class SlotOut(BaseModel):
    id: str
    article: str
    label_zh: str
    label_en: str
    required: bool
    filled: bool
    documents: list[DocumentOut] = Field(description="every version, oldest first; the last is current")


class DossierOut(BaseModel):
    complete: bool
    completed_on: dt.date | None = Field(description="t_a: the latest of the required slots' first filing days")
    missing: list[str]
    slots: list[SlotOut]

    @classmethod
    def of(cls, status: cases.DossierStatus) -> DossierOut:
        return cls(complete=status.complete, completed_on=status.completed_on,
                   missing=[s.id for s in status.missing],
                   slots=[SlotOut(id=s.slot.id, article=s.slot.article, label_zh=s.slot.label_zh,
                                  label_en=s.slot.label_en, required=s.required, filled=bool(s.versions),
                                  documents=[DocumentOut.of(d) for d in s.versions]) for s in status.slots])


class TransitionOptionOut(BaseModel):
    id: str
    to: str
    label_zh: str
    label_en: str
    article: str
    conclusion: str | None
    extends: str | None
    blocked_by: list[str] = Field(description="why it is not possible yet (empty: possible)")


class ReviewOut(BaseModel):
    id: uuid.UUID
    number: str
    org_id: uuid.UUID
    kind: str
    title: str
    description: str
    party_name: str
    product_name: str
    product_category: str
    supplier_name: str
    supplier_country: str
    listing_venue: str
    user_count: int | None
    filed_on: dt.date
    measures_version: str
    state: str
    state_label_zh: str
    state_label_en: str
    open: bool
    conclusion: str | None
    concluded_on: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    clocks: list[ClockOut]
    pauses: list[PauseOut]
    dossier: DossierOut
    transitions: list[TransitionOptionOut]


def review_out(rt: Runtime, session: Session, case: ReviewCase) -> ReviewOut:
    rules = rt.review_rules
    state = rules.state_by_id[case.state.value]
    views = cases.clock_views(rules, case, rt.work_calendar(session), _today(rt))
    options = [TransitionOptionOut(id=t.id, to=t.to, label_zh=t.label_zh, label_en=t.label_en, article=t.article,
                                   conclusion=t.conclusion, extends=t.extends,
                                   blocked_by=[b.message for b in blocked])
               for t, blocked in cases.available_transitions(rules, case)]
    return ReviewOut(
        id=case.id, number=case.number, org_id=case.org_id, kind=case.kind.value, title=case.title,
        description=case.description, party_name=case.party_name, product_name=case.product_name,
        product_category=case.product_category, supplier_name=case.supplier_name,
        supplier_country=case.supplier_country, listing_venue=case.listing_venue, user_count=case.user_count,
        filed_on=case.filed_on, measures_version=case.measures_version, state=case.state.value,
        state_label_zh=state.label_zh, state_label_en=state.label_en, open=state.open,
        conclusion=case.conclusion.value if case.conclusion else None, concluded_on=case.concluded_on,
        version=case.version, created_at=case.created_at, updated_at=case.updated_at,
        clocks=[ClockOut.of(v) for v in views], pauses=[PauseOut.of(p) for p in case.pauses],
        dossier=DossierOut.of(cases.dossier_status(rules, case)), transitions=options)


# --------------------------------------------------------------------------- cases


class ReviewCreate(Strict):
    kind: str = Field(description="procurement, listing or ex_officio")
    title: str = Field(min_length=1, max_length=300)
    filed_on: dt.date = Field(description="the filing day (ex officio: the notice day); chooses the Measures")
    party_name: str = Field(default="", max_length=200, description="default: the organisation's name")
    organisation_id: uuid.UUID | None = Field(default=None, description="administrators: the owning organisation")
    description: str = Field(default="", max_length=100_000)
    product_name: str = Field(default="", max_length=300)
    product_category: str = Field(default="", max_length=64)
    supplier_name: str = Field(default="", max_length=200)
    supplier_country: str = Field(default="", max_length=100)
    listing_venue: str = Field(default="", max_length=200)
    user_count: int | str | None = None


class ReviewUpdate(Strict):
    title: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=100_000)
    party_name: str | None = Field(default=None, max_length=200)
    product_name: str | None = Field(default=None, max_length=300)
    product_category: str | None = Field(default=None, max_length=64)
    supplier_name: str | None = Field(default=None, max_length=200)
    supplier_country: str | None = Field(default=None, max_length=100)
    listing_venue: str | None = Field(default=None, max_length=200)
    user_count: int | str | None = None
    version: int | None = Field(default=None, description="the version you read (or send If-Match)")


def _etag(response: Response, case: ReviewCase) -> None:
    response.headers["ETag"] = f'"{case.version}"'


@router.get("", response_model=Page[ReviewOut], summary="Review cases you may see, newest first")
def list_reviews(rt: RuntimeDep, session: SessionDep, principal: ReaderDep,
                 state: Annotated[str | None, Query(max_length=32)] = None,
                 kind: Annotated[str | None, Query(max_length=32)] = None,
                 open: bool = False,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50,
                 offset: Annotated[int, Query(ge=0)] = 0) -> Page[ReviewOut]:
    rows, total = cases.list_cases(session, principal, rt.review_rules,
                                   cases.CaseFilter(state=state, kind=kind, open_only=open), limit=limit,
                                   offset=offset)
    return Page[ReviewOut](items=[review_out(rt, session, c) for c in rows], total=total, limit=limit,
                           offset=offset)


@router.post("", status_code=201, response_model=ReviewOut, summary="Open a review case")
def create_review(body: ReviewCreate, response: Response, rt: RuntimeDep, session: SessionDep,
                  principal: WriterDep) -> ReviewOut:
    case = cases.create_case(session, principal, rt.review_rules, cases.ReviewCaseIn(
        kind=body.kind, title=body.title, filed_on=body.filed_on, party_name=body.party_name,
        organisation_id=body.organisation_id, description=body.description, product_name=body.product_name,
        product_category=body.product_category, supplier_name=body.supplier_name,
        supplier_country=body.supplier_country, listing_venue=body.listing_venue, user_count=body.user_count),
        calendar=rt.work_calendar(session), now=rt.clock.now())
    response.headers["Location"] = f"/api/v1/reviews/{case.number}"
    _etag(response, case)
    return review_out(rt, session, case)


@router.get("/{case_ref}", response_model=ReviewOut, summary="One review case, by number or id")
def get_review(case_ref: str, response: Response, rt: RuntimeDep, session: SessionDep,
               principal: ReaderDep) -> ReviewOut:
    case = cases.get_case(session, principal, case_ref)
    _etag(response, case)
    return review_out(rt, session, case)


@router.patch("/{case_ref}", response_model=ReviewOut, summary="Edit the descriptive fields (optimistic locking)")
def update_review(case_ref: str, body: ReviewUpdate, response: Response, rt: RuntimeDep, session: SessionDep,
                  principal: WriterDep, if_match: Annotated[str | None, Header()] = None) -> ReviewOut:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    version = body.version if body.version is not None else _if_match(if_match)
    case = cases.update_case(session, principal, rt.review_rules, case_ref, changes, expected_version=version,
                             now=rt.clock.now())
    _etag(response, case)
    return review_out(rt, session, case)


@router.get("/{case_ref}/timeline", response_model=list[TimelineEntry], summary="The case's audit trail")
def timeline(case_ref: str, session: SessionDep, principal: ReaderDep) -> list[TimelineEntry]:
    return [TimelineEntry(id=e.id, occurred_at=e.occurred_at, tag=e.tag, actor=e.actor_label, data=e.data)
            for e in cases.timeline(session, principal, case_ref)]


# --------------------------------------------------------------------------- the dossier


class UploadOut(BaseModel):
    document: DocumentOut
    completed_dossier: bool = Field(description="this upload completed the dossier and started the clock")
    case: ReviewOut


@router.post("/{case_ref}/documents", status_code=201, response_model=UploadOut,
             summary="Upload a document to an Art. 8 dossier slot (multipart; a new version of the slot)")
def upload_document(case_ref: str, response: Response, rt: RuntimeDep, session: SessionDep, principal: WriterDep,
                    slot: Annotated[str, Form(max_length=32)],
                    file: Annotated[UploadFile, File(description="the document")],
                    filed_on: Annotated[dt.date | None, Form(description="day it reached the Office")] = None,
                    note: Annotated[str, Form(max_length=2000)] = "",
                    version: Annotated[int | None, Form(description="the case version you read")] = None,
                    ) -> UploadOut:
    limit = MAX_DOCUMENT_BYTES
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"the document is larger than {limit} bytes, the most accepted",
                       problems=[FieldProblem("file", f"at most {limit} bytes")])
    result = cases.upload_document(
        session, principal, rt.review_rules, case_ref, slot=slot, filename=file.filename or "",
        content_type=file.content_type or "application/octet-stream", data=data,
        calendar=rt.work_calendar(session), filed_on=filed_on, note=note, expected_version=version,
        max_bytes=limit, now=rt.clock.now())
    response.headers["Location"] = f"/api/v1/reviews/{result.case.number}/documents/{result.document.id}"
    _etag(response, result.case)
    return UploadOut(document=DocumentOut.of(result.document), completed_dossier=result.completed_dossier,
                     case=review_out(rt, session, result.case))


@router.get("/{case_ref}/documents/{document_id}", response_class=RawResponse,
            summary="Download one dossier document (X-Content-SHA256 carries its hash)")
def download_document(case_ref: str, document_id: str, session: SessionDep, principal: ReaderDep) -> RawResponse:
    doc = cases.document_with_content(session, principal, case_ref, document_id)
    digest = base64.b64encode(bytes.fromhex(doc.sha256)).decode()
    headers = {**attachment_headers(doc.filename), "X-Content-SHA256": doc.sha256,
               "Repr-Digest": f"sha-256=:{digest}:"}
    return RawResponse(doc.data, media_type="application/octet-stream", headers=headers)


# --------------------------------------------------------------------------- lifecycle and pauses


class TransitionBody(Strict):
    transition: str = Field(min_length=1, max_length=64, examples=["notice_review"])
    on: dt.date | None = Field(default=None, description="the day of the notice or conclusion; default today")
    extension_working_days: int | None = Field(default=None, description="special review: the extension's length")
    note: str = Field(default="", max_length=2000)
    version: int | None = None


@router.post("/{case_ref}/transitions", response_model=ReviewOut, summary="Move the case along its lifecycle")
def transition(case_ref: str, body: TransitionBody, response: Response, rt: RuntimeDep, session: SessionDep,
               principal: WriterDep) -> ReviewOut:
    case = cases.transition(session, principal, rt.review_rules, case_ref, body.transition,
                            calendar=rt.work_calendar(session), on=body.on,
                            extension_working_days=body.extension_working_days, note=body.note,
                            expected_version=body.version, now=rt.clock.now())
    _etag(response, case)
    return review_out(rt, session, case)


class PauseBody(Strict):
    started_on: dt.date
    reason: str = Field(max_length=2000, description="the material the Office asked for")
    ended_on: dt.date | None = Field(default=None, description="for a pause that is already over")
    version: int | None = None


class PauseEndBody(Strict):
    ended_on: dt.date = Field(description="the day the material was supplied (inclusive)")
    version: int | None = None


class PauseResultOut(BaseModel):
    pause: PauseOut
    clock_rule_id: str
    due_before: dt.date
    due_after: dt.date | None = Field(description="null while the pause is open: the clock stands still")
    working_days: int | None
    counted: bool
    provisional: bool = Field(description=PROVISIONAL)
    unconfirmed_years: list[int]
    explanation_zh: str
    explanation_en: str
    case: ReviewOut

    @classmethod
    def of(cls, rt: Runtime, session: Session, r: cases.PauseResult) -> PauseResultOut:
        return cls(pause=PauseOut.of(r.pause), clock_rule_id=r.clock_rule_id, due_before=r.due_before,
                   due_after=r.due_after, working_days=r.working_days, counted=r.counted, provisional=r.provisional,
                   unconfirmed_years=list(r.unconfirmed_years), explanation_zh=r.explanation_zh,
                   explanation_en=r.explanation_en, case=review_out(rt, session, r.case))


@router.post("/{case_ref}/pauses", status_code=201, response_model=PauseResultOut,
             summary="Supplementary material asked for (Art. 15): the running clock stops")
def start_pause(case_ref: str, body: PauseBody, rt: RuntimeDep, session: SessionDep,
                principal: WriterDep) -> PauseResultOut:
    result = cases.start_pause(session, principal, rt.review_rules, case_ref, calendar=rt.work_calendar(session),
                               started_on=body.started_on, reason=body.reason, ended_on=body.ended_on,
                               expected_version=body.version, now=rt.clock.now())
    return PauseResultOut.of(rt, session, result)


@router.post("/{case_ref}/pauses/end", response_model=PauseResultOut,
             summary="The material was supplied: the clock runs again, its due date moved")
def end_pause(case_ref: str, body: PauseEndBody, rt: RuntimeDep, session: SessionDep,
              principal: WriterDep) -> PauseResultOut:
    result = cases.end_pause(session, principal, rt.review_rules, case_ref, calendar=rt.work_calendar(session),
                             ended_on=body.ended_on, expected_version=body.version, now=rt.clock.now())
    return PauseResultOut.of(rt, session, result)


# --------------------------------------------------------------------------- assessment (Art. 10)


class FactorOut(BaseModel):
    id: str
    article: str
    title_zh: str
    title_en: str
    status: str
    rating: str
    evidence: str
    notes: str
    assessed_at: dt.datetime | None
    assessed_by: uuid.UUID | None

    @classmethod
    def of(cls, v: assessment.FactorView) -> FactorOut:
        a: FactorAssessment | None = v.assessment
        return cls(id=v.factor.id, article=v.factor.article, title_zh=v.factor.title_zh, title_en=v.factor.title_en,
                   status=v.factor.status, rating=a.rating.value if a else "unrated",
                   evidence=a.evidence if a else "", notes=a.notes if a else "",
                   assessed_at=a.assessed_at if a else None, assessed_by=a.assessed_by if a else None)


class FactorBody(Strict):
    rating: str = Field(description="unrated, none, low, medium or high")
    evidence: str = Field(default="", max_length=assessment.MAX_TEXT)
    notes: str = Field(default="", max_length=assessment.MAX_TEXT)
    version: int | None = None


def _factor(session: Session, rt: Runtime, principal: Principal, case_ref: str, factor_id: str) -> FactorOut:
    views = assessment.factor_views(session, principal, rt.review_rules, case_ref)
    found = next((v for v in views if v.factor.id == factor_id), None)
    if found is None:
        raise NotFound(f"factor {factor_id} is not weighed in review case {case_ref}; it weighs "
                       f"{', '.join(v.factor.id for v in views)}")
    return FactorOut.of(found)


@router.get("/{case_ref}/factors", response_model=list[FactorOut], summary="The Art. 10 factors and their ratings")
def list_factors(case_ref: str, rt: RuntimeDep, session: SessionDep, principal: ReaderDep) -> list[FactorOut]:
    return [FactorOut.of(v) for v in assessment.factor_views(session, principal, rt.review_rules, case_ref)]


@router.get("/{case_ref}/factors/{factor_id}", response_model=FactorOut, summary="One factor's assessment")
def get_factor(case_ref: str, factor_id: str, rt: RuntimeDep, session: SessionDep,
               principal: ReaderDep) -> FactorOut:
    return _factor(session, rt, principal, case_ref, factor_id)


@router.put("/{case_ref}/factors/{factor_id}", response_model=FactorOut,
            summary="Rate one factor (a rating other than unrated needs evidence)")
def assess_factor(case_ref: str, factor_id: str, body: FactorBody, rt: RuntimeDep, session: SessionDep,
                  principal: WriterDep) -> FactorOut:
    assessment.assess_factor(session, principal, rt.review_rules, case_ref, factor_id, rating=body.rating,
                             evidence=body.evidence, notes=body.notes, expected_version=body.version,
                             now=rt.clock.now())
    return _factor(session, rt, principal, case_ref, factor_id)


@router.get("/{case_ref}/impact-report", response_model=None,
            summary="The national-security impact analysis report (Art. 8(2)): a bilingual document model (json), "
                    "or the document itself as HTML or PDF in one language",
            responses={200: {"content": {"application/json": {}, "text/html": {}, "application/pdf": {}}}})
def impact_report(case_ref: str, rt: RuntimeDep, session: SessionDep, principal: ReaderDep,
                  format: Annotated[Literal["json", "html", "pdf"], Query()] = "json",
                  lang: Annotated[Literal["zh", "en"], Query(description="language of html and pdf")] = "zh",
                  ) -> dict[str, Any] | RawResponse:
    report = assessment.impact_report(session, principal, rt.review_rules, case_ref, now=rt.clock.now())
    if format == "html":
        return RawResponse(impact.impact_report_html(report, lang), media_type="text/html; charset=utf-8",
                           headers=attachment_headers(impact.file_name(report, lang, "html")))
    if format == "pdf":
        return RawResponse(impact.impact_report_pdf(report, lang), media_type="application/pdf",
                           headers=attachment_headers(impact.file_name(report, lang, "pdf")))
    return report.to_dict()


# --------------------------------------------------------------------------- commitments (Art. 6)


class CommitmentOut(BaseModel):
    id: uuid.UUID
    supplier: str
    clause_id: str
    committed: bool
    evidence: str
    committed_on: dt.date | None
    recorded_at: dt.datetime

    @classmethod
    def of(cls, c: SupplierCommitment) -> CommitmentOut:
        return cls(id=c.id, supplier=c.supplier, clause_id=c.clause_id, committed=c.committed, evidence=c.evidence,
                   committed_on=c.committed_on, recorded_at=c.recorded_at)


class ClauseOut(BaseModel):
    id: str
    article: str
    label_zh: str
    label_en: str
    committed: bool | None = Field(description="null: nothing recorded yet")
    commitment: CommitmentOut | None


class ChecklistOut(BaseModel):
    supplier: str
    complete: bool
    missing: list[str]
    clauses: list[ClauseOut]


class CommitmentBody(Strict):
    clause_id: str = Field(max_length=32, examples=["SC-NO-DATA"])
    committed: bool
    supplier: str = Field(default="", max_length=200, description="default: the case's supplier")
    evidence: str = Field(default="", max_length=commitments.MAX_TEXT)
    committed_on: dt.date | None = None
    version: int | None = None


@router.get("/{case_ref}/commitments", response_model=list[ChecklistOut],
            summary="The Art. 6 commitments, one checklist per supplier")
def list_commitments(case_ref: str, rt: RuntimeDep, session: SessionDep, principal: ReaderDep) -> list[ChecklistOut]:
    lists = commitments.commitment_checklist(session, principal, rt.review_rules, case_ref)
    return [ChecklistOut(supplier=c.supplier, complete=c.complete, missing=list(c.missing), clauses=[
        ClauseOut(id=s.clause.id, article=s.clause.article, label_zh=s.clause.label_zh, label_en=s.clause.label_en,
                  committed=s.committed, commitment=CommitmentOut.of(s.commitment) if s.commitment else None)
        for s in c.clauses]) for c in lists]


@router.post("/{case_ref}/commitments", status_code=201, response_model=CommitmentOut,
             summary="Record whether a supplier made one commitment")
def record_commitment(case_ref: str, body: CommitmentBody, rt: RuntimeDep, session: SessionDep,
                      principal: WriterDep) -> CommitmentOut:
    row = commitments.record_commitment(session, principal, rt.review_rules, case_ref, clause_id=body.clause_id,
                                        committed=body.committed, supplier=body.supplier, evidence=body.evidence,
                                        committed_on=body.committed_on, expected_version=body.version,
                                        now=rt.clock.now())
    return CommitmentOut.of(row)


# --------------------------------------------------------------------------- supervision (Art. 19)


class SupervisionOut(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    due_on: dt.date
    provisional: bool = Field(description=PROVISIONAL)
    unconfirmed_years: list[int]
    remaining_working_days: int | None = Field(description="open items: working days after today up to the due date")
    overdue: bool
    done: bool
    done_on: dt.date | None
    outcome: str
    created_at: dt.datetime


def supervision_out(rt: Runtime, session: Session, item: SupervisionItem) -> SupervisionOut:
    remaining: int | None = None
    overdue = False
    if item.done_on is None:
        left = clockmath.countdown(rt.work_calendar(session), _today(rt), item.due_on)
        remaining, overdue = left.remaining_working_days, left.overdue
    return SupervisionOut(id=item.id, title=item.title, description=item.description, due_on=item.due_on,
                          provisional=item.provisional, unconfirmed_years=list(item.unconfirmed_years),
                          remaining_working_days=remaining, overdue=overdue, done=item.done_on is not None,
                          done_on=item.done_on, outcome=item.outcome, created_at=item.created_at)


class SupervisionBody(Strict):
    title: str = Field(max_length=300)
    description: str = Field(default="", max_length=commitments.MAX_TEXT)
    due_on: dt.date | None = Field(default=None, description="a due date, or give working_days")
    working_days: int | None = Field(default=None, description="PRC working days after from_on (default today)")
    from_on: dt.date | None = None
    version: int | None = None


class SupervisionDoneBody(Strict):
    done_on: dt.date
    outcome: str = Field(max_length=commitments.MAX_TEXT)
    version: int | None = None


@router.get("/{case_ref}/supervision", response_model=list[SupervisionOut],
            summary="Art. 19 supervision items, open ones first")
def list_supervision(case_ref: str, rt: RuntimeDep, session: SessionDep,
                     principal: ReaderDep) -> list[SupervisionOut]:
    return [supervision_out(rt, session, i) for i in commitments.supervision_items(session, principal, case_ref)]


@router.post("/{case_ref}/supervision", status_code=201, response_model=SupervisionOut,
             summary="Add something to check by a due date (reminders go out through the outbox)")
def add_supervision(case_ref: str, body: SupervisionBody, rt: RuntimeDep, session: SessionDep,
                    principal: WriterDep) -> SupervisionOut:
    item = commitments.add_supervision_item(session, principal, case_ref, calendar=rt.work_calendar(session),
                                            title=body.title, description=body.description, due_on=body.due_on,
                                            working_days=body.working_days, from_on=body.from_on,
                                            expected_version=body.version, now=rt.clock.now())
    return supervision_out(rt, session, item)


@router.post("/{case_ref}/supervision/{item_id}/complete", response_model=SupervisionOut,
             summary="Record that a supervision item was checked")
def complete_supervision(case_ref: str, item_id: str, body: SupervisionDoneBody, rt: RuntimeDep,
                         session: SessionDep, principal: WriterDep) -> SupervisionOut:
    item = commitments.complete_supervision_item(session, principal, case_ref, item_id, done_on=body.done_on,
                                                 outcome=body.outcome, expected_version=body.version,
                                                 now=rt.clock.now())
    return supervision_out(rt, session, item)
