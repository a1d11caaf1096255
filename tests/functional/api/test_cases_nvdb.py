"""The Art. 7(2) NVDB packet and the record of its submission within the two-day clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient

from tests.conftest import REPO, Factory
from tests.functional.api.conftest import (
    Provider,
    assert_problem,
    complete_for_nvdb,
    error_fields,
    make_provider,
    new_case,
)
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime

URL = "/api/v1/cases"


def packet_field_ids() -> list[str]:
    """Read straight from the rules file, so the test follows the regulation data."""
    data = yaml.safe_load(Path(REPO / "rules" / "vuln-provisions-2021.yaml").read_text(encoding="utf-8"))
    return [f["id"] for f in data["nvdb_packet"]["fields"]]


def submit(client: TestClient, p: Provider, case: dict[str, Any], at: datetime,
           reference: str = "NVDB-2026-00042", **extra: Any) -> Any:
    return client.post(f"{URL}/{case['id']}/nvdb-submission", headers=p.headers,
                       json={"reference": reference, "submitted_at": at.isoformat(), **extra})


def test_empty_packet_is_422_listing_every_missing_field(client: TestClient, factory: Factory) -> None:
    no_contact = make_provider(factory, contact=None)
    case = new_case(client, no_contact.headers)

    body = assert_problem(client.get(f"{URL}/{case['id']}/nvdb-report", headers=no_contact.headers), 422)

    # Every required field but the provider's name (the organisation always has one) is empty.
    expected = set(packet_field_ids()) - {"provider_name"}
    assert error_fields(body) == expected
    for field in expected:
        assert field in body["detail"]


def test_partly_filled_packet_lists_only_what_is_missing(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers, harm="remote code execution", impact_scope="all units")
    body = assert_problem(client.get(f"{URL}/{case['id']}/nvdb-report", headers=provider.headers), 422)
    assert error_fields(body) == {"product_name", "product_model", "product_version", "technical_characteristics"}


def test_complete_packet_has_every_field_with_its_value(client: TestClient, provider: Provider) -> None:
    case = complete_for_nvdb(client, provider.headers, new_case(client, provider.headers, cwe="CWE-121"))

    resp = client.get(f"{URL}/{case['id']}/nvdb-report", headers=provider.headers)

    assert resp.status_code == 200, resp.text
    packet = resp.json()
    fields = {f["id"]: f for f in packet["fields"]}
    assert list(fields) == packet_field_ids()
    assert all(f["value"].strip() and f["label_zh"] and f["label_en"] for f in fields.values())
    assert fields["product_name"]["value"] == "Router X1"
    assert fields["product_model"]["value"] == "X1-Pro"
    assert fields["product_version"]["value"] == "2.3.0 to 2.3.4"
    assert fields["provider_name"]["value"] == provider.org.name
    assert fields["provider_contact"]["value"] == "psirt@example.org"
    assert packet["supplementary"]["cwe"] == "CWE-121"
    assert packet["case"]["number"] == case["number"]
    assert packet["rules"]["article"] == "7(2)"
    assert packet["clock"]["due_at"] == datetime.fromisoformat(case["nvdb_due_at"]).isoformat()
    assert packet["submission"] == {"submitted_at": None, "reference": None, "on_time": None}


def test_product_versions_stand_in_when_affected_versions_are_empty(client: TestClient,
                                                                    provider: Provider) -> None:
    case = complete_for_nvdb(client, provider.headers, new_case(client, provider.headers))
    client.patch(f"{URL}/{case['id']}", json={"affected_versions": ""}, headers=provider.headers)
    packet = client.get(f"{URL}/{case['id']}/nvdb-report", headers=provider.headers).json()
    assert {f["id"]: f["value"] for f in packet["fields"]}["product_version"] == "2.3.0"


def test_submission_before_the_deadline_is_on_time(client: TestClient, provider: Provider) -> None:
    aware = datetime.now(UTC) - timedelta(hours=47)
    case = complete_for_nvdb(client, provider.headers, new_case(client, provider.headers, aware_at=aware.isoformat()))

    resp = submit(client, provider, case, aware + timedelta(hours=47))

    assert resp.status_code == 200, resp.text
    done = resp.json()
    assert done["nvdb_on_time"] is True
    assert done["nvdb_reference"] == "NVDB-2026-00042"
    assert done["nvdb_overdue"] is False
    packet = client.get(f"{URL}/{case['id']}/nvdb-report", headers=provider.headers).json()
    assert packet["submission"]["on_time"] is True


def test_submission_after_the_deadline_is_late(client: TestClient, provider: Provider) -> None:
    aware = datetime.now(UTC) - timedelta(days=3)
    case = complete_for_nvdb(client, provider.headers, new_case(client, provider.headers, aware_at=aware.isoformat()))
    assert case["nvdb_overdue"] is True

    done = submit(client, provider, case, datetime.now(UTC)).json()

    assert done["nvdb_on_time"] is False
    assert done["nvdb_overdue"] is False  # submitted late, but no longer pending


def test_case_opened_under_a_past_clock_is_late_when_submitted_now(rt: Runtime, client: TestClient,
                                                                   provider: Provider) -> None:
    rt.clock = FixedClock(datetime.now(UTC) - timedelta(days=5))
    case = complete_for_nvdb(client, provider.headers, new_case(client, provider.headers))
    rt.clock = FixedClock(datetime.now(UTC))

    assert submit(client, provider, case, datetime.now(UTC)).json()["nvdb_on_time"] is False


def test_submitting_twice_is_409(client: TestClient, provider: Provider) -> None:
    case = complete_for_nvdb(client, provider.headers, new_case(client, provider.headers))
    assert submit(client, provider, case, datetime.now(UTC)).status_code == 200

    body = assert_problem(submit(client, provider, case, datetime.now(UTC), reference="NVDB-other"), 409)

    assert "NVDB-2026-00042" in body["detail"]
    kept = client.get(f"{URL}/{case['id']}", headers=provider.headers).json()
    assert kept["nvdb_reference"] == "NVDB-2026-00042"


def test_submission_of_an_incomplete_packet_is_422(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    body = assert_problem(submit(client, provider, case, datetime.now(UTC)), 422)
    assert "product_name" in error_fields(body)
    assert client.get(f"{URL}/{case['id']}", headers=provider.headers).json()["nvdb_submitted_at"] is None


def test_submission_time_must_be_plausible(client: TestClient, provider: Provider) -> None:
    aware = datetime.now(UTC) - timedelta(hours=5)
    case = complete_for_nvdb(client, provider.headers, new_case(client, provider.headers, aware_at=aware.isoformat()))

    before_aware = assert_problem(submit(client, provider, case, aware - timedelta(hours=1)), 422)
    future = assert_problem(submit(client, provider, case, datetime.now(UTC) + timedelta(days=1)), 422)
    blank = assert_problem(submit(client, provider, case, datetime.now(UTC), reference="  "), 422)

    assert error_fields(before_aware) == {"submitted_at"}
    assert error_fields(future) == {"submitted_at"}
    assert error_fields(blank) == {"reference"}


def test_submission_time_without_time_zone_is_422(client: TestClient, provider: Provider) -> None:
    case = complete_for_nvdb(client, provider.headers, new_case(client, provider.headers))
    resp = client.post(f"{URL}/{case['id']}/nvdb-submission", headers=provider.headers,
                       json={"reference": "NVDB-1", "submitted_at": "2026-06-01T08:00:00"})
    assert error_fields(assert_problem(resp, 422)) == {"submitted_at"}
