"""The public advisory portal: list, advisory page and Atom feed, without signing in, showing only
what was published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from tests.conftest import Factory
from tests.functional.web.conftest import Browser, make_case
from wangan.kernel.auth import Principal
from wangan.kernel.models import Organisation, User
from wangan.runtime import Runtime
from wangan.vulns import advisories

ATOM = "{http://www.w3.org/2005/Atom}"
HIGH_31 = "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"


@pytest.fixture
def manager(factory: Factory, org: Organisation) -> User:
    return factory.user(org, "manager", email="mgr@example.org")


def advisory(rt: Runtime, factory: Factory, user: User, title: str, *, publish: bool = True,
             cvss: str = HIGH_31, **changes: object) -> str:
    """An advisory from a fixed case; published through the gate unless told otherwise."""
    who: Principal = factory.principal(user)
    case = make_case(rt, factory, user, title=title, cvss31_vector=cvss, fix_description="Upgrade to 2.0",
                     fix_available_at=datetime.now(UTC) - timedelta(hours=1))
    with rt.sessions.begin() as s:
        number = advisories.draft_from_case(s, who, case.number).number
        if changes:
            advisories.update_advisory(s, who, number, dict(changes))
        if publish:
            for action in ("submit", "approve", "publish"):
                advisories.transition(s, who, rt.gate_rules, number, action, note="first release")
    return number


def withdraw(rt: Runtime, factory: Factory, user: User, number: str, reason: str) -> None:
    with rt.sessions.begin() as s:
        advisories.transition(s, factory.principal(user), rt.gate_rules, number, "withdraw", note=reason)


def test_portal_lists_published_and_withdrawn_only(rt: Runtime, factory: Factory, browser: Browser,
                                                   manager: User) -> None:
    shown = advisory(rt, factory, manager, "Overflow in the X1 router")
    gone = advisory(rt, factory, manager, "Duplicate report on X1")
    withdraw(rt, factory, manager, gone, "duplicate")
    draft = advisory(rt, factory, manager, "Draft nobody may see", publish=False)

    page = browser.get("/advisories")

    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert shown in page.text and "Overflow in the X1 router" in page.text
    assert gone in page.text and "Withdrawn" in page.text
    assert draft not in page.text and "Draft nobody may see" not in page.text
    assert 'href="/advisories.atom"' in page.text
    assert browser.get(f"/advisories/{draft}").status_code == 404


def test_portal_filters_on_the_published_text(rt: Runtime, factory: Factory, browser: Browser,
                                              manager: User) -> None:
    router = advisory(rt, factory, manager, "Overflow in the X1 router")
    camera = advisory(rt, factory, manager, "Weak default password on C2 camera",
                      cvss="CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N")
    with rt.sessions.begin() as s:  # an unpublished edit must not be searchable
        advisories.update_advisory(s, factory.principal(manager), router, {"title": "Secret rename"})

    assert router in browser.get("/advisories?q=x1").text
    assert camera not in browser.get("/advisories?q=x1").text
    assert router not in browser.get("/advisories?q=secret").text
    high = browser.get("/advisories?severity=high").text
    assert router in high and camera not in high
    assert camera in browser.get("/advisories?severity=low").text
    assert browser.get("/advisories?severity=bogus&page=zz").status_code == 200


def test_advisory_page_shows_the_published_revision(rt: Runtime, factory: Factory, browser: Browser,
                                                    manager: User) -> None:
    number = advisory(rt, factory, manager, "Overflow in the X1 router", credits="Li Lei",
                      references=["https://example.org/x1"])
    with rt.sessions.begin() as s:
        advisories.update_advisory(s, factory.principal(manager), number, {"fix": "unpublished fix text"})

    page = browser.get(f"/advisories/{number}").text

    assert "Upgrade to 2.0" in page and "unpublished fix text" not in page
    assert "Li Lei" in page and 'href="https://example.org/x1"' in page
    assert "Revision 1" in page and "first release" in page
    assert "Internal page" not in page  # anonymous


def test_withdrawn_page_has_a_banner_and_no_details(rt: Runtime, factory: Factory, browser: Browser,
                                                    manager: User) -> None:
    number = advisory(rt, factory, manager, "Overflow in the X1 router")
    withdraw(rt, factory, manager, number, "not a vulnerability after all")

    page = browser.get(f"/advisories/{number}").text

    assert "This advisory was withdrawn" in page and "not a vulnerability after all" in page
    assert "Upgrade to 2.0" not in page


def test_portal_page_in_chinese(rt: Runtime, factory: Factory, browser: Browser, manager: User) -> None:
    number = advisory(rt, factory, manager, "Overflow in the X1 router")
    browser.get("/lang/zh?next=/advisories")
    assert "安全公告" in browser.get("/advisories").text
    page = browser.get(f"/advisories/{number}").text
    assert "修补或防范措施" in page and "修订历史" in page


def test_nav_links_to_the_portal_for_everyone(browser: Browser, analyst: User) -> None:
    assert 'href="/advisories"' in browser.get("/report").text
    browser.login(analyst)
    text = browser.get("/").text
    assert 'href="/advisories"' in text and 'href="/manage/advisories"' in text


def test_atom_feed(rt: Runtime, factory: Factory, browser: Browser, manager: User) -> None:
    published = advisory(rt, factory, manager, "Overflow <in> the X1 & \x1b[31mrouter\x1b[0m")
    gone = advisory(rt, factory, manager, "Duplicate report on X1")
    withdraw(rt, factory, manager, gone, "duplicate")
    draft = advisory(rt, factory, manager, "Draft nobody may see", publish=False)

    resp = browser.get("/advisories.atom")

    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(resp.content)  # noqa: S314 - our own output, in a test
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None, tag
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    entries = {e.findtext(f"{ATOM}id", "").rsplit("/", 1)[-1]: e for e in root.findall(f"{ATOM}entry")}
    assert set(entries) == {published, gone}
    assert draft not in resp.text
    title = entries[published].findtext(f"{ATOM}title", "")
    assert "Overflow <in> the X1 & [31mrouter[0m" in title  # escaped, and no XML-illegal characters
    assert "Upgrade to 2.0" in entries[published].findtext(f"{ATOM}content", "")
    terms = {c.get("term") for c in entries[gone].findall(f"{ATOM}category")}
    assert "withdrawn" in terms
    assert entries[gone].find(f"{ATOM}content") is None
    with rt.sessions() as s:
        adv = advisories.get_published(s, gone)
        assert adv.withdrawn_at is not None
        withdrawn_at = adv.withdrawn_at
    updated = datetime.fromisoformat(entries[gone].findtext(f"{ATOM}updated", "").replace("Z", "+00:00"))
    assert abs(updated - withdrawn_at) < timedelta(seconds=1)
    feed_updated = root.findtext(f"{ATOM}updated", "")
    assert feed_updated == max(e.findtext(f"{ATOM}updated", "") for e in entries.values())


def test_empty_atom_feed_is_valid(browser: Browser) -> None:
    root = ET.fromstring(browser.get("/advisories.atom").content)  # noqa: S314 - our own output, in a test
    assert root.find(f"{ATOM}updated") is not None and root.findall(f"{ATOM}entry") == []


def test_public_downloads(rt: Runtime, factory: Factory, browser: Browser, manager: User) -> None:
    number = advisory(rt, factory, manager, "Overflow in the X1 router", publish=False)
    who = factory.principal(manager)
    with rt.sessions.begin() as s:
        patch = advisories.add_attachment(s, who, number, filename="fix.patch", kind="patch",
                                          content_type="text/x-diff", data=b"--- a\n+++ b\n")
        patch_id = patch.id
    assert browser.get(f"/advisories/{number}/attachments/{patch_id}").status_code == 404
    with rt.sessions.begin() as s:
        for action in ("submit", "approve", "publish"):
            advisories.transition(s, who, rt.gate_rules, number, action)
        exploit = advisories.add_attachment(s, who, number, filename="x.py", kind="exploit",
                                            content_type="text/plain", data=b"pwn")
        exploit_id = exploit.id

    ok = browser.get(f"/advisories/{number}/attachments/{patch_id}")
    assert ok.status_code == 200 and ok.content == b"--- a\n+++ b\n"
    assert ok.headers["content-disposition"].startswith("attachment;")
    assert browser.get(f"/advisories/{number}/attachments/{exploit_id}").status_code == 404
    assert browser.get(f"/advisories/{number}/attachments/not-a-uuid").status_code == 404
    assert "x.py" not in browser.get(f"/advisories/{number}").text
