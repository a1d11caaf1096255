"""The finder side in the browser: a researcher's "My reports", their case page with messages and the
publication request form, and the provider's panel on the case page to reply and decide."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from tests.conftest import Factory
from tests.functional.web.conftest import BROWSER, Browser
from wangan.kernel.auth import Principal
from wangan.kernel.models import Organisation, User
from wangan.runtime import Runtime
from wangan.vulns import cases, finder, intake
from wangan.vulns.models import IntakeChannel

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SECRET = "reproduced on the lab image 2.3.1"


@pytest.fixture
def reporter(factory: Factory) -> User:
    return factory.user(factory.org("lab", roles=("finder",)), "reporter", email="finder@example.net")


@pytest.fixture
def second_browser(app: FastAPI) -> Iterator[Browser]:
    with TestClient(app, headers=BROWSER, follow_redirects=False) as c:
        yield Browser(c)


@pytest.fixture
def case_number(rt: Runtime, factory: Factory, org: Organisation, reporter: User, analyst: User) -> str:
    who = factory.principal(analyst)  # before the transaction: SQLite has one writer at a time
    with rt.sessions.begin() as s:
        record, _ = intake.submit_report(s, rt.vuln_rules, intake.ReportIn(
            title="Overflow in X1 update", content="details", reporter_contact="finder@example.net",
            organisation=org.slug), channel=IntakeChannel.WEB, limits=rt.intake_limits, reporter_user_id=reporter.id)
        case = cases.create_case(s, who, rt.vuln_rules, cases.CaseIn(
            title="Internal case title", report_id=record.id, fields={"verification_result": SECRET}))
        return case.number


def test_the_finder_follows_their_case_and_writes(browser: Browser, reporter: User, case_number: str) -> None:
    browser.login(reporter)
    home = browser.get("/my/reports")
    assert home.status_code == 200
    assert 'href="/my/reports"' in home.text and "My reports" in home.text
    assert f'href="/my/cases/{case_number}"' in home.text and "Overflow in X1 update" in home.text

    page = browser.get(f"/my/cases/{case_number}")
    assert page.status_code == 200
    assert SECRET not in page.text and "Internal case title" not in page.text
    assert "No fix available yet" in page.text and "No messages yet." in page.text

    empty = browser.post(f"/my/cases/{case_number}/messages", {"body": "  "}, page=f"/my/cases/{case_number}")
    assert empty.status_code == 422 and "write a message" in empty.text
    sent = browser.post(f"/my/cases/{case_number}/messages", {"body": "Any news?"}, page=f"/my/cases/{case_number}")
    assert sent.status_code == 303
    asked = browser.post(f"/my/cases/{case_number}/publication-requests", {"credit_name": "Li Lei", "note": ""},
                         page=f"/my/cases/{case_number}")
    assert asked.status_code == 303

    page = browser.get(f"/my/cases/{case_number}").text
    assert "Any news?" in page and "Li Lei" in page and "Open" in page and "None" not in page
    assert f'action="/my/cases/{case_number}/publication-requests"' not in page  # one open request at a time
    assert browser.get(f"/cases/{case_number}").status_code == 404  # never the internal view


def test_the_provider_replies_and_decides_from_the_case_page(
        rt: Runtime, factory: Factory, org: Organisation, browser: Browser, second_browser: Browser,
        reporter: User, case_number: str) -> None:
    as_finder = factory.principal(reporter)
    with rt.sessions.begin() as s:
        finder.post_message(s, as_finder, case_number, "Please credit me.")
        request_id = finder.request_publication(s, as_finder, case_number,
                                                credit_name="Li Lei").id
    manager = factory.user(org, "manager", email="boss@example.org")
    browser.login(manager)
    page = browser.get(f"/cases/{case_number}").text
    assert "Finder messages and requests" in page and "Please credit me." in page
    panel = page[page.index('id="finder"'):page.index('id="timeline"')]
    assert "None" not in panel and f'action="/cases/{case_number}/finder/messages"' in panel
    assert 'href="/my/reports"' not in page  # the link is for reporters only

    url = f"/cases/{case_number}/finder/requests/{request_id}"
    refused = browser.post(url, {"decision": "decline", "note": ""}, page=f"/cases/{case_number}")
    assert refused.status_code == 422 and "say why the request is declined" in refused.text
    assert browser.post(f"/cases/{case_number}/finder/messages", {"body": "Fix due next week."},
                        page=f"/cases/{case_number}").status_code == 303
    assert browser.post(url, {"decision": "accept", "note": "Thanks"}, page=f"/cases/{case_number}").status_code == 303
    assert "Accepted" in browser.get(f"/cases/{case_number}").text

    second_browser.login(reporter)
    mine = second_browser.get(f"/my/cases/{case_number}").text
    assert "Fix due next week." in mine and "Accepted" in mine and "Thanks" in mine


def test_another_reporter_sees_nothing(factory: Factory, browser: Browser, case_number: str) -> None:
    browser.login(factory.user(factory.org("lab2", roles=("finder",)), "reporter"))
    assert browser.get(f"/my/cases/{case_number}").status_code == 404
    assert case_number not in browser.get("/my/reports").text


def test_the_finders_report_pages_link_to_their_view_of_the_case(
        browser: Browser, rt: Runtime, reporter: User, case_number: str) -> None:
    browser.login(reporter)
    listing = browser.get("/reports").text
    assert f'href="/my/cases/{case_number}"' in listing and f'href="/cases/{case_number}"' not in listing
    with rt.sessions() as s:
        record_id = cases.get_case(s, factory_admin(rt), case_number).report_id
    page = browser.get(f"/reports/{record_id}").text
    assert f'href="/my/cases/{case_number}"' in page


def factory_admin(rt: Runtime) -> Principal:
    return Principal(user_id=uuid.uuid4(), label="test admin", is_admin=True)
