"""The finder side without HTTP: the limited projection, messages both ways, publication requests
that set credits but never publish."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from wangan.errors import Conflict, Forbidden, Invalid, NotFound
from wangan.kernel.auth import Principal
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime
from wangan.vulns import advisories, cases, finder, intake
from wangan.vulns.events import VulnTag
from wangan.vulns.models import AdvisoryState, CaseState, IntakeChannel, PublicationRequestStatus

INTERNAL = ("stack overflow in the parser", "about 20,000 routers", "reproduced on 2.3.1", "Internal title")


@dataclass
class People:
    finder: Principal
    stranger: Principal
    viewer: Principal
    analyst: Principal
    manager: Principal


@pytest.fixture
def people(factory: Factory) -> People:
    vendor = factory.org("vendor")
    finders = factory.org("finders", roles=("finder",))
    return People(
        finder=factory.principal(factory.user(finders, "reporter")),
        stranger=factory.principal(factory.user(finders, "reporter")),
        viewer=factory.principal(factory.user(vendor, "viewer")),
        analyst=factory.principal(factory.user(vendor, "analyst")),
        manager=factory.principal(factory.user(vendor, "manager")),
    )


def _reported_case(rt: Runtime, people: People) -> str:
    """A report from the finder, and the case the analyst opened from it with internal details."""
    with rt.sessions.begin() as s:
        record, _ = intake.submit_report(
            s, rt.vuln_rules, intake.ReportIn(title="Overflow in X1 update", content="details",
                                              reporter_contact="me@example.net", organisation="vendor"),
            channel=IntakeChannel.WEB, limits=rt.intake_limits, reporter_user_id=people.finder.user_id)
        case = cases.create_case(s, people.analyst, rt.vuln_rules, cases.CaseIn(
            title="Internal title", report_id=record.id, fields={
                "technical_characteristics": INTERNAL[0], "impact_scope": INTERNAL[1],
                "verification_result": INTERNAL[2], "fix_description": "Upgrade to 2.3.5",
                "cvss31_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}))
        return case.number


def test_the_finder_sees_a_limited_projection_and_no_internal_field(rt: Runtime, people: People) -> None:
    number = _reported_case(rt, people)
    with rt.sessions() as s:
        detail = finder.get_case(s, people.finder, number)
        listed, total = finder.list_cases(s, people.finder)
        view = finder.my_reports(s, people.finder)

    assert (detail.case.number, detail.case.state, detail.case.report_title) == (number, "new", "Overflow in X1 update")
    assert not detail.case.fix_available and detail.case.fix_description == ""  # recorded, but not available yet
    assert not detail.case.nvdb_submitted and detail.case.advisory_number is None
    assert total == 1 and listed == [detail.case]
    assert view.total == 1 and view.items[0].case == detail.case
    shown = str(asdict(detail.case))
    assert not any(secret in shown for secret in INTERNAL)


def test_only_the_finder_sees_the_finder_projection(rt: Runtime, people: People) -> None:
    number = _reported_case(rt, people)
    with rt.sessions() as s:
        with pytest.raises(NotFound):
            finder.get_case(s, people.stranger, number)
        with pytest.raises(Forbidden):  # members know the case exists; they use the internal view
            finder.get_case(s, people.analyst, number)
        with pytest.raises(NotFound):  # and the finder never gets the internal view
            cases.get_case(s, people.finder, number)
        assert finder.list_cases(s, people.stranger) == ([], 0)
        assert finder.list_cases(s, people.analyst) == ([], 0)


def test_messages_go_both_ways_and_are_audited(rt: Runtime, people: People) -> None:
    number = _reported_case(rt, people)
    with rt.sessions.begin() as s:
        finder.post_message(s, people.analyst, number, "Thanks, we reproduced it.")
        finder.post_message(s, people.finder, number, "  Great, any date for the fix?  ")
    with rt.sessions() as s:
        seen_by_finder = finder.list_messages(s, people.finder, number)
        seen_by_viewer = finder.list_messages(s, people.viewer, number)
        tags = s.execute(select(AuditEvent.tag).where(AuditEvent.tag == VulnTag.FINDER_MESSAGE_POSTED)).scalars().all()

    assert [(m.from_provider, m.body) for m in seen_by_finder] == [
        (True, "Thanks, we reproduced it."), (False, "Great, any date for the fix?")]
    assert seen_by_viewer == seen_by_finder
    assert len(tags) == 2


def test_message_rules(rt: Runtime, people: People) -> None:
    number = _reported_case(rt, people)
    with rt.sessions() as s:
        with pytest.raises(Forbidden):
            finder.post_message(s, people.viewer, number, "hello")
        with pytest.raises(NotFound):
            finder.post_message(s, people.stranger, number, "hello")
        with pytest.raises(NotFound):
            finder.list_messages(s, people.stranger, number)
        with pytest.raises(Invalid) as empty:
            finder.post_message(s, people.finder, number, "   ")
    assert [p.field for p in empty.value.problems] == ["body"]


def test_fix_is_shown_once_available(rt: Runtime, people: People) -> None:
    number = _reported_case(rt, people)
    with rt.sessions.begin() as s:
        case = cases.get_case(s, people.analyst, number)
        case.state = CaseState.FIX_AVAILABLE  # the lifecycle itself is tested elsewhere
        case.fix_available_at = datetime.now(UTC) - timedelta(hours=1)
    with rt.sessions() as s:
        shown = finder.get_case(s, people.finder, number).case
    assert shown.fix_available and shown.fix_description == "Upgrade to 2.3.5"


def test_accepting_a_request_sets_credits_but_publishes_nothing(rt: Runtime, people: People) -> None:
    number = _reported_case(rt, people)
    with rt.sessions.begin() as s:
        adv = advisories.draft_from_case(s, people.analyst, number)
        adv_number = adv.number
        request = finder.request_publication(s, people.finder, number, credit_name="Li Lei (Example Lab)",
                                             note="please publish after the fix")
        request_id = request.id
    with rt.sessions() as s, pytest.raises(Conflict):
        finder.request_publication(s, people.finder, number, credit_name="again")
    with rt.sessions() as s:
        with pytest.raises(Forbidden):
            finder.decide(s, people.analyst, number, request_id, accept=True)
        with pytest.raises(NotFound):
            finder.decide(s, people.finder, number, request_id, accept=True)

    with rt.sessions.begin() as s:
        decision = finder.decide(s, people.manager, number, request_id, accept=True)
        assert decision.advisories == [adv_number]
    with rt.sessions() as s:
        adv_now = advisories.get_advisory(s, people.manager, adv_number)
        assert adv_now.credits == "Li Lei (Example Lab)"
        assert adv_now.state is AdvisoryState.DRAFT and adv_now.revision == 0
        shown = finder.get_case(s, people.finder, number)
        assert shown.requests[0].status is PublicationRequestStatus.ACCEPTED
        assert shown.case.advisory_number is None  # not published
    with rt.sessions() as s, pytest.raises(Conflict):
        finder.decide(s, people.manager, number, request_id, accept=False, note="changed my mind")


def test_declining_needs_a_note(rt: Runtime, people: People) -> None:
    number = _reported_case(rt, people)
    with rt.sessions.begin() as s:
        request_id = finder.request_publication(s, people.finder, number, credit_name="Li Lei").id
    with rt.sessions() as s, pytest.raises(Invalid) as refused:
        finder.decide(s, people.manager, number, request_id, accept=False)
    assert [p.field for p in refused.value.problems] == ["note"]
    with rt.sessions.begin() as s:
        decided = finder.decide(s, people.manager, number, request_id, accept=False, note="not before the fix")
        assert decided.request.status is PublicationRequestStatus.DECLINED and decided.advisories == []
    with rt.sessions.begin() as s:  # a declined request does not block a new one
        finder.request_publication(s, people.finder, number, credit_name="Li Lei")


def test_credit_is_added_once() -> None:
    assert finder._with_credit("", "A") == "A"
    assert finder._with_credit("A\nB", "B") == "A\nB"
    assert finder._with_credit("A", "B") == "A\nB"
