"""``wangan indicators tasks|task|task-edit|task-progress|tasks-import``: the key tasks of a plan.

Every command acts as the user named by ``--as`` through the monitor's policy. Titles and texts are
printed with their provenance: ``official`` (the plan's own words), ``our wording`` (from the plan file,
not the plan's text), ``user`` (entered here, with who, when and the source) or ``not yet loaded``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from wangan.cli.common import EXIT_INVALID, fail, handle_errors, principal_as, runtime, transaction
from wangan.cli.indicators_app import consultations_app, indicators_app
from wangan.indicators import tasks
from wangan.kernel.workdays import parse_day
from wangan.runtime import Runtime

__all__ = ["consultations_app", "indicators_app"]

AsUser = Annotated[str, typer.Option("--as", help="act as this user (e-mail)")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
PlanOpt = Annotated[str | None, typer.Option("--plan", help="the plan id (default: the first shipped plan)")]
NumberArg = Annotated[int, typer.Argument(metavar="NUMBER", help="the task number")]


def _plan_key(rt: Runtime, plan: str | None) -> str:
    if plan:
        return plan
    if not rt.plans:
        raise fail("no plan is shipped; name one with --plan", EXIT_INVALID)
    return rt.plans[0].id


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _provenance(view: tasks.TaskView, which: str) -> str:
    prov = view.title_provenance if which == "title" else view.text_provenance
    if prov is None:
        return "not yet loaded"
    if prov == "user":
        who = view.entered_by or "?"
        on = view.entered_on.isoformat() if view.entered_on else "?"
        return f"entered by {who} on {on}, source: {view.text_source or '?'}"
    return str(prov)


def _title(view: tasks.TaskView) -> str:
    if view.title_provenance is None:
        return "(not yet loaded)"
    return " / ".join(t for t in (view.title_zh, view.title_en) if t)


@indicators_app.command("tasks")
@handle_errors
def list_tasks(as_user: AsUser, plan: PlanOpt = None, as_json: AsJson = False) -> None:
    """The plan's tasks by focus area, with status counts and the provenance of each title."""
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_as(session, as_user)
        columns = tasks.board(session, principal, rt.plans, _plan_key(rt, plan))
        if as_json:
            _json([{"area": c.area_id, "title_zh": c.title_zh, "title_en": c.title_en, "counts": dict(c.counts),
                    "tasks": [asdict(t) for t in c.tasks]} for c in columns])
            return
        for column in columns:
            counts = ", ".join(f"{k} {n}" for k, n in column.counts.items() if n)
            typer.echo(f"== {column.area_id or '-'} {column.title_zh} / {column.title_en} ({counts or 'no tasks'})")
            for v in column.tasks:
                last = v.last_update.isoformat() if v.last_update else "-"
                typer.echo(f"{v.number}\t{v.status}\t{_title(v)}\t[{_provenance(v, 'title')}]\t"
                           f"owner: {v.owner or '-'}\tlast update: {last}")


def _print_task(view: tasks.TaskView) -> None:
    typer.echo(f"task {view.number} of {view.plan_key}\tstatus {view.status}\tversion {view.version}")
    typer.echo(f"area: {view.area_id or '-'}" + (f" ({view.area_from})" if view.area_from else ""))
    typer.echo(f"title [{_provenance(view, 'title')}]: {_title(view)}")
    if view.text_provenance is None:
        typer.echo("text: (not yet loaded)")
    else:
        typer.echo(f"text [{_provenance(view, 'text')}]:")
        for text in (view.text_zh, view.text_en):
            if text:
                typer.echo(f"  {text}")
    typer.echo(f"owner: {view.owner or '-'}\tsources: {', '.join(view.sources) or '-'}")
    if view.evidence:
        typer.echo(f"evidence: {view.evidence}")
    for u in view.updates:
        typer.echo(f"{u.on.isoformat()}\t{u.status}\t{u.note}\t{u.author}" + (f"\t{u.evidence}" if u.evidence else ""))


