"""The enterprise register of goal G5: enterprises by unified social credit code, their sectors and region,
and their yearly figures (operating revenue, security revenue, headcount) with the size class those give
under ``rules/sme-size-classes-2011.yaml`` (stored per year with the rule id). SME counts and their
growth per sector, region and size class are computed by SQL ``GROUP BY``.

Imports are all-or-nothing and built for large registers: one query preloads the codes already known,
codes are validated once per distinct text, size classes are computed from the thresholds directly
(the same ladder as :func:`size_classes.classify`) and rows are written with bulk ``INSERT``/``UPDATE``
in chunks; one audit record per import carries the counts. Investment (goal G6) is in
:mod:`wangan.indicators.investment`; its import is re-exported here.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from typing import cast as tcast

from sqlalchemy import Table, Text, bindparam, cast, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from wangan.db import utcnow
from wangan.errors import FieldProblem, Invalid, NotFound
from wangan.indicators import credit_code as cc
from wangan.indicators import imports, policy, tabular
from wangan.indicators.computations import ComputationError, yoy_growth
from wangan.indicators.events import IndicatorTag
from wangan.indicators.investment import import_investments
from wangan.indicators.models import Enterprise, EnterpriseYear
from wangan.indicators.plans import PlanFile, Term
from wangan.indicators.size_classes import IndustryRule, Size, SizeClassError, SizeClassRules, classify
from wangan.indicators.units import CNY, UnitError, convert, fits_amount, parse_unit
from wangan.kernel import audit
from wangan.kernel.auth import Principal

# The enterprise-years table keeps headcounts as 32-bit integers; no enterprise comes near this.
MAX_HEADCOUNT = 10_000_000
TOO_LARGE = ("the amount has too many digits to be kept exactly: at most 20 before the decimal point and 8 after, "
             "in yuan")

__all__ = [
    "ALIASES", "COLUMNS", "EnterpriseView", "SmeGroup", "SmeTable", "YearFigures", "delete_enterprise",
    "get_enterprise", "import_enterprises", "import_investments", "list_enterprises", "save_enterprise",
    "sector_terms", "sme_counts", "template_csv",
]

SUBJECT = "indicator_enterprise"
BATCH_SUBJECT = "indicator_import_batch"
DEFAULT_UNIT = "万元"
CHUNK = 5_000
MAX_ROWS = 300_000
MAX_BYTES = 60 * 1024 * 1024

REQUIRED = ("credit_code", "name", "size_industry", "year")
OPTIONAL = ("sectors", "region", "revenue", "security_revenue", "headcount", "unit")
COLUMNS = (*REQUIRED, *OPTIONAL)
ALIASES = {"统一社会信用代码": "credit_code", "信用代码": "credit_code", "uscc": "credit_code",
           "企业名称": "name", "名称": "name", "行业": "size_industry", "领域": "sectors", "sector": "sectors",
           "地区": "region", "年份": "year", "营业收入": "revenue", "网络安全收入": "security_revenue",
           "从业人员": "headcount", "从业人员数": "headcount", "employees": "headcount", "单位": "unit"}
GroupBy = Literal["sector", "region", "size"]
SIZES: tuple[Size, ...] = ("large", "medium", "small", "micro")


def template_csv() -> str:
    """The import template: the header and one example row (revenue in 万元, the default unit)."""
    code = "91110108" + "MA01ABCD" + "1"
    code17 = code[:17]
    full = code17 + cc.check_character(code17)
    return ("credit_code,name,size_industry,sectors,region,year,revenue,security_revenue,headcount,unit\r\n"
            f"{full},示例网络安全有限公司,software_it_services,iot;smart_city,北京,2022,1800,1200,85,{DEFAULT_UNIT}\r\n")


# --- sectors ------------------------------------------------------------------------------------


def sector_terms(shipped: Sequence[PlanFile]) -> dict[str, Term]:
    """The sectors of the shipped plans by id (first plan wins), the G5 breakdown of the register."""
    terms: dict[str, Term] = {}
    for plan in shipped:
        for term in plan.sectors:
            terms.setdefault(term.id, term)
    return terms


def _sector_lookup(terms: dict[str, Term]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for term in terms.values():
        for name in (term.id, term.name_zh, term.name_en):
            lookup.setdefault(name.strip().casefold(), term.id)
    return lookup


def split_sectors(text: str) -> list[str]:
    for sep in ("；", "，", "、", ","):
        text = text.replace(sep, ";")
    return [part.strip() for part in text.split(";") if part.strip()]


def resolve_sectors(values: Iterable[str], terms: dict[str, Term]) -> tuple[list[str], list[str]]:
    """(sector ids in plan order, unknown names) for ids or Chinese/English names."""
    lookup = _sector_lookup(terms)
    found: set[str] = set()
    unknown: list[str] = []
    for value in values:
        sid = lookup.get(value.strip().casefold())
        if sid is None:
            unknown.append(value)
        else:
            found.add(sid)
    return [sid for sid in terms if sid in found], unknown


def _known_sectors(terms: dict[str, Term]) -> str:
    return ", ".join(f"{t.id} ({t.name_zh})" for t in terms.values()) or "none (no plan defines sectors)"


# --- size classes, fast path ---------------------------------------------------------------------


class _Sizer:
    """The size class from the thresholds, as :func:`classify` decides it, without building the reasons."""

    def __init__(self, rules: SizeClassRules) -> None:
        self.rules = rules
        self._ladders: dict[str, tuple[IndustryRule, list[tuple[Size, int | None, Decimal | None]]]] = {}

    def ladder(self, industry_id: str) -> tuple[IndustryRule, list[tuple[Size, int | None, Decimal | None]]]:
        got = self._ladders.get(industry_id)
        if got is None:
            rule = self.rules.industry(industry_id)
            steps: list[tuple[Size, int | None, Decimal | None]] = [
                ("large", rule.large.employees, rule.large.revenue_wan_yuan),
                ("medium", rule.medium.employees, rule.medium.revenue_wan_yuan),
                ("small", rule.small.employees, rule.small.revenue_wan_yuan)]
            got = (rule, steps)
            self._ladders[industry_id] = got
        return got

    def size(self, industry_id: str, employees: int | None, revenue_cny: Decimal | None) -> tuple[Size, str]:
        """(size, rule id); :class:`SizeClassError` as :func:`classify` raises it."""
        rule, steps = self.ladder(industry_id)
        needed = rule.large.figures
        if (("employees" in needed and employees is None) or ("revenue" in needed and revenue_cny is None)
                or (employees is not None and employees < 0) or (revenue_cny is not None and revenue_cny < 0)):
            result = classify(self.rules, industry_id, employees, revenue_cny)  # raises with the exact message
            return result.size, result.rule_id
        revenue_wan = revenue_cny.scaleb(-4) if revenue_cny is not None else None
        size: Size = "micro"
        for candidate, min_employees, min_revenue in steps:
            if min_employees is not None and employees is not None and employees < min_employees:
                continue
            if min_revenue is not None and revenue_wan is not None and revenue_wan < min_revenue:
                continue
            size = candidate
            break
        return size, f"{self.rules.id}/{rule.id}"


def _yuan_factor(unit_text: str) -> Decimal:
    unit = parse_unit(unit_text or DEFAULT_UNIT)
    if unit.dimension != "money_cny":
        raise UnitError(f"{unit.label_zh} is not a CNY money unit; use 元, 万元 or 亿元", code="not-cny")
    return convert(Decimal(1), unit, CNY)


def _to_yuan(value: Decimal, factor: Decimal) -> Decimal:
    return value * factor if factor != 1 else value


# --- import --------------------------------------------------------------------------------------


_PLAIN_NUMBER = re.compile(r"[0-9]{1,24}(?:\.[0-9]{1,12})?")


def _decimal(text: str, row: int, column: str) -> Decimal:
    """:func:`tabular.parse_decimal` with a fast path for plain ASCII numbers (most cells of a register)."""
    if _PLAIN_NUMBER.fullmatch(text):
        return Decimal(text)
    return tabular.parse_decimal(text, row=row, column=column)


def _int(text: str, row: int, column: str) -> int:
    if text.isascii() and text.isdigit() and len(text) < 10:
        return int(text)
    return tabular.parse_int(text, row=row, column=column)


def _year(text: str, row: int, column: str) -> int:
    if len(text) == 4 and text.isascii() and text.isdigit() and 1900 <= (year := int(text)) <= 2100:
        return year
    return tabular.parse_year(text, row=row, column=column)


def _ordered_ints(count: int) -> Iterator[int]:
    """``count`` fresh ids (as the integers of UUIDs) in ascending order: UUIDv7 layout, milliseconds and then a
    counter from a random start, so a bulk insert appends to the primary-key and foreign-key indexes instead
    of scattering."""
    stamp = int(time.time() * 1000) & ((1 << 48) - 1)
    start = secrets.randbits(61)
    head = (stamp << 80) | (0x7 << 76) | (secrets.randbits(12) << 64) | (0b10 << 62)
    for i in range(count):
        yield head | (start + i)


def _ordered_ids(count: int) -> Iterator[uuid.UUID]:
    for number in _ordered_ints(count):
        yield uuid.UUID(int=number)


@dataclass
class _Ent:
    row: int
    name: str
    size_industry: str
    sectors: list[str]
    region: str


def import_enterprises(session: Session, principal: Principal, size_rules: SizeClassRules, *,
                       shipped: Sequence[PlanFile], data: bytes, filename: str,
                       now: datetime | None = None) -> imports.ImportResult:
    """Import an enterprise register (one row per enterprise and year), all or nothing; upsert by credit code
    and (enterprise, year). Every problem of the file is reported at once with its row and column."""
    policy.require_write(principal, "the enterprise register")
    table = tabular.read_table(data, filename, required=REQUIRED, optional=OPTIONAL, aliases=ALIASES,
                               max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    problems = tabular.ProblemCollector()
    label = table.label
    terms = sector_terms(shipped)
    lookup = _sector_lookup(terms)
    sizer = _Sizer(size_rules)
    codes: dict[str, str | None] = {}  # raw text → normalised code, None when invalid
    factors: dict[str, Decimal | None] = {}
    sector_cache: dict[str, tuple[list[str], list[str]]] = {}
    size_of = sizer.size
    year_label, revenue_label, security_label, headcount_label = (
        label("year"), label("revenue"), label("security_revenue"), label("headcount"))
    ents: dict[str, _Ent] = {}
    years: dict[tuple[str, int], dict[str, Any]] = {}
    year_rows: dict[tuple[str, int], int] = {}
    parse_decimal, parse_int, parse_year = _decimal, _int, _year
    cell_error = tabular.CellError
    for row in table.rows:
        cells, n = row.cells, row.number
        raw_code = cells["credit_code"]
        code = codes.get(raw_code, "")
        if code == "":
            try:
                code = cc.validate(raw_code)
            except cc.InvalidCreditCode as exc:
                code = None
                problems.report(n, label("credit_code"), exc.detail)
            codes[raw_code] = code
        elif code is None:
            problems.report(n, label("credit_code"), "the same malformed code as above: " +
                            _why_code(raw_code))
        name = cells["name"].strip()
        if not name:
            problems.report(n, label("name"), "the enterprise name is required")
        elif len(name) > 300:
            problems.report(n, label("name"), "the name is longer than 300 characters")
        industry = cells["size_industry"].strip()
        industry_ok = industry in size_rules.by_id
        if not industry_ok:
            known = ", ".join(f"{i.id} ({i.name_zh})" for i in size_rules.industries)
            problems.report(n, label("size_industry"), f"unknown size-class industry {industry!r}; known: {known}")
        sector_text = cells["sectors"]
        resolved = sector_cache.get(sector_text)
        if resolved is None:
            found: set[str] = set()
            unknown: list[str] = []
            for part in split_sectors(sector_text):
                sid = lookup.get(part.casefold())
                if sid is None:
                    unknown.append(part)
                else:
                    found.add(sid)
            resolved = ([sid for sid in terms if sid in found], unknown)
            sector_cache[sector_text] = resolved
        sectors, unknown_sectors = resolved
        if unknown_sectors:
            problems.report(n, label("sectors"), f"unknown sector(s) {', '.join(unknown_sectors)}; known: "
                                                 f"{_known_sectors(terms)}")
        region = cells["region"].strip()
        if len(region) > 64:
            problems.report(n, label("region"), "the region is longer than 64 characters")
        year: int | None
        try:
            year = parse_year(cells["year"], n, year_label)
        except cell_error as exc:
            problems.add(exc.problem)
            year = None
        unit_text = cells["unit"].strip() or DEFAULT_UNIT
        factor = factors.get(unit_text, Decimal(0))
        if factor == 0:
            try:
                factor = _yuan_factor(unit_text)
            except UnitError as exc:
                factor = None
                problems.report(n, label("unit"), exc.detail)
            factors[unit_text] = factor
        elif factor is None:
            problems.report(n, label("unit"), f"unknown money unit {unit_text!r}; use 元, 万元 or 亿元")
        revenue = security = None
        headcount: int | None = None
        if cells["revenue"]:
            try:
                revenue = parse_decimal(cells["revenue"], n, revenue_label)
                if revenue < 0:
                    problems.report(n, label("revenue"), "operating revenue cannot be negative")
                    revenue = None
            except cell_error as exc:
                problems.add(exc.problem)
        if cells["security_revenue"]:
            try:
                security = parse_decimal(cells["security_revenue"], n, security_label)
                if security < 0:
                    problems.report(n, label("security_revenue"), "security revenue cannot be negative")
                    security = None
            except cell_error as exc:
                problems.add(exc.problem)
        if cells["headcount"]:
            try:
                headcount = parse_int(cells["headcount"], n, headcount_label)
                if not 0 <= headcount <= MAX_HEADCOUNT:
                    problems.report(n, label("headcount"), f"a headcount between 0 and {MAX_HEADCOUNT:,}")
                    headcount = None
            except cell_error as exc:
                problems.add(exc.problem)
        if revenue is not None and security is not None and security > revenue:
            problems.report(n, label("security_revenue"),
                            f"security revenue {security} is more than the operating revenue {revenue}; it is "
                            "the part of the operating revenue earned with cybersecurity")
        revenue_cny = _to_yuan(revenue, factor) if revenue is not None and factor else None
        security_cny = _to_yuan(security, factor) if security is not None and factor else None
        for column, amount in (("revenue", revenue_cny), ("security_revenue", security_cny)):
            if amount is not None and not fits_amount(amount):
                problems.report(n, label(column), TOO_LARGE)
        sized: tuple[Size, str] | None = None
        if industry_ok:
            try:
                sized = size_of(industry, headcount, revenue_cny)
            except SizeClassError as exc:
                column = ("headcount" if "employees" in exc.detail.split("missing:")[-1] else "revenue")
                problems.report(n, label(column), exc.detail)
        if code is None or year is None:
            continue
        ent = ents.get(code)
        if ent is None:
            ents[code] = _Ent(n, name, industry, sectors, region)
        elif name != ent.name or industry != ent.size_industry or sectors != ent.sectors or region != ent.region:
            for what, mine, theirs in (("name", name, ent.name), ("size_industry", industry, ent.size_industry),
                                       ("sectors", ";".join(sectors), ";".join(ent.sectors)),
                                       ("region", region, ent.region)):
                if mine != theirs:
                    problems.report(n, label(what), f"{code}: {what} {mine!r} differs from {theirs!r} in row "
                                                    f"{ent.row}; an enterprise's {what} is the same in every row")
        if (code, year) in year_rows:
            problems.report(n, label("year"), f"{code} has a second row for {year} (first in row "
                                              f"{year_rows[code, year]})")
            continue
        year_rows[code, year] = n
        if sized is not None:
            years[code, year] = {"year": year, "revenue_cny": revenue_cny, "security_revenue_cny": security_cny,
                                 "headcount": headcount, "size_class": sized[0], "is_sme": sized[0] != "large",
                                 "size_rule": sized[1]}
    problems.raise_if_any()

    moment = now or utcnow()
    existing: dict[str, uuid.UUID] = {}
    code_list = list(ents)
    for start in range(0, len(code_list), CHUNK):
        chunk = code_list[start:start + CHUNK]
        existing.update(session.execute(select(Enterprise.credit_code, Enterprise.id)
                                        .where(Enterprise.credit_code.in_(chunk))).all())
    known_years: dict[tuple[str, int], uuid.UUID] = {}
    if existing:
        known_codes = list(existing)
        for start in range(0, len(known_codes), CHUNK):
            known_years.update({(c, y): yid for c, y, yid in session.execute(
                select(Enterprise.credit_code, EnterpriseYear.year, EnterpriseYear.id).join(Enterprise)
                .where(Enterprise.credit_code.in_(known_codes[start:start + CHUNK])))})

    batch = imports.new_batch(session, principal, "enterprises", filename, data, len(table.rows), now=moment)
    new_ents: list[dict[str, Any]] = []
    changed_ents: list[dict[str, Any]] = []
    fresh_ids = _ordered_ids(len(ents) - len(existing))
    for code, ent in ents.items():
        eid = existing.get(code)
        if eid is None:
            eid = next(fresh_ids)
            existing[code] = eid
            new_ents.append({"id": eid, "credit_code": code, "name": ent.name, "size_industry": ent.size_industry,
                             "sectors": ent.sectors, "region": ent.region, "batch_id": batch.id,
                             "created_by": principal.user_id, "created_at": moment, "updated_at": moment})
        else:
            changed_ents.append({"b_id": eid, "name": ent.name, "size_industry": ent.size_industry,
                                 "sectors": ent.sectors, "region": ent.region, "updated_at": moment})
    new_years: list[dict[str, Any]] = []
    changed_years: list[dict[str, Any]] = []
    new_keys = [key for key in years if key not in known_years]
    year_ids = _ordered_ints(len(new_keys))
    for (code, year), values in years.items():
        eid = existing[code]
        values["batch_id"] = batch.id
        yid = known_years.get((code, year))
        if yid is None:
            values["id"], values["enterprise_id"] = next(year_ids), eid
            new_years.append(values)
        else:
            del values["year"]
            values["b_id"] = yid
            changed_years.append(values)
    ent_table, year_table = tcast(Table, Enterprise.__table__), tcast(Table, EnterpriseYear.__table__)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        _copy_postgres(session, ent_table, _ENT_COLUMNS, new_ents,
                       lambda r: (*(r[c] for c in _ENT_COLUMNS[:4]), json.dumps(r["sectors"], ensure_ascii=False),
                                  *(r[c] for c in _ENT_COLUMNS[5:])))
        new_ents = []
    for start in range(0, len(new_ents), CHUNK):
        session.execute(insert(ent_table), new_ents[start:start + CHUNK])
    for start in range(0, len(changed_ents), CHUNK):
        session.execute(update(ent_table).where(ent_table.c.id == bindparam("b_id")),
                        changed_ents[start:start + CHUNK])
    if dialect == "sqlite":
        _insert_years_sqlite(session, new_years)
    elif dialect == "postgresql":
        _copy_postgres(session, year_table, _YEAR_COLUMNS, new_years,
                       lambda r: (uuid.UUID(int=r["id"]), *(r[c] for c in _YEAR_COLUMNS[1:])))
    else:
        for values in new_years:
            values["id"] = uuid.UUID(int=values["id"])
        for start in range(0, len(new_years), CHUNK):
            session.execute(insert(year_table), new_years[start:start + CHUNK])
    if session.get_bind().dialect.name == "sqlite":
        _update_years_sqlite(session, changed_years)
    else:
        for start in range(0, len(changed_years), CHUNK):
            session.execute(update(year_table).where(year_table.c.id == bindparam("b_id")),
                            changed_years[start:start + CHUNK])
    audit.record(session, IndicatorTag.ENTERPRISES_IMPORTED, policy.actor_of(principal), BATCH_SUBJECT, batch.id,
                 data={"filename": batch.filename, "rows": len(table.rows), "enterprises_created": len(new_ents),
                       "enterprises_updated": len(changed_ents), "years_created": len(new_years),
                       "years_updated": len(changed_years)})
    session.flush()
    session.expire_all()
    return imports.ImportResult(batch_id=batch.id, kind="enterprises", filename=batch.filename,
                                rows=len(table.rows), created=len(new_years), updated=len(changed_years))


_YEAR_COLUMNS = ("id", "enterprise_id", "year", "revenue_cny", "security_revenue_cny", "headcount", "size_class",
                 "is_sme", "size_rule", "batch_id")


_ENT_COLUMNS = ("id", "credit_code", "name", "size_industry", "sectors", "region", "batch_id", "created_by",
                "created_at", "updated_at")


def _copy_postgres(session: Session, table: Table, columns: tuple[str, ...], rows: list[dict[str, Any]],
                   values: Callable[[dict[str, Any]], tuple[Any, ...]]) -> None:
    """New rows through PostgreSQL's COPY, inside the session's transaction: several times faster than
    batched INSERTs for a register of this size, and still all or nothing."""
    if not rows:
        return
    driver = session.connection().connection.driver_connection
    if driver is None:  # pragma: no cover - a pooled connection always has its driver connection
        raise RuntimeError("no database connection")
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(values(row))


def _insert_years_sqlite(session: Session, rows: list[dict[str, Any]]) -> None:
    """The yearly rows through the driver in one ``executemany``, values as SQLAlchemy itself writes them to
    SQLite (ids as 32 hex digits, ``Numeric`` as float, booleans as 0/1): the per-row parameter processing of
    a Core insert is most of the cost of a large import there."""
    sql = (f"INSERT INTO {EnterpriseYear.__tablename__} ({', '.join(_YEAR_COLUMNS)}) "  # noqa: S608 - fixed names
           f"VALUES ({', '.join('?' * len(_YEAR_COLUMNS))})")

    def num(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    params = [(f"{r['id']:032x}", r["enterprise_id"].hex, r["year"], num(r["revenue_cny"]),
               num(r["security_revenue_cny"]), r["headcount"], r["size_class"], 1 if r["is_sme"] else 0,
               r["size_rule"], r["batch_id"].hex)
              for r in rows]
    connection = session.connection()
    for start in range(0, len(params), CHUNK * 4):
        connection.exec_driver_sql(sql, params[start:start + CHUNK * 4])


def _update_years_sqlite(session: Session, rows: list[dict[str, Any]]) -> None:
    """The same for updates of known years (by primary key)."""
    columns = _YEAR_COLUMNS[3:]
    sql = (f"UPDATE {EnterpriseYear.__tablename__} SET {', '.join(f'{c} = ?' for c in columns)} "  # noqa: S608
           "WHERE id = ?")

    def num(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    params = [(num(r["revenue_cny"]), num(r["security_revenue_cny"]), r["headcount"], r["size_class"],
               1 if r["is_sme"] else 0, r["size_rule"], r["batch_id"].hex, r["b_id"].hex) for r in rows]
    connection = session.connection()
    for start in range(0, len(params), CHUNK * 4):
        connection.exec_driver_sql(sql, params[start:start + CHUNK * 4])


def _why_code(raw: str) -> str:
    try:
        cc.validate(raw)
    except cc.InvalidCreditCode as exc:
        return exc.detail
    return "invalid"  # pragma: no cover - only called for codes that failed


# --- register CRUD ------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    """An enterprise's figures for one year, in yuan."""

    year: int
    revenue_cny: Decimal | None
    security_revenue_cny: Decimal | None
    headcount: int | None


