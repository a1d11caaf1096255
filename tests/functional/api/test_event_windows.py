"""The PUB-6 major-event calendar over the API: admins manage it, everyone signed in reads it,
times without a zone are Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.conftest import Factory
from tests.functional.api.conftest import assert_problem, bearer, parse_ts

URL = "/api/v1/event-windows"
NATIONAL_DAY = {"name": "国庆 National Day", "starts_at": "2026-10-01T00:00", "ends_at": "2026-10-08T00:00"}


def test_admin_creates_a_window_read_as_beijing_time(client: TestClient, factory: Factory) -> None:
    admin = bearer(factory.token(factory.user(None, "admin")))
    resp = client.post(URL, json=NATIONAL_DAY, headers=admin)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert parse_ts(body["starts_at"]) == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
    assert body["scope"] == ["all"]
    consent = client.post(f"{URL}/{body['id']}/consent",
                          json={"reference": "公网安〔2026〕1号", "consent_date": "2026-09-28T10:00"}, headers=admin)
    assert consent.status_code == 200, consent.text
    assert consent.json()["consent_reference"] == "公网安〔2026〕1号"


def test_a_time_with_another_zone_is_converted_not_reinterpreted(client: TestClient, factory: Factory) -> None:
    admin = bearer(factory.token(factory.user(None, "admin")))
    body = dict(NATIONAL_DAY, starts_at="2026-12-31T16:00:00+00:00", ends_at="2027-01-02T00:00:00+08:00")
    resp = client.post(URL, json=body, headers=admin)
    assert resp.status_code == 201, resp.text
    assert parse_ts(resp.json()["starts_at"]) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def test_bad_windows_are_422_naming_the_field(client: TestClient, factory: Factory) -> None:
    admin = bearer(factory.token(factory.user(None, "admin")))
    backwards = dict(NATIONAL_DAY, ends_at="2026-09-01T00:00")
    problem = assert_problem(client.post(URL, json=backwards, headers=admin), 422)
    assert {e["field"] for e in problem["errors"]} == {"ends_at"}
    problem = assert_problem(client.post(URL, json=dict(NATIONAL_DAY, scope=["webhook"]), headers=admin), 422)
    assert "scope" in {e["field"] for e in problem["errors"]}


def test_only_admins_manage_and_only_signed_in_users_read(client: TestClient, factory: Factory) -> None:
    org = factory.org("psirt")
    manager = bearer(factory.token(factory.user(org, "manager")))
    assert_problem(client.post(URL, json=NATIONAL_DAY, headers=manager), 403)
    assert_problem(client.get(URL), 401)
    assert client.get(URL, headers=manager).status_code == 200
