"""``wangan advisories``: Art. 9 advisories from a shell, as a named user (``--as EMAIL``), under the
same policy and the same publication gate as the web and the API.

A refused publication exits 4 (conflict) and prints each refusing rule with its reason on stderr."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from wangan.cli.common import EXIT_FAILED, handle_errors, principal_as, runtime, transaction
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import BEIJING
from wangan.vulns import advisories
from wangan.vulns.models import Advisory

advisories_app = typer.Typer(no_args_is_help=True, help="Security advisories and the publication gate (Art. 9).")

AsUser = Annotated[str, typer.Option("--as", help="act as this user (e-mail)")]
TIME_FIELDS = frozenset(advisories.TIME_FIELDS)
TRUE, FALSE = frozenset({"true", "yes", "1", "on"}), frozenset({"false", "no", "0", "off"})


def _principal(session: Session, email: str) -> Principal:
    return principal_as(session, email)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def advisory_json(a: Advisory) -> dict[str, Any]:
    return {
        "number": a.number, "id": str(a.id), "state": a.state.value, "version": a.version,
        "revision": a.revision, "case": a.case.number, "title": a.title, "description": a.description,
        "affected": a.affected, "fix": a.fix, "cwe": a.cwe,
        "cvss31": {"vector": a.cvss31_vector, "score": a.cvss31_score, "severity": a.cvss31_severity},
        "cvss40": {"vector": a.cvss40_vector, "score": a.cvss40_score, "severity": a.cvss40_severity},
        "credits": a.credits, "references": list(a.references), "in_operator_system": a.in_operator_system,
        "joint_assessment_at": _iso(a.joint_assessment_at),
        "reported_to_miit_mps_at": _iso(a.reported_to_miit_mps_at),
        "evaluation_result": a.evaluation_result, "evaluated_at": _iso(a.evaluated_at),
        "published_at": _iso(a.published_at), "withdrawn_at": _iso(a.withdrawn_at),
        "withdrawn_reason": a.withdrawn_reason,
        "attachments": [{"id": str(att.id), "filename": att.filename, "kind": att.kind.value, "size": att.size,
                         "sha256": att.sha256, "human_cleared": att.human_cleared} for att in a.attachments],
        "revisions": [{"revision": r.revision, "published_at": r.published_at.isoformat(), "note": r.change_note}
                      for r in a.revisions],
    }


def parse_setting(item: str) -> tuple[str, Any]:
    """``FIELD=VALUE`` as the service wants it: times are ISO 8601 (Beijing time without a zone),
    ``references`` are URLs separated by spaces or new lines, ``in_operator_system`` is true/false."""
    name, sep, raw = item.partition("=")
    name = name.strip()
    if not sep or not name:
        raise typer.BadParameter(f"{item!r}: use FIELD=VALUE", param_hint="--set")
    if name in TIME_FIELDS:
        if not raw.strip():
            return name, None
        try:
            moment = datetime.fromisoformat(raw.strip())
        except ValueError as exc:
            raise typer.BadParameter(f"{raw!r} is not an ISO 8601 date-time (e.g. 2026-05-01T10:00)",
                                     param_hint="--set") from exc
        return name, moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)
    if name == "references":
        return name, raw.split()
    if name == "in_operator_system":
        if raw.strip().lower() not in TRUE | FALSE:
            raise typer.BadParameter("in_operator_system is true or false", param_hint="--set")
        return name, raw.strip().lower() in TRUE
    return name, raw


@advisories_app.command("draft")
@handle_errors
def draft(case: Annotated[str, typer.Argument(help="case number or id")], as_user: AsUser) -> None:
    """Draft an advisory pre-filled from a case; prints its number."""
    rt = runtime()
    with transaction(rt) as session:
        advisory = advisories.draft_from_case(session, _principal(session, as_user), case)
        typer.echo(advisory.number)


@advisories_app.command("list")
@handle_errors
def list_(as_user: AsUser) -> None:
    """Your organisation's advisories, in every state."""
    rt = runtime()
    with transaction(rt) as session:
        rows = advisories.list_advisories(session, _principal(session, as_user))
        for a in rows:
            typer.echo(f"{a.number}\t{a.state.value}\trev {a.revision}\t{a.case.number}\t{a.title}")
    typer.echo(f"{len(rows)} advisory(ies)", err=True)


