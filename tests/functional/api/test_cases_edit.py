"""Cases: opening them (directly and from a report), listing by NVDB deadline, reading by id or
number, and editing the assessment (CVSS 3.1 / 4.0, CWE, product)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Factory
from tests.functional.api.conftest import (
    CRITICAL_31,
    CRITICAL_40,
    Provider,
    assert_problem,
    error_fields,
    make_provider,
    new_case,
    new_product,
    parse_ts,
    patch_case,
    report_json,
)
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime

URL = "/api/v1/cases"


def ago(**kw: float) -> str:
    return (datetime.now(UTC) - timedelta(**kw)).isoformat()


# --- opening ---

def test_direct_case_starts_the_two_day_nvdb_clock(rt: Runtime, client: TestClient, provider: Provider) -> None:
    now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    rt.clock = FixedClock(now)

    resp = client.post(URL, json={"title": "Hard-coded credential", "description": "telnet root:root"},
                       headers=provider.headers)

    assert resp.status_code == 201, resp.text
    case = resp.json()
    assert case["number"] == "WA-2026-0001"
    assert case["state"] == "new"
    assert case["version"] == 1
    assert case["organisation_id"] == str(provider.org.id)
    assert parse_ts(case["aware_at"]) == now
    assert parse_ts(case["nvdb_due_at"]) == now + timedelta(days=2)
    assert case["nvdb_rule_id"] == "VULN-NVDB-REPORT"
    assert case["nvdb_seconds_left"] == 2 * 24 * 3600
    assert case["nvdb_overdue"] is False
    assert resp.headers["location"] == f"{URL}/WA-2026-0001"
    assert resp.headers["etag"] == '"1"'
    assert {t["id"] for t in case["transitions"]} == {"start_verification", "reject"}


def test_case_numbers_count_up(client: TestClient, provider: Provider) -> None:
    numbers = [new_case(client, provider.headers)["number"] for _ in range(3)]
    year = numbers[0].split("-")[1]
    assert numbers == [f"WA-{year}-0001", f"WA-{year}-0002", f"WA-{year}-0003"]


def test_case_from_report_is_aware_from_receipt(rt: Runtime, client: TestClient, provider: Provider) -> None:
    received = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    rt.clock = FixedClock(received)
    report = client.post("/api/v1/reports", json=report_json()).json()
    rt.clock = FixedClock(received + timedelta(hours=30))

    case = new_case(client, provider.headers, report_id=report["id"], title="SQLi in login")

    assert case["report_id"] == report["id"]
    assert parse_ts(case["aware_at"]) == received
    assert parse_ts(case["nvdb_due_at"]) == received + timedelta(days=2)
    assert case["nvdb_seconds_left"] == 18 * 3600
    linked = client.get(f"/api/v1/reports/{report['id']}", headers=provider.headers).json()
    assert linked["case_number"] == case["number"]
    assert linked["case_state"] == "new"


def test_second_case_for_the_same_report_is_409(client: TestClient, provider: Provider) -> None:
    report = client.post("/api/v1/reports", json=report_json()).json()
    first = new_case(client, provider.headers, report_id=report["id"])

    resp = client.post(URL, json={"title": "again", "report_id": report["id"]}, headers=provider.headers)

    body = assert_problem(resp, 409)
    assert first["number"] in body["detail"]


def test_case_with_assessment_fields_at_creation(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers, cwe="787", cvss31_vector=CRITICAL_31, impact_scope="all X1 units")
    assert case["cwe"] == "CWE-787"
    assert case["cvss31_score"] == 9.8
    assert case["impact_scope"] == "all X1 units"


def test_aware_at_in_the_future_is_422(client: TestClient, provider: Provider) -> None:
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body = assert_problem(client.post(URL, json={"title": "x", "aware_at": future}, headers=provider.headers), 422)
    assert "aware_at" in error_fields(body)


def test_aware_at_without_time_zone_is_422(client: TestClient, provider: Provider) -> None:
    body = assert_problem(client.post(URL, json={"title": "x", "aware_at": "2026-06-01T08:00:00"},
                                      headers=provider.headers), 422)
    assert "aware_at" in error_fields(body)


def test_missing_title_is_422(client: TestClient, provider: Provider) -> None:
    body = assert_problem(client.post(URL, json={"description": "no title"}, headers=provider.headers), 422)
    assert error_fields(body) == {"title"}


def test_case_for_an_unknown_report_is_404(client: TestClient, provider: Provider) -> None:
    resp = client.post(URL, json={"title": "x", "report_id": "00000000-0000-4000-8000-000000000000"},
                       headers=provider.headers)
    assert_problem(resp, 404)


# --- listing and reading ---

def test_list_is_ordered_by_nearest_nvdb_deadline(client: TestClient, provider: Provider) -> None:
    middle = new_case(client, provider.headers, title="middle", aware_at=ago(hours=10))
    later = new_case(client, provider.headers, title="later", aware_at=ago(hours=1))
    soonest = new_case(client, provider.headers, title="soonest", aware_at=ago(hours=40))

    resp = client.get(URL, headers=provider.headers)

    assert resp.status_code == 200
    page = resp.json()
    assert [c["title"] for c in page["items"]] == ["soonest", "middle", "later"]
    assert page["total"] == 3
    assert [soonest["id"], middle["id"], later["id"]] == [c["id"] for c in page["items"]]


def test_overdue_filter_and_paging(client: TestClient, provider: Provider) -> None:
    new_case(client, provider.headers, title="late", aware_at=ago(days=3))
    new_case(client, provider.headers, title="fresh")

    overdue = client.get(URL, params={"overdue": True}, headers=provider.headers).json()
    first = client.get(URL, params={"limit": 1}, headers=provider.headers).json()
    second = client.get(URL, params={"limit": 1, "offset": 1}, headers=provider.headers).json()

    assert [c["title"] for c in overdue["items"]] == ["late"]
    assert overdue["items"][0]["nvdb_overdue"] is True
    assert overdue["items"][0]["nvdb_seconds_left"] < 0
    assert (first["total"], [c["title"] for c in first["items"] + second["items"]]) == (2, ["late", "fresh"])


def test_unknown_state_filter_is_422(client: TestClient, provider: Provider) -> None:
    assert_problem(client.get(URL, params={"state": "sleeping"}, headers=provider.headers), 422)


def test_bad_paging_is_422(client: TestClient, provider: Provider) -> None:
    body = assert_problem(client.get(URL, params={"limit": 0}, headers=provider.headers), 422)
    assert error_fields(body) == {"limit"}


def test_list_shows_only_own_organisation(client: TestClient, provider: Provider, factory: Factory) -> None:
    other = make_provider(factory)
    mine = new_case(client, provider.headers, title="mine")
    new_case(client, other.headers, title="theirs")

    items = client.get(URL, headers=provider.headers).json()["items"]

    assert [c["id"] for c in items] == [mine["id"]]


def test_get_by_id_and_by_number(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)

    by_id = client.get(f"{URL}/{case['id']}", headers=provider.headers)
    by_number = client.get(f"{URL}/{case['number']}", headers=provider.headers)

    assert by_id.status_code == by_number.status_code == 200
    assert by_id.json()["id"] == by_number.json()["id"] == case["id"]
    assert by_id.headers["etag"] == '"1"'


@pytest.mark.parametrize("ref", ["00000000-0000-4000-8000-000000000000", "WA-1999-0001", "not-a-case", "%00"])
def test_unknown_case_is_404(client: TestClient, provider: Provider, ref: str) -> None:
    for resp in (client.get(f"{URL}/{ref}", headers=provider.headers),
                 client.patch(f"{URL}/{ref}", json={"title": "x"}, headers=provider.headers),
                 client.post(f"{URL}/{ref}/transitions", json={"transition": "start_verification"},
                             headers=provider.headers),
                 client.get(f"{URL}/{ref}/nvdb-report", headers=provider.headers),
                 client.get(f"{URL}/{ref}/timeline", headers=provider.headers)):
        body = assert_problem(resp, 404)
        assert ref.replace("%00", "\x00") in body["detail"]


# --- editing the assessment ---

def test_valid_cvss_vectors_are_scored(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)

    updated = patch_case(client, provider.headers, case, cvss31_vector=CRITICAL_31, cvss40_vector=CRITICAL_40)

    assert (updated["cvss31_score"], updated["cvss31_severity"]) == (9.8, "Critical")
    assert (updated["cvss40_score"], updated["cvss40_severity"]) == (9.3, "Critical")
    assert updated["version"] == 2


def test_low_cvss31_vector_is_scored_low(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    updated = patch_case(client, provider.headers, case, cvss31_vector="CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N")
    assert (updated["cvss31_score"], updated["cvss31_severity"]) == (1.8, "Low")


def test_clearing_a_vector_clears_its_score(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers, cvss31_vector=CRITICAL_31)
    updated = patch_case(client, provider.headers, case, cvss31_vector="")
    assert (updated["cvss31_vector"], updated["cvss31_score"], updated["cvss31_severity"]) == ("", None, "")


@pytest.mark.parametrize(("field", "vector"), [
    ("cvss31_vector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"),  # A missing
    ("cvss31_vector", "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),  # bad value
    ("cvss31_vector", CRITICAL_40),  # a 4.0 vector in the 3.1 field
    ("cvss31_vector", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),  # no prefix
    ("cvss40_vector", "CVSS:4.0/AV:N/AC:L"),
    ("cvss40_vector", CRITICAL_31),
    ("cvss40_vector", "garbage"),
])
def test_invalid_vector_is_422_naming_the_field(client: TestClient, provider: Provider, field: str,
                                                vector: str) -> None:
    case = new_case(client, provider.headers)

    body = assert_problem(client.patch(f"{URL}/{case['id']}", json={field: vector}, headers=provider.headers), 422)

    assert error_fields(body) == {field}
    unchanged = client.get(f"{URL}/{case['id']}", headers=provider.headers).json()
    assert (unchanged[field], unchanged["version"]) == ("", 1)


def test_every_invalid_field_is_named_and_nothing_is_applied(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)

    resp = client.patch(f"{URL}/{case['id']}", json={"cvss31_vector": "CVSS:3.1/AV:N", "cvss40_vector": "x",
                                                      "cwe": "CWE-abc", "harm": "would be fine"},
                        headers=provider.headers)

    body = assert_problem(resp, 422)
    assert error_fields(body) == {"cvss31_vector", "cvss40_vector", "cwe"}
    assert client.get(f"{URL}/{case['id']}", headers=provider.headers).json()["harm"] == ""


@pytest.mark.parametrize("cwe", ["CWE-abc", "79a", "CWE-0", "CWE-", "XSS", "CWE-1234567"])
def test_invalid_cwe_is_422(client: TestClient, provider: Provider, cwe: str) -> None:
    case = new_case(client, provider.headers)
    body = assert_problem(client.patch(f"{URL}/{case['id']}", json={"cwe": cwe}, headers=provider.headers), 422)
    assert error_fields(body) == {"cwe"}


@pytest.mark.parametrize(("given", "stored"), [("79", "CWE-79"), ("cwe-79", "CWE-79"), (" CWE-1321 ", "CWE-1321")])
def test_cwe_is_normalised(client: TestClient, provider: Provider, given: str, stored: str) -> None:
    case = new_case(client, provider.headers)
    assert patch_case(client, provider.headers, case, cwe=given)["cwe"] == stored


def test_unknown_field_in_patch_is_422(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    body = assert_problem(client.patch(f"{URL}/{case['id']}", json={"state": "closed"}, headers=provider.headers),
                          422)
    assert "state" in error_fields(body)


def test_empty_patch_is_422(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    assert_problem(client.patch(f"{URL}/{case['id']}", json={}, headers=provider.headers), 422)


def test_blank_title_is_422(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    body = assert_problem(client.patch(f"{URL}/{case['id']}", json={"title": "  "}, headers=provider.headers), 422)
    assert error_fields(body) == {"title"}


def test_product_from_own_catalogue_is_linked(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    product = new_product(client, provider.headers)
    updated = patch_case(client, provider.headers, case, product_id=product["id"])
    assert updated["product"]["id"] == product["id"]


def test_product_of_another_organisation_is_refused(client: TestClient, provider: Provider,
                                                    factory: Factory) -> None:
    other = make_provider(factory)
    foreign = new_product(client, other.headers)
    case = new_case(client, provider.headers)

    body = assert_problem(client.patch(f"{URL}/{case['id']}", json={"product_id": foreign["id"]},
                                       headers=provider.headers), 422)

    assert error_fields(body) == {"product_id"}


def test_patch_without_a_real_change_keeps_the_version(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers, harm="data loss")
    same: dict[str, Any] = patch_case(client, provider.headers, case, harm="data loss")
    assert same["version"] == 1
