"""Authorization matrix of ``/api/v1/reviews``: every principal against every operation.

The rule (src/wangan/reviews/policy.py, src/wangan/api/v1/reviews.py): the screening is a pure
function of the answers, so anyone may ask it, anonymous callers too. A review case is read by the
members of its organisation (viewer, analyst, manager) and by administrators; anyone else is told it
does not exist (404), and anonymous callers are asked to sign in (401). Analysts, managers and
administrators change a case; viewers get 403. Only managers and administrators record a conclusion
(here: "no review required")."""

from __future__ import annotations

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
CASE = "/api/v1/reviews/{number}"

# Expected status of each operation (rows) for each principal (columns).
#                        anonymous other_org reporter viewer analyst manager admin overseas
READ = (401, 404, 404, 200, 200, 200, 200, 404)
WRITE = (401, 404, 404, 403, 200, 200, 200, 404)
ADD = (401, 404, 404, 403, 201, 201, 201, 404)
EXPECTED: dict[str, tuple[int, ...]] = {
    "screening":          (200,      200,      200,     200,   200,    200,    200,  200),
    "list":               (401,      200,      200,     200,   200,    200,    200,  200),
    "create":             (401,      403,      403,     403,   201,    201,    201,  403),
    "get":                READ,
    "get by id":          READ,
    "edit":               WRITE,
    "timeline":           READ,
    "upload":             ADD,
    "download":           READ,
    "transition":         WRITE,
    "conclude":           (401,      404,      404,     403,   403,    200,    200,  404),
    "pause":              ADD,
    "end pause":          WRITE,
    "factors":            READ,
    "factor":             READ,
    "assess factor":      WRITE,
    "impact report":      READ,
    "commitments":        READ,
    "record commitment":  ADD,
    "supervision":        READ,
    "add supervision":    ADD,
    "complete supervision": WRITE,
}


def _path(w: World, suffix: str = "") -> str:
    return CASE.format(number=w.ids["number"]) + suffix


def _create(w: World, h: dict[str, str]) -> httpx.Response:
    return w.client.post("/api/v1/reviews", headers=h, json={
        "kind": "listing", "title": "NYSE listing", "filed_on": "2025-09-01", "listing_venue": "NYSE",
        "user_count": "120万", "organisation_id": str(w.provider.id)})


def _end_pause(w: World, h: dict[str, str]) -> httpx.Response:
    created(w.client.post(_path(w, "/pauses"), headers=w.headers("analyst"),
                          json={"started_on": "2025-10-13", "reason": "network map"}))
    return w.client.post(_path(w, "/pauses/end"), headers=h, json={"ended_on": "2025-10-17"})


def _complete_supervision(w: World, h: dict[str, str]) -> httpx.Response:
    item = created(w.client.post(_path(w, "/supervision"), headers=w.headers("analyst"),
                                 json={"title": "logs", "due_on": "2026-12-31"}))
    return w.client.post(_path(w, f"/supervision/{item['id']}/complete"), headers=h,
                         json={"done_on": "2026-11-25", "outcome": "clean"})


