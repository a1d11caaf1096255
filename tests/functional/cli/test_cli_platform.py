"""``wangan platform`` and ``wangan reports submit`` in collection-platform mode (Art. 10)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for
from wangan.cli.common import EXIT_CONFLICT, EXIT_FORBIDDEN, EXIT_INVALID
from wangan.runtime import Runtime

PLATFORM = {"WANGAN_COLLECTION_PLATFORM": "true"}


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        yield c


def _submit(cli: Cli, tmp_path: Path, **env: str) -> Result:
    content = tmp_path / "report.txt"
    content.write_text("stack overflow in the update parser", encoding="utf-8")
    return cli("reports", "submit", "--title", "Overflow", "--contact", "f@example.net",
               "--content-file", str(content), **env)


def test_status_before_and_after_filing(cli: Cli, factory: Factory, tmp_path: Path) -> None:
    factory.org("acme-psirt")
    admin = factory.user(None, "admin", email="root@example.org")
    before = cli("platform", "status", **PLATFORM)
    assert before.exit_code == 0, before.output
    assert json.loads(before.stdout) == {"collection_platform": True, "state": "NOT_FILED",
                                         "open_for_intake": False, "filing": None}
    refused = _submit(cli, tmp_path, **PLATFORM)
    assert refused.exit_code == EXIT_CONFLICT
    assert "工信部网安〔2022〕146号" in refused.output

    filed = cli("platform", "file", "--number", "MIIT-2026-0042", "--date", "2026-01-05", "--as", admin.email,
                **PLATFORM)
    assert filed.exit_code == 0, filed.output
    body = json.loads(filed.stdout)
    assert body["state"] == "FILED" and body["filing"]["filed_at"].startswith("2026-01-05T00:00:00+08:00")
    assert _submit(cli, tmp_path, **PLATFORM).exit_code == 0
    assert json.loads(cli("platform", "status").stdout)["collection_platform"] is False


def test_filing_is_for_administrators_and_needs_a_date(cli: Cli, factory: Factory) -> None:
    manager = factory.user(factory.org("acme-psirt"), "manager", email="m@acme.example")
    refused = cli("platform", "file", "--number", "MIIT-1", "--date", "2026-01-05", "--as", manager.email)
    assert refused.exit_code == EXIT_FORBIDDEN and "administrators" in refused.output
    bad = cli("platform", "file", "--number", "MIIT-1", "--date", "5 Jan", "--as", manager.email)
    assert bad.exit_code == EXIT_INVALID and "YYYY-MM-DD" in bad.output
