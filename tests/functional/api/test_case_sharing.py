"""Sharing a case with another organisation, through the Art. 9 gate (channel share, PUB-7).

Members of an organisation the case is actively shared with read it and never write it; an
overseas organisation that does not provide the product is refused and the refusal is audited;
revoking the share makes the case not found again."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.api.conftest import (
    Provider,
    assert_problem,
    bearer,
    count_rows,
    new_case,
    new_product,
    patch_case,
)
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime
from wangan.vulns.models import CaseShare


def _member(factory: Factory, slug: str, *, jurisdiction: str = "domestic", role: str = "analyst") -> str:
    org = factory.org(slug, jurisdiction=jurisdiction)
    return factory.token(factory.user(org, role))


def _share(client: TestClient, provider: Provider, case: dict[str, Any], slug: str) -> Any:
    return client.post(f"/api/v1/cases/{case['number']}/shares", json={"organisation": slug},
                       headers=provider.headers)


def test_shared_with_a_domestic_organisation_its_analyst_reads_but_never_writes(
        client: TestClient, provider: Provider, factory: Factory) -> None:
    case = new_case(client, provider.headers)
    other = _member(factory, "partner-cn")
    assert_problem(client.get(f"/api/v1/cases/{case['id']}", headers=bearer(other)), 404)

    resp = _share(client, provider, case, "partner-cn")
    assert resp.status_code == 201, resp.text
    share = resp.json()
    assert share["organisation"] == "partner-cn" and share["active"] is True

    assert client.get(f"/api/v1/cases/{case['id']}", headers=bearer(other)).status_code == 200
    listed = client.get("/api/v1/cases", headers=bearer(other)).json()
    assert [c["id"] for c in listed["items"]] == [case["id"]]
    assert_problem(client.patch(f"/api/v1/cases/{case['id']}", json={"harm": "x"}, headers=bearer(other)), 403)
    assert_problem(client.post(f"/api/v1/cases/{case['id']}/shares", json={"organisation": "partner-cn"},
                               headers=bearer(other)), 403)

    shares = client.get(f"/api/v1/cases/{case['id']}/shares", headers=provider.headers)
    assert shares.status_code == 200 and [s["id"] for s in shares.json()] == [share["id"]]
    # A third organisation still does not see it.
    third = _member(factory, "bystander")
    assert_problem(client.get(f"/api/v1/cases/{case['id']}", headers=bearer(third)), 404)


def test_overseas_organisation_that_is_not_the_vendor_is_refused_and_the_refusal_audited(
        client: TestClient, rt: Runtime, provider: Provider, factory: Factory) -> None:
    case = new_case(client, provider.headers)
    other = _member(factory, "overseas-lab", jurisdiction="overseas")

    body = assert_problem(_share(client, provider, case, "overseas-lab"), 409)
    assert "PUB-7" in {e["field"] for e in body["errors"]}
    assert "PUB-7" in body["decision"]["rule_ids"]
    assert count_rows(rt, CaseShare) == 0
    assert_problem(client.get(f"/api/v1/cases/{case['id']}", headers=bearer(other)), 404)
    with rt.sessions() as s:
        decided = s.execute(select(AuditEvent).where(AuditEvent.tag == "vulns:gate:decided",
                                                     AuditEvent.subject_type == "case",
                                                     AuditEvent.subject_id == case["id"])).scalars().all()
    assert len(decided) == 1
    assert decided[0].data["channel"] == "share" and decided[0].data["decision"]["allowed"] is False


def test_overseas_organisation_that_provides_the_product_is_allowed(
        client: TestClient, provider: Provider, factory: Factory) -> None:
    vendor = factory.org("acme-global", jurisdiction="overseas")
    token = factory.token(factory.user(vendor, "viewer"))
    product = new_product(client, provider.headers, vendor=vendor.name)
    case = new_case(client, provider.headers)
    patch_case(client, provider.headers, case, product_id=product["id"])

    resp = _share(client, provider, case, "acme-global")
    assert resp.status_code == 201, resp.text
    assert client.get(f"/api/v1/cases/{case['id']}", headers=bearer(token)).status_code == 200


def test_revoking_the_share_hides_the_case_again(
        client: TestClient, provider: Provider, factory: Factory) -> None:
    case = new_case(client, provider.headers)
    other = _member(factory, "partner-two", role="manager")
    share = _share(client, provider, case, "partner-two").json()
    assert client.get(f"/api/v1/cases/{case['id']}", headers=bearer(other)).status_code == 200

    resp = client.delete(f"/api/v1/cases/{case['id']}/shares/{share['id']}", headers=provider.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["active"] is False
    assert_problem(client.get(f"/api/v1/cases/{case['id']}", headers=bearer(other)), 404)
    assert client.get("/api/v1/cases", headers=bearer(other)).json()["total"] == 0
    timeline = client.get(f"/api/v1/cases/{case['id']}/timeline", headers=provider.headers).json()
    assert {"vulns:case:shared", "vulns:case:share-revoked"} <= {e["tag"] for e in timeline}


def test_a_viewer_of_the_owning_organisation_cannot_share(
        client: TestClient, provider: Provider, factory: Factory) -> None:
    case = new_case(client, provider.headers)
    factory.org("partner-three")
    viewer = factory.token(factory.user(provider.org, "viewer"))
    assert_problem(client.post(f"/api/v1/cases/{case['id']}/shares", json={"organisation": "partner-three"},
                               headers=bearer(viewer)), 403)


def test_anonymous_callers_are_unauthenticated(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    assert_problem(client.post(f"/api/v1/cases/{case['id']}/shares", json={"organisation": "x"}), 401)
    assert_problem(client.get(f"/api/v1/cases/{case['id']}/shares"), 401)


def test_a_cert_abroad_is_held_until_a_legal_signoff_is_given(client: TestClient, provider: Provider,
                                                               factory: Factory) -> None:
    case = new_case(client, provider.headers)
    factory.org("cert-abroad", roles=("cert",), jurisdiction="overseas")
    held = _share(client, provider, case, "cert-abroad")
    assert_problem(held, 409)
    assert "PUB-7" in held.text and "legal sign-off" in held.text
    signed = client.post(f"/api/v1/cases/{case['number']}/shares", headers=provider.headers,
                         json={"organisation": "cert-abroad", "legal_signoff": "LEGAL-2026-7"})
    assert signed.status_code == 201, signed.text
    assert signed.json()["legal_signoff"] == "LEGAL-2026-7"
