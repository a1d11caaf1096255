"""RFC 9457 problem+json: the one place domain errors become HTTP responses."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from wangan.errors import DomainError

PROBLEM_BASE = "https://wangan.invalid/problems/"
MEDIA_TYPE = "application/problem+json"


def problem(status: int, code: str, title: str, detail: str, instance: str,
            errors: list[dict[str, str]] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": PROBLEM_BASE + code, "title": title, "status": status,
                            "detail": detail, "instance": instance}
    if errors:
        body["errors"] = errors
    body.update(extra)
    headers = {"Retry-After": "60"} if status == 429 else None
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="wangan"'}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def from_domain(request: Request, exc: DomainError) -> JSONResponse:
    errors = [{"field": p.field, "message": p.message} for p in exc.problems]
    return problem(exc.status, exc.code, exc.title, exc.detail, request.url.path, errors, **exc.extra)


def from_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        errors.append({"field": ".".join(loc) or "body", "message": str(err.get("msg", "invalid"))})
    fields = ", ".join(e["field"] for e in errors)
    return problem(422, "validation-failed", "The input is not valid",
                   f"{len(errors)} problem(s) with: {fields}", request.url.path, errors)


def from_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    titles = {404: "Not found", 405: "Method not allowed", 401: "Authentication required",
              403: "Not allowed", 413: "Content too large", 415: "Unsupported media type"}
    code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, f"http-{exc.status_code}")
    detail = exc.detail if isinstance(exc.detail, str) else titles.get(exc.status_code, "error")
    return problem(exc.status_code, code, titles.get(exc.status_code, "Error"), detail, request.url.path)
