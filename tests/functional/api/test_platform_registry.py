"""The platform's registration with MIIT over the API (NOT_FILED → FILED → PUBLISHED_BY_MIIT, Art. 10)
and the read log of undisclosed cases for reviewers (``GET /api/v1/platform/read-log``, Art. 11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.api.conftest import assert_problem, bearer, error_fields, new_case, parse_ts
from wangan.kernel.models import AuditEvent, User
from wangan.runtime import Runtime

FILING = {"filing_number": "MIIT-2026-0042", "filed_at": "2026-01-05T10:00:00+08:00"}
LISTING = {"published_at": "2026-02-01T09:30:00+08:00", "reference": "https://www.miit.gov.cn/platforms/2026-02"}
LISTING_URL = "/api/v1/platform/filing/miit-listing"


def _platform_mode(rt: Runtime) -> None:
    rt.settings = rt.settings.model_copy(update={"collection_platform": True})


@pytest.fixture
def admin(factory: Factory) -> dict[str, str]:
    return bearer(factory.token(factory.user(None, "admin")))


def test_registration_runs_from_not_filed_to_filed_to_published_by_miit(
        rt: Runtime, client: TestClient, admin: dict[str, str]) -> None:
    _platform_mode(rt)
    assert client.get("/api/v1/platform", headers=admin).json()["state"] == "NOT_FILED"
    early = assert_problem(client.post(LISTING_URL, json=LISTING, headers=admin), 409)
    assert "filing first" in early["detail"]

    filed = client.post("/api/v1/platform/filing", json=FILING, headers=admin).json()
    assert filed["state"] == "FILED"
    assert (filed["filing"]["miit_published_at"], filed["filing"]["miit_list_reference"]) == (None, "")

    resp = client.post(LISTING_URL, json={**LISTING, "reference": f"  {LISTING['reference']} "}, headers=admin)
    assert resp.status_code == 200, resp.text
    listed = resp.json()
    assert listed["state"] == "PUBLISHED_BY_MIIT" and listed["open_for_intake"] is True
    assert parse_ts(listed["filing"]["miit_published_at"]) == parse_ts(LISTING["published_at"])
    assert listed["filing"]["miit_list_reference"] == LISTING["reference"]
    assert listed["filing"]["filing_number"] == "MIIT-2026-0042"
    assert client.get("/api/v1/platform", headers=admin).json() == listed
    with rt.sessions() as s:
        assert s.execute(select(AuditEvent).where(AuditEvent.tag == "vulns:platform:published-by-miit")).first()


def test_the_listing_is_for_administrators(client: TestClient, admin: dict[str, str], factory: Factory) -> None:
    assert client.post("/api/v1/platform/filing", json=FILING, headers=admin).status_code == 201
    org = factory.org("collector")
    for role in ("manager", "analyst", "viewer"):
        headers = bearer(factory.token(factory.user(org, role)))
        assert_problem(client.post(LISTING_URL, json=LISTING, headers=headers), 403)
    assert_problem(client.post(LISTING_URL, json=LISTING), 401)
    read_only = bearer(factory.token(factory.user(None, "admin"), scopes=["read"]))
    assert_problem(client.post(LISTING_URL, json=LISTING, headers=read_only), 403)
    assert client.get("/api/v1/platform", headers=admin).json()["state"] == "FILED"


def test_listing_input_is_validated_with_field_names(client: TestClient, admin: dict[str, str]) -> None:
    assert client.post("/api/v1/platform/filing", json=FILING, headers=admin).status_code == 201
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({}, {"published_at", "reference"}),
        ({**LISTING, "published_at": "2026-02-01T09:30:00"}, {"published_at"}),  # no time zone
        ({**LISTING, "published_at": "1 Feb"}, {"published_at"}),
        ({**LISTING, "reference": "   "}, {"reference"}),
        ({**LISTING, "reference": "x" * 501}, {"reference"}),
        ({**LISTING, "published_at": "2026-01-01T10:00:00+08:00"}, {"published_at"}),  # before the filing
        ({**LISTING, "published_at": tomorrow}, {"published_at"}),
        ({**LISTING, "note": "x"}, {"note"}),
    ]
    for body, fields in cases:
        problem = assert_problem(client.post(LISTING_URL, json=body, headers=admin), 422)
        assert error_fields(problem) == fields, (body, problem)
    assert client.get("/api/v1/platform", headers=admin).json()["state"] == "FILED"


# --- the read log ---

@dataclass
class Reads:
    """On a platform: two cases of the collector; its analyst read the first (case, timeline) and
    its manager the second (case)."""

    analyst: User
    manager: User
    first: str
    second: str
    headers: dict[str, dict[str, str]]


@pytest.fixture
def reads(rt: Runtime, client: TestClient, factory: Factory) -> Reads:
    org = factory.org("collector")
    analyst, manager = factory.user(org, "analyst"), factory.user(org, "manager")
    headers = {"analyst": bearer(factory.token(analyst)), "manager": bearer(factory.token(manager)),
               "viewer": bearer(factory.token(factory.user(org, "viewer"))),
               "admin": bearer(factory.token(factory.user(None, "admin"))),
               "other_manager": bearer(factory.token(factory.user(factory.org("elsewhere"), "manager")))}
    first = new_case(client, headers["analyst"])["number"]
    second = new_case(client, headers["manager"], title="Second")["number"]
    _platform_mode(rt)
    for path in (f"/api/v1/cases/{first}", f"/api/v1/cases/{first}/timeline"):
        assert client.get(path, headers=headers["analyst"]).status_code == 200
    assert client.get(f"/api/v1/cases/{second}", headers=headers["manager"]).status_code == 200
    return Reads(analyst=analyst, manager=manager, first=first, second=second, headers=headers)


def _log(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    resp = client.get("/api/v1/platform/read-log", params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_the_read_log_lists_every_read_newest_first(client: TestClient, reads: Reads) -> None:
    log = _log(client, reads.headers["admin"])
    assert (log["total"], log["limit"], log["offset"]) == (3, 100, 0)
    assert [(e["case_number"], e["view"], e["reader"]) for e in log["items"]] == [
        (reads.second, "case", reads.manager.email),
        (reads.first, "timeline", reads.analyst.email),
        (reads.first, "case", reads.analyst.email)]
    newest = log["items"][0]
    assert newest["reader_id"] == str(reads.manager.id) and newest["event_id"] > log["items"][1]["event_id"]
    assert parse_ts(newest["at"]) <= datetime.now(UTC)
    # The manager reviews their own organisation's log: the same reads.
    assert _log(client, reads.headers["manager"]) == log


def test_the_read_log_filters(client: TestClient, reads: Reads) -> None:
    admin = reads.headers["admin"]
    assert _log(client, admin, case=reads.first)["total"] == 2
    assert {e["reader"] for e in _log(client, admin, reader=reads.manager.email.upper())["items"]} == {
        reads.manager.email}
    assert _log(client, admin, reader="nobody")["total"] == 0
    hour = timedelta(hours=1)
    assert _log(client, admin, since=(datetime.now(UTC) - hour).isoformat())["total"] == 3
    assert _log(client, admin, since=(datetime.now(UTC) + hour).isoformat())["total"] == 0
    assert _log(client, admin, until=(datetime.now(UTC) - hour).isoformat())["total"] == 0
    assert _log(client, admin, since=(datetime.now(UTC) - hour).astimezone().isoformat(),
                until=(datetime.now(UTC) + hour).isoformat())["total"] == 3
    page = _log(client, admin, limit=1, offset=1)
    assert page["total"] == 3 and [e["view"] for e in page["items"]] == ["timeline"]
    assert _log(client, admin, organisation="collector")["total"] == 3
    assert _log(client, admin, organisation="elsewhere")["total"] == 0
    assert _log(client, reads.headers["manager"], organisation="collector")["total"] == 3


def test_the_read_log_is_for_administrators_and_managers_of_the_organisation(
        client: TestClient, reads: Reads) -> None:
    assert_problem(client.get("/api/v1/platform/read-log"), 401)
    for who in ("analyst", "viewer"):
        assert_problem(client.get("/api/v1/platform/read-log", headers=reads.headers[who]), 403)
    other = reads.headers["other_manager"]
    assert_problem(client.get("/api/v1/platform/read-log", params={"organisation": "collector"}, headers=other), 403)
    mine = _log(client, other)  # their own organisation: nobody read anything there
    assert mine["total"] == 0 and mine["items"] == []
    assert_problem(client.get("/api/v1/platform/read-log", params={"organisation": "elsewhere"},
                              headers=reads.headers["manager"]), 403)


def test_read_log_filter_problems_are_422_with_field_names(client: TestClient, reads: Reads) -> None:
    admin = reads.headers["admin"]
    now = datetime.now(UTC)
    cases: list[tuple[dict[str, Any], set[str], str]] = [
        ({"since": "2026-01-01T10:00:00"}, {"since"}, "time zone"),
        ({"until": "2026-01-01T10:00:00"}, {"until"}, "time zone"),
        ({"since": now.isoformat(), "until": (now - timedelta(days=1)).isoformat()}, {"until"}, "before"),
        ({"since": "yesterday"}, {"since"}, ""),
        ({"limit": 0}, {"limit"}, ""),
        ({"limit": 1001}, {"limit"}, ""),
        ({"offset": -1}, {"offset"}, ""),
        ({"organisation": "no-such-org"}, {"organisation"}, ""),
    ]
    for params, fields, said in cases:
        problem = assert_problem(client.get("/api/v1/platform/read-log", params=params, headers=admin), 422)
        assert error_fields(problem) == fields, (params, problem)
        assert said in " ".join(e["message"] for e in problem["errors"]), (params, problem)
    assert "no case" in assert_problem(client.get("/api/v1/platform/read-log", params={"case": "WA-2026-9999"},
                                                  headers=admin), 422)["detail"]
