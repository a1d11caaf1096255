"""Installs the server-rendered web UI on the application and returns its HTML error handler."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from wangan.reports.rendering import STATIC_DIR as REPORT_STATIC_DIR
from wangan.runtime import Runtime
from wangan.web.core import LoginRequired, csrf_protect
from wangan.web.errors import WebErrorHandler, make_error_handler, on_login_required
from wangan.web.rendering import STATIC_DIR, make_templates
from wangan.web.routes import (
    account,
    advisories,
    auth,
    calendar_admin,
    case_panels,
    cases,
    consultations,
    dashboard,
    finder,
    indicators,
    indicators_enterprises,
    indicators_observations,
    indicators_tasks,
    intake,
    operator,
    platform,
    portal,
    reviews,
)
from wangan.web.security import SecurityHeadersMiddleware

SESSION_COOKIE = "wangan_session"


def web_router() -> APIRouter:
    """Every web route; each unsafe request is CSRF-checked before its handler runs."""
    router = APIRouter(include_in_schema=False)
    for module in (auth, intake, dashboard, cases, case_panels, operator, account, advisories, portal, finder,
                   platform, reviews, calendar_admin,
                   # The fixed /indicators/… pages first: the plan dashboard /indicators/{plan_id} matches anything.
                   indicators_observations, indicators_enterprises, indicators_tasks, indicators, consultations):
        router.include_router(module.router, dependencies=[Depends(csrf_protect)])
    return router


def install_web(app: FastAPI, rt: Runtime) -> WebErrorHandler:
    settings = rt.settings
    app.state.web_templates = make_templates()
    # Added first, so it sits inside the session middleware and sees every response it sends.
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret(), session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_seconds, same_site="lax",
        https_only=settings.base_url.startswith("https"),
    )
    # Mounted before /static so the more specific prefix wins.
    app.mount("/static/reports", StaticFiles(directory=REPORT_STATIC_DIR), name="report-static")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(web_router())
    app.add_exception_handler(LoginRequired, on_login_required)
    return make_error_handler()
