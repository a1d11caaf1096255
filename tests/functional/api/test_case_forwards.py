"""A collection platform forwards each report to the product's provider (Art. 10), through the Art. 9
gate: ``GET|POST /api/v1/cases/{ref}/forwards`` and the case's PLATFORM-FORWARD clock
(``forward_due_at``, ``forwarded_at``, ``forward_overdue`` on the case).

The product's provider is the organisation whose name is the vendor named on the case's product;
PUB-7 lets it receive the undisclosed report even when it is overseas."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.api.conftest import (
    assert_problem,
    bearer,
    count_rows,
    error_fields,
    new_case,
    new_product,
    parse_ts,
)
from wangan.kernel.models import AuditEvent, Organisation, OutboxMessage
from wangan.runtime import Runtime
from wangan.vulns import gate
from wangan.vulns.models import CaseShare, ProviderForward


def _platform_mode(rt: Runtime, **settings: Any) -> None:
    rt.settings = rt.settings.model_copy(update={"collection_platform": True, **settings})


@dataclass
class Collector:
    """The platform's team, the overseas vendor of the product (with a viewer) and an open case."""

    org: Organisation
    vendor: Organisation
    analyst: dict[str, str]
    manager: dict[str, str]
    vendor_viewer: dict[str, str]
    case: dict[str, Any]

    @property
    def url(self) -> str:
        return f"/api/v1/cases/{self.case['number']}/forwards"


def _collector(rt: Runtime, client: TestClient, factory: Factory, *, aware_at: datetime | None = None) -> Collector:
    _platform_mode(rt, instance_name="Test Platform")
    org = factory.org("collector", roles=("platform",))
    vendor = factory.org("acme-global", jurisdiction="overseas")  # named "Org acme-global"
    analyst = bearer(factory.token(factory.user(org, "analyst")))
    manager = bearer(factory.token(factory.user(org, "manager")))
    product = new_product(client, analyst, vendor=vendor.name)
    body: dict[str, Any] = {"product_id": product["id"], "description": "the parser overflows on long names"}
    if aware_at is not None:
        body["aware_at"] = aware_at.isoformat()
    case = new_case(client, analyst, **body)
    return Collector(org=org, vendor=vendor, analyst=analyst, manager=manager,
                     vendor_viewer=bearer(factory.token(factory.user(vendor, "viewer"))), case=case)


@pytest.fixture
def collector(rt: Runtime, client: TestClient, factory: Factory) -> Collector:
    return _collector(rt, client, factory)


def _case(client: TestClient, c: Collector) -> dict[str, Any]:
    resp = client.get(f"/api/v1/cases/{c.case['number']}", headers=c.manager)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _forward(client: TestClient, c: Collector, headers: dict[str, str] | None = None, **body: Any) -> Any:
    return client.post(c.url, json=body, headers=c.analyst if headers is None else headers)


def test_a_case_opened_on_a_collection_platform_has_a_24_hour_forward_clock(
        client: TestClient, collector: Collector) -> None:
    case = collector.case
    assert parse_ts(case["forward_due_at"]) == parse_ts(case["aware_at"]) + timedelta(hours=24)
    assert case["forwarded_at"] is None and case["forward_overdue"] is False


def test_no_forward_clock_outside_platform_mode(client: TestClient, factory: Factory) -> None:
    analyst = bearer(factory.token(factory.user(factory.org("psirt"), "analyst")))
    case = new_case(client, analyst)
    assert (case["forward_due_at"], case["forwarded_at"], case["forward_overdue"]) == (None, None, False)
    assert client.get(f"/api/v1/cases/{case['number']}/forwards", headers=analyst).json() == []


def test_forwarding_by_share_to_the_overseas_vendor_is_allowed_and_meets_the_clock(
        rt: Runtime, client: TestClient, collector: Collector) -> None:
    assert_problem(client.get(f"/api/v1/cases/{collector.case['number']}", headers=collector.vendor_viewer), 404)

    resp = _forward(client, collector, channel="share", organisation="acme-global", reference="VND-7")
    assert resp.status_code == 201, resp.text
    forward = resp.json()
    assert (forward["channel"], forward["recipient"], forward["jurisdiction"]) == ("share", "acme-global", "overseas")
    assert forward["provider_org_id"] == str(collector.vendor.id)
    assert forward["on_time"] is True and forward["reference"] == "VND-7"

    case = _case(client, collector)
    assert parse_ts(case["forwarded_at"]) == parse_ts(forward["forwarded_at"]) and case["forward_overdue"] is False
    assert client.get(f"/api/v1/cases/{collector.case['number']}", headers=collector.vendor_viewer).status_code == 200
    assert [f["id"] for f in client.get(collector.url, headers=collector.manager).json()] == [forward["id"]]
    shares = client.get(f"/api/v1/cases/{collector.case['number']}/shares", headers=collector.analyst).json()
    assert [s["organisation"] for s in shares] == ["acme-global"]
    with rt.sessions() as s:
        decided = s.execute(select(AuditEvent).where(AuditEvent.tag == "vulns:gate:decided")
                             .order_by(AuditEvent.id)).scalars().all()
    # The forward's own decision, then the vendor's read (channel api_read), each allowed.
    assert [(e.data["channel"], e.data["decision"]["allowed"]) for e in decided] == [("share", True),
                                                                                     ("api_read", True)]
    assert decided[0].data["purpose"] == "forward-to-provider"
    tags = {e["tag"] for e in client.get(f"/api/v1/cases/{collector.case['number']}/timeline",
                                         headers=collector.manager).json()}
    assert {"vulns:case:forwarded-to-provider", "vulns:case:shared"} <= tags


