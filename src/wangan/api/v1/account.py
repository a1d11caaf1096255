"""``/api/v1/me`` and ``/api/v1/tokens``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from wangan.api.deps import ReaderDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Me, TokenCreate, TokenCreated, TokenOut
from wangan.errors import NotFound
from wangan.kernel import identity
from wangan.kernel.audit import Actor
from wangan.kernel.models import ApiToken, User

router = APIRouter(tags=["account"])


def _token_out(t: ApiToken) -> TokenOut:
    return TokenOut(id=t.id, name=t.name, prefix=t.prefix, scopes=list(t.scopes), created_at=t.created_at,
                    expires_at=t.expires_at, revoked_at=t.revoked_at)


@router.get("/me", response_model=Me)
def me(principal: ReaderDep) -> Me:
    assert principal.user_id is not None
    return Me(id=principal.user_id, email=principal.label, is_admin=principal.is_admin,
              role=principal.role.value if principal.role else None, organisation_id=principal.org_id,
              scopes=sorted(principal.scopes))


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(session: SessionDep, principal: ReaderDep) -> list[TokenOut]:
    return [_token_out(t) for t in identity.list_tokens(session, principal)]


@router.post("/tokens", status_code=201, response_model=TokenCreated, summary="Create a token; shown once")
def create_token(body: TokenCreate, session: SessionDep, principal: WriterDep) -> TokenCreated:
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("your account no longer exists")
    token, raw = identity.create_token(session, Actor(principal.user_id, principal.label), user,
                                       name=body.name, scopes=body.scopes, ttl_days=body.days)
    return TokenCreated(**_token_out(token).model_dump(), token=raw)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: uuid.UUID, session: SessionDep, principal: WriterDep) -> Response:
    identity.revoke_token(session, principal, token_id)
    return Response(status_code=204)
