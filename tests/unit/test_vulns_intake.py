"""The intake service without HTTP: receipts, idempotency per organisation, retention and purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import SYSTEM, Factory
from wangan.errors import Conflict, Invalid
from wangan.kernel.auth import principal_for
from wangan.kernel.models import User
from wangan.runtime import Runtime
from wangan.vulns import cases, intake
from wangan.vulns.models import Case, IntakeChannel, IntakeRecord

OLD = datetime(2020, 1, 31, 4, 0, tzinfo=UTC)


def receive(rt: Runtime, *, org: str | None = None, key: str | None = None, content: str = "details",
            now: datetime | None = None) -> tuple[IntakeRecord, bool]:
    with rt.sessions.begin() as s:
        return intake.submit_report(
            s, rt.vuln_rules, intake.ReportIn(title="XSS", content=content, reporter_contact="f@example.net",
                                              organisation=org, idempotency_key=key),
            channel=IntakeChannel.EMAIL, limits=rt.intake_limits, now=now)


def test_retention_follows_the_rules_file(rt: Runtime, factory: Factory) -> None:
    factory.org("acme-psirt")
    record, created = receive(rt, now=OLD)
    assert created
    # 31 Jan 12:00 Beijing + 6 months = 31 Jul 12:00 Beijing.
    assert record.retention_until == datetime(2020, 7, 31, 4, 0, tzinfo=UTC)


def test_idempotency_keys_are_per_receiving_organisation(rt: Runtime, factory: Factory) -> None:
    factory.org("first-org")
    factory.org("second-org")
    a, _ = receive(rt, org="first-org", key="k1")
    b, created = receive(rt, org="second-org", key="k1")
    assert created and a.id != b.id


def test_same_key_same_content_returns_the_first(rt: Runtime, factory: Factory) -> None:
    factory.org("acme-psirt")
    a, _ = receive(rt, key="k1")
    b, created = receive(rt, key="k1")
    assert (b.id, created) == (a.id, False)


def test_same_key_other_content_is_a_conflict(rt: Runtime, factory: Factory) -> None:
    factory.org("acme-psirt")
    receive(rt, key="k1")
    with pytest.raises(Conflict):
        receive(rt, key="k1", content="different")


def test_organisation_not_accepting_reports_is_refused(rt: Runtime, factory: Factory) -> None:
    from wangan.kernel import identity

    with rt.sessions.begin() as s:
        identity.create_organisation(s, SYSTEM, slug="closed-org", name="Closed", roles=["provider"],
                                     accepts_reports=False)
    with pytest.raises(Invalid, match="closed-org"):
        receive(rt, org="closed-org")


def test_purge_keeps_cases_but_unlinks_them(rt: Runtime, factory: Factory) -> None:
    analyst = factory.user(factory.org("acme-psirt"), "analyst")
    old, _ = receive(rt, now=OLD)
    fresh, _ = receive(rt)
    with rt.sessions.begin() as s:
        user = s.get(User, analyst.id)
        assert user is not None
        case = cases.create_case(s, principal_for(user), rt.vuln_rules,
                                 cases.CaseIn(title="from old report", report_id=old.id))
        case_id = case.id

    with rt.sessions.begin() as s:
        purged = intake.purge_expired(s, SYSTEM, now=datetime.now(UTC))

    assert purged == 1
    with rt.sessions() as s:
        assert list(s.execute(select(IntakeRecord.id)).scalars()) == [fresh.id]
        kept = s.get(Case, case_id)
        assert kept is not None and kept.report_id is None


def test_purge_boundary_is_inclusive_of_the_retention_end(rt: Runtime, factory: Factory) -> None:
    factory.org("acme-psirt")
    record, _ = receive(rt, now=OLD)
    with rt.sessions.begin() as s:
        assert intake.purge_expired(s, SYSTEM, now=record.retention_until - timedelta(seconds=1)) == 0
    with rt.sessions.begin() as s:
        assert intake.purge_expired(s, SYSTEM, now=record.retention_until) == 1
