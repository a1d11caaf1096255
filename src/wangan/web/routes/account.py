"""API tokens of the signed-in user: list, create (the secret is shown once), revoke."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from starlette.responses import Response

from wangan.errors import Conflict, Invalid, NotFound
from wangan.kernel import identity
from wangan.kernel.audit import Actor
from wangan.kernel.auth import KNOWN_SCOPES
from wangan.kernel.models import User
from wangan.kernel.numbers import whole_number
from wangan.web.core import FormDep, UserDep, Web, text
from wangan.web.forms import FormState

router = APIRouter()


def _tokens_page(web: Web, state: FormState, *, raw: str | None = None, status: int = 200) -> Response:
    return web.render("account/tokens.html", {
        "tokens": identity.list_tokens(web.db, web.principal), "form": state, "raw": raw,
        "scopes": KNOWN_SCOPES,
    }, status=status)


@router.get("/account/tokens")
def tokens(web: UserDep) -> Response:
    return _tokens_page(web, FormState(values={"scope_read": "1", "scope_write": "1"}))


@router.post("/account/tokens")
def create_token(web: UserDep, form: FormDep) -> Response:
    state = FormState(values={"name": text(form, "name"), "days": text(form, "days")})
    chosen = [s for s in KNOWN_SCOPES if text(form, f"scope_{s}")]
    state.values.update({f"scope_{s}": "1" for s in chosen})
    days_raw = state.get("days").strip()
    if days_raw and not (1 <= (whole_number(days_raw) or 0) <= 3650):
        state.add("days", web.t("token.bad_days"))
    if not chosen:
        state.add("scopes", web.t("token.no_scope"))
    if state.errors:
        state.message = web.t("form.fix_errors")
        return _tokens_page(web, state, status=422)
    user = web.db.get(User, web.principal.user_id)
    if user is None:
        raise NotFound("your account no longer exists")
    try:
        _token, raw = identity.create_token(web.db, Actor(user.id, user.email), user,
                                            name=state.get("name").strip()[:100], scopes=chosen,
                                            ttl_days=whole_number(days_raw) if days_raw else None)
    except Invalid as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _tokens_page(web, state, status=exc.status)
    # Rendered, not redirected: the secret is never stored, so this is the only time it is seen.
    return _tokens_page(web, FormState(values={"scope_read": "1", "scope_write": "1"}), raw=raw)


@router.post("/account/tokens/{token_id}/revoke")
def revoke(token_id: str, web: UserDep) -> Response:
    try:
        tid = uuid.UUID(token_id)
    except ValueError:
        raise NotFound(f"no token {token_id}") from None
    try:
        token = identity.revoke_token(web.db, web.principal, tid)
    except Conflict as exc:
        web.rollback(exc)
        state = FormState()
        state.absorb(exc, web.dt)
        return _tokens_page(web, state, status=exc.status)
    web.flash("token.revoked", prefix=token.prefix)
    return web.redirect("/account/tokens")
