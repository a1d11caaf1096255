"""A collection platform forwards each report to the product's provider (PLATFORM-FORWARD clock),
only through the Art. 9 gate; the platform's MIIT listing and its read log (Art. 10, 11)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import Factory
from wangan.db import unit_of_work
from wangan.errors import Conflict, Forbidden, Invalid
from wangan.kernel import identity
from wangan.kernel.auth import Principal
from wangan.kernel.models import AuditEvent, Organisation, OutboxMessage
from wangan.runtime import Runtime
from wangan.vulns import advisories, cases, finder, forwarding, intake, members, platform, products, sharing
from wangan.vulns.deadlines import check_deadlines
from wangan.vulns.events import VulnTag
from wangan.vulns.models import (
    Case,
    CaseShare,
    IntakeChannel,
    ProviderForward,
    PublicationRequest,
    PublicationRequestStatus,
)

AWARE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _on_platform(p: Principal) -> Principal:
    return dataclasses.replace(p, on_collection_platform=True)


@pytest.fixture
def analyst(factory: Factory) -> Principal:
    return _on_platform(factory.principal(factory.user(factory.org("collector"), "analyst")))


def _open(rt: Runtime, who: Principal, vendor: str = "Org vendor-x", *, product: bool = True) -> str:
    with rt.sessions.begin() as s:
        fields = {}
        if product:
            p = products.create_product(s, who, vendor=vendor, name="Router", model="R1", versions=["1.0"])
            fields["product_id"] = str(p.id)
        case = cases.create_case(s, who, rt.vuln_rules, cases.CaseIn(
            title="Overflow", description="the parser overflows", aware_at=AWARE, fields=fields), now=AWARE)
        return case.number


def test_a_platform_case_gets_a_forward_clock_from_the_rules(rt: Runtime, analyst: Principal) -> None:
    number = _open(rt, analyst)
    clock = rt.vuln_rules.clock(cases.FORWARD_CLOCK)
    assert (clock.length, clock.unit, clock.status) == (24, "hours", "interpreted")
    with rt.sessions() as s:
        case = cases.get_case(s, analyst, number)
        assert case.forward_due_at == AWARE + timedelta(hours=24) and case.forwarded_at is None


def test_no_clock_off_platform_or_for_the_platforms_own_product(rt: Runtime, analyst: Principal) -> None:
    off = _open(rt, dataclasses.replace(analyst, on_collection_platform=False))
    own = _open(rt, analyst, vendor="Org collector")
    with rt.sessions() as s:
        assert cases.get_case(s, analyst, off).forward_due_at is None
        assert cases.get_case(s, analyst, own).forward_due_at is None


def test_forward_by_share_to_the_overseas_vendor_is_allowed_and_meets_the_clock(
        rt: Runtime, analyst: Principal, factory: Factory) -> None:
    factory.org("vendor-x", jurisdiction="overseas")  # named "Org vendor-x": the product's vendor
    number = _open(rt, analyst)
    now = AWARE + timedelta(hours=3)
    with rt.sessions.begin() as s:
        fwd = forwarding.forward_to_provider(s, analyst, rt.gate_rules, number,
                                             forwarding.ForwardIn(channel="share", organisation="vendor-x"), now=now)
        assert fwd.on_time is True and fwd.jurisdiction == "overseas"
    with rt.sessions() as s:
        case = s.execute(select(Case).where(Case.number == number)).scalar_one()
        assert case.forwarded_at == now
        assert s.execute(select(CaseShare).where(CaseShare.case_id == case.id)).scalar_one().revoked_at is None
        tags = [e.tag for e in s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]
        assert VulnTag.CASE_FORWARDED in tags and VulnTag.CASE_SHARED in tags and VulnTag.GATE_DECIDED in tags


def test_only_the_products_vendor_can_receive_a_share_forward(rt: Runtime, analyst: Principal,
                                                               factory: Factory) -> None:
    factory.org("someone-else")
    number = _open(rt, analyst)
    with rt.sessions() as s, pytest.raises(Invalid, match="not the vendor"):
        forwarding.forward_to_provider(s, analyst, rt.gate_rules, number,
                                       forwarding.ForwardIn(channel="share", organisation="someone-else"),
                                       now=AWARE)


def test_email_forward_queues_the_report_for_the_provider(rt: Runtime, analyst: Principal) -> None:
    number = _open(rt, analyst)
    late = AWARE + timedelta(hours=30)
    with rt.sessions.begin() as s:
        fwd = forwarding.forward_to_provider(
            s, analyst, rt.gate_rules, number,
            forwarding.ForwardIn(channel="email", email="psirt@vendor.example", jurisdiction="domestic"),
            now=late, platform_name="Test platform")
        assert fwd.on_time is False
    with rt.sessions() as s:
        message = s.execute(select(OutboxMessage)).scalar_one()
        assert message.recipient == "psirt@vendor.example" and number in message.subject
        assert "the parser overflows" in message.body and "NVDB" in message.body
        assert "f@example" not in message.body  # the finder's identity stays with the platform


def test_a_recorded_forward_needs_who_and_when(rt: Runtime, analyst: Principal) -> None:
    number = _open(rt, analyst)
    with rt.sessions() as s, pytest.raises(Invalid) as caught:
        forwarding.forward_to_provider(s, analyst, rt.gate_rules, number,
                                       forwarding.ForwardIn(channel="recorded", jurisdiction="mars"), now=AWARE)
    assert {p.field for p in caught.value.problems} == {"recipient", "forwarded_at", "jurisdiction"}
    with rt.sessions() as s, pytest.raises(Invalid) as caught:
        forwarding.forward_to_provider(s, analyst, rt.gate_rules, number,
                                       forwarding.ForwardIn(channel="fax"), now=AWARE)
    assert caught.value.problems[0].field == "channel"


def test_a_case_without_product_cannot_be_forwarded(rt: Runtime, analyst: Principal) -> None:
    number = _open(rt, analyst, product=False)
    with rt.sessions() as s, pytest.raises(Invalid, match="names no product"):
        forwarding.forward_to_provider(s, analyst, rt.gate_rules, number,
                                       forwarding.ForwardIn(channel="email", email="a@b.example"), now=AWARE)


def test_a_refused_share_forward_keeps_its_gate_decision(rt: Runtime, analyst: Principal,
                                                         factory: Factory) -> None:
    """A share to an overseas organisation that is not the provider is refused (PUB-7), and the
    unit of work commits the decision although the service raised."""
    factory.org("vendor-x", jurisdiction="overseas")
    factory.org("stranger-abroad", jurisdiction="overseas")
    number = _open(rt, analyst)
    with pytest.raises(advisories.GateRefused), unit_of_work(rt.sessions) as s:
        sharing.share_case(s, analyst, rt.gate_rules, number, "stranger-abroad", at=AWARE)
    with rt.sessions() as s:
        decision = s.execute(select(AuditEvent).where(AuditEvent.tag == VulnTag.GATE_DECIDED)
                             .order_by(AuditEvent.id.desc())).scalars().first()
        assert decision is not None and not decision.data["decision"]["allowed"]
        assert "PUB-7" in decision.data["decision"]["rule_ids"]
        assert s.execute(select(CaseShare)).first() is None and s.execute(select(ProviderForward)).first() is None


def test_forward_reminders_go_to_managers_and_members_only(rt: Runtime, analyst: Principal,
                                                           factory: Factory) -> None:
    number = _open(rt, analyst)
    collector = _org(factory, "collector")
    manager = factory.user(collector, "manager")
    bystander = factory.user(collector, "analyst")
    settings = rt.settings.model_copy(update={"collection_platform": True})
    with rt.sessions.begin() as s:
        check_deadlines(s, rt.vuln_rules, settings, AWARE + timedelta(hours=25), rt.gate_rules)
    with rt.sessions() as s:
        forward = [m for m in s.execute(select(OutboxMessage)).scalars() if ":forward:" in m.dedupe_key]
        recipients = {m.recipient for m in forward}
        assert recipients == {manager.email, analyst.label} and bystander.email not in recipients
        assert all(number in m.subject and "转交" in m.body for m in forward)


def _org(factory: Factory, slug: str) -> Organisation:
    with factory.rt.sessions() as s:
        return identity.get_organisation(s, slug)


# --- MIIT listing and the read log ---

FILED = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def test_registration_runs_not_filed_filed_published(rt: Runtime, factory: Factory) -> None:
    admin = factory.principal(factory.user(None, "admin"))
    with rt.sessions.begin() as s:
        assert platform.registration_state(platform.filing_status(s)) is platform.RegistrationState.NOT_FILED
        with pytest.raises(Conflict, match="filing first"):
            platform.record_miit_listing(s, admin, FILED, "https://www.miit.gov.cn/list")
    with rt.sessions.begin() as s:
        platform.record_filing(s, admin, "MIIT-1", FILED)
    with rt.sessions.begin() as s:
        assert platform.registration_state(platform.filing_status(s)) is platform.RegistrationState.FILED
        with pytest.raises(Invalid) as caught:
            platform.record_miit_listing(s, admin, FILED - timedelta(days=1), "  ")
        assert {p.field for p in caught.value.problems} == {"reference"}
        with pytest.raises(Invalid, match="not complete"):
            platform.record_miit_listing(s, admin, FILED - timedelta(days=1), "list")
        platform.record_miit_listing(s, admin, FILED + timedelta(days=20), " https://www.miit.gov.cn/list ")
    with rt.sessions() as s:
        filing = platform.filing_status(s)
        assert platform.registration_state(filing) is platform.RegistrationState.PUBLISHED_BY_MIIT
        assert filing is not None and filing.miit_list_reference == "https://www.miit.gov.cn/list"
        assert s.execute(select(AuditEvent).where(AuditEvent.tag == VulnTag.PLATFORM_MIIT_PUBLISHED)).first()


def test_only_administrators_record_the_listing(rt: Runtime, factory: Factory) -> None:
    manager = factory.principal(factory.user(factory.org("org-o"), "manager"))
    with rt.sessions() as s, pytest.raises(Forbidden):
        platform.record_miit_listing(s, manager, FILED, "x")


def test_the_read_log_lists_reads_of_undisclosed_cases_for_reviewers(rt: Runtime, analyst: Principal,
                                                                      factory: Factory) -> None:
    number = _open(rt, analyst)
    with rt.sessions.begin() as s:
        cases.get_case(s, analyst, number, collection_platform=True)
        cases.timeline(s, analyst, number, collection_platform=True)
    with rt.sessions() as s:
        collector = s.execute(select(Case.org_id).where(Case.number == number)).scalar_one()
    admin = factory.principal(factory.user(None, "admin"))
    other_manager = factory.principal(factory.user(factory.org("other"), "manager"))
    with rt.sessions() as s:
        entries, total = platform.read_log(s, admin)
        assert total == 2 and {e.view for e in entries} == {"case", "timeline"}
        assert all(e.case_number == number and e.reader == analyst.label for e in entries)
        assert platform.read_log(s, admin, platform.ReadLogFilter(reader="nobody"))[1] == 0
        assert platform.read_log(s, admin, platform.ReadLogFilter(case=number))[1] == 2
        assert platform.read_log(s, admin, platform.ReadLogFilter(since=datetime.now(UTC) + timedelta(hours=1)))[1] == 0
        with pytest.raises(Invalid):
            platform.read_log(s, admin, platform.ReadLogFilter(case="WA-2026-9999"))
        with pytest.raises(Invalid):
            platform.read_log(s, admin, platform.ReadLogFilter(since=datetime(2026, 1, 1)))
        with pytest.raises(Forbidden):
            platform.read_log(s, analyst)
        with pytest.raises(Forbidden):
            platform.read_log(s, other_manager, org_id=collector)
        assert platform.read_log(s, other_manager)[1] == 0  # their own organisation: nothing read


# --- notices between finder and provider ---

def test_notices_tell_the_other_side_without_content(rt: Runtime, analyst: Principal, factory: Factory) -> None:
    finder_user = factory.user(factory.org("finders", roles=("finder",)), "reporter")
    researcher = factory.principal(finder_user)
    links = finder.NoticeLinks(base_url="https://wangan.example", instance_name="Test")
    with rt.sessions.begin() as s:
        record, _ = intake.submit_report(
            s, rt.vuln_rules, intake.ReportIn(title="Secret title", content="x", reporter_contact="r@example.net",
                                              organisation="collector"),
            channel=IntakeChannel.WEB, limits=rt.intake_limits, reporter_user_id=researcher.user_id)
        case = cases.create_case(s, analyst, rt.vuln_rules, cases.CaseIn(title="Secret title", report_id=record.id))
        number = case.number
    with rt.sessions.begin() as s:
        finder.post_message(s, analyst, number, "the secret fix is in 2.0", links=links)
        finder.post_message(s, researcher, number, "my secret reply", links=links)
        finder.request_publication(s, researcher, number, credit_name="R. Searcher", links=links)
    with rt.sessions() as s:
        queued = list(s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
        to_finder = [m for m in queued if m.recipient == finder_user.email]
        to_provider = [m for m in queued if m.recipient == analyst.label]
        assert len(to_finder) == 1 and f"https://wangan.example/my/cases/{number}" in to_finder[0].body
        assert len(to_provider) == 2  # the reply and the publication request; the opener is a member
        for m in queued:
            assert "secret" not in (m.subject + m.body).lower()


def test_two_open_publication_requests_cannot_both_be_stored(rt: Runtime, analyst: Principal,
                                                             factory: Factory) -> None:
    researcher = factory.principal(factory.user(factory.org("finders", roles=("finder",)), "reporter"))
    with rt.sessions.begin() as s:
        record, _ = intake.submit_report(
            s, rt.vuln_rules, intake.ReportIn(title="t", content="x", reporter_contact="r@example.net",
                                              organisation="collector"),
            channel=IntakeChannel.WEB, limits=rt.intake_limits, reporter_user_id=researcher.user_id)
        number = cases.create_case(s, analyst, rt.vuln_rules, cases.CaseIn(title="t", report_id=record.id)).number
    with rt.sessions.begin() as s:
        finder.request_publication(s, researcher, number)
    # Bypass the service's own check, as a concurrent request would: the index refuses the second.
    with rt.sessions() as s:
        case_id = s.execute(select(Case.id).where(Case.number == number)).scalar_one()
        s.add(PublicationRequest(case_id=case_id, requested_by=researcher.user_id, credit_name="", note="",
                                 status=PublicationRequestStatus.OPEN, decision_note=""))
        with pytest.raises(IntegrityError):
            s.flush()


def test_an_advisory_drafted_after_acceptance_carries_the_credit(rt: Runtime, analyst: Principal,
                                                                  factory: Factory) -> None:
    researcher = factory.principal(factory.user(factory.org("finders", roles=("finder",)), "reporter"))
    manager = _on_platform(factory.principal(factory.user(_org(factory, "collector"), "manager")))
    with rt.sessions.begin() as s:
        record, _ = intake.submit_report(
            s, rt.vuln_rules, intake.ReportIn(title="t", content="x", reporter_contact="r@example.net",
                                              organisation="collector"),
            channel=IntakeChannel.WEB, limits=rt.intake_limits, reporter_user_id=researcher.user_id)
        number = cases.create_case(s, analyst, rt.vuln_rules, cases.CaseIn(title="t", report_id=record.id)).number
    with rt.sessions.begin() as s:
        request = finder.request_publication(s, researcher, number, credit_name="R. Searcher")
        finder.decide(s, manager, number, request.id, accept=True)
    with rt.sessions.begin() as s:
        assert advisories.draft_from_case(s, analyst, number).credits == "R. Searcher"
    with rt.sessions() as s:
        assert [m.email for m in members.list_members(s, manager, number)] == [analyst.label]
