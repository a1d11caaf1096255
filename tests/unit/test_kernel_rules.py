"""A broken rules file is refused at start with ``file:line: problem``, for each kind of mistake,
both from ``load_vuln_rules`` and from ``wangan db upgrade`` (exit 3)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.functional.cli import cli_for
from wangan.kernel.rules import RulesError
from wangan.runtime import Runtime
from wangan.vulns.rules import RULES_FILE, load_vuln_rules

SOURCE = REPO / "rules" / RULES_FILE
TEXT = SOURCE.read_text(encoding="utf-8")
NVDB_CLOCK_BLOCK = TEXT[TEXT.index("  - id: VULN-NVDB-REPORT"):TEXT.index("  - id: VULN-INTAKE-RETENTION")]
MARK_REPORTED_GUARDS = "guards: [nvdb_submission_recorded, upstream_notified_if_component]"


@dataclass(frozen=True)
class Breakage:
    """Replace ``old`` by ``new``; the error must point at the line holding ``at`` and say ``says``."""

    old: str
    new: str
    at: str
    says: tuple[str, ...]


BREAKAGES = {
    "bad indentation": Breakage(
        '  - id: VULN-INTAKE-RETENTION\n    article: "5"', '  - id: VULN-INTAKE-RETENTION\n      article: "5"',
        at='      article: "5"', says=("not valid YAML",)),
    "unknown key": Breakage(
        '    article: "5"\n', '    article: "5"\n    colour: red\n',
        at="    colour: red", says=("clocks.1.colour", "Extra inputs are not permitted")),
    "negative clock length": Breakage(
        "    length: 6\n", "    length: -6\n",
        at="    length: -6", says=("clocks.1.length", "greater than 0")),
    "unknown guard": Breakage(
        MARK_REPORTED_GUARDS, "guards: [nvdb_submission_recorded, upstream_notified]",
        at="id: mark_reported", says=("mark_reported", "unknown guard 'upstream_notified'")),
    "missing VULN-NVDB-REPORT": Breakage(
        NVDB_CLOCK_BLOCK, "",
        at="clocks:", says=("VULN-NVDB-REPORT", "missing")),
}


def write_broken(tmp_path: Path, b: Breakage) -> tuple[Path, int]:
    """Copy the rules folder with one mistake; return the folder and the line the error is on."""
    assert TEXT.count(b.old) == 1, "the breakage no longer matches the rules file"
    text = TEXT.replace(b.old, b.new)
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / RULES_FILE).write_text(text, encoding="utf-8")
    matches = [n for n, line in enumerate(text.splitlines(), start=1) if b.at in line]
    assert len(matches) == 1, b.at
    return folder, matches[0]


def test_the_shipped_rules_file_loads() -> None:
    rules = load_vuln_rules(REPO / "rules")
    assert rules.clock("VULN-NVDB-REPORT").length == 2
    assert rules.clock("VULN-INTAKE-RETENTION").unit == "calendar_months"


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_error_names_file_line_and_problem(tmp_path: Path, name: str) -> None:
    b = BREAKAGES[name]
    folder, line = write_broken(tmp_path, b)

    with pytest.raises(RulesError) as caught:
        load_vuln_rules(folder)

    message = str(caught.value)
    assert message.startswith(f"{folder / RULES_FILE}:{line}: "), message
    for words in b.says:
        assert words in message


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_db_upgrade_exits_3_with_the_loader_message(rt: Runtime, tmp_path: Path, database_url: str,
                                                  monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    folder, _line = write_broken(tmp_path, BREAKAGES[name])
    with pytest.raises(RulesError) as caught:
        load_vuln_rules(folder)

    with cli_for(database_url, tmp_path / "data", monkeypatch) as cli:
        result = cli("db", "upgrade", WANGAN_RULES_DIR=str(folder))

    assert result.exit_code == 3
    assert result.stderr == f"error: {caught.value}\n"
    assert str(folder / RULES_FILE) in result.stderr


def test_db_upgrade_with_the_shipped_rules_succeeds(rt: Runtime, tmp_path: Path, database_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with cli_for(database_url, tmp_path / "data", monkeypatch) as cli:
        result = cli("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "database at head" in result.stdout


def test_missing_rules_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=str(tmp_path / RULES_FILE)):
        load_vuln_rules(tmp_path)


def test_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    (tmp_path / RULES_FILE).write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r":1: the file must be a mapping"):
        load_vuln_rules(tmp_path)


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = TEXT.replace("    length: 6\n", "    length: -6\n").replace("version: 2\n", "version: zero\n")
    (tmp_path / RULES_FILE).write_text(text, encoding="utf-8")

    with pytest.raises(RulesError) as caught:
        load_vuln_rules(tmp_path)

    assert len(str(caught.value).splitlines()) == 2
    assert "version" in str(caught.value) and "clocks.1.length" in str(caught.value)


def test_unknown_state_in_a_transition_is_refused(tmp_path: Path) -> None:
    text = TEXT.replace("from: [users_notified], to: closed", "from: [users_notified], to: archived")
    (tmp_path / RULES_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match="archived"):
        load_vuln_rules(tmp_path)
