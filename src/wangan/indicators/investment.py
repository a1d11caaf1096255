"""IT (informatization) and cybersecurity investment per key industry and year (goal G6): records, import,
and the security share against the plan's target (IND-INVEST-SHARE, ≥ 10 % by 2023), assessed per
industry with :func:`computations.assess_level` on the share series.

Per industry and year the share series takes one record: the actual (not forecast) with the latest
vintage; forecasts are shown but never assessed as actuals.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.errors import Conflict, FieldProblem, Invalid, NotFound
from wangan.indicators import imports, policy, registry, tabular
from wangan.indicators.computations import Assessment, Point, Target, Thresholds, assess_level
from wangan.indicators.events import IndicatorTag
from wangan.indicators.models import Investment
from wangan.indicators.plans import PlanFile, Term
from wangan.indicators.units import CNY, UnitError, convert, fits_amount, parse_unit
from wangan.kernel import audit
from wangan.kernel.auth import Principal

SUBJECT = "indicator_investment"
BATCH_SUBJECT = "indicator_import_batch"
INDICATOR_ID = "IND-INVEST-SHARE"
DEFAULT_UNIT = "万元"
REQUIRED = ("industry", "year", "it_investment", "security_investment", "source")
OPTIONAL = ("unit", "vintage", "is_forecast", "note")
COLUMNS = (*REQUIRED, *OPTIONAL)
ALIASES = {"行业": "industry", "年份": "year", "信息化投入": "it_investment", "网络安全投入": "security_investment",
           "单位": "unit", "来源": "source", "发布日期": "vintage", "是否预测": "is_forecast", "备注": "note"}
HUNDRED = Decimal(100)


def template_csv() -> str:
    return ("industry,year,it_investment,security_investment,unit,source,vintage,is_forecast,note\r\n"
            f"telecom,2022,12000,960,{DEFAULT_UNIT},示例：行业统计,2023-03-01,false,\r\n")


def _plan(session: Session, shipped: Sequence[PlanFile], plan_key: str) -> PlanFile:
    entry = registry.find_plan(session, shipped, plan_key)
    if entry is None:
        raise NotFound(f"no plan {plan_key!r}; known plans: {', '.join(p.id for p in shipped) or 'none'}")
    return entry.plan


def _industries_text(plan: PlanFile) -> str:
    return ", ".join(f"{t.id} ({t.name_zh})" for t in plan.key_industries) or "none: the plan defines no key_industries"


def _industry(plan: PlanFile, value: str) -> str | None:
    key = value.strip().casefold()
    for term in plan.key_industries:
        if key in (term.id, term.name_zh.casefold(), term.name_en.casefold()):
            return term.id
    return None


def _yuan(value: Decimal, unit_text: str) -> Decimal:
    unit = parse_unit(unit_text or DEFAULT_UNIT)
    if unit.dimension != "money_cny":
        raise UnitError(f"{unit.label_zh} is not a CNY money unit; use 元, 万元 or 亿元", code="not-cny")
    yuan = convert(value, unit, CNY)
    if not fits_amount(yuan):
        raise UnitError(f"{value} {unit.label_zh} has too many digits to be kept exactly: at most 20 before the "
                        "decimal point and 8 after, in yuan", code="amount-out-of-range")
    return yuan


def _check_amounts(it: Decimal | None, security: Decimal | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if it is not None and it < 0:
        out.append(("it_investment", "IT investment cannot be negative"))
    if security is not None and security < 0:
        out.append(("security_investment", "security investment cannot be negative"))
    if it is not None and security is not None and it >= 0 and security > it:
        out.append(("security_investment", f"security investment {security} is more than the IT investment {it}: "
                                           "it is part of the informatization investment"))
    return out


def import_investments(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str,
                       data: bytes, filename: str, *, now: datetime | None = None) -> imports.ImportResult:
    """Import investment figures of the plan's key industries, all or nothing; every problem reported at once."""
    policy.require_write(principal, "investment figures")
    plan = _plan(session, shipped, plan_key)
    table = tabular.read_table(data, filename, required=REQUIRED, optional=OPTIONAL, aliases=ALIASES, max_rows=50_000)
    problems = tabular.ProblemCollector()
    label = table.label
    existing = {(i, y, s) for i, y, s in session.execute(
        select(Investment.industry_id, Investment.year, Investment.source)
        .where(Investment.plan_key == plan.id))}
    seen: dict[tuple[str, int, str], int] = {}
    rows: list[dict[str, object]] = []
    for row in table.rows:
        n, cells = row.number, row.cells
        industry = _industry(plan, cells["industry"])
        if industry is None:
            problems.report(n, label("industry"), f"unknown industry {cells['industry']!r}; the plan's key industries: "
                                                  f"{_industries_text(plan)}")
        year = problems.check(tabular.parse_year, cells["year"], row=n, column=label("year"))
        it = problems.check(tabular.parse_decimal, cells["it_investment"], row=n, column=label("it_investment"))
        sec = problems.check(tabular.parse_decimal, cells["security_investment"], row=n,
                             column=label("security_investment"))
        for column, message in _check_amounts(it, sec):
            problems.report(n, label(column), message)
        source = cells["source"].strip()
        if not source or len(source) > 500:
            problems.report(n, label("source"), "the source is required (at most 500 characters)")
        vintage = (problems.check(tabular.parse_date, cells["vintage"], row=n, column=label("vintage"))
                   if cells["vintage"] else None)
        forecast = (problems.check(tabular.parse_bool, cells["is_forecast"], row=n, column=label("is_forecast"))
                    if cells["is_forecast"] else False)
        unit = cells["unit"].strip() or DEFAULT_UNIT
        it_cny = sec_cny = None
        try:
            if it is not None:
                it_cny = _yuan(it, unit)
            if sec is not None:
                sec_cny = _yuan(sec, unit)
        except UnitError as exc:
            problems.report(n, label("unit"), exc.detail)
        if industry is None or year is None or not source:
            continue
        key = (industry, year, source)
        if key in seen:
            problems.report(n, None, f"{industry} {year} from {source!r} is already in row {seen[key]}")
            continue
        seen[key] = n
        if key in existing:
            problems.report(n, None, f"{industry} {year} from {source!r} is already recorded; delete it first or "
                                     "give the new figures their own source")
            continue
        rows.append({"industry_id": industry, "year": year, "it_investment_cny": it_cny,
                     "security_investment_cny": sec_cny, "source": source, "vintage": vintage,
                     "is_forecast": bool(forecast), "note": cells["note"]})
    problems.raise_if_any()
    moment = now or utcnow()
    batch = imports.new_batch(session, principal, "investments", filename, data, len(table.rows), now=moment)
    for values in rows:
        session.add(Investment(plan_key=plan.id, batch_id=batch.id, created_by=principal.user_id,
                               created_at=moment, **values))
    session.flush()
    audit.record(session, IndicatorTag.INVESTMENTS_IMPORTED, policy.actor_of(principal), BATCH_SUBJECT, batch.id,
                 data={"plan": plan.id, "filename": batch.filename, "rows": len(rows)})
    return imports.ImportResult(batch_id=batch.id, kind="investments", filename=batch.filename, rows=len(table.rows),
                                created=len(rows))


