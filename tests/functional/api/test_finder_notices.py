"""Finder and provider hear of each other's messages, publication requests and decisions by an
e-mail notice queued in the outbox (``kernel.models.OutboxMessage``). A notice is content-free: it
says there is something to read and where, never the message text or the case title, so it may go
to any mailbox. On a collection platform only the case's members and the managers are told."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.api.conftest import bearer, report_json
from wangan.kernel.models import OutboxMessage, User
from wangan.runtime import Runtime

TITLE = "Hidden-Title-7731 in the login form"
MESSAGE = "Quiet-Text-5518: the fix ships in 2.3.5"
REPLY = "Quiet-Reply-2290: thank you"


@dataclass
class Parties:
    finder: User
    analyst: User
    manager: User
    bystander: User
    headers: dict[str, dict[str, str]]
    case: str


@pytest.fixture
def parties(rt: Runtime, client: TestClient, factory: Factory) -> Parties:
    rt.settings = rt.settings.model_copy(update={"instance_name": "Notice Test", "base_url": "https://wangan.test"})
    org = factory.org("vendor-psirt", roles=("provider",))
    users = {"finder": factory.user(factory.org("lab", roles=("finder",)), "reporter"),
             "analyst": factory.user(org, "analyst"), "manager": factory.user(org, "manager"),
             "bystander": factory.user(org, "analyst")}
    headers = {name: bearer(factory.token(user)) for name, user in users.items()}
    report = client.post("/api/v1/reports", headers=headers["finder"],
                         json=report_json(organisation="vendor-psirt", title="Secret-Report-Title-4410"))
    assert report.status_code == 201, report.text
    case = client.post("/api/v1/cases", headers=headers["analyst"],
                       json={"title": TITLE, "report_id": report.json()["id"]})
    assert case.status_code == 201, case.text
    return Parties(finder=users["finder"], analyst=users["analyst"], manager=users["manager"],
                   bystander=users["bystander"], headers=headers, case=case.json()["number"])


def _outbox(rt: Runtime) -> list[OutboxMessage]:
    with rt.sessions() as s:
        return list(s.execute(select(OutboxMessage).order_by(OutboxMessage.created_at, OutboxMessage.recipient))
                    .scalars())


def _assert_content_free(message: OutboxMessage) -> None:
    text = message.subject + "\n" + message.body
    for secret in (TITLE, "Hidden-Title-7731", MESSAGE, "Quiet-Text-5518", REPLY, "Quiet-Reply-2290",
                   "Secret-Report-Title-4410"):
        assert secret not in text, (secret, text)


def test_a_provider_message_tells_the_finder_without_its_text(rt: Runtime, client: TestClient,
                                                              parties: Parties) -> None:
    sent = client.post(f"/api/v1/cases/{parties.case}/messages", headers=parties.headers["analyst"],
                       json={"body": MESSAGE})
    assert sent.status_code == 201, sent.text

    queued = _outbox(rt)
    assert [(m.channel, m.recipient) for m in queued] == [("email", parties.finder.email)]
    notice = queued[0]
    _assert_content_free(notice)
    assert notice.subject.startswith("[Notice Test]") and parties.case in notice.subject
    assert f"https://wangan.test/my/cases/{parties.case}" in notice.body


def test_a_finder_message_tells_the_providers_analysts_and_managers_without_its_text(
        rt: Runtime, client: TestClient, parties: Parties) -> None:
    sent = client.post(f"/api/v1/cases/{parties.case}/messages", headers=parties.headers["finder"],
                       json={"body": REPLY})
    assert sent.status_code == 201, sent.text

    queued = _outbox(rt)
    assert {m.recipient for m in queued} == {parties.analyst.email, parties.manager.email, parties.bystander.email}
    for notice in queued:
        _assert_content_free(notice)
        assert f"https://wangan.test/cases/{parties.case}" in notice.body
    timeline = client.get(f"/api/v1/cases/{parties.case}/timeline", headers=parties.headers["manager"]).json()
    assert "vulns:case:finder-notice-queued" in {e["tag"] for e in timeline}


def test_on_a_collection_platform_only_members_and_managers_are_told(rt: Runtime, client: TestClient,
                                                                     parties: Parties) -> None:
    rt.settings = rt.settings.model_copy(update={"collection_platform": True})
    sent = client.post(f"/api/v1/cases/{parties.case}/messages", headers=parties.headers["finder"],
                       json={"body": REPLY})
    assert sent.status_code == 201, sent.text
    assert {m.recipient for m in _outbox(rt)} == {parties.analyst.email, parties.manager.email}


def test_a_publication_request_and_its_decision_are_noticed_both_ways(rt: Runtime, client: TestClient,
                                                                      parties: Parties) -> None:
    asked = client.post(f"/api/v1/finder/cases/{parties.case}/publication-requests",
                        headers=parties.headers["finder"], json={"credit_name": "Li Lei", "note": MESSAGE})
    assert asked.status_code == 201, asked.text
    to_provider = _outbox(rt)
    assert {m.recipient for m in to_provider} == {parties.analyst.email, parties.manager.email,
                                                  parties.bystander.email}

    decided = client.post(f"/api/v1/cases/{parties.case}/publication-requests/{asked.json()['id']}/decision",
                          headers=parties.headers["manager"], json={"decision": "decline", "note": REPLY})
    assert decided.status_code == 200, decided.text
    to_finder = [m for m in _outbox(rt) if m.recipient == parties.finder.email]
    assert len(to_finder) == 1
    for notice in _outbox(rt):
        _assert_content_free(notice)
