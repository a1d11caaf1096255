"""The public report form (Art. 5): no account, nothing lost on error, a receipt on success."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from tests.conftest import SYSTEM, Factory
from tests.functional.web.conftest import Browser
from wangan.kernel.models import Organisation
from wangan.kernel.ratelimit import RateLimiter
from wangan.runtime import Runtime
from wangan.vulns.models import IntakeChannel, IntakeRecord

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _form(browser: Browser) -> dict[str, str]:
    page = browser.get("/report").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key
    return {"idempotency_key": key.group(1), "title": "SQL injection in /login",
            "content": "POST /login with user=' OR 1=1 -- signs in as admin",
            "reporter_contact": "finder@example.net", "reporter_name": "Zhang San",
            "product_hint": "Acme Router 1.2"}


def test_happy_path_with_an_attachment_gives_a_receipt(rt: Runtime, browser: Browser, org: Organisation) -> None:
    page = browser.get("/report")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert '<select id="f-organisation"' not in page.text  # one receiving organisation: no choice

    response = browser.post("/report", _form(browser),
                            files=[("attachments", ("poc.txt", b"curl -d user=...", "text/plain"))])
    assert response.status_code == 200, response.text
    with rt.sessions() as s:
        record = s.query(IntakeRecord).one()
        assert record.channel is IntakeChannel.WEB
        assert record.org_id == org.id
        assert [a.filename for a in record.attachments] == ["poc.txt"]
        assert record.source_ip
    text = response.text
    assert str(record.id) in text
    assert "Kept until" in text and "Received at" in text
    assert "UTC" in text  # Beijing time with the UTC value beside it
    assert record.received_at.strftime("%Y-%m-%d %H:%M UTC") in text
    assert record.retention_until.strftime("%Y-%m-%d %H:%M UTC") in text


def test_double_submit_stores_one_report(rt: Runtime, browser: Browser, org: Organisation) -> None:
    form = _form(browser)
    first = browser.post("/report", form)
    second = browser.post("/report", form)
    assert first.status_code == second.status_code == 200
    assert "was received before" in second.text
    with rt.sessions() as s:
        assert s.query(IntakeRecord).count() == 1
    assert UUID_RE.findall(first.text)[0] in second.text


def test_error_re_renders_with_input_and_field_messages(rt: Runtime, browser: Browser,
                                                         org: Organisation) -> None:
    form = _form(browser)
    form.update(title="", reporter_contact="", content="<script>alert(1)</script> details")
    response = browser.post("/report", form)
    assert response.status_code == 422
    text = response.text
    assert "a short title is required" in text
    assert "give an e-mail address or phone number" in text
    assert 'href="#f-title"' in text  # the summary links to the field
    assert "&lt;script&gt;alert(1)&lt;/script&gt; details" in text  # kept, and escaped
    assert "<script>alert(1)" not in text
    assert 'value="Zhang San"' in text and 'value="Acme Router 1.2"' in text
    assert f'value="{form["idempotency_key"]}"' in text
    assert 'aria-invalid="true"' in text
    with rt.sessions() as s:
        assert s.query(IntakeRecord).count() == 0


def test_attachment_too_large_is_refused_with_the_input_kept(rt: Runtime, browser: Browser, org: Organisation,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt.settings, "intake_max_attachment_bytes", 1000)
    form = _form(browser)
    response = browser.post("/report", form, files=[("attachments", ("big.txt", b"x" * 2000, "text/plain"))])
    assert response.status_code == 413
    text = response.text
    assert "big.txt" in text and "2000 bytes" in text and "1000 bytes" in text
    assert 'id="f-attachments-error"' in text
    assert "choose the attachments again" in text
    assert f'value="{form["title"]}"' in text
    with rt.sessions() as s:
        assert s.query(IntakeRecord).count() == 0


def test_wrong_attachment_type_is_placed_on_the_attachment_field(browser: Browser, org: Organisation) -> None:
    response = browser.post("/report", _form(browser),
                            files=[("attachments", ("x.exe", b"MZ...", "application/x-msdownload"))])
    assert response.status_code == 422
    assert 'id="f-attachments-error"' in response.text


def test_receiving_organisation_is_chosen_when_there_are_several(rt: Runtime, browser: Browser,
                                                                  factory: Factory, org: Organisation) -> None:
    other = factory.org("beta-psirt")
    page = browser.get("/report").text
    assert '<select id="f-organisation"' in page and "beta-psirt" in page
    form = _form(browser)
    form["organisation"] = "beta-psirt"
    assert browser.post("/report", form).status_code == 200
    with rt.sessions() as s:
        assert s.query(IntakeRecord).one().org_id == other.id


def test_intake_is_rate_limited_and_keeps_the_input(browser: Browser, app: FastAPI, org: Organisation) -> None:
    app.state.intake_limiter = RateLimiter(1)
    browser.post("/report", _form(browser))
    form = _form(browser)
    form["title"] = "Second one"
    response = browser.post("/report", form)
    assert response.status_code == 429
    assert 'value="Second one"' in response.text
    assert "Your input is kept" in response.text


def test_no_receiving_organisation_explains_itself(rt: Runtime, browser: Browser) -> None:
    from wangan.kernel import identity

    with rt.sessions.begin() as s:
        identity.create_organisation(s, SYSTEM, slug="closed", name="Closed", roles=["provider"],
                                     accepts_reports=False)
    response = browser.post("/report", _form(browser))
    assert response.status_code == 422
    assert "no organisation accepts vulnerability reports" in response.text


def test_an_expired_form_is_refused_but_keeps_the_input(rt: Runtime, browser: Browser, org: Organisation) -> None:
    form = _form(browser)
    form["csrf_token"] = "expired"
    response = browser.post("/report", form)
    assert response.status_code == 403
    assert "The form had expired" in response.text
    assert f'value="{form["title"]}"' in response.text and "signs in as admin</textarea>" in response.text
    with rt.sessions() as s:
        assert s.query(IntakeRecord).count() == 0
    assert browser.post("/report", {k: v for k, v in form.items() if k != "csrf_token"}).status_code == 200


def test_domain_messages_are_shown_in_chinese(browser: Browser, org: Organisation) -> None:
    browser.get("/lang/zh")
    form = _form(browser)
    form["title"] = ""
    text = browser.post("/report", form).text
    assert "请填写简短的标题" in text and "报告信息不完整" in text
