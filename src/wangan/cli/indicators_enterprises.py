"""``wangan indicators enterprises|enterprise-add|enterprise-delete|sme-stats|investments|investment-add|
investment-shares``: the enterprise register of goal G5 and investment per key industry of goal G6.

Every command acts as the user named by ``--as``, through the same policy as the API and the web.
``--json`` prints the data for scripts. (``wangan indicators import FILE`` imports registers and
investment files; it lives with the observations commands.)"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from wangan.cli.common import EXIT_INVALID, fail, handle_errors, principal_as, runtime, transaction
from wangan.cli.indicators_app import consultations_app, indicators_app
from wangan.indicators import enterprises, investment
from wangan.indicators.computations import percent
from wangan.indicators.units import CNY, UnitError, convert, parse_unit

__all__ = ["consultations_app", "indicators_app"]

AsUser = Annotated[str, typer.Option("--as", help="act as this user (e-mail)")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
PlanOpt = Annotated[str | None, typer.Option("--plan", help="plan id (default: the first shipped plan)")]


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _num(value: Decimal | None) -> str:
    return "-" if value is None else format(value.normalize(), "f")


def _plan_id(plans: tuple[Any, ...], plan: str | None) -> str:
    if plan:
        return plan
    if not plans:
        raise fail("no plan is shipped; name one with --plan", EXIT_INVALID)
    return str(plans[0].id)


def _decimal(text: str | None, what: str) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise fail(f"{what}: {text!r} is not a number", EXIT_INVALID) from None
    if not value.is_finite():
        raise fail(f"{what}: {text!r} is not a number", EXIT_INVALID)
    return value


def _ent_dict(e: enterprises.EnterpriseView) -> dict[str, Any]:
    return {"credit_code": e.credit_code, "name": e.name, "size_industry": e.size_industry,
            "sectors": list(e.sectors), "region": e.region,
            "years": [{"year": y.year, "revenue_cny": _num(y.revenue_cny),
                       "security_revenue_cny": _num(y.security_revenue_cny), "headcount": y.headcount,
                       "size_class": y.size_class, "is_sme": y.is_sme, "size_rule": y.size_rule} for y in e.years]}


@indicators_app.command("enterprises")
@handle_errors
def list_enterprises(as_user: AsUser, sector: Annotated[str | None, typer.Option(help="sector id")] = None,
                     region: Annotated[str | None, typer.Option(help="region")] = None,
                     sme: Annotated[bool, typer.Option("--sme", help="SMEs in their latest year only")] = False,
                     limit: Annotated[int, typer.Option(min=1, max=500)] = 100,
                     offset: Annotated[int, typer.Option(min=0)] = 0, as_json: AsJson = False) -> None:
    """The enterprise register: credit code, latest size class, sectors, region, name."""
    rt = runtime()
    with transaction(rt) as session:
        items, total = enterprises.list_enterprises(session, principal_as(session, as_user), sector=sector,
                                                    region=region, sme_only=sme, limit=limit, offset=offset)
        rows = [_ent_dict(e) for e in items]
    if as_json:
        _json({"items": rows, "total": total, "limit": limit, "offset": offset})
        return
    for e, row in zip(items, rows, strict=True):
        latest = e.latest
        size = f"{latest.year}:{latest.size_class}" if latest else "-"
        typer.echo(f"{row['credit_code']}\t{size}\t{','.join(e.sectors) or '-'}\t{e.region or '-'}\t{e.name}")
    typer.echo(f"{len(rows)} of {total}", err=True)


@indicators_app.command("enterprise-add")
@handle_errors
def enterprise_add(as_user: AsUser, credit_code: Annotated[str, typer.Argument(help="unified social credit code")],
                   name: Annotated[str, typer.Option(help="enterprise name")],
                   size_industry: Annotated[str, typer.Option(help="size-class industry id, e.g. "
                                                                   "software_it_services")],
                   sector: Annotated[list[str] | None, typer.Option(help="sector id or name (repeat)")] = None,
                   region: Annotated[str, typer.Option()] = "",
                   year: Annotated[int | None, typer.Option(help="year of the figures below")] = None,
                   revenue: Annotated[str | None, typer.Option(help="operating revenue, in --unit")] = None,
                   security_revenue: Annotated[str | None, typer.Option(help="security revenue, in --unit")] = None,
                   headcount: Annotated[int | None, typer.Option(min=0)] = None,
                   unit: Annotated[str, typer.Option(help="元, 万元 or 亿元")] = enterprises.DEFAULT_UNIT,
                   as_json: AsJson = False) -> None:
    """Add an enterprise (or update it, by credit code), with one year's figures when --year is given."""
    try:
        money = parse_unit(unit)
        if money.dimension != "money_cny":
            raise UnitError("use 元, 万元 or 亿元", code="not-cny")
    except UnitError as exc:
        raise fail(f"--unit: {exc.detail}", EXIT_INVALID) from None
    years: list[enterprises.YearFigures] = []
    if year is not None:
        rev, sec = _decimal(revenue, "--revenue"), _decimal(security_revenue, "--security-revenue")
        years.append(enterprises.YearFigures(year, None if rev is None else convert(rev, money, CNY),
                                             None if sec is None else convert(sec, money, CNY), headcount))
    elif revenue is not None or security_revenue is not None or headcount is not None:
        raise fail("--revenue, --security-revenue and --headcount need --year", EXIT_INVALID)
    rt = runtime()
    with transaction(rt) as session:
        view = enterprises.save_enterprise(session, principal_as(session, as_user), rt.size_classes, rt.plans,
                                           credit_code=credit_code, name=name, size_industry=size_industry,
                                           sectors=sector or [], region=region, years=years, now=rt.clock.now())
        row = _ent_dict(view)
    if as_json:
        _json(row)
        return
    latest = view.latest
    typer.echo(f"saved {view.credit_code} {view.name}"
               + (f" ({latest.year}: {latest.size_class})" if latest else ""))


