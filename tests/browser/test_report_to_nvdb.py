"""One real browser walks the main path: a finder reports, the PSIRT opens a case, verifies and
assesses it, and prints the NVDB packet. Debian's Chromium, driven by Playwright.

Runs when ``WANGAN_BROWSER`` names the Chromium binary (``.ci/run`` sets it)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import BROWSER, CHROMIUM_FLAGS
from tests.conftest import PASSWORD, Factory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BROWSER, reason="set WANGAN_BROWSER to a Chromium binary to run browser tests"),
]


def test_report_to_case_to_verified_to_nvdb_packet(live_server: str, factory: Factory) -> None:
    from playwright.sync_api import expect, sync_playwright

    org = factory.org("acme-psirt", roles=("provider",), contact="psirt@acme.example")
    analyst = factory.user(org, "analyst", email="analyst@acme.example")
    with factory.rt.sessions.begin() as s:
        from wangan.kernel.auth import principal_for
        from wangan.kernel.models import User
        from wangan.vulns import products

        loaded = s.get(User, analyst.id)
        assert loaded is not None
        products.create_product(s, principal_for(loaded), vendor="ACME", name="ACME Router", model="AR-100",
                                versions=["1.0", "1.1"])

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=BROWSER, args=CHROMIUM_FLAGS)
        page = browser.new_context(locale="en-US", extra_http_headers={"accept-language": "en"}).new_page()

        # 1. A finder reports without an account.
        page.goto(f"{live_server}/report")
        page.fill("[name=title]", "Command injection in AR-100 diagnostics")
        page.fill("[name=content]", "The host parameter of /diag is passed to a shell.")
        page.fill("[name=reporter_contact]", "finder@example.net")
        page.click("form[action='/report'] button[type=submit]")
        expect(page.locator("code.big")).to_be_visible()
        receipt_id = page.locator("code.big").inner_text().strip()
        assert len(receipt_id) == 36

        # 2. The analyst signs in and opens a case from the report.
        page.goto(f"{live_server}/login")
        page.fill("[name=email]", "analyst@acme.example")
        page.fill("[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.goto(f"{live_server}/reports/{receipt_id}")
        page.click(f"form[action='/reports/{receipt_id}/case'] button[type=submit]")
        page.wait_for_url("**/cases/WA-*")
        case_url = page.url

        # The 2-day clock is running and shown counting down.
        expect(page.locator("[data-due]").first).to_be_visible()

        # 3. Verify: start verification, record the assessment, confirm.
        page.click("button[name=transition][value=start_verification]")
        page.wait_for_url(case_url)
        edit = page.locator("form[action$='/edit']")
        edit.locator("[name=verification_result]").fill("Reproduced on 1.1 as an authenticated user.")
        edit.locator("[name=technical_characteristics]").fill("OS command injection (CWE-78)")
        edit.locator("[name=harm]").fill("Remote code execution as root")
        edit.locator("[name=impact_scope]").fill("All AR-100 routers on 1.0 and 1.1")
        edit.locator("[name=affected_versions]").fill("1.0, 1.1")
        edit.locator("[name=cwe]").fill("CWE-78")
        edit.locator("[name=cvss31_vector]").fill("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H")
        edit.locator("[name=product_id]").select_option(label="ACME ACME Router AR-100")
        edit.locator("button[type=submit]").click()
        expect(page.get_by_text("8.8", exact=False).first).to_be_visible()
        page.click("button[name=transition][value=confirm]")
        page.wait_for_url(case_url)
        expect(page.locator("button[name=transition][value=mark_reported]")).to_be_disabled()

        # 4. The NVDB packet is complete and printable.
        page.goto(f"{case_url}/nvdb")
        body = page.locator("main").inner_text()
        for expected in ("ACME Router", "AR-100", "1.0, 1.1", "OS command injection (CWE-78)",
                         "Remote code execution as root", "All AR-100 routers on 1.0 and 1.1", "psirt@acme.example"):
            assert expected in body, f"{expected!r} missing from the NVDB packet page"
        page.screenshot(path=str(factory.rt.settings.data_dir / "nvdb-packet.png"), full_page=True)
        browser.close()
