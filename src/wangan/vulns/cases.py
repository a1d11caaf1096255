"""Provider-side vulnerability cases (Art. 7): lifecycle, assessment, notices, the NVDB clock."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, FieldProblem, Forbidden, Invalid, NotFound
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import add_period
from wangan.kernel.models import AuditEvent, Organisation
from wangan.kernel.numbering import take_next
from wangan.vulns import gate, policy
from wangan.vulns.events import VulnTag
from wangan.vulns.models import (
    Advisory,
    AdvisoryState,
    Case,
    CaseMember,
    CaseShare,
    CaseState,
    DownstreamNotice,
    IntakeRecord,
    Product,
    UpstreamNotice,
)
from wangan.vulns.rules import TransitionDef, VulnRules
from wangan.vulns.scoring import apply_vectors, normalise_cwe

NVDB_CLOCK = "VULN-NVDB-REPORT"
FORWARD_CLOCK = "PLATFORM-FORWARD"
_GATE_RULES_KEY = "wangan.vulns.gate_rules"
CASE_NUMBER_RE = re.compile(r"^WA-[0-9]{4}-[0-9]{4,9}$")

# Fields a person may edit on a case, with their maximum lengths.
EDITABLE_TEXT = {
    "title": 300, "description": 100_000, "affected_versions": 500, "verification_result": 20_000,
    "technical_characteristics": 20_000, "harm": 20_000, "impact_scope": 20_000,
    "fix_description": 20_000,
}
EDITABLE_FLAGS = ("in_upstream_component", "user_action_required")
EDITABLE_SPECIAL = ("cwe", "cvss31_vector", "cvss40_vector", "product_id", "fix_available_at")
EDITABLE = frozenset((*EDITABLE_TEXT, *EDITABLE_FLAGS, *EDITABLE_SPECIAL))


def _actor(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.label)


def _snapshot(case: Case, names: list[str]) -> dict[str, Any]:
    return {n: getattr(case, n) for n in names}


def next_case_number(session: Session, now: datetime) -> str:
    return f"WA-{now.year}-{take_next(session, f'case-{now.year}'):04d}"


def _apply_changes(case: Case, session: Session, changes: dict[str, Any]) -> list[str]:
    """Validate and apply edits; every problem is collected so the caller sees all of them."""
    errors = ErrorList()
    unknown = sorted(set(changes) - EDITABLE)
    for name in unknown:
        errors.add(name, "not an editable case field")
    applied: list[str] = []
    for name, limit in EDITABLE_TEXT.items():
        if name in changes:
            value = changes[name]
            if not isinstance(value, str):
                errors.add(name, "must be text")
            elif len(value) > limit:
                errors.add(name, f"at most {limit} characters")
            elif name == "title" and not value.strip():
                errors.add(name, "a title is required")
            else:
                setattr(case, name, value.strip() if name == "title" else value)
                applied.append(name)
    for name in EDITABLE_FLAGS:
        if name in changes:
            if not isinstance(changes[name], bool):
                errors.add(name, "must be true or false")
            else:
                setattr(case, name, changes[name])
                applied.append(name)
    if "cwe" in changes:
        raw = changes["cwe"] or ""
        try:
            case.cwe = normalise_cwe(raw) if raw else ""
            applied.append("cwe")
        except (ValueError, AttributeError) as exc:
            errors.add("cwe", str(exc))
    applied += apply_vectors(case, changes, errors)
    if "product_id" in changes:
        pid = changes["product_id"]
        if pid is None:
            case.product_id = None
            applied.append("product_id")
        else:
            try:
                product = session.get(Product, uuid.UUID(str(pid)))
            except ValueError:
                product = None
            if product is None or product.org_id != case.org_id:
                errors.add("product_id", "no such product in this organisation's catalogue")
            else:
                case.product_id = product.id
                case.product = product
                applied.append("product_id")
    if "fix_available_at" in changes:
        value = changes["fix_available_at"]
        if value is not None and not (isinstance(value, datetime) and value.tzinfo is not None):
            errors.add("fix_available_at", "must be a date-time with a time zone")
        else:
            case.fix_available_at = value
            applied.append("fix_available_at")
    errors.raise_if_any("the case was not changed: some fields are not valid")
    return applied


@dataclass
class CaseIn:
    title: str
    description: str = ""
    organisation_id: uuid.UUID | None = None
    report_id: uuid.UUID | None = None
    aware_at: datetime | None = None
    fields: dict[str, Any] | None = None


def create_case(session: Session, principal: Principal, rules: VulnRules, data: CaseIn,
                now: datetime | None = None) -> Case:
    """Open a case, from a report or directly. The NVDB clock starts at ``aware_at``."""
    moment = now or utcnow()
    report: IntakeRecord | None = None
    org_id = data.organisation_id
    if data.report_id is not None:
        report = policy.require_read_report(principal, session.get(IntakeRecord, data.report_id),
                                            data.report_id)
        org_id = report.org_id
        taken = session.execute(select(Case.number).where(Case.report_id == report.id)).scalar_one_or_none()
        if taken:
            raise Conflict(f"report {report.id} already has case {taken}")
    org_id = policy.acting_org(principal, org_id) if report is None else org_id
    assert org_id is not None
    policy.require_write_in(principal, org_id)
    if session.get(Organisation, org_id) is None:
        raise Invalid(f"no organisation {org_id}")
    aware = data.aware_at or (report.received_at if report else moment)
    if aware.tzinfo is None:
        raise Invalid("aware_at needs a time zone", problems=[FieldProblem("aware_at", "add a time zone")])
    if aware > moment + timedelta(minutes=5):
        raise Invalid("aware_at is in the future",
                      problems=[FieldProblem("aware_at", "awareness cannot lie in the future")])
    clock = rules.clock(NVDB_CLOCK)
    case = Case(
        number=next_case_number(session, moment), org_id=org_id,
        report_id=report.id if report else None, title="", description=data.description,
        state=CaseState(rules.case_lifecycle.initial), aware_at=aware,
        nvdb_due_at=add_period(aware, clock.length, clock.unit), nvdb_rule_id=clock.id,
        created_by=principal.user_id, created_at=moment, updated_at=moment,
    )
    changes = dict(data.fields or {})
    changes["title"] = data.title
    if data.description:
        changes["description"] = data.description
    _apply_changes(case, session, changes)
    if principal.on_collection_platform:
        _start_forward_clock(session, rules, case)
    session.add(case)
    session.flush()
    if principal.user_id is not None:  # whoever opens a case needs to know it (need-to-know)
        session.add(CaseMember(case_id=case.id, user_id=principal.user_id, added_by=principal.user_id,
                               added_at=moment))
    audit.record(session, VulnTag.CASE_CREATED, _actor(principal), "case", case.id, org_id=org_id, data={
        "after": {"number": case.number, "title": case.title, "state": case.state.value,
                  "aware_at": case.aware_at, "nvdb_due_at": case.nvdb_due_at,
                  "forward_due_at": case.forward_due_at, "report_id": case.report_id}})
    return case


def _start_forward_clock(session: Session, rules: VulnRules, case: Case) -> None:
    """A collection platform collects vulnerabilities in other vendors' products (Art. 10), so each
    case it opens must reach the product's provider (PLATFORM-FORWARD), unless the product named
    at opening is the platform's own."""
    org = session.get(Organisation, case.org_id)
    if case.product_id is not None and org is not None:
        product = session.get(Product, case.product_id)
        if product is not None and product.vendor.strip().casefold() == org.name.strip().casefold():
            return
    clock = rules.clock(FORWARD_CLOCK)
    case.forward_due_at = add_period(case.aware_at, clock.length, clock.unit)


