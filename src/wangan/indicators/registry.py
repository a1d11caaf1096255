"""Which plans the monitor knows: the ones shipped in ``rules/plans`` and the ones users uploaded.

A shipped plan is read from its file at start-up; an uploaded plan is kept in the database as the YAML
it came in and validated by the same schema. Uploading a file whose plan id is already uploaded
replaces it (a new version of a user's plan); a shipped plan's id cannot be taken by an upload.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.errors import Conflict, FieldProblem, Invalid, NotFound, TooLarge
from wangan.indicators import policy
from wangan.indicators.events import IndicatorTag
from wangan.indicators.models import Investment, Observation, TaskRecord, UploadedPlan
from wangan.indicators.plans import PlanFile, load_plan_text
from wangan.kernel import audit
from wangan.kernel.auth import Principal
from wangan.kernel.rules import RulesError

SUBJECT = "indicator_plan"
MAX_PLAN_BYTES = 1_000_000
Origin = Literal["shipped", "uploaded"]


@dataclass(frozen=True)
class PlanEntry:
    """A plan the monitor knows, with where it came from."""

    plan: PlanFile
    origin: Origin
    uploaded: UploadedPlan | None = None

    @property
    def key(self) -> str:
        return self.plan.id


# Parsed uploads by content hash: validating a plan costs milliseconds, a page should not pay it each time.
_PARSED: OrderedDict[str, PlanFile] = OrderedDict()
_PARSED_MAX = 32


def _parse(row: UploadedPlan) -> PlanFile:
    cached = _PARSED.get(row.sha256)
    if cached is not None:
        _PARSED.move_to_end(row.sha256)
        return cached
    plan = load_plan_text(row.yaml_text, row.filename)
    _PARSED[row.sha256] = plan
    while len(_PARSED) > _PARSED_MAX:
        _PARSED.popitem(last=False)
    return plan


def list_plans(session: Session, principal: Principal, shipped: Sequence[PlanFile]) -> list[PlanEntry]:
    """Shipped plans first (in file order), then uploaded ones by id."""
    policy.require_read(principal)
    entries = [PlanEntry(p, "shipped") for p in shipped]
    rows = session.scalars(select(UploadedPlan).order_by(UploadedPlan.plan_key)).all()
    entries.extend(PlanEntry(_parse(row), "uploaded", row) for row in rows)
    return entries


def find_plan(session: Session, shipped: Sequence[PlanFile], plan_key: str) -> PlanEntry | None:
    """The plan ``plan_key`` without a policy check (for services that already checked)."""
    for plan in shipped:
        if plan.id == plan_key:
            return PlanEntry(plan, "shipped")
    if "\x00" in plan_key or len(plan_key) > 100:
        return None  # no such key can be stored; PostgreSQL would refuse the NUL in the query itself
    row = session.scalar(select(UploadedPlan).where(UploadedPlan.plan_key == plan_key))
    return PlanEntry(_parse(row), "uploaded", row) if row is not None else None


def get_plan(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str) -> PlanEntry:
    """The plan ``plan_key``, or NotFound naming the plans there are."""
    policy.require_read(principal)
    entry = find_plan(session, shipped, plan_key)
    if entry is None:
        known = [p.id for p in shipped] + list(session.scalars(select(UploadedPlan.plan_key)))
        raise NotFound(f"no plan {plan_key!r}; known plans: {', '.join(known) or 'none'}")
    return entry


def upload_plan(session: Session, principal: Principal, shipped: Sequence[PlanFile], data: bytes, filename: str,
                *, now: datetime | None = None) -> PlanEntry:
    """Validate and keep an uploaded plan file; the same plan id again replaces the earlier upload."""
    policy.require_manage(principal, "load plans")
    if len(data) > MAX_PLAN_BYTES:
        raise TooLarge(f"a plan file is at most {MAX_PLAN_BYTES:,} bytes; this one has {len(data):,}")
    if not data.strip():
        raise Invalid("the plan file is empty", problems=[FieldProblem("file", "the file is empty")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"the plan file is not UTF-8 text (byte {exc.start} cannot be decoded); save it as UTF-8",
                      problems=[FieldProblem("file", "not UTF-8 text")]) from exc
    name = filename or "plan.yaml"
    try:
        plan = load_plan_text(text, name)
    except RulesError as exc:
        raise Invalid(f"the plan file is not valid: {exc}", problems=[FieldProblem("file", str(exc))]) from exc
    if any(p.id == plan.id for p in shipped):
        raise Conflict(f"plan id {plan.id!r} belongs to a plan shipped with wangan; give your plan its own id "
                       "(plan.id), or edit rules/plans/ on the server to change the shipped one",
                       problems=[FieldProblem("file", f"plan id {plan.id} is taken by a shipped plan")])
    moment = now or utcnow()
    digest = hashlib.sha256(data).hexdigest()
    row = session.scalar(select(UploadedPlan).where(UploadedPlan.plan_key == plan.id))
    actor = policy.actor_of(principal)
    if row is None:
        row = UploadedPlan(plan_key=plan.id, filename=name[:255], yaml_text=text, sha256=digest,
                           content_version=str(plan.version), uploaded_by=principal.user_id, uploaded_at=moment,
                           updated_at=moment)
        session.add(row)
        session.flush()
        audit.record(session, IndicatorTag.PLAN_UPLOADED, actor, SUBJECT, row.id,
                     data={"plan": plan.id, "version": str(plan.version), "sha256": digest, "filename": row.filename})
    else:
        before = {"version": row.content_version, "sha256": row.sha256}
        row.filename, row.yaml_text, row.sha256 = name[:255], text, digest
        row.content_version, row.uploaded_by, row.updated_at = str(plan.version), principal.user_id, moment
        session.flush()
        audit.record(session, IndicatorTag.PLAN_REPLACED, actor, SUBJECT, row.id,
                     data={"plan": plan.id, "before": before,
                           "after": {"version": str(plan.version), "sha256": digest}})
    _PARSED[digest] = plan
    return PlanEntry(plan, "uploaded", row)


def delete_plan(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str) -> None:
    """Remove an uploaded plan that nothing refers to any more; shipped plans stay."""
    policy.require_manage(principal, "remove plans")
    entry = get_plan(session, principal, shipped, plan_key)
    if entry.uploaded is None:
        raise Conflict(f"plan {plan_key} is shipped with wangan and cannot be removed here")
    counts = {
        "observations": session.scalar(select(func.count()).select_from(Observation)
                                       .where(Observation.plan_key == plan_key)) or 0,
        "investment figures": session.scalar(select(func.count()).select_from(Investment)
                                             .where(Investment.plan_key == plan_key)) or 0,
        "task records": session.scalar(select(func.count()).select_from(TaskRecord)
                                       .where(TaskRecord.plan_key == plan_key)) or 0,
    }
    used = {k: v for k, v in counts.items() if v}
    if used:
        raise Conflict(f"plan {plan_key} still has " + ", ".join(f"{v} {k}" for k, v in used.items())
                       + "; delete those first")
    audit.record(session, IndicatorTag.PLAN_DELETED, policy.actor_of(principal), SUBJECT, entry.uploaded.id,
                 data={"plan": plan_key, "version": entry.uploaded.content_version})
    session.delete(entry.uploaded)
    session.flush()
