"""Authorization matrix of UNDISCLOSED data (issue 3): every principal against every surface that
can show an undisclosed case — the JSON API, the web pages, the public portal, the Atom feed and
the exports (NVDB packet, attachments).

The data set, built once for the module: a domestic provider organisation owns an undisclosed case
(its title, report and attachments carry ``SECRET``) about a product whose vendor is an overseas
organisation, the overseas provider. The case has an unpublished advisory draft and was opened
from a report. The case is shared with the overseas provider, which PUB-7 allows because it
provides the product; sharing it with another overseas organisation was refused (409). A second
case of the same organisation has a PUBLISHED advisory (``PUBLIC``), for contrast: everyone sees
that one on the portal, in the feed and through the anonymous API.

Principals (columns). Those starting ``p_`` ask while the instance is a collection platform
(Art. 10, 11: need-to-know), the others while it is not:

- ``anon``        anonymous
- ``other``       analyst of another domestic organisation, no share
- ``overseas``    analyst of an overseas organisation, after the share with it was refused
- ``os_prov``     analyst of the overseas provider of the product, the case shared with it
- ``member``      the analyst of the owning organisation who opened the case (its first member)
- ``colleague``   another analyst of the owning organisation, not a member of the case
- ``admin``       an administrator
- ``p_colleague`` the same colleague on a collection platform: not a member, so not found
- ``p_member``    an analyst of the owning organisation whom a manager added to the case
- ``p_manager``   a manager of the owning organisation (managers read everything of their org)

Status codes: 401 the API needs a token; 303 a web page sends an anonymous visitor to sign in;
404 not found — what a record the principal may not know looks like; 403 the principal knows the
case but may not do this; 409/422 the write was authorized and then refused for its content (the
write bodies are chosen so that nothing changes)."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from tests.conftest import REPO, Factory, _empty_all_tables
from tests.functional.web.conftest import BROWSER, Browser
from wangan.config import Settings
from wangan.kernel import auth
from wangan.kernel.models import AuditEvent, Organisation, User
from wangan.runtime import Runtime, build_runtime
from wangan.server import create_app
from wangan.vulns import members
from wangan.vulns.models import CaseShare, Product

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # older starlette warns about its TestClient at import time
    from fastapi.testclient import TestClient

SECRET = "ZQX-UNDISCLOSED-4417"
SEARCH = SECRET.removeprefix("ZQX-")  # matches the records; a page echoing the query shows no SECRET
PUBLIC = "ZQX-PUBLISHED-8830"
CRITICAL_31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
GATE_DECIDED = "vulns:gate:decided"

PRINCIPALS = ("anon", "other", "overseas", "os_prov", "member", "colleague", "admin",
              "p_colleague", "p_member", "p_manager")
# Which user each principal signs in as ("p_colleague" is the same person as "colleague").
USER_OF = {"other": "other", "overseas": "overseas", "os_prov": "vendor", "member": "member",
           "colleague": "colleague", "admin": "admin", "p_colleague": "colleague", "p_member": "added",
           "p_manager": "manager"}

# ---------------------------------------------------------------------------------------------
# Expected status of each surface (rows) for each principal (columns).
# A 200 on a row listed in SHOWS shows the marker; every 303/4xx body is free of SECRET.
#
#                                      anon other overseas os_prov member colleague admin p_coll p_memb p_mgr
STATUS: dict[str, tuple[int, ...]] = {
    # --- JSON API: the undisclosed case, its report and its draft advisory ---
    "api case":                        (401, 404, 404, 200, 200, 200, 200, 404, 200, 200),
    "api case timeline":               (401, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "api nvdb packet (export)":        (401, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "api case shares":                 (401, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "api case messages":               (401, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "api publication requests":        (401, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "api finder view of case":         (401, 404, 404, 404, 403, 403, 403, 404, 403, 403),
    "api case members":                (401, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "api case forwards":               (401, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    # the Art. 11 read log is for reviewers only (admins; managers for their own organisation)
    "api read log of the case":        (401, 403, 403, 403, 403, 403, 200, 403, 403, 200),
    "api report":                      (401, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "api report attachment":           (401, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "api draft advisory":              (404, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "api draft attachment":            (404, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "api draft gate check":            (401, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "api gate dry run of draft":       (401, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    # --- JSON API writes, with bodies that change nothing (no-op edit, repeated share, bad move) ---
    "api patch case (no-op)":          (401, 404, 404, 403, 200, 200, 200, 404, 200, 200),
    "api share again":                 (401, 404, 404, 403, 409, 409, 409, 404, 409, 409),
    "api unknown transition":          (401, 404, 404, 403, 422, 422, 422, 404, 422, 422),
    # --- web pages of the signed-in UI ---
    "web case page":                   (303, 404, 404, 200, 200, 200, 200, 404, 200, 200),
    "web nvdb page (export)":          (303, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "web nvdb.json (export)":          (303, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "web report page":                 (303, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "web report attachment":           (303, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "web draft advisory":              (303, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "web draft attachment":            (303, 404, 404, 404, 200, 200, 200, 404, 200, 200),
    "web finder view of case":         (303, 404, 404, 404, 403, 403, 403, 404, 403, 403),
    # --- the public portal never shows an unpublished advisory, not even to its owners ---
    "portal draft page":               (404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "portal draft attachment":         (404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # --- contrast: the PUBLISHED advisory of the other case, for everyone ---
    "portal published page":           (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api published advisory":          (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}

# Whether the marker appears in each list, feed or search (rows) for each principal (columns).
# Y: listed; _: absent. The rows marked (published) look for PUBLIC, all others for SECRET.
Y, _ = True, False
#                                      anon other overseas os_prov member colleague admin p_coll p_memb p_mgr
LISTED: dict[str, tuple[bool, ...]] = {
    "api cases list":                  (_,   _,    _,    Y,    Y,    Y,    Y,    _,    Y,    Y),
    "api cases search":                (_,   _,    _,    Y,    Y,    Y,    Y,    _,    Y,    Y),
    "api reports list":                (_,   _,    _,    _,    Y,    Y,    Y,    _,    Y,    Y),
    "api advisories list":             (_,   _,    _,    _,    Y,    Y,    Y,    _,    Y,    Y),
    "api advisories public list":      (_,   _,    _,    _,    _,    _,    _,    _,    _,    _),
    "api finder cases list":           (_,   _,    _,    _,    _,    _,    _,    _,    _,    _),
    "web dashboard":                   (_,   _,    _,    Y,    Y,    Y,    Y,    _,    Y,    Y),
    "web cases list":                  (_,   _,    _,    Y,    Y,    Y,    Y,    _,    Y,    Y),
    "web reports list":                (_,   _,    _,    _,    Y,    Y,    Y,    _,    Y,    Y),
    "web advisories list":             (_,   _,    _,    _,    Y,    Y,    Y,    _,    Y,    Y),
    "web my reports":                  (_,   _,    _,    _,    _,    _,    _,    _,    _,    _),
    "portal list":                     (_,   _,    _,    _,    _,    _,    _,    _,    _,    _),
    "portal search":                   (_,   _,    _,    _,    _,    _,    _,    _,    _,    _),
    "atom feed":                       (_,   _,    _,    _,    _,    _,    _,    _,    _,    _),
    "portal list (published)":         (Y,   Y,    Y,    Y,    Y,    Y,    Y,    Y,    Y,    Y),
    "atom feed (published)":           (Y,   Y,    Y,    Y,    Y,    Y,    Y,    Y,    Y,    Y),
    "api public list (published)":     (Y,   Y,    Y,    Y,    Y,    Y,    Y,    Y,    Y,    Y),
}

# Rows whose 200 carries the record's content (the marker); the others answer with metadata only.
SHOWS = {"api case", "api case timeline", "api nvdb packet (export)", "api report", "api report attachment",
         "api draft advisory", "api draft attachment", "api patch case (no-op)", "web case page",
         "web nvdb page (export)", "web nvdb.json (export)", "web report page", "web report attachment",
         "web draft advisory", "web draft attachment", "portal published page", "api published advisory"}
PUBLISHED_ROWS = {"portal published page", "api published advisory", "portal list (published)",
                  "atom feed (published)", "api public list (published)"}

# Cells where the product is known to be wrong: (surface, principal) -> reason. Filled in only
# after a run showed the failure; each becomes a strict xfail.
KNOWN_WRONG: dict[tuple[str, str], str] = {}


# ---------------------------------------------------------------------------------------------
# The world, built once per module on a runtime of its own.

@dataclass
class World:
    rt: Runtime
    app: Any
    client: TestClient
    ids: dict[str, str] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    browsers: dict[str, Browser] = field(default_factory=dict)
    refused_share: httpx.Response | None = None

    def headers(self, principal: str) -> dict[str, str]:
        if principal == "anon":
            return {}
        return {"Authorization": f"Bearer {self.tokens[USER_OF[principal]]}"}

    def browser(self, principal: str) -> Browser:
        return self.browsers["anon" if principal == "anon" else USER_OF[principal]]

    @contextmanager
    def platform(self, on: bool) -> Iterator[None]:
        """Collection-platform mode for the requests made inside (read per request from settings)."""
        before = self.rt.settings
        self.rt.settings = before.model_copy(update={"collection_platform": on})
        try:
            yield
        finally:
            self.rt.settings = before

    def ask(self, surface: Callable[[World, str], httpx.Response], principal: str) -> httpx.Response:
        with self.platform(principal.startswith("p_")):
            return surface(self, principal)

    def gate_events(self, channel: str) -> list[AuditEvent]:
        with self.rt.sessions() as s:
            rows = s.execute(select(AuditEvent).where(
                AuditEvent.tag == GATE_DECIDED, AuditEvent.subject_type == "case",
                AuditEvent.subject_id == self.ids["case_id"]).order_by(AuditEvent.id)).scalars().all()
        return [e for e in rows if e.data.get("channel") == channel]


def _ok(resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code in (200, 201), resp.text
    body: dict[str, Any] = resp.json()
    return body


def _build(rt: Runtime) -> World:
    factory = Factory(rt)
    app = create_app(rt)
    client = TestClient(app, base_url="http://testserver")
    client.__enter__()
    world = World(rt=rt, app=app, client=client)
    orgs, users, ids = world.orgs, world.users, world.ids

    orgs["owner"] = factory.org("owner-psirt", roles=("provider", "operator"))
    orgs["vendor"] = factory.org("os-vendor", jurisdiction="overseas")
    orgs["other"] = factory.org("other-cn")
    orgs["overseas"] = factory.org("overseas-lab", jurisdiction="overseas")
    for name, org_key, role in (("member", "owner", "analyst"), ("colleague", "owner", "analyst"),
                                ("added", "owner", "analyst"), ("manager", "owner", "manager"),
                                ("other", "other", "analyst"), ("overseas", "overseas", "analyst"),
                                ("vendor", "vendor", "analyst"), ("admin", None, "admin")):
        users[name] = factory.user(orgs[org_key] if org_key else None, role)
        world.tokens[name] = factory.token(users[name])
    member, manager = world.headers("member"), {"Authorization": f"Bearer {world.tokens['manager']}"}

    # The report the case is opened from, with an attachment; sent without an account.
    receipt = _ok(client.post("/api/v1/reports", data={
        "title": f"Report {SECRET}", "content": f"the details of {SECRET}", "reporter_contact": "f@example.net",
        "organisation": "owner-psirt"}, files=[("attachments", ("poc.txt", f"poc {SECRET}".encode(), "text/plain"))]))
    ids["report"], ids["report_att"] = receipt["id"], receipt["attachments"][0]["id"]

    # The product is made by the overseas provider: its vendor is that organisation's name.
    ids["product"] = _ok(client.post("/api/v1/products", headers=member, json={
        "vendor": orgs["vendor"].name, "name": "Router X1", "model": "X1-Pro", "versions": ["2.3.0"]}))["id"]
    case = _ok(client.post("/api/v1/cases", headers=member, json={
        "title": f"Overflow {SECRET}", "report_id": ids["report"], "product_id": ids["product"],
        "affected_versions": "2.3.0", "technical_characteristics": "stack overflow", "harm": "remote code execution",
        "impact_scope": "all X1 routers", "cvss31_vector": CRITICAL_31}))
    ids["case"], ids["case_id"], ids["harm"] = case["number"], case["id"], case["harm"]

    draft = _ok(client.post("/api/v1/advisories", headers=member, json={"case": ids["case"]}))
    ids["draft"] = draft["number"]
    ids["draft_att"] = _ok(client.post(f"/api/v1/advisories/{ids['draft']}/attachments", headers=member,
                                       data={"kind": "document"},
                                       files={"file": ("notes.txt", f"notes {SECRET}".encode(), "text/plain")}))["id"]

    # The contrast: another case of the same organisation, fixed, with a published advisory.
    other_case = _ok(client.post("/api/v1/cases", headers=member, json={"title": f"Patched {PUBLIC}"}))
    fixed_at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    _ok(client.patch(f"/api/v1/cases/{other_case['number']}", headers=member,
                     json={"fix_description": "Upgrade to 2.4.0", "fix_available_at": fixed_at}))
    ids["published"] = _ok(client.post("/api/v1/advisories", headers=member,
                                       json={"case": other_case["number"]}))["number"]
    for action, who in (("submit", member), ("approve", manager), ("publish", manager)):
        _ok(client.post(f"/api/v1/advisories/{ids['published']}/transitions", headers=who, json={"action": action}))

    # Shares: the overseas provider is allowed (PUB-7); another overseas organisation is refused.
    _ok(client.post(f"/api/v1/cases/{ids['case']}/shares", headers=member, json={"organisation": "os-vendor"}))
    world.refused_share = client.post(f"/api/v1/cases/{ids['case']}/shares", headers=member,
                                      json={"organisation": "overseas-lab"})

    # Need-to-know: a manager puts one more analyst on the case.
    with rt.sessions.begin() as s:
        members.add_member(s, factory.principal(users["manager"]), ids["case"], users["added"].email,
                           at=datetime.now(UTC))

    # One browser per person (its own cookies); the anonymous one never signs in.
    world.browsers["anon"] = Browser(TestClient(app, headers=BROWSER, follow_redirects=False))
    for name, user in users.items():
        browser = Browser(TestClient(app, headers=BROWSER, follow_redirects=False))
        browser.login(user)
        world.browsers[name] = browser
    return world


@pytest.fixture(scope="module")
def world(engine: Engine, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data: Path = tmp_path_factory.mktemp("undisclosed")
    settings = Settings(data_dir=data / "data", database_url=database_url, rules_dir=REPO / "rules", env="test",
                        base_url="http://testserver", admin_email="admin@example.org",
                        security_contact="mailto:psirt@example.org", intake_rate_per_minute=1000)
    rt = build_runtime(settings, migrate=False, engine=engine)
    built: World | None = None
    try:
        with pytest.MonkeyPatch.context() as mp:
            # Production-cost Argon2 would dominate the set-up; hashing is not what is tested here.
            mp.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
            built = _build(rt)
            yield built
    finally:
        if built is not None:
            for browser in built.browsers.values():
                browser.client.close()
            built.client.__exit__(None, None, None)
        _empty_all_tables(engine)


# ---------------------------------------------------------------------------------------------
# Surfaces.

Surface = Callable[[World, str], httpx.Response]


def api(path: str) -> Surface:
    return lambda w, p: w.client.get(path.format(**w.ids), headers=w.headers(p))


def web(path: str) -> Surface:
    return lambda w, p: w.browser(p).get(path.format(**w.ids))


def _public_list(w: World, p: str) -> httpx.Response:
    return w.client.get("/api/v1/advisories?view=public", headers=w.headers(p))


SURFACES: dict[str, Surface] = {
    "api case": api("/api/v1/cases/{case}"),
    "api case timeline": api("/api/v1/cases/{case}/timeline"),
    "api nvdb packet (export)": api("/api/v1/cases/{case}/nvdb-report"),
    "api case shares": api("/api/v1/cases/{case}/shares"),
    "api case messages": api("/api/v1/cases/{case}/messages"),
    "api publication requests": api("/api/v1/cases/{case}/publication-requests"),
    "api finder view of case": api("/api/v1/finder/cases/{case}"),
    "api case members": api("/api/v1/cases/{case}/members"),
    "api case forwards": api("/api/v1/cases/{case}/forwards"),
    "api read log of the case": api("/api/v1/platform/read-log?case={case}"),
    "api report": api("/api/v1/reports/{report}"),
    "api report attachment": api("/api/v1/reports/{report}/attachments/{report_att}"),
    "api draft advisory": api("/api/v1/advisories/{draft}"),
    "api draft attachment": api("/api/v1/advisories/{draft}/attachments/{draft_att}"),
    "api draft gate check": api("/api/v1/advisories/{draft}/gate"),
    "api gate dry run of draft": lambda w, p: w.client.post("/api/v1/gate/decisions", headers=w.headers(p),
                                                            json={"channel": "portal", "advisory": w.ids["draft"]}),
    "api patch case (no-op)": lambda w, p: w.client.patch(f"/api/v1/cases/{w.ids['case']}", headers=w.headers(p),
                                                          json={"harm": w.ids["harm"]}),
    "api share again": lambda w, p: w.client.post(f"/api/v1/cases/{w.ids['case']}/shares", headers=w.headers(p),
                                                  json={"organisation": "os-vendor"}),
    "api unknown transition": lambda w, p: w.client.post(f"/api/v1/cases/{w.ids['case']}/transitions",
                                                         headers=w.headers(p), json={"transition": "no-such-move"}),
    "web case page": web("/cases/{case}"),
    "web nvdb page (export)": web("/cases/{case}/nvdb"),
    "web nvdb.json (export)": web("/cases/{case}/nvdb.json"),
    "web report page": web("/reports/{report}"),
    "web report attachment": web("/reports/{report}/attachments/{report_att}"),
    "web draft advisory": web("/manage/advisories/{draft}"),
    "web draft attachment": web("/manage/advisories/{draft}/attachments/{draft_att}"),
    "web finder view of case": web("/my/cases/{case}"),
    "portal draft page": web("/advisories/{draft}"),
    "portal draft attachment": web("/advisories/{draft}/attachments/{draft_att}"),
    "portal published page": web("/advisories/{published}"),
    "api published advisory": api("/api/v1/advisories/{published}"),
    # lists, searches and feeds
    "api cases list": api("/api/v1/cases?limit=200"),
    "api cases search": api(f"/api/v1/cases?q={SEARCH}"),
    "api reports list": api("/api/v1/reports?limit=200"),
    "api advisories list": api("/api/v1/advisories?limit=200"),
    "api advisories public list": _public_list,
    "api finder cases list": api("/api/v1/finder/cases"),
    "web dashboard": web("/"),
    "web cases list": web("/cases"),
    "web reports list": web("/reports"),
    "web advisories list": web("/manage/advisories"),
    "web my reports": web("/my/reports"),
    "portal list": web("/advisories"),
    "portal search": web(f"/advisories?q={SEARCH}"),
    "atom feed": web("/advisories.atom"),
    "portal list (published)": web("/advisories"),
    "atom feed (published)": web("/advisories.atom"),
    "api public list (published)": _public_list,
}


def _cell(row: str, who: str, value: object) -> Any:
    reason = KNOWN_WRONG.get((row, who))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(row, who, value, id=f"{row}-{who}", marks=marks)


STATUS_CELLS = [_cell(row, who, status) for row, statuses in STATUS.items()
                for who, status in zip(PRINCIPALS, statuses, strict=True)]
LISTED_CELLS = [_cell(row, who, shown) for row, shown_by in LISTED.items()
                for who, shown in zip(PRINCIPALS, shown_by, strict=True)]


def test_tables_cover_every_surface() -> None:
    assert set(STATUS) | set(LISTED) == set(SURFACES)
    assert not set(STATUS) & set(LISTED)
    assert set(STATUS) >= SHOWS and set(SURFACES) >= PUBLISHED_ROWS


@pytest.mark.parametrize(("surface", "principal", "expected"), STATUS_CELLS)
def test_status(world: World, surface: str, principal: str, expected: int) -> None:
    resp = world.ask(SURFACES[surface], principal)

    assert resp.status_code == expected, f"{surface} as {principal}: {resp.status_code} {resp.text[:300]}"
    if expected != 200:
        assert SECRET not in resp.text, f"{surface} as {principal} leaks the case in its {expected} answer"
    if expected == 303:
        assert resp.headers["location"].startswith("/login?next=")
    elif expected >= 400 and surface.startswith("api"):
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["status"] == expected
    elif expected == 200 and surface in SHOWS:
        marker = PUBLIC if surface in PUBLISHED_ROWS else SECRET
        assert marker in resp.text, f"{surface} as {principal} answered 200 without the record"


@pytest.mark.parametrize(("surface", "principal", "shown"), LISTED_CELLS)
def test_listed(world: World, surface: str, principal: str, shown: bool) -> None:
    resp = world.ask(SURFACES[surface], principal)

    assert resp.status_code < 500, resp.text[:300]
    if shown:
        assert resp.status_code == 200, f"{surface} as {principal}: {resp.status_code} {resp.text[:300]}"
    marker = PUBLIC if surface in PUBLISHED_ROWS else SECRET
    assert (marker in resp.text) is shown, f"{surface} as {principal}: marker {'missing' if shown else 'shown'}"


# ---------------------------------------------------------------------------------------------
# The gate behind the matrix: the refused share, the audited read, and a provider that stops
# being the provider.

def test_sharing_with_an_overseas_organisation_that_is_not_the_provider_is_refused_and_audited(
        world: World) -> None:
    resp = world.refused_share
    assert resp is not None and resp.status_code == 409, resp.text if resp is not None else None
    body = resp.json()
    assert "PUB-7" in body["decision"]["rule_ids"]
    assert "PUB-7" in {e["field"] for e in body["errors"]}
    assert SECRET not in resp.text

    refused = [e for e in world.gate_events("share") if e.data["recipient"] == "overseas-lab"]
    assert len(refused) == 1 and refused[0].data["decision"]["allowed"] is False
    with world.rt.sessions() as s:
        shared_with = set(s.execute(select(CaseShare.org_id)).scalars())
    assert world.orgs["overseas"].id not in shared_with and world.orgs["vendor"].id in shared_with


def test_the_overseas_provider_read_is_put_to_the_gate_and_audited(world: World) -> None:
    before = len(world.gate_events("api_read"))

    resp = world.ask(SURFACES["api case"], "os_prov")

    assert resp.status_code == 200 and resp.json()["title"] == f"Overflow {SECRET}"
    decided = world.gate_events("api_read")[before:]
    assert len(decided) == 1
    assert decided[0].data["recipient"] == "os-vendor" and decided[0].data["decision"]["allowed"] is True
    assert decided[0].actor_id == world.users["vendor"].id


@contextmanager
def _vendor_renamed(world: World) -> Iterator[None]:
    """The product's vendor no longer names the overseas organisation: it is now overseas and NOT
    the product's provider (restored afterwards)."""
    product_id = world.ids["product"]
    with world.rt.sessions.begin() as s:
        product = s.get(Product, uuid.UUID(product_id))
        assert product is not None
        original, product.vendor = product.vendor, "Some Other Vendor Ltd"
    try:
        yield
    finally:
        with world.rt.sessions.begin() as s:
            product = s.get(Product, uuid.UUID(product_id))
            assert product is not None
            product.vendor = original


