"""``add_period``: the one place deadlines are computed. Examples for the statutory cases, and
properties (hypothesis) for calendar months, which are counted on the Beijing calendar."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wangan.kernel.calendar import BEIJING, FixedClock, add_period

# Beijing has kept UTC+8 without daylight saving since 1991, so any instant from 2000 on works.
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                        timezones=st.sampled_from([UTC, BEIJING, timezone(timedelta(hours=-5))]))
quick = settings(max_examples=300, deadline=None, database=None)


@pytest.mark.parametrize(("start", "expected"), [
    (datetime(2026, 8, 31, 10, 0, tzinfo=UTC), datetime(2027, 2, 28, 10, 0, tzinfo=UTC)),
    (datetime(2027, 8, 31, 10, 0, tzinfo=UTC), datetime(2028, 2, 29, 10, 0, tzinfo=UTC)),  # leap year
    (datetime(2026, 3, 15, 0, 0, tzinfo=UTC), datetime(2026, 9, 15, 0, 0, tzinfo=UTC)),
    # 16:30 UTC on 31 Dec is 00:30 on 1 Jan in Beijing: six months on is 1 Jul Beijing.
    (datetime(2025, 12, 31, 16, 30, tzinfo=UTC), datetime(2026, 6, 30, 16, 30, tzinfo=UTC)),
])
def test_six_calendar_months_examples(start: datetime, expected: datetime) -> None:
    assert add_period(start, 6, "calendar_months") == expected


def test_hours_and_calendar_days_are_exact() -> None:
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert add_period(start, 2, "calendar_days") == datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    assert add_period(start, 48, "hours") == datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_period(datetime(2026, 1, 1), 6, "calendar_months")


def test_fixed_clock_stands_still_until_moved() -> None:
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2026, 1, 1, tzinfo=UTC)
    clock.advance(timedelta(hours=5))
    assert clock.now() == datetime(2026, 1, 1, 5, tzinfo=UTC)


@quick
@given(instants, st.integers(min_value=1, max_value=240))
def test_months_result_is_later_and_in_utc(start: datetime, months: int) -> None:
    end = add_period(start, months, "calendar_months")
    assert end > start
    assert end.utcoffset() == timedelta(0)


@quick
@given(instants, st.integers(min_value=1, max_value=240))
def test_months_keep_the_beijing_day_clamped_to_the_month_end(start: datetime, months: int) -> None:
    local_start = start.astimezone(BEIJING)
    local_end = add_period(start, months, "calendar_months").astimezone(BEIJING)

    month_index = local_start.year * 12 + local_start.month - 1 + months
    year, month = divmod(month_index, 12)
    assert (local_end.year, local_end.month) == (year, month + 1)
    assert local_end.day == min(local_start.day, calendar.monthrange(year, month + 1)[1])
    assert local_end.time() == local_start.time()


@quick
@given(instants)
def test_six_months_is_between_181_and_184_days(start: datetime) -> None:
    length = add_period(start, 6, "calendar_months") - start
    assert timedelta(days=181) <= length <= timedelta(days=184)


@quick
@given(instants, st.integers(min_value=1, max_value=120), st.integers(min_value=1, max_value=120))
def test_more_months_never_end_earlier(start: datetime, a: int, b: int) -> None:
    shorter, longer = sorted((a, b))
    assert add_period(start, shorter, "calendar_months") <= add_period(start, longer, "calendar_months")


@quick
@given(instants, st.integers(min_value=0, max_value=10_000))
def test_days_and_hours_agree(start: datetime, days: int) -> None:
    assert add_period(start, days, "calendar_days") == add_period(start, days * 24, "hours")
