"""One real browser walks a cybersecurity review: the applicability screening, opening the case,
filing the Art. 8 dossier (the clock starts when it is complete), the Office's determination and
notice, the initial review with a supplementary-material pause, member consultation, and the
conclusion. Debian's Chromium, driven by Playwright; "today" is fixed at 2026-12-10 (Beijing).

Runs when ``WANGAN_BROWSER`` names the Chromium binary (``.ci/run`` sets it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.browser.conftest import BROWSER, CHROMIUM_FLAGS
from tests.conftest import PASSWORD, Factory
from wangan.kernel.calendar import FixedClock

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BROWSER, reason="set WANGAN_BROWSER to a Chromium binary to run browser tests"),
]

NOW = datetime(2026, 12, 10, 4, 0, tzinfo=UTC)
SLOTS = ("application_form", "impact_report", "procurement_documents")


def test_screening_to_case_to_dossier_to_conclusion(live_server: str, factory: Factory) -> None:
    from playwright.sync_api import expect, sync_playwright

    factory.rt.clock = FixedClock(NOW)
    org = factory.org("grid-ciio", roles=("operator",))
    factory.user(org, "manager", email="manager@grid.example")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=BROWSER, args=CHROMIUM_FLAGS)
        page = browser.new_context(locale="en-US", extra_http_headers={"accept-language": "en"}).new_page()
        page.goto(f"{live_server}/login")
        page.fill("[name=email]", "manager@grid.example")
        page.fill("[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(f"{live_server}/")

        # 1. The screening: a CIIO buys core network equipment that may affect national security.
        page.click("nav a[href='/reviews']")
        page.click("a[href='/reviews/screening']")
        page.check("input[name=party][value=procurement]")
        page.fill("[name=decided_on]", "2026-12-01")
        page.select_option("[name=product_category]", "core_network_equipment")
        page.check("input[name=may_affect_national_security][value=yes]")
        page.click("form[action='/reviews/screening'] button[type=submit]")
        expect(page.locator("#outcome")).to_have_text("A cybersecurity review application is required")
        expect(page.locator("#measures")).to_contain_text("MEASURES-2021")

        # 2. Open the case from the answer.
        page.click("a[href^='/reviews/new?kind=procurement']")
        expect(page.locator("[name=product_category]")).to_have_value("core_network_equipment")
        page.fill("[name=title]", "Backbone core routers")
        page.fill("[name=filed_on]", "2026-12-01")
        page.fill("[name=product_name]", "Core router CR-9000")
        page.select_option("[name=product_category]", "core_network_equipment")
        page.fill("[name=supplier_name]", "Acme Networks")
        page.click("form[action='/reviews/new'] button[type=submit]")
        page.wait_for_url("**/reviews/CR-*")
        case_url = page.url
        expect(page.locator("#case-state")).to_have_text("Preparing the dossier")
        expect(page.locator("#dossier-state")).to_have_text("3 required document(s) missing")

        # 3. The dossier: the last required document completes it and starts the 10-working-day clock.
        for slot in SLOTS:
            box = page.locator(f"#slot-{slot}")
            box.locator("summary").click()
            box.locator("input[type=file]").set_input_files(
                files=[{"name": f"{slot}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 " + slot.encode()}])
            box.locator("input[name=filed_on]").fill("2026-12-01")
            box.locator("button[type=submit]").click()
            page.wait_for_url(f"{case_url}#dossier")
            expect(page.locator(f"#slot-{slot} a[download]")).to_have_text(f"{slot}.pdf")
        expect(page.locator("#dossier-state")).to_have_text("Dossier complete")
        expect(page.locator("#case-state")).to_have_text("Office deciding whether to review")
        expect(page.locator("#clock-REV-DETERMINE .due")).to_contain_text("2026-12-15")
        expect(page.locator("#clock-REV-DETERMINE .wd-clock")).to_have_text("3 working days left")

        def move(transition: str, on: str) -> None:
            page.fill("#f-transition-on", on)
            page.click(f"button[name=transition][value={transition}]")
            page.wait_for_url(case_url)

        # 4. Determination: a review takes place; the initial-review clock runs into 2027 (provisional).
        move("notice_review", "2026-12-08")
        expect(page.locator("#case-state")).to_have_text("Review noticed")
        expect(page.locator("#clock-REV-INITIAL .provisional")).to_be_visible()
        expect(page.locator("#clock-REV-INITIAL .due")).to_contain_text("(unconfirmed: 2027)")
        move("begin_initial_review", "2026-12-08")
        expect(page.locator("#case-state")).to_have_text("Initial review")
        due_before = page.locator("#clock-REV-INITIAL .due time").inner_text()

        # 5. A supplementary-material pause stops the clock; ending it moves the due date.
        page.locator("#clocks summary").click()
        page.fill("#f-pause-started_on", "2026-12-09")
        page.fill("#f-pause-reason", "Source-code escrow agreement")
        page.click("form[action$='/pause'] button[type=submit]")
        expect(page.locator(".clock-paused")).to_have_text("Paused since 2026-12-09")
        expect(page.locator("button[name=transition][value=send_to_members]")).to_be_disabled()
        page.fill("#f-pend-ended_on", "2026-12-10")
        page.click("form[action$='/pause/end'] button[type=submit]")
        expect(page.get_by_text("covers 2 working day(s)", exact=False)).to_be_visible()
        assert page.locator("#clock-REV-INITIAL .due time").inner_text() != due_before
        expect(page.locator("#pauses")).to_contain_text("Source-code escrow agreement")

        # 6. Member consultation, then the conclusion.
        move("send_to_members", "2026-12-10")
        expect(page.locator("#case-state")).to_have_text("Member consultation")
        expect(page.locator("#clock-REV-CONSULT")).to_be_visible()
        move("conclude_passed", "2026-12-10")
        expect(page.locator("#case-state")).to_have_text("Concluded")
        expect(page.locator("#conclusion")).to_contain_text("Passed")

        # The review list shows the case concluded; its timeline lists every step.
        expect(page.locator("#timeline")).to_contain_text("Pause ended")
        page.goto(f"{live_server}/reviews?state=concluded")
        expect(page.locator("table")).to_contain_text("Backbone core routers")
        browser.close()
