"""``wangan reports``, ``wangan cases``, ``wangan retention``: the vulnerability workflow from a shell.

Commands act as a named user (``--as EMAIL``) so the same authorization policy applies as on the web,
need-to-know on a collection platform included (``cases members``, ``member-add``, ``member-remove``).
``cases forward`` sends the report to the product's provider through the Art. 9 gate: a refusal
exits 4 and names every refusing rule on stderr."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from wangan.cli.common import handle_errors, principal_as, runtime, transaction
from wangan.db import utcnow
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.vulns import cases, forwarding, intake, members, operator, products, sharing
from wangan.vulns.models import Case, CaseShare, IntakeChannel, ProviderForward

reports_app = typer.Typer(no_args_is_help=True, help="The intake log (Art. 5).")
cases_app = typer.Typer(no_args_is_help=True, help="Vulnerability cases (Art. 7).")
retention_app = typer.Typer(no_args_is_help=True, help="Intake-log retention (Art. 5).")
products_app = typer.Typer(no_args_is_help=True, help="The product catalogue.")
assets_app = typer.Typer(no_args_is_help=True, help="Operator mode: assets (Art. 8).")
findings_app = typer.Typer(no_args_is_help=True, help="Operator mode: vulnerabilities in own assets (Art. 8).")

AsUser = Annotated[str, typer.Option("--as", help="act as this user (e-mail)")]


def _principal(session: Session, email: str) -> Principal:
    return principal_as(session, email)


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
            channel=IntakeChannel(channel), limits=rt.intake_limits,
            collection_platform=rt.settings.collection_platform)
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
        # On a collection platform this read of the internal view is logged (Art. 11), as on the API.
        c = cases.get_case(session, _principal(session, as_user), case_ref,
                           collection_platform=rt.settings.collection_platform)
        typer.echo(json.dumps({
            "number": c.number, "state": c.state.value, "title": c.title, "version": c.version,
            "aware_at": c.aware_at.isoformat(), "nvdb_due_at": c.nvdb_due_at.isoformat(),
            "nvdb_submitted_at": c.nvdb_submitted_at.isoformat() if c.nvdb_submitted_at else None,
            "forward_due_at": _iso(c.forward_due_at), "forwarded_at": _iso(c.forwarded_at),
            "transitions": {t.id: [b.message for b in blocked]
                            for t, blocked in cases.available_transitions(rt.vuln_rules, c)},
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
        packet = cases.nvdb_packet(session, _principal(session, as_user), rt.vuln_rules, case_ref,
                                   collection_platform=rt.settings.collection_platform)
    typer.echo(json.dumps(packet, ensure_ascii=False, indent=2))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None, option: str) -> datetime:
    """An ISO 8601 time with a zone; 'now' or nothing means now."""
    if value is None or value == "now":
        return utcnow()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 date-time", param_hint=option) from exc
    if parsed.tzinfo is None:
        raise typer.BadParameter("add a time zone, e.g. 2026-11-25T10:00:00+08:00", param_hint=option)
    return parsed


def _parse_assignments(pairs: list[str]) -> dict[str, Any]:
    """FIELD=VALUE pairs; true/false become booleans for the flag fields."""
    changes: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"{pair!r}: use FIELD=VALUE", param_hint="--set")
        if name in cases.EDITABLE_FLAGS:
            if value.lower() not in ("true", "false"):
                raise typer.BadParameter(f"{name} takes true or false", param_hint="--set")
            changes[name] = value.lower() == "true"
        elif name == "fix_available_at":
            changes[name] = _parse_time(value, "--set fix_available_at")
        else:
            changes[name] = value
    return changes


def _echo_case(c: Case) -> None:
    typer.echo(f"{c.number}\t{c.state.value}\tversion {c.version}\tNVDB due {c.nvdb_due_at.isoformat()}")


@cases_app.command("create")
@handle_errors
def cases_create(as_user: AsUser, title: Annotated[str, typer.Option()],
                 report: Annotated[str | None, typer.Option(help="intake record id to open the case from")] = None,
                 aware_at: Annotated[str | None, typer.Option(help="ISO time of awareness (default: now)")] = None,
                 set_: Annotated[list[str] | None, typer.Option("--set", help="FIELD=VALUE, repeatable")] = None,
                 ) -> None:
    """Open a case; the NVDB clock starts at the moment of awareness."""
    rt = runtime()
    with transaction(rt) as session:
        c = cases.create_case(session, _principal(session, as_user), rt.vuln_rules, cases.CaseIn(
            title=title, report_id=uuid.UUID(report) if report else None,
            aware_at=_parse_time(aware_at, "--aware-at") if aware_at else None,
            fields=_parse_assignments(set_ or [])))
        _echo_case(c)


@cases_app.command("update")
@handle_errors
def cases_update(case_ref: str, as_user: AsUser,
                 set_: Annotated[list[str], typer.Option("--set", help="FIELD=VALUE, repeatable")],
                 version: Annotated[int | None, typer.Option(help="fail if the case moved past this version")] = None,
                 ) -> None:
    """Edit assessment fields, e.g. --set cvss31_vector=CVSS:3.1/... --set impact_scope=..."""
    rt = runtime()
    with transaction(rt) as session:
        c = cases.update_case(session, _principal(session, as_user), case_ref, _parse_assignments(set_),
                              expected_version=version)
        _echo_case(c)


@cases_app.command("members")
@handle_errors
def cases_members(case_ref: str, as_user: AsUser) -> None:
    """Who is on the case (need-to-know on a collection platform, Art. 11), oldest first."""
    rt = runtime()
    with transaction(rt) as session:
        rows = members.list_members(session, _principal(session, as_user), case_ref)
        for m in rows:
            typer.echo(f"{m.email}\t{m.role}\tadded {m.added_at.isoformat()}\tby {m.added_by or '-'}")
    typer.echo(f"{len(rows)} member(s)", err=True)


@cases_app.command("member-add")
@handle_errors
def cases_member_add(case_ref: str, email: Annotated[str, typer.Argument(help="the user to add (e-mail)")],
                     as_user: AsUser) -> None:
    """Make a manager, analyst or viewer of the owning organisation a member (managers only)."""
    rt = runtime()
    with transaction(rt) as session:
        members.add_member(session, _principal(session, as_user), case_ref, email, at=rt.clock.now())
    typer.echo(f"{email.strip()} is now a member of {case_ref}")


@cases_app.command("member-remove")
@handle_errors
def cases_member_remove(case_ref: str, email: Annotated[str, typer.Argument(help="the member to remove (e-mail)")],
                        as_user: AsUser) -> None:
    """Take a member off the case (managers only); on a platform they no longer read it."""
    rt = runtime()
    with transaction(rt) as session:
        members.remove_member(session, _principal(session, as_user), case_ref, email)
    typer.echo(f"{email.strip()} is no longer a member of {case_ref}")


def _echo_forward(f: ProviderForward) -> None:
    timing = {True: "on time", False: "LATE", None: "-"}[f.on_time]
    typer.echo(f"{f.id}\t{f.forwarded_at.isoformat()}\t{f.channel.value}\t{f.recipient}\t{f.jurisdiction}\t"
               f"{timing}\t{f.reference}")


@cases_app.command("forward")
@handle_errors
def cases_forward(
        case_ref: str, as_user: AsUser,
        channel: Annotated[str, typer.Option(help="share (an organisation here), email (through the outbox) or "
                                                  "recorded (sent outside wangan)")],
        organisation: Annotated[str, typer.Option(help="share: the provider organisation's slug")] = "",
        email: Annotated[str, typer.Option(help="email: the provider's security contact")] = "",
        recipient: Annotated[str, typer.Option(help="recorded: who received the report")] = "",
        jurisdiction: Annotated[str, typer.Option(help="email/recorded: domestic or overseas; unset = unknown, "
                                                       "treated as overseas")] = "",
        reference: Annotated[str, typer.Option(help="the provider's ticket or your reference")] = "",
        note: str = "",
        at: Annotated[str | None, typer.Option("--at", help="recorded: ISO time it was sent, with a zone")] = None,
) -> None:
    """Forward the case's report to the product's provider through the gate; a refusal exits 4 naming every rule."""
    rt = runtime()
    data = forwarding.ForwardIn(channel=channel, organisation=organisation, email=email, recipient=recipient,
                                jurisdiction=jurisdiction, reference=reference, note=note,
                                forwarded_at=_parse_time(at, "--at") if at else None)
    with transaction(rt) as session:
        # A gate refusal keeps its audit record: the transaction commits errors that keep one.
        f = forwarding.forward_to_provider(session, _principal(session, as_user), rt.gate_rules, case_ref, data,
                                           now=rt.clock.now(), platform_name=rt.settings.instance_name)
        _echo_forward(f)


@cases_app.command("forwards")
@handle_errors
def cases_forwards(case_ref: str, as_user: AsUser) -> None:
    """Every forward of the case to the product's provider, oldest first."""
    rt = runtime()
    with transaction(rt) as session:
        rows = forwarding.list_forwards(session, _principal(session, as_user), case_ref)
        for f in rows:
            _echo_forward(f)
    typer.echo(f"{len(rows)} forward(s)", err=True)


