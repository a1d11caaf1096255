"""The dashboard: nearest NVDB deadline first, live countdowns, counts and the chart."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import Factory
from tests.functional.web.conftest import Browser, make_case
from wangan.db import utcnow
from wangan.kernel.models import User
from wangan.runtime import Runtime
from wangan.vulns import intake
from wangan.vulns.models import IntakeChannel


def test_open_cases_are_ordered_by_nearest_deadline(rt: Runtime, factory: Factory, signed_in: Browser,
                                                     analyst: User) -> None:
    now = utcnow()
    later = make_case(rt, factory, analyst, "Due in 38 hours", aware_at=now - timedelta(hours=10))
    soon = make_case(rt, factory, analyst, "Due in 8 hours", aware_at=now - timedelta(hours=40))
    late = make_case(rt, factory, analyst, "Overdue by 2 hours", aware_at=now - timedelta(hours=50))

    page = signed_in.get("/")
    assert page.status_code == 200
    text = page.text
    positions = [text.index(c.number) for c in (late, soon, later)]
    assert positions == sorted(positions)
    # Countdowns: data attributes for the script, and a server-rendered text without it.
    assert text.count('class="clock clock--') == 3
    assert 'class="clock clock--overdue"' in text and "overdue by 2h" in text
    assert 'class="clock clock--soon"' in text
    assert 'class="clock clock--ok"' in text
    assert 'data-due="' in text and 'data-now="' in text
    assert '<script src="/static/app.js" defer></script>' in text


def test_counts_and_chart(rt: Runtime, factory: Factory, signed_in: Browser, analyst: User,
                          org: object) -> None:
    now = utcnow()
    make_case(rt, factory, analyst, "Overdue", aware_at=now - timedelta(hours=50))
    make_case(rt, factory, analyst, "Fresh")
    with rt.sessions.begin() as s:
        intake.submit_report(s, rt.vuln_rules, intake.ReportIn(title="t", content="c", reporter_contact="x@y.z"),
                             channel=IntakeChannel.WEB, limits=rt.intake_limits)
    text = signed_in.get("/").text
    assert '<span class="stat__n">2</span><span class="stat__l">Open cases</span>' in text
    assert '<span class="stat__n">1</span><span class="stat__l">NVDB overdue</span>' in text
    assert '<span class="stat__n">1</span><span class="stat__l">Reports without a case</span>' in text
    assert '<span class="stat__n">0</span><span class="stat__l">Overdue operator findings</span>' in text
    assert '<svg class="chart" role="img"' in text
    assert "Aware: 2" in text  # the chart's text alternative, with the rules-file label


def test_other_organisations_cases_are_not_counted(rt: Runtime, factory: Factory, browser: Browser,
                                                   analyst: User) -> None:
    make_case(rt, factory, analyst, "Secret of Acme")
    other = factory.user(factory.org("other-co"), "analyst")
    browser.login(other)
    text = browser.get("/").text
    assert "Secret of Acme" not in text
    assert '<span class="stat__n">0</span><span class="stat__l">Open cases</span>' in text
