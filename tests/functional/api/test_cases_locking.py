"""Optimistic locking of cases: a stale ``version`` (body or If-Match) is a 409, and of two
concurrent writers holding the same version exactly one wins."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.functional.api.conftest import Provider, assert_problem, new_case, patch_case

URL = "/api/v1/cases"


def test_patch_with_current_version_succeeds_and_bumps_it(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    resp = client.patch(f"{URL}/{case['id']}", json={"harm": "x", "version": 1}, headers=provider.headers)
    assert resp.status_code == 200
    assert resp.json()["version"] == 2
    assert resp.headers["etag"] == '"2"'


def test_patch_with_stale_version_in_body_is_409(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    patch_case(client, provider.headers, case, harm="first edit")

    resp = client.patch(f"{URL}/{case['id']}", json={"harm": "second edit", "version": 1},
                        headers=provider.headers)

    body = assert_problem(resp, 409)
    assert body["current_version"] == 2
    assert client.get(f"{URL}/{case['id']}", headers=provider.headers).json()["harm"] == "first edit"


@pytest.mark.parametrize("etag", ['"1"', 'W/"1"', "1"])
def test_patch_with_stale_if_match_is_409(client: TestClient, provider: Provider, etag: str) -> None:
    case = new_case(client, provider.headers)
    patch_case(client, provider.headers, case, harm="first edit")

    resp = client.patch(f"{URL}/{case['id']}", json={"harm": "second"}, headers={**provider.headers, "If-Match": etag})

    assert_problem(resp, 409)


def test_patch_with_current_if_match_succeeds(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    etag = client.get(f"{URL}/{case['id']}", headers=provider.headers).headers["etag"]
    resp = client.patch(f"{URL}/{case['id']}", json={"harm": "x"}, headers={**provider.headers, "If-Match": etag})
    assert resp.status_code == 200


def test_malformed_if_match_is_422(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    resp = client.patch(f"{URL}/{case['id']}", json={"harm": "x"}, headers={**provider.headers, "If-Match": "*abc"})
    assert_problem(resp, 422)


def test_transition_with_stale_version_is_409(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    patch_case(client, provider.headers, case, harm="edit")
    resp = client.post(f"{URL}/{case['id']}/transitions", headers=provider.headers,
                       json={"transition": "start_verification", "version": 1})
    assert_problem(resp, 409)
    assert client.get(f"{URL}/{case['id']}", headers=provider.headers).json()["state"] == "new"


def test_nvdb_submission_with_stale_version_is_409(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    patch_case(client, provider.headers, case, harm="edit")
    resp = client.post(f"{URL}/{case['id']}/nvdb-submission", headers=provider.headers,
                       json={"reference": "NVDB-1", "submitted_at": case["created_at"], "version": 1})
    assert_problem(resp, 409)


def test_two_concurrent_writers_one_wins_the_other_gets_409(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    start = threading.Barrier(2)

    def write(harm: str) -> Any:
        start.wait()
        return client.patch(f"{URL}/{case['id']}", json={"harm": harm, "version": 1}, headers=provider.headers)

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(write, ["writer A", "writer B"]))

    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code == 409)
    assert_problem(loser, 409)
    stored = client.get(f"{URL}/{case['id']}", headers=provider.headers).json()
    assert (stored["harm"], stored["version"]) == (winner["harm"], 2)


def test_concurrent_transitions_move_the_case_once(client: TestClient, provider: Provider) -> None:
    case = new_case(client, provider.headers)
    start = threading.Barrier(2)

    def go(_: int) -> Any:
        start.wait()
        return client.post(f"{URL}/{case['id']}/transitions", headers=provider.headers,
                           json={"transition": "start_verification"})

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(go, [0, 1]))

    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    events = client.get(f"{URL}/{case['id']}/timeline", headers=provider.headers).json()
    assert [e["tag"] for e in events].count("vulns:case:transitioned") == 1
