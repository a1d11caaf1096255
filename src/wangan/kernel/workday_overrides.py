"""The administrators' side of the PRC working-day calendar: override days, confirmed years, and
loading the immutable ``WorkCalendar`` from them.

The State Council publishes each year's holiday schedule (国务院办公厅关于XXXX年部分节假日安排的通知)
late in the year before, and the ``chinesecalendar`` library follows some time after. Until then an
administrator enters the notice's days here and then confirms the year, naming the notice; answers
that rely on a year nobody confirmed stay provisional. Overrides also correct a year the library
knows. Every change is audited and bumps a generation counter, so each process rebuilds its cached
calendar on its next use after any change, wherever that change was made.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, Forbidden, Invalid, NotFound, Unauthenticated
from wangan.kernel import audit, numbering
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.events import KernelTag
from wangan.kernel.models import CalendarOverride, CalendarYear, Counter
from wangan.kernel.workdays import (
    FIRST_DAY,
    FIRST_YEAR,
    LAST_DAY,
    LAST_YEAR,
    DayKind,
    DayOverride,
    WorkCalendar,
    YearSource,
    library_schedule,
)

GENERATION_COUNTER = "prc-calendar"
# Set on a session that changed the calendar: what it reads is not committed yet, so it must not
# be cached under the generation it sees (a rollback would leave the cache wrong).
_DIRTY = "wangan.kernel.workday_overrides.dirty"
MAX_NAME = 100
MAX_SOURCE = 200
MAX_NOTE = 2000


def _require_admin(principal: Principal) -> Actor:
    if principal.is_anonymous:
        raise Unauthenticated("sign in or send an API token")
    if not principal.is_admin:
        raise Forbidden("only administrators change the PRC working-day calendar")
    principal.require_scope("write")
    return Actor(principal.user_id, principal.label)


def _changed(session: Session) -> None:
    numbering.take_next(session, GENERATION_COUNTER)
    session.info[_DIRTY] = True


# --------------------------------------------------------------------------- loading


def generation(session: Session) -> int:
    """How many changes the calendar has seen; 0 before the first."""
    value = session.execute(select(Counter.value).where(Counter.name == GENERATION_COUNTER)).scalar_one_or_none()
    return int(value or 0)


def load_calendar(session: Session) -> WorkCalendar:
    """Build the calendar from the library plus every override row and confirmed year."""
    rows = session.execute(select(CalendarOverride.day, CalendarOverride.kind, CalendarOverride.name)).all()
    years = session.execute(select(CalendarYear.year)).scalars().all()
    return WorkCalendar(overrides=[DayOverride(r.day, DayKind(r.kind), r.name) for r in rows],
                        confirmed_years=list(years))


class WorkCalendarCache:
    """One process's calendar, rebuilt when the generation counter moved (one small query per use).

    The generation is read before the rows: a change committed in between is then at worst
    loaded early and rebuilt once more, never cached under a generation newer than its data."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[int, WorkCalendar] | None = None

    def get(self, session: Session) -> WorkCalendar:
        if session.info.get(_DIRTY):
            return load_calendar(session)
        current = generation(session)
        entry = self._entry
        if entry is not None and entry[0] == current:
            return entry[1]
        with self._lock:
            entry = self._entry
            if entry is not None and entry[0] == current:
                return entry[1]
            built = load_calendar(session)
            self._entry = (current, built)
            return built


# --------------------------------------------------------------------------- overrides


def _check_day(day: date, errors: ErrorList, field: str = "date") -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        errors.add(field, f"must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")


def _in_year(year: int) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31)


def _holidays_entered(session: Session, year: int) -> int:
    return int(session.execute(
        select(func.count()).select_from(CalendarOverride)
        .where(*_in_year(year), CalendarOverride.kind == DayKind.HOLIDAY)
    ).scalar_one())


def list_overrides(session: Session, *, year: int | None = None) -> list[CalendarOverride]:
    """Override days in date order, optionally of one year."""
    query = select(CalendarOverride).order_by(CalendarOverride.day)
    if year is not None:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise Invalid(f"year {year} is outside the working-day calendar ({FIRST_YEAR}–{LAST_YEAR})")
        query = query.where(*_in_year(year))
    return list(session.execute(query).scalars())


