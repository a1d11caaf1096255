"""Enterprise size classes (large, medium, small, micro) under the 2011 SME classification Provisions
(中小企业划型标准规定, 工信部联企业〔2011〕300号), read from ``rules/sme-size-classes-2011.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from wangan.errors import Invalid
from wangan.indicators.units import CNY, CNY_10K, convert
from wangan.kernel.rules import LocatedError, RuleModel, load_rules_file

RULES_FILE = "sme-size-classes-2011.yaml"
DEFAULT_RULES_DIR = Path(__file__).resolve().parents[3] / "rules"
"""``rules/`` at the repository root."""

Status = Literal["confirmed", "interpreted"]
Size = Literal["large", "medium", "small", "micro"]
Figure = Literal["employees", "revenue"]
_ORDER: tuple[Size, ...] = ("large", "medium", "small", "micro")

SIZE_ZH: dict[Size, str] = {"large": "大型企业", "medium": "中型企业", "small": "小型企业", "micro": "微型企业"}
SIZE_EN: dict[Size, str] = {"large": "large enterprise", "medium": "medium-sized enterprise",
                            "small": "small enterprise", "micro": "micro enterprise"}


class SizeClassError(Invalid):
    """A classification that cannot be made: unknown industry, a missing or impossible figure."""

    code = "size-class-invalid"
    title = "The enterprise cannot be classified"

    def __init__(self, detail: str, *, code: str) -> None:
        super().__init__(detail)
        self.code = code


class Thresholds(RuleModel):
    """The figures an enterprise must all reach to be in a class (or above it)."""

    employees: int | None = Field(default=None, gt=0)
    revenue_wan_yuan: Decimal | None = Field(default=None, gt=0)
    status: Status
    source: str
    note: str = ""

    @model_validator(mode="after")
    def _some_figure(self) -> Thresholds:
        if self.employees is None and self.revenue_wan_yuan is None:
            raise LocatedError("a class needs employees, revenue_wan_yuan or both")
        return self

    @property
    def figures(self) -> tuple[Figure, ...]:
        """Which figures the thresholds use."""
        used: list[Figure] = []
        if self.employees is not None:
            used.append("employees")
        if self.revenue_wan_yuan is not None:
            used.append("revenue")
        return tuple(used)


class IndustryRule(RuleModel):
    """One industry of Art. 4: the thresholds of its large, medium and small classes."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str
    name_en: str
    scope_zh: str = ""
    article: str
    article_status: Status
    large: Thresholds
    medium: Thresholds
    small: Thresholds
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> IndustryRule:
        figures = self.large.figures
        for name in ("medium", "small"):
            if getattr(self, name).figures != figures:
                raise LocatedError(f"the {name} class uses other figures than the large class "
                                   f"({', '.join(figures)})", name)
        for upper, lower in (("large", "medium"), ("medium", "small")):
            high: Thresholds = getattr(self, upper)
            low: Thresholds = getattr(self, lower)
            for key in ("employees", "revenue_wan_yuan"):
                above, below = getattr(high, key), getattr(low, key)
                if above is not None and below is not None and below >= above:
                    raise LocatedError(f"{lower} {key} ({below}) must be below the {upper} threshold ({above})",
                                       lower, key)
        return self


