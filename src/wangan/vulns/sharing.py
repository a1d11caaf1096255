"""Sharing a case with another organisation (channel ``share``), only through the Art. 9 gate.

Every attempt asks the gate and leaves its decision in the audit log, allowed or not; a refusal
raises :class:`advisories.GateRefused` after the decision was recorded, so adapters commit before
answering and the refusal stays on record (Art. 11). Members of the recipient organisation then
read the case (``policy.case_visible`` / ``policy.require_read_case``); they never write it."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.errors import Conflict, FieldProblem, Invalid, NotFound
from wangan.kernel import audit, identity
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.models import Organisation
from wangan.vulns import advisories, cases, gate, policy, windows
from wangan.vulns.events import VulnTag
from wangan.vulns.models import Case, CaseShare


def _actor(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.label)


def _writable_case(session: Session, principal: Principal, case_ref: str | uuid.UUID) -> Case:
    case = cases.get_case(session, principal, case_ref)
    policy.require_write_case(principal, case, case_ref)
    return case


def share_case(session: Session, principal: Principal, rules: gate.GateRules, case_ref: str | uuid.UUID,
               org_slug: str, at: datetime, *, legal_signoff: str = "") -> CaseShare:
    """Share the case with the organisation ``org_slug`` if the gate allows it. A CERT abroad is
    held by PUB-7 until ``legal_signoff`` names the legal sign-off that allows it."""
    case = _writable_case(session, principal, case_ref)
    try:
        org = identity.get_organisation(session, org_slug)
    except NotFound as exc:
        raise Invalid(f"no organisation {org_slug!r}") from exc
    if org.id == case.org_id:
        raise Invalid("the case already belongs to this organisation")
    active = session.execute(select(CaseShare).where(CaseShare.case_id == case.id, CaseShare.org_id == org.id,
                                                     CaseShare.revoked_at.is_(None))).scalar_one_or_none()
    if active is not None:
        raise Conflict(f"case {case.number} is already shared with {org.slug}")
    if len(legal_signoff) > 200:
        raise Invalid("the legal sign-off reference is at most 200 characters",
                      problems=[FieldProblem("legal_signoff", "at most 200 characters")])
    recipient = dataclasses.replace(cases.gate_recipient(case, org), legal_signoff=legal_signoff.strip())
    request = gate.GateRequest(channel=gate.Channel.SHARE, content=cases.gate_content(session, case),
                               recipient=recipient, at=at,
                               windows=advisories.window_facts(windows.list_windows(session, around=at)))
    decision = gate.decide(request, rules)
    audit.record(session, VulnTag.GATE_DECIDED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"channel": gate.Channel.SHARE.value, "dry_run": False, "recipient": org.slug,
                       "legal_signoff": recipient.legal_signoff or None, "decision": decision.to_dict()})
    if not decision.allowed:
        raise advisories.GateRefused(decision)
    return grant_share(session, principal, case, org, at, legal_signoff=recipient.legal_signoff)


def grant_share(session: Session, principal: Principal, case: Case, org: Organisation, at: datetime, *,
                legal_signoff: str = "") -> CaseShare:
    """Record the share once the gate allowed it (callers ask the gate first)."""
    share = CaseShare(case_id=case.id, org_id=org.id, granted_by=principal.user_id, granted_at=at,
                      legal_signoff=legal_signoff)
    session.add(share)
    session.flush()
    audit.record(session, VulnTag.CASE_SHARED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"share_id": str(share.id), "organisation": org.slug, "granted_at": at})
    return share


def list_shares(session: Session, principal: Principal, case_ref: str | uuid.UUID) -> list[CaseShare]:
    """Every share of the case, active and revoked; for members of the owning organisation."""
    case = cases.get_case(session, principal, case_ref)
    policy.require_read(principal, case, "case", case_ref)
    return list(session.execute(select(CaseShare).where(CaseShare.case_id == case.id)
                                .order_by(CaseShare.granted_at, CaseShare.id)).scalars())


def revoke_share(session: Session, principal: Principal, case_ref: str | uuid.UUID, share_id: uuid.UUID | str,
                 at: datetime) -> CaseShare:
    """End a share; the recipient organisation no longer sees the case."""
    case = _writable_case(session, principal, case_ref)
    try:
        share = session.get(CaseShare, uuid.UUID(str(share_id)))
    except ValueError:
        share = None
    if share is None or share.case_id != case.id:
        raise NotFound(f"no share {share_id} on case {case.number}")
    if share.revoked_at is not None:
        raise Conflict(f"share {share.id} was already revoked")
    share.revoked_at = at
    session.flush()
    audit.record(session, VulnTag.CASE_SHARE_REVOKED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"share_id": str(share.id), "organisation_id": str(share.org_id), "revoked_at": at})
    return share


def organisation_slugs(session: Session, shares: list[CaseShare]) -> dict[uuid.UUID, str]:
    """Slug of each recipient organisation, for views."""
    ids = {s.org_id for s in shares}
    if not ids:
        return {}
    rows = session.execute(select(Organisation.id, Organisation.slug).where(Organisation.id.in_(ids))).all()
    return {i: slug for i, slug in rows}
