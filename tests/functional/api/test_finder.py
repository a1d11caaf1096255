"""The finder side over HTTP: a researcher follows their case, talks to the provider, and asks to be
credited; the provider answers, and accepting sets advisory credits without publishing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Factory
from tests.functional.api.conftest import assert_problem, bearer, error_fields, report_json


@dataclass
class Parties:
    finder: dict[str, str]
    analyst: dict[str, str]
    manager: dict[str, str]
    case: str


@pytest.fixture
def parties(client: TestClient, factory: Factory) -> Parties:
    org = factory.org("vendor-psirt", roles=("provider",))
    finder = bearer(factory.token(factory.user(factory.org("lab", roles=("finder",)), "reporter")))
    analyst = bearer(factory.token(factory.user(org, "analyst")))
    manager = bearer(factory.token(factory.user(org, "manager")))
    report = client.post("/api/v1/reports", headers=finder, json=report_json(organisation="vendor-psirt"))
    assert report.status_code == 201, report.text
    case = client.post("/api/v1/cases", headers=analyst, json={
        "title": "SQLi in login (internal)", "report_id": report.json()["id"]})
    assert case.status_code == 201, case.text
    edited = client.patch(f"/api/v1/cases/{case.json()['number']}", headers=analyst,
                          json={"fix_description": "Upgrade to 2.3.5", "impact_scope": "every X1 router"})
    assert edited.status_code == 200, edited.text
    return Parties(finder=finder, analyst=analyst, manager=manager, case=case.json()["number"])


def _get(client: TestClient, url: str, headers: dict[str, str]) -> Any:
    resp = client.get(url, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_finder_follows_the_case_and_talks_to_the_provider(client: TestClient, parties: Parties) -> None:
    listed = _get(client, "/api/v1/finder/cases", parties.finder)
    assert [c["number"] for c in listed["items"]] == [parties.case] and listed["total"] == 1
    shown = listed["items"][0]
    assert shown["view"] == "finder" and shown["state"] == "new"
    assert shown["report_title"] == "SQL injection in login form"
    assert (shown["fix_available"], shown["fix_description"], shown["nvdb_submitted"]) == (False, "", False)
    assert "impact_scope" not in shown and "internal" not in str(shown)

    sent = client.post(f"/api/v1/cases/{parties.case}/messages", headers=parties.analyst,
                       json={"body": "Thank you, we are verifying."})
    assert sent.status_code == 201 and sent.json()["from_provider"] is True
    reply = client.post(f"/api/v1/cases/{parties.case}/messages", headers=parties.finder,
                        json={"body": "Happy to help."})
    assert reply.status_code == 201 and reply.json()["from_provider"] is False

    detail = _get(client, f"/api/v1/finder/cases/{parties.case}", parties.finder)
    assert [(m["from_provider"], m["body"]) for m in detail["messages"]] == [
        (True, "Thank you, we are verifying."), (False, "Happy to help.")]
    assert _get(client, f"/api/v1/cases/{parties.case}/messages", parties.analyst) == detail["messages"]
    timeline = _get(client, f"/api/v1/cases/{parties.case}/timeline", parties.analyst)
    assert sum(e["tag"] == "vulns:case:finder-message-posted" for e in timeline) == 2


def test_accepting_credits_the_finder_on_the_advisory(client: TestClient, parties: Parties) -> None:
    adv = client.post("/api/v1/advisories", headers=parties.analyst, json={"case": parties.case})
    assert adv.status_code == 201, adv.text
    asked = client.post(f"/api/v1/finder/cases/{parties.case}/publication-requests", headers=parties.finder,
                        json={"credit_name": "Li Lei of Example Lab", "note": "after the fix, please"})
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "open"
    again = client.post(f"/api/v1/finder/cases/{parties.case}/publication-requests", headers=parties.finder,
                        json={"credit_name": "x"})
    assert_problem(again, 409)

    listed = _get(client, f"/api/v1/cases/{parties.case}/publication-requests", parties.analyst)
    assert [r["id"] for r in listed] == [asked.json()["id"]]
    url = f"/api/v1/cases/{parties.case}/publication-requests/{asked.json()['id']}/decision"
    assert_problem(client.post(url, headers=parties.analyst, json={"decision": "accept"}), 403)
    decided = client.post(url, headers=parties.manager, json={"decision": "accept", "note": "thanks"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "accepted"
    assert decided.json()["advisories_updated"] == [adv.json()["number"]]

    advisory = _get(client, f"/api/v1/advisories/{adv.json()['number']}", parties.manager)
    assert advisory["credits"] == "Li Lei of Example Lab"
    assert advisory["state"] == "draft" and advisory["published_at"] is None  # the gate decides publication
    mine = _get(client, f"/api/v1/finder/cases/{parties.case}", parties.finder)
    assert mine["publication_requests"][0]["decision_note"] == "thanks"
    assert mine["advisory_number"] is None


def test_declining_needs_a_note_and_bad_input_is_a_problem(client: TestClient, parties: Parties) -> None:
    asked = client.post(f"/api/v1/finder/cases/{parties.case}/publication-requests", headers=parties.finder,
                        json={}).json()
    url = f"/api/v1/cases/{parties.case}/publication-requests/{asked['id']}/decision"

    assert error_fields(assert_problem(client.post(url, headers=parties.manager, json={"decision": "decline"}),
                                       422)) == {"note"}
    assert_problem(client.post(url, headers=parties.manager, json={"decision": "maybe"}), 422)
    assert error_fields(assert_problem(client.post(f"/api/v1/cases/{parties.case}/messages", headers=parties.finder,
                                                   json={"body": "   "}), 422)) == {"body"}
    assert_problem(client.post(f"/api/v1/cases/{parties.case}/publication-requests/not-an-id/decision",
                               headers=parties.manager, json={"decision": "accept"}), 404)
    declined = client.post(url, headers=parties.manager, json={"decision": "decline", "note": "not yet"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert_problem(client.post(url, headers=parties.manager, json={"decision": "accept"}), 409)


def test_the_fix_is_shown_once_it_is_available(client: TestClient, parties: Parties) -> None:
    from tests.functional.api.conftest import CRITICAL_31, complete_for_nvdb, transition

    case = _get(client, f"/api/v1/cases/{parties.case}", parties.analyst)
    complete_for_nvdb(client, parties.analyst, case)
    client.patch(f"/api/v1/cases/{parties.case}", headers=parties.analyst,
                 json={"verification_result": "reproduced", "cvss31_vector": CRITICAL_31})
    for name in ("start_verification", "confirm"):
        assert transition(client, parties.analyst, case, name).status_code == 200
    submitted = client.post(f"/api/v1/cases/{parties.case}/nvdb-submission", headers=parties.analyst,
                            json={"reference": "NVDB-2026-1", "submitted_at": case["aware_at"]})
    assert submitted.status_code == 200, submitted.text
    client.patch(f"/api/v1/cases/{parties.case}", headers=parties.analyst,
                 json={"fix_available_at": case["aware_at"]})
    for name in ("mark_reported", "start_remediation", "fix_released"):
        assert transition(client, parties.analyst, case, name).status_code == 200, name

    shown = _get(client, f"/api/v1/finder/cases/{parties.case}", parties.finder)
    assert (shown["state"], shown["nvdb_submitted"], shown["fix_available"]) == ("fix_available", True, True)
    assert shown["fix_description"] == "Upgrade to 2.3.5"
    assert "NVDB-2026-1" not in str(shown)
