"""Working-day clock arithmetic of a review, pure: no database, no principal.

A clock of N working days that starts on day S is due on the N-th PRC working day after S (S itself
never counts, so a start on a holiday or a weekend counts from the next working day). Extensions add
their working days to N.

Supplementary-material pauses (Art. 15) cover whole Beijing days from their first to their last day
inclusive. Of those days only the working days stop the clock, so a pause moves the due date by the
number of working days it covers: a pause on one working day by 1, a pause that lies entirely on a
weekend or a holiday by nothing. Days of a pause on or before the clock's start day do not count
(the clock was not counting them anyway), and a pause that begins after the clock already ran out
moves nothing (the time it stops was not needed). An open pause stops the clock: the due date is
then unknown, and the one shown is the due date as of the pause's start.

A due date computed across a year without a confirmed holiday schedule is provisional; the
unconfirmed years of every step (the count itself and each pause) are carried with the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from wangan.kernel.workdays import WorkCalendar


@dataclass(frozen=True)
class Span:
    """A finished pause: its first and last day, inclusive."""

    start: date
    end: date


@dataclass(frozen=True)
class PauseEffect:
    """What one finished pause does to a clock."""

    span: Span
    working_days: int  # working days the pause covers (after the clock's start)
    counted: bool  # False: it began after the clock had run out, so it moved nothing
    provisional: bool
    unconfirmed_years: tuple[int, ...]


@dataclass(frozen=True)
class DueDate:
    """A clock's due date with everything it rests on."""

    due_on: date
    working_days: int  # length plus extensions
    paused_working_days: int
    provisional: bool
    unconfirmed_years: tuple[int, ...]
    pauses: tuple[PauseEffect, ...] = field(default=())


def _merge(*groups: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted({y for g in groups for y in g}))


def covered_working_days(calendar: WorkCalendar, span: Span, clock_start: date) -> tuple[int, tuple[int, ...]]:
    """Working days among the pause's days that lie after ``clock_start``, and the unconfirmed
    years that count relied on."""
    first = max(span.start, clock_start + timedelta(days=1))
    if first > span.end:
        return 0, ()
    counted = calendar.working_days_between(first - timedelta(days=1), span.end)
    return counted.days, counted.unconfirmed_years


def due_date(calendar: WorkCalendar, started_on: date, working_days: int, pauses: Sequence[Span] = ()) -> DueDate:
    """The due date of a clock of ``working_days`` started on ``started_on``, after ``pauses``
    (finished, not overlapping; any order)."""
    paused = 0
    years: set[int] = set()
    target = calendar.add_working_days(started_on, working_days)
    years.update(target.unconfirmed_years)
    effects: list[PauseEffect] = []
    for span in sorted(pauses, key=lambda s: s.start):
        # A pause that starts after the due date (as moved by the earlier pauses) stopped nothing.
        if span.start > target.date:
            effects.append(PauseEffect(span, 0, False, False, ()))
            continue
        days, unconfirmed = covered_working_days(calendar, span, started_on)
        paused += days
        years.update(unconfirmed)
        target = calendar.add_working_days(started_on, working_days + paused)
        years.update(target.unconfirmed_years)
        effects.append(PauseEffect(span, days, True, bool(unconfirmed), unconfirmed))
    merged = _merge(years)
    return DueDate(target.date, working_days, paused, bool(merged), merged, tuple(effects))


@dataclass(frozen=True)
class Countdown:
    """Where a running clock stands on a day: working days left (0 on the due day), or overdue."""

    remaining_working_days: int
    overdue: bool
    provisional: bool
    unconfirmed_years: tuple[int, ...]


def countdown(calendar: WorkCalendar, today: date, due_on: date) -> Countdown:
    """Working days after ``today`` up to the due date; overdue once ``today`` is past it."""
    left = calendar.working_days_between(today, due_on)
    return Countdown(max(left.days, 0), today > due_on, left.provisional, left.unconfirmed_years)
