"""``wangan platform``: collection-platform mode and its MIIT filing (Art. 10)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from wangan.cli.common import EXIT_INVALID, fail, handle_errors, runtime, transaction
from wangan.kernel import identity
from wangan.kernel.auth import principal_for
from wangan.kernel.calendar import BEIJING
from wangan.vulns import platform
from wangan.vulns.models import PlatformFiling

platform_app = typer.Typer(no_args_is_help=True, help="Collection-platform mode: the MIIT filing (Art. 10).")


def _status(collection_platform: bool, filing: PlatformFiling | None) -> dict[str, object]:
    return {
        "collection_platform": collection_platform,
        "state": "FILED" if filing else "NOT_FILED",
        "open_for_intake": not collection_platform or filing is not None,
        "filing": None if filing is None else {
            "filing_number": filing.filing_number, "filed_at": filing.filed_at.isoformat(),
            "recorded_at": filing.recorded_at.isoformat(), "note": filing.note},
    }


@platform_app.command("status")
@handle_errors
def status() -> None:
    """Whether this instance is a collection platform, and the filing in force."""
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
        principal = principal_for(identity.get_user_by_email(session, as_user))
        filing = platform.record_filing(session, principal, number, filed_at, note=note, now=rt.clock.now())
        body = _status(rt.settings.collection_platform, filing)
    typer.echo(json.dumps(body, ensure_ascii=False))
