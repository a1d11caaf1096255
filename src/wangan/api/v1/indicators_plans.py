"""``/api/v1/plans``: the plans the Action Plan monitor knows (shipped and uploaded), their goals with
targets, the computed status and the method, plan upload and removal, and the progress report.

Who may do what (``wangan.indicators.policy``): members of any organisation (viewer and up) and
administrators read; managers and administrators upload and remove plans. A shipped plan cannot be
removed (409). An upload that is not a valid plan file is a 422 whose detail reads ``file:line: problem``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile
from fastapi.responses import Response as RawResponse

from wangan.api.deps import ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.downloads import attachment_headers
from wangan.indicators import progress, registry
from wangan.reports import plan_report
from wangan.reports.rendering import check_lang

router = APIRouter(prefix="/plans", tags=["plans"])

ReportFormat = Literal["html", "pdf", "csv", "json"]
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "csv": "text/csv; charset=utf-8",
         "json": "application/json"}


def _entry_dict(entry: registry.PlanEntry) -> dict[str, Any]:
    d = progress.plan_summary(entry.plan, entry.origin)
    if entry.uploaded is not None:
        d["uploaded_at"] = entry.uploaded.uploaded_at.isoformat()
        d["filename"] = entry.uploaded.filename
    return d


@router.get("", summary="The plans: id, titles, period, draft/final, shipped/uploaded, counts")
def list_plans(rt: RuntimeDep, session: SessionDep, principal: ReaderDep) -> dict[str, Any]:
    entries = registry.list_plans(session, principal, rt.plans)
    return {"items": [_entry_dict(e) for e in entries], "total": len(entries)}


@router.post("", status_code=201, summary="Upload a plan file (YAML, the schema of rules/plans)")
def upload_plan(file: Annotated[UploadFile, File(description="the plan file (YAML)")], rt: RuntimeDep,
                session: SessionDep, principal: WriterDep) -> dict[str, Any]:
    data = file.file.read(registry.MAX_PLAN_BYTES + 1)
    entry = registry.upload_plan(session, principal, rt.plans, data, file.filename or "plan.yaml",
                                 now=rt.clock.now())
    return _entry_dict(entry)


@router.get("/{plan_id}", summary="A plan's goals with targets, the computed status per goal and the method")
def get_plan(plan_id: str, rt: RuntimeDep, session: SessionDep, principal: ReaderDep,
             as_of_year: Annotated[int | None, Query(ge=1949, le=2100, description="ignore later years")] = None,
             ) -> dict[str, Any]:
    built = progress.plan_progress(session, principal, rt.plans, plan_id, as_of_year=as_of_year,
                                   now=rt.clock.now())
    return progress.progress_dict(built)


@router.delete("/{plan_id}", status_code=204, summary="Remove an uploaded plan (shipped plans: 409)")
def delete_plan(plan_id: str, rt: RuntimeDep, session: SessionDep, principal: WriterDep) -> Response:
    registry.delete_plan(session, principal, rt.plans, plan_id)
    return Response(status_code=204)


@router.get("/{plan_id}/report", response_class=RawResponse,
            summary="The progress report: html or pdf (zh or en), or the data as csv or json")
def report(plan_id: str, rt: RuntimeDep, session: SessionDep, principal: ReaderDep,
           format: Annotated[ReportFormat, Query(description="html, pdf, csv or json")] = "html",
           lang: Annotated[Literal["zh", "en"], Query(description="zh or en")] = "zh",
           as_of_year: Annotated[int | None, Query(ge=1949, le=2100)] = None) -> RawResponse:
    built = progress.plan_progress(session, principal, rt.plans, plan_id, as_of_year=as_of_year,
                                   now=rt.clock.now())
    doc_lang = check_lang(lang)
    content: bytes
    if format == "pdf":
        content = plan_report.plan_report_pdf(built, doc_lang)
    elif format == "html":
        content = plan_report.plan_report_html(built, doc_lang).encode("utf-8")
    elif format == "csv":
        content = progress.plan_data_csv(built).encode("utf-8")
    else:
        content = json.dumps(progress.plan_data_json(built), ensure_ascii=False, indent=2).encode("utf-8")
    progress.record_export(session, principal, built, format, doc_lang)
    name = plan_report.file_name(built, doc_lang, format)
    return RawResponse(content, media_type=MEDIA[format], headers=attachment_headers(name))
