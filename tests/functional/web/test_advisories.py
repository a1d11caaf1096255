"""The internal advisory pages: draft from a case, edit, attachments, review actions, the gate's
dry run beside them, and a refused publication that loses nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import Factory
from tests.functional.web.conftest import Browser, make_case
from wangan.kernel.models import Organisation, User
from wangan.runtime import Runtime
from wangan.vulns import advisories
from wangan.vulns.models import AdvisoryState

HIGH_31 = "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"


@pytest.fixture
def manager(factory: Factory, org: Organisation) -> User:
    return factory.user(org, "manager", email="mgr@example.org")


def draft(rt: Runtime, factory: Factory, user: User, *, fixed: bool = False) -> str:
    fields: dict[str, object] = {"cvss31_vector": HIGH_31}
    if fixed:
        fields.update(fix_description="Upgrade to 2.0", fix_available_at=datetime.now(UTC) - timedelta(hours=1))
    case = make_case(rt, factory, user, title="Overflow in the X1 router", **fields)
    with rt.sessions.begin() as s:
        return advisories.draft_from_case(s, factory.principal(user), case.number).number


def approve(rt: Runtime, factory: Factory, user: User, number: str) -> None:
    who = factory.principal(user)
    with rt.sessions.begin() as s:
        for action in ("submit", "approve"):
            advisories.transition(s, who, rt.gate_rules, number, action)


def state_of(rt: Runtime, factory: Factory, user: User, number: str) -> AdvisoryState:
    with rt.sessions() as s:
        return advisories.get_advisory(s, factory.principal(user), number).state


def page_url(number: str) -> str:
    return f"/manage/advisories/{number}"


def test_pages_need_sign_in(browser: Browser) -> None:
    resp = browser.get("/manage/advisories")
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")


def test_draft_from_the_case_page(rt: Runtime, factory: Factory, signed_in: Browser, analyst: User) -> None:
    case = make_case(rt, factory, analyst, title="Overflow in the X1 router")
    case_page = signed_in.get(f"/cases/{case.number}").text
    assert 'action="/manage/advisories/new"' in case_page and "Draft advisory" in case_page

    resp = signed_in.post("/manage/advisories/new", {"case": case.number}, page=f"/cases/{case.number}")

    assert resp.status_code == 303
    number = resp.headers["location"].rsplit("/", 1)[-1]
    assert number.startswith("WA-SA-")
    page = signed_in.get(resp.headers["location"]).text
    assert f"Advisory {number} was drafted." in page and "Overflow in the X1 router" in page
    assert number in signed_in.get("/manage/advisories").text


def test_draft_from_an_unknown_case_keeps_the_input(signed_in: Browser) -> None:
    resp = signed_in.post("/manage/advisories/new", {"case": "WA-2099-0001"}, page="/manage/advisories")
    assert resp.status_code == 404
    assert "no such case, or you may not see it" in resp.text and 'value="WA-2099-0001"' in resp.text


def test_gate_panel_shows_every_rule_with_reasons_in_the_page_language(
        rt: Runtime, factory: Factory, signed_in: Browser, analyst: User) -> None:
    number = draft(rt, factory, analyst)

    page = signed_in.get(page_url(number)).text

    assert "Publication gate check (dry run)" in page and "Publication would be refused now." in page
    for rule in ("PUB-1", "PUB-2", "PUB-3", "PUB-4", "PUB-5", "PUB-6"):
        assert f"<code>{rule}</code>" in page, rule
    assert "No fix is available and there is no early-publication record." in page
    assert 'href="#f-joint_assessment_at"' in page and 'href="#f-fix"' in page
    signed_in.get(f"/lang/zh?next={page_url(number)}")
    zh = signed_in.get(page_url(number)).text
    assert "发布规则检查" in zh and "提供者尚未提供修补措施" in zh


def test_edit_saves_and_reports_invalid_fields(rt: Runtime, factory: Factory, signed_in: Browser,
                                               analyst: User) -> None:
    number = draft(rt, factory, analyst)
    page = signed_in.get(page_url(number)).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    form = {"title": "Overflow in the X1 router", "description": "A long field", "affected": "X1 2.3",
            "fix": "Upgrade to 2.0", "cwe": "CWE-121", "cvss31_vector": HIGH_31, "cvss40_vector": "",
            "credits": "Li Lei", "references": "https://example.org/a\n\nhttps://example.org/b\n",
            "evaluation_result": "", "joint_assessment_at": "2026-01-05T10:00", "reported_to_miit_mps_at": "",
            "evaluated_at": "", "version": version.group(1)}

    saved = signed_in.post(f"{page_url(number)}/edit", form, page=page_url(number))

    assert saved.status_code == 303, saved.text
    with rt.sessions() as s:
        adv = advisories.get_advisory(s, factory.principal(analyst), number)
        assert adv.references == ["https://example.org/a", "https://example.org/b"]
        assert adv.fix == "Upgrade to 2.0" and adv.cwe == "CWE-121"
        assert adv.joint_assessment_at is not None
        assert adv.joint_assessment_at.astimezone(UTC) == datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
        version_now = adv.version

    bad = signed_in.post(f"{page_url(number)}/edit", {**form, "references": "javascript:alert(1)",
                                                       "evaluated_at": "yesterday", "version": str(version_now)},
                         page=page_url(number))
    assert bad.status_code == 422
    assert "not a valid date and time" in bad.text and "javascript:alert(1)" in bad.text

    stale = signed_in.post(f"{page_url(number)}/edit", {**form, "credits": "Han Meimei", "version": "1"},
                           page=page_url(number))
    assert stale.status_code == 409
    assert "Han Meimei" in stale.text and "saving again now overwrites" in stale.text
    assert f'name="version" value="{version_now}"' in stale.text


def test_refused_publish_shows_reasons_in_english_and_chinese(
        rt: Runtime, factory: Factory, browser: Browser, manager: User) -> None:
    number = draft(rt, factory, manager)
    approve(rt, factory, manager, number)
    browser.login(manager)

    refused = browser.post(f"{page_url(number)}/transition", {"action": "publish", "note": "my careful note"},
                           page=page_url(number))

    assert refused.status_code == 409
    assert "The publication gate refused" in refused.text
    assert "No fix is available and there is no early-publication record." in refused.text
    assert "No fix or mitigation is written" in refused.text
    assert "my careful note" in refused.text  # nothing lost
    assert state_of(rt, factory, manager, number) is AdvisoryState.APPROVED

    browser.get(f"/lang/zh?next={page_url(number)}")
    zh = browser.post(f"{page_url(number)}/transition", {"action": "publish", "note": "说明"}, page=page_url(number))
    assert zh.status_code == 409
    assert "发布规则拒绝发布" in zh.text and "提供者尚未提供修补措施" in zh.text and "说明" in zh.text


def test_manager_publishes_after_the_fix(rt: Runtime, factory: Factory, browser: Browser, manager: User) -> None:
    number = draft(rt, factory, manager, fixed=True)
    browser.login(manager)
    for action in ("submit", "approve"):
        resp = browser.post(f"{page_url(number)}/transition", {"action": action}, page=page_url(number))
        assert resp.status_code == 303, resp.text
    page = browser.get(page_url(number)).text
    assert "Publication would be allowed now." in page

    published = browser.post(f"{page_url(number)}/transition", {"action": "publish", "note": "first"},
                             page=page_url(number))

    assert published.status_code == 303
    assert "Revision 1 is published." in browser.get(page_url(number)).text
    assert "Upgrade to 2.0" in browser.get(f"/advisories/{number}").text
    assert "Internal page" in browser.get(f"/advisories/{number}").text


def test_analyst_sees_manager_actions_disabled(rt: Runtime, factory: Factory, signed_in: Browser,
                                               analyst: User) -> None:
    number = draft(rt, factory, analyst)
    signed_in.post(f"{page_url(number)}/transition", {"action": "submit"}, page=page_url(number))
    page = signed_in.get(page_url(number)).text
    assert re.search(r'value="approve"[^>]*disabled', page)
    forbidden = signed_in.post(f"{page_url(number)}/transition", {"action": "approve"}, page=page_url(number))
    assert forbidden.status_code == 403


def test_upload_and_exploit_in_the_gate_panel(rt: Runtime, factory: Factory, signed_in: Browser,
                                              analyst: User) -> None:
    number = draft(rt, factory, analyst, fixed=True)
    token = signed_in.token(page_url(number))
    resp = signed_in.client.post(f"{page_url(number)}/attachments", data={"csrf_token": token, "kind": "exploit"},
                                 files={"file": ("boom.py", b"print('x')", "text/x-python")})
    assert resp.status_code == 303, resp.text

    page = signed_in.get(page_url(number)).text
    assert "boom.py" in page and "Exploit" in page
    assert "is exploit code and may not be published or provided" in page
    att = re.search(rf'href="({page_url(number)}/attachments/[0-9a-f-]+)"', page)
    assert att and signed_in.get(att.group(1)).content == b"print('x')"

    missing = signed_in.client.post(f"{page_url(number)}/attachments", data={"csrf_token": token, "kind": "patch"})
    assert missing.status_code == 422 and "choose a file" in missing.text
    bad_kind = signed_in.client.post(f"{page_url(number)}/attachments", data={"csrf_token": token, "kind": "x"},
                                     files={"file": ("a.txt", b"a", "text/plain")})
    assert bad_kind.status_code == 422 and "patch, poc, exploit or document" in bad_kind.text


def test_viewer_reads_without_forms_and_other_orgs_get_404(rt: Runtime, factory: Factory, browser: Browser,
                                                           analyst: User, org: Organisation) -> None:
    number = draft(rt, factory, analyst)
    browser.login(factory.user(org, "viewer"))
    page = browser.get(page_url(number)).text
    assert "<fieldset disabled" in page and 'action="/manage/advisories/' + number + '/transition"' not in page
    browser.client.cookies.clear()
    browser.login(factory.user(factory.org("other-co"), "analyst"))
    assert browser.get(page_url(number)).status_code == 404


def test_withdraw_needs_a_reason(rt: Runtime, factory: Factory, browser: Browser, manager: User) -> None:
    number = draft(rt, factory, manager, fixed=True)
    approve(rt, factory, manager, number)
    with rt.sessions.begin() as s:
        advisories.transition(s, factory.principal(manager), rt.gate_rules, number, "publish")
    browser.login(manager)
    refused = browser.post(f"{page_url(number)}/transition", {"action": "withdraw"}, page=page_url(number))
    assert refused.status_code == 422 and "say why the advisory is withdrawn" in refused.text
    done = browser.post(f"{page_url(number)}/transition", {"action": "withdraw", "note": "duplicate"},
                        page=page_url(number))
    assert done.status_code == 303
    page = browser.get(page_url(number)).text
    assert "The advisory was withdrawn; it can no longer change." in page
    assert "Publication gate check" not in page


SUSPICIOUS = (b"#!/usr/bin/env python3\nimport socket\ns = socket.socket()\ns.connect((target, 80))\n"
              b"payload = b'A' * 1024 + shellcode\ns.send(payload)\n")


def test_manager_clears_a_held_attachment(rt: Runtime, factory: Factory, browser: Browser, manager: User) -> None:
    number = draft(rt, factory, manager, fixed=True)
    with rt.sessions.begin() as s:
        att_id = advisories.add_attachment(s, factory.principal(manager), number, filename="poc.py", kind="poc",
                                           content_type="text/x-python", data=SUSPICIOUS).id
    browser.login(manager)
    page = browser.get(page_url(number)).text
    if "Held for a decision" not in page:
        pytest.skip("the rules file's heuristics do not hold this sample")
    assert "A person must decide before publication." in page and f'href="#att-{att_id}"' in page

    cleared = browser.post(f"{page_url(number)}/attachments/{att_id}/clear", page=page_url(number))

    assert cleared.status_code == 303
    page = browser.get(page_url(number)).text
    assert "Attachment poc.py was cleared." in page and "Cleared by a person" in page
    assert "Held for a decision" not in page
