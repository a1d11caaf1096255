"""Services for organisations, users and API tokens. The only way these change."""

from __future__ import annotations

import contextlib
import re
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, Forbidden, Invalid, NotFound
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal, hash_password, issue_token
from wangan.kernel.events import KernelTag
from wangan.kernel.models import ApiToken, Jurisdiction, Organisation, OrgRole, User, UserRole

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
MIN_PASSWORD = 12


def _actor(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.label)


def create_organisation(
    session: Session, actor: Actor, *, slug: str, name: str, roles: list[str],
    jurisdiction: str = "domestic", contact_email: str | None = None, address: str | None = None,
    accepts_reports: bool = True, is_demo: bool = False,
) -> Organisation:
    errors = ErrorList()
    if not SLUG_RE.match(slug):
        errors.add("slug", "use 2–63 lower-case letters, digits and hyphens")
    if not name.strip():
        errors.add("name", "a name is required")
    valid_roles = {r.value for r in OrgRole}
    bad = [r for r in roles if r not in valid_roles]
    if bad or not roles:
        errors.add("roles", f"choose one or more of {', '.join(sorted(valid_roles))}")
    if jurisdiction not in {j.value for j in Jurisdiction}:
        errors.add("jurisdiction", "must be 'domestic' or 'overseas'")
    errors.raise_if_any("the organisation is not valid")
    if session.execute(select(Organisation.id).where(Organisation.slug == slug)).first():
        raise Conflict(f"an organisation with slug {slug!r} exists already")
    org = Organisation(
        slug=slug, name=name.strip(), roles=sorted(set(roles)), jurisdiction=Jurisdiction(jurisdiction),
        contact_email=contact_email, address=address, accepts_reports=accepts_reports, is_demo=is_demo,
    )
    session.add(org)
    session.flush()
    audit.record(session, KernelTag.ORG_CREATED, actor, "organisation", org.id, org_id=org.id,
                 data={"after": {"slug": slug, "name": org.name, "roles": org.roles,
                                 "jurisdiction": jurisdiction}})
    return org


def get_organisation(session: Session, slug_or_id: str) -> Organisation:
    query = select(Organisation).where(Organisation.slug == slug_or_id)
    with contextlib.suppress(ValueError):  # not a UUID: look up by slug only
        query = select(Organisation).where(
            (Organisation.slug == slug_or_id) | (Organisation.id == uuid.UUID(slug_or_id))
        )
    org = session.execute(query).scalar_one_or_none()
    if org is None:
        raise NotFound(f"no organisation {slug_or_id!r}")
    return org


def any_demo_organisation(session: Session) -> bool:
    """Whether demo data is loaded (every page then says so)."""
    return session.execute(select(Organisation.id).where(Organisation.is_demo.is_(True)).limit(1)).first() is not None


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.execute(select(Organisation).order_by(Organisation.name)).scalars())


def create_user(
    session: Session, actor: Actor, *, email: str, role: str, org_slug: str | None = None,
    password: str | None = None, display_name: str = "", is_admin: bool = False,
) -> tuple[User, str | None]:
    """Create a user. Returns the generated password when none was given (shown once)."""
    errors = ErrorList()
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        errors.add("email", "not an e-mail address")
    if role not in {r.value for r in UserRole} and role != "admin":
        errors.add("role", f"choose one of admin, {', '.join(r.value for r in UserRole)}")
    if password is not None and len(password) < MIN_PASSWORD:
        errors.add("password", f"use at least {MIN_PASSWORD} characters")
    errors.raise_if_any("the user is not valid")
    admin = is_admin or role == "admin"
    org = get_organisation(session, org_slug) if org_slug else None
    if org is None and not admin:
        raise Invalid("a user who is not an administrator must belong to an organisation (--org)",
                      problems=[])
    if session.execute(select(User.id).where(func.lower(User.email) == email)).first():
        raise Conflict(f"a user with e-mail {email} exists already")
    generated = None
    if password is None:
        generated = secrets.token_urlsafe(15)
        password = generated
    user = User(
        email=email, display_name=display_name or email.split("@")[0], password_hash=hash_password(password),
        is_admin=admin, org_id=org.id if org else None,
        role=UserRole.MANAGER if role == "admin" else UserRole(role),
    )
    session.add(user)
    session.flush()
    audit.record(session, KernelTag.USER_CREATED, actor, "user", user.id, org_id=user.org_id,
                 data={"after": {"email": email, "role": role, "is_admin": admin,
                                 "org": org.slug if org else None}})
    return user, generated


def get_user_by_email(session: Session, email: str) -> User:
    user = session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user with e-mail {email}")
    return user


def count_users(session: Session) -> int:
    return int(session.execute(select(func.count(User.id))).scalar_one())


def create_token(
    session: Session, actor: Actor, user: User, *, name: str = "", scopes: list[str] | None = None,
    ttl_days: int | None = None,
) -> tuple[ApiToken, str]:
    if ttl_days is not None and ttl_days <= 0:
        raise Invalid("--days must be a positive number of days")
    token, raw = issue_token(session, user, name=name, scopes=scopes,
                             ttl=timedelta(days=ttl_days) if ttl_days else None)
    audit.record(session, KernelTag.TOKEN_CREATED, actor, "user", user.id, org_id=user.org_id,
                 data={"after": {"token": token.prefix, "scopes": token.scopes,
                                 "expires_at": token.expires_at}})
    return token, raw


def revoke_token(session: Session, principal: Principal, token_id: uuid.UUID) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != principal.user_id and not principal.is_admin):
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is not None:
        raise Conflict(f"token {token.prefix}… was already revoked")
    token.revoked_at = utcnow()
    audit.record(session, KernelTag.TOKEN_REVOKED, _actor(principal), "user", token.user_id,
                 data={"after": {"token": token.prefix}})
    return token


def list_tokens(session: Session, principal: Principal) -> list[ApiToken]:
    if principal.user_id is None:
        raise Forbidden("sign in to see tokens")
    return list(session.execute(
        select(ApiToken).where(ApiToken.user_id == principal.user_id).order_by(ApiToken.created_at.desc())
    ).scalars())


# Who hears of an organisation's deadlines: the people who can act on them.
DEADLINE_ROLES = (UserRole.MANAGER, UserRole.ANALYST)


def deadline_recipients(session: Session, org_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[tuple[uuid.UUID, str]]]:
    """Active managers and analysts of the given organisations, by e-mail: org id -> [(user id, e-mail)]."""
    result: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    rows = session.execute(
        select(User.id, User.email, User.org_id)
        .where(User.org_id.in_(org_ids), User.is_active.is_(True), User.role.in_(DEADLINE_ROLES))
        .order_by(User.email)
    ).all()
    for user_id, email, org_id in rows:
        if org_id is not None:
            result.setdefault(org_id, []).append((user_id, email))
    return result
