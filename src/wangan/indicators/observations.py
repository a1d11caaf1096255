"""Observations with their provenance: a published figure of one indicator in one series, with its
value, year, unit, source, scope, vintage (publication date) and whether it was a forecast.

Two kinds of points make a series: the plan file's ``reference_observations`` (read-only, origin
``reference``) and the figures users record or import (origin ``user``). Series are never merged or
chained. When several points of one series share a year, the actual with the latest vintage is the one
used for computation; the others are listed as superseded. A forecast is never used as an actual.

A vintage given as a date and time with an offset (``2021-07-15T20:00:00-05:00``) is converted to the
Beijing calendar date (2021-07-16); one without an offset is read as Beijing time. Imports are
all-or-nothing: every problem of every row is reported with its row and column, and nothing is stored
unless the whole file is valid.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wangan.errors import Conflict, FieldProblem, Invalid, NotFound
from wangan.indicators import computations, imports, policy, registry, tabular, units
from wangan.indicators.events import IndicatorTag
from wangan.indicators.imports import ImportResult
from wangan.indicators.models import Observation
from wangan.indicators.plans import PlanFile, Series
from wangan.kernel import audit
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import BEIJING, beijing_date

SUBJECT = "indicator_observation"
WHAT = "observations"
YEAR_MIN, YEAR_MAX = 1900, 2100
MAX_SOURCE = 500
MAX_TEXT = 4000
MAX_TERM = 64
MAX_SIZE_CLASS = 16

REQUIRED = ("indicator", "series", "year", "value", "unit", "source", "vintage")
OPTIONAL = ("is_forecast", "scope", "sector", "region", "industry", "size_class", "note")
COLUMNS = (*REQUIRED, *OPTIONAL)
ALIASES = {"指标": "indicator", "序列": "series", "年份": "year", "数值": "value", "单位": "unit", "来源": "source",
           "发布日期": "vintage", "是否预测": "is_forecast", "口径": "scope", "领域": "sector", "地区": "region",
           "行业": "industry", "规模": "size_class", "备注": "note"}

Origin = Literal["reference", "user"]
Role = Literal["used", "forecast", "superseded"]


@dataclass(frozen=True)
class ObservationIn:
    """One observation as entered: plain values, validated by :func:`add_observation`."""

    plan_key: str
    indicator_id: str
    series_id: str
    year: int | str
    value: Decimal | str
    unit: str
    source: str
    vintage: date | str
    is_forecast: bool
    scope: str = ""
    sector: str = ""
    region: str = ""
    industry: str = ""
    size_class: str = ""
    note: str = ""


@dataclass(frozen=True)
class _Valid:
    indicator_id: str
    series_id: str
    year: int
    value: Decimal
    unit: units.Unit
    canonical_value: Decimal
    source: str
    vintage: date
    is_forecast: bool
    scope: str
    sector: str
    region: str
    industry: str
    size_class: str
    note: str
    vintage_shifted: str = ""  # the datetime given, when it was converted to a Beijing date

    @property
    def breakdown_key(self) -> str:
        return breakdown_key(self.sector, self.region, self.industry, self.size_class)

    def identity(self) -> tuple[str, str, int, str, date, str]:
        return (self.indicator_id, self.series_id, self.year, self.source, self.vintage, self.breakdown_key)


@dataclass(frozen=True)
class SeriesPoint:
    """One point of a series, with where it comes from and what it is used for.

    ``role`` is ``used`` for the actual that counts for its year (the latest vintage), ``forecast`` for
    the latest forecast of a year without an actual, ``superseded`` for every other point of that year."""

    origin: Origin
    id: uuid.UUID | None
    year: int
    value: Decimal
    unit: units.Unit | None  # None for a unit the app does not know (an uploaded plan's)
    published_unit: str  # the unit as written in the plan file or recorded
    canonical_value: Decimal | None  # in the series' canonical unit; None when the dimension differs
    is_forecast: bool
    vintage: date
    source: str
    scope: str
    note: str
    sector: str
    region: str
    industry: str
    size_class: str
    status: str  # the plan file's confirmed/secondary/doubtful for reference points, "" for user points
    approximate: bool
    role: Role

    @property
    def breakdown_key(self) -> str:
        return breakdown_key(self.sector, self.region, self.industry, self.size_class)

    @property
    def is_total(self) -> bool:
        return not (self.sector or self.region or self.industry or self.size_class)


@dataclass(frozen=True)
class SeriesView:
    """One series of one indicator: the plan's series and its points sorted by year (never merged with
    another series)."""

    indicator_id: str
    series: Series
    unit: units.Unit | None  # the series' unit (None if unknown)
    canonical_unit: units.Unit | None  # the unit of ``canonical_value`` (亿元 for CNY)
    points: tuple[SeriesPoint, ...]
    preferred: bool
    declared: bool = True  # False for a series that only recorded rows name (not in the plan)


def breakdown_key(sector: str, region: str, industry: str, size_class: str) -> str:
    """The disaggregation joined as one unique-able key: ``sector|region|industry|size_class``."""
    return "|".join((sector, region, industry, size_class))


def canonical_unit(unit: units.Unit) -> units.Unit:
    """The canonical unit of ``unit``'s dimension (亿元 for CNY, USD 100m for USD, itself otherwise)."""
    for candidate in units.UNITS:
        if candidate.dimension == unit.dimension and candidate.factor == Decimal(1):
            return candidate
    return unit  # pragma: no cover - every dimension has a unit of factor 1


