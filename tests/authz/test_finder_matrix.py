"""Authorization matrix of the finder side: every principal against every finder operation.

The finder is the reporter who submitted the report the case was opened from. They see the case
only through the finder projection; another reporter and other organisations get 404; members of
the owning organisation know the case, so where only the finder may act they get 403; only a
manager (or an administrator) decides a publication request."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.authz.conftest import World, bearer, build_world, created
from tests.conftest import Factory
from wangan.runtime import Runtime
from wangan.server import create_app

PRINCIPALS = ("anonymous", "finder", "other_reporter", "viewer", "analyst", "manager", "other_org", "admin")
# Names in the shared world (``tests/authz/conftest.py``) of the principals that exist there.
WORLD_NAME = {"finder": "reporter", "other_org": "other_org", "viewer": "viewer", "analyst": "analyst",
              "manager": "manager", "admin": "admin", "anonymous": "anonymous"}
SECRETS = {"verification_result": "reproduced on 2.3.1 with the lab image",
           "impact_scope": "about 20,000 routers in service",
           "technical_characteristics": "stack overflow in the update parser"}

Op = Callable[["FinderWorld", dict[str, str]], httpx.Response]

#                               anon finder other_rep viewer analyst manager other_org admin
EXPECTED: dict[str, tuple[int, ...]] = {
    "finder case list":          (401, 200,   200,      200,   200,    200,    200,      200),
    "finder case get":           (401, 200,   404,      403,   403,    403,    404,      403),
    "messages get":              (401, 200,   404,      200,   200,    200,    404,      200),
    "message post":              (401, 201,   404,      403,   201,    201,    404,      201),
    "publication request create": (401, 201,  404,      403,   403,    403,    404,      403),
    "decision":                  (401, 404,   404,      403,   403,    200,    404,      200),
}


class FinderWorld:
    """The shared authorization world plus a case opened from the finder's report."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.client = world.client
        self._other_reporter: dict[str, str] | None = None
        analyst = world.headers("analyst")
        self.case = created(self.client.post("/api/v1/cases", headers=analyst, json={
            "title": "Internal title of the finder's case", "report_id": world.ids["report"]}))["number"]
        created(self.client.patch(f"/api/v1/cases/{self.case}", headers=analyst, json=SECRETS))

    def headers(self, principal: str) -> dict[str, str]:
        if principal == "other_reporter":
            if self._other_reporter is None:
                user = self.world.factory.user(self.world.org("finder"), "reporter")
                self._other_reporter = bearer(self.world.factory.token(user))
            return self._other_reporter
        return self.world.headers(WORLD_NAME[principal])

    def open_request(self) -> str:
        return str(created(self.client.post(f"/api/v1/finder/cases/{self.case}/publication-requests",
                                            headers=self.headers("finder"), json={"credit_name": "Li Lei"}))["id"])


@pytest.fixture
def fworld(rt: Runtime, factory: Factory) -> Iterator[FinderWorld]:
    with TestClient(create_app(rt)) as client:
        yield FinderWorld(build_world(rt, factory, client))


OPS: dict[str, Op] = {
    "finder case list": lambda w, h: w.client.get("/api/v1/finder/cases", headers=h),
    "finder case get": lambda w, h: w.client.get(f"/api/v1/finder/cases/{w.case}", headers=h),
    "messages get": lambda w, h: w.client.get(f"/api/v1/cases/{w.case}/messages", headers=h),
    "message post": lambda w, h: w.client.post(f"/api/v1/cases/{w.case}/messages", headers=h,
                                               json={"body": "hello"}),
    "publication request create": lambda w, h: w.client.post(
        f"/api/v1/finder/cases/{w.case}/publication-requests", headers=h, json={"credit_name": "Li Lei"}),
    "decision": lambda w, h: w.client.post(
        f"/api/v1/cases/{w.case}/publication-requests/{w.open_request()}/decision", headers=h,
        json={"decision": "accept"}),
}

CELLS = [pytest.param(op, who, status, id=f"{op}-{who}")
         for op, row in EXPECTED.items() for who, status in zip(PRINCIPALS, row, strict=True)]


def test_table_covers_every_operation() -> None:
    assert set(EXPECTED) == set(OPS)


@pytest.mark.parametrize(("op", "principal", "expected"), CELLS)
def test_matrix(fworld: FinderWorld, op: str, principal: str, expected: int) -> None:
    resp = OPS[op](fworld, fworld.headers(principal))

    assert resp.status_code == expected, f"{op} as {principal}: {resp.status_code} {resp.text[:300]}"
    if expected >= 400:
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["status"] == expected


def test_the_finder_never_sees_internal_fields(fworld: FinderWorld) -> None:
    h = fworld.headers("finder")
    fworld.client.post(f"/api/v1/cases/{fworld.case}/messages", headers=fworld.headers("analyst"),
                       json={"body": "We confirmed it."})
    seen = [fworld.client.get("/api/v1/finder/cases", headers=h), fworld.client.get(
        f"/api/v1/finder/cases/{fworld.case}", headers=h), fworld.client.get(
        f"/api/v1/cases/{fworld.case}/messages", headers=h),
        fworld.client.get(f"/api/v1/reports/{fworld.world.ids['report']}", headers=h)]

    for resp in seen:
        assert resp.status_code == 200, resp.text
        text = resp.text
        for name, value in SECRETS.items():
            assert name not in text and value not in text
        assert "Internal title" not in text
    assert fworld.client.get(f"/api/v1/cases/{fworld.case}", headers=h).status_code == 404


def test_the_finder_list_shows_only_their_cases(fworld: FinderWorld) -> None:
    listed = {p: [c["number"] for c in fworld.client.get("/api/v1/finder/cases", headers=fworld.headers(p))
                  .json()["items"]] for p in PRINCIPALS[1:]}

    assert listed == {p: ([fworld.case] if p == "finder" else []) for p in PRINCIPALS[1:]}
