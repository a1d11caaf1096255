"""PUB-7 and CERTs abroad: the Article states no exception, so the gate neither allows nor denies a
transfer of undisclosed content to a foreign CERT on its own; it holds it for legal sign-off."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from wangan.db import unit_of_work
from wangan.kernel.auth import Principal
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime
from wangan.vulns import advisories, cases, gate, sharing
from wangan.vulns.events import VulnTag

AT = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
UNDISCLOSED = gate.Content(title="Overflow", text="", computed_severity="high", fix_available=False,
                           fix_or_mitigation="", in_operator_system=False, disclosed=False)


def _pub7(rt: Runtime, recipient: gate.Recipient, content: gate.Content = UNDISCLOSED) -> gate.RuleResult:
    decision = gate.decide(gate.GateRequest(channel=gate.Channel.SHARE, content=content, recipient=recipient,
                                            at=AT), rt.gate_rules)
    return next(r for r in decision.results if r.rule_id == "PUB-7")


@pytest.mark.parametrize(("recipient", "outcome", "reason_has"), [
    (gate.Recipient("CERT-EU", "overseas", is_cert=True), gate.Outcome.HOLD, "legal sign-off"),
    (gate.Recipient("CERT-?", None, is_cert=True), gate.Outcome.HOLD, "legal sign-off"),
    (gate.Recipient("CERT-EU", "overseas", is_cert=True, legal_signoff="LEGAL-2026-7"), gate.Outcome.ALLOW,
     "LEGAL-2026-7"),
    (gate.Recipient("CNCERT", "domestic", is_cert=True), gate.Outcome.ALLOW, "domestic"),
    (gate.Recipient("Vendor CERT", "overseas", is_product_provider=True, is_cert=True), gate.Outcome.ALLOW,
     "product provider"),
    (gate.Recipient("Not a CERT", "overseas", legal_signoff="LEGAL-1"), gate.Outcome.DENY, "overseas"),
])
def test_pub7_for_certs_abroad(rt: Runtime, recipient: gate.Recipient, outcome: gate.Outcome,
                               reason_has: str) -> None:
    result = _pub7(rt, recipient)
    assert result.outcome is outcome
    assert reason_has in result.reason_en
    assert result.reason_zh


def test_a_held_cert_transfer_names_what_to_record(rt: Runtime) -> None:
    result = _pub7(rt, gate.Recipient("CERT-EU", "overseas", is_cert=True))
    assert "recipient.legal_signoff" in result.missing


@pytest.fixture
def analyst(factory: Factory) -> Principal:
    return factory.principal(factory.user(factory.org("maker"), "analyst"))


def test_sharing_with_a_foreign_cert_needs_a_legal_signoff(rt: Runtime, factory: Factory,
                                                          analyst: Principal) -> None:
    cert = factory.org("cert-abroad", roles=("cert",), jurisdiction="overseas")
    with rt.sessions.begin() as s:
        number = cases.create_case(s, analyst, rt.vuln_rules, cases.CaseIn(title="Overflow")).number
    with pytest.raises(advisories.GateRefused) as caught, unit_of_work(rt.sessions) as s:
        sharing.share_case(s, analyst, rt.gate_rules, number, "cert-abroad", at=AT)
    assert "PUB-7" in caught.value.detail
    with rt.sessions.begin() as s:
        share = sharing.share_case(s, analyst, rt.gate_rules, number, "cert-abroad", at=AT,
                                   legal_signoff=" LEGAL-2026-7 ")
        assert share.legal_signoff == "LEGAL-2026-7"
    reader = factory.principal(factory.user(cert, "analyst"))
    with rt.sessions.begin() as s:  # its reads carry the sign-off to the gate again
        assert cases.get_case(s, reader, number).number == number
    with rt.sessions() as s:
        decisions = [e.data for e in s.execute(select(AuditEvent).where(AuditEvent.tag == VulnTag.GATE_DECIDED)
                                                .order_by(AuditEvent.id)).scalars()]
        assert [d["decision"]["allowed"] for d in decisions] == [False, True, True]
        assert decisions[1]["legal_signoff"] == "LEGAL-2026-7"
        assert decisions[2]["channel"] == "api_read"

