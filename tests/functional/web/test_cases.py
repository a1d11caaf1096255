"""The case pages: list, new, transitions with blocked reasons, edits, notices, the NVDB packet."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from tests.conftest import Factory
from tests.functional.web.conftest import Browser, make_case
from wangan.db import utcnow
from wangan.kernel.calendar import BEIJING
from wangan.kernel.models import Organisation, User
from wangan.runtime import Runtime
from wangan.vulns import cases, products
from wangan.vulns.models import Case, CaseState

COMPLETE = {
    "technical_characteristics": "unsanitised host parameter reaches system()",
    "harm": "remote command execution as root", "impact_scope": "all AX-3000 units on 1.0-1.1",
    "affected_versions": "1.0, 1.1", "verification_result": "reproduced on 1.1",
    "cvss31_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
}


def _local(dt: object) -> str:
    return dt.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")  # type: ignore[attr-defined]


def _edit_form(page: str) -> dict[str, str]:
    """The edit form's current values, as a browser would send them back."""
    form = page.split('action="/cases/', 1)[1].split("/edit", 1)[1].split("</form>", 1)[0]
    values: dict[str, str] = {}
    for name, value in re.findall(r'<input type="(?:text|hidden|datetime-local)" id="[^"]*" name="([^"]+)" '
                                  r'value="([^"]*)"', form):
        values[name] = value
    values["version"] = re.search(r'name="version" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    for name, value in re.findall(r'<textarea id="[^"]*" name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        values[name] = value
    for name in re.findall(r'<input type="checkbox" id="[^"]*" name="([^"]+)" value="1" checked', form):
        values[name] = "1"
    return values


