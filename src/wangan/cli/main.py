"""``wangan``: serve, work, check deadlines, verify the audit chain, manage users and tokens."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer

from wangan.cli.advisories import advisories_app
from wangan.cli.calendar import calendar_app
from wangan.cli.common import (
    EXIT_FAILED,
    fail,
    handle_errors,
    read_secret_from_stdin,
    runtime,
    transaction,
)
from wangan.cli.gate import gate_app, windows_app
from wangan.cli.indicators_app import consultations_app, indicators_app
from wangan.cli.platform import platform_app
from wangan.cli.reviews import reviews_app
from wangan.cli.vulns import assets_app, cases_app, findings_app, products_app, reports_app, retention_app
from wangan.kernel import identity
from wangan.kernel.audit import Actor, chain_head, verify_chain

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="wangan (网安): vulnerability intake, cases and NVDB reporting.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
users_app = typer.Typer(no_args_is_help=True, help="Users.")
orgs_app = typer.Typer(no_args_is_help=True, help="Organisations.")
tokens_app = typer.Typer(no_args_is_help=True, help="API tokens.")
audit_app = typer.Typer(no_args_is_help=True, help="The hash-chained audit log.")
deadlines_app = typer.Typer(no_args_is_help=True, help="Deadline reminders.")
demo_app = typer.Typer(no_args_is_help=True, help="The demo data set.")
for sub, name in ((db_app, "db"), (users_app, "users"), (orgs_app, "orgs"), (tokens_app, "tokens"),
                  (audit_app, "audit"), (deadlines_app, "deadlines"), (reports_app, "reports"),
                  (cases_app, "cases"), (retention_app, "retention"), (demo_app, "demo"),
                  (products_app, "products"), (assets_app, "assets"), (findings_app, "findings"),
                  (windows_app, "windows"), (gate_app, "gate"),
                  (advisories_app, "advisories"), (platform_app, "platform"), (calendar_app, "calendar"),
                  (reviews_app, "reviews"), (indicators_app, "indicators"), (consultations_app, "consultations")):
    app.add_typer(sub, name=name)

CLI = Actor.system("cli")

# The monitor's commands register themselves on indicators_app / consultations_app when imported.
import wangan.cli.consultations  # noqa: E402
import wangan.cli.indicators  # noqa: E402
import wangan.cli.indicators_enterprises  # noqa: E402
import wangan.cli.indicators_plans  # noqa: E402
import wangan.cli.indicators_tasks  # noqa: E402, F401


@app.command()
@handle_errors
def serve(host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="port")] = 8000,
          demo: Annotated[bool, typer.Option(help="load the clearly marked demo data set")] = False,
          workers: Annotated[int, typer.Option(help="server processes")] = 1,
          access_log: Annotated[bool, typer.Option(help="log every request")] = True) -> None:
    """Create the data folder, migrate, make the first admin, and serve the UI and API."""
    import os

    import uvicorn

    from wangan.demo import load_demo
    from wangan.runtime import ensure_first_admin

    if demo:
        os.environ["WANGAN_DEMO"] = "1"
    rt = runtime()
    created = ensure_first_admin(rt)
    if created:
        typer.echo(f"First administrator: {created[0]}\nPassword (shown once): {created[1]}")
    if demo:
        summary = load_demo(rt)
        typer.echo(summary)
    typer.echo(f"wangan on http://{host}:{port}  data: {rt.settings.data_dir.resolve()}")
    rt.dispose()
    logging.basicConfig(level=logging.INFO)
    uvicorn.run("wangan.asgi:app", host=host, port=port, workers=workers, access_log=access_log,
                factory=False, log_level="info")


@app.command()
@handle_errors
def worker(once: Annotated[bool, typer.Option(help="one pass, then exit")] = False) -> None:
    """Send deadline reminders and deliver the outbox, until stopped (SIGTERM/SIGINT)."""
    from wangan.worker.runner import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    rt = runtime()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_worker(rt, stop, once=once)


@deadlines_app.command("check")
@handle_errors
def deadlines_check() -> None:
    """One pass of the deadline monitor: queue reminders and overdue notices, then deliver them."""
    from wangan.worker.runner import check_deadlines_once, check_review_deadlines_once

    rt = runtime()
    s = check_deadlines_once(rt)
    typer.echo(f"{s.clocks_due} clock(s) due or near: queued {s.reminders_queued} reminder(s) and "
               f"{s.overdue_queued} overdue notice(s); {s.unreachable} with nobody to tell")
    r = check_review_deadlines_once(rt)
    typer.echo(f"reviews: {r.clocks_due} clock(s) and {r.items_due} supervision item(s) due or near: queued "
               f"{r.reminders_queued} reminder(s) and {r.overdue_queued} overdue notice(s)")


@deadlines_app.command("webhook-secret")
@handle_errors
def deadlines_webhook_secret() -> None:
    """Print the secret receivers use to check X-Wangan-Signature on webhooks."""
    from wangan.kernel.notifications import webhook_signing_secret

    rt = runtime(migrate=False)
    typer.echo(webhook_signing_secret(rt.settings))


@db_app.command("upgrade")
@handle_errors
def db_upgrade() -> None:
    """Apply every pending migration."""
    rt = runtime(migrate=True)
    typer.echo(f"database at head: {rt.settings.resolved_database_url.split('@')[-1]}")


@audit_app.command("verify")
@handle_errors
def audit_verify(anchor: Annotated[list[str] | None, typer.Option(
        help="ID:HASH of a head printed by an earlier run and kept elsewhere; "
             "detects rows deleted from the end of the chain")] = None) -> None:
    """Check every row of the audit chain; exit 1 and name each tampered or missing row.

    A chain cut short at its end still links up, so keep the printed head outside the database
    (a ticket, a log server) and pass it back with --anchor."""
    rt = runtime()
    with transaction(rt) as session:
        checked, problems = verify_chain(session, anchors=[_parse_anchor(a) for a in anchor or []])
        head = chain_head(session)
    if problems:
        for p in problems:
            typer.echo(f"TAMPERED row {p.event_id}: {p.problem}", err=True)
        raise fail(f"audit chain broken: {len(problems)} problem(s) in {checked} row(s)", EXIT_FAILED)
    typer.echo(f"audit chain intact: {checked} row(s) verified")
    if head is not None:
        typer.echo(f"head: {head[0]}:{head[1]}  (keep it elsewhere; pass it to --anchor next time)")


def _parse_anchor(value: str) -> tuple[int, str]:
    ident, sep, digest = value.partition(":")
    if not sep or not ident.isdigit() or len(digest) != 64:
        raise typer.BadParameter(f"{value!r}: use ID:HASH as printed by 'wangan audit verify'", param_hint="--anchor")
    return int(ident), digest


@orgs_app.command("create")
@handle_errors
def orgs_create(slug: str,
                name: Annotated[str, typer.Option(help="display name")],
                role: Annotated[list[str], typer.Option(help="provider, operator, platform, finder, authority")],
                jurisdiction: Annotated[str, typer.Option(help="domestic or overseas")] = "domestic",
                contact: Annotated[str | None, typer.Option(help="security contact e-mail")] = None) -> None:
    """Create an organisation."""
    rt = runtime()
    with transaction(rt) as session:
        org = identity.create_organisation(session, CLI, slug=slug, name=name, roles=role,
                                           jurisdiction=jurisdiction, contact_email=contact)
    typer.echo(f"created organisation {org.slug} ({org.id})")


@orgs_app.command("list")
@handle_errors
def orgs_list() -> None:
    rt = runtime()
    with transaction(rt) as session:
        for org in identity.list_organisations(session):
            typer.echo(f"{org.slug}\t{org.name}\t{','.join(org.roles)}\t{org.jurisdiction.value}")


@users_app.command("create")
@handle_errors
def users_create(email: str,
                 role: Annotated[str, typer.Option(help="admin, manager, analyst, viewer or reporter")],
                 org: Annotated[str | None, typer.Option(help="organisation slug")] = None) -> None:
    """Create a user. The password is read from stdin, or generated and printed once."""
    password = read_secret_from_stdin()
    rt = runtime()
    with transaction(rt) as session:
        user, generated = identity.create_user(session, CLI, email=email, role=role, org_slug=org,
                                               password=password)
    typer.echo(f"created user {user.email} ({user.id})")
    if generated:
        typer.echo(f"password (shown once): {generated}")


@tokens_app.command("create")
@handle_errors
def tokens_create(email: str,
                  name: Annotated[str, typer.Option(help="what the token is for")] = "cli",
                  scope: Annotated[list[str] | None, typer.Option(help="read and/or write")] = None,
                  days: Annotated[int | None, typer.Option(help="expire after this many days")] = None) -> None:
    """Create an API token for a user and print it alone on stdout (it is not stored)."""
    rt = runtime()
    with transaction(rt) as session:
        user = identity.get_user_by_email(session, email)
        _token, raw = identity.create_token(session, CLI, user, name=name, scopes=scope, ttl_days=days)
    typer.echo(raw)


@demo_app.command("load")
@handle_errors
def demo_load() -> None:
    """Load the demo data set (marked as demo everywhere it appears)."""
    from wangan.demo import load_demo

    rt = runtime()
    typer.echo(load_demo(rt))


def run() -> None:
    app()
