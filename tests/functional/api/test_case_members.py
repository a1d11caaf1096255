"""Case members over the API (Art. 11 need-to-know): ``GET|POST /api/v1/cases/{ref}/members`` and
``DELETE …/members/{email}``.

On a collection platform an analyst of the owning organisation who is not a member of an
undisclosed case gets 404 for it and does not see it listed; a manager adds them (200 from then
on) and removes them (404 again). Managers and administrators always read the case. Outside
collection-platform mode the list is kept the same way but grants nothing extra."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Factory
from tests.functional.api.conftest import assert_problem, bearer, error_fields, new_case
from wangan.kernel.models import Organisation, User
from wangan.runtime import Runtime


def _platform_mode(rt: Runtime) -> None:
    rt.settings = rt.settings.model_copy(update={"collection_platform": True})


@dataclass
class Team:
    """The collector organisation: whoever opens the case, a colleague who is not on it, a viewer,
    a manager; an administrator; a manager of another organisation."""

    org: Organisation
    opener: User
    colleague: User
    viewer: User
    manager: User
    headers: dict[str, dict[str, str]]

    def __getitem__(self, who: str) -> dict[str, str]:
        return self.headers[who]


@pytest.fixture
def team(factory: Factory) -> Team:
    org = factory.org("collector")
    users = {"opener": factory.user(org, "analyst"), "colleague": factory.user(org, "analyst"),
             "viewer": factory.user(org, "viewer"), "manager": factory.user(org, "manager"),
             "admin": factory.user(None, "admin"),
             "other_manager": factory.user(factory.org("elsewhere"), "manager")}
    headers = {name: bearer(factory.token(user)) for name, user in users.items()}
    return Team(org=org, opener=users["opener"], colleague=users["colleague"], viewer=users["viewer"],
                manager=users["manager"], headers=headers)


def _members(client: TestClient, headers: dict[str, str], number: str) -> list[dict[str, Any]]:
    resp = client.get(f"/api/v1/cases/{number}/members", headers=headers)
    assert resp.status_code == 200, resp.text
    body: list[dict[str, Any]] = resp.json()
    return body


def _add(client: TestClient, headers: dict[str, str], number: str, email: str) -> Any:
    return client.post(f"/api/v1/cases/{number}/members", json={"email": email}, headers=headers)


def _listed(client: TestClient, headers: dict[str, str]) -> list[str]:
    resp = client.get("/api/v1/cases", headers=headers)
    assert resp.status_code == 200, resp.text
    return [c["number"] for c in resp.json()["items"]]


def test_membership_opens_the_case_to_an_analyst_and_removal_closes_it(
        rt: Runtime, client: TestClient, team: Team) -> None:
    _platform_mode(rt)
    number = new_case(client, team["opener"])["number"]

    # The opener is the first member; a colleague of the same organisation does not know the case.
    assert [m["email"] for m in _members(client, team["opener"], number)] == [team.opener.email]
    assert_problem(client.get(f"/api/v1/cases/{number}", headers=team["colleague"]), 404)
    assert number not in _listed(client, team["colleague"])
    # Managers and administrators always do.
    for who in ("manager", "admin"):
        assert client.get(f"/api/v1/cases/{number}", headers=team[who]).status_code == 200
        assert number in _listed(client, team[who])

    added = _add(client, team["manager"], number, team.colleague.email)
    assert added.status_code == 201, added.text
    member = added.json()
    assert (member["email"], member["role"], member["added_by"]) == (team.colleague.email, "analyst",
                                                                     team.manager.email)
    assert member["user_id"] == str(team.colleague.id) and member["added_at"]
    assert client.get(f"/api/v1/cases/{number}", headers=team["colleague"]).status_code == 200
    assert number in _listed(client, team["colleague"])
    assert [m["email"] for m in _members(client, team["colleague"], number)] == [team.opener.email,
                                                                                 team.colleague.email]

    removed = client.delete(f"/api/v1/cases/{number}/members/{team.colleague.email}", headers=team["manager"])
    assert removed.status_code == 204 and removed.content == b""
    assert_problem(client.get(f"/api/v1/cases/{number}", headers=team["colleague"]), 404)
    assert number not in _listed(client, team["colleague"])
    assert client.get(f"/api/v1/cases/{number}", headers=team["manager"]).status_code == 200

    tags = [e["tag"] for e in client.get(f"/api/v1/cases/{number}/timeline", headers=team["manager"]).json()]
    assert tags.count("vulns:case:member-added") == 1 and tags.count("vulns:case:member-removed") == 1


def test_a_non_member_viewer_is_not_told_the_members_on_a_platform(
        rt: Runtime, client: TestClient, team: Team) -> None:
    _platform_mode(rt)
    number = new_case(client, team["opener"])["number"]
    assert_problem(client.get(f"/api/v1/cases/{number}/members", headers=team["viewer"]), 404)
    assert _add(client, team["manager"], number, team.viewer.email).status_code == 201
    assert client.get(f"/api/v1/cases/{number}", headers=team["viewer"]).status_code == 200
    assert len(_members(client, team["viewer"], number)) == 2


def test_outside_platform_mode_the_organisation_reads_without_membership(client: TestClient, team: Team) -> None:
    number = new_case(client, team["opener"])["number"]
    assert client.get(f"/api/v1/cases/{number}", headers=team["colleague"]).status_code == 200
    assert number in _listed(client, team["colleague"])
    assert [m["email"] for m in _members(client, team["viewer"], number)] == [team.opener.email]


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 401), ("viewer", 403), ("opener", 403), ("colleague", 403), ("other_manager", 404),
    ("manager", 201), ("admin", 201),
])
def test_only_managers_of_the_owning_organisation_and_admins_add_members(
        client: TestClient, team: Team, factory: Factory, who: str, status: int) -> None:
    number = new_case(client, team["opener"])["number"]
    newcomer = factory.user(team.org, "analyst")
    resp = _add(client, team.headers.get(who, {}), number, newcomer.email)
    if status == 201:
        assert resp.status_code == 201, resp.text
        assert resp.headers["location"] == f"/api/v1/cases/{number}/members/{newcomer.email}"
    else:
        assert_problem(resp, status)
        assert [m["email"] for m in _members(client, team["manager"], number)] == [team.opener.email]


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 401), ("viewer", 403), ("opener", 403), ("other_manager", 404), ("manager", 204), ("admin", 204),
])
def test_only_managers_of_the_owning_organisation_and_admins_remove_members(
        client: TestClient, team: Team, who: str, status: int) -> None:
    number = new_case(client, team["opener"])["number"]
    assert _add(client, team["manager"], number, team.colleague.email).status_code == 201
    resp = client.delete(f"/api/v1/cases/{number}/members/{team.colleague.email}", headers=team.headers.get(who, {}))
    if status == 204:
        assert resp.status_code == 204, resp.text
    else:
        assert_problem(resp, status)
    remaining = {m["email"] for m in _members(client, team["manager"], number)}
    assert (team.colleague.email in remaining) is (status != 204)


def test_reading_the_members_needs_a_token_and_the_owning_organisation(client: TestClient, team: Team) -> None:
    number = new_case(client, team["opener"])["number"]
    assert_problem(client.get(f"/api/v1/cases/{number}/members"), 401)
    assert_problem(client.get(f"/api/v1/cases/{number}/members", headers=team["other_manager"]), 404)
    assert_problem(client.get("/api/v1/cases/WA-2026-999999/members", headers=team["manager"]), 404)
    assert len(_members(client, team["admin"], number)) == 1


def test_who_may_become_a_member_is_validated(client: TestClient, team: Team, factory: Factory) -> None:
    number = new_case(client, team["opener"])["number"]
    manager = team["manager"]

    assert error_fields(assert_problem(_add(client, manager, number, ""), 422)) == {"email"}
    assert error_fields(assert_problem(client.post(f"/api/v1/cases/{number}/members", json={}, headers=manager),
                                       422)) == {"email"}
    assert "extra" in error_fields(assert_problem(client.post(
        f"/api/v1/cases/{number}/members", json={"email": team.colleague.email, "extra": 1}, headers=manager), 422))
    assert "no user" in assert_problem(_add(client, manager, number, "nobody@example.org"), 422)["detail"]
    outsider = factory.user(factory.org("third"), "analyst")
    assert "share the case" in assert_problem(_add(client, manager, number, outsider.email), 422)["detail"]
    reporter = factory.user(team.org, "reporter")
    assert_problem(_add(client, manager, number, reporter.email), 422)
    assert "already a member" in assert_problem(_add(client, manager, number, team.opener.email), 409)["detail"]
    assert_problem(client.delete(f"/api/v1/cases/{number}/members/{team.colleague.email}", headers=manager), 404)
    assert [m["email"] for m in _members(client, manager, number)] == [team.opener.email]