@indicators_app.command("enterprise-delete")
@handle_errors
def enterprise_delete(as_user: AsUser, credit_code: Annotated[str, typer.Argument()]) -> None:
    """Remove an enterprise and its years from the register."""
    rt = runtime()
    with transaction(rt) as session:
        enterprises.delete_enterprise(session, principal_as(session, as_user), credit_code)
    typer.echo(f"deleted {credit_code}")


@indicators_app.command("sme-stats")
@handle_errors
def sme_stats(as_user: AsUser, by: Annotated[str, typer.Option("--by", help="sector, region or size")] = "sector",
              as_json: AsJson = False) -> None:
    """SME counts per sector, region or size class and year, with year-on-year growth."""
    if by not in ("sector", "region", "size"):
        raise fail("--by must be sector, region or size", EXIT_INVALID)
    rt = runtime()
    with transaction(rt) as session:
        order = [t.id for t in enterprises.sector_terms(rt.plans).values()]
        table = enterprises.sme_counts(session, principal_as(session, as_user), by=by,  # type: ignore[arg-type]
                                       sectors_order=order)
    groups = [*table.groups, table.total]
    if as_json:
        _json({"by": table.by, "years": list(table.years),
               "groups": [{"key": g.key, "counts": g.counts, "growth": {y: _num(v) if v is not None else None
                                                                       for y, v in g.growth.items()}}
                          for g in groups]})
        return
    typer.echo("\t".join([by, *(str(y) for y in table.years)]))
    for g in groups:
        cells = [str(g.counts[y]) + (f" ({percent(v)})" if (v := g.growth.get(y)) is not None else "")
                 for y in table.years]
        typer.echo("\t".join([g.key, *cells]))