OPS: dict[str, Op] = {
    "screening": lambda w, h: w.client.post("/api/v1/reviews/screening", headers=h, json={
        "party": "listing", "decided_on": "2025-06-01", "user_count": 1_000_001, "listing_venue": "NYSE"}),
    "list": lambda w, h: w.client.get("/api/v1/reviews", headers=h),
    "create": _create,
    "get": lambda w, h: w.client.get(_path(w), headers=h),
    "get by id": lambda w, h: w.client.get(CASE.format(number=w.ids["case"]), headers=h),
    "edit": lambda w, h: w.client.patch(_path(w), headers=h, json={"title": "renamed"}),
    "timeline": lambda w, h: w.client.get(_path(w, "/timeline"), headers=h),
    "upload": lambda w, h: w.client.post(_path(w, "/documents"), headers=h, data={"slot": "other"},
                                         files={"file": ("x.pdf", b"%PDF", "application/pdf")}),
    "download": lambda w, h: w.client.get(_path(w, f"/documents/{w.ids['document']}"), headers=h),
    "transition": lambda w, h: w.client.post(_path(w, "/transitions"), headers=h,
                                             json={"transition": "notice_review", "on": "2025-10-10"}),
    "conclude": lambda w, h: w.client.post(_path(w, "/transitions"), headers=h,
                                           json={"transition": "decide_not_required", "on": "2025-10-10"}),
    "pause": lambda w, h: w.client.post(_path(w, "/pauses"), headers=h,
                                        json={"started_on": "2025-10-13", "reason": "network map"}),
    "end pause": _end_pause,
    "factors": lambda w, h: w.client.get(_path(w, "/factors"), headers=h),
    "factor": lambda w, h: w.client.get(_path(w, "/factors/RF-1"), headers=h),
    "assess factor": lambda w, h: w.client.put(_path(w, "/factors/RF-1"), headers=h,
                                               json={"rating": "low", "evidence": "two suppliers"}),
    "impact report": lambda w, h: w.client.get(_path(w, "/impact-report"), headers=h),
    "commitments": lambda w, h: w.client.get(_path(w, "/commitments"), headers=h),
    "record commitment": lambda w, h: w.client.post(_path(w, "/commitments"), headers=h, json={
        "clause_id": "SC-NO-DATA", "committed": True, "evidence": "contract §12", "committed_on": "2025-09-15"}),
    "supervision": lambda w, h: w.client.get(_path(w, "/supervision"), headers=h),
    "add supervision": lambda w, h: w.client.post(_path(w, "/supervision"), headers=h,
                                                  json={"title": "logs", "working_days": 10}),
    "complete supervision": _complete_supervision,
}

CELLS = [pytest.param(op, who, status, id=f"{op}-{who}")
         for op, row in EXPECTED.items() for who, status in zip(PRINCIPALS, row, strict=True)]


@pytest.fixture
def reviews_world(rt: Runtime, factory: Factory) -> Iterator[World]:
    """A procurement review of the provider organisation whose dossier is complete (determining)."""
    rt.clock = FixedClock(NOW)
    with TestClient(create_app(rt)) as client:
        w = World(rt=rt, factory=factory, client=client,
                  provider=factory.org("provider-org", roles=("provider", "operator")))
        h = w.headers("analyst")
        case = created(client.post("/api/v1/reviews", headers=h, json={
            "kind": "procurement", "title": "Cloud for the grid", "filed_on": "2025-09-01",
            "product_name": "Example Cloud", "product_category": "cloud_services",
            "supplier_name": "Example Cloud Co."}))
        w.ids["number"], w.ids["case"] = case["number"], case["id"]
        for slot in ("application_form", "impact_report", "procurement_documents"):
            done = created(client.post(_path(w, "/documents"), headers=h, data={"slot": slot, "filed_on": "2025-09-28"},
                                       files={"file": (f"{slot}.pdf", b"%PDF", "application/pdf")}))
            w.ids.setdefault("document", done["document"]["id"])
        assert done["case"]["state"] == "determining"
        yield w


def test_table_covers_every_operation() -> None:
    assert set(EXPECTED) == set(OPS)


@pytest.mark.parametrize(("op", "principal", "expected"), CELLS)
def test_matrix(reviews_world: World, op: str, principal: str, expected: int) -> None:
    resp = OPS[op](reviews_world, reviews_world.headers(principal))

    assert resp.status_code == expected, f"{op} as {principal}: {resp.status_code} {resp.text[:300]}"
    if expected >= 400:
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["status"] == expected


def test_lists_show_only_the_callers_cases(reviews_world: World) -> None:
    w = reviews_world
    for who, total in (("other_org", 0), ("overseas", 0), ("reporter", 0), ("viewer", 1), ("admin", 1)):
        assert w.client.get("/api/v1/reviews", headers=w.headers(who)).json()["total"] == total, who


@pytest.mark.parametrize("op", ["edit", "upload", "pause", "assess factor", "record commitment"])
def test_a_read_only_token_cannot_write(reviews_world: World, op: str) -> None:
    w = reviews_world
    read_only = {"Authorization": f"Bearer {w.factory.token(w.factory.user(w.provider, 'manager'), scopes=['read'])}"}
    resp = OPS[op](w, read_only)
    assert resp.status_code == 403, resp.text
