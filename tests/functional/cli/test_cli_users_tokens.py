"""``wangan users create`` and ``wangan tokens create``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, Factory
from tests.functional.cli import Cli, cli_for, lines
from wangan.kernel import identity
from wangan.kernel.auth import check_password
from wangan.runtime import Runtime
from wangan.server import create_app

TOKEN_RE = re.compile(r"^wgn_[A-Za-z0-9_-]{20,}$")


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        yield c


def password_works(rt: Runtime, email: str, password: str) -> bool:
    with rt.sessions() as s:
        return check_password(identity.get_user_by_email(s, email), password)


def test_create_user_with_password_on_stdin(rt: Runtime, cli: Cli, factory: Factory) -> None:
    factory.org("acme-psirt")

    result = cli("users", "create", "Li.Lei@Example.org", "--role", "analyst", "--org", "acme-psirt",
                 input=PASSWORD + "\n")

    assert result.exit_code == 0, result.output
    assert "created user li.lei@example.org" in result.stdout
    assert "password" not in result.stdout
    assert password_works(rt, "li.lei@example.org", PASSWORD)
    with rt.sessions() as s:
        user = identity.get_user_by_email(s, "li.lei@example.org")
        assert (user.role.value, user.organisation.slug if user.organisation else None) == ("analyst", "acme-psirt")


def test_create_user_without_stdin_prints_a_generated_password_once(rt: Runtime, cli: Cli,
                                                                    factory: Factory) -> None:
    factory.org("acme-psirt")

    result = cli("users", "create", "han.meimei@example.org", "--role", "viewer", "--org", "acme-psirt")

    assert result.exit_code == 0, result.output
    shown = [line for line in lines(result.stdout) if line.startswith("password (shown once): ")]
    assert len(shown) == 1
    generated = shown[0].removeprefix("password (shown once): ")
    assert len(generated) >= 12
    assert password_works(rt, "han.meimei@example.org", generated)


def test_admin_needs_no_organisation(rt: Runtime, cli: Cli) -> None:
    result = cli("users", "create", "root@example.org", "--role", "admin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    with rt.sessions() as s:
        assert identity.get_user_by_email(s, "root@example.org").is_admin


def test_bad_role_exits_non_zero_with_a_message(rt: Runtime, cli: Cli, factory: Factory) -> None:
    factory.org("acme-psirt")

    result = cli("users", "create", "x@example.org", "--role", "overlord", "--org", "acme-psirt",
                 input=PASSWORD + "\n")

    assert result.exit_code == 2
    assert "role" in result.stderr and "analyst" in result.stderr
    with rt.sessions() as s:
        assert identity.count_users(s) == 0


def test_short_password_is_refused(cli: Cli, factory: Factory) -> None:
    factory.org("acme-psirt")
    result = cli("users", "create", "x@example.org", "--role", "analyst", "--org", "acme-psirt", input="short\n")
    assert result.exit_code == 2
    assert "password" in result.stderr


def test_unknown_organisation_is_not_found(cli: Cli) -> None:
    result = cli("users", "create", "x@example.org", "--role", "analyst", "--org", "nowhere", input=PASSWORD + "\n")
    assert result.exit_code == 5
    assert "nowhere" in result.stderr


def test_analyst_without_organisation_is_refused(cli: Cli) -> None:
    result = cli("users", "create", "x@example.org", "--role", "analyst", input=PASSWORD + "\n")
    assert result.exit_code == 2
    assert "--org" in result.stderr


def test_duplicate_email_is_a_conflict(cli: Cli, factory: Factory) -> None:
    factory.org("acme-psirt")
    args = ("users", "create", "dup@example.org", "--role", "analyst", "--org", "acme-psirt")
    assert cli(*args, input=PASSWORD + "\n").exit_code == 0
    result = cli(*args, input=PASSWORD + "\n")
    assert result.exit_code == 4
    assert "dup@example.org" in result.stderr


def test_token_is_printed_alone_and_authenticates(rt: Runtime, cli: Cli, factory: Factory) -> None:
    user = factory.user(factory.org("acme-psirt"), "analyst", email="ana@example.org")

    result = cli("tokens", "create", "ana@example.org")

    assert result.exit_code == 0, result.output
    assert lines(result.stdout) == [result.stdout.strip()]
    token = result.stdout.strip()
    assert TOKEN_RE.match(token), token
    with TestClient(create_app(rt)) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["id"] == str(user.id)


def test_read_scoped_token_cannot_write(rt: Runtime, cli: Cli, factory: Factory) -> None:
    factory.user(factory.org("acme-psirt"), "analyst", email="ana@example.org")
    token = cli("tokens", "create", "ana@example.org", "--scope", "read", "--days", "30").stdout.strip()

    with TestClient(create_app(rt)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/cases", headers=headers).status_code == 200
        assert client.post("/api/v1/cases", json={"title": "x"}, headers=headers).status_code == 403
        listed = client.get("/api/v1/tokens", headers=headers).json()
    assert listed[0]["scopes"] == ["read"]
    assert listed[0]["expires_at"] is not None


def test_token_for_unknown_user_exits_non_zero_with_a_message(cli: Cli) -> None:
    result = cli("tokens", "create", "ghost@example.org")
    assert result.exit_code == 5
    assert result.stdout == ""
    assert "ghost@example.org" in result.stderr


def test_token_with_unknown_scope_is_refused(cli: Cli, factory: Factory) -> None:
    factory.user(factory.org("acme-psirt"), "analyst", email="ana@example.org")
    result = cli("tokens", "create", "ana@example.org", "--scope", "root")
    assert result.exit_code == 2
    assert "root" in result.stderr


def test_token_with_non_positive_days_is_refused(cli: Cli, factory: Factory) -> None:
    factory.user(factory.org("acme-psirt"), "analyst", email="ana@example.org")
    result = cli("tokens", "create", "ana@example.org", "--days", "0")
    assert result.exit_code == 2
    assert "--days" in result.stderr
