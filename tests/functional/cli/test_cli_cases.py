"""``wangan cases``: the NVDB packet from a shell, and transitions under the same policy as the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for
from wangan.kernel.auth import principal_for
from wangan.kernel.models import User
from wangan.runtime import Runtime
from wangan.vulns import cases, products


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        yield c


def open_case(rt: Runtime, user: User, *, complete: bool) -> str:
    with rt.sessions.begin() as s:
        loaded = s.get(User, user.id)
        assert loaded is not None
        principal = principal_for(loaded)
        fields: dict[str, object] = {}
        if complete:
            product = products.create_product(s, principal, vendor="Acme", name="Router X1", model="X1-Pro")
            fields = {"product_id": product.id, "affected_versions": "2.3", "technical_characteristics": "overflow",
                      "harm": "RCE", "impact_scope": "all units"}
        case = cases.create_case(s, principal, rt.vuln_rules, cases.CaseIn(title="Overflow", fields=fields))
        return case.number


def test_nvdb_with_missing_fields_exits_2_listing_them(rt: Runtime, cli: Cli, factory: Factory) -> None:
    analyst = factory.user(factory.org("acme-psirt"), "analyst")
    number = open_case(rt, analyst, complete=False)

    result = cli("cases", "nvdb", number, "--as", analyst.email)

    assert result.exit_code == 2
    assert result.stdout == ""
    for field in ("product_name", "product_model", "product_version", "technical_characteristics", "harm",
                  "impact_scope"):
        assert f"\n  {field}: " in result.stderr, field
    assert "provider_name:" not in result.stderr


def test_nvdb_of_a_complete_case_prints_the_packet(rt: Runtime, cli: Cli, factory: Factory) -> None:
    analyst = factory.user(factory.org("acme-psirt"), "analyst")
    number = open_case(rt, analyst, complete=True)

    result = cli("cases", "nvdb", number, "--as", analyst.email)

    assert result.exit_code == 0, result.output
    packet = json.loads(result.stdout)
    assert packet["case"]["number"] == number
    assert {f["id"]: f["value"] for f in packet["fields"]}["product_name"] == "Router X1"


def test_nvdb_of_another_organisations_case_is_not_found(rt: Runtime, cli: Cli, factory: Factory) -> None:
    owner = factory.user(factory.org("acme-psirt"), "analyst")
    outsider = factory.user(factory.org("other-org"), "analyst")
    number = open_case(rt, owner, complete=True)

    result = cli("cases", "nvdb", number, "--as", outsider.email)

    assert result.exit_code == 5
    assert result.stdout == ""


def test_illegal_transition_exits_4(rt: Runtime, cli: Cli, factory: Factory) -> None:
    analyst = factory.user(factory.org("acme-psirt"), "analyst")
    number = open_case(rt, analyst, complete=False)

    assert cli("cases", "transition", number, "close", "--as", analyst.email).exit_code == 4
    moved = cli("cases", "transition", number, "start_verification", "--as", analyst.email)
    assert moved.exit_code == 0
    assert f"{number} is now verifying" in moved.stdout


def test_viewer_may_not_transition(rt: Runtime, cli: Cli, factory: Factory) -> None:
    org = factory.org("acme-psirt")
    number = open_case(rt, factory.user(org, "analyst"), complete=False)
    viewer = factory.user(org, "viewer")

    result = cli("cases", "transition", number, "start_verification", "--as", viewer.email)

    assert result.exit_code != 0
    shown = json.loads(cli("cases", "show", number, "--as", viewer.email).stdout)
    assert shown["state"] == "new"
