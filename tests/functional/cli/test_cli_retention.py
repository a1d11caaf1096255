"""``wangan retention purge`` and ``wangan reports delete``: the Art. 5 intake log is kept at least
six months; only expired receipts may go."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime
from wangan.vulns import intake
from wangan.vulns.models import IntakeChannel, IntakeRecord


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        yield c


def receive(rt: Runtime, title: str, now: datetime | None = None) -> str:
    with rt.sessions.begin() as s:
        record, _ = intake.submit_report(
            s, rt.vuln_rules, intake.ReportIn(title=title, content="details", reporter_contact="f@example.net"),
            channel=IntakeChannel.EMAIL, limits=rt.intake_limits, now=now)
        return str(record.id)


def remaining_titles(rt: Runtime) -> list[str]:
    with rt.sessions() as s:
        return sorted(s.execute(select(IntakeRecord.title)).scalars())


def test_purge_removes_only_expired_receipts_and_prints_the_count(rt: Runtime, cli: Cli,
                                                                  factory: Factory) -> None:
    factory.org("acme-psirt")
    receive(rt, "old one", now=datetime(2020, 1, 15, tzinfo=UTC))
    receive(rt, "old two", now=datetime(2024, 2, 29, tzinfo=UTC))
    receive(rt, "fresh")

    result = cli("retention", "purge")

    assert result.exit_code == 0, result.output
    assert "purged 2 expired intake record(s)" in result.stdout
    assert remaining_titles(rt) == ["fresh"]
    with rt.sessions() as s:
        tags = list(s.execute(select(AuditEvent.tag).order_by(AuditEvent.id.desc()).limit(1)).scalars())
    assert tags == ["vulns:report:purged"]


def test_purge_with_nothing_expired_removes_nothing(rt: Runtime, cli: Cli, factory: Factory) -> None:
    factory.org("acme-psirt")
    receive(rt, "fresh")

    result = cli("retention", "purge")

    assert result.exit_code == 0
    assert "purged 0 expired intake record(s)" in result.stdout
    assert remaining_titles(rt) == ["fresh"]


def test_delete_inside_retention_exits_4_naming_the_date(rt: Runtime, cli: Cli, factory: Factory) -> None:
    analyst = factory.user(factory.org("acme-psirt"), "analyst")
    report_id = receive(rt, "fresh")

    result = cli("reports", "delete", report_id, "--as", analyst.email)

    assert result.exit_code == 4
    assert re.search(r"kept until \d{4}-\d{2}-\d{2}", result.stderr), result.stderr
    assert remaining_titles(rt) == ["fresh"]


def test_delete_after_retention_succeeds(rt: Runtime, cli: Cli, factory: Factory) -> None:
    analyst = factory.user(factory.org("acme-psirt"), "analyst")
    report_id = receive(rt, "old", now=datetime(2020, 1, 15, tzinfo=UTC))

    result = cli("reports", "delete", report_id, "--as", analyst.email)

    assert result.exit_code == 0, result.output
    assert remaining_titles(rt) == []
