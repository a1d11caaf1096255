"""Authorization matrix of ``/api/v1/tasks``: every principal against every operation.

The rule (src/wangan/indicators/policy.py): the monitor's figures and tasks are shared across the
instance, so every signed-in member of any organisation reads them (viewers included); analysts,
managers and administrators record task texts, owners, status and progress; viewers get 403; a token
without the ``write`` scope gets 403 for writes; anonymous callers are asked to sign in (401)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.authz.conftest import bearer
from tests.conftest import Factory
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime
from wangan.server import create_app

PLAN = "CN-MIIT-CSI-2021-2023"
Q = f"?plan={PLAN}"
PRINCIPALS = ("anonymous", "viewer", "analyst", "manager", "admin", "other_org", "read_token")
Op = Callable[[TestClient, dict[str, str]], httpx.Response]

#                   anonymous viewer analyst manager admin other_org read_token
READ = (401, 200, 200, 200, 200, 200, 200)
WRITE = (401, 403, 200, 200, 200, 200, 403)
ADD = (401, 403, 201, 201, 201, 201, 403)
EXPECTED: dict[str, tuple[int, ...]] = {"list": READ, "get": READ, "edit": WRITE, "progress": ADD, "import": WRITE}

OPS: dict[str, Op] = {
    "list": lambda c, h: c.get("/api/v1/tasks" + Q, headers=h),
    "get": lambda c, h: c.get("/api/v1/tasks/6" + Q, headers=h),
    "edit": lambda c, h: c.patch("/api/v1/tasks/2" + Q, json={"owner": "MIIT"}, headers=h),
    "progress": lambda c, h: c.post("/api/v1/tasks/6/updates" + Q, json={
        "on": "2022-01-10", "status": "in_progress", "note": "started"}, headers=h),
    "import": lambda c, h: c.post("/api/v1/tasks/import" + Q, headers=h, files={
        "file": ("t.csv", "number,owner\n3,工信部\n".encode(), "text/csv")}),
}


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    rt.clock = FixedClock(datetime(2026, 12, 7, 4, 0, tzinfo=UTC))
    with TestClient(create_app(rt)) as c:
        yield c


def _headers(factory: Factory, principal: str) -> dict[str, str]:
    if principal == "anonymous":
        return {}
    provider = factory.org("assoc")
    if principal == "read_token":
        return bearer(factory.token(factory.user(provider, "analyst"), scopes=["read"]))
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
