"""Administrators' overrides and confirmed years of the PRC working-day calendar, with the database:
who may change them, what is audited, and that every process's cached calendar follows changes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Factory
from wangan.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from wangan.kernel import workday_overrides as wo
from wangan.kernel.audit import verify_chain
from wangan.kernel.auth import ANONYMOUS, Principal
from wangan.kernel.models import AuditEvent, CalendarOverride
from wangan.kernel.workdays import DayKind
from wangan.runtime import Runtime

NOTICE_2027 = "国办发明电〔2026〕X号"


@pytest.fixture
def admin(factory: Factory) -> Principal:
    return factory.principal(factory.user(None, "admin"))


def _events(rt: Runtime, prefix: str = "kernel:calendar") -> list[AuditEvent]:
    with rt.sessions() as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.tag.startswith(prefix))
                              .order_by(AuditEvent.id)).scalars())


def _enter_2027_new_year(rt: Runtime, admin: Principal) -> None:
    with rt.sessions.begin() as s:
        wo.add_override(s, admin, date(2027, 1, 1), DayKind.HOLIDAY, "元旦 New Year's Day")


def test_an_override_is_audited_listed_and_used(rt: Runtime, admin: Principal) -> None:
    with rt.sessions() as s:
        assert rt.work_calendar(s).add_working_days(date(2026, 12, 30), 3) == (date(2027, 1, 4), True, (2027,))
    _enter_2027_new_year(rt, admin)

    with rt.sessions() as s:
        assert [(o.day, o.kind, o.name) for o in wo.list_overrides(s, year=2027)] == [
            (date(2027, 1, 1), DayKind.HOLIDAY, "元旦 New Year's Day")]
        assert wo.list_overrides(s, year=2026) == []
        # Still provisional: an override alone does not confirm the year.
        assert rt.work_calendar(s).add_working_days(date(2026, 12, 30), 3) == (date(2027, 1, 5), True, (2027,))
    [event] = _events(rt)
    assert (event.tag, event.subject_type, event.subject_id, event.actor_label) == (
        "kernel:calendar-override:added", "calendar-day", "2027-01-01", admin.label)
    assert event.data["after"] == {"kind": "holiday", "name": "元旦 New Year's Day", "note": ""}


def test_confirming_2027_makes_its_answers_confirmed(rt: Runtime, admin: Principal) -> None:
    _enter_2027_new_year(rt, admin)
    with rt.sessions.begin() as s:
        wo.add_override(s, admin, date(2027, 2, 20), DayKind.WORKDAY, "春节 Spring Festival", note="a make-up Saturday")
        row = wo.confirm_year(s, admin, 2027, NOTICE_2027)
        assert (row.year, row.source_reference, row.confirmed_by) == (2027, NOTICE_2027, admin.user_id)
    with rt.sessions() as s:
        cal = rt.work_calendar(s)
        assert cal.add_working_days(date(2026, 12, 30), 3) == (date(2027, 1, 5), False, ())
        assert cal.is_working_day(date(2027, 2, 20)).working is True
        assert cal.working_days_between(date(2027, 12, 1), date(2028, 1, 5)).unconfirmed_years == (2028,)
        statuses = {y.year: y for y in wo.year_statuses(s, cal, today=date(2026, 11, 25), since=2025)}
    assert sorted(statuses) == [2025, 2026, 2027]
    assert (statuses[2026].source, statuses[2026].provisional) == ("library", False)
    assert (statuses[2027].source, statuses[2027].overrides, statuses[2027].confirmation is not None) == (
        "admin", 2, True)
    confirmed = _events(rt, "kernel:calendar-year")
    assert [(e.subject_type, e.subject_id, e.data["before"]) for e in confirmed] == [("calendar-year", "2027", None)]


def test_confirming_again_replaces_the_reference_and_is_audited(rt: Runtime, admin: Principal) -> None:
    _enter_2027_new_year(rt, admin)
    with rt.sessions.begin() as s:
        wo.confirm_year(s, admin, 2027, "draft reference")
    with rt.sessions.begin() as s:
        assert wo.confirm_year(s, admin, 2027, NOTICE_2027, note="checked").source_reference == NOTICE_2027
    second = _events(rt, "kernel:calendar-year")[-1]
    assert second.data["before"]["source_reference"] == "draft reference"
    assert second.data["after"]["source_reference"] == NOTICE_2027


def test_a_year_cannot_be_confirmed_without_a_holiday_or_when_the_library_knows_it(
        session: Session, admin: Principal) -> None:
    with pytest.raises(Invalid, match="no holiday entered"):
        wo.confirm_year(session, admin, 2027, NOTICE_2027)
    with pytest.raises(Conflict, match="already confirmed by the chinesecalendar library"):
        wo.confirm_year(session, admin, 2026, NOTICE_2027)
    with pytest.raises(Invalid) as bad:
        wo.confirm_year(session, admin, 2003, " ")
    assert {p.field for p in bad.value.problems} == {"year", "source"}


def test_the_last_holiday_of_a_confirmed_year_cannot_be_removed(rt: Runtime, admin: Principal) -> None:
    _enter_2027_new_year(rt, admin)
    with rt.sessions.begin() as s:
        wo.confirm_year(s, admin, 2027, NOTICE_2027)
    with rt.sessions.begin() as s, pytest.raises(Conflict, match="last holiday"):
        wo.remove_override(s, admin, date(2027, 1, 1))
    with rt.sessions.begin() as s:
        wo.add_override(s, admin, date(2027, 1, 2), DayKind.HOLIDAY, "元旦 New Year's Day")
    with rt.sessions.begin() as s:
        removed = wo.remove_override(s, admin, date(2027, 1, 1))
        assert removed.day == date(2027, 1, 1)
    assert _events(rt)[-1].data["before"]["name"] == "元旦 New Year's Day"


def test_removing_gives_the_day_back_to_the_library(rt: Runtime, admin: Principal) -> None:
    with rt.sessions.begin() as s:
        wo.add_override(s, admin, date(2025, 1, 26), DayKind.HOLIDAY, "correction")
    with rt.sessions() as s:
        assert rt.work_calendar(s).is_working_day(date(2025, 1, 26)).working is False
    with rt.sessions.begin() as s:
        wo.remove_override(s, admin, date(2025, 1, 26))
    with rt.sessions() as s:
        assert rt.work_calendar(s).is_working_day(date(2025, 1, 26)).working is True
        with pytest.raises(NotFound):
            wo.remove_override(s, admin, date(2025, 1, 26))
    assert [e.tag for e in _events(rt)] == ["kernel:calendar-override:added", "kernel:calendar-override:removed"]
    with rt.sessions() as s:
        assert verify_chain(s)[1] == []


def test_a_day_has_one_override(session: Session, admin: Principal) -> None:
    wo.add_override(session, admin, date(2027, 1, 1), "holiday", "元旦 New Year's Day")
    with pytest.raises(Conflict, match="remove it first"):
        wo.add_override(session, admin, date(2027, 1, 1), "workday", "x")


def test_override_input_is_checked_all_at_once(session: Session, admin: Principal) -> None:
    with pytest.raises(Invalid) as bad:
        wo.add_override(session, admin, date(2003, 12, 31), "fun", "  ", note="x" * 3000)
    assert {p.field for p in bad.value.problems} == {"date", "kind", "name", "note"}
    with pytest.raises(Invalid, match="outside"):
        wo.list_overrides(session, year=1999)
    assert session.execute(select(CalendarOverride)).first() is None


@pytest.mark.parametrize("who", ["anonymous", "manager", "read-only admin token"])
def test_only_administrators_change_the_calendar(session: Session, factory: Factory, admin: Principal,
                                                  who: str) -> None:
    principal = {
        "anonymous": ANONYMOUS,
        "manager": factory.principal(factory.user(factory.org(), "manager")),
        "read-only admin token": dataclasses.replace(admin, scopes=frozenset({"read"})),
    }[who]
    expected = Unauthenticated if who == "anonymous" else Forbidden
    with pytest.raises(expected):
        wo.add_override(session, principal, date(2027, 1, 1), "holiday", "元旦")
    with pytest.raises(expected):
        wo.remove_override(session, principal, date(2027, 1, 1))
    with pytest.raises(expected):
        wo.confirm_year(session, principal, 2027, NOTICE_2027)


def test_the_cached_calendar_is_reused_until_a_change(rt: Runtime, admin: Principal) -> None:
    with rt.sessions() as s:
        first = rt.work_calendar(s)
    with rt.sessions() as s:
        assert rt.work_calendar(s) is first
    _enter_2027_new_year(rt, admin)
    with rt.sessions() as s:
        changed = rt.work_calendar(s)
    assert changed is not first and changed.is_working_day(date(2027, 1, 1)).working is False


def test_a_change_made_elsewhere_is_seen(rt: Runtime, admin: Principal) -> None:
    # Another process has its own cache; the shared generation counter tells this one to rebuild.
    elsewhere = wo.WorkCalendarCache()
    with rt.sessions() as s:
        assert elsewhere.get(s).is_working_day(date(2027, 1, 1)).working is True
    _enter_2027_new_year(rt, admin)
    with rt.sessions() as s:
        assert elsewhere.get(s).is_working_day(date(2027, 1, 1)).working is False


def test_a_rolled_back_change_never_reaches_the_cache(rt: Runtime, admin: Principal) -> None:
    with rt.sessions() as s:
        wo.add_override(s, admin, date(2027, 1, 1), DayKind.HOLIDAY, "元旦")
        assert rt.work_calendar(s).is_working_day(date(2027, 1, 1)).working is False  # its own change
        s.rollback()
    with rt.sessions() as s:
        assert rt.work_calendar(s).is_working_day(date(2027, 1, 1)).working is True


def test_year_statuses_reach_next_year(session: Session, rt: Runtime) -> None:
    cal = rt.work_calendar(session)
    rows = wo.year_statuses(session, cal, today=datetime(2026, 11, 25, tzinfo=UTC).date())
    assert rows[0].year == 2004 and rows[-1].year == 2027
    assert [r.source for r in rows[-2:]] == ["library", "provisional"]
