"""Intake benchmark: how many Art. 5 reports per second one ``wangan serve`` stores, exactly once.

Run from the repository root::

    .venv/bin/python bench/intake.py [--requests 10000] [--concurrency 50] [--workers 1] [--rate R]

It builds a throw-away data folder, creates an organisation that accepts reports, starts
``wangan serve`` on a free 127.0.0.1 port (access log off, intake rate limit lifted for this
server only), fires the submissions over C keep-alive connections, then checks in the SQLite file
itself that every report was stored exactly once (and that every 201 receipt names a stored row),
replays a sample with the same Idempotency-Key (each must answer 200 and store nothing), and runs
``wangan audit verify``. A phase in which no response completes for ``--stall`` seconds is
abandoned, and the server's stacks are shown when py-spy is installed.

Closed loop by default (each client sends its next report as soon as it has an answer: the server
runs saturated and latency is mostly queueing, about C / throughput); ``--rate R`` offers R
reports per second instead and counts latency from when each was due.

Exit status: 0 when every check passes and the targets are met, 1 when a check or a target fails,
2 when the bench itself could not run (server did not start, overall time-out).

The client is a minimal HTTP/1.1 keep-alive client on asyncio streams (on uvloop, which
uvicorn[standard] installs): about 0.1-0.2 ms of CPU per request. httpx's AsyncClient
(``--client httpx``) measured about 4.8 ms per request at concurrency 50, more than the server
itself, on a 2-core machine that the client shares with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

TARGET_RPS = 300.0
TARGET_P99_MS = 100.0
RATE_LIMIT = 1_000_000
HOST = "127.0.0.1"
REPORT_PATH = "/api/v1/reports"
ORG_SLUG = "bench-org"
T = TypeVar("T")
RECEIVED_TAG = "vulns:report:received"  # wangan.vulns.events.VulnTag.REPORT_RECEIVED


class BenchError(Exception):
    """The bench could not run (as opposed to: it ran and a check failed)."""


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Submission:
    index: int
    key: str
    body: bytes
    wire: bytes  # the whole HTTP/1.1 request, built before the clock starts


@dataclass
class Result:
    status: int | str  # HTTP status, or "error:<Exception>" / "timeout" / "not sent"
    latency: float  # seconds
    body: bytes = b""


def build_submissions(count: int, run_id: str, port: int, content_bytes: int) -> list[Submission]:
    rng = random.Random(run_id)
    alphabet = "abcdefghijklmnopqrstuvwxyz     "
    subs = []
    for i in range(count):
        key = f"bench-{run_id}-{i:07d}"
        filler = "".join(rng.choices(alphabet, k=max(0, content_bytes)))
        body = json.dumps({
            "title": f"Bench report {i}",
            "content": f"Benchmark run {run_id}, report {i}: buffer overflow in the admin console. {filler}",
            "reporter_contact": f"bench+{i}@example.org",
            "reporter_name": "Bench",
            "product_hint": "bench-router 1.0",
            "organisation": ORG_SLUG,
        }, ensure_ascii=False).encode()
        head = (f"POST {REPORT_PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
                f"Accept: application/json\r\nIdempotency-Key: {key}\r\nContent-Length: {len(body)}\r\n\r\n")
        subs.append(Submission(i, key, body, head.encode() + body))
    return subs


# --------------------------------------------------------------------------- clients


class RawConnection:
    """One keep-alive HTTP/1.1 connection on asyncio streams; just enough HTTP for this server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def send(self, sub: Submission) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(sub.wire)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head[:-4].split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length: int | None = None
        chunked = close = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            body = b"".join(parts)
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:
            body, close = await self.reader.read(), True
        if close:
            await self.close()
        return status, body


class RawClient:
    def __init__(self, port: int, concurrency: int) -> None:
        self.port = port
        self.concurrency = concurrency

    async def __aenter__(self) -> RawClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def connection(self) -> Callable[[Submission], Awaitable[tuple[int, bytes]]]:
        conn = RawConnection(self.port)
        await conn.open()

        async def send(sub: Submission) -> tuple[int, bytes]:
            try:
                return await conn.send(sub)
            except BaseException:
                await conn.close()  # never reuse a connection left mid-response
                raise

        return send


