"""The pure PRC working-day calendar (``wangan.kernel.workdays``): no database here.

The tables are hand-checked against the State Council notices (国务院办公厅关于XXXX年部分节假日安排的通知):
2022 国办发明电〔2021〕11号 (2021-10-25), 2023 (2022-12-08), 2024 国办发明电〔2023〕7号 (2023-10-25),
2025 国办发明电〔2024〕12号 (2024-11-12), 2026 (2025-11-04). Properties are checked with hypothesis,
and against the library's own ``find_workday`` as an independent oracle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wangan.errors import Invalid
from wangan.kernel.workdays import (
    FIRST_DAY,
    LAST_DAY,
    DayKind,
    DayOverride,
    WorkCalendar,
    library_calendar,
    library_schedule,
    parse_day,
)

CAL = library_calendar()
LIBRARY_LAST = date(max(library_schedule().years), 12, 31)
quick = settings(max_examples=400, deadline=None, database=None)
slow = settings(max_examples=120, deadline=None, database=None)  # the library oracle is slow per call

known_days = st.dates(min_value=FIRST_DAY, max_value=LIBRARY_LAST)
days_2022_2027 = st.dates(min_value=date(2022, 1, 1), max_value=date(2027, 12, 31))
counts = st.integers(min_value=0, max_value=300)


# --------------------------------------------------------------------------- tables

# (start, n, expected): N working days after START, across the Spring Festival, Labour Day and
# National Day weeks of 2022-2026 (and the 2026 New Year). Comments name the make-up days (调休).
ADD_TABLE = [
    # 2022 Spring Festival: 1-31..2-6 off; Sat 1-29 and Sun 1-30 worked.
    (date(2022, 1, 28), 1, date(2022, 1, 29)),
    (date(2022, 1, 28), 2, date(2022, 1, 30)),
    (date(2022, 1, 28), 3, date(2022, 2, 7)),
    # 2022 Labour Day: 4-30..5-4 off; Sun 4-24 and Sat 5-7 worked.
    (date(2022, 4, 22), 1, date(2022, 4, 24)),
    (date(2022, 4, 29), 1, date(2022, 5, 5)),
    (date(2022, 5, 6), 1, date(2022, 5, 7)),
    # 2022 National Day: 10-1..10-7 off; Sat 10-8 and Sun 10-9 worked.
    (date(2022, 9, 30), 1, date(2022, 10, 8)),
    (date(2022, 9, 30), 3, date(2022, 10, 10)),
    # 2023 Spring Festival: 1-21..1-27 off; Sat 1-28 and Sun 1-29 worked.
    (date(2023, 1, 20), 1, date(2023, 1, 28)),
    (date(2023, 1, 20), 3, date(2023, 1, 30)),
    # 2023 Labour Day: 4-29..5-3 off; Sun 4-23 and Sat 5-6 worked.
    (date(2023, 4, 21), 1, date(2023, 4, 23)),
    (date(2023, 4, 28), 1, date(2023, 5, 4)),
    (date(2023, 4, 28), 3, date(2023, 5, 6)),
    # 2023 Mid-autumn + National Day: 9-29..10-6 off; Sat 10-7 and Sun 10-8 worked.
    (date(2023, 9, 28), 1, date(2023, 10, 7)),
    (date(2023, 9, 28), 3, date(2023, 10, 9)),
    # 2024 Spring Festival: 2-10..2-17 off; Sun 2-4 and Sun 2-18 worked; 除夕 2-9 is a working Friday.
    (date(2024, 2, 2), 1, date(2024, 2, 4)),
    (date(2024, 2, 8), 1, date(2024, 2, 9)),
    (date(2024, 2, 9), 1, date(2024, 2, 18)),
    (date(2024, 2, 9), 2, date(2024, 2, 19)),
    # 2024 Labour Day: 5-1..5-5 off; Sun 4-28 and Sat 5-11 worked.
    (date(2024, 4, 26), 1, date(2024, 4, 28)),
    (date(2024, 4, 30), 1, date(2024, 5, 6)),
    (date(2024, 5, 10), 1, date(2024, 5, 11)),
    # 2024 National Day: 10-1..10-7 off; Sun 9-29 and Sat 10-12 worked.
    (date(2024, 9, 27), 1, date(2024, 9, 29)),
    (date(2024, 9, 30), 1, date(2024, 10, 8)),
    (date(2024, 10, 11), 1, date(2024, 10, 12)),
    # 2025 Spring Festival: 1-28..2-4 off; Sun 1-26 and Sat 2-8 worked.
    (date(2025, 1, 24), 1, date(2025, 1, 26)),
    (date(2025, 1, 26), 1, date(2025, 1, 27)),
    (date(2025, 1, 27), 1, date(2025, 2, 5)),
    (date(2025, 1, 27), 4, date(2025, 2, 8)),
    (date(2025, 1, 20), 10, date(2025, 2, 8)),  # an Art. 9 ten-working-day clock across the festival
    # 2025 Labour Day: 5-1..5-5 off; Sun 4-27 worked.
    (date(2025, 4, 25), 1, date(2025, 4, 27)),
    (date(2025, 4, 30), 1, date(2025, 5, 6)),
    # 2025 National Day + Mid-autumn: 10-1..10-8 off; Sun 9-28 and Sat 10-11 worked.
    (date(2025, 9, 26), 1, date(2025, 9, 28)),
    (date(2025, 9, 30), 1, date(2025, 10, 9)),
    (date(2025, 9, 30), 3, date(2025, 10, 11)),
    # 2026 New Year: 1-1..1-3 off; Sun 1-4 worked (the answer crosses the year).
    (date(2025, 12, 31), 1, date(2026, 1, 4)),
    # 2026 Spring Festival: 2-15..2-23 off; Sat 2-14 and Sat 2-28 worked.
    (date(2026, 2, 13), 1, date(2026, 2, 14)),
    (date(2026, 2, 14), 1, date(2026, 2, 24)),
    (date(2026, 2, 27), 1, date(2026, 2, 28)),
    # 2026 Labour Day: 5-1..5-5 off; Sat 5-9 worked.
    (date(2026, 4, 30), 1, date(2026, 5, 6)),
    (date(2026, 5, 8), 1, date(2026, 5, 9)),
    # 2026 Mid-autumn 9-25..9-27; National Day 10-1..10-7 off; Sun 9-20 and Sat 10-10 worked.
    (date(2026, 9, 18), 1, date(2026, 9, 20)),
    (date(2026, 9, 24), 1, date(2026, 9, 28)),
    (date(2026, 9, 30), 1, date(2026, 10, 8)),
    (date(2026, 9, 30), 3, date(2026, 10, 10)),
]

BETWEEN_TABLE = [
    (date(2022, 1, 28), date(2022, 2, 7), 3),
    (date(2022, 4, 29), date(2022, 5, 9), 4),  # 5-5, 5-6, Sat 5-7, 5-9
    (date(2023, 1, 20), date(2023, 1, 31), 4),
    (date(2023, 9, 28), date(2023, 10, 9), 3),
    (date(2024, 2, 8), date(2024, 2, 19), 3),  # 2-9, Sun 2-18, 2-19
    (date(2025, 1, 24), date(2025, 2, 10), 7),  # Sun 1-26, 1-27, 2-5..2-7, Sat 2-8, 2-10
    (date(2025, 9, 30), date(2025, 10, 13), 4),
    (date(2026, 2, 13), date(2026, 2, 28), 6),  # Sat 2-14, 2-24..2-27, Sat 2-28
    (date(2025, 1, 1), date(2025, 1, 1), 0),
]

# Days of the notices: make-up working weekend days, and festival days off on weekdays.
DAY_TABLE = [
    (date(2022, 1, 29), True), (date(2022, 10, 9), True), (date(2023, 6, 25), True),
    (date(2024, 2, 4), True), (date(2024, 2, 18), True), (date(2024, 2, 9), True),
    (date(2025, 1, 26), True), (date(2025, 2, 8), True), (date(2025, 9, 28), True), (date(2025, 10, 11), True),
    (date(2026, 1, 4), True), (date(2026, 2, 14), True), (date(2026, 2, 28), True), (date(2026, 9, 20), True),
    (date(2022, 2, 4), False), (date(2023, 5, 3), False), (date(2024, 5, 2), False), (date(2024, 10, 7), False),
    (date(2025, 1, 28), False), (date(2025, 2, 4), False), (date(2025, 10, 8), False),
    (date(2026, 2, 23), False), (date(2026, 5, 5), False), (date(2026, 10, 7), False),
    (date(2025, 3, 8), False),  # an ordinary Saturday
]


@pytest.mark.parametrize(("start", "n", "expected"), ADD_TABLE)
def test_add_working_days_across_the_festival_weeks(start: date, n: int, expected: date) -> None:
    result = CAL.add_working_days(start, n)
    assert (result.date, result.provisional, result.unconfirmed_years) == (expected, False, ())
    assert CAL.working_days_between(start, expected).days == n


@pytest.mark.parametrize(("start", "end", "expected"), BETWEEN_TABLE)
def test_working_days_between_across_the_festival_weeks(start: date, end: date, expected: int) -> None:
    assert CAL.working_days_between(start, end) == (expected, False, ())


@pytest.mark.parametrize(("day", "working"), DAY_TABLE)
def test_official_days(day: date, working: bool) -> None:
    status = CAL.is_working_day(day)
    assert (status.day, status.working, status.provisional) == (day, working, False)


def test_days_carry_the_holiday_name() -> None:
    assert CAL.is_working_day(date(2025, 1, 29)).name == "春节 Spring Festival"
    assert CAL.is_working_day(date(2025, 1, 26)).name == "春节 Spring Festival"  # the make-up day's festival
    assert CAL.is_working_day(date(2025, 3, 12)).name == ""


def test_spring_festival_2025_is_eight_days_off() -> None:
    festival = [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]
    assert [CAL.is_working_day(d).working for d in festival] == [False] * 8
    assert festival[-1] == date(2025, 2, 4)


def test_the_calendar_agrees_with_the_library_on_every_day_it_knows() -> None:
    day, mismatches = FIRST_DAY, []
    while day <= LIBRARY_LAST:
        if CAL.is_working_day(day).working != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += timedelta(days=1)
    assert mismatches == []


# --------------------------------------------------------------------------- edges and bad input


def test_zero_days_is_the_start_itself_even_on_a_holiday() -> None:
    assert CAL.add_working_days(date(2025, 1, 29), 0) == (date(2025, 1, 29), False, ())


def test_a_holiday_start_does_not_count() -> None:
    assert CAL.add_working_days(date(2025, 1, 29), 1).date == date(2025, 2, 5)


def test_between_backwards_is_negative() -> None:
    assert CAL.working_days_between(date(2025, 2, 10), date(2025, 1, 24)).days == -7


def test_aware_datetimes_are_read_as_their_beijing_day() -> None:
    # 17:00 UTC on Fri 24 Jan 2025 is 01:00 on Sat 25 Jan in Beijing; the next working day is the
    # make-up Sunday, 26 Jan. 16:30 UTC on 26 Jan is already Monday 27 Jan in Beijing.
    late = datetime(2025, 1, 24, 17, 0, tzinfo=UTC)
    assert CAL.add_working_days(late, 1).date == date(2025, 1, 26)
    assert CAL.is_working_day(late).day == date(2025, 1, 25)
    new_york = datetime(2025, 1, 26, 10, 0, tzinfo=timezone(timedelta(hours=-5)))  # 23:00 Sunday in Beijing
    assert CAL.is_working_day(new_york).day == date(2025, 1, 26)
    assert CAL.working_days_between(date(2025, 1, 24), datetime(2025, 1, 26, 16, 30, tzinfo=UTC)).days == 2


@pytest.mark.parametrize("call", [
    lambda: CAL.add_working_days(date(2003, 12, 31), 1),
    lambda: CAL.is_working_day(date(1999, 1, 1)),
    lambda: CAL.working_days_between(date(2003, 1, 1), date(2025, 1, 1)),
    lambda: CAL.working_days_between(date(2025, 1, 1), date(2003, 1, 1)),
])
def test_dates_before_2004_are_refused(call: Callable[[], object]) -> None:
    with pytest.raises(Invalid, match="before 2004-01-01"):
        call()


def test_bad_counts_and_values_are_refused() -> None:
    with pytest.raises(Invalid, match="0 or more"):
        CAL.add_working_days(date(2025, 1, 1), -1)
    with pytest.raises(Invalid, match="0 or more"):
        CAL.add_working_days(date(2025, 1, 1), True)
    with pytest.raises(Invalid, match="no time zone"):
        CAL.add_working_days(datetime(2025, 1, 1, 12, 0), 1)
    with pytest.raises(Invalid, match="not a date"):
        CAL.is_working_day("2025-01-01")  # type: ignore[arg-type]
    with pytest.raises(Invalid, match="after 2099-12-31"):
        CAL.add_working_days(date(2100, 1, 1), 1)
    with pytest.raises(Invalid, match="past 2099-12-31"):
        CAL.add_working_days(LAST_DAY - timedelta(days=10), 30)


def test_results_refuse_to_be_read_as_a_condition() -> None:
    # A tuple is always true: `if cal.is_working_day(holiday):` must not silently pass.
    with pytest.raises(TypeError, match="no truth value"):
        bool(CAL.is_working_day(date(2025, 1, 29)))
    with pytest.raises(TypeError, match="no truth value"):
        bool(CAL.working_days_between(date(2025, 1, 1), date(2025, 1, 1)))
    with pytest.raises(TypeError, match="no truth value"):
        bool(CAL.add_working_days(date(2025, 1, 1), 1))


@pytest.mark.parametrize("text", ["2025/01/24", "24-01-2025", "20250124", "2025-W04-5", "2025-02-30", "", "x"])
def test_parse_day_takes_iso_dates_only(text: str) -> None:
    with pytest.raises(Invalid, match="YYYY-MM-DD"):
        parse_day(text)


def test_parse_day() -> None:
    assert parse_day(" 2025-01-26 ") == date(2025, 1, 26)


# --------------------------------------------------------------------------- provisional years


def test_2027_is_provisional_without_overrides() -> None:
    assert 2027 in CAL.unconfirmed_years and CAL.year_source(2027) == "provisional"
    result = CAL.add_working_days(date(2026, 12, 30), 3)  # Thu 12-31, Fri 1-1 (not known yet), Mon 1-4
    assert result == (date(2027, 1, 4), True, (2027,))
    assert CAL.add_working_days(date(2026, 12, 30), 1) == (date(2026, 12, 31), False, ())
    assert CAL.working_days_between(date(2026, 12, 1), date(2027, 1, 31)).provisional
    assert CAL.working_days_between(date(2027, 1, 31), date(2026, 12, 1)).unconfirmed_years == (2027,)
    assert CAL.is_working_day(date(2027, 1, 1)) == (date(2027, 1, 1), True, "", True, (2027,))
    assert CAL.working_days_between(date(2025, 1, 1), date(2026, 12, 31)).provisional is False


def test_only_the_years_an_answer_relied_on_are_named() -> None:
    result = CAL.working_days_between(date(2026, 6, 1), date(2029, 3, 1))
    assert result.unconfirmed_years == (2027, 2028, 2029)
    # The start day itself is not relied on: counting from 31 Dec 2026 into 2026 only is confirmed.
    assert CAL.working_days_between(date(2026, 12, 31), date(2026, 12, 31)).provisional is False


NEW_YEAR_2027 = [DayOverride(date(2027, 1, 1), DayKind.HOLIDAY, "元旦 New Year's Day")]


def test_overrides_without_confirmation_stay_provisional() -> None:
    cal = WorkCalendar(overrides=NEW_YEAR_2027)
    assert cal.add_working_days(date(2026, 12, 30), 3) == (date(2027, 1, 5), True, (2027,))


def test_a_confirmed_year_is_no_longer_provisional() -> None:
    cal = WorkCalendar(overrides=NEW_YEAR_2027, confirmed_years=[2027])
    assert cal.year_source(2027) == "admin"
    assert cal.add_working_days(date(2026, 12, 30), 3) == (date(2027, 1, 5), False, ())
    assert cal.is_working_day(date(2027, 1, 1)) == (date(2027, 1, 1), False, "元旦 New Year's Day", False, ())
    assert cal.working_days_between(date(2027, 12, 1), date(2028, 1, 10)).unconfirmed_years == (2028,)


def test_a_gap_between_confirmed_years_is_still_named() -> None:
    cal = WorkCalendar(confirmed_years=[2028])
    assert cal.working_days_between(date(2026, 1, 1), date(2028, 6, 1)).unconfirmed_years == (2027,)
    assert cal.working_days_between(date(2028, 1, 1), date(2028, 6, 1)).provisional is False


def test_overrides_beat_the_library() -> None:
    cal = WorkCalendar(overrides=[
        DayOverride(date(2025, 1, 26), DayKind.HOLIDAY, "correction"),  # the library's make-up Sunday
        DayOverride(date(2025, 2, 3), DayKind.WORKDAY, "correction"),  # a festival Monday
    ])
    assert cal.is_working_day(date(2025, 1, 26)).working is False
    assert cal.is_working_day(date(2025, 2, 3)) == (date(2025, 2, 3), True, "correction", False, ())
    assert cal.add_working_days(date(2025, 1, 24), 1) == (date(2025, 1, 27), False, ())
    assert cal.add_working_days(date(2025, 1, 27), 1).date == date(2025, 2, 3)
    assert CAL.is_working_day(date(2025, 1, 26)).working is True  # the shared library calendar is untouched


def test_bad_calendar_inputs_are_refused() -> None:
    with pytest.raises(Invalid, match="outside"):
        WorkCalendar(overrides=[DayOverride(date(2003, 1, 1), DayKind.HOLIDAY, "x")])
    with pytest.raises(Invalid, match="outside"):
        WorkCalendar(confirmed_years=[2100])


# --------------------------------------------------------------------------- properties


@quick
@given(start=days_2022_2027, n=counts)
def test_adding_then_counting_round_trips(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    count = CAL.working_days_between(start, result.date)
    assert count.days == n
    assert count.provisional == result.provisional and count.unconfirmed_years == result.unconfirmed_years


@quick
@given(start=days_2022_2027, n=st.integers(min_value=1, max_value=300))
def test_a_result_never_lands_on_a_day_off(start: date, n: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(start, n).date).working


@quick
@given(start=days_2022_2027, n=counts)
def test_results_increase_strictly_with_n(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n + 1).date > CAL.add_working_days(start, n).date


@quick
@given(start=days_2022_2027, n=counts)
def test_provisional_exactly_when_an_unknown_year_was_crossed(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    # The answer relied on the days after the start up to the result, and on nothing when n is 0.
    relied_on = range((start + timedelta(days=1)).year, result.date.year + 1) if n else range(0)
    expected = tuple(y for y in relied_on if y > LIBRARY_LAST.year)
    assert result.unconfirmed_years == expected and result.provisional == bool(expected)


@quick
@given(a=days_2022_2027, b=days_2022_2027, c=days_2022_2027)
def test_counts_are_antisymmetric_and_add_up(a: date, b: date, c: date) -> None:
    assert CAL.working_days_between(a, b).days == -CAL.working_days_between(b, a).days
    assert (CAL.working_days_between(a, b).days + CAL.working_days_between(b, c).days
            == CAL.working_days_between(a, c).days)


@quick
@given(start=days_2022_2027, end=days_2022_2027)
def test_counting_matches_a_day_by_day_walk(start: date, end: date) -> None:
    lo, hi = min(start, end), max(start, end)
    walked = sum(CAL.is_working_day(lo + timedelta(days=i)).working for i in range(1, (hi - lo).days + 1))
    assert CAL.working_days_between(start, end).days == (walked if end >= start else -walked)


MAKE_UP_WEEKEND_DAYS = sorted(d for d in chinese_calendar.workdays if d.weekday() >= 5)


@quick
@given(day=st.sampled_from(MAKE_UP_WEEKEND_DAYS))
def test_make_up_weekend_days_count_as_working_days(day: date) -> None:
    assert CAL.is_working_day(day).working
    assert CAL.working_days_between(day - timedelta(days=1), day).days == 1
    assert CAL.add_working_days(day - timedelta(days=1), 1).date == day


@slow
@given(start=known_days, n=st.integers(min_value=1, max_value=60))
def test_agrees_with_the_library_find_workday(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    if result.date > LIBRARY_LAST - timedelta(days=30):
        return  # the library cannot look past its last year
    # find_workday(k, d) counts from the first working day on or after d.
    k = n if chinese_calendar.is_workday(start) else n - 1
    assert result.date == chinese_calendar.find_workday(k, start)
