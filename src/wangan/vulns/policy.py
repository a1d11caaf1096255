"""The one authorization policy for vulnerability data. Every read and write path asks it.

Undisclosed vulnerability data is the most sensitive thing wangan holds, so a record the
principal may not see is reported as *not found*, never as forbidden: its existence is not leaked.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from wangan.errors import Forbidden, NotFound
from wangan.kernel import auth
from wangan.kernel.auth import Principal, require_signed_in
from wangan.kernel.models import UserRole
from wangan.vulns.models import (
    Advisory,
    AdvisoryState,
    Asset,
    Case,
    CaseMember,
    CaseShare,
    IntakeRecord,
    OperatorFinding,
    Product,
)

_require_signed_in = require_signed_in  # the name this module has always used


# --- need-to-know on a collection platform (Art. 11 internal controls) ---
#
# On a collection platform (``principal.on_collection_platform``), belonging to the owning
# organisation is not enough to read an undisclosed case, its report or its advisory drafts: the
# principal must be a member of the case. Managers of the owning organisation (who assign the
# members) and administrators read everything; once an advisory of the case is published its
# content is public and the whole organisation reads it again. Organisations a case is shared with
# read it as a whole: the share itself was the need-to-know decision.

def needs_membership(principal: Principal) -> bool:
    """Whether undisclosed records of the principal's own organisation need case membership."""
    return principal.on_collection_platform and not principal.is_admin and principal.role is not UserRole.MANAGER


def member_case_ids(principal: Principal) -> Select[Any]:
    """Ids of the cases the principal is a member of."""
    return select(CaseMember.case_id).where(CaseMember.user_id == principal.user_id)


def disclosed_case_ids() -> Select[Any]:
    """Ids of the cases with a published advisory (their content is public)."""
    return select(Advisory.case_id).where(Advisory.state == AdvisoryState.PUBLISHED)


def _known_cases(principal: Principal, case_id: ColumnElement[uuid.UUID] | Any) -> ColumnElement[bool]:
    cond: ColumnElement[bool] = or_(case_id.in_(member_case_ids(principal)), case_id.in_(disclosed_case_ids()))
    return cond


def restricted_report_ids(principal: Principal) -> Select[Any]:
    """Reports the principal may not read under need-to-know: those whose case is undisclosed and
    not theirs. A report without a case stays with the organisation's triage."""
    return select(Case.report_id).where(Case.report_id.is_not(None), ~_known_cases(principal, Case.id))


# --- intake records (reports) ---

def reports_visible(principal: Principal) -> ColumnElement[bool]:
    """SQL filter of the reports a principal may list."""
    if "read" not in principal.scopes or principal.is_anonymous:
        return false()
    if principal.is_admin:
        return true()
    clauses: list[ColumnElement[bool]] = [IntakeRecord.reporter_user_id == principal.user_id]
    if principal.org_id is not None and principal.may_read_in(principal.org_id):
        own = IntakeRecord.org_id == principal.org_id
        if needs_membership(principal):
            own = and_(own, IntakeRecord.id.not_in(restricted_report_ids(principal)))
        clauses.append(own)
    return or_(*clauses)


def can_read_report(principal: Principal, record: IntakeRecord, *, restricted: bool = False) -> bool:
    """``restricted``: the report's case is undisclosed and the principal is not one of its members
    (see :func:`restricted_report_ids`; only consulted under need-to-know)."""
    if "read" not in principal.scopes or principal.is_anonymous:
        return False
    if record.reporter_user_id is not None and record.reporter_user_id == principal.user_id:
        return True
    return principal.may_read_in(record.org_id) and not (restricted and needs_membership(principal))


def require_read_report(principal: Principal, record: IntakeRecord | None, ref: object, *,
                        restricted: bool = False) -> IntakeRecord:
    _require_signed_in(principal)
    if record is None or not can_read_report(principal, record, restricted=restricted):
        raise NotFound(f"no report {ref}")
    return record


def require_manage_report(principal: Principal, record: IntakeRecord, *, restricted: bool = False) -> None:
    require_read_report(principal, record, record.id, restricted=restricted)
    if not principal.may_write_in(record.org_id):
        raise Forbidden("only analysts and managers of the receiving organisation may change reports")


