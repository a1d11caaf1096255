"""``wangan reports``, ``wangan cases``, ``wangan retention``: the vulnerability workflow from a shell.

Commands act as a named user (``--as EMAIL``) so the same authorization policy applies as on the web."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from wangan.cli.common import handle_errors, runtime, transaction
from wangan.db import utcnow
from wangan.kernel import identity
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal, principal_for
from wangan.vulns import cases, intake
from wangan.vulns.models import IntakeChannel

reports_app = typer.Typer(no_args_is_help=True, help="The intake log (Art. 5).")
cases_app = typer.Typer(no_args_is_help=True, help="Vulnerability cases (Art. 7).")
retention_app = typer.Typer(no_args_is_help=True, help="Intake-log retention (Art. 5).")

AsUser = Annotated[str, typer.Option("--as", help="act as this user (e-mail)")]


def _principal(session: Session, email: str) -> Principal:
    return principal_for(identity.get_user_by_email(session, email))


@reports_app.command("submit")
@handle_errors
def reports_submit(title: Annotated[str, typer.Option()], contact: Annotated[str, typer.Option()],
                   content_file: Annotated[Path, typer.Option("--content-file", exists=True, dir_okay=False,
                                                               help="file with the description")],
                   organisation: Annotated[str | None, typer.Option(help="receiving organisation slug")] = None,
                   channel: Annotated[str, typer.Option(help="email, phone or other")] = "email") -> None:
    """Log a report received on another channel (e-mail, phone) into the intake log."""
    rt = runtime()
    if channel not in ("email", "phone", "other"):
        raise typer.BadParameter("channel must be email, phone or other", param_hint="--channel")
    with transaction(rt) as session:
        record, _ = intake.submit_report(
            session, rt.vuln_rules,
            intake.ReportIn(title=title, content=content_file.read_text(encoding="utf-8"),
                            reporter_contact=contact, organisation=organisation),
            channel=IntakeChannel(channel), limits=rt.intake_limits)
    typer.echo(json.dumps({"id": str(record.id), "received_at": record.received_at.isoformat(),
                           "retention_until": record.retention_until.isoformat()}))


@reports_app.command("list")
@handle_errors
def reports_list(as_user: AsUser, limit: int = 50) -> None:
    rt = runtime()
    with transaction(rt) as session:
        rows, total = intake.list_reports(session, _principal(session, as_user), limit=limit)
        for r in rows:
            typer.echo(f"{r.id}\t{r.received_at:%Y-%m-%d %H:%M}\tkeep until {r.retention_until:%Y-%m-%d}\t{r.title}")
    typer.echo(f"{len(rows)} of {total}", err=True)


@reports_app.command("delete")
@handle_errors
def reports_delete(report_id: str, as_user: AsUser) -> None:
    """Delete one receipt; refused inside its retention period."""
    import uuid

    rt = runtime()
    with transaction(rt) as session:
        intake.delete_report(session, _principal(session, as_user), uuid.UUID(report_id))
    typer.echo(f"deleted report {report_id}")


@retention_app.command("purge")
@handle_errors
def retention_purge() -> None:
    """Remove only intake records whose retention period has ended."""
    rt = runtime()
    with transaction(rt) as session:
        count = intake.purge_expired(session, Actor.system("retention-purge"), now=utcnow())
    typer.echo(f"purged {count} expired intake record(s)")


@cases_app.command("list")
@handle_errors
def cases_list(as_user: AsUser, open_only: Annotated[bool, typer.Option("--open")] = False,
               overdue: bool = False) -> None:
    rt = runtime()
    now = utcnow()
    with transaction(rt) as session:
        rows, _ = cases.list_cases(session, _principal(session, as_user), rt.vuln_rules,
                                   cases.CaseFilter(open_only=open_only, overdue_only=overdue), limit=200)
        for c in rows:
            left = c.nvdb_due_at - now
            clock = ("submitted" if c.nvdb_submitted_at else
                     f"OVERDUE {-left}" if left.total_seconds() < 0 else f"due in {left}")
            typer.echo(f"{c.number}\t{c.state.value}\t{clock}\t{c.title}")


@cases_app.command("show")
@handle_errors
def cases_show(case_ref: str, as_user: AsUser) -> None:
    rt = runtime()
    with transaction(rt) as session:
        c = cases.get_case(session, _principal(session, as_user), case_ref)
        typer.echo(json.dumps({
            "number": c.number, "state": c.state.value, "title": c.title, "version": c.version,
            "aware_at": c.aware_at.isoformat(), "nvdb_due_at": c.nvdb_due_at.isoformat(),
            "nvdb_submitted_at": c.nvdb_submitted_at.isoformat() if c.nvdb_submitted_at else None,
            "transitions": {t.id: blocked for t, blocked in cases.available_transitions(rt.vuln_rules, c)},
        }, ensure_ascii=False, indent=2))


@cases_app.command("transition")
@handle_errors
def cases_transition(case_ref: str, transition_id: str, as_user: AsUser, note: str = "") -> None:
    rt = runtime()
    with transaction(rt) as session:
        c = cases.transition(session, _principal(session, as_user), rt.vuln_rules, case_ref, transition_id,
                             note=note)
        typer.echo(f"{c.number} is now {c.state.value}")


@cases_app.command("nvdb")
@handle_errors
def cases_nvdb(case_ref: str, as_user: AsUser) -> None:
    """Print the NVDB packet as JSON; exit 2 listing every missing required field."""
    rt = runtime()
    with transaction(rt) as session:
        packet = cases.nvdb_packet(session, _principal(session, as_user), rt.vuln_rules, case_ref)
    typer.echo(json.dumps(packet, ensure_ascii=False, indent=2))
