"""The public report form (Art. 5 intake channel) and the receipt log behind it."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from wangan.downloads import attachment_headers
from wangan.errors import Conflict, DomainError, Invalid, NotFound, RateLimited, TooLarge
from wangan.vulns import cases, intake
from wangan.vulns.models import IntakeChannel, IntakeRecord
from wangan.web.core import FormDep, UserDep, Web, WebDep, client_ip, files, text
from wangan.web.forms import FormState
from wangan.web.paging import Pager

router = APIRouter()

REPORT_FIELDS = ("title", "content", "reporter_contact", "reporter_name", "product_hint", "organisation")
PAGE_SIZE = 50


def _report_form(web: Web, state: FormState, *, status: int = 200, had_files: bool = False) -> Response:
    orgs = intake.receiving_orgs(web.db)
    limits = web.rt.intake_limits
    return web.render("intake/report_form.html", {
        "form": state, "orgs": orgs, "limits": limits, "allowed_types": sorted(limits.allowed_types),
        "had_files": had_files,
    }, status=status)


def _new_key() -> str:
    return secrets.token_urlsafe(24)


@router.get("/report")
def report_form(web: WebDep) -> Response:
    return _report_form(web, FormState(values={"idempotency_key": _new_key()}))


@router.post("/report")
def submit_report(web: WebDep, form: FormDep) -> Response:
    values = {name: text(form, name) for name in REPORT_FIELDS}
    values["idempotency_key"] = text(form, "idempotency_key")[:128] or _new_key()
    uploads = files(form, "attachments")
    state = FormState(values=values)
    if getattr(web.request.state, "csrf_failed", False):
        state.message = web.t("report.expired")
        return _report_form(web, state, status=403, had_files=bool(uploads))
    try:
        web.request.app.state.intake_limiter.hit(client_ip(web.request))
        attachments = [intake.AttachmentIn(filename=u.filename or "attachment",
                                           content_type=u.content_type or "application/octet-stream",
                                           data=u.file.read()) for u in uploads]
        report = intake.ReportIn(
            title=values["title"], content=values["content"], reporter_contact=values["reporter_contact"],
            reporter_name=values["reporter_name"], product_hint=values["product_hint"],
            organisation=values["organisation"] or None, attachments=attachments,
            idempotency_key=values["idempotency_key"])
        record, created = intake.submit_report(
            web.db, web.rt.vuln_rules, report, channel=IntakeChannel.WEB, limits=web.rt.intake_limits,
            reporter_user_id=web.user.id if web.user else None, source_ip=client_ip(web.request),
            now=web.now(), collection_platform=web.rt.settings.collection_platform)
    except DomainError as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        _place_report_error(web, state, exc, uploads_sent=bool(uploads))
        if isinstance(exc, Conflict):
            state.values["idempotency_key"] = _new_key()
        return _report_form(web, state, status=exc.status, had_files=bool(uploads))
    return web.render("intake/receipt.html", {"record": record, "created": created})


def _place_report_error(web: Web, state: FormState, exc: DomainError, *, uploads_sent: bool) -> None:
    """Put an error without field problems next to the field it is about."""
    if exc.problems:
        return
    limits = web.rt.intake_limits
    if isinstance(exc, TooLarge):
        too_long = len(state.get("content").encode("utf-8")) > limits.max_text_bytes
        state.add("content" if too_long else "attachments", exc.detail)
    elif isinstance(exc, Invalid) and uploads_sent and exc.detail.startswith("attachment"):
        state.add("attachments", exc.detail)
    elif isinstance(exc, Invalid) and "organisation" in exc.detail:
        state.add("organisation", exc.detail)
    elif isinstance(exc, RateLimited):
        state.message = web.t("report.rate_limited", seconds=exc.extra.get("retry_after", 60))


# --- the receipt log, for the receiving organisation ---

def _report_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound(f"no report {raw}") from None


@router.get("/reports")
def list_reports(web: UserDep, page: str = "1", untriaged: str = "") -> Response:
    pager = Pager.of(page, PAGE_SIZE)
    rows, total = intake.list_reports(web.db, web.principal, limit=pager.size, offset=pager.offset,
                                      untriaged_only=bool(untriaged))
    items = [(r, cases.case_for_report(web.db, r.id)) for r in rows]
    return web.render("intake/reports.html", {
        "items": items, "pager": pager.with_total(total), "untriaged": bool(untriaged)})


def _report_page(web: Web, record: IntakeRecord, *, status: int = 200,
                 forms: dict[str, FormState] | None = None) -> Response:
    forms = forms or {}
    context: dict[str, Any] = {
        "record": record, "case": cases.case_for_report(web.db, record.id),
        "may_write": web.principal.may_write_in(record.org_id),
        "case_form": forms.get("case", FormState(values={"title": record.title})),
        "delete_form": forms.get("delete", FormState()),
    }
    return web.render("intake/report.html", context, status=status)


@router.get("/reports/{report_id}")
def show_report(report_id: str, web: UserDep) -> Response:
    record = intake.get_report(web.db, web.principal, _report_id(report_id))
    return _report_page(web, record)


@router.get("/reports/{report_id}/attachments/{attachment_id}")
def download_attachment(report_id: str, attachment_id: str, web: UserDep) -> Response:
    att = intake.get_attachment(web.db, web.principal, _report_id(report_id), _report_id(attachment_id))
    return Response(att.data, media_type="application/octet-stream", headers=attachment_headers(att.filename))


@router.post("/reports/{report_id}/case")
def open_case(report_id: str, web: UserDep, form: FormDep) -> Response:
    rid = _report_id(report_id)
    title = text(form, "title")
    try:
        case = cases.create_case(web.db, web.principal, web.rt.vuln_rules,
                                 cases.CaseIn(title=title, report_id=rid), now=web.now())
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state = FormState(values={"title": title})
        state.absorb(exc, web.dt)
        record = intake.get_report(web.db, web.principal, rid)
        return _report_page(web, record, status=exc.status, forms={"case": state})
    web.flash("case.created", number=case.number)
    return web.redirect(f"/cases/{case.number}")


@router.post("/reports/{report_id}/delete")
def delete_report(report_id: str, web: UserDep) -> Response:
    rid = _report_id(report_id)
    try:
        intake.delete_report(web.db, web.principal, rid, now=web.now())
    except Conflict as exc:  # RetentionLocked: still inside the Art. 5 retention period
        web.rollback(exc)
        state = FormState()
        state.absorb(exc, web.dt)
        record = intake.get_report(web.db, web.principal, rid)
        return _report_page(web, record, status=exc.status, forms={"delete": state})
    web.flash("report.deleted")
    return web.redirect("/reports")
