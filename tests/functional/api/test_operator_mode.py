"""Operator mode (Art. 8): assets, findings in them with verify/fix due dates, and their actions;
and the provider's product catalogue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.functional.api.conftest import CRITICAL_31, Provider, assert_problem, error_fields, new_product, parse_ts


def asset(client: TestClient, p: Provider, **body: Any) -> dict[str, Any]:
    payload = {"kind": "system", "name": "VPN gateway", "identifier": "vpn-01.example.org", **body}
    resp = client.post("/api/v1/assets", json=payload, headers=p.headers)
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


def finding(client: TestClient, p: Provider, **body: Any) -> dict[str, Any]:
    payload = {"asset_id": asset(client, p)["id"], "title": "CVE-2024-3400 in PAN-OS", **body}
    resp = client.post("/api/v1/findings", json=payload, headers=p.headers)
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


def act(client: TestClient, p: Provider, f: dict[str, Any], action: str, **body: Any) -> Any:
    return client.post(f"/api/v1/findings/{f['id']}/actions", json={"action": action, **body}, headers=p.headers)


def test_finding_starts_verify_and_fix_clocks(client: TestClient, provider: Provider) -> None:
    found = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    f = finding(client, provider, found_at=found.isoformat(), cvss31_vector=CRITICAL_31)

    assert f["state"] == "open"
    assert parse_ts(f["verify_due_at"]) == found + timedelta(days=1)
    assert parse_ts(f["fix_due_at"]) == found + timedelta(days=30)
    assert f["cvss31_score"] == 9.8
    assert f["asset"]["identifier"] == "vpn-01.example.org"


def test_verify_then_fix(client: TestClient, provider: Provider) -> None:
    f = finding(client, provider)

    verified = act(client, provider, f, "verify", version=f["version"]).json()
    fixed = act(client, provider, f, "fix", note="upgraded to 11.1.2-h3").json()

    assert (verified["state"], verified["verified_at"] is not None) == ("verified", True)
    assert (fixed["state"], fixed["fix_note"]) == ("fixed", "upgraded to 11.1.2-h3")
    assert client.get("/api/v1/findings", params={"open": True}, headers=provider.headers).json() == []


def test_fix_needs_a_note(client: TestClient, provider: Provider) -> None:
    assert_problem(act(client, provider, finding(client, provider), "fix"), 422)


def test_illegal_and_unknown_actions(client: TestClient, provider: Provider) -> None:
    f = finding(client, provider)
    act(client, provider, f, "dismiss", note="not exposed")
    assert_problem(act(client, provider, f, "verify"), 409)
    assert_problem(act(client, provider, f, "explode"), 422)


def test_stale_finding_version_is_409(client: TestClient, provider: Provider) -> None:
    f = finding(client, provider)
    act(client, provider, f, "verify")
    assert_problem(act(client, provider, f, "fix", note="done", version=f["version"]), 409)


def test_invalid_finding_fields_are_named(client: TestClient, provider: Provider) -> None:
    a = asset(client, provider)
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    resp = client.post("/api/v1/findings", headers=provider.headers,
                       json={"asset_id": a["id"], "title": " ", "cvss31_vector": "CVSS:3.1/AV:N", "found_at": future})
    assert error_fields(assert_problem(resp, 422)) == {"title", "cvss31_vector", "found_at"}


def test_invalid_asset_fields_and_duplicates(client: TestClient, provider: Provider) -> None:
    bad = client.post("/api/v1/assets", headers=provider.headers, json={"kind": "cloud", "name": "", "identifier": ""})
    assert error_fields(assert_problem(bad, 422)) == {"kind", "name", "identifier"}
    asset(client, provider)
    dup = client.post("/api/v1/assets", headers=provider.headers,
                      json={"kind": "system", "name": "again", "identifier": "vpn-01.example.org"})
    assert_problem(dup, 409)


def test_unknown_finding_is_404(client: TestClient, provider: Provider) -> None:
    assert_problem(client.get("/api/v1/findings/00000000-0000-4000-8000-000000000000", headers=provider.headers), 404)


def test_product_catalogue(client: TestClient, provider: Provider) -> None:
    new_product(client, provider.headers, vendor="Acme", name="Switch S2", model="", versions=[" 1.0 ", ""])
    new_product(client, provider.headers, vendor="Acme", name="Router X1")

    listed = client.get("/api/v1/products", headers=provider.headers).json()
    dup = client.post("/api/v1/products", headers=provider.headers,
                      json={"vendor": "Acme", "name": "Router X1", "model": "X1-Pro"})
    blank = client.post("/api/v1/products", headers=provider.headers, json={"vendor": " ", "name": ""})

    assert [(p["name"], p["versions"]) for p in listed] == [("Router X1", ["2.3.0"]), ("Switch S2", ["1.0"])]
    assert_problem(dup, 409)
    assert error_fields(assert_problem(blank, 422)) == {"vendor", "name"}
