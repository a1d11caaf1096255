"""``POST /api/v1/gate/decisions``: the gate explains itself without anything leaving."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Factory
from tests.functional.api.conftest import assert_problem, bearer

URL = "/api/v1/gate/decisions"
FACTS: dict[str, Any] = {"title": "Router flaw", "text": "details", "computed_severity": "High",
                         "fix_available": True, "fix_or_mitigation": "upgrade", "in_operator_system": False}


def _who(factory: Factory) -> dict[str, str]:
    return bearer(factory.token(factory.user(factory.org("psirt"), "analyst")))


def test_undisclosed_content_to_an_overseas_party_is_denied_by_pub7(client: TestClient, factory: Factory) -> None:
    resp = client.post(URL, headers=_who(factory), json={
        "channel": "email", "content": FACTS, "recipient": {"label": "Lab abroad", "jurisdiction": "overseas"}})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["outcome"] == "deny" and body["rule_ids"] == ["PUB-7"]
    pub7 = next(r for r in body["results"] if r["rule_id"] == "PUB-7")
    assert pub7["reason_zh"] and pub7["reason_en"]


def test_the_overseas_product_provider_may_receive_it(client: TestClient, factory: Factory) -> None:
    resp = client.post(URL, headers=_who(factory), json={
        "channel": "email", "content": FACTS,
        "recipient": {"label": "Vendor HQ", "jurisdiction": "overseas", "is_product_provider": True}})
    assert resp.json()["outcome"] == "allow", resp.text


def test_publication_without_fix_names_pub1_and_what_is_missing(client: TestClient, factory: Factory) -> None:
    resp = client.post(URL, headers=_who(factory), json={
        "channel": "portal", "content": dict(FACTS, fix_available=False, fix_or_mitigation="")})
    body = resp.json()
    assert {"PUB-1", "PUB-5"} <= set(body["rule_ids"])


def test_bad_requests_are_specific_4xx(client: TestClient, factory: Factory) -> None:
    who = _who(factory)
    assert_problem(client.post(URL, headers=who, json={"channel": "pigeon", "content": FACTS}), 422)
    assert_problem(client.post(URL, headers=who, json={"channel": "portal"}), 422)
    assert_problem(client.post(URL, json={"channel": "portal", "content": FACTS}), 401)
    assert_problem(client.post(URL, headers=who, json={"channel": "portal", "advisory": "WA-SA-2026-9999"}), 404)


def test_a_cert_abroad_is_held_for_legal_signoff_then_allowed(client: TestClient, factory: Factory) -> None:
    who = _who(factory)
    cert = {"label": "CERT abroad", "jurisdiction": "overseas", "is_cert": True}
    held = client.post(URL, headers=who, json={"channel": "email", "content": FACTS, "recipient": cert}).json()
    assert held["outcome"] == "hold" and held["rule_ids"] == ["PUB-7"]
    signed = client.post(URL, headers=who, json={"channel": "email", "content": FACTS,
                                                 "recipient": dict(cert, legal_signoff="LEGAL-7")}).json()
    assert signed["outcome"] == "allow"
