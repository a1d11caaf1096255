"""A case shared with another organisation shows on that organisation's case page, read-only,
without the owner's timeline or finder panel."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import Factory
from tests.functional.web.conftest import Browser, make_case
from wangan.kernel.models import User
from wangan.runtime import Runtime
from wangan.vulns import sharing


def test_shared_case_page_for_the_recipient(rt: Runtime, factory: Factory, browser: Browser,
                                            analyst: User) -> None:
    case = make_case(rt, factory, analyst, title="Shared overflow")
    partner = factory.org("partner-web")
    reader = factory.user(partner, "analyst")
    browser.login(reader)
    assert browser.get(f"/cases/{case.number}").status_code == 404

    with rt.sessions.begin() as s:
        sharing.share_case(s, factory.principal(analyst), rt.gate_rules, case.number, "partner-web",
                           at=datetime.now(UTC))
    page = browser.get(f"/cases/{case.number}")
    assert page.status_code == 200, page.text
    assert "Shared overflow" in page.text
    assert 'id="finder"' not in page.text
