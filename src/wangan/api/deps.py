"""FastAPI dependencies: the runtime, one transaction per request, and the caller's principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from wangan.db import unit_of_work
from wangan.errors import Unauthenticated
from wangan.kernel.auth import ANONYMOUS, Principal, authenticate_token, principal_for
from wangan.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def get_session(rt: Annotated[Runtime, Depends(get_runtime)]) -> Iterator[Session]:
    """One transaction per request, committed once when the handler succeeded."""
    with unit_of_work(rt.sessions) as session:
        yield session


# scope="function": the transaction commits before the response is sent, so a 201 means stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _principal(session: Session, header: str, collection_platform: bool) -> Principal:
    if not header:
        return ANONYMOUS
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise Unauthenticated("use 'Authorization: Bearer <token>'")
    user, token = authenticate_token(session, raw.strip())
    return principal_for(user, frozenset(token.scopes), on_collection_platform=collection_platform)


def get_principal(request: Request, session: SessionDep) -> Principal:
    """The bearer token's principal, or the anonymous principal when no token was sent."""
    return _principal(session, request.headers.get("authorization", ""),
                      get_runtime(request).settings.collection_platform)


def principal_from_header(rt: Runtime, header: str) -> Principal:
    """The same, in a short transaction of its own (for endpoints that do not hold a session)."""
    with rt.sessions() as session:
        return _principal(session, header, rt.settings.collection_platform)


def require_user(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if principal.is_anonymous:
        raise Unauthenticated("this endpoint needs 'Authorization: Bearer <token>'")
    return principal


def require_writer(principal: Annotated[Principal, Depends(require_user)]) -> Principal:
    principal.require_scope("write")
    return principal


def require_reader(principal: Annotated[Principal, Depends(require_user)]) -> Principal:
    principal.require_scope("read")
    return principal


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
ReaderDep = Annotated[Principal, Depends(require_reader)]
WriterDep = Annotated[Principal, Depends(require_writer)]