@advisories_app.command("show")
@handle_errors
def show(number: str, as_user: AsUser) -> None:
    """The internal view of one advisory, as JSON."""
    rt = runtime()
    with transaction(rt) as session:
        a = advisories.get_advisory(session, _principal(session, as_user), number)
        typer.echo(json.dumps(advisory_json(a), ensure_ascii=False, indent=2))


@advisories_app.command("update")
@handle_errors
def update(number: str, as_user: AsUser,
           set_: Annotated[list[str], typer.Option("--set", help="FIELD=VALUE; repeat for several fields")],
           version: Annotated[int | None, typer.Option(help="refuse if the advisory changed since")] = None,
           ) -> None:
    """Change fields, e.g. --set fix='Upgrade to 2.0' --set references='https://a https://b'."""
    changes = dict(parse_setting(item) for item in set_)
    rt = runtime()
    with transaction(rt) as session:
        a = advisories.update_advisory(session, _principal(session, as_user), number, changes,
                                       expected_version=version)
        typer.echo(f"{a.number}\t{a.state.value}\tversion {a.version}")


@advisories_app.command("act")
@handle_errors
def act(number: str, action: Annotated[str, typer.Argument(help="submit, return, approve, publish or withdraw")],
        as_user: AsUser, note: Annotated[str, typer.Option(help="why (required to withdraw)")] = "") -> None:
    """Move the advisory along; publish asks the gate and exits 4 listing every refusing rule."""
    rt = runtime()
    with transaction(rt) as session:
        # A refusal (GateRefused) stays in the audit log: the transaction commits errors that keep a record.
        a = advisories.transition(session, _principal(session, as_user), rt.gate_rules, number, action, note=note)
        typer.echo(f"{a.number}\t{a.state.value}\trev {a.revision}")


@advisories_app.command("check")
@handle_errors
def check(number: str, as_user: AsUser) -> None:
    """Dry run of the publication gate, as JSON; exit 0 on allow, 1 on deny or hold. Nothing is published."""
    rt = runtime()
    with transaction(rt) as session:
        decision = advisories.check(session, _principal(session, as_user), rt.gate_rules, number)
    typer.echo(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2))
    if not decision.allowed:  # like 'wangan gate check': scripts can test the exit status
        raise typer.Exit(EXIT_FAILED)


@advisories_app.command("attach")
@handle_errors
def attach(number: str,
           file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
           kind: Annotated[str, typer.Option(help="patch, poc, exploit or document")], as_user: AsUser,
           content_type: Annotated[str, typer.Option(help="media type of the file")] = "application/octet-stream",
           ) -> None:
    """Attach a file; an exploit never leaves, and one that looks like exploit code is held (PUB-4)."""
    with file.open("rb") as stream:
        data = stream.read(advisories.MAX_ATTACHMENT + 1)  # enough to refuse a file that is too large
    rt = runtime()
    with transaction(rt) as session:
        att = advisories.add_attachment(session, _principal(session, as_user), number, filename=file.name,
                                        kind=kind, content_type=content_type, data=data)
        typer.echo(f"{att.id}\t{att.kind.value}\t{att.size} bytes\tsha256 {att.sha256}\t{att.filename}")


@advisories_app.command("clear")
@handle_errors
def clear(number: str, attachment_id: str, as_user: AsUser) -> None:
    """A manager's decision that a held attachment is not exploit code."""
    try:
        wanted = uuid.UUID(attachment_id)
    except ValueError as exc:
        raise typer.BadParameter(f"{attachment_id!r} is not an attachment id", param_hint="ATTACHMENT_ID") from exc
    rt = runtime()
    with transaction(rt) as session:
        att = advisories.clear_attachment(session, _principal(session, as_user), number, wanted)
        typer.echo(f"{att.id}\tcleared\t{att.filename}")
