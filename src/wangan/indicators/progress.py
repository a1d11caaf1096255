"""Progress of a plan: a status per goal, per indicator and per series, with the method written down.

For every indicator with a target, each data series is assessed on its own (series of different scope
are never chained): level and share indicators by :func:`~wangan.indicators.computations.assess_level`,
rate indicators (``computed_from`` a level) by :func:`~wangan.indicators.computations.assess_rate` over
the level series. The preferred series' assessment is the indicator's headline; a goal's status is the
worst of its indicators with a target; a qualitative goal is "not measured".

Only actual values enter a status. Forecasts are kept apart: they are shown (dashed in charts) and used
for one figure only, the growth still needed from the latest forecast, labelled as such. Values are
converted to the indicator's unit when the dimensions match; a series in another currency (IDC, USD) is
shown as its own series and never assessed against a CNY target.

The data come from the plan's ``reference_observations`` and the ``Observation`` table (totals only,
no breakdown), assembled by :func:`wangan.indicators.observations.assemble_series`: per series and year the
actual of the latest vintage wins (or, for a year without one, the latest forecast); the others are kept
as superseded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.indicators import computations as comp
from wangan.indicators import observations, policy, registry
from wangan.indicators.computations import Assessment, ComputationError, Point, Status, Step
from wangan.indicators.events import IndicatorTag
from wangan.indicators.models import Observation as ObservationRow
from wangan.indicators.plans import Goal, Indicator, PlanFile
from wangan.indicators.tabular import spreadsheet_safe
from wangan.kernel import audit
from wangan.kernel.auth import Principal

Origin = Literal["reference", "user"]
NOT_MEASURED = "not_measured"

# Worst first: a goal shows the worst status of its indicators with a target.
_SEVERITY: dict[str, int] = {"off_track": 0, "at_risk": 1, "no_data": 2, "on_track": 3, "achieved": 4}

STATUS_TEXT: dict[str, tuple[str, str]] = {
    **{s.value: (zh, en) for s, (en, zh) in comp.STATUS_LABELS.items()},
    NOT_MEASURED: ("未量化测度", "not measured"),
}
"""Status label per status value, (zh, en)."""

# Step keys whose value is a growth rate (a fraction shown as a percentage).
_RATE_KEYS = frozenset({"observed_cagr", "required_cagr", "still_needed"})


@dataclass(frozen=True)
class UsedObservation:
    """One observation of a series, with provenance, in the unit it was published in and converted."""

    year: int
    value: Decimal  # as published
    unit: str  # as published
    converted: Decimal | None  # in the indicator's unit; None when the dimensions differ
    is_forecast: bool
    origin: Origin
    source: str
    vintage: date
    status: str  # confirmed / secondary / doubtful for reference data; "user" for users' figures
    approximate: bool
    note: str
    superseded: bool  # a later actual of the same year (or, without one, a later forecast) replaced it


@dataclass(frozen=True)
class SeriesData:
    """One data series of an indicator: actual and forecast points (latest vintage per year)."""

    series_id: str
    name_zh: str
    name_en: str
    publisher: str
    scope: str
    unit: str  # the unit the points are in (the indicator's when comparable, else as published)
    comparable: bool  # converted to the indicator's unit
    actuals: tuple[Point, ...]
    forecasts: tuple[Point, ...]
    observations: tuple[UsedObservation, ...]


@dataclass(frozen=True)
class Growth:
    """Year-on-year growth between two consecutive actual years of one series."""

    year: int
    value: Decimal
    growth: Decimal | None


@dataclass(frozen=True)
class SeriesProgress:
    data: SeriesData
    preferred: bool
    assessment: Assessment
    growth: tuple[Growth, ...]


@dataclass(frozen=True)
class ForecastNeed:
    """The annual growth still needed from a forecast value (not an actual) to the target."""

    series_id: str
    forecast: Point
    rate: Decimal
    step: Step


@dataclass(frozen=True)
class IndicatorProgress:
    indicator: Indicator
    target: comp.Target | None  # in computation terms (a rate target as a fraction)
    series: tuple[SeriesProgress, ...]
    headline: Assessment
    headline_series: str | None
    forecast_need: ForecastNeed | None

    @property
    def status(self) -> Status:
        return self.headline.status

    @property
    def assessed(self) -> bool:
        return self.indicator.target is not None


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    status: str  # a Status value or "not_measured"
    indicators: tuple[IndicatorProgress, ...]

    @property
    def measured(self) -> bool:
        return self.status != NOT_MEASURED


@dataclass(frozen=True)
class PlanProgress:
    plan: PlanFile
    origin: registry.Origin
    as_of_year: int | None
    generated_at: datetime
    thresholds: comp.Thresholds
    goals: tuple[GoalProgress, ...]
    observation_count: int = 0

    def goal(self, goal_id: str) -> GoalProgress:
        for g in self.goals:
            if g.goal.id == goal_id:
                return g
        raise KeyError(goal_id)

    def indicator(self, indicator_id: str) -> IndicatorProgress:
        for g in self.goals:
            for i in g.indicators:
                if i.indicator.id == indicator_id:
                    return i
        raise KeyError(indicator_id)


# --- series data (assembled by wangan.indicators.observations.assemble_series) --------------------------


def _used(p: observations.SeriesPoint, unit: str) -> UsedObservation:
    return UsedObservation(p.year, p.value, p.published_unit, observations.in_unit(p, unit), p.is_forecast, p.origin,
                           p.source, p.vintage, p.status or "user", p.approximate, p.note, p.role == "superseded")


def _series_data(view: observations.SeriesView, indicator: Indicator) -> SeriesData:
    """Progress' reading of one series: actual and forecast points in the indicator's unit when every
    point converts to it (else as published), and every observation with its provenance."""
    used = [_used(p, indicator.unit) for p in view.points]
    comparable = all(o.converted is not None for o in used)

    def pts(role: str) -> tuple[Point, ...]:
        return tuple(Point(p.year, o.converted if comparable and o.converted is not None else o.value)
                     for p, o in zip(view.points, used, strict=True) if p.role == role)

    s = view.series
    return SeriesData(s.id, s.name_zh, s.name_en, s.publisher, s.scope, indicator.unit if comparable else s.unit,
                      comparable, pts("used"), pts("forecast"),
                      tuple(sorted(used, key=lambda o: (o.year, o.is_forecast, o.vintage))))


def _series_points(plan: PlanFile, indicator_id: str, rows: Sequence[ObservationRow],
                   as_of_year: int | None = None) -> list[SeriesData]:
    """Per series with data (plan series in file order, then users' own): its points from ``rows``
    (the plan's total observations, fetched once) and the plan's reference data."""
    indicator = plan.indicator(indicator_id)
    views = observations.assemble_series(plan, indicator_id, rows, as_of_year=as_of_year)
    return [_series_data(v, indicator) for v in views if v.points]


# --- assessments -----------------------------------------------------------------------------------


def _no_data(en: str, zh: str, steps: tuple[Step, ...] = (), latest: Point | None = None) -> Assessment:
    label_en, label_zh = comp.STATUS_LABELS[Status.NO_DATA]
    return Assessment(Status.NO_DATA, latest, None, None, None, None, None, None, steps,
                      f"{label_en.capitalize()}: {en}", f"{label_zh}：{zh}")


def _target(indicator: Indicator, base: Point | None) -> comp.Target | None:
    t = indicator.target
    if t is None:
        return None
    value = t.amount / 100 if indicator.kind == "rate" else t.amount
    return comp.Target(value, t.year, t.comparator, base)


def _base(indicator: Indicator, series: SeriesData, preferred: bool) -> Point | None:
    """The baseline point for this series: a value fixed in the plan (preferred series only), else the
    series' own actual value in the base year; None if the plan names no base year."""
    b = indicator.baseline
    if b is None:
        return None
    if b.value is not None and preferred:
        return Point(b.year, Decimal(b.value))
    for p in series.actuals:
        if p.year == b.year:
            return p
    return None


def _growth(points: Sequence[Point]) -> tuple[Growth, ...]:
    out: list[Growth] = []
    prev: Point | None = None
    for p in points:
        g = None
        if prev is not None and prev.year == p.year - 1 and prev.value > 0:
            g = comp.yoy_growth(prev.value, p.value)
        out.append(Growth(p.year, p.value, g))
        prev = p
    return tuple(out)


def _assess_series(indicator: Indicator, series: SeriesData, preferred: bool,
                   thresholds: comp.Thresholds) -> Assessment:
    if indicator.target is None:
        return _no_data("the goal sets no number; counts and growth are shown, not a status.",
                        "目标未设定具体数值；仅显示数量和增长，不评定状态。",
                        latest=series.actuals[-1] if series.actuals else None)
    if not series.comparable:
        return _no_data(f"different unit: the series is in {series.unit}, the target in {indicator.unit}; "
                        "it is shown on its own and never converted or compared with the target.",
                        f"单位不同：该序列单位为{series.unit}，目标单位为{indicator.unit}；单独显示，不换算、不与目标比较。")
    if not series.actuals:
        return _no_data("no actual value in this series (forecasts are never used as actuals).",
                        "该序列尚无实际值（预测值不作为实际值）。")
    base = _base(indicator, series, preferred)
    target = _target(indicator, base)
    assert target is not None
    if indicator.kind == "rate":
        if base is None:
            year = indicator.baseline.year if indicator.baseline else None
            return _no_data(f"the series has no actual value for the base year {year}.",
                            f"该序列缺少基年{year}年的实际值。", latest=series.actuals[-1])
        try:
            return comp.assess_rate(series.actuals, target, thresholds)
        except ComputationError as exc:
            return _cannot_compute(exc, series)
    if indicator.baseline is not None and base is None:
        # The plan's base year is missing in this series: measure from its earliest actual instead.
        target = comp.Target(target.value, target.year, target.comparator, None)
    try:
        return comp.assess_level(series.actuals, target, thresholds)
    except ComputationError as exc:
        return _cannot_compute(exc, series)


def _cannot_compute(exc: ComputationError, series: SeriesData) -> Assessment:
    """Figures the method cannot work with (a zero or negative base, say) leave the series without a
    status, and say why, rather than failing the whole dashboard."""
    return _no_data(f"the figures cannot be assessed: {exc.detail}.", f"无法据此评估:{exc.detail}。",
                    latest=series.actuals[-1] if series.actuals else None)


def _forecast_need(indicator: Indicator, series: SeriesData, target: comp.Target | None) -> ForecastNeed | None:
    """Growth still needed from the latest forecast after the latest actual (e.g. ≈2200 in 2022 → >2500)."""
    if target is None or indicator.kind == "rate" or not series.comparable or not series.forecasts:
        return None
    last_actual = series.actuals[-1].year if series.actuals else None
    later = [f for f in series.forecasts if (last_actual is None or f.year > last_actual) and f.year < target.year]
    if not later or later[-1].value <= 0:
        return None
    f = later[-1]
    rate = comp.required_cagr(f.value, f.year, target.value, target.year)
    formula = f"({target.value:f} / {f.value:f})^(1/{target.year - f.year}) − 1"
    step = Step("still_needed_from_forecast", f"growth still needed {f.year}–{target.year} from the {f.year} FORECAST",
                f"以{f.year}年预测值计，{f.year}–{target.year}年仍需年均增速", formula, rate)
    return ForecastNeed(series.series_id, f, rate, step)


def _indicator_progress(plan: PlanFile, indicator: Indicator, rows: Sequence[ObservationRow],
                        as_of_year: int | None, thresholds: comp.Thresholds) -> IndicatorProgress:
    source_id = indicator.computed_from or indicator.id
    series = _series_points(plan, source_id, rows, as_of_year)
    # A rate is computed from the level series, in that indicator's unit.
    unit_of = plan.indicator(source_id).unit
    preferred_id = indicator.preferred_series
    assessed: list[SeriesProgress] = []
    for s in series:
        is_pref = s.series_id == preferred_id
        if indicator.computed_from is not None and not s.comparable:
            a = _no_data(f"different unit: the series is in {s.unit}, the level indicator in {unit_of}.",
                         f"单位不同：该序列单位为{s.unit}，计算所用指标单位为{unit_of}。")
        else:
            a = _assess_series(indicator, s, is_pref, thresholds)
        assessed.append(SeriesProgress(s, is_pref, a, _growth(s.actuals)))
    headline_sp = next((sp for sp in assessed if sp.preferred), None)
    if headline_sp is None and preferred_id is None and len(assessed) == 1:
        headline_sp = assessed[0]
    if headline_sp is not None:
        headline, headline_id = headline_sp.assessment, headline_sp.data.series_id
    elif indicator.target is None:
        headline, headline_id = _no_data("the goal sets no number; counts and growth are shown, not a status.",
                                         "目标未设定具体数值；仅显示数量和增长，不评定状态。"), None
    elif preferred_id is not None:
        headline, headline_id = _no_data(f"no data in the preferred series {preferred_id} yet.",
                                         f"首选序列{preferred_id}尚无数据。"), None
    elif assessed:
        headline, headline_id = _no_data("several series and none preferred: each is assessed on its own.",
                                         "存在多个序列且未指定首选序列：各序列分别评估。"), None
    else:
        headline, headline_id = _no_data("no observations yet.", "尚无观测数据。"), None
    target = _target(indicator, headline.base)
    need = None
    if headline_sp is not None:
        need = _forecast_need(indicator, headline_sp.data, _target(indicator, None))
    return IndicatorProgress(indicator, target, tuple(assessed), headline, headline_id, need)


def _goal_status(goal: Goal, indicators: Sequence[IndicatorProgress]) -> str:
    if goal.kind == "qualitative":
        return NOT_MEASURED
    statuses = [i.status.value for i in indicators if i.assessed]
    if not statuses:
        return Status.NO_DATA.value
    return min(statuses, key=lambda s: _SEVERITY[s])


def thresholds_of(plan: PlanFile) -> comp.Thresholds:
    t = plan.progress_thresholds
    return comp.Thresholds(Decimal(t.on_track), Decimal(t.at_risk))


def compute(session: Session, plan: PlanFile, origin: registry.Origin, *, as_of_year: int | None = None,
            now: datetime | None = None) -> PlanProgress:
    """The progress of ``plan`` without a policy check (callers checked read access)."""
    rows = observations.plan_rows(session, plan.id, totals_only=True)
    thresholds = thresholds_of(plan)
    goals = []
    for goal in plan.goals:
        inds = tuple(_indicator_progress(plan, ind, rows, as_of_year, thresholds) for ind in goal.indicators)
        goals.append(GoalProgress(goal, _goal_status(goal, inds), inds))
    return PlanProgress(plan, origin, as_of_year, now or utcnow(), thresholds, tuple(goals), len(rows))


def plan_progress(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str, *,
                  as_of_year: int | None = None, now: datetime | None = None) -> PlanProgress:
    """Status per goal, indicator and series of plan ``plan_key``; ``as_of_year`` ignores later years."""
    entry = registry.get_plan(session, principal, shipped, plan_key)
    return compute(session, entry.plan, entry.origin, as_of_year=as_of_year, now=now)


def record_export(session: Session, principal: Principal, progress: PlanProgress, fmt: str, lang: str) -> None:
    """Note in the audit log that a report of the plan was exported (format and language)."""
    audit.record(session, IndicatorTag.REPORT_EXPORTED, policy.actor_of(principal), "indicator_plan_report",
                 progress.plan.id, data={"plan": progress.plan.id, "format": fmt, "lang": lang})


# --- presentation helpers shared by every adapter ------------------------------------------------------


def status_label(status: str, lang: str) -> str:
    zh, en = STATUS_TEXT.get(status, (status, status))
    return zh if lang == "zh" else en


def fmt_number(value: Decimal | None) -> str:
    """A value for display: plain notation, trailing zeros trimmed, at most 2 decimals."""
    if value is None:
        return "—"
    text = f"{value.quantize(Decimal('0.01')):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_rate(value: Decimal | None) -> str:
    return "—" if value is None else comp.percent(value)


def step_value(step: Step, rate_indicator: bool = False) -> str:
    """The value of a step for display: rates as percentages, the ratio with two decimals."""
    if step.value is None:
        return "—"
    if step.key in _RATE_KEYS or step.key == "still_needed_from_forecast" or (rate_indicator and step.key == "target"):
        return comp.percent(step.value, 2)
    if step.key == "ratio":
        return f"{step.value.quantize(Decimal('0.01')):f}"
    return fmt_number(step.value)


# --- JSON and CSV --------------------------------------------------------------------------------------


def _s(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _point(p: Point | None) -> dict[str, Any] | None:
    return None if p is None else {"year": p.year, "value": _s(p.value)}


def _steps(steps: Iterable[Step], rate: bool) -> list[dict[str, Any]]:
    return [{"key": s.key, "label": {"zh": s.label_zh, "en": s.label_en}, "formula": s.formula,
             "value": _s(s.value), "display": step_value(s, rate)} for s in steps]


def assessment_dict(a: Assessment, rate: bool = False) -> dict[str, Any]:
    return {
        "status": a.status.value, "status_label": {"zh": status_label(a.status.value, "zh"),
                                                   "en": status_label(a.status.value, "en")},
        "reason": {"zh": a.reason_zh, "en": a.reason_en},
        "latest": _point(a.latest), "base": _point(a.base), "observed_cagr": _s(a.observed_cagr),
        "required_cagr": _s(a.required_cagr), "ratio": _s(a.ratio), "projection": _s(a.projection),
        "still_needed": _s(a.still_needed), "steps": _steps(a.steps, rate),
    }


def _observation_dict(o: UsedObservation) -> dict[str, Any]:
    return {"year": o.year, "value": _s(o.value), "unit": o.unit, "converted": _s(o.converted),
            "is_forecast": o.is_forecast, "origin": o.origin, "source": o.source, "vintage": o.vintage.isoformat(),
            "status": o.status, "approximate": o.approximate, "note": o.note, "superseded": o.superseded}


def _series_dict(sp: SeriesProgress, rate: bool) -> dict[str, Any]:
    d = sp.data
    return {
        "id": d.series_id, "name": {"zh": d.name_zh, "en": d.name_en}, "publisher": d.publisher, "scope": d.scope,
        "unit": d.unit, "comparable": d.comparable, "preferred": sp.preferred,
        "actuals": [_point(p) for p in d.actuals], "forecasts": [_point(p) for p in d.forecasts],
        "growth": [{"year": g.year, "value": _s(g.value), "yoy": _s(g.growth)} for g in sp.growth],
        "assessment": assessment_dict(sp.assessment, rate),
        "observations": [_observation_dict(o) for o in d.observations],
    }


def _indicator_dict(ip: IndicatorProgress) -> dict[str, Any]:
    ind = ip.indicator
    rate = ind.kind == "rate"
    return {
        "id": ind.id, "name": {"zh": ind.name_zh, "en": ind.name_en},
        "definition": {"zh": ind.definition_zh, "en": ind.definition_en}, "unit": ind.unit, "kind": ind.kind,
        "target": None if ind.target is None else {"comparator": ind.target.comparator, "value": ind.target.value,
                                                   "year": ind.target.year},
        "baseline": None if ind.baseline is None else {"year": ind.baseline.year, "value": ind.baseline.value,
                                                       "status": ind.baseline_status, "note": ind.baseline_note},
        "computed_from": ind.computed_from, "preferred_series": ind.preferred_series,
        "headline_series": ip.headline_series, "status": ip.status.value,
        "headline": assessment_dict(ip.headline, rate),
        "still_needed_from_forecast": None if ip.forecast_need is None else {
            "series": ip.forecast_need.series_id, "forecast": _point(ip.forecast_need.forecast),
            "rate": _s(ip.forecast_need.rate), "display": comp.percent(ip.forecast_need.rate),
            "steps": _steps([ip.forecast_need.step], rate)},
        "series": [_series_dict(sp, rate) for sp in ip.series],
        "note": ind.note,
    }


def method_dict(p: PlanProgress) -> dict[str, Any]:
    t = p.plan.progress_thresholds
    return {"zh": t.method_zh, "en": t.method_en, "status": t.status,
            "thresholds": {"on_track": t.on_track, "at_risk": t.at_risk}}


def plan_summary(plan: PlanFile, origin: str) -> dict[str, Any]:
    """The list entry of a plan: id, titles, period, draft/final, shipped/uploaded, counts."""
    meta = plan.plan
    return {
        "id": plan.id, "title": {"zh": meta.title_zh, "en": meta.title_en},
        "period": {"start": meta.period.start, "end": meta.period.end}, "status": meta.status, "origin": origin,
        "version": plan.version.isoformat(),
        "counts": {"goals": len(plan.goals), "indicators": len(plan.indicators()), "tasks": len(plan.tasks),
                   "tasks_loaded": sum(1 for t in plan.tasks if t.loaded), "series": len(plan.series),
                   "reference_observations": len(plan.reference_observations)},
    }


def progress_dict(p: PlanProgress) -> dict[str, Any]:
    """JSON-ready progress: decimals as strings, every step, the method in zh and en."""
    return {
        **plan_summary(p.plan, p.origin),
        "as_of_year": p.as_of_year, "generated_at": p.generated_at.isoformat(),
        "method": method_dict(p), "user_observations": p.observation_count,
        "goals": [{
            "id": g.goal.id, "title": {"zh": g.goal.title_zh, "en": g.goal.title_en},
            "title_official": g.goal.official, "quote_zh": g.goal.quote_zh, "kind": g.goal.kind,
            "source_status": g.goal.status, "sources": list(g.goal.sources), "note": g.goal.note,
            "status": g.status,
            "status_label": {"zh": status_label(g.status, "zh"), "en": status_label(g.status, "en")},
            "indicators": [_indicator_dict(i) for i in g.indicators],
        } for g in p.goals],
        "sources": [{"id": s.id, "title": s.title, "url": s.url} for s in p.plan.plan.sources],
    }


def plan_data_json(p: PlanProgress) -> dict[str, Any]:
    """Every observation used, with provenance, and the assessment per series."""
    rows = []
    for g in p.goals:
        for ip in g.indicators:
            for sp in ip.series:
                rows.append({"goal": g.goal.id, "indicator": ip.indicator.id,
                             **_series_dict(sp, ip.indicator.kind == "rate")})
    return {"plan": p.plan.id, "version": p.plan.version.isoformat(), "generated_at": p.generated_at.isoformat(),
            "as_of_year": p.as_of_year, "method": method_dict(p), "series": rows}


CSV_COLUMNS = ("goal", "indicator", "series", "year", "value", "unit", "value_in_indicator_unit", "indicator_unit",
               "is_forecast", "superseded", "origin", "source", "vintage", "status", "approximate", "note",
               "series_status", "series_reason_en")


def plan_data_csv(p: PlanProgress) -> str:
    """One row per observation used (and superseded), with provenance and its series' status."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for g in p.goals:
        for ip in g.indicators:
            for sp in ip.series:
                for o in sp.data.observations:
                    writer.writerow([g.goal.id, ip.indicator.id, sp.data.series_id, o.year, _s(o.value), o.unit,
                                     _s(o.converted) or "", ip.indicator.unit if ip.indicator.kind != "rate"
                                     else sp.data.unit, str(o.is_forecast).lower(), str(o.superseded).lower(),
                                     o.origin, spreadsheet_safe(o.source), o.vintage.isoformat(), o.status,
                                     str(o.approximate).lower(), spreadsheet_safe(o.note),
                                     sp.assessment.status.value, sp.assessment.reason_en])
    return out.getvalue()