def get_case(session: Session, principal: Principal, case_id: uuid.UUID | str, *,
             collection_platform: bool = False) -> Case:
    """Load a case by id or number, through the policy.

    Adapters showing the internal case view pass ``collection_platform`` from the settings: on a
    collection platform every read of an undisclosed case is then audited (Art. 11 internal
    controls against leakage). Internal lookups leave it off."""
    case: Case | None
    try:
        case = session.get(Case, uuid.UUID(str(case_id)))
    except ValueError:
        ref = str(case_id)
        case = None if not CASE_NUMBER_RE.match(ref) else (
            session.execute(select(Case).where(Case.number == ref)).scalar_one_or_none())
    shared = case is not None and _shared_with(session, principal, case)
    found = policy.require_read_case(
        principal, case, case_id, shared=shared,
        known=case is None or not policy.needs_membership(principal) or is_known_to(session, principal, case))
    if shared and not principal.may_read_in(found.org_id):
        _gate_outside_read(session, principal, found)
    if collection_platform:
        _log_read(session, principal, found)
    return found


class ReadRefused(Forbidden):
    """The Art. 9 gate refused to let a principal outside the owning organisation read the case
    (channel ``api_read``), e.g. its organisation is now overseas and not the product's provider.
    The decision is in the audit log of the caller's transaction, which is kept."""

    code = "gate-refused-read"
    title = "Reading refused by the publication gate"
    keeps_record = True

    def __init__(self, decision: gate.Decision) -> None:
        refusing = [r for r in decision.results if r.outcome is not gate.Outcome.ALLOW]
        super().__init__("the publication gate refused this read: "
                         + "; ".join(f"{r.rule_id}: {r.reason_en}" for r in refusing),
                         problems=[FieldProblem(r.rule_id, f"{r.reason_en} / {r.reason_zh}") for r in refusing],
                         extra={"decision": decision.to_dict()})
        self.decision = decision


