"""POST /api/v1/reports with JSON: the public Art. 5 intake channel, its receipts, idempotency,
size limits, validation problems and rate limiting. (Multipart uploads: test_reports_multipart.)"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from tests.conftest import Factory
from tests.functional.api.conftest import (
    Provider,
    assert_problem,
    bearer,
    count_rows,
    error_fields,
    make_client,
    parse_ts,
    report_json,
    with_settings,
)
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime
from wangan.server import create_app
from wangan.vulns.models import IntakeRecord

URL = "/api/v1/reports"


# --- receipts ---

def test_receipt_is_kept_six_calendar_months_clamped_to_month_end(rt: Runtime, client: TestClient,
                                                                  provider: Provider) -> None:
    rt.clock = FixedClock(datetime(2026, 8, 31, 10, 0, tzinfo=UTC))

    resp = client.post(URL, json=report_json())

    assert resp.status_code == 201, resp.text
    body = resp.json()
    uuid.UUID(body["id"])
    assert parse_ts(body["received_at"]) == datetime(2026, 8, 31, 10, 0, tzinfo=UTC)
    # 31 August + 6 calendar months: February has no 31st, so the period ends on 28 February.
    assert parse_ts(body["retention_until"]) == datetime(2027, 2, 28, 10, 0, tzinfo=UTC)
    assert body["organisation"] == provider.org.slug
    assert body["channel"] == "api"
    assert body["attachments"] == []
    assert resp.headers["location"] == f"{URL}/{body['id']}"
    assert count_rows(rt, IntakeRecord) == 1


def test_retention_months_are_counted_on_the_beijing_calendar(rt: Runtime, client: TestClient,
                                                              provider: Provider) -> None:
    # 31 Aug 17:00 UTC is already 1 Sep 01:00 in Beijing: six months later is 1 Mar 01:00 Beijing.
    rt.clock = FixedClock(datetime(2026, 8, 31, 17, 0, tzinfo=UTC))

    body = client.post(URL, json=report_json()).json()

    assert parse_ts(body["retention_until"]) == datetime(2027, 2, 28, 17, 0, tzinfo=UTC)


def test_receipt_is_readable_by_the_receiving_organisation(client: TestClient, provider: Provider) -> None:
    receipt = client.post(URL, json=report_json(title="XSS in search")).json()

    resp = client.get(f"{URL}/{receipt['id']}", headers=provider.headers)

    assert resp.status_code == 200
    assert resp.json()["title"] == "XSS in search"
    assert resp.json()["content_hash"] == receipt["content_hash"]
    assert resp.json()["case_number"] is None


def test_receipt_is_committed_before_the_response_is_sent(rt: Runtime, provider: Provider) -> None:
    """A reporter holding a receipt must be able to rely on the record existing: the transaction
    has to be committed before the 201 leaves the server, not after."""
    rows_when_sent: list[int] = []
    app = create_app(rt)

    async def spy_app(scope: Any, receive: Any, send: Any) -> None:
        async def spy_send(message: Any) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                rows_when_sent.append(_committed_reports(rt))
            await send(message)

        await app(scope, receive, spy_send)

    with TestClient(spy_app) as c:
        resp = c.post(URL, json=report_json())

    assert resp.status_code == 201
    assert rows_when_sent == [1], "the 201 receipt was sent before the report was committed"


def _committed_reports(rt: Runtime) -> int:
    """Count from a separate plain connection, which sees committed rows only."""
    eng = create_engine(rt.settings.resolved_database_url)
    try:
        with eng.connect() as conn:
            return int(conn.execute(select(func.count(IntakeRecord.id))).scalar_one())
    finally:
        eng.dispose()


# --- idempotency ---

def test_idempotency_key_repeat_returns_the_first_receipt(rt: Runtime, client: TestClient,
                                                          provider: Provider) -> None:
    key = {"Idempotency-Key": "7f0c-retry-1"}
    first = client.post(URL, json=report_json(), headers=key)
    again = client.post(URL, json=report_json(), headers=key)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["received_at"] == first.json()["received_at"]
    assert count_rows(rt, IntakeRecord) == 1


def test_idempotency_key_with_other_content_is_a_conflict(rt: Runtime, client: TestClient,
                                                          provider: Provider) -> None:
    key = {"Idempotency-Key": "7f0c-retry-2"}
    assert client.post(URL, json=report_json(), headers=key).status_code == 201

    resp = client.post(URL, json=report_json(content="something else entirely"), headers=key)

    body = assert_problem(resp, 409)
    assert "idempotency" in body["detail"].lower()
    assert count_rows(rt, IntakeRecord) == 1


def test_without_idempotency_key_each_post_is_a_new_receipt(rt: Runtime, client: TestClient,
                                                            provider: Provider) -> None:
    ids = {client.post(URL, json=report_json()).json()["id"] for _ in range(2)}
    assert len(ids) == 2
    assert count_rows(rt, IntakeRecord) == 2


def test_overlong_idempotency_key_is_422(client: TestClient, provider: Provider) -> None:
    resp = client.post(URL, json=report_json(), headers={"Idempotency-Key": "k" * 129})
    body = assert_problem(resp, 422)
    assert any("idempotency" in f.lower() for f in error_fields(body))


# --- limits ---

def test_oversize_description_is_413(rt: Runtime, provider: Provider) -> None:
    with make_client(with_settings(rt, intake_max_text_bytes=1000)) as c:
        ok = c.post(URL, json=report_json(content="x" * 1000))
        resp = c.post(URL, json=report_json(content="漏" * 400))  # 1200 bytes in UTF-8

    assert ok.status_code == 201
    body = assert_problem(resp, 413)
    assert "1200" in body["detail"] and "1000" in body["detail"]
    assert count_rows(rt, IntakeRecord) == 1


def test_description_over_the_default_limit_is_413(rt: Runtime, client: TestClient, provider: Provider) -> None:
    assert_problem(client.post(URL, json=report_json(content="A" * 200_001)), 413)
    assert count_rows(rt, IntakeRecord) == 0


# --- validation ---

def test_missing_fields_are_each_named(rt: Runtime, client: TestClient, provider: Provider) -> None:
    body = assert_problem(client.post(URL, json={}), 422)
    assert error_fields(body) == {"title", "content", "reporter_contact"}
    assert count_rows(rt, IntakeRecord) == 0


def test_blank_fields_are_each_named(client: TestClient, provider: Provider) -> None:
    body = assert_problem(client.post(URL, json=report_json(title="", content="", reporter_contact="")), 422)
    assert error_fields(body) == {"title", "content", "reporter_contact"}


def test_whitespace_only_fields_are_refused(client: TestClient, provider: Provider) -> None:
    body = assert_problem(client.post(URL, json=report_json(title="  ", reporter_contact="\t")), 422)
    assert error_fields(body) == {"title", "reporter_contact"}


def test_unknown_field_is_422(client: TestClient, provider: Provider) -> None:
    body = assert_problem(client.post(URL, json=report_json(severity="critical")), 422)
    assert "severity" in error_fields(body)


def test_malformed_json_is_422(client: TestClient, provider: Provider) -> None:
    resp = client.post(URL, content=b'{"title": "x", ', headers={"Content-Type": "application/json"})
    assert_problem(resp, 422)


def test_json_that_is_not_an_object_is_422(client: TestClient, provider: Provider) -> None:
    assert_problem(client.post(URL, json=["title", "content"]), 422)


def test_wrong_content_type_is_422(client: TestClient, provider: Provider) -> None:
    resp = client.post(URL, content=b"title=x", headers={"Content-Type": "text/plain"})
    body = assert_problem(resp, 422)
    assert "text/plain" in body["detail"]


def test_url_encoded_form_is_422(client: TestClient, provider: Provider) -> None:
    body = assert_problem(client.post(URL, data={"title": "x"}), 422)
    assert "application/x-www-form-urlencoded" in body["detail"]


def test_no_content_type_is_422(client: TestClient, provider: Provider) -> None:
    assert_problem(client.post(URL, content=b"hello"), 422)


def test_nul_character_is_refused_or_kept_but_never_a_server_error(rt: Runtime, client: TestClient,
                                                                   provider: Provider) -> None:
    # PostgreSQL cannot store U+0000 in text; SQLite can. Either way the answer is not a 500.
    resp = client.post(URL, json=report_json(content="before\u0000after"))
    assert resp.status_code in (201, 422), resp.text
    if resp.status_code == 422:
        assert_problem(resp, 422)


def test_unknown_receiving_organisation_is_422(client: TestClient, provider: Provider) -> None:
    body = assert_problem(client.post(URL, json=report_json(organisation="no-such-org")), 422)
    assert "no-such-org" in body["detail"]


def test_no_receiving_organisation_at_all_is_422(client: TestClient) -> None:
    assert_problem(client.post(URL, json=report_json()), 422)


def test_report_goes_to_the_named_organisation(client: TestClient, provider: Provider, factory: Factory) -> None:
    other = factory.org("second-provider")
    resp = client.post(URL, json=report_json(organisation="second-provider"))
    assert resp.status_code == 201
    assert resp.json()["organisation"] == other.slug


# --- who submitted ---

def test_bad_token_on_the_public_channel_is_401_not_anonymous(rt: Runtime, client: TestClient,
                                                              provider: Provider) -> None:
    resp = client.post(URL, json=report_json(), headers=bearer("wgn_not-a-token"))
    assert_problem(resp, 401)
    assert resp.headers["www-authenticate"].startswith("Bearer")
    assert count_rows(rt, IntakeRecord) == 0


def test_signed_in_reporter_is_recorded_as_the_submitter(rt: Runtime, client: TestClient, provider: Provider,
                                                         factory: Factory) -> None:
    reporter = factory.user(factory.org(roles=("finder",)), "reporter")
    resp = client.post(URL, json=report_json(), headers=bearer(factory.token(reporter)))

    assert resp.status_code == 201
    with rt.sessions() as s:
        record = s.get(IntakeRecord, uuid.UUID(resp.json()["id"]))
        assert record is not None
        assert record.reporter_user_id == reporter.id


def test_anonymous_report_has_no_submitting_user(rt: Runtime, client: TestClient, provider: Provider) -> None:
    resp = client.post(URL, json=report_json())
    with rt.sessions() as s:
        record = s.get(IntakeRecord, uuid.UUID(resp.json()["id"]))
        assert record is not None
        assert record.reporter_user_id is None
        assert record.source_ip == "testclient"


# --- rate limiting ---

def test_intake_is_rate_limited_per_address(rt: Runtime, provider: Provider) -> None:
    with make_client(with_settings(rt, intake_rate_per_minute=2)) as c:
        statuses = [c.post(URL, json=report_json(title=f"report {i}")).status_code for i in range(2)]
        resp = c.post(URL, json=report_json(title="one too many"))

    assert statuses == [201, 201]
    body = assert_problem(resp, 429)
    assert int(resp.headers["retry-after"]) > 0
    assert body["retry_after"] > 0
    assert count_rows(rt, IntakeRecord) == 2


def test_rejected_submissions_count_against_the_limit(rt: Runtime, provider: Provider) -> None:
    with make_client(with_settings(rt, intake_rate_per_minute=1)) as c:
        assert c.post(URL, json={}).status_code == 422
        assert_problem(c.post(URL, json=report_json()), 429)
    assert count_rows(rt, IntakeRecord) == 0
