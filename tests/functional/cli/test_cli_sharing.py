"""``wangan cases share|shares|unshare``: sharing a case from a shell, through the Art. 9 gate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for
from wangan.cli.common import EXIT_CONFLICT, EXIT_FORBIDDEN, EXIT_NOT_FOUND
from wangan.kernel.models import AuditEvent, User
from wangan.runtime import Runtime
from wangan.vulns import cases
from wangan.vulns.events import VulnTag
from wangan.vulns.models import CaseShare


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        yield c


@pytest.fixture
def analyst(factory: Factory) -> User:
    return factory.user(factory.org("owner"), "analyst", email="a@owner.example")


def _case(rt: Runtime, factory: Factory, analyst: User) -> str:
    with rt.sessions.begin() as s:
        return cases.create_case(s, factory.principal(analyst), rt.vuln_rules, cases.CaseIn(title="Flaw")).number


def test_share_list_and_revoke(cli: Cli, rt: Runtime, factory: Factory, analyst: User) -> None:
    number = _case(rt, factory, analyst)
    factory.org("partner")
    shared = cli("cases", "share", number, "partner", "--as", analyst.email)
    assert shared.exit_code == 0, shared.output
    share_id = shared.stdout.split("\t")[0]
    listed = cli("cases", "shares", number, "--as", analyst.email)
    assert "partner" in listed.stdout and "active" in listed.stdout
    assert cli("cases", "share", number, "partner", "--as", analyst.email).exit_code == EXIT_CONFLICT
    revoked = cli("cases", "unshare", number, share_id, "--as", analyst.email)
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    assert cli("cases", "unshare", number, "no-such-id", "--as", analyst.email).exit_code == EXIT_NOT_FOUND


def test_an_overseas_stranger_is_refused_with_exit_4_and_the_rule(cli: Cli, rt: Runtime, factory: Factory,
                                                                  analyst: User) -> None:
    number = _case(rt, factory, analyst)
    factory.org("abroad", jurisdiction="overseas")
    refused = cli("cases", "share", number, "abroad", "--as", analyst.email)
    assert refused.exit_code == EXIT_CONFLICT and "PUB-7" in refused.stderr
    with rt.sessions() as s:
        assert s.execute(select(CaseShare)).first() is None
        assert s.execute(select(AuditEvent).where(AuditEvent.tag == VulnTag.GATE_DECIDED)).first() is not None


def test_a_cert_abroad_needs_the_legal_signoff(cli: Cli, rt: Runtime, factory: Factory, analyst: User) -> None:
    number = _case(rt, factory, analyst)
    factory.org("cert-eu", roles=("cert",), jurisdiction="overseas")
    held = cli("cases", "share", number, "cert-eu", "--as", analyst.email)
    assert held.exit_code == EXIT_CONFLICT and "legal sign-off" in held.stderr
    signed = cli("cases", "share", number, "cert-eu", "--legal-signoff", "LEGAL-2026-7", "--as", analyst.email)
    assert signed.exit_code == 0 and "LEGAL-2026-7" in signed.stdout


def test_a_viewer_cannot_share_and_a_stranger_does_not_see_the_case(cli: Cli, rt: Runtime, factory: Factory,
                                                                    analyst: User) -> None:
    number = _case(rt, factory, analyst)
    factory.org("partner")
    with rt.sessions() as s:
        owner = s.get(User, analyst.id)
        assert owner is not None and owner.organisation is not None
        organisation = owner.organisation
    viewer = factory.user(organisation, "viewer")
    stranger = factory.user(factory.org("elsewhere"), "manager")
    assert cli("cases", "share", number, "partner", "--as", viewer.email).exit_code == EXIT_FORBIDDEN
    assert cli("cases", "share", number, "partner", "--as", stranger.email).exit_code == EXIT_NOT_FOUND
