"""``wangan reviews``: cybersecurity review (Measures for Cybersecurity Review) on the command line.

``screen`` needs no account; every other command acts as the user named by ``--as``, through the
same policy as the API (a case you may not see is "not found"). Every clock is printed with its due
date, the PRC working days left and ``provisional`` when the due date relies on a year whose holiday
schedule nobody confirmed. ``--json`` prints the same data as the API, for scripts."""

from __future__ import annotations

import json
import mimetypes
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from wangan.cli.common import EXIT_INVALID, fail, handle_errors, principal_as, runtime, transaction
from wangan.config import load_settings
from wangan.errors import FieldProblem, Invalid
from wangan.kernel.calendar import beijing_date
from wangan.kernel.workdays import parse_day
from wangan.reports import impact
from wangan.reports.rendering import check_lang
from wangan.reviews import assessment, cases, commitments, screening
from wangan.reviews.clocks import countdown
from wangan.reviews.models import ReviewCase
from wangan.reviews.rules import load_review_rules
from wangan.runtime import Runtime

reviews_app = typer.Typer(no_args_is_help=True,
                          help="Cybersecurity review: screening, review cases, clocks, pauses, assessment.")

AsUser = Annotated[str, typer.Option("--as", help="act as this user (e-mail)")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
Number = Annotated[str, typer.Argument(metavar="NUMBER", help="the review case, e.g. CR-2026-0001")]


def _day(value: str | None, field: str) -> date | None:
    return None if value is None else parse_day(value, field)


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _today(rt: Runtime) -> date:
    return beijing_date(rt.clock.now())


def clock_line(v: cases.ClockView) -> str:
    """One clock: rule, start, due date, working days left (or paused/stopped), provisional."""
    if v.paused_since is not None:
        where = f"paused since {v.paused_since.isoformat()} (due date as of the pause)"
    elif not v.running:
        where = f"stopped {v.stopped_on.isoformat() if v.stopped_on else '?'} ({'met' if v.met else 'missed'})"
    elif v.overdue:
        where = "OVERDUE"
    else:
        where = f"{v.remaining_working_days} working day(s) left"
    line = (f"{v.rule_id}\t{v.title_en}\tstarted {v.started_on.isoformat()}\tdue {v.due_on.isoformat()}\t{where}"
            f"\t{v.working_days} WD")
    if v.extensions:
        line += f" ({v.extensions} extension(s), +{v.extension_working_days} WD)"
    if v.paused_working_days:
        line += f", paused {v.paused_working_days} WD"
    if v.provisional:
        line += f"\tprovisional (unconfirmed {', '.join(str(y) for y in v.unconfirmed_years)})"
    return line


def _case_dict(rt: Runtime, session: Session, case: ReviewCase) -> dict[str, Any]:
    rules = rt.review_rules
    views = cases.clock_views(rules, case, rt.work_calendar(session), _today(rt))
    status = cases.dossier_status(rules, case)
    return {
        "id": str(case.id), "number": case.number, "kind": case.kind.value, "title": case.title,
        "party_name": case.party_name, "product_name": case.product_name,
        "product_category": case.product_category, "supplier_name": case.supplier_name,
        "listing_venue": case.listing_venue, "user_count": case.user_count, "filed_on": case.filed_on.isoformat(),
        "measures_version": case.measures_version, "state": case.state.value,
        "conclusion": case.conclusion.value if case.conclusion else None, "version": case.version,
        "clocks": [{"id": str(v.id), "rule_id": v.rule_id, "started_on": v.started_on.isoformat(),
                    "due_on": v.due_on.isoformat(), "working_days": v.working_days,
                    "remaining_working_days": v.remaining_working_days, "overdue": v.overdue,
                    "provisional": v.provisional, "unconfirmed_years": list(v.unconfirmed_years),
                    "running": v.running, "paused": v.paused_since is not None,
                    "extensions": v.extensions, "stopped_on": v.stopped_on.isoformat() if v.stopped_on else None}
                   for v in views],
        "pauses": [{"id": str(p.id), "started_on": p.started_on.isoformat(),
                    "ended_on": p.ended_on.isoformat() if p.ended_on else None, "working_days": p.working_days,
                    "reason": p.reason} for p in case.pauses],
        "dossier": {"complete": status.complete,
                    "completed_on": status.completed_on.isoformat() if status.completed_on else None,
                    "missing": [s.id for s in status.missing],
                    "slots": [{"id": s.slot.id, "required": s.required,
                               "documents": [{"id": str(d.id), "version": d.version, "filename": d.filename,
                                              "size": d.size, "sha256": d.sha256,
                                              "filed_on": d.filed_on.isoformat()} for d in s.versions]}
                              for s in status.slots]},
    }


def _print_case(rt: Runtime, session: Session, case: ReviewCase) -> None:
    rules = rt.review_rules
    state = rules.state_by_id[case.state.value]
    typer.echo(f"{case.number}\t{case.kind.value}\t{case.state.value} ({state.label_en} / {state.label_zh})"
               f"\t{case.title}")
    typer.echo(f"party: {case.party_name}\tfiled on {case.filed_on.isoformat()} under {case.measures_version}"
               f"\tversion {case.version}")
    if case.product_name:
        typer.echo(f"product: {case.product_name} ({case.product_category})"
                   + (f" from {case.supplier_name}" if case.supplier_name else ""))
    if case.listing_venue:
        typer.echo(f"listing: {case.listing_venue}, {case.user_count:,} users" if case.user_count is not None
                   else f"listing: {case.listing_venue}")
    if case.conclusion:
        typer.echo(f"conclusion: {case.conclusion.value} on {case.concluded_on}")
    status = cases.dossier_status(rules, case)
    done = f"complete on {status.completed_on.isoformat()}" if status.completed_on else (
        "complete" if status.complete else "missing " + ", ".join(s.id for s in status.missing))
    typer.echo(f"dossier: {done}")
    for s in status.slots:
        current = s.current
        mark = "required" if s.required else "optional"
        doc = (f"v{current.version} {current.filename} filed {current.filed_on.isoformat()} sha256 {current.sha256}"
               if current else "-")
        typer.echo(f"  {s.slot.id}\t{mark}\t{doc}")
    for view in cases.clock_views(rules, case, rt.work_calendar(session), _today(rt)):
        typer.echo("clock: " + clock_line(view))
    for p in case.pauses:
        end = p.ended_on.isoformat() if p.ended_on else "open"
        typer.echo(f"pause: {p.started_on.isoformat()} – {end}"
                   + (f" ({p.working_days} WD)" if p.working_days is not None else "") + f"\t{p.reason}")


# --------------------------------------------------------------------------- screening


@reviews_app.command("screen")
@handle_errors
def screen(party: Annotated[str, typer.Option(help="procurement (a CIIO buying) or listing (a platform listing)")],
           on: Annotated[str, typer.Option("--date", help="day of the decision, YYYY-MM-DD")],
           category: Annotated[str | None, typer.Option(help="procurement: Art. 21 category id")] = None,
           may_affect: Annotated[str | None, typer.Option(help="procurement: yes, no or unsure")] = None,
           users: Annotated[str | None, typer.Option(help="listing: user count, e.g. 1000001 or 120万")] = None,
           venue: Annotated[str | None, typer.Option(help="listing: exchange, e.g. NYSE or 港交所")] = None,
           as_json: AsJson = False) -> None:
    """Must this purchase or listing go to cybersecurity review? Prints the outcome, the Measures
    and the articles, with the reasons in Chinese and English."""
    day = parse_day(on, "decided_on")
    # A pure function of the answers and the rules file: no database, no data folder.
    rules = load_review_rules(load_settings().resolved_rules_dir)
    result = screening.screen(rules, screening.ScreeningIn(
        party=party, decided_on=day, product_category=category, may_affect_national_security=may_affect,
        user_count=users, listing_venue=venue))
    if as_json:
        _json({**result.to_dict(), "explanation_zh": result.explanation_zh, "explanation_en": result.explanation_en})
        return
    typer.echo(f"{result.outcome.value}\t{result.measures.id}\tArts. {', '.join(result.articles)}")
    typer.echo(result.explanation_zh)
    typer.echo(result.explanation_en)


# --------------------------------------------------------------------------- cases


@reviews_app.command("create")
@handle_errors
def create(as_user: AsUser,
           kind: Annotated[str, typer.Option(help="procurement, listing or ex_officio")],
           title: Annotated[str, typer.Option(help="what the review is about")],
           filed_on: Annotated[str, typer.Option(help="filing day (ex officio: notice day), YYYY-MM-DD")],
           party: Annotated[str, typer.Option(help="the party; default: your organisation's name")] = "",
           product: Annotated[str, typer.Option(help="procurement: the product or service")] = "",
           category: Annotated[str, typer.Option(help="procurement: Art. 21 category id")] = "",
           supplier: Annotated[str, typer.Option(help="the supplier")] = "",
           supplier_country: Annotated[str, typer.Option(help="the supplier's country")] = "",
           venue: Annotated[str, typer.Option(help="listing: the exchange")] = "",
           users: Annotated[str | None, typer.Option(help="listing: the user count")] = None,
           description: Annotated[str, typer.Option(help="free text")] = "") -> None:
    """Open a review case; prints its number."""
    day = parse_day(filed_on, "filed_on")
    rt = runtime()
    with transaction(rt) as session:
        case = cases.create_case(session, principal_as(session, as_user), rt.review_rules, cases.ReviewCaseIn(
            kind=kind, title=title, filed_on=day, party_name=party, description=description, product_name=product,
            product_category=category, supplier_name=supplier, supplier_country=supplier_country,
            listing_venue=venue, user_count=users), calendar=rt.work_calendar(session), now=rt.clock.now())
        typer.echo(f"{case.number}\t{case.state.value}\t{case.measures_version}")
        for view in cases.clock_views(rt.review_rules, case, rt.work_calendar(session), _today(rt)):
            typer.echo("clock: " + clock_line(view))


@reviews_app.command("edit")
@handle_errors
def edit(number: Number, as_user: AsUser,
         title: Annotated[str | None, typer.Option(help="what the review is about")] = None,
         party: Annotated[str | None, typer.Option(help="the party")] = None,
         product: Annotated[str | None, typer.Option(help="procurement: the product or service")] = None,
         category: Annotated[str | None, typer.Option(help="procurement: Art. 21 category id")] = None,
         supplier: Annotated[str | None, typer.Option(help="the supplier")] = None,
         supplier_country: Annotated[str | None, typer.Option(help="the supplier's country")] = None,
         venue: Annotated[str | None, typer.Option(help="listing: the exchange")] = None,
         users: Annotated[str | None, typer.Option(help="listing: the user count ('' clears it)")] = None,
         description: Annotated[str | None, typer.Option(help="free text")] = None,
         version: Annotated[int | None, typer.Option(help="refuse if the case is no longer at this version")] = None,
         ) -> None:
    """Change the descriptive facts of an open case; only the options given change. Prints the new version."""
    given = {"title": title, "party_name": party, "product_name": product, "product_category": category,
             "supplier_name": supplier, "supplier_country": supplier_country, "listing_venue": venue,
             "user_count": users, "description": description}
    changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if "user_count" in changes and not str(changes["user_count"]).strip():
        changes["user_count"] = None
    if not changes:
        raise fail("nothing to change: give at least one of --title, --party, --product, --category, --supplier, "
                   "--supplier-country, --venue, --users, --description", EXIT_INVALID)
    rt = runtime()
    with transaction(rt) as session:
        case = cases.update_case(session, principal_as(session, as_user), rt.review_rules, number, changes,
                                 expected_version=version, now=rt.clock.now())
        typer.echo(f"{case.number}\tversion {case.version}")


@reviews_app.command("list")
@handle_errors
def list_(as_user: AsUser,
          state: Annotated[str | None, typer.Option(help="only this state")] = None,
          kind: Annotated[str | None, typer.Option(help="only this kind")] = None,
          open_only: Annotated[bool, typer.Option("--open", help="only open cases")] = False,
          as_json: AsJson = False) -> None:
    """Review cases you may see, newest first, with the running clock."""
    rt = runtime()
    with transaction(rt) as session:
        rows, _total = cases.list_cases(session, principal_as(session, as_user), rt.review_rules,
                                        cases.CaseFilter(state=state, kind=kind, open_only=open_only), limit=200)
        if as_json:
            _json([_case_dict(rt, session, c) for c in rows])
            return
        calendar = rt.work_calendar(session)
        for case in rows:
            running = [v for v in cases.clock_views(rt.review_rules, case, calendar, _today(rt)) if v.running]
            clock = "\t" + clock_line(running[0]) if running else ""
            typer.echo(f"{case.number}\t{case.kind.value}\t{case.state.value}\t{case.title}{clock}")


@reviews_app.command("show")
@handle_errors
def show(number: Number, as_user: AsUser, as_json: AsJson = False) -> None:
    """One case: parties, dossier, clocks and pauses."""
    rt = runtime()
    with transaction(rt) as session:
        case = cases.get_case(session, principal_as(session, as_user), number)
        if as_json:
            _json(_case_dict(rt, session, case))
        else:
            _print_case(rt, session, case)


@reviews_app.command("upload")
@handle_errors
def upload(number: Number,
           slot: Annotated[str, typer.Argument(metavar="SLOT", help="application_form, impact_report, …")],
           file: Annotated[Path, typer.Argument(metavar="FILE", help="the document")],
           as_user: AsUser,
           filed_on: Annotated[str | None, typer.Option(help="day it reached the Office (default today)")] = None,
           content_type: Annotated[str | None, typer.Option(help="media type (default: from the name)")] = None,
           note: Annotated[str, typer.Option(help="free text")] = "") -> None:
    """Add FILE to a dossier slot as its next version; prints its version and sha256."""
    day = _day(filed_on, "filed_on")
    if not file.is_file():
        raise fail(f"no such file: {file}", EXIT_INVALID)
    data = file.read_bytes()
    ctype = content_type or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    rt = runtime()
    with transaction(rt) as session:
        result = cases.upload_document(session, principal_as(session, as_user), rt.review_rules, number, slot=slot,
                                       filename=file.name, content_type=ctype, data=data,
                                       calendar=rt.work_calendar(session), filed_on=day, note=note,
                                       now=rt.clock.now())
        d = result.document
        typer.echo(f"{d.slot}\tv{d.version}\t{d.filename}\t{d.size} bytes\tsha256 {d.sha256}")
        if result.completed_dossier:
            typer.echo(f"dossier complete on {result.dossier.completed_on}: {result.case.number} is now "
                       f"{result.case.state.value}")
            for view in cases.clock_views(rt.review_rules, result.case, rt.work_calendar(session), _today(rt)):
                typer.echo("clock: " + clock_line(view))
        elif result.dossier.missing:
            typer.echo("still missing: " + ", ".join(s.id for s in result.dossier.missing))


@reviews_app.command("transition")
@handle_errors
def transition(number: Number,
               name: Annotated[str, typer.Argument(metavar="TRANSITION", help="e.g. notice_review")],
               as_user: AsUser,
               on: Annotated[str | None, typer.Option(help="day of the notice or conclusion (default today)")] = None,
               extension_days: Annotated[int | None, typer.Option(
                   help="special review: the extension's working days")] = None,
               note: Annotated[str, typer.Option(help="free text")] = "") -> None:
    """Move the case along its lifecycle; prints the new state and its clocks."""
    day = _day(on, "on")
    rt = runtime()
    with transaction(rt) as session:
        case = cases.transition(session, principal_as(session, as_user), rt.review_rules, number, name,
                                calendar=rt.work_calendar(session), on=day, extension_working_days=extension_days,
                                note=note, now=rt.clock.now())
        typer.echo(f"{case.number}\t{case.state.value}" + (f"\t{case.conclusion.value}" if case.conclusion else ""))
        for view in cases.clock_views(rt.review_rules, case, rt.work_calendar(session), _today(rt)):
            if view.running:
                typer.echo("clock: " + clock_line(view))


def _print_pause(result: cases.PauseResult) -> None:
    due = result.due_after.isoformat() if result.due_after else "stands still"
    line = f"{result.clock_rule_id}\tdue before {result.due_before.isoformat()}\tdue now {due}"
    if result.working_days is not None:
        line += f"\tpaused {result.working_days} WD"
    if result.provisional:
        line += f"\tprovisional (unconfirmed {', '.join(str(y) for y in result.unconfirmed_years)})"
    typer.echo(line)
    typer.echo(result.explanation_zh)
    typer.echo(result.explanation_en)


@reviews_app.command("pause")
@handle_errors
def pause(number: Number, as_user: AsUser,
          start: Annotated[str, typer.Option(help="first day of the pause, YYYY-MM-DD")],
          reason: Annotated[str, typer.Option(help="the material the Office asked for")],
          end: Annotated[str | None, typer.Option(help="last day, for a pause already over")] = None) -> None:
    """Record a supplementary-material pause (Art. 15): the running clock stops."""
    first, last = parse_day(start, "started_on"), _day(end, "ended_on")
    rt = runtime()
    with transaction(rt) as session:
        _print_pause(cases.start_pause(session, principal_as(session, as_user), rt.review_rules, number,
                                       calendar=rt.work_calendar(session), started_on=first, reason=reason,
                                       ended_on=last, now=rt.clock.now()))


@reviews_app.command("resume")
@handle_errors
def resume(number: Number, as_user: AsUser,
           end: Annotated[str, typer.Option(help="the day the material was supplied (inclusive)")]) -> None:
    """End the open pause: the clock runs again and its due date moves."""
    last = parse_day(end, "ended_on")
    rt = runtime()
    with transaction(rt) as session:
        _print_pause(cases.end_pause(session, principal_as(session, as_user), rt.review_rules, number,
                                     calendar=rt.work_calendar(session), ended_on=last, now=rt.clock.now()))


# --------------------------------------------------------------------------- assessment


@reviews_app.command("assess")
@handle_errors
def assess(number: Number, as_user: AsUser,
           factor: Annotated[str | None, typer.Argument(metavar="FACTOR", help="RF-1 … RF-7; omit to list")] = None,
           rating: Annotated[str | None, typer.Option(help="unrated, none, low, medium or high")] = None,
           evidence: Annotated[str, typer.Option(help="what the rating rests on")] = "",
           notes: Annotated[str, typer.Option(help="free text")] = "") -> None:
    """Rate one Art. 10 factor, or (without FACTOR) list the factors and their ratings."""
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_as(session, as_user)
        if factor is not None:
            if rating is None:
                raise Invalid("give --rating", problems=[FieldProblem("rating", "unrated, none, low, medium or high")])
            assessment.assess_factor(session, principal, rt.review_rules, number, factor, rating=rating,
                                     evidence=evidence, notes=notes, now=rt.clock.now())
        for view in assessment.factor_views(session, principal, rt.review_rules, number):
            if factor is None or view.factor.id == factor:
                rated = view.assessment.rating.value if view.assessment else "unrated"
                typer.echo(f"{view.factor.id}\t{rated}\tArt. {view.factor.article}\t{view.factor.title_en}")


@reviews_app.command("report")
@handle_errors
def report(number: Number, as_user: AsUser, as_json: AsJson = False,
           lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
           output_format: Annotated[str, typer.Option("--format", help="text, html or pdf")] = "text",
           output: Annotated[Path | None, typer.Option("--output", "-o", dir_okay=False,
                                                       help="file to write (html and pdf; default: the case's "
                                                            "file name in the current directory)")] = None,
           ) -> None:
    """The national-security impact analysis report (Art. 8(2)) generated from the assessment: as text,
    or as the HTML or PDF document to edit and file."""
    if lang not in ("zh", "en"):
        raise fail("--lang is zh or en", EXIT_INVALID)
    if output_format not in ("text", "html", "pdf"):
        raise fail(f"--format {output_format!r}: use text, html or pdf", EXIT_INVALID)
    doc_lang = check_lang(lang)
    rt = runtime()
    with transaction(rt) as session:
        built = assessment.impact_report(session, principal_as(session, as_user), rt.review_rules, number,
                                         now=rt.clock.now())
    if output_format != "text":
        content = (impact.impact_report_pdf(built, doc_lang) if output_format == "pdf"
                   else impact.impact_report_html(built, doc_lang).encode("utf-8"))
        target = output or Path(impact.file_name(built, doc_lang, output_format))
        try:
            target.write_bytes(content)
        except OSError as exc:
            raise fail(f"cannot write {target}: {exc.strerror}", EXIT_INVALID) from exc
        typer.echo(f"{target}\t{len(content)} bytes")
        return
    if as_json:
        _json(built.to_dict())
        return

    def text(t: assessment.Text) -> str:
        return t.zh if lang == "zh" else t.en

    typer.echo(text(built.title))
    typer.echo(f"{built.case_number} · {built.party_name} · {text(built.measures)}")
    if not built.complete:
        typer.echo(("草稿：未评估 " if lang == "zh" else "DRAFT: not assessed: ") + ", ".join(built.unrated))
    for section in built.sections:
        typer.echo("")
        typer.echo(text(section.heading))
        for fact in section.facts:
            typer.echo(f"  {text(fact.label)}: {fact.value}")
        for paragraph in section.paragraphs:
            typer.echo(f"  {text(paragraph)}")
        if section.id == "factors":
            for f in built.factors:
                if f.evidence:
                    typer.echo(f"    {f.factor_id}: {f.evidence}")


# --------------------------------------------------------------------------- after the review


@reviews_app.command("commit")
@handle_errors
def commit(number: Number, as_user: AsUser,
           clause: Annotated[str | None, typer.Argument(metavar="CLAUSE", help="SC-…; omit to list")] = None,
           supplier: Annotated[str, typer.Option(help="default: the case's supplier")] = "",
           evidence: Annotated[str, typer.Option(help="where the commitment is")] = "",
           on: Annotated[str | None, typer.Option(help="the day it was made")] = None,
           refused: Annotated[bool, typer.Option("--refused", help="the supplier did NOT commit")] = False) -> None:
    """Record an Art. 6 supplier commitment, or (without CLAUSE) print the checklists."""
    day = _day(on, "committed_on")
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_as(session, as_user)
        if clause is not None:
            commitments.record_commitment(session, principal, rt.review_rules, number, clause_id=clause,
                                          committed=not refused, supplier=supplier, evidence=evidence,
                                          committed_on=day, now=rt.clock.now())
        for checklist in commitments.commitment_checklist(session, principal, rt.review_rules, number):
            typer.echo(f"{checklist.supplier}\t{'complete' if checklist.complete else 'incomplete'}")
            for c in checklist.clauses:
                mark = {True: "committed", False: "REFUSED", None: "-"}[c.committed]
                typer.echo(f"  {c.clause.id}\t{mark}\t{c.clause.label_en}")


@reviews_app.command("supervise")
@handle_errors
def supervise(number: Number, as_user: AsUser,
              title: Annotated[str | None, typer.Option(help="what to check; omit to list the items")] = None,
              due: Annotated[str | None, typer.Option(help="due date, YYYY-MM-DD")] = None,
              working_days: Annotated[int | None, typer.Option(help="or: PRC working days after --from")] = None,
              from_on: Annotated[str | None, typer.Option("--from", help="start of the count (default today)")] = None,
              description: Annotated[str, typer.Option(help="free text")] = "") -> None:
    """Add an Art. 19 supervision item with a due date, or (without --title) list the items."""
    due_on, start = _day(due, "due_on"), _day(from_on, "from_on")
    rt = runtime()
    with transaction(rt) as session:
        principal = principal_as(session, as_user)
        if title is not None:
            commitments.add_supervision_item(session, principal, number, calendar=rt.work_calendar(session),
                                             title=title, description=description, due_on=due_on,
                                             working_days=working_days, from_on=start, now=rt.clock.now())
        calendar = rt.work_calendar(session)
        for item in commitments.supervision_items(session, principal, number):
            if item.done_on is not None:
                where = f"done {item.done_on.isoformat()}"
            else:
                left = countdown(calendar, _today(rt), item.due_on)
                where = "OVERDUE" if left.overdue else f"{left.remaining_working_days} working day(s) left"
            line = f"{item.id}\tdue {item.due_on.isoformat()}\t{where}\t{item.title}"
            if item.provisional:
                line += f"\tprovisional (unconfirmed {', '.join(str(y) for y in item.unconfirmed_years)})"
            typer.echo(line)


@reviews_app.command("supervise-done")
@handle_errors
def supervise_done(number: Number,
                   item: Annotated[str, typer.Argument(metavar="ITEM", help="the item's id")],
                   as_user: AsUser,
                   outcome: Annotated[str, typer.Option(help="what the check found")],
                   on: Annotated[str | None, typer.Option(help="day checked (default today)")] = None) -> None:
    """Record that a supervision item was checked."""
    rt = runtime()
    day = _day(on, "done_on") or _today(rt)
    with transaction(rt) as session:
        done = commitments.complete_supervision_item(session, principal_as(session, as_user), number, item,
                                                     done_on=day, outcome=outcome, now=rt.clock.now())
        typer.echo(f"{done.id}\tdone {day.isoformat()}\t{'on time' if day <= done.due_on else 'late'}\t{done.title}")
