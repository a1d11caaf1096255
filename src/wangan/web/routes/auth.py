"""Sign in, sign out, and the language toggle."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from wangan.errors import NotFound, RateLimited
from wangan.kernel import audit, identity
from wangan.kernel.audit import Actor
from wangan.kernel.auth import check_password
from wangan.kernel.events import KernelTag
from wangan.kernel.models import User
from wangan.web import i18n
from wangan.web.core import (
    SESSION_CSRF,
    SESSION_EPOCH,
    SESSION_USER,
    FormDep,
    WebDep,
    client_ip,
    safe_next,
    text,
)
from wangan.web.forms import FormState

router = APIRouter()

LANG_COOKIE_AGE = 365 * 24 * 3600


@router.get("/login")
def login_page(web: WebDep, next: str = "/") -> Response:
    if web.user is not None:
        return web.redirect(safe_next(next))
    return web.render("auth/login.html", {"form": FormState(), "next": safe_next(next)})


@router.post("/login")
def login(web: WebDep, form: FormDep) -> Response:
    email, password = text(form, "email").strip(), text(form, "password")
    next_path = safe_next(text(form, "next"))
    state = FormState(values={"email": email})
    limiter = web.request.app.state.login_limiter
    try:
        limiter.hit(client_ip(web.request))
    except RateLimited as exc:
        state.message = web.t("login.too_many", seconds=exc.extra.get("retry_after", 60))
        return web.render("auth/login.html", {"form": state, "next": next_path}, status=429,
                          headers={"Retry-After": str(exc.extra.get("retry_after", 60))})
    user: User | None
    try:
        user = identity.get_user_by_email(web.db, email) if email else None
    except NotFound:
        user = None
    if not check_password(user, password) or user is None:
        state.message = web.t("login.failed")
        return web.render("auth/login.html", {"form": state, "next": next_path}, status=400)
    # A fresh session on sign-in: nothing from before (fixation) survives.
    web.request.session.clear()
    web.request.session[SESSION_USER] = str(user.id)
    web.request.session[SESSION_EPOCH] = user.session_epoch
    web.request.session[SESSION_CSRF] = secrets.token_urlsafe(32)
    audit.record(web.db, KernelTag.USER_LOGGED_IN, Actor(user.id, user.email), "user", user.id,
                 org_id=user.org_id, data={"channel": "web", "ip": client_ip(web.request)})
    return web.redirect(next_path)


@router.post("/logout")
def logout(web: WebDep) -> Response:
    web.request.session.clear()
    web.flash("login.signed_out")
    return web.redirect("/login")


@router.get("/lang/{code}")
def set_language(code: str, request: Request, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in i18n.LANGUAGES:
        response.set_cookie("lang", code, max_age=LANG_COOKIE_AGE, samesite="lax", httponly=True,
                            secure=request.url.scheme == "https")
    return response
