"""``wangan indicators plans|status|report|plan-upload|plan-delete``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, Factory
from tests.functional.cli import Cli, cli_for, lines
from tests.pdfcheck import has_cjk_font
from wangan.cli import common
from wangan.cli.common import EXIT_CONFLICT, EXIT_FORBIDDEN, EXIT_INVALID, EXIT_NOT_FOUND
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime

NOW = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
PLAN = "CN-MIIT-CSI-2021-2023"
SHIPPED = REPO / "rules" / "plans" / "action-plan-2021-2023.yaml"


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
    return {role: factory.user(org, role, email=f"{role}@assoc.example").email for role in ("viewer", "manager")}


def test_plans_and_json(cli: Cli, people: dict[str, str]) -> None:
    out = cli("indicators", "plans", "--as", people["viewer"])
    assert out.exit_code == 0, out.output
    assert lines(out.output)[0].startswith(f"{PLAN}\t2021-2023\tdraft\tshipped\t网络安全产业")
    data = json.loads(cli("indicators", "plans", "--as", people["viewer"], "--json").output)
    assert data["items"][0]["counts"]["tasks"] == 19


def test_status_one_line_per_goal(cli: Cli, people: dict[str, str]) -> None:
    out = cli("indicators", "status", "--as", people["viewer"])
    assert out.exit_code == 0, out.output
    rows = lines(out.output)
    assert rows[0].startswith("G1\ton_track\tlatest 2002.5 亿元 (2021)\ttarget >2500 亿元 (2023)\tneeds 11.7%/yr")
    assert "from the 2022 forecast 2200: 13.6%" in rows[0]
    assert rows[1].startswith("G2\ton_track\tlatest CAGR 15.8% (2020-2021)")
    assert rows[2].startswith("G3\tnot_measured")
    assert rows[-1].startswith("method: Open SDG")
    data = json.loads(cli("indicators", "status", "--plan", PLAN, "--as", people["viewer"], "--json").output)
    assert [g["status"] for g in data["goals"]][:2] == ["on_track", "on_track"]
    assert cli("indicators", "status", "--plan", "NOPE", "--as", people["viewer"]).exit_code == EXIT_NOT_FOUND


def test_report_files(cli: Cli, people: dict[str, str], tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    out = cli("indicators", "report", "--as", people["viewer"], "--format", "html", "--lang", "en", "-o", str(html))
    assert out.exit_code == 0, out.output
    assert "target &gt; 2500" in html.read_text(encoding="utf-8")
    csv_file = tmp_path / "r.csv"
    assert cli("indicators", "report", "--as", people["viewer"], "--format", "csv", "-o", str(csv_file)).exit_code == 0
    assert csv_file.read_text(encoding="utf-8").startswith("goal,indicator,series,year")
    js = tmp_path / "r.json"
    assert cli("indicators", "report", "--plan", PLAN, "--as", people["viewer"], "--format", "json",
               "-o", str(js)).exit_code == 0
    assert json.loads(js.read_text(encoding="utf-8"))["plan"] == PLAN
    bad = cli("indicators", "report", "--as", people["viewer"], "--format", "docx")
    assert bad.exit_code == EXIT_INVALID and "--format" in bad.output
    assert cli("indicators", "report", "--as", people["viewer"], "--lang", "fr").exit_code == EXIT_INVALID


def test_report_pdf(cli: Cli, people: dict[str, str], tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    out = cli("indicators", "report", "--as", people["viewer"], "--format", "pdf", "-o", str(pdf))
    assert out.exit_code == 0, out.output
    assert has_cjk_font(pdf.read_bytes())


def test_upload_and_delete(cli: Cli, people: dict[str, str], tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(SHIPPED.read_text(encoding="utf-8").replace(f"id: {PLAN}", "id: CN-TEST-2024", 1),
                    encoding="utf-8")
    assert cli("indicators", "plan-upload", str(mine), "--as", people["viewer"]).exit_code == EXIT_FORBIDDEN
    out = cli("indicators", "plan-upload", str(mine), "--as", people["manager"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("CN-TEST-2024\tuploaded")
    assert "CN-TEST-2024\t2021-2023\tdraft\tuploaded" in cli("indicators", "plans", "--as", people["viewer"]).output
    assert cli("indicators", "plan-delete", PLAN, "--as", people["manager"]).exit_code == EXIT_CONFLICT
    assert cli("indicators", "plan-delete", "CN-TEST-2024", "--as", people["manager"]).exit_code == 0
    assert cli("indicators", "plan-delete", "CN-TEST-2024", "--as", people["manager"]).exit_code == EXIT_NOT_FOUND


def test_upload_errors(cli: Cli, people: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema_version: 1\nplan: [\n", encoding="utf-8")
    out = cli("indicators", "plan-upload", str(broken), "--as", people["manager"])
    assert out.exit_code == EXIT_INVALID and "broken.yaml:" in out.output
    missing = cli("indicators", "plan-upload", str(tmp_path / "none.yaml"), "--as", people["manager"])
    assert missing.exit_code == EXIT_INVALID and "no such file" in missing.output
    assert cli("indicators", "plan-upload", str(SHIPPED), "--as", people["manager"]).exit_code == EXIT_CONFLICT
