"""The Jinja2 environment, its filters, and the language-bound helpers every page gets.

Times are shown in Beijing time (the regulator's clock) with the UTC value beside them, so a
deadline means the same thing to everyone reading the page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from starlette.templating import Jinja2Templates

from wangan.kernel.calendar import BEIJING
from wangan.reports.rendering import TEMPLATES_DIR as REPORT_TEMPLATES_DIR

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

# An open NVDB clock with less than this left is shown in amber.
SOON = timedelta(hours=12)


def bj(value: datetime | None) -> str:
    """``2026-05-01 18:00`` in Beijing time."""
    if value is None:
        return ""
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def utc(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def dtlocal(value: datetime | None) -> str:
    """The value of an ``<input type=datetime-local>``, in Beijing time."""
    if value is None:
        return ""
    return value.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")


def filesize(value: int) -> str:
    """Decimal units, as the limits are written in settings (5000000 is 5 MB)."""
    if value < 1000:
        return f"{value} B"
    if value < 1_000_000:
        return f"{value / 1000:.1f}".removesuffix(".0") + " KB"
    return f"{value / 1_000_000:.1f}".removesuffix(".0") + " MB"


ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def show(value: object) -> str:
    """A value from the audit log as text: nothing is a dash, a time is in Beijing time."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, str) and ISO_DATETIME.match(value):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return f"{bj(moment)} ({utc(moment)})"
    return str(value)


def duration_parts(seconds: int) -> tuple[int, int, int, int]:
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return days, hours, minutes, secs


@dataclass(frozen=True)
class ClockView:
    """How one deadline looks now: ``kind`` is ok, soon, overdue, on_time or late."""

    kind: str
    seconds_left: int
    due_iso: str
    live: bool  # whether the browser should keep counting


def clock_view(due: datetime, now: datetime, *, submitted_at: datetime | None = None,
               on_time: bool | None = None) -> ClockView:
    left = int((due - now).total_seconds())
    if submitted_at is not None:
        return ClockView("on_time" if on_time or submitted_at <= due else "late", left, iso(due), False)
    if left <= 0:
        return ClockView("overdue", left, iso(due), True)
    if left < SOON.total_seconds():
        return ClockView("soon", left, iso(due), True)
    return ClockView("ok", left, iso(due), True)


def make_templates() -> Jinja2Templates:
    env = Environment(
        # Report documents are shared with the API and the CLI; pages extend them as ``reports/…``.
        loader=ChoiceLoader([FileSystemLoader(TEMPLATES_DIR),
                             PrefixLoader({"reports": FileSystemLoader(REPORT_TEMPLATES_DIR)})]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(bj=bj, utc=utc, iso=iso, dtlocal=dtlocal, filesize=filesize, show=show)
    return Jinja2Templates(env=env)
