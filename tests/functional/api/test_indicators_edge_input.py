"""Edge input found in review that used to reach a 500: far-off years, superscript digits, amounts too
large for the database, NUL characters in keys, and spreadsheet formulas in exports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Factory
from tests.functional.api.conftest import assert_problem, bearer
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime

PLAN = "CN-MIIT-CSI-2021-2023"
OBS = "/api/v1/observations"


@pytest.fixture
def analyst(rt: Runtime, factory: Factory) -> dict[str, str]:
    rt.clock = FixedClock(datetime(2026, 12, 10, 4, 0, tzinfo=UTC))
    return bearer(factory.token(factory.user(factory.org("assoc"), "analyst")))


@pytest.fixture
def manager(factory: Factory) -> dict[str, str]:
    return bearer(factory.token(factory.user(factory.org("bureau"), "manager")))


def _observation(**changes: object) -> dict[str, object]:
    return {"indicator": "IND-SCALE", "series": "CAICT-BROAD", "year": 2023, "value": "2400", "unit": "亿元",
            "source": "Test", "vintage": "2024-08-01", **changes}


@pytest.mark.parametrize("vintage", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-10:00"])
def test_a_vintage_at_the_calendars_edge_is_a_422(client: TestClient, analyst: dict[str, str], vintage: str) -> None:
    assert_problem(client.post(OBS, headers=analyst, json=_observation(vintage=vintage)), 422)


@pytest.mark.parametrize("value", ["99999999999999999999999999", "1" * 59, "0.000000001"])
def test_an_observation_too_large_or_too_precise_is_a_422(client: TestClient, analyst: dict[str, str],
                                                           value: str) -> None:
    assert_problem(client.post(OBS, headers=analyst, json=_observation(value=value)), 422)


def test_an_import_with_a_far_off_vintage_reports_the_row(client: TestClient, analyst: dict[str, str]) -> None:
    body = ("indicator,series,year,value,unit,source,vintage\n"
            "IND-SCALE,CAICT-BROAD,2023,2400,亿元,Test,0001-01-01T00:00:00+14:00\n").encode()
    problem = assert_problem(client.post(f"{OBS}/import?plan={PLAN}", headers=analyst,
                                         files={"file": ("o.csv", body, "text/csv")}), 422)
    assert any("row 2" in e["field"] for e in problem["errors"]), problem


@pytest.mark.parametrize("revenue", ["1e30", "9" * 40])
def test_an_enterprise_revenue_too_large_is_a_422(client: TestClient, analyst: dict[str, str], revenue: str) -> None:
    body = {"credit_code": "91350100M000100Y43", "name": "Example", "size_industry": "software_it_services",
            "years": [{"year": 2023, "revenue": revenue, "headcount": 10}]}
    assert_problem(client.post("/api/v1/enterprises", headers=analyst, json=body), 422)


def test_a_headcount_beyond_any_enterprise_is_a_422(client: TestClient, analyst: dict[str, str]) -> None:
    body = {"credit_code": "91350100M000100Y43", "name": "Example", "size_industry": "software_it_services",
            "years": [{"year": 2023, "revenue": "100", "headcount": 10**12}]}
    assert_problem(client.post("/api/v1/enterprises", headers=analyst, json=body), 422)


@pytest.mark.parametrize(("opens", "closes"), [("0001-01-01T00:00", "2024-05-31T00:00"),
                                               ("2024-05-01T00:00", "9999-12-31T23:59-05:00")])
def test_a_consultation_window_at_the_calendars_edge_is_a_422(client: TestClient, manager: dict[str, str],
                                                               opens: str, closes: str) -> None:
    body = {"slug": "edge-window", "title_zh": "草案", "opens_at": opens, "closes_at": closes}
    assert_problem(client.post("/api/v1/consultations", headers=manager, json=body), 422)


def test_keys_with_a_nul_character_are_not_found(client: TestClient, analyst: dict[str, str]) -> None:
    assert_problem(client.get("/api/v1/plans/X%00Y", headers=analyst), 404)
    assert_problem(client.get("/api/v1/consultations/abc%00def"), 404)
    assert_problem(client.get("/api/v1/enterprises/%00", headers=analyst), 404)
    assert_problem(client.delete("/api/v1/enterprises/9135%000100M000100Y43", headers=analyst), 404)


def test_the_plan_report_csv_defuses_formulas(client: TestClient, analyst: dict[str, str]) -> None:
    created = client.post(OBS, headers=analyst, json=_observation(source='=HYPERLINK("http://x")', note=" +1"))
    assert created.status_code == 201, created.text
    csv_text = client.get(f"/api/v1/plans/{PLAN}/report?format=csv", headers=analyst).text
    assert "'=HYPERLINK" in csv_text, csv_text
    assert "'+1" in csv_text or "' +1" in csv_text, csv_text
    exported = client.get(f"{OBS}/export.csv?plan={PLAN}", headers=analyst).text
    assert "'=HYPERLINK" in exported
