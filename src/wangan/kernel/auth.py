"""Identity: password hashing, API tokens and the ``Principal`` every authorization check uses."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.errors import Forbidden, Unauthenticated
from wangan.kernel.models import ApiToken, Jurisdiction, User, UserRole

TOKEN_PREFIX = "wgn_"
# Scopes a token may carry. "read" covers GETs; "write" covers changes.
KNOWN_SCOPES = ("read", "write")
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a failed login takes the same time either way.
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


@dataclass(frozen=True)
class Principal:
    """Who is asking, with everything the authorization policy needs and nothing else."""

    user_id: uuid.UUID | None
    label: str
    org_id: uuid.UUID | None = None
    org_roles: frozenset[str] = frozenset()
    jurisdiction: Jurisdiction = Jurisdiction.DOMESTIC
    role: UserRole | None = None
    is_admin: bool = False
    scopes: frozenset[str] = field(default_factory=lambda: frozenset(KNOWN_SCOPES))
    # The instance is a collection platform (Art. 10, 11): membership of the organisation is then not
    # enough to read an undisclosed record (need-to-know; the domain policy decides what that means).
    on_collection_platform: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def may_write_in(self, org_id: uuid.UUID) -> bool:
        if "write" not in self.scopes:
            return False
        if self.is_admin:
            return True
        return self.org_id == org_id and self.role in (UserRole.MANAGER, UserRole.ANALYST)

    def may_read_in(self, org_id: uuid.UUID) -> bool:
        if "read" not in self.scopes:
            return False
        if self.is_admin:
            return True
        return self.org_id == org_id and self.role in (UserRole.MANAGER, UserRole.ANALYST, UserRole.VIEWER)

    def require_scope(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"this API token lacks the {scope!r} scope")


ANONYMOUS = Principal(user_id=None, label="anonymous", scopes=frozenset())


def principal_for(user: User, scopes: frozenset[str] | None = None, *,
                  on_collection_platform: bool = False) -> Principal:
    org = user.organisation
    return Principal(
        user_id=user.id,
        label=user.email,
        org_id=user.org_id,
        org_roles=frozenset(org.roles) if org else frozenset(),
        jurisdiction=org.jurisdiction if org else Jurisdiction.DOMESTIC,
        role=user.role,
        is_admin=user.is_admin,
        scopes=scopes if scopes is not None else frozenset(KNOWN_SCOPES),
        on_collection_platform=on_collection_platform,
    )



# --- checks every domain policy starts from ---

def require_signed_in(principal: Principal) -> None:
    if principal.is_anonymous:
        raise Unauthenticated("sign in or send an API token")


def require_write_in(principal: Principal, org_id: uuid.UUID, what: str = "records") -> None:
    """The principal may create ``what`` for the organisation (analysts, managers, administrators)."""
    require_signed_in(principal)
    if not principal.may_write_in(org_id):
        raise Forbidden(f"you may not create {what} for this organisation")


def acting_org(principal: Principal, requested: uuid.UUID | None, what: str = "records") -> uuid.UUID:
    """The organisation a new record belongs to: the principal's own, or any for an administrator."""
    require_signed_in(principal)
    if requested is not None and principal.is_admin:
        return requested
    if principal.org_id is None:
        raise Forbidden("administrators without an organisation must name the organisation")
    if requested is not None and requested != principal.org_id:
        raise Forbidden(f"you may only create {what} in your own organisation")
    return principal.org_id

def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    """Constant-work password check; also refuses inactive users."""
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None and user.is_active


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def issue_token(
    session: Session, user: User, *, name: str = "", scopes: list[str] | None = None,
    ttl: timedelta | None = None, now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; the raw secret is returned once and never stored."""
    chosen = list(scopes) if scopes else list(KNOWN_SCOPES)
    unknown = [s for s in chosen if s not in KNOWN_SCOPES]
    if unknown:
        from wangan.errors import Invalid

        raise Invalid(f"unknown token scope(s) {', '.join(unknown)}; known: {', '.join(KNOWN_SCOPES)}")
    raw = new_token_secret()
    moment = now or utcnow()
    token = ApiToken(
        user_id=user.id, name=name, prefix=raw[:10], token_hash=token_digest(raw), scopes=chosen,
        created_at=moment, expires_at=(moment + ttl) if ttl else None,
    )
    session.add(token)
    session.flush()
    return token, raw


def authenticate_token(session: Session, raw: str, now: datetime | None = None) -> tuple[User, ApiToken]:
    """Resolve a bearer token, refusing unknown, revoked, expired tokens and inactive users."""
    token = session.execute(
        select(ApiToken).where(ApiToken.token_hash == token_digest(raw))
    ).scalar_one_or_none()
    moment = now or utcnow()
    if token is None:
        raise Unauthenticated("the API token is not valid")
    if token.revoked_at is not None:
        raise Unauthenticated(f"the API token {token.prefix}… was revoked at {token.revoked_at.isoformat()}")
    if token.expires_at is not None and token.expires_at <= moment:
        raise Unauthenticated(f"the API token {token.prefix}… expired at {token.expires_at.isoformat()}")
    if not token.user.is_active:
        raise Unauthenticated("the account that owns this API token is disabled")
    return token.user, token