@dataclass(frozen=True)
class EnterpriseView:
    """An enterprise with its years, detached from the session."""

    id: uuid.UUID
    credit_code: str
    name: str
    size_industry: str
    sectors: tuple[str, ...]
    region: str
    years: tuple[EnterpriseYearView, ...]

    @property
    def latest(self) -> EnterpriseYearView | None:
        return self.years[-1] if self.years else None


@dataclass(frozen=True)
class EnterpriseYearView:
    year: int
    revenue_cny: Decimal | None
    security_revenue_cny: Decimal | None
    headcount: int | None
    size_class: str
    is_sme: bool
    size_rule: str


def _view(ent: Enterprise) -> EnterpriseView:
    return EnterpriseView(ent.id, ent.credit_code, ent.name, ent.size_industry, tuple(ent.sectors or ()), ent.region,
                          tuple(EnterpriseYearView(y.year, y.revenue_cny, y.security_revenue_cny, y.headcount,
                                                   y.size_class, y.is_sme, y.size_rule) for y in ent.years))


def _code(raw: str, field_name: str = "credit_code") -> str:
    try:
        return cc.validate(raw)
    except cc.InvalidCreditCode as exc:
        raise cc.InvalidCreditCode(exc.detail, problems=[FieldProblem(field_name, exc.detail)]) from None


