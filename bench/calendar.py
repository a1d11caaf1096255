"""PRC working-day calendar benchmark: how many add-N-working-days answers per second one process gives.

Run from the repository root::

    .venv/bin/python bench/calendar.py [--calls 1000000] [--seed 2021]

It builds the immutable calendar the way a process does (the ``chinesecalendar`` library's data plus
administrators' overrides; here three 2027 days entered but the year not confirmed, as in the weeks
after the State Council's notice and before a library release), then draws ``--calls`` random
inputs from one seeded generator: a start date from 2022-01-01 to 2026-12-31 (given as a ``date``
or, one call in four, as an aware UTC ``datetime`` that is converted to its Beijing day) and
N from 0 to 120 working days (the longest statutory clock of the Measures, with margin).

It then times ``add_working_days`` over all of them (one pass, no per-call timing, garbage collector
on), times a sample of single calls for p50/p99, times ``working_days_between`` over the answers,
and prints calls/s, microseconds per call and how many answers were provisional. It checks every
answer: it lands on a working day when N > 0, counting back gives N, and it is provisional exactly
when it reaches past the library's last year (no year after it is confirmed here); and a sample
against a day-by-day walk.

Exit status: 0 when the checks pass and at least 200,000 calls/s were made, 1 otherwise, 2 when the
bench could not run (fewer than 1,000,000 calls asked for).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wangan.kernel.workdays import DayOverride, WorkCalendar, WorkdayDate

# This file shares its name with the standard library's ``calendar``, and Python puts a script's
# folder first on sys.path: without this, ``import calendar`` (dateutil does it) would load this
# file again. wangan is therefore imported in the functions below, after the path is fixed.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

TARGET_PER_SECOND = 200_000.0
MIN_CALLS = 1_000_000
SAMPLE_EVERY = 10  # every n-th input is also timed on its own for the percentiles
WALK_CHECKS = 2_000  # answers also checked against a day-by-day walk
FIRST, LAST = date(2022, 1, 1), date(2026, 12, 31)
MAX_N = 120


def overrides_2027() -> tuple[DayOverride, ...]:
    """What an administrator might have entered from a 2027 notice, before confirming the year."""
    from wangan.kernel.workdays import DayKind, DayOverride

    return (
        DayOverride(date(2027, 1, 1), DayKind.HOLIDAY, "元旦 New Year's Day"),
        DayOverride(date(2027, 2, 5), DayKind.HOLIDAY, "春节 Spring Festival"),
        DayOverride(date(2027, 2, 20), DayKind.WORKDAY, "春节 Spring Festival"),
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Benchmark adding PRC working days in one process.")
    ap.add_argument("--calls", type=int, default=MIN_CALLS, help=f"random inputs (default {MIN_CALLS})")
    ap.add_argument("--seed", type=int, default=2021)
    return ap.parse_args(argv)


def build_inputs(calls: int, seed: int) -> list[tuple[date | datetime, int]]:
    rng = random.Random(seed)
    span = (LAST - FIRST).days
    inputs: list[tuple[date | datetime, int]] = []
    for _ in range(calls):
        day = FIRST + timedelta(days=rng.randint(0, span))
        start: date | datetime = day
        if rng.random() < 0.25:
            # 00:00-15:59 UTC is the same day in Beijing (UTC+8)
            start = datetime(day.year, day.month, day.day, rng.randint(0, 15), rng.randint(0, 59), tzinfo=UTC)
        inputs.append((start, rng.randint(0, MAX_N)))
    return inputs


def check(cal: WorkCalendar, inputs: list[tuple[date | datetime, int]], answers: list[WorkdayDate],
          last_library_year: int) -> list[str]:
    problems: list[str] = []
    for (start, n), answer in zip(inputs, answers, strict=True):
        day = start.date() if isinstance(start, datetime) else start
        if n and not cal.is_working_day(answer.date).working:
            problems.append(f"add({day}, {n}) = {answer.date}, a day off")
        relied = n > 0 and answer.date.year > last_library_year
        if answer.provisional != relied or answer.unconfirmed_years != (
                tuple(range(last_library_year + 1, answer.date.year + 1)) if relied else ()):
            problems.append(f"add({day}, {n}) = {answer}: wrong provisional marking")
        if len(problems) >= 20:
            break
    for (start, n), answer in list(zip(inputs, answers, strict=True))[:: max(1, len(inputs) // WALK_CHECKS)]:
        day = start.date() if isinstance(start, datetime) else start
        walked, count = day, 0
        while count < n:
            walked += timedelta(days=1)
            count += cal.is_working_day(walked).working
        if walked != answer.date:
            problems.append(f"add({day}, {n}) = {answer.date}; walking day by day gives {walked}")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.calls < MIN_CALLS:
        print(f"bench: {args.calls} calls; the figure needs at least {MIN_CALLS}", file=sys.stderr)
        return 2

    from wangan.kernel.workdays import WorkCalendar, library_schedule

    overrides = overrides_2027()
    t0 = time.perf_counter()
    schedule = library_schedule()
    cal = WorkCalendar(schedule=schedule, overrides=overrides)
    loaded = time.perf_counter() - t0
    last_library_year = max(schedule.years)
    print(f"calendar: library years {min(schedule.years)}-{last_library_year}, {len(overrides)} overrides "
          f"(2027, not confirmed); loaded and built in {loaded * 1000:.1f} ms")

    t0 = time.perf_counter()
    inputs = build_inputs(args.calls, args.seed)
    print(f"built {len(inputs):,} inputs (start {FIRST}..{LAST}, N 0..{MAX_N}) in {time.perf_counter() - t0:.1f} s")

    # The inputs live as long as the run; freezing them keeps the collector from walking them on
    # every generation-2 pass, as a long-lived server would after start-up. The collector stays on.
    gc.collect()
    gc.freeze()
    add = cal.add_working_days
    between = cal.working_days_between
    add(*inputs[0])  # warm the interpreter's caches before the clock starts

    t0 = time.perf_counter()
    answers = [add(start, n) for start, n in inputs]
    elapsed = time.perf_counter() - t0
    per_second = len(inputs) / elapsed

    timings: list[int] = []
    clock = time.perf_counter_ns
    for start, n in inputs[::SAMPLE_EVERY]:
        s = clock()
        add(start, n)
        timings.append(clock() - s)
    timings.sort()
    p50 = statistics.median(timings) / 1000
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))] / 1000

    pairs = [(start, a.date) for (start, _n), a in zip(inputs, answers, strict=True)]
    t0 = time.perf_counter()
    counts = [between(start, end) for start, end in pairs]
    between_elapsed = time.perf_counter() - t0

    provisional = sum(1 for a in answers if a.provisional)
    print(f"add calls:     {len(answers):,} in {elapsed:.2f} s")
    print(f"throughput:    {per_second:,.0f} calls/s (target >= {TARGET_PER_SECOND:,.0f})")
    print(f"per call:      mean {elapsed / len(answers) * 1e6:.2f} us; sampled 1 in {SAMPLE_EVERY} "
          f"({len(timings):,} calls): p50 {p50:.2f} us, p99 {p99:.2f} us")
    print(f"between calls: {len(counts):,} in {between_elapsed:.2f} s = {len(counts) / between_elapsed:,.0f} calls/s")
    print(f"provisional:   {provisional:,} answers ({provisional / len(answers):.1%}) reached into "
          f"{last_library_year + 1}, a year nobody confirmed")

    problems = check(cal, inputs, answers, last_library_year)
    round_trip = sum(1 for (_s, n), c in zip(inputs, counts, strict=True) if c.days != n)
    if round_trip:
        problems.append(f"{round_trip} answers do not count back to their N")
    failed = False
    if problems:
        for p in problems[:20]:
            print(f"FAIL: {p}", file=sys.stderr)
        failed = True
    else:
        print(f"checks:        every answer is a working day, counts back to N and is marked right; "
              f"{WALK_CHECKS:,} agree with a day-by-day walk")
    if per_second < TARGET_PER_SECOND:
        print(f"FAIL: {per_second:,.0f} calls/s is below the target of {TARGET_PER_SECOND:,.0f}", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