def _echo_share(share: CaseShare, slugs: dict[uuid.UUID, str]) -> None:
    state = "active" if share.revoked_at is None else f"revoked {share.revoked_at.isoformat()}"
    typer.echo(f"{share.id}\t{slugs.get(share.org_id, share.org_id)}\t{share.granted_at.isoformat()}\t{state}\t"
               f"{share.legal_signoff or '-'}")


@cases_app.command("share")
@handle_errors
def cases_share(case_ref: str, organisation: Annotated[str, typer.Argument(help="the recipient organisation's slug")],
                as_user: AsUser,
                legal_signoff: Annotated[str, typer.Option(help="reference of the legal sign-off, for a CERT "
                                                                "abroad (PUB-7 holds it otherwise)")] = "") -> None:
    """Share the case with another organisation through the gate; a refusal exits 4 naming every rule."""
    rt = runtime()
    with transaction(rt) as session:
        share = sharing.share_case(session, _principal(session, as_user), rt.gate_rules, case_ref, organisation,
                                   at=rt.clock.now(), legal_signoff=legal_signoff)
        _echo_share(share, sharing.organisation_slugs(session, [share]))


@cases_app.command("shares")
@handle_errors
def cases_shares(case_ref: str, as_user: AsUser) -> None:
    """Every share of the case, active and revoked."""
    rt = runtime()
    with transaction(rt) as session:
        rows = sharing.list_shares(session, _principal(session, as_user), case_ref)
        slugs = sharing.organisation_slugs(session, rows)
        for share in rows:
            _echo_share(share, slugs)
    typer.echo(f"{len(rows)} share(s)", err=True)


