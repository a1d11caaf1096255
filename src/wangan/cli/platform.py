"""``wangan platform``: collection-platform mode, its MIIT filing and listing (Art. 10), and the read
log of undisclosed cases (Art. 11). Dates and times without a zone are Beijing time."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from wangan.cli.common import EXIT_INVALID, fail, handle_errors, principal_as, runtime, transaction
from wangan.errors import FieldProblem, Invalid, NotFound
from wangan.kernel import identity
from wangan.kernel.calendar import BEIJING
from wangan.vulns import platform
from wangan.vulns.models import PlatformFiling

platform_app = typer.Typer(no_args_is_help=True,
                           help="Collection-platform mode: the MIIT filing (Art. 10) and the read log (Art. 11).")

AsUser = Annotated[str, typer.Option("--as", help="act as this user (e-mail)")]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _status(collection_platform: bool, filing: PlatformFiling | None) -> dict[str, object]:
    return {
        "collection_platform": collection_platform,
        "state": platform.registration_state(filing).name,
        "open_for_intake": not collection_platform or filing is not None,
        "filing": None if filing is None else {
            "filing_number": filing.filing_number, "filed_at": filing.filed_at.isoformat(),
            "recorded_at": filing.recorded_at.isoformat(), "note": filing.note,
            "miit_published_at": _iso(filing.miit_published_at),
            "miit_list_reference": filing.miit_list_reference},
    }


def _beijing(value: str, option: str) -> datetime:
    """YYYY-MM-DD or an ISO 8601 date-time; without a zone it is Beijing time."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise fail(f"{option} must be YYYY-MM-DD or an ISO 8601 date-time, got {value!r}", EXIT_INVALID) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


@platform_app.command("status")
@handle_errors
def status() -> None:
    """Whether this instance is a collection platform, and where its registration stands
    (NOT_FILED, FILED, PUBLISHED_BY_MIIT)."""
    rt = runtime()
    with transaction(rt) as session:
        body = _status(rt.settings.collection_platform, platform.filing_status(session))
    typer.echo(json.dumps(body, ensure_ascii=False))


@platform_app.command("file")
@handle_errors
def file(number: Annotated[str, typer.Option("--number", help="the filing number MIIT issued")],
         date: Annotated[str, typer.Option("--date", help="filing date, YYYY-MM-DD (Beijing time)")],
         as_user: Annotated[str, typer.Option("--as", help="act as this administrator (e-mail)")],
         note: Annotated[str, typer.Option(help="free text kept with the filing")] = "") -> None:
    """Record the MIIT filing (NOT_FILED → FILED); administrators only."""
    try:
        filed_at = datetime.strptime(date, "%Y-%m-%d").replace(tzinfo=BEIJING)
    except ValueError as exc:
        raise fail(f"--date must be YYYY-MM-DD, got {date!r}", EXIT_INVALID) from exc
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_as(session, as_user)
        filing = platform.record_filing(session, principal, number, filed_at, note=note, now=rt.clock.now())
        body = _status(rt.settings.collection_platform, filing)
    typer.echo(json.dumps(body, ensure_ascii=False))


@platform_app.command("miit-listing")
@handle_errors
def miit_listing(
        published_at: Annotated[str, typer.Option("--published-at", help="when MIIT published its list: "
                                                  "YYYY-MM-DD or ISO date-time (Beijing time without a zone)")],
        reference: Annotated[str, typer.Option(help="where the list can be seen (URL or notice number)")],
        as_user: Annotated[str, typer.Option("--as", help="act as this administrator (e-mail)")]) -> None:
    """Record that MIIT listed the filed platform (FILED → PUBLISHED_BY_MIIT); administrators only.
    Before the filing it exits 4."""
    moment = _beijing(published_at, "--published-at")
    rt = runtime()
    with transaction(rt) as session:
        filing = platform.record_miit_listing(session, principal_as(session, as_user), moment, reference,
                                              now=rt.clock.now())
        body = _status(rt.settings.collection_platform, filing)
    typer.echo(json.dumps(body, ensure_ascii=False))


def _organisation_id(session: Session, slug: str) -> uuid.UUID | None:
    if not slug.strip():
        return None
    try:
        return identity.get_organisation(session, slug.strip()).id
    except NotFound as exc:
        raise Invalid("the read-log filter is not valid",
                      problems=[FieldProblem("organisation", f"no organisation {slug.strip()!r}")]) from exc


@platform_app.command("read-log")
@handle_errors
def read_log(
        as_user: AsUser,
        case: Annotated[str, typer.Option(help="only reads of this case (number)")] = "",
        reader: Annotated[str, typer.Option(help="only this reader (e-mail, or part of it)")] = "",
        since: Annotated[str | None, typer.Option(help="from this time (ISO; Beijing time without a zone)")] = None,
        until: Annotated[str | None, typer.Option(help="before this time (ISO; Beijing time without a zone)")] = None,
        organisation: Annotated[str, typer.Option(help="administrators: only this organisation (slug)")] = "",
        limit: Annotated[int, typer.Option(help="at most this many, 1 to 1000")] = 100,
        offset: int = 0,
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False) -> None:
    """Reads of undisclosed cases, newest first (Art. 11): administrators see every organisation,
    managers their own."""
    filt = platform.ReadLogFilter(case=case, reader=reader,
                                  since=_beijing(since, "--since") if since else None,
                                  until=_beijing(until, "--until") if until else None)
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_as(session, as_user)
        entries, total = platform.read_log(session, principal, filt, org_id=_organisation_id(session, organisation),
                                           limit=limit, offset=offset)
    if as_json:
        typer.echo(json.dumps({"items": [
            {"event_id": e.event_id, "at": e.at.isoformat(), "reader": e.reader,
             "reader_id": str(e.reader_id) if e.reader_id else None, "view": e.view, "case_id": e.case_id,
             "case_number": e.case_number} for e in entries], "total": total, "limit": limit, "offset": offset},
            ensure_ascii=False))
        return
    for e in entries:
        typer.echo(f"{e.at.astimezone(BEIJING).isoformat()}\t{e.reader}\t{e.view}\t{e.case_number or e.case_id}")
    typer.echo(f"{len(entries)} of {total} read(s)", err=True)