@indicators_app.command("investments")
@handle_errors
def list_investments(as_user: AsUser, plan: PlanOpt = None, as_json: AsJson = False) -> None:
    """Investment records: industry, year, IT and security investment (元), share, source."""
    rt = runtime()
    with transaction(rt) as session:
        rows = investment.list_investments(session, principal_as(session, as_user),
                                           plan_key=_plan_id(rt.plans, plan))
        items = [{"id": str(i.id), "plan": i.plan_key, "industry": i.industry_id, "year": i.year,
                  "it_investment_cny": _num(i.it_investment_cny),
                  "security_investment_cny": _num(i.security_investment_cny),
                  "share_percent": _num(investment.share_percent(i.it_investment_cny, i.security_investment_cny)),
                  "source": i.source, "is_forecast": i.is_forecast} for i in rows]
    if as_json:
        _json({"items": items, "total": len(items)})
        return
    for i in items:
        typer.echo(f"{i['id']}\t{i['industry']}\t{i['year']}\t{i['it_investment_cny']}\t"
                   f"{i['security_investment_cny']}\t{i['share_percent']}%\t{i['source']}"
                   + ("\tforecast" if i["is_forecast"] else ""))


@indicators_app.command("investment-add")
@handle_errors
def investment_add(as_user: AsUser, industry: Annotated[str, typer.Option(help="key industry id or name")],
                   year: Annotated[int, typer.Option()], it_investment: Annotated[str, typer.Option()],
                   security_investment: Annotated[str, typer.Option()],
                   source: Annotated[str, typer.Option(help="where the figures come from")],
                   unit: Annotated[str, typer.Option()] = investment.DEFAULT_UNIT,
                   vintage: Annotated[str | None, typer.Option(help="publication date, YYYY-MM-DD")] = None,
                   forecast: Annotated[bool, typer.Option("--forecast")] = False,
                   note: Annotated[str, typer.Option()] = "", plan: PlanOpt = None) -> None:
    """Record one key industry's IT and security investment in one year."""
    it, sec = _decimal(it_investment, "--it-investment"), _decimal(security_investment, "--security-investment")
    assert it is not None and sec is not None
    published: date | None = None
    if vintage:
        try:
            published = date.fromisoformat(vintage)
        except ValueError:
            raise fail(f"--vintage: {vintage!r} is not a date (YYYY-MM-DD)", EXIT_INVALID) from None
    rt = runtime()
    with transaction(rt) as session:
        row = investment.save_investment(session, principal_as(session, as_user), rt.plans,
                                         _plan_id(rt.plans, plan), industry=industry, year=year, it_investment=it,
                                         security_investment=sec, unit=unit, source=source, vintage=published,
                                         is_forecast=forecast, note=note, now=rt.clock.now())
        ident = str(row.id)
    typer.echo(f"saved {ident}")


@indicators_app.command("investment-shares")
@handle_errors
def investment_shares(as_user: AsUser, plan: PlanOpt = None, as_json: AsJson = False) -> None:
    """Security share of IT investment per key industry and year, and the status against the target."""
    rt = runtime()
    with transaction(rt) as session:
        shares = investment.investment_shares(session, principal_as(session, as_user), rt.plans,
                                              _plan_id(rt.plans, plan))
    t = shares.target
    industries: list[dict[str, Any]] = [
        {"industry": s.industry.id, "series": {p.year: _num(p.value) for p in s.series},
         "status": s.assessment.status.value if s.assessment else None,
         "reason_en": s.assessment.reason_en if s.assessment else ""} for s in shares.industries]
    data = {"plan": shares.plan_key, "target_percent": _num(t.value) if t else None,
            "target_year": t.year if t else None,
            "industries": industries}
    if as_json:
        _json(data)
        return
    if t:
        typer.echo(f"target: {t.comparator} {_num(t.value)} % by {t.year}")
    for item in industries:
        series = ", ".join(f"{y}: {v}%" for y, v in item["series"].items()) or "no data"
        typer.echo(f"{item['industry']}\t{item['status'] or '-'}\t{series}")