def unit_label(unit: units.Unit) -> str:
    return unit.label_zh


# --------------------------------------------------------------------------- validation

Report = Callable[[str, str], None]
_fits = units.fits_amount


def _plan(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str) -> PlanFile:
    return registry.get_plan(session, principal, shipped, plan_key).plan


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _vintage(raw: date | str, field: str, report: Report) -> tuple[date | None, str]:
    """A publication date; a date and time is converted to its Beijing calendar date."""
    if isinstance(raw, datetime):
        moment = raw if raw.tzinfo is not None else raw.replace(tzinfo=BEIJING)
        return beijing_date(moment), raw.isoformat()
    if isinstance(raw, date):
        return raw, ""
    text = _text(raw)
    try:
        if len(text) > 10 and any(ch in text for ch in "T t:"):
            moment = tabular.parse_datetime(text, row=0, column=field, default_tz=BEIJING)
            return beijing_date(moment), text
        return tabular.parse_date(text, row=0, column=field), ""
    except tabular.CellError as exc:
        report(field, exc.problem.message)
        return None, ""


def _term(value: str, field: str, known: Sequence[str], limit: int, report: Report) -> str:
    text = _text(value)
    if len(text) > limit:
        report(field, f"at most {limit} characters")
    elif text and known and text not in known:
        report(field, f"unknown {field} {text!r}; known: {', '.join(known)}")
    return text


