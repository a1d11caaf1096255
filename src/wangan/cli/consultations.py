"""``wangan consultations``: public consultations on draft documents.

Reading (``list``, ``show``, ``comments`` without ``--state``) works without ``--as`` and shows what the
public sees; managers and administrators (``--as``) also see drafts, pending comments and contacts, and
create, publish, moderate, export and record a plan's past consultation. Times without an offset
(``2021-07-16T23:59``) are Beijing time; output shows Beijing time."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from wangan.cli.common import EXIT_INVALID, fail, handle_errors, principal_as, runtime, transaction
from wangan.cli.indicators_app import consultations_app, indicators_app
from wangan.errors import FieldProblem, Invalid
from wangan.indicators import consultations as svc
from wangan.indicators import policy
from wangan.indicators.models import Consultation
from wangan.kernel.auth import ANONYMOUS, Principal

__all__ = ["consultations_app", "indicators_app"]

AsUser = Annotated[str, typer.Option("--as", help="act as this user (e-mail)")]
MaybeAsUser = Annotated[str | None, typer.Option("--as", help="act as this user (e-mail); default: the public")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]


def _who(session: Session, as_user: str | None) -> Principal:
    return principal_as(session, as_user) if as_user else ANONYMOUS


def _time(value: str, field: str) -> datetime:
    try:
        return svc.parse_beijing(value)
    except ValueError:
        raise Invalid(f"{field}: not a date and time; give e.g. 2021-07-16T23:59 (Beijing time)",
                      problems=[FieldProblem(field, "e.g. 2021-07-16T23:59")]) from None


def _line(c: Consultation, now: datetime) -> str:
    kind = "recorded" if c.recorded_only else c.state.value
    return (f"{c.slug}\t{kind}\t{svc.window_of(c, now)}\t{svc.beijing_text(c.opens_at)} – "
            f"{svc.beijing_text(c.closes_at)} Beijing\t{c.title_zh}")


def _dict(c: Consultation, now: datetime) -> dict[str, Any]:
    return {"slug": c.slug, "plan_key": c.plan_key, "title_zh": c.title_zh, "title_en": c.title_en,
            "body": c.body, "document_url": c.document_url, "opens_at": c.opens_at.isoformat(),
            "closes_at": c.closes_at.isoformat(), "opens_at_beijing": svc.beijing_text(c.opens_at),
            "closes_at_beijing": svc.beijing_text(c.closes_at), "state": c.state.value,
            "recorded_only": c.recorded_only, "window": svc.window_of(c, now), "version": c.version}


@consultations_app.command("list")
@handle_errors
def list_cmd(as_user: MaybeAsUser = None, as_json: AsJson = False) -> None:
    """Consultations: slug, state, window (upcoming/open/closed), open – close in Beijing time, title."""
    rt = runtime()
    now = rt.clock.now()
    with transaction(rt) as session:
        rows = svc.list_consultations(session, _who(session, as_user))
        if as_json:
            typer.echo(json.dumps([_dict(c, now) for c in rows], ensure_ascii=False, indent=2))
            return
        for c in rows:
            typer.echo(_line(c, now))


@consultations_app.command("show")
@handle_errors
def show(slug: str, as_user: MaybeAsUser = None, as_json: AsJson = False) -> None:
    """One consultation and its approved comments."""
    rt = runtime()
    now = rt.clock.now()
    with transaction(rt) as session:
        principal = _who(session, as_user)
        c = svc.get_consultation(session, principal, slug)
        comments = svc.list_comments(session, principal, slug)
        if as_json:
            typer.echo(json.dumps({**_dict(c, now), "comments": [svc.comment_dict(x) for x in comments]},
                                  ensure_ascii=False, indent=2))
            return
        typer.echo(_line(c, now))
        if c.title_en:
            typer.echo(c.title_en)
        if c.document_url:
            typer.echo(f"document: {c.document_url}")
        refusal = svc.refusal_of(c, now)
        typer.echo(f"comments: {'accepted now' if refusal is None else refusal}")
        if c.body:
            typer.echo("")
            typer.echo(c.body)
        for x in comments:
            who = " / ".join(p for p in (x.name, x.organisation) if p) or "anonymous"
            typer.echo(f"\n[{svc.beijing_text(x.submitted_at)}] {who}" + (f" on {x.section}" if x.section else ""))
            typer.echo(x.body)


@consultations_app.command("create")
@handle_errors
def create(slug: str,
           title_zh: Annotated[str, typer.Option("--title-zh", help="title in Chinese")],
           opens: Annotated[str, typer.Option("--opens", help="opening time, e.g. 2024-05-01T00:00 (Beijing)")],
           closes: Annotated[str, typer.Option("--closes", help="closing time, e.g. 2024-05-31T23:59:59 (Beijing)")],
           as_user: AsUser,
           title_en: Annotated[str, typer.Option("--title-en")] = "",
           body: Annotated[str, typer.Option("--body", help="the draft or a summary")] = "",
           body_file: Annotated[Path | None, typer.Option("--body-file", help="read the body from this UTF-8 file",
                                                          exists=True, dir_okay=False)] = None,
           document_url: Annotated[str, typer.Option("--url", help="link to the draft document")] = "",
           plan: Annotated[str, typer.Option("--plan", help="the plan this draft belongs to")] = "") -> None:
    """Create a draft consultation (publish it with ``publish``)."""
    if body_file is not None:
        try:
            body = body_file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise fail(f"{body_file} is not UTF-8 text", EXIT_INVALID) from exc
    rt = runtime()
    with transaction(rt) as session:
        c = svc.create_consultation(session, principal_as(session, as_user), slug=slug, title_zh=title_zh,
                                    title_en=title_en, body=body, document_url=document_url,
                                    opens_at=_time(opens, "opens_at"), closes_at=_time(closes, "closes_at"),
                                    plan_key=plan, now=rt.clock.now())
        typer.echo(_line(c, rt.clock.now()))


@consultations_app.command("publish")
@handle_errors
def publish_cmd(slug: str, as_user: AsUser) -> None:
    """Publish a draft: it takes comments from its opening to its closing time."""
    rt = runtime()
    with transaction(rt) as session:
        c = svc.publish(session, principal_as(session, as_user), slug, now=rt.clock.now())
        typer.echo(_line(c, rt.clock.now()))


@consultations_app.command("comments")
@handle_errors
def comments(slug: str, as_user: MaybeAsUser = None,
             state: Annotated[str | None, typer.Option("--state", help="pending, approved or rejected")] = None,
             as_json: AsJson = False) -> None:
    """Comments: id, submitted (Beijing), state, name, organisation, contact (managers), section, first line.
    The public sees approved comments; managers see all, or those in ``--state``."""
    rt = runtime()
    with transaction(rt) as session:
        principal = _who(session, as_user)
        if state is not None:
            rows = svc.list_comments(session, principal, slug, include_pending=True, state=state)
        else:
            rows = svc.list_comments(session, principal, slug, include_pending=policy.may_manage(principal))
        if as_json:
            typer.echo(json.dumps([svc.comment_dict(x) for x in rows], ensure_ascii=False, indent=2))
            return
        for x in rows:
            first = x.body.splitlines()[0] if x.body else ""
            cells = [str(x.id), svc.beijing_text(x.submitted_at), x.state.value, x.name or "-", x.organisation or "-"]
            if x.contact is not None:
                cells.append(x.contact or "-")
            typer.echo("\t".join([*cells, x.section or "-", first[:80]]))


@consultations_app.command("moderate")
@handle_errors
def moderate_cmd(slug: str, comment_id: str, as_user: AsUser,
                 approve: Annotated[bool, typer.Option("--approve", help="show it publicly")] = False,
                 reject: Annotated[bool, typer.Option("--reject", help="keep it, never show it")] = False,
                 note: Annotated[str, typer.Option("--note", help="why (kept with the comment)")] = "") -> None:
    """Approve or reject a comment."""
    if approve == reject:
        raise fail("give exactly one of --approve or --reject", EXIT_INVALID)
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_as(session, as_user)
        svc.get_consultation(session, principal, slug)
        comment = svc.moderate(session, principal, comment_id, state="approved" if approve else "rejected",
                               note=note, now=rt.clock.now(), consultation_slug=slug)
        typer.echo(f"{comment.id}\t{comment.state.value}")


@consultations_app.command("export")
@handle_errors
def export(slug: str, as_user: AsUser,
           format: Annotated[str, typer.Option("--format", help="csv (UTF-8 with BOM) or json")] = "csv",
           output: Annotated[Path | None, typer.Option("-o", "--output", help="write to this file")] = None,
           state: Annotated[str | None, typer.Option("--state", help="only comments in this state")] = None) -> None:
    """Every comment with its contact (managers), as CSV or JSON, to stdout or a file."""
    if format not in ("csv", "json"):
        raise fail(f"--format must be csv or json, not {format!r}", EXIT_INVALID)
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_as(session, as_user)
        text = (svc.export_comments_csv(session, principal, slug, state=state) if format == "csv"
                else svc.export_comments_json(session, principal, slug, state=state))
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror}") from exc
    typer.echo(str(output))


@consultations_app.command("record-plan")
@handle_errors
def record_plan(as_user: AsUser,
                plan: Annotated[str | None, typer.Option("--plan", help="plan id (default: the shipped plan "
                                                                        "with a consultation)")] = None) -> None:
    """Record a plan file's past consultation (the 2021 draft's 12–16 July 2021 window) as closed and
    recorded-only. Once only: again is a conflict naming the record."""
    rt = runtime()
    key = plan or next((p.id for p in rt.plans if p.consultation is not None), "")
    with transaction(rt) as session:
        c = svc.record_plan_consultation(session, principal_as(session, as_user), rt.plans, key,
                                         now=rt.clock.now())
        typer.echo(_line(c, rt.clock.now()))
