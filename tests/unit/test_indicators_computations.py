"""Growth figures and goal status for the action plan's indicators: hand-checked figures from the
published CAICT series, the Open SDG status bands, every refusal, and properties that hold for any input."""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wangan.errors import Invalid
from wangan.indicators.computations import (
    Comparator,
    ComputationError,
    Point,
    Status,
    Target,
    Thresholds,
    assess_level,
    assess_rate,
    cagr,
    check_target,
    meets,
    percent,
    project,
    required_cagr,
    yoy_growth,
)

D = Decimal
quick = settings(max_examples=300, deadline=None, database=None)
DEFAULTS = Thresholds()
# The G1 goal: industry scale above 2,500 亿元 by 2023, measured from the CAICT 2020 actual.
G1 = Target(D("2500"), 2023, ">", Point(2020, D("1729")))
G2 = Target(D("0.15"), 2023, ">", Point(2020, D("1729")))


def places(value: Decimal | None, digits: int) -> Decimal:
    assert value is not None
    return value.quantize(Decimal(1).scaleb(-digits))


# --- hand-checked figures ------------------------------------------------------------------------


def test_cagr_2019_to_2021_caict_broad_series() -> None:
    # 2002.5 / 1563.59 = 1.280707 (1563.59 × 1.28 = 2001.395, remainder 1.105 / 1563.59 = 0.000707);
    # √1.280707 = 1.131683 (1.13168² = 1.280700, + 0.000007 / 2.263 ≈ 0.0000031) → 13.17 %.
    assert places(cagr(D("1563.59"), 2019, D("2002.5"), 2021), 4) == D("0.1317")


def test_growth_still_needed_from_2022_to_2023() -> None:
    # One year: 2500 / 2200 − 1 = 300 / 2200 = 0.136363… → 13.64 %.
    assert places(required_cagr(D("2200"), 2022, D("2500"), 2023), 4) == D("0.1364")


def test_yoy_2020_to_2021() -> None:
    # 2002.5 / 1729 − 1 = 273.5 / 1729 = 0.158184 (1729 × 0.158 = 273.182, + 0.318 / 1729 = 0.000184).
    assert places(yoy_growth(D("1729"), D("2002.5")), 4) == D("0.1582")


def test_yoy_decline_is_negative() -> None:
    assert yoy_growth(D("200"), D("150")) == D("-0.25")


def test_cagr_to_zero_is_minus_one() -> None:
    assert cagr(D("10"), 2020, D("0"), 2023) == D("-1")


def test_cagr_is_exact_for_a_perfect_square() -> None:
    assert cagr(D("100"), 2020, D("121"), 2022) == D("0.1")


def test_project_compounds_yearly() -> None:
    assert project(D("100"), 2020, D("0.1"), 2022) == D("121.00")
    assert project(D("100"), 2020, D("-0.5"), 2022) == D("25")
    assert project(D("100"), 2020, D("0.3"), 2020) == D("100")
    assert project(D("5"), 2020, D("-1"), 2020) == D("5")  # 0 ** 0 must not be evaluated


def test_figures_ignore_the_callers_decimal_context() -> None:
    expected = cagr(D("1563.59"), 2019, D("2002.5"), 2021)
    with localcontext() as ctx:
        ctx.prec = 3
        assert cagr(D("1563.59"), 2019, D("2002.5"), 2021) == expected
    assert len(expected.as_tuple().digits) > 20  # full precision kept, not rounded for display


@pytest.mark.parametrize(("fraction", "digits", "shown"), [
    (D("0.13168"), 1, "13.2%"),
    (D("0.13168"), 2, "13.17%"),
    (D("0.00125"), 2, "0.13%"),  # half up, not to even
    (D("-0.0001"), 1, "0.0%"),   # never a negative zero
    (D("-0.05"), 1, "-5.0%"),
    (D("10"), 0, "1000%"),
    (D("1E+3"), 0, "100000%"),  # plain notation, no exponent
])
def test_percent(fraction: Decimal, digits: int, shown: str) -> None:
    assert percent(fraction, digits) == shown


