"""The small helpers the web UI leans on: safe redirects, language choice, time formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wangan.web.core import safe_next
from wangan.web.forms import parse_local_datetime
from wangan.web.i18n import from_accept_language
from wangan.web.rendering import bj, clock_view, dtlocal, filesize, show


@pytest.mark.parametrize(("value", "expected"), [
    ("/cases?open=1", "/cases?open=1"), ("/", "/"), ("", "/"), (None, "/"), ("//evil", "/"),
    ("/\\evil", "/"), ("https://evil", "/"), ("javascript:alert(1)", "/"), ("/a\r\nSet-Cookie: x", "/"),
])
def test_safe_next(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


@pytest.mark.parametrize(("header", "expected"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en-US,en;q=0.9", "en"), ("fr-FR, en;q=0.5, zh;q=0.4", "en"),
    ("zh;q=0, en", "en"), ("de", None), ("", None), ("en;q=bogus, zh-TW", "zh"),
])
def test_accept_language(header: str, expected: str | None) -> None:
    assert from_accept_language(header) == expected


def test_beijing_time_round_trip() -> None:
    moment = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    assert bj(moment) == "2026-03-02 00:30"
    assert dtlocal(moment) == "2026-03-02T00:30"
    assert parse_local_datetime("2026-03-02T00:30") == moment
    with pytest.raises(ValueError):
        parse_local_datetime("tomorrow")


def test_clock_view_kinds() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert clock_view(now + timedelta(hours=13), now).kind == "ok"
    assert clock_view(now + timedelta(hours=11), now).kind == "soon"
    assert clock_view(now - timedelta(seconds=1), now).kind == "overdue"
    submitted = clock_view(now - timedelta(hours=1), now, submitted_at=now - timedelta(hours=2), on_time=True)
    assert submitted.kind == "on_time" and not submitted.live
    assert clock_view(now - timedelta(hours=1), now, submitted_at=now, on_time=False).kind == "late"


def test_display_filters() -> None:
    assert filesize(5_000_000) == "5 MB" and filesize(1500) == "1.5 KB" and filesize(10) == "10 B"
    assert show(None) == "—" and show(False) == "✗" and show(["1.0", "1.1"]) == "1.0, 1.1"
    assert show("2026-03-01T16:30:00+00:00") == "2026-03-02 00:30 (2026-03-01 16:30 UTC)"
