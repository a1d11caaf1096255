"""Risk-factor assessment (Art. 10) and the national-security impact analysis report (Art. 8(2)).

The party rates each factor that applies to its review (by kind and by version of the Measures)
with evidence and notes. ``build_impact_report`` turns the assessment into a structured, bilingual
document model (sections, facts, factors, conclusion) that adapters render to HTML or PDF and the
party edits before filing it in the dossier's ``impact_report`` slot. It contains no markup: text
the party typed (evidence, notes) is carried as it was written, in whatever language it was written.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, FieldProblem, Invalid
from wangan.kernel import audit
from wangan.kernel.auth import Principal
from wangan.kernel.models import Organisation
from wangan.reviews.cases import SUBJECT, actor_of, get_case, refuse_if_any, save, writable_case
from wangan.reviews.events import ReviewTag
from wangan.reviews.models import FactorAssessment, Rating, ReviewCase, ReviewKind
from wangan.reviews.rules import ReviewRules, RiskFactor

MAX_TEXT = 20_000
REPORT_SCHEMA = "wangan.review-impact-report/1"
# Most serious first: the report's overall rating is the most serious factor rating.
SEVERITY = (Rating.HIGH, Rating.MEDIUM, Rating.LOW, Rating.NONE)
RATING_LABELS: dict[Rating, tuple[str, str]] = {
    Rating.UNRATED: ("未评估", "not assessed"),
    Rating.NONE: ("无风险", "no risk"),
    Rating.LOW: ("低", "low"),
    Rating.MEDIUM: ("中", "medium"),
    Rating.HIGH: ("高", "high"),
}
KIND_LABELS: dict[ReviewKind, tuple[str, str]] = {
    ReviewKind.PROCUREMENT: ("关键信息基础设施运营者采购网络产品和服务",
                             "A CIIO's procurement of network products and services"),
    ReviewKind.LISTING: ("网络平台运营者国外上市", "A network platform operator's listing abroad"),
    ReviewKind.EX_OFFICIO: ("成员单位依职权启动的审查", "A review started ex officio by member units"),
}


def applicable_factors(rules: ReviewRules, case: ReviewCase) -> list[RiskFactor]:
    """The Art. 10 factors weighed in this case's review."""
    return rules.factors_for(case.kind.value, case.measures_version)


def _assessments(session: Session, case: ReviewCase) -> dict[str, FactorAssessment]:
    rows = session.execute(select(FactorAssessment).where(FactorAssessment.case_id == case.id)).scalars()
    return {a.factor_id: a for a in rows}


def assess_factor(session: Session, principal: Principal, rules: ReviewRules, case_ref: uuid.UUID | str,
                  factor_id: str, *, rating: Rating | str, evidence: str = "", notes: str = "",
                  expected_version: int | None = None, now: datetime | None = None) -> FactorAssessment:
    """Record (or replace) the assessment of one factor of an open case. A rating other than
    ``unrated`` needs evidence: the report must say what each rating rests on."""
    moment = now or utcnow()
    case = writable_case(session, principal, case_ref, expected_version, rules=rules)
    factors = {f.id: f for f in applicable_factors(rules, case)}
    errors = ErrorList()
    if factor_id not in factors:
        errors.add("factor_id", f"{case.kind.value} reviews under {case.measures_version} weigh "
                                f"{', '.join(factors)}")
    try:
        chosen = Rating(rating)
    except ValueError:
        errors.add("rating", f"one of {', '.join(r.value for r in Rating)}")
    for name, value in (("evidence", evidence), ("notes", notes)):
        if not isinstance(value, str):
            errors.add(name, "must be text")
        elif len(value) > MAX_TEXT:
            errors.add(name, f"at most {MAX_TEXT} characters")
    refuse_if_any(errors, "the factor was not assessed")
    if chosen is not Rating.UNRATED and not evidence.strip():
        raise Invalid(f"rating {factor_id} {chosen.value} needs evidence", problems=[
            FieldProblem("evidence", "say what the rating rests on")])
    row = _assessments(session, case).get(factor_id)
    before = None if row is None else {"rating": row.rating.value, "evidence": row.evidence, "notes": row.notes}
    if row is None:
        row = FactorAssessment(case_id=case.id, factor_id=factor_id)
        session.add(row)
    row.rating, row.evidence, row.notes = chosen, evidence, notes
    row.assessed_by, row.assessed_at = principal.user_id, moment
    save(session, case, moment)
    audit.record(session, ReviewTag.FACTOR_ASSESSED, actor_of(principal), SUBJECT, case.id, org_id=case.org_id,
                 data={"factor": factor_id, "before": before,
                       "after": {"rating": chosen.value, "evidence": evidence[:2000], "notes": notes[:2000]}})
    return row


# --------------------------------------------------------------------------- the report model


