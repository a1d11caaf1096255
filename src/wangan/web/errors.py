"""Errors become friendly HTML pages with the right status; never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from wangan.errors import DomainError, RateLimited, Unauthenticated
from wangan.web import i18n
from wangan.web.core import LoginRequired, Web, runtime_of, safe_next
from wangan.web.security import SECURITY_HEADERS

log = logging.getLogger("wangan.web")

WebErrorHandler = Callable[[Request, Exception], Awaitable[Response]]
KNOWN_STATUSES = frozenset({400, 403, 404, 405, 409, 413, 415, 422, 429, 500})


def login_redirect(request: Request, next_path: str | None = None) -> RedirectResponse:
    target = safe_next(next_path or request.url.path, "/")
    response = RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
    return response


async def on_login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return login_redirect(request, exc.next_path)


def _status_and_detail(exc: Exception) -> tuple[int, str, list[tuple[str, str]]]:
    if isinstance(exc, DomainError):
        return exc.status, exc.detail, [(p.field, p.message) for p in exc.problems]
    if isinstance(exc, StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else ""
        return exc.status_code, detail, []
    return 500, "", []


def _gate_refusal(exc: Exception, lang: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A refusal by the Art. 9 gate (e.g. a read of a shared case): every refusing rule, in ``lang``."""
    if not isinstance(exc, DomainError) or not isinstance(exc.extra.get("decision"), dict):
        return None
    decision = exc.extra["decision"]
    reasons = [(str(r.get("rule_id", "")), str(r.get("reason_zh" if lang == "zh" else "reason_en", "")))
               for r in decision.get("results", []) if isinstance(r, dict) and r.get("outcome") != "allow"]
    return i18n.translate(lang, "gate.refused_read" if exc.code == "gate-refused-read" else "gate.refused"), reasons


def _render(request: Request, status: int, detail: str, problems: list[tuple[str, str]],
            headers: dict[str, str]) -> Response:
    rt = runtime_of(request)
    with rt.sessions() as db:
        web = Web.build(request, rt, db)
        key = status if status in KNOWN_STATUSES else (500 if status >= 500 else 400)
        return web.render("error.html", {"status": status, "status_key": key, "detail": detail,
                                         "problems": problems}, status=status, headers=headers)


def _fallback(request: Request, status: int, headers: dict[str, str]) -> Response:
    """When even the error page cannot be rendered: plain, bilingual, no details."""
    lang = i18n.pick_language(request)
    title = i18n.translate(lang, f"error.{500 if status >= 500 else status}.title")
    body = (f"<!doctype html><html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><meta charset=\"utf-8\">"
            f"<title>{status}</title><h1>{status} — {title}</h1><p><a href=\"/\">wangan</a></p></html>")
    return HTMLResponse(body, status_code=status, headers=headers)


def make_error_handler() -> WebErrorHandler:
    async def handler(request: Request, exc: Exception) -> Response:
        if isinstance(exc, Unauthenticated):
            return login_redirect(request, getattr(exc, "next_path", None))
        status, detail, problems = _status_and_detail(exc)
        if status >= 500:
            detail, problems = "", []  # the log has the details; the page never shows them
        refusal = _gate_refusal(exc, i18n.pick_language(request))
        if refusal is not None:
            detail, problems = refusal
        headers = dict(SECURITY_HEADERS)
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.extra.get("retry_after", 60))
        try:
            return await run_in_threadpool(_render, request, status, detail, problems, headers)
        except Exception:
            log.exception("the error page for %s %s failed", request.method, request.url.path)
            return _fallback(request, status, headers)

    return handler