def test_once_not_the_provider_the_overseas_read_is_refused_and_the_refusal_kept(world: World) -> None:
    before = len(world.gate_events("api_read"))
    with _vendor_renamed(world):
        resp = world.ask(SURFACES["api case"], "os_prov")
        page = world.ask(SURFACES["web case page"], "os_prov")

    assert resp.status_code == 403, resp.text
    body = resp.json()
    assert body["type"].endswith("/gate-refused-read")
    assert "PUB-7" in {e["field"] for e in body["errors"]}
    assert SECRET not in resp.text
    assert page.status_code == 403 and SECRET not in page.text
    refused = world.gate_events("api_read")[before:]
    assert [e.data["decision"]["allowed"] for e in refused] == [False, False]
    assert {e.data["recipient"] for e in refused} == {"os-vendor"}
    # Restored: the provider reads again.
    assert world.ask(SURFACES["api case"], "os_prov").status_code == 200


@pytest.mark.parametrize("surface", ["api cases list", "api cases search", "web cases list", "web dashboard"])
def test_once_not_the_provider_the_overseas_organisation_no_longer_lists_the_case(world: World, surface: str) -> None:
    with _vendor_renamed(world):
        resp = world.ask(SURFACES[surface], "os_prov")

    assert resp.status_code == 200
    assert SECRET not in resp.text, f"{surface} still shows the case to a reader the gate refuses"