@dataclass(frozen=True)
class Text:
    """One piece of text in both languages."""

    zh: str
    en: str


@dataclass(frozen=True)
class Fact:
    label: Text
    value: str


@dataclass(frozen=True)
class Section:
    id: str
    heading: Text
    paragraphs: tuple[Text, ...] = ()
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class FactorSection:
    """One Art. 10 factor as the report shows it."""

    factor_id: str
    article: str
    title: Text
    status: str  # confirmed | interpreted: how sure the rules file is of the factor's text
    rating: Rating
    rating_label: Text
    evidence: str
    notes: str
    assessed_at: datetime | None


@dataclass(frozen=True)
class ImpactReport:
    """The national-security impact analysis report (Art. 8(2)) as a document model."""

    case_number: str
    title: Text
    party_name: str
    measures: Text
    generated_at: datetime
    sections: tuple[Section, ...]
    factors: tuple[FactorSection, ...]
    overall_rating: Rating
    unrated: tuple[str, ...]
    conclusion: Text
    schema: str = REPORT_SCHEMA
    rules: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Every applicable factor is rated."""
        return not self.unrated

    def to_dict(self) -> dict[str, Any]:
        def text(t: Text) -> dict[str, str]:
            return {"zh": t.zh, "en": t.en}

        return {
            "schema": self.schema, "rules": self.rules, "case_number": self.case_number, "title": text(self.title),
            "party_name": self.party_name, "measures": text(self.measures),
            "generated_at": self.generated_at.isoformat(), "complete": self.complete,
            "overall_rating": self.overall_rating.value, "unrated": list(self.unrated),
            "sections": [{"id": s.id, "heading": text(s.heading), "paragraphs": [text(p) for p in s.paragraphs],
                          "facts": [{"label": text(f.label), "value": f.value} for f in s.facts]}
                         for s in self.sections],
            "factors": [{"id": f.factor_id, "article": f.article, "title": text(f.title), "status": f.status,
                         "rating": f.rating.value, "rating_label": text(f.rating_label), "evidence": f.evidence,
                         "notes": f.notes, "assessed_at": f.assessed_at.isoformat() if f.assessed_at else None}
                        for f in self.factors],
            "conclusion": text(self.conclusion),
        }


def _facts(rules: ReviewRules, case: ReviewCase, org_name: str) -> tuple[Fact, ...]:
    kind_zh, kind_en = KIND_LABELS[case.kind]
    facts = [Fact(Text("审查编号", "Case number"), case.number),
             Fact(Text("当事人", "Party"), case.party_name or org_name),
             Fact(Text("审查类型", "Kind of review"), f"{kind_zh} / {kind_en}"),
             Fact(Text("申报日期", "Filed on"), case.filed_on.isoformat())]
    if case.product_name:
        facts.append(Fact(Text("网络产品和服务", "Network product or service"), case.product_name))
    category = rules.category_by_id.get(case.product_category)
    if category is not None:
        facts.append(Fact(Text("产品和服务类别", "Category"), f"{category.label_zh} / {category.label_en}"))
    if case.supplier_name:
        where = f" ({case.supplier_country})" if case.supplier_country else ""
        facts.append(Fact(Text("产品和服务提供者", "Supplier"), case.supplier_name + where))
    if case.listing_venue:
        venue = next((v for v in rules.listing_venues if v.id == case.listing_venue), None)
        facts.append(Fact(Text("上市地", "Listing venue"),
                          case.listing_venue + (f" ({venue.names[0]})" if venue else "")))
    if case.user_count is not None:
        facts.append(Fact(Text("掌握个人信息的用户数", "Users whose personal information is held"),
                          f"{case.user_count:,}"))
    return tuple(facts)


def _conclusion(overall: Rating, unrated: tuple[str, ...], high: list[str]) -> Text:
    if unrated:
        ids = ", ".join(unrated)
        return Text(f"以下风险因素尚未评估：{ids}。本报告为草稿，评估完成前不宜报送。",
                    f"These risk factors are not assessed yet: {ids}. This report is a draft and should not be filed "
                    "until they are.")
    if overall is Rating.HIGH:
        ids = ", ".join(high)
        return Text(f"当事人评估认为，{ids}风险较高，影响或者可能影响国家安全；"
                    "应当说明已采取或者拟采取的风险防范措施。",
                    f"In the party's assessment the risk of {ids} is high: the activity affects or may affect national "
                    "security. State the risk-mitigation measures taken or planned.")
    if overall is Rating.MEDIUM:
        return Text("当事人评估认为存在中等风险，可能影响国家安全；应当说明风险防范措施。",
                    "In the party's assessment there is a medium risk that the activity may affect national security. "
                    "State the risk-mitigation measures.")
    if overall is Rating.LOW:
        return Text("当事人评估认为各项风险较低。",
                    "In the party's assessment every risk factor is low.")
    return Text("当事人评估认为各项因素均未发现影响国家安全的风险。",
                "In the party's assessment none of the factors shows a risk to national security.")


def build_impact_report(rules: ReviewRules, case: ReviewCase, org_name: str,
                        assessments: Mapping[str, FactorAssessment], generated_at: datetime) -> ImpactReport:
    """The report for ``case`` from its assessments (factor id -> assessment); pure."""
    measures = rules.measures_by_id[case.measures_version]
    factors = []
    for factor in applicable_factors(rules, case):
        row = assessments.get(factor.id)
        rating = row.rating if row is not None else Rating.UNRATED
        zh, en = RATING_LABELS[rating]
        factors.append(FactorSection(
            factor_id=factor.id, article=factor.article, title=Text(factor.title_zh, factor.title_en),
            status=factor.status, rating=rating, rating_label=Text(zh, en),
            evidence=row.evidence if row is not None else "", notes=row.notes if row is not None else "",
            assessed_at=row.assessed_at if row is not None else None))
    unrated = tuple(f.factor_id for f in factors if f.rating is Rating.UNRATED)
    overall = next((r for r in SEVERITY if any(f.rating is r for f in factors)), Rating.UNRATED)
    high = [f.factor_id for f in factors if f.rating is Rating.HIGH]
    art_factors = measures.article("risk_factors")
    art_materials = measures.article("materials")
    sections = (
        Section("basics", Text("一、基本情况", "1. Basic facts"), facts=_facts(rules, case, org_name)),
        Section("method", Text("二、分析依据和方法", "2. Basis and method"), paragraphs=(
            Text(f"本报告依据《{measures.title_zh}》第{art_materials}条编制，逐项分析第{art_factors}条所列风险因素。",
                 f"This report is prepared under Art. {art_materials} of the {measures.title_en} and analyses, one "
                 f"by one, the risk factors of Art. {art_factors}."),
            Text("评级：无风险、低、中、高；未评估的因素单独列明。",
                 "Ratings: no risk, low, medium, high; factors not yet assessed are listed as such."),
        )),
        Section("factors", Text("三、风险因素分析", "3. Analysis of the risk factors"), paragraphs=tuple(
            Text(f"{f.factor_id}（第{f.article}条）{f.title.zh}：{f.rating_label.zh}。",
                 f"{f.factor_id} (Art. {f.article}) {f.title.en}: {f.rating_label.en}.") for f in factors)),
        Section("conclusion", Text("四、结论", "4. Conclusion"), paragraphs=(_conclusion(overall, unrated, high),)),
    )
    return ImpactReport(
        case_number=case.number,
        title=Text("关于影响或者可能影响国家安全的分析报告",
                   "Analysis report on the impact or possible impact on national security"),
        party_name=case.party_name or org_name, measures=Text(measures.title_zh, measures.title_en),
        generated_at=generated_at, sections=sections, factors=tuple(factors), overall_rating=overall,
        unrated=unrated, conclusion=_conclusion(overall, unrated, high),
        rules={"id": rules.id, "version": rules.version, "measures": measures.id})


def impact_report(session: Session, principal: Principal, rules: ReviewRules, case_ref: uuid.UUID | str, *,
                  now: datetime | None = None, record_event: bool = True) -> ImpactReport:
    """Generate the report of a case the principal may read; the generation is audited."""
    case = get_case(session, principal, case_ref)
    org = session.get(Organisation, case.org_id)
    report = build_impact_report(rules, case, org.name if org else "", _assessments(session, case),
                                 now or utcnow())
    if record_event:
        audit.record(session, ReviewTag.REPORT_GENERATED, actor_of(principal), SUBJECT, case.id, org_id=case.org_id,
                     data={"complete": report.complete, "overall_rating": report.overall_rating.value,
                           "unrated": list(report.unrated)})
    return report


@dataclass(frozen=True)
class FactorView:
    """One applicable factor with its assessment (None: not assessed yet)."""

    factor: RiskFactor
    assessment: FactorAssessment | None


def factor_views(session: Session, principal: Principal, rules: ReviewRules,
                 case_ref: uuid.UUID | str) -> list[FactorView]:
    """The case's applicable factors in rules-file order, with their assessments."""
    case = get_case(session, principal, case_ref)
    found = _assessments(session, case)
    return [FactorView(f, found.get(f.id)) for f in applicable_factors(rules, case)]


def require_complete(report: ImpactReport) -> None:
    """Refuse a report with unrated factors (for adapters that file it)."""
    if not report.complete:
        raise Conflict(f"the impact analysis report of {report.case_number} is a draft: factors "
                       f"{', '.join(report.unrated)} are not assessed",
                       problems=[FieldProblem(f, "not assessed") for f in report.unrated])
