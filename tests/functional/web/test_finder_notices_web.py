"""The web's finder routes pass the notice links: each message, request and decision queues a
content-free e-mail to the other side, pointing at this instance (``WANGAN_BASE_URL``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.web.conftest import Browser
from wangan.kernel.models import Organisation, OutboxMessage, User
from wangan.runtime import Runtime
from wangan.vulns import cases, intake
from wangan.vulns.models import IntakeChannel, PublicationRequest

SECRET = "the overflow is in the TLV parser"


@pytest.fixture
def reporter(factory: Factory) -> User:
    return factory.user(factory.org("lab", roles=("finder",)), "reporter", email="finder@example.net")


@pytest.fixture
def case_number(rt: Runtime, factory: Factory, org: Organisation, reporter: User, analyst: User) -> str:
    who = factory.principal(analyst)
    with rt.sessions.begin() as s:
        record, _ = intake.submit_report(s, rt.vuln_rules, intake.ReportIn(
            title="Overflow in X1 update", content="details", reporter_contact="finder@example.net",
            organisation=org.slug), channel=IntakeChannel.WEB, limits=rt.intake_limits, reporter_user_id=reporter.id)
        return cases.create_case(s, who, rt.vuln_rules, cases.CaseIn(title="Internal", report_id=record.id)).number


def _outbox(rt: Runtime) -> list[OutboxMessage]:
    with rt.sessions() as s:
        return list(s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def _switch(browser: Browser, user: User) -> None:
    browser.client.cookies.clear()
    browser.login(user)


def test_every_finder_exchange_queues_a_notice(rt: Runtime, factory: Factory, browser: Browser, analyst: User,
                                               org: Organisation, reporter: User, case_number: str) -> None:
    provider_page = f"/cases/{case_number}"
    browser.login(analyst)
    assert browser.post(f"{provider_page}/finder/messages", {"body": SECRET},
                        page=provider_page).status_code == 303
    [to_finder] = _outbox(rt)
    assert to_finder.recipient == "finder@example.net"
    assert f"http://testserver/my/cases/{case_number}" in to_finder.body and "[wangan]" in to_finder.subject
    assert SECRET not in to_finder.body  # the notice says there is something to read, nothing more

    _switch(browser, reporter)
    finder_page = f"/my/cases/{case_number}"
    assert browser.post(f"{finder_page}/messages", {"body": "thanks"}, page=finder_page).status_code == 303
    assert browser.post(f"{finder_page}/publication-requests", {"credit_name": "Lab X", "note": ""},
                        page=finder_page).status_code == 303
    to_provider = [m for m in _outbox(rt) if m.recipient == analyst.email]
    assert len(to_provider) == 2
    assert all(f"http://testserver/cases/{case_number}" in m.body for m in to_provider)

    _switch(browser, factory.user(org, "manager"))
    with rt.sessions() as s:
        request_id = s.execute(select(PublicationRequest.id)).scalar_one()
    assert browser.post(f"{provider_page}/finder/requests/{request_id}", {"decision": "accept", "note": ""},
                        page=provider_page).status_code == 303
    assert len([m for m in _outbox(rt) if m.recipient == "finder@example.net"]) == 2
