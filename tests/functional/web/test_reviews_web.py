"""Cybersecurity review in the browser: the screening, opening a case, the dossier with its versions,
working-day clocks (provisional in 2027), transitions with their blockers, pauses, risk factors,
commitments, supervision, the impact analysis report, and who may see and change what."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Factory
from tests.functional.web.conftest import Browser
from tests.pdfcheck import embedded_fonts, has_cjk_font
from wangan.kernel.auth import Principal, principal_for
from wangan.kernel.calendar import FixedClock
from wangan.kernel.models import Organisation, User
from wangan.reviews import cases
from wangan.runtime import Runtime

FILED = "2026-11-02"
DOCS_FILED = "2026-11-03"  # t_a: the determination clock starts here
NOTICED = "2026-12-01"  # 30 working days later lies in January 2027, a year nobody confirmed
# Noon in Beijing on 2026-12-10: "today" for every page of these tests.
NOW = datetime(2026, 12, 10, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fixed_today(rt: Runtime) -> None:
    rt.clock = FixedClock(NOW)
REQUIRED = ("application_form", "impact_report", "procurement_documents")


def _zh(browser: Browser) -> None:
    assert browser.get("/lang/zh?next=/").status_code == 303


def _switch(browser: Browser, user: User) -> None:
    browser.client.cookies.clear()
    browser.login(user)


def _open(browser: Browser, **fields: str) -> str:
    data = {"kind": "procurement", "title": "Core routers for the backbone", "filed_on": FILED,
            "product_name": "Core router CR-9000", "product_category": "core_network_equipment",
            "supplier_name": "Acme Networks", "supplier_country": "US", **fields}
    response = browser.post("/reviews/new", data, page="/reviews/new")
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


def _upload(browser: Browser, number: str, slot: str, body: bytes = b"%PDF-1.7 dossier",
            filed_on: str = DOCS_FILED) -> Any:
    return browser.post(f"/reviews/{number}/documents", {"slot": slot, "filed_on": filed_on, "note": ""},
                        page=f"/reviews/{number}", files={"file": (f"{slot}.pdf", body, "application/pdf")})


def _complete(browser: Browser, number: str) -> None:
    for slot in REQUIRED:
        response = _upload(browser, number, slot)
        assert response.status_code == 303, response.text


def _move(browser: Browser, number: str, transition: str, on: str = "") -> Any:
    page = browser.get(f"/reviews/{number}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    return browser.post(f"/reviews/{number}/transition", {"transition": transition, "on": on,
                                                          "version": version.group(1)}, page=f"/reviews/{number}")


# --- screening ---

def test_screening_answers_with_outcome_version_and_articles(signed_in: Browser) -> None:
    page = signed_in.get("/reviews/screening").text
    assert "Applicability screening" in page and 'name="may_affect_national_security"' in page
    response = signed_in.post("/reviews/screening", {
        "party": "procurement", "decided_on": "2024-06-03", "product_category": "cloud_services",
        "may_affect_national_security": "yes"}, page="/reviews/screening")
    assert response.status_code == 200
    assert 'id="outcome">A cybersecurity review application is required<' in response.text
    assert "MEASURES-2021" in response.text and "Art. 21" in response.text
    assert "must apply to the Cybersecurity Review Office" in response.text

    response = signed_in.post("/reviews/screening", {
        "party": "listing", "decided_on": "2024-06-03", "user_count": "1,000,001", "listing_venue": "Hong Kong"},
        page="/reviews/screening")
    assert 'id="outcome">Not mandatory, but a review is possible<' in response.text
    assert "Listing in Hong Kong" in response.text and "Art. 16" in response.text
    link = re.search(r'href="(/reviews/new\?[^"]+)"', response.text)
    assert link, "the answer links to a pre-filled case form"
    form = signed_in.get(link.group(1).replace("&amp;", "&")).text
    assert 'value="2024-06-03"' in form and 'value="Hong Kong"' in form and 'value="1,000,001"' in form

    _zh(signed_in)
    response = signed_in.post("/reviews/screening", {
        "party": "listing", "decided_on": "2024-06-03", "user_count": "1000001",
        "listing_venue": "纽交所"}, page="/reviews/screening")
    assert 'id="outcome">应当申报网络安全审查<' in response.text
    assert "网络安全审查办法（2021年修订）" in response.text and "第7条" in response.text
    assert "且拟在国外上市" in response.text


def test_screening_refuses_bad_input_and_keeps_it(signed_in: Browser) -> None:
    response = signed_in.post("/reviews/screening", {
        "party": "listing", "decided_on": "2024-06-03", "user_count": "lots", "listing_venue": "Mars Exchange"},
        page="/reviews/screening")
    assert response.status_code == 422
    page = response.text
    assert 'value="lots"' in page and 'value="Mars Exchange"' in page
    assert 'id="f-screen-user_count-error"' in page and 'id="f-screen-listing_venue-error"' in page
    assert 'id="outcome"' not in page

    response = signed_in.post("/reviews/screening", {"party": "procurement", "decided_on": "2019-01-01",
                                                     "product_category": "", "may_affect_national_security": ""},
                              page="/reviews/screening")
    assert response.status_code == 422
    assert 'id="f-screen-decided_on-error"' in response.text
    assert 'id="f-screen-product_category-error"' in response.text
    response = signed_in.post("/reviews/screening", {"party": "procurement", "decided_on": "not a day"},
                              page="/reviews/screening")
    assert response.status_code == 422 and "not a valid date" in response.text

    _zh(signed_in)
    response = signed_in.post("/reviews/screening", {
        "party": "listing", "decided_on": "2024-06-03", "user_count": "lots", "listing_venue": "Mars Exchange"},
        page="/reviews/screening")
    error = re.search(r'id="f-screen-listing_venue-error">([^<]+)<', response.text)
    assert error and re.search(r"[\u4e00-\u9fff]", error.group(1)) and "recognised" not in error.group(1)


# --- list and new ---

def test_new_case_refused_with_every_field_kept(signed_in: Browser) -> None:
    response = signed_in.post("/reviews/new", {"kind": "procurement", "title": "Routers", "filed_on": FILED,
                                               "product_name": "", "supplier_name": "Acme Networks"},
                              page="/reviews/new")
    assert response.status_code == 422
    assert 'value="Acme Networks"' in response.text and 'value="Routers"' in response.text
    assert 'id="f-product_name-error"' in response.text and 'id="f-product_category-error"' in response.text
    response = signed_in.post("/reviews/new", {"kind": "listing", "title": "IPO", "filed_on": FILED,
                                               "listing_venue": "NYSE", "user_count": "more than 1 million"},
                              page="/reviews/new")
    assert response.status_code == 422 and 'id="f-user_count-error"' in response.text
    assert 'value="more than 1 million"' in response.text


def test_list_shows_state_filter_next_due_and_provisional_badge(signed_in: Browser) -> None:
    number = _open(signed_in)
    _complete(signed_in, number)
    assert _move(signed_in, number, "notice_review", NOTICED).status_code == 303
    other = _open(signed_in, title="Second purchase")
    page = signed_in.get("/reviews").text
    assert number in page and other in page
    assert ("Review noticed" in page and "working days left" in page) or "Overdue" in page
    row = page.split(number, 1)[1].split("</tr>", 1)[0]
    assert "2027-" in row and "provisional" in row and "2027" in row
    filtered = signed_in.get("/reviews?state=preparing").text
    assert other in filtered and number not in filtered
    assert 'href="/reviews"' in signed_in.get("/").text  # the navigation link


# --- the case page ---

def test_dossier_versions_complete_the_dossier_and_start_the_clock(rt: Runtime, signed_in: Browser) -> None:
    number = _open(signed_in)
    page = signed_in.get(f"/reviews/{number}").text
    assert "MEASURES-2021" in page and "3 required document(s) missing" in page
    assert "No clock yet" in page
    response = _upload(signed_in, number, "application_form", b"version one")
    assert response.status_code == 303
    assert _upload(signed_in, number, "application_form", b"version two").status_code == 303
    page = signed_in.get(f"/reviews/{number}").text
    assert "application_form.pdf was uploaded (version 2)." in page
    assert hashlib.sha256(b"version one").hexdigest() in page and hashlib.sha256(b"version two").hexdigest() in page
    assert "v1" in page and "v2" in page and "ana@example.org" in page
    with rt.sessions() as s:
        case = cases.get_case(s, _principal(s, "ana@example.org"), number)
        first = next(d for d in case.documents if d.version == 1)
        doc_id = first.id
    download = signed_in.get(f"/reviews/{number}/documents/{doc_id}")
    assert download.status_code == 200 and download.content == b"version one"
    assert "attachment" in download.headers["content-disposition"]

    for slot in REQUIRED[1:]:
        assert _upload(signed_in, number, slot).status_code == 303
    page = signed_in.get(f"/reviews/{number}").text
    assert 'id="dossier-state">Dossier complete<' in page
    assert 'id="case-state">Office deciding whether to review<' in page
    assert "REV-DETERMINE" in page and "10 working days" in page


def test_upload_errors_are_shown_on_the_slot(signed_in: Browser) -> None:
    number = _open(signed_in)
    response = signed_in.post(f"/reviews/{number}/documents", {"slot": "impact_report", "filed_on": DOCS_FILED},
                              page=f"/reviews/{number}")
    assert response.status_code == 422 and 'id="f-doc-impact_report-file-error"' in response.text
    response = _upload(signed_in, number, "impact_report", filed_on="2026-10-01")  # before the filing day
    assert response.status_code == 422
    assert 'id="f-doc-impact_report-filed_on-error"' in response.text and 'value="2026-10-01"' in response.text


def test_clocks_transitions_pauses_and_the_provisional_marker(signed_in: Browser) -> None:
    number = _open(signed_in)
    # Before the dossier is complete there is nothing to do but upload.
    assert "moves on by itself once the dossier is complete" in signed_in.get(f"/reviews/{number}").text
    _complete(signed_in, number)
    assert _move(signed_in, number, "notice_review", NOTICED).status_code == 303
    page = signed_in.get(f"/reviews/{number}").text
    initial = page.split('id="clock-REV-INITIAL"', 1)[1].split("</li>", 1)[0]
    assert "30 working days" in initial and "2027-01-" in initial
    assert "provisional" in initial and "(unconfirmed: 2027)" in initial
    assert "Stopped late on 2026-12-01" in page  # the determination clock ran out on 2026-11-17

    # A transition date before the running clock started is refused, the form keeps it.
    response = _move(signed_in, number, "begin_initial_review", "2026-11-01")
    assert response.status_code == 422 and 'id="f-transition-on-error"' in response.text
    assert _move(signed_in, number, "begin_initial_review", NOTICED).status_code == 303

    # A pause: bad input is kept; then start and end it.
    response = signed_in.post(f"/reviews/{number}/pause", {"started_on": "2026-12-03", "reason": ""},
                              page=f"/reviews/{number}")
    assert response.status_code == 422 and 'id="f-pause-reason-error"' in response.text
    assert 'value="2026-12-03"' in response.text
    response = signed_in.post(f"/reviews/{number}/pause", {"started_on": "2026-12-03",
                                                           "reason": "Source code escrow terms"},
                              page=f"/reviews/{number}")
    assert response.status_code == 303
    page = signed_in.get(f"/reviews/{number}").text
    assert "Paused since 2026-12-03" in page and "Source code escrow terms" in page
    blocked = page.split('value="send_to_members"', 1)[1].split("</li>", 1)[0]
    button = re.search(r'<button[^>]*value="send_to_members"[^>]*>', page)
    assert button and "disabled" in button.group(0)
    assert "a supplementary-material pause is open since 2026-12-03" in blocked
    response = signed_in.post(f"/reviews/{number}/pause/end", {"ended_on": "2026-12-02"}, page=f"/reviews/{number}")
    assert response.status_code == 422 and 'id="f-pend-ended_on-error"' in response.text
    response = signed_in.post(f"/reviews/{number}/pause/end", {"ended_on": "2026-12-04"}, page=f"/reviews/{number}")
    assert response.status_code == 303
    page = signed_in.get(f"/reviews/{number}").text
    assert "covers 2 working day(s)" in page and "Paused since" not in page

    _zh(signed_in)
    page = signed_in.get(f"/reviews/{number}").text
    assert "暂定" in page and "(未确认年份:2027)" in page and "剩余" in page and "个工作日" in page
    assert "初步审查" in page


def test_blockers_are_translated_and_conclusions_are_for_managers(factory: Factory, browser: Browser,
                                                                  signed_in: Browser, org: Organisation) -> None:
    number = _open(signed_in)
    _complete(signed_in, number)
    for step, on in (("notice_review", NOTICED), ("begin_initial_review", NOTICED), ("send_to_members", "2026-12-07")):
        assert _move(signed_in, number, step, on).status_code == 303
    page = signed_in.get(f"/reviews/{number}").text
    assert "a manager of the organisation or an administrator records the conclusion" in page
    assert _move(signed_in, number, "conclude_passed").status_code == 403
    signed_in.post(f"/reviews/{number}/pause", {"started_on": "2026-12-08", "reason": "More documents"},
                   page=f"/reviews/{number}")
    _zh(signed_in)
    assert "补充材料暂停尚未结束:请先结束暂停" in signed_in.get(f"/reviews/{number}").text
    signed_in.post(f"/reviews/{number}/pause/end", {"ended_on": "2026-12-08"}, page=f"/reviews/{number}")
    _switch(browser, factory.user(org, "manager", email="boss@example.org"))
    assert _move(browser, number, "conclude_passed", "2026-12-09").status_code == 303
    page = browser.get(f"/reviews/{number}").text
    assert 'id="conclusion">通过' in page or 'id="conclusion">Passed' in page


def test_factors_commitments_supervision_and_the_report(signed_in: Browser) -> None:
    number = _open(signed_in)
    page = signed_in.get(f"/reviews/{number}").text
    for factor in ("RF-1", "RF-2", "RF-3", "RF-4", "RF-5", "RF-7"):
        assert f'id="factor-{factor}"' in page
    response = signed_in.post(f"/reviews/{number}/factors/RF-1", {"rating": "high", "evidence": "", "notes": "n1"},
                              page=f"/reviews/{number}")
    assert response.status_code == 422
    assert 'id="f-factor-RF-1-evidence-error"' in response.text and ">n1</textarea>" in response.text
    response = signed_in.post(f"/reviews/{number}/factors/RF-1", {
        "rating": "high", "evidence": "Remote management channel to the vendor", "notes": ""},
        page=f"/reviews/{number}")
    assert response.status_code == 303

    response = signed_in.post(f"/reviews/{number}/commitments", {
        "supplier": "", "clause_id": "SC-NO-DATA", "committed": "yes", "evidence": "", "committed_on": ""},
        page=f"/reviews/{number}")
    assert response.status_code == 422 and 'id="f-com-evidence-error"' in response.text
    response = signed_in.post(f"/reviews/{number}/commitments", {
        "supplier": "", "clause_id": "SC-NO-DATA", "committed": "yes", "evidence": "Contract §12.3",
        "committed_on": "2026-11-10"}, page=f"/reviews/{number}")
    assert response.status_code == 303
    page = signed_in.get(f"/reviews/{number}").text
    assert "committed on 2026-11-10: Contract §12.3" in page and "3 missing" in page

    response = signed_in.post(f"/reviews/{number}/supervision", {"title": "Check the escrow", "due_on": "",
                                                                  "working_days": "abc"}, page=f"/reviews/{number}")
    assert response.status_code == 422 and 'value="Check the escrow"' in response.text
    response = signed_in.post(f"/reviews/{number}/supervision", {"title": "Check the escrow", "due_on": "",
                                                                  "working_days": "60"}, page=f"/reviews/{number}")
    assert response.status_code == 303
    page = signed_in.get(f"/reviews/{number}").text
    item = page.split("Check the escrow", 1)[1].split("</p>", 1)[0]
    assert "2027-" in item and "provisional" in item
    item_id = re.search(rf'/reviews/{number}/supervision/([0-9a-f-]+)/done', page)
    assert item_id
    response = signed_in.post(f"/reviews/{number}/supervision/{item_id.group(1)}/done",
                              {"done_on": "2026-11-20", "outcome": "Escrow in place"}, page=f"/reviews/{number}")
    assert response.status_code == 303
    assert "done 2026-11-20" in signed_in.get(f"/reviews/{number}").text

    report = signed_in.get(f"/reviews/{number}/impact-report")
    assert report.status_code == 200
    text = report.text
    assert "Analysis report on the impact or possible impact on national security" in text
    assert "Remote management channel to the vendor" in text and "RF-1" in text
    assert "Draft: these risk factors are not assessed yet: RF-2" in text
    assert 'href="/static/reports/report.css"' in text and 'contenteditable="true"' in text
    assert signed_in.get("/static/reports/report.css").status_code == 200
    download = signed_in.get(f"/reviews/{number}/impact-report?download=html")
    assert f'{number}-impact-report-en.html' in download.headers["content-disposition"]
    assert "@page { size: A4" in download.text and "/static/app.js" not in download.text
    assert "contenteditable" not in download.text and "Draft: these risk factors" in download.text
    _zh(signed_in)
    text = signed_in.get(f"/reviews/{number}/impact-report").text
    assert "关于影响或者可能影响国家安全的分析报告" in text and '<html lang="zh-CN">' in text
    assert "一、基本情况" in text and "第" in text
    pdf = signed_in.get(f"/reviews/{number}/impact-report?download=pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert f"{number}-impact-report-zh.pdf" in pdf.headers["content-disposition"]
    assert has_cjk_font(pdf.content), embedded_fonts(pdf.content)


# --- who sees what ---

def test_roles_404_for_outsiders_and_read_only_viewers(factory: Factory, browser: Browser, signed_in: Browser,
                                                       org: Organisation) -> None:
    number = _open(signed_in)
    _switch(browser, factory.user(factory.org("other-co"), "analyst", email="other@example.org"))
    assert browser.get(f"/reviews/{number}").status_code == 404
    assert browser.get(f"/reviews/{number}/impact-report").status_code == 404
    assert _upload(browser, number, "impact_report").status_code == 404
    assert number not in browser.get("/reviews").text
    assert browser.get("/reviews/CR-2026-99999").status_code == 404

    _switch(browser, factory.user(org, "viewer", email="viewer@example.org"))
    page = browser.get(f"/reviews/{number}").text
    assert number in page and f'action="/reviews/{number}/documents"' not in page
    assert f'action="/reviews/{number}/factors/RF-1"' not in page
    response = browser.post(f"/reviews/{number}/factors/RF-1", {"rating": "low", "evidence": "x"}, page="/reviews")
    assert response.status_code == 403
    response = browser.post("/reviews/new", {"kind": "ex_officio", "title": "x", "filed_on": FILED},
                            page="/reviews")
    assert response.status_code == 403

    browser.client.cookies.clear()
    response = browser.get(f"/reviews/{number}")
    assert response.status_code == 303 and "/login" in response.headers["location"]


def test_edit_form_changes_facts_keeps_bad_input_and_refuses_stale_versions(factory: Factory, browser: Browser,
                                                                               signed_in: Browser,
                                                                               org: Organisation) -> None:
    number = _open(signed_in, kind="listing", title="Listing in New York", product_name="", product_category="",
                   supplier_name="", supplier_country="", listing_venue="NASDAQ", user_count="1,500,000")
    page = signed_in.get(f"/reviews/{number}")
    assert f'href="/reviews/{number}/edit"' in page.text
    form = signed_in.get(f"/reviews/{number}/edit").text
    assert 'value="Listing in New York"' in form and 'value="1500000"' in form
    assert 'name="product_category"' not in form  # a listing has no product
    party = re.search(r'name="party_name" value="([^"]*)"', form)
    assert party and party.group(1)

    response = signed_in.post(f"/reviews/{number}/edit", {"title": "Listing in New York", "party_name": party.group(1),
                                                          "description": "", "listing_venue": "NASDAQ",
                                                          "user_count": "about a million", "version": "1"},
                              page=f"/reviews/{number}/edit")
    assert response.status_code == 422
    assert 'value="about a million"' in response.text
    assert re.search(r'id="f-user_count-error">[^<]*not a number', response.text), response.text

    response = signed_in.post(f"/reviews/{number}/edit", {"title": "Listing on NASDAQ", "party_name": party.group(1),
                                                          "description": "ADS programme", "listing_venue": "NASDAQ",
                                                          "user_count": "2000000", "version": "1"},
                              page=f"/reviews/{number}/edit")
    assert response.status_code == 303, response.text
    page = signed_in.get(f"/reviews/{number}").text
    assert "Listing on NASDAQ" in page and "2,000,000" in page and "ADS programme" in page

    stale = signed_in.post(f"/reviews/{number}/edit", {"title": "Someone else's title", "party_name": party.group(1),
                                                       "description": "ADS programme", "listing_venue": "NASDAQ",
                                                       "user_count": "2000000", "version": "1"},
                           page=f"/reviews/{number}/edit")
    assert stale.status_code == 409 and "changed by someone else" in stale.text
    assert 'value="Someone else&#39;s title"' in stale.text and 'name="version" value="2"' in stale.text
    assert "Listing on NASDAQ" in signed_in.get(f"/reviews/{number}").text

    _switch(browser, factory.user(org, "viewer", email="viewer@example.org"))
    assert f'href="/reviews/{number}/edit"' not in browser.get(f"/reviews/{number}").text
    assert browser.get(f"/reviews/{number}/edit").status_code == 403
    _switch(browser, factory.user(factory.org("other-co"), "analyst", email="other@example.org"))
    assert browser.get(f"/reviews/{number}/edit").status_code == 404


def test_ex_officio_case_starts_noticed(signed_in: Browser) -> None:
    response = signed_in.post("/reviews/new", {"kind": "ex_officio", "title": "Member-unit review",
                                               "filed_on": NOTICED}, page="/reviews/new")
    assert response.status_code == 303
    page = signed_in.get(response.headers["location"]).text
    assert 'id="case-state">Review noticed<' in page and "REV-INITIAL" in page


def _principal(s: Session, email: str) -> Principal:
    return principal_for(s.execute(select(User).where(User.email == email)).scalar_one())


def test_every_review_key_built_from_a_value_has_both_languages() -> None:
    from wangan.kernel.workdays import DayKind
    from wangan.reviews.events import ReviewTag
    from wangan.reviews.models import Conclusion, Rating, ReviewKind
    from wangan.reviews.rules import KNOWN_GUARDS
    from wangan.reviews.screening import Outcome
    from wangan.web import i18n

    keys = [f"review_guard.{g}" for g in KNOWN_GUARDS] + [f"tag.{t.value}" for t in ReviewTag]
    keys += [f"review_kind.{k.value}" for k in ReviewKind] + [f"review_rating.{r.value}" for r in Rating]
    keys += [f"review_conclusion.{c.value}" for c in Conclusion] + [f"review.outcome.{o.value}" for o in Outcome]
    keys += [f"calendar.kind.{k.value}" for k in DayKind]
    keys += [f"calendar.source.{s}" for s in ("library", "admin", "provisional")]
    missing = [k for k in keys if k not in i18n.MESSAGES]
    assert not missing, missing
