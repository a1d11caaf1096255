"""The collection-platform panels of the case page: sharing through the gate (PUB-7), case members
(need-to-know, Art. 11) and the forward to the product's provider (Art. 10 platforms)."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Factory
from tests.functional.web.conftest import Browser, make_case
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import BEIJING
from wangan.kernel.models import AuditEvent, Jurisdiction, Organisation, OutboxMessage, User
from wangan.runtime import Runtime
from wangan.vulns import advisories, cases, forwarding, gate, products, sharing
from wangan.vulns.events import VulnTag
from wangan.vulns.models import Case, CaseShare, ProviderForward


def _platform_mode(rt: Runtime) -> None:
    rt.settings = rt.settings.model_copy(update={"collection_platform": True})


def _zh(browser: Browser) -> None:
    assert browser.get("/lang/zh?next=/").status_code == 303


def _switch(browser: Browser, user: User) -> None:
    browser.client.cookies.clear()
    browser.login(user)


def _tags(rt: Runtime, case: Case) -> list[str]:
    with rt.sessions() as s:
        return list(s.execute(select(AuditEvent.tag).where(AuditEvent.subject_id == str(case.id))
                              .order_by(AuditEvent.id)).scalars())


def _platform_case(rt: Runtime, factory: Factory, user: User, *, vendor: str = "Org vendor-x",
                   aware_at: datetime | None = None) -> Case:
    """A case opened on a collection platform, about a product of ``vendor`` (its clock runs)."""
    who = dataclasses.replace(factory.principal(user), on_collection_platform=True)
    with rt.sessions.begin() as s:
        product = products.create_product(s, who, vendor=vendor, name="Router", model="R1", versions=["1.0"])
        return cases.create_case(s, who, rt.vuln_rules, cases.CaseIn(
            title="Overflow in the parser", description="the parser overflows", aware_at=aware_at,
            fields={"product_id": str(product.id)}))


# --- sharing ---

def test_share_with_a_domestic_organisation_then_revoke(rt: Runtime, factory: Factory, signed_in: Browser,
                                                        analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    factory.org("partner-dom")
    url = f"/cases/{case.number}"
    page = signed_in.get(url).text
    assert 'id="sharing"' in page and "Not shared with any other organisation." in page
    assert re.search(r'<option value="partner-dom">Org partner-dom \(partner-dom\) · Domestic</option>', page)
    assert 'value="acme-psirt"' not in page  # never the owner itself

    response = signed_in.post(f"{url}/shares", {"organisation": "partner-dom"}, page=url)
    assert response.status_code == 303 and response.headers["location"] == f"{url}#sharing"
    page = signed_in.get(url).text
    assert "The case is now shared with partner-dom." in page
    share_id = re.search(r'/shares/([0-9a-f-]{36})/revoke', page)
    assert share_id, page

    assert signed_in.post(f"{url}/shares/{share_id.group(1)}/revoke", page=url).status_code == 303
    page = signed_in.get(url).text
    assert "The share with partner-dom was revoked." in page
    assert "/revoke" not in page
    with rt.sessions() as s:
        share = s.execute(select(CaseShare)).scalar_one()
        assert share.revoked_at is not None
    assert {"vulns:case:shared", "vulns:case:share-revoked"} <= set(_tags(rt, case))


def test_share_with_an_overseas_organisation_is_refused_with_pub7_and_kept_on_record(
        rt: Runtime, factory: Factory, signed_in: Browser, analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    factory.org("abroad", jurisdiction="overseas")
    url = f"/cases/{case.number}"
    response = signed_in.post(f"{url}/shares", {"organisation": "abroad"}, page=url)
    assert response.status_code == 409
    page = response.text
    assert "The publication gate refused to share the case" in page
    assert "PUB-7" in page and "who is not the product provider" in page
    assert "This refusal is kept in the audit log." in page
    assert 'value="abroad" selected' in page  # the choice is kept
    with rt.sessions() as s:
        assert s.execute(select(CaseShare)).first() is None
        refusals = s.execute(select(AuditEvent).where(AuditEvent.tag == "vulns:gate:decided")).scalars().all()
    assert [e.data["decision"]["outcome"] for e in refusals] == ["deny"]
    assert refusals[0].data["decision"]["rule_ids"] == ["PUB-7"]

    _zh(signed_in)
    page = signed_in.post(f"{url}/shares", {"organisation": "abroad"}, page=url).text
    assert "发布规则拒绝共享此案件" in page and "未公开的漏洞信息不得提供给境外接收方" in page
    # the timeline names the refusal
    assert "发布规则检查" in signed_in.get(url).text


def test_a_viewer_sees_the_shares_but_cannot_share(rt: Runtime, factory: Factory, browser: Browser,
                                                   analyst: User, org: Organisation) -> None:
    case = make_case(rt, factory, analyst)
    factory.org("partner-dom")
    with rt.sessions.begin() as s:
        sharing.share_case(s, factory.principal(analyst), rt.gate_rules, case.number, "partner-dom",
                           at=datetime.now(UTC))
    browser.login(factory.user(org, "viewer"))
    url = f"/cases/{case.number}"
    page = browser.get(url).text
    assert 'id="sharing"' in page and "partner-dom" in page
    assert f'action="{url}/shares"' not in page and "/revoke" not in page
    assert browser.post(f"{url}/shares", {"organisation": "partner-dom"}, page=url).status_code == 403


def test_the_organisation_a_case_is_shared_with_sees_no_panels(rt: Runtime, factory: Factory, browser: Browser,
                                                               analyst: User) -> None:
    _platform_mode(rt)
    case = _platform_case(rt, factory, analyst, vendor="Org partner-ro")
    partner = factory.org("partner-ro")
    with rt.sessions.begin() as s:
        sharing.share_case(s, factory.principal(analyst), rt.gate_rules, case.number, "partner-ro",
                           at=datetime.now(UTC))
    browser.login(factory.user(partner, "manager"))
    page = browser.get(f"/cases/{case.number}").text
    assert "Overflow in the parser" in page
    for panel in ('id="sharing"', 'id="members"', 'id="forward"'):
        assert panel not in page


# --- members (need-to-know) ---

def test_a_manager_adds_and_removes_members(rt: Runtime, factory: Factory, browser: Browser, analyst: User,
                                           org: Organisation) -> None:
    case = make_case(rt, factory, analyst)
    colleague = factory.user(org, "analyst", email="bo@example.org")
    factory.user(org, "reporter", email="finder@example.org")  # never offered
    browser.login(factory.user(org, "manager", email="mia@example.org"))
    url = f"/cases/{case.number}"
    page = browser.get(url).text
    assert 'id="members"' in page and "ana@example.org" in page  # the opener is the first member
    assert '<option value="bo@example.org">' in page and 'value="finder@example.org"' not in page
    assert "only the case&#39;s members, the organisation&#39;s managers and administrators" in page

    assert browser.post(f"{url}/members", {"email": "bo@example.org"}, page=url).status_code == 303
    page = browser.get(url).text
    assert "bo@example.org is now a member of the case." in page
    assert 'aria-label="Remove bo@example.org from the case"' in page

    again = browser.post(f"{url}/members", {"email": colleague.email}, page=url)
    assert again.status_code == 409 and "is already a member of case" in again.text

    assert browser.post(f"{url}/members/remove", {"email": "bo@example.org"}, page=url).status_code == 303
    page = browser.get(url).text
    assert "bo@example.org is no longer a member of the case." in page
    assert {"vulns:case:member-added", "vulns:case:member-removed"} <= set(_tags(rt, case))
    _zh(browser)
    assert "添加案件成员" in browser.get(url).text  # the timeline's label


def test_an_analyst_sees_the_members_but_may_not_change_them(rt: Runtime, factory: Factory,
                                                             signed_in: Browser, analyst: User,
                                                             org: Organisation) -> None:
    case = make_case(rt, factory, analyst)
    factory.user(org, "analyst", email="bo@example.org")
    url = f"/cases/{case.number}"
    page = signed_in.get(url).text
    assert 'id="members"' in page and "Managers of the organisation add and remove members." in page
    assert f'action="{url}/members"' not in page
    assert signed_in.post(f"{url}/members", {"email": "bo@example.org"}, page=url).status_code == 403
    assert signed_in.post(f"{url}/members/remove", {"email": analyst.email}, page=url).status_code == 403


def test_need_to_know_on_a_collection_platform(rt: Runtime, factory: Factory, browser: Browser, analyst: User,
                                               org: Organisation) -> None:
    _platform_mode(rt)
    case = _platform_case(rt, factory, analyst)
    colleague = factory.user(org, "analyst", email="bo@example.org")
    manager = factory.user(org, "manager", email="mia@example.org")
    url = f"/cases/{case.number}"

    browser.login(colleague)
    assert browser.get(url).status_code == 404
    assert case.number not in browser.get("/cases").text

    _switch(browser, manager)
    assert browser.get(url).status_code == 200
    assert browser.post(f"{url}/members", {"email": colleague.email}, page=url).status_code == 303

    _switch(browser, colleague)
    assert browser.get(url).status_code == 200
    assert case.number in browser.get("/cases").text


# --- forwarding to the provider ---

def test_no_forward_panel_without_a_clock_or_forwards(rt: Runtime, factory: Factory, signed_in: Browser,
                                                      analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    assert 'id="forward"' not in signed_in.get(f"/cases/{case.number}").text


def test_forward_form_errors_keep_the_input(rt: Runtime, factory: Factory, signed_in: Browser,
                                            analyst: User) -> None:
    _platform_mode(rt)
    case = _platform_case(rt, factory, analyst)
    url = f"/cases/{case.number}"
    page = signed_in.get(url).text
    assert 'id="forward"' in page and "PLATFORM-FORWARD" in page and "24 hours" in page
    assert '<option value="">Unknown (treated as overseas)</option>' in page

    response = signed_in.post(f"{url}/forwards", {"channel": "email", "email": "", "reference": "T-1",
                                                  "note": "first try"}, page=url)
    assert response.status_code == 422
    page = response.text
    assert "give the provider&#39;s security contact e-mail address" in page
    assert 'value="T-1"' in page and "first try" in page
    assert 'id="f-fwd-channel-email" name="channel" value="email" checked' in page

    response = signed_in.post(f"{url}/forwards", {"channel": "recorded", "recipient": "", "forwarded_at": "soon"},
                              page=url)
    assert response.status_code == 422 and "not a valid date and time" in response.text

    response = signed_in.post(f"{url}/forwards", {"channel": "recorded", "recipient": "", "forwarded_at": ""},
                              page=url)
    assert response.status_code == 422
    assert "say who received the report" in response.text and "say when it was sent" in response.text

    response = signed_in.post(f"{url}/forwards", {"channel": "share", "organisation": "nobody"}, page=url)
    assert response.status_code == 422 and "no organisation &#39;nobody&#39;" in response.text
    with rt.sessions() as s:
        assert s.execute(select(ProviderForward)).first() is None

    _zh(signed_in)
    response = signed_in.post(f"{url}/forwards", {"channel": "email", "email": ""}, page=url)
    assert response.status_code == 422 and "请填写提供者的安全联系邮箱" in response.text


def test_an_email_forward_queues_a_message_and_meets_the_clock(rt: Runtime, factory: Factory,
                                                               signed_in: Browser, analyst: User) -> None:
    _platform_mode(rt)
    case = _platform_case(rt, factory, analyst)
    url = f"/cases/{case.number}"
    response = signed_in.post(f"{url}/forwards", {
        "channel": "email", "email": "psirt@vendor.example", "jurisdiction": "overseas", "reference": "VX-7",
        "organisation": "ignored", "recipient": "ignored"}, page=url)
    assert response.status_code == 303, response.text
    with rt.sessions() as s:
        message = s.execute(select(OutboxMessage)).scalar_one()
        forward = s.execute(select(ProviderForward)).scalar_one()
    assert message.recipient == "psirt@vendor.example" and case.number in message.subject
    assert (forward.recipient, forward.jurisdiction, forward.reference, forward.on_time) == (
        "psirt@vendor.example", "overseas", "VX-7", True)
    page = signed_in.get(url).text
    assert "The forward was recorded." in page and "Forwarded on time" in page
    assert "psirt@vendor.example" in page and "VX-7" in page and "Forward again" in page
    assert "vulns:case:forwarded-to-provider" in _tags(rt, case)


def test_a_recorded_forward_takes_beijing_time(rt: Runtime, factory: Factory, signed_in: Browser,
                                               analyst: User) -> None:
    _platform_mode(rt)
    aware = datetime.now(UTC) - timedelta(hours=30)
    case = _platform_case(rt, factory, analyst, aware_at=aware)
    sent = (aware + timedelta(hours=2)).astimezone(BEIJING).replace(second=0, microsecond=0)
    url = f"/cases/{case.number}"
    response = signed_in.post(f"{url}/forwards", {
        "channel": "recorded", "recipient": "the vendor's portal", "forwarded_at": sent.strftime("%Y-%m-%dT%H:%M"),
        "jurisdiction": ""}, page=url)
    assert response.status_code == 303, response.text
    with rt.sessions() as s:
        forward = s.execute(select(ProviderForward)).scalar_one()
    assert forward.forwarded_at == sent.astimezone(UTC) and forward.jurisdiction == "unknown"
    assert forward.on_time is True
    page = signed_in.get(url).text
    assert "Unknown (treated as overseas)" in page and "the vendor&#39;s portal" in page


def test_an_overdue_forward_clock_is_shown(rt: Runtime, factory: Factory, signed_in: Browser,
                                           analyst: User) -> None:
    _platform_mode(rt)
    case = _platform_case(rt, factory, analyst, aware_at=datetime.now(UTC) - timedelta(days=2))
    page = signed_in.get(f"/cases/{case.number}").text
    section = page[page.index('id="forward"') - 80:]
    assert "clock-card--overdue" in section[:200]
    assert "overdue by" in section and "Not forwarded yet." in section
    _zh(signed_in)
    page = signed_in.get(f"/cases/{case.number}").text
    assert "转交产品提供者" in page and "已逾期" in page and "未知(按境外处理)" in page


def test_case_page_panels_render_in_both_languages(rt: Runtime, factory: Factory, browser: Browser,
                                                   analyst: User, org: Organisation) -> None:
    _platform_mode(rt)
    case = _platform_case(rt, factory, analyst)
    factory.org("vendor-x")
    browser.login(factory.user(org, "manager"))
    url = f"/cases/{case.number}"
    page = browser.get(url).text
    for text in ("Sharing", "Case members", "Forward to the provider", "provider's organisation on this instance"):
        assert text in page.replace("&#39;", "'") or text.lower() in page.replace("&#39;", "'").lower(), text
    assert 'value="vendor-x" selected' in page  # the product's vendor is proposed for the forward
    _zh(browser)
    page = browser.get(url).text
    for text in ("与其他单位共享", "案件成员", "转交产品提供者", "知悉范围"):
        assert text in page, text


def test_a_read_refused_by_the_gate_explains_itself_and_stays_on_record(rt: Runtime, factory: Factory,
                                                                        browser: Browser, analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    partner = factory.org("partner-moved")
    with rt.sessions.begin() as s:
        sharing.share_case(s, factory.principal(analyst), rt.gate_rules, case.number, "partner-moved",
                           at=datetime.now(UTC))
    with rt.sessions.begin() as s:
        moved = s.get(Organisation, partner.id)
        assert moved is not None
        moved.jurisdiction = Jurisdiction.OVERSEAS  # since the share, the organisation moved abroad
    browser.login(factory.user(partner, "analyst"))
    response = browser.get(f"/cases/{case.number}")
    assert response.status_code == 403
    assert "The publication gate refused this read" in response.text and "PUB-7" in response.text
    assert "who is not the product provider" in response.text and "SQL injection in login" not in response.text
    _zh(browser)
    assert "未公开的漏洞信息不得提供给境外接收方" in browser.get(f"/cases/{case.number}").text
    with rt.sessions() as s:
        kept = s.execute(select(AuditEvent).where(AuditEvent.tag == "vulns:gate:decided")).scalars().all()
    assert [e.data["decision"]["outcome"] for e in kept].count("deny") == 2


def test_a_forward_refused_by_the_gate_shows_why_keeps_the_input_and_the_record(
        rt: Runtime, factory: Factory, signed_in: Browser, analyst: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate lets the product's provider receive the report wherever it is (PUB-7), so a refusal is
    staged here: the service records a real denial and raises, as ``forward_to_provider`` does."""
    _platform_mode(rt)
    case = _platform_case(rt, factory, analyst)

    def refused(session: Session, principal: Principal, rules: gate.GateRules, case_ref: str,
                data: forwarding.ForwardIn, **_: object) -> None:
        found = cases.get_case(session, principal, case_ref)
        decision = gate.decide(gate.GateRequest(
            channel=gate.Channel.EMAIL, content=cases.gate_content(session, found), at=datetime.now(UTC),
            recipient=gate.Recipient(label=data.email, jurisdiction="overseas", is_product_provider=False)), rules)
        audit.record(session, VulnTag.GATE_DECIDED, Actor(principal.user_id, principal.label), "case", found.id,
                     org_id=found.org_id, data={"channel": "email", "decision": decision.to_dict()})
        raise advisories.GateRefused(decision)

    monkeypatch.setattr(forwarding, "forward_to_provider", refused)
    url = f"/cases/{case.number}"
    response = signed_in.post(f"{url}/forwards", {"channel": "email", "email": "someone@abroad.example",
                                                  "jurisdiction": "overseas", "reference": "R-9"}, page=url)
    assert response.status_code == 409
    page = response.text
    section = page[page.index('id="forward"'):]
    assert "The publication gate refused the forward" in section and "PUB-7" in section
    assert "nothing was forwarded, and your input is kept" in section
    assert 'value="someone@abroad.example"' in section and 'value="R-9"' in section
    with rt.sessions() as s:
        kept = s.execute(select(AuditEvent).where(AuditEvent.tag == "vulns:gate:decided")).scalars().all()
    assert [e.data["decision"]["outcome"] for e in kept] == ["deny"]
    _zh(signed_in)
    page = signed_in.post(f"{url}/forwards", {"channel": "email", "email": "someone@abroad.example"}, page=url).text
    assert "发布规则拒绝转交" in page and "未公开的漏洞信息不得提供给境外接收方" in page


def test_a_cert_abroad_is_shared_only_with_a_legal_signoff(rt: Runtime, factory: Factory, signed_in: Browser,
                                                          analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    factory.org("cert-abroad", roles=("cert",), jurisdiction="overseas")
    url = f"/cases/{case.number}"
    held = signed_in.post(f"{url}/shares", {"organisation": "cert-abroad", "legal_signoff": ""}, page=url)
    assert held.status_code == 409 and "legal sign-off" in held.text
    done = signed_in.post(f"{url}/shares", {"organisation": "cert-abroad", "legal_signoff": "LEGAL-2026-7"},
                          page=url)
    assert done.status_code in (200, 303), done.text
    with rt.sessions() as s:
        share = s.execute(select(CaseShare)).scalar_one()
    assert share.legal_signoff == "LEGAL-2026-7" and share.revoked_at is None