class HttpxClient:
    def __init__(self, port: int, concurrency: int) -> None:
        import httpx

        self.client = httpx.AsyncClient(
            base_url=f"http://{HOST}:{port}", timeout=60.0, trust_env=False,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency))

    async def __aenter__(self) -> HttpxClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def connection(self) -> Callable[[Submission], Awaitable[tuple[int, bytes]]]:
        async def send(sub: Submission) -> tuple[int, bytes]:
            resp = await self.client.post(REPORT_PATH, content=sub.body, headers={
                "Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": sub.key})
            return resp.status_code, resp.content

        return send


@dataclass
class Phase:
    results: list[Result]
    wall: float
    stopped: str | None = None  # why the phase ended early: "stalled ..." or "time limit ..."


Sender = Callable[[Submission], Awaitable[tuple[int, bytes]]]
Measured = tuple["Phase", float, float | None, float | None]  # phase, client CPU, server CPU, others' CPU


async def run_phase(client: RawClient | HttpxClient, subs: list[Submission], concurrency: int, *,
                    time_limit: float, request_timeout: float, stall_after: float,
                    rate: float | None = None) -> Phase:
    """Send every submission over ``concurrency`` keep-alive connections.

    Closed loop (``rate`` None): each connection sends its next request as soon as the previous
    answer arrives, so the server runs saturated and latency is mostly queueing (about
    concurrency / throughput). Open loop (``rate`` given): requests are due at a fixed rate and
    latency counts from when each was due, including any wait for a free connection, so an
    overloaded server cannot hide its backlog. Gives up when nothing completes for ``stall_after``."""
    n = len(subs)
    results: list[Result] = [Result("not sent", 0.0) for _ in subs]
    senders = [await client.connection() for _ in range(min(concurrency, n))]
    clock = time.perf_counter
    last_done = [clock()]
    completed = [0]
    all_done = asyncio.Event()

    async def send_one(send: Sender, i: int, since: float) -> None:
        results[i] = Result("in flight", 0.0)
        try:
            async with asyncio.timeout(request_timeout):
                status, body = await send(subs[i])
            results[i] = Result(status, clock() - since, body)
        except TimeoutError:
            results[i] = Result("timeout", clock() - since)
        except Exception as exc:  # connection errors (OSError, IncompleteReadError, httpx.*)
            results[i] = Result(f"error:{type(exc).__name__}", clock() - since)
        last_done[0] = clock()
        completed[0] += 1
        if completed[0] == n:
            all_done.set()

    todo = iter(range(n))  # shared by the closed-loop clients; next() never awaits, so no lock

    async def closed_loop(send: Sender) -> None:
        for i in todo:
            await send_one(send, i, clock())

    idle: asyncio.Queue[Sender] = asyncio.Queue()
    in_flight: set[asyncio.Future[None]] = set()

    async def open_loop_request(i: int, due: float) -> None:
        send = await idle.get()
        try:
            await send_one(send, i, due)
        finally:
            idle.put_nowait(send)

    async def open_loop(start: float, per_second: float) -> None:
        for s in senders:
            idle.put_nowait(s)
        for i in range(n):
            due = start + i / per_second
            delay = due - clock()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.ensure_future(open_loop_request(i, due))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)

    started = clock()
    drivers = ([asyncio.ensure_future(open_loop(started, rate))] if rate
               else [asyncio.ensure_future(closed_loop(s)) for s in senders])
    stopped: str | None = None
    while not all_done.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_done.wait(), timeout=0.5)
        now = clock()
        if all_done.is_set():
            break
        if now - last_done[0] > stall_after:
            stopped = f"stalled: no response completed for {now - last_done[0]:.0f} s"
        elif now - started > time_limit:
            stopped = f"time limit of {time_limit:.0f} s reached"
        if stopped:
            pending = [*drivers, *in_flight]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            for r in results:
                if r.status == "in flight":
                    r.status = "stalled"
            break
    wall = clock() - started
    await asyncio.gather(*drivers, return_exceptions=True)
    return Phase(results, wall, stopped)


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wangan_command() -> list[str]:
    script = Path(sys.executable).with_name("wangan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wangan"]


def bench_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANGAN_")}  # never a real database
    env.update({
        "WANGAN_DATA_DIR": str(data_dir),
        "WANGAN_INTAKE_RATE_PER_MINUTE": str(RATE_LIMIT),
        "WANGAN_SECRET_KEY": secrets.token_urlsafe(48),
        "WANGAN_ADMIN_EMAIL": "bench-admin@example.org",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*wangan_command(), *args], env=env, capture_output=True, text=True,
                          timeout=max(1.0, timeout), check=False)


