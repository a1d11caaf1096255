"""The Action Plan monitor's plan pages: the list of plans with the headline status per goal, a dashboard
per plan (one card per goal: status, target, latest actual, growth still needed, a chart per quantitative
indicator and the steps of every figure), a goal's detail with every series, the printable progress
report with its downloads, and uploading a plan file.

The dashboard never loads enterprise rows: its figures come from the plan file and one query over the
plan's observations."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from starlette.convertors import StringConvertor, register_url_convertor
from starlette.responses import Response

from wangan.downloads import attachment_headers
from wangan.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from wangan.indicators import policy, progress, registry
from wangan.reports import plan_report
from wangan.reports.rendering import check_lang
from wangan.web.core import FormDep, UserDep, Web, files
from wangan.web.forms import FormState

router = APIRouter()


class PlanIdConvertor(StringConvertor):
    """A plan id as the plan schema writes it (``CN-MIIT-CSI-2021-2023``): upper case, so that the other
    slices' pages under /indicators (``/indicators/observations`` …) are never taken for a plan."""

    regex = "[A-Z][A-Z0-9-]+"


register_url_convertor("wangan_plan_id", PlanIdConvertor())

BASE = "/indicators"
PLAN = BASE + "/{plan_id:wangan_plan_id}"
UPLOAD = f"{BASE}/plans/upload"
DOWNLOADS = ("html", "pdf", "csv", "json")


def _context(web: Web, built: progress.PlanProgress, *, with_charts: bool = True) -> dict[str, Any]:
    lang = check_lang(web.lang)
    return {**plan_report.report_context(built, lang, with_charts=with_charts), "base": f"{BASE}/{built.plan.id}",
            "may_manage": policy.may_manage(web.principal)}


def _progress(web: Web, plan_id: str) -> progress.PlanProgress:
    return progress.plan_progress(web.db, web.principal, web.rt.plans, plan_id, now=web.now())


@router.get(BASE)
def index(web: UserDep) -> Response:
    entries = registry.list_plans(web.db, web.principal, web.rt.plans)
    lang = check_lang(web.lang)
    plans = [{"entry": e, "p": progress.compute(web.db, e.plan, e.origin, now=web.now())} for e in entries]
    return web.render("indicators/index.html", {
        "plans": plans, "may_manage": policy.may_manage(web.principal),
        "status_label": lambda s: progress.status_label(s, lang), "status_class": plan_report.status_class,
        "zh": lang == "zh",
    })


def _upload_page(web: Web, state: FormState, *, status: int = 200) -> Response:
    return web.render("indicators/plan_upload.html", {"form": state}, status=status)


def _require_manager(web: Web) -> None:
    if not policy.may_manage(web.principal):
        raise Forbidden(web.t("ind.forbidden_upload"))


@router.get(UPLOAD)
def upload_form(web: UserDep) -> Response:
    _require_manager(web)
    return _upload_page(web, FormState())


@router.post(UPLOAD)
def upload(web: UserDep, form: FormDep) -> Response:
    _require_manager(web)
    state = FormState()
    uploads = files(form, "file")
    if not uploads:
        state.add("file", web.t("ind.choose_file"))
        state.message = web.t("form.fix_errors")
        return _upload_page(web, state, status=422)
    item = uploads[0]
    data = item.file.read(registry.MAX_PLAN_BYTES + 1)
    try:
        entry = registry.upload_plan(web.db, web.principal, web.rt.plans, data, item.filename or "plan.yaml",
                                     now=web.now())
    except (Invalid, Conflict, TooLarge) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        status = 409 if isinstance(exc, Conflict) else 413 if isinstance(exc, TooLarge) else 422
        if not state.errors:
            state.add("file", state.message)
        return _upload_page(web, state, status=status)
    web.flash("ind.uploaded")
    return web.redirect(f"{BASE}/{entry.plan.id}")


@router.post(f"{PLAN}/delete")
def delete(plan_id: str, web: UserDep) -> Response:
    try:
        registry.delete_plan(web.db, web.principal, web.rt.plans, plan_id)
    except Conflict as exc:
        web.rollback(exc)
        built = _progress(web, plan_id)
        return web.render("indicators/dashboard.html", {**_context(web, built), "problem": web.dt(exc.detail)},
                          status=409)
    web.flash("ind.deleted")
    return web.redirect(BASE)


@router.get(PLAN)
def dashboard(plan_id: str, web: UserDep) -> Response:
    built = _progress(web, plan_id)
    return web.render("indicators/dashboard.html", _context(web, built))


@router.get(f"{PLAN}/goals/{{goal_id}}")
def goal(plan_id: str, goal_id: str, web: UserDep) -> Response:
    built = _progress(web, plan_id)
    try:
        chosen = built.goal(goal_id)
    except KeyError:
        raise NotFound(f"plan {plan_id} has no goal {goal_id!r}") from None
    return web.render("indicators/goal.html", {**_context(web, built), "g": chosen})


@router.get(f"{PLAN}/report")
def report(plan_id: str, web: UserDep, download: str = "") -> Response:
    """The printable report page; ``download=html|pdf|csv|json`` returns the document or data as a file."""
    built = _progress(web, plan_id)
    lang = check_lang(web.lang)
    if download:
        if download not in DOWNLOADS:
            raise Invalid(f"download={download!r}: use html, pdf, csv or json")
        name = plan_report.file_name(built, lang, download)
        progress.record_export(web.db, web.principal, built, download, lang)
        if download == "html":
            return Response(plan_report.plan_report_html(built, lang), media_type="text/html; charset=utf-8",
                            headers=attachment_headers(name))
        if download == "pdf":
            return Response(plan_report.plan_report_pdf(built, lang), media_type="application/pdf",
                            headers=attachment_headers(name))
        if download == "csv":
            return Response(progress.plan_data_csv(built), media_type="text/csv; charset=utf-8",
                            headers=attachment_headers(name))
        return Response(json.dumps(progress.plan_data_json(built), ensure_ascii=False, indent=2),
                        media_type="application/json", headers=attachment_headers(name))
    return web.render("indicators/report.html", _context(web, built))
