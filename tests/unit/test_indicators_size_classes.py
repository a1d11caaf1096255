"""SME size classes (工信部联企业〔2011〕300号) from ``rules/sme-size-classes-2011.yaml``: the thresholds,
their boundaries, the reasons given, and that a wrong file is refused with its line."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from wangan.errors import Invalid
from wangan.indicators.size_classes import (
    RULES_FILE,
    SizeClassError,
    SizeClassRules,
    classify,
    default_size_classes,
    load_size_classes,
)
from wangan.kernel.rules import RulesError

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
TEXT = (RULES_DIR / RULES_FILE).read_text(encoding="utf-8")
WAN = Decimal(10_000)  # yuan in one 万元


@pytest.fixture(scope="module")
def rules() -> SizeClassRules:
    return default_size_classes()


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / RULES_FILE).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_file_holds_the_industries(rules: SizeClassRules) -> None:
    assert rules.id == "SME-CLASS-2011"
    assert rules.source == "工信部联企业〔2011〕300号"
    assert {i.id for i in rules.industries} >= {"software_it_services", "industry"}
    software = rules.industry("software_it_services")
    assert software.name_zh == "软件和信息技术服务业"
    assert (software.large.employees, software.large.revenue_wan_yuan) == (300, Decimal(10000))
    assert (software.medium.employees, software.medium.revenue_wan_yuan) == (100, Decimal(1000))
    assert (software.small.employees, software.small.revenue_wan_yuan) == (10, Decimal(50))
    industry = rules.industry("industry")
    assert [(t.employees, t.revenue_wan_yuan) for t in (industry.large, industry.medium, industry.small)] == [
        (1000, Decimal(40000)), (300, Decimal(2000)), (20, Decimal(300))]


def test_every_threshold_says_how_sure_it_is(rules: SizeClassRules) -> None:
    for industry in rules.industries:
        for thresholds in (industry.large, industry.medium, industry.small):
            assert thresholds.status in ("confirmed", "interpreted")
            assert "300号" in thresholds.source


@pytest.mark.parametrize(("employees", "revenue_wan", "size"), [
    (100, Decimal(1000), "medium"),
    (99, Decimal(1000), "small"),
    (100, Decimal("999.99"), "small"),
    (299, Decimal(99_999), "medium"),
    (300, Decimal(10_000), "large"),
    (300, Decimal("9999.99"), "medium"),     # one figure below the ceiling keeps it an SME
    (5000, Decimal(9999), "medium"),
    (50, Decimal(1_000_000), "small"),
    (10, Decimal(50), "small"),
    (9, Decimal(50), "micro"),
    (10, Decimal("49.99"), "micro"),
    (0, Decimal(0), "micro"),
])
def test_software_boundaries(rules: SizeClassRules, employees: int, revenue_wan: Decimal, size: str) -> None:
    result = classify(rules, "software_it_services", employees, revenue_wan * WAN)
    assert result.size == size
    assert result.is_sme is (size != "large")
    assert result.rule_id == "SME-CLASS-2011/software_it_services"
    assert result.status == "interpreted"


@pytest.mark.parametrize(("employees", "revenue_wan", "size"), [
    (1000, Decimal(40000), "large"),
    (999, Decimal(40000), "medium"),
    (1000, Decimal("39999.99"), "medium"),
    (300, Decimal(2000), "medium"),
    (299, Decimal(2000), "small"),
    (20, Decimal(300), "small"),
    (19, Decimal(300), "micro"),
    (20, Decimal("299.99"), "micro"),
])
def test_industry_boundaries(rules: SizeClassRules, employees: int, revenue_wan: Decimal, size: str) -> None:
    assert classify(rules, "industry", employees, revenue_wan * WAN).size == size


def test_the_reason_names_the_figures(rules: SizeClassRules) -> None:
    result = classify(rules, "software_it_services", 100, Decimal("9999900"))
    assert result.size == "small"
    assert "revenue 999.99万元 < 1,000万元" in result.reason_en
    assert "misses the medium class" in result.reason_en
    assert "营业收入999.99万元<1,000万元" in result.reason_zh
    assert result.reason_zh.endswith("小型企业（属中小微型企业）")
    assert result.label_zh == "小型企业"
    large = classify(rules, "software_it_services", 300, Decimal(100_000_000))
    assert large.reason_en.endswith("→ large enterprise")
    assert large.label_en == "large enterprise"


def test_an_employees_only_industry_needs_no_revenue(rules: SizeClassRules) -> None:
    assert classify(rules, "other", 100, None).size == "medium"
    assert classify(rules, "other", 9, None).size == "micro"
    assert classify(rules, "other", 300, None).size == "large"


@pytest.mark.parametrize(("industry", "employees", "revenue", "code", "message"), [
    ("bakery", 10, Decimal(1), "unknown-industry", "unknown industry 'bakery' in SME-CLASS-2011; known: industry"),
    ("software_it_services", None, Decimal(1), "missing-figure", "classified by employees and revenue; missing: "
     "employees"),
    ("industry", None, None, "missing-figure", "missing: employees, revenue"),
    ("software_it_services", -1, Decimal(1), "bad-figure", "employees must be a whole number, 0 or more"),
    ("software_it_services", 1, Decimal(-1), "bad-figure", "revenue must be an amount in yuan, 0 or more"),
    ("software_it_services", 1, 1.5, "bad-figure", "revenue must be a Decimal amount in yuan"),
])
def test_what_cannot_be_classified(rules: SizeClassRules, industry: str, employees: int | None,
                                   revenue: Decimal | None, code: str, message: str) -> None:
    with pytest.raises(SizeClassError, match=message) as caught:
        classify(rules, industry, employees, revenue)
    assert caught.value.code == code
    assert isinstance(caught.value, Invalid)


def test_the_file_loads_from_another_directory(tmp_path: Path) -> None:
    assert load_size_classes(write(tmp_path, TEXT)) == default_size_classes()


@pytest.mark.parametrize(("old", "new", "problem", "at"), [
    ("      employees: 100\n      revenue_wan_yuan: 1000\n      status: interpreted\n"
     "      source: 工信部联企业〔2011〕300号 第四条（十二）",
     "      employees: 100\n      revenue_wan_yuan: 20000\n      status: interpreted\n"
     "      source: 工信部联企业〔2011〕300号 第四条（十二）",
     "must be below the large threshold", "      revenue_wan_yuan: 20000"),
    ("  - id: wholesale", "  - id: industry", "defined twice", "  - id: industry\n    name_zh: 批发业"),
    ("      employees: 20\n      revenue_wan_yuan: 300\n      status: interpreted",
     "      employees: 20\n      revenue_wan_yuan: 300\n      status: guessed", "confirmed", "      status: guessed"),
    ("    name_en: Wholesale\n", "    name_en: Wholesale\n    colour: blue\n", "Extra inputs", "    colour: blue"),
])
def test_a_wrong_file_is_refused_with_its_line(tmp_path: Path, old: str, new: str, problem: str, at: str) -> None:
    assert old in TEXT, old
    broken = TEXT.replace(old, new, 1)
    with pytest.raises(RulesError, match=problem) as caught:
        load_size_classes(write(tmp_path, broken))
    assert f"{RULES_FILE}:{line_of(broken, at)}:" in str(caught.value)


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    broken = TEXT.replace("    name_en: Wholesale\n", "    name_en: [Wholesale\n", 1)
    with pytest.raises(RulesError, match="not valid YAML") as caught:
        load_size_classes(write(tmp_path, broken))
    assert re.match(rf"{re.escape(str(tmp_path / RULES_FILE))}:\d+: not valid YAML", str(caught.value))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=f"{RULES_FILE}: cannot read rules file"):
        load_size_classes(tmp_path)
