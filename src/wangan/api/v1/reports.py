"""``/api/v1/reports``: the Art. 5 intake channel and the receipt log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response as RawResponse
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from wangan.api.deps import ReaderDep, RuntimeDep, SessionDep, WriterDep, principal_from_header
from wangan.api.v1.intake_writer import IntakeWriter
from wangan.api.v1.schemas import Page, ReportCreate, ReportOut, ReportReceipt, receipt_fields
from wangan.downloads import attachment_headers
from wangan.errors import FieldProblem, Invalid, TooLarge
from wangan.kernel.models import Organisation
from wangan.runtime import Runtime
from wangan.vulns import cases, intake
from wangan.vulns.models import IntakeChannel

router = APIRouter(prefix="/reports", tags=["reports"])


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _read_body(request: Request) -> intake.ReportIn:
    """Accept JSON, or multipart/form-data when files are attached."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            data = ReportCreate.model_validate_json(await request.body())
        except ValidationError as exc:
            problems = [FieldProblem(".".join(str(p) for p in e["loc"]) or "body", e["msg"])
                        for e in exc.errors()]
            raise Invalid("the report is not valid", problems=problems) from exc
        return intake.ReportIn(title=data.title, content=data.content, reporter_contact=data.reporter_contact,
                               reporter_name=data.reporter_name, product_hint=data.product_hint,
                               organisation=data.organisation)
    if ctype == "multipart/form-data":
        limits = request.app.state.runtime.intake_limits
        try:
            # Text parts may hold the whole description (up to 4 bytes a character in UTF-8).
            async with request.form(max_files=limits.max_attachments + 1,
                                    max_part_size=limits.max_text_bytes * 4 + 1024) as form:
                return await _report_from_form(form)
        except StarletteHTTPException as exc:
            detail = str(exc.detail)
            if "maximum" in detail.lower() or "too many" in detail.lower():
                raise TooLarge(f"the form is too large: {detail}") from exc
            raise Invalid(f"the multipart body could not be read: {detail}") from exc
    raise Invalid(f"send application/json or multipart/form-data, not {ctype or 'no content type'}")


async def _report_from_form(form: FormData) -> intake.ReportIn:
    files = []
    for upload in form.getlist("attachments"):
        if isinstance(upload, str):
            raise Invalid("'attachments' must be files")
        files.append(intake.AttachmentIn(filename=upload.filename or "attachment",
                                         content_type=upload.content_type or "application/octet-stream",
                                         data=await upload.read()))

    def text(name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    return intake.ReportIn(title=text("title"), content=text("content"),
                           reporter_contact=text("reporter_contact"), reporter_name=text("reporter_name"),
                           product_hint=text("product_hint"), organisation=text("organisation") or None,
                           attachments=files)


@router.post("", status_code=201, response_model=ReportReceipt,
             summary="Submit a vulnerability report (no account needed)")
async def submit(request: Request, response: Response,
                 idempotency_key: Annotated[str | None, Header(max_length=128)] = None) -> ReportReceipt:
    rt: Runtime = request.app.state.runtime
    request.app.state.intake_limiter.hit(client_ip(request))
    reporter = None
    if request.headers.get("authorization"):
        reporter = (await run_in_threadpool(principal_from_header, rt, request.headers["authorization"])).user_id
    report = await _read_body(request)
    report.idempotency_key = idempotency_key
    writer: IntakeWriter = request.app.state.intake_writer
    stored = await writer.submit(intake.Submission(report, IntakeChannel.API, reporter, client_ip(request)))
    if not stored.created:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/reports/{stored.record.id}"
    return ReportReceipt(**receipt_fields(stored.record, stored.org_slug))


def _slugs(session: SessionDep) -> dict[uuid.UUID, str]:
    return {oid: slug for oid, slug in session.execute(select(Organisation.id, Organisation.slug))}


@router.get("", response_model=Page[ReportOut], summary="The intake log visible to you")
def list_reports(session: SessionDep, principal: ReaderDep,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50,
                 offset: Annotated[int, Query(ge=0)] = 0,
                 untriaged: bool = False) -> Page[ReportOut]:
    rows, total = intake.list_reports(session, principal, limit=limit, offset=offset, untriaged_only=untriaged)
    slugs = _slugs(session)
    items = [ReportOut.of(r, slugs[r.org_id], cases.case_for_report(session, r.id)) for r in rows]
    return Page[ReportOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/{report_id}", response_model=ReportOut)
def get_report(report_id: uuid.UUID, session: SessionDep, principal: ReaderDep) -> ReportOut:
    record = intake.get_report(session, principal, report_id)
    return ReportOut.of(record, _slugs(session)[record.org_id], cases.case_for_report(session, record.id))


@router.get("/{report_id}/attachments/{attachment_id}", response_class=RawResponse)
def get_attachment(report_id: uuid.UUID, attachment_id: uuid.UUID, session: SessionDep,
                   principal: ReaderDep) -> RawResponse:
    att = intake.get_attachment(session, principal, report_id, attachment_id)
    return RawResponse(att.data, media_type="application/octet-stream", headers=attachment_headers(att.filename))


@router.delete("/{report_id}", status_code=204, summary="Delete a receipt after its retention period")
def delete_report(report_id: uuid.UUID, rt: RuntimeDep, session: SessionDep, principal: WriterDep) -> Response:
    intake.delete_report(session, principal, report_id, now=rt.clock.now())
    return Response(status_code=204)