def bind_gate_rules(factory: sessionmaker[Session], rules: gate.GateRules) -> None:
    """Give every session of ``factory`` the gate rules, so that reads of a case by principals
    outside its organisation are put to the gate wherever they start."""
    factory.configure(info={_GATE_RULES_KEY: rules})


def gate_content(session: Session, case: Case) -> gate.Content:
    """What the gate judges when a case leaves: its text, computed severity and facts."""
    return gate.Content(
        title=case.title, text=case.description,
        computed_severity=case.cvss40_severity or case.cvss31_severity or None,
        fix_available=case.fix_available_at is not None, fix_or_mitigation=case.fix_description,
        in_operator_system=False, disclosed=is_disclosed(session, case),
    )


def gate_jurisdiction(org: Organisation) -> gate.Jurisdiction | None:
    value = org.jurisdiction.value if org.jurisdiction is not None else None
    if value == "domestic":
        return "domestic"
    if value == "overseas":
        return "overseas"
    return None  # unknown: the gate treats it as overseas


def provides_product(case: Case, name: str) -> bool:
    """Whether ``name`` is the vendor named on the case's product (the product's provider)."""
    product = case.product
    return product is not None and product.vendor.strip().casefold() == name.strip().casefold()


def gate_recipient(case: Case, org: Organisation) -> gate.Recipient:
    """The organisation as the gate sees it; it provides the product when it is the vendor named
    on the case's product."""
    return gate.Recipient(label=org.name, jurisdiction=gate_jurisdiction(org),
                          is_product_provider=provides_product(case, org.name), is_cert="cert" in (org.roles or []))


def readable_shared_ids(session: Session, principal: Principal, at: datetime) -> list[uuid.UUID]:
    """The cases shared with the principal's organisation that the gate lets it read now (channel
    ``api_read``), for lists. A share granted once stops counting when the facts change, e.g. the
    organisation is no longer the product's provider. Opening a case asks the gate again and logs
    the decision; lists apply the same decision without logging one per row."""
    shared = policy.shared_case_ids(principal)
    rules = session.info.get(_GATE_RULES_KEY)
    if shared is None or principal.is_admin or principal.org_id is None or not isinstance(rules, gate.GateRules):
        return []
    org = session.get(Organisation, principal.org_id)
    if org is None:
        return []
    rows = session.execute(
        select(Case, CaseShare.legal_signoff).join(CaseShare, CaseShare.case_id == Case.id)
        .where(CaseShare.org_id == org.id, CaseShare.revoked_at.is_(None), Case.org_id != org.id)
    ).all()
    readable: list[uuid.UUID] = []
    for case, signoff in rows:
        recipient = dataclasses.replace(gate_recipient(case, org), legal_signoff=signoff or "")
        decision = gate.decide(gate.GateRequest(channel=gate.Channel.API_READ, content=gate_content(session, case),
                                                recipient=recipient, at=at), rules)
        if decision.allowed:
            readable.append(case.id)
    return readable


