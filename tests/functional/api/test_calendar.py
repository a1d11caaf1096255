"""``/api/v1/calendar``: working-day arithmetic for anyone, overrides and confirmations for admins,
and RFC 9457 problems for every kind of bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.api.conftest import Provider, assert_problem, bearer, error_fields
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime

NOTICE = "国办发明电〔2026〕X号"


@pytest.fixture
def admin(factory: Factory) -> dict[str, str]:
    return bearer(factory.token(factory.user(None, "admin")))


def test_add_and_between_need_no_account(client: TestClient) -> None:
    added = client.get("/api/v1/calendar/add", params={"date": "2025-01-24", "n": 1})
    assert added.status_code == 200, added.text
    assert added.json() == {"start": "2025-01-24", "n": 1, "date": "2025-01-26", "provisional": False,
                            "unconfirmed_years": []}
    counted = client.get("/api/v1/calendar/between", params={"start": "2025-01-24", "end": "2025-02-10"})
    assert counted.json() == {"start": "2025-01-24", "end": "2025-02-10", "working_days": 7, "provisional": False,
                              "unconfirmed_years": []}
    backwards = client.get("/api/v1/calendar/between", params={"start": "2025-02-10", "end": "2025-01-24"})
    assert backwards.json()["working_days"] == -7


def test_2027_is_provisional_until_confirmed(client: TestClient, admin: dict[str, str]) -> None:
    before = client.get("/api/v1/calendar/add", params={"date": "2026-12-30", "n": 3}).json()
    assert (before["date"], before["provisional"], before["unconfirmed_years"]) == ("2027-01-04", True, [2027])
    years = {y["year"]: y for y in client.get("/api/v1/calendar/years", params={"since": 2026}).json()}
    assert years[2027] == {"year": 2027, "source": "provisional", "provisional": True, "overrides": 0,
                           "confirmation": None}
    assert years[2026]["source"] == "library"

    created = client.post("/api/v1/calendar/overrides", headers=admin, json={
        "date": "2027-01-01", "kind": "holiday", "name": "元旦 New Year's Day"})
    assert created.status_code == 201, created.text
    assert created.json()["date"] == "2027-01-01" and created.json()["kind"] == "holiday"
    confirmed = client.post("/api/v1/calendar/years/2027/confirm", headers=admin, json={"source": NOTICE})
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert (body["source"], body["provisional"], body["overrides"]) == ("admin", False, 1)
    assert body["confirmation"]["source_reference"] == NOTICE

    after = client.get("/api/v1/calendar/add", params={"date": "2026-12-30", "n": 3}).json()
    assert (after["date"], after["provisional"], after["unconfirmed_years"]) == ("2027-01-05", False, [])
    assert client.get("/api/v1/calendar/years", params={"since": 2027}).json()[0]["source"] == "admin"


def test_overrides_are_listed_and_removed(client: TestClient, admin: dict[str, str], provider: Provider) -> None:
    assert client.post("/api/v1/calendar/overrides", headers=admin, json={
        "date": "2025-01-26", "kind": "holiday", "name": "correction", "note": "test"}).status_code == 201
    assert client.get("/api/v1/calendar/add", params={"date": "2025-01-24", "n": 1}).json()["date"] == "2025-01-27"
    listed = client.get("/api/v1/calendar/overrides", headers=provider.headers, params={"year": 2025})
    assert [(o["date"], o["kind"], o["name"], o["note"]) for o in listed.json()] == [
        ("2025-01-26", "holiday", "correction", "test")]
    assert client.get("/api/v1/calendar/overrides", headers=provider.headers, params={"year": 2026}).json() == []
    assert client.delete("/api/v1/calendar/overrides/2025-01-26", headers=admin).status_code == 204
    assert client.get("/api/v1/calendar/add", params={"date": "2025-01-24", "n": 1}).json()["date"] == "2025-01-26"
    assert_problem(client.delete("/api/v1/calendar/overrides/2025-01-26", headers=admin), 404)


@pytest.mark.parametrize(("path", "params", "fields"), [
    ("add", {"date": "2025/01/24", "n": 1}, {"date"}),
    ("add", {"date": "2025-02-30", "n": 1}, {"date"}),
    ("add", {"date": "2003-12-31", "n": 1}, {"date"}),
    ("add", {"date": "2025-01-24", "n": -1}, {"n"}),
    ("add", {"date": "2025-01-24", "n": "two"}, {"n"}),
    ("add", {"date": "2025-01-24"}, {"n"}),
    ("add", {"date": "2099-12-01", "n": 100}, {"n"}),
    ("between", {"start": "2003-01-01", "end": "2025-01-01"}, {"start"}),
    ("between", {"start": "2025-01-01", "end": "soon"}, {"end"}),
    ("years", {"since": 1999}, {"since"}),
])
def test_bad_input_is_a_problem(client: TestClient, path: str, params: dict[str, object],
                                fields: set[str]) -> None:
    body = assert_problem(client.get(f"/api/v1/calendar/{path}", params=params), 422)
    assert error_fields(body) == fields, body


def test_bad_writes_are_problems(client: TestClient, admin: dict[str, str]) -> None:
    bad = assert_problem(client.post("/api/v1/calendar/overrides", headers=admin, json={
        "date": "2027-01-01", "kind": "weekend", "name": ""}), 422)
    assert error_fields(bad) == {"kind", "name"}
    early = assert_problem(client.post("/api/v1/calendar/overrides", headers=admin, json={
        "date": "2003-05-01", "kind": "holiday", "name": "劳动节"}), 422)
    assert "2004-01-01" in early["errors"][0]["message"]
    assert_problem(client.post("/api/v1/calendar/overrides", headers=admin, json={
        "date": "2027-01-01", "kind": "holiday", "name": "元旦", "extra": 1}), 422)
    assert_problem(client.delete("/api/v1/calendar/overrides/yesterday", headers=admin), 422)
    empty_year = assert_problem(client.post("/api/v1/calendar/years/2027/confirm", headers=admin,
                                            json={"source": NOTICE}), 422)
    assert "no holiday entered" in empty_year["detail"]
    assert_problem(client.post("/api/v1/calendar/years/2026/confirm", headers=admin, json={"source": NOTICE}), 409)
    assert_problem(client.post("/api/v1/calendar/years/2027/confirm", headers=admin, json={"source": ""}), 422)
    ok = {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    assert client.post("/api/v1/calendar/overrides", headers=admin, json=ok).status_code == 201
    assert "remove it first" in assert_problem(
        client.post("/api/v1/calendar/overrides", headers=admin, json=ok), 409)["detail"]


def test_writes_are_audited(client: TestClient, admin: dict[str, str], rt: Runtime) -> None:
    client.post("/api/v1/calendar/overrides", headers=admin, json={"date": "2027-01-01", "kind": "holiday",
                                                                   "name": "元旦"})
    client.post("/api/v1/calendar/years/2027/confirm", headers=admin, json={"source": NOTICE})
    client.delete("/api/v1/calendar/overrides/2027-01-01", headers=admin)  # refused: the last holiday
    with rt.sessions() as s:
        tags = list(s.execute(select(AuditEvent.tag).where(AuditEvent.tag.startswith("kernel:calendar"))
                              .order_by(AuditEvent.id)).scalars())
    assert tags == ["kernel:calendar-override:added", "kernel:calendar-year:confirmed"]
