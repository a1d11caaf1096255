"""``/api/v1/advisories``: the lifecycle to publication, the gate's refusal as problem+json, and the
public view that never shows anything unpublished."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.api.conftest import assert_problem, bearer, error_fields, new_case, patch_case
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime

HIGH_31 = "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"


@dataclass
class Team:
    analyst: dict[str, str]
    manager: dict[str, str]


@pytest.fixture
def team(factory: Factory) -> Team:
    org = factory.org("acme-psirt", roles=("provider",))
    return Team(analyst=bearer(factory.token(factory.user(org, "analyst"))),
                manager=bearer(factory.token(factory.user(org, "manager"))))


def fixed_case(client: TestClient, team: Team, **fields: Any) -> dict[str, Any]:
    """A case whose provider fix is available (PUB-1) and written down (PUB-5)."""
    case = new_case(client, team.analyst, title="Overflow in the X1 update parser", cvss31_vector=HIGH_31)
    return patch_case(client, team.analyst, case, fix_description="Upgrade to firmware 2.3.5",
                      fix_available_at=(datetime.now(UTC) - timedelta(hours=1)).isoformat(), **fields)


def draft(client: TestClient, team: Team, case: dict[str, Any]) -> dict[str, Any]:
    resp = client.post("/api/v1/advisories", json={"case": case["number"]}, headers=team.analyst)
    assert resp.status_code == 201, resp.text
    assert resp.headers["location"] == f"/api/v1/advisories/{resp.json()['number']}"
    body: dict[str, Any] = resp.json()
    return body


def act(client: TestClient, headers: dict[str, str], number: str, action: str, **body: Any) -> Any:
    return client.post(f"/api/v1/advisories/{number}/transitions", json={"action": action, **body}, headers=headers)


def publish(client: TestClient, team: Team, number: str, note: str = "first release") -> dict[str, Any]:
    assert act(client, team.analyst, number, "submit").status_code == 200
    assert act(client, team.manager, number, "approve").status_code == 200
    resp = act(client, team.manager, number, "publish", note=note)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_lifecycle_from_case_to_published(client: TestClient, team: Team) -> None:
    adv = draft(client, team, fixed_case(client, team))
    number = adv["number"]
    assert adv["view"] == "internal" and adv["state"] == "draft" and adv["revision"] == 0
    assert adv["fix"] == "Upgrade to firmware 2.3.5" and adv["cvss31_severity"] == "High"
    assert adv["actions"] == ["submit"]

    assert act(client, team.analyst, number, "submit").json()["state"] == "under_review"
    approved = act(client, team.manager, number, "approve").json()
    assert approved["state"] == "approved"
    gate = client.get(f"/api/v1/advisories/{number}/gate", headers=team.analyst).json()
    assert gate["allowed"] is True and gate["channel"] == "portal"
    assert {r["rule_id"] for r in gate["results"]} >= {"PUB-1", "PUB-2", "PUB-3", "PUB-4", "PUB-5", "PUB-6"}

    published = act(client, team.manager, number, "publish", note="first release").json()
    assert (published["state"], published["revision"]) == ("published", 1)
    assert published["revisions"] == [{"revision": 1, "published_at": published["published_at"],
                                       "note": "first release"}]

    public = client.get(f"/api/v1/advisories/{number}").json()
    assert public["view"] == "public" and public["status"] == "published"
    assert public["fix"] == "Upgrade to firmware 2.3.5" and public["cvss31"]["severity"] == "High"
    assert "state" not in public and "version" not in public
    assert public["url"].endswith(f"/advisories/{number}")
    listed = client.get("/api/v1/advisories").json()
    assert [i["number"] for i in listed["items"]] == [number] and listed["total"] == 1


def test_refusal_lists_every_refusing_rule(rt: Runtime, client: TestClient, team: Team) -> None:
    case = new_case(client, team.analyst, title="Overflow without a fix yet")
    number = draft(client, team, case)["number"]
    client.patch(f"/api/v1/advisories/{number}", json={"title": "超危 flaw in X1"}, headers=team.analyst)
    act(client, team.analyst, number, "submit")
    act(client, team.manager, number, "approve")

    resp = act(client, team.manager, number, "publish")

    body = assert_problem(resp, 409)
    assert error_fields(body) == {"PUB-1", "PUB-3", "PUB-5"}
    for error in body["errors"]:
        assert " / " in error["message"]  # English / Chinese
    assert body["decision"]["outcome"] == "deny" and body["decision"]["allowed"] is False
    assert body["decision"]["rule_ids"] == ["PUB-1", "PUB-3", "PUB-5"]
    pub1 = next(r for r in body["decision"]["results"] if r["rule_id"] == "PUB-1")
    assert pub1["reason_zh"] and pub1["reason_en"] and pub1["missing"]
    assert client.get(f"/api/v1/advisories/{number}", headers=team.analyst).json()["state"] == "approved"
    assert client.get(f"/api/v1/advisories/{number}").status_code == 404
    with rt.sessions() as s:  # the refusal itself stays in the audit log
        decided = s.execute(select(AuditEvent).where(AuditEvent.tag == "vulns:gate:decided")).scalars().all()
        assert any(e.data["decision"]["outcome"] == "deny" and not e.data["dry_run"] for e in decided)


def test_anonymous_sees_only_published(client: TestClient, team: Team) -> None:
    published = draft(client, team, fixed_case(client, team))
    publish(client, team, published["number"])
    hidden = draft(client, team, fixed_case(client, team))
    attach = client.post(f"/api/v1/advisories/{hidden['number']}/attachments", headers=team.analyst,
                         data={"kind": "patch"}, files={"file": ("fix.patch", b"--- a\n+++ b\n", "text/x-diff")})
    assert attach.status_code == 201, attach.text

    listed = client.get("/api/v1/advisories").json()
    assert [i["number"] for i in listed["items"]] == [published["number"]]
    assert_problem(client.get(f"/api/v1/advisories/{hidden['number']}"), 404)
    assert_problem(client.get(f"/api/v1/advisories/{hidden['id']}"), 404)
    assert_problem(client.get(attach.json()["download"]), 404)
    assert_problem(client.get(f"/api/v1/advisories/{hidden['number']}/gate"), 401)
    # The same 404 as for a number that does not exist: existence does not leak.
    missing = client.get("/api/v1/advisories/WA-SA-2099-9999").json()
    assert client.get(f"/api/v1/advisories/{hidden['number']}").json()["title"] == missing["title"]


def test_other_organisation_gets_the_public_view_only(client: TestClient, team: Team, factory: Factory) -> None:
    outsider = bearer(factory.token(factory.user(factory.org("other-co"), "analyst")))
    adv = draft(client, team, fixed_case(client, team))
    assert_problem(client.get(f"/api/v1/advisories/{adv['number']}", headers=outsider), 404)
    publish(client, team, adv["number"])

    seen = client.get(f"/api/v1/advisories/{adv['number']}", headers=outsider).json()
    assert seen["view"] == "public"
    assert client.get("/api/v1/advisories", headers=outsider).json()["items"] == []
    feed = client.get("/api/v1/advisories?view=public", headers=outsider).json()
    assert [i["number"] for i in feed["items"]] == [adv["number"]]


def test_unpublished_edits_stay_internal(client: TestClient, team: Team) -> None:
    adv = draft(client, team, fixed_case(client, team))
    number = adv["number"]
    publish(client, team, number)
    resp = client.patch(f"/api/v1/advisories/{number}", headers=team.analyst,
                        json={"title": "Secret new title", "description": "not public yet", "cvss31_vector": ""})
    assert resp.status_code == 200, resp.text
    assert resp.json()["state"] == "published"

    public = client.get(f"/api/v1/advisories/{number}").json()
    assert public["title"] == "Overflow in the X1 update parser" and "not public yet" not in str(public)
    # Neither the search nor the severity filter reveals what the unpublished edit says.
    assert client.get("/api/v1/advisories?q=Secret").json()["total"] == 0
    assert client.get("/api/v1/advisories?q=update+parser").json()["total"] == 1
    assert client.get("/api/v1/advisories?severity=high").json()["total"] == 1


def test_exploit_attachment_is_never_downloadable_publicly(client: TestClient, team: Team) -> None:
    number = draft(client, team, fixed_case(client, team))["number"]
    url = f"/api/v1/advisories/{number}/attachments"
    patch = client.post(url, headers=team.analyst, data={"kind": "patch"},
                        files={"file": ("fix.patch", b"--- a/x\n+++ b/x\n", "text/x-diff")}).json()
    exploit = client.post(url, headers=team.analyst, data={"kind": "exploit"},
                          files={"file": ("x.py", b"print('pwn')", "text/x-python")}).json()
    refused = act(client, team.analyst, number, "submit")
    assert refused.status_code == 200
    act(client, team.manager, number, "approve")
    body = assert_problem(act(client, team.manager, number, "publish"), 409)
    assert error_fields(body) == {"PUB-4"}

    # Publication is refused while the exploit is attached, and its download stays internal.
    assert client.get(exploit["download"], headers=team.analyst).content == b"print('pwn')"
    assert_problem(client.get(exploit["download"]), 404)
    assert_problem(client.get(patch["download"]), 404)
    assert client.get(f"/api/v1/advisories/{number}/gate", headers=team.analyst).json()["rule_ids"] == ["PUB-4"]


def test_published_attachment_download_and_exploit_kind_on_a_later_revision(client: TestClient, team: Team) -> None:
    number = draft(client, team, fixed_case(client, team))["number"]
    patch = client.post(f"/api/v1/advisories/{number}/attachments", headers=team.analyst, data={"kind": "patch"},
                        files={"file": ("fix ü.patch", b"--- a/x\n+++ b/x\n", "text/x-diff")}).json()
    publish(client, team, number)

    public = client.get(f"/api/v1/advisories/{number}").json()
    assert [a["id"] for a in public["attachments"]] == [patch["id"]]
    resp = client.get(patch["download"])
    assert resp.status_code == 200 and resp.content == b"--- a/x\n+++ b/x\n"
    assert resp.headers["content-type"] == "application/octet-stream"
    assert resp.headers["content-disposition"].startswith("attachment;")
    assert resp.headers["x-content-type-options"] == "nosniff"

    # An exploit attached after publication is not in the published revision: never public.
    exploit = client.post(f"/api/v1/advisories/{number}/attachments", headers=team.analyst,
                          data={"kind": "exploit"}, files={"file": ("x.py", b"pwn", "text/plain")}).json()
    assert_problem(client.get(exploit["download"]), 404)


def test_withdrawn_stays_listed_as_withdrawn(client: TestClient, team: Team) -> None:
    number = draft(client, team, fixed_case(client, team))["number"]
    publish(client, team, number)

    no_reason = act(client, team.manager, number, "withdraw")
    assert error_fields(assert_problem(no_reason, 422)) == {"note"}
    assert act(client, team.manager, number, "withdraw", note="duplicate of WA-SA-2026-0001").status_code == 200

    public = client.get(f"/api/v1/advisories/{number}").json()
    assert public["status"] == "withdrawn" and public["withdrawn_reason"] == "duplicate of WA-SA-2026-0001"
    assert public["description"] is None and public["fix"] is None and public["attachments"] is None
    listed = client.get("/api/v1/advisories").json()["items"]
    assert [(i["number"], i["status"]) for i in listed] == [(number, "withdrawn")]
    assert_problem(client.patch(f"/api/v1/advisories/{number}", json={"title": "x"}, headers=team.manager), 409)


def test_optimistic_locking(client: TestClient, team: Team) -> None:
    adv = draft(client, team, fixed_case(client, team))
    number, version = adv["number"], adv["version"]
    first = client.patch(f"/api/v1/advisories/{number}", json={"credits": "Li Lei", "version": version},
                         headers=team.analyst)
    assert first.status_code == 200 and first.headers["etag"] == f'"{version + 1}"'

    stale = client.patch(f"/api/v1/advisories/{number}", json={"credits": "Han Meimei", "version": version},
                         headers=team.analyst)
    body = assert_problem(stale, 409)
    assert body["current_version"] == version + 1
    stale_header = client.patch(f"/api/v1/advisories/{number}", json={"credits": "Han Meimei"},
                                headers={**team.analyst, "If-Match": f'"{version}"'})
    assert_problem(stale_header, 409)
    stale_action = act(client, team.analyst, number, "submit", version=version)
    assert_problem(stale_action, 409)
    fresh = client.patch(f"/api/v1/advisories/{number}", json={"credits": "Han Meimei"},
                         headers={**team.analyst, "If-Match": f'"{version + 1}"'})
    assert fresh.status_code == 200 and fresh.json()["credits"] == "Han Meimei"


def test_invalid_edits_and_uploads_are_problems(client: TestClient, team: Team) -> None:
    number = draft(client, team, fixed_case(client, team))["number"]
    bad = client.patch(f"/api/v1/advisories/{number}", headers=team.analyst, json={
        "references": ["javascript:alert(1)"], "cvss31_vector": "CVSS:3.1/nope", "title": ""})
    assert error_fields(assert_problem(bad, 422)) == {"references", "cvss31_vector", "title"}
    naive = client.patch(f"/api/v1/advisories/{number}", headers=team.analyst,
                         json={"evaluated_at": "2026-01-01T10:00:00"})
    assert_problem(naive, 422)
    upload = client.post(f"/api/v1/advisories/{number}/attachments", headers=team.analyst,
                         data={"kind": "malware"}, files={"file": ("a.bin", b"x", "application/octet-stream")})
    assert error_fields(assert_problem(upload, 422)) == {"kind"}
    empty = client.post(f"/api/v1/advisories/{number}/attachments", headers=team.analyst,
                        data={"kind": "patch"}, files={"file": ("a.bin", b"", "application/octet-stream")})
    assert error_fields(assert_problem(empty, 422)) == {"file"}
    assert_problem(client.post("/api/v1/advisories", json={"case": "WA-2099-0001"}, headers=team.analyst), 404)


def test_held_attachment_is_cleared_by_a_manager(client: TestClient, team: Team) -> None:
    number = draft(client, team, fixed_case(client, team))["number"]
    suspicious = b"#!/usr/bin/env python3\nimport socket\ns = socket.socket()\ns.connect((target, 80))\n" \
                 b"payload = b'A' * 1024 + shellcode\ns.send(payload)\n"
    att = client.post(f"/api/v1/advisories/{number}/attachments", headers=team.analyst, data={"kind": "poc"},
                      files={"file": ("poc.py", suspicious, "text/x-python")}).json()
    gate = client.get(f"/api/v1/advisories/{number}/gate", headers=team.analyst).json()
    if gate["outcome"] != "hold":
        pytest.skip("the rules file's heuristics do not hold this sample")
    assert_problem(client.post(f"/api/v1/advisories/{number}/attachments/{att['id']}/clear",
                               headers=team.analyst), 403)
    cleared = client.post(f"/api/v1/advisories/{number}/attachments/{att['id']}/clear", headers=team.manager)
    assert cleared.status_code == 200 and cleared.json()["human_cleared"] is True
    assert client.get(f"/api/v1/advisories/{number}/gate", headers=team.analyst).json()["outcome"] == "allow"