@indicators_app.command("task")
@handle_errors
def show_task(number: NumberArg, as_user: AsUser, plan: PlanOpt = None, as_json: AsJson = False) -> None:
    """One task: texts with provenance, owner, status, evidence and its dated updates."""
    rt = runtime()
    with transaction(rt) as session:
        view = tasks.task_view(session, principal_as(session, as_user), rt.plans, _plan_key(rt, plan), number)
        if as_json:
            _json(asdict(view))
        else:
            _print_task(view)


@indicators_app.command("task-edit")
@handle_errors
def edit_task(number: NumberArg, as_user: AsUser, plan: PlanOpt = None,
              title_zh: Annotated[str | None, typer.Option("--title-zh", help="title (tasks the file does not load)")]
              = None,
              title_en: Annotated[str | None, typer.Option("--title-en")] = None,
              text_zh: Annotated[str | None, typer.Option("--text-zh")] = None,
              text_en: Annotated[str | None, typer.Option("--text-en")] = None,
              source: Annotated[str | None, typer.Option("--source", help="where the title/text comes from")] = None,
              owner: Annotated[str | None, typer.Option("--owner", help="the lead department")] = None,
              status: Annotated[str | None, typer.Option("--status", help=", ".join(tasks.STATUSES))] = None,
              area: Annotated[str | None, typer.Option("--area", help="focus area id, where the file gives none")]
              = None,
              evidence: Annotated[str | None, typer.Option("--evidence")] = None,
              version: Annotated[int | None, typer.Option("--version", help="refuse if the task moved on")] = None,
              ) -> None:
    """Change a task; only the options given change. A text from the plan file cannot be overwritten."""
    given = {"title_zh": title_zh, "title_en": title_en, "text_zh": text_zh, "text_en": text_en,
             "text_source": source, "owner": owner, "status": status, "area": area, "evidence": evidence}
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise fail("nothing to change: give at least one of --title-zh, --title-en, --text-zh, --text-en, --source, "
                   "--owner, --status, --area, --evidence", EXIT_INVALID)
    rt = runtime()
    with transaction(rt) as session:
        view = tasks.update_task(session, principal_as(session, as_user), rt.plans, _plan_key(rt, plan), number,
                                 changes, expected_version=version, now=rt.clock.now())
        typer.echo(f"task {view.number}\tversion {view.version}\tstatus {view.status}")


@indicators_app.command("task-progress")
@handle_errors
def task_progress(number: NumberArg, as_user: AsUser,
                  on: Annotated[str, typer.Option("--on", help="the day it happened (YYYY-MM-DD, Beijing)")],
                  status: Annotated[str, typer.Option("--status", help=", ".join(tasks.STATUSES))],
                  note: Annotated[str, typer.Option("--note", help="what happened")],
                  evidence: Annotated[str, typer.Option("--evidence", help="a link or reference")] = "",
                  plan: PlanOpt = None) -> None:
    """Record a dated progress update; the task's status follows its latest-dated update."""
    day = parse_day(on, "on")
    rt = runtime()
    with transaction(rt) as session:
        view = tasks.add_progress(session, principal_as(session, as_user), rt.plans, _plan_key(rt, plan), number,
                                  on=day, status=status, note=note, evidence=evidence, now=rt.clock.now())
        typer.echo(f"task {view.number}\tstatus {view.status}\tlast update {view.last_update}")


@indicators_app.command("tasks-import")
@handle_errors
def tasks_import(file: Annotated[Path, typer.Argument(help="CSV or XLSX, one row per task number")],
                 as_user: AsUser, plan: PlanOpt = None) -> None:
    """Import task texts, areas, owners and statuses; any problem imports nothing (listed by row and column)."""
    if not file.is_file():
        raise fail(f"no such file: {file}", EXIT_INVALID)
    data = file.read_bytes()
    rt = runtime()
    with transaction(rt) as session:
        result = tasks.import_tasks(session, principal_as(session, as_user), rt.plans, _plan_key(rt, plan), data,
                                    file.name, now=rt.clock.now())
        typer.echo(f"{result.rows} rows: {result.created} created, {result.updated} updated, "
                   f"{result.unchanged} unchanged")
