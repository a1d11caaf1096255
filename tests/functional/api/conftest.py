"""Fixtures of the JSON API tests: the application around the test runtime, a client, a provider.

Plain helper functions (``bearer``, ``assert_problem``, ``new_case`` …) live here too, so each test
file reads as requests and assertions and nothing else."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Factory
from wangan.db import Base
from wangan.kernel import auth
from wangan.kernel.models import Organisation, User
from wangan.runtime import Runtime
from wangan.server import create_app

PROBLEM_TYPE = "application/problem+json"
CRITICAL_31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
CRITICAL_40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Argon2 at production cost takes ~0.1 s per user; these tests create many users and do not
    # test hashing, so they use the same algorithm with the smallest parameters.
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def make_client(rt: Runtime) -> TestClient:
    """A client for a fresh application; use as a context manager."""
    return TestClient(create_app(rt), base_url="http://testserver")


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with make_client(rt) as c:
        yield c


def with_settings(rt: Runtime, **changes: Any) -> Runtime:
    """The same runtime (engine, rules, clock) with some settings changed, e.g. a low rate limit."""
    return dataclasses.replace(rt, settings=rt.settings.model_copy(update=changes))


def count_rows(rt: Runtime, model: type[Base]) -> int:
    with rt.sessions() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and the four members filled in."""
    assert resp.status_code == status, f"expected {status}, got {resp.status_code}: {resp.text}"
    assert resp.headers["content-type"].startswith(PROBLEM_TYPE), resp.headers["content-type"]
    body: dict[str, Any] = resp.json()
    for member in ("type", "title", "detail"):
        assert isinstance(body.get(member), str) and body[member], f"problem lacks {member!r}: {body}"
    assert body["status"] == status
    return body


def error_fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


def report_json(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"title": "SQL injection in login form", "content": "POST /login with ' OR 1=1 --",
                            "reporter_contact": "finder@example.net", "reporter_name": "Li Lei",
                            "product_hint": "Router X1 2.3"}
    body.update(overrides)
    return body


@dataclass
class Provider:
    """A provider organisation with one analyst and the analyst's read-write token."""

    org: Organisation
    analyst: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def make_provider(factory: Factory, *, contact: str | None = "psirt@example.org",
                  role: str = "analyst") -> Provider:
    org = factory.org(roles=("provider", "operator"), contact=contact)
    user = factory.user(org, role)
    return Provider(org=org, analyst=user, token=factory.token(user))


@pytest.fixture
def provider(factory: Factory) -> Provider:
    return make_provider(factory)


def new_case(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"title": "Buffer overflow in firmware update"}
    payload.update(body)
    resp = client.post("/api/v1/cases", json=payload, headers=headers)
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


def patch_case(client: TestClient, headers: dict[str, str], case: dict[str, Any], **changes: Any) -> dict[str, Any]:
    resp = client.patch(f"/api/v1/cases/{case['id']}", json=changes, headers=headers)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()
    return data


def new_product(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"vendor": "Acme", "name": "Router X1", "model": "X1-Pro", "versions": ["2.3.0"]}
    payload.update(body)
    resp = client.post("/api/v1/products", json=payload, headers=headers)
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


def complete_for_nvdb(client: TestClient, headers: dict[str, str], case: dict[str, Any]) -> dict[str, Any]:
    """Fill every field the NVDB packet requires (product, versions, characteristics, harm, scope)."""
    product = new_product(client, headers)
    return patch_case(client, headers, case, product_id=product["id"], affected_versions="2.3.0 to 2.3.4",
                      technical_characteristics="stack overflow in the update parser",
                      harm="remote code execution as root", impact_scope="about 20,000 routers in service")


def transition(client: TestClient, headers: dict[str, str], case: dict[str, Any], name: str) -> httpx.Response:
    return client.post(f"/api/v1/cases/{case['id']}/transitions", json={"transition": name}, headers=headers)
