"""``/api/v1/reviews``: the screening, review cases through their lifecycle, the dossier, working-day
clocks across National Day 2025, pauses, provisional due dates in 2027, the assessment and report,
commitments and supervision, and RFC 9457 problems for every kind of bad input."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.api.conftest import Provider, assert_problem, bearer, error_fields, make_provider
from tests.pdfcheck import embedded_fonts, has_cjk_font
from wangan.api.v1 import reviews as reviews_api
from wangan.kernel.calendar import FixedClock
from wangan.kernel.models import OutboxMessage
from wangan.runtime import Runtime
from wangan.worker.runner import check_review_deadlines_once

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # noon in Beijing
SLOTS = ("application_form", "impact_report", "procurement_documents")


@pytest.fixture(autouse=True)
def _fixed_clock(rt: Runtime) -> None:
    rt.clock = FixedClock(NOW)


@pytest.fixture
def manager(factory: Factory, provider: Provider) -> dict[str, str]:
    return bearer(factory.token(factory.user(provider.org, "manager")))


def procurement(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "procurement", "title": "Cloud for the grid", "filed_on": "2025-09-01",
                            "product_name": "Example Cloud IaaS", "product_category": "cloud_services",
                            "supplier_name": "Example Cloud Co.", "supplier_country": "CN"}
    body.update(overrides)
    return body


def open_case(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    resp = client.post("/api/v1/reviews", json=procurement(**overrides), headers=headers)
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def upload(client: TestClient, headers: dict[str, str], number: str, slot: str, *, data: bytes = b"%PDF dossier",
           filed_on: str = "2025-09-28", name: str = "doc.pdf") -> Any:
    return client.post(f"/api/v1/reviews/{number}/documents", headers=headers,
                       data={"slot": slot, "filed_on": filed_on}, files={"file": (name, data, "application/pdf")})


def determining(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """A procurement case whose dossier became complete on the make-up Sunday 2025-09-28."""
    case = open_case(client, headers, **overrides)
    for slot in SLOTS:
        resp = upload(client, headers, case["number"], slot)
        assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()["case"]
    return body


def move(client: TestClient, headers: dict[str, str], number: str, transition: str, on: str,
         **extra: Any) -> Any:
    return client.post(f"/api/v1/reviews/{number}/transitions", headers=headers,
                       json={"transition": transition, "on": on, **extra})


def running(case: dict[str, Any]) -> dict[str, Any]:
    (clock,) = [c for c in case["clocks"] if c["running"]]
    return clock


# --------------------------------------------------------------------------- the screening


@pytest.mark.parametrize(("answers", "outcome", "articles"), [
    ({"party": "listing", "user_count": 1_000_000, "listing_venue": "NYSE"}, "not_required", ["7", "16"]),
    ({"party": "listing", "user_count": 1_000_001, "listing_venue": "NYSE"}, "required", ["7"]),
    ({"party": "listing", "user_count": "1,000,001", "listing_venue": "纽交所"}, "required", ["7"]),
    ({"party": "listing", "user_count": "120万", "listing_venue": "Hong Kong"}, "possible", ["7", "16"]),
    ({"party": "listing", "user_count": 5_000_000, "listing_venue": "SSE"}, "not_required", ["7"]),
    ({"party": "procurement", "product_category": "cloud_services", "may_affect_national_security": "yes"},
     "required", ["21", "2", "5"]),
    ({"party": "procurement", "product_category": "cloud_services", "may_affect_national_security": "unsure"},
     "possible", ["21", "5"]),
])
def test_screening_table(client: TestClient, answers: dict[str, Any], outcome: str, articles: list[str]) -> None:
    resp = client.post("/api/v1/reviews/screening", json={"decided_on": "2025-06-01", **answers})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["outcome"], body["articles"]) == (outcome, articles)
    assert body["measures"]["id"] == "MEASURES-2021"
    assert body["explanation_zh"] and body["explanation_en"]
    assert all(r["zh"] and r["en"] for r in body["reasons"])


def test_hong_kong_says_a_review_is_still_possible(client: TestClient) -> None:
    body = client.post("/api/v1/reviews/screening", json={
        "party": "listing", "decided_on": "2025-06-01", "user_count": 2_000_000, "listing_venue": "港交所"}).json()
    assert body["venue"] == {"id": "HKEX", "region": "hong_kong"}
    assert "Art. 16" in body["explanation_en"] and "第16条" in body["explanation_zh"]


def test_the_2020_measures_apply_before_2022_02_15(client: TestClient) -> None:
    body = client.post("/api/v1/reviews/screening", json={
        "party": "listing", "decided_on": "2021-06-01", "user_count": 5_000_000, "listing_venue": "NYSE"}).json()
    assert body["measures"]["id"] == "MEASURES-2020"


@pytest.mark.parametrize(("answers", "fields"), [
    ({"party": "listing", "user_count": "lots", "listing_venue": "NYSE"}, {"user_count"}),
    ({"party": "listing", "user_count": "more than 1 million", "listing_venue": "NYSE"}, {"user_count"}),
    ({"party": "listing", "user_count": 2_000_000, "listing_venue": "Moon Exchange"}, {"listing_venue"}),
    ({"party": "listing", "listing_venue": "NYSE"}, {"user_count"}),
    ({"party": "listing", "user_count": 2_000_000, "listing_venue": "NYSE", "decided_on": "2020-05-31"},
     {"decided_on"}),
    ({"party": "listing", "user_count": 2_000_000, "listing_venue": "NYSE", "decided_on": "2019-01-01"},
     {"decided_on"}),
    ({"party": "procurement", "product_category": "toasters", "may_affect_national_security": "yes"},
     {"product_category"}),
    ({"party": "procurement", "product_category": "cloud_services", "may_affect_national_security": "maybe"},
     {"may_affect_national_security"}),
    ({"party": "bribery"}, {"party"}),
    ({"party": "listing", "user_count": 2_000_000, "listing_venue": "NYSE", "decided_on": "2025/06/01"},
     {"decided_on"}),
    ({"party": "listing", "user_count": 2, "listing_venue": "NYSE", "surprise": 1}, {"surprise"}),
])
def test_screening_refuses_bad_answers_by_field(client: TestClient, answers: dict[str, Any],
                                                fields: set[str]) -> None:
    body = assert_problem(client.post("/api/v1/reviews/screening", json={"decided_on": "2025-06-01", **answers}),
                          422)
    assert fields <= error_fields(body), body


def test_an_unknown_venue_names_the_recognised_ones(client: TestClient) -> None:
    body = assert_problem(client.post("/api/v1/reviews/screening", json={
        "party": "listing", "decided_on": "2025-06-01", "user_count": 2_000_000, "listing_venue": "Moon"}), 422)
    assert "NYSE" in body["detail"] and "HKEX" in body["detail"]


# --------------------------------------------------------------------------- cases


def test_create_read_list_and_edit_with_locking(client: TestClient, provider: Provider) -> None:
    resp = client.post("/api/v1/reviews", json=procurement(), headers=provider.headers)
    assert resp.status_code == 201, resp.text
    case = resp.json()
    assert resp.headers["Location"] == f"/api/v1/reviews/{case['number']}"
    assert resp.headers["ETag"] == '"1"'
    assert (case["state"], case["measures_version"], case["version"]) == ("preparing", "MEASURES-2021", 1)
    assert case["clocks"] == [] and case["dossier"]["complete"] is False
    assert case["dossier"]["missing"] == list(SLOTS)
    assert {s["id"] for s in case["dossier"]["slots"]} == {*SLOTS, "other"}

    got = client.get(f"/api/v1/reviews/{case['number']}", headers=provider.headers)
    assert got.status_code == 200 and got.json()["id"] == case["id"]
    assert client.get(f"/api/v1/reviews/{case['id']}", headers=provider.headers).status_code == 200
    listed = client.get("/api/v1/reviews", headers=provider.headers, params={"kind": "procurement", "open": True})
    assert listed.json()["total"] == 1 and listed.json()["items"][0]["number"] == case["number"]
    assert client.get("/api/v1/reviews", headers=provider.headers,
                      params={"state": "concluded"}).json()["total"] == 0
    assert_problem(client.get("/api/v1/reviews", headers=provider.headers, params={"state": "limbo"}), 422)

    edited = client.patch(f"/api/v1/reviews/{case['number']}", headers={**provider.headers, "If-Match": '"1"'},
                          json={"title": "Cloud for the grid, phase 2"})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["title"], edited.json()["version"]) == ("Cloud for the grid, phase 2", 2)
    stale = client.patch(f"/api/v1/reviews/{case['number']}", headers=provider.headers,
                         json={"title": "again", "version": 1})
    assert assert_problem(stale, 409)["current_version"] == 2
    bad = client.patch(f"/api/v1/reviews/{case['number']}", headers={**provider.headers, "If-Match": "soon"},
                       json={"title": "x"})
    assert_problem(bad, 422)
    assert "product_category" in error_fields(assert_problem(client.patch(
        f"/api/v1/reviews/{case['number']}", headers=provider.headers, json={"product_category": "toasters"}), 422))

    tags = [e["tag"] for e in client.get(f"/api/v1/reviews/{case['number']}/timeline",
                                         headers=provider.headers).json()]
    assert tags == ["reviews:case:created", "reviews:case:updated"]


@pytest.mark.parametrize(("overrides", "fields"), [
    ({"filed_on": "2020-05-31"}, {"filed_on"}),
    ({"filed_on": "2026-11-26"}, {"filed_on"}),
    ({"filed_on": "someday"}, {"filed_on"}),
    ({"product_category": "toasters"}, {"product_category"}),
    ({"kind": "listing", "user_count": "lots", "listing_venue": "Moon"}, {"user_count", "listing_venue"}),
    ({"kind": "bribery"}, {"kind"}),
    ({"kind": "listing", "user_count": 10**12, "listing_venue": "NYSE"}, {"user_count"}),
    ({"kind": "listing", "user_count": "99999亿", "listing_venue": "NYSE"}, {"user_count"}),
    ({"title": ""}, {"title"}),
])
def test_create_refuses_bad_input(client: TestClient, provider: Provider, overrides: dict[str, Any],
                                  fields: set[str]) -> None:
    body = assert_problem(client.post("/api/v1/reviews", json=procurement(**overrides), headers=provider.headers),
                          422)
    assert fields <= error_fields(body), body


def test_unknown_or_hidden_cases_are_not_found(client: TestClient, provider: Provider, factory: Factory) -> None:
    case = open_case(client, provider.headers)
    other = make_provider(factory)
    for ref in (case["number"], case["id"]):
        assert_problem(client.get(f"/api/v1/reviews/{ref}", headers=other.headers), 404)
    assert_problem(client.get("/api/v1/reviews/CR-2026-9999", headers=provider.headers), 404)
    assert_problem(client.get("/api/v1/reviews/nonsense", headers=provider.headers), 404)
    assert client.get("/api/v1/reviews", headers=other.headers).json()["total"] == 0
    assert_problem(client.get("/api/v1/reviews"), 401)


# --------------------------------------------------------------------------- dossier and clocks


def test_the_dossier_completes_and_the_clock_runs_across_national_day(client: TestClient,
                                                                      provider: Provider) -> None:
    case = open_case(client, provider.headers)
    first = upload(client, provider.headers, case["number"], "application_form", data=b"draft", name="C:\\x\\f.pdf")
    assert first.status_code == 201, first.text
    doc = first.json()["document"]
    assert (doc["slot"], doc["version"], doc["filename"]) == ("application_form", 1, "f.pdf")
    assert doc["sha256"] == hashlib.sha256(b"draft").hexdigest()
    assert first.json()["completed_dossier"] is False
    second = upload(client, provider.headers, case["number"], "application_form", data=b"final")
    assert second.json()["document"]["version"] == 2

    download = client.get(f"/api/v1/reviews/{case['number']}/documents/{doc['id']}", headers=provider.headers)
    assert download.status_code == 200 and download.content == b"draft"
    assert download.headers["X-Content-SHA256"] == doc["sha256"]
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert_problem(client.get(f"/api/v1/reviews/{case['number']}/documents/not-an-id", headers=provider.headers),
                   404)

    upload(client, provider.headers, case["number"], "impact_report")
    done = upload(client, provider.headers, case["number"], "procurement_documents")
    assert done.json()["completed_dossier"] is True
    after = done.json()["case"]
    assert after["state"] == "determining" and after["dossier"]["completed_on"] == "2025-09-28"
    clock = running(after)
    # 10 working days after the make-up Sunday 2025-09-28: 09-29, 09-30, then 10-09 … 10-17 (10-11 worked).
    assert (clock["rule_id"], clock["started_on"], clock["due_on"]) == ("REV-DETERMINE", "2025-09-28", "2025-10-17")
    assert (clock["provisional"], clock["unconfirmed_years"], clock["paused"]) == (False, [], False)
    assert clock["remaining_working_days"] == 0 and clock["overdue"] is True  # today is 2026-11-25

    noticed = move(client, provider.headers, after["number"], "notice_review", "2025-09-28")
    assert noticed.status_code == 200, noticed.text
    initial = running(noticed.json())
    # The ex officio example of the domain tests: 30 working days from 2025-09-28 across National Day.
    assert (initial["rule_id"], initial["due_on"]) == ("REV-INITIAL", "2025-11-14")
    stopped = next(c for c in noticed.json()["clocks"] if not c["running"])
    assert (stopped["rule_id"], stopped["stopped_on"], stopped["met"]) == ("REV-DETERMINE", "2025-09-28", True)


def test_upload_problems(client: TestClient, provider: Provider, monkeypatch: pytest.MonkeyPatch) -> None:
    case = open_case(client, provider.headers)
    number = case["number"]
    assert "slot" in error_fields(assert_problem(upload(client, provider.headers, number, "listing_documents"), 422))
    assert "data" in error_fields(assert_problem(upload(client, provider.headers, number, "application_form",
                                                        data=b""), 422))
    assert "filed_on" in error_fields(assert_problem(upload(client, provider.headers, number, "application_form",
                                                            filed_on="2025-08-01"), 422))
    missing = client.post(f"/api/v1/reviews/{number}/documents", headers=provider.headers, data={"slot": "other"})
    assert_problem(missing, 422)
    monkeypatch.setattr(reviews_api, "MAX_DOCUMENT_BYTES", 1000)
    too_big = assert_problem(upload(client, provider.headers, number, "application_form", data=b"x" * 1001), 413)
    assert "1000" in too_big["detail"]
    assert upload(client, provider.headers, number, "application_form", data=b"x" * 1000).status_code == 201


def test_transitions_extensions_conclusions_and_their_refusals(client: TestClient, provider: Provider,
                                                               manager: dict[str, str]) -> None:
    number = determining(client, provider.headers)["number"]
    assert_problem(move(client, provider.headers, number, "begin_initial_review", "2025-10-10"), 409)
    assert_problem(move(client, provider.headers, number, "complete_dossier", "2025-10-10"), 409)
    assert_problem(move(client, provider.headers, number, "teleport", "2025-10-10"), 422)
    assert "on" in error_fields(assert_problem(move(client, provider.headers, number, "notice_review",
                                                    "2025-09-01"), 422))
    assert "on" in error_fields(assert_problem(move(client, provider.headers, number, "notice_review",
                                                    "2026-12-01"), 422))
    assert move(client, provider.headers, number, "notice_review", "2025-10-10").status_code == 200
    assert move(client, provider.headers, number, "begin_initial_review", "2025-10-13").status_code == 200
    extended = move(client, provider.headers, number, "extend_initial_review", "2025-10-20")
    assert extended.status_code == 200, extended.text
    clock = running(extended.json())
    assert (clock["extensions"], clock["extension_working_days"], clock["working_days"]) == (1, 15, 45)
    assert_problem(move(client, provider.headers, number, "extend_initial_review", "2025-10-21"), 409)
    assert move(client, provider.headers, number, "send_to_members", "2025-11-20").status_code == 200
    # Only a manager concludes.
    assert_problem(move(client, provider.headers, number, "conclude_passed", "2025-12-01"), 403)
    concluded = move(client, manager, number, "conclude_passed", "2025-12-01")
    assert concluded.status_code == 200, concluded.text
    body = concluded.json()
    assert (body["state"], body["conclusion"], body["open"]) == ("concluded", "passed", False)
    assert all(not c["running"] for c in body["clocks"])
    assert_problem(client.patch(f"/api/v1/reviews/{number}", headers=provider.headers, json={"title": "x"}), 409)
    stale = client.post(f"/api/v1/reviews/{number}/transitions", headers=manager,
                        json={"transition": "conclude_passed", "version": 1})
    assert_problem(stale, 409)


def test_a_pause_stops_the_clock_and_moves_the_due_date(client: TestClient, provider: Provider) -> None:
    number = determining(client, provider.headers)["number"]
    path = f"/api/v1/reviews/{number}/pauses"
    opened = client.post(path, headers=provider.headers, json={"started_on": "2025-10-13", "reason": "network map"})
    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert body["due_after"] is None and "stands still" in body["explanation_en"] and body["explanation_zh"]
    clock = running(body["case"])
    assert (clock["paused"], clock["paused_since"], clock["remaining_working_days"]) == (True, "2025-10-13", None)
    assert body["case"]["pauses"][0]["open"] is True
    # A transition waits for the pause to end; a second pause cannot open.
    assert_problem(move(client, provider.headers, number, "notice_review", "2025-10-20"), 409)
    assert_problem(client.post(path, headers=provider.headers,
                               json={"started_on": "2025-10-14", "reason": "more"}), 409)
    assert "ended_on" in error_fields(assert_problem(client.post(
        f"{path}/end", headers=provider.headers, json={"ended_on": "2025-10-10"}), 422))

    ended = client.post(f"{path}/end", headers=provider.headers, json={"ended_on": "2025-10-17"})
    assert ended.status_code == 200, ended.text
    body = ended.json()
    # 10-13..10-17 are five working days: the due date moves from 10-17 to 10-24.
    assert (body["working_days"], body["due_before"], body["due_after"]) == (5, "2025-10-17", "2025-10-24")
    assert running(body["case"])["paused_working_days"] == 5
    assert_problem(client.post(f"{path}/end", headers=provider.headers, json={"ended_on": "2025-10-18"}), 409)
    # A pause on a weekend covers no working day; one overlapping the first is refused.
    weekend = client.post(path, headers=provider.headers,
                          json={"started_on": "2025-10-18", "ended_on": "2025-10-19", "reason": "weekend"})
    assert weekend.status_code == 201 and weekend.json()["working_days"] == 0
    assert_problem(client.post(path, headers=provider.headers,
                               json={"started_on": "2025-10-15", "ended_on": "2025-10-20", "reason": "x"}), 409)
    assert "reason" in error_fields(assert_problem(client.post(
        path, headers=provider.headers, json={"started_on": "2025-10-21", "reason": " "}), 422))


def test_a_clock_running_into_2027_is_provisional(client: TestClient, provider: Provider) -> None:
    case = open_case(client, provider.headers, kind="ex_officio", filed_on="2026-11-20", product_category="",
                     product_name="")
    clock = running(case)
    assert (clock["rule_id"], clock["due_on"]) == ("REV-INITIAL", "2027-01-01")
    assert (clock["provisional"], clock["unconfirmed_years"]) == (True, [2027])
    assert clock["remaining_working_days"] > 0 and clock["overdue"] is False
    paused = client.post(f"/api/v1/reviews/{case['number']}/pauses", headers=provider.headers,
                         json={"started_on": "2026-11-24", "ended_on": "2026-11-24", "reason": "one day"})
    assert paused.status_code == 201, paused.text
    assert paused.json()["provisional"] is True and paused.json()["due_after"] == "2027-01-04"
    assert "provisional" in paused.json()["explanation_en"]


# --------------------------------------------------------------------------- assessment, report, after the review


def test_factors_and_the_impact_report(client: TestClient, provider: Provider) -> None:
    number = open_case(client, provider.headers)["number"]
    factors = client.get(f"/api/v1/reviews/{number}/factors", headers=provider.headers).json()
    assert [f["id"] for f in factors] == ["RF-1", "RF-2", "RF-3", "RF-4", "RF-5", "RF-7"]
    assert all(f["rating"] == "unrated" for f in factors)
    path = f"/api/v1/reviews/{number}/factors/RF-1"
    assert client.get(path, headers=provider.headers).json()["rating"] == "unrated"
    rated = client.put(path, headers=provider.headers, json={"rating": "high", "evidence": "single supplier"})
    assert rated.status_code == 200, rated.text
    assert (rated.json()["rating"], rated.json()["evidence"]) == ("high", "single supplier")
    assert "evidence" in error_fields(assert_problem(client.put(path, headers=provider.headers,
                                                                json={"rating": "low"}), 422))
    assert "rating" in error_fields(assert_problem(client.put(path, headers=provider.headers,
                                                              json={"rating": "dire", "evidence": "x"}), 422))
    assert_problem(client.get(f"/api/v1/reviews/{number}/factors/RF-6", headers=provider.headers), 404)
    assert "factor_id" in error_fields(assert_problem(client.put(
        f"/api/v1/reviews/{number}/factors/RF-6", headers=provider.headers,
        json={"rating": "low", "evidence": "x"}), 422))

    report = client.get(f"/api/v1/reviews/{number}/impact-report", headers=provider.headers)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["schema"] == "wangan.review-impact-report/1" and body["case_number"] == number
    assert (body["complete"], body["overall_rating"]) == (False, "high")
    assert body["unrated"] == ["RF-2", "RF-3", "RF-4", "RF-5", "RF-7"]
    assert [s["id"] for s in body["sections"]] == ["basics", "method", "factors", "conclusion"]
    assert body["title"]["zh"] and body["title"]["en"]
    html = client.get(f"/api/v1/reviews/{number}/impact-report?format=html&lang=en", headers=provider.headers)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Draft: these risk factors are not assessed yet: RF-2" in html.text
    assert f"{number}-impact-report-en.html" in html.headers["content-disposition"]
    pdf = client.get(f"/api/v1/reviews/{number}/impact-report?format=pdf", headers=provider.headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert has_cjk_font(pdf.content), embedded_fonts(pdf.content)
    assert "format" in error_fields(assert_problem(client.get(
        f"/api/v1/reviews/{number}/impact-report?format=docx", headers=provider.headers), 422))
    assert "lang" in error_fields(assert_problem(client.get(
        f"/api/v1/reviews/{number}/impact-report?format=pdf&lang=fr", headers=provider.headers), 422))


def test_commitments_and_supervision(client: TestClient, provider: Provider, rt: Runtime) -> None:
    number = open_case(client, provider.headers)["number"]
    path = f"/api/v1/reviews/{number}/commitments"
    made = client.post(path, headers=provider.headers, json={
        "clause_id": "SC-NO-DATA", "committed": True, "evidence": "contract §12", "committed_on": "2025-09-15"})
    assert made.status_code == 201, made.text
    assert (made.json()["supplier"], made.json()["committed"]) == ("Example Cloud Co.", True)
    assert "committed_on" in error_fields(assert_problem(client.post(path, headers=provider.headers, json={
        "clause_id": "SC-NO-CONTROL", "committed": True, "evidence": "x"}), 422))
    assert "clause_id" in error_fields(assert_problem(client.post(path, headers=provider.headers, json={
        "clause_id": "SC-NOPE", "committed": False}), 422))
    (checklist,) = client.get(path, headers=provider.headers).json()
    assert checklist["supplier"] == "Example Cloud Co." and checklist["complete"] is False
    assert "SC-NO-DATA" not in checklist["missing"] and "SC-NO-CONTROL" in checklist["missing"]

    items = f"/api/v1/reviews/{number}/supervision"
    item = client.post(items, headers=provider.headers,
                       json={"title": "Check the data-export logs", "working_days": 3, "from_on": "2026-11-24"})
    assert item.status_code == 201, item.text
    body = item.json()
    assert (body["due_on"], body["provisional"], body["remaining_working_days"]) == ("2026-11-27", False, 2)
    later = client.post(items, headers=provider.headers,
                        json={"title": "Yearly audit", "working_days": 30, "from_on": "2026-11-24"}).json()
    assert (later["provisional"], later["unconfirmed_years"]) == (True, [2027])
    assert "due_on" in error_fields(assert_problem(client.post(items, headers=provider.headers,
                                                               json={"title": "x"}), 422))
    # The worker's review check queues reminders for the item due in 2 working days.
    summary = check_review_deadlines_once(rt)
    assert summary.items_due == 1 and summary.queued >= 1
    with rt.sessions() as s:
        keys = [m.dedupe_key for m in s.execute(select(OutboxMessage)).scalars()]
    assert any(k and k.startswith("review:supervision:") for k in keys)
    assert check_review_deadlines_once(rt).queued == 0

    done = client.post(f"{items}/{body['id']}/complete", headers=provider.headers,
                       json={"done_on": "2026-11-25", "outcome": "clean"})
    assert done.status_code == 200, done.text
    assert (done.json()["done"], done.json()["remaining_working_days"]) == (True, None)
    assert_problem(client.post(f"{items}/{body['id']}/complete", headers=provider.headers,
                               json={"done_on": "2026-11-25", "outcome": "again"}), 409)
    assert_problem(client.post(f"{items}/not-an-id/complete", headers=provider.headers,
                               json={"done_on": "2026-11-25", "outcome": "x"}), 404)
    listed = client.get(items, headers=provider.headers).json()
    assert [i["title"] for i in listed] == ["Yearly audit", "Check the data-export logs"]


def test_the_worker_queues_review_clock_reminders(client: TestClient, provider: Provider, rt: Runtime) -> None:
    case = open_case(client, provider.headers, kind="ex_officio", filed_on="2026-10-14", product_category="",
                     product_name="")
    clock = running(case)
    assert clock["remaining_working_days"] <= 5
    summary = check_review_deadlines_once(rt)
    assert summary.clocks_due == 1 and summary.reminders_queued >= 1
    with rt.sessions() as s:
        messages = list(s.execute(select(OutboxMessage)).scalars())
    assert any(m.dedupe_key and m.dedupe_key.startswith("review:clock:") for m in messages)
    assert all(case["title"] not in str(m.payload) for m in messages if m.channel == "webhook")
