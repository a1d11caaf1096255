"""Authorization matrix of ``/api/v1/plans``: every principal against every operation.

The rule (src/wangan/indicators/policy.py): every signed-in member of any organisation (viewers
included) and administrators read plans, their status and the report; only managers and administrators
load or remove plans (analysts and viewers get 403); a token without the ``write`` scope gets 403 for
writes; anonymous callers are asked to sign in (401). A shipped plan is never removed (409)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.authz.conftest import bearer
from tests.conftest import REPO, Factory
from wangan.indicators import registry
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime
from wangan.server import create_app

PLAN = "CN-MIIT-CSI-2021-2023"
MINE = "CN-MATRIX-2024"
SHIPPED = REPO / "rules" / "plans" / "action-plan-2021-2023.yaml"
PRINCIPALS = ("anonymous", "viewer", "analyst", "manager", "admin", "other_org", "read_token", "manager_read_token")
Op = Callable[[TestClient, dict[str, str]], httpx.Response]


def own_plan(plan_id: str) -> bytes:
    return SHIPPED.read_text(encoding="utf-8").replace(f"id: {PLAN}", f"id: {plan_id}", 1).encode("utf-8")


#                   anonymous viewer analyst manager admin other_org read_token manager_read_token
READ = (401, 200, 200, 200, 200, 200, 200, 200)
EXPECTED: dict[str, tuple[int, ...]] = {
    "list": READ,
    "get": READ,
    "get uploaded": READ,
    "report json": READ,
    "report csv": READ,
    "upload": (401, 403, 403, 201, 201, 403, 403, 403),
    "delete uploaded": (401, 403, 403, 204, 204, 403, 403, 403),
    "delete shipped": (401, 403, 403, 409, 409, 403, 403, 403),
}

OPS: dict[str, Op] = {
    "list": lambda c, h: c.get("/api/v1/plans", headers=h),
    "get": lambda c, h: c.get(f"/api/v1/plans/{PLAN}", headers=h),
    "get uploaded": lambda c, h: c.get(f"/api/v1/plans/{MINE}", headers=h),
    "report json": lambda c, h: c.get(f"/api/v1/plans/{PLAN}/report?format=json", headers=h),
    "report csv": lambda c, h: c.get(f"/api/v1/plans/{PLAN}/report?format=csv&lang=en", headers=h),
    "upload": lambda c, h: c.post("/api/v1/plans", headers=h,
                                  files={"file": ("p.yaml", own_plan("CN-OTHER-2025"), "text/yaml")}),
    "delete uploaded": lambda c, h: c.delete(f"/api/v1/plans/{MINE}", headers=h),
    "delete shipped": lambda c, h: c.delete(f"/api/v1/plans/{PLAN}", headers=h),
}


@pytest.fixture
def client(rt: Runtime, factory: Factory) -> Iterator[TestClient]:
    rt.clock = FixedClock(datetime(2026, 12, 7, 4, 0, tzinfo=UTC))
    admin = factory.principal(factory.user(None, "admin"))
    with rt.sessions.begin() as s:
        registry.upload_plan(s, admin, rt.plans, own_plan(MINE), "mine.yaml")
    with TestClient(create_app(rt)) as c:
        yield c


def _headers(factory: Factory, principal: str) -> dict[str, str]:
    if principal == "anonymous":
        return {}
    provider = factory.org("assoc")
    if principal == "read_token":
        return bearer(factory.token(factory.user(provider, "analyst"), scopes=["read"]))
    if principal == "manager_read_token":
        return bearer(factory.token(factory.user(provider, "manager"), scopes=["read"]))
    org = None if principal == "admin" else factory.org("other") if principal == "other_org" else provider
    role = {"other_org": "analyst"}.get(principal, principal)
    return bearer(factory.token(factory.user(org, role)))


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("op", list(OPS))
def test_matrix(op: str, principal: str, client: TestClient, factory: Factory) -> None:
    expected = EXPECTED[op][PRINCIPALS.index(principal)]
    resp = OPS[op](client, _headers(factory, principal))
    assert resp.status_code == expected, f"{op} as {principal}: {resp.status_code} {resp.text}"


def test_every_operation_is_in_the_matrix() -> None:
    assert set(OPS) == set(EXPECTED)
    assert all(len(row) == len(PRINCIPALS) for row in EXPECTED.values())


@pytest.mark.parametrize(("role", "status"), [("viewer", 200), ("analyst", 200), ("manager", 200)])
def test_web_pages_for_members(role: str, status: int, rt: Runtime, factory: Factory) -> None:
    from tests.functional.web.conftest import BROWSER, Browser

    user = factory.user(factory.org("webco"), role)
    with TestClient(create_app(rt), headers=BROWSER, follow_redirects=False) as c:
        anonymous = c.get(f"/indicators/{PLAN}")
        assert anonymous.status_code in (302, 303, 401)
        browser = Browser(c)
        browser.login(user)
        for url in ("/indicators", f"/indicators/{PLAN}", f"/indicators/{PLAN}/goals/G1", f"/indicators/{PLAN}/report"):
            assert c.get(url).status_code == status, url
        upload = c.get("/indicators/plans/upload").status_code
        assert upload == (200 if role == "manager" else 403)
