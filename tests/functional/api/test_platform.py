"""Collection-platform mode over the API: no intake before the MIIT filing (Art. 10), logged reads
of undisclosed cases and a traceable NVDB packet (Art. 11)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.api.conftest import (
    Provider,
    assert_problem,
    bearer,
    complete_for_nvdb,
    new_case,
    report_json,
)
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime

FILING = {"filing_number": "MIIT-2026-0042", "filed_at": "2026-01-05T10:00:00+08:00"}


def _platform_mode(rt: Runtime) -> None:
    rt.settings = rt.settings.model_copy(update={"collection_platform": True})


def _admin_headers(factory: Factory) -> dict[str, str]:
    return bearer(factory.token(factory.user(None, "admin")))


def _reads(rt: Runtime) -> list[AuditEvent]:
    with rt.sessions() as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.tag == "vulns:case:read")
                              .order_by(AuditEvent.id)).scalars())


def test_intake_is_refused_before_the_filing_and_accepted_after(rt: Runtime, client: TestClient,
                                                                provider: Provider, factory: Factory) -> None:
    _platform_mode(rt)
    body = assert_problem(client.post("/api/v1/reports", json=report_json()), 409)
    assert body["type"].endswith("platform-not-filed")
    assert "Art. 10" in body["detail"] and "工信部网安〔2022〕146号" in body["detail"]
    assert client.get("/.well-known/security.txt").status_code == 200

    admin = _admin_headers(factory)
    status = client.get("/api/v1/platform", headers=admin).json()
    assert status == {"collection_platform": True, "state": "NOT_FILED", "open_for_intake": False, "filing": None}
    filed = client.post("/api/v1/platform/filing", json=FILING, headers=admin)
    assert filed.status_code == 201, filed.text
    assert filed.json()["state"] == "FILED" and filed.json()["filing"]["filing_number"] == "MIIT-2026-0042"

    assert client.post("/api/v1/reports", json=report_json()).status_code == 201
    assert client.get("/api/v1/platform", headers=provider.headers).json()["open_for_intake"] is True


def test_intake_is_open_when_the_instance_is_not_a_platform(client: TestClient, provider: Provider) -> None:
    assert client.post("/api/v1/reports", json=report_json()).status_code == 201
    status = client.get("/api/v1/platform", headers=provider.headers).json()
    assert (status["collection_platform"], status["open_for_intake"]) == (False, True)


def test_only_administrators_record_the_filing(client: TestClient, provider: Provider) -> None:
    assert_problem(client.post("/api/v1/platform/filing", json=FILING, headers=provider.headers), 403)
    assert_problem(client.post("/api/v1/platform/filing", json=FILING), 401)
    assert_problem(client.get("/api/v1/platform"), 401)


def test_filing_input_is_validated(client: TestClient, factory: Factory) -> None:
    admin = _admin_headers(factory)
    assert_problem(client.post("/api/v1/platform/filing", json={**FILING, "filed_at": "2026-01-05T10:00:00"},
                               headers=admin), 422)
    assert_problem(client.post("/api/v1/platform/filing", json={**FILING, "filing_number": ""},
                               headers=admin), 422)


def test_case_reads_are_not_logged_outside_platform_mode(client: TestClient, rt: Runtime,
                                                         provider: Provider) -> None:
    case = new_case(client, provider.headers)
    complete_for_nvdb(client, provider.headers, case)
    for path in ("", "/nvdb-report", "/timeline"):
        assert client.get(f"/api/v1/cases/{case['number']}{path}", headers=provider.headers).status_code == 200
    assert _reads(rt) == []
    assert "exported_for" not in client.get(f"/api/v1/cases/{case['id']}/nvdb-report",
                                            headers=provider.headers).json()


def test_case_reads_are_logged_with_the_reader_in_platform_mode(client: TestClient, rt: Runtime,
                                                                provider: Provider) -> None:
    case = new_case(client, provider.headers)
    complete_for_nvdb(client, provider.headers, case)
    _platform_mode(rt)
    for path in ("", "/nvdb-report", "/timeline"):
        assert client.get(f"/api/v1/cases/{case['number']}{path}", headers=provider.headers).status_code == 200
    reads = _reads(rt)
    assert [e.data["view"] for e in reads] == ["case", "nvdb-packet", "timeline"]
    assert {(e.actor_label, e.subject_id) for e in reads} == {(provider.analyst.email, case["id"])}
    timeline = client.get(f"/api/v1/cases/{case['id']}/timeline", headers=provider.headers).json()
    assert "vulns:case:read" in {e["tag"] for e in timeline}


def test_a_refused_read_is_not_logged(client: TestClient, rt: Runtime, provider: Provider,
                                      factory: Factory) -> None:
    case = new_case(client, provider.headers)
    _platform_mode(rt)
    outsider = factory.token(factory.user(factory.org("other-org"), "analyst"))
    assert_problem(client.get(f"/api/v1/cases/{case['id']}", headers=bearer(outsider)), 404)
    assert _reads(rt) == []


def test_the_nvdb_packet_names_its_reader_in_platform_mode(client: TestClient, rt: Runtime,
                                                           provider: Provider) -> None:
    case = new_case(client, provider.headers)
    complete_for_nvdb(client, provider.headers, case)
    _platform_mode(rt)
    packet = client.get(f"/api/v1/cases/{case['id']}/nvdb-report", headers=provider.headers).json()
    assert packet["exported_for"]["reader"] == provider.analyst.email
    assert packet["exported_for"]["at"] == packet["generated_at"]
