"""Case members: who needs to know an undisclosed case (Art. 11 internal controls).

On a collection platform (``principal.on_collection_platform``) an analyst or viewer of the
owning organisation reads an undisclosed case, its report and its advisory drafts only as a
member of the case (``policy.needs_membership``). Whoever opens a case becomes its first member;
managers of the owning organisation add and remove the others. Every change is audited, so the
log shows who could read the case and since when. Outside collection-platform mode the list is
kept all the same (it says who works on the case), but it grants nothing the organisation's
roles do not already grant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wangan.errors import Conflict, Invalid, NotFound
from wangan.kernel import audit, identity
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.models import User, UserRole
from wangan.vulns import cases, policy
from wangan.vulns.events import VulnTag
from wangan.vulns.models import Case, CaseMember

MEMBER_ROLES = (UserRole.MANAGER, UserRole.ANALYST, UserRole.VIEWER)


@dataclass(frozen=True)
class MemberView:
    """A member of a case, for lists."""

    user_id: uuid.UUID
    email: str
    display_name: str
    role: str
    added_at: datetime
    added_by: str | None


def _actor(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.label)


def _managed_case(session: Session, principal: Principal, case_ref: str | uuid.UUID) -> Case:
    case = cases.get_case(session, principal, case_ref)
    policy.require_read(principal, case, "case", case_ref)  # the owning organisation, not a share
    policy.require_manage_members(principal, case, case_ref)
    return case


def list_members(session: Session, principal: Principal, case_ref: str | uuid.UUID) -> list[MemberView]:
    """The members of the case, oldest first; for those who read the case in its organisation."""
    case = cases.get_case(session, principal, case_ref)
    policy.require_read(principal, case, "case", case_ref)
    added_by = User.__table__.alias("added_by_user")
    rows = session.execute(
        select(CaseMember.user_id, User.email, User.display_name, User.role, CaseMember.added_at,
               added_by.c.email)
        .join(User, User.id == CaseMember.user_id)
        .outerjoin(added_by, added_by.c.id == CaseMember.added_by)
        .where(CaseMember.case_id == case.id)
        .order_by(CaseMember.added_at, User.email)
    ).all()
    return [MemberView(r[0], r[1], r[2], r[3].value, r[4], r[5]) for r in rows]


def candidates(session: Session, principal: Principal, case_ref: str | uuid.UUID) -> list[User]:
    """Users who may be added to the case and are not members yet (for a manager's picker): active
    users of the owning organisation in a member role."""
    case = _managed_case(session, principal, case_ref)
    taken = select(CaseMember.user_id).where(CaseMember.case_id == case.id)
    return list(session.execute(
        select(User).where(User.org_id == case.org_id, User.is_active.is_(True), User.role.in_(MEMBER_ROLES),
                           User.id.not_in(taken)).order_by(User.email)).scalars())


def add_member(session: Session, principal: Principal, case_ref: str | uuid.UUID, email: str,
               at: datetime) -> CaseMember:
    """Make a user of the owning organisation a member of the case (managers only)."""
    case = _managed_case(session, principal, case_ref)
    try:
        user = identity.get_user_by_email(session, email.strip())
    except NotFound as exc:
        raise Invalid(f"no user {email.strip()!r}") from exc
    if user.org_id != case.org_id:
        raise Invalid(f"{user.email} is not in the organisation that owns case {case.number}; "
                      "share the case with their organisation instead")
    if not user.is_active:
        raise Invalid(f"{user.email} is deactivated")
    if user.role not in MEMBER_ROLES:
        raise Invalid(f"{user.email} is a {user.role.value}; only managers, analysts and viewers can be members")
    if cases.is_member(session, user.id, case):
        raise Conflict(f"{user.email} is already a member of case {case.number}")
    member = CaseMember(case_id=case.id, user_id=user.id, added_by=principal.user_id, added_at=at)
    session.add(member)
    session.flush()
    audit.record(session, VulnTag.CASE_MEMBER_ADDED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"member": user.email, "user_id": str(user.id), "added_at": at})
    return member


def remove_member(session: Session, principal: Principal, case_ref: str | uuid.UUID, email: str) -> None:
    """Take a user off the case (managers only); under need-to-know they no longer read it."""
    case = _managed_case(session, principal, case_ref)
    row = session.execute(
        select(CaseMember).join(User, User.id == CaseMember.user_id)
        .where(CaseMember.case_id == case.id, func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"{email.strip()} is not a member of case {case.number}")
    user_id = row.user_id
    session.delete(row)
    session.flush()
    audit.record(session, VulnTag.CASE_MEMBER_REMOVED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"member": email.strip().lower(), "user_id": str(user_id)})
