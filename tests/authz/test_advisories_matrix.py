"""Authorization matrix of ``/api/v1/advisories``: every principal against every operation.

The owning organisation reads in every state (viewers included) and writes as analyst or manager;
only managers (and admins) approve and publish. Anyone else — anonymous, another domestic
organisation, an overseas organisation — sees exactly what was published and nothing more: an
unpublished advisory, or an attachment that was not published, is 404, the same as one that does
not exist (Art. 9; PUB-7 for overseas parties). Writes need a sign-in (401) before anything else."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.authz.conftest import World
from tests.conftest import Factory
from wangan.runtime import Runtime
from wangan.server import create_app
from wangan.vulns import advisories, cases

PRINCIPALS = ("anonymous", "other_org", "overseas", "viewer", "analyst", "manager", "admin")
Op = Callable[[World, dict[str, str]], httpx.Response]

# Expected status of each operation (rows) for each principal (columns).
#                           anonymous other_org overseas viewer analyst manager admin
EXPECTED: dict[str, tuple[int, ...]] = {
    "list":                    (200,     200,      200,     200,   200,    200,    200),
    "get draft":               (404,     404,      404,     200,   200,    200,    200),
    "get published":           (200,     200,      200,     200,   200,    200,    200),
    "patch":                   (401,     404,      404,     403,   200,    200,    200),
    "transition submit":       (401,     404,      404,     403,   200,    200,    200),
    "approve":                 (401,     404,      404,     403,   403,    200,    200),
    "publish":                 (401,     404,      404,     403,   403,    200,    200),
    "attachment upload":       (401,     404,      404,     403,   201,    201,    201),
    "public attachment":       (200,     200,      200,     200,   200,    200,    200),
    "unpublished attachment":  (404,     404,      404,     200,   200,    200,    200),
    "exploit attachment":      (404,     404,      404,     200,   200,    200,    200),
    "gate dry run":            (401,     404,      404,     200,   200,    200,    200),
}


def _act(action: str, key: str) -> Op:
    return lambda w, h: w.client.post(f"/api/v1/advisories/{w.ids[key]}/transitions", headers=h,
                                      json={"action": action})


def _get(path: str) -> Op:
    return lambda w, h: w.client.get(path.format(**w.ids), headers=h)


OPS: dict[str, Op] = {
    "list": _get("/api/v1/advisories"),
    "get draft": _get("/api/v1/advisories/{draft}"),
    "get published": _get("/api/v1/advisories/{published}"),
    "patch": lambda w, h: w.client.patch(f"/api/v1/advisories/{w.ids['draft']}", headers=h,
                                         json={"credits": "Li Lei"}),
    "transition submit": _act("submit", "draft"),
    "approve": _act("approve", "review"),
    "publish": _act("publish", "approved"),
    "attachment upload": lambda w, h: w.client.post(
        f"/api/v1/advisories/{w.ids['draft']}/attachments", headers=h, data={"kind": "document"},
        files={"file": ("notes.txt", b"notes", "text/plain")}),
    "public attachment": _get("/api/v1/advisories/{published}/attachments/{patch}"),
    "unpublished attachment": _get("/api/v1/advisories/{draft}/attachments/{draft_file}"),
    "exploit attachment": _get("/api/v1/advisories/{published}/attachments/{exploit}"),
    "gate dry run": _get("/api/v1/advisories/{draft}/gate"),
}


def build(rt: Runtime, factory: Factory, client: TestClient) -> World:
    """One provider with a case whose fix is out, and advisories in each state the operations need."""
    world = World(rt=rt, factory=factory, client=client,
                  provider=factory.org("provider-org", roles=("provider", "operator")))
    who = factory.principal(factory.user(world.provider, "manager"))
    ids = world.ids
    with rt.sessions.begin() as s:
        case = cases.create_case(s, who, rt.vuln_rules, cases.CaseIn(title="Overflow in X1", fields={
            "fix_description": "Upgrade to 2.0", "fix_available_at": datetime.now(UTC) - timedelta(hours=1)}))
        number = case.number

        def drafted(*actions: str) -> str:
            ref = advisories.draft_from_case(s, who, number).number
            for action in actions:
                advisories.transition(s, who, rt.gate_rules, ref, action)
            return ref

        ids["draft"] = drafted()
        ids["draft_file"] = str(advisories.add_attachment(
            s, who, ids["draft"], filename="draft.txt", kind="document", content_type="text/plain",
            data=b"draft").id)
        ids["review"] = drafted("submit")
        ids["approved"] = drafted("submit", "approve")
        ids["published"] = advisories.draft_from_case(s, who, number).number
        ids["patch"] = str(advisories.add_attachment(
            s, who, ids["published"], filename="fix.patch", kind="patch", content_type="text/x-diff",
            data=b"--- a\n+++ b\n").id)
        for action in ("submit", "approve", "publish"):
            advisories.transition(s, who, rt.gate_rules, ids["published"], action)
        # Attached after publication: the published revision does not list it, and exploits never leave.
        ids["exploit"] = str(advisories.add_attachment(
            s, who, ids["published"], filename="x.py", kind="exploit", content_type="text/plain", data=b"pwn").id)
    return world


@pytest.fixture
def world(rt: Runtime, factory: Factory) -> Iterator[World]:
    with TestClient(create_app(rt)) as client:
        yield build(rt, factory, client)


CELLS = [pytest.param(op, who, status, id=f"{op}-{who}")
         for op, row in EXPECTED.items() for who, status in zip(PRINCIPALS, row, strict=True)]


def test_table_covers_every_operation() -> None:
    assert set(EXPECTED) == set(OPS)


@pytest.mark.parametrize(("op", "principal", "expected"), CELLS)
def test_matrix(world: World, op: str, principal: str, expected: int) -> None:
    resp = OPS[op](world, world.headers(principal))

    assert resp.status_code == expected, f"{op} as {principal}: {resp.status_code} {resp.text[:300]}"
    if expected >= 400:
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["status"] == expected


# What each principal gets from GET /api/v1/advisories: (view, numbers listed).
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_list_shows_only_what_the_principal_may_see(world: World, principal: str) -> None:
    internal = {"draft", "review", "approved", "published"}
    expected = ("internal", internal) if principal in ("viewer", "analyst", "manager", "admin") else \
        ("public", {"published"}) if principal == "anonymous" else ("internal", set())
    by_number = {v: k for k, v in world.ids.items()}

    body = world.client.get("/api/v1/advisories", headers=world.headers(principal)).json()

    seen = {by_number.get(i["number"], i["number"]) for i in body["items"]}
    assert {i["view"] for i in body["items"]} <= {expected[0]}
    assert seen == expected[1]
    public = world.client.get("/api/v1/advisories?view=public", headers=world.headers(principal)).json()
    assert [by_number.get(i["number"]) for i in public["items"]] == ["published"]


@pytest.mark.parametrize("principal", ["anonymous", "other_org", "overseas"])
def test_published_advisory_shows_outsiders_the_public_view_only(world: World, principal: str) -> None:
    body = world.client.get(f"/api/v1/advisories/{world.ids['published']}", headers=world.headers(principal)).json()
    assert body["view"] == "public"
    assert "state" not in body and "version" not in body and "in_operator_system" not in body
    assert [a["filename"] for a in body["attachments"]] == ["fix.patch"]


@pytest.mark.parametrize("principal", ["anonymous", "other_org", "overseas"])
def test_hidden_advisory_looks_exactly_like_a_missing_one(world: World, principal: str) -> None:
    headers = world.headers(principal)
    hidden = world.client.get(f"/api/v1/advisories/{world.ids['draft']}", headers=headers).json()
    absent = world.client.get("/api/v1/advisories/WA-SA-2099-9999", headers=headers).json()
    for body in (hidden, absent):
        body.pop("instance")
        body["detail"] = body["detail"].replace(world.ids["draft"], "X").replace("WA-SA-2099-9999", "X")
    assert hidden == absent