def save_investment(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str, *,
                    industry: str, year: int, it_investment: Decimal, security_investment: Decimal,
                    unit: str = DEFAULT_UNIT, source: str, vintage: date | None = None, is_forecast: bool = False,
                    note: str = "", now: datetime | None = None) -> Investment:
    """Record one industry's investment in one year (amounts in ``unit``, default 万元)."""
    policy.require_write(principal, "investment figures")
    plan = _plan(session, shipped, plan_key)
    problems: list[FieldProblem] = []
    industry_id = _industry(plan, industry)
    if industry_id is None:
        problems.append(FieldProblem("industry", f"unknown industry; the plan's key industries: "
                                                 f"{_industries_text(plan)}"))
    if not 1900 <= year <= 2100:
        problems.append(FieldProblem("year", "a year between 1900 and 2100"))
    problems += [FieldProblem(c, m) for c, m in _check_amounts(it_investment, security_investment)]
    source = source.strip()
    if not source or len(source) > 500:
        problems.append(FieldProblem("source", "the source is required (at most 500 characters)"))
    it_cny = sec_cny = Decimal(0)
    try:
        it_cny, sec_cny = _yuan(it_investment, unit), _yuan(security_investment, unit)
    except UnitError as exc:
        problems.append(FieldProblem("unit", exc.detail))
    if problems:
        raise Invalid("the investment figures were not saved: "
                      + "; ".join(f"{p.field}: {p.message}" for p in problems), problems=problems)
    assert industry_id is not None
    clash = session.scalar(select(Investment.id).where(
        Investment.plan_key == plan.id, Investment.industry_id == industry_id, Investment.year == year,
        Investment.source == source))
    if clash is not None:
        raise Conflict(f"{industry_id} {year} from {source!r} is already recorded; delete it first",
                       problems=[FieldProblem("source", "already recorded for this industry and year")])
    inv = Investment(plan_key=plan.id, industry_id=industry_id, year=year, it_investment_cny=it_cny,
                     security_investment_cny=sec_cny, source=source, vintage=vintage, is_forecast=is_forecast,
                     note=note, created_by=principal.user_id, created_at=now or utcnow())
    session.add(inv)
    session.flush()
    audit.record(session, IndicatorTag.INVESTMENT_SAVED, policy.actor_of(principal), SUBJECT, inv.id,
                 data={"plan": plan.id, "industry": industry_id, "year": year, "source": source})
    return inv


