"""``wangan indicators enterprises|enterprise-add|enterprise-delete|sme-stats|investments|investment-add|
investment-shares``, with bad input (message on stderr, non-zero exit)."""

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
from wangan.indicators.credit_code import check_character
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


def code(n: int) -> str:
    first = f"91310115{n:09d}"
    return first + check_character(first)


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
    org = factory.org("ent-co")
    return {role: factory.user(org, role, email=f"{role}@ent.example").email for role in ("viewer", "analyst")}


def add(cli: Cli, who: str, n: int, *extra: str) -> Any:
    return cli("indicators", "enterprise-add", code(n), "--as", who, "--name", f"企业{n}", "--size-industry",
               "software_it_services", *extra)


def test_register_commands(cli: Cli, people: dict[str, str]) -> None:
    done = add(cli, people["analyst"], 1, "--sector", "iot", "--sector", "车联网", "--region", "上海", "--year",
               "2021", "--revenue", "100", "--headcount", "15")
    assert done.exit_code == 0, done.output
    assert f"saved {code(1)} 企业1 (2021: small)" in done.stdout
    assert add(cli, people["analyst"], 1, "--sector", "iot", "--sector", "icv", "--region", "上海", "--year", "2022",
               "--revenue", "100", "--headcount", "20").exit_code == 0
    listed = cli("indicators", "enterprises", "--as", people["viewer"], "--sector", "icv", "--sme", "--json")
    data = json.loads(listed.stdout)
    assert data["total"] == 1 and [y["year"] for y in data["items"][0]["years"]] == [2021, 2022]
    stats = cli("indicators", "sme-stats", "--by", "sector", "--as", people["viewer"], "--json")
    groups = {g["key"]: g for g in json.loads(stats.stdout)["groups"]}
    assert groups["icv"]["counts"] == {"2021": 1, "2022": 1} and groups["total"]["counts"]["2022"] == 1
    text = cli("indicators", "sme-stats", "--by", "region", "--as", people["viewer"])
    assert text.stdout.splitlines()[0] == "region\t2021\t2022"
    assert cli("indicators", "enterprise-delete", code(1), "--as", people["analyst"]).exit_code == 0
    assert cli("indicators", "enterprise-delete", code(1), "--as", people["analyst"]).exit_code == EXIT_NOT_FOUND


def test_bad_input(cli: Cli, people: dict[str, str]) -> None:
    bad = cli("indicators", "enterprise-add", code(2)[:17] + "O", "--as", people["analyst"], "--name", "x",
              "--size-industry", "software_it_services")
    assert bad.exit_code == EXIT_INVALID and "never used" in bad.stderr
    assert add(cli, people["viewer"], 3).exit_code == EXIT_FORBIDDEN
    assert add(cli, people["analyst"], 4, "--revenue", "1").exit_code == EXIT_INVALID
    assert cli("indicators", "sme-stats", "--by", "colour", "--as", people["viewer"]).exit_code == EXIT_INVALID


def test_investment_commands(cli: Cli, people: dict[str, str]) -> None:
    base = ("indicators", "investment-add", "--as", people["analyst"], "--industry", "telecom", "--source", "S",
            "--unit", "亿元")
    assert cli(*base, "--year", "2021", "--it-investment", "100", "--security-investment", "5").exit_code == 0
    assert cli(*base, "--year", "2022", "--it-investment", "100", "--security-investment", "7").exit_code == 0
    dup = cli(*base, "--year", "2022", "--it-investment", "100", "--security-investment", "7")
    assert dup.exit_code == EXIT_CONFLICT
    over = cli(*base, "--year", "2023", "--it-investment", "10", "--security-investment", "70")
    assert over.exit_code == EXIT_INVALID and "more than the IT investment" in over.stderr
    listed = json.loads(cli("indicators", "investments", "--as", people["viewer"], "--json").stdout)
    assert [i["share_percent"] for i in listed["items"]] == ["5", "7"]
    shares = json.loads(cli("indicators", "investment-shares", "--as", people["viewer"], "--json").stdout)
    assert shares["target_percent"] == "10"
    telecom = next(i for i in shares["industries"] if i["industry"] == "telecom")
    assert telecom["series"] == {"2021": "5", "2022": "7"} and telecom["status"] in ("on_track", "at_risk",
                                                                                     "off_track")
    text = cli("indicators", "investment-shares", "--as", people["viewer"]).stdout
    assert text.startswith("target: >= 10 % by 2023")