# --- org-owned records: cases, products, assets, findings ---

OrgOwned = Case | Product | Asset | OperatorFinding | Advisory


def org_visible(principal: Principal, org_column: ColumnElement[uuid.UUID] | object) -> ColumnElement[bool]:
    if principal.is_anonymous or "read" not in principal.scopes:
        return false()
    if principal.is_admin:
        return true()
    if principal.org_id is None or not principal.may_read_in(principal.org_id):
        return false()
    return org_column == principal.org_id  # type: ignore[return-value]


def require_read(principal: Principal, record: OrgOwned | None, what: str, ref: object) -> OrgOwned:
    _require_signed_in(principal)
    if record is None or not principal.may_read_in(record.org_id):
        raise NotFound(f"no {what} {ref}")
    return record


def require_write(principal: Principal, record: OrgOwned | None, what: str, ref: object) -> OrgOwned:
    found = require_read(principal, record, what, ref)
    if not principal.may_write_in(found.org_id):
        raise Forbidden(f"only analysts and managers of the owning organisation may change this {what}")
    return found


def require_write_in(principal: Principal, org_id: uuid.UUID) -> None:
    auth.require_write_in(principal, org_id)


def acting_org(principal: Principal, requested: uuid.UUID | None) -> uuid.UUID:
    """The organisation a new record belongs to: the principal's own, or any for an admin."""
    return auth.acting_org(principal, requested)


# --- cases shared with another organisation (``vulns.sharing``) ---
#
# Members (viewer, analyst, manager) of an organisation a case is actively shared with may read
# the case; they never write it. To every other organisation the case stays not found.

def _reads_for_own_org(principal: Principal) -> bool:
    return (not principal.is_anonymous and "read" in principal.scopes and principal.org_id is not None
            and principal.may_read_in(principal.org_id))


def shared_case_ids(principal: Principal) -> Select[Any] | None:
    """Ids of the cases actively shared with the principal's organisation (None: no such reader)."""
    if not _reads_for_own_org(principal):
        return None
    return select(CaseShare.case_id).where(CaseShare.org_id == principal.org_id, CaseShare.revoked_at.is_(None))


def own_case_visible(principal: Principal) -> ColumnElement[bool]:
    """SQL filter of the principal's own organisation's cases it may read (need-to-know applied)."""
    own = org_visible(principal, Case.org_id)
    if needs_membership(principal):
        return and_(own, _known_cases(principal, Case.id))
    return own


def case_visible(principal: Principal, readable_shared: Collection[uuid.UUID] = ()) -> ColumnElement[bool]:
    """SQL filter of the cases a principal may list: its organisation's (under need-to-know only
    those it is a member of, or disclosed), and ``readable_shared``: the cases shared with it that
    the gate still lets it read (computed by the caller, see ``cases.readable_shared_ids``)."""
    own = own_case_visible(principal)
    if not readable_shared or principal.is_admin:
        return own
    return or_(own, Case.id.in_(list(readable_shared)))


def require_read_case(principal: Principal, case: Case | None, ref: object, *, shared: bool,
                      known: bool = True) -> Case:
    """Members of the owning organisation, or of an organisation the case is actively shared
    with (``shared``, checked by the caller) read the case; everyone else gets 404. Under
    need-to-know the caller also says whether the principal is a member of the case or the case
    is disclosed (``known``)."""
    _require_signed_in(principal)
    if case is not None and not principal.may_read_in(case.org_id) and shared and _reads_for_own_org(principal):
        return case
    found = require_read(principal, case, "case", ref)
    assert isinstance(found, Case)
    if needs_membership(principal) and not known:
        raise NotFound(f"no case {ref}")
    return found


def advisory_visible(principal: Principal) -> ColumnElement[bool]:
    """SQL filter of the advisories a principal may list inside wangan (drafts included)."""
    own = org_visible(principal, Advisory.org_id)
    if needs_membership(principal):
        return and_(own, or_(Advisory.state == AdvisoryState.PUBLISHED, _known_cases(principal, Advisory.case_id)))
    return own