@cases_app.command("unshare")
@handle_errors
def cases_unshare(case_ref: str, share_id: str, as_user: AsUser) -> None:
    """Revoke a share; the organisation no longer sees the case."""
    rt = runtime()
    with transaction(rt) as session:
        share = sharing.revoke_share(session, _principal(session, as_user), case_ref, share_id, at=rt.clock.now())
        _echo_share(share, sharing.organisation_slugs(session, [share]))


@cases_app.command("upstream")
@handle_errors
def cases_upstream(case_ref: str, as_user: AsUser, supplier: Annotated[str, typer.Option()],
                   component: Annotated[str, typer.Option()], component_version: str = "", channel: str = "",
                   sent_at: Annotated[str | None, typer.Option(help="ISO time (default: now)")] = None) -> None:
    """Record the notice to an upstream component supplier (Art. 7(1))."""
    rt = runtime()
    with transaction(rt) as session:
        cases.record_upstream_notice(session, _principal(session, as_user), case_ref, supplier=supplier,
                                     component=component, component_version=component_version, channel=channel,
                                     sent_at=_parse_time(sent_at, "--sent-at"))
    typer.echo(f"upstream notice recorded on {case_ref}")


@cases_app.command("downstream")
@handle_errors
def cases_downstream(case_ref: str, as_user: AsUser, recipients: Annotated[str, typer.Option()],
                     fix: Annotated[str, typer.Option()],
                     sent_at: Annotated[str | None, typer.Option(help="ISO time (default: now)")] = None) -> None:
    """Record the notice to downstream users (Art. 7(3))."""
    rt = runtime()
    with transaction(rt) as session:
        cases.record_downstream_notice(session, _principal(session, as_user), case_ref, recipients=recipients,
                                       fix=fix, sent_at=_parse_time(sent_at, "--sent-at"))
    typer.echo(f"downstream notice recorded on {case_ref}")


