"""The web side of collection-platform mode: the report form before the MIIT filing (Art. 10) and
logged reads of the case page (Art. 11)."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.web.conftest import Browser, make_case
from wangan.kernel.models import AuditEvent, Organisation, User
from wangan.runtime import Runtime
from wangan.vulns.models import IntakeRecord


def _platform_mode(rt: Runtime) -> None:
    rt.settings = rt.settings.model_copy(update={"collection_platform": True})


def test_the_form_explains_the_refusal_and_keeps_the_input(rt: Runtime, browser: Browser,
                                                           org: Organisation) -> None:
    _platform_mode(rt)
    page = browser.get("/report").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key
    response = browser.post("/report", {"idempotency_key": key.group(1), "title": "SQL injection in /login",
                                        "content": "details", "reporter_contact": "finder@example.net"})
    assert response.status_code == 409
    assert "工信部网安〔2022〕146号" in response.text
    assert 'value="SQL injection in /login"' in response.text
    assert browser.get("/.well-known/security.txt").status_code == 200
    with rt.sessions() as s:
        assert s.query(IntakeRecord).count() == 0


def test_case_page_reads_are_logged_in_platform_mode(rt: Runtime, factory: Factory, signed_in: Browser,
                                                     analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    assert signed_in.get(f"/cases/{case.number}").status_code == 200
    _platform_mode(rt)
    assert signed_in.get(f"/cases/{case.number}").status_code == 200
    with rt.sessions() as s:
        reads = s.execute(select(AuditEvent).where(AuditEvent.tag == "vulns:case:read")).scalars().all()
    assert [(e.actor_label, e.data["view"]) for e in reads] == [(analyst.email, "case")]
