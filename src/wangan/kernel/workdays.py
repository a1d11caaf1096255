"""PRC working days (工作日): the State Council's public holidays and make-up working days (调休).

Where a day's status comes from, in order of precedence:

1. an administrator's override for that day (``workday_overrides``): a correction, or a day of a
   year the library does not know yet (the State Council publishes each year's schedule late in
   the year before);
2. the ``chinesecalendar`` library, for the years it covers (2004 to its last release);
3. otherwise plain Monday-to-Friday weeks.

A year is *confirmed* when the library knows it or an administrator declared its schedule complete.
Every answer that relied on a day of an unconfirmed year is marked ``provisional`` and names those
years: it is computed, never presented as if it were confirmed.

``WorkCalendar`` is pure and immutable. It is built once from the library plus the override rows
and then answers from flat lists (the ordinal of every working day, and for every day the number of
working days up to it), so adding N working days or counting them costs two list lookups whatever N
is: deadline scans over many cases stay cheap. It never touches the database;
``wangan.kernel.workday_overrides`` loads it from there and caches it.

Days are calendar days in Beijing. Aware datetimes are converted to their Beijing day first.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Literal, NamedTuple, NoReturn

import chinese_calendar  # type: ignore[import-untyped]  # the library ships no type hints

from wangan.errors import FieldProblem, Invalid
from wangan.kernel.calendar import beijing_date

# The library's data starts in 2004; nothing earlier can be answered from an official schedule.
FIRST_DAY = dt.date(2004, 1, 1)
# How far the arrays reach. Years past the library's data are counted as Monday-to-Friday weeks
# (provisional); this end only bounds memory (about 35,000 days) and is far past any deadline.
LAST_DAY = dt.date(2099, 12, 31)
FIRST_YEAR = FIRST_DAY.year
LAST_YEAR = LAST_DAY.year

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
YearSource = Literal["library", "admin", "provisional"]


class DayKind(enum.StrEnum):
    """What an override makes of a day."""

    HOLIDAY = "holiday"  # a day off, whatever the weekday
    WORKDAY = "workday"  # a working day, e.g. a make-up Saturday (调休上班)


@dataclass(frozen=True)
class DayOverride:
    """One administrator-entered day: the pure counterpart of a ``CalendarOverride`` row."""

    day: dt.date
    kind: DayKind
    name: str = ""


def _no_truth_value(result: tuple[object, ...]) -> NoReturn:
    raise TypeError(f"{type(result).__name__} has no truth value: read .working, .days or .date, "
                    "and .provisional, explicitly")


class DayStatus(NamedTuple):
    """Whether one day is a working day, and whether that is confirmed."""

    day: dt.date
    working: bool
    name: str  # the holiday, or the holiday a make-up working day belongs to; "" on ordinary days
    provisional: bool
    unconfirmed_years: tuple[int, ...]

    # A non-empty tuple is always true: `if cal.is_working_day(d):` would be silently wrong.
    def __bool__(self) -> bool:
        _no_truth_value(self)


class WorkdayDate(NamedTuple):
    """The day N working days after a start; ``provisional`` when it relied on an unconfirmed year."""

    date: dt.date
    provisional: bool
    unconfirmed_years: tuple[int, ...]

    def __bool__(self) -> bool:
        _no_truth_value(self)


class WorkdayCount(NamedTuple):
    """How many working days lie after one day up to and including another."""

    days: int
    provisional: bool
    unconfirmed_years: tuple[int, ...]

    def __bool__(self) -> bool:
        _no_truth_value(self)


@dataclass(frozen=True)
class LibrarySchedule:
    """What ``chinesecalendar`` says: the years it knows, and each day of them that is not an
    ordinary Monday-to-Friday day (or carries a holiday name), as (working, name)."""

    years: tuple[int, ...]
    days: Mapping[dt.date, tuple[bool, str]]


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:  # how the library says "no data for this year"
        return False
    return True


def _holiday_label(english: str) -> str:
    try:
        return f"{chinese_calendar.Holiday(english).chinese} {english}"
    except ValueError:
        return english


@lru_cache(maxsize=1)
def library_schedule() -> LibrarySchedule:
    """Read the library once per process.

    Its exported ``holidays`` and ``workdays`` tables are read directly, with the precedence of its
    own ``get_holiday_detail`` (a make-up working day wins over a holiday): asking day by day costs
    ~170 ms, because the library rescans its tables on every call to find its year range."""
    years = tuple(y for y in range(FIRST_YEAR, LAST_YEAR + 1) if _library_knows(y))
    known = set(years)
    days: dict[dt.date, tuple[bool, str]] = {}
    for table, working in ((chinese_calendar.holidays, False), (chinese_calendar.workdays, True)):
        for day, name in table.items():
            if isinstance(day, dt.date) and day.year in known:
                days[day] = (working, _holiday_label(str(name)))
    return LibrarySchedule(years, MappingProxyType(days))


class WorkCalendar:
    """An immutable PRC working-day calendar from 2004-01-01 to 2099-12-31 (Beijing days).

    ``add_working_days(d, n)`` is the day n working days after d (d itself does not count; n = 0
    gives d back unchanged). ``working_days_between(d1, d2)`` counts the working days after d1 up
    to and including d2, so ``between(d, add(d, n)) == n``; when d2 is before d1 the count is
    negative, ``between(d1, d2) == -between(d2, d1)``, so counts can be added up across spans."""

    __slots__ = ("_admin_years", "_first", "_library_years", "_names", "_rank", "_size", "_sure_through",
                 "_unconfirmed", "_work", "_working", "_year_of")

    def __init__(self, *, schedule: LibrarySchedule | None = None, overrides: Iterable[DayOverride] = (),
                 confirmed_years: Iterable[int] = ()) -> None:
        lib = schedule if schedule is not None else library_schedule()
        self._first = FIRST_DAY.toordinal()
        self._size = LAST_DAY.toordinal() - self._first + 1
        self._library_years = frozenset(lib.years)
        self._admin_years = frozenset(confirmed_years)
        bad = sorted(y for y in self._admin_years if not FIRST_YEAR <= y <= LAST_YEAR)
        if bad:
            raise Invalid(f"confirmed year(s) {bad} outside {FIRST_YEAR}–{LAST_YEAR}")

        first_weekday = FIRST_DAY.weekday()
        working = bytearray(1 if (first_weekday + i) % 7 < 5 else 0 for i in range(self._size))
        names: dict[int, str] = {}
        for day, (is_working, name) in lib.days.items():
            i = day.toordinal() - self._first
            if 0 <= i < self._size:
                working[i] = 1 if is_working else 0
                if name:
                    names[i] = name
        for o in overrides:
            i = o.day.toordinal() - self._first
            if not 0 <= i < self._size:
                raise Invalid(f"override {o.day.isoformat()} outside {FIRST_DAY}–{LAST_DAY}")
            working[i] = 1 if o.kind is DayKind.WORKDAY else 0
            names[i] = o.name
        self._working = bytes(working)
        self._names = MappingProxyType(names)

        rank: list[int] = []
        work: list[int] = []
        count = 0
        for i, flag in enumerate(self._working):
            if flag:
                count += 1
                work.append(self._first + i)
            rank.append(count)
        # rank[i]: working days from FIRST_DAY through day i; work[k]: ordinal of the (k+1)-th one.
        self._rank = rank
        self._work = work

        confirmed = self._library_years | self._admin_years
        self._unconfirmed = tuple(y for y in range(FIRST_YEAR, LAST_YEAR + 1) if y not in confirmed)
        self._year_of = bytes(dt.date.fromordinal(self._first + i).year - FIRST_YEAR for i in range(self._size))
        # The common case is a span inside the run of confirmed years that starts in 2004: one
        # comparison then proves an answer confirmed, with no year arithmetic at all.
        run_end = FIRST_YEAR
        while run_end in confirmed:
            run_end += 1
        self._sure_through = dt.date(run_end, 1, 1).toordinal() - self._first - 1

    # ------------------------------------------------------------------ what the calendar knows

    @property
    def library_years(self) -> frozenset[int]:
        return self._library_years

    @property
    def admin_confirmed_years(self) -> frozenset[int]:
        return self._admin_years

    @property
    def unconfirmed_years(self) -> tuple[int, ...]:
        return self._unconfirmed

    def year_source(self, year: int) -> YearSource:
        """Where a year's schedule comes from: the library, an administrator's confirmation, or
        nowhere yet (provisional: Monday-to-Friday weeks plus whatever overrides exist)."""
        if year in self._library_years:
            return "library"
        return "admin" if year in self._admin_years else "provisional"

    # ------------------------------------------------------------------ the three questions

    def is_working_day(self, day: dt.date | dt.datetime) -> DayStatus:
        """Whether ``day`` (its Beijing day, for a datetime) is a working day."""
        i = self._index(day, "date")
        when = dt.date.fromordinal(self._first + i)
        unconfirmed = self._unconfirmed_in(i, i)
        return DayStatus(when, bool(self._working[i]), self._names.get(i, ""), bool(unconfirmed), unconfirmed)

    def add_working_days(self, start: dt.date | dt.datetime, n: int) -> WorkdayDate:
        """The day ``n`` working days after ``start``. The start day itself never counts, whether
        or not it is a working day; ``n == 0`` returns ``start`` unchanged."""
        # The fast path is written out (no helper calls): this is what deadline scans run.
        i = (start.toordinal() if type(start) is dt.date else self._coerce(start, "date").toordinal()) - self._first
        if i < 0 or i >= self._size:
            self._out_of_range(start, "date")
        if type(n) is not int or n < 0:
            raise Invalid(f"n must be a whole number of working days, 0 or more; got {n!r}",
                          problems=[FieldProblem("n", "a whole number, 0 or more")])
        if n == 0:
            return WorkdayDate(dt.date.fromordinal(self._first + i), False, ())
        k = self._rank[i] + n - 1
        if k >= len(self._work):
            raise Invalid(f"{n} working days after {dt.date.fromordinal(self._first + i)} is past "
                          f"{LAST_DAY.isoformat()}, the end of the working-day calendar",
                          problems=[FieldProblem("n", f"too large: the result would be after {LAST_DAY}")])
        ordinal = self._work[k]
        j = ordinal - self._first
        if j <= self._sure_through:
            return WorkdayDate(dt.date.fromordinal(ordinal), False, ())
        unconfirmed = self._unconfirmed_in(i + 1, j)
        return WorkdayDate(dt.date.fromordinal(ordinal), bool(unconfirmed), unconfirmed)

    def working_days_between(self, start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> WorkdayCount:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is
        before ``start`` (the same count with its sign flipped)."""
        i = self._index(start, "start")
        j = self._index(end, "end")
        days = self._rank[j] - self._rank[i]
        lo, hi = (i + 1, j) if j >= i else (j + 1, i)
        if hi <= self._sure_through or lo > hi:
            return WorkdayCount(days, False, ())
        unconfirmed = self._unconfirmed_in(lo, hi)
        return WorkdayCount(days, bool(unconfirmed), unconfirmed)

    # ------------------------------------------------------------------ helpers

    def _unconfirmed_in(self, lo: int, hi: int) -> tuple[int, ...]:
        """Unconfirmed years among the days lo..hi (indexes, inclusive)."""
        if hi <= self._sure_through:
            return ()
        u = self._unconfirmed
        first, last = self._year_of[lo] + FIRST_YEAR, self._year_of[hi] + FIRST_YEAR
        return u[bisect_left(u, first):bisect_right(u, last)]

    def _index(self, value: dt.date | dt.datetime, field: str) -> int:
        day = value if type(value) is dt.date else self._coerce(value, field)
        i = day.toordinal() - self._first
        if i < 0 or i >= self._size:
            self._out_of_range(day, field)
        return i

    @staticmethod
    def _coerce(value: object, field: str) -> dt.date:
        if isinstance(value, dt.datetime):
            try:
                return beijing_date(value)
            except ValueError as exc:
                raise Invalid(f"{value.isoformat()} has no time zone, so it names no day in Beijing",
                              problems=[FieldProblem(field, "give a date, or a date-time with a zone")]) from exc
        if isinstance(value, dt.date):
            return dt.date(value.year, value.month, value.day)
        raise Invalid(f"{value!r} is not a date", problems=[FieldProblem(field, "must be a date")])

    def _out_of_range(self, value: dt.date | dt.datetime, field: str) -> NoReturn:
        day = value if type(value) is dt.date else self._coerce(value, field)
        if day < FIRST_DAY:
            raise Invalid(f"{day.isoformat()} is before {FIRST_DAY.isoformat()}: PRC working days are counted "
                          f"from {FIRST_YEAR}, the first year of official holiday data",
                          problems=[FieldProblem(field, f"before {FIRST_DAY.isoformat()}")])
        raise Invalid(f"{day.isoformat()} is after {LAST_DAY.isoformat()}, the end of the working-day calendar",
                      problems=[FieldProblem(field, f"after {LAST_DAY.isoformat()}")])


def parse_day(text: str, field: str = "date") -> dt.date:
    """An ISO 8601 calendar date (``2025-01-26``) as typed on a command line or in a query
    string; anything else is refused with a message that shows the expected form."""
    value = text.strip()
    try:
        # Python 3.11 also reads week dates and the basic form (2025-W04-7, 20250126): only the
        # one form people type unambiguously is taken.
        if not _ISO_DAY.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2025-01-26",
                      problems=[FieldProblem(field, "use YYYY-MM-DD")]) from exc


@lru_cache(maxsize=1)
def library_calendar() -> WorkCalendar:
    """The calendar of the library alone, without any administrator's overrides: for tools and
    tests that have no database. Services use ``workday_overrides`` instead, which adds them."""
    return WorkCalendar()