class SizeClassRules(RuleModel):
    """The whole rules file."""

    id: str
    version: int = Field(gt=0)
    title_zh: str
    title_en: str
    source: str
    effective_from: date
    effective_from_status: Status
    note: str = ""
    industries: list[IndustryRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> SizeClassRules:
        seen: set[str] = set()
        for i, industry in enumerate(self.industries):
            if industry.id in seen:
                raise LocatedError(f"industry {industry.id!r} is defined twice", "industries", i, "id")
            seen.add(industry.id)
        return self

    @cached_property
    def by_id(self) -> dict[str, IndustryRule]:
        """The industries by id."""
        return {industry.id: industry for industry in self.industries}

    def industry(self, industry_id: str) -> IndustryRule:
        """The industry ``industry_id``, or :class:`SizeClassError` (code ``unknown-industry``)."""
        try:
            return self.by_id[industry_id]
        except KeyError:
            known = ", ".join(f"{i.id} ({i.name_zh})" for i in self.industries)
            raise SizeClassError(f"unknown industry {industry_id!r} in {self.id}; known: {known}",
                                 code="unknown-industry") from None


@dataclass(frozen=True)
class SizeClass:
    """The outcome of :func:`classify`, with the rule applied and the reason in both languages."""

    size: Size
    is_sme: bool
    rule_id: str
    article: str
    status: Status
    reason_en: str
    reason_zh: str

    @property
    def label_zh(self) -> str:
        """大型企业, 中型企业, 小型企业 or 微型企业."""
        return SIZE_ZH[self.size]

    @property
    def label_en(self) -> str:
        """The class in English."""
        return SIZE_EN[self.size]


def load_size_classes(rules_dir: Path) -> SizeClassRules:
    """Load and validate ``sme-size-classes-2011.yaml`` from ``rules_dir`` (``RulesError`` names file and line)."""
    return load_rules_file(rules_dir / RULES_FILE, SizeClassRules)


def default_size_classes() -> SizeClassRules:
    """The rules file in the repository's ``rules/`` folder."""
    return load_size_classes(DEFAULT_RULES_DIR)


def _wan(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def _check(thresholds: Thresholds, employees: int | None, revenue_wan: Decimal | None) -> list[tuple[str, str, bool]]:
    """(English condition, Chinese condition, met) for each figure the thresholds use."""
    out: list[tuple[str, str, bool]] = []
    if thresholds.employees is not None and employees is not None:
        ok = employees >= thresholds.employees
        op = "≥" if ok else "<"
        out.append((f"employees {employees} {op} {thresholds.employees}",
                    f"从业人员{employees}人{op}{thresholds.employees}人", ok))
    if thresholds.revenue_wan_yuan is not None and revenue_wan is not None:
        ok = revenue_wan >= thresholds.revenue_wan_yuan
        op = "≥" if ok else "<"
        out.append((f"revenue {_wan(revenue_wan)}万元 {op} {_wan(thresholds.revenue_wan_yuan)}万元",
                    f"营业收入{_wan(revenue_wan)}万元{op}{_wan(thresholds.revenue_wan_yuan)}万元", ok))
    return out


def classify(rules: SizeClassRules, industry_id: str, employees: int | None,
             revenue_cny: Decimal | None) -> SizeClass:
    """The size class of an enterprise of ``industry_id`` with ``employees`` persons and ``revenue_cny``
    yuan of operating revenue (营业收入) in the year.

    A class needs every figure of its thresholds reached; an enterprise missing one falls to the class
    below, down to micro. Raises :class:`SizeClassError` for an unknown industry, a figure the
    industry's thresholds need but that is missing, or a negative figure.
    """
    industry = rules.industry(industry_id)
    needed = industry.large.figures
    missing = [name for name, value in (("employees", employees), ("revenue", revenue_cny))
               if name in needed and value is None]
    if missing:
        raise SizeClassError(f"{industry.name_en} ({industry.name_zh}) is classified by {' and '.join(needed)}; "
                             f"missing: {', '.join(missing)}", code="missing-figure")
    if employees is not None and (isinstance(employees, bool) or employees < 0):
        raise SizeClassError(f"employees must be a whole number, 0 or more; got {employees!r}", code="bad-figure")
    revenue_wan: Decimal | None = None
    if revenue_cny is not None:
        if not isinstance(revenue_cny, Decimal | int) or isinstance(revenue_cny, bool):
            raise SizeClassError(f"revenue must be a Decimal amount in yuan; got {revenue_cny!r}", code="bad-figure")
        if not Decimal(revenue_cny).is_finite() or revenue_cny < 0:
            raise SizeClassError(f"revenue must be an amount in yuan, 0 or more; got {revenue_cny}", code="bad-figure")
        revenue_wan = convert(Decimal(revenue_cny), CNY, CNY_10K)

    ladder: tuple[tuple[Size, Thresholds], ...] = (
        ("large", industry.large), ("medium", industry.medium), ("small", industry.small))
    size: Size = "micro"
    met: list[tuple[str, str, bool]] = []
    failed_above: list[tuple[str, str, bool]] = []
    status: Status = industry.small.status
    for candidate, thresholds in ladder:
        checks = _check(thresholds, employees, revenue_wan)
        if all(ok for _, _, ok in checks):
            size, met, status = candidate, checks, thresholds.status
            break
        failed_above = checks
    if size == "micro":
        status = industry.small.status

    rule_id = f"{rules.id}/{industry.id}"
    parts_en = [f"{industry.name_en} (Art. {industry.article} of {rules.source})"]
    parts_zh = [f"{industry.name_zh}（{rules.source}，条款{industry.article}）"]
    if met:
        parts_en.append("meets every " + size + " threshold: " + ", ".join(en for en, _, _ in met))
        parts_zh.append(f"达到{SIZE_ZH[size]}全部标准：" + "，".join(zh for _, zh, _ in met))
    if failed_above:
        above = _ORDER[_ORDER.index(size) - 1]
        misses = [c for c in failed_above if not c[2]]
        parts_en.append(f"misses the {above} class: " + ", ".join(en for en, _, _ in misses))
        parts_zh.append(f"未达到{SIZE_ZH[above]}标准：" + "，".join(zh for _, zh, _ in misses))
    parts_en.append(f"→ {SIZE_EN[size]}" + ("" if size == "large" else " (SME)"))
    parts_zh.append(f"→ {SIZE_ZH[size]}" + ("" if size == "large" else "（属中小微型企业）"))
    return SizeClass(size=size, is_sme=size != "large", rule_id=rule_id, article=industry.article,
                     status=status, reason_en="; ".join(parts_en), reason_zh="；".join(parts_zh))