def test_case_page_shows_transitions_and_blocked_reasons(rt: Runtime, factory: Factory, signed_in: Browser,
                                                          analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    text = signed_in.get(f"/cases/{case.number}").text
    assert re.search(r'value="start_verification" class="btn btn--primary">Start verification', text)
    assert re.search(r'value="reject" class="btn" disabled aria-describedby="why-reject"', text)
    assert "record the verification result first" in text

    assert signed_in.post(f"/cases/{case.number}/transition",
                          {"transition": "start_verification", "version": str(case.version)},
                          page=f"/cases/{case.number}").status_code == 303
    text = signed_in.get(f"/cases/{case.number}").text
    assert 'class="state state--verifying">Verifying' in text
    assert re.search(r'value="confirm" class="btn" disabled', text)
    for reason in ("record the verification result first", "assess severity: give a CVSS 3.1 or 4.0 vector",
                   "record the impact scope"):
        assert reason in text
    # The NVDB clock: its rule id, and its status shown as an interpretation.
    assert "VULN-NVDB-REPORT" in text
    assert 'class="badge badge--interpreted"' in text and ">interpreted<" in text
    assert "/cases/" + case.number + "/nvdb" in text


def test_blocked_reasons_are_translated(rt: Runtime, factory: Factory, signed_in: Browser,
                                        analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    signed_in.get("/lang/zh")
    text = signed_in.get(f"/cases/{case.number}").text
    assert "请先填写验证结果" in text
    assert "开始验证" in text  # the rules file's label_zh


def test_a_blocked_transition_is_refused_with_the_message(rt: Runtime, factory: Factory, signed_in: Browser,
                                                           analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    response = signed_in.post(f"/cases/{case.number}/transition", {"transition": "reject", "note": "dup"},
                              page=f"/cases/{case.number}")
    assert response.status_code == 409
    assert "is not possible yet" in response.text
    assert ">dup</textarea>" in response.text


def test_edit_saves_and_shows_computed_scores(rt: Runtime, factory: Factory, signed_in: Browser,
                                             analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    page = signed_in.get(f"/cases/{case.number}").text
    form = _edit_form(page)
    form.update(COMPLETE, cvss40_vector="CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                cwe="78", in_upstream_component="1")
    form.pop("user_action_required", None)
    response = signed_in.post(f"/cases/{case.number}/edit", form, page=f"/cases/{case.number}")
    assert response.status_code == 303, response.text
    text = signed_in.get(f"/cases/{case.number}").text
    assert "Score 9.8 (Critical)" in text and "Score 9.3 (Critical)" in text
    assert 'value="CWE-78"' in text
    with rt.sessions() as s:
        saved = s.query(Case).one()
        assert saved.harm == COMPLETE["harm"]
        assert saved.in_upstream_component is True and saved.user_action_required is False
        assert saved.version == case.version + 1
    assert "Case edited" in text  # the timeline


def test_edit_with_a_stale_version_re_renders_with_message_and_input(
        rt: Runtime, factory: Factory, signed_in: Browser, analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    form = _edit_form(signed_in.get(f"/cases/{case.number}").text)
    with rt.sessions.begin() as s:  # someone else edits meanwhile
        cases.update_case(s, factory.principal(analyst), case.id, {"harm": "their harm"})
    form["harm"] = "my carefully written harm"
    form["impact_scope"] = "my scope"
    response = signed_in.post(f"/cases/{case.number}/edit", form, page=f"/cases/{case.number}")
    assert response.status_code == 409
    assert "was changed by someone else" in response.text
    assert ">my carefully written harm</textarea>" in response.text
    assert ">my scope</textarea>" in response.text
    with rt.sessions() as s:
        assert s.query(Case).one().harm == "their harm"
    # Having seen the message, the user saves again: the form now carries the current version.
    again = _edit_form(response.text)
    assert again["version"] == str(case.version + 1) and again["harm"] == "my carefully written harm"
    assert signed_in.post(f"/cases/{case.number}/edit", again, page=f"/cases/{case.number}").status_code == 303
    with rt.sessions() as s:
        assert s.query(Case).one().harm == "my carefully written harm"


def test_saving_an_unchanged_form_changes_nothing(rt: Runtime, factory: Factory, signed_in: Browser,
                                                   analyst: User) -> None:
    case = make_case(rt, factory, analyst, fix_available_at=utcnow().replace(second=42), fix_description="x")
    form = _edit_form(signed_in.get(f"/cases/{case.number}").text)
    assert signed_in.post(f"/cases/{case.number}/edit", form, page=f"/cases/{case.number}").status_code == 303
    with rt.sessions() as s:
        saved = s.query(Case).one()
        assert saved.version == case.version and saved.fix_available_at.second == 42


def test_invalid_edit_lists_every_problem(rt: Runtime, factory: Factory, signed_in: Browser,
                                          analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    form = _edit_form(signed_in.get(f"/cases/{case.number}").text)
    form.update(cwe="cross-site", cvss31_vector="CVSS:3.1/AV:X", fix_available_at="not a date", harm="kept")
    response = signed_in.post(f"/cases/{case.number}/edit", form, page=f"/cases/{case.number}")
    assert response.status_code == 422
    text = response.text
    assert 'id="f-cwe-error"' in text and 'id="f-cvss31_vector-error"' in text
    assert 'id="f-fix_available_at-error"' in text
    assert ">kept</textarea>" in text and 'value="CVSS:3.1/AV:X"' in text
    with rt.sessions() as s:
        assert s.query(Case).one().harm == ""


def test_new_case_form(rt: Runtime, factory: Factory, signed_in: Browser, analyst: User,
                       org: Organisation) -> None:
    with rt.sessions.begin() as s:
        product = products.create_product(s, factory.principal(analyst), vendor="Acme", name="Router",
                                          model="AX-3000")
    page = signed_in.get("/cases/new").text
    assert "Acme Router AX-3000" in page
    aware = utcnow() - timedelta(hours=3)
    response = signed_in.post("/cases/new", {"title": "Found in audit", "aware_at": _local(aware),
                                             "product_id": str(product.id)}, page="/cases/new")
    assert response.status_code == 303
    number = response.headers["location"].rsplit("/", 1)[1]
    with rt.sessions() as s:
        case = s.query(Case).one()
        assert case.number == number and case.product_id == product.id
        assert abs((case.aware_at - aware).total_seconds()) < 60
        assert case.nvdb_due_at == case.aware_at + timedelta(days=2)

    refused = signed_in.post("/cases/new", {"title": "", "aware_at": "soon"}, page="/cases/new")
    assert refused.status_code == 422
    assert 'id="f-aware_at-error"' in refused.text


def test_list_filters(rt: Runtime, factory: Factory, signed_in: Browser, analyst: User) -> None:
    now = utcnow()
    make_case(rt, factory, analyst, "Alpha overdue", aware_at=now - timedelta(hours=60))
    make_case(rt, factory, analyst, "Beta fresh")
    assert "Alpha overdue" in signed_in.get("/cases").text
    overdue = signed_in.get("/cases?overdue=1").text
    assert "Alpha overdue" in overdue and "Beta fresh" not in overdue
    searched = signed_in.get("/cases?q=beta").text
    assert "Beta fresh" in searched and "Alpha overdue" not in searched
    assert "Beta fresh" in signed_in.get("/cases?state=new&open=1").text
    assert signed_in.get("/cases?state=bogus").status_code == 422


def test_notices_and_nvdb_submission(rt: Runtime, factory: Factory, signed_in: Browser,
                                     analyst: User) -> None:
    case = make_case(rt, factory, analyst, aware_at=utcnow() - timedelta(hours=1), **COMPLETE)
    page = f"/cases/{case.number}"
    now = _local(utcnow())
    up = signed_in.post(f"{page}/upstream", {"supplier": "OpenSSL", "component": "libssl",
                                             "component_version": "3.0.1", "sent_at": now}, page=page)
    assert up.status_code == 303
    down = signed_in.post(f"{page}/downstream", {"recipients": "all customers", "fix": "upgrade to 1.2",
                                                 "sent_at": now}, page=page)
    assert down.status_code == 303
    missing = signed_in.post(f"{page}/upstream", {"supplier": "", "component": "x", "sent_at": now}, page=page)
    assert missing.status_code == 422 and 'id="f-up-supplier-error"' in missing.text
    # Refused: the product is missing, so the packet is incomplete.
    refused = signed_in.post(f"{page}/nvdb-submission", {"reference": "CNVD-C-1", "submitted_at": now},
                             page=page)
    assert refused.status_code == 422
    assert 'value="CNVD-C-1"' in refused.text
    with rt.sessions.begin() as s:
        p = factory.principal(analyst)
        product = products.create_product(s, p, vendor="Acme", name="Router", model="AX")
        cases.update_case(s, p, case.id, {"product_id": str(product.id)})
    done = signed_in.post(f"{page}/nvdb-submission", {"reference": "CNVD-C-1", "submitted_at": now}, page=page)
    assert done.status_code == 303
    text = signed_in.get(page).text
    assert "OpenSSL" in text and "all customers" in text
    assert "Reported on time" in text and "CNVD-C-1" in text


def test_nvdb_page_lists_missing_fields_with_422(rt: Runtime, factory: Factory, signed_in: Browser,
                                                 analyst: User) -> None:
    case = make_case(rt, factory, analyst, harm="some harm")
    response = signed_in.get(f"/cases/{case.number}/nvdb")
    assert response.status_code == 422
    text = response.text
    for label in ("Product name", "Model", "Version", "Technical characteristics", "Impact scope"):
        assert f"<strong>{label}</strong>" in text
    assert "<strong>Harm</strong>" not in text
    assert f'href="/cases/{case.number}#f-product_id"' in text
    assert f'href="/cases/{case.number}#f-technical_characteristics"' in text
    assert signed_in.get(f"/cases/{case.number}/nvdb.json").status_code == 422


def test_nvdb_page_and_json_of_a_complete_case(rt: Runtime, factory: Factory, signed_in: Browser,
                                               analyst: User) -> None:
    with rt.sessions.begin() as s:
        product = products.create_product(s, factory.principal(analyst), vendor="Acme", name="Router",
                                          model="AX-3000")
    case = make_case(rt, factory, analyst, product_id=str(product.id), **COMPLETE)
    page = signed_in.get(f"/cases/{case.number}/nvdb")
    assert page.status_code == 200
    assert "remote command execution as root" in page.text and "产品名称" in page.text
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in page.text
    download = signed_in.get(f"/cases/{case.number}/nvdb.json")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == f'attachment; filename="{case.number}-nvdb.json"'
    packet = json.loads(download.text)
    assert packet["case"]["number"] == case.number
    assert {f["id"]: f["value"] for f in packet["fields"]}["product_model"] == "AX-3000"


def test_other_organisation_gets_404(rt: Runtime, factory: Factory, browser: Browser, analyst: User) -> None:
    case = make_case(rt, factory, analyst, "Undisclosed flaw")
    outsider = factory.user(factory.org("rival-co"), "manager")
    browser.login(outsider)
    for url in (f"/cases/{case.number}", f"/cases/{case.number}/nvdb", f"/cases/{case.id}"):
        response = browser.get(url)
        assert response.status_code == 404, url
        assert "Undisclosed flaw" not in response.text
        assert "Not found" in response.text
    edit = browser.post(f"/cases/{case.number}/edit", {"title": "pwned"}, page="/")
    assert edit.status_code == 404


def test_a_form_posted_after_the_session_ended_returns_to_its_page(rt: Runtime, factory: Factory,
                                                                   browser: Browser, analyst: User) -> None:
    case = make_case(rt, factory, analyst)
    response = browser.client.post(f"/cases/{case.number}/transition",
                                   data={"csrf_token": browser.token(), "transition": "start_verification"},
                                   headers={"referer": f"http://testserver/cases/{case.number}"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/cases/{case.number}"


def test_viewer_sees_the_case_read_only(rt: Runtime, factory: Factory, browser: Browser, analyst: User,
                                        org: Organisation) -> None:
    case = make_case(rt, factory, analyst)
    viewer = factory.user(org, "viewer")
    browser.login(viewer)
    text = browser.get(f"/cases/{case.number}").text
    assert "<fieldset disabled>" in text
    assert 'action="/cases/' + case.number + '/upstream"' not in text
    refused = browser.post(f"/cases/{case.number}/transition", {"transition": "start_verification"}, page="/")
    assert refused.status_code == 403
    with rt.sessions() as s:
        assert s.query(Case).one().state is CaseState.NEW
