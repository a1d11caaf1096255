"""Language, the demo banner and the error pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import SYSTEM
from tests.functional.web.conftest import BROWSER, Browser, TestClient
from wangan.kernel import identity
from wangan.runtime import Runtime
from wangan.server import create_app
from wangan.web import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"


def test_language_from_accept_language_and_default(rt: Runtime, org: object) -> None:
    app = create_app(rt)
    with TestClient(app, headers={"accept": "text/html", "accept-language": "en-GB,en;q=0.9"}) as c:
        assert "Report a security vulnerability" in c.get("/report").text
    with TestClient(app, headers={"accept": "text/html"}) as c:  # no preference: Chinese
        page = c.get("/report").text
        assert "报告安全漏洞" in page and '<html lang="zh-CN"' in page
    with TestClient(app, headers={"accept": "text/html", "accept-language": "fr, en;q=0.5"}) as c:
        assert "Report a security vulnerability" in c.get("/report").text


def test_language_toggle_sets_a_cookie_and_returns(browser: Browser, org: object) -> None:
    page = browser.get("/report").text
    assert 'href="/lang/zh?next=/report"' in page
    response = browser.get("/lang/zh?next=/report")
    assert response.status_code == 303 and response.headers["location"] == "/report"
    assert "lang=zh" in response.headers["set-cookie"]
    assert "报告安全漏洞" in browser.get("/report").text  # the cookie beats Accept-Language: en
    assert browser.get("/lang/en?next=//evil.example").headers["location"] == "/"
    assert "Report a security vulnerability" in browser.get("/report").text


def test_every_literal_key_in_the_templates_has_both_languages() -> None:
    keys = set()
    for path in TEMPLATES.rglob("*.html"):
        keys |= set(re.findall(r"\bt\('([a-z0-9_.]+)'", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in keys if not k.endswith(".") and k not in i18n.MESSAGES)
    assert not missing, missing
    assert all(zh and en for zh, en in i18n.MESSAGES.values())


def test_every_key_built_from_a_value_has_both_languages() -> None:
    from wangan.kernel.auth import KNOWN_SCOPES
    from wangan.vulns.events import VulnTag
    from wangan.vulns.models import AssetKind, FindingState, IntakeChannel
    from wangan.vulns.rules import KNOWN_GUARDS
    from wangan.web.errors import KNOWN_STATUSES

    keys = [f"channel.{c.value}" for c in IntakeChannel] + [f"kind.{k.value}" for k in AssetKind]
    keys += [f"finding_state.{f.value}" for f in FindingState] + [f"scope.{s}" for s in KNOWN_SCOPES]
    keys += [f"guard.{g}" for g in KNOWN_GUARDS]
    keys += [f"tag.{t.value}" for t in VulnTag if t.value.startswith("vulns:case:")]
    keys += [f"rule_status.{s}{h}" for s in ("confirmed", "interpreted") for h in ("", ".hint")]
    keys += [f"error.{n}.{part}" for n in KNOWN_STATUSES for part in ("title", "body")]
    missing = [k for k in keys if k not in i18n.MESSAGES]
    assert not missing, missing


def test_no_demo_banner_on_real_data(browser: Browser, org: object) -> None:
    assert "DEMO DATA" not in browser.get("/report").text


def test_demo_banner_from_settings(rt: Runtime, browser: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt.settings, "demo", True)
    for url in ("/report", "/login", "/no-such-page"):
        assert "演示数据 / DEMO DATA" in browser.get(url).text, url


def test_demo_banner_from_a_demo_organisation(rt: Runtime, signed_in: Browser) -> None:
    with rt.sessions.begin() as s:
        identity.create_organisation(s, SYSTEM, slug="demo-co", name="Demo", roles=["provider"], is_demo=True)
    text = signed_in.get("/").text
    assert "演示数据 / DEMO DATA" in text and "not real vulnerabilities" in text


def test_unknown_page_is_a_friendly_404(browser: Browser) -> None:
    response = browser.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Not found" in response.text
    assert "content-security-policy" in response.headers


def test_api_clients_still_get_problem_json(browser: Browser) -> None:
    response = browser.client.get("/no-such-page", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unexpected_error_is_a_500_page_without_traceback(rt: Runtime, analyst: object,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from wangan.vulns import cases

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(cases, "list_cases", boom)
    with TestClient(create_app(rt), headers=BROWSER, raise_server_exceptions=False,
                    follow_redirects=False) as c:
        b = Browser(c)
        b.login(analyst)  # type: ignore[arg-type]
        response = c.get("/cases")
    assert response.status_code == 500
    assert "Server error" in response.text
    assert "secret internal detail" not in response.text and "Traceback" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
