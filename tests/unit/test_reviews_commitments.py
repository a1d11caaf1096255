"""After the review: Art. 6 supplier commitments, Art. 19 supervision items, and the reminder job
for review clocks and supervision items (queued once through the outbox, counted in working days)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from tests.unit.test_reviews_factories import NOW, Reviews, make_reviews
from wangan.config import Settings
from wangan.errors import Conflict, Invalid
from wangan.kernel import audit
from wangan.kernel.models import OutboxMessage
from wangan.kernel.workdays import library_calendar
from wangan.reviews import commitments
from wangan.reviews.commitments import check_review_deadlines
from wangan.reviews.deadlines import ReviewDeadlineSummary, stage_on
from wangan.reviews.events import ReviewTag
from wangan.reviews.models import ReviewCase
from wangan.runtime import Runtime

CLAUSES = ("SC-COOPERATE", "SC-NO-DATA", "SC-NO-CONTROL", "SC-NO-INTERRUPTION")


@pytest.fixture
def reviews(rt: Runtime, factory: Factory) -> Reviews:
    return make_reviews(rt, factory)


def commit(reviews: Reviews, number: str, clause: str, committed: bool = True, **kw: object) -> None:
    with reviews.rt.sessions.begin() as s:
        commitments.record_commitment(s, reviews.analyst, reviews.rt.review_rules, number, clause_id=clause,
                                      committed=committed, now=NOW, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- commitments (Art. 6)


def test_a_checklist_per_supplier_with_every_clause(reviews: Reviews) -> None:
    number = reviews.open()
    for clause in CLAUSES[:3]:
        commit(reviews, number, clause, evidence="master agreement §14", committed_on=date(2025, 9, 10))
    commit(reviews, number, "SC-NO-INTERRUPTION", committed=False, evidence="refused to sign")
    commit(reviews, number, "SC-NO-DATA", supplier="Cloud Sub-Supplier Ltd", evidence="letter",
           committed_on=date(2025, 9, 12))
    with reviews.rt.sessions() as s:
        lists = commitments.commitment_checklist(s, reviews.viewer, reviews.rt.review_rules, number)
    assert [c.supplier for c in lists] == ["Acme Networks", "Cloud Sub-Supplier Ltd"]
    acme, sub = lists
    assert [c.committed for c in acme.clauses] == [True, True, True, False]
    assert not acme.complete and acme.missing == ("SC-NO-INTERRUPTION",)
    assert sub.missing == ("SC-COOPERATE", "SC-NO-CONTROL", "SC-NO-INTERRUPTION")


def test_recording_a_clause_again_replaces_it_and_keeps_the_old_answer_in_the_log(reviews: Reviews) -> None:
    number = reviews.open()
    commit(reviews, number, "SC-NO-INTERRUPTION", committed=False)
    commit(reviews, number, "SC-NO-INTERRUPTION", evidence="amendment 2", committed_on=date(2025, 10, 1))
    with reviews.rt.sessions() as s:
        (acme,) = commitments.commitment_checklist(s, reviews.viewer, reviews.rt.review_rules, number)
        case = s.execute(select(ReviewCase).where(ReviewCase.number == number)).scalar_one()
        events = [e for e in audit.events_for(s, "review-case", case.id) if e.tag == ReviewTag.COMMITMENT_RECORDED]
    assert acme.clauses[3].committed is True
    assert [e.data["after"]["committed"] for e in events] == [False, True]
    assert events[1].data["before"]["committed"] is False


@pytest.mark.parametrize(("kwargs", "fields"), [
    ({"clause_id": "SC-BRIBES", "committed": False}, ["clause_id"]),
    ({"clause_id": "SC-NO-DATA", "committed": True}, ["committed_on", "evidence"]),
    ({"clause_id": "SC-NO-DATA", "committed": True, "evidence": "x", "committed_on": date(2026, 12, 1)},
     ["committed_on"]),
])
def test_commitments_that_are_refused(reviews: Reviews, kwargs: dict[str, object], fields: list[str]) -> None:
    number = reviews.open()
    with reviews.rt.sessions() as s, pytest.raises(Invalid) as caught:
        commitments.record_commitment(s, reviews.analyst, reviews.rt.review_rules, number, now=NOW,
                                      **kwargs)  # type: ignore[arg-type]
    assert sorted(p.field for p in caught.value.problems) == fields


def test_a_commitment_needs_a_supplier(reviews: Reviews) -> None:
    number = reviews.open(kind="ex_officio", filed_on=date(2025, 1, 6))
    with reviews.rt.sessions() as s, pytest.raises(Invalid, match="supplier: name the supplier"):
        commitments.record_commitment(s, reviews.analyst, reviews.rt.review_rules, number, clause_id="SC-NO-DATA",
                                      committed=False, now=NOW)


# --------------------------------------------------------------------------- supervision (Art. 19)


def add_item(reviews: Reviews, number: str, **kw: object) -> commitments.SupervisionItem:
    with reviews.rt.sessions.begin() as s:
        return commitments.add_supervision_item(s, reviews.analyst, number, calendar=reviews.rt.work_calendar(s),
                                                title="annual check of the supplier's update server", now=NOW,
                                                **kw)  # type: ignore[arg-type]


def test_supervision_items_by_date_or_by_working_days(reviews: Reviews) -> None:
    number = reviews.open()
    by_date = add_item(reviews, number, due_on=date(2026, 3, 31))
    assert (by_date.due_on, by_date.provisional) == (date(2026, 3, 31), False)
    across_national_day = add_item(reviews, number, working_days=10, from_on=date(2025, 9, 28))
    assert (across_national_day.due_on, across_national_day.provisional) == (date(2025, 10, 17), False)
    into_2027 = add_item(reviews, number, working_days=30, from_on=date(2026, 12, 1))
    assert (into_2027.provisional, into_2027.unconfirmed_years) == (True, [2027])


def test_completing_a_supervision_item(reviews: Reviews) -> None:
    number = reviews.open()
    item = add_item(reviews, number, due_on=date(2026, 3, 31))
    with reviews.rt.sessions.begin() as s:
        done = commitments.complete_supervision_item(s, reviews.analyst, number, item.id, done_on=date(2026, 3, 30),
                                                     outcome="no unexpected connections", now=datetime(2026, 4, 1,
                                                                                                       tzinfo=UTC))
        assert done.done_on == date(2026, 3, 30)
    with reviews.rt.sessions() as s, pytest.raises(Conflict, match="already done"):
        commitments.complete_supervision_item(s, reviews.analyst, number, item.id, done_on=date(2026, 3, 30),
                                              outcome="again", now=datetime(2026, 4, 1, tzinfo=UTC))


@pytest.mark.parametrize("kw", [{}, {"due_on": date(2026, 1, 1), "working_days": 5}, {"working_days": 0}])
def test_a_supervision_item_needs_exactly_one_way_to_its_due_date(reviews: Reviews, kw: dict[str, object]) -> None:
    number = reviews.open()
    with pytest.raises(Invalid, match="not added"):
        add_item(reviews, number, **kw)


def test_supervision_goes_on_after_the_conclusion(reviews: Reviews) -> None:
    number = reviews.open()
    reviews.complete(number, date(2025, 9, 28))
    reviews.move(number, "decide_not_required", date(2025, 10, 9))
    assert add_item(reviews, number, due_on=date(2026, 6, 30)).due_on == date(2026, 6, 30)


# --------------------------------------------------------------------------- reminders


@pytest.mark.parametrize(("today", "stage"), [
    (date(2025, 10, 10), None),  # 6 working days left: the make-up Saturday 10-11, then 10-13..10-17
    (date(2025, 10, 11), ("reminder", 5)),
    (date(2025, 10, 16), ("reminder", 1)),
    (date(2025, 10, 17), ("reminder", 1)),  # the due day itself: 0 left
    (date(2025, 10, 18), ("overdue", None)),
])
def test_stages_in_working_days(today: date, stage: tuple[str, int | None] | None) -> None:
    assert stage_on(library_calendar(), today, date(2025, 10, 17), [1, 5]) == stage


def beijing_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)


def check(reviews: Reviews, day: date, settings: Settings | None = None) -> ReviewDeadlineSummary:
    with reviews.rt.sessions.begin() as s:
        return check_review_deadlines(s, reviews.rt.review_rules, settings or reviews.rt.settings, beijing_noon(day),
                                      reviews.rt.work_calendar(s))


def outbox(reviews: Reviews) -> list[OutboxMessage]:
    with reviews.rt.sessions() as s:
        return list(s.execute(select(OutboxMessage).order_by(OutboxMessage.dedupe_key)).scalars())


def test_reminders_are_queued_once_per_stage_to_managers_and_analysts(reviews: Reviews) -> None:
    number = reviews.open()
    reviews.complete(number, date(2025, 9, 28))  # REV-DETERMINE due 2025-10-17
    assert check(reviews, date(2025, 10, 9)).queued == 0
    first = check(reviews, date(2025, 10, 16))
    assert (first.reminders_queued, first.overdue_queued, first.clocks_due) == (2, 0, 1)
    assert check(reviews, date(2025, 10, 16)).queued == 0  # run again: nothing new
    assert check(reviews, date(2025, 10, 17)).queued == 0  # same stage (1 working day lead)
    late = check(reviews, date(2025, 10, 20))
    assert late.overdue_queued == 2
    messages = outbox(reviews)
    assert len(messages) == 4 and {m.channel for m in messages} == {"email"}
    recipients = {m.recipient for m in messages}
    assert len(recipients) == 2 and not any(r.startswith("viewer") for r in recipients)
    overdue = next(m for m in messages if "overdue" in m.dedupe_key)
    assert "已逾期 / OVERDUE" in overdue.subject and number in overdue.subject
    assert "2025-10-17" in overdue.body and "Art." not in overdue.subject
    with reviews.rt.sessions() as s:
        case = s.execute(select(ReviewCase).where(ReviewCase.number == number)).scalar_one()
        events = [e for e in audit.events_for(s, "review-case", case.id) if e.tag == ReviewTag.REMINDER_QUEUED]
    assert [e.data["reminders"][0]["event"] for e in events] == ["reminder", "overdue"]


def test_a_moved_due_date_is_announced_again(reviews: Reviews) -> None:
    number = reviews.open()
    reviews.complete(number, date(2025, 9, 28))
    assert check(reviews, date(2025, 10, 16)).queued == 2
    reviews.pause(number, date(2025, 10, 13), date(2025, 10, 13))  # due 10-20 now
    assert check(reviews, date(2025, 10, 16)).queued == 2  # 2 working days left of the new due date: lead 5
    assert check(reviews, date(2025, 10, 17)).queued == 2  # 1 left: lead 1
    assert check(reviews, date(2025, 10, 17)).queued == 0


def test_a_paused_clock_is_not_reminded(reviews: Reviews) -> None:
    number = reviews.open()
    reviews.complete(number, date(2025, 9, 28))
    reviews.pause(number, date(2025, 10, 13))
    summary = check(reviews, date(2025, 10, 20))
    assert (summary.queued, summary.clocks_due) == (0, 0)


def test_supervision_items_are_reminded_and_webhooks_carry_no_title(reviews: Reviews) -> None:
    number = reviews.open()
    add_item(reviews, number, due_on=date(2026, 3, 31))
    settings = reviews.rt.settings.model_copy(update={"webhook_urls": "https://hooks.example/a?token=secret"})
    summary = check(reviews, date(2026, 3, 31), settings)
    assert (summary.items_due, summary.reminders_queued) == (1, 3)  # two e-mails and one webhook
    hook = next(m for m in outbox(reviews) if m.channel == "webhook")
    assert hook.payload["subject"] == {"type": "review-case", "id": hook.payload["subject"]["id"], "number": number}
    assert hook.payload["deadline"]["due_on"] == "2026-03-31" and hook.payload["deadline"]["kind"] == "supervision"
    assert "update server" not in str(hook.payload) and "Acme" not in str(hook.payload)
    assert "secret" not in hook.dedupe_key
    assert check(reviews, date(2026, 3, 31), settings).queued == 0


def test_a_provisional_due_date_is_marked_in_the_reminder(reviews: Reviews) -> None:
    number = reviews.open()
    add_item(reviews, number, working_days=30, from_on=date(2026, 12, 1))  # due 2027-01-12, provisional
    check(reviews, date(2027, 1, 12))
    mail = next(m for m in outbox(reviews) if m.channel == "email")
    assert "暂定" in mail.body and "provisional" in mail.body and "2027" in mail.body