@pytest.mark.parametrize(("value", "comparator", "target", "expected"), [
    ("2600", ">", "2500", True), ("2500", ">", "2500", False),
    ("2500", ">=", "2500", True), ("2499.99", ">=", "2500", False),
    ("40", "<", "50", True), ("50", "<", "50", False),
    ("50", "<=", "50", True), ("50.01", "<=", "50", False),
    ("10.0", "=", "10", True), ("10.1", "=", "10", False),
])
def test_meets(value: str, comparator: Comparator, target: str, expected: bool) -> None:
    assert meets(D(value), comparator, D(target)) is expected


# --- level indicators ----------------------------------------------------------------------------


def test_g1_on_track_after_2021() -> None:
    result = assess_level([Point(2020, D("1729")), Point(2021, D("2002.5"))], G1, DEFAULTS)
    # observed = 2002.5 / 1729 − 1 = 0.158184; required = (2500 / 1729)^(1/3) − 1: 2500 / 1729 = 1.445922,
    # 1.13³ = 1.442897 and 1.131³ = 1.446731, so the cube root is 1.13 + 0.003025 / 0.003834 × 0.001 = 1.130789;
    # ratio = 0.158184 / 0.130789 = 1.2095 ≥ 0.95 → on track.
    assert result.status is Status.ON_TRACK
    assert places(result.observed_cagr, 4) == D("0.1582")
    assert places(result.required_cagr, 4) == D("0.1308")
    assert places(result.ratio, 3) == D("1.209")
    # 2002.5 × 1.158184² = 2002.5 × 1.341390 = 2686.13; still needed √(2500 / 2002.5) − 1 = √1.248439 − 1 = 0.1173.
    assert places(result.projection, 1) == D("2686.1")
    assert places(result.still_needed, 4) == D("0.1173")
    assert result.base == Point(2020, D("1729")) and result.latest == Point(2021, D("2002.5"))
    keys = [step.key for step in result.steps]
    assert keys == ["base", "latest", "target", "observed_cagr", "required_cagr", "projection", "still_needed", "ratio"]
    formulas = {step.key: step.formula for step in result.steps}
    assert formulas["observed_cagr"] == "(2002.5 / 1729)^(1/1) − 1"
    assert formulas["required_cagr"] == "(2500 / 1729)^(1/3) − 1"
    assert formulas["ratio"] == "15.82% / 13.08%"
    assert "ratio 1.21" in result.reason_en and "比值1.21" in result.reason_zh
    assert all(step.value is not None for step in result.steps)


def test_g1_with_the_2022_estimate_and_thresholds_as_data() -> None:
    actuals = [Point(2022, D("2200")), Point(2020, D("1729")), Point(2021, D("2002.5"))]  # any order
    # observed = √(2200 / 1729) − 1 = √1.272412 − 1 = 0.128012 (1.128² = 1.272384); ratio 0.128012 / 0.130789 = 0.9788.
    result = assess_level(actuals, G1, DEFAULTS)
    assert result.status is Status.ON_TRACK
    assert places(result.ratio, 3) == D("0.979")
    assert places(result.still_needed, 4) == D("0.1364")
    assert assess_level(actuals, G1, Thresholds(on_track=D("0.98"))).status is Status.AT_RISK
    assert assess_level(actuals, G1, Thresholds(D("0.99"), D("0.98"))).status is Status.OFF_TRACK


def test_base_defaults_to_the_earliest_actual() -> None:
    target = Target(D("2500"), 2023, ">", None)
    result = assess_level([Point(2021, D("2002.5")), Point(2019, D("1563.59"))], target, DEFAULTS)
    # required = (2500 / 1563.59)^(1/4) − 1 = √√1.598885 − 1 = √1.264470 − 1 = 0.124487;
    # ratio 0.131683 / 0.124487 = 1.058.
    assert result.base == Point(2019, D("1563.59"))
    assert places(result.required_cagr, 4) == D("0.1245")
    assert places(result.ratio, 3) == D("1.058")
    assert result.status is Status.ON_TRACK


