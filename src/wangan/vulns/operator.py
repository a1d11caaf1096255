"""Operator mode (Art. 8): assets a network operator runs, and the vulnerabilities found in them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, Invalid
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import add_period
from wangan.vulns import policy
from wangan.vulns.events import VulnTag
from wangan.vulns.models import Asset, AssetKind, FindingState, OperatorFinding
from wangan.vulns.rules import VulnRules
from wangan.vulns.scoring import VectorError, score_cvss31

VERIFY_CLOCK = "OPS-VERIFY"
FIX_CLOCK = "OPS-FIX"


def _actor(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.label)


def create_asset(session: Session, principal: Principal, *, kind: str, name: str, identifier: str,
                 location: str = "", owner: str = "", organisation_id: uuid.UUID | None = None) -> Asset:
    org_id = policy.acting_org(principal, organisation_id)
    policy.require_write_in(principal, org_id)
    errors = ErrorList()
    if kind not in {k.value for k in AssetKind}:
        errors.add("kind", "choose network, system or equipment")
    if not name.strip():
        errors.add("name", "a name is required")
    if not identifier.strip():
        errors.add("identifier", "an identifier (host name, IP range, serial number) is required")
    errors.raise_if_any("the asset is not valid")
    if session.execute(select(Asset.id).where(Asset.org_id == org_id,
                                              Asset.identifier == identifier.strip())).first():
        raise Conflict(f"an asset with identifier {identifier.strip()!r} exists already")
    asset = Asset(org_id=org_id, kind=AssetKind(kind), name=name.strip()[:200],
                  identifier=identifier.strip()[:200], location=location.strip()[:200], owner=owner.strip()[:200])
    session.add(asset)
    session.flush()
    audit.record(session, VulnTag.ASSET_CREATED, _actor(principal), "asset", asset.id, org_id=org_id,
                 data={"after": {"kind": kind, "name": asset.name, "identifier": asset.identifier}})
    return asset


def list_assets(session: Session, principal: Principal) -> list[Asset]:
    return list(session.execute(
        select(Asset).where(policy.org_visible(principal, Asset.org_id)).order_by(Asset.name)
    ).scalars())


def get_asset(session: Session, principal: Principal, asset_id: uuid.UUID) -> Asset:
    found = policy.require_read(principal, session.get(Asset, asset_id), "asset", asset_id)
    assert isinstance(found, Asset)
    return found


def create_finding(session: Session, principal: Principal, rules: VulnRules, *, asset_id: uuid.UUID,
                   title: str, description: str = "", reference: str = "", cvss31_vector: str = "",
                   found_at: datetime | None = None) -> OperatorFinding:
    """Record a vulnerability in an operator's own asset; verify and fix clocks start at once."""
    asset = get_asset(session, principal, asset_id)
    policy.require_write(principal, asset, "asset", asset_id)
    moment = found_at or utcnow()
    errors = ErrorList()
    if not title.strip():
        errors.add("title", "a title is required")
    if moment.tzinfo is None:
        errors.add("found_at", "needs a time zone")
    elif moment > utcnow() + timedelta(minutes=5):
        errors.add("found_at", "cannot lie in the future")
    vector, score = "", None
    if cvss31_vector.strip():
        try:
            scored = score_cvss31(cvss31_vector)
            vector, score = scored.vector, scored.score
        except VectorError as exc:
            errors.add("cvss31_vector", f"not a valid vector: {exc}")
    errors.raise_if_any("the finding is not valid")
    verify, fix = rules.clock(VERIFY_CLOCK), rules.clock(FIX_CLOCK)
    finding = OperatorFinding(
        org_id=asset.org_id, asset_id=asset.id, title=title.strip()[:300], description=description,
        reference=reference.strip()[:100], cvss31_vector=vector, cvss31_score=score, found_at=moment,
        verify_due_at=add_period(moment, verify.length, verify.unit),
        fix_due_at=add_period(moment, fix.length, fix.unit),
    )
    session.add(finding)
    session.flush()
    audit.record(session, VulnTag.FINDING_CREATED, _actor(principal), "finding", finding.id,
                 org_id=asset.org_id, data={"after": {"asset": asset.identifier, "title": finding.title,
                                                      "verify_due_at": finding.verify_due_at,
                                                      "fix_due_at": finding.fix_due_at}})
    return finding


def get_finding(session: Session, principal: Principal, finding_id: uuid.UUID) -> OperatorFinding:
    found = policy.require_read(principal, session.get(OperatorFinding, finding_id), "finding", finding_id)
    assert isinstance(found, OperatorFinding)
    return found


def list_findings(session: Session, principal: Principal, *, open_only: bool = False) -> list[OperatorFinding]:
    query = select(OperatorFinding).where(policy.org_visible(principal, OperatorFinding.org_id))
    if open_only:
        query = query.where(OperatorFinding.state.in_([FindingState.OPEN, FindingState.VERIFIED]))
    return list(session.execute(query.order_by(OperatorFinding.fix_due_at)).scalars())


_MOVES = {
    "verify": ({FindingState.OPEN}, FindingState.VERIFIED, VulnTag.FINDING_VERIFIED),
    "fix": ({FindingState.OPEN, FindingState.VERIFIED}, FindingState.FIXED, VulnTag.FINDING_FIXED),
    "dismiss": ({FindingState.OPEN}, FindingState.NOT_APPLICABLE, VulnTag.FINDING_DISMISSED),
}


def move_finding(session: Session, principal: Principal, finding_id: uuid.UUID, action: str, *,
                 note: str = "", expected_version: int | None = None) -> OperatorFinding:
    """verify / fix / dismiss a finding. A fix needs a note saying what was done."""
    finding = get_finding(session, principal, finding_id)
    policy.require_write(principal, finding, "finding", finding_id)
    if action not in _MOVES:
        raise Invalid(f"unknown action {action!r}; use verify, fix or dismiss")
    sources, target, tag = _MOVES[action]
    if expected_version is not None and expected_version != finding.version:
        raise Conflict(f"the finding was changed by someone else (now version {finding.version}); reload")
    if finding.state not in sources:
        raise Conflict(f"the finding is {finding.state.value!r}; {action!r} is not possible from there")
    if action in ("fix", "dismiss") and not note.strip():
        raise Invalid(f"say what was done ({action} needs a note)")
    before = finding.state
    moment = utcnow()
    finding.state = target
    if target is FindingState.VERIFIED:
        finding.verified_at = moment
    if target is FindingState.FIXED:
        finding.fixed_at = moment
        finding.verified_at = finding.verified_at or moment
    if note.strip():
        finding.fix_note = note.strip()
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("the finding was changed by someone else at the same time; reload") from exc
    audit.record(session, tag, _actor(principal), "finding", finding.id, org_id=finding.org_id,
                 data={"before": {"state": before.value}, "after": {"state": target.value}, "note": note[:2000]})
    return finding


def count_overdue_findings(session: Session, principal: Principal, now: datetime | None = None) -> int:
    """Findings past their verification or their fix due date."""
    moment = now or utcnow()
    verify_late = (OperatorFinding.state == FindingState.OPEN) & (OperatorFinding.verify_due_at < moment)
    fix_late = OperatorFinding.state.in_([FindingState.OPEN, FindingState.VERIFIED]) & (
        OperatorFinding.fix_due_at < moment)
    return int(session.execute(select(func.count(OperatorFinding.id)).where(
        policy.org_visible(principal, OperatorFinding.org_id), verify_late | fix_late,
    )).scalar_one())
