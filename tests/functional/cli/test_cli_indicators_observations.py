"""``wangan indicators``: importing an observations file (kind told from its header), the row report on
stderr with exit code 2 and nothing imported, listing, adding, deleting and exporting observations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for, lines
from wangan.cli import common
from wangan.cli.common import EXIT_CONFLICT, EXIT_FORBIDDEN, EXIT_INVALID, EXIT_NOT_FOUND
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
HEADER = "indicator,series,year,value,unit,source,vintage,is_forecast\n"
GOOD = "IND-SCALE,CAICT-BROAD,2023,2500,亿元,CAICT,2024-01-15,false\n"


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
    org = factory.org("stats-co")
    return {role: factory.user(org, role, email=f"{role}@stats.example").email for role in ("viewer", "analyst")}


def write(tmp_path: Path, text: str, name: str = "obs.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_prints_the_result(cli: Cli, people: dict[str, str], tmp_path: Path) -> None:
    result = cli("indicators", "import", write(tmp_path, HEADER + GOOD), "--as", people["analyst"])
    assert result.exit_code == 0, result.output
    assert lines(result.stdout)[0].startswith("imported observations from obs.csv: 1 rows, 1 created, 0 updated")
    listed = cli("indicators", "observations", "--as", people["viewer"], "--json")
    [row] = json.loads(listed.stdout)
    assert (row["series"], row["value"], row["canonical_value"], row["origin"]) == ("CAICT-BROAD", "2500", "2500",
                                                                                    "user")


def test_bad_rows_exit_2_with_one_line_per_problem_and_nothing_imported(cli: Cli, people: dict[str, str],
                                                                        tmp_path: Path) -> None:
    text = (HEADER + GOOD + 'IND-SCALE,CAICT-BROAD,2022,"12,3x",亿元,CAICT,2023-02-01,false\n'
            + "IND-SCALE,CAICT-BROAD,2150,2600,亿元,CAICT,2024-01-15,false\n")
    result = cli("indicators", "import", write(tmp_path, text), "--as", people["analyst"])
    assert result.exit_code == EXIT_INVALID
    err = lines(result.stderr)
    assert "row 3, column value: '12,3x' is not a number (write e.g. 2002.5 or 2,002.5)" in err
    assert "row 4, column year: 2150 is not a year between 1900 and 2100" in err
    assert "error: 2 problems in 2 rows; nothing was imported" in err
    assert cli("indicators", "observations", "--as", people["analyst"]).stdout == ""


def test_import_of_a_file_of_no_known_kind(cli: Cli, people: dict[str, str], tmp_path: Path) -> None:
    result = cli("indicators", "import", write(tmp_path, "a,b\n1,2\n"), "--as", people["analyst"])
    assert result.exit_code == EXIT_INVALID and "cannot tell what this file holds" in result.stderr
    missing = cli("indicators", "import", str(tmp_path / "nope.csv"), "--as", people["analyst"])
    assert missing.exit_code == EXIT_INVALID and "no such file" in missing.stderr


def test_viewers_cannot_import(cli: Cli, people: dict[str, str], tmp_path: Path) -> None:
    result = cli("indicators", "import", write(tmp_path, HEADER + GOOD), "--as", people["viewer"])
    assert result.exit_code == EXIT_FORBIDDEN


def test_add_list_delete(cli: Cli, people: dict[str, str]) -> None:
    args = ["indicators", "observation-add", "--as", people["analyst"], "--indicator", "IND-SCALE", "--series",
            "CAICT-BROAD", "--year", "2024", "--value", "280", "--unit", "CNY bn", "--source", "summit",
            "--vintage", "2024-03-01", "--forecast", "--json"]
    made = cli(*args)
    assert made.exit_code == 0, made.output
    row = json.loads(made.stdout)
    assert (row["canonical_value"], row["is_forecast"]) == ("2800", True)
    assert cli(*args).exit_code == EXIT_CONFLICT
    listed = cli("indicators", "observations", "--as", people["viewer"])
    assert "forecast" in listed.stdout and "280 十亿元" in listed.stdout
    assert cli("indicators", "observations", "--as", people["viewer"], "--actuals-only").stdout == ""
    bad = cli("indicators", "observation-add", "--as", people["analyst"], "--indicator", "IND-SCALE", "--series",
              "CAICT-BROAD", "--year", "2024", "--value", "10", "--unit", "USD bn", "--source", "x",
              "--vintage", "2024-03-01")
    assert bad.exit_code == EXIT_INVALID and "unit: 'USD bn'" in bad.stderr
    assert cli("indicators", "observation-delete", row["id"], "--as", people["viewer"]).exit_code == EXIT_FORBIDDEN
    assert cli("indicators", "observation-delete", row["id"], "--as", people["analyst"]).exit_code == 0
    assert cli("indicators", "observation-delete", row["id"], "--as", people["analyst"]).exit_code == EXIT_NOT_FOUND


def test_export_round_trip(cli: Cli, people: dict[str, str], tmp_path: Path) -> None:
    assert cli("indicators", "import", write(tmp_path, HEADER + GOOD), "--as", people["analyst"]).exit_code == 0
    out = tmp_path / "export.csv"
    result = cli("indicators", "export-observations", "-o", str(out), "--as", people["viewer"])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith("\ufeff".encode()) and b"CAICT-BROAD,2023,2500" in data
    row_id = json.loads(cli("indicators", "observations", "--as", people["viewer"], "--json").stdout)[0]["id"]
    cli("indicators", "observation-delete", row_id, "--as", people["analyst"])
    again = cli("indicators", "import", str(out), "--as", people["analyst"])
    assert again.exit_code == 0 and "1 created" in again.stdout
    stdout = cli("indicators", "export-observations", "--as", people["viewer"])
    assert stdout.stdout.startswith("indicator,series,year,value,unit")
    unknown = cli("indicators", "observations", "--plan", "NO-PLAN", "--as", people["viewer"])
    assert unknown.exit_code == EXIT_NOT_FOUND