# ---------------------------------------------------------------------------------------------
# Need-to-know on a collection platform: membership, not the organisation, opens the case.

NEED_TO_KNOW = ("api case", "api case timeline", "api nvdb packet (export)", "api report", "api draft advisory",
                "web case page", "web report page", "web draft advisory")


def test_adding_the_colleague_to_the_case_opens_it_and_removing_closes_it(world: World) -> None:
    manager = Factory(world.rt).principal(world.users["manager"])
    email = world.users["colleague"].email

    def statuses() -> dict[str, int]:
        return {s: world.ask(SURFACES[s], "p_colleague").status_code for s in NEED_TO_KNOW}

    assert statuses() == dict.fromkeys(NEED_TO_KNOW, 404)
    with world.rt.sessions.begin() as s:
        members.add_member(s, manager, world.ids["case"], email, at=datetime.now(UTC))
    try:
        assert statuses() == dict.fromkeys(NEED_TO_KNOW, 200)
        assert SECRET in world.ask(SURFACES["api cases list"], "p_colleague").text
    finally:
        with world.rt.sessions.begin() as s:
            members.remove_member(s, manager, world.ids["case"], email)
    assert statuses() == dict.fromkeys(NEED_TO_KNOW, 404)
    assert SECRET not in world.ask(SURFACES["api cases list"], "p_colleague").text


@pytest.mark.parametrize("principal", ["p_member", "p_manager"])
def test_on_a_collection_platform_the_export_names_its_reader(world: World, principal: str) -> None:
    packet = _ok(world.ask(SURFACES["api nvdb packet (export)"], principal))
    download = world.ask(SURFACES["web nvdb.json (export)"], principal)

    email = world.users[USER_OF[principal]].email
    assert packet["exported_for"]["reader"] == email
    assert download.status_code == 200 and download.json()["exported_for"]["reader"] == email
