"""The case lifecycle from the rules file: unknown, illegal and guarded transitions, the upstream
notice guard (Art. 7(1)), downstream notices (Art. 7(3)) and a full run to closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.functional.api.conftest import (
    CRITICAL_31,
    Provider,
    assert_problem,
    complete_for_nvdb,
    error_fields,
    new_case,
    patch_case,
    transition,
)

URL = "/api/v1/cases"


def now_iso(**back: float) -> str:
    return (datetime.now(UTC) - timedelta(**back)).isoformat()


def move(client: TestClient, p: Provider, case: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        resp = transition(client, p.headers, case, name)
        assert resp.status_code == 200, f"{name}: {resp.text}"
        case = resp.json()
    return case


def verified(client: TestClient, p: Provider, **fields: Any) -> dict[str, Any]:
    """A case in 'verifying' with everything 'confirm' needs."""
    case = move(client, p, new_case(client, p.headers, aware_at=now_iso(hours=2)), "start_verification")
    changes = {"verification_result": "reproduced on 2.3.1", "cvss31_vector": CRITICAL_31,
               "impact_scope": "all X1 units", **fields}
    return patch_case(client, p.headers, case, **changes)


def submit_to_nvdb(client: TestClient, p: Provider, case: dict[str, Any]) -> dict[str, Any]:
    resp = client.post(f"{URL}/{case['id']}/nvdb-submission",
                       json={"reference": "NVDB-2026-12345", "submitted_at": now_iso(minutes=1)}, headers=p.headers)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()
    return data


def test_unknown_transition_is_422(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    body = assert_problem(transition(client, provider.headers, case, "teleport"), 422)
    assert "teleport" in body["detail"]


def test_transition_illegal_from_the_current_state_is_409(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)

    body = assert_problem(transition(client, provider.headers, case, "close"), 409)

    assert "'new'" in body["detail"]
    assert "start_verification" in body["detail"]  # what is possible now
    assert client.get(f"{URL}/{case['id']}", headers=provider.headers).json()["state"] == "new"


def test_guarded_transition_is_409_listing_every_reason(client: TestClient, provider: Provider) -> None:
    case = move(client, provider, new_case(client, provider.headers), "start_verification")

    body = assert_problem(transition(client, provider.headers, case, "confirm"), 409)

    assert error_fields(body) == {"verification_recorded", "severity_assessed", "impact_scope_recorded"}
    assert all(e["message"] for e in body["errors"])
    assert client.get(f"{URL}/{case['id']}", headers=provider.headers).json()["state"] == "verifying"


def test_blocked_transitions_are_listed_on_the_case(client: TestClient, provider: Provider) -> None:
    case = move(client, provider, new_case(client, provider.headers), "start_verification")
    options = {t["id"]: t["blocked_by"] for t in case["transitions"]}
    assert set(options) == {"confirm", "reject"}
    assert len(options["confirm"]) == 3
    assert len(options["reject"]) == 1


def test_guard_lifts_once_its_field_is_recorded(client: TestClient, provider: Provider) -> None:
    case = verified(client, provider)
    confirmed = move(client, provider, case, "confirm")
    assert confirmed["state"] == "confirmed"
    assert confirmed["verified_at"] is not None


def test_mark_reported_needs_the_nvdb_submission(client: TestClient, provider: Provider) -> None:
    case = move(client, provider, verified(client, provider), "confirm")
    body = assert_problem(transition(client, provider.headers, case, "mark_reported"), 409)
    assert error_fields(body) == {"nvdb_submission_recorded"}


def test_upstream_component_needs_a_supplier_notice_before_reporting(client: TestClient,
                                                                     provider: Provider) -> None:
    case = move(client, provider, verified(client, provider, in_upstream_component=True), "confirm")
    case = complete_for_nvdb(client, provider.headers, case)
    submit_to_nvdb(client, provider, case)

    blocked = assert_problem(transition(client, provider.headers, case, "mark_reported"), 409)
    assert error_fields(blocked) == {"upstream_notified_if_component"}

    notice = client.post(f"{URL}/{case['id']}/upstream-notices", headers=provider.headers, json={
        "supplier": "OpenSSL Project", "component": "openssl", "component_version": "3.0.7",
        "channel": "openssl-security@openssl.org", "sent_at": now_iso(hours=1)})
    assert notice.status_code == 201, notice.text

    reported = move(client, provider, case, "mark_reported")
    assert reported["state"] == "reported"
    assert [n["supplier"] for n in reported["upstream_notices"]] == ["OpenSSL Project"]


def test_upstream_notice_marks_the_case_as_in_a_component(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    client.post(f"{URL}/{case['id']}/upstream-notices", headers=provider.headers,
                json={"supplier": "zlib", "component": "zlib", "sent_at": now_iso(hours=1)})
    assert client.get(f"{URL}/{case['id']}", headers=provider.headers).json()["in_upstream_component"] is True


def test_incomplete_notices_are_422_naming_fields(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()

    up = client.post(f"{URL}/{case['id']}/upstream-notices", headers=provider.headers,
                     json={"supplier": " ", "component": "", "sent_at": future})
    down = client.post(f"{URL}/{case['id']}/downstream-notices", headers=provider.headers,
                       json={"recipients": "", "fix": " ", "sent_at": future})

    assert error_fields(assert_problem(up, 422)) == {"supplier", "component", "sent_at"}
    assert error_fields(assert_problem(down, 422)) == {"recipients", "fix", "sent_at"}


def test_reject_and_reopen(client: TestClient, provider: Provider) -> None:
    case = patch_case(client, provider.headers, new_case(client, provider.headers),
                      verification_result="duplicate of WA-2026-0001")
    rejected = move(client, provider, case, "reject")
    assert rejected["state"] == "rejected"
    assert rejected["closed_at"] is not None

    reopened = move(client, provider, rejected, "reopen")
    assert reopened["state"] == "verifying"
    assert reopened["closed_at"] is None


def test_full_lifecycle_to_closed(client: TestClient, provider: Provider) -> None:
    h = provider.headers
    case = complete_for_nvdb(client, h, verified(client, provider))
    case = move(client, provider, case, "confirm")
    assert submit_to_nvdb(client, provider, case)["nvdb_on_time"] is True
    case = move(client, provider, case, "mark_reported", "start_remediation")

    blocked = assert_problem(transition(client, h, case, "fix_released"), 409)
    assert error_fields(blocked) == {"fix_recorded"}
    patch_case(client, h, case, fix_description="firmware 2.3.5", fix_available_at=now_iso(minutes=5))
    case = move(client, provider, case, "fix_released")

    blocked = assert_problem(transition(client, h, case, "users_notified"), 409)
    assert error_fields(blocked) == {"downstream_notice_recorded"}
    blocked = assert_problem(transition(client, h, case, "close_no_user_action"), 409)
    assert error_fields(blocked) == {"no_user_action_required"}
    notice = client.post(f"{URL}/{case['id']}/downstream-notices", headers=h, json={
        "recipients": "all registered X1 customers", "fix": "upgrade to 2.3.5", "sent_at": now_iso(minutes=1)})
    assert notice.status_code == 201, notice.text
    case = move(client, provider, case, "users_notified", "close")

    assert case["state"] == "closed"
    assert case["closed_at"] is not None
    assert case["transitions"] == []
    assert len(case["downstream_notices"]) == 1
    states = [e["data"]["after"]["state"] for e in client.get(f"{URL}/{case['id']}/timeline", headers=h).json()
              if e["tag"] == "vulns:case:transitioned"]
    assert states == ["verifying", "confirmed", "reported", "remediating", "fix_available", "users_notified",
                      "closed"]
    assert_problem(transition(client, h, case, "start_verification"), 409)


def test_close_without_user_action(client: TestClient, provider: Provider) -> None:
    h = provider.headers
    case = move(client, provider, complete_for_nvdb(client, h, verified(client, provider)), "confirm")
    submit_to_nvdb(client, provider, case)
    case = move(client, provider, case, "mark_reported", "start_remediation")
    patch_case(client, h, case, fix_description="server-side fix", fix_available_at=now_iso(minutes=5),
               user_action_required=False)
    closed = move(client, provider, case, "fix_released", "close_no_user_action")
    assert closed["state"] == "closed"


def test_transition_note_is_kept_in_the_timeline(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    client.post(f"{URL}/{case['id']}/transitions", headers=provider.headers,
                json={"transition": "start_verification", "note": "lab booked"})
    events = client.get(f"{URL}/{case['id']}/timeline", headers=provider.headers).json()
    assert [e["data"].get("note") for e in events if e["tag"] == "vulns:case:transitioned"] == ["lab booked"]
