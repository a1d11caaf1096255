"""``wangan windows``: the major-event calendar of PUB-6 (times in Beijing time unless a zone is given)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import typer

from wangan.cli.common import handle_errors, runtime, transaction
from wangan.kernel import identity
from wangan.kernel.auth import principal_for
from wangan.kernel.calendar import BEIJING
from wangan.vulns import windows

windows_app = typer.Typer(no_args_is_help=True, help="Major-event windows that freeze publication (PUB-6).")
AsUser = Annotated[str, typer.Option("--as", help="act as this administrator (e-mail)")]


def _when(value: str, option: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 date-time (e.g. 2026-10-01T00:00)",
                                 param_hint=option) from exc


@windows_app.command("create")
@handle_errors
def windows_create(as_user: AsUser, name: Annotated[str, typer.Option()],
                   start: Annotated[str, typer.Option(help="e.g. 2026-10-01T00:00 (Beijing time)")],
                   end: Annotated[str, typer.Option(help="e.g. 2026-10-08T00:00 (Beijing time)")],
                   scope: Annotated[list[str] | None, typer.Option(help="all, portal, feed, export_public")] = None,
                   ) -> None:
    rt = runtime()
    with transaction(rt) as session:
        who = principal_for(identity.get_user_by_email(session, as_user))
        w = windows.create_window(session, who, name=name, starts_at=_when(start, "--start"),
                                  ends_at=_when(end, "--end"), scope=scope)
        typer.echo(f"{w.id}\t{w.starts_at.isoformat()} – {w.ends_at.isoformat()}\t{','.join(w.scope)}\t{w.name}")


@windows_app.command("list")
@handle_errors
def windows_list() -> None:
    rt = runtime()
    with transaction(rt) as session:
        for w in windows.list_windows(session):
            consent = f"MPS consent {w.consent_reference}" if w.consent_reference else "no consent"
            typer.echo(f"{w.id}\t{w.starts_at.astimezone(BEIJING):%Y-%m-%d %H:%M} – "
                       f"{w.ends_at.astimezone(BEIJING):%Y-%m-%d %H:%M} (Beijing)\t{consent}\t{w.name}")


@windows_app.command("consent")
@handle_errors
def windows_consent(window_id: str, as_user: AsUser, reference: Annotated[str, typer.Option()],
                    date: Annotated[str, typer.Option(help="date of the consent, e.g. 2026-09-28")]) -> None:
    """Record MPS consent to publish inside a window."""
    rt = runtime()
    with transaction(rt) as session:
        who = principal_for(identity.get_user_by_email(session, as_user))
        w = windows.record_consent(session, who, uuid.UUID(window_id), reference=reference,
                                   consent_date=_when(date, "--date"))
        typer.echo(f"{w.id}: consent {w.consent_reference} recorded")
