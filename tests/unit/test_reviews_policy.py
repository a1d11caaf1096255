"""Who may do what with a review case, service by service: anonymous callers are asked to sign in,
another organisation gets 404 (the case does not exist for it), viewers read, analysts and managers
write, only managers conclude, administrators do everything."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.conftest import Factory
from tests.unit.test_reviews_factories import NOW, Reviews, make_reviews
from wangan.errors import DomainError, Forbidden, NotFound, Unauthenticated
from wangan.kernel.auth import ANONYMOUS, Principal
from wangan.reviews import assessment, cases, commitments, policy
from wangan.reviews.cases import ReviewCaseIn
from wangan.runtime import Runtime


@pytest.fixture
def reviews(rt: Runtime, factory: Factory) -> Reviews:
    return make_reviews(rt, factory)


@dataclass(frozen=True)
class World:
    """A case in member consultation (``consult``, with a supervision item and a document) and a
    case in initial review with an open pause (``paused``)."""

    reviews: Reviews
    consult: str
    paused: str
    item: uuid.UUID
    document: uuid.UUID


@pytest.fixture
def world(reviews: Reviews) -> World:
    consult = reviews.open()
    upload = reviews.upload(consult, "application_form", filed_on=date(2025, 9, 26))
    reviews.upload(consult, "impact_report", filed_on=date(2025, 9, 26))
    reviews.upload(consult, "procurement_documents", filed_on=date(2025, 9, 26))
    reviews.move(consult, "notice_review", date(2025, 10, 10))
    reviews.move(consult, "begin_initial_review", date(2025, 10, 10))
    reviews.move(consult, "send_to_members", date(2025, 11, 3))
    paused = reviews.open(kind="ex_officio", filed_on=date(2025, 10, 9))
    reviews.move(paused, "begin_initial_review", date(2025, 10, 9))
    reviews.pause(paused, date(2025, 10, 20))
    with reviews.rt.sessions.begin() as s:
        item = commitments.add_supervision_item(s, reviews.analyst, consult, calendar=reviews.rt.work_calendar(s),
                                                title="annual supplier audit", due_on=date(2026, 12, 31), now=NOW)
        item_id = item.id
    return World(reviews, consult, paused, item_id, upload.document.id)


Op = Callable[[Session, Principal, World], Any]


def _cal(s: Session, w: World) -> Any:
    return w.reviews.rt.work_calendar(s)


def _rules(w: World) -> Any:
    return w.reviews.rt.review_rules


OPERATIONS: dict[str, tuple[str, Op]] = {
    # name: (what it needs: read | write | conclude, the call)
    "get_case": ("read", lambda s, p, w: cases.get_case(s, p, w.consult)),
    "timeline": ("read", lambda s, p, w: cases.timeline(s, p, w.consult)),
    "document_with_content": ("read", lambda s, p, w: cases.document_with_content(s, p, w.consult, w.document)),
    "factor_views": ("read", lambda s, p, w: assessment.factor_views(s, p, _rules(w), w.consult)),
    "impact_report": ("read", lambda s, p, w: assessment.impact_report(s, p, _rules(w), w.consult, now=NOW)),
    "commitment_checklist": ("read", lambda s, p, w: commitments.commitment_checklist(s, p, _rules(w), w.consult)),
    "supervision_items": ("read", lambda s, p, w: commitments.supervision_items(s, p, w.consult)),
    "update_case": ("write", lambda s, p, w: cases.update_case(s, p, _rules(w), w.consult,
                                                                {"description": "more detail"}, now=NOW)),
    "upload_document": ("write", lambda s, p, w: cases.upload_document(
        s, p, _rules(w), w.consult, slot="other", filename="a.pdf", content_type="application/pdf", data=b"x",
        calendar=_cal(s, w), now=NOW)),
    "transition": ("write", lambda s, p, w: cases.transition(
        s, p, _rules(w), w.consult, "start_special_review", calendar=_cal(s, w), on=date(2025, 11, 20), now=NOW)),
    "start_pause": ("write", lambda s, p, w: cases.start_pause(
        s, p, _rules(w), w.consult, calendar=_cal(s, w), started_on=date(2025, 11, 4), reason="x", now=NOW)),
    "end_pause": ("write", lambda s, p, w: cases.end_pause(
        s, p, _rules(w), w.paused, calendar=_cal(s, w), ended_on=date(2025, 10, 21), now=NOW)),
    "assess_factor": ("write", lambda s, p, w: assessment.assess_factor(
        s, p, _rules(w), w.consult, "RF-1", rating="low", evidence="vendor audit 2025", now=NOW)),
    "record_commitment": ("write", lambda s, p, w: commitments.record_commitment(
        s, p, _rules(w), w.consult, clause_id="SC-NO-DATA", committed=True, evidence="contract §12",
        committed_on=date(2025, 9, 20), now=NOW)),
    "add_supervision_item": ("write", lambda s, p, w: commitments.add_supervision_item(
        s, p, w.consult, calendar=_cal(s, w), title="check", working_days=10, from_on=date(2025, 12, 1), now=NOW)),
    "complete_supervision_item": ("write", lambda s, p, w: commitments.complete_supervision_item(
        s, p, w.consult, w.item, done_on=date(2026, 1, 5), outcome="fine", now=NOW)),
    "conclude": ("conclude", lambda s, p, w: cases.transition(
        s, p, _rules(w), w.consult, "conclude_passed", calendar=_cal(s, w), on=date(2025, 11, 20), now=NOW)),
}

# Who gets what: None means allowed.
EXPECTED: dict[str, dict[str, type[DomainError] | None]] = {
    "anonymous": {"read": Unauthenticated, "write": Unauthenticated, "conclude": Unauthenticated},
    "outsider": {"read": NotFound, "write": NotFound, "conclude": NotFound},
    "viewer": {"read": None, "write": Forbidden, "conclude": Forbidden},
    "analyst": {"read": None, "write": None, "conclude": Forbidden},
    "manager": {"read": None, "write": None, "conclude": None},
    "admin": {"read": None, "write": None, "conclude": None},
}


def who(reviews: Reviews, name: str) -> Principal:
    return ANONYMOUS if name == "anonymous" else getattr(reviews, name)  # type: ignore[no-any-return]


@pytest.mark.parametrize("person", list(EXPECTED))
def test_authorization_matrix(world: World, person: str) -> None:
    principal = who(world.reviews, person)
    for name, (need, call) in OPERATIONS.items():
        expected = EXPECTED[person][need]
        with world.reviews.rt.sessions() as s:
            try:
                if expected is None:
                    call(s, principal, world)
                else:
                    with pytest.raises(expected):
                        call(s, principal, world)
            except BaseException as exc:
                raise AssertionError(f"{person} / {name}: {exc!r}") from exc
            finally:
                s.rollback()  # each operation starts from the same world


def test_a_read_only_token_reads_but_never_writes(world: World) -> None:
    import dataclasses

    reader = dataclasses.replace(world.reviews.manager, scopes=frozenset({"read"}))
    with world.reviews.rt.sessions() as s:
        OPERATIONS["get_case"][1](s, reader, world)
        with pytest.raises(Forbidden):
            OPERATIONS["update_case"][1](s, reader, world)


def test_lists_show_only_visible_cases(world: World) -> None:
    r = world.reviews
    with r.rt.sessions() as s:
        counts = {name: cases.list_cases(s, who(r, name), r.rt.review_rules)[1] for name in EXPECTED}
    assert counts == {"anonymous": 0, "outsider": 0, "viewer": 2, "analyst": 2, "manager": 2, "admin": 2}


@pytest.mark.parametrize(("person", "organisation", "expected"), [
    ("anonymous", None, Unauthenticated),
    ("viewer", None, Forbidden),
    ("outsider", "party", Forbidden),  # not in someone else's organisation
    ("admin", None, Forbidden),  # an administrator without an organisation must name one
    ("analyst", None, None),
    ("manager", None, None),
    ("outsider", None, None),  # in its own organisation
    ("admin", "party", None),
])
def test_who_may_open_a_case(reviews: Reviews, person: str, organisation: str | None,
                             expected: type[DomainError] | None) -> None:
    org_id = reviews.analyst.org_id if organisation == "party" else None
    data = ReviewCaseIn(kind="ex_officio", title="x", filed_on=date(2024, 1, 2), organisation_id=org_id)
    principal = who(reviews, person)
    with reviews.rt.sessions() as s:
        calendar = reviews.rt.work_calendar(s)
        if expected is None:
            cases.create_case(s, principal, reviews.rt.review_rules, data, calendar=calendar, now=NOW)
        else:
            with pytest.raises(expected):
                cases.create_case(s, principal, reviews.rt.review_rules, data, calendar=calendar, now=NOW)
        s.rollback()


def test_an_unknown_case_is_not_found_and_so_is_a_malformed_reference(reviews: Reviews) -> None:
    with reviews.rt.sessions() as s:
        for ref in ("CR-2026-9999", str(uuid.uuid4()), "'; DROP TABLE review_cases; --"):
            with pytest.raises(NotFound):
                cases.get_case(s, reviews.admin, ref)


def test_policy_building_blocks() -> None:
    org = uuid.uuid4()
    viewer = Principal(user_id=uuid.uuid4(), label="v", org_id=org, role=None)
    with pytest.raises(Unauthenticated):
        policy.require_read(ANONYMOUS, None, "CR-1")
    with pytest.raises(NotFound, match="no review case CR-1"):
        policy.require_read(viewer, None, "CR-1")
