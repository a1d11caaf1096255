"""DELETE /api/v1/reports/{id}: refused inside the Art. 5 retention period, allowed after it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from tests.functional.api.conftest import Provider, assert_problem, count_rows, new_case, report_json
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime
from wangan.vulns.models import Case, IntakeAttachment, IntakeRecord

URL = "/api/v1/reports"
RECEIVED = datetime(2026, 3, 31, 2, 0, tzinfo=UTC)  # 31 Mar 10:00 Beijing → kept until 30 Sep


def receive(rt: Runtime, client: TestClient) -> dict[str, str]:
    rt.clock = FixedClock(RECEIVED)
    resp = client.post(URL, json=report_json())
    assert resp.status_code == 201, resp.text
    body: dict[str, str] = resp.json()
    return body


def test_delete_inside_retention_is_409_naming_the_date(rt: Runtime, client: TestClient,
                                                        provider: Provider) -> None:
    receipt = receive(rt, client)
    rt.clock = FixedClock(datetime(2026, 9, 30, 1, 59, tzinfo=UTC))  # one minute before the end

    resp = client.delete(f"{URL}/{receipt['id']}", headers=provider.headers)

    body = assert_problem(resp, 409)
    assert body["type"].endswith("retention-locked")
    assert re.search(r"\b2026-09-30\b", body["detail"]), body["detail"]
    assert count_rows(rt, IntakeRecord) == 1


def test_delete_after_retention_is_204_and_the_record_is_gone(rt: Runtime, client: TestClient,
                                                               provider: Provider) -> None:
    receipt = receive(rt, client)
    rt.clock = FixedClock(datetime(2026, 9, 30, 2, 0, tzinfo=UTC))  # exactly at the end

    resp = client.delete(f"{URL}/{receipt['id']}", headers=provider.headers)

    assert resp.status_code == 204
    assert resp.content == b""
    assert_problem(client.get(f"{URL}/{receipt['id']}", headers=provider.headers), 404)
    assert count_rows(rt, IntakeRecord) == 0


def test_deleting_a_report_removes_its_attachments_and_keeps_its_case(rt: Runtime, client: TestClient,
                                                                      provider: Provider) -> None:
    rt.clock = FixedClock(RECEIVED)
    receipt = client.post(URL, data={k: str(v) for k, v in report_json().items()},
                          files=[("attachments", ("poc.txt", b"poc", "text/plain"))]).json()
    case = new_case(client, provider.headers, report_id=receipt["id"])
    rt.clock = FixedClock(RECEIVED + timedelta(days=200))

    assert client.delete(f"{URL}/{receipt['id']}", headers=provider.headers).status_code == 204

    assert count_rows(rt, IntakeAttachment) == 0
    assert count_rows(rt, Case) == 1
    kept = client.get(f"/api/v1/cases/{case['id']}", headers=provider.headers).json()
    assert kept["report_id"] is None


def test_deleting_twice_is_404(rt: Runtime, client: TestClient, provider: Provider) -> None:
    receipt = receive(rt, client)
    rt.clock = FixedClock(RECEIVED + timedelta(days=365))
    assert client.delete(f"{URL}/{receipt['id']}", headers=provider.headers).status_code == 204
    assert_problem(client.delete(f"{URL}/{receipt['id']}", headers=provider.headers), 404)
