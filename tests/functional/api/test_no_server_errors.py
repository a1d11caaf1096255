"""A sweep over every ``/api/v1`` route with hostile input: nothing may answer 5xx, and every error
is problem+json."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.functional.api.conftest import Provider, new_case
from wangan.runtime import Runtime
from wangan.server import create_app

BODIES: list[tuple[str, dict[str, object]]] = [
    ("no body", {}),
    ("invalid json", {"content": b"{nope", "headers": {"Content-Type": "application/json"}}),
    ("json array", {"json": [1, 2, 3]}),
    ("wrong types", {"json": {"title": 5, "version": "x", "transition": [], "submitted_at": "yesterday",
                              "asset_id": "nope", "scopes": "read", "kind": None, "versions": "1.0"}}),
    ("huge numbers", {"json": {"title": "x", "version": 10**30, "days": -1}}),
    ("nul bytes", {"json": {"title": "a\u0000b", "content": "\u0000", "reporter_contact": "\u0000"}}),
    ("nul title", {"json": {"title": "a\u0000b"}}),
]
PATH_VALUES = ["not-a-uuid", "00000000-0000-4000-8000-000000000000", "%00", "WA-2026-0001' OR '1'='1"]


@pytest.fixture
def raw_client(rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(rt), raise_server_exceptions=False) as c:
        yield c


def api_routes(rt: Runtime) -> list[tuple[str, str]]:
    """Every documented operation under /api/v1, read from the OpenAPI schema."""
    paths = create_app(rt).openapi()["paths"]
    return sorted((method.upper(), path) for path, ops in paths.items() if path.startswith("/api/v1")
                  for method in ops)


def test_the_sweep_sees_the_whole_api(rt: Runtime) -> None:
    routes = api_routes(rt)
    assert ("POST", "/api/v1/reports") in routes
    assert ("PATCH", "/api/v1/cases/{case_ref}") in routes
    assert len(routes) >= 20


def test_hostile_input_never_causes_a_server_error(rt: Runtime, raw_client: TestClient, provider: Provider) -> None:
    case = new_case(raw_client, provider.headers)  # so that some lookups find something
    failures = []
    for method, template in api_routes(rt):
        for value in [*PATH_VALUES, case["number"]]:
            path = re.sub(r"\{[^}]+\}", value, template)
            for label, body in BODIES:
                kwargs = dict(body)
                kwargs["headers"] = {**provider.headers, **kwargs.get("headers", {})}  # type: ignore[dict-item]
                resp = raw_client.request(method, path, **kwargs)  # type: ignore[arg-type]
                if resp.status_code >= 500:
                    failures.append(f"{method} {path} [{label}] -> {resp.status_code}")
                elif resp.status_code >= 400 and not resp.headers["content-type"].startswith(
                        "application/problem+json"):
                    failures.append(f"{method} {path} [{label}] -> {resp.status_code} {resp.headers['content-type']}")
    assert not failures, "\n".join(failures)


def test_unknown_api_path_and_method_are_problems(raw_client: TestClient, provider: Provider) -> None:
    missing = raw_client.get("/api/v1/nothing-here", headers=provider.headers)
    wrong_method = raw_client.put("/api/v1/cases", headers=provider.headers)
    assert (missing.status_code, wrong_method.status_code) == (404, 405)
    for resp in (missing, wrong_method):
        assert resp.headers["content-type"].startswith("application/problem+json")
