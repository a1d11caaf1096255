"""Authorization matrix of ``/api/v1/observations`` (and the web pages' anonymous case).

The rule (src/wangan/indicators/policy.py): the monitor's figures are shared across the instance, so
every signed-in member of any organisation (viewer, analyst, manager) and administrators read them;
analysts, managers and administrators record, import and delete; viewers get 403; a role outside the
monitor (a finder's reporter) gets 403; anonymous callers get 401 (the web pages send them to sign in).
A token without the 'write' scope cannot write (403)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.authz.conftest import PRINCIPALS, World, created
from tests.conftest import Factory
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime
from wangan.server import create_app

Op = Callable[[World, dict[str, str]], httpx.Response]
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
BASE = "/api/v1/observations"

#                        anonymous other_org reporter viewer analyst manager admin overseas
READ = (401, 200, 403, 200, 200, 200, 200, 200)
EXPECTED: dict[str, tuple[int, ...]] = {
    "list":     READ,
    "get":      READ,
    "export":   READ,
    "template": READ,
    "create":   (401, 201, 403, 403, 201, 201, 201, 201),
    "import":   (401, 201, 403, 403, 201, 201, 201, 201),
    "delete":   (401, 204, 403, 403, 204, 204, 204, 204),
}


def _body() -> dict[str, object]:
    return {"indicator": "IND-SCALE", "series": "CAICT-BROAD", "year": 2023, "value": "2500", "unit": "亿元",
            "source": f"source {uuid.uuid4().hex[:8]}", "vintage": "2024-01-15"}


def _csv() -> bytes:
    return ("indicator,series,year,value,unit,source,vintage\n"
            f"IND-SCALE,CAICT-BROAD,2023,2500,亿元,file {uuid.uuid4().hex[:8]},2024-01-15\n").encode()


def _delete(w: World, h: dict[str, str]) -> httpx.Response:
    made = created(w.client.post(BASE, headers=w.headers("analyst"), json=_body()))
    return w.client.delete(f"{BASE}/{made['id']}", headers=h)


OPS: dict[str, Op] = {
    "list": lambda w, h: w.client.get(BASE, headers=h),
    "get": lambda w, h: w.client.get(f"{BASE}/{w.ids['observation']}", headers=h),
    "export": lambda w, h: w.client.get(f"{BASE}/export.csv", headers=h),
    "template": lambda w, h: w.client.get(f"{BASE}/template.csv", headers=h),
    "create": lambda w, h: w.client.post(BASE, headers=h, json=_body()),
    "import": lambda w, h: w.client.post(f"{BASE}/import", headers=h, files={"file": ("o.csv", _csv(), "text/csv")}),
    "delete": _delete,
}

CELLS = [pytest.param(op, who, status, id=f"{op}-{who}")
         for op, row in EXPECTED.items() for who, status in zip(PRINCIPALS, row, strict=True)]


@pytest.fixture
def obs_world(rt: Runtime, factory: Factory) -> Iterator[World]:
    rt.clock = FixedClock(NOW)
    with TestClient(create_app(rt)) as client:
        w = World(rt=rt, factory=factory, client=client,
                  provider=factory.org("provider-org", roles=("provider", "operator")))
        w.ids["observation"] = created(client.post(BASE, headers=w.headers("analyst"), json=_body()))["id"]
        yield w


def test_table_covers_every_operation() -> None:
    assert set(EXPECTED) == set(OPS)


@pytest.mark.parametrize(("op", "principal", "expected"), CELLS)
def test_matrix(obs_world: World, op: str, principal: str, expected: int) -> None:
    resp = OPS[op](obs_world, obs_world.headers(principal))

    assert resp.status_code == expected, f"{op} as {principal}: {resp.status_code} {resp.text[:300]}"
    if expected >= 400:
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["status"] == expected


@pytest.mark.parametrize("op", ["create", "import", "delete"])
def test_a_read_only_token_cannot_write(obs_world: World, op: str) -> None:
    w = obs_world
    read_only = {"Authorization": f"Bearer {w.factory.token(w.factory.user(w.provider, 'manager'), scopes=['read'])}"}
    assert OPS[op](w, read_only).status_code == 403
    assert OPS["list"](w, read_only).status_code == 200


def test_the_web_pages_send_anonymous_visitors_to_sign_in(obs_world: World) -> None:
    for path in ("/indicators/observations/import", "/indicators/observations/new",
                 "/indicators/observations/template.csv"):
        resp = obs_world.client.get(path, headers={"accept": "text/html"}, follow_redirects=False)
        assert resp.status_code in (302, 303) and "/login" in resp.headers["location"], path
