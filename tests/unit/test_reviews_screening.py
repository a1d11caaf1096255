"""Applicability screening (Arts. 2, 5, 7, 16, 21): a table of answers and what the screening says,
the parsing of user counts given as text, and every answer it refuses, each with its own message."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from wangan.errors import Invalid
from wangan.reviews.rules import ReviewRules, default_review_rules
from wangan.reviews.screening import Outcome, ScreeningIn, parse_user_count, screen

RULES: ReviewRules = default_review_rules()
AFTER_2021 = date(2024, 6, 1)


def listing(users: int | str, venue: str = "NYSE", on: date = AFTER_2021) -> ScreeningIn:
    return ScreeningIn(party="listing", decided_on=on, user_count=users, listing_venue=venue)


def procurement(affect: str, category: str = "cloud_services", on: date = AFTER_2021) -> ScreeningIn:
    return ScreeningIn(party="procurement", decided_on=on, product_category=category,
                       may_affect_national_security=affect)


@pytest.mark.parametrize(("answers", "outcome", "measures", "articles"), [
    # Art. 7: strictly MORE than 1,000,000 users, listing abroad.
    (listing(1_000_000), Outcome.NOT_REQUIRED, "MEASURES-2021", ("7", "16")),
    (listing(1_000_001), Outcome.REQUIRED, "MEASURES-2021", ("7",)),
    (listing("1,000,001"), Outcome.REQUIRED, "MEASURES-2021", ("7",)),
    (listing("100万"), Outcome.NOT_REQUIRED, "MEASURES-2021", ("7", "16")),
    (listing("1.2 million", "NASDAQ"), Outcome.REQUIRED, "MEASURES-2021", ("7",)),
    (listing(5_000_000, "纽交所"), Outcome.REQUIRED, "MEASURES-2021", ("7",)),
    (listing(5_000_000, "tokyo stock exchange"), Outcome.REQUIRED, "MEASURES-2021", ("7",)),
    # Hong Kong is not 国外: nothing mandatory, but Art. 16 review is possible.
    (listing(5_000_000, "Hong Kong"), Outcome.POSSIBLE, "MEASURES-2021", ("7", "16")),
    (listing(5_000_000, "HKEX"), Outcome.POSSIBLE, "MEASURES-2021", ("7", "16")),
    (listing(10_000, "香港联合交易所"), Outcome.NOT_REQUIRED, "MEASURES-2021", ("7", "16")),
    # A mainland exchange is not abroad.
    (listing(50_000_000, "SSE"), Outcome.NOT_REQUIRED, "MEASURES-2021", ("7",)),
    (listing(50_000_000, "深交所"), Outcome.NOT_REQUIRED, "MEASURES-2021", ("7",)),
    # Before 2022-02-15 the 2020 Measures apply: no listing trigger at all.
    (listing(50_000_000, on=date(2021, 12, 1)), Outcome.NOT_REQUIRED, "MEASURES-2020", ("2", "15")),
    (listing(50_000_000, on=date(2022, 2, 14)), Outcome.NOT_REQUIRED, "MEASURES-2020", ("2", "15")),
    (listing(50_000_000, on=date(2022, 2, 15)), Outcome.REQUIRED, "MEASURES-2021", ("7",)),
    # CIIO procurement (Arts. 2, 5; categories of Art. 21, 2020: Art. 20).
    (procurement("yes"), Outcome.REQUIRED, "MEASURES-2021", ("21", "2", "5")),
    (procurement("no"), Outcome.NOT_REQUIRED, "MEASURES-2021", ("21", "5", "16")),
    (procurement("unsure"), Outcome.POSSIBLE, "MEASURES-2021", ("21", "5")),
    (procurement("yes", on=date(2021, 12, 1)), Outcome.REQUIRED, "MEASURES-2020", ("20", "2", "5")),
    (procurement("yes", on=date(2020, 6, 1)), Outcome.REQUIRED, "MEASURES-2020", ("20", "2", "5")),
])
def test_screening_table(answers: ScreeningIn, outcome: Outcome, measures: str, articles: tuple[str, ...]) -> None:
    result = screen(RULES, answers)
    assert result.outcome is outcome
    assert result.measures.id == measures
    assert result.articles == articles
    assert result.explanation_zh and result.explanation_en


def test_the_answer_explains_itself_in_both_languages() -> None:
    required = screen(RULES, listing("1,000,001"))
    assert "1,000,001" in required.explanation_en and "more than 1,000,000" in required.explanation_en
    assert "超过1,000,000名" in required.explanation_zh and "第7条" in required.explanation_zh
    exactly = screen(RULES, listing(1_000_000))
    assert "not more than 1,000,000" in exactly.explanation_en and "未超过" in exactly.explanation_zh
    hong_kong = screen(RULES, listing(5_000_000, "Hong Kong"))
    assert "not listing abroad" in hong_kong.explanation_en and "Art. 16" in hong_kong.explanation_en
    assert "第16条" in hong_kong.explanation_zh
    old = screen(RULES, listing(50_000_000, on=date(2021, 12, 1)))
    assert "Measures for Cybersecurity Review (2020)" in old.explanation_en
    assert "no listing trigger" in old.explanation_en


def test_the_result_serialises_for_the_api() -> None:
    data = screen(RULES, listing(5_000_000, "nyse")).to_dict()
    assert data["outcome"] == "required" and data["venue"] == {"id": "NYSE", "region": "abroad"}
    assert data["measures"]["id"] == "MEASURES-2021" and data["articles"] == ["7"]
    assert {r["status"] for r in data["reasons"]} <= {"confirmed", "interpreted"}


@pytest.mark.parametrize(("text", "expected"), [
    ("1000001", 1_000_001), ("1,000,001", 1_000_001), ("1 000 001", 1_000_001), ("1_000_001", 1_000_001),
    ("１，０００，００１", 1_000_001),  # full-width digits and comma
    ("100万", 1_000_000), ("100.0001万", 1_000_001), ("1.5万", 15_000), ("1.2亿", 120_000_000),
    ("1.2 million", 1_200_000), ("1.2M", 1_200_000), ("3 thousand", 3_000), ("2k", 2_000),
    ("1000001 users", 1_000_001), ("100万用户", 1_000_000), ("120万名用户", 1_200_000), ("0", 0),
])
def test_user_counts_given_as_text(text: str, expected: int) -> None:
    assert parse_user_count(text) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("lots", "is not a number of users"),
    ("", "is empty"),
    ("超过100万", "is a bound or an estimate"),
    ("more than 1 million", "is a bound or an estimate"),
    ("约120万", "is a bound or an estimate"),
    ("100多万", "is a bound or an estimate"),
    ("1,000,000+", "is a bound or an estimate"),
    ("-5", "cannot be negative"),
    (-5, "cannot be negative"),
    ("1,00,0001", "not grouped in threes"),
    ("1000000.5", "not a whole number"),
    ("1.23456 万", "not a whole number"),
    ("12 dozen", "unknown unit"),
    ("1e6", "is not a number of users"),
    (True, "is not a number of users"),
])
def test_user_counts_that_are_refused(value: Any, message: str) -> None:
    with pytest.raises(Invalid, match=message) as caught:
        parse_user_count(value)
    assert [p.field for p in caught.value.problems] == ["user_count"]


def test_a_user_count_that_is_not_a_number_is_refused_by_the_screening() -> None:
    with pytest.raises(Invalid, match="'lots' is not a number of users") as caught:
        screen(RULES, listing("lots"))
    assert [p.field for p in caught.value.problems] == ["user_count"]


def test_an_unrecognised_venue_is_refused_naming_the_recognised_ones() -> None:
    with pytest.raises(Invalid, match="'Moon Exchange' is not recognised") as caught:
        screen(RULES, listing(5_000_000, "Moon Exchange"))
    assert "NYSE" in caught.value.detail and "HKEX" in caught.value.detail and "SSE" in caught.value.detail
    assert caught.value.extra["recognised"] == [v.id for v in RULES.listing_venues]
    assert [p.field for p in caught.value.problems] == ["listing_venue"]


@pytest.mark.parametrize("day", [date(2020, 5, 31), date(2019, 1, 1)])
def test_dates_before_the_measures_existed_are_refused(day: date) -> None:
    with pytest.raises(Invalid, match=r"did not exist on .*came into force on 2020-06-01") as caught:
        screen(RULES, procurement("yes", on=day))
    assert [p.field for p in caught.value.problems] == ["decided_on"]


def test_every_unusable_answer_is_reported_at_once() -> None:
    answers = ScreeningIn(party="listing", decided_on=date(2019, 1, 1), user_count="lots", listing_venue="Mars")
    with pytest.raises(Invalid) as caught:
        screen(RULES, answers)
    assert sorted(p.field for p in caught.value.problems) == ["decided_on", "listing_venue", "user_count"]


@pytest.mark.parametrize(("answers", "field"), [
    (ScreeningIn(party="investor", decided_on=AFTER_2021), "party"),
    (procurement("maybe"), "may_affect_national_security"),
    (procurement("yes", category="toasters"), "product_category"),
    # Important telecom products were added to the list in 2021.
    (procurement("yes", category="important_telecom_products", on=date(2021, 1, 4)), "product_category"),
    (ScreeningIn(party="listing", decided_on=AFTER_2021, listing_venue="NYSE"), "user_count"),
    (ScreeningIn(party="procurement", decided_on=datetime(2024, 6, 1), product_category="cloud_services",  # type: ignore[arg-type]
                 may_affect_national_security="yes"), "decided_on"),
])
def test_specific_errors_name_their_field(answers: ScreeningIn, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        screen(RULES, answers)
    assert [p.field for p in caught.value.problems] == [field]
