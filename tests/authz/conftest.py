"""The world the authorization matrix runs in: a provider organisation with one record of every
kind, and the principals who ask for them. Principals are created on first use."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from tests.conftest import Factory
from wangan.kernel import auth
from wangan.kernel.calendar import FixedClock
from wangan.kernel.models import Organisation
from wangan.runtime import Runtime
from wangan.server import create_app

PRINCIPALS = ("anonymous", "other_org", "reporter", "viewer", "analyst", "manager", "admin", "overseas")
CRITICAL_31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Production-cost Argon2 would dominate the run time; hashing is not what is tested here.
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def created(resp: Any) -> dict[str, Any]:
    assert resp.status_code in (200, 201), resp.text
    body: dict[str, Any] = resp.json()
    return body


@dataclass
class World:
    """Records of the provider organisation, plus lazily created principals."""

    rt: Runtime
    factory: Factory
    client: TestClient
    provider: Organisation
    ids: dict[str, str] = field(default_factory=dict)
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)
    _orgs: dict[str, Organisation] = field(default_factory=dict)

    def org(self, name: str) -> Organisation:
        if name not in self._orgs:
            roles, jurisdiction = {"other": (("provider",), "domestic"), "finder": (("finder",), "domestic"),
                                   "overseas": (("provider",), "overseas")}[name]
            self._orgs[name] = self.factory.org(f"{name}-org", roles=roles, jurisdiction=jurisdiction)
        return self._orgs[name]

    def headers(self, principal: str) -> dict[str, str]:
        if principal == "anonymous":
            return {}
        if principal not in self._headers:
            org, role = {
                "other_org": (self.org("other"), "analyst"), "reporter": (self.org("finder"), "reporter"),
                "viewer": (self.provider, "viewer"), "analyst": (self.provider, "analyst"),
                "manager": (self.provider, "manager"), "admin": (None, "admin"),
                "overseas": (self.org("overseas"), "analyst"),
            }[principal]
            self._headers[principal] = bearer(self.factory.token(self.factory.user(org, role)))
        return self._headers[principal]

    def add_other_org_records(self) -> None:
        """A report and a case in another organisation, for the list-visibility checks."""
        h = self.headers("other_org")
        self.ids["other_report"] = created(self.client.post(
            "/api/v1/reports", json={"title": "t", "content": "c", "reporter_contact": "x@example.net",
                                     "organisation": "other-org"}))["id"]
        self.ids["other_case"] = created(self.client.post("/api/v1/cases", json={"title": "theirs"},
                                                          headers=h))["id"]


def build_world(rt: Runtime, factory: Factory, client: TestClient) -> World:
    now = datetime.now(UTC)
    world = World(rt=rt, factory=factory, client=client,
                  provider=factory.org("provider-org", roles=("provider", "operator")))
    h = world.headers("analyst")
    ids = world.ids

    # The reporter's report arrived long ago, so its retention period is over and it may be deleted.
    rt.clock = FixedClock(now - timedelta(days=400))
    receipt = created(client.post(
        "/api/v1/reports", headers=world.headers("reporter"),
        data={"title": "RCE in X1", "content": "details", "reporter_contact": "finder@example.net",
              "organisation": "provider-org"},
        files=[("attachments", ("poc.txt", b"poc", "text/plain"))]))
    rt.clock = FixedClock(now)
    ids["report"], ids["attachment"] = receipt["id"], receipt["attachments"][0]["id"]

    ids["product"] = created(client.post("/api/v1/products", headers=h, json={
        "vendor": "Acme", "name": "Router X1", "model": "X1-Pro", "versions": ["2.3.0"]}))["id"]
    ids["case"] = created(client.post("/api/v1/cases", headers=h, json={
        "title": "Overflow in X1", "aware_at": (now - timedelta(hours=1)).isoformat(),
        "product_id": ids["product"], "technical_characteristics": "stack overflow", "harm": "RCE",
        "impact_scope": "all X1", "cvss31_vector": CRITICAL_31}))["id"]
    ids["asset"] = created(client.post("/api/v1/assets", headers=h, json={
        "kind": "system", "name": "VPN gateway", "identifier": "vpn-01"}))["id"]
    ids["finding"] = created(client.post("/api/v1/findings", headers=h, json={
        "asset_id": ids["asset"], "title": "CVE-2024-3400"}))["id"]
    return world


@pytest.fixture
def world(rt: Runtime, factory: Factory) -> Iterator[World]:
    with TestClient(create_app(rt)) as client:
        yield build_world(rt, factory, client)
