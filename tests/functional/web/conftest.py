"""Fixtures of the web UI tests: a browser-like client, sign-in, and a few records."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI

from tests.conftest import PASSWORD, Factory
from wangan.kernel.models import Organisation, User
from wangan.runtime import Runtime
from wangan.server import create_app
from wangan.vulns import cases
from wangan.vulns.models import Case

with warnings.catch_warnings():
    # Older starlette warns about its httpx-based TestClient at import time.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
BROWSER = {"accept": "text/html,application/xhtml+xml", "accept-language": "en"}


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


class Browser:
    """A TestClient that speaks like a browser and knows the page's CSRF token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)

    def token(self, page: str = "/report") -> str:
        return csrf_of(self.client.get(page).text)

    def post(self, url: str, data: dict[str, Any] | None = None, *, page: str | None = None,
             files: Any = None) -> Any:
        form = dict(data or {})
        form.setdefault("csrf_token", self.token(page or "/report"))
        return self.client.post(url, data=form, files=files)

    def login(self, user: User, password: str = PASSWORD) -> None:
        response = self.post("/login", {"email": user.email, "password": password}, page="/login")
        assert response.status_code == 303, response.text


@pytest.fixture
def app(rt: Runtime) -> FastAPI:
    return create_app(rt)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers=BROWSER, follow_redirects=False) as c:
        yield c


@pytest.fixture
def browser(client: TestClient) -> Browser:
    return Browser(client)


@pytest.fixture
def org(factory: Factory) -> Organisation:
    return factory.org("acme-psirt", roles=("provider", "operator"))


@pytest.fixture
def analyst(factory: Factory, org: Organisation) -> User:
    return factory.user(org, "analyst", email="ana@example.org")


@pytest.fixture
def signed_in(browser: Browser, analyst: User) -> Browser:
    browser.login(analyst)
    return browser


def make_case(rt: Runtime, factory: Factory, user: User, title: str = "SQL injection in login",
              aware_at: datetime | None = None, **fields: object) -> Case:
    with rt.sessions.begin() as s:
        case = cases.create_case(s, factory.principal(user), rt.vuln_rules,
                                 cases.CaseIn(title=title, aware_at=aware_at, fields=dict(fields)))
    return case
