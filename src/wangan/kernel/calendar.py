"""Clock arithmetic. Every deadline in wangan is computed here, from a rules-file length and unit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

BEIJING = ZoneInfo("Asia/Shanghai")
ClockUnit = Literal["hours", "calendar_days", "calendar_months"]


class Clock(Protocol):
    """Source of the current time; tests pass a fixed clock."""

    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and the benchmark's checks."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


def add_period(start: datetime, length: int, unit: ClockUnit) -> datetime:
    """``start`` plus ``length`` units. Calendar months are counted in Beijing time, so that a
    receipt at 01:00 on 31 Aug (Beijing) is kept until the end of 28/29 Feb, not shifted by UTC."""
    if start.tzinfo is None:
        raise ValueError("deadlines need timezone-aware datetimes")
    if unit == "hours":
        return start + timedelta(hours=length)
    if unit == "calendar_days":
        return start + timedelta(days=length)
    local = start.astimezone(BEIJING)
    return (local + relativedelta(months=length)).astimezone(UTC)


def remaining(due: datetime, now: datetime) -> timedelta:
    return due - now


def beijing_date(value: date | datetime) -> date:
    """The calendar day in Beijing of ``value``. A date is taken as it is; an aware datetime is
    converted first (23:30 UTC is already the next day in Beijing); a naive datetime is refused,
    because which day it names depends on a zone nobody stated."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a date-time needs a time zone to name a day in Beijing")
        return value.astimezone(BEIJING).date()
    return value
