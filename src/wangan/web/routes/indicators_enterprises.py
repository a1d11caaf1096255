"""The enterprise register (goal G5) and investment per key industry (goal G6) of a plan: the register with
filters and paging, SME counts and growth by sector and region with a chart, adding, editing and
importing enterprises (all or nothing, with a table of every row and column problem); investment per
industry and year with the security share against the 10 % target, a bar chart against that line, the
status per industry, and adding or importing figures. Sample files to fill in are downloadable."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter
from starlette.responses import Response

from wangan.downloads import attachment_headers
from wangan.errors import Conflict, FieldProblem, Invalid, NotFound, TooLarge
from wangan.indicators import enterprises, investment, policy, registry, tabular
from wangan.indicators.computations import STATUS_LABELS, percent
from wangan.indicators.plans import PlanFile
from wangan.indicators.units import CNY, UnitError, convert, parse_unit
from wangan.kernel.numbers import whole_number
from wangan.reports import charts
from wangan.web.core import FormDep, UserDep, Web, files, text
from wangan.web.forms import FormState
from wangan.web.paging import Pager

router = APIRouter()

PAGE_SIZE = 50
SHOWN_YEARS = 5
MONEY_UNITS = ("万元", "元", "亿元")
ENT_FIELDS = ("credit_code", "name", "size_industry", "sectors", "region", "year", "revenue", "security_revenue",
              "headcount", "unit")
INV_FIELDS = ("industry", "year", "it_investment", "security_investment", "unit", "source", "vintage",
              "is_forecast", "note")


def _plan(web: Web, plan_id: str) -> PlanFile:
    return registry.get_plan(web.db, web.principal, web.rt.plans, plan_id).plan


def _name(web: Web, zh: str, en: str) -> str:
    return zh if web.lang == "zh" else en


def _yi(value: Decimal | None) -> str:
    """Yuan shown in 万元, the unit of the forms."""
    if value is None:
        return "—"
    return f"{(value / Decimal(10000)).quantize(Decimal('0.01')):,}"


def _growth(value: Decimal | None) -> str:
    return "—" if value is None else ("+" if value > 0 else "") + percent(value)


def _base(plan: PlanFile) -> str:
    return f"/indicators/{quote(plan.id)}"


def _ent_choices(web: Web, plan: PlanFile) -> dict[str, Any]:
    return {
        "plan": plan, "base": _base(plan), "dashboard_url": _base(plan),
        "sectors": [(s.id, _name(web, s.name_zh, s.name_en)) for s in plan.sectors],
        "industries": [(i.id, _name(web, i.name_zh, i.name_en)) for i in web.rt.size_classes.industries],
        "units": [(u, u) for u in MONEY_UNITS],
        "can_write": policy.may_write(web.principal),
    }


# --- downloads ---


@router.get("/indicators/enterprises/template.csv")
def enterprises_template(web: UserDep) -> Response:
    policy.require_read(web.principal)
    return Response(enterprises.template_csv().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers=attachment_headers("enterprises-template.csv"))


@router.get("/indicators/investment/template.csv")
def investment_template(web: UserDep) -> Response:
    policy.require_read(web.principal)
    return Response(investment.template_csv().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers=attachment_headers("investment-template.csv"))


# --- the register ---


def _sme_rows(web: Web, table: enterprises.SmeTable, names: dict[str, str], years: tuple[int, ...]
              ) -> list[dict[str, Any]]:
    rows = []
    for g in [*table.groups, table.total]:
        rows.append({"key": g.key, "name": web.t("ent.total") if g.key == "total" else names.get(g.key, g.key),
                     "total": g.key == "total",
                     "cells": [(g.counts.get(y, 0), _growth(g.growth.get(y))) for y in years]})
    return rows


@router.get("/indicators/{plan_id}/enterprises")
def register_page(plan_id: str, web: UserDep, sector: str = "", region: str = "", sme: str = "", q: str = "",
                  page: str = "1") -> Response:
    plan = _plan(web, plan_id)
    pager = Pager.of(page, PAGE_SIZE)
    items, total = enterprises.list_enterprises(web.db, web.principal, sector=sector[:64] or None,
                                                region=region[:64] or None, sme_only=sme == "1", q=q[:100] or None,
                                                limit=PAGE_SIZE, offset=pager.offset)
    pager = pager.with_total(total)
    order = [s.id for s in plan.sectors]
    by_sector = enterprises.sme_counts(web.db, web.principal, by="sector", sectors_order=order)
    by_region = enterprises.sme_counts(web.db, web.principal, by="region")
    years = by_sector.years[-SHOWN_YEARS:]
    sector_names = {s.id: _name(web, s.name_zh, s.name_en) for s in plan.sectors}
    chart = charts.line_chart(
        [charts.ChartSeries(g.key, sector_names.get(g.key, g.key),
                            tuple(charts.ChartPoint(y, Decimal(g.counts.get(y, 0))) for y in years))
         for g in by_sector.groups],
        text=charts.ChartText(title=web.t("ent.chart_title"), unit=web.t("ent.unit_count"),
                              forecast_label=web.t("ent.forecast"), projection_label=web.t("ent.projection"),
                              no_data=web.t("ent.no_data"), description=web.t("ent.chart_desc")),
        id_prefix="sme-sectors")
    size_labels = {"large": web.t("ent.size.large"), "medium": web.t("ent.size.medium"),
                   "small": web.t("ent.size.small"), "micro": web.t("ent.size.micro")}
    rows = [{"e": e, "latest": e.latest, "size": size_labels.get(e.latest.size_class, e.latest.size_class)
             if e.latest else "—", "sectors": "、".join(sector_names.get(s, s) for s in e.sectors) or "—",
             "revenue": _yi(e.latest.revenue_cny if e.latest else None),
             "security": _yi(e.latest.security_revenue_cny if e.latest else None)} for e in items]
    query = urlencode({k: v for k, v in (("sector", sector), ("region", region), ("sme", sme), ("q", q)) if v})
    return web.render("indicators/enterprises.html", {
        **_ent_choices(web, plan), "rows": rows, "total": total, "pager": pager,
        "pager_base": f"{_base(plan)}/enterprises?{query + '&' if query else ''}",
        "filter": FormState(values={"sector": sector, "region": region, "sme": sme, "q": q}),
        "years": years, "sector_rows": _sme_rows(web, by_sector, sector_names, years),
        "region_rows": _sme_rows(web, by_region, {"—": web.t("ent.no_region")}, years), "chart": chart,
    })


# --- add and edit ---


def _form_page(web: Web, plan: PlanFile, state: FormState, status: int = 200, editing: bool = False) -> Response:
    return web.render("indicators/enterprises_form.html", {**_ent_choices(web, plan), "form": state,
                                                           "editing": editing}, status=status)


@router.get("/indicators/{plan_id}/enterprises/new")
def new_form(plan_id: str, web: UserDep, code: str = "") -> Response:
    plan = _plan(web, plan_id)
    policy.require_write(web.principal, "the enterprise register")
    values = {"unit": enterprises.DEFAULT_UNIT}
    if code:
        view = enterprises.get_enterprise(web.db, web.principal, code)
        values.update({"credit_code": view.credit_code, "name": view.name, "size_industry": view.size_industry,
                       "sectors": ";".join(view.sectors), "region": view.region})
        if view.latest is not None:
            y = view.latest
            values.update({"year": str(y.year), "headcount": "" if y.headcount is None else str(y.headcount),
                           "revenue": "" if y.revenue_cny is None else _plain(y.revenue_cny / 10000),
                           "security_revenue": "" if y.security_revenue_cny is None
                           else _plain(y.security_revenue_cny / 10000)})
    return _form_page(web, plan, FormState(values=values), editing=bool(code))


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _amount(state: FormState, name: str, factor: Decimal | None, label: str) -> Decimal | None:
    raw = state.get(name).replace(",", "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        state.add(name, label)
        return None
    return value * factor if factor is not None else None


@router.post("/indicators/{plan_id}/enterprises/new")
def save(plan_id: str, web: UserDep, form: FormDep) -> Response:
    plan = _plan(web, plan_id)
    state = FormState(values={n: text(form, n) for n in ENT_FIELDS})
    state.values["sectors"] = ";".join(v for v in form.getlist("sectors") if isinstance(v, str)) \
        if len(form.getlist("sectors")) > 1 else state.get("sectors")
    editing = text(form, "editing") == "1"
    factor: Decimal | None = None
    try:
        unit = parse_unit(state.get("unit") or enterprises.DEFAULT_UNIT)
        if unit.dimension != "money_cny":
            raise UnitError("not CNY", code="not-cny")
        factor = convert(Decimal(1), unit, CNY)
    except UnitError:
        state.add("unit", web.t("ent.bad_unit"))
    years: list[enterprises.YearFigures] = []
    revenue = _amount(state, "revenue", factor, web.t("ent.bad_amount"))
    security = _amount(state, "security_revenue", factor, web.t("ent.bad_amount"))
    headcount: int | None = None
    if state.get("headcount"):
        headcount = whole_number(state.get("headcount"))
        if headcount is None:
            state.add("headcount", web.t("ent.bad_headcount"))
    if state.get("year"):
        year = whole_number(state.get("year"), max_digits=4)
        if year is not None:
            years.append(enterprises.YearFigures(year, revenue, security, headcount))
        else:
            state.add("year", web.t("ent.bad_year"))
    if state.errors:
        state.message = web.t("form.fix_errors")
        return _form_page(web, plan, state, status=422, editing=editing)
    try:
        view = enterprises.save_enterprise(
            web.db, web.principal, web.rt.size_classes, web.rt.plans, credit_code=state.get("credit_code"),
            name=state.get("name"), size_industry=state.get("size_industry"),
            sectors=enterprises.split_sectors(state.get("sectors")), region=state.get("region"), years=years,
            now=web.now())
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        for problem in exc.problems:
            if problem.field.startswith("years[0]"):
                state.add("year", web.dt(problem.message))
        return _form_page(web, plan, state, status=exc.status, editing=editing)
    web.flash("ent.saved", code=view.credit_code)
    return web.redirect(f"{_base(plan)}/enterprises?{urlencode({'q': view.credit_code})}")


@router.post("/indicators/{plan_id}/enterprises/{code}/delete")
def delete(plan_id: str, code: str, web: UserDep) -> Response:
    plan = _plan(web, plan_id)
    enterprises.delete_enterprise(web.db, web.principal, code)
    web.flash("ent.deleted", code=code)
    return web.redirect(f"{_base(plan)}/enterprises")


# --- import ---


def _import_page(web: Web, plan: PlanFile, template: str, state: FormState,
                 problems: list[tabular.CellProblem] | None = None, status: int = 200) -> Response:
    kind = "ent" if template == "enterprises" else "inv"
    columns = enterprises.COLUMNS if kind == "ent" else investment.COLUMNS
    aliases = enterprises.ALIASES if kind == "ent" else investment.ALIASES
    return web.render("indicators/enterprises_import.html", {
        **_ent_choices(web, plan), "form": state, "problems": problems or [], "kind": kind, "columns": columns,
        "aliases": sorted(aliases.items(), key=lambda kv: columns.index(kv[1])),
        "action": f"{_base(plan)}/{'enterprises' if kind == 'ent' else 'investment'}/import",
        "template_url": f"/indicators/{'enterprises' if kind == 'ent' else 'investment'}/template.csv",
        "back_url": f"{_base(plan)}/{'enterprises' if kind == 'ent' else 'investment'}",
    }, status=status)


def _do_import(web: Web, plan: PlanFile, template: str, form: Any) -> Response:
    state = FormState()
    uploads = files(form, "file")
    if not uploads:
        state.add("file", web.t("ent.choose_file"))
        state.message = web.t("form.fix_errors")
        return _import_page(web, plan, template, state, status=422)
    upload = uploads[0]
    data = upload.file.read(enterprises.MAX_BYTES + 1)
    try:
        if len(data) > enterprises.MAX_BYTES:
            raise TooLarge("the file is too large", problems=[FieldProblem("file", "too large")])
        if template == "enterprises":
            result = enterprises.import_enterprises(web.db, web.principal, web.rt.size_classes, shipped=web.rt.plans,
                                                    data=data, filename=upload.filename or "upload.csv",
                                                    now=web.now())
        else:
            result = investment.import_investments(web.db, web.principal, web.rt.plans, plan.id, data,
                                                   upload.filename or "upload.csv", now=web.now())
    except tabular.TableError as exc:
        web.rollback(exc)
        state.message = web.dt(exc.detail)
        return _import_page(web, plan, template, state, exc.cell_problems, status=exc.status)
    except (Invalid, Conflict, TooLarge, NotFound) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _import_page(web, plan, template, state, status=exc.status)
    web.flash("ent.imported", created=result.created, updated=result.updated)
    return web.redirect(f"{_base(plan)}/{'enterprises' if template == 'enterprises' else 'investment'}")


@router.get("/indicators/{plan_id}/enterprises/import")
def import_form(plan_id: str, web: UserDep) -> Response:
    plan = _plan(web, plan_id)
    policy.require_write(web.principal, "the enterprise register")
    return _import_page(web, plan, "enterprises", FormState())


@router.post("/indicators/{plan_id}/enterprises/import")
def import_file(plan_id: str, web: UserDep, form: FormDep) -> Response:
    return _do_import(web, _plan(web, plan_id), "enterprises", form)


# --- investment ---


def _investment_page(web: Web, plan: PlanFile, state: FormState, status: int = 200) -> Response:
    shares = investment.investment_shares(web.db, web.principal, web.rt.plans, plan.id)
    target = shares.target
    industries = []
    bars: list[tuple[str, Decimal]] = []
    for s in shares.industries:
        name = _name(web, s.industry.name_zh, s.industry.name_en)
        status_id = s.assessment.status if s.assessment else None
        industries.append({
            "name": name, "id": s.industry.id,
            "status": status_id.value if status_id else "",
            "status_label": (STATUS_LABELS[status_id][1 if web.lang == "zh" else 0] if status_id else "—"),
            "reason": (s.assessment.reason_zh if web.lang == "zh" else s.assessment.reason_en)
            if s.assessment else "",
            "rows": [{"r": r, "it": _yi(r.it_cny), "security": _yi(r.security_cny),
                      "share": "—" if r.share is None else f"{r.share.quantize(Decimal('0.01'))}%"} for r in s.rows],
        })
        if s.series:
            bars.append((f"{name} {s.series[-1].year}", s.series[-1].value.quantize(Decimal("0.01"))))
    chart = charts.bar_chart(
        bars, text=charts.ChartText(title=web.t("inv.chart_title"), unit="%", forecast_label=web.t("ent.forecast"),
                                    projection_label=web.t("ent.projection"), no_data=web.t("ent.no_data"),
                                    description=web.t("inv.chart_desc")),
        target=charts.TargetLine(target.value, target.year, web.t("inv.target_line", value=target.value))
        if target else None, id_prefix="inv-shares")
    return web.render("indicators/investment.html", {
        **_ent_choices(web, plan), "industries": industries, "chart": chart, "target": target,
        "form": state, "key_industries": [(t.id, _name(web, t.name_zh, t.name_en)) for t in plan.key_industries],
    }, status=status)


@router.get("/indicators/{plan_id}/investment")
def investment_page(plan_id: str, web: UserDep) -> Response:
    plan = _plan(web, plan_id)
    return _investment_page(web, plan, FormState(values={"unit": investment.DEFAULT_UNIT}))


@router.post("/indicators/{plan_id}/investment/new")
def investment_add(plan_id: str, web: UserDep, form: FormDep) -> Response:
    plan = _plan(web, plan_id)
    state = FormState(values={n: text(form, n) for n in INV_FIELDS})
    numbers: dict[str, Decimal] = {}
    for name in ("it_investment", "security_investment"):
        try:
            numbers[name] = Decimal(state.get(name).replace(",", "") or "x")
            if not numbers[name].is_finite():
                raise InvalidOperation
        except InvalidOperation:
            state.add(name, web.t("ent.bad_amount"))
    if whole_number(state.get("year"), max_digits=4) is None:
        state.add("year", web.t("ent.bad_year"))
    vintage = None
    if state.get("vintage"):
        try:
            vintage = tabular.parse_date(state.get("vintage"), row=0, column="vintage")
        except tabular.CellError:
            state.add("vintage", web.t("inv.bad_date"))
    if state.errors:
        state.message = web.t("form.fix_errors")
        return _investment_page(web, plan, state, status=422)
    try:
        investment.save_investment(web.db, web.principal, web.rt.plans, plan.id, industry=state.get("industry"),
                                   year=whole_number(state.get("year"), max_digits=4) or 0,
                                   it_investment=numbers["it_investment"],
                                   security_investment=numbers["security_investment"], unit=state.get("unit"),
                                   source=state.get("source"), vintage=vintage,
                                   is_forecast=bool(state.get("is_forecast")), note=state.get("note"), now=web.now())
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _investment_page(web, plan, state, status=exc.status)
    web.flash("inv.saved")
    return web.redirect(f"{_base(plan)}/investment")


@router.post("/indicators/{plan_id}/investment/{investment_id}/delete")
def investment_delete(plan_id: str, investment_id: str, web: UserDep) -> Response:
    plan = _plan(web, plan_id)
    investment.delete_investment(web.db, web.principal, investment_id)
    web.flash("inv.deleted")
    return web.redirect(f"{_base(plan)}/investment")


@router.get("/indicators/{plan_id}/investment/import")
def investment_import_form(plan_id: str, web: UserDep) -> Response:
    plan = _plan(web, plan_id)
    policy.require_write(web.principal, "investment figures")
    return _import_page(web, plan, "investment", FormState())


@router.post("/indicators/{plan_id}/investment/import")
def investment_import(plan_id: str, web: UserDep, form: FormDep) -> Response:
    return _do_import(web, _plan(web, plan_id), "investment", form)
