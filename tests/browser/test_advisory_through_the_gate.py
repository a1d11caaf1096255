"""A manager drafts an advisory, the gate refuses it with reasons, the fix is recorded, it is
published, and the public portal and feed show it. Debian's Chromium, driven by Playwright."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.browser.conftest import BROWSER, CHROMIUM_FLAGS
from tests.conftest import PASSWORD, Factory
from wangan.vulns import cases

ATOM = "{http://www.w3.org/2005/Atom}"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BROWSER, reason="set WANGAN_BROWSER to a Chromium binary to run browser tests"),
]


def test_draft_refused_then_fixed_then_published_on_portal_and_feed(live_server: str, factory: Factory) -> None:
    from playwright.sync_api import expect, sync_playwright

    org = factory.org("acme-psirt", roles=("provider",))
    manager = factory.user(org, "manager", email="manager@acme.example")
    who = factory.principal(manager)
    rt = factory.rt
    with rt.sessions.begin() as s:
        case = cases.create_case(s, who, rt.vuln_rules, cases.CaseIn(title="AR-100 diag command injection", fields={
            "cvss31_vector": "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "affected_versions": "1.0, 1.1"}))
        number = case.number

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=BROWSER, args=CHROMIUM_FLAGS)
        page = browser.new_context(locale="en-US", extra_http_headers={"accept-language": "en"}).new_page()
        page.goto(f"{live_server}/login")
        page.fill("[name=email]", "manager@acme.example")
        page.fill("[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")

        # Draft from the case, send it through review.
        page.goto(f"{live_server}/cases/{number}")
        page.click("form[action='/manage/advisories/new'] button[type=submit]")
        page.wait_for_url("**/manage/advisories/WA-SA-*")
        advisory_url = page.url
        advisory = advisory_url.rsplit("/", 1)[-1]
        for action in ("submit", "approve", "publish"):
            page.click(f"button[name=action][value={action}]")
            page.wait_for_load_state()

        # The gate refused: no fix yet (PUB-1) and no fix text (PUB-5), said in words.
        refusal = page.locator("main").inner_text()
        assert "PUB-1" in refusal and "PUB-5" in refusal
        with httpx.Client() as http:
            assert http.get(f"{live_server}/advisories/{advisory}").status_code == 404

        # Record the fix on the case and in the advisory, then approve and publish again.
        with rt.sessions.begin() as s:
            cases.update_case(s, who, number, {"fix_description": "Upgrade to 1.2",
                                               "fix_available_at": datetime.now(UTC) - timedelta(minutes=5)})
        page.goto(advisory_url)
        page.locator("form[action$='/edit'] [name=fix]").fill("Upgrade to firmware 1.2")
        page.click("form[action$='/edit'] button[type=submit]")
        page.wait_for_load_state()
        for action in ("approve", "publish"):
            page.click(f"button[name=action][value={action}]")
            page.wait_for_load_state()
        assert "PUB-1" not in page.locator("#actions").inner_text()

        # The public portal shows it, without signing in.
        anonymous = browser.new_context(locale="en-US").new_page()
        anonymous.goto(f"{live_server}/advisories")
        anonymous.click(f"a[href='/advisories/{advisory}']")
        expect(anonymous.get_by_text("Upgrade to firmware 1.2")).to_be_visible()
        browser.close()

    with httpx.Client() as http:
        feed = ET.fromstring(http.get(f"{live_server}/advisories.atom").content)  # noqa: S314 - our own feed
    titles = [e.findtext(f"{ATOM}title") or "" for e in feed.iter(f"{ATOM}entry")]
    assert any(advisory in t or "AR-100" in t for t in titles), titles
