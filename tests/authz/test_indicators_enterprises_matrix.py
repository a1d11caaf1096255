"""Authorization matrix of ``/api/v1/enterprises`` and ``/api/v1/investments`` (and the web pages'
anonymous case).

The rule (src/wangan/indicators/policy.py): every signed-in member of any organisation (viewer, analyst,
manager) and administrators read the register and the investment figures; analysts, managers and
administrators record, import and delete; viewers get 403; a role outside the monitor (a finder's
reporter) gets 403; anonymous callers get 401. A token without the 'write' scope cannot write (403)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.authz.conftest import PRINCIPALS, World, created
from tests.conftest import Factory
from wangan.indicators.credit_code import check_character
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime
from wangan.server import create_app

Op = Callable[[World, dict[str, str]], httpx.Response]
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
PLAN = "CN-MIIT-CSI-2021-2023"


def fresh_code() -> str:
    first = f"91110108{uuid.uuid4().int % 10**9:09d}"
    return first + check_character(first)


#                        anonymous other_org reporter viewer analyst manager admin overseas
READ = (401, 200, 403, 200, 200, 200, 200, 200)
ADD = (401, 201, 403, 403, 201, 201, 201, 201)
EDIT = (401, 200, 403, 403, 200, 200, 200, 200)
GONE = (401, 204, 403, 403, 204, 204, 204, 204)
EXPECTED: dict[str, tuple[int, ...]] = {
    "list": READ, "get": READ, "stats": READ, "create": ADD, "put": EDIT, "import": ADD, "delete": GONE,
    "investments": READ, "shares": READ, "add investment": ADD, "import investments": ADD,
    "delete investment": GONE,
}


def _ent(code: str) -> dict[str, object]:
    return {"credit_code": code, "name": "甲公司", "size_industry": "software_it_services", "sectors": ["iot"],
            "region": "北京", "years": [{"year": 2022, "revenue": "500", "headcount": 20}]}


def _inv() -> dict[str, object]:
    return {"plan": PLAN, "industry": "telecom", "year": 2022, "it_investment": "100", "security_investment": "8",
            "source": f"s {uuid.uuid4().hex[:8]}"}


def _delete(w: World, h: dict[str, str]) -> httpx.Response:
    code = fresh_code()
    created(w.client.post("/api/v1/enterprises", headers=w.headers("analyst"), json=_ent(code)))
    return w.client.delete(f"/api/v1/enterprises/{code}", headers=h)


def _delete_inv(w: World, h: dict[str, str]) -> httpx.Response:
    made = created(w.client.post("/api/v1/investments", headers=w.headers("analyst"), json=_inv()))
    return w.client.delete(f"/api/v1/investments/{made['id']}", headers=h)


def _ent_csv() -> bytes:
    return ("credit_code,name,size_industry,year,revenue,headcount\n"
            f"{fresh_code()},乙,software_it_services,2022,10,3\n").encode()


def _inv_csv() -> bytes:
    return f"industry,year,it_investment,security_investment,source\nfinance,2022,100,5,f {uuid.uuid4().hex}\n".encode()


OPS: dict[str, Op] = {
    "list": lambda w, h: w.client.get("/api/v1/enterprises", headers=h),
    "get": lambda w, h: w.client.get(f"/api/v1/enterprises/{w.ids['code']}", headers=h),
    "stats": lambda w, h: w.client.get("/api/v1/enterprises/stats?by=region", headers=h),
    "create": lambda w, h: w.client.post("/api/v1/enterprises", headers=h, json=_ent(fresh_code())),
    "put": lambda w, h: w.client.put(f"/api/v1/enterprises/{w.ids['code']}", headers=h,
                                     json={k: v for k, v in _ent("").items() if k != "credit_code"}),
    "import": lambda w, h: w.client.post("/api/v1/enterprises/import", headers=h,
                                         files={"file": ("e.csv", _ent_csv(), "text/csv")}),
    "delete": _delete,
    "investments": lambda w, h: w.client.get("/api/v1/investments", headers=h),
    "shares": lambda w, h: w.client.get(f"/api/v1/investments/shares?plan={PLAN}", headers=h),
    "add investment": lambda w, h: w.client.post("/api/v1/investments", headers=h, json=_inv()),
    "import investments": lambda w, h: w.client.post(f"/api/v1/investments/import?plan={PLAN}", headers=h,
                                                     files={"file": ("i.csv", _inv_csv(), "text/csv")}),
    "delete investment": _delete_inv,
}

CELLS = [pytest.param(op, who, status, id=f"{op}-{who}")
         for op, row in EXPECTED.items() for who, status in zip(PRINCIPALS, row, strict=True)]


@pytest.fixture
def ent_world(rt: Runtime, factory: Factory) -> Iterator[World]:
    rt.clock = FixedClock(NOW)
    with TestClient(create_app(rt)) as client:
        w = World(rt=rt, factory=factory, client=client,
                  provider=factory.org("provider-org", roles=("provider", "operator")))
        w.ids["code"] = created(client.post("/api/v1/enterprises", headers=w.headers("analyst"),
                                            json=_ent(fresh_code())))["credit_code"]
        yield w


def test_table_covers_every_operation() -> None:
    assert set(EXPECTED) == set(OPS)


@pytest.mark.parametrize(("op", "principal", "expected"), CELLS)
def test_matrix(ent_world: World, op: str, principal: str, expected: int) -> None:
    resp = OPS[op](ent_world, ent_world.headers(principal))

    assert resp.status_code == expected, f"{op} as {principal}: {resp.status_code} {resp.text[:300]}"
    if expected >= 400:
        assert resp.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("op", ["create", "put", "import", "delete", "add investment", "delete investment"])
def test_a_read_only_token_cannot_write(ent_world: World, op: str) -> None:
    w = ent_world
    read_only = {"Authorization": f"Bearer {w.factory.token(w.factory.user(w.provider, 'manager'), scopes=['read'])}"}
    assert OPS[op](w, read_only).status_code == 403
    assert OPS["list"](w, read_only).status_code == 200


def test_the_web_pages_send_anonymous_visitors_to_sign_in(ent_world: World) -> None:
    for path in (f"/indicators/{PLAN}/enterprises", f"/indicators/{PLAN}/investment",
                 f"/indicators/{PLAN}/enterprises/import", "/indicators/enterprises/template.csv"):
        resp = ent_world.client.get(path, headers={"accept": "text/html"}, follow_redirects=False)
        assert resp.status_code in (302, 303) and "/login" in resp.headers["location"], path
