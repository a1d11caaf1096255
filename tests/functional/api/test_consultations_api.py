"""``/api/v1/consultations``: create, publish, comment anonymously within the window, moderate, export,
record the 2021 draft's consultation; refusals as problem+json."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Factory
from tests.functional.api.conftest import assert_problem, bearer, error_fields
from wangan.kernel.calendar import FixedClock
from wangan.kernel.ratelimit import RateLimiter
from wangan.runtime import Runtime

BASE = "/api/v1/consultations"
DURING = datetime(2024, 5, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def mgr(factory: Factory) -> dict[str, str]:
    return bearer(factory.token(factory.user(factory.org("assoc"), "manager")))


def _new(client: TestClient, h: dict[str, str], slug: str = "draft-2024", **body: Any) -> dict[str, Any]:
    payload = {"slug": slug, "title_zh": "征求意见稿", "title_en": "Draft", "opens_at": "2024-05-01T00:00",
               "closes_at": "2024-05-31T23:59:59", **body}
    resp = client.post(BASE, json=payload, headers=h)
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


def _published(client: TestClient, h: dict[str, str]) -> dict[str, Any]:
    _new(client, h)
    resp = client.post(f"{BASE}/draft-2024/publish", headers=h)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()
    return data


def _comment(client: TestClient, **body: Any) -> Any:
    return client.post(f"{BASE}/draft-2024/comments", json={"body": "Add SMEs.", **body})


def test_create_reads_times_as_beijing(client: TestClient, mgr: dict[str, str]) -> None:
    made = _new(client, mgr, closes_at="2024-05-31T23:59:59+00:00")
    assert made["opens_at"].startswith("2024-04-30T16:00:00")
    assert made["opens_at_beijing"] == "2024-05-01 00:00"
    assert made["closes_at_beijing"] == "2024-06-01 07:59"
    assert (made["state"], made["version"]) == ("draft", 1)
    # Drafts are not public.
    assert_problem(client.get(f"{BASE}/draft-2024"), 404)
    assert client.get(BASE).json() == []
    assert [c["slug"] for c in client.get(BASE, headers=mgr).json()] == ["draft-2024"]


@pytest.mark.parametrize(("body", "fields"), [
    ({"slug": "Bad Slug"}, {"slug"}),
    ({"opens_at": "tomorrow"}, {"opens_at"}),
    ({"closes_at": "2024-04-01T00:00"}, {"closes_at"}),
    ({"title_zh": ""}, {"title_zh"}),
    ({"unknown": 1}, None),
])
def test_create_refuses_bad_input(client: TestClient, mgr: dict[str, str], body: dict[str, Any],
                                  fields: set[str] | None) -> None:
    payload = {"slug": "draft-2024", "title_zh": "稿", "opens_at": "2024-05-01T00:00",
               "closes_at": "2024-05-31T23:59", **body}
    problem = assert_problem(client.post(BASE, json=payload, headers=mgr), 422)
    if fields:
        assert fields <= error_fields(problem)
    assert client.get(BASE, headers=mgr).json() == []


def test_comment_flow(rt: Runtime, client: TestClient, mgr: dict[str, str]) -> None:
    rt.clock = FixedClock(DURING)
    _published(client, mgr)
    resp = _comment(client, name="Li", organisation="Acme", contact="li@example.org", section="II")
    assert resp.status_code == 201, resp.text
    receipt = resp.json()
    assert receipt["state"] == "pending" and receipt.get("contact") is None
    assert client.get(f"{BASE}/draft-2024/comments").json() == []
    queue = client.get(f"{BASE}/draft-2024/comments", headers=mgr).json()
    assert [(c["body"], c["contact"]) for c in queue] == [("Add SMEs.", "li@example.org")]
    moderated = client.post(f"{BASE}/draft-2024/comments/{receipt['id']}/moderation", headers=mgr,
                            json={"state": "approved", "note": "ok"})
    assert moderated.status_code == 200, moderated.text
    public = client.get(f"{BASE}/draft-2024").json()
    assert [c["body"] for c in public["comments"]] == ["Add SMEs."]
    assert "li@example.org" not in client.get(f"{BASE}/draft-2024").text
    assert "li@example.org" not in client.get(f"{BASE}/draft-2024/comments").text
    assert client.get(f"{BASE}/draft-2024/comments?state=pending", headers=mgr).json() == []
    assert_problem(client.get(f"{BASE}/draft-2024/comments?state=pending"), 401)
    assert_problem(client.get(f"{BASE}/draft-2024/comments?state=bogus", headers=mgr), 422)
    assert_problem(client.post(f"{BASE}/draft-2024/comments/{receipt['id']}/moderation", headers=mgr,
                               json={"state": "pending"}), 422)
    assert_problem(client.post(f"{BASE}/draft-2024/comments/nope/moderation", headers=mgr,
                               json={"state": "approved"}), 404)


def test_closed_and_upcoming_refusals(rt: Runtime, client: TestClient, mgr: dict[str, str]) -> None:
    _published(client, mgr)
    rt.clock = FixedClock(datetime(2024, 5, 31, 15, 59, 59, tzinfo=UTC))  # 23:59:59 Beijing: still open
    assert _comment(client).status_code == 201
    rt.clock = FixedClock(datetime(2024, 5, 31, 16, 0, 0, tzinfo=UTC))
    problem = assert_problem(_comment(client), 409)
    assert "closed on 2024-05-31 23:59 Beijing time; comments are no longer accepted" in problem["detail"]
    rt.clock = FixedClock(datetime(2024, 4, 30, 15, 59, 59, tzinfo=UTC))
    assert "opens on 2024-05-01 00:00 Beijing time" in assert_problem(_comment(client), 409)["detail"]


@pytest.mark.parametrize(("body", "field"), [
    ({"body": ""}, "body"), ({"body": "x" * 20_001}, "body"), ({"body": "ok", "contact": "c" * 201}, "contact")])
def test_comment_bad_input(rt: Runtime, client: TestClient, mgr: dict[str, str], body: dict[str, Any],
                           field: str) -> None:
    rt.clock = FixedClock(DURING)
    _published(client, mgr)
    problem = assert_problem(client.post(f"{BASE}/draft-2024/comments", json=body), 422)
    assert field in error_fields(problem)
    assert client.get(f"{BASE}/draft-2024/comments", headers=mgr).json() == []


def test_comments_are_rate_limited(rt: Runtime, client: TestClient, mgr: dict[str, str]) -> None:
    rt.clock = FixedClock(DURING)
    _published(client, mgr)
    client.app.state.consultation_limiter = RateLimiter(2)  # type: ignore[attr-defined]
    assert [_comment(client).status_code for _ in range(2)] == [201, 201]
    resp = _comment(client)
    assert_problem(resp, 429)
    assert "Retry-After" in resp.headers
    assert len(client.get(f"{BASE}/draft-2024/comments", headers=mgr).json()) == 2


def test_patch_versions_and_window_lock(rt: Runtime, client: TestClient, mgr: dict[str, str]) -> None:
    rt.clock = FixedClock(DURING)
    _new(client, mgr)
    resp = client.patch(f"{BASE}/draft-2024", json={"title_en": "v2"}, headers={**mgr, "If-Match": '"1"'})
    assert resp.status_code == 200 and resp.headers["ETag"] == '"2"'
    assert_problem(client.patch(f"{BASE}/draft-2024", json={"title_en": "v3", "version": 1}, headers=mgr), 409)
    assert_problem(client.patch(f"{BASE}/draft-2024", json={"closes_at": "soon"}, headers=mgr), 422)
    client.post(f"{BASE}/draft-2024/publish", headers=mgr)
    assert _comment(client).status_code == 201
    problem = assert_problem(client.patch(f"{BASE}/draft-2024", json={"closes_at": "2024-06-30T23:59"},
                                          headers=mgr), 409)
    assert "already has comments" in problem["detail"]
    assert_problem(client.post(f"{BASE}/draft-2024/publish", headers=mgr), 409)


def test_export(rt: Runtime, client: TestClient, mgr: dict[str, str]) -> None:
    rt.clock = FixedClock(DURING)
    _published(client, mgr)
    _comment(client, name="王", contact="wang@example.org")
    resp = client.get(f"{BASE}/draft-2024/comments/export?format=csv", headers=mgr)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert resp.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[1][1:7] == ["2024-05-10 12:00:00", "pending", "", "王", "", "wang@example.org"]
    data = client.get(f"{BASE}/draft-2024/comments/export?format=json", headers=mgr).json()
    assert data["comments"][0]["contact"] == "wang@example.org"
    assert_problem(client.get(f"{BASE}/draft-2024/comments/export?format=xls", headers=mgr), 422)
    assert_problem(client.get(f"{BASE}/draft-2024/comments/export"), 401)


def test_record_plan(rt: Runtime, client: TestClient, mgr: dict[str, str]) -> None:
    rt.clock = FixedClock(DURING)
    resp = client.post(f"{BASE}/record-plan", headers=mgr)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["slug"], body["recorded_only"], body["window"]) == ("cn-miit-csi-2021-2023-draft", True, "closed")
    assert (body["opens_at_beijing"], body["closes_at_beijing"]) == ("2021-07-12 00:00", "2021-07-16 23:59")
    assert "never took comments here" in body["refusal"]
    again = assert_problem(client.post(f"{BASE}/record-plan?plan=CN-MIIT-CSI-2021-2023", headers=mgr), 409)
    assert "cn-miit-csi-2021-2023-draft" in again["detail"]
    refused = assert_problem(client.post(f"{BASE}/cn-miit-csi-2021-2023-draft/comments", json={"body": "late"}), 409)
    assert "a record of a past consultation" in refused["detail"]
    assert_problem(client.post(f"{BASE}/record-plan?plan=NOPE", headers=mgr), 404)
