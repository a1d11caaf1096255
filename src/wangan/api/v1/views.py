"""Turning domain objects into API bodies where it needs the rules or the clock."""

from __future__ import annotations

from datetime import datetime

from wangan.api.v1.schemas import CaseOut, DownstreamOut, ProductOut, TransitionOption, UpstreamOut
from wangan.vulns.cases import available_transitions
from wangan.vulns.models import Case
from wangan.vulns.rules import VulnRules


def case_out(case: Case, rules: VulnRules, now: datetime) -> CaseOut:
    pending = case.nvdb_submitted_at is None
    return CaseOut(
        id=case.id, number=case.number, version=case.version, organisation_id=case.org_id,
        report_id=case.report_id, title=case.title, description=case.description, state=case.state.value,
        product=ProductOut.of(case.product) if case.product else None,
        affected_versions=case.affected_versions, aware_at=case.aware_at, nvdb_due_at=case.nvdb_due_at,
        nvdb_rule_id=case.nvdb_rule_id, nvdb_overdue=pending and now >= case.nvdb_due_at,
        nvdb_seconds_left=int((case.nvdb_due_at - now).total_seconds()),
        nvdb_submitted_at=case.nvdb_submitted_at, nvdb_reference=case.nvdb_reference,
        nvdb_on_time=case.nvdb_on_time, forward_due_at=case.forward_due_at, forwarded_at=case.forwarded_at,
        forward_overdue=case.forward_due_at is not None and case.forwarded_at is None and now >= case.forward_due_at,
        verification_result=case.verification_result,
        verified_at=case.verified_at, technical_characteristics=case.technical_characteristics,
        harm=case.harm, impact_scope=case.impact_scope, cwe=case.cwe,
        cvss31_vector=case.cvss31_vector, cvss31_score=case.cvss31_score,
        cvss31_severity=case.cvss31_severity, cvss40_vector=case.cvss40_vector,
        cvss40_score=case.cvss40_score, cvss40_severity=case.cvss40_severity,
        in_upstream_component=case.in_upstream_component, user_action_required=case.user_action_required,
        fix_description=case.fix_description, fix_available_at=case.fix_available_at,
        upstream_notices=[UpstreamOut.of(n) for n in case.upstream_notices],
        downstream_notices=[DownstreamOut.of(n) for n in case.downstream_notices],
        transitions=[TransitionOption(id=t.id, to=t.to, label_en=t.label_en, label_zh=t.label_zh,
                                      blocked_by=[b.message for b in blocked])
                     for t, blocked in available_transitions(rules, case)],
        created_at=case.created_at, updated_at=case.updated_at, closed_at=case.closed_at,
    )