def _validate(plan: PlanFile, data: ObservationIn, today: date, report: Report) -> _Valid | None:
    """Check one observation against the plan; every problem goes to ``report(field, message)``."""
    problems_before = [0]

    def rep(field: str, message: str) -> None:
        problems_before[0] += 1
        report(field, message)

    indicator_id = _text(data.indicator_id)
    series_id = _text(data.series_id)
    if not indicator_id:
        rep("indicator", "an indicator is required")
    elif indicator_id not in plan.indicator_by_id:
        rep("indicator", f"plan {plan.id} has no indicator {indicator_id!r}; its indicators: "
                         + ", ".join(plan.indicator_by_id))
    series: Series | None = next((s for s in plan.series if s.id == series_id), None)
    if not series_id:
        rep("series", "a series is required")
    elif series is None:
        rep("series", f"plan {plan.id} has no series {series_id!r}; its series: "
                      + (", ".join(s.id for s in plan.series) or "none"))

    year: int | None = None
    if isinstance(data.year, bool):
        rep("year", "a year is required")
    elif isinstance(data.year, int):
        year = data.year
        if not YEAR_MIN <= year <= YEAR_MAX:
            rep("year", f"{year} is not a year between {YEAR_MIN} and {YEAR_MAX}")
            year = None
    else:
        try:
            year = tabular.parse_year(_text(data.year), row=0, column="year")
        except tabular.CellError as exc:
            rep("year", exc.problem.message)

    value: Decimal | None = None
    if isinstance(data.value, Decimal):
        if data.value.is_finite():
            value = data.value
        else:
            rep("value", f"{data.value} is not a number")
    else:
        try:
            value = tabular.parse_decimal(_text(data.value), row=0, column="value")
        except tabular.CellError as exc:
            rep("value", exc.problem.message)

    unit: units.Unit | None = None
    unit_text = _text(data.unit)
    if not unit_text:
        rep("unit", "a unit is required")
    else:
        try:
            unit = units.parse_unit(unit_text)
        except units.UnitError as exc:
            rep("unit", exc.detail)
    canonical: Decimal | None = None
    if unit is not None and series is not None:
        series_unit = units.parse_unit(series.unit)
        if unit.dimension != series_unit.dimension:
            rep("unit", f"{unit_text!r} ({unit.label_en}) does not fit series {series.id}, which is in "
                        f"{series_unit.label_zh} ({series_unit.label_en}): "
                        + ("amounts in another currency are a series of their own, never converted"
                           if {unit.dimension, series_unit.dimension} == {"money_cny", "money_usd"}
                           else "they measure different things"))
        elif value is not None:
            target = canonical_unit(series_unit)
            canonical = units.convert(value, unit, target) if _fits(value) else None
            if canonical is None or not _fits(canonical):
                rep("value", f"{value} {unit.label_zh} has too many digits: at most {units.MAX_WHOLE_DIGITS} "
                             f"before and {units.MAX_DECIMALS} after the point, also in {target.label_zh}")
                canonical = None

    source = _text(data.source)
    if not source:
        rep("source", "a source is required (publisher and publication)")
    elif len(source) > MAX_SOURCE:
        rep("source", f"at most {MAX_SOURCE} characters")

    vintage, shifted = _vintage(data.vintage, "vintage", rep)
    if vintage is not None:
        if vintage > today:
            rep("vintage", f"{vintage.isoformat()} is in the future: the vintage is the day the figure was "
                           "published")
        elif year is not None and not data.is_forecast and vintage.year <= year:
            rep("vintage", f"an actual figure for {year} cannot have been published on {vintage.isoformat()}, "
                           "before the year was over: mark it as a forecast")

    scope = _text(data.scope)
    note = _text(data.note)
    for name, text in (("scope", scope), ("note", note)):
        if len(text) > MAX_TEXT:
            rep(name, f"at most {MAX_TEXT} characters")
    sector = _term(data.sector, "sector", [t.id for t in plan.sectors], MAX_TERM, rep)
    industry = _term(data.industry, "industry", [t.id for t in plan.key_industries], MAX_TERM, rep)
    region = _term(data.region, "region", [], MAX_TERM, rep)
    size_class = _term(data.size_class, "size_class", [], MAX_SIZE_CLASS, rep)

    if problems_before[0] or year is None or value is None or unit is None or canonical is None \
            or vintage is None or series is None:
        return None
    return _Valid(indicator_id=indicator_id, series_id=series_id, year=year, value=value, unit=unit,
                  canonical_value=canonical, source=source, vintage=vintage, is_forecast=bool(data.is_forecast),
                  scope=scope, sector=sector, region=region, industry=industry, size_class=size_class, note=note,
                  vintage_shifted=shifted)


def _reference_duplicate(plan: PlanFile, v: _Valid) -> str | None:
    if v.breakdown_key != breakdown_key("", "", "", ""):
        return None
    for ref in plan.reference_observations:
        if (ref.indicator, ref.series, ref.year, ref.source.strip(), ref.vintage) == (
                v.indicator_id, v.series_id, v.year, v.source, v.vintage):
            return (f"the plan's reference data already has {ref.indicator} / {ref.series} {ref.year} = {ref.value} "
                    f"{ref.unit} from {ref.source!r} published {ref.vintage.isoformat()}")
    return None


def _db_duplicate(session: Session, plan_key: str, v: _Valid) -> Observation | None:
    return session.scalar(select(Observation).where(
        Observation.plan_key == plan_key, Observation.indicator_id == v.indicator_id,
        Observation.series_id == v.series_id, Observation.year == v.year, Observation.source == v.source,
        Observation.vintage == v.vintage, Observation.breakdown_key == v.breakdown_key))


