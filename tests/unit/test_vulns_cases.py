"""The case service without HTTP: lost updates become conflicts, numbers restart each year."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import Factory
from wangan.errors import Conflict
from wangan.kernel.auth import Principal
from wangan.runtime import Runtime
from wangan.vulns import cases


def analyst(factory: Factory) -> Principal:
    return factory.principal(factory.user(factory.org("acme-psirt"), "analyst"))


def open_case(rt: Runtime, who: Principal, now: datetime | None = None) -> str:
    with rt.sessions.begin() as s:
        return cases.create_case(s, who, rt.vuln_rules, cases.CaseIn(title="Overflow"), now=now).number


def test_write_from_a_stale_copy_is_a_conflict_not_a_crash(rt: Runtime, factory: Factory) -> None:
    """A session that read the case before someone else changed it must get a Conflict when it
    writes (the version column catches it at flush), on every database."""
    who = analyst(factory)
    number = open_case(rt, who)
    slow = rt.sessions()
    try:
        stale = cases.get_case(slow, who, number)
        slow.commit()  # the copy stays in the session's identity map, at version 1

        with rt.sessions.begin() as fast:
            cases.update_case(fast, who, number, {"harm": "first writer"})

        with pytest.raises(Conflict, match=number):
            cases.update_case(slow, who, stale.id, {"harm": "second writer"})
    finally:
        slow.rollback()
        slow.close()

    with rt.sessions() as s:
        kept = cases.get_case(s, who, number)
        assert (kept.harm, kept.version) == ("first writer", 2)


def test_case_numbers_restart_each_year(rt: Runtime, factory: Factory) -> None:
    who = analyst(factory)
    numbers = [open_case(rt, who, datetime(2026, 12, 31, 12, tzinfo=UTC)),
               open_case(rt, who, datetime(2026, 12, 31, 13, tzinfo=UTC)),
               open_case(rt, who, datetime(2027, 1, 1, 12, tzinfo=UTC))]
    assert numbers == ["WA-2026-0001", "WA-2026-0002", "WA-2027-0001"]
