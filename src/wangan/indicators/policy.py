"""The one authorization policy of the Action Plan monitor. Every read and write path asks it.

The monitor's figures are industry statistics, shared across the instance (an association, a
provincial bureau): every signed-in member of any organisation reads them (viewers included);
analysts and managers record figures, enterprises, investment and task progress; managers and
administrators load or remove plans, run consultations and moderate comments. A published
consultation and its approved comments are public, and anyone may comment while it is open.
Tokens are held to their scopes.
"""

from __future__ import annotations

from wangan.errors import Forbidden
from wangan.kernel import auth
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.models import UserRole

READERS = (UserRole.VIEWER, UserRole.ANALYST, UserRole.MANAGER)
WRITERS = (UserRole.ANALYST, UserRole.MANAGER)


def may_read(principal: Principal) -> bool:
    if principal.is_anonymous or "read" not in principal.scopes:
        return False
    return principal.is_admin or principal.role in READERS


def may_write(principal: Principal) -> bool:
    if principal.is_anonymous or "write" not in principal.scopes:
        return False
    return principal.is_admin or principal.role in WRITERS


def may_manage(principal: Principal) -> bool:
    if principal.is_anonymous or "write" not in principal.scopes:
        return False
    return principal.is_admin or principal.role is UserRole.MANAGER


def require_read(principal: Principal) -> None:
    """Signed-in members (viewer and up) and administrators read the monitor."""
    auth.require_signed_in(principal)
    if "read" not in principal.scopes:
        raise Forbidden("this API token lacks the 'read' scope")
    if not may_read(principal):
        raise Forbidden("only members of an organisation (viewer, analyst, manager) read the Action Plan monitor")


def require_write(principal: Principal, what: str) -> None:
    """Analysts, managers and administrators record ``what``; viewers get 403."""
    auth.require_signed_in(principal)
    if "write" not in principal.scopes:
        raise Forbidden("this API token lacks the 'write' scope")
    if not may_write(principal):
        raise Forbidden(f"only analysts, managers and administrators may change {what}")


def require_manage(principal: Principal, what: str) -> None:
    """Managers and administrators only: plans, consultations, moderation."""
    auth.require_signed_in(principal)
    if "write" not in principal.scopes:
        raise Forbidden("this API token lacks the 'write' scope")
    if not may_manage(principal):
        raise Forbidden(f"only managers and administrators may {what}")


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.label)
