"""``wangan advisories``: draft, edit, attach, review and publish from a shell; a gate refusal exits 4
and names every refusing rule on stderr."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for, lines
from wangan.kernel.auth import principal_for
from wangan.kernel.models import User
from wangan.runtime import Runtime
from wangan.vulns import cases


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        yield c


def open_case(rt: Runtime, user: User, **fields: object) -> str:
    with rt.sessions.begin() as s:
        loaded = s.get(User, user.id)
        assert loaded is not None
        case = cases.create_case(s, principal_for(loaded), rt.vuln_rules,
                                 cases.CaseIn(title="Overflow in the X1 router", fields=dict(fields)))
        return case.number


def test_happy_path_to_publication(rt: Runtime, cli: Cli, factory: Factory, tmp_path: Path) -> None:
    org = factory.org("acme-psirt")
    analyst, manager = factory.user(org, "analyst"), factory.user(org, "manager")
    case = open_case(rt, analyst, fix_description="Upgrade to 2.0",
                     fix_available_at=datetime.now(UTC) - timedelta(hours=1))

    drafted = cli("advisories", "draft", case, "--as", analyst.email)
    assert drafted.exit_code == 0, drafted.output
    number = drafted.stdout.strip()
    assert number.startswith("WA-SA-")

    updated = cli("advisories", "update", number, "--as", analyst.email, "--set", "credits=Li Lei",
                  "--set", "references=https://example.org/a https://example.org/b",
                  "--set", "in_operator_system=false", "--set", "joint_assessment_at=2026-01-05T10:00")
    assert updated.exit_code == 0, updated.output
    patch = tmp_path / "fix.patch"
    patch.write_bytes(b"--- a\n+++ b\n")
    attached = cli("advisories", "attach", number, str(patch), "--kind", "patch", "--as", analyst.email)
    assert attached.exit_code == 0, attached.output and "patch" in attached.stdout

    assert cli("advisories", "act", number, "submit", "--as", analyst.email).exit_code == 0
    assert cli("advisories", "act", number, "approve", "--as", analyst.email).exit_code == 6  # managers only
    assert cli("advisories", "act", number, "approve", "--as", manager.email).exit_code == 0
    checked = cli("advisories", "check", number, "--as", manager.email)
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["allowed"] is True
    published = cli("advisories", "act", number, "publish", "--note", "first release", "--as", manager.email)
    assert published.exit_code == 0, published.output
    assert published.stdout.split("\t")[:2] == [number, "published"]

    shown = json.loads(cli("advisories", "show", number, "--as", analyst.email).stdout)
    assert shown["state"] == "published" and shown["revision"] == 1 and shown["credits"] == "Li Lei"
    assert shown["references"] == ["https://example.org/a", "https://example.org/b"]
    assert datetime.fromisoformat(shown["joint_assessment_at"]) == datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    assert shown["attachments"][0]["filename"] == "fix.patch"
    assert shown["revisions"][0]["note"] == "first release"
    listed = cli("advisories", "list", "--as", analyst.email)
    assert lines(listed.stdout)[0].startswith(f"{number}\tpublished\trev 1\t{case}")


def test_gate_refusal_exits_4_naming_each_rule(rt: Runtime, cli: Cli, factory: Factory) -> None:
    manager = factory.user(factory.org("acme-psirt"), "manager")
    number = cli("advisories", "draft", open_case(rt, manager), "--as", manager.email).stdout.strip()
    for action in ("submit", "approve"):
        assert cli("advisories", "act", number, action, "--as", manager.email).exit_code == 0

    checked = cli("advisories", "check", number, "--as", manager.email)
    assert checked.exit_code == 1 and json.loads(checked.stdout)["rule_ids"] == ["PUB-1", "PUB-5"]
    refused = cli("advisories", "act", number, "publish", "--as", manager.email)

    assert refused.exit_code == 4
    assert refused.stdout == ""
    assert "the publication gate refused" in refused.stderr
    assert "\n  PUB-1: No fix is available" in refused.stderr
    assert "\n  PUB-5: No fix or mitigation is written" in refused.stderr
    assert "提供者尚未提供修补措施" in refused.stderr
    shown = json.loads(cli("advisories", "show", number, "--as", manager.email).stdout)
    assert shown["state"] == "approved"


def test_bad_input_and_other_organisations(rt: Runtime, cli: Cli, factory: Factory, tmp_path: Path) -> None:
    analyst = factory.user(factory.org("acme-psirt"), "analyst")
    outsider = factory.user(factory.org("other-co"), "analyst")
    number = cli("advisories", "draft", open_case(rt, analyst), "--as", analyst.email).stdout.strip()

    assert cli("advisories", "show", number, "--as", outsider.email).exit_code == 5
    assert cli("advisories", "update", number, "--set", "nonsense", "--as", analyst.email).exit_code == 2
    bad = cli("advisories", "update", number, "--set", "references=javascript:x", "--as", analyst.email)
    assert bad.exit_code == 2 and "references:" in bad.stderr
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    assert cli("advisories", "attach", number, str(empty), "--kind", "patch", "--as", analyst.email).exit_code == 2
    assert cli("advisories", "act", number, "fly", "--as", analyst.email).exit_code == 2