@pytest.mark.parametrize(("value", "status"), [
    ("1900", Status.AT_RISK),     # 0.098901 / 0.130789 = 0.756
    ("1800", Status.OFF_TRACK),   # 0.041064 / 0.130789 = 0.314
    ("1700", Status.OFF_TRACK),   # a decline: negative ratio
    ("2501", Status.ACHIEVED),    # met two years early
])
def test_g1_bands(value: str, status: Status) -> None:
    assert assess_level([Point(2021, D(value))], G1, DEFAULTS).status is status


def test_achieved_in_the_target_year() -> None:
    result = assess_level([Point(2020, D("1729")), Point(2023, D("2600"))], G1, DEFAULTS)
    assert result.status is Status.ACHIEVED
    assert result.latest == Point(2023, D("2600"))
    assert result.still_needed is None and result.ratio is None
    assert "2600" in result.reason_en and "已达到" in result.reason_zh


def test_exactly_the_target_is_not_more_than_it() -> None:
    strict = assess_level([Point(2023, D("2500"))], G1, DEFAULTS)
    assert strict.status is Status.OFF_TRACK
    at_least = Target(D("2500"), 2023, ">=", G1.baseline)
    assert assess_level([Point(2023, D("2500"))], at_least, DEFAULTS).status is Status.ACHIEVED


def test_target_year_reached_without_the_target_is_off_track_whatever_the_pace() -> None:
    # 2450 in 2023 is 98 % of the goal: the pace ratio would say on track, but the year is over.
    result = assess_level([Point(2023, D("2450"))], G1, DEFAULTS)
    assert result.status is Status.OFF_TRACK
    assert "2023 has passed" in result.reason_en


def test_met_only_after_the_target_year() -> None:
    result = assess_level([Point(2023, D("2400")), Point(2024, D("2600"))], G1, DEFAULTS)
    assert result.status is Status.OFF_TRACK
    assert "met only in 2024" in result.reason_en
    assert result.projection is None and result.still_needed is None


def test_met_by_the_target_year_stays_achieved_after_it() -> None:
    result = assess_level([Point(2023, D("2600")), Point(2024, D("2400"))], G1, DEFAULTS)
    assert result.status is Status.ACHIEVED
    assert result.latest == Point(2023, D("2600"))


def test_no_actuals_is_no_data() -> None:
    result = assess_level([], G1, DEFAULTS)
    assert result.status is Status.NO_DATA
    assert result.latest is None and result.observed_cagr is None
    assert "no actual value" in result.reason_en


@pytest.mark.parametrize(("actuals", "target"), [
    ([Point(2021, D("2002.5"))], Target(D("2500"), 2023, ">", None)),        # one point, no baseline
    ([Point(2020, D("1729"))], G1),                                          # only the base year
    ([Point(2019, D("1563.59")), Point(2020, D("1729"))], G1),               # nothing after the base
])
def test_a_single_year_is_no_data(actuals: list[Point], target: Target) -> None:
    result = assess_level(actuals, target, DEFAULTS)
    assert result.status is Status.NO_DATA
    assert "needs two years" in result.reason_en
    assert result.ratio is None


@pytest.mark.parametrize(("value", "status"), [
    ("70", Status.AT_RISK),     # −12.5 % a year against −14.50 % needed: ratio 0.862
    ("60", Status.ON_TRACK),    # −25 % against −14.50 %: ratio 1.72
    ("85", Status.OFF_TRACK),   # moving the wrong way: negative ratio
    ("50", Status.ACHIEVED),    # <= 50 met
])
def test_decreasing_target(value: str, status: Status) -> None:
    # A share to bring down from 80 (2020) to at most 50 by 2023: required = (50 / 80)^(1/3) − 1;
    # 0.855³ = 0.62502, so the cube root of 0.625 is 0.854988 and the required change is −0.145012.
    target = Target(D("50"), 2023, "<=", Point(2020, D("80")))
    result = assess_level([Point(2021, D(value))], target, DEFAULTS)
    assert result.status is status
    if status is not Status.ACHIEVED:
        assert places(result.required_cagr, 4) == D("-0.1450")
    if value == "70":
        assert places(result.ratio, 3) == D("0.862")


