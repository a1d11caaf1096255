"""``/api/v1/calendar``: PRC working days (Beijing), and the administrators' overrides.

Who may do what: computing (``add``, ``between``) and the per-year status are public, like the
State Council's schedule they come from, so anonymous callers may use them. The override list says
who entered what, so it needs a signed-in reader. Every change is for administrators only."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from wangan.api.deps import PrincipalDep, ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Strict
from wangan.kernel import workday_overrides
from wangan.kernel.calendar import beijing_date
from wangan.kernel.models import CalendarOverride, CalendarYear
from wangan.kernel.workdays import FIRST_YEAR, LAST_YEAR, parse_day

router = APIRouter(prefix="/calendar", tags=["calendar"])

DayParam = Annotated[str, Query(description="YYYY-MM-DD (a Beijing calendar day)", examples=["2025-01-24"])]
PROVISIONAL = ("true when the answer relied on a year without a confirmed holiday schedule (counted as "
               "Monday–Friday weeks plus any overrides)")


class AddOut(BaseModel):
    start: dt.date
    n: int
    date: dt.date = Field(description="the day n working days after start (start itself does not count)")
    provisional: bool = Field(description=PROVISIONAL)
    unconfirmed_years: list[int]


class BetweenOut(BaseModel):
    start: dt.date
    end: dt.date
    working_days: int = Field(description="working days after start up to and including end; negative when end "
                                          "is before start")
    provisional: bool = Field(description=PROVISIONAL)
    unconfirmed_years: list[int]


class ConfirmationOut(BaseModel):
    source_reference: str
    note: str
    confirmed_at: dt.datetime

    @classmethod
    def of(cls, row: CalendarYear) -> ConfirmationOut:
        return cls(source_reference=row.source_reference, note=row.note, confirmed_at=row.confirmed_at)


class YearOut(BaseModel):
    year: int
    source: Literal["library", "admin", "provisional"] = Field(
        description="library: chinesecalendar knows the year; admin: an administrator confirmed it; "
                    "provisional: neither")
    provisional: bool
    overrides: int
    confirmation: ConfirmationOut | None


class OverrideIn(Strict):
    date: str = Field(description="YYYY-MM-DD", examples=["2027-02-06"])
    kind: Literal["holiday", "workday"]
    name: str = Field(min_length=1, max_length=100, examples=["春节 Spring Festival"])
    note: str = Field(default="", max_length=2000)


class OverrideOut(BaseModel):
    date: dt.date
    kind: str
    name: str
    note: str
    entered_by: uuid.UUID | None
    entered_at: dt.datetime

    @classmethod
    def of(cls, row: CalendarOverride) -> OverrideOut:
        return cls(date=row.day, kind=row.kind.value, name=row.name, note=row.note, entered_by=row.entered_by,
                   entered_at=row.entered_at)


class ConfirmIn(Strict):
    source: str = Field(min_length=1, max_length=200, description="the State Council notice",
                        examples=["国办发明电〔2026〕X号"])
    note: str = Field(default="", max_length=2000)


@router.get("/add", response_model=AddOut, summary="The day N PRC working days after a date")
def add(rt: RuntimeDep, session: SessionDep, principal: PrincipalDep, date: DayParam,
        n: Annotated[int, Query(ge=0, description="working days to add, 0 or more")]) -> AddOut:
    start = parse_day(date, "date")
    result = rt.work_calendar(session).add_working_days(start, n)
    return AddOut(start=start, n=n, date=result.date, provisional=result.provisional,
                  unconfirmed_years=list(result.unconfirmed_years))


@router.get("/between", response_model=BetweenOut, summary="PRC working days after one date up to another")
def between(rt: RuntimeDep, session: SessionDep, principal: PrincipalDep, start: DayParam,
            end: DayParam) -> BetweenOut:
    first, last = parse_day(start, "start"), parse_day(end, "end")
    result = rt.work_calendar(session).working_days_between(first, last)
    return BetweenOut(start=first, end=last, working_days=result.days, provisional=result.provisional,
                      unconfirmed_years=list(result.unconfirmed_years))


@router.get("/years", response_model=list[YearOut], summary="Where each year's schedule comes from")
def years(rt: RuntimeDep, session: SessionDep, principal: PrincipalDep,
          since: Annotated[int, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = FIRST_YEAR) -> list[YearOut]:
    rows = workday_overrides.year_statuses(session, rt.work_calendar(session), today=beijing_date(rt.clock.now()),
                                           since=since)
    return [YearOut(year=r.year, source=r.source, provisional=r.provisional, overrides=r.overrides,
                    confirmation=ConfirmationOut.of(r.confirmation) if r.confirmation else None) for r in rows]


@router.get("/overrides", response_model=list[OverrideOut], summary="Days set by administrators")
def list_overrides(session: SessionDep, principal: ReaderDep,
                   year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None) -> list[OverrideOut]:
    return [OverrideOut.of(r) for r in workday_overrides.list_overrides(session, year=year)]


@router.post("/overrides", status_code=201, response_model=OverrideOut,
             summary="Make a day a holiday or a working day (administrators)")
def add_override(body: OverrideIn, rt: RuntimeDep, session: SessionDep, principal: WriterDep) -> OverrideOut:
    row = workday_overrides.add_override(session, principal, parse_day(body.date, "date"), body.kind, body.name,
                                         note=body.note, now=rt.clock.now())
    return OverrideOut.of(row)


@router.delete("/overrides/{date}", status_code=204, summary="Remove a day's override (administrators)")
def remove_override(date: str, session: SessionDep, principal: WriterDep) -> Response:
    workday_overrides.remove_override(session, principal, parse_day(date, "date"))
    return Response(status_code=204)


@router.post("/years/{year}/confirm", response_model=YearOut,
             summary="Declare a year's schedule complete, naming the notice (administrators)")
def confirm_year(year: int, body: ConfirmIn, rt: RuntimeDep, session: SessionDep, principal: WriterDep) -> YearOut:
    row = workday_overrides.confirm_year(session, principal, year, body.source, note=body.note, now=rt.clock.now())
    overrides = len(workday_overrides.list_overrides(session, year=year))
    return YearOut(year=year, source="admin", provisional=False, overrides=overrides,
                   confirmation=ConfirmationOut.of(row))