class Server:
    def __init__(self, env: dict[str, str], port: int, workers: int, log_path: Path,
                 extra_args: list[str]) -> None:
        self.env, self.port, self.workers, self.log_path = env, port, workers, log_path
        self.extra_args = extra_args
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float) -> None:
        cmd = [*wangan_command(), "serve", "--host", HOST, "--port", str(self.port),
               "--workers", str(self.workers), "--no-access-log", *self.extra_args]
        with self.log_path.open("wb") as log:
            # Its own session, so a stray signal to the bench's terminal group does not reach it
            # and, as a last resort, its process group (it and its workers only) can be killed.
            self.proc = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        url = f"http://{HOST}:{self.port}/healthz"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"server exited with {self.proc.returncode} before it was ready:\n{self.log_tail()}")
            try:
                with opener.open(url, timeout=2) as resp:
                    if resp.status == 200:
                        if self.workers > 1:
                            self._wait_for_workers(deadline)
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError(f"server not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def _wait_for_workers(self, deadline: float) -> None:
        # /healthz answers as soon as one worker listens; wait until every worker says it started.
        while time.monotonic() < deadline:
            if self.log_path.read_text(errors="replace").count("Application startup complete") >= self.workers:
                return
            time.sleep(0.1)

    def pids(self) -> list[int]:
        """The server process and its descendants (uvicorn's workers)."""
        if self.proc is None:
            return []
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        tree = {self.proc.pid}
        grew = True
        while grew:
            grew = False
            for pid, ppid in parents.items():
                if ppid in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        return sorted(tree)

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the server's processes so far (Linux /proc), or None."""
        if not Path("/proc/self/stat").exists():
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGINT)  # uvicorn shuts down gracefully, workers included
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)  # the group this bench created for it
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        # The first-admin password is printed once; it is throw-away, but keep it out of reports.
        kept = [ln for ln in text.splitlines() if "Password" not in ln]
        return "\n".join(kept[-lines:])


