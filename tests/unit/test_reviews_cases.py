"""Review cases through the services: opening, the versioned dossier, completeness starting the
clock, every transition and guard of the lifecycle, working-day clocks across real PRC holidays,
special review 45 vs 90 working days by filing date, pauses, provisional due dates, locking, audit."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest

from tests.conftest import Factory
from tests.unit.test_reviews_factories import NOW, Reviews, make_reviews
from wangan.errors import Conflict, Invalid, TooLarge
from wangan.kernel.workdays import DayKind, DayOverride, WorkCalendar, library_calendar
from wangan.reviews import cases
from wangan.reviews.cases import ReviewCaseIn
from wangan.reviews.events import ReviewTag
from wangan.runtime import Runtime

FILED = date(2025, 9, 1)
T_A = date(2025, 9, 28)  # a make-up working Sunday before National Day 2025


@pytest.fixture
def reviews(rt: Runtime, factory: Factory) -> Reviews:
    return make_reviews(rt, factory)


def determining(reviews: Reviews, filed_on: date = FILED, t_a: date = T_A, kind: str = "procurement") -> str:
    number = reviews.open(kind=kind, filed_on=filed_on)
    reviews.complete(number, t_a, kind=kind)
    return number


def consulting(reviews: Reviews, filed_on: date = FILED) -> str:
    """A case in member consultation: noticed 2025-10-10, recommendation sent 2025-11-20."""
    number = determining(reviews, filed_on, date(2025, 9, 28) if filed_on <= date(2025, 9, 28) else filed_on)
    reviews.move(number, "notice_review", date(2025, 10, 10))
    reviews.move(number, "begin_initial_review", date(2025, 10, 13))
    reviews.move(number, "send_to_members", date(2025, 11, 20))
    return number


# --------------------------------------------------------------------------- opening


def test_opening_a_procurement_case(reviews: Reviews) -> None:
    case = reviews.load(reviews.open(filed_on=date(2024, 6, 3)))
    assert (case.state.value, case.kind.value, case.measures_version) == ("preparing", "procurement", "MEASURES-2021")
    assert case.party_name == "Org party-ciio" and case.product_category == "core_network_equipment"
    assert case.clocks == [] and case.conclusion is None and case.version == 1


def test_the_version_of_the_measures_is_chosen_by_filing_date(reviews: Reviews) -> None:
    assert reviews.load(reviews.open(filed_on=date(2021, 12, 1))).measures_version == "MEASURES-2020"
    assert reviews.load(reviews.open(filed_on=date(2022, 2, 14))).measures_version == "MEASURES-2020"
    assert reviews.load(reviews.open(filed_on=date(2022, 2, 15))).measures_version == "MEASURES-2021"


def test_a_listing_case_parses_its_user_count_and_venue(reviews: Reviews) -> None:
    case = reviews.load(reviews.open(kind="listing", filed_on=date(2024, 1, 8), user_count="120万",
                                     listing_venue="纽交所"))
    assert (case.user_count, case.listing_venue) == (1_200_000, "NYSE")


@pytest.mark.parametrize(("kind", "filed_on", "fields", "message"), [
    ("procurement", date(2020, 5, 31), {}, "did not exist on 2020-05-31"),
    ("procurement", date(2026, 11, 26), {}, "lies in the future"),
    # The 2020 Measures knew no listing review: a review then was started ex officio.
    ("listing", date(2021, 7, 2), {}, "provide no listing review.*ex_officio case \\(Art. 15\\)"),
    ("procurement", FILED, {"product_category": "toasters"}, "product_category: not a category"),
    ("procurement", FILED, {"product_name": ""}, "product_name: name the network product"),
    ("listing", FILED, {"user_count": "lots"}, "'lots' is not a number of users"),
    ("listing", FILED, {"listing_venue": "Moon Exchange"}, "'Moon Exchange' is not recognised"),
    ("bribery", FILED, {}, "unknown kind"),
])
def test_opening_refuses_what_cannot_be_a_case(reviews: Reviews, kind: str, filed_on: date, fields: dict[str, str],
                                               message: str) -> None:
    with pytest.raises(Invalid, match=message):
        reviews.open(kind=kind, filed_on=filed_on, **fields)


def test_field_problems_name_the_field(reviews: Reviews) -> None:
    with pytest.raises(Invalid) as caught:
        reviews.open(kind="listing", user_count="lots", listing_venue="Mars")
    assert sorted(p.field for p in caught.value.problems) == ["listing_venue", "user_count"]
    assert "'lots' is not a number of users" in caught.value.problems[1].message


def test_an_ex_officio_review_starts_noticed_with_the_initial_review_clock(reviews: Reviews) -> None:
    number = reviews.open(kind="ex_officio", filed_on=T_A)
    case = reviews.load(number)
    assert case.state.value == "review_noticed"
    # 30 working days after the make-up Sunday 2025-09-28, across National Day.
    assert reviews.clock(number, "REV-INITIAL") == (T_A, date(2025, 11, 14), False, ())


# --------------------------------------------------------------------------- the dossier


def test_uploads_to_a_slot_are_versions_with_hashes(reviews: Reviews) -> None:
    number = reviews.open()
    first = reviews.upload(number, "application_form", data=b"draft", filename="C:\\fakepath\\form.pdf")
    second = reviews.upload(number, "application_form", data=b"final version")
    assert (first.document.version, second.document.version) == (1, 2)
    assert first.document.filename == "form.pdf"
    assert second.document.sha256 == hashlib.sha256(b"final version").hexdigest()
    assert second.document.size == len(b"final version")
    with reviews.rt.sessions() as s:
        kept = cases.document_with_content(s, reviews.viewer, number, first.document.id)
        assert kept.data == b"draft"
        status = cases.dossier_status(reviews.rt.review_rules, cases.get_case(s, reviews.viewer, number))
        (slot,) = [x for x in status.slots if x.slot.id == "application_form"]
        assert [d.version for d in slot.versions] == [1, 2] and slot.current is not None
        assert slot.current.sha256 == second.document.sha256


def test_the_clock_starts_only_when_every_required_slot_holds_a_document(reviews: Reviews) -> None:
    number = reviews.open()
    reviews.upload(number, "impact_report", filed_on=date(2025, 9, 20))
    reviews.upload(number, "other", filed_on=date(2025, 9, 21))  # not required
    partial = reviews.upload(number, "procurement_documents", filed_on=date(2025, 9, 25))
    assert not partial.completed_dossier
    assert [s.id for s in partial.dossier.missing] == ["application_form"]
    assert reviews.load(number).clocks == []
    last = reviews.upload(number, "application_form", filed_on=T_A)
    assert last.completed_dossier and last.dossier.completed_on == T_A
    case = reviews.load(number)
    assert case.state.value == "determining"
    # Art. 9: 10 working days from the make-up Sunday: 09-29, 09-30, 10-09, 10-10, 10-11 (Sat), 10-13..10-17.
    assert reviews.clock(number, "REV-DETERMINE") == (T_A, date(2025, 10, 17), False, ())


def test_t_a_is_the_day_the_dossier_became_complete_whatever_the_upload_order(reviews: Reviews) -> None:
    number = reviews.open()
    reviews.upload(number, "impact_report", filed_on=date(2025, 9, 26))
    reviews.upload(number, "procurement_documents", filed_on=date(2025, 9, 24))
    done = reviews.upload(number, "application_form", filed_on=date(2025, 9, 22))
    assert done.dossier.completed_on == date(2025, 9, 26)
    assert reviews.clock(number, "REV-DETERMINE")[0] == date(2025, 9, 26)


def test_a_dossier_completed_on_a_holiday_counts_from_the_next_working_day(reviews: Reviews) -> None:
    number = determining(reviews, t_a=date(2025, 10, 1))
    assert reviews.clock(number, "REV-DETERMINE")[:2] == (date(2025, 10, 1), date(2025, 10, 21))


def test_a_dossier_completed_before_spring_festival_2026(reviews: Reviews) -> None:
    number = determining(reviews, filed_on=date(2026, 1, 5), t_a=date(2026, 2, 6))
    # 02-09..02-13, the make-up Saturday 02-14, then 02-24..02-27 after the festival.
    assert reviews.clock(number, "REV-DETERMINE")[:2] == (date(2026, 2, 6), date(2026, 2, 27))


@pytest.mark.parametrize(("slot", "kwargs", "error", "message"), [
    ("listing_documents", {}, Invalid, "procurement cases have the slots"),
    ("application_form", {"data": b""}, Invalid, "not added"),
    ("application_form", {"filed_on": date(2025, 8, 31)}, Invalid, "not added"),
    ("application_form", {"filed_on": date(2026, 11, 26)}, Invalid, "not added"),
    ("application_form", {"filename": "  "}, Invalid, "not added"),
])
def test_uploads_that_are_refused(reviews: Reviews, slot: str, kwargs: dict[str, object], error: type[Exception],
                                  message: str) -> None:
    number = reviews.open()
    with pytest.raises(error, match=message):
        reviews.upload(number, slot, **kwargs)  # type: ignore[arg-type]


def test_an_upload_over_the_limit_is_too_large(reviews: Reviews) -> None:
    number = reviews.open()
    with reviews.rt.sessions() as s, pytest.raises(TooLarge):
        cases.upload_document(s, reviews.analyst, reviews.rt.review_rules, number, slot="other", filename="a.bin",
                              content_type="application/octet-stream", data=b"x" * 11, max_bytes=10,
                              calendar=reviews.rt.work_calendar(s), now=NOW)


# --------------------------------------------------------------------------- the lifecycle


def test_the_whole_path_without_special_review(reviews: Reviews) -> None:
    number = determining(reviews)
    reviews.move(number, "notice_review", date(2025, 10, 10))
    assert reviews.clock(number, "REV-DETERMINE")[:2] == (T_A, date(2025, 10, 17))
    assert reviews.clock(number, "REV-INITIAL")[:2] == (date(2025, 10, 10), date(2025, 11, 20))
    reviews.move(number, "begin_initial_review", date(2025, 10, 13))
    assert len([c for c in reviews.load(number).clocks if c.rule_id == "REV-INITIAL"]) == 1  # the same clock runs on
    reviews.move(number, "extend_initial_review", date(2025, 11, 3))
    assert reviews.clock(number, "REV-INITIAL")[1] == date(2025, 12, 11)  # +15 working days
    reviews.move(number, "send_to_members", date(2025, 12, 1))
    assert reviews.clock(number, "REV-CONSULT")[:2] == (date(2025, 12, 1), date(2025, 12, 22))
    reviews.move(number, "conclude_passed", date(2025, 12, 15))
    case = reviews.load(number)
    assert (case.state.value, case.conclusion.value if case.conclusion else None, case.concluded_on) == (
        "concluded", "passed", date(2025, 12, 15))
    assert case.initial_extended and case.running_clock is None
    assert [(c.rule_id, c.stopped_on, c.met) for c in case.clocks] == [
        ("REV-DETERMINE", date(2025, 10, 10), True), ("REV-INITIAL", date(2025, 12, 1), True),
        ("REV-CONSULT", date(2025, 12, 15), True)]


def test_no_review_required_is_terminal(reviews: Reviews) -> None:
    number = determining(reviews)
    reviews.move(number, "decide_not_required", date(2025, 10, 20))
    case = reviews.load(number)
    assert (case.state.value, case.conclusion.value if case.conclusion else None) == ("not_required", "not_required")
    assert [(c.rule_id, c.met) for c in case.clocks] == [("REV-DETERMINE", False)]  # decided after 10-17: late
    with pytest.raises(Conflict, match="has ended"):
        reviews.move(number, "notice_review", date(2025, 10, 21))
    with pytest.raises(Conflict, match="has ended"):
        reviews.upload(number, "other")


@pytest.mark.parametrize(("filed_on", "length", "due"), [
    # 45 working days from 2025-12-01, across New Year 2026 (01-01..01-03 off, Sunday 01-04 worked).
    (date(2021, 12, 1), 45, date(2026, 2, 3)),  # 2020 Measures
    (date(2022, 2, 14), 45, date(2026, 2, 3)),
    (date(2022, 2, 15), 90, date(2026, 4, 14)),  # 2021 Measures, across Spring Festival 2026 too
    (date(2025, 9, 1), 90, date(2026, 4, 14)),
])
def test_special_review_lasts_45_or_90_working_days_by_filing_date(reviews: Reviews, filed_on: date, length: int,
                                                                   due: date) -> None:
    number = consulting(reviews, filed_on)
    reviews.move(number, "start_special_review", date(2025, 12, 1))
    clock = next(c for c in reviews.load(number).clocks if c.rule_id == "REV-SPECIAL")
    assert (clock.length_wd, clock.due_on) == (length, due)


def test_special_review_extends_without_cap_and_concludes(reviews: Reviews) -> None:
    number = consulting(reviews)
    reviews.move(number, "start_special_review", date(2025, 12, 1))
    with pytest.raises(Invalid, match="Office's notice"):
        reviews.move(number, "extend_special_review", date(2025, 12, 2))
    reviews.move(number, "extend_special_review", date(2025, 12, 2), extension_working_days=30)
    reviews.move(number, "extend_special_review", date(2025, 12, 3), extension_working_days=60)
    case = reviews.load(number)
    assert case.special_extensions == 2
    special = case.running_clock
    assert special is not None and (special.extension_wd, special.extensions) == (90, 2)
    assert special.due_on == library_calendar().add_working_days(date(2025, 12, 1), 90 + 30 + 60).date
    reviews.move(number, "conclude_special_not_passed", date(2025, 12, 10))
    done = reviews.load(number)
    assert (done.state.value, done.conclusion.value if done.conclusion else None) == ("concluded", "not_passed")


def test_member_consultation_can_end_not_passed(reviews: Reviews) -> None:
    number = consulting(reviews)
    reviews.move(number, "conclude_not_passed", date(2025, 12, 1))
    assert reviews.load(number).conclusion is not None


def test_the_initial_review_is_extended_once_only(reviews: Reviews) -> None:
    number = determining(reviews)
    reviews.move(number, "notice_review", date(2025, 10, 10))
    reviews.move(number, "begin_initial_review", date(2025, 10, 10))
    with pytest.raises(Invalid, match="fixed at 15 working days"):
        reviews.move(number, "extend_initial_review", date(2025, 10, 20), extension_working_days=3)
    reviews.move(number, "extend_initial_review", date(2025, 10, 20))
    with pytest.raises(Conflict, match="already extended 1 time") as caught:
        reviews.move(number, "extend_initial_review", date(2025, 10, 21))
    assert [p.field for p in caught.value.problems] == ["initial_not_extended"]
    with pytest.raises(Invalid, match="'send_to_members' extends no clock"):
        reviews.move(number, "send_to_members", date(2025, 10, 21), extension_working_days=3)


@pytest.mark.parametrize(("transition_id", "error", "message"), [
    ("complete_dossier", Conflict, "happens by itself"),
    ("conclude_passed", Conflict, "only possible from member_consultation"),
    ("teleport", Invalid, "unknown transition"),
])
def test_moves_that_are_refused(reviews: Reviews, transition_id: str, error: type[Exception], message: str) -> None:
    number = reviews.open()
    with pytest.raises(error, match=message):
        reviews.move(number, transition_id, date(2025, 10, 1))


def test_a_move_dated_before_the_running_clock_or_in_the_future_is_refused(reviews: Reviews) -> None:
    number = determining(reviews)
    with pytest.raises(Invalid, match="not applied") as caught:
        reviews.move(number, "notice_review", date(2025, 9, 27))
    assert "before the start of the running clock" in caught.value.problems[0].message
    with pytest.raises(Invalid, match="not applied"):
        reviews.move(number, "notice_review", date(2026, 11, 26))


def test_available_transitions_say_what_blocks_them(reviews: Reviews) -> None:
    number = determining(reviews)
    reviews.pause(number, date(2025, 10, 9))
    with reviews.rt.sessions() as s:
        case = cases.get_case(s, reviews.analyst, number)
        moves = {t.id: [b.guard for b in blocked] for t, blocked in cases.available_transitions(reviews.rt.review_rules,
                                                                                                 case)}
    assert moves == {"decide_not_required": ["no_open_pause"], "notice_review": ["no_open_pause"]}


# --------------------------------------------------------------------------- pauses (Art. 15)


def test_a_same_day_pause_on_a_working_day_moves_the_due_date_by_one(reviews: Reviews) -> None:
    number = determining(reviews)
    result = reviews.pause(number, date(2025, 10, 14), date(2025, 10, 14))
    assert (result.due_before, result.due_after, result.working_days) == (date(2025, 10, 17), date(2025, 10, 20), 1)
    assert "covers 1 working day(s)" in result.explanation_en and "含1个工作日" in result.explanation_zh
    assert reviews.clock(number, "REV-DETERMINE")[1] == date(2025, 10, 20)


def test_a_pause_on_a_weekend_only_moves_nothing_and_says_so(reviews: Reviews) -> None:
    number = determining(reviews, t_a=date(2025, 11, 3))  # due 2025-11-17
    result = reviews.pause(number, date(2025, 11, 8), date(2025, 11, 9))
    assert (result.working_days, result.due_after) == (0, date(2025, 11, 17))
    assert "entirely on non-working days" in result.explanation_en and "不含工作日" in result.explanation_zh


def test_a_pause_on_a_holiday_moves_nothing(reviews: Reviews) -> None:
    number = determining(reviews)
    result = reviews.pause(number, date(2025, 10, 3), date(2025, 10, 3))
    assert (result.working_days, result.due_after) == (0, date(2025, 10, 17))


def test_an_open_pause_stops_the_clock_until_it_ends(reviews: Reviews) -> None:
    number = determining(reviews)
    opened = reviews.pause(number, date(2025, 10, 13))
    assert opened.due_after is None and "stands still" in opened.explanation_en
    with reviews.rt.sessions() as s:
        case = cases.get_case(s, reviews.analyst, number)
        (view,) = cases.clock_views(reviews.rt.review_rules, case, reviews.rt.work_calendar(s), date(2025, 10, 20))
        assert (view.paused_since, view.remaining_working_days, view.overdue) == (date(2025, 10, 13), None, False)
    ended = reviews.end_pause(number, date(2025, 10, 17))  # 10-13..10-17: 5 working days
    assert (ended.working_days, ended.due_after) == (5, date(2025, 10, 24))


def test_an_open_pause_blocks_a_transition_until_it_ends(reviews: Reviews) -> None:
    number = determining(reviews)
    reviews.pause(number, date(2025, 10, 9))
    with pytest.raises(Conflict, match="pause is open since 2025-10-09") as caught:
        reviews.move(number, "notice_review", date(2025, 10, 10))
    assert [p.field for p in caught.value.problems] == ["no_open_pause"]
    reviews.end_pause(number, date(2025, 10, 9))
    reviews.move(number, "notice_review", date(2025, 10, 10))
    assert reviews.load(number).state.value == "review_noticed"


@pytest.mark.parametrize(("start", "end", "error", "message"), [
    (date(2025, 10, 15), date(2025, 10, 14), Invalid, "not recorded"),  # ends before it starts
    (date(2025, 9, 27), date(2025, 9, 29), Invalid, "not recorded"),  # before the clock started
    (date(2026, 11, 26), None, Invalid, "not recorded"),  # in the future
])
def test_pauses_that_are_refused(reviews: Reviews, start: date, end: date | None, error: type[Exception],
                                 message: str) -> None:
    number = determining(reviews)
    with pytest.raises(error, match=message):
        reviews.pause(number, start, end)


def test_a_pause_ending_before_it_starts_says_so(reviews: Reviews) -> None:
    number = determining(reviews)
    with pytest.raises(Invalid) as caught:
        reviews.pause(number, date(2025, 10, 15), date(2025, 10, 14))
    assert caught.value.problems[0].message == "the pause ends (2025-10-14) before it starts (2025-10-15)"
    reviews.pause(number, date(2025, 10, 15))
    with pytest.raises(Invalid, match="not ended") as ended:
        reviews.end_pause(number, date(2025, 10, 14))
    assert "before it starts" in ended.value.problems[0].message


def test_overlapping_pauses_and_a_second_open_pause_are_conflicts(reviews: Reviews) -> None:
    number = determining(reviews)
    reviews.pause(number, date(2025, 10, 13), date(2025, 10, 15))
    with pytest.raises(Conflict, match="overlaps the pause 2025-10-13–2025-10-15"):
        reviews.pause(number, date(2025, 10, 15), date(2025, 10, 16))
    with pytest.raises(Conflict, match="overlaps"):
        reviews.pause(number, date(2025, 10, 10))  # open from before the closed one
    reviews.pause(number, date(2025, 10, 16))
    with pytest.raises(Conflict, match="already open since 2025-10-16"):
        reviews.pause(number, date(2025, 10, 20))


def test_pausing_needs_a_running_clock_and_ending_needs_an_open_pause(reviews: Reviews) -> None:
    number = reviews.open()
    with pytest.raises(Conflict, match="no running clock"):
        reviews.pause(number, date(2025, 9, 5))
    running = determining(reviews)
    with pytest.raises(Conflict, match="no open pause"):
        reviews.end_pause(running, date(2025, 10, 1))


def test_a_paused_clock_keeps_its_pauses_when_the_case_moves_on(reviews: Reviews) -> None:
    number = determining(reviews)
    reviews.pause(number, date(2025, 10, 13), date(2025, 10, 14))  # 2 working days: due 10-21
    reviews.move(number, "notice_review", date(2025, 10, 20))
    case = reviews.load(number)
    determine = case.clocks[0]
    assert (determine.due_on, determine.paused_wd, determine.met) == (date(2025, 10, 21), 2, True)
    assert case.pauses[0].working_days == 2


# --------------------------------------------------------------------------- provisional due dates


def test_a_due_date_in_2027_is_provisional_and_marked_so(reviews: Reviews) -> None:
    number = reviews.open(kind="ex_officio", filed_on=date(2026, 11, 20))
    started, due, provisional, years = reviews.clock(number, "REV-INITIAL")
    # Counted as plain Monday-to-Friday weeks in 2027, where New Year's Day is not known yet.
    assert (started, due, provisional, years) == (date(2026, 11, 20), date(2027, 1, 1), True, (2027,))
    with reviews.rt.sessions() as s:
        case = cases.get_case(s, reviews.viewer, number)
        (view,) = cases.clock_views(reviews.rt.review_rules, case, reviews.rt.work_calendar(s), date(2026, 11, 25))
    assert (view.provisional, view.unconfirmed_years, view.running) == (True, (2027,), True)
    result = reviews.pause(number, date(2026, 11, 24), date(2026, 11, 24))
    assert result.provisional and "provisional" in result.explanation_en and "暂定" in result.explanation_zh


def test_refreshing_clocks_after_2027_is_confirmed_clears_the_mark(reviews: Reviews) -> None:
    number = reviews.open(kind="ex_officio", filed_on=date(2026, 11, 20))
    confirmed = WorkCalendar(overrides=[DayOverride(date(2027, 1, 1), DayKind.HOLIDAY, "元旦 New Year's Day")],
                             confirmed_years=[2027])
    with reviews.rt.sessions.begin() as s:
        assert cases.refresh_clocks(s, confirmed) == 1
        assert cases.refresh_clocks(s, confirmed) == 0
    _started, due, provisional, years = reviews.clock(number, "REV-INITIAL")
    # New Year's Day 2027 (a Friday) is a confirmed holiday now: the due date moves from 01-01 to 01-04.
    assert (due, provisional, years) == (date(2027, 1, 4), False, ())
    with reviews.rt.sessions() as s:
        tags = [e.tag for e in cases.timeline(s, reviews.viewer, number)]
    assert ReviewTag.CLOCKS_RECOMPUTED in tags


# --------------------------------------------------------------------------- editing, locking, audit


def test_update_case_checks_every_field(reviews: Reviews) -> None:
    number = reviews.open()
    with reviews.rt.sessions.begin() as s:
        case = cases.update_case(s, reviews.analyst, reviews.rt.review_rules, number,
                                 {"supplier_name": "Other Supplier", "product_category": "cloud_services"}, now=NOW)
        assert case.version == 2
    with reviews.rt.sessions() as s, pytest.raises(Invalid) as caught:
        cases.update_case(s, reviews.analyst, reviews.rt.review_rules, number,
                          {"product_category": "toasters", "colour": "red", "title": ""})
    assert sorted(p.field for p in caught.value.problems) == ["colour", "product_category", "title"]


def test_a_stale_version_is_a_conflict(reviews: Reviews) -> None:
    number = determining(reviews)
    with reviews.rt.sessions() as s, pytest.raises(Conflict, match="changed by someone else"):
        cases.transition(s, reviews.manager, reviews.rt.review_rules, number, "notice_review",
                         calendar=reviews.rt.work_calendar(s), on=date(2025, 10, 10), expected_version=1, now=NOW)


def test_concurrent_writers_conflict_instead_of_losing_an_update(reviews: Reviews) -> None:
    number = determining(reviews)
    slow = reviews.rt.sessions()
    try:
        stale = cases.get_case(slow, reviews.analyst, number)
        slow.commit()  # the copy stays in the identity map (held by ``stale``), at version 4
        reviews.move(number, "notice_review", date(2025, 10, 10))
        with pytest.raises(Conflict, match=number):
            cases.start_pause(slow, reviews.analyst, reviews.rt.review_rules, stale.id,
                              calendar=reviews.rt.work_calendar(slow), started_on=date(2025, 10, 13),
                              reason="more", now=NOW)
    finally:
        slow.rollback()
        slow.close()


def test_every_change_is_audited(reviews: Reviews) -> None:
    number = determining(reviews)
    reviews.pause(number, date(2025, 10, 13), date(2025, 10, 13))
    reviews.move(number, "notice_review", date(2025, 10, 20))
    with reviews.rt.sessions() as s:
        events = cases.timeline(s, reviews.viewer, number)
    tags = [e.tag for e in events]
    assert tags[0] == ReviewTag.CASE_CREATED
    assert tags.count(ReviewTag.DOCUMENT_UPLOADED) == 3
    assert tags.count(ReviewTag.CASE_TRANSITIONED) == 2 and ReviewTag.PAUSE_STARTED in tags
    automatic = next(e for e in events if e.data.get("transition") == "complete_dossier")
    assert automatic.data["automatic"] is True and automatic.data["clocks"]["started"]["due_on"] == "2025-10-17"
    noticed = next(e for e in events if e.data.get("transition") == "notice_review")
    assert noticed.data["clocks"]["stopped"]["clock"] == "REV-DETERMINE"
    assert noticed.data["clocks"]["started"]["clock"] == "REV-INITIAL"


def test_list_cases_filters_and_counts(reviews: Reviews) -> None:
    determining(reviews)
    reviews.open(kind="listing")
    rules = reviews.rt.review_rules
    with reviews.rt.sessions() as s:
        assert cases.list_cases(s, reviews.viewer, rules)[1] == 2
        assert cases.list_cases(s, reviews.viewer, rules, cases.CaseFilter(state="determining"))[1] == 1
        assert cases.list_cases(s, reviews.viewer, rules, cases.CaseFilter(kind="listing"))[1] == 1
        assert cases.list_cases(s, reviews.outsider, rules)[1] == 0
        with pytest.raises(Invalid, match="unknown state"):
            cases.list_cases(s, reviews.viewer, rules, cases.CaseFilter(state="limbo"))


def test_the_case_is_found_by_number_or_id(reviews: Reviews) -> None:
    number = reviews.open()
    with reviews.rt.sessions() as s:
        case = cases.get_case(s, reviews.viewer, number)
        assert cases.get_case(s, reviews.viewer, str(case.id)) is case


def test_an_admin_opens_a_case_for_a_named_organisation(reviews: Reviews) -> None:
    with reviews.rt.sessions.begin() as s:
        case = cases.create_case(s, reviews.admin, reviews.rt.review_rules,
                                 ReviewCaseIn(kind="ex_officio", title="x", filed_on=date(2024, 1, 2),
                                              organisation_id=reviews.analyst.org_id),
                                 calendar=reviews.rt.work_calendar(s), now=datetime(2026, 1, 1, tzinfo=UTC))
        assert case.number == "CR-2026-0001" and case.org_id == reviews.analyst.org_id
