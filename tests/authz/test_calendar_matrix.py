"""Authorization matrix of ``/api/v1/calendar``: every principal against every operation.

The rule (src/wangan/api/v1/calendar.py): working-day arithmetic and the per-year status are public
like the State Council schedule they come from, so anonymous callers get answers; the override list
names who entered what, so it needs a signed-in reader; every change is for administrators only
(401 anonymous, 403 for everyone else, whatever their organisation role)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.authz.conftest import PRINCIPALS, World
from tests.conftest import Factory
from wangan.runtime import Runtime
from wangan.server import create_app

Op = Callable[[World, dict[str, str]], httpx.Response]
NEW_YEAR_2027 = {"date": "2027-01-01", "kind": "holiday", "name": "元旦 New Year's Day"}

# Expected status of each operation (rows) for each principal (columns).
#                        anonymous other_org reporter viewer analyst manager admin overseas
EXPECTED: dict[str, tuple[int, ...]] = {
    "add":                (200,      200,      200,     200,   200,    200,    200,  200),
    "between":            (200,      200,      200,     200,   200,    200,    200,  200),
    "years":              (200,      200,      200,     200,   200,    200,    200,  200),
    "list overrides":     (401,      200,      200,     200,   200,    200,    200,  200),
    "add override":       (401,      403,      403,     403,   403,    403,    201,  403),
    "remove override":    (401,      403,      403,     403,   403,    403,    204,  403),
    "confirm year":       (401,      403,      403,     403,   403,    403,    200,  403),
}


def _with_new_year(w: World) -> None:
    """The override the remove and confirm operations act on, entered by an administrator."""
    resp = w.client.post("/api/v1/calendar/overrides", json=NEW_YEAR_2027, headers=w.headers("admin"))
    assert resp.status_code == 201, resp.text


def _remove(w: World, h: dict[str, str]) -> httpx.Response:
    _with_new_year(w)
    return w.client.delete("/api/v1/calendar/overrides/2027-01-01", headers=h)


def _confirm(w: World, h: dict[str, str]) -> httpx.Response:
    _with_new_year(w)
    return w.client.post("/api/v1/calendar/years/2027/confirm", headers=h, json={"source": "国办发明电〔2026〕X号"})


OPS: dict[str, Op] = {
    "add": lambda w, h: w.client.get("/api/v1/calendar/add", headers=h, params={"date": "2025-01-24", "n": 1}),
    "between": lambda w, h: w.client.get("/api/v1/calendar/between", headers=h,
                                         params={"start": "2025-01-24", "end": "2025-02-10"}),
    "years": lambda w, h: w.client.get("/api/v1/calendar/years", headers=h),
    "list overrides": lambda w, h: w.client.get("/api/v1/calendar/overrides", headers=h),
    "add override": lambda w, h: w.client.post("/api/v1/calendar/overrides", headers=h, json=NEW_YEAR_2027),
    "remove override": _remove,
    "confirm year": _confirm,
}

CELLS = [pytest.param(op, who, status, id=f"{op}-{who}")
         for op, row in EXPECTED.items() for who, status in zip(PRINCIPALS, row, strict=True)]


@pytest.fixture
def calendar_world(rt: Runtime, factory: Factory) -> Iterator[World]:
    # The calendar is not an organisation's record: the principals are all this matrix needs.
    with TestClient(create_app(rt)) as client:
        yield World(rt=rt, factory=factory, client=client,
                    provider=factory.org("provider-org", roles=("provider", "operator")))


def test_table_covers_every_operation() -> None:
    assert set(EXPECTED) == set(OPS)


@pytest.mark.parametrize(("op", "principal", "expected"), CELLS)
def test_matrix(calendar_world: World, op: str, principal: str, expected: int) -> None:
    resp = OPS[op](calendar_world, calendar_world.headers(principal))

    assert resp.status_code == expected, f"{op} as {principal}: {resp.status_code} {resp.text[:300]}"
    if expected >= 400:
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["status"] == expected


@pytest.mark.parametrize("op", ["add override", "remove override", "confirm year"])
def test_a_read_only_admin_token_cannot_write(calendar_world: World, op: str) -> None:
    w = calendar_world
    read_only = {"Authorization": f"Bearer {w.factory.token(w.factory.user(None, 'admin'), scopes=['read'])}"}
    resp = OPS[op](w, read_only)
    assert resp.status_code == 403, resp.text
