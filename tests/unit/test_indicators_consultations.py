"""Public consultations (``wangan.indicators.consultations``): the window (inclusive at both ends, Beijing
time), refusals with their messages, the recorded 2021 consultation, drafts, moderation visibility,
export and the audit trail."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Factory
from wangan.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from wangan.indicators import consultations as svc
from wangan.indicators.events import IndicatorTag
from wangan.indicators.models import CommentState, ConsultationState
from wangan.kernel.auth import ANONYMOUS, Principal
from wangan.kernel.calendar import BEIJING
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime

OPENS = datetime(2024, 5, 1, 0, 0, tzinfo=BEIJING)
CLOSES = datetime(2024, 5, 31, 23, 59, 59, tzinfo=BEIJING)
DURING = datetime(2024, 5, 10, 4, 0, tzinfo=UTC)
PLAN = "CN-MIIT-CSI-2021-2023"


@pytest.fixture
def manager(factory: Factory) -> Principal:
    return factory.principal(factory.user(factory.org("assoc"), "manager"))


@pytest.fixture
def viewer(factory: Factory) -> Principal:
    return factory.principal(factory.user(factory.org("members"), "viewer"))


@pytest.fixture
def analyst(factory: Factory) -> Principal:
    return factory.principal(factory.user(factory.org("analysts"), "analyst"))


def _create(session: Session, who: Principal, slug: str = "draft-2024", *, publish: bool = True,
            opens: datetime = OPENS, closes: datetime = CLOSES) -> None:
    svc.create_consultation(session, who, slug=slug, title_zh="征求意见稿", title_en="Draft for comments",
                            body="Part I\n\nPart II", document_url="https://example.org/draft.pdf",
                            opens_at=opens, closes_at=closes)
    if publish:
        svc.publish(session, who, slug)


def _comment(session: Session, now: datetime, slug: str = "draft-2024", **kw: str) -> None:
    svc.submit_comment(session, slug, body=kw.pop("body", "Please add a goal on SMEs."), now=now, **kw)


# --------------------------------------------------------------------------- times and window


def test_parse_beijing_reads_naive_times_as_beijing_and_keeps_offsets() -> None:
    assert svc.parse_beijing("2021-07-16T23:59") == datetime(2021, 7, 16, 15, 59, tzinfo=UTC)
    assert svc.parse_beijing("2021-07-16 23:59:59") == datetime(2021, 7, 16, 15, 59, 59, tzinfo=UTC)
    # An explicit UTC offset is kept: 23:59:59 UTC is 07:59:59 the next morning in Beijing.
    converted = svc.parse_beijing("2021-07-16T23:59:59+00:00")
    assert converted == datetime(2021, 7, 16, 23, 59, 59, tzinfo=UTC)
    assert svc.beijing_text(converted) == "2021-07-17 07:59"
    for bad in ("", "16/07/2021", "2021-13-01T00:00", "tomorrow"):
        with pytest.raises(ValueError):
            svc.parse_beijing(bad)


def test_create_stores_utc_and_reads_naive_times_as_beijing(session: Session, manager: Principal) -> None:
    c = svc.create_consultation(session, manager, slug="naive", title_zh="稿", title_en="", body="",
                                document_url="", opens_at=datetime(2024, 5, 1, 8, 0),
                                closes_at=datetime(2024, 5, 2, 8, 0))
    assert c.opens_at == datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
    assert c.state is ConsultationState.DRAFT and c.version == 1
    assert session.scalar(select(AuditEvent.tag).where(AuditEvent.subject_id == str(c.id))) \
        == IndicatorTag.CONSULTATION_CREATED


@pytest.mark.parametrize(("moment", "accepted"), [
    (OPENS - timedelta(seconds=1), False),
    (OPENS, True),  # exactly at the opening time
    (CLOSES, True),  # exactly at the closing time: the window is inclusive
    (CLOSES + timedelta(seconds=1), False),
])
def test_window_boundaries(session: Session, manager: Principal, moment: datetime, accepted: bool) -> None:
    _create(session, manager)
    if accepted:
        _comment(session, moment)
        return
    with pytest.raises(Conflict) as caught:
        _comment(session, moment)
    expected = ("opens on 2024-05-01 00:00 Beijing time" if moment < OPENS else
                "closed on 2024-05-31 23:59 Beijing time; comments are no longer accepted")
    assert expected in caught.value.detail


def test_window_of(session: Session, manager: Principal) -> None:
    _create(session, manager)
    c = svc.get_consultation(session, ANONYMOUS, "draft-2024")
    assert [svc.window_of(c, t) for t in (OPENS - timedelta(days=1), DURING, CLOSES + timedelta(days=1))] \
        == ["upcoming", "open", "closed"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"slug": "No"}, "slug"), ({"slug": "has space"}, "slug"), ({"slug": "x" * 81}, "slug"),
    ({"title_zh": " "}, "title_zh"), ({"closes_at": OPENS}, "closes_at"),
    ({"closes_at": OPENS - timedelta(hours=1)}, "closes_at"), ({"document_url": "javascript:alert(1)"}, "document_url"),
])
def test_create_refuses_bad_input(session: Session, manager: Principal, changes: dict[str, object],
                                  field: str) -> None:
    values: dict[str, object] = {"slug": "ok-slug", "title_zh": "稿", "title_en": "", "body": "",
                                 "document_url": "", "opens_at": OPENS, "closes_at": CLOSES, **changes}
    with pytest.raises(Invalid) as caught:
        svc.create_consultation(session, manager, **values)  # type: ignore[arg-type]
    assert field in {p.field for p in caught.value.problems}


def test_duplicate_slug_is_a_conflict(session: Session, manager: Principal) -> None:
    _create(session, manager, publish=False)
    with pytest.raises(Conflict, match="draft-2024"):
        _create(session, manager, publish=False)


# --------------------------------------------------------------------------- visibility and authorization


def test_drafts_are_invisible_to_everyone_but_managers(session: Session, manager: Principal,
                                                       viewer: Principal) -> None:
    _create(session, manager, publish=False)
    for who in (ANONYMOUS, viewer):
        with pytest.raises(NotFound):
            svc.get_consultation(session, who, "draft-2024")
        assert svc.list_consultations(session, who) == []
    with pytest.raises(NotFound):
        _comment(session, DURING)
    assert [c.slug for c in svc.list_consultations(session, manager)] == ["draft-2024"]
    svc.publish(session, manager, "draft-2024")
    assert [c.slug for c in svc.list_consultations(session, ANONYMOUS)] == ["draft-2024"]
    with pytest.raises(Conflict, match="already published"):
        svc.publish(session, manager, "draft-2024")


def test_only_managers_manage(session: Session, manager: Principal, viewer: Principal, analyst: Principal) -> None:
    _create(session, manager)
    with pytest.raises(Unauthenticated):
        svc.create_consultation(session, ANONYMOUS, slug="x-y-z", title_zh="稿", title_en="", body="",
                                document_url="", opens_at=OPENS, closes_at=CLOSES)
    for who in (viewer, analyst):
        with pytest.raises(Forbidden):
            svc.update_consultation(session, who, "draft-2024", {"title_en": "x"})
        with pytest.raises(Forbidden):
            svc.export_comments_csv(session, who, "draft-2024")
        with pytest.raises(Forbidden):
            svc.list_comments(session, who, "draft-2024", include_pending=True)


def test_moderation_visibility_and_contact_never_public(session: Session, manager: Principal) -> None:
    _create(session, manager)
    _comment(session, DURING, body="Add SMEs.", name="Li Lei", organisation="Acme", contact="li@example.org",
             section="Part II")
    # A second later: comments are listed in the order they came in.
    _comment(session, DURING + timedelta(seconds=1), body="Spam")
    assert svc.list_comments(session, ANONYMOUS, "draft-2024") == []
    everything = svc.list_comments(session, manager, "draft-2024", include_pending=True)
    assert [(c.body, c.contact, c.state) for c in everything] == [
        ("Add SMEs.", "li@example.org", CommentState.PENDING), ("Spam", "", CommentState.PENDING)]
    svc.moderate(session, manager, everything[0].id, state="approved", note="on topic")
    svc.moderate(session, manager, str(everything[1].id), state="rejected", note="spam")
    public = svc.list_comments(session, ANONYMOUS, "draft-2024")
    assert [(c.body, c.name, c.organisation, c.section) for c in public] == [("Add SMEs.", "Li Lei", "Acme", "Part II")]
    assert public[0].contact is None and public[0].moderation_note is None
    assert [c.body for c in svc.list_comments(session, manager, "draft-2024", state="rejected")] == ["Spam"]
    with pytest.raises(Invalid):
        svc.moderate(session, manager, everything[0].id, state="pending")
    with pytest.raises(NotFound):
        svc.moderate(session, manager, "not-a-uuid", state="approved")
    with pytest.raises(NotFound):
        svc.moderate(session, manager, everything[0].id, state="approved", consultation_slug="other")


def test_comment_audit_names_the_public_and_leaves_the_contact_out(session: Session, manager: Principal) -> None:
    _create(session, manager)
    _comment(session, DURING, contact="secret@example.org", name="Han")
    event = session.scalars(select(AuditEvent).where(AuditEvent.tag == IndicatorTag.COMMENT_SUBMITTED)).one()
    assert event.actor_label == "public" and event.actor_id is None
    assert "secret@example.org" not in json.dumps(event.data)
    assert event.data["with_contact"] is True


@pytest.mark.parametrize(("kw", "field"), [
    ({"body": "   "}, "body"), ({"body": "x" * 20_001}, "body"), ({"contact": "c" * 201}, "contact"),
    ({"name": "n" * 201}, "name"), ({"section": "s" * 201}, "section"),
])
def test_comment_input_is_checked(session: Session, manager: Principal, kw: dict[str, str], field: str) -> None:
    _create(session, manager)
    with pytest.raises(Invalid) as caught:
        _comment(session, DURING, **kw)
    assert [p.field for p in caught.value.problems] == [field]


def test_a_comment_of_20000_characters_is_accepted(session: Session, manager: Principal) -> None:
    _create(session, manager)
    _comment(session, DURING, body="长" * 20_000, contact="c" * 200)


# --------------------------------------------------------------------------- editing


def test_update_with_versions_and_window_fixed_once_commented(session: Session, manager: Principal) -> None:
    _create(session, manager, publish=False)
    c = svc.update_consultation(session, manager, "draft-2024", {"title_en": "Draft v2"}, expected_version=1)
    assert (c.title_en, c.version) == ("Draft v2", 2)
    with pytest.raises(Conflict, match="version 1"):
        svc.update_consultation(session, manager, "draft-2024", {"title_en": "x"}, expected_version=1)
    with pytest.raises(Invalid) as caught:
        svc.update_consultation(session, manager, "draft-2024", {"state": "published", "closes_at": OPENS})
    assert {p.field for p in caught.value.problems} == {"state", "closes_at"}
    svc.publish(session, manager, "draft-2024")
    later = CLOSES + timedelta(days=7)
    # Published without comments: the window may still move.
    assert svc.update_consultation(session, manager, "draft-2024", {"closes_at": later}).closes_at == later
    _comment(session, DURING)
    with pytest.raises(Conflict, match="already has comments"):
        svc.update_consultation(session, manager, "draft-2024", {"closes_at": CLOSES})
    # The text can still be corrected, and the same window again is no change.
    svc.update_consultation(session, manager, "draft-2024", {"body": "fixed typo", "closes_at": later})


# --------------------------------------------------------------------------- the recorded 2021 consultation


def test_record_the_2021_draft_consultation(session: Session, rt: Runtime, manager: Principal) -> None:
    c = svc.record_plan_consultation(session, manager, rt.plans, PLAN)
    assert (c.slug, c.recorded_only, c.state) == ("cn-miit-csi-2021-2023-draft", True, ConsultationState.PUBLISHED)
    assert c.opens_at == datetime(2021, 7, 11, 16, 0, tzinfo=UTC)
    assert c.closes_at == datetime(2021, 7, 16, 15, 59, 59, tzinfo=UTC)
    assert c.title_zh.startswith("网络安全产业高质量发展三年行动计划")
    assert "[P1]" in c.body and c.document_url.startswith("https://www.miit.gov.cn/")
    for moment in (datetime(2021, 7, 13, 2, 0, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)):
        with pytest.raises(Conflict) as caught:
            _comment(session, moment, slug=c.slug)
        assert "a record of a past consultation" in caught.value.detail
        assert "it never took comments here" in caught.value.detail
    with pytest.raises(Conflict, match="already recorded as 'cn-miit-csi-2021-2023-draft'") as again:
        svc.record_plan_consultation(session, manager, rt.plans, PLAN)
    assert again.value.extra["slug"] == c.slug


def test_record_plan_refusals(session: Session, rt: Runtime, manager: Principal, viewer: Principal) -> None:
    with pytest.raises(NotFound, match="no plan 'NOPE'"):
        svc.record_plan_consultation(session, manager, rt.plans, "NOPE")
    with pytest.raises(Forbidden):
        svc.record_plan_consultation(session, viewer, rt.plans, PLAN)


# --------------------------------------------------------------------------- export


def test_export_csv_and_json(session: Session, manager: Principal) -> None:
    _create(session, manager)
    _comment(session, datetime(2024, 5, 10, 16, 30, tzinfo=UTC), body="=HYPERLINK(\"x\")", name="王",
             contact="wang@example.org", organisation="协会", section="二")
    text = svc.export_comments_csv(session, manager, "draft-2024")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["id", "submitted_at", "state", "section", "name", "organisation", "contact", "body"]
    assert rows[1][1:] == ["2024-05-11 00:30:00", "pending", "二", "王", "协会", "wang@example.org",
                           "'=HYPERLINK(\"x\")"]
    data = json.loads(svc.export_comments_json(session, manager, "draft-2024"))
    assert data["consultation"]["slug"] == "draft-2024"
    assert data["comments"][0]["contact"] == "wang@example.org"
    assert data["comments"][0]["submitted_at_beijing"] == "2024-05-11 00:30:00"
    exports = session.scalars(select(AuditEvent).where(AuditEvent.tag == IndicatorTag.REPORT_EXPORTED)).all()
    assert len(exports) == 2
