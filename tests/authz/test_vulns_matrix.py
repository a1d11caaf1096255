"""Authorization matrix of the vulnerability API: every principal against every operation.

The policy (src/wangan/vulns/policy.py): a record the principal may not see is 404, never 403, so
its existence does not leak; anonymous callers get 401 everywhere except the public intake; viewers
read but may not write; a reporter sees only the report they submitted and no case; admins see all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.authz.conftest import PRINCIPALS, World

Op = Callable[[World, dict[str, str]], httpx.Response]

# Expected status of each operation (rows) for each principal (columns).
#                        anonymous other_org reporter viewer analyst manager admin overseas
EXPECTED: dict[str, tuple[int, ...]] = {
    "submit report":      (201,      201,      201,     201,   201,    201,    201,  201),
    "list reports":       (401,      200,      200,     200,   200,    200,    200,  200),
    "get report":         (401,      404,      200,     200,   200,    200,    200,  404),
    "get attachment":     (401,      404,      200,     200,   200,    200,    200,  404),
    "delete report":      (401,      404,      403,     403,   204,    204,    204,  404),
    "list cases":         (401,      200,      200,     200,   200,    200,    200,  200),
    "get case":           (401,      404,      404,     200,   200,    200,    200,  404),
    "create case":        (401,      404,      403,     403,   201,    201,    201,  404),
    "patch case":         (401,      404,      404,     403,   200,    200,    200,  404),
    "transition":         (401,      404,      404,     403,   200,    200,    200,  404),
    "upstream notice":    (401,      404,      404,     403,   201,    201,    201,  404),
    "nvdb-report":        (401,      404,      404,     200,   200,    200,    200,  404),
    "nvdb-submission":    (401,      404,      404,     403,   200,    200,    200,  404),
    "timeline":           (401,      404,      404,     200,   200,    200,    200,  404),
    "list products":      (401,      200,      200,     200,   200,    200,    200,  200),
    "create product":     (401,      403,      403,     403,   201,    201,    201,  403),
    "list assets":        (401,      200,      200,     200,   200,    200,    200,  200),
    "create asset":       (401,      403,      403,     403,   201,    201,    201,  403),
    "list findings":      (401,      200,      200,     200,   200,    200,    200,  200),
    "get finding":        (401,      404,      404,     200,   200,    200,    200,  404),
    "create finding":     (401,      404,      404,     403,   201,    201,    201,  404),
    "finding action":     (401,      404,      404,     403,   200,    200,    200,  404),
}


def _now() -> str:
    return datetime.now(UTC).isoformat()


OPS: dict[str, Op] = {
    "submit report": lambda w, h: w.client.post("/api/v1/reports", headers=h, json={
        "title": "t", "content": "c", "reporter_contact": "x@example.net", "organisation": "provider-org"}),
    "list reports": lambda w, h: w.client.get("/api/v1/reports", headers=h),
    "get report": lambda w, h: w.client.get(f"/api/v1/reports/{w.ids['report']}", headers=h),
    "get attachment": lambda w, h: w.client.get(
        f"/api/v1/reports/{w.ids['report']}/attachments/{w.ids['attachment']}", headers=h),
    "delete report": lambda w, h: w.client.delete(f"/api/v1/reports/{w.ids['report']}", headers=h),
    "list cases": lambda w, h: w.client.get("/api/v1/cases", headers=h),
    "get case": lambda w, h: w.client.get(f"/api/v1/cases/{w.ids['case']}", headers=h),
    "create case": lambda w, h: w.client.post("/api/v1/cases", headers=h,
                                              json={"title": "from report", "report_id": w.ids["report"]}),
    "patch case": lambda w, h: w.client.patch(f"/api/v1/cases/{w.ids['case']}", headers=h, json={"harm": "x"}),
    "transition": lambda w, h: w.client.post(f"/api/v1/cases/{w.ids['case']}/transitions", headers=h,
                                             json={"transition": "start_verification"}),
    "upstream notice": lambda w, h: w.client.post(f"/api/v1/cases/{w.ids['case']}/upstream-notices", headers=h,
                                                  json={"supplier": "s", "component": "c", "sent_at": _now()}),
    "nvdb-report": lambda w, h: w.client.get(f"/api/v1/cases/{w.ids['case']}/nvdb-report", headers=h),
    "nvdb-submission": lambda w, h: w.client.post(f"/api/v1/cases/{w.ids['case']}/nvdb-submission", headers=h,
                                                  json={"reference": "NVDB-1", "submitted_at": _now()}),
    "timeline": lambda w, h: w.client.get(f"/api/v1/cases/{w.ids['case']}/timeline", headers=h),
    "list products": lambda w, h: w.client.get("/api/v1/products", headers=h),
    "create product": lambda w, h: w.client.post("/api/v1/products", headers=h, json={
        "vendor": "Acme", "name": "Switch S2", "organisation_id": str(w.provider.id)}),
    "list assets": lambda w, h: w.client.get("/api/v1/assets", headers=h),
    "create asset": lambda w, h: w.client.post("/api/v1/assets", headers=h, json={
        "kind": "network", "name": "office LAN", "identifier": "10.0.0.0/24",
        "organisation_id": str(w.provider.id)}),
    "list findings": lambda w, h: w.client.get("/api/v1/findings", headers=h),
    "get finding": lambda w, h: w.client.get(f"/api/v1/findings/{w.ids['finding']}", headers=h),
    "create finding": lambda w, h: w.client.post("/api/v1/findings", headers=h,
                                                 json={"asset_id": w.ids["asset"], "title": "weak TLS"}),
    "finding action": lambda w, h: w.client.post(f"/api/v1/findings/{w.ids['finding']}/actions", headers=h,
                                                 json={"action": "verify"}),
}

CELLS = [pytest.param(op, who, status, id=f"{op}-{who}")
         for op, row in EXPECTED.items() for who, status in zip(PRINCIPALS, row, strict=True)]


def test_table_covers_every_operation() -> None:
    assert set(EXPECTED) == set(OPS)


@pytest.mark.parametrize(("op", "principal", "expected"), CELLS)
def test_matrix(world: World, op: str, principal: str, expected: int) -> None:
    resp = OPS[op](world, world.headers(principal))

    assert resp.status_code == expected, f"{op} as {principal}: {resp.status_code} {resp.text[:300]}"
    if expected >= 400:
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["status"] == expected


# Which of the records each principal finds in the list endpoints.
VISIBLE: dict[str, dict[str, set[str]]] = {
    "other_org": {"reports": {"other_report"}, "cases": {"other_case"}, "products": set(), "assets": set(),
                  "findings": set()},
    "reporter": {"reports": {"report"}, "cases": set(), "products": set(), "assets": set(), "findings": set()},
    "viewer": {"reports": {"report"}, "cases": {"case"}, "products": {"product"}, "assets": {"asset"},
               "findings": {"finding"}},
    "analyst": {"reports": {"report"}, "cases": {"case"}, "products": {"product"}, "assets": {"asset"},
                "findings": {"finding"}},
    "manager": {"reports": {"report"}, "cases": {"case"}, "products": {"product"}, "assets": {"asset"},
                "findings": {"finding"}},
    "admin": {"reports": {"report", "other_report"}, "cases": {"case", "other_case"}, "products": {"product"},
              "assets": {"asset"}, "findings": {"finding"}},
    "overseas": {"reports": set(), "cases": set(), "products": set(), "assets": set(), "findings": set()},
}


def _listed(world: World, resource: str, headers: dict[str, str]) -> set[str]:
    resp = world.client.get(f"/api/v1/{resource}", headers=headers)
    assert resp.status_code == 200, resp.text
    body: Any = resp.json()
    items = body["items"] if isinstance(body, dict) else body
    by_id = {v: k for k, v in world.ids.items()}
    return {by_id.get(item["id"], f"unexpected:{item['id']}") for item in items}


@pytest.mark.parametrize("principal", list(VISIBLE))
def test_lists_show_only_visible_rows(world: World, principal: str) -> None:
    world.add_other_org_records()
    headers = world.headers(principal)

    seen = {resource: _listed(world, resource, headers) for resource in VISIBLE[principal]}

    assert seen == VISIBLE[principal]


@pytest.mark.parametrize("principal", ["other_org", "reporter", "overseas"])
def test_hidden_case_looks_exactly_like_a_missing_one(world: World, principal: str) -> None:
    headers = world.headers(principal)
    missing = "00000000-0000-4000-8000-000000000000"

    hidden = world.client.get(f"/api/v1/cases/{world.ids['case']}", headers=headers).json()
    absent = world.client.get(f"/api/v1/cases/{missing}", headers=headers).json()

    assert hidden["detail"].replace(world.ids["case"], "ID") == absent["detail"].replace(missing, "ID")
    assert (hidden["type"], hidden["title"], hidden["status"]) == (absent["type"], absent["title"], 404)


def test_reporter_report_does_not_reveal_internal_case_details(world: World) -> None:
    world.client.post("/api/v1/cases", headers=world.headers("analyst"),
                      json={"title": "internal title", "report_id": world.ids["report"]})
    report = world.client.get(f"/api/v1/reports/{world.ids['report']}", headers=world.headers("reporter")).json()
    assert "internal title" not in str(report)


def test_viewer_write_is_refused_without_changing_anything(world: World) -> None:
    before = world.client.get(f"/api/v1/cases/{world.ids['case']}", headers=world.headers("analyst")).json()
    world.client.patch(f"/api/v1/cases/{world.ids['case']}", headers=world.headers("viewer"), json={"harm": "x"})
    after = world.client.get(f"/api/v1/cases/{world.ids['case']}", headers=world.headers("analyst")).json()
    assert (after["version"], after["harm"]) == (before["version"], before["harm"])
