"""Group commit for the public intake API.

Concurrent ``POST /api/v1/reports`` requests are handed to one writer thread, which stores every
submission waiting at that moment in a single transaction and then answers each request. A 201
therefore still means "committed", but SQLite's single writer is taken once per batch instead of
once per report, and no request blocks the event loop while waiting for the database."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from dataclasses import dataclass

from sqlalchemy import select

from wangan.db import unit_of_work
from wangan.errors import DomainError
from wangan.kernel.models import Organisation
from wangan.runtime import Runtime
from wangan.vulns import intake
from wangan.vulns.models import IntakeRecord

log = logging.getLogger("wangan.intake")

MAX_BATCH = 128


@dataclass(frozen=True)
class Stored:
    """What the request gets back: the receipt, whether it is new, and the receiving org's slug."""

    record: IntakeRecord
    created: bool
    org_slug: str


@dataclass
class _Item:
    submission: intake.Submission
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Stored]


def _resolve(future: asyncio.Future[Stored], outcome: Stored | BaseException) -> None:
    if future.done():  # the client went away
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


class IntakeWriter:
    """One writer thread per process; see the module docstring."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def submit(self, submission: intake.Submission) -> Stored:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Stored] = loop.create_future()
        self._ensure_started()
        self._queue.put(_Item(submission, loop, future))
        return await future

    def _ensure_started(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="intake-writer", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._store(batch)
                    return
                batch.append(item)
            self._store(batch)

    def _store(self, batch: list[_Item]) -> None:
        outcomes: list[Stored | BaseException]
        try:
            with unit_of_work(self.rt.sessions) as session:
                results = intake.submit_reports(
                    session, self.rt.vuln_rules, [i.submission for i in batch],
                    limits=self.rt.intake_limits, now=self.rt.clock.now(),
                    collection_platform=self.rt.settings.collection_platform)
                slugs = {oid: slug for oid, slug in session.execute(select(Organisation.id, Organisation.slug))}
                outcomes = [r if isinstance(r, DomainError) else Stored(r[0], r[1], slugs[r[0].org_id])
                            for r in results]
        except Exception as exc:  # the whole batch failed to commit: every request hears of it
            log.exception("storing %d intake submission(s) failed", len(batch))
            outcomes = [exc] * len(batch)
        for item, outcome in zip(batch, outcomes, strict=True):
            item.loop.call_soon_threadsafe(_resolve, item.future, outcome)
