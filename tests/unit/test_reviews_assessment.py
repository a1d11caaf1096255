"""The Art. 10 risk-factor assessment and the generated national-security impact analysis report."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import Factory
from tests.unit.test_reviews_factories import NOW, Reviews, make_reviews
from wangan.errors import Conflict, Invalid
from wangan.reviews import assessment, cases
from wangan.reviews.events import ReviewTag
from wangan.reviews.models import Rating
from wangan.runtime import Runtime


@pytest.fixture
def reviews(rt: Runtime, factory: Factory) -> Reviews:
    return make_reviews(rt, factory)


def assess(reviews: Reviews, number: str, factor: str, rating: str, evidence: str = "supplier audit report 2025",
           notes: str = "") -> None:
    with reviews.rt.sessions.begin() as s:
        assessment.assess_factor(s, reviews.analyst, reviews.rt.review_rules, number, factor, rating=rating,
                                 evidence=evidence, notes=notes, now=NOW)


def report(reviews: Reviews, number: str) -> assessment.ImpactReport:
    with reviews.rt.sessions.begin() as s:
        return assessment.impact_report(s, reviews.viewer, reviews.rt.review_rules, number, now=NOW)


@pytest.mark.parametrize(("kind", "filed_on", "factors"), [
    ("procurement", date(2024, 1, 2), ["RF-1", "RF-2", "RF-3", "RF-4", "RF-5", "RF-7"]),
    ("listing", date(2024, 1, 2), ["RF-5", "RF-6", "RF-7"]),
    ("ex_officio", date(2024, 1, 2), ["RF-1", "RF-2", "RF-3", "RF-4", "RF-5", "RF-6", "RF-7"]),
    # The 2020 Measures had five factors: RF-1..RF-4 and "other".
    ("procurement", date(2021, 12, 1), ["RF-1", "RF-2", "RF-3", "RF-4", "RF-7"]),
])
def test_the_factors_weighed_depend_on_kind_and_version(reviews: Reviews, kind: str, filed_on: date,
                                                        factors: list[str]) -> None:
    number = reviews.open(kind=kind, filed_on=filed_on)
    with reviews.rt.sessions() as s:
        views = assessment.factor_views(s, reviews.viewer, reviews.rt.review_rules, number)
    assert [v.factor.id for v in views] == factors
    assert all(v.assessment is None for v in views)


def test_an_incomplete_assessment_makes_a_draft_report(reviews: Reviews) -> None:
    number = reviews.open(kind="listing", filed_on=date(2024, 1, 2))
    assess(reviews, number, "RF-5", "medium", notes="12 million users' records, stored in Guizhou")
    draft = report(reviews, number)
    assert not draft.complete and draft.unrated == ("RF-6", "RF-7")
    assert "draft" in draft.conclusion.en and "草稿" in draft.conclusion.zh
    with pytest.raises(Conflict, match="RF-6, RF-7"):
        assessment.require_complete(draft)


def test_the_report_is_a_bilingual_document_model(reviews: Reviews) -> None:
    number = reviews.open(kind="listing", filed_on=date(2024, 1, 2))
    assess(reviews, number, "RF-5", "low", notes="data stays in mainland data centres")
    assess(reviews, number, "RF-6", "high", evidence="the foreign regulator may demand audit papers")
    assess(reviews, number, "RF-7", "none")
    done = report(reviews, number)
    assert done.complete and done.overall_rating is Rating.HIGH
    assert [s.id for s in done.sections] == ["basics", "method", "factors", "conclusion"]
    facts = {f.label.en: f.value for f in done.sections[0].facts}
    assert facts["Listing venue"] == "NYSE (New York Stock Exchange)"
    assert facts["Users whose personal information is held"] == "1,000,001"
    assert done.title.zh == "关于影响或者可能影响国家安全的分析报告"
    rf6 = next(f for f in done.factors if f.factor_id == "RF-6")
    assert (rf6.rating_label.zh, rf6.rating_label.en, rf6.article) == ("高", "high", "10(6)")
    assert "RF-6" in done.conclusion.en and "RF-6" in done.conclusion.zh
    data = done.to_dict()
    assert data["schema"] == "wangan.review-impact-report/1" and data["complete"] is True
    assert data["factors"][1]["evidence"] == "the foreign regulator may demand audit papers"
    assert "<" not in str(data)  # a document model, not markup


@pytest.mark.parametrize(("ratings", "overall", "phrase"), [
    ({"RF-5": "none", "RF-6": "none", "RF-7": "none"}, Rating.NONE, "none of the factors"),
    ({"RF-5": "low", "RF-6": "none", "RF-7": "low"}, Rating.LOW, "every risk factor is low"),
    ({"RF-5": "medium", "RF-6": "low", "RF-7": "none"}, Rating.MEDIUM, "medium risk"),
])
def test_the_overall_rating_is_the_most_serious(reviews: Reviews, ratings: dict[str, str], overall: Rating,
                                                phrase: str) -> None:
    number = reviews.open(kind="listing", filed_on=date(2024, 1, 2))
    for factor, rating in ratings.items():
        assess(reviews, number, factor, rating)
    done = report(reviews, number)
    assert done.overall_rating is overall and phrase in done.conclusion.en


def test_reassessing_replaces_and_is_audited(reviews: Reviews) -> None:
    number = reviews.open(kind="listing", filed_on=date(2024, 1, 2))
    assess(reviews, number, "RF-5", "low")
    assess(reviews, number, "RF-5", "high", evidence="new leak found")
    with reviews.rt.sessions() as s:
        (view, *_rest) = assessment.factor_views(s, reviews.viewer, reviews.rt.review_rules, number)
        assert view.assessment is not None and view.assessment.rating is Rating.HIGH
        events = [e for e in cases.timeline(s, reviews.viewer, number) if e.tag == ReviewTag.FACTOR_ASSESSED]
    assert [e.data["after"]["rating"] for e in events] == ["low", "high"]
    assert events[1].data["before"]["rating"] == "low"


@pytest.mark.parametrize(("factor", "rating", "evidence", "field"), [
    ("RF-1", "low", "x", "factor_id"),  # a procurement factor on a listing case
    ("RF-99", "low", "x", "factor_id"),
    ("RF-5", "catastrophic", "x", "rating"),
    ("RF-5", "high", "  ", "evidence"),  # a rating needs evidence
])
def test_assessments_that_are_refused(reviews: Reviews, factor: str, rating: str, evidence: str, field: str) -> None:
    number = reviews.open(kind="listing", filed_on=date(2024, 1, 2))
    with pytest.raises(Invalid) as caught:
        assess(reviews, number, factor, rating, evidence=evidence)
    assert [p.field for p in caught.value.problems] == [field]


def test_generating_the_report_is_audited(reviews: Reviews) -> None:
    number = reviews.open(kind="listing", filed_on=date(2024, 1, 2))
    report(reviews, number)
    with reviews.rt.sessions() as s:
        tags = [e.tag for e in cases.timeline(s, reviews.viewer, number)]
    assert ReviewTag.REPORT_GENERATED in tags