def _find(session: Session, raw_code: str) -> Enterprise:
    code = cc.normalise(raw_code)
    # No stored code is longer than 18 characters or holds a NUL (which PostgreSQL refuses in a query).
    ent = (None if len(code) > 18 or "\x00" in code
           else session.scalar(select(Enterprise).where(Enterprise.credit_code == code)))
    if ent is None:
        raise NotFound(f"no enterprise with the credit code {code!r} in the register")
    return ent


def save_enterprise(session: Session, principal: Principal, size_rules: SizeClassRules, shipped: Sequence[PlanFile],
                    *, credit_code: str, name: str, size_industry: str, sectors: Sequence[str] = (),
                    region: str = "", years: Sequence[YearFigures] = (), now: datetime | None = None
                    ) -> EnterpriseView:
    """Create or update (by credit code) one enterprise and the given years (others are kept)."""
    policy.require_write(principal, "the enterprise register")
    problems: list[FieldProblem] = []
    code = ""
    try:
        code = cc.validate(credit_code)
    except cc.InvalidCreditCode as exc:
        problems.append(FieldProblem("credit_code", exc.detail))
    name = name.strip()
    if not name or len(name) > 300:
        problems.append(FieldProblem("name", "the name is required (at most 300 characters)"))
    if size_industry not in size_rules.by_id:
        problems.append(FieldProblem("size_industry", "unknown size-class industry; known: "
                                     + ", ".join(i.id for i in size_rules.industries)))
    terms = sector_terms(shipped)
    sector_ids, unknown = resolve_sectors(sectors, terms)
    if unknown:
        problems.append(FieldProblem("sectors", f"unknown sector(s) {', '.join(unknown)}; known: "
                                                f"{_known_sectors(terms)}"))
    region = region.strip()
    if len(region) > 64:
        problems.append(FieldProblem("region", "at most 64 characters"))
    sized: dict[int, tuple[Size, str]] = {}
    seen: set[int] = set()
    for i, fig in enumerate(years):
        where = f"years[{i}]"
        if fig.year in seen or not 1900 <= fig.year <= 2100:
            problems.append(FieldProblem(f"{where}.year", "a year between 1900 and 2100, each year once"))
            continue
        seen.add(fig.year)
        if (fig.revenue_cny is not None and fig.security_revenue_cny is not None
                and fig.security_revenue_cny > fig.revenue_cny):
            problems.append(FieldProblem(f"{where}.security_revenue", "security revenue is part of the operating "
                                                                      "revenue and cannot exceed it"))
        if fig.security_revenue_cny is not None and fig.security_revenue_cny < 0:
            problems.append(FieldProblem(f"{where}.security_revenue", "cannot be negative"))
        for name_of, amount in (("revenue", fig.revenue_cny), ("security_revenue", fig.security_revenue_cny)):
            if amount is not None and not fits_amount(amount):
                problems.append(FieldProblem(f"{where}.{name_of}", TOO_LARGE))
        if fig.headcount is not None and not 0 <= fig.headcount <= MAX_HEADCOUNT:
            problems.append(FieldProblem(f"{where}.headcount", f"a headcount between 0 and {MAX_HEADCOUNT:,}"))
            continue
        if size_industry in size_rules.by_id:
            try:
                result = classify(size_rules, size_industry, fig.headcount, fig.revenue_cny)
                sized[fig.year] = (result.size, result.rule_id)
            except SizeClassError as exc:
                problems.append(FieldProblem(where, exc.detail))
    if problems:
        raise Invalid("the enterprise was not saved: " + "; ".join(f"{p.field}: {p.message}" for p in problems),
                      problems=problems)
    moment = now or utcnow()
    ent = session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    created = ent is None
    if ent is None:
        ent = Enterprise(credit_code=code, name=name, size_industry=size_industry, sectors=sector_ids, region=region,
                         created_by=principal.user_id, created_at=moment, updated_at=moment)
        session.add(ent)
        session.flush()
    else:
        ent.name, ent.size_industry, ent.sectors, ent.region = name, size_industry, sector_ids, region
        ent.updated_at = moment
    by_year = {y.year: y for y in ent.years}
    for fig in years:
        size, rule = sized[fig.year]
        row = by_year.get(fig.year)
        if row is None:
            row = EnterpriseYear(enterprise_id=ent.id, year=fig.year)
            ent.years.append(row)
        row.revenue_cny, row.security_revenue_cny, row.headcount = fig.revenue_cny, fig.security_revenue_cny, \
            fig.headcount
        row.size_class, row.is_sme, row.size_rule = size, size != "large", rule
    session.flush()
    audit.record(session, IndicatorTag.ENTERPRISE_SAVED, policy.actor_of(principal), SUBJECT, ent.id,
                 data={"credit_code": code, "created": created, "years": sorted(f.year for f in years)})
    session.refresh(ent)
    return _view(ent)