def _gate_outside_read(session: Session, principal: Principal, case: Case) -> None:
    """A read by a principal outside the owning organisation is an egress: ask the gate."""
    rules = session.info.get(_GATE_RULES_KEY)
    org = session.get(Organisation, principal.org_id) if principal.org_id is not None else None
    if not isinstance(rules, gate.GateRules) or org is None:
        raise NotFound(f"no case {case.number}")  # fail closed: no rules to decide with
    signoff = session.execute(select(CaseShare.legal_signoff).where(
        CaseShare.case_id == case.id, CaseShare.org_id == org.id, CaseShare.revoked_at.is_(None))).scalars().first()
    recipient = dataclasses.replace(gate_recipient(case, org), legal_signoff=signoff or "")
    decision = gate.decide(gate.GateRequest(channel=gate.Channel.API_READ, content=gate_content(session, case),
                                            recipient=recipient, at=utcnow()), rules)
    audit.record(session, VulnTag.GATE_DECIDED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"channel": gate.Channel.API_READ.value, "dry_run": False, "recipient": org.slug,
                       "decision": decision.to_dict()})
    if not decision.allowed:
        raise ReadRefused(decision)


def _shared_with(session: Session, principal: Principal, case: Case) -> bool:
    """Whether the case is actively shared with the principal's organisation."""
    if principal.org_id is None or principal.org_id == case.org_id:
        return False
    shared = policy.shared_case_ids(principal)
    return shared is not None and session.execute(shared.where(CaseShare.case_id == case.id).limit(1)).first() \
        is not None


def is_member(session: Session, user_id: uuid.UUID | None, case: Case) -> bool:
    """Whether the user is a member of the case (need-to-know, ``vulns.members``)."""
    if user_id is None:
        return False
    found = select(CaseMember.id).where(CaseMember.case_id == case.id, CaseMember.user_id == user_id).limit(1)
    return session.execute(found).first() is not None


def is_known_to(session: Session, principal: Principal, case: Case) -> bool:
    """Under need-to-know: the principal is a member of the case, or the case is disclosed."""
    return is_member(session, principal.user_id, case) or is_disclosed(session, case)


def is_disclosed(session: Session, case: Case) -> bool:
    """Whether an advisory about the case has been published (its content is then public)."""
    published = select(Advisory.id).where(Advisory.case_id == case.id,
                                          Advisory.state == AdvisoryState.PUBLISHED).limit(1)
    return session.execute(published).first() is not None


def _log_read(session: Session, principal: Principal, case: Case, view: str = "case") -> None:
    """Art. 11: record who read an undisclosed case's internal view, and which view."""
    if is_disclosed(session, case):
        return
    audit.record(session, VulnTag.CASE_READ, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"reader": principal.label, "view": view})


def _writable(session: Session, principal: Principal, case_id: uuid.UUID | str,
              expected_version: int | None) -> Case:
    case = get_case(session, principal, case_id)
    policy.require_write_case(principal, case, case_id)
    if expected_version is not None and expected_version != case.version:
        raise Conflict(
            f"case {case.number} was changed by someone else (you have version {expected_version}, "
            f"it is now at version {case.version}); reload and try again",
            extra={"current_version": case.version},
        )
    return case


def _flush(session: Session, case: Case) -> None:
    number = case.number  # read now: after a failed flush the session refuses attribute access
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"case {number} was changed by someone else at the same time; reload") from exc


def update_case(session: Session, principal: Principal, case_id: uuid.UUID | str,
                changes: dict[str, Any], expected_version: int | None = None) -> Case:
    case = _writable(session, principal, case_id, expected_version)
    if not changes:
        raise Invalid("nothing to change")
    names = sorted(set(changes) & EDITABLE)
    before = _snapshot(case, names)
    applied = _apply_changes(case, session, changes)
    after = _snapshot(case, applied)
    diff = {k: after[k] for k in applied if before.get(k) != after[k]}
    if not diff:
        return case
    case.updated_at = utcnow()
    _flush(session, case)
    audit.record(session, VulnTag.CASE_UPDATED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"before": {k: before.get(k) for k in diff}, "after": diff})
    return case


# --- lifecycle ---

GuardCheck = Callable[[Case], str | None]

GUARDS: dict[str, GuardCheck] = {
    "verification_recorded": lambda c: None if c.verification_result.strip()
    else "record the verification result first",
    "severity_assessed": lambda c: None if (c.cvss31_vector or c.cvss40_vector)
    else "assess severity: give a CVSS 3.1 or 4.0 vector",
    "impact_scope_recorded": lambda c: None if c.impact_scope.strip() else "record the impact scope",
    "nvdb_submission_recorded": lambda c: None if c.nvdb_submitted_at is not None
    else "record the NVDB submission (time and reference number) first",
    "upstream_notified_if_component": lambda c: None
    if (not c.in_upstream_component or c.upstream_notices)
    else "the flaw is in an upstream component: record the notice to its supplier first (Art. 7(1))",
    "fix_recorded": lambda c: None if (c.fix_description.strip() and c.fix_available_at)
    else "record the fix (description and availability date)",
    "downstream_notice_recorded": lambda c: None if c.downstream_notices
    else "record the notice to downstream users (Art. 7(3))",
    "no_user_action_required": lambda c: None if not c.user_action_required
    else "users must act on this fix: notify them before closing (Art. 7(3))",
}


