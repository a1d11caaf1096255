"""``wangan gate check`` and ``wangan windows``: the gate explained from a shell."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for
from wangan.runtime import Runtime


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        yield c


def _facts(tmp_path: Path, **overrides: object) -> str:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({"title": "Router flaw", "fix_available": True, "fix_or_mitigation": "upgrade",
                                "in_operator_system": False, "computed_severity": "High", **overrides}))
    return str(path)


def test_overseas_recipient_is_denied_with_exit_1(cli: Cli, factory: Factory, tmp_path: Path) -> None:
    analyst = factory.user(factory.org("psirt"), "analyst", email="a@psirt.example")
    result = cli("gate", "check", "--channel", "email", "--as", analyst.email, "--facts", _facts(tmp_path),
                 "--recipient", "Lab", "--jurisdiction", "overseas")
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["rule_ids"] == ["PUB-7"]


def test_domestic_recipient_is_allowed_with_exit_0(cli: Cli, factory: Factory, tmp_path: Path) -> None:
    analyst = factory.user(factory.org("psirt"), "analyst", email="a@psirt.example")
    result = cli("gate", "check", "--channel", "email", "--as", analyst.email, "--facts", _facts(tmp_path),
                 "--recipient", "CNCERT", "--jurisdiction", "domestic")
    assert result.exit_code == 0, result.output


def test_bad_arguments_exit_non_zero_with_a_message(cli: Cli, factory: Factory, tmp_path: Path) -> None:
    analyst = factory.user(factory.org("psirt"), "analyst", email="a@psirt.example")
    result = cli("gate", "check", "--channel", "pigeon", "--as", analyst.email, "--facts", _facts(tmp_path))
    assert result.exit_code != 0 and "pigeon" in result.output


def test_a_window_freezes_publication_until_consent(cli: Cli, factory: Factory, tmp_path: Path) -> None:
    admin = factory.user(None, "admin", email="root@example.org")
    made = cli("windows", "create", "--as", admin.email, "--name", "Summit", "--start", "2026-09-01T00:00",
               "--end", "2026-09-05T00:00")
    assert made.exit_code == 0, made.output
    window_id = made.stdout.split("\t")[0]
    check = ("gate", "check", "--channel", "portal", "--as", admin.email, "--facts", _facts(tmp_path),
             "--at", "2026-09-02T12:00")
    refused = cli(*check)
    assert refused.exit_code == 1 and "PUB-6" in json.loads(refused.stdout)["rule_ids"]
    assert cli("windows", "consent", window_id, "--as", admin.email, "--reference", "MPS-1",
               "--date", "2026-08-30").exit_code == 0
    assert cli(*check).exit_code == 0


def test_a_cert_abroad_is_held_until_a_legal_signoff_is_named(cli: Cli, factory: Factory, tmp_path: Path) -> None:
    analyst = factory.user(factory.org("psirt"), "analyst", email="a@psirt.example")
    base = ("gate", "check", "--channel", "email", "--as", analyst.email, "--facts", _facts(tmp_path),
            "--recipient", "CERT abroad", "--jurisdiction", "overseas", "--cert")
    held = cli(*base)
    assert held.exit_code == 1 and json.loads(held.stdout)["outcome"] == "hold"
    assert cli(*base, "--legal-signoff", "LEGAL-7").exit_code == 0
