"""Applicability screening: must this purchase or this listing go to cybersecurity review?

``screen`` is a pure function of plain answers and the rules file. It answers ``required``,
``not_required`` or ``possible`` (no application is mandatory, but the member units may start a
review themselves, Art. 16), names the version of the Measures in force on the decision date, and
gives its reasons in Chinese and English with the articles they rest on. It never guesses: every
answer it cannot use is refused with a specific ``Invalid`` naming the field.

User counts (Art. 7: *more than* 1,000,000) may be given as an ``int`` or as text. Text is read
after Unicode NFKC normalisation (full-width digits and commas become ASCII) as:

- digits, optionally grouped by thousands with ``,``, ``_``, ``'`` or spaces (``1,000,001``);
  a grouping that is not in threes (``1,00,0001``) is refused as ambiguous;
- optionally followed by a unit: ``千`` ``万`` ``十万`` ``百万`` ``千万`` ``亿``, or ``k`` ``thousand`` ``m``
  ``mn`` ``million`` ``bn`` ``billion`` (a decimal part is allowed before a unit: ``1.2 million``,
  ``1.5万``), as long as the result is a whole number of users;
- optionally followed by ``users``, ``user``, ``用户``, ``名用户``, ``个用户`` or ``人``.

Bounds and estimates (``超过100万``, ``more than 1 million``, ``约100万``, ``100万+``, ``100多万``) are
refused with their own message: the threshold is strict, so ``more than 1 million`` cannot be told
apart from exactly 1,000,000. Anything else that is not a number (``lots``) is refused too.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from wangan.errors import FieldProblem, Invalid
from wangan.reviews.rules import ListingVenue, MeasuresVersion, ReviewRules


class PartyKind(enum.StrEnum):
    """Who asks: a CIIO buying a network product or service, or a platform operator listing."""

    CIIO_PROCUREMENT = "procurement"
    PLATFORM_LISTING = "listing"


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class Outcome(enum.StrEnum):
    REQUIRED = "required"  # the party must apply
    NOT_REQUIRED = "not_required"  # no application is required
    POSSIBLE = "possible"  # no duty to apply, but a review may still happen (Art. 16) or may be needed


@dataclass(frozen=True)
class ScreeningIn:
    """The answers, as plain values. ``decided_on`` is the day the purchase or listing is decided
    (for a case: its filing date); it chooses the version of the Measures."""

    party: PartyKind | str
    decided_on: date
    product_category: str | None = None
    may_affect_national_security: Answer | str | None = None
    user_count: int | str | None = None
    listing_venue: str | None = None


@dataclass(frozen=True)
class Reason:
    """One step of the answer, in both languages, with the article it rests on."""

    article: str
    zh: str
    en: str
    status: str = "confirmed"  # confirmed | interpreted, as the rule it applies


@dataclass(frozen=True)
class ScreeningResult:
    """The answer, the text of the Measures it was judged under, and why."""

    outcome: Outcome
    party: PartyKind
    measures: MeasuresVersion
    reasons: tuple[Reason, ...]
    user_count: int | None = None
    venue: ListingVenue | None = None
    product_category: str | None = None

    @property
    def articles(self) -> tuple[str, ...]:
        """The articles the answer rests on, in the order first cited."""
        seen: list[str] = []
        for r in self.reasons:
            for part in r.article.split(","):
                if part.strip() and part.strip() not in seen:
                    seen.append(part.strip())
        return tuple(seen)

    @property
    def explanation_zh(self) -> str:
        return "".join(r.zh for r in self.reasons)

    @property
    def explanation_en(self) -> str:
        return " ".join(r.en for r in self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "party": self.party.value,
            "measures": {"id": self.measures.id, "title_zh": self.measures.title_zh,
                         "title_en": self.measures.title_en, "in_force_from": self.measures.in_force_from.isoformat()},
            "articles": list(self.articles),
            "reasons": [{"article": r.article, "zh": r.zh, "en": r.en, "status": r.status} for r in self.reasons],
            "user_count": self.user_count,
            "venue": None if self.venue is None else {"id": self.venue.id, "region": self.venue.region},
            "product_category": self.product_category,
        }


# --------------------------------------------------------------------------- plain-value parsing

_UNITS: dict[str, int] = {
    "千": 1_000, "万": 10_000, "十万": 100_000, "百万": 1_000_000, "千万": 10_000_000, "亿": 100_000_000,
    "k": 1_000, "thousand": 1_000, "m": 1_000_000, "mn": 1_000_000, "million": 1_000_000,
    "bn": 1_000_000_000, "billion": 1_000_000_000,
}
_SUFFIXES = ("名用户", "个用户", "users", "user", "用户", "人")
_BOUNDS = re.compile(r"超过|超|以上|以下|多万|多|余|约|大约|左右|近|不到|不足|逾|over|more than|less than|fewer than|"
                     r"about|around|approx|approximately|nearly|almost|at least|at most|up to|[+<>~≈]")
_NUMBER = re.compile(r"(?P<int>\d+(?:[,_' ]\d+)*)(?:\.(?P<frac>\d+))?\s*(?P<unit>[a-z\u4e00-\u9fff]*)", re.ASCII)
_EXAMPLES = "write digits, e.g. 1000001, 1,000,001, 100万 or 1.2 million"


def _user_count_error(detail: str, hint: str) -> Invalid:
    return Invalid(detail, problems=[FieldProblem("user_count", hint)])


def parse_user_count(value: int | str) -> int:
    """The number of users whose personal information the operator holds, from an int or text
    (see the module docstring for what text is read). Raises ``Invalid`` on field ``user_count``."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _user_count_error(f"{value!r} is not a number of users", _EXAMPLES)
    if isinstance(value, int):
        if value < 0:
            raise _user_count_error(f"a number of users cannot be negative ({value})", "0 or more")
        return value
    text = unicodedata.normalize("NFKC", value).strip().casefold()
    if not text:
        raise _user_count_error("the number of users is empty", _EXAMPLES)
    bound = _BOUNDS.search(text)
    if bound is not None:
        raise _user_count_error(
            f"{value!r} is a bound or an estimate ({bound.group(0).strip()!r}), not a number: Art. 7 applies to "
            "MORE than 1,000,000 users, so give the exact count (or the best exact figure you hold)",
            "give the exact number, without 'more than', 'about', 超过 or 约")
    if text.startswith("-"):
        raise _user_count_error(f"a number of users cannot be negative ({value!r})", "0 or more")
    for suffix in _SUFFIXES:
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip()
            break
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise _user_count_error(f"{value!r} is not a number of users", _EXAMPLES)
    whole, frac, unit = match.group("int"), match.group("frac"), match.group("unit")
    groups = re.split(r"[,_' ]", whole)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        raise _user_count_error(f"{value!r}: the digits are not grouped in threes, so the number is ambiguous",
                                "group digits by thousands (1,000,001) or leave the separators out")
    if unit and unit not in _UNITS:
        raise _user_count_error(f"{value!r}: unknown unit {unit!r}; known: {', '.join(_UNITS)}", _EXAMPLES)
    if frac is not None and not unit:
        raise _user_count_error(f"{value!r} is not a whole number of users", "users are counted in whole numbers")
    try:
        amount = Decimal("".join(groups) + (f".{frac}" if frac else "")) * _UNITS.get(unit, 1)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
        raise _user_count_error(f"{value!r} is not a number of users", _EXAMPLES) from exc
    if amount != amount.to_integral_value():
        raise _user_count_error(f"{value!r} is {amount} users, not a whole number",
                                "users are counted in whole numbers")
    return int(amount)