def get_override(session: Session, day: date) -> CalendarOverride:
    found = session.execute(select(CalendarOverride).where(CalendarOverride.day == day)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no calendar override on {day.isoformat()}")
    return found


def add_override(session: Session, principal: Principal, day: date, kind: DayKind | str, name: str, *,
                 note: str = "", now: datetime | None = None) -> CalendarOverride:
    """Make ``day`` a holiday or a working day, whatever the library or the weekday says.
    Administrators only; audited. A day has at most one override: remove it to change it."""
    actor = _require_admin(principal)
    errors = ErrorList()
    _check_day(day, errors)
    try:
        chosen = DayKind(kind)
    except ValueError:
        errors.add("kind", f"holiday or workday, not {kind!r}")
    label = name.strip()
    if not label:
        errors.add("name", "name the holiday, e.g. 春节 Spring Festival (for a make-up working day: the holiday "
                           "it belongs to)")
    elif len(label) > MAX_NAME:
        errors.add("name", f"at most {MAX_NAME} characters")
    if len(note) > MAX_NOTE:
        errors.add("note", f"at most {MAX_NOTE} characters")
    errors.raise_if_any("the calendar override is not valid")
    existing = session.execute(select(CalendarOverride).where(CalendarOverride.day == day)).scalar_one_or_none()
    if existing is not None:
        raise Conflict(f"{day.isoformat()} already has an override ({existing.kind.value}, {existing.name}); "
                       "remove it first to change it")
    row = CalendarOverride(day=day, kind=chosen, name=label, note=note, entered_by=principal.user_id,
                           entered_at=now or utcnow())
    session.add(row)
    session.flush()
    audit.record(session, KernelTag.CALENDAR_OVERRIDE_ADDED, actor, "calendar-day", day.isoformat(),
                 data={"after": {"kind": chosen.value, "name": label, "note": note}})
    _changed(session)
    return row


def remove_override(session: Session, principal: Principal, day: date) -> CalendarOverride:
    """Delete the override of ``day``; the library (or the weekday) decides again. Audited."""
    actor = _require_admin(principal)
    row = get_override(session, day)
    if (row.kind is DayKind.HOLIDAY and session.get(CalendarYear, day.year) is not None
            and _holidays_entered(session, day.year) == 1):
        # Keeps what confirm_year checked: a confirmed year never falls back to plain weeks.
        raise Conflict(f"{day.isoformat()} is the last holiday entered for {day.year}, which an administrator "
                       "confirmed: add the corrected holiday first, then remove this one")
    session.delete(row)
    session.flush()
    audit.record(session, KernelTag.CALENDAR_OVERRIDE_REMOVED, actor, "calendar-day", day.isoformat(),
                 data={"before": {"kind": row.kind.value, "name": row.name, "note": row.note,
                                  "entered_at": row.entered_at}})
    _changed(session)
    return row


# --------------------------------------------------------------------------- confirmed years


def confirm_year(session: Session, principal: Principal, year: int, source_reference: str, *,
                 note: str = "", now: datetime | None = None) -> CalendarYear:
    """Declare ``year``'s schedule complete, naming the State Council notice it was entered from.
    Answers relying on the year stop being provisional. Confirming again replaces the reference.
    Refused for a year the library knows (it is confirmed already; overrides correct it) and for a
    year without a single holiday entered (no real year has none: it would confirm plain weeks)."""
    actor = _require_admin(principal)
    errors = ErrorList()
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors.add("year", f"must be between {FIRST_YEAR} and {LAST_YEAR}")
    reference = source_reference.strip()
    if not reference:
        errors.add("source", "name the notice the schedule comes from, e.g. 国办发明电〔2026〕X号")
    elif len(reference) > MAX_SOURCE:
        errors.add("source", f"at most {MAX_SOURCE} characters")
    if len(note) > MAX_NOTE:
        errors.add("note", f"at most {MAX_NOTE} characters")
    errors.raise_if_any("the year cannot be confirmed")
    library = library_schedule().years
    if year in library:
        raise Conflict(f"{year} is already confirmed by the chinesecalendar library ({min(library)}–{max(library)}); "
                       "to correct a day of it, add an override")
    holidays = _holidays_entered(session, year)
    if not holidays:
        raise Invalid(f"{year} has no holiday entered: enter the holidays and make-up working days of the State "
                      f"Council notice for {year} as overrides first, then confirm the year")
    row = session.get(CalendarYear, year)
    before = None if row is None else {"source_reference": row.source_reference, "note": row.note,
                                       "confirmed_at": row.confirmed_at}
    moment = now or utcnow()
    if row is None:
        row = CalendarYear(year=year, source_reference=reference, note=note, confirmed_by=principal.user_id,
                           confirmed_at=moment)
        session.add(row)
    else:
        row.source_reference, row.note, row.confirmed_by, row.confirmed_at = (
            reference, note, principal.user_id, moment)
    session.flush()
    audit.record(session, KernelTag.CALENDAR_YEAR_CONFIRMED, actor, "calendar-year", str(year),
                 data={"before": before, "after": {"source_reference": reference, "note": note,
                                                   "holidays_entered": holidays}})
    _changed(session)
    return row


@dataclass(frozen=True)
class YearStatus:
    """Where one year's schedule comes from, for the status page and command."""

    year: int
    source: YearSource  # library | admin | provisional
    confirmation: CalendarYear | None
    overrides: int

    @property
    def provisional(self) -> bool:
        return self.source == "provisional"


def year_statuses(session: Session, calendar: WorkCalendar, *, today: date,
                  since: int = FIRST_YEAR) -> list[YearStatus]:
    """Every year from ``since`` through next year (and any later year with data), oldest first."""
    confirmations = {c.year: c for c in session.execute(select(CalendarYear)).scalars()}
    counts: dict[int, int] = {}
    for day in session.execute(select(CalendarOverride.day)).scalars():
        counts[day.year] = counts.get(day.year, 0) + 1
    last = max([today.year + 1, *calendar.library_years, *confirmations, *counts])
    first = max(FIRST_YEAR, since)
    return [YearStatus(y, calendar.year_source(y), confirmations.get(y), counts.get(y, 0))
            for y in range(first, min(last, LAST_YEAR) + 1)]