def test_target_at_the_base_level_needs_no_ratio() -> None:
    # Required growth is 0: the ratio would divide by zero, so the projection decides.
    target = Target(D("1729"), 2023, ">=", Point(2020, D("1729")))
    result = assess_level([Point(2021, D("1700"))], target, DEFAULTS)
    assert result.required_cagr == 0
    assert result.ratio is None
    assert result.status is Status.OFF_TRACK
    assert result.projection is not None and result.projection < D("1729")


def test_target_below_the_base_for_an_increasing_goal() -> None:
    # Base 3000 already above "> 2500", then a fall to 2400: the required rate is negative, the ratio meaningless.
    target = Target(D("2500"), 2023, ">", Point(2020, D("3000")))
    result = assess_level([Point(2021, D("2400"))], target, DEFAULTS)
    assert result.required_cagr is not None and result.required_cagr < 0
    assert result.ratio is None and result.status is Status.OFF_TRACK


# --- growth-rate indicators ----------------------------------------------------------------------


def test_g2_rate_on_track_after_2021() -> None:
    result = assess_rate([Point(2020, D("1729")), Point(2021, D("2002.5"))], G2, DEFAULTS)
    # 0.158184 / 0.15 = 1.0546 → on track.
    assert result.status is Status.ON_TRACK
    assert places(result.ratio, 4) == D("1.0546")
    assert result.required_cagr == D("0.15")


def test_g2_rate_at_risk_after_2022() -> None:
    result = assess_rate([Point(2021, D("2002.5")), Point(2022, D("2200"))], G2, DEFAULTS)
    # observed 0.128012 (see the G1 case); ratio 0.128012 / 0.15 = 0.8534. The 2023 level at exactly 15 % a year
    # is 1729 × 1.15³ = 1729 × 1.520875 = 2629.592875, so 2629.592875 / 2200 − 1 = 0.1952694886… is still needed.
    assert result.status is Status.AT_RISK
    assert places(result.ratio, 4) == D("0.8534")
    assert places(result.still_needed, 10) == D("0.1952694886")
    level = {step.key: step for step in result.steps}["target_level"]
    assert level.value == D("2629.592875")
    assert level.formula == "1729 × (1 + 15.00%)^3"


@pytest.mark.parametrize(("value", "status"), [
    ("2500", Status.OFF_TRACK),  # (2500 / 1729)^(1/3) − 1 = 13.08 %
    ("2700", Status.ACHIEVED),   # 2700 / 1729 = 1.561596 > 1.15³ = 1.520875, so above 15 % a year
    ("2629.592875", Status.OFF_TRACK),  # exactly 15 % is not more than 15 %
])
def test_g2_rate_in_the_target_year(value: str, status: Status) -> None:
    result = assess_rate([Point(2022, D("2200")), Point(2023, D(value))], G2, DEFAULTS)
    assert result.status is status
    assert result.latest == Point(2023, D(value))
    assert result.ratio is None and result.still_needed is None


def test_rate_uses_the_target_year_not_a_later_one() -> None:
    result = assess_rate([Point(2023, D("2700")), Point(2024, D("2000"))], G2, DEFAULTS)
    assert result.latest == Point(2023, D("2700"))
    assert result.status is Status.ACHIEVED


def test_rate_needs_a_value_after_the_base() -> None:
    result = assess_rate([Point(2020, D("1729"))], G2, DEFAULTS)
    assert result.status is Status.NO_DATA
    assert assess_rate([], G2, DEFAULTS).status is Status.NO_DATA


def test_rate_cap_is_judged_by_meeting_it_so_far() -> None:
    cap = Target(D("0.03"), 2023, "<", Point(2020, D("100")))
    assert assess_rate([Point(2021, D("102"))], cap, DEFAULTS).status is Status.ON_TRACK
    assert assess_rate([Point(2021, D("104"))], cap, DEFAULTS).status is Status.OFF_TRACK
    assert assess_rate([Point(2021, D("104"))], cap, DEFAULTS).ratio is None


def test_rate_needs_a_baseline() -> None:
    with pytest.raises(ComputationError, match="baseline"):
        assess_rate([Point(2021, D("2002.5"))], Target(D("0.15"), 2023, ">", None), DEFAULTS)