def machine_busy_seconds() -> float | None:
    """CPU seconds used by everything on the machine so far (Linux /proc/stat), or None."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- statistics


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(-(-q * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


@dataclass
class Summary:
    requests: int
    wall: float
    ok: int  # answered with the expected status
    statuses: Counter[int | str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)  # of every request answered with a status

    @property
    def throughput(self) -> float:
        """Requests answered with the expected status, per second of wall time."""
        return self.ok / self.wall if self.wall > 0 else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    def ms(self, q: float) -> str:
        return f"{self.p(q):.1f}" if self.latencies_ms else "n/a"


def summarise(results: list[Result], wall: float, expect: int) -> Summary:
    statuses = Counter(r.status for r in results)
    lat = sorted(r.latency * 1000 for r in results if isinstance(r.status, int))
    return Summary(len(results), wall, statuses.get(expect, 0), statuses, lat)


def print_summary(title: str, s: Summary, expect: int) -> None:
    others = {k: v for k, v in s.statuses.items() if k != expect}
    print(f"{title}")
    print(f"  requests            {s.requests}")
    print(f"  wall time           {s.wall:.2f} s")
    print(f"  throughput          {s.throughput:.1f} req/s (answered {expect})")
    print(f"  latency p50/p90/p99 {s.ms(50)} / {s.ms(90)} / {s.ms(99)} ms   max {s.ms(100)} ms")
    print(f"  status {expect}          {s.ok}")
    print(f"  other statuses      {dict(sorted(others.items(), key=str)) if others else 'none'}")


# --------------------------------------------------------------------------- verification


def open_db_readonly(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def db_counts(db_path: Path) -> tuple[int, int]:
    with contextlib.closing(open_db_readonly(db_path)) as db:
        records = db.execute("SELECT count(*) FROM intake_records").fetchone()[0]
        events = db.execute("SELECT count(*) FROM audit_events WHERE tag = ?", (RECEIVED_TAG,)).fetchone()[0]
    return int(records), int(events)


def verify_stored(db_path: Path, subs: list[Submission], results: list[Result]) -> list[str]:
    """Every key sent is stored exactly once, nothing else is stored, no content twice."""
    problems: list[str] = []
    with contextlib.closing(open_db_readonly(db_path)) as db:
        total = db.execute("SELECT count(*) FROM intake_records").fetchone()[0]
        rows = db.execute("SELECT idempotency_key, count(*), min(id) FROM intake_records "
                          "GROUP BY idempotency_key").fetchall()
        dup_hashes = db.execute("SELECT content_hash, count(*) FROM intake_records GROUP BY content_hash "
                                "HAVING count(*) > 1").fetchall()
        events = db.execute("SELECT count(*) FROM audit_events WHERE tag = ?", (RECEIVED_TAG,)).fetchone()[0]
    if total != len(subs):
        problems.append(f"intake_records holds {total} rows; {len(subs)} reports were sent")
    stored = {key: (count, rid) for key, count, rid in rows}
    sent = {s.key for s in subs}
    missing = [k for k in sent if k not in stored]
    twice = [k for k, (count, _rid) in stored.items() if count > 1]
    foreign = [k for k in stored if k not in sent]
    if missing:
        problems.append(f"{len(missing)} key(s) sent but not stored, e.g. {sorted(missing)[:3]}")
    if twice:
        problems.append(f"{len(twice)} key(s) stored more than once, e.g. {sorted(twice)[:3]}")
    if foreign:
        problems.append(f"{len(foreign)} stored key(s) never sent, e.g. {sorted(map(str, foreign))[:3]}")
    if dup_hashes:
        problems.append(f"{len(dup_hashes)} content_hash value(s) stored more than once")
    if events != len(subs):
        problems.append(f"{events} '{RECEIVED_TAG}' audit events for {len(subs)} reports")
    # A 201 is a promise: the report is stored, under the id the receipt names.
    wrong_id, lost = 0, []
    for sub, res in zip(subs, results, strict=True):
        if res.status != 201:
            continue
        if sub.key not in stored:
            lost.append(sub.key)
        elif json.loads(res.body)["id"].replace("-", "") != str(stored[sub.key][1]).replace("-", ""):
            wrong_id += 1
    if lost:
        problems.append(f"LOST: {len(lost)} report(s) answered 201 but not in the database, e.g. {lost[:3]}")
    if wrong_id:
        problems.append(f"{wrong_id} 201 receipt(s) name an id that is not the stored row's")
    return problems


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Benchmark POST /api/v1/reports against a throw-away wangan server.")
    ap.add_argument("--requests", type=int, default=10_000, help="reports to submit (default 10000)")
    ap.add_argument("--concurrency", type=int, default=50, help="concurrent clients/connections (default 50)")
    ap.add_argument("--workers", type=int, default=1, help="server processes (wangan serve --workers)")
    ap.add_argument("--duplicates", type=int, default=500, help="already-sent reports to replay (default 500)")
    ap.add_argument("--content-bytes", type=int, default=400, help="filler in each report's content (default 400)")
    ap.add_argument("--rate", type=float, default=None,
                    help="open loop: offer this many requests per second (latency counted from when each was due) "
                         "instead of the default closed loop, where each client sends as soon as it has its answer")
    ap.add_argument("--client", choices=("raw", "httpx"), default="raw", help="HTTP client (default raw)")
    ap.add_argument("--timeout", type=float, default=600.0, help="overall time limit in seconds (default 600)")
    ap.add_argument("--request-timeout", type=float, default=30.0, help="one request's limit (default 30 s)")
    ap.add_argument("--stall", type=float, default=20.0,
                    help="give up a phase when no response completes for this long (default 20 s)")
    ap.add_argument("--min-rps", type=float, default=TARGET_RPS, help=f"throughput target (default {TARGET_RPS:g})")
    ap.add_argument("--max-p99-ms", type=float, default=TARGET_P99_MS,
                    help=f"p99 latency target (default {TARGET_P99_MS:g} ms)")
    ap.add_argument("--profile", metavar="FILE", type=Path,
                    help="record the server with py-spy during the submissions (collapsed stacks to FILE)")
    ap.add_argument("--keep-data", action="store_true", help="keep the temporary data folder")
    ap.add_argument("--serve-arg", action="append", default=[],
                    help="extra argument for 'wangan serve' (repeatable)")
    args = ap.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or args.workers < 1 or args.duplicates < 0:
        ap.error("--requests, --concurrency and --workers must be positive, --duplicates not negative")
    return args


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop when it is installed (uvicorn[standard] brings it): a cheaper client."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def loop_name() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def find_py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def start_profiler(server: Server, out: Path) -> subprocess.Popen[bytes]:
    spy = find_py_spy()
    if spy is None:
        raise BenchError("--profile needs py-spy (pip install py-spy, into any environment on PATH)")
    assert server.proc is not None
    proc = subprocess.Popen([spy, "record", "--pid", str(server.proc.pid), "--subprocesses", "--gil",
                             "--rate", "250", "--format", "raw", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)  # let it attach before the clock starts
    return proc


def stop_profiler(proc: subprocess.Popen[bytes], out: Path) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        _out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        err = b"py-spy did not stop; killed"
    print(f"  profile             {out} (py-spy exit {proc.returncode}"
          + (f": {err.decode(errors='replace').strip().splitlines()[-1]}" if proc.returncode and err else "") + ")")


def dump_server_stacks(server: Server, data_dir: Path) -> None:
    """When the server stalls, show where its threads are, if py-spy is at hand."""
    spy = find_py_spy()
    if spy is None:
        print("  (install py-spy to see where the server is stuck: py-spy dump --pid PID)")
        return
    for pid in server.pids():
        try:
            out = subprocess.run([spy, "dump", "--pid", str(pid)], capture_output=True, text=True,
                                 timeout=30, check=False).stdout
        except subprocess.TimeoutExpired:
            continue
        path = data_dir / f"py-spy-{pid}.txt"
        path.write_text(out)
        main_thread = out.split("\nThread ")[1] if "\nThread " in out else out
        print(f"  server pid {pid}, main thread (full dump in {path}):")
        for line in main_thread.splitlines()[:22]:
            print(f"    {line}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    deadline = time.monotonic() + float(args.timeout)

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise BenchError(f"overall time limit of {args.timeout:.0f} s reached")
        return left

    data_dir = Path(tempfile.mkdtemp(prefix="wangan-bench-"))
    env = bench_env(data_dir)
    port = free_port()
    server = Server(env, port, args.workers, data_dir / "server.log", args.serve_arg)

    # Last resort if something hangs where no deadline reaches: kill our server, then exit.
    def watchdog() -> None:
        print(f"\nwatchdog: {args.timeout:.0f} s + 30 s elapsed; killing the server and exiting", flush=True)
        server.kill()
        os._exit(2)

    timer = threading.Timer(args.timeout + 30, watchdog)
    timer.daemon = True
    timer.start()
    failures: list[str] = []
    keep = args.keep_data
    try:
        print(f"wangan intake bench: {args.requests} requests, concurrency {args.concurrency}, "
              f"server workers {args.workers}, client {args.client} on {loop_name()}, "
              + (f"open loop at {args.rate:g} req/s" if args.rate else "closed loop"))
        if hasattr(os, "getloadavg"):
            print(f"  load average before the run {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        print(f"  data dir {data_dir} (SQLite), server http://{HOST}:{port}"
              + (f", serve args {args.serve_arg}" if args.serve_arg else ""))
        print(f"  WANGAN_INTAKE_RATE_PER_MINUTE={RATE_LIMIT} for this server only "
              "(the default is 10; the limiter counts per server process)")
        made = run_cli(["orgs", "create", ORG_SLUG, "--name", "Bench", "--role", "provider"], env, remaining())
        if made.returncode != 0:
            raise BenchError(f"wangan orgs create failed ({made.returncode}): {made.stderr.strip()}")
        server.start(timeout=min(90.0, remaining()))
        db_path = data_dir / "wangan.sqlite3"
        subs = build_submissions(args.requests, secrets.token_hex(4), port, args.content_bytes)
        client_cls = RawClient if args.client == "raw" else HttpxClient

        async def send_all(batch: list[Submission], rate: float | None) -> Measured:
            async with client_cls(port, args.concurrency) as client:
                cpu0, srv0, all0 = time.process_time(), server.cpu_seconds(), machine_busy_seconds()
                phase = await run_phase(client, batch, args.concurrency, time_limit=remaining(),
                                        request_timeout=args.request_timeout, stall_after=args.stall,
                                        rate=rate)
                cpu1, srv1, all1 = time.process_time(), server.cpu_seconds(), machine_busy_seconds()
            srv = None if srv0 is None or srv1 is None else srv1 - srv0
            others = None if srv is None or all0 is None or all1 is None else (all1 - all0) - srv - (cpu1 - cpu0)
            return phase, cpu1 - cpu0, srv, others

        profiler = start_profiler(server, args.profile.resolve()) if args.profile else None
        load, client_cpu, server_cpu, others_cpu = run_async(send_all(subs, args.rate))
        results = load.results
        load_sum = summarise(results, load.wall, 201)
        print()
        mode = f"open loop at {args.rate:g} req/s offered" if args.rate else "closed loop"
        print_summary(f"submissions (expect 201), {args.workers} server worker(s), concurrency {args.concurrency}, "
                      f"{mode}", load_sum, 201)
        n = len(results)
        print(f"  client CPU          {client_cpu:.2f} s = {client_cpu / n * 1e6:.0f} us/request "
              f"({client_cpu / load.wall * 100:.0f}% of one core)")
        if server_cpu is not None:
            print(f"  server CPU          {server_cpu:.2f} s = {server_cpu / n * 1e3:.2f} ms/request "
                  f"({server_cpu / load.wall * 100:.0f}% of one core; {os.cpu_count()} cores in all)")
        if others_cpu is not None:
            share = max(others_cpu, 0) / load.wall * 100
            print(f"  other processes     {max(others_cpu, 0):.2f} s CPU during the run ({share:.0f}% of one core)"
                  + ("  <- the machine was busy: figures are pessimistic" if share > 20 else ""))
        if profiler is not None:
            stop_profiler(profiler, args.profile.resolve())
        if load.stopped:
            print(f"  PHASE ABANDONED     {load.stopped}")
            failures.append(f"submissions {load.stopped}")
            dump_server_stacks(server, data_dir)

        # Replay a sample with the same keys: each must answer 200 with the first receipt.
        if args.duplicates and not load.stopped:
            before = db_counts(db_path)
            sent_ok = [i for i, r in enumerate(results) if r.status == 201]
            picked = random.sample(sent_ok, min(args.duplicates, len(sent_ok)))
            dup, _cpu, _srv, _others = run_async(send_all([subs[i] for i in picked], None))
            after = db_counts(db_path)
            dup_sum = summarise(dup.results, dup.wall, 200)
            print()
            print_summary("duplicate replay (same Idempotency-Key and body, expect 200)", dup_sum, 200)
            same_id = sum(1 for i, r in zip(picked, dup.results, strict=True)
                          if r.status == 200 and json.loads(r.body)["id"] == json.loads(results[i].body)["id"])
            print(f"  rows before/after   {before[0]} / {after[0]} intake_records, "
                  f"{before[1]} / {after[1]} '{RECEIVED_TAG}' audit events; "
                  f"{same_id} of {len(picked)} replies name the first receipt")
            if dup.stopped:
                failures.append(f"duplicate replay {dup.stopped}")
            if after != before:
                failures.append(f"duplicate replay changed the database: {before} -> {after}")
            if dup_sum.ok != len(picked):
                failures.append(f"duplicate replay: {len(picked) - dup_sum.ok} of {len(picked)} did not answer 200")
            if same_id != dup_sum.ok:
                failures.append(f"duplicate replay: {dup_sum.ok - same_id} replies name another receipt")
        elif args.duplicates:
            print("\nduplicate replay skipped: the submissions did not complete")

        print(f"\nserver stopped (exit {server.stop()})")
        problems = verify_stored(db_path, subs, results)
        if problems:
            print("stored exactly once: FAILED")
            for p in problems:
                print(f"  - {p}")
            failures.extend(problems)
        else:
            print(f"stored exactly once: OK ({n} rows, {n} distinct keys, no duplicate content_hash, "
                  "one audit event each)")
        audit = run_cli(["audit", "verify"], env, remaining())
        print(f"wangan audit verify (exit {audit.returncode}): {(audit.stdout + audit.stderr).strip()}")
        if audit.returncode != 0:
            failures.append("wangan audit verify failed")

        non_2xx = {k: v for k, v in load_sum.statuses.items() if k != 201}
        if non_2xx:
            failures.append(f"submissions not answered 201: {non_2xx}")
        missed = []
        if load_sum.throughput < args.min_rps:
            missed.append(f"throughput {load_sum.throughput:.1f} req/s < {args.min_rps:g}")
        if not load_sum.p(99) < args.max_p99_ms:  # NaN (nothing answered) misses too
            missed.append(f"p99 {load_sum.ms(99)} ms, not < {args.max_p99_ms:g} ms")
        if problems or non_2xx:
            missed.append("zero lost")
        print()
        for f in failures:
            print(f"CHECK FAILED: {f}")
        if missed:
            print("TARGETS MISSED: " + "; ".join(missed))
        else:
            print(f"TARGETS MET: >= {args.min_rps:g} req/s, p99 < {args.max_p99_ms:g} ms, zero lost")
        if missed or failures:
            keep = True
            print(f"(data and server log kept in {data_dir})")
            return 1
        return 0
    except (BenchError, subprocess.TimeoutExpired) as exc:
        print(f"\nBENCH ERROR: {exc}", file=sys.stderr)
        print(f"(data kept in {data_dir})", file=sys.stderr)
        keep = True
        return 2
    finally:
        server.stop()
        timer.cancel()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