def list_investments(session: Session, principal: Principal, *, plan_key: str | None = None,
                     industry: str | None = None) -> list[Investment]:
    policy.require_read(principal)
    stmt = select(Investment)
    if plan_key:
        stmt = stmt.where(Investment.plan_key == plan_key)
    if industry:
        stmt = stmt.where(Investment.industry_id == industry)
    return list(session.scalars(stmt.order_by(Investment.plan_key, Investment.industry_id, Investment.year,
                                              Investment.source)))


def delete_investment(session: Session, principal: Principal, investment_id: uuid.UUID | str) -> None:
    policy.require_write(principal, "investment figures")
    try:
        key = investment_id if isinstance(investment_id, uuid.UUID) else uuid.UUID(str(investment_id))
    except ValueError:
        raise NotFound(f"no investment record {investment_id!r}") from None
    inv = session.get(Investment, key)
    if inv is None:
        raise NotFound(f"no investment record {investment_id!r}")
    audit.record(session, IndicatorTag.INVESTMENT_DELETED, policy.actor_of(principal), SUBJECT, inv.id,
                 data={"plan": inv.plan_key, "industry": inv.industry_id, "year": inv.year, "source": inv.source})
    session.delete(inv)
    session.flush()


@dataclass(frozen=True)
class ShareRow:
    """One record with its share (percent); ``used`` when it is the year's point of the share series."""

    id: uuid.UUID
    year: int
    it_cny: Decimal
    security_cny: Decimal
    share: Decimal | None
    source: str
    vintage: date | None
    is_forecast: bool
    used: bool


@dataclass(frozen=True)
class IndustryShares:
    industry: Term
    rows: tuple[ShareRow, ...]
    series: tuple[Point, ...]
    assessment: Assessment | None


@dataclass(frozen=True)
class InvestmentShares:
    plan_key: str
    target: Target | None
    industries: tuple[IndustryShares, ...]


def share_percent(it_cny: Decimal, security_cny: Decimal) -> Decimal | None:
    if it_cny <= 0:
        return None
    return security_cny * HUNDRED / it_cny


def investment_shares(session: Session, principal: Principal, shipped: Sequence[PlanFile],
                      plan_key: str) -> InvestmentShares:
    """Per key industry and year: IT and security investment, the share (%), and the status against the target."""
    policy.require_read(principal)
    plan = _plan(session, shipped, plan_key)
    indicator = plan.indicator_by_id.get(INDICATOR_ID)
    target: Target | None = None
    if indicator is not None and indicator.target is not None:
        base = (Point(indicator.baseline.year, Decimal(indicator.baseline.value))
                if indicator.baseline is not None and indicator.baseline.value is not None else None)
        target = Target(indicator.target.amount, indicator.target.year, indicator.target.comparator, base)
    thresholds = Thresholds(Decimal(plan.progress_thresholds.on_track), Decimal(plan.progress_thresholds.at_risk))
    records = session.scalars(select(Investment).where(Investment.plan_key == plan.id)
                              .order_by(Investment.industry_id, Investment.year, Investment.source)).all()
    by_industry: dict[str, list[Investment]] = {}
    for inv in records:
        by_industry.setdefault(inv.industry_id, []).append(inv)
    out: list[IndustryShares] = []
    for term in plan.key_industries:
        invs = by_industry.get(term.id, [])
        chosen: dict[int, Investment] = {}
        for inv in invs:
            if inv.is_forecast or share_percent(inv.it_investment_cny, inv.security_investment_cny) is None:
                continue
            current = chosen.get(inv.year)
            if current is None or (inv.vintage or date.min, inv.created_at) > (current.vintage or date.min,
                                                                               current.created_at):
                chosen[inv.year] = inv
        used = {inv.id for inv in chosen.values()}
        rows = tuple(ShareRow(inv.id, inv.year, inv.it_investment_cny, inv.security_investment_cny,
                              share_percent(inv.it_investment_cny, inv.security_investment_cny), inv.source,
                              inv.vintage, inv.is_forecast, inv.id in used) for inv in invs)
        series = tuple(Point(y, share) for y in sorted(chosen)
                       if (share := share_percent(chosen[y].it_investment_cny, chosen[y].security_investment_cny))
                       is not None)
        assessment = assess_level(series, target, thresholds) if target is not None else None
        out.append(IndustryShares(term, rows, series, assessment))
    return InvestmentShares(plan.id, target, tuple(out))