def require_manage_members(principal: Principal, case: Case, ref: object) -> None:
    """Managers of the owning organisation and administrators decide who is on a case."""
    if not principal.may_write_in(case.org_id) or not (principal.is_admin or principal.role is UserRole.MANAGER):
        raise Forbidden(f"only a manager of the owning organisation may change the members of case {ref}")


def require_write_case(principal: Principal, case: Case, ref: object) -> Case:
    """Write access to a case the principal already read through :func:`require_read_case`: only
    analysts and managers of the owning organisation (a shared organisation gets 403)."""
    _require_signed_in(principal)
    if not principal.may_write_in(case.org_id):
        raise Forbidden(f"only analysts and managers of the owning organisation may change case {ref}")
    return case


# --- the finder side: whoever submitted the report a case was opened from ---
#
# A finder sees their case only through the limited finder projection (``vulns.finder``), never
# the internal case view; to everyone outside the owning organisation who is not its finder, the
# case does not exist (404).

def is_finder(principal: Principal, report: IntakeRecord | None) -> bool:
    """The principal submitted ``report`` while signed in."""
    return (not principal.is_anonymous and "read" in principal.scopes and report is not None
            and report.reporter_user_id is not None and report.reporter_user_id == principal.user_id)


def finder_cases_visible(principal: Principal) -> ColumnElement[bool]:
    """SQL filter of the cases a principal sees as their finder (for ``Case``)."""
    if principal.is_anonymous or "read" not in principal.scopes:
        return false()
    mine = select(IntakeRecord.id).where(IntakeRecord.reporter_user_id == principal.user_id)
    return Case.report_id.in_(mine)


def require_finder(principal: Principal, case: Case | None, report: IntakeRecord | None, ref: object,
                   *, write: bool = False, known: bool = True) -> Case:
    """The finder of the case, else 403 for members of the owning organisation who may know the
    case (``known``, see :func:`message_side`), 404 for the rest."""
    _require_signed_in(principal)
    if case is not None and is_finder(principal, report):
        if write:
            principal.require_scope("write")
        return case
    if case is not None and principal.may_read_in(case.org_id) and (known or not needs_membership(principal)):
        raise Forbidden("only the finder who submitted the report may do this")
    raise NotFound(f"no case {ref}")


def message_side(principal: Principal, case: Case | None, report: IntakeRecord | None, ref: object,
                 *, write: bool = False, known: bool = True) -> bool:
    """Whether the principal speaks for the provider (True) or as the finder (False) on the case's
    finder messages. Members of the owning organisation read them, analysts and managers write;
    the finder reads and writes; everyone else gets 404. Under need-to-know the caller says
    whether the principal is a member of the case or the case is disclosed (``known``)."""
    _require_signed_in(principal)
    if case is not None and principal.may_read_in(case.org_id) and (known or not needs_membership(principal)):
        if not write or principal.may_write_in(case.org_id):
            return True
        if not is_finder(principal, report):
            raise Forbidden("only analysts and managers of the owning organisation may write to the finder")
    require_finder(principal, case, report, ref, write=write, known=known)
    return False


def require_decide_publication(principal: Principal, case: Case | None, ref: object) -> Case:
    """Only a manager of the owning organisation (or an administrator) decides a finder's request."""
    found = require_read(principal, case, "case", ref)
    assert isinstance(found, Case)
    if not principal.may_write_in(found.org_id) or not (principal.is_admin or principal.role is UserRole.MANAGER):
        raise Forbidden("only a manager of the owning organisation may decide a publication request")
    return found


def require_read_log(principal: Principal, org_id: uuid.UUID | None) -> None:
    """The read log of undisclosed cases (Art. 11) is for reviewers: administrators, and managers
    for their own organisation's cases (``org_id``; None means every organisation)."""
    _require_signed_in(principal)
    principal.require_scope("read")
    if principal.is_admin:
        return
    if principal.role is not UserRole.MANAGER or principal.org_id is None or org_id != principal.org_id:
        raise Forbidden("only administrators and managers (for their own organisation) review the read log")