def _describe(o: Observation) -> str:
    return (f"observation {o.id}: {o.indicator_id} / {o.series_id} {o.year} = {o.value} {o.unit} from "
            f"{o.source!r} published {o.vintage.isoformat()}")


def _row(plan_key: str, v: _Valid, principal: Principal, now: datetime | None,
         batch_id: uuid.UUID | None) -> Observation:
    row = Observation(plan_key=plan_key, indicator_id=v.indicator_id, series_id=v.series_id, year=v.year,
                      value=v.value, unit=v.unit.code, canonical_value=v.canonical_value, source=v.source,
                      scope=v.scope, vintage=v.vintage, is_forecast=v.is_forecast, sector=v.sector,
                      region=v.region, industry=v.industry, size_class=v.size_class,
                      breakdown_key=v.breakdown_key, note=v.note, batch_id=batch_id,
                      created_by=principal.user_id)
    if now is not None:
        row.created_at = now
    return row


def _today(now: datetime | None) -> date:
    return beijing_date(now or datetime.now(tz=BEIJING))


# --------------------------------------------------------------------------- single records


def add_observation(session: Session, principal: Principal, shipped: Sequence[PlanFile], data: ObservationIn, *,
                    now: datetime | None = None) -> Observation:
    """Validate and record one observation; a duplicate (same series, year, source, vintage and
    breakdown, here or in the plan's reference data) is refused with Conflict naming the existing one."""
    policy.require_write(principal, WHAT)
    plan = _plan(session, principal, shipped, data.plan_key)
    problems: list[FieldProblem] = []
    valid = _validate(plan, data, _today(now), lambda f, m: problems.append(FieldProblem(f, m)))
    if problems or valid is None:
        raise Invalid("the observation was not recorded: " + "; ".join(f"{p.field}: {p.message}" for p in problems),
                      problems=problems)
    reference = _reference_duplicate(plan, valid)
    if reference is not None:
        raise Conflict(f"duplicate observation: {reference}",
                       problems=[FieldProblem("vintage", "same series, year, source and vintage")])
    existing = _db_duplicate(session, plan.id, valid)
    if existing is not None:
        raise Conflict(f"duplicate observation: {_describe(existing)}",
                       problems=[FieldProblem("vintage", "same series, year, source and vintage")])
    row = _row(plan.id, valid, principal, now, None)
    session.add(row)
    session.flush()
    audit.record(session, IndicatorTag.OBSERVATION_ADDED, policy.actor_of(principal), SUBJECT, row.id, data={
        "plan": plan.id, "indicator": row.indicator_id, "series": row.series_id, "year": row.year,
        "value": str(row.value), "unit": row.unit, "vintage": row.vintage.isoformat(),
        "is_forecast": row.is_forecast, **({"vintage_given": valid.vintage_shifted} if valid.vintage_shifted else {}),
    })
    return row


def get_observation(session: Session, principal: Principal, observation_id: uuid.UUID | str) -> Observation:
    policy.require_read(principal)
    try:
        key = observation_id if isinstance(observation_id, uuid.UUID) else uuid.UUID(str(observation_id))
    except ValueError:
        raise NotFound(f"no observation {observation_id}") from None
    row = session.get(Observation, key)
    if row is None:
        raise NotFound(f"no observation {observation_id}")
    return row


def delete_observation(session: Session, principal: Principal, observation_id: uuid.UUID | str) -> None:
    """Remove one recorded observation (reference points of the plan file cannot be removed)."""
    policy.require_write(principal, WHAT)
    row = get_observation(session, principal, observation_id)
    data = {"plan": row.plan_key, "indicator": row.indicator_id, "series": row.series_id, "year": row.year,
            "value": str(row.value), "unit": row.unit, "source": row.source, "vintage": row.vintage.isoformat()}
    session.delete(row)
    session.flush()
    audit.record(session, IndicatorTag.OBSERVATION_DELETED, policy.actor_of(principal), SUBJECT, row.id, data=data)