def get_enterprise(session: Session, principal: Principal, credit_code: str) -> EnterpriseView:
    """One enterprise by credit code (full-width and lower case accepted), or NotFound."""
    policy.require_read(principal)
    return _view(_find(session, credit_code))


def delete_enterprise(session: Session, principal: Principal, credit_code: str) -> None:
    """Remove an enterprise and its years from the register."""
    policy.require_write(principal, "the enterprise register")
    ent = _find(session, credit_code)
    audit.record(session, IndicatorTag.ENTERPRISE_DELETED, policy.actor_of(principal), SUBJECT, ent.id,
                 data={"credit_code": ent.credit_code, "name": ent.name})
    session.delete(ent)
    session.flush()


def list_enterprises(session: Session, principal: Principal, *, sector: str | None = None,
                     region: str | None = None, sme_only: bool = False, q: str | None = None, limit: int = 50,
                     offset: int = 0) -> tuple[list[EnterpriseView], int]:
    """(a page of enterprises by credit code, total). ``sme_only``: an SME in its latest recorded year."""
    policy.require_read(principal)
    stmt = select(Enterprise)
    if sector:
        stmt = stmt.where(cast(Enterprise.sectors, Text).like(f'%"{sector.replace("%", "")}"%'))
    if region:
        stmt = stmt.where(Enterprise.region == region)
    if q and q.strip():
        needle = f"%{q.strip().replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(Enterprise.name.ilike(needle), Enterprise.credit_code.ilike(needle)))
    if sme_only:
        later = aliased(EnterpriseYear)
        latest = (select(func.max(later.year)).where(later.enterprise_id == EnterpriseYear.enterprise_id)
                  .scalar_subquery())
        stmt = stmt.where(Enterprise.id.in_(select(EnterpriseYear.enterprise_id)
                                            .where(EnterpriseYear.is_sme.is_(True), EnterpriseYear.year == latest)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    limit = max(1, min(limit, 500))
    rows = session.scalars(stmt.order_by(Enterprise.credit_code).limit(limit).offset(max(0, offset))).all()
    return [_view(e) for e in rows], total


# --- aggregates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmeGroup:
    """SME counts of one group (a sector, a region, a size class) per year, and year-on-year growth."""

    key: str
    counts: dict[int, int]
    growth: dict[int, Decimal | None]


@dataclass(frozen=True)
class SmeTable:
    by: GroupBy
    years: tuple[int, ...]
    groups: tuple[SmeGroup, ...]
    total: SmeGroup = field(default_factory=lambda: SmeGroup("total", {}, {}))


def _group(key: str, counts: dict[int, int], years: Sequence[int]) -> SmeGroup:
    full = {y: counts.get(y, 0) for y in years}
    growth: dict[int, Decimal | None] = {}
    for prev, cur in itertools.pairwise(years):
        if cur != prev + 1 or full[prev] == 0:
            growth[cur] = None
            continue
        try:
            growth[cur] = yoy_growth(Decimal(full[prev]), Decimal(full[cur]))
        except ComputationError:
            growth[cur] = None
    return SmeGroup(key, full, growth)


def sme_counts(session: Session, principal: Principal, *, by: GroupBy, years: Sequence[int] | None = None,
               sectors_order: Sequence[str] = ()) -> SmeTable:
    """Enterprises that are SMEs in a year, per group and year, with year-on-year growth; ``by="size"``
    counts every size class (large too, for the comparison). An enterprise in two sectors counts in each
    sector and once in the total."""
    policy.require_read(principal)
    if by not in ("sector", "region", "size"):
        raise Invalid("group by sector, region or size", problems=[FieldProblem("by", "sector, region or size")])
    year_col = EnterpriseYear.year
    base_filter = [year_col.in_(list(years))] if years else []
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    if by == "size":
        stmt = (select(EnterpriseYear.size_class, year_col, func.count()).where(*base_filter)
                .group_by(EnterpriseYear.size_class, year_col))
        for key, year, n in session.execute(stmt):
            counts[key][year] = n
    elif by == "region":
        stmt = (select(Enterprise.region, year_col, func.count()).join(Enterprise)
                .where(EnterpriseYear.is_sme.is_(True), *base_filter).group_by(Enterprise.region, year_col))
        for key, year, n in session.execute(stmt):
            counts[key or "—"][year] = n
    else:
        text_sectors = cast(Enterprise.sectors, Text)
        stmt = (select(text_sectors, year_col, func.count()).join(Enterprise)
                .where(EnterpriseYear.is_sme.is_(True), *base_filter).group_by(text_sectors, year_col))
        parsed: dict[str | None, list[str]] = {}
        for raw, year, n in session.execute(stmt):
            ids = parsed.get(raw)
            if ids is None:
                ids = [str(s) for s in (json.loads(raw) if raw else [])] or ["—"]
                parsed[raw] = ids
            for sid in ids:
                counts[sid][year] = counts[sid].get(year, 0) + n
    total_stmt = select(year_col, func.count()).where(*base_filter).group_by(year_col)
    if by != "size":
        total_stmt = total_stmt.where(EnterpriseYear.is_sme.is_(True))
    totals = dict(session.execute(total_stmt).all())
    all_years = tuple(sorted(set(years) if years else set(totals) | {y for c in counts.values() for y in c}))
    if by == "size":
        order = [s for s in SIZES if s in counts] + sorted(k for k in counts if k not in SIZES)
    elif by == "sector":
        order = [s for s in sectors_order if s in counts] + sorted(k for k in counts if k not in sectors_order)
    else:
        order = sorted(counts)
    groups = tuple(_group(key, counts[key], all_years) for key in order)
    return SmeTable(by, all_years, groups, _group("total", totals, all_years))
