"""The receipt log: list, report page, attachment downloads, opening a case, retention on delete."""

from __future__ import annotations

import uuid

from tests.conftest import Factory
from tests.functional.web.conftest import Browser
from wangan.kernel.models import Organisation, User
from wangan.runtime import Runtime
from wangan.vulns import intake
from wangan.vulns.models import Case, IntakeChannel, IntakeRecord


def _report(rt: Runtime, title: str = "XSS in search") -> IntakeRecord:
    with rt.sessions.begin() as s:
        record, _ = intake.submit_report(s, rt.vuln_rules, intake.ReportIn(
            title=title, content="<img src=x onerror=alert(1)>", reporter_contact="finder@example.net",
            attachments=[intake.AttachmentIn("poc 报告.html", "text/plain", b"<script>alert(1)</script>")]),
            channel=IntakeChannel.WEB, limits=rt.intake_limits)
    return record


def test_list_and_page(rt: Runtime, signed_in: Browser, org: Organisation) -> None:
    record = _report(rt)
    listing = signed_in.get("/reports")
    assert listing.status_code == 200
    assert f'href="/reports/{record.id}"' in listing.text and "No case yet" in listing.text
    assert "XSS in search" in signed_in.get("/reports?untriaged=1").text
    page = signed_in.get(f"/reports/{record.id}").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    att = record.attachments[0]
    assert f'href="/reports/{record.id}/attachments/{att.id}"' in page


def test_attachment_is_a_download(rt: Runtime, signed_in: Browser, org: Organisation) -> None:
    record = _report(rt)
    att = record.attachments[0]
    response = signed_in.get(f"/reports/{record.id}/attachments/{att.id}")
    assert response.status_code == 200
    assert response.content == b"<script>alert(1)</script>"
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition


def test_attachments_and_reports_of_others_are_not_found(rt: Runtime, factory: Factory, browser: Browser,
                                                         org: Organisation) -> None:
    record = _report(rt)
    browser.login(factory.user(factory.org("rival-co"), "analyst"))
    assert browser.get(f"/reports/{record.id}").status_code == 404
    assert browser.get(f"/reports/{record.id}/attachments/{record.attachments[0].id}").status_code == 404
    assert browser.get(f"/reports/{uuid.uuid4()}").status_code == 404
    assert browser.get("/reports/not-a-uuid").status_code == 404
    assert "XSS in search" not in browser.get("/reports").text


def test_open_case_from_report(rt: Runtime, signed_in: Browser, org: Organisation) -> None:
    record = _report(rt)
    page = f"/reports/{record.id}"
    response = signed_in.post(f"{page}/case", {"title": "Stored XSS in search"}, page=page)
    assert response.status_code == 303
    with rt.sessions() as s:
        case = s.query(Case).one()
        assert case.report_id == record.id and case.aware_at == record.received_at
    assert response.headers["location"] == f"/cases/{case.number}"
    again = signed_in.get(page).text
    assert case.number in again and "Open case from this report" not in again
    twice = signed_in.post(f"{page}/case", {"title": "again"}, page=page)
    assert twice.status_code == 409 and "already has case" in twice.text


def test_delete_inside_retention_shows_the_reason(rt: Runtime, signed_in: Browser, org: Organisation) -> None:
    record = _report(rt)
    page = f"/reports/{record.id}"
    response = signed_in.post(f"{page}/delete", page=page)
    assert response.status_code == 409
    assert f"must be kept until {record.retention_until.date().isoformat()}" in response.text
    assert "Art. 5" in response.text
    with rt.sessions() as s:
        assert s.query(IntakeRecord).count() == 1


def test_delete_after_retention(rt: Runtime, signed_in: Browser, org: Organisation) -> None:
    from datetime import timedelta

    from wangan.kernel.calendar import FixedClock

    record = _report(rt)
    rt.clock = FixedClock(record.retention_until + timedelta(days=1))
    page = f"/reports/{record.id}"
    response = signed_in.post(f"{page}/delete", page=page)
    assert response.status_code == 303 and response.headers["location"] == "/reports"
    assert "The report was deleted." in signed_in.get("/reports").text
    with rt.sessions() as s:
        assert s.query(IntakeRecord).count() == 0


def test_viewer_cannot_open_cases_or_delete(rt: Runtime, factory: Factory, browser: Browser,
                                            org: Organisation, analyst: User) -> None:
    record = _report(rt)
    browser.login(factory.user(org, "viewer"))
    page = browser.get(f"/reports/{record.id}").text
    assert "Open case from this report" not in page and "Delete report" not in page
    assert browser.post(f"/reports/{record.id}/case", {"title": "x"}, page="/").status_code == 403
