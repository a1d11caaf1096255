"""Growth figures and goal status for the action plan's quantitative indicators.

Pure functions over ``Decimal``: year-on-year growth, CAGR, the growth still required to reach a
target, projections, and the status method Open SDG took from Statistics Canada (observed CAGR
since the base year against the CAGR the target requires; action-plan spec, section 3).

Every figure is computed under a local 28-digit decimal context so that the caller's context
(precision, rounding, traps) can never change a published number; rounding happens only for display
(``percent``). Each assessment carries its ``Step``s, the written-down arithmetic, so a reader can
redo the computation by hand.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, DecimalException, localcontext
from enum import StrEnum
from typing import Literal, get_args

from wangan.errors import Invalid

PRECISION = 28

Comparator = Literal[">", ">=", "<", "<=", "="]
COMPARATORS: tuple[str, ...] = get_args(Comparator)
_INCREASING = frozenset({">", ">="})
_DECREASING = frozenset({"<", "<="})


class ComputationError(Invalid):
    """A figure that cannot be computed from the given inputs; ``detail`` names the offending input."""

    code = "indicator-computation"
    title = "The indicator figure cannot be computed"


class Status(StrEnum):
    """Where an indicator stands against its target."""

    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


STATUS_LABELS: dict[Status, tuple[str, str]] = {
    Status.ACHIEVED: ("achieved", "已实现"),
    Status.ON_TRACK: ("on track", "进展顺利"),
    Status.AT_RISK: ("at risk", "存在风险"),
    Status.OFF_TRACK: ("off track", "偏离目标"),
    Status.NO_DATA: ("not enough data", "数据不足"),
}


@dataclass(frozen=True)
class Point:
    """One actual observation of one series: the value for a calendar year."""

    year: int
    value: Decimal


@dataclass(frozen=True)
class Target:
    """A quantitative goal: ``value`` compared by ``comparator`` in ``year``, measured from ``baseline``."""

    value: Decimal
    year: int
    comparator: Comparator
    baseline: Point | None


@dataclass(frozen=True)
class Thresholds:
    """Ratio cut-offs of the status method (observed / required growth). The real values are data."""

    on_track: Decimal = Decimal("0.95")
    at_risk: Decimal = Decimal("0.5")


@dataclass(frozen=True)
class Step:
    """One written-down step of a computation, with the actual numbers substituted in ``formula``."""

    key: str
    label_en: str
    label_zh: str
    formula: str
    value: Decimal | None


@dataclass(frozen=True)
class Assessment:
    """The status of one indicator and every figure it was derived from.

    ``projection`` is the value projected to the target year at the observed CAGR; ``still_needed``
    is the annual growth required from the latest point to reach the target.
    """

    status: Status
    latest: Point | None
    base: Point | None
    observed_cagr: Decimal | None
    required_cagr: Decimal | None
    ratio: Decimal | None
    projection: Decimal | None
    still_needed: Decimal | None
    steps: tuple[Step, ...]
    reason_en: str
    reason_zh: str


# --- input checks and arithmetic guard ---------------------------------------------------------


@contextmanager
def _arithmetic(what: str) -> Iterator[None]:
    # A fresh context, not a copy of the caller's: their precision or traps must not leak in.
    with localcontext(Context(prec=PRECISION, rounding=ROUND_HALF_EVEN)):
        try:
            yield
        except DecimalException as exc:
            raise ComputationError(f"{what} is outside what Decimal can compute ({type(exc).__name__})") from exc


def _number(name: str, value: Decimal) -> Decimal:
    # Callers may be untyped (templates, CSV import): refuse floats, whose binary rounding would
    # silently enter published figures, and NaN/Infinity, which compare surprisingly.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ComputationError(f"{name} must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ComputationError(f"{name} must be a finite number, not {number}")
    return number


def _year(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ComputationError(f"{name} must be an integer year, not {value!r}")
    return value


def _num(value: Decimal) -> str:
    """Plain notation (no exponent) as the value was given, for formulas and messages."""
    return f"{value:f}"


def percent(fraction: Decimal, places: int = 1) -> str:
    """Format a fraction as a percentage for display: ``percent(Decimal("0.13168"))`` → ``"13.2%"``.

    Rounds half up (the convention readers expect in published tables); this is the only place
    figures are rounded.
    """
    number = _number("the fraction", fraction)
    if isinstance(places, bool) or not isinstance(places, int) or places < 0:
        raise ComputationError(f"percent places must be a non-negative integer, not {places!r}")
    scaled = number * 100
    # Quantize needs room for every digit left of the point plus the requested places.
    digits = max(PRECISION, scaled.adjusted() + places + 2)
    with localcontext(Context(prec=digits, rounding=ROUND_HALF_UP)):
        shown = scaled.quantize(Decimal(1).scaleb(-places))
    if shown == 0:
        shown = abs(shown)  # never print "-0.0%"
    return f"{shown:f}%"


def _pct(fraction: Decimal, places: int = 1) -> str:
    text = percent(fraction, places)
    return text if text.startswith("-") or fraction <= 0 else f"+{text}"


def _ratio_text(ratio: Decimal) -> str:
    with localcontext(Context(prec=PRECISION, rounding=ROUND_HALF_UP)):
        return _num(ratio.quantize(Decimal("0.01")))


# --- growth figures ------------------------------------------------------------------------------


def yoy_growth(previous: Decimal, current: Decimal) -> Decimal:
    """Year-on-year growth as a fraction: 0.158 means +15.8 %."""
    prev = _number("the previous value", previous)
    cur = _number("the current value", current)
    if prev <= 0:
        raise ComputationError(f"year-on-year growth needs a positive previous value: it is {_num(prev)}")
    with _arithmetic("year-on-year growth"):
        return cur / prev - 1


def _annual_rate(start: Decimal, end: Decimal, years: int, what: str) -> Decimal:
    with _arithmetic(what):
        if end == 0:
            return Decimal(-1)
        return (end / start) ** (Decimal(1) / Decimal(years)) - 1


def cagr(start_value: Decimal, start_year: int, end_value: Decimal, end_year: int) -> Decimal:
    """Compound annual growth rate as a fraction: (end / start)^(1 / (end_year − start_year)) − 1."""
    start = _number("the start value", start_value)
    end = _number("the end value", end_value)
    first, last = _year("the start year", start_year), _year("the end year", end_year)
    if last <= first:
        raise ComputationError(f"CAGR needs an end year after the start year: {last} is not after {first}")
    if start <= 0:
        raise ComputationError(f"CAGR needs a positive base: the {first} value is {_num(start)}")
    if end < 0:
        raise ComputationError(f"CAGR needs a non-negative end value: the {last} value is {_num(end)}")
    return _annual_rate(start, end, last - first, "the CAGR")


def required_cagr(current_value: Decimal, current_year: int, target_value: Decimal, target_year: int) -> Decimal:
    """The annual growth (fraction) still needed to go from the current value to the target in time."""
    current = _number("the current value", current_value)
    target = _number("the target value", target_value)
    now, due = _year("the current year", current_year), _year("the target year", target_year)
    if due <= now:
        raise ComputationError(f"the target year {due} is not after {now}")
    if current <= 0:
        raise ComputationError(
            f"the required growth needs a positive current value: the {now} value is {_num(current)}")
    if target < 0:
        raise ComputationError(f"the required growth needs a non-negative target: the target is {_num(target)}")
    return _annual_rate(current, target, due - now, "the required growth")


def project(value: Decimal, year: int, rate: Decimal, to_year: int) -> Decimal:
    """The value carried forward at a constant annual rate: value × (1 + rate)^(to_year − year)."""
    start = _number("the value", value)
    growth = _number("the growth rate", rate)
    first, last = _year("the year", year), _year("the projection year", to_year)
    if last < first:
        raise ComputationError(f"cannot project backwards: {last} is before {first}")
    if growth < -1:
        # (1 + rate) would be negative and the projection would flip sign every year.
        raise ComputationError(f"a growth rate below −100% cannot be projected: it is {percent(growth)}")
    if last == first:
        return start  # also avoids 0 ** 0 when rate is −100 %
    with _arithmetic("the projection"):
        return start * (1 + growth) ** (last - first)


def meets(value: Decimal, comparator: Comparator, target: Decimal) -> bool:
    """Whether ``value`` satisfies ``comparator`` against ``target`` (e.g. 2600 > 2500)."""
    actual = _number("the value", value)
    goal = _number("the target", target)
    if comparator == ">":
        return actual > goal
    if comparator == ">=":
        return actual >= goal
    if comparator == "<":
        return actual < goal
    if comparator == "<=":
        return actual <= goal
    if comparator == "=":
        return actual == goal
    raise ComputationError(f"unknown comparator {comparator!r}: use one of {' '.join(COMPARATORS)}")


# --- validation of targets, thresholds and series ------------------------------------------------


def check_target(target: Target) -> None:
    """Refuse a target that cannot be assessed: bad comparator, non-finite value, baseline not before it."""
    if target.comparator not in COMPARATORS:
        raise ComputationError(f"unknown comparator {target.comparator!r}: use one of {' '.join(COMPARATORS)}")
    _number("the target value", target.value)
    due = _year("the target year", target.year)
    if target.baseline is not None:
        base = _year("the baseline year", target.baseline.year)
        _number("the baseline value", target.baseline.value)
        if due < base:
            raise ComputationError(f"target year {due} is before the baseline year {base}")
        if due == base:
            raise ComputationError(f"target year {due} is not after the baseline year {base}")


def check_thresholds(thresholds: Thresholds) -> None:
    """Refuse thresholds that would make the status bands overlap."""
    on_track = _number("the on-track threshold", thresholds.on_track)
    at_risk = _number("the at-risk threshold", thresholds.at_risk)
    if at_risk > on_track:
        raise ComputationError(
            f"the at-risk threshold {_num(at_risk)} is above the on-track threshold {_num(on_track)}")


def _series(actuals: Sequence[Point]) -> tuple[Point, ...]:
    seen: dict[int, Decimal] = {}
    for point in actuals:
        year = _year("an actual's year", point.year)
        value = _number(f"the {year} value", point.value)
        if year in seen:
            # Two values for one year means series, scopes or vintages were mixed upstream.
            raise ComputationError(
                f"two actual values for {year} ({_num(seen[year])} and {_num(value)}): pass one series only")
        seen[year] = value
    return tuple(sorted(actuals, key=lambda p: p.year))


def _grade(ratio: Decimal, thresholds: Thresholds) -> Status:
    if ratio >= thresholds.on_track:
        return Status.ON_TRACK
    if ratio >= thresholds.at_risk:
        return Status.AT_RISK
    return Status.OFF_TRACK


def _direction(comparator: Comparator, target: Decimal, reference: Decimal) -> int:
    """+1 if the target asks for an increase, −1 for a decrease, 0 if it asks for neither."""
    if comparator in _INCREASING:
        return 1
    if comparator in _DECREASING:
        return -1
    return (target > reference) - (target < reference)


# --- steps -------------------------------------------------------------------------------------


def _point_step(key: str, label_en: str, label_zh: str, point: Point) -> Step:
    return Step(key, label_en, label_zh, f"{point.year}: {_num(point.value)}", point.value)


def _cagr_step(key: str, label_en: str, label_zh: str, start: Point, end: Point, value: Decimal) -> Step:
    formula = f"({_num(end.value)} / {_num(start.value)})^(1/{end.year - start.year}) − 1"
    return Step(key, label_en, label_zh, formula, value)


def _projection_step(latest: Point, rate: Decimal, year: int, value: Decimal) -> Step:
    formula = f"{_num(latest.value)} × (1 + {percent(rate, 2)})^{year - latest.year}"
    return Step("projection", f"value projected to {year}", f"{year}年预测值", formula, value)


def _summary(status: Status, en: str, zh: str) -> tuple[str, str]:
    label_en, label_zh = STATUS_LABELS[status]
    return f"{label_en.capitalize()}: {en}", f"{label_zh}：{zh}"


# --- level indicators ---------------------------------------------------------------------------


def _goal_text(target: Target) -> tuple[str, str]:
    return (f"{target.comparator} {_num(target.value)} by {target.year}",
            f"{target.year}年{target.comparator}{_num(target.value)}")


def assess_level(actuals: Sequence[Point], target: Target, thresholds: Thresholds) -> Assessment:
    """Status of an indicator whose value is a level (a scale, a share), by Open SDG's CAGR method.

    ``actuals`` are actual observations of one series (no forecasts, no mixed scopes). The base is
    ``target.baseline`` if given, else the earliest actual. The latest value meeting the target by
    the target year is ``ACHIEVED``; otherwise the observed CAGR since the base is divided by the
    CAGR the target requires from the base, and the ratio is graded by ``thresholds``. For a
    decreasing target (``<``, ``<=``) both rates are negative, so the ratio compares the observed
    decline with the required decline. Once the target year is reached without the target met, the
    status is ``OFF_TRACK`` whatever the pace.
    """
    check_target(target)
    check_thresholds(thresholds)
    points = _series(actuals)
    goal_en, goal_zh = _goal_text(target)
    target_step = Step("target", "target", "目标", f"{target.comparator} {_num(target.value)} ({target.year})",
                       target.value)
    if not points:
        en, zh = _summary(Status.NO_DATA, "no actual value has been reported yet.", "尚无实际值。")
        return Assessment(Status.NO_DATA, None, target.baseline, None, None, None, None, None, (target_step,), en, zh)

    latest = points[-1]
    base = target.baseline or points[0]
    steps: list[Step] = [_point_step("base", "base value", "基期值", base),
                         _point_step("latest", "latest actual value", "最新实际值", latest), target_step]
    on_time = [p for p in points if p.year <= target.year]
    deciding = on_time[-1] if on_time else None

    if deciding is not None and meets(deciding.value, target.comparator, target.value):
        figures = _level_figures(base, deciding, target, strict=False, needed=False)
        en, zh = _summary(Status.ACHIEVED,
                          f"the {deciding.year} value {_num(deciding.value)} meets the target {goal_en}.",
                          f"{deciding.year}年实际值{_num(deciding.value)}已达到目标（{goal_zh}）。")
        return _level_assessment(Status.ACHIEVED, deciding, base, figures, None, steps, [], en, zh)

    if latest.year >= target.year:
        figures = _level_figures(base, latest, target, strict=False, needed=False)
        late = latest.year > target.year and meets(latest.value, target.comparator, target.value)
        en_tail = (f"it was met only in {latest.year}, after the target year." if late
                   else f"the {latest.year} value is {_num(latest.value)}.")
        zh_tail = f"至{latest.year}年才达到。" if late else f"{latest.year}年实际值为{_num(latest.value)}。"
        en, zh = _summary(Status.OFF_TRACK, f"the target year {target.year} has passed without the target {goal_en} "
                                            f"being met; {en_tail}",
                          f"目标年份{target.year}年已到，未达到目标（{goal_zh}）；{zh_tail}")
        return _level_assessment(Status.OFF_TRACK, latest, base, figures, None, steps, [], en, zh)

    if latest.year <= base.year:
        en, zh = _summary(Status.NO_DATA,
                          f"the status needs two years: an actual value after the base year {base.year}.",
                          f"需要两个年度的数据：基期{base.year}年之后尚无实际值。")
        return Assessment(Status.NO_DATA, latest, base, None, None, None, None, None, tuple(steps), en, zh)

    figures = _level_figures(base, latest, target, strict=True, needed=True)
    observed, required, projection = figures.observed, figures.required, figures.projection
    assert observed is not None and required is not None and projection is not None  # strict mode computes all
    wanted = _direction(target.comparator, target.value, base.value)
    if wanted != 0 and required * wanted > 0:
        with _arithmetic("the ratio of observed to required growth"):
            ratio = observed / required
        status = _grade(ratio, thresholds)
        ratio_step = Step("ratio", "observed / required growth", "实际增速 / 所需增速",
                          f"{percent(observed, 2)} / {percent(required, 2)}", ratio)
        en, zh = _summary(
            status,
            f"average annual change since {base.year} is {_pct(observed)} against the {_pct(required)} a year needed "
            f"to reach {goal_en}; ratio {_ratio_text(ratio)} (on track from {_num(thresholds.on_track)}, at risk from "
            f"{_num(thresholds.at_risk)}).",
            f"自{base.year}年以来年均变化{_pct(observed)}，实现目标（{goal_zh}）每年需{_pct(required)}；比值"
            f"{_ratio_text(ratio)}（≥{_num(thresholds.on_track)}为进展顺利，≥{_num(thresholds.at_risk)}为存在风险）。")
        return _level_assessment(status, latest, base, figures, ratio, steps, [ratio_step], en, zh)

    # The target lies at or behind the base level, so a ratio of rates has no meaning (it would divide
    # by zero or flip sign): judge by whether the observed pace carries the value to the target in time.
    status = Status.ON_TRACK if meets(projection, target.comparator, target.value) else Status.OFF_TRACK
    verdict_en = "meets" if status is Status.ON_TRACK else "does not meet"
    verdict_zh = "可达到" if status is Status.ON_TRACK else "达不到"
    en, zh = _summary(
        status,
        f"the target {goal_en} needs no change in the direction of the goal from the {base.year} value "
        f"{_num(base.value)}; at the observed {_pct(observed)} a year the value projected to {target.year}, "
        f"{_num(projection)}, {verdict_en} it.",
        f"相对{base.year}年基期值{_num(base.value)}，目标（{goal_zh}）无需朝目标方向变化；按实际年均变化{_pct(observed)}，"
        f"{target.year}年预测值{_num(projection)}{verdict_zh}目标。")
    return _level_assessment(status, latest, base, figures, None, steps, [], en, zh)


@dataclass(frozen=True)
class _Figures:
    observed: Decimal | None
    required: Decimal | None
    projection: Decimal | None
    still_needed: Decimal | None
    steps: tuple[Step, ...]


def _level_figures(base: Point, latest: Point, target: Target, *, strict: bool, needed: bool) -> _Figures:
    """Observed and required CAGR, projection and growth still needed.

    ``strict`` lets errors (e.g. a zero base) reach the caller because the status depends on them;
    otherwise the status is already decided and a figure that cannot be computed is left out.
    ``needed`` is false once the target is met or its year has come: no growth is "still needed".
    """
    observed = required = projection = still_needed = None
    steps: list[Step] = []
    try:
        if latest.year > base.year:
            observed = cagr(base.value, base.year, latest.value, latest.year)
            steps.append(_cagr_step("observed_cagr", f"observed CAGR {base.year}–{latest.year}",
                                    f"{base.year}–{latest.year}年实际年均复合增长率", base, latest, observed))
        required = cagr(base.value, base.year, target.value, target.year)
        steps.append(_cagr_step("required_cagr", f"CAGR required {base.year}–{target.year}",
                                f"{base.year}–{target.year}年所需年均复合增长率", base,
                                Point(target.year, target.value), required))
        if observed is not None and latest.year <= target.year:
            projection = project(latest.value, latest.year, observed, target.year)
            steps.append(_projection_step(latest, observed, target.year, projection))
        if needed and latest.year < target.year and latest.value > 0:
            still_needed = required_cagr(latest.value, latest.year, target.value, target.year)
            steps.append(_cagr_step("still_needed", f"growth still needed {latest.year}–{target.year}",
                                    f"{latest.year}–{target.year}年仍需年均增速", latest,
                                    Point(target.year, target.value), still_needed))
    except ComputationError:
        if strict:
            raise
    return _Figures(observed, required, projection, still_needed, tuple(steps))


def _level_assessment(status: Status, latest: Point, base: Point, figures: _Figures, ratio: Decimal | None,
                      head: list[Step], tail: list[Step], en: str, zh: str) -> Assessment:
    all_steps = (*head, *figures.steps, *tail)
    return Assessment(status, latest, base, figures.observed, figures.required, ratio, figures.projection,
                      figures.still_needed, all_steps, en, zh)


# --- growth-rate indicators ---------------------------------------------------------------------


def assess_rate(actuals: Sequence[Point], target: Target, thresholds: Thresholds) -> Assessment:
    """Status of an indicator that is itself a growth rate over the plan period (goal "CAGR > 15 %").

    ``actuals`` is the level series the rate is computed from (e.g. industry scale) and
    ``target.value`` the rate as a fraction. ``target.baseline`` is required: the plan does not state
    the base year, so the caller chooses it. Once an actual exists for the target year (or later),
    the observed CAGR either meets the goal (``ACHIEVED``) or not (``OFF_TRACK``); before that the
    ratio observed / target rate is graded by ``thresholds``.
    """
    check_target(target)
    check_thresholds(thresholds)
    base = target.baseline
    if base is None:
        raise ComputationError("a growth-rate target needs a baseline point: the plan states no base year, "
                               "so the caller must choose one")
    points = _series(actuals)
    goal_en = f"{target.comparator} {percent(target.value)} a year from {base.year} to {target.year}"
    goal_zh = f"{base.year}–{target.year}年年均增速{target.comparator}{percent(target.value)}"
    steps: list[Step] = [
        _point_step("base", "base value", "基期值", base),
        Step("target", "target growth rate", "目标增速", f"{target.comparator} {percent(target.value, 2)}",
             target.value),
    ]
    after = [p for p in points if p.year > base.year]
    if not after:
        en, zh = _summary(Status.NO_DATA, f"the status needs an actual value after the base year {base.year}.",
                          f"基期{base.year}年之后尚无实际值。")
        return Assessment(Status.NO_DATA, points[-1] if points else None, base, None, None, None, None, None,
                          tuple(steps), en, zh)

    # The plan-period rate ends at the target year; a later value stands in only when that year is missing.
    latest = next((p for p in after if p.year == target.year), after[-1])
    steps.append(_point_step("latest", "latest actual value", "最新实际值", latest))
    observed = cagr(base.value, base.year, latest.value, latest.year)
    steps.append(_cagr_step("observed_cagr", f"observed CAGR {base.year}–{latest.year}",
                            f"{base.year}–{latest.year}年实际年均复合增长率", base, latest, observed))
    projection = still_needed = None
    if latest.year < target.year:
        projection = project(latest.value, latest.year, observed, target.year)
        steps.append(_projection_step(latest, observed, target.year, projection))
        if target.value >= -1 and latest.value > 0:
            # The level the base must reach for the whole-period CAGR to equal the target rate.
            level = project(base.value, base.year, target.value, target.year)
            formula = f"{_num(base.value)} × (1 + {percent(target.value, 2)})^{target.year - base.year}"
            steps.append(Step("target_level", f"level at the target rate in {target.year}", f"{target.year}年目标水平",
                              formula, level))
            still_needed = required_cagr(latest.value, latest.year, level, target.year)
            steps.append(_cagr_step("still_needed", f"growth still needed {latest.year}–{target.year}",
                                    f"{latest.year}–{target.year}年仍需年均增速", latest,
                                    Point(target.year, level), still_needed))

    ratio = None
    if latest.year >= target.year:
        status = Status.ACHIEVED if meets(observed, target.comparator, target.value) else Status.OFF_TRACK
        verdict_en = "meets" if status is Status.ACHIEVED else "does not meet"
        en, zh = _summary(status, f"the CAGR {base.year}–{latest.year} is {_pct(observed)}, which {verdict_en} the "
                                  f"goal {goal_en}.",
                          f"{base.year}–{latest.year}年年均复合增长率为{_pct(observed)}，"
                          f"{'已达到' if status is Status.ACHIEVED else '未达到'}目标（{goal_zh}）。")
    elif _direction(target.comparator, target.value, Decimal(0)) * target.value > 0:
        with _arithmetic("the ratio of observed to target growth"):
            ratio = observed / target.value
        status = _grade(ratio, thresholds)
        steps.append(Step("ratio", "observed / target growth", "实际增速 / 目标增速",
                          f"{percent(observed, 2)} / {percent(target.value, 2)}", ratio))
        en, zh = _summary(
            status,
            f"the CAGR {base.year}–{latest.year} is {_pct(observed)} against the goal {goal_en}; ratio "
            f"{_ratio_text(ratio)} (on track from {_num(thresholds.on_track)}, at risk from "
            f"{_num(thresholds.at_risk)}).",
            f"{base.year}–{latest.year}年年均复合增长率为{_pct(observed)}，目标为{goal_zh}；比值{_ratio_text(ratio)}"
            f"（≥{_num(thresholds.on_track)}为进展顺利，≥{_num(thresholds.at_risk)}为存在风险）。")
    else:
        # A zero rate, or a cap such as "growth < 3 %": a ratio of rates would reward the wrong
        # direction, so judge by whether the pace so far satisfies the goal.
        status = Status.ON_TRACK if meets(observed, target.comparator, target.value) else Status.OFF_TRACK
        verdict = "meets" if status is Status.ON_TRACK else "does not meet"
        en, zh = _summary(status, f"the CAGR {base.year}–{latest.year} is {_pct(observed)}, which {verdict} the goal "
                                  f"{goal_en} so far.",
                          f"{base.year}–{latest.year}年年均复合增长率为{_pct(observed)}，目前"
                          f"{'符合' if status is Status.ON_TRACK else '不符合'}目标（{goal_zh}）。")
    return Assessment(status, latest, base, observed, target.value, ratio, projection, still_needed, tuple(steps),
                      en, zh)
