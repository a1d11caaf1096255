"""``wangan indicators plans|status|report|plan-upload|plan-delete``: the plans of the Action Plan monitor,
the computed status per goal (with the method), the progress report and loading or removing plans.

Every command acts as the user named by ``--as``, through the same policy as the API and the web.
``--json`` prints the same data as the API, for scripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from wangan.cli.common import EXIT_INVALID, fail, handle_errors, principal_as, runtime, transaction
from wangan.cli.indicators_app import indicators_app
from wangan.indicators import progress, registry
from wangan.indicators.plans import PlanFile
from wangan.reports import plan_report
from wangan.reports.rendering import check_lang

AsUser = Annotated[str, typer.Option("--as", help="act as this user (e-mail)")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
PlanOpt = Annotated[str | None, typer.Option("--plan", help="plan id (default: the first shipped plan)")]
FORMATS = ("html", "pdf", "csv", "json")


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _plan_id(plans: tuple[PlanFile, ...], plan: str | None) -> str:
    if plan:
        return plan
    if not plans:
        raise fail("no plan is shipped; name one with --plan", EXIT_INVALID)
    return plans[0].id


@indicators_app.command("plans")
@handle_errors
def plans(as_user: AsUser, as_json: AsJson = False) -> None:
    """The plans: id, period, draft/final, shipped/uploaded and title."""
    rt = runtime()
    with transaction(rt) as session:
        entries = registry.list_plans(session, principal_as(session, as_user), rt.plans)
        items = [progress.plan_summary(e.plan, e.origin) for e in entries]
    if as_json:
        _json({"items": items, "total": len(items)})
        return
    for i in items:
        typer.echo(f"{i['id']}\t{i['period']['start']}-{i['period']['end']}\t{i['status']}\t{i['origin']}"
                   f"\t{i['title']['zh']}\t{i['title']['en']}")


def status_line(g: progress.GoalProgress) -> str:
    """One goal: id, status, latest, target, growth still needed (from an actual; from a forecast)."""
    head = next((i for i in g.indicators if i.assessed), None)
    latest = target = needed = "-"
    if head is not None and head.indicator.target is not None:
        t, a = head.indicator.target, head.headline
        unit = "%" if head.indicator.kind == "rate" else head.indicator.unit
        target = f"{t.comparator}{t.value} {unit} ({t.year})"
        if a.latest is not None:
            latest = (f"CAGR {progress.fmt_rate(a.observed_cagr)} ({a.base.year}-{a.latest.year})"
                      if head.indicator.kind == "rate" and a.observed_cagr is not None and a.base is not None
                      else f"{progress.fmt_number(a.latest.value)} {head.indicator.unit} ({a.latest.year})")
        if a.still_needed is not None:
            needed = f"needs {progress.fmt_rate(a.still_needed)}/yr"
        if head.forecast_need is not None:
            f = head.forecast_need
            needed += (f"; from the {f.forecast.year} forecast {progress.fmt_number(f.forecast.value)}: "
                       f"{progress.fmt_rate(f.rate)}")
    return f"{g.goal.id}\t{g.status}\tlatest {latest}\ttarget {target}\t{needed}"


@indicators_app.command("status")
@handle_errors
def status(as_user: AsUser, plan: PlanOpt = None, as_json: AsJson = False,
           as_of_year: Annotated[int | None, typer.Option("--as-of", help="ignore years after this one")] = None,
           ) -> None:
    """The status of every goal: id, status, latest value, target and the growth still needed."""
    rt = runtime()
    with transaction(rt) as session:
        built = progress.plan_progress(session, principal_as(session, as_user), rt.plans, _plan_id(rt.plans, plan),
                                       as_of_year=as_of_year, now=rt.clock.now())
    if as_json:
        _json(progress.progress_dict(built))
        return
    for g in built.goals:
        typer.echo(status_line(g))
    typer.echo(f"method: {built.plan.progress_thresholds.method_en} "
               f"(on track >= {built.thresholds.on_track}, at risk >= {built.thresholds.at_risk})")


@indicators_app.command("report")
@handle_errors
def report(as_user: AsUser, plan: PlanOpt = None,
           output_format: Annotated[str, typer.Option("--format", help="html, pdf, csv or json")] = "html",
           lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
           output: Annotated[Path | None, typer.Option("--output", "-o", dir_okay=False,
                                                       help="file to write (default: a name in this directory)")]
           = None) -> None:
    """The progress report (html, pdf) or its data (csv, json) written to a file."""
    if output_format not in FORMATS:
        raise fail(f"--format {output_format!r}: use html, pdf, csv or json", EXIT_INVALID)
    if lang not in ("zh", "en"):
        raise fail("--lang is zh or en", EXIT_INVALID)
    doc_lang = check_lang(lang)
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_as(session, as_user)
        built = progress.plan_progress(session, principal, rt.plans, _plan_id(rt.plans, plan), now=rt.clock.now())
        if output_format == "pdf":
            content = plan_report.plan_report_pdf(built, doc_lang)
        elif output_format == "html":
            content = plan_report.plan_report_html(built, doc_lang).encode("utf-8")
        elif output_format == "csv":
            content = progress.plan_data_csv(built).encode("utf-8")
        else:
            content = json.dumps(progress.plan_data_json(built), ensure_ascii=False, indent=2).encode("utf-8")
        progress.record_export(session, principal, built, output_format, doc_lang)
    target = output or Path(plan_report.file_name(built, doc_lang, output_format))
    try:
        target.write_bytes(content)
    except OSError as exc:
        raise fail(f"cannot write {target}: {exc.strerror}", EXIT_INVALID) from exc
    typer.echo(f"{target}\t{len(content)} bytes")


@indicators_app.command("plan-upload")
@handle_errors
def plan_upload(file: Annotated[Path, typer.Argument(metavar="FILE", help="the plan file (YAML)")],
                as_user: AsUser) -> None:
    """Load a plan file (the schema of rules/plans); the same plan id again replaces the earlier upload."""
    if not file.is_file():
        raise fail(f"no such file: {file}", EXIT_INVALID)
    data = file.read_bytes()
    rt = runtime()
    with transaction(rt) as session:
        entry = registry.upload_plan(session, principal_as(session, as_user), rt.plans, data, file.name,
                                     now=rt.clock.now())
        typer.echo(f"{entry.plan.id}\tuploaded\tversion {entry.plan.version.isoformat()}")


@indicators_app.command("plan-delete")
@handle_errors
def plan_delete(plan_id: Annotated[str, typer.Argument(metavar="ID", help="the uploaded plan's id")],
                as_user: AsUser) -> None:
    """Remove an uploaded plan that nothing refers to any more (shipped plans stay)."""
    rt = runtime()
    with transaction(rt) as session:
        registry.delete_plan(session, principal_as(session, as_user), rt.plans, plan_id)
    typer.echo(f"{plan_id}\tdeleted")
