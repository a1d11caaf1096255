"""The hash chain itself: ids without gaps, each row linked to the one before, and every kind of
after-the-fact change found by ``verify_chain``."""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from wangan.kernel import audit
from wangan.kernel.audit import GENESIS, Actor, compute_hash, verify_chain
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime

ACTOR = Actor(uuid.uuid4(), "analyst@example.org")


def write_events(rt: Runtime, n: int) -> list[int]:
    with rt.sessions.begin() as s:
        return [audit.record(s, "tests:thing:changed", ACTOR, "thing", uuid.uuid4(),
                             data={"after": {"n": i, "when": rt.clock.now(), "text": "漏洞"}}).id for i in range(n)]


def problems(rt: Runtime) -> list[tuple[int, str]]:
    with rt.sessions() as s:
        _n, found = verify_chain(s, batch=3)  # small batches: the walk must carry state across them
        return [(p.event_id, p.problem) for p in found]


def test_events_are_numbered_and_linked(rt: Runtime, session: Session) -> None:
    ids = write_events(rt, 4)
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()

    assert ids == [1, 2, 3, 4]
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert all(compute_hash(r) == r.hash for r in rows)


def test_data_is_stored_as_it_was_hashed(rt: Runtime, session: Session) -> None:
    write_events(rt, 1)
    event = session.execute(select(AuditEvent)).scalar_one()
    assert event.data["after"]["text"] == "漏洞"
    assert isinstance(event.data["after"]["when"], str)
    assert event.actor_id == ACTOR.id


def test_intact_chain_across_batches(rt: Runtime) -> None:
    write_events(rt, 10)
    with rt.sessions() as s:
        checked, found = verify_chain(s, batch=3)
    assert (checked, found) == (10, [])


def test_empty_chain_is_intact(rt: Runtime) -> None:
    with rt.sessions() as s:
        assert verify_chain(s) == (0, [])


def test_edited_column_names_the_row(rt: Runtime) -> None:
    write_events(rt, 6)
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET subject_id = 'other' WHERE id = 4"))
    assert [row for row, _ in problems(rt)] == [4]


def test_edited_hash_is_found_at_the_row_and_its_successor(rt: Runtime) -> None:
    write_events(rt, 6)
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET hash = :h WHERE id = 2"), {"h": "f" * 64})
    assert sorted({row for row, _ in problems(rt)}) == [2, 3]


def test_several_deleted_rows_are_named_as_one_gap(rt: Runtime) -> None:
    write_events(rt, 8)
    with rt.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id IN (4, 5, 6)"))
    found = problems(rt)
    assert {row for row, _ in found} == {7}
    assert any("events 4–6 deleted" in msg for _, msg in found)


def test_deleted_first_row_is_found(rt: Runtime) -> None:
    write_events(rt, 3)
    with rt.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = 1"))
    assert {row for row, _ in problems(rt)} == {2}


def test_truncated_tail_is_not_detectable_from_the_chain_alone(rt: Runtime) -> None:
    """Documents a limit: removing the newest rows leaves a valid, shorter chain. Detecting that
    needs the head hash kept elsewhere (e.g. printed by ``wangan audit verify`` and archived)."""
    write_events(rt, 5)
    with rt.sessions() as s:
        head = audit.chain_head(s)
    assert head is not None and head[0] == 5
    with rt.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = 5"))
    assert problems(rt) == []
    # ... but the head kept elsewhere catches it.
    with rt.sessions() as s:
        _n, found = verify_chain(s, anchors=[head])
    assert [(p.event_id, "cut short" in p.problem) for p in found] == [(5, True)]


def test_an_anchor_whose_row_was_rewritten_is_reported(rt: Runtime) -> None:
    write_events(rt, 3)
    with rt.sessions() as s:
        _n, found = verify_chain(s, anchors=[(2, "0" * 64)])
    assert [p.event_id for p in found] == [2]


def test_events_for_returns_one_subjects_timeline(rt: Runtime, session: Session) -> None:
    subject = uuid.uuid4()
    with rt.sessions.begin() as s:
        audit.record(s, "tests:a", ACTOR, "thing", subject)
        audit.record(s, "tests:b", ACTOR, "thing", uuid.uuid4())
        audit.record(s, "tests:c", ACTOR, "thing", subject)
    assert [e.tag for e in audit.events_for(session, "thing", subject)] == ["tests:a", "tests:c"]