# --- refusals ------------------------------------------------------------------------------------


def test_computation_error_is_a_validation_error() -> None:
    with pytest.raises(ComputationError) as caught:
        cagr(D("0"), 2019, D("2002.5"), 2021)
    assert isinstance(caught.value, Invalid)
    assert caught.value.code == "indicator-computation"
    assert caught.value.status == 422
    assert caught.value.detail == "CAGR needs a positive base: the 2019 value is 0"


@pytest.mark.parametrize(("call", "message"), [
    (lambda: yoy_growth(D("0"), D("5")), "positive previous value: it is 0"),
    (lambda: yoy_growth(D("-3"), D("5")), "positive previous value: it is -3"),
    (lambda: cagr(D("-1"), 2019, D("5"), 2021), "positive base: the 2019 value is -1"),
    (lambda: cagr(D("1"), 2019, D("-5"), 2021), "non-negative end value: the 2021 value is -5"),
    (lambda: cagr(D("1"), 2021, D("5"), 2021), "2021 is not after 2021"),
    (lambda: cagr(D("1"), 2021, D("5"), 2020), "2020 is not after 2021"),
    (lambda: required_cagr(D("2200"), 2023, D("2500"), 2023), "the target year 2023 is not after 2023"),
    (lambda: required_cagr(D("0"), 2022, D("2500"), 2023), "positive current value: the 2022 value is 0"),
    (lambda: required_cagr(D("1"), 2022, D("-1"), 2023), "non-negative target"),
    (lambda: project(D("1"), 2022, D("0.1"), 2021), "2021 is before 2022"),
    (lambda: project(D("1"), 2022, D("-1.5"), 2023), "below −100%"),
    (lambda: meets(D("1"), "!=", D("1")), "unknown comparator '!='"),  # type: ignore[arg-type]
    (lambda: yoy_growth(1.5, D("2")), "must be a Decimal, not float"),  # type: ignore[arg-type]
    (lambda: yoy_growth(D("NaN"), D("2")), "finite"),
    (lambda: cagr(D("1"), 2019.0, D("2"), 2021), "integer year"),  # type: ignore[arg-type]
    (lambda: percent(D("0.1"), -1), "non-negative integer"),
])
def test_refusals(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(ComputationError, match=re.escape(message)):
        call()


def test_target_before_its_baseline() -> None:
    target = Target(D("2500"), 2018, ">", Point(2019, D("1563.59")))
    with pytest.raises(ComputationError, match=r"^target year 2018 is before the baseline year 2019$"):
        check_target(target)
    with pytest.raises(ComputationError, match="before the baseline year"):
        assess_level([Point(2019, D("1563.59"))], target, DEFAULTS)
    with pytest.raises(ComputationError, match="before the baseline year"):
        assess_rate([Point(2019, D("1563.59"))], target, DEFAULTS)
    with pytest.raises(ComputationError, match="target year 2019 is not after the baseline year 2019"):
        check_target(Target(D("2500"), 2019, ">", Point(2019, D("1563.59"))))
    check_target(G1)  # a valid target passes silently


def test_duplicate_years_are_refused() -> None:
    actuals = [Point(2020, D("1729")), Point(2020, D("532")), Point(2021, D("2002.5"))]
    with pytest.raises(ComputationError, match=r"two actual values for 2020 \(1729 and 532\)"):
        assess_level(actuals, G1, DEFAULTS)
    with pytest.raises(ComputationError, match="two actual values for 2020"):
        assess_rate(actuals, G2, DEFAULTS)


def test_zero_base_is_refused_when_the_status_depends_on_it() -> None:
    target = Target(D("2500"), 2023, ">", Point(2020, D("0")))
    with pytest.raises(ComputationError, match="positive base: the 2020 value is 0"):
        assess_level([Point(2021, D("100"))], target, DEFAULTS)
    with pytest.raises(ComputationError, match="positive base"):
        assess_rate([Point(2021, D("100"))], Target(D("0.15"), 2023, ">", Point(2020, D("-5"))), DEFAULTS)
    # Once the target is met the status no longer depends on the CAGR: no error, the figure is left out.
    met = assess_level([Point(2021, D("2600"))], target, DEFAULTS)
    assert met.status is Status.ACHIEVED and met.observed_cagr is None


def test_bad_comparator_and_thresholds_are_refused() -> None:
    bad = Target(D("1"), 2023, "~", None)  # type: ignore[arg-type]
    with pytest.raises(ComputationError, match="unknown comparator"):
        check_target(bad)
    with pytest.raises(ComputationError, match=r"at-risk threshold 0\.9 is above the on-track threshold 0\.5"):
        assess_level([Point(2021, D("2002.5"))], G1, Thresholds(on_track=D("0.5"), at_risk=D("0.9")))


# --- properties ----------------------------------------------------------------------------------

amounts = st.decimals(min_value=D("0.01"), max_value=D("1000000000"), places=2, allow_nan=False,
                      allow_infinity=False)
years = st.integers(min_value=1990, max_value=2060)
RANK = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.ON_TRACK: 2, Status.ACHIEVED: 3}