@dataclass(frozen=True)
class Blocker:
    """A guard that holds a transition back, and why (English; adapters translate by ``guard``)."""

    guard: str
    message: str


def available_transitions(rules: VulnRules, case: Case) -> list[tuple[TransitionDef, list[Blocker]]]:
    """Transitions out of the current state, each with what blocks it (empty = allowed)."""
    result = []
    for t in rules.case_lifecycle.transitions:
        if case.state.value in t.from_:
            blocked = [Blocker(g, msg) for g in t.guards if (msg := GUARDS[g](case)) is not None]
            result.append((t, blocked))
    return result


def count_by_state(session: Session, principal: Principal, states: list[str]) -> dict[str, int]:
    """How many visible cases are in each of ``states`` (one grouped query)."""
    rows = session.execute(
        select(Case.state, func.count(Case.id))
        .where(policy.own_case_visible(principal), Case.state.in_([CaseState(s) for s in states]))
        .group_by(Case.state)
    ).all()
    found = {state.value: int(n) for state, n in rows}
    return {s: found.get(s, 0) for s in states}


def transition(session: Session, principal: Principal, rules: VulnRules, case_id: uuid.UUID | str,
               transition_id: str, *, expected_version: int | None = None, note: str = "") -> Case:
    """Move a case along the lifecycle; unknown, illegal or unguarded moves are refused."""
    case = _writable(session, principal, case_id, expected_version)
    t = rules.transition_by_id.get(transition_id)
    if t is None:
        raise Invalid(f"unknown transition {transition_id!r}; known: {', '.join(rules.transition_by_id)}")
    if case.state.value not in t.from_:
        allowed = [x.id for x, _ in available_transitions(rules, case)]
        raise Conflict(
            f"case {case.number} is {case.state.value!r}; {transition_id!r} is only possible from "
            f"{', '.join(t.from_)} (possible now: {', '.join(allowed) or 'none'})"
        )
    blocked = [FieldProblem(g, msg) for g in t.guards if (msg := GUARDS[g](case)) is not None]
    if blocked:
        raise Conflict(f"{transition_id!r} is not possible yet: " + "; ".join(p.message for p in blocked),
                       problems=blocked)
    before = case.state
    case.state = CaseState(t.to)
    moment = utcnow()
    if t.to == CaseState.CONFIRMED and case.verified_at is None:
        case.verified_at = moment
    if not rules.state_by_id[t.to].open:
        case.closed_at = moment
    elif case.closed_at is not None:
        case.closed_at = None
    case.updated_at = moment
    _flush(session, case)
    audit.record(session, VulnTag.CASE_TRANSITIONED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"transition": t.id, "before": {"state": before.value},
                       "after": {"state": case.state.value}, "note": note[:2000]})
    return case


# --- notices ---

def _check_time(field_name: str, value: datetime, errors: ErrorList) -> None:
    if value.tzinfo is None:
        errors.add(field_name, "needs a time zone")
    elif value > utcnow() + timedelta(minutes=5):
        errors.add(field_name, "cannot lie in the future")


def record_upstream_notice(session: Session, principal: Principal, case_id: uuid.UUID | str, *,
                           supplier: str, component: str, component_version: str = "",
                           channel: str = "", sent_at: datetime) -> UpstreamNotice:
    case = _writable(session, principal, case_id, None)
    errors = ErrorList()
    if not supplier.strip():
        errors.add("supplier", "name the upstream supplier")
    if not component.strip():
        errors.add("component", "name the component")
    _check_time("sent_at", sent_at, errors)
    errors.raise_if_any("the upstream notice is not complete")
    notice = UpstreamNotice(case_id=case.id, supplier=supplier.strip()[:200], component=component.strip()[:200],
                            component_version=component_version.strip()[:100], channel=channel.strip()[:200],
                            sent_at=sent_at, recorded_by=principal.user_id)
    case.upstream_notices.append(notice)
    case.in_upstream_component = True
    case.updated_at = utcnow()
    _flush(session, case)
    audit.record(session, VulnTag.UPSTREAM_NOTIFIED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"after": {"supplier": notice.supplier, "component": notice.component,
                                 "component_version": notice.component_version, "sent_at": sent_at}})
    return notice


