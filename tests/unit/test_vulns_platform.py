"""Collection-platform mode without HTTP: the MIIT filing (Art. 10) and read logging (Art. 11)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from wangan.errors import Conflict, Forbidden, Invalid
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime
from wangan.vulns import cases, intake, platform
from wangan.vulns.events import VulnTag
from wangan.vulns.models import IntakeChannel

FILED = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def _report() -> intake.ReportIn:
    return intake.ReportIn(title="XSS", content="details", reporter_contact="f@example.net")


def test_a_collection_platform_without_filing_refuses_intake(rt: Runtime, factory: Factory) -> None:
    factory.org("acme-psirt")
    with rt.sessions() as s, pytest.raises(platform.PlatformNotFiled) as caught:
        intake.submit_report(s, rt.vuln_rules, _report(), channel=IntakeChannel.EMAIL, limits=rt.intake_limits,
                             collection_platform=True)
    assert isinstance(caught.value, Conflict) and caught.value.status == 409
    assert "Art. 10" in caught.value.detail and "工信部网安〔2022〕146号" in caught.value.detail


def test_batch_intake_refuses_every_submission_while_not_filed(rt: Runtime, factory: Factory) -> None:
    factory.org("acme-psirt")
    subs = [intake.Submission(_report(), IntakeChannel.API) for _ in range(3)]
    with rt.sessions() as s:
        results = intake.submit_reports(s, rt.vuln_rules, subs, limits=rt.intake_limits, collection_platform=True)
    assert all(isinstance(r, platform.PlatformNotFiled) for r in results)


def test_intake_is_open_when_not_a_platform_or_once_filed(rt: Runtime, factory: Factory) -> None:
    factory.org("acme-psirt")
    admin = factory.principal(factory.user(None, "admin"))
    with rt.sessions.begin() as s:
        platform.require_open_for_intake(s, False)
        assert platform.filing_status(s) is None
        platform.record_filing(s, admin, " MIIT-2026-001 ", FILED)
    with rt.sessions.begin() as s:
        platform.require_open_for_intake(s, True)
        _record, created = intake.submit_report(s, rt.vuln_rules, _report(), channel=IntakeChannel.EMAIL,
                                               limits=rt.intake_limits, collection_platform=True)
        assert created
        filing = platform.filing_status(s)
        assert filing is not None and filing.filing_number == "MIIT-2026-001" and filing.recorded_by == admin.user_id
        event = s.execute(select(AuditEvent).where(AuditEvent.tag == VulnTag.PLATFORM_FILED)).scalar_one()
        assert event.actor_label == admin.label and event.data["after"]["filing_number"] == "MIIT-2026-001"


def test_only_administrators_record_the_filing(rt: Runtime, factory: Factory) -> None:
    org = factory.org("acme-psirt")
    manager = factory.principal(factory.user(org, "manager"))
    with rt.sessions() as s, pytest.raises(Forbidden):
        platform.record_filing(s, manager, "MIIT-2026-001", FILED)


def test_the_filing_needs_a_number_and_a_past_aware_date(rt: Runtime, factory: Factory) -> None:
    admin = factory.principal(factory.user(None, "admin"))
    with rt.sessions() as s:
        with pytest.raises(Invalid) as caught:
            platform.record_filing(s, admin, "  ", FILED.replace(tzinfo=None))
        assert {p.field for p in caught.value.problems} == {"filing_number", "filed_at"}
        with pytest.raises(Invalid):
            platform.record_filing(s, admin, "MIIT-1", datetime.now(UTC) + timedelta(days=2))


def test_reads_of_undisclosed_cases_are_logged_only_in_platform_mode(rt: Runtime, factory: Factory) -> None:
    org = factory.org("acme-psirt")
    analyst = factory.principal(factory.user(org, "analyst"))
    with rt.sessions.begin() as s:
        case = cases.create_case(s, analyst, rt.vuln_rules, cases.CaseIn(title="Overflow"))
        case_id = case.id
    with rt.sessions.begin() as s:
        cases.get_case(s, analyst, case_id)
        cases.timeline(s, analyst, case_id)
        assert s.execute(select(AuditEvent).where(AuditEvent.tag == VulnTag.CASE_READ)).first() is None
        cases.get_case(s, analyst, case_id, collection_platform=True)
        cases.timeline(s, analyst, case_id, collection_platform=True)
        reads = s.execute(select(AuditEvent).where(AuditEvent.tag == VulnTag.CASE_READ)).scalars().all()
    assert [(e.actor_label, e.data["view"]) for e in reads] == [(analyst.label, "case"), (analyst.label, "timeline")]
    assert all(e.subject_id == str(case_id) for e in reads)
