"""Advisories through their lifecycle and the gate: refused with reasons, then published, then
withdrawn; the public sees only published revisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import Factory
from wangan.errors import Conflict, Forbidden, Invalid, NotFound
from wangan.kernel.auth import Principal
from wangan.runtime import Runtime
from wangan.vulns import advisories, cases, windows
from wangan.vulns.models import AdvisoryState


def _case(rt: Runtime, who: Principal) -> str:
    with rt.sessions.begin() as s:
        case = cases.create_case(s, who, rt.vuln_rules, cases.CaseIn(title="Router RCE", fields={
            "cvss31_vector": "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "affected_versions": "1.0"}))
        return case.number


@pytest.fixture
def people(factory: Factory) -> tuple[Principal, Principal]:
    org = factory.org("vendor")
    return factory.principal(factory.user(org, "manager")), factory.principal(factory.user(org, "analyst"))


def test_refused_with_reasons_then_published_then_withdrawn(rt: Runtime, people: tuple[Principal, Principal]) -> None:
    manager, analyst = people
    number = _case(rt, manager)
    with rt.sessions.begin() as s:
        adv = advisories.draft_from_case(s, analyst, number)
        ref = adv.number
        advisories.transition(s, analyst, rt.gate_rules, ref, "submit")
        advisories.transition(s, manager, rt.gate_rules, ref, "approve")
    with rt.sessions.begin() as s, pytest.raises(Conflict) as refused:
        advisories.transition(s, manager, rt.gate_rules, ref, "publish")
    assert {p.field for p in refused.value.problems} >= {"PUB-1", "PUB-5"}

    with rt.sessions.begin() as s:
        cases.update_case(s, manager, number, {"fix_description": "Upgrade to 1.1",
                                               "fix_available_at": datetime.now(UTC) - timedelta(hours=1)})
        advisories.update_advisory(s, manager, ref, {"fix": "Upgrade to 1.1"})
        assert advisories.get_advisory(s, manager, ref).state is AdvisoryState.UNDER_REVIEW
        advisories.transition(s, manager, rt.gate_rules, ref, "approve")
        published = advisories.transition(s, manager, rt.gate_rules, ref, "publish", note="first release")
        assert published.revision == 1
    with rt.sessions() as s:
        view = advisories.public_view(advisories.get_published(s, ref))
        assert view["fix"] == "Upgrade to 1.1" and view["status"] == "published"

    with rt.sessions.begin() as s:
        advisories.update_advisory(s, manager, ref, {"description": "not yet public", "title": "Secret new title"})
    with rt.sessions() as s:
        assert "not yet public" not in str(advisories.public_view(advisories.get_published(s, ref)))
        # Search and filters read only what was published, never the pending edit.
        assert advisories.public_views(s, q="Secret")[1] == 0
        assert advisories.public_views(s, q="Router RCE")[1] == 1
        assert advisories.public_views(s, severity="high")[1] == 1

    with rt.sessions.begin() as s:
        advisories.transition(s, manager, rt.gate_rules, ref, "withdraw", note="duplicate of WA-SA-2026-0009")
    with rt.sessions() as s:
        view = advisories.public_view(advisories.get_published(s, ref))
        assert view["status"] == "withdrawn" and "fix" not in view


def test_exaggeration_and_event_window_refuse_publication(rt: Runtime, factory: Factory,
                                                          people: tuple[Principal, Principal]) -> None:
    manager, _ = people
    admin = factory.principal(factory.user(None, "admin"))
    number = _case(rt, manager)
    now = datetime.now(UTC)
    with rt.sessions.begin() as s:
        cases.update_case(s, manager, number, {"fix_description": "patch", "fix_available_at": now - timedelta(days=1)})
        adv = advisories.draft_from_case(s, manager, number)
        ref = adv.number
        advisories.update_advisory(s, manager, ref, {"title": "超危 catastrophic router flaw", "fix": "Apply patch"})
        advisories.transition(s, manager, rt.gate_rules, ref, "submit")
        advisories.transition(s, manager, rt.gate_rules, ref, "approve")
        windows.create_window(s, admin, name="Event", starts_at=now - timedelta(hours=1),
                              ends_at=now + timedelta(hours=1))
    with rt.sessions.begin() as s, pytest.raises(Conflict) as refused:
        advisories.transition(s, manager, rt.gate_rules, ref, "publish")
    assert {p.field for p in refused.value.problems} >= {"PUB-3", "PUB-6"}


def test_unpublished_advisories_are_not_public_and_analysts_cannot_publish(
        rt: Runtime, people: tuple[Principal, Principal]) -> None:
    manager, analyst = people
    number = _case(rt, manager)
    with rt.sessions.begin() as s:
        ref = advisories.draft_from_case(s, analyst, number).number
    with rt.sessions() as s, pytest.raises(NotFound):
        advisories.get_published(s, ref)
    with rt.sessions.begin() as s:
        advisories.transition(s, analyst, rt.gate_rules, ref, "submit")
    with rt.sessions.begin() as s, pytest.raises(Forbidden):
        advisories.transition(s, analyst, rt.gate_rules, ref, "approve")


def test_early_release_needs_a_permitting_evaluation(rt: Runtime, people: tuple[Principal, Principal]) -> None:
    manager, _ = people
    number = _case(rt, manager)
    earlier = datetime.now(UTC) - timedelta(days=2)
    with rt.sessions.begin() as s:
        ref = advisories.draft_from_case(s, manager, number).number
        advisories.update_advisory(s, manager, ref, {
            "fix": "Disable the diag page", "joint_assessment_at": earlier, "reported_to_miit_mps_at": earlier,
            "evaluated_at": earlier, "evaluation_result": "refused"})
        refused = advisories.check(s, manager, rt.gate_rules, ref)
        assert "PUB-1" in refused.rule_ids
        advisories.update_advisory(s, manager, ref, {"evaluation_result": "permitted"})
        assert "PUB-1" not in advisories.check(s, manager, rt.gate_rules, ref).rule_ids
    with rt.sessions.begin() as s, pytest.raises(Invalid):
        advisories.update_advisory(s, manager, ref, {"evaluation_result": "looks fine to me"})
