"""Clock arithmetic. Every deadline in wangan is computed here, from a rules-file length and unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