def list_observations(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str, *,
                      indicator_id: str | None = None, series_id: str | None = None, include_forecasts: bool = True,
                      limit: int = 100, offset: int = 0) -> tuple[list[Observation], int]:
    """The recorded (user) observations of a plan, by indicator, series, year and vintage."""
    plan = _plan(session, principal, shipped, plan_key)
    query = select(Observation).where(Observation.plan_key == plan.id)
    if indicator_id:
        query = query.where(Observation.indicator_id == indicator_id)
    if series_id:
        query = query.where(Observation.series_id == series_id)
    if not include_forecasts:
        query = query.where(Observation.is_forecast.is_(False))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.scalars(query.order_by(Observation.indicator_id, Observation.series_id, Observation.year,
                                          Observation.vintage, Observation.breakdown_key)
                           .limit(limit).offset(offset)).all()
    return list(rows), int(total)


# --------------------------------------------------------------------------- the merged view
#
# The one place where a series is assembled: the plan's reference points plus the recorded ones, each
# with its value converted to the series' canonical unit, and per year (and breakdown) one role.
# ``series_view`` (the observations page) and ``wangan.indicators.progress`` (statuses) both use it.


def _unit(text: str) -> units.Unit | None:
    try:
        return units.parse_unit(text)
    except units.UnitError:
        return None


def _canonical(value: Decimal, unit: units.Unit | None, target: units.Unit | None) -> Decimal | None:
    if unit is None or target is None:
        return None
    try:
        return units.convert(value, unit, target)
    except units.UnitError:
        return None


def in_unit(point: SeriesPoint, unit_text: str) -> Decimal | None:
    """``point``'s value in ``unit_text`` (e.g. the indicator's unit), or None when the dimensions (or
    currencies) differ or a unit is unknown."""
    if point.published_unit.strip() == unit_text.strip():
        return point.value
    try:
        return units.convert(point.value, point.published_unit, unit_text)
    except units.UnitError:
        return None


def _assign_roles(points: list[SeriesPoint]) -> list[SeriesPoint]:
    """Per year and breakdown: the latest actual is used, or else the latest forecast; the rest superseded."""
    groups: dict[tuple[int, str], list[SeriesPoint]] = {}
    for p in points:
        groups.setdefault((p.year, p.breakdown_key), []).append(p)
    out: list[SeriesPoint] = []
    for group in groups.values():
        actuals = [p for p in group if not p.is_forecast]
        pool = actuals or group
        # Latest vintage wins; on the same day a recorded figure beats the plan file's.
        chosen = max(pool, key=lambda p: (p.vintage, p.origin == "user"))
        for p in group:
            role: Role = "superseded"
            if p is chosen:
                role = "forecast" if p.is_forecast else "used"
            out.append(replace(p, role=role))
    out.sort(key=lambda p: (p.year, p.breakdown_key, p.vintage, p.origin))
    return out


def plan_rows(session: Session, plan_key: str, *, indicator_id: str | None = None,
              totals_only: bool = False) -> list[Observation]:
    """The recorded observations of a plan (optionally of one indicator, or totals only): one query."""
    query = select(Observation).where(Observation.plan_key == plan_key)
    if indicator_id is not None:
        query = query.where(Observation.indicator_id == indicator_id)
    if totals_only:  # by the columns: rows recorded here carry the key "|||", older ones ""
        query = query.where(Observation.sector == "", Observation.region == "", Observation.industry == "",
                            Observation.size_class == "")
    return list(session.scalars(query))