def test_a_share_forward_to_an_overseas_organisation_that_is_not_the_vendor_is_refused(
        rt: Runtime, client: TestClient, collector: Collector, factory: Factory) -> None:
    stranger = factory.org("stranger-abroad", jurisdiction="overseas")
    stranger_analyst = bearer(factory.token(factory.user(stranger, "analyst")))

    body = assert_problem(_forward(client, collector, channel="share", organisation="stranger-abroad"), 422)
    assert "not the vendor" in body["detail"]
    assert count_rows(rt, ProviderForward) == 0 and count_rows(rt, CaseShare) == 0
    assert _case(client, collector)["forwarded_at"] is None
    assert_problem(client.get(f"/api/v1/cases/{collector.case['number']}", headers=stranger_analyst), 404)
    # Sharing the same case with it directly is put to the gate, which refuses it (PUB-7, 409).
    shared = client.post(f"/api/v1/cases/{collector.case['number']}/shares", json={"organisation": "stranger-abroad"},
                         headers=collector.analyst)
    assert "PUB-7" in assert_problem(shared, 409)["decision"]["rule_ids"]


def test_a_gate_refusal_is_a_409_naming_every_rule_and_stays_in_the_audit_log(
        rt: Runtime, client: TestClient, collector: Collector, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real gate judges an e-mail recipient that is not taken as the product's provider: an
    overseas address then gets PUB-7's refusal. (The service itself states that an e-mail or
    recorded recipient is the provider, so the gate is made to see it otherwise here.)"""
    real_decide = gate.decide

    def not_the_provider(request: gate.GateRequest, rules: gate.GateRules) -> gate.Decision:
        if request.channel is gate.Channel.EMAIL and request.recipient is not None:
            request = dataclasses.replace(
                request, recipient=dataclasses.replace(request.recipient, is_product_provider=False))
        return real_decide(request, rules)

    monkeypatch.setattr(gate, "decide", not_the_provider)
    resp = _forward(client, collector, channel="email", email="psirt@acme.example", jurisdiction="overseas")

    body = assert_problem(resp, 409)
    assert body["type"].endswith("gate-refused")
    assert body["decision"]["allowed"] is False and body["decision"]["rule_ids"] == ["PUB-7"]
    assert error_fields(body) == {"PUB-7"}
    assert count_rows(rt, ProviderForward) == 0 and count_rows(rt, OutboxMessage) == 0
    assert _case(client, collector)["forwarded_at"] is None
    with rt.sessions() as s:
        decided = s.execute(select(AuditEvent).where(AuditEvent.tag == "vulns:gate:decided")
                             .order_by(AuditEvent.id)).scalars().all()
    assert len(decided) == 1
    assert decided[0].data["purpose"] == "forward-to-provider" and decided[0].data["decision"]["allowed"] is False


def test_an_email_forward_queues_the_report_for_the_providers_contact(
        rt: Runtime, client: TestClient, collector: Collector) -> None:
    resp = _forward(client, collector, channel="email", email="psirt@acme.example", jurisdiction="overseas")
    assert resp.status_code == 201, resp.text
    assert (resp.json()["recipient"], resp.json()["jurisdiction"]) == ("psirt@acme.example", "overseas")
    with rt.sessions() as s:
        queued = s.execute(select(OutboxMessage)).scalars().all()
    assert len(queued) == 1
    message = queued[0]
    assert (message.channel, message.recipient) == ("email", "psirt@acme.example")
    assert message.subject.startswith("[Test Platform]") and collector.case["number"] in message.subject
    assert "the parser overflows on long names" in message.body


def test_an_email_forward_with_an_unknown_jurisdiction_is_kept_as_unknown(
        client: TestClient, collector: Collector) -> None:
    resp = _forward(client, collector, channel="email", email="psirt@acme.example")
    assert resp.status_code == 201, resp.text
    assert resp.json()["jurisdiction"] == "unknown"


def test_a_late_recorded_forward_is_marked_late_and_later_ones_are_history(
        rt: Runtime, client: TestClient, factory: Factory) -> None:
    aware = datetime.now(UTC) - timedelta(hours=30)
    c = _collector(rt, client, factory, aware_at=aware)
    case = _case(client, c)
    assert case["forward_overdue"] is True and parse_ts(case["forward_due_at"]) < datetime.now(UTC)

    sent = datetime.now(UTC) - timedelta(hours=1)
    first = _forward(client, c, channel="recorded", recipient="vendor portal ticket", jurisdiction="domestic",
                     forwarded_at=sent.isoformat(), note="filed through their web form")
    assert first.status_code == 201, first.text
    assert first.json()["on_time"] is False and parse_ts(first.json()["forwarded_at"]) == sent
    second = _forward(client, c, channel="email", email="psirt@acme.example", jurisdiction="overseas")
    assert second.status_code == 201 and second.json()["on_time"] is None

    case = _case(client, c)
    assert parse_ts(case["forwarded_at"]) == sent and case["forward_overdue"] is False
    listed = client.get(c.url, headers=c.analyst).json()
    assert [f["channel"] for f in listed] == ["recorded", "email"]


def test_forward_input_problems_are_422_with_field_names(rt: Runtime, client: TestClient,
                                                          collector: Collector) -> None:
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"channel": "fax"}, {"channel"}),
        ({}, {"channel"}),
        ({"channel": "share"}, {"organisation"}),
        ({"channel": "email", "email": "not an address"}, {"email"}),
        ({"channel": "email", "email": "a@b.example", "jurisdiction": "mars"}, {"jurisdiction"}),
        ({"channel": "recorded"}, {"recipient", "forwarded_at"}),
        ({"channel": "recorded", "recipient": "x", "forwarded_at": "2026-01-05T10:00:00"}, {"forwarded_at"}),
        ({"channel": "recorded", "recipient": "x", "forwarded_at": future}, {"forwarded_at"}),
        ({"channel": "email", "email": "a@b.example", "colour": "red"}, {"colour"}),
        ({"channel": "email", "email": "a@b.example", "reference": "r" * 201}, {"reference"}),
    ]
    for body, fields in cases:
        problem = assert_problem(client.post(collector.url, json=body, headers=collector.analyst), 422)
        assert error_fields(problem) == fields, (body, problem)
    assert "no organisation" in assert_problem(_forward(client, collector, channel="share",
                                                        organisation="nowhere"), 422)["detail"]
    assert count_rows(rt, ProviderForward) == 0


def test_a_case_without_a_product_cannot_be_forwarded(client: TestClient, collector: Collector) -> None:
    bare = new_case(client, collector.analyst)
    resp = client.post(f"/api/v1/cases/{bare['number']}/forwards", json={"channel": "email", "email": "a@b.example"},
                       headers=collector.analyst)
    assert "names no product" in assert_problem(resp, 422)["detail"]


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 401), ("viewer", 403), ("vendor_viewer", 403), ("vendor_analyst", 403), ("other_org", 404),
    ("non_member", 404), ("manager", 201), ("admin", 201),
])
def test_who_may_forward(client: TestClient, collector: Collector, factory: Factory, who: str, status: int) -> None:
    # The vendor's organisation reads the case once it is shared with it, and never writes it.
    assert client.post(f"/api/v1/cases/{collector.case['number']}/shares", json={"organisation": "acme-global"},
                       headers=collector.analyst).status_code == 201
    viewer = factory.user(collector.org, "viewer")
    assert client.post(f"/api/v1/cases/{collector.case['number']}/members", json={"email": viewer.email},
                       headers=collector.manager).status_code == 201
    headers = {
        "anonymous": {},
        "viewer": bearer(factory.token(viewer)),
        "vendor_viewer": collector.vendor_viewer,
        "vendor_analyst": bearer(factory.token(factory.user(collector.vendor, "analyst"))),
        "other_org": bearer(factory.token(factory.user(factory.org("other-cn"), "manager"))),
        "non_member": bearer(factory.token(factory.user(collector.org, "analyst"))),
        "manager": collector.manager,
        "admin": bearer(factory.token(factory.user(None, "admin"))),
    }[who]
    resp = _forward(client, collector, headers, channel="email", email="psirt@acme.example", jurisdiction="overseas")
    if status == 201:
        assert resp.status_code == 201, resp.text
    else:
        assert_problem(resp, status)
    if who in ("anonymous", "other_org", "non_member", "vendor_viewer"):
        assert_problem(client.get(collector.url, headers=headers), 401 if who == "anonymous" else 404)
    elif who == "viewer":
        assert client.get(collector.url, headers=headers).status_code == 200