def find_venue(rules: ReviewRules, text: str) -> ListingVenue:
    """The recognised listing venue named by ``text`` (an id such as NYSE, or one of its names in
    Chinese or English; case, spaces and punctuation do not matter)."""
    venue = rules.venue(text) if isinstance(text, str) else None
    if venue is None:
        known = ", ".join(f"{v.id} ({v.names[0]})" for v in rules.listing_venues)
        raise Invalid(f"listing venue {text!r} is not recognised; recognised venues: {known}",
                      problems=[FieldProblem("listing_venue", "choose one of the recognised venues")],
                      extra={"recognised": [v.id for v in rules.listing_venues]})
    return venue


def measures_on(rules: ReviewRules, day: date, field: str = "decided_on") -> MeasuresVersion:
    """The Measures in force on ``day``; before the first of them there were none, and that is an error."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise Invalid(f"{day!r} is not a calendar date", problems=[FieldProblem(field, "give a date (YYYY-MM-DD)")])
    version = rules.measures_on(day)
    if version is None:
        first = rules.first_in_force
        raise Invalid(f"the Measures for Cybersecurity Review did not exist on {day.isoformat()}: the first Measures "
                      f"came into force on {first.isoformat()}, so nothing before that day can be screened or filed",
                      problems=[FieldProblem(field, f"must be on or after {first.isoformat()}")])
    return version


# --------------------------------------------------------------------------- the screening


def _art(measures: MeasuresVersion, *topics: str) -> str:
    return ", ".join(measures.article(t) for t in topics)


def _zh_art(article: str) -> str:
    return "、".join(f"第{a.strip()}条" for a in article.split(","))


def _en_art(article: str) -> str:
    parts = [a.strip() for a in article.split(",")]
    return ("Art. " if len(parts) == 1 else "Arts. ") + " and ".join(parts)


def _version_reason(measures: MeasuresVersion, day: date) -> Reason:
    since = measures.in_force_from.isoformat()
    return Reason("", f"{day.isoformat()}适用《{measures.title_zh}》（{measures.source}，自{since}起施行）。",
                  f"On {day.isoformat()} the {measures.title_en} applied ({measures.source}, in force from {since}).",
                  measures.status)


def screen(rules: ReviewRules, answers: ScreeningIn) -> ScreeningResult:
    """Judge the answers. Raises ``Invalid`` listing every answer that cannot be used."""
    problems: list[FieldProblem] = []
    details: list[str] = []
    extra: dict[str, Any] = {}

    def refuse(exc: Invalid) -> None:
        problems.extend(exc.problems)
        details.append(exc.detail)
        extra.update(exc.extra)

    party: PartyKind | None = None
    try:
        party = PartyKind(answers.party)
    except ValueError:
        refuse(Invalid(f"unknown party {answers.party!r}: {PartyKind.CIIO_PROCUREMENT.value} (a CIIO buying a network "
                       f"product or service) or {PartyKind.PLATFORM_LISTING.value} (a platform operator listing)",
                       problems=[FieldProblem("party", "procurement or listing")]))
    measures: MeasuresVersion | None = None
    try:
        measures = measures_on(rules, answers.decided_on)
    except Invalid as exc:
        refuse(exc)

    category: str | None = None
    affect: Answer | None = None
    user_count: int | None = None
    venue: ListingVenue | None = None
    if party is PartyKind.CIIO_PROCUREMENT:
        category = (answers.product_category or "").strip()
        known = [c for c in rules.product_categories if measures is None or measures.id in c.measures]
        if category not in {c.id for c in known}:
            refuse(Invalid(f"product category {category or '(none)'!r} is not a category of network products and "
                           f"services{' under the ' + measures.title_en if measures else ''}; known: "
                           + ", ".join(c.id for c in known),
                           problems=[FieldProblem("product_category", "choose an Art. 21 category")]))
        try:
            affect = Answer(answers.may_affect_national_security or "")
        except ValueError:
            refuse(Invalid(f"may_affect_national_security must be yes, no or unsure, not "
                           f"{answers.may_affect_national_security!r}",
                           problems=[FieldProblem("may_affect_national_security", "yes, no or unsure")]))
    elif party is PartyKind.PLATFORM_LISTING:
        if answers.user_count is None:
            refuse(_user_count_error("give the number of users whose personal information the operator holds",
                                     _EXAMPLES))
        else:
            try:
                user_count = parse_user_count(answers.user_count)
            except Invalid as exc:
                refuse(exc)
        try:
            venue = find_venue(rules, answers.listing_venue or "")
        except Invalid as exc:
            refuse(exc)
    if problems or party is None or measures is None:
        raise Invalid("; ".join(details), problems=problems, extra=extra)

    if party is PartyKind.CIIO_PROCUREMENT:
        assert affect is not None and category is not None
        return _procurement(rules, measures, answers.decided_on, category, affect)
    assert venue is not None and user_count is not None
    return _listing(rules, measures, answers.decided_on, user_count, venue)


def _procurement(rules: ReviewRules, measures: MeasuresVersion, day: date, category_id: str,
                 affect: Answer) -> ScreeningResult:
    category = rules.category_by_id[category_id]
    scope = _art(measures, "scope", "prejudgment")
    pre = measures.article("prejudgment")
    ex = measures.article("ex_officio")
    cat_art = measures.article("categories")
    reasons = [
        _version_reason(measures, day),
        Reason(cat_art, f"所采购的是{_zh_art(cat_art)}所列网络产品和服务：{category.label_zh}。",
               f"What is bought is a network product or service of {_en_art(cat_art)}: {category.label_en}.",
               category.status),
    ]
    if affect is Answer.YES:
        outcome = Outcome.REQUIRED
        reasons.append(Reason(
            scope,
            "关键信息基础设施运营者采购网络产品和服务，影响或者可能影响国家安全的，"
            f"应当向网络安全审查办公室申报网络安全审查（{_zh_art(scope)}）。",
            "A CIIO buying a network product or service that affects or may affect national security must "
            f"apply to the Cybersecurity Review Office before buying ({_en_art(scope)})."))
    elif affect is Answer.NO:
        outcome = Outcome.NOT_REQUIRED
        reasons.append(Reason(
            f"{pre}, {ex}",
            f"运营者预判该采购不影响国家安全（{_zh_art(pre)}），无需申报；请保存预判记录。"
            f"成员单位认为影响或者可能影响国家安全的，仍可依职权启动审查（{_zh_art(ex)}）。",
            f"The operator prejudged that the purchase does not affect national security ({_en_art(pre)}): no "
            "application is required; keep the prejudgment record. Member units may still start a review if they "
            f"consider that it may affect national security ({_en_art(ex)}).", "interpreted"))
    else:
        outcome = Outcome.POSSIBLE
        reasons.append(Reason(
            pre,
            f"请完成{_zh_art(pre)}要求的国家安全风险预判（有行业预判指南的，依照指南）；"
            "不能排除影响国家安全的，应当申报。",
            f"Complete the national-security prejudgment {_en_art(pre)} asks for (with your sector's prejudgment "
            "guide where one exists); if an effect on national security cannot be ruled out, apply.",
            "interpreted"))
    return ScreeningResult(outcome, PartyKind.CIIO_PROCUREMENT, measures, tuple(reasons), product_category=category_id)


def _listing(rules: ReviewRules, measures: MeasuresVersion, day: date, users: int,
             venue: ListingVenue) -> ScreeningResult:
    trigger = rules.listing_trigger
    threshold = trigger.user_threshold
    above = users > threshold  # strictly: exactly the threshold does not trigger (超过)
    reasons = [_version_reason(measures, day)]
    ex = measures.article("ex_officio")
    if not measures.listing_trigger:
        scope = measures.article("scope")
        reasons.append(Reason(
            f"{scope}, {ex}",
            f"该版本办法只适用于关键信息基础设施运营者采购网络产品和服务（{_zh_art(scope)}），"
            f"没有关于国外上市申报的规定；成员单位仍可依职权启动审查（{_zh_art(ex)}）。",
            f"That text covers only CIIOs' procurement of network products and services ({_en_art(scope)}) and "
            f"has no listing trigger; member units may still start a review themselves ({_en_art(ex)}).",
            measures.articles_status))
        return ScreeningResult(Outcome.NOT_REQUIRED, PartyKind.PLATFORM_LISTING, measures, tuple(reasons),
                               user_count=users, venue=venue)
    art7 = measures.article("listing")
    count_zh = f"运营者掌握{users:,}名用户个人信息，{'超过' if above else '未超过'}{threshold:,}名"
    more = "more than" if above else "not more than"
    count_en = f"The operator holds personal information of {users:,} users, {more} {threshold:,}"
    name_zh = f"{venue.id}（{venue.names[0]}）"
    name_en = f"{venue.id}, {venue.names[0]}"
    if venue.region == "abroad" and above:
        outcome = Outcome.REQUIRED
        reasons.append(Reason(
            art7,
            f"{count_zh}，且拟在国外上市（{name_zh}）：应当向网络安全审查办公室申报网络安全审查（{_zh_art(art7)}）。",
            f"{count_en}, and plans to list abroad ({name_en}): it must apply to the Cybersecurity Review Office "
            f"({_en_art(art7)}).", trigger.status))
    elif venue.region == "abroad":
        outcome = Outcome.NOT_REQUIRED
        reasons.append(Reason(
            f"{art7}, {ex}",
            f"{count_zh}：{_zh_art(art7)}只适用于掌握超过{threshold:,}名用户个人信息的运营者，"
            f"国外上市（{name_zh}）无需申报；影响或者可能影响国家安全的数据处理活动，"
            f"成员单位仍可依职权启动审查（{_zh_art(ex)}）。",
            f"{count_en}: {_en_art(art7)} applies only to operators holding personal information of more than "
            f"{threshold:,} users, so the listing abroad ({name_en}) needs no application; member units may still "
            f"review data processing that may affect national security ({_en_art(ex)}).", trigger.status))
    elif venue.region == "hong_kong":
        outcome = Outcome.POSSIBLE if above else Outcome.NOT_REQUIRED
        if above:
            tail_zh = (f"但成员单位认为影响或者可能影响国家安全的，可以依职权启动审查（{_zh_art(ex)}），"
                       f"掌握超过{threshold:,}名用户个人信息的运营者应当预判此种可能。")
            tail_en = (f"but member units may start a review themselves when they consider that the listing may "
                       f"affect national security ({_en_art(ex)}), a possibility an operator holding personal "
                       f"information of more than {threshold:,} users should prepare for.")
        else:
            tail_zh = f"成员单位仍可依职权启动审查（{_zh_art(ex)}）。"
            tail_en = f"member units may still start a review themselves ({_en_art(ex)})."
        reasons.append(Reason(
            f"{art7}, {ex}",
            f"{count_zh}。在香港上市（{name_zh}）不属于{_zh_art(art7)}所称国外上市，无强制申报义务；{tail_zh}",
            f"{count_en}. Listing in Hong Kong ({name_en}) is not listing abroad (国外) in the sense of "
            f"{_en_art(art7)}, so no application is mandatory; {tail_en}", venue.status))
    else:
        outcome = Outcome.NOT_REQUIRED
        reasons.append(Reason(
            art7, f"{name_zh}是境内证券交易所：{_zh_art(art7)}只适用于国外上市，无需因上市申报。",
            f"{name_en} is a mainland exchange: {_en_art(art7)} covers listing abroad only, so the listing needs "
            "no application.", venue.status))
    return ScreeningResult(outcome, PartyKind.PLATFORM_LISTING, measures, tuple(reasons), user_count=users,
                           venue=venue)