def assemble_series(plan: PlanFile, indicator_id: str, rows: Iterable[Observation], *,
                    as_of_year: int | None = None) -> list[SeriesView]:
    """Every series of ``indicator_id`` built from the plan's reference points and the pre-fetched
    ``rows`` (rows of other indicators are skipped, so a whole plan's rows can be passed; no query here).

    The plan's series come first, in file order, each even without points; then series that only
    recorded rows name (not, or no longer, in the plan), by id. ``as_of_year`` leaves later years out."""
    indicator = plan.indicator_by_id[indicator_id]
    declared = {s.id: s for s in plan.series}
    by_series: dict[str, list[SeriesPoint]] = {}

    def target_of(series_id: str, unit: units.Unit | None) -> units.Unit | None:
        series = declared.get(series_id)
        series_unit = _unit(series.unit) if series is not None else unit
        return canonical_unit(series_unit) if series_unit is not None else None

    for ref in plan.observations(indicator_id):
        if as_of_year is not None and ref.year > as_of_year:
            continue
        unit = _unit(ref.unit)
        by_series.setdefault(ref.series, []).append(SeriesPoint(
            origin="reference", id=None, year=ref.year, value=ref.amount, unit=unit, published_unit=ref.unit,
            canonical_value=_canonical(ref.amount, unit, target_of(ref.series, unit)), is_forecast=ref.is_forecast,
            vintage=ref.vintage, source=ref.source, scope="", note=ref.note, sector="", region="", industry="",
            size_class="", status=ref.status, approximate=ref.approximate, role="used"))
    for o in rows:
        if o.indicator_id != indicator_id or (as_of_year is not None and o.year > as_of_year):
            continue
        value = Decimal(o.value)
        by_series.setdefault(o.series_id, []).append(SeriesPoint(
            origin="user", id=o.id, year=o.year, value=value, unit=_unit(o.unit), published_unit=o.unit,
            canonical_value=Decimal(o.canonical_value), is_forecast=o.is_forecast, vintage=o.vintage,
            source=o.source, scope=o.scope, note=o.note or "", sector=o.sector, region=o.region,
            industry=o.industry, size_class=o.size_class, status="", approximate=False, role="used"))
    views: list[SeriesView] = []
    for sid in [*declared, *sorted(set(by_series) - set(declared))]:
        points = by_series.get(sid, [])
        series = declared.get(sid)
        if series is None:  # recorded against a series the plan no longer has
            series = Series.model_construct(id=sid, name_zh=sid, name_en=sid, publisher="", scope="",
                                            currency=None, unit=points[0].published_unit, chainable_with=[],
                                            note="")
        unit = _unit(series.unit)
        views.append(SeriesView(indicator_id=indicator_id, series=series, unit=unit,
                                canonical_unit=canonical_unit(unit) if unit is not None else None,
                                points=tuple(_assign_roles(points)),
                                preferred=sid == indicator.preferred_series, declared=sid in declared))
    return views


def series_view(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str,
                indicator_id: str) -> list[SeriesView]:
    """Every series of ``indicator_id`` with its reference and recorded points (preferred series first;
    other series only when they have points)."""
    plan = _plan(session, principal, shipped, plan_key)
    if indicator_id not in plan.indicator_by_id:
        raise NotFound(f"plan {plan.id} has no indicator {indicator_id!r}")
    views = assemble_series(plan, indicator_id, plan_rows(session, plan.id, indicator_id=indicator_id))
    shown = [v for v in views if v.declared and (v.points or v.preferred)]
    return sorted(shown, key=lambda v: not v.preferred)


def actual_points(view: SeriesView) -> list[computations.Point]:
    """The actuals used for computation: one per year (the latest vintage), totals only, in canonical
    units, sorted by year. Forecasts and superseded points are never included."""
    return [computations.Point(p.year, p.canonical_value) for p in view.points
            if p.role == "used" and p.is_total and p.canonical_value is not None]


# --------------------------------------------------------------------------- import and export


def _cell_in(row: tabular.Row, plan_key: str) -> ObservationIn:
    c = row.cells
    return ObservationIn(plan_key=plan_key, indicator_id=c["indicator"], series_id=c["series"], year=c["year"],
                         value=c["value"], unit=c["unit"], source=c["source"], vintage=c["vintage"],
                         is_forecast=False, scope=c.get("scope", ""), sector=c.get("sector", ""),
                         region=c.get("region", ""), industry=c.get("industry", ""),
                         size_class=c.get("size_class", ""), note=c.get("note", ""))


def _reporter(collector: tabular.ProblemCollector, table: tabular.Table, number: int) -> Report:
    def report(field: str, message: str) -> None:
        collector.report(number, table.label(field), message)

    return report


def _rows_text(numbers: list[int]) -> str:
    return ("row " if len(numbers) == 1 else "rows ") + ", ".join(str(n) for n in numbers)


