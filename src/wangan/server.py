"""The ASGI application: the JSON API and the web UI on one server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from wangan import __version__
from wangan.api import problems
from wangan.api.v1.intake_writer import IntakeWriter
from wangan.api.v1.router import api_router
from wangan.bodylimit import BodyLimitMiddleware
from wangan.errors import DomainError
from wangan.kernel.ratelimit import RateLimiter
from wangan.runtime import Runtime

log = logging.getLogger("wangan.server")

WebErrorHandler = Callable[[Request, Exception], Awaitable[Response]]


def _wants_problem(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", "")


def create_app(rt: Runtime) -> FastAPI:
    """Build the application around a runtime (settings, database, rules)."""
    writer = IntakeWriter(rt)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        writer.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="wangan API", version=__version__,
        description="Vulnerability intake, cases and NVDB reporting under the 2021 Provisions.",
        openapi_url="/openapi.json", docs_url="/api/docs", redoc_url=None,
    )
    app.state.runtime = rt
    app.state.intake_writer = writer
    app.state.intake_limiter = RateLimiter(rt.settings.intake_rate_per_minute)
    app.state.consultation_limiter = RateLimiter(rt.settings.intake_rate_per_minute)
    app.state.login_limiter = RateLimiter(20)
    app.include_router(api_router)
    limits = rt.intake_limits
    # Room for every allowed attachment, the text and multipart framing.
    app.add_middleware(BodyLimitMiddleware, max_bytes=limits.max_attachment_bytes * max(limits.max_attachments, 1)
                       + limits.max_text_bytes + 64_000)

    from wangan.web.app import install_web

    web_error: WebErrorHandler | None = install_web(app, rt)

    async def on_domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        if _wants_problem(request) or web_error is None:
            return problems.from_domain(request, exc)
        return await web_error(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return problems.from_validation(request, exc)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if _wants_problem(request) or web_error is None:
            return problems.from_http(request, exc)
        return await web_error(request, exc)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _wants_problem(request) or web_error is None:
            return problems.problem(500, "internal", "Internal error",
                                    "the server failed; the error was logged", request.url.path)
        return await web_error(request, exc)

    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    @app.get("/.well-known/security.txt", response_class=PlainTextResponse, tags=["intake"],
             summary="RFC 9116 security.txt built from settings")
    def security_txt() -> PlainTextResponse:
        return PlainTextResponse(build_security_txt(rt, rt.clock.now()))

    return app


def build_security_txt(rt: Runtime, now: Any) -> str:
    from datetime import timedelta

    s = rt.settings
    expires = (now + timedelta(days=s.security_txt_expires_days)).replace(microsecond=0)
    lines = [f"Contact: {s.security_contact}", f"Contact: {s.base_url}/report",
             f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
             f"Preferred-Languages: {s.security_languages}",
             f"Canonical: {s.base_url}/.well-known/security.txt"]
    if s.security_policy_url:
        lines.append(f"Policy: {s.security_policy_url}")
    return "\n".join(lines) + "\n"
