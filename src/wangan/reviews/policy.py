"""The one authorization policy for review cases. Every read and write path asks it.

A review case tells who buys what from whom, or who plans to list where: commercially sensitive and
possibly touching national security. So, as for vulnerability cases, a case the principal may not
see is reported as *not found*, never as forbidden. Members of the owning organisation (viewers,
analysts, managers) read; analysts and managers write; only managers conclude a review (the
transitions that record a written conclusion or "no review required"); administrators do
everything, within their token's scopes. Anonymous callers are asked to sign in.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, true

from wangan.errors import Forbidden, NotFound
from wangan.kernel import auth
from wangan.kernel.auth import Principal
from wangan.kernel.models import UserRole
from wangan.reviews.models import ReviewCase

_require_signed_in = auth.require_signed_in


def cases_visible(principal: Principal) -> ColumnElement[bool]:
    """SQL filter of the review cases a principal may list."""
    if principal.is_anonymous or "read" not in principal.scopes:
        return false()
    if principal.is_admin:
        return true()
    if principal.org_id is None or not principal.may_read_in(principal.org_id):
        return false()
    return ReviewCase.org_id == principal.org_id


def require_read(principal: Principal, case: ReviewCase | None, ref: object) -> ReviewCase:
    """Members of the owning organisation and administrators read; everyone else gets 404."""
    _require_signed_in(principal)
    if case is None or not principal.may_read_in(case.org_id):
        raise NotFound(f"no review case {ref}")
    return case


def require_write(principal: Principal, case: ReviewCase, ref: object) -> ReviewCase:
    """Analysts and managers of the owning organisation (and administrators) change a case they
    already read through :func:`require_read`; viewers get 403."""
    _require_signed_in(principal)
    if not principal.may_write_in(case.org_id):
        raise Forbidden(f"only analysts and managers of the owning organisation may change review case {ref}")
    return case


def require_conclude(principal: Principal, case: ReviewCase, ref: object) -> ReviewCase:
    """Recording how a review ended is for a manager of the owning organisation or an administrator."""
    require_write(principal, case, ref)
    if not (principal.is_admin or principal.role is UserRole.MANAGER):
        raise Forbidden(f"only a manager of the owning organisation may record the conclusion of review case {ref}")
    return case


def require_write_in(principal: Principal, org_id: uuid.UUID) -> None:
    auth.require_write_in(principal, org_id, "review cases")


def acting_org(principal: Principal, requested: uuid.UUID | None) -> uuid.UUID:
    """The organisation a new case belongs to: the principal's own, or any for an administrator."""
    return auth.acting_org(principal, requested, "review cases")
