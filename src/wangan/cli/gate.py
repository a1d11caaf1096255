"""``wangan windows``: the major-event calendar of PUB-6 (times in Beijing time unless a zone is given)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, cast

import typer

from wangan.cli.common import handle_errors, principal_as, runtime, transaction
from wangan.kernel.audit import Actor
from wangan.kernel.calendar import BEIJING
from wangan.vulns import advisories, gate, windows

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
        who = principal_as(session, as_user)
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
        who = principal_as(session, as_user)
        w = windows.record_consent(session, who, uuid.UUID(window_id), reference=reference,
                                   consent_date=_when(date, "--date"))
        typer.echo(f"{w.id}: consent {w.consent_reference} recorded")


gate_app = typer.Typer(no_args_is_help=True, help="The publication and egress gate (Art. 9).")


@gate_app.command("check")
@handle_errors
def gate_check(
    channel: Annotated[str, typer.Option(help="portal, feed, export_public, webhook, email, share, api_read, "
                                              "export_recipient")],
    as_user: AsUser,
    advisory: Annotated[str | None, typer.Option(help="judge this advisory's facts")] = None,
    facts: Annotated[Path | None, typer.Option(help="JSON file with the content facts instead of an advisory",
                                               exists=True, dir_okay=False)] = None,
    recipient: Annotated[str | None, typer.Option(help="who receives it (transfer channels)")] = None,
    jurisdiction: Annotated[str | None, typer.Option(help="domestic or overseas; unset = unknown")] = None,
    provider: Annotated[bool, typer.Option(help="the recipient is the product's provider")] = False,
    cert: Annotated[bool, typer.Option(help="the recipient is a CERT (abroad: held for legal sign-off)")] = False,
    legal_signoff: Annotated[str, typer.Option(help="reference of the legal sign-off for a CERT abroad")] = "",
    at: Annotated[str | None, typer.Option(help="ISO time (Beijing time without a zone); default now")] = None,
) -> None:
    """Explain what the gate would decide; exit 0 on allow, 1 on deny or hold. Nothing is sent."""
    if (advisory is None) == (facts is None):
        raise typer.BadParameter("give --advisory or --facts (one of them)")
    try:
        chosen = gate.Channel(channel)
    except ValueError as exc:
        raise typer.BadParameter(f"unknown channel {channel!r}", param_hint="--channel") from exc
    if jurisdiction not in (None, "domestic", "overseas"):
        raise typer.BadParameter("domestic or overseas", param_hint="--jurisdiction")
    # checked just above, so the narrower type holds
    zone = cast("gate.Jurisdiction | None", jurisdiction)
    who_gets = gate.Recipient(recipient, zone, provider, cert, legal_signoff) if recipient else None
    moment = windows.as_beijing(_when(at, "--at")) if at else datetime.now(UTC)
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_as(session, as_user)
        if advisory is not None:
            item = advisories.get_advisory(session, principal, advisory)
            decision = advisories.decide(session, rt.gate_rules, item, chosen, who_gets, moment,
                                         Actor(principal.user_id, principal.label), dry_run=True)
        else:
            assert facts is not None
            decision = advisories.decide_facts(session, rt.gate_rules, principal, channel=chosen,
                                               content=_content(facts), recipient=who_gets, early_release=None,
                                               at=moment)
    typer.echo(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2))
    if not decision.allowed:
        raise typer.Exit(1)


def _content(path: Path) -> gate.Content:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return gate.Content(
            title=str(data["title"]), text=str(data.get("text", "")), computed_severity=data.get("computed_severity"),
            fix_available=bool(data["fix_available"]), fix_or_mitigation=str(data.get("fix_or_mitigation", "")),
            in_operator_system=bool(data["in_operator_system"]), disclosed=bool(data.get("disclosed", False)))
    except (ValueError, KeyError, TypeError) as exc:
        raise typer.BadParameter(f"{path}: needs JSON with title, fix_available, in_operator_system ({exc})",
                                 param_hint="--facts") from exc
