"""Sign in and out, sessions, CSRF and the security headers."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from fastapi import FastAPI

from tests.conftest import Factory
from tests.functional.web.conftest import Browser, csrf_of
from wangan.kernel.models import User
from wangan.kernel.ratelimit import RateLimiter
from wangan.runtime import Runtime


def test_anonymous_is_sent_to_login_and_back(browser: Browser, analyst: User) -> None:
    response = browser.get("/cases?open=1")
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/login?next=")
    assert unquote(location.split("next=", 1)[1]) == "/cases?open=1"

    page = browser.get(location)
    assert page.status_code == 200
    assert 'name="next" value="/cases?open=1"' in page.text
    done = browser.post("/login", {"email": analyst.email, "password": "correct horse battery staple",
                                   "next": "/cases?open=1"}, page=location)
    assert done.status_code == 303
    assert done.headers["location"] == "/cases?open=1"
    assert browser.get("/cases?open=1").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_login_never_redirects_off_site(browser: Browser, analyst: User, target: str) -> None:
    done = browser.post("/login", {"email": analyst.email, "password": "correct horse battery staple",
                                   "next": target}, page="/login")
    assert done.status_code == 303
    assert done.headers["location"] == "/"


def test_wrong_password_keeps_the_email_and_says_so(browser: Browser, analyst: User) -> None:
    response = browser.post("/login", {"email": analyst.email, "password": "wrong"}, page="/login")
    assert response.status_code == 400
    assert "The e-mail or password is wrong" in response.text
    assert f'value="{analyst.email}"' in response.text
    assert browser.get("/").status_code == 303


def test_login_is_rate_limited(browser: Browser, analyst: User, app: FastAPI) -> None:
    app.state.login_limiter = RateLimiter(1)
    browser.post("/login", {"email": analyst.email, "password": "wrong"}, page="/login")
    response = browser.post("/login", {"email": analyst.email, "password": "wrong"}, page="/login")
    assert response.status_code == 429
    assert "Too many attempts" in response.text


def test_login_is_audited_and_logout_ends_the_session(rt: Runtime, signed_in: Browser, analyst: User) -> None:
    from wangan.kernel import audit

    with rt.sessions() as s:
        tags = [e.tag for e in audit.events_for(s, "user", analyst.id)]
    assert "kernel:user:logged-in" in tags

    assert signed_in.get("/").status_code == 200
    out = signed_in.post("/logout", page="/")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert signed_in.get("/").status_code == 303


def test_a_new_session_epoch_signs_the_browser_out(rt: Runtime, signed_in: Browser, analyst: User) -> None:
    with rt.sessions.begin() as s:
        user = s.get(User, analyst.id)
        assert user is not None
        user.session_epoch += 1
    assert signed_in.get("/").status_code == 303


def test_a_deactivated_user_is_signed_out(rt: Runtime, signed_in: Browser, analyst: User) -> None:
    with rt.sessions.begin() as s:
        user = s.get(User, analyst.id)
        assert user is not None
        user.is_active = False
    assert signed_in.get("/cases").status_code == 303


def test_post_without_csrf_token_is_refused(browser: Browser, analyst: User) -> None:
    response = browser.client.post("/login", data={"email": analyst.email,
                                                   "password": "correct horse battery staple"})
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "Traceback" not in response.text
    assert browser.get("/").status_code == 303  # not signed in


def test_post_with_a_forged_token_changes_nothing(rt: Runtime, signed_in: Browser, factory: Factory,
                                                  analyst: User) -> None:
    from tests.functional.web.conftest import make_case

    case = make_case(rt, factory, analyst)
    page = signed_in.get(f"/cases/{case.number}")
    assert csrf_of(page.text)
    response = signed_in.client.post(f"/cases/{case.number}/edit",
                                     data={"csrf_token": "forged", "title": "Hijacked", "version": "1"})
    assert response.status_code == 403
    assert "Hijacked" not in signed_in.get(f"/cases/{case.number}").text


def test_every_web_post_route_checks_csrf(browser: Browser) -> None:
    from fastapi.routing import APIRoute

    from wangan.web.routes import account, auth, cases, dashboard, intake, operator

    routes = [r for m in (auth, intake, dashboard, cases, operator, account) for r in m.router.routes
              if isinstance(r, APIRoute) and "POST" in r.methods]
    paths = [r.path for r in routes]
    assert "/report" in paths and "/login" in paths and len(paths) >= 15
    for path in paths:
        url = path.replace("{case_ref}", "WA-2000-0001").replace("{report_id}", "x").replace(
            "{finding_id}", "x").replace("{token_id}", "x")
        response = browser.client.post(url, data={"x": "1"})
        assert response.status_code == 403, path


def test_html_responses_carry_security_headers(browser: Browser) -> None:
    response = browser.get("/report")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text  # no inline script: the CSP would block it
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


def test_session_cookie_is_secure_behind_https(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.functional.web.conftest import BROWSER, TestClient
    from wangan.server import create_app

    monkeypatch.setattr(rt.settings, "base_url", "https://psirt.example")
    with TestClient(create_app(rt), headers=BROWSER, base_url="https://testserver") as c:
        cookie = c.get("/report").headers["set-cookie"]
    assert "secure" in cookie.lower()
