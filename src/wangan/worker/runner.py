"""The worker loop: check deadlines, deliver the outbox, sleep, repeat.

Several workers may run at once (on PostgreSQL): deadline checks serialise on a lock and queue
each message once, and the dispatcher's leases keep two workers from sending the same message.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Mapping

from wangan.config import Settings
from wangan.db import unit_of_work
from wangan.kernel.notifications import (
    CHANNELS,
    Dispatcher,
    Sender,
    SmtpSender,
    WebhookSender,
    webhook_signing_secret,
)
from wangan.reviews.deadlines import ReviewDeadlineSummary, check_review_deadlines
from wangan.runtime import Runtime
from wangan.vulns.deadlines import DeadlineSummary, check_deadlines

log = logging.getLogger(__name__)

# What leaves each channel unconfigured, for the start-up warning.
_MISSING = {"email": "WANGAN_SMTP_HOST is not set", "webhook": "WANGAN_WEBHOOK_URLS is not set"}


def worker_id() -> str:
    """``hostname:pid``: names the lease holder on outbox rows and the actor of its audit events."""
    return f"{socket.gethostname()}:{os.getpid()}"


def build_senders(settings: Settings) -> dict[str, Sender]:
    """Senders for the configured channels: e-mail only with an SMTP host, webhooks only with URLs."""
    senders: dict[str, Sender] = {}
    if settings.smtp_host:
        senders["email"] = SmtpSender(settings)
    if settings.webhook_url_list:
        senders["webhook"] = WebhookSender(webhook_signing_secret(settings))
    return senders


def check_deadlines_once(rt: Runtime) -> DeadlineSummary:
    """Job: run the deadline check in its own transaction and commit what it queued.

    Used by the worker loop and by ``wangan deadlines check``."""
    with unit_of_work(rt.sessions) as session:
        return check_deadlines(session, rt.vuln_rules, rt.settings, rt.clock.now(), rt.gate_rules)


def check_review_deadlines_once(rt: Runtime) -> ReviewDeadlineSummary:
    """Job: the cybersecurity-review deadline check (working-day clocks, Art. 19 supervision items)
    in its own transaction; reminders go to the outbox and out with the next dispatch.

    Used by the worker loop and by ``wangan deadlines check``."""
    with unit_of_work(rt.sessions) as session:
        return check_review_deadlines(session, rt.review_rules, rt.settings, rt.clock.now(),
                                      rt.work_calendar(session))


def run_worker(rt: Runtime, stop: threading.Event, *, once: bool = False,
               senders: Mapping[str, Sender] | None = None) -> None:
    """Run until ``stop`` is set (or one round with ``once``).

    Each round checks deadlines, then delivers due outbox messages; a full batch is followed by
    another round at once so a backlog drains, otherwise the worker sleeps
    ``WANGAN_WORKER_POLL_SECONDS`` (woken early by ``stop``). An error in a round is logged and
    the next round tries again: a database restart must not end the worker. ``senders`` replaces
    the configured ones (tests, development); the caller then owns (and closes) them."""
    settings = rt.settings
    wid = worker_id()
    owned = senders is None  # close only what this function opened
    active = build_senders(settings) if senders is None else dict(senders)
    for channel in CHANNELS:
        if channel not in active:
            # Messages on this channel are still queued, and go out once the channel is configured.
            log.warning("worker: %s messages will stay pending: %s", channel, _MISSING[channel])
    dispatcher = Dispatcher(rt.sessions, active, rt.clock, wid, max_attempts=settings.outbox_max_attempts)
    log.info("worker %s started (channels: %s)", wid, ", ".join(sorted(active)) or "none")
    last_unreachable = 0
    try:
        while not stop.is_set():
            last_unreachable = _check_round(rt, last_unreachable)
            _check_reviews_round(rt)
            busy = _dispatch_round(dispatcher)
            if once:
                break
            if not busy:
                stop.wait(settings.worker_poll_seconds)
    finally:
        for sender in active.values():
            if owned and isinstance(sender, WebhookSender):
                sender.close()
        log.info("worker %s stopped", wid)


# The two halves of a round fail separately: a deadline check that trips over one bad record must
# not hold back messages already queued, and an unreachable receiver must not stop the checks.

def _check_round(rt: Runtime, last_unreachable: int) -> int:
    """Run the deadline check; returns the number of unreachable clocks, to warn only on change."""
    try:
        summary = check_deadlines_once(rt)
    except Exception:
        log.exception("deadlines: check failed; trying again next round")
        return last_unreachable
    if summary.queued:
        log.info("deadlines: queued %d reminder and %d overdue message(s)",
                 summary.reminders_queued, summary.overdue_queued)
    if summary.unreachable and summary.unreachable != last_unreachable:
        log.warning("deadlines: %d running deadline(s) have nobody to notify: the organisation has no "
                    "active manager or analyst and no webhook is set", summary.unreachable)
    return summary.unreachable


def _check_reviews_round(rt: Runtime) -> None:
    """Run the review deadline check; a failure is logged and does not stop delivery."""
    try:
        summary = check_review_deadlines_once(rt)
    except Exception:
        log.exception("review deadlines: check failed; trying again next round")
        return
    if summary.queued:
        log.info("review deadlines: queued %d reminder and %d overdue message(s)",
                 summary.reminders_queued, summary.overdue_queued)


def _dispatch_round(dispatcher: Dispatcher) -> bool:
    """Deliver one batch; returns True when the batch was full, so the next round starts at once."""
    try:
        result = dispatcher.dispatch_once()
    except Exception:
        log.exception("outbox: dispatch failed; trying again next round")
        return False
    if result.claimed:
        log.info("outbox: sent %d, will retry %d, gave up %d, released %d",
                 result.sent, result.failed, result.gave_up, result.released)
    return result.claimed >= dispatcher.batch_size
