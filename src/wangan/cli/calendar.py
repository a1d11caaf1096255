"""``wangan calendar``: PRC working days (official holidays and make-up working days, Beijing time),
and the administrators' overrides and confirmations for years the library does not know yet.

``add`` and ``between`` print their answer alone on stdout (a date or an integer), followed by
`` provisional`` when it relied on a year whose schedule nobody confirmed; a note on stderr names
those years, so scripts can read stdout and people still see why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from wangan.cli.common import EXIT_INVALID, fail, handle_errors, runtime, transaction
from wangan.kernel import identity, workday_overrides
from wangan.kernel.auth import principal_for
from wangan.kernel.calendar import beijing_date
from wangan.kernel.workdays import FIRST_YEAR, parse_day

calendar_app = typer.Typer(no_args_is_help=True,
                           help="PRC working days: add, count, and the administrators' overrides.")
override_app = typer.Typer(no_args_is_help=True,
                           help="Holidays and working days entered by administrators (they beat the library).")
calendar_app.add_typer(override_app, name="override")

AsAdmin = Annotated[str, typer.Option("--as", help="act as this administrator (e-mail)")]
# "-3" would otherwise be read as an unknown option and refused with a usage message that does not
# say what is wrong with N; taken as an argument, it gets the specific message below.
NEGATIVE_NUMBERS_AS_ARGUMENTS = {"ignore_unknown_options": True}


def _working_days(text: str) -> int:
    value = text.strip()
    if not (value.isascii() and value.isdigit()):  # refuses "-3", "1.5", "two" and ""
        raise fail(f"N must be a whole number of working days, 0 or more; got {text!r}", EXIT_INVALID)
    return int(value)


def _provisional_note(years: Sequence[int]) -> None:
    if years:
        listed = ", ".join(str(y) for y in years)
        typer.echo(f"note: provisional: no confirmed holiday schedule for {listed}; counted as Monday–Friday "
                   "weeks plus any overrides (see 'wangan calendar status')", err=True)


@calendar_app.command("add", context_settings=NEGATIVE_NUMBERS_AS_ARGUMENTS)
@handle_errors
def add(date: Annotated[str, typer.Argument(metavar="DATE", help="start day, YYYY-MM-DD (Beijing)")],
        n: Annotated[str, typer.Argument(metavar="N", help="working days to add, 0 or more")]) -> None:
    """Print the date N PRC working days after DATE (DATE itself does not count)."""
    start, count = parse_day(date, "date"), _working_days(n)
    rt = runtime()
    with transaction(rt) as session:
        result = rt.work_calendar(session).add_working_days(start, count)
    typer.echo(result.date.isoformat() + (" provisional" if result.provisional else ""))
    _provisional_note(result.unconfirmed_years)


@calendar_app.command("between")
@handle_errors
def between(date1: Annotated[str, typer.Argument(metavar="DATE1", help="YYYY-MM-DD; not counted")],
            date2: Annotated[str, typer.Argument(metavar="DATE2", help="YYYY-MM-DD; counted")]) -> None:
    """Print the number of PRC working days after DATE1 up to and including DATE2 (negative when
    DATE2 is before DATE1)."""
    start, end = parse_day(date1, "start"), parse_day(date2, "end")
    rt = runtime()
    with transaction(rt) as session:
        result = rt.work_calendar(session).working_days_between(start, end)
    typer.echo(f"{result.days}" + (" provisional" if result.provisional else ""))
    _provisional_note(result.unconfirmed_years)


@calendar_app.command("status")
@handle_errors
def status(since: Annotated[int, typer.Option(help="first year to list")] = FIRST_YEAR) -> None:
    """Where each year's schedule comes from: library, admin (confirmed) or provisional."""
    rt = runtime()
    with transaction(rt) as session:
        calendar = rt.work_calendar(session)
        rows = workday_overrides.year_statuses(session, calendar, today=beijing_date(rt.clock.now()), since=since)
        for row in rows:
            source = {"library": "library", "admin": "admin-confirmed", "provisional": "provisional"}[row.source]
            confirmed = f"\t{row.confirmation.source_reference}" if row.confirmation else ""
            typer.echo(f"{row.year}\t{source}\t{row.overrides} override(s){confirmed}")


@calendar_app.command("confirm")
@handle_errors
def confirm(year: Annotated[int, typer.Argument(metavar="YEAR")], as_user: AsAdmin,
            source: Annotated[str, typer.Option(help="the State Council notice, e.g. 国办发明电〔2026〕X号")],
            note: Annotated[str, typer.Option(help="free text kept with the confirmation")] = "") -> None:
    """Declare YEAR's schedule complete (its overrides entered from the notice); administrators only."""
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_for(identity.get_user_by_email(session, as_user))
        row = workday_overrides.confirm_year(session, principal, year, source, note=note, now=rt.clock.now())
        typer.echo(f"{row.year}\tadmin-confirmed\t{row.source_reference}")


@override_app.command("add")
@handle_errors
def override_add(date: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD (Beijing)")],
                 kind: Annotated[str, typer.Option(help="holiday or workday")],
                 name: Annotated[str, typer.Option(help="the holiday, e.g. 春节 Spring Festival")],
                 as_user: AsAdmin,
                 note: Annotated[str, typer.Option(help="free text kept with the day")] = "") -> None:
    """Make DATE a holiday or a working day; administrators only."""
    day = parse_day(date, "date")
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_for(identity.get_user_by_email(session, as_user))
        row = workday_overrides.add_override(session, principal, day, kind, name, note=note, now=rt.clock.now())
        typer.echo(f"{row.day.isoformat()}\t{row.kind.value}\t{row.name}")


@override_app.command("list")
@handle_errors
def override_list(year: Annotated[int | None, typer.Option(help="only this year")] = None) -> None:
    """Every override day, in date order."""
    rt = runtime()
    with transaction(rt) as session:
        for row in workday_overrides.list_overrides(session, year=year):
            typer.echo(f"{row.day.isoformat()}\t{row.kind.value}\t{row.name}" + (f"\t{row.note}" if row.note else ""))


@override_app.command("remove")
@handle_errors
def override_remove(date: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD")],
                    as_user: AsAdmin) -> None:
    """Delete DATE's override (the library or the weekday decides again); administrators only."""
    day = parse_day(date, "date")
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_for(identity.get_user_by_email(session, as_user))
        row = workday_overrides.remove_override(session, principal, day)
        typer.echo(f"removed {row.day.isoformat()}\t{row.kind.value}\t{row.name}")
