"""``wangan indicators tasks|task|task-edit|task-progress|tasks-import``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for
from wangan.cli import common
from wangan.cli.common import EXIT_CONFLICT, EXIT_FORBIDDEN, EXIT_INVALID, EXIT_NOT_FOUND
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime

NOW = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        recording = common.build_runtime

        def at_now(*args: Any, **kwargs: Any) -> Runtime:
            built = recording(*args, **kwargs)
            built.clock = FixedClock(NOW)
            return built

        monkeypatch.setattr(common, "build_runtime", at_now)
        yield c


@pytest.fixture
def people(factory: Factory) -> dict[str, str]:
    org = factory.org("assoc")
    return {role: factory.user(org, role, email=f"{role}@assoc.example").email for role in ("viewer", "analyst")}


def test_list_and_show(cli: Cli, people: dict[str, str]) -> None:
    result = cli("indicators", "tasks", "--as", people["viewer"])
    assert result.exit_code == 0, result.stderr
    assert "加强共性基础支撑" in result.stdout and "[official]" in result.stdout
    assert "(not yet loaded)" in result.stdout and "No focus area" in result.stdout
    data = json.loads(cli("indicators", "tasks", "--json", "--as", people["viewer"]).stdout)
    assert data[-1]["area"] is None and len(data[-1]["tasks"]) == 19
    shown = cli("indicators", "task", "6", "--as", people["viewer"])
    assert "title [official]" in shown.stdout and "text [our wording]" in shown.stdout
    assert cli("indicators", "task", "40", "--as", people["viewer"]).exit_code == EXIT_NOT_FOUND


def test_edit_progress_and_errors(cli: Cli, people: dict[str, str]) -> None:
    a = people["analyst"]
    edited = cli("indicators", "task-edit", "5", "--title-zh", "培育企业", "--source", "CSET", "--area", "A5",
                 "--as", a)
    assert edited.exit_code == 0, edited.stderr
    assert "version 1" in edited.stdout
    shown = cli("indicators", "task", "5", "--as", a).stdout
    assert f"entered by {a} on 2026-12-07, source: CSET" in shown and "area: A5 (user)" in shown
    stale = cli("indicators", "task-edit", "5", "--owner", "MIIT", "--version", "0", "--as", a)
    assert stale.exit_code == EXIT_CONFLICT and "changed by someone else" in stale.stderr
    official = cli("indicators", "task-edit", "6", "--title-zh", "x", "--as", a)
    assert official.exit_code == EXIT_CONFLICT and "plan file" in official.stderr
    assert cli("indicators", "task-edit", "5", "--as", a).exit_code == EXIT_INVALID
    bad = cli("indicators", "task-edit", "5", "--status", "finished", "--as", a)
    assert bad.exit_code == EXIT_INVALID and "status" in bad.stderr
    assert cli("indicators", "task-edit", "5", "--owner", "x", "--as", people["viewer"]).exit_code == EXIT_FORBIDDEN

    ok = cli("indicators", "task-progress", "5", "--on", "2022-06-01", "--status", "in_progress", "--note", "go",
             "--as", a)
    assert ok.exit_code == 0 and "status in_progress" in ok.stdout
    future = cli("indicators", "task-progress", "5", "--on", "2027-01-01", "--status", "done", "--note", "x",
                 "--as", a)
    assert future.exit_code == EXIT_INVALID and "future" in future.stderr
    assert cli("indicators", "task-progress", "5", "--on", "June", "--status", "done", "--note", "x",
               "--as", a).exit_code == EXIT_INVALID


def test_import(cli: Cli, people: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "tasks.csv"
    good.write_text("序号,标题,来源,牵头单位\n7,标题七,CSET,工信部\n", encoding="utf-8")
    result = cli("indicators", "tasks-import", str(good), "--as", people["analyst"])
    assert result.exit_code == 0, result.stderr
    assert "1 created" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("number,title_zh\n8,标题八\n99,x\n", encoding="utf-8")
    refused = cli("indicators", "tasks-import", str(bad), "--as", people["analyst"])
    assert refused.exit_code == EXIT_INVALID
    assert "row 2, column text_source" in refused.stderr and "row 3, column number" in refused.stderr
    assert "标题八" not in cli("indicators", "task", "8", "--as", people["analyst"]).stdout
    assert cli("indicators", "tasks-import", str(tmp_path / "none.csv"), "--as",
               people["analyst"]).exit_code == EXIT_INVALID
