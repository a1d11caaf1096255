"""Bearer tokens on the API: missing, malformed, unknown, expired, revoked, read-only, disabled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.conftest import Factory
from tests.functional.api.conftest import Provider, assert_problem, bearer, new_case
from wangan.kernel.auth import issue_token
from wangan.kernel.models import ApiToken, User
from wangan.runtime import Runtime

CASES = "/api/v1/cases"


def expired_token(rt: Runtime, user: User) -> str:
    with rt.sessions.begin() as s:
        loaded = s.get(User, user.id)
        assert loaded is not None
        _t, raw = issue_token(s, loaded, ttl=timedelta(seconds=-1))
    return raw


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "Token abc", "bearer-abc"])
def test_malformed_authorization_header_is_401(client: TestClient, provider: Provider, header: str) -> None:
    resp = client.get(CASES, headers={"Authorization": header})
    assert_problem(resp, 401)
    assert resp.headers["www-authenticate"] == 'Bearer realm="wangan"'


def test_no_token_on_a_protected_endpoint_is_401(client: TestClient) -> None:
    assert_problem(client.get(CASES), 401)
    assert_problem(client.post(CASES, json={"title": "x"}), 401)


def test_unknown_token_is_401(client: TestClient, provider: Provider) -> None:
    assert_problem(client.get(CASES, headers=bearer("wgn_" + "A" * 43)), 401)


def test_scheme_is_case_insensitive(client: TestClient, provider: Provider) -> None:
    assert client.get(CASES, headers={"Authorization": f"bearer {provider.token}"}).status_code == 200


def test_expired_token_is_401(rt: Runtime, client: TestClient, provider: Provider) -> None:
    raw = expired_token(rt, provider.analyst)
    body = assert_problem(client.get(CASES, headers=bearer(raw)), 401)
    assert "expired" in body["detail"]


def test_token_expires_when_its_time_comes(rt: Runtime, client: TestClient, provider: Provider) -> None:
    assert client.get(CASES, headers=provider.headers).status_code == 200
    with rt.sessions.begin() as s:
        s.execute(update(ApiToken).where(ApiToken.user_id == provider.analyst.id)
                  .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    assert_problem(client.get(CASES, headers=provider.headers), 401)


def test_revoked_token_is_401(client: TestClient, provider: Provider) -> None:
    tokens = client.get("/api/v1/tokens", headers=provider.headers).json()
    assert len(tokens) == 1

    assert client.delete(f"/api/v1/tokens/{tokens[0]['id']}", headers=provider.headers).status_code == 204

    body = assert_problem(client.get(CASES, headers=provider.headers), 401)
    assert "revoked" in body["detail"]


def test_revoking_twice_is_409(client: TestClient, provider: Provider, factory: Factory) -> None:
    spare = factory.token(provider.analyst)
    token_id = next(t["id"] for t in client.get("/api/v1/tokens", headers=provider.headers).json()
                    if spare.startswith(t["prefix"]))
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=provider.headers).status_code == 204
    assert_problem(client.delete(f"/api/v1/tokens/{token_id}", headers=provider.headers), 409)


def test_revoking_someone_elses_token_is_404(client: TestClient, provider: Provider, factory: Factory) -> None:
    other = factory.user(provider.org)
    other_token = factory.token(other)
    other_id = client.get("/api/v1/tokens", headers=bearer(other_token)).json()[0]["id"]

    assert_problem(client.delete(f"/api/v1/tokens/{other_id}", headers=provider.headers), 404)
    assert client.get(CASES, headers=bearer(other_token)).status_code == 200


def test_read_only_token_may_read_but_not_write(client: TestClient, provider: Provider,
                                                factory: Factory) -> None:
    case = new_case(client, provider.headers)
    read_only = bearer(factory.token(provider.analyst, scopes=["read"]))

    assert client.get(f"{CASES}/{case['id']}", headers=read_only).status_code == 200
    for resp in (client.post(CASES, json={"title": "x"}, headers=read_only),
                 client.patch(f"{CASES}/{case['id']}", json={"harm": "x"}, headers=read_only),
                 client.post(f"{CASES}/{case['id']}/transitions", json={"transition": "start_verification"},
                             headers=read_only),
                 client.post("/api/v1/products", json={"vendor": "a", "name": "b"}, headers=read_only)):
        body = assert_problem(resp, 403)
        assert "write" in body["detail"]
    assert client.get(f"{CASES}/{case['id']}", headers=provider.headers).json()["version"] == 1


def test_write_only_token_may_not_read(client: TestClient, provider: Provider, factory: Factory) -> None:
    write_only = bearer(factory.token(provider.analyst, scopes=["write"]))
    assert_problem(client.get(CASES, headers=write_only), 403)


def test_token_of_a_disabled_user_is_401(rt: Runtime, client: TestClient, provider: Provider) -> None:
    with rt.sessions.begin() as s:
        s.execute(update(User).where(User.id == provider.analyst.id).values(is_active=False))
    body = assert_problem(client.get(CASES, headers=provider.headers), 401)
    assert "disabled" in body["detail"]


def test_me_describes_the_token(client: TestClient, provider: Provider, factory: Factory) -> None:
    me = client.get("/api/v1/me", headers=bearer(factory.token(provider.analyst, scopes=["read"]))).json()
    assert me["email"] == provider.analyst.email
    assert me["role"] == "analyst"
    assert me["organisation_id"] == str(provider.org.id)
    assert me["scopes"] == ["read"]


def test_token_created_over_the_api_is_shown_once_and_works(client: TestClient, provider: Provider) -> None:
    resp = client.post("/api/v1/tokens", json={"name": "ci", "scopes": ["read"], "days": 1},
                       headers=provider.headers)
    assert resp.status_code == 201, resp.text
    raw = resp.json()["token"]
    assert raw.startswith(resp.json()["prefix"])
    assert client.get(CASES, headers=bearer(raw)).status_code == 200
    assert all("token" not in t for t in client.get("/api/v1/tokens", headers=provider.headers).json())


def test_unknown_scope_is_422(client: TestClient, provider: Provider) -> None:
    resp = client.post("/api/v1/tokens", json={"scopes": ["admin"]}, headers=provider.headers)
    assert_problem(resp, 422)
