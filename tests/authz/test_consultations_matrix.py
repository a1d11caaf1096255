"""Authorization matrix of ``/api/v1/consultations``: every principal against every operation.

The rule (src/wangan/indicators/policy.py, src/wangan/indicators/consultations.py): a published
consultation and its approved comments are public, and anyone, anonymous callers included, comments
while it is open. Managers and administrators (token with the ``write`` scope) create, edit, publish,
see pending comments with contacts, moderate, export and record a plan's past consultation; anonymous
callers are asked to sign in (401), everyone else is refused (403). A draft does not exist for anyone
but managers and administrators (404)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.authz.conftest import PRINCIPALS, World, created
from tests.conftest import Factory
from wangan.kernel.calendar import FixedClock
from wangan.runtime import Runtime
from wangan.server import create_app

Op = Callable[[World, dict[str, str]], httpx.Response]
NOW = datetime(2024, 5, 10, 4, 0, tzinfo=UTC)
BASE = "/api/v1/consultations"

#                anonymous other_org reporter viewer analyst manager admin overseas
PUBLIC = (200, 200, 200, 200, 200, 200, 200, 200)
MANAGE = (401, 403, 403, 403, 403, 200, 200, 403)
MANAGE_ADD = (401, 403, 403, 403, 403, 201, 201, 403)
EXPECTED: dict[str, tuple[int, ...]] = {
    "list": PUBLIC,
    "get published": PUBLIC,
    "approved comments": PUBLIC,
    "comment": (201, 201, 201, 201, 201, 201, 201, 201),
    "get draft": (404, 404, 404, 404, 404, 200, 200, 404),
    "create": MANAGE_ADD,
    "edit": MANAGE,
    "publish": MANAGE,
    "pending comments": MANAGE,
    "moderate": MANAGE,
    "export": MANAGE,
    "record plan": MANAGE_ADD,
}


def _manager(w: World) -> dict[str, str]:
    return w.headers("manager")


OPS: dict[str, Op] = {
    "list": lambda w, h: w.client.get(BASE, headers=h),
    "get published": lambda w, h: w.client.get(f"{BASE}/open-draft", headers=h),
    "approved comments": lambda w, h: w.client.get(f"{BASE}/open-draft/comments", headers=h),
    "comment": lambda w, h: w.client.post(f"{BASE}/open-draft/comments", headers=h, json={"body": "A comment."}),
    "get draft": lambda w, h: w.client.get(f"{BASE}/hidden-draft", headers=h),
    "create": lambda w, h: w.client.post(BASE, headers=h, json={
        "slug": "new-draft", "title_zh": "稿", "opens_at": "2024-06-01T00:00", "closes_at": "2024-06-30T23:59"}),
    "edit": lambda w, h: w.client.patch(f"{BASE}/open-draft", headers=h, json={"title_en": "Edited"}),
    "publish": lambda w, h: w.client.post(f"{BASE}/hidden-draft/publish", headers=h),
    "pending comments": lambda w, h: w.client.get(f"{BASE}/open-draft/comments?state=pending", headers=h),
    "moderate": lambda w, h: w.client.post(f"{BASE}/open-draft/comments/{w.ids['comment']}/moderation", headers=h,
                                           json={"state": "approved"}),
    "export": lambda w, h: w.client.get(f"{BASE}/open-draft/comments/export?format=csv", headers=h),
    "record plan": lambda w, h: w.client.post(f"{BASE}/record-plan", headers=h),
}
CELLS = [pytest.param(op, who, status, id=f"{op}-{who}")
         for op, row in EXPECTED.items() for who, status in zip(PRINCIPALS, row, strict=True)]


@pytest.fixture
def cons_world(rt: Runtime, factory: Factory) -> Iterator[World]:
    """A published, open consultation with one pending comment, and an unpublished draft."""
    rt.clock = FixedClock(NOW)
    with TestClient(create_app(rt)) as client:
        w = World(rt=rt, factory=factory, client=client,
                  provider=factory.org("provider-org", roles=("provider", "operator")))
        h = _manager(w)
        for slug in ("open-draft", "hidden-draft"):
            created(client.post(BASE, headers=h, json={"slug": slug, "title_zh": "征求意见稿",
                                                       "opens_at": "2024-05-01T00:00",
                                                       "closes_at": "2024-05-31T23:59:59"}))
        created(client.post(f"{BASE}/open-draft/publish", headers=h))
        w.ids["comment"] = created(client.post(f"{BASE}/open-draft/comments",
                                               json={"body": "First", "contact": "c@example.org"}))["id"]
        yield w


def test_table_covers_every_operation() -> None:
    assert set(EXPECTED) == set(OPS)


@pytest.mark.parametrize(("op", "principal", "expected"), CELLS)
def test_matrix(cons_world: World, op: str, principal: str, expected: int) -> None:
    resp = OPS[op](cons_world, cons_world.headers(principal))

    assert resp.status_code == expected, f"{op} as {principal}: {resp.status_code} {resp.text[:300]}"
    if expected >= 400:
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["status"] == expected


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_contacts_and_drafts_only_for_managers(cons_world: World, principal: str) -> None:
    w = cons_world
    h = w.headers(principal)
    manages = principal in ("manager", "admin")
    slugs = [c["slug"] for c in w.client.get(BASE, headers=h).json()]
    assert sorted(slugs) == (["hidden-draft", "open-draft"] if manages else ["open-draft"])
    comments = w.client.get(f"{BASE}/open-draft/comments", headers=h).json()
    assert ("c@example.org" in str(comments)) is manages
    assert len(comments) == (1 if manages else 0)  # pending: not public


@pytest.mark.parametrize("op", ["create", "edit", "publish", "moderate", "export", "record plan",
                                "pending comments"])
def test_a_read_only_token_cannot_manage(cons_world: World, op: str) -> None:
    w = cons_world
    read_only = {"Authorization": f"Bearer {w.factory.token(w.factory.user(w.provider, 'manager'), scopes=['read'])}"}
    resp = OPS[op](w, read_only)
    assert resp.status_code == 403, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
