"""Every change made over the API leaves an audit event, the hash chain verifies, and editing or
deleting a row afterwards is detected and named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import JSON, bindparam, select, text

from tests.functional.api.conftest import (
    CRITICAL_31,
    Provider,
    complete_for_nvdb,
    new_case,
    patch_case,
    report_json,
    transition,
)
from wangan.kernel.audit import verify_chain
from wangan.kernel.calendar import FixedClock
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime


def tags(rt: Runtime, after: int = 0) -> list[str]:
    with rt.sessions() as s:
        return list(s.execute(select(AuditEvent.tag).where(AuditEvent.id > after).order_by(AuditEvent.id)).scalars())


def last_id(rt: Runtime) -> int:
    with rt.sessions() as s:
        return int(s.execute(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)).scalar_one())


def verify(rt: Runtime) -> tuple[int, list[tuple[int, str]]]:
    with rt.sessions() as s:
        checked, problems = verify_chain(s)
    return checked, [(p.event_id, p.problem) for p in problems]


def run_workflow(rt: Runtime, client: TestClient, p: Provider) -> dict[str, Any]:
    """Intake, a case through reporting, notices, catalogue, operator mode and deletion."""
    h = p.headers
    now = datetime.now(UTC)
    rt.clock = FixedClock(now - timedelta(days=400))
    report = client.post("/api/v1/reports", json=report_json()).json()
    rt.clock = FixedClock(now)
    case = new_case(client, h, report_id=report["id"], aware_at=(now - timedelta(hours=3)).isoformat())
    case = patch_case(client, h, case, verification_result="reproduced", cvss31_vector=CRITICAL_31)
    assert transition(client, h, case, "start_verification").status_code == 200
    case = complete_for_nvdb(client, h, case)  # creates a product and updates the case
    assert transition(client, h, case, "confirm").status_code == 200
    client.post(f"/api/v1/cases/{case['id']}/upstream-notices", headers=h,
                json={"supplier": "busybox", "component": "busybox", "sent_at": now.isoformat()})
    assert client.get(f"/api/v1/cases/{case['id']}/nvdb-report", headers=h).status_code == 200
    assert client.post(f"/api/v1/cases/{case['id']}/nvdb-submission", headers=h,
                       json={"reference": "NVDB-9", "submitted_at": now.isoformat()}).status_code == 200
    client.post(f"/api/v1/cases/{case['id']}/downstream-notices", headers=h,
                json={"recipients": "customers", "fix": "2.3.5", "sent_at": now.isoformat()})
    asset = client.post("/api/v1/assets", headers=h,
                        json={"kind": "system", "name": "VPN gateway", "identifier": "vpn-01"}).json()
    finding = client.post("/api/v1/findings", headers=h,
                          json={"asset_id": asset["id"], "title": "CVE-2024-3400"}).json()
    client.post(f"/api/v1/findings/{finding['id']}/actions", headers=h, json={"action": "verify"})
    client.post(f"/api/v1/findings/{finding['id']}/actions", headers=h, json={"action": "fix", "note": "patched"})
    assert client.delete(f"/api/v1/reports/{report['id']}", headers=h).status_code == 204
    return case


def test_every_change_leaves_an_event_and_the_chain_verifies(rt: Runtime, client: TestClient,
                                                             provider: Provider) -> None:
    before = last_id(rt)

    case = run_workflow(rt, client, provider)

    assert tags(rt, before) == [
        "vulns:report:received", "vulns:case:created", "vulns:case:updated", "vulns:case:transitioned",
        "vulns:product:created", "vulns:case:updated", "vulns:case:transitioned",
        "vulns:case:upstream-notified", "vulns:case:nvdb-packet-generated", "vulns:case:nvdb-submitted",
        "vulns:case:downstream-notified", "vulns:asset:created", "vulns:finding:created",
        "vulns:finding:verified", "vulns:finding:fixed", "vulns:report:deleted",
    ]
    checked, problems = verify(rt)
    assert problems == []
    assert checked == last_id(rt)
    timeline = client.get(f"/api/v1/cases/{case['id']}/timeline", headers=provider.headers).json()
    assert [e["actor"] for e in timeline] == [provider.analyst.email] * len(timeline)
    assert [e["id"] for e in timeline] == sorted(e["id"] for e in timeline)


def test_failed_requests_leave_no_event(rt: Runtime, client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    before = last_id(rt)

    client.patch(f"/api/v1/cases/{case['id']}", json={"cwe": "nonsense"}, headers=provider.headers)
    transition(client, provider.headers, case, "close")
    client.post("/api/v1/reports", json={})

    assert last_id(rt) == before


def test_update_event_records_before_and_after(rt: Runtime, client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers, harm="old harm")
    patch_case(client, provider.headers, case, harm="new harm", impact_scope="scope")
    events = client.get(f"/api/v1/cases/{case['id']}/timeline", headers=provider.headers).json()
    update = next(e for e in events if e["tag"] == "vulns:case:updated")
    assert update["data"]["before"] == {"harm": "old harm", "impact_scope": ""}
    assert update["data"]["after"] == {"harm": "new harm", "impact_scope": "scope"}


def test_edited_data_is_detected_and_the_row_named(rt: Runtime, client: TestClient, provider: Provider) -> None:
    run_workflow(rt, client, provider)
    victim = last_id(rt) - 5
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET data = :d WHERE id = :id")
                     .bindparams(bindparam("d", type_=JSON)), {"d": {"after": {"state": "closed"}}, "id": victim})

    _checked, problems = verify(rt)

    assert [row for row, _ in problems] == [victim]
    assert f"event {victim}" in problems[0][1] and "altered" in problems[0][1]


def test_edited_tag_is_detected_and_the_row_named(rt: Runtime, client: TestClient, provider: Provider) -> None:
    run_workflow(rt, client, provider)
    victim = last_id(rt) - 3
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET tag = 'vulns:case:created' WHERE id = :id"), {"id": victim})

    _checked, problems = verify(rt)

    assert [row for row, _ in problems] == [victim]


def test_deleted_middle_row_is_reported_as_a_gap(rt: Runtime, client: TestClient, provider: Provider) -> None:
    run_workflow(rt, client, provider)
    end = last_id(rt)
    gone = end // 2
    with rt.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": gone})

    checked, problems = verify(rt)

    assert checked == end - 1
    assert {row for row, _ in problems} == {gone + 1}
    assert any(f"event {gone} deleted" in msg for _, msg in problems)
