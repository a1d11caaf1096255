"""Working-day clock arithmetic of reviews (``reviews.clocks``), without a database, against the
official PRC schedule (2025 National Day: 10-01..10-08 off, Sun 09-28 and Sat 10-11 worked; 2026
Spring Festival: 02-15..02-23 off, Sat 02-14 and Sat 02-28 worked)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wangan.kernel.workdays import DayKind, DayOverride, WorkCalendar, library_calendar
from wangan.reviews.clocks import Span, countdown, due_date

CAL = library_calendar()


@pytest.mark.parametrize(("start", "n", "due"), [
    # Completed on a make-up working Sunday: it does not count itself; National Day is skipped,
    # the make-up Saturday 10-11 counts.
    (date(2025, 9, 28), 10, date(2025, 10, 17)),
    # Filed on a holiday: counting starts with the next working day (10-09).
    (date(2025, 10, 1), 1, date(2025, 10, 9)),
    (date(2025, 10, 1), 10, date(2025, 10, 21)),
    # Across Spring Festival 2026: the make-up Saturday 02-14 counts, 02-15..02-23 do not.
    (date(2026, 2, 6), 10, date(2026, 2, 27)),
    (date(2026, 2, 13), 1, date(2026, 2, 14)),
    # Special review: 45 working days (2020 Measures) and 90 (2021).
    (date(2021, 12, 1), 45, date(2022, 2, 8)),
    (date(2022, 3, 1), 90, date(2022, 7, 8)),
])
def test_due_dates_across_real_holidays(start: date, n: int, due: date) -> None:
    result = due_date(CAL, start, n)
    assert (result.due_on, result.provisional, result.unconfirmed_years) == (due, False, ())


def test_a_due_date_in_a_year_without_a_confirmed_schedule_is_provisional() -> None:
    result = due_date(CAL, date(2026, 12, 1), 30)
    assert result.due_on == date(2027, 1, 12)
    assert (result.provisional, result.unconfirmed_years) == (True, (2027,))


def test_an_administrator_confirming_the_year_makes_it_confirmed() -> None:
    calendar = WorkCalendar(overrides=[DayOverride(date(2027, 1, 1), DayKind.HOLIDAY, "元旦 New Year's Day")],
                            confirmed_years=[2027])
    result = due_date(calendar, date(2026, 12, 1), 30)
    # New Year's Day 2027 is a Friday: as a confirmed holiday it pushes the due date one working day on.
    assert (result.due_on, result.provisional) == (date(2027, 1, 13), False)


@pytest.mark.parametrize(("pause", "moved", "due"), [
    # Same day, a working day: 1 working day, the due date moves by 1 (10-17 Fri -> 10-20 Mon).
    (Span(date(2025, 10, 14), date(2025, 10, 14)), 1, date(2025, 10, 20)),
    # A weekend only: no working day, nothing moves.
    (Span(date(2025, 10, 18), date(2025, 10, 19)), 0, date(2025, 10, 17)),
    # Same day on a holiday: nothing moves.
    (Span(date(2025, 10, 3), date(2025, 10, 3)), 0, date(2025, 10, 17)),
    # Across National Day: of 09-30..10-11 only 09-30, 10-09, 10-10 and the make-up Saturday 10-11 are worked.
    (Span(date(2025, 9, 30), date(2025, 10, 11)), 4, date(2025, 10, 23)),
    # A pause on the clock's own start day does not count that day (the clock never counted it).
    (Span(date(2025, 9, 28), date(2025, 9, 29)), 1, date(2025, 10, 20)),
    # A pause that starts after the clock ran out moves nothing.
    (Span(date(2025, 10, 20), date(2025, 10, 24)), 0, date(2025, 10, 17)),
    # A pause that starts on the due day stops it: the day does not count.
    (Span(date(2025, 10, 17), date(2025, 10, 17)), 1, date(2025, 10, 20)),
])
def test_a_pause_moves_the_due_date_by_the_working_days_it_covers(pause: Span, moved: int, due: date) -> None:
    result = due_date(CAL, date(2025, 9, 28), 10, [pause])
    assert (result.paused_working_days, result.due_on) == (moved, due)
    (effect,) = result.pauses
    assert effect.working_days == moved


def test_a_pause_after_the_due_date_is_marked_as_not_counted() -> None:
    (effect,) = due_date(CAL, date(2025, 9, 28), 10, [Span(date(2025, 10, 20), date(2025, 10, 24))]).pauses
    assert not effect.counted


def test_a_pause_that_extends_the_clock_brings_a_later_pause_into_it() -> None:
    # Without the first pause the second (starting 10-20) would lie after the due date 10-17.
    first = Span(date(2025, 10, 13), date(2025, 10, 17))  # 5 working days: due 10-24
    second = Span(date(2025, 10, 20), date(2025, 10, 20))  # now inside: 1 more
    result = due_date(CAL, date(2025, 9, 28), 10, [second, first])
    assert (result.paused_working_days, result.due_on) == (6, date(2025, 10, 27))


def test_pause_counts_carry_their_own_unconfirmed_years() -> None:
    result = due_date(CAL, date(2026, 12, 1), 10, [Span(date(2026, 12, 10), date(2027, 1, 5))])
    assert result.provisional and result.unconfirmed_years == (2027,)
    assert result.pauses[0].provisional


def test_countdown_on_the_due_day_is_zero_and_overdue_after_it() -> None:
    assert countdown(CAL, date(2025, 10, 17), date(2025, 10, 17)).remaining_working_days == 0
    before = countdown(CAL, date(2025, 9, 30), date(2025, 10, 17))
    assert (before.remaining_working_days, before.overdue) == (8, False)
    after = countdown(CAL, date(2025, 10, 18), date(2025, 10, 17))
    assert (after.remaining_working_days, after.overdue) == (0, True)


starts = st.dates(min_value=date(2020, 6, 1), max_value=date(2026, 6, 30))


@settings(max_examples=200, deadline=None, database=None)
@given(start=starts, n=st.integers(1, 120), offset=st.integers(0, 150), length=st.integers(0, 20))
def test_a_pause_moves_the_due_date_exactly_by_its_working_days_before_the_due_date(
        start: date, n: int, offset: int, length: int) -> None:
    """Counting working days one by one, skipping the paused ones, lands on the same day."""
    from datetime import timedelta

    span = Span(start + timedelta(days=offset), start + timedelta(days=offset + length))
    result = due_date(CAL, start, n, [span])
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if CAL.is_working_day(day).working and not span.start <= day <= span.end:
            counted += 1
    assert result.due_on == day
    assert CAL.is_working_day(result.due_on).working
