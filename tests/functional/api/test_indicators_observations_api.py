"""``/api/v1/observations``: recording, listing with provenance, filters, deleting, importing a CSV (201
with the result; 422 problem+json with every row and column problem), exporting CSV for a round trip,
the template, and strict bodies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Factory
from tests.functional.api.conftest import assert_problem, bearer, count_rows, error_fields
from wangan.indicators.models import Observation
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
BASE = "/api/v1/observations"
HEADER = "indicator,series,year,value,unit,source,vintage,is_forecast\n"


@pytest.fixture
def h(rt: Runtime, factory: Factory) -> dict[str, str]:
    rt.clock = FixedClock(NOW)
    return bearer(factory.token(factory.user(factory.org(), "analyst")))


def body(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {"indicator": "IND-SCALE", "series": "CAICT-BROAD", "year": 2023, "value": "250",
                               "unit": "CNY bn", "source": "CAICT white paper (2024)", "vintage": "2024-01-15"}
    data.update(changes)
    return data


def test_record_and_list_with_provenance(client: TestClient, h: dict[str, str], rt: Runtime) -> None:
    resp = client.post(BASE, headers=h, json=body(scope="broad", note="first"))
    assert resp.status_code == 201, resp.text
    made = resp.json()
    assert resp.headers["location"] == f"{BASE}/{made['id']}"
    assert (made["value"], made["unit"], made["canonical_value"], made["canonical_unit"]) == (
        "250", "cny_bn", "2500", "cny_100m")
    assert (made["plan"], made["vintage"], made["is_forecast"], made["origin"]) == (
        rt.plans[0].id, "2024-01-15", False, "user")
    listed = client.get(BASE, headers=h).json()
    assert listed["total"] == 1 and listed["items"][0]["source"] == "CAICT white paper (2024)"
    assert client.get(f"{BASE}/{made['id']}", headers=h).json()["scope"] == "broad"


def test_filters_and_paging(client: TestClient, h: dict[str, str]) -> None:
    for changes in ({}, {"year": 2024, "vintage": "2024-02-01", "is_forecast": True},
                    {"series": "CCIA-MARKET", "unit": "亿元", "value": "900"}):
        assert client.post(BASE, headers=h, json=body(**changes)).status_code == 201
    assert client.get(BASE, headers=h, params={"series": "CCIA-MARKET"}).json()["total"] == 1
    assert client.get(BASE, headers=h, params={"forecasts": "false"}).json()["total"] == 2
    assert client.get(BASE, headers=h, params={"indicator": "IND-SME-COUNT"}).json()["total"] == 0
    page2 = client.get(BASE, headers=h, params={"limit": 2, "page": 2}).json()
    assert (page2["total"], len(page2["items"]), page2["offset"]) == (3, 1, 2)
    assert_problem(client.get(BASE, headers=h, params={"plan": "NO-PLAN"}), 404)


def test_bad_input_is_problem_json_with_fields(client: TestClient, h: dict[str, str]) -> None:
    problem = assert_problem(client.post(BASE, headers=h, json=body(unit="USD bn", year=1800, value="x")), 422)
    assert {"unit", "year", "value"} <= error_fields(problem)
    assert_problem(client.post(BASE, headers=h, json=body(extra="no")), 422)  # strict body
    assert_problem(client.post(BASE, headers=h, json=body(value=12)), 422)  # decimals are strings


def test_duplicates_are_409(client: TestClient, h: dict[str, str]) -> None:
    first = client.post(BASE, headers=h, json=body()).json()
    problem = assert_problem(client.post(BASE, headers=h, json=body(value="260")), 409)
    assert first["id"] in problem["detail"]


def test_delete(client: TestClient, h: dict[str, str], rt: Runtime) -> None:
    made = client.post(BASE, headers=h, json=body()).json()
    assert client.delete(f"{BASE}/{made['id']}", headers=h).status_code == 204
    assert count_rows(rt, Observation) == 0
    assert_problem(client.delete(f"{BASE}/{made['id']}", headers=h), 404)


def test_import_csv(client: TestClient, h: dict[str, str], rt: Runtime) -> None:
    csv = HEADER + "IND-SCALE,CAICT-BROAD,2023,2500,亿元,CAICT,2024-01-15T20:00:00-05:00,false\n"
    resp = client.post(f"{BASE}/import", headers=h, files={"file": ("obs.csv", csv.encode(), "text/csv")})
    assert resp.status_code == 201, resp.text
    result = resp.json()
    assert (result["kind"], result["rows"], result["created"]) == ("observations", 1, 1)
    assert "Beijing date 2024-01-16" in result["warnings"][0]
    assert count_rows(rt, Observation) == 1


def test_a_bad_file_is_422_listing_every_problem_and_imports_nothing(client: TestClient, h: dict[str, str],
                                                                     rt: Runtime) -> None:
    csv = (HEADER + "IND-SCALE,CAICT-BROAD,2023,2500,亿元,CAICT,2024-01-15,false\n"
           + "IND-SCALE,CAICT-BROAD,2022,\"12,3x\",亿元,CAICT,2023-02-01,false\n"
           + "IND-SCALE,CAICT-BROAD,2150,2600,亿元,CAICT,2024-01-15,false\n")
    problem = assert_problem(client.post(f"{BASE}/import", headers=h,
                                         files={"file": ("obs.csv", csv.encode(), "text/csv")}), 422)
    assert "nothing was imported" in problem["detail"]
    fields = error_fields(problem)
    assert fields == {"row 3, column value", "row 4, column year"}
    assert any("'12,3x' is not a number" in e["message"] for e in problem["errors"])
    assert count_rows(rt, Observation) == 0


def test_import_of_an_unsupported_file(client: TestClient, h: dict[str, str]) -> None:
    problem = assert_problem(client.post(f"{BASE}/import", headers=h,
                                         files={"file": ("obs.txt", b"hello", "text/plain")}), 422)
    assert "not supported" in problem["detail"]


def test_export_round_trip_and_template(client: TestClient, h: dict[str, str], rt: Runtime) -> None:
    made = client.post(BASE, headers=h, json=body()).json()
    resp = client.get(f"{BASE}/export.csv", headers=h)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert resp.content.startswith("\ufeff".encode()) and "attachment" in resp.headers["content-disposition"]
    client.delete(f"{BASE}/{made['id']}", headers=h)
    again = client.post(f"{BASE}/import", headers=h, files={"file": ("export.csv", resp.content, "text/csv")})
    assert again.status_code == 201 and again.json()["created"] == 1
    template = client.get(f"{BASE}/template.csv", headers=h)
    assert template.status_code == 200 and template.text.count("\n") == 2
