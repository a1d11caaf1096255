"""Observations of the Action Plan monitor: every series of every indicator with its points (the plan
file's reference figures and the ones users recorded), each with source, vintage and whether it is a
forecast; recording one figure; importing a CSV or XLSX file (all or nothing, with a table of every
row and column problem); downloading them as CSV and a sample file to fill in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from wangan.downloads import attachment_headers
from wangan.errors import Conflict, Invalid, NotFound, TooLarge
from wangan.indicators import observations, policy, registry, tabular
from wangan.indicators.plans import PlanFile
from wangan.kernel.calendar import beijing_date
from wangan.web.core import FormDep, UserDep, Web, files, text
from wangan.web.forms import FormState

router = APIRouter()

BASE = "/indicators/observations"
FIELDS = ("plan", "indicator", "series", "year", "value", "unit", "source", "vintage", "is_forecast", "scope",
          "sector", "region", "industry", "size_class", "note")
UNIT_CHOICES = ("亿元", "万元", "元", "十亿元", "百万元", "亿美元", "十亿美元", "百万美元", "%", "家", "人")


def _plans(web: Web) -> list[PlanFile]:
    return [e.plan for e in registry.list_plans(web.db, web.principal, web.rt.plans)]


def _plan(web: Web, plan_key: str) -> PlanFile:
    key = plan_key.strip()
    if not key:
        plans = _plans(web)
        if not plans:
            raise NotFound("no plan is loaded")
        return plans[0]
    return registry.get_plan(web.db, web.principal, web.rt.plans, key).plan


def _choices(web: Web, plan: PlanFile) -> dict[str, Any]:
    zh = web.lang == "zh"
    return {
        "plan": plan, "plans": [(p.id, p.plan.title_zh if zh else p.plan.title_en) for p in _plans(web)],
        "indicators": [(i.id, f"{i.id} · {i.name_zh if zh else i.name_en}") for i in plan.indicators()],
        "series_options": [(s.id, f"{s.id} · {s.name_zh if zh else s.name_en}") for s in plan.series],
        "units": [(u, u) for u in UNIT_CHOICES],
        "sectors": [(s.id, s.name_zh if zh else s.name_en) for s in plan.sectors],
        "industries": [(s.id, s.name_zh if zh else s.name_en) for s in plan.key_industries],
        "can_write": policy.may_write(web.principal),
    }


@router.get(BASE)
def list_page(web: UserDep, plan: str = "", indicator: str = "", series: str = "", forecasts: str = "1") -> Response:
    chosen = _plan(web, plan)
    show_forecasts = forecasts != "0"
    zh = web.lang == "zh"
    groups: list[dict[str, Any]] = []
    for ind in chosen.indicators():
        if indicator and ind.id != indicator:
            continue
        views = [v for v in observations.series_view(web.db, web.principal, web.rt.plans, chosen.id, ind.id)
                 if not series or v.series.id == series]
        shown = []
        for view in views:
            points = [p for p in view.points if show_forecasts or not p.is_forecast]
            shown.append({"view": view, "points": points,
                          "name": view.series.name_zh if zh else view.series.name_en})
        if shown or indicator == ind.id:
            groups.append({"indicator": ind, "name": ind.name_zh if zh else ind.name_en, "series": shown})
    query = urlencode({"plan": chosen.id})
    return web.render("indicators/observations.html", {
        **_choices(web, chosen), "groups": groups,
        "filter": FormState(values={"plan": chosen.id, "indicator": indicator, "series": series,
                                    "forecasts": "1" if show_forecasts else "0"}),
        "export_url": f"{BASE}/export.csv?{query}", "dashboard_url": f"/indicators/{chosen.id}",
    })


# --- one observation ---


def _new_page(web: Web, plan: PlanFile, state: FormState, status: int = 200) -> Response:
    return web.render("indicators/observations_new.html", {**_choices(web, plan), "form": state}, status=status)


@router.get(f"{BASE}/new")
def new_form(web: UserDep, plan: str = "", indicator: str = "", series: str = "") -> Response:
    chosen = _plan(web, plan)
    policy.require_write(web.principal, observations.WHAT)
    return _new_page(web, chosen, FormState(values={"plan": chosen.id, "indicator": indicator[:64],
                                                    "series": series[:64], "unit": "亿元",
                                                    "vintage": beijing_date(web.now()).isoformat()}))


@router.post(f"{BASE}/new")
def create(web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in FIELDS})
    chosen = _plan(web, state.get("plan"))
    try:
        row = observations.add_observation(web.db, web.principal, web.rt.plans, observations.ObservationIn(
            plan_key=chosen.id, indicator_id=state.get("indicator"), series_id=state.get("series"),
            year=state.get("year"), value=state.get("value"), unit=state.get("unit"), source=state.get("source"),
            vintage=state.get("vintage"), is_forecast=bool(state.get("is_forecast")), scope=state.get("scope"),
            sector=state.get("sector"), region=state.get("region"), industry=state.get("industry"),
            size_class=state.get("size_class"), note=state.get("note")), now=web.now())
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _new_page(web, chosen, state, status=exc.status)
    web.flash("obs.added", year=row.year, series=row.series_id)
    return web.redirect(f"{BASE}?{urlencode({'plan': chosen.id, 'indicator': row.indicator_id})}")


@router.post(f"{BASE}/{{observation_id}}/delete")
def delete(observation_id: str, web: UserDep) -> Response:
    row = observations.get_observation(web.db, web.principal, observation_id)
    back = f"{BASE}?{urlencode({'plan': row.plan_key, 'indicator': row.indicator_id})}"
    observations.delete_observation(web.db, web.principal, observation_id)
    web.flash("obs.deleted")
    return web.redirect(back)


# --- import ---


def _import_page(web: Web, plan: PlanFile, state: FormState, problems: list[tabular.CellProblem] | None = None,
                 status: int = 200) -> Response:
    return web.render("indicators/observations_import.html", {
        **_choices(web, plan), "form": state, "problems": problems or [],
        "columns": observations.COLUMNS, "aliases": observations.ALIASES,
    }, status=status)


@router.get(f"{BASE}/import")
def import_form(web: UserDep, plan: str = "") -> Response:
    chosen = _plan(web, plan)
    policy.require_write(web.principal, observations.WHAT)
    return _import_page(web, chosen, FormState(values={"plan": chosen.id}))


@router.post(f"{BASE}/import")
def import_file(web: UserDep, form: FormDep) -> Response:
    state = FormState(values={"plan": text(form, "plan")})
    chosen = _plan(web, state.get("plan"))
    uploads = files(form, "file")
    if not uploads:
        state.add("file", web.t("obs.choose_file"))
        state.message = web.t("form.fix_errors")
        return _import_page(web, chosen, state, status=422)
    upload = uploads[0]
    data = upload.file.read(tabular.DEFAULT_MAX_BYTES + 1)
    try:
        result = observations.import_observations(web.db, web.principal, web.rt.plans, chosen.id, data,
                                                  upload.filename or "upload.csv", now=web.now())
    except tabular.TableError as exc:
        web.rollback(exc)
        state.message = web.dt(exc.detail)
        return _import_page(web, chosen, state, exc.cell_problems, status=exc.status)
    except (Invalid, Conflict, TooLarge) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _import_page(web, chosen, state, status=exc.status)
    web.flash("obs.imported", n=result.created)
    for warning in result.warnings:
        web.flash("obs.warning", kind="warn", text=warning)
    return web.redirect(f"/indicators/{chosen.id}")


# --- downloads ---


@router.get(f"{BASE}/template.csv")
def template(web: UserDep) -> Response:
    policy.require_read(web.principal)
    return Response(observations.template_csv().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers=attachment_headers("observations-template.csv"))


@router.get(f"{BASE}/export.csv")
def export(web: UserDep, plan: str = "") -> Response:
    chosen = _plan(web, plan)
    body = observations.export_observations_csv(web.db, web.principal, web.rt.plans, chosen.id)
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers=attachment_headers(f"observations-{chosen.id}.csv"))