def record_downstream_notice(session: Session, principal: Principal, case_id: uuid.UUID | str, *,
                             recipients: str, fix: str, sent_at: datetime) -> DownstreamNotice:
    case = _writable(session, principal, case_id, None)
    errors = ErrorList()
    if not recipients.strip():
        errors.add("recipients", "say who was told (customers, downstream vendors, a mailing list)")
    if not fix.strip():
        errors.add("fix", "say which fix or workaround they were given")
    _check_time("sent_at", sent_at, errors)
    errors.raise_if_any("the downstream notice is not complete")
    notice = DownstreamNotice(case_id=case.id, recipients=recipients.strip(), fix=fix.strip(),
                              sent_at=sent_at, recorded_by=principal.user_id)
    case.downstream_notices.append(notice)
    case.updated_at = utcnow()
    _flush(session, case)
    audit.record(session, VulnTag.DOWNSTREAM_NOTIFIED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"after": {"recipients": notice.recipients[:500], "sent_at": sent_at}})
    return notice


# --- NVDB ---

def nvdb_packet(session: Session, principal: Principal, rules: VulnRules, case_id: uuid.UUID | str,
                *, record_event: bool = True, collection_platform: bool = False) -> dict[str, Any]:
    """The Art. 7(2) report packet. Raises ``Invalid`` listing every required field that is empty.

    On a collection platform the read is audited and the packet names who exported it and when
    (``exported_for``), so a leaked copy can be traced to its reader (Art. 11)."""
    case = get_case(session, principal, case_id)
    policy.require_read(principal, case, "case", case_id)  # the owning organisation only, not a share
    org = session.get(Organisation, case.org_id)
    assert org is not None
    product = case.product
    cvss = ""
    if case.cvss40_vector:
        cvss = f"{case.cvss40_vector} ({case.cvss40_score} {case.cvss40_severity})"
    elif case.cvss31_vector:
        cvss = f"{case.cvss31_vector} ({case.cvss31_score} {case.cvss31_severity})"
    values: dict[str, str] = {
        "product_name": product.name if product else "",
        "product_model": product.model if product else "",
        "product_version": case.affected_versions or (", ".join(product.versions) if product else ""),
        "technical_characteristics": case.technical_characteristics,
        "harm": case.harm,
        "impact_scope": case.impact_scope,
        "provider_name": org.name,
        "provider_contact": org.contact_email or "",
        "cwe": case.cwe, "cvss": cvss, "affected_versions": case.affected_versions,
        "fix_description": case.fix_description, "title": case.title, "description": case.description,
    }
    missing = [f for f in rules.nvdb_packet.fields if not values.get(f.id, "").strip()]
    if missing:
        raise Invalid(
            f"the NVDB packet cannot be generated: {len(missing)} required field(s) empty: "
            + ", ".join(f.id for f in missing),
            problems=[FieldProblem(f.id, f"{f.label_en} ({f.label_zh}) is required") for f in missing],
        )
    packet = {
        "schema": "wangan.nvdb-packet/1",
        "rules": {"id": rules.id, "version": rules.version, "article": rules.nvdb_packet.article},
        "case": {"number": case.number, "id": str(case.id), "title": case.title},
        "fields": [{"id": f.id, "label_zh": f.label_zh, "label_en": f.label_en, "status": f.status,
                    "value": values[f.id]} for f in rules.nvdb_packet.fields],
        "supplementary": {k: values[k] for k in ("cwe", "cvss", "description", "fix_description") if values[k]},
        "provider": {"name": org.name, "contact": org.contact_email, "address": org.address,
                     "credit_code": org.credit_code},
        "clock": {"aware_at": case.aware_at.isoformat(), "due_at": case.nvdb_due_at.isoformat(),
                  "rule": case.nvdb_rule_id},
        "submission": {"submitted_at": case.nvdb_submitted_at.isoformat() if case.nvdb_submitted_at else None,
                       "reference": case.nvdb_reference or None, "on_time": case.nvdb_on_time},
        "generated_at": utcnow().isoformat(),
    }
    if collection_platform:
        packet["exported_for"] = {"reader": principal.label, "at": packet["generated_at"]}
        _log_read(session, principal, case, "nvdb-packet")
    if record_event:
        audit.record(session, VulnTag.NVDB_PACKET_GENERATED, _actor(principal), "case", case.id,
                     org_id=case.org_id, data={"fields": [f.id for f in rules.nvdb_packet.fields]})
    return packet