@quick
@given(amounts, years, amounts, st.integers(min_value=1, max_value=40))
def test_projecting_at_the_cagr_returns_the_end_value(start: Decimal, year: int, end: Decimal, span: int) -> None:
    rate = cagr(start, year, end, year + span)
    # The rate carries 28 digits relative to 1, so the error scales with the larger of the two values.
    assert abs(project(start, year, rate, year + span) - end) <= max(start, end) * D("1E-20")


@quick
@given(amounts, years, st.integers(min_value=1, max_value=40))
def test_cagr_of_a_constant_series_is_zero(value: Decimal, year: int, span: int) -> None:
    assert cagr(value, year, value, year + span) == 0


@quick
@given(amounts, amounts, years)
def test_one_year_cagr_is_the_yoy_growth(previous: Decimal, current: Decimal, year: int) -> None:
    assert cagr(previous, year, current, year + 1) == yoy_growth(previous, current)


@quick
@given(st.decimals(min_value=D("-1000"), max_value=D("1000"), allow_nan=False, allow_infinity=False),
       st.integers(min_value=0, max_value=6))
def test_percent_never_shows_negative_zero(fraction: Decimal, digits: int) -> None:
    shown = percent(fraction, digits)
    assert shown.endswith("%") and not shown.startswith("-0%")
    assert not (shown.startswith("-") and D(shown[:-1]) == 0)


@quick
@given(amounts, amounts, amounts, amounts, st.integers(min_value=1, max_value=5), st.integers(min_value=0, max_value=6),
       st.sampled_from([">", ">=", "<", "<=", "="]), st.sampled_from([D("0.95"), D("0.8")]))
def test_status_is_monotone_in_the_latest_value(base: Decimal, goal: Decimal, low: Decimal, high: Decimal, elapsed: int,
                                                horizon: int, comparator: Comparator, on_track: Decimal) -> None:
    low, high = min(low, high), max(low, high)
    target = Target(goal, 2020 + horizon + 1, comparator, Point(2020, base))
    latest_year = 2020 + elapsed
    thresholds = Thresholds(on_track=on_track)
    worse = assess_level([Point(latest_year, low)], target, thresholds).status
    better = assess_level([Point(latest_year, high)], target, thresholds).status
    if comparator in ("<", "<="):
        worse, better = better, worse
    elif comparator == "=":
        # An exact target is monotone only on the side of the base it lies on, up to the target itself.
        assume(goal > base and high < goal)
    assert RANK[worse] <= RANK[better]


@quick
@given(amounts, amounts, amounts, st.integers(min_value=1, max_value=3))
def test_rate_status_is_monotone_in_the_latest_value(base: Decimal, low: Decimal, high: Decimal, elapsed: int) -> None:
    low, high = min(low, high), max(low, high)
    worse = assess_rate([Point(2020 + elapsed, low)], Target(D("0.15"), 2023, ">", Point(2020, base)), DEFAULTS)
    better = assess_rate([Point(2020 + elapsed, high)], Target(D("0.15"), 2023, ">", Point(2020, base)), DEFAULTS)
    assert RANK[worse.status] <= RANK[better.status]
