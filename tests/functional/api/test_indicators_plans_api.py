"""``/api/v1/plans``: list, detail with goals, targets, computed status and method, upload (201, 422 with
file:line, 409 for a shipped id), delete (204; shipped 409) and the report in every format."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Factory
from tests.functional.api.conftest import assert_problem, bearer, error_fields
from tests.pdfcheck import has_cjk_font

PLAN = "CN-MIIT-CSI-2021-2023"
SHIPPED = Path(__file__).resolve().parents[3] / "rules" / "plans" / "action-plan-2021-2023.yaml"


def own_plan(plan_id: str = "CN-TEST-PROVINCE-2024") -> bytes:
    return SHIPPED.read_text(encoding="utf-8").replace(f"id: {PLAN}", f"id: {plan_id}", 1).encode("utf-8")


@pytest.fixture
def viewer(factory: Factory) -> dict[str, str]:
    return bearer(factory.token(factory.user(factory.org(), "viewer")))


@pytest.fixture
def manager(factory: Factory) -> dict[str, str]:
    return bearer(factory.token(factory.user(factory.org(), "manager")))


def test_list_plans(client: TestClient, viewer: dict[str, str]) -> None:
    resp = client.get("/api/v1/plans", headers=viewer)
    assert resp.status_code == 200
    body = resp.json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == PLAN and item["status"] == "draft" and item["origin"] == "shipped"
    assert item["title"]["zh"].startswith("网络安全产业") and item["period"] == {"start": 2021, "end": 2023}
    assert item["counts"]["goals"] == 7 and item["counts"]["tasks"] == 19 and item["counts"]["tasks_loaded"] == 1


def test_plan_detail_has_goals_targets_status_and_method(client: TestClient, viewer: dict[str, str]) -> None:
    body = client.get(f"/api/v1/plans/{PLAN}", headers=viewer).json()
    assert body["method"]["thresholds"] == {"on_track": "0.95", "at_risk": "0.5"}
    assert "CAGR" in body["method"]["en"]
    goals = {g["id"]: g for g in body["goals"]}
    assert goals["G1"]["status"] == "on_track" and goals["G2"]["status"] == "on_track"
    assert goals["G3"]["status"] == "not_measured" and goals["G6"]["status"] == "no_data"
    scale = goals["G1"]["indicators"][0]
    assert scale["target"] == {"comparator": ">", "value": "2500", "year": 2023}
    assert scale["headline"]["latest"] == {"year": 2021, "value": "2002.5"}
    assert scale["headline"]["steps"]
    idc = next(s for s in scale["series"] if s["id"] == "IDC-SPENDING")
    assert idc["assessment"]["status"] == "no_data" and idc["comparable"] is False
    broad = next(s for s in scale["series"] if s["id"] == "CAICT-BROAD")
    assert {"year": 2022, "value": "2200"} in broad["forecasts"]
    assert all(p["year"] != 2022 for p in broad["actuals"])


def test_unknown_plan_is_404(client: TestClient, viewer: dict[str, str]) -> None:
    assert_problem(client.get("/api/v1/plans/NOPE", headers=viewer), 404)


def test_upload_and_delete(client: TestClient, manager: dict[str, str]) -> None:
    resp = client.post("/api/v1/plans", headers=manager, files={"file": ("mine.yaml", own_plan(), "text/yaml")})
    assert resp.status_code == 201, resp.text
    assert resp.json()["origin"] == "uploaded" and resp.json()["id"] == "CN-TEST-PROVINCE-2024"
    ids = [p["id"] for p in client.get("/api/v1/plans", headers=manager).json()["items"]]
    assert ids == [PLAN, "CN-TEST-PROVINCE-2024"]
    assert client.get("/api/v1/plans/CN-TEST-PROVINCE-2024", headers=manager).json()["origin"] == "uploaded"
    assert client.delete("/api/v1/plans/CN-TEST-PROVINCE-2024", headers=manager).status_code == 204
    assert_problem(client.get("/api/v1/plans/CN-TEST-PROVINCE-2024", headers=manager), 404)


def test_upload_errors(client: TestClient, manager: dict[str, str]) -> None:
    bad = b"schema_version: 1\nversion: \"2026-01-01\"\nplan:\n  id: [unclosed\n"
    body = assert_problem(client.post("/api/v1/plans", headers=manager,
                                      files={"file": ("broken.yaml", bad, "text/yaml")}), 422)
    assert "broken.yaml:" in body["detail"] and "file" in error_fields(body)
    assert_problem(client.post("/api/v1/plans", headers=manager, files={"file": ("e.yaml", b"", "text/yaml")}), 422)
    shipped = assert_problem(client.post("/api/v1/plans", headers=manager,
                                         files={"file": ("x.yaml", SHIPPED.read_bytes(), "text/yaml")}), 409)
    assert "shipped" in shipped["detail"]
    assert_problem(client.post("/api/v1/plans", headers=manager), 422)  # no file at all


def test_shipped_plan_cannot_be_deleted(client: TestClient, manager: dict[str, str]) -> None:
    assert_problem(client.delete(f"/api/v1/plans/{PLAN}", headers=manager), 409)


def test_report_formats(client: TestClient, viewer: dict[str, str]) -> None:
    html = client.get(f"/api/v1/plans/{PLAN}/report?format=html&lang=en", headers=viewer)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "attachment" in html.headers["content-disposition"] and "target &gt; 2500" in html.text
    zh = client.get(f"/api/v1/plans/{PLAN}/report?format=html&lang=zh", headers=viewer)
    assert "进展报告" in zh.text
    data = client.get(f"/api/v1/plans/{PLAN}/report?format=csv", headers=viewer)
    rows = list(csv.DictReader(io.StringIO(data.text)))
    assert any(r["series"] == "CAICT-BROAD" and r["year"] == "2022" and r["is_forecast"] == "true" for r in rows)
    js = client.get(f"/api/v1/plans/{PLAN}/report?format=json", headers=viewer).json()
    assert js["plan"] == PLAN and js["series"]
    assert_problem(client.get(f"/api/v1/plans/{PLAN}/report?format=docx", headers=viewer), 422)
    assert_problem(client.get(f"/api/v1/plans/{PLAN}/report?lang=fr", headers=viewer), 422)


def test_report_pdf(client: TestClient, viewer: dict[str, str]) -> None:
    resp = client.get(f"/api/v1/plans/{PLAN}/report?format=pdf&lang=zh", headers=viewer)
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
    assert has_cjk_font(resp.content)
