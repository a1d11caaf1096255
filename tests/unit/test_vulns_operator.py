"""Operator mode (Art. 8): due dates from the rules file, and what counts as overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import Factory
from wangan.kernel.auth import Principal
from wangan.runtime import Runtime
from wangan.vulns import operator
from wangan.vulns.models import OperatorFinding

FOUND = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _finding(rt: Runtime, factory: Factory) -> tuple[Principal, OperatorFinding]:
    org = factory.org("ops", roles=("operator",))
    who = factory.principal(factory.user(org, "analyst"))
    with rt.sessions.begin() as s:
        asset = operator.create_asset(s, who, kind="system", name="VPN", identifier="vpn-1")
        finding = operator.create_finding(s, who, rt.vuln_rules, asset_id=asset.id, title="auth bypass",
                                          found_at=FOUND)
    return who, finding


def test_due_dates_come_from_the_ops_clocks(rt: Runtime, factory: Factory) -> None:
    _who, finding = _finding(rt, factory)
    assert finding.verify_due_at == FOUND + timedelta(days=rt.vuln_rules.clock("OPS-VERIFY").length)
    assert finding.fix_due_at == FOUND + timedelta(days=rt.vuln_rules.clock("OPS-FIX").length)


def test_overdue_counts_late_verification_and_late_fix(rt: Runtime, factory: Factory) -> None:
    who, finding = _finding(rt, factory)
    with rt.sessions() as s:
        assert operator.count_overdue_findings(s, who, now=FOUND + timedelta(hours=1)) == 0
        # Not verified a day later: late on verification already, long before the fix is due.
        assert operator.count_overdue_findings(s, who, now=FOUND + timedelta(days=2)) == 1
    with rt.sessions.begin() as s:
        operator.move_finding(s, who, finding.id, "verify")
    with rt.sessions() as s:
        assert operator.count_overdue_findings(s, who, now=FOUND + timedelta(days=2)) == 0
        assert operator.count_overdue_findings(s, who, now=FOUND + timedelta(days=31)) == 1
