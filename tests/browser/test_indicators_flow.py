"""One real browser walks the Action Plan monitor: a CSV import with a bad row is refused whole and
explained, the corrected file is imported, the dashboard's goal status follows the new figures, and
the report is downloaded as a PDF. Debian's Chromium, driven by Playwright; "today" is 2026-12-10.

Runs when ``WANGAN_BROWSER`` names the Chromium binary (``.ci/run`` sets it)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.browser.conftest import BROWSER, CHROMIUM_FLAGS
from tests.conftest import PASSWORD, Factory
from tests.pdfcheck import has_cjk_font
from wangan.indicators.models import Observation
from wangan.kernel.calendar import FixedClock

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BROWSER, reason="set WANGAN_BROWSER to a Chromium binary to run browser tests"),
]

NOW = datetime(2026, 12, 10, 4, 0, tzinfo=UTC)
PLAN = "CN-MIIT-CSI-2021-2023"
HEADER = "indicator,series,year,value,unit,source,vintage,is_forecast\n"
# 2022 and 2023 actuals on the CAICT broad series: 2023 falls short of 2,500 亿元, so G1 is off track.
GOOD = (HEADER + "IND-SCALE,CAICT-BROAD,2022,2180,亿元,Test source A,2023-08-01,false\n"
        "IND-SCALE,CAICT-BROAD,2023,2390,亿元,Test source A,2024-08-01,false\n")
BAD = (HEADER + "IND-SCALE,CAICT-BROAD,2022,2180,亿元,Test source A,2023-08-01,false\n"
       "IND-SCALE,CAICT-BROAD,2023,twenty-four hundred,亿元,Test source A,2024-08-01,false\n")


def test_import_refused_then_accepted_dashboard_and_report(live_server: str, factory: Factory,
                                                           tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    factory.rt.clock = FixedClock(NOW)
    org = factory.org("industry-association", roles=("operator",))
    factory.user(org, "analyst", email="analyst@association.example")
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=BROWSER, args=CHROMIUM_FLAGS)
        context = browser.new_context(locale="en-US", extra_http_headers={"accept-language": "en"},
                                      accept_downloads=True)
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.fill("[name=email]", "analyst@association.example")
        page.fill("[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(f"{live_server}/")

        # The plan's dashboard from the navigation: before the import G1 rests on 2020–2021 actuals.
        page.click("nav a[href='/indicators']")
        page.click(f"a[href='/indicators/{PLAN}']")
        expect(page.locator("#goal-G1-h")).to_contain_text("on track")

        # 1. A file with one bad cell is refused whole, with the row and the column.
        page.click(f"a[href='/indicators/observations?plan={PLAN}']")
        page.click("a[href*='/indicators/observations/import']")
        page.set_input_files("input[name=file]", str(bad))
        page.click("form[action='/indicators/observations/import'] button[type=submit]")
        expect(page.locator("body")).to_contain_text("nothing was imported")
        problem = page.locator("table tbody tr").first
        expect(problem.locator("th")).to_have_text("3")
        expect(problem).to_contain_text("value")
        with factory.rt.sessions() as s:
            assert s.scalar(select(func.count()).select_from(Observation)) == 0

        # 2. The corrected file goes in.
        page.set_input_files("input[name=file]", str(good))
        page.click("form[action='/indicators/observations/import'] button[type=submit]")
        expect(page.locator("body")).to_contain_text("2 observations imported")
        with factory.rt.sessions() as s:
            assert s.scalar(select(func.count()).select_from(Observation)) == 2

        # 3. The dashboard follows: 2023 came in below 2,500 亿元, so the scale goal is off track.
        page.goto(f"{live_server}/indicators/{PLAN}")
        expect(page.locator("#goal-G1-h")).to_contain_text("off track")
        expect(page.locator("#goal-G1 figure.chart svg").first).to_be_visible()

        # 4. The report, and its PDF.
        page.click(f"a[href='/indicators/{PLAN}/report']")
        expect(page.locator("body")).to_contain_text("2,390")
        with page.expect_download() as download_info:
            page.click(f"a[href='/indicators/{PLAN}/report?download=pdf']")
        pdf = Path(download_info.value.path()).read_bytes()
        assert has_cjk_font(pdf)
        browser.close()
