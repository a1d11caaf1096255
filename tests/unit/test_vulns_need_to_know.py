"""Need-to-know on a collection platform (Art. 11) without HTTP: case members, and what a
non-member of the owning organisation can read of an undisclosed case, its report, its advisory
drafts and its finder messages."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from wangan.errors import Conflict, Forbidden, Invalid, NotFound
from wangan.kernel.auth import Principal
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime
from wangan.vulns import advisories, cases, finder, intake, members
from wangan.vulns.events import VulnTag
from wangan.vulns.models import IntakeChannel

AT = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


def _platform(p: Principal) -> Principal:
    return dataclasses.replace(p, on_collection_platform=True)


@dataclass
class Team:
    opener: Principal  # analyst who opens the case: its first member
    colleague: Principal  # analyst of the same organisation, not a member
    viewer: Principal
    manager: Principal
    outsider: Principal  # manager of another organisation
    finder: Principal
    colleague_email: str
    viewer_email: str


@pytest.fixture
def team(factory: Factory) -> Team:
    org = factory.org("platform")
    other = factory.org("elsewhere")
    finders = factory.org("finders", roles=("finder",))
    colleague = factory.user(org, "analyst")
    viewer = factory.user(org, "viewer")
    return Team(
        opener=_platform(factory.principal(factory.user(org, "analyst"))),
        colleague=_platform(factory.principal(colleague)),
        viewer=_platform(factory.principal(viewer)),
        manager=_platform(factory.principal(factory.user(org, "manager"))),
        outsider=_platform(factory.principal(factory.user(other, "manager"))),
        finder=_platform(factory.principal(factory.user(finders, "reporter"))),
        colleague_email=colleague.email, viewer_email=viewer.email,
    )


def _case(rt: Runtime, team: Team) -> tuple[str, str]:
    """A report from the finder and the case the opener made of it; returns (number, report id)."""
    with rt.sessions.begin() as s:
        record, _ = intake.submit_report(
            s, rt.vuln_rules, intake.ReportIn(title="RCE in gateway", content="secret details",
                                              reporter_contact="f@example.net", organisation="platform"),
            channel=IntakeChannel.WEB, limits=rt.intake_limits, reporter_user_id=team.finder.user_id)
        case = cases.create_case(s, team.opener, rt.vuln_rules, cases.CaseIn(title="RCE", report_id=record.id))
        return case.number, str(record.id)


def test_the_opener_is_the_first_member_and_only_members_read(rt: Runtime, team: Team) -> None:
    number, report_id = _case(rt, team)
    with rt.sessions() as s:
        assert [m.user_id for m in members.list_members(s, team.opener, number)] == [team.opener.user_id]
        assert cases.get_case(s, team.opener, number).number == number
        assert cases.get_case(s, team.manager, number).number == number
        for stranger in (team.colleague, team.viewer, team.outsider):
            with pytest.raises(NotFound):
                cases.get_case(s, stranger, number)
        listed, total = cases.list_cases(s, team.colleague, rt.vuln_rules)
        assert total == 0 and listed == []
        assert cases.list_cases(s, team.manager, rt.vuln_rules)[1] == 1
        with pytest.raises(NotFound):
            intake.get_report(s, team.colleague, __import__("uuid").UUID(report_id))
        reports, _ = intake.list_reports(s, team.colleague)
        assert reports == []
        assert intake.list_reports(s, team.opener)[1] == 1


def test_without_platform_mode_the_organisation_reads_as_before(rt: Runtime, team: Team) -> None:
    number, _ = _case(rt, team)
    plain = dataclasses.replace(team.colleague, on_collection_platform=False)
    with rt.sessions() as s:
        assert cases.get_case(s, plain, number).number == number
        assert cases.list_cases(s, plain, rt.vuln_rules)[1] == 1


def test_members_are_added_and_removed_by_managers_with_an_audit_trail(rt: Runtime, team: Team) -> None:
    number, _ = _case(rt, team)
    with rt.sessions.begin() as s:
        with pytest.raises(Forbidden):
            members.add_member(s, team.opener, number, team.colleague_email, AT)
        members.add_member(s, team.manager, number, team.colleague_email.upper(), AT)
    with rt.sessions() as s:
        assert cases.get_case(s, team.colleague, number).number == number
        with pytest.raises(Conflict):
            members.add_member(s, team.manager, number, team.colleague_email, AT)
    with rt.sessions.begin() as s:
        members.remove_member(s, team.manager, number, team.colleague_email)
    with rt.sessions() as s:
        with pytest.raises(NotFound):
            cases.get_case(s, team.colleague, number)
        with pytest.raises(NotFound):
            members.remove_member(s, team.manager, number, team.colleague_email)
        tags = [e.tag for e in s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]
        assert VulnTag.CASE_MEMBER_ADDED in tags and VulnTag.CASE_MEMBER_REMOVED in tags


def test_only_users_of_the_owning_organisation_can_be_members(rt: Runtime, team: Team, factory: Factory) -> None:
    number, _ = _case(rt, team)
    stranger = factory.user(factory.org("third"), "analyst")
    with rt.sessions() as s:
        with pytest.raises(Invalid, match="not in the organisation"):
            members.add_member(s, team.manager, number, stranger.email, AT)
        with pytest.raises(Invalid, match="no user"):
            members.add_member(s, team.manager, number, "nobody@example.org", AT)
        with pytest.raises(NotFound):  # another organisation's manager does not even see the case
            members.add_member(s, team.outsider, number, team.colleague_email, AT)


def test_advisory_drafts_and_finder_messages_follow_the_case(rt: Runtime, team: Team) -> None:
    number, _ = _case(rt, team)
    with rt.sessions.begin() as s:
        draft = advisories.draft_from_case(s, team.opener, number)
        finder.post_message(s, team.finder, number, "any news?")
        draft_number = draft.number
    with rt.sessions() as s:
        assert [a.number for a in advisories.list_advisories(s, team.colleague)] == []
        with pytest.raises(NotFound):
            advisories.get_advisory(s, team.colleague, draft_number)
        with pytest.raises(NotFound):
            finder.list_messages(s, team.colleague, number)
        assert [a.number for a in advisories.list_advisories(s, team.opener)] == [draft_number]
        assert len(finder.list_messages(s, team.opener, number)) == 1
        # the finder still sees their own case through the finder view
        assert finder.get_case(s, team.finder, number).case.number == number


def test_disclosure_opens_the_case_to_the_whole_organisation(rt: Runtime, team: Team) -> None:
    number, _ = _case(rt, team)
    with rt.sessions.begin() as s:
        draft = advisories.draft_from_case(s, team.opener, number)
        draft.state = advisories.AdvisoryState.PUBLISHED  # the gate path is tested elsewhere
    with rt.sessions() as s:
        assert cases.get_case(s, team.colleague, number).number == number
        assert cases.list_cases(s, team.colleague, rt.vuln_rules)[1] == 1