def import_observations(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str,
                        data: bytes, filename: str, *, now: datetime | None = None) -> ImportResult:
    """Import a CSV or XLSX file of observations, all or nothing.

    Raises :class:`~wangan.indicators.tabular.TableError` listing every problem (row and column as the
    user sees them) when any row is bad; nothing is stored then."""
    policy.require_write(principal, WHAT)
    plan = _plan(session, principal, shipped, plan_key)
    table = tabular.read_table(data, filename, required=REQUIRED, optional=OPTIONAL, aliases=ALIASES)
    collector = tabular.ProblemCollector()
    today = _today(now)
    valid: list[tuple[int, _Valid]] = []
    for row in table.rows:
        raw = row.cells.get("is_forecast", "")
        forecast = False
        if raw.strip():
            parsed = collector.check(tabular.parse_bool, raw, row=row.number, column=table.label("is_forecast"))
            forecast = bool(parsed)
        entry = replace(_cell_in(row, plan.id), is_forecast=forecast)
        checked = _validate(plan, entry, today, _reporter(collector, table, row.number))
        if checked is not None:
            valid.append((row.number, checked))
    # One unit per series in a file: mixing 亿元 and 万元 (or CNY and USD) in one series is refused.
    units_by_series: dict[str, dict[str, list[int]]] = {}
    for number, v in valid:
        units_by_series.setdefault(v.series_id, {}).setdefault(v.unit.code, []).append(number)
    for series_id, found in units_by_series.items():
        if len(found) > 1:
            by_code = {u.code: u for u in units.UNITS}
            listed = "; ".join(f"{by_code[code].label_zh} ({by_code[code].label_en}) in {_rows_text(rows)}"
                               for code, rows in found.items())
            collector.report(None, table.label("unit"), f"mixed units in series {series_id}: {listed}; use one "
                             "unit per series in a file")
    seen: dict[tuple[str, str, int, str, date, str], int] = {}
    for number, v in valid:
        key = v.identity()
        if key in seen:
            collector.report(number, table.label("vintage"), f"duplicate of row {seen[key]}: same series, year, "
                             "source and vintage")
            continue
        seen[key] = number
        reference = _reference_duplicate(plan, v)
        if reference is not None:
            collector.report(number, table.label("vintage"), f"duplicate: {reference}")
            continue
        existing = _db_duplicate(session, plan.id, v)
        if existing is not None:
            collector.report(number, table.label("vintage"), f"duplicate of recorded {_describe(existing)}")
    collector.raise_if_any()
    batch = imports.new_batch(session, principal, "observations", filename, data, len(valid), now=now)
    session.add_all([_row(plan.id, v, principal, now, batch.id) for _n, v in valid])
    session.flush()
    warnings = tuple(f"row {n}: vintage {v.vintage_shifted} taken as the Beijing date {v.vintage.isoformat()}"
                     for n, v in valid if v.vintage_shifted)
    audit.record(session, IndicatorTag.OBSERVATIONS_IMPORTED, policy.actor_of(principal), SUBJECT, batch.id, data={
        "plan": plan.id, "filename": batch.filename, "rows": len(valid), "created": len(valid),
        "sha256": batch.sha256,
    })
    return ImportResult(batch_id=batch.id, kind="observations", filename=batch.filename, rows=len(valid),
                        created=len(valid), warnings=warnings)




_safe = tabular.spreadsheet_safe


def export_observations_csv(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str, *,
                            indicator_id: str | None = None, series_id: str | None = None) -> str:
    """The recorded observations as CSV (UTF-8 with BOM, for Excel), in the import's columns."""
    rows, _total = list_observations(session, principal, shipped, plan_key, indicator_id=indicator_id,
                                     series_id=series_id, limit=1_000_000)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for o in rows:
        writer.writerow([o.indicator_id, o.series_id, o.year, format(o.value, "f"),
                         units.parse_unit(o.unit).label_zh, _safe(o.source), o.vintage.isoformat(),
                         "true" if o.is_forecast else "false", _safe(o.scope), o.sector, _safe(o.region),
                         o.industry, o.size_class, _safe(o.note)])
    audit.record(session, IndicatorTag.REPORT_EXPORTED, policy.actor_of(principal), "indicator_observations",
                 plan_key, data={"plan": plan_key, "format": "csv", "rows": len(rows),
                                 "indicator": indicator_id, "series": series_id})
    return "\ufeff" + out.getvalue()


def template_csv() -> str:
    """A sample file: the header row and one example row (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(["IND-SCALE", "CAICT-BROAD", "2021", "2002.5", "亿元", "CAICT white paper (2022)", "2022-01-15",
                     "false", "", "", "", "", "", ""])
    return "\ufeff" + out.getvalue()