def record_nvdb_submission(session: Session, principal: Principal, rules: VulnRules,
                           case_id: uuid.UUID | str, *, reference: str, submitted_at: datetime,
                           expected_version: int | None = None) -> Case:
    """Record that the packet was submitted to NVDB, and whether it was within the clock."""
    case = _writable(session, principal, case_id, expected_version)
    errors = ErrorList()
    if not reference.strip():
        errors.add("reference", "give the reference number NVDB returned")
    elif len(reference) > 100:
        errors.add("reference", "at most 100 characters")
    _check_time("submitted_at", submitted_at, errors)
    if submitted_at.tzinfo is not None and submitted_at < case.aware_at:
        errors.add("submitted_at", "cannot be before the moment of awareness")
    errors.raise_if_any("the NVDB submission is not complete")
    if case.nvdb_submitted_at is not None:
        raise Conflict(f"case {case.number} was already submitted to NVDB as {case.nvdb_reference}")
    nvdb_packet(session, principal, rules, case.id, record_event=False)  # required fields must be there
    case.nvdb_submitted_at = submitted_at
    case.nvdb_reference = reference.strip()
    case.nvdb_on_time = submitted_at <= case.nvdb_due_at
    case.updated_at = utcnow()
    _flush(session, case)
    audit.record(session, VulnTag.NVDB_SUBMITTED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"after": {"submitted_at": submitted_at, "reference": case.nvdb_reference,
                                 "on_time": case.nvdb_on_time, "due_at": case.nvdb_due_at}})
    return case


# --- queries ---

@dataclass(frozen=True)
class CaseFilter:
    state: str | None = None
    open_only: bool = False
    overdue_only: bool = False
    q: str | None = None


def list_cases(session: Session, principal: Principal, rules: VulnRules, filt: CaseFilter | None = None,
               *, limit: int = 50, offset: int = 0, now: datetime | None = None) -> tuple[list[Case], int]:
    """Visible cases, open ones with an unmet NVDB clock first, nearest deadline first."""
    filt = filt or CaseFilter()
    moment = now or utcnow()
    query = select(Case).where(policy.case_visible(principal, readable_shared_ids(session, principal, moment)))
    if filt.state:
        if filt.state not in rules.state_by_id:
            raise Invalid(f"unknown state {filt.state!r}; known: {', '.join(rules.state_by_id)}")
        query = query.where(Case.state == CaseState(filt.state))
    if filt.open_only or filt.overdue_only:
        query = query.where(Case.state.in_([CaseState(s) for s in rules.open_states()]))
    if filt.overdue_only:
        query = query.where(Case.nvdb_submitted_at.is_(None), Case.nvdb_due_at < moment)
    if filt.q:
        if "\x00" in filt.q:
            raise Invalid("the search text contains a NUL character", problems=[FieldProblem("q", "remove it")])
        like = f"%{filt.q.strip()}%"
        query = query.where(Case.title.ilike(like) | Case.number.ilike(like))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pending_first = sql_case((Case.nvdb_submitted_at.is_(None), 0), else_=1)
    rows = session.execute(
        query.order_by(pending_first, Case.nvdb_due_at, Case.created_at).limit(limit).offset(offset)
    ).scalars().all()
    return list(rows), int(total)


def timeline(session: Session, principal: Principal, case_id: uuid.UUID | str, *,
             collection_platform: bool = False) -> list[AuditEvent]:
    """The case's audit trail (read before this read is logged, so it does not list itself)."""
    case = get_case(session, principal, case_id)
    policy.require_read(principal, case, "case", case_id)  # the owning organisation only, not a share
    events = audit.events_for(session, "case", case.id)
    if collection_platform:
        _log_read(session, principal, case, "timeline")
    return events


def case_for_report(session: Session, report_id: uuid.UUID) -> Case | None:
    return session.execute(select(Case).where(Case.report_id == report_id)).scalar_one_or_none()


def require_case(case: Case | None, ref: object) -> Case:
    if case is None:
        raise NotFound(f"no case {ref}")
    return case
