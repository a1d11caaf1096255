"""``/api/v1/tasks``: the board-ordered list with provenance, one task, edits with locking, progress, import."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Factory
from tests.functional.api.conftest import assert_problem, bearer, count_rows, error_fields
from wangan.indicators.models import TaskRecord
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime

PLAN = "CN-MIIT-CSI-2021-2023"
Q = f"?plan={PLAN}"


@pytest.fixture
def writer(rt: Runtime, factory: Factory) -> dict[str, str]:
    rt.clock = FixedClock(datetime(2026, 12, 7, 4, 0, tzinfo=UTC))
    return bearer(factory.token(factory.user(factory.org("prov"), "analyst")))


def test_list_is_board_ordered_with_provenance(client: TestClient, writer: dict[str, str]) -> None:
    client.patch("/api/v1/tasks/9" + Q, json={"area": "A2"}, headers=writer).raise_for_status()
    body = client.get("/api/v1/tasks", headers=writer).json()  # default plan: the first shipped one
    assert body["plan"] == PLAN
    assert [c["area"] for c in body["columns"]] == ["A1", "A2", "A3", "A4", "A5", None]
    assert body["columns"][1]["numbers"] == [9] and body["columns"][-1]["counts"]["not_started"] == 18
    assert [t["number"] for t in body["items"]][:2] == [9, 1]
    six = next(t for t in body["items"] if t["number"] == 6)
    assert six["title_provenance"] == "official" and six["text_provenance"] == "our wording"
    one = next(t for t in body["items"] if t["number"] == 1)
    assert one["title_zh"] is None and one["title_provenance"] is None


def test_get_one_and_unknown(client: TestClient, writer: dict[str, str]) -> None:
    resp = client.get("/api/v1/tasks/6" + Q, headers=writer)
    assert resp.status_code == 200 and resp.headers["ETag"] == '"0"'
    assert resp.json()["sources"] == ["P5"]
    assert_problem(client.get("/api/v1/tasks/20" + Q, headers=writer), 404)
    assert_problem(client.get("/api/v1/tasks/1?plan=NOPE", headers=writer), 404)
    assert_problem(client.get("/api/v1/tasks/abc" + Q, headers=writer), 422)


def test_patch_user_text_and_locking(client: TestClient, writer: dict[str, str]) -> None:
    resp = client.patch("/api/v1/tasks/4" + Q, json={"title_zh": "人才培养", "text_source": "CSET"},
                        headers={**writer, "If-Match": '"0"'})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["title_provenance"] == "user" and body["entered_by"] and body["version"] == 1
    assert resp.headers["ETag"] == '"1"'
    stale = client.patch("/api/v1/tasks/4" + Q, json={"owner": "x", "version": 0}, headers=writer)
    assert assert_problem(stale, 409)["detail"].startswith("task 4 was changed")
    assert_problem(client.patch("/api/v1/tasks/4" + Q, json={"owner": "x"},
                                headers={**writer, "If-Match": "abc"}), 422)


def test_patch_official_text_is_conflict(client: TestClient, rt: Runtime, writer: dict[str, str]) -> None:
    body = assert_problem(client.patch("/api/v1/tasks/6" + Q, json={"title_zh": "新标题"}, headers=writer), 409)
    assert "plan file" in body["detail"] and "title_zh" in error_fields(body)
    assert count_rows(rt, TaskRecord) == 0


def test_patch_bad_input(client: TestClient, writer: dict[str, str]) -> None:
    body = assert_problem(client.patch("/api/v1/tasks/2" + Q, json={"status": "finished", "area": "Z"},
                                       headers=writer), 422)
    assert error_fields(body) == {"status", "area"}
    assert_problem(client.patch("/api/v1/tasks/2" + Q, json={"number": 3}, headers=writer), 422)


def test_progress_updates(client: TestClient, writer: dict[str, str]) -> None:
    resp = client.post("/api/v1/tasks/6/updates" + Q, json={"on": "2022-03-01", "status": "in_progress",
                                                            "note": "started", "evidence": "P5"}, headers=writer)
    assert resp.status_code == 201, resp.text
    assert resp.json()["status"] == "in_progress" and resp.json()["last_update"] == "2022-03-01"
    future = assert_problem(client.post("/api/v1/tasks/6/updates" + Q, json={
        "on": "2026-12-08", "status": "done", "note": "x"}, headers=writer), 422)
    assert error_fields(future) == {"on"}
    early = assert_problem(client.post("/api/v1/tasks/6/updates" + Q, json={
        "on": "2020-01-01", "status": "done", "note": "x"}, headers=writer), 422)
    assert "published" in early["detail"]
    assert_problem(client.post("/api/v1/tasks/6/updates" + Q, json={"on": "yesterday", "status": "done",
                                                                   "note": "x"}, headers=writer), 422)


def test_import(client: TestClient, rt: Runtime, writer: dict[str, str]) -> None:
    good = "序号,标题,来源,状态\n2,标题二,CSET,进行中\n".encode()
    resp = client.post("/api/v1/tasks/import" + Q, files={"file": ("t.csv", good, "text/csv")}, headers=writer)
    assert resp.status_code == 200, resp.text
    assert resp.json()["created"] == 1
    bad = "number,title_zh,text_source\n3,标题三,CSET\n6,改,x\n".encode()
    body = assert_problem(client.post("/api/v1/tasks/import" + Q, files={"file": ("t.csv", bad, "text/csv")},
                                      headers=writer), 422)
    assert "row 3, column title_zh" in error_fields(body)
    assert count_rows(rt, TaskRecord) == 1
    assert_problem(client.post("/api/v1/tasks/import" + Q, headers=writer), 422)