@cases_app.command("nvdb-submit")
@handle_errors
def cases_nvdb_submit(case_ref: str, as_user: AsUser, reference: Annotated[str, typer.Option()],
                      submitted_at: Annotated[str | None, typer.Option(help="ISO time (default: now)")] = None,
                      ) -> None:
    """Record the NVDB submission and whether it was within the 2-day clock."""
    rt = runtime()
    with transaction(rt) as session:
        c = cases.record_nvdb_submission(session, _principal(session, as_user), rt.vuln_rules, case_ref,
                                         reference=reference, submitted_at=_parse_time(submitted_at, "--submitted-at"))
        typer.echo(f"{c.number}: submitted as {c.nvdb_reference}, {'on time' if c.nvdb_on_time else 'LATE'}")


@products_app.command("create")
@handle_errors
def products_create(as_user: AsUser, vendor: Annotated[str, typer.Option()], name: Annotated[str, typer.Option()],
                    model: str = "", version: Annotated[list[str] | None, typer.Option(help="repeatable")] = None,
                    ) -> None:
    rt = runtime()
    with transaction(rt) as session:
        p = products.create_product(session, _principal(session, as_user), vendor=vendor, name=name, model=model,
                                    versions=version or [])
        typer.echo(f"{p.id}\t{p.vendor} {p.name} {p.model}")


@products_app.command("list")
@handle_errors
def products_list(as_user: AsUser) -> None:
    rt = runtime()
    with transaction(rt) as session:
        for p in products.list_products(session, _principal(session, as_user)):
            typer.echo(f"{p.id}\t{p.vendor}\t{p.name}\t{p.model}\t{', '.join(p.versions)}")


@assets_app.command("create")
@handle_errors
def assets_create(as_user: AsUser, kind: Annotated[str, typer.Option(help="network, system or equipment")],
                  name: Annotated[str, typer.Option()], identifier: Annotated[str, typer.Option()],
                  location: str = "", owner: str = "") -> None:
    """Register an asset the operator runs (Art. 8)."""
    rt = runtime()
    with transaction(rt) as session:
        a = operator.create_asset(session, _principal(session, as_user), kind=kind, name=name,
                                  identifier=identifier, location=location, owner=owner)
        typer.echo(f"{a.id}\t{a.kind.value}\t{a.identifier}")


@assets_app.command("list")
@handle_errors
def assets_list(as_user: AsUser) -> None:
    rt = runtime()
    with transaction(rt) as session:
        for a in operator.list_assets(session, _principal(session, as_user)):
            typer.echo(f"{a.id}\t{a.kind.value}\t{a.identifier}\t{a.name}")


@findings_app.command("create")
@handle_errors
def findings_create(as_user: AsUser, asset: Annotated[str, typer.Option(help="asset id")],
                    title: Annotated[str, typer.Option()], reference: str = "", cvss31_vector: str = "",
                    found_at: Annotated[str | None, typer.Option(help="ISO time (default: now)")] = None) -> None:
    """Record a vulnerability in an operator's asset; verify and fix due dates come from the rules."""
    rt = runtime()
    with transaction(rt) as session:
        f = operator.create_finding(session, _principal(session, as_user), rt.vuln_rules, asset_id=uuid.UUID(asset),
                                    title=title, reference=reference, cvss31_vector=cvss31_vector,
                                    found_at=_parse_time(found_at, "--found-at"))
        typer.echo(f"{f.id}\tverify by {f.verify_due_at.isoformat()}\tfix by {f.fix_due_at.isoformat()}")


@findings_app.command("list")
@handle_errors
def findings_list(as_user: AsUser, open_only: Annotated[bool, typer.Option("--open")] = False) -> None:
    rt = runtime()
    now = utcnow()
    with transaction(rt) as session:
        for f in operator.list_findings(session, _principal(session, as_user), open_only=open_only):
            late = " OVERDUE" if f.state.value in ("open", "verified") and f.fix_due_at < now else ""
            due = f"{f.fix_due_at:%Y-%m-%d}"
            typer.echo(f"{f.id}\t{f.state.value}{late}\tfix by {due}\t{f.asset.identifier}\t{f.title}")


@findings_app.command("act")
@handle_errors
def findings_act(finding_id: str, action: Annotated[str, typer.Argument(help="verify, fix or dismiss")],
                 as_user: AsUser, note: str = "") -> None:
    rt = runtime()
    with transaction(rt) as session:
        f = operator.move_finding(session, _principal(session, as_user), uuid.UUID(finding_id), action, note=note)
        typer.echo(f"{f.id} is now {f.state.value}")
