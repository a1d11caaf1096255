"""Chinese for the Action Plan monitor's domain messages (``wangan.web.i18n_indicators_domain``).

Messages of pure functions are produced by calling them with bad input; messages raised only with a
database are copied here from the f-strings of their raise sites, with sample values."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC
from decimal import Decimal
from functools import partial
from typing import Any

import pytest

from wangan.errors import DomainError, Invalid
from wangan.indicators import computations, credit_code, imports, size_classes, tabular, units
from wangan.indicators.computations import ComputationError, Point, Target, Thresholds
from wangan.web.i18n_indicators_domain import INDICATORS_DOMAIN_ZH, INDICATORS_DOMAIN_ZH_PATTERNS

CJK = re.compile(r"[\u4e00-\u9fff]")


def zh(message: str) -> str:
    """What ``domain_text("zh", message)`` gives with only the indicator entries."""
    if message in INDICATORS_DOMAIN_ZH:
        return INDICATORS_DOMAIN_ZH[message]
    for pattern, template in INDICATORS_DOMAIN_ZH_PATTERNS:
        found = pattern.fullmatch(message)
        if found:
            return template.format(*found.groups())
    return message


def first_pattern(message: str) -> int | None:
    for index, (pattern, _) in enumerate(INDICATORS_DOMAIN_ZH_PATTERNS):
        if pattern.fullmatch(message):
            return index
    return None


def assert_translated(message: str) -> str:
    text = zh(message)
    assert text != message, f"no Chinese for {message!r}"
    assert CJK.search(text), f"{message!r} -> {text!r} has no Chinese"
    assert "{" not in text and "}" not in text, f"unfilled placeholder in {text!r}"
    return text


def assert_error_translated(exc: DomainError) -> None:
    assert_translated(exc.detail)
    for problem in exc.problems:
        assert_translated(problem.message)
        if isinstance(exc, tabular.TableError):
            assert_translated(problem.field)


# --------------------------------------------------------------------------- tabular: cells, called

CellParser = Callable[..., object]


@pytest.mark.parametrize(("parse", "text"), [
    (tabular.parse_decimal, "abc"), (tabular.parse_decimal, ""), (tabular.parse_decimal, "1e5"),
    (tabular.parse_decimal, "9" * 61), (tabular.parse_decimal, "1,00"), (tabular.parse_int, "2.5"),
    (tabular.parse_year, "1800"), (tabular.parse_year, "12年"), (tabular.parse_bool, "maybe"),
    (tabular.parse_date, ""), (tabular.parse_date, "July 2021"), (tabular.parse_date, "2021-02-30"),
])
def test_cell_errors_translate(parse: CellParser, text: str) -> None:
    with pytest.raises(tabular.CellError) as caught:
        parse(text, row=2, column="value (C)")
    assert_translated(caught.value.problem.message)
    assert zh(caught.value.problem.field_name()) == "第 2 行,value (C) 列"


@pytest.mark.parametrize("text", ["", "2021", "2021-02-30T10:00", "2021-07-16T25:00"])
def test_datetime_cell_errors_translate(text: str) -> None:
    with pytest.raises(tabular.CellError) as caught:
        tabular.parse_datetime(text, row=3, column="vintage", default_tz=UTC)
    assert_translated(caught.value.problem.message)


def test_collected_problems_translate() -> None:
    collector = tabular.ProblemCollector()
    collector.check(tabular.parse_decimal, "x", row=2, column="value")
    collector.check(tabular.parse_year, "3000", row=4, column="year")
    collector.report(None, None, "the file has a header but no rows")
    with pytest.raises(tabular.TableError) as caught:
        collector.raise_if_any()
    assert zh(caught.value.detail) == "共 3 个问题,涉及 2 行;未导入任何数据"
    assert_error_translated(caught.value)
    assert zh("file") == "文件"


# --------------------------------------------------------------------------- tabular: files, called


def _xlsx(rows: list[list[Any]], *, merge: str | None = None, title: str = "Sheet") -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


REQUIRED = ("year", "value")
GOOD_CSV = b"year,value\n2021,1\n"

FILES: list[tuple[bytes, str, dict[str, Any]]] = [
    (GOOD_CSV, "data.txt", {}),
    (GOOD_CSV, "data", {}),
    (GOOD_CSV, "data.xls", {}),
    (b"PK\x03\x04 not really", "data.csv", {}),
    (GOOD_CSV, "data.xlsx", {}),
    (b"PK\x03\x04 not really a zip", "data.xlsx", {}),
    (b"", "data.csv", {}),
    (b"year,value\n", "data.csv", {}),
    (b"year,value\n2021,\x00\n", "data.csv", {}),
    (b"year,value\n2021,\xff\xff\n", "data.csv", {}),
    (GOOD_CSV * 3, "data.csv", {"max_bytes": 10}),
    (b"year,value\n2021,1\n2022,2\n", "data.csv", {"max_rows": 1}),
    (b"year,colour\n2021,red\n", "data.csv", {}),
    (b"year,Year,value\n2021,2021,1\n", "data.csv", {}),
    (b"value\n1\n", "data.csv", {}),
    (b"foo\n1\n", "data.csv", {}),
    (b"year,value\n2021,1,extra\n", "data.csv", {}),
    (b"year,value\n2021," + b"x" * 140_000 + b"\n", "data.csv", {}),
]


@pytest.mark.parametrize(("data", "filename", "options"), FILES)
def test_file_errors_translate(data: bytes, filename: str, options: dict[str, Any]) -> None:
    with pytest.raises(tabular.TableError) as caught:
        tabular.read_table(data, filename, required=REQUIRED, **options)
    assert_error_translated(caught.value)


@pytest.mark.parametrize(("rows", "options"), [
    ([["year", "value"], [2021, 1, "stray"]], {}),
    ([["year", "value"], [2021, 1]], {"sheet": "Data"}),
    ([["year", "value"], [2021, 1], [None, 2]], {"merge": "A2:A3"}),
    ([["year", "value"], [2021, 1]] + [[None, i] for i in range(300)], {"merge": "A2:A302"}),
])
def test_xlsx_errors_translate(rows: list[list[Any]], options: dict[str, Any]) -> None:
    sheet = options.pop("sheet", None)
    data = _xlsx(rows, **options)
    with pytest.raises(tabular.TableError) as caught:
        tabular.read_table(data, "data.xlsx", required=REQUIRED, sheet=sheet)
    assert_error_translated(caught.value)


def test_whole_file_detail_keeps_the_figures() -> None:
    with pytest.raises(tabular.TableError) as caught:
        tabular.read_table(b"year,value\n2021,1\n2022,2\n", "data.csv", required=REQUIRED, max_rows=1)
    assert zh(caught.value.detail) == "文件的数据行超过 1 行;请拆分为较小的文件;未导入任何数据"


# --------------------------------------------------------------------------- units, credit codes, size classes


@pytest.mark.parametrize("call", [
    lambda: units.parse_unit("furlongs"),
    lambda: units.convert(Decimal("NaN"), "元", "万元"),
    lambda: units.convert(Decimal(1), "元", "美元"),
    lambda: units.convert(Decimal(1), "元", "%"),
])
def test_unit_errors_translate(call: Callable[[], object]) -> None:
    with pytest.raises(units.UnitError) as caught:
        call()
    assert_error_translated(caught.value)


def test_unknown_unit_keeps_the_units() -> None:
    with pytest.raises(units.UnitError) as caught:
        units.parse_unit("furlongs")
    text = zh(caught.value.detail)
    assert text.startswith("未知的单位 'furlongs';可用单位:") and "亿元 (CNY 100m)" in text


VALID_CODE = "91350100M000100Y43"


@pytest.mark.parametrize("raw", [
    "123", "91350100I000100Y43", "91350100*000100Y43", "9135A100M000100Y43", VALID_CODE[:17] + "0",
])
def test_credit_code_errors_translate(raw: str) -> None:
    with pytest.raises(credit_code.InvalidCreditCode) as caught:
        credit_code.validate(raw)
    assert_error_translated(caught.value)
    assert_translated("the same malformed code as above: " + caught.value.detail)


def test_check_character_errors_translate() -> None:
    for first17 in ("123", "9135010*M000100Y4"):
        with pytest.raises(credit_code.InvalidCreditCode) as caught:
            credit_code.check_character(first17)
        assert_error_translated(caught.value)


def test_check_character_message_keeps_the_characters() -> None:
    with pytest.raises(credit_code.InvalidCreditCode) as caught:
        credit_code.validate(VALID_CODE[:17] + ("0" if VALID_CODE[17] != "0" else "1"))
    text = zh(caught.value.detail)
    assert text.startswith("校验码为 ") and f"应为 {VALID_CODE[17]}" in text


@pytest.mark.parametrize(("industry", "employees", "revenue"), [
    ("shipbuilding", 10, Decimal(1)),
    ("industry", None, Decimal(1000)),
    ("industry", 10, None),
    ("industry", None, None),
    ("other", None, None),
    ("industry", -1, Decimal(1)),
    ("industry", 10, 1.5),
    ("industry", 10, Decimal(-1)),
    ("industry", 10, Decimal("NaN")),
])
def test_size_class_errors_translate(industry: str, employees: int | None, revenue: Any) -> None:
    with pytest.raises(size_classes.SizeClassError) as caught:
        size_classes.classify(size_classes.default_size_classes(), industry, employees, revenue)
    assert_error_translated(caught.value)


def test_missing_figures_are_named_in_chinese() -> None:
    with pytest.raises(size_classes.SizeClassError) as caught:
        size_classes.classify(size_classes.default_size_classes(), "industry", None, None)
    assert "从业人员、营业收入" in zh(caught.value.detail)


# --------------------------------------------------------------------------- computations, imports


def _target(comparator: Any = ">=", year: int = 2023, baseline: Point | None = Point(2020, Decimal(1))) -> Target:
    return Target(value=Decimal(2), year=year, comparator=comparator, baseline=baseline)


BAD: Any = 1.5
COMPUTATION_CALLS: list[Callable[[], object]] = [
    lambda: computations.cagr(Decimal(0), 2019, Decimal(1), 2021),
    lambda: computations.cagr(Decimal(1), 2021, Decimal(1), 2019),
    lambda: computations.cagr(Decimal(1), 2019, Decimal(-1), 2021),
    lambda: computations.cagr(BAD, 2019, Decimal(1), 2021),
    lambda: computations.cagr(Decimal(1), 2019, Decimal("Infinity"), 2021),
    lambda: computations.cagr(Decimal(1), True, Decimal(1), 2021),
    lambda: computations.cagr(Decimal(1), 2019, Decimal(1), BAD),
    lambda: computations.yoy_growth(Decimal(0), Decimal(1)),
    lambda: computations.yoy_growth(Decimal(1), BAD),
    lambda: computations.yoy_growth(Decimal("1E-999999"), Decimal("9E+999999")),
    lambda: computations.required_cagr(Decimal(1), 2023, Decimal(2), 2021),
    lambda: computations.required_cagr(Decimal(0), 2021, Decimal(2), 2023),
    lambda: computations.required_cagr(Decimal(1), 2021, Decimal(-2), 2023),
    lambda: computations.required_cagr(BAD, 2021, Decimal(2), 2023),
    lambda: computations.required_cagr(Decimal(1), BAD, Decimal(2), 2023),
    lambda: computations.project(Decimal(1), 2023, Decimal(0), 2021),
    lambda: computations.project(Decimal(1), 2021, Decimal(-2), 2023),
    lambda: computations.project(BAD, 2021, Decimal(0), 2023),
    lambda: computations.project(Decimal(1), 2021, BAD, 2023),
    lambda: computations.project(Decimal(1), BAD, Decimal(0), 2023),
    lambda: computations.project(Decimal(1), 2021, Decimal(0), BAD),
    lambda: computations.project(Decimal(10), 2021, Decimal("1E+999999"), 2023),
    lambda: computations.meets(Decimal(1), "~", Decimal(1)),  # type: ignore[arg-type]
    lambda: computations.meets(Decimal(1), ">", BAD),
    lambda: computations.percent(Decimal(1), -1),
    lambda: computations.percent(BAD),
    lambda: computations.check_target(_target("~")),
    lambda: computations.check_target(_target(year=2019)),
    lambda: computations.check_target(_target(year=2020)),
    lambda: computations.check_target(Target(value=BAD, year=2023, comparator=">=", baseline=None)),
    lambda: computations.check_target(_target(baseline=Point(2020, BAD))),
    lambda: computations.check_target(_target(baseline=Point(BAD, Decimal(1)))),
    lambda: computations.check_target(_target(year=BAD)),
    lambda: computations.check_thresholds(Thresholds(on_track=Decimal("0.5"), at_risk=Decimal("0.9"))),
    lambda: computations.check_thresholds(Thresholds(on_track=BAD)),
    lambda: computations.check_thresholds(Thresholds(at_risk=BAD)),
    lambda: computations.assess_level([Point(2021, Decimal(1)), Point(2021, Decimal(2))], _target(), Thresholds()),
    lambda: computations.assess_level([Point(2021, BAD)], _target(), Thresholds()),
    lambda: computations.assess_level([Point(BAD, Decimal(1))], _target(), Thresholds()),
    lambda: computations.assess_rate([Point(2021, Decimal(1))], _target(baseline=None), Thresholds()),
]


@pytest.mark.parametrize("call", COMPUTATION_CALLS)
def test_computation_errors_translate(call: Callable[[], object]) -> None:
    with pytest.raises(ComputationError) as caught:
        call()
    assert_error_translated(caught.value)


def test_cagr_message_keeps_year_and_value() -> None:
    with pytest.raises(ComputationError) as caught:
        computations.cagr(Decimal(0), 2019, Decimal(1), 2021)
    assert zh(caught.value.detail) == "计算年均复合增长率需要基数为正数:2019 年的数值为 0"


@pytest.mark.parametrize("headers", [["foo"], ["indicator", "credit_code"]])
def test_detect_kind_errors_translate(headers: list[str]) -> None:
    with pytest.raises(Invalid) as caught:
        imports.detect_kind(headers)
    assert_error_translated(caught.value)


# --------------------------------------------------------------------------- raise sites needing a database

_UUID = "3f0c0a4e-1111-4222-8333-944445555666"
_REF = "G1-scale / industry_scale 2020 = 1702 亿元 from 'CCIA report' published 2021-06-01"

# (message as the f-string produces it, a fragment its Chinese must contain)
EXAMPLES: list[tuple[str, str]] = [
    # policy.py
    ("this API token lacks the 'read' scope", "'read'"),
    ("this API token lacks the 'write' scope", "'write'"),
    ("only members of an organisation (viewer, analyst, manager) read the Action Plan monitor", "行动计划监测"),
    ("only analysts, managers and administrators may change observations", "可修改观测值"),
    ("only analysts, managers and administrators may change the enterprise register", "可修改企业名录"),
    ("only analysts, managers and administrators may change investment figures", "可修改投资数据"),
    ("only analysts, managers and administrators may change tasks", "可修改任务"),
    ("only analysts, managers and administrators may change something else", "可修改 something else"),
    ("only managers and administrators may load plans", "仅经理和管理员可加载规划"),
    ("only managers and administrators may remove plans", "删除规划"),
    ("only managers and administrators may run consultations", "管理征求意见活动"),
    ("only managers and administrators may see unmoderated comments and contacts", "未审核的意见"),
    ("only managers and administrators may moderate comments", "审核意见"),
    ("only managers and administrators may export comments with their contacts", "导出意见"),
    ("only managers and administrators may fly", "此操作:fly"),
    # registry.py
    ("no plan 'x'; known plans: CN-MIIT-CSI-2021-2023", "没有规划 'x';现有规划:CN-MIIT-CSI-2021-2023"),
    ("no plan 'x'; known plans: none", "当前没有任何规划"),
    ("a plan file is at most 1,000,000 bytes; this one has 1,200,000", "最多 1,000,000 字节;该文件为 1,200,000 字节"),
    ("the plan file is empty", "规划文件为空"),
    ("the file is empty", "文件为空"),
    ("the plan file is not UTF-8 text (byte 17 cannot be decoded); save it as UTF-8", "第 17 字节无法解码"),
    ("not UTF-8 text", "UTF-8"),
    ("the plan file is not valid: plan.yaml: plan.id: field required", "规划文件无效:plan.yaml"),
    ("plan id 'CN-MIIT-CSI-2021-2023' belongs to a plan shipped with wangan; give your plan its own id (plan.id), "
     "or edit rules/plans/ on the server to change the shipped one", "规划 ID 'CN-MIIT-CSI-2021-2023' 已属于"),
    ("plan id CN-MIIT-CSI-2021-2023 is taken by a shipped plan", "已被内置规划占用"),
    ("plan CN-MIIT-CSI-2021-2023 is shipped with wangan and cannot be removed here", "不能在此删除"),
    ("plan X still has 3 observations, 2 investment figures, 1 task records; delete those first",
     "规划 X 仍有 3 条观测值、2 条投资数据、1 条任务记录;请先删除这些数据"),
    ("plan X still has 3 observations, 2 investment figures; delete those first", "3 条观测值、2 条投资数据;"),
    ("plan X still has 3 observations, 1 task records; delete those first", "3 条观测值、1 条任务记录"),
    ("plan X still has 2 investment figures, 1 task records; delete those first", "2 条投资数据、1 条任务记录"),
    ("plan X still has 3 observations; delete those first", "仍有 3 条观测值;"),
    ("plan X still has 2 investment figures; delete those first", "仍有 2 条投资数据;"),
    ("plan X still has 1 task records; delete those first", "仍有 1 条任务记录;"),
    # observations.py
    ("an indicator is required", "指标"),
    ("plan P has no indicator 'G9'; its indicators: G1-scale, G2-share", "规划 P 中没有指标 'G9';现有指标:G1-scale"),
    ("a series is required", "序列"),
    ("plan P has no series 'S9'; its series: S1, S2", "规划 P 中没有序列 'S9';现有序列:S1, S2"),
    ("plan P has no series 'S9'; its series: none", "没有任何序列"),
    ("a year is required", "年份"),
    ("1800 is not a year between 1900 and 2100", "1800 不是 1900 至 2100 之间的年份"),
    ("NaN is not a number", "NaN 不是数字"),
    ("a unit is required", "单位"),
    ("'USD' (USD) does not fit series S1, which is in 亿元 (CNY 100m): amounts in another currency are a series "
     "of their own, never converted", "不适用于序列 S1,该序列的单位为 亿元(CNY 100m)"),
    ("'%' (percent) does not fit series S1, which is in 亿元 (CNY 100m): they measure different things", "不同的量"),
    ("1E+30 亿元 has too many digits: at most 20 before and 8 after the point, also in 亿元", "最多 20 位"),
    ("a source is required (publisher and publication)", "来源"),
    ("at most 500 characters", "最多 500 个字符"),
    ("2030-01-01 is in the future: the vintage is the day the figure was published", "2030-01-01 晚于今天"),
    ("an actual figure for 2023 cannot have been published on 2023-06-01, before the year was over: mark it as a "
     "forecast", "2023 年的实际值不可能在该年结束前(2023-06-01)发布"),
    ("at most 4000 characters", "最多 4000 个字符"),
    ("unknown sector 'x'; known: iot, smart_city", "未知的领域 'x';可选领域:iot, smart_city"),
    ("unknown industry 'x'; known: telecom, energy", "未知的行业 'x';可选行业:telecom"),
    ("the observation was not recorded: year: a year is required; unit: a unit is required",
     "观测值未记录:部分字段无效"),
    (f"duplicate observation: the plan's reference data already has {_REF}",
     "重复的观测值:规划的参考数据中已有 G1-scale / industry_scale 2020 年 = 1702 亿元"),
    (f"duplicate observation: observation {_UUID}: {_REF}", f"重复的观测值:观测值 {_UUID}:G1-scale"),
    ("same series, year, source and vintage", "发布日期"),
    (f"no observation {_UUID}", f"没有观测值 {_UUID}"),
    ("plan P has no indicator 'G9'", "规划 P 中没有指标 'G9'"),
    ("mixed units in series S1: 亿元 (CNY 100m) in rows 2, 3; 万元 (CNY 10k) in row 4; use one unit per series in "
     "a file", "序列 S1 中混用了多种单位"),
    ("duplicate of row 3: same series, year, source and vintage", "与第 3 行重复"),
    (f"duplicate: the plan's reference data already has {_REF}", "重复:规划的参考数据中已有"),
    (f"duplicate of recorded observation {_UUID}: {_REF}", f"与已记录的观测值 {_UUID}"),
    ("row 4: vintage 2021-06-01T23:30:00+00:00 taken as the Beijing date 2021-06-02", "第 4 行:发布时间"),
    # enterprises.py
    ("万美元 is not a CNY money unit; use 元, 万元 or 亿元", "万美元 不是人民币金额单位"),
    ("the enterprise name is required", "企业名称"),
    ("the name is longer than 300 characters", "300 个字符"),
    ("unknown size-class industry 'x'; known: industry (工业), other (其他未列明行业)", "未知的划型行业 'x'"),
    ("unknown sector(s) foo, bar; known: iot (物联网)", "未知的领域 foo, bar;可选领域:iot (物联网)"),
    ("unknown sector(s) foo; known: none (no plan defines sectors)", "当前没有规划定义领域"),
    ("the region is longer than 64 characters", "64 个字符"),
    ("unknown money unit 'USD'; use 元, 万元 or 亿元", "未知的金额单位 'USD'"),
    ("operating revenue cannot be negative", "营业收入"),
    ("security revenue cannot be negative", "网络安全收入"),
    ("headcount cannot be negative", "从业人员数"),
    ("security revenue 1200 is more than the operating revenue 1000; it is the part of the operating revenue earned "
     "with cybersecurity", "网络安全收入 1200 大于营业收入 1000"),
    (f"{VALID_CODE}: name 'A' differs from 'B' in row 2; an enterprise's name is the same in every row",
     f"{VALID_CODE}:名称 'A' 与第 2 行的 'B' 不同"),
    (f"{VALID_CODE}: size_industry 'other' differs from 'industry' in row 2; an enterprise's size_industry is the "
     "same in every row", "划型行业"),
    (f"{VALID_CODE}: sectors 'iot' differs from '' in row 2; an enterprise's sectors is the same in every row",
     "各行的领域须相同"),
    (f"{VALID_CODE}: region '北京' differs from '上海' in row 2; an enterprise's region is the same in every row",
     "各行的地区须相同"),
    (f"{VALID_CODE} has a second row for 2022 (first in row 2)", f"{VALID_CODE} 的 2022 年数据重复(首次出现在第 2 行)"),
    (f"no enterprise with the credit code '{VALID_CODE}' in the register", "统一社会信用代码为"),
    ("the name is required (at most 300 characters)", "名称"),
    ("unknown size-class industry; known: industry, other", "未知的划型行业;可选行业:industry, other"),
    ("at most 64 characters", "最多 64 个字符"),
    ("a year between 1900 and 2100, each year once", "每个年份只能出现一次"),
    ("security revenue is part of the operating revenue and cannot exceed it", "不能超过营业收入"),
    ("cannot be negative", "不能为负数"),
    ("the enterprise was not saved: name: the name is required (at most 300 characters)", "企业未保存:部分字段无效"),
    ("group by sector, region or size", "分组"),
    ("sector, region or size", "领域"),
    # investment.py
    ("IT investment cannot be negative", "信息化投入"),
    ("security investment cannot be negative", "网络安全投入"),
    ("security investment 960 is more than the IT investment 800: it is part of the informatization investment",
     "网络安全投入 960 大于信息化投入 800"),
    ("unknown industry 'x'; the plan's key industries: telecom (电信), energy (能源)", "规划的重点行业:telecom (电信)"),
    ("unknown industry 'x'; the plan's key industries: none: the plan defines no key_industries", "未定义重点行业"),
    ("the source is required (at most 500 characters)", "来源"),
    ("telecom 2022 from 'MIIT' is already in row 2", "telecom 2022 年来源为 'MIIT' 的数据已在第 2 行"),
    ("telecom 2022 from 'MIIT' is already recorded; delete it first or give the new figures their own source",
     "注明不同的来源"),
    ("unknown industry; the plan's key industries: telecom (电信)", "未知的行业;规划的重点行业:telecom (电信)"),
    ("unknown industry; the plan's key industries: none: the plan defines no key_industries", "未知的行业;该规划"),
    ("a year between 1900 and 2100", "1900 至 2100"),
    ("the investment figures were not saved: year: a year between 1900 and 2100", "投资数据未保存:部分字段无效"),
    ("telecom 2022 from 'MIIT' is already recorded; delete it first", "已有记录;请先删除"),
    ("already recorded for this industry and year", "已有记录"),
    (f"no investment record '{_UUID}'", f"没有投资记录 '{_UUID}'"),
    # tasks.py
    ("no plan 'x\\x00'", "没有规划 'x\\x00'"),
    ("plan P has no task 99; its tasks are numbered 1 to 52", "规划 P 中没有任务 99;任务编号为 1 至 52"),
    ("plan P lists no tasks", "规划 P 未列出任务"),
    ("'later' is not a task status; use one of not_started, in_progress, done, at_risk, dropped",
     "'later' 不是有效的任务状态"),
    ("give a status: one of not_started, in_progress, done, at_risk, dropped", "请填写状态"),
    ("'Z9' is not a focus area of plan P; use one of A1, A2", "'Z9' 不是规划 P 的重点领域;请使用以下之一:A1, A2"),
    ("'Z9' is not a focus area of plan P; the plan has no focus areas", "该规划没有重点领域"),
    ("give text", "文本"),
    ("contains a NUL character", "NUL"),
    ("at most 300 characters (312 given)", "最多 300 个字符(实际为 312 个)"),
    ("task 3's title comes from the plan file (official) and cannot be overwritten here; edit the plan file instead",
     "任务 3 的标题来自规划文件(官方文本)"),
    ("task 3's text comes from the plan file (our wording, from the plan file) and cannot be overwritten here; edit "
     "the plan file instead", "任务 3 的正文来自规划文件(本系统的表述"),
    ("task 3's text comes from the plan file (official) and cannot be overwritten here; edit the plan file instead",
     "正文来自规划文件(官方文本)"),
    ("task 3's title comes from the plan file (our wording, from the plan file) and cannot be overwritten here; "
     "edit the plan file instead", "标题来自规划文件(本系统"),
    ("the plan file puts task 3 in area A2; edit the plan file to change it", "规划文件将任务 3 列入领域 A2"),
    ("task 3: task 3's title comes from the plan file (official) and cannot be overwritten here; edit the plan "
     "file instead", "任务 3 的部分内容来自规划文件"),
    ("task 3 was changed by someone else (you have version 2, it is now at version 3); reload and try again",
     "任务 3 已被他人修改(您编辑的是第 2 版,当前为第 3 版)"),
    ("task 3 was changed by someone else at the same time; reload and try again", "同时被他人修改"),
    ("say where the title or text comes from (e.g. the MIIT notice, a CSET translation) when you enter it", "来源"),
    ("these task fields cannot be changed: colour; editable: area, evidence, owner", "以下任务字段不能修改:colour"),
    ("not editable", "不可修改"),
    ("nothing to change", "没有需要修改的内容"),
    ("task 3 was not changed: owner: give text", "任务 3 未保存:部分字段无效"),
    ("give a calendar date (YYYY-MM-DD)", "请填写日期"),
    ("2026-03-02 lies in the future (today is 2026-03-01 in Beijing)",
     "2026-03-02 晚于今天(北京时间今天为 2026-03-01)"),
    ("2021-01-01 is before the plan was published (2021-07-12)", "2021-01-01 早于规划的发布日期(2021-07-12)"),
    ("say what happened", "进展情况"),
    ("the update of task 3 was not recorded: note: say what happened", "任务 3 的进展更新未记录:部分字段无效"),
    ("the file has a header but no rows", "没有数据行"),
    ("task 3 is already in row 2", "任务 3 已在第 2 行"),
    # consultations.py
    ("no consultation 'x'", "没有征求意见活动 'x'"),
    ("state must be one of pending, approved, rejected; got 'maybe'", "state 须为 pending(待审核)"),
    ("pending, approved or rejected", "待审核"),
    ("must be text", "文本"),
    ("required", "必填"),
    ("at most 300 characters (this has 312)", "最多 300 个字符(当前为 312 个)"),
    ("at most 200,000 characters (this has 200,001)", "最多 200,000 个字符(当前为 200,001 个)"),
    ("an http:// or https:// address", "https://"),
    ("a date and time, e.g. 2021-07-16T23:59 (Beijing time)", "北京时间"),
    ("must be after the opening time (2021-07-12 00:00 Beijing time)", "须晚于开始时间(北京时间 2021-07-12 00:00)"),
    ("the consultation is not valid: slug: required", "征求意见活动未保存:部分字段无效"),
    ("3–80 lowercase letters, digits and hyphens, e.g. plan-2024-draft", "plan-2024-draft"),
    ("a consultation 'plan-2024-draft' already exists; choose another slug", "征求意见活动 'plan-2024-draft' 已存在"),
    ("already taken", "已被占用"),
    ("consultation plan-2024-draft was changed by someone else (you have version 1, it is now at version 2); reload "
     "and try again", "(您编辑的是第 1 版,当前为第 2 版)"),
    ("consultation plan-2024-draft was changed by someone else at the same time; reload and try again",
     "同时被他人修改"),
    ("not an editable field of a consultation", "可编辑字段"),
    ("consultation plan-2024-draft is published and already has comments; its window (open and close times) can no "
     "longer be changed", "不能再修改"),
    ("fixed once comments arrived", "收到意见后"),
    ("consultation plan-2024-draft is already published", "征求意见活动 plan-2024-draft 已发布"),
    ("plan P records no consultation (its file has no 'consultation' section)", "规划 P 未记录征求意见"),
    ("the consultation of plan P is already recorded as 'p-draft'", "规划 P 的征求意见已记录为 'p-draft'"),
    ("consultation p-draft is a record of a past consultation (2021-07-12 00:00 to 2021-07-16 23:59 Beijing time); "
     "it never took comments here", "(北京时间 2021-07-12 00:00 至 2021-07-16 23:59)"),
    ("consultation p-draft opens on 2026-07-12 00:00 Beijing time", "将于北京时间 2026-07-12 00:00 开始"),
    ("consultation p-draft closed on 2021-07-16 23:59 Beijing time; comments are no longer accepted", "已于北京时间"),
    ("write your comment", "意见"),
    ("the comment is not valid: body: write your comment", "意见未提交:部分字段无效"),
    ("a comment is moderated to approved or rejected", "审核"),
    ("approved or rejected", "通过"),
    ("the moderation is not valid: note: at most 2,000 characters (this has 2,001)", "审核未完成:部分字段无效"),
    (f"no comment {_UUID}", f"没有意见 {_UUID}"),
    (f"no comment {_UUID} on consultation p-draft", f"征求意见活动 p-draft 中没有意见 {_UUID}"),
    # computations.py (also produced by calls above)
    ("the CAGR is outside what Decimal can compute (Overflow)", "年均复合增长率超出 Decimal 的计算范围(Overflow)"),
    ("the required growth is outside what Decimal can compute (Overflow)", "所需增长率超出"),
    ("the ratio of observed to required growth is outside what Decimal can compute (DivisionByZero)",
     "实际增速与所需增速"),
    ("the ratio of observed to target growth is outside what Decimal can compute (Overflow)", "实际增速与目标增速"),
    ("something is outside what Decimal can compute (Overflow)", "something 超出"),
    ("the 2021 value must be a Decimal, not float", "2021 年的数值须为 Decimal 数值"),
    ("the 2021 value must be a finite number, not NaN", "2021 年的数值须为有限数值"),
    ("the year must be an integer year, not True", "年份须为整数年份"),
    ("an actual's year must be an integer year, not 1.5", "实际值的年份"),
    ("a growth-rate target needs a baseline point: the plan states no base year, so the caller must choose one",
     "基期"),
    # tabular.py, as the f-strings produce them
    ("the file is 25.0 MB; the limit is 20.0 MB: split it", "文件大小为 25.0 MB,上限为 20.0 MB"),
    ("the workbook unpacks to 900 MB; the limit is 400 MB: split it or export it as CSV", "工作簿解压后为 900 MB"),
    ("the workbook unpacks to 900 MB; the limit is 400 MB: split it or export it as CSV; nothing was imported",
     "上限为 400 MB:请拆分文件或导出为 CSV;未导入任何数据"),
    ("the workbook has no visible worksheet", "没有可见的工作表"),
    ("the workbook has no visible worksheet; nothing was imported", "未导入任何数据"),
    ("files with .txt are not supported; upload a .csv or .xlsx file", "不支持扩展名为 .txt 的文件"),
    ("files with no extension are not supported; upload a .csv or .xlsx file", "无扩展名"),
    ("missing required columns: year, value; columns found: none", "缺少必需的列:year, value;文件中没有任何列"),
    ("value in C2, D2 has no column header; add a header or clear the cell", "单元格 C2, D2 中的值没有列标题"),
    ("1 problem; nothing was imported", "共 1 个问题;未导入任何数据"),
    ("1 problem in 1 row; nothing was imported", "共 1 个问题,涉及 1 行"),
    ("row 4", "第 4 行"),
    ("column C", "C 列"),
    ("'1e400' is in scientific notation; format the cell as a plain number", "'1e400' 为科学计数法"),
    ("'2021-02-30T10:00' is not a valid date and time: day is out of range for month", "不是有效的日期和时间"),
    ("'x' is not a number", "'x' 不是数字"),
    ("merged cells A2:A9000 are not supported: unmerge them so every row carries its own value; nothing was imported",
     "不支持合并单元格 A2:A9000"),
    # size_classes.py: no shipped industry is classified by revenue alone
    ("Retail (零售业) is classified by revenue; missing: revenue", "Retail(零售业)按营业收入划型;缺少营业收入"),
    ("Retail (零售业) is classified by assets; missing: assets", "Retail(零售业)按 assets 划型;缺少:assets"),
]

# computations._number: every figure it names, non-Decimal and non-finite
NUMBER_NAMES = ("the start value", "the end value", "the previous value", "the current value", "the target value",
                "the target", "the value", "the growth rate", "the fraction", "the on-track threshold",
                "the at-risk threshold", "the baseline value")
EXAMPLES += [
    ("'0001-01-01T00:00:00+14:00': the year 1 is outside 1900–2100", "不在 1900–2100 之间"),
    ("the year 9999 is outside 1900–2100", "年份 9999"),
    ("1E+30 CNY is too large or too precise to convert to CNY 100m exactly", "无法精确换算"),
    ("1E+30 万元 has too many digits to be kept exactly: at most 20 before the decimal point and 8 after, in yuan",
     "位数过多"),
    ("a headcount between 0 and 10,000,000", "从业人员数"),
]
EXAMPLES += [(f"{name} must be a Decimal, not float", "须为 Decimal 数值,不能为 float") for name in NUMBER_NAMES]
EXAMPLES += [(f"{name} must be a finite number, not NaN", "须为有限数值,不能为 NaN") for name in NUMBER_NAMES]


@pytest.mark.parametrize(("message", "fragment"), EXAMPLES)
def test_example_messages_translate_to_the_right_text(message: str, fragment: str) -> None:
    text = assert_translated(message)
    assert fragment in text, f"{message!r} -> {text!r}, expected {fragment!r}"


# --------------------------------------------------------------------------- the tables themselves


def _produced() -> list[str]:
    """The messages the pure raise sites above produce (detail, problems and the report's labels)."""
    out: list[str] = []

    def catch(call: Callable[[], object]) -> None:
        try:
            call()
        except DomainError as exc:
            out.append(exc.detail)
            out.extend(p.message for p in exc.problems)
            out.extend(p.field for p in exc.problems if isinstance(exc, tabular.TableError))
        except tabular.CellError as exc:
            out.append(exc.problem.message)

    for call in COMPUTATION_CALLS:
        catch(call)
    for data, filename, options in FILES:
        catch(partial(tabular.read_table, data, filename, required=REQUIRED, **options))
    catch(lambda: tabular.read_table(_xlsx([["year", "value"], [2021, 1]], merge="A2:A3"), "d.xlsx", required=REQUIRED))
    catch(lambda: tabular.read_table(_xlsx([["year", "value"], [2021, 1]]), "d.xlsx", required=REQUIRED, sheet="X"))
    for text in ("", "x", "1e5", "9" * 61):
        catch(partial(tabular.parse_decimal, text, row=2, column="v"))
    catch(lambda: tabular.parse_int("2.5", row=2, column="v"))
    catch(lambda: tabular.parse_year("1800", row=2, column="v"))
    catch(lambda: tabular.parse_bool("maybe", row=2, column="v"))
    for text in ("", "July", "2021-02-30"):
        catch(partial(tabular.parse_date, text, row=2, column="v"))
    for text in ("", "2021", "2021-07-16T25:00"):
        catch(partial(tabular.parse_datetime, text, row=2, column="v", default_tz=UTC))
    for unit_call in (lambda: units.parse_unit("furlongs"), lambda: units.convert(Decimal("NaN"), "元", "万元"),
                      lambda: units.convert(Decimal(1), "元", "美元"), lambda: units.convert(Decimal(1), "元", "%")):
        catch(unit_call)
    for raw in ("123", "91350100I000100Y43", "91350100*000100Y43", "9135A100M000100Y43", VALID_CODE[:17] + "0"):
        catch(partial(credit_code.validate, raw))
    catch(lambda: credit_code.check_character("123"))
    out.extend([f"the same malformed code as above: {m}" for m in out if m.startswith(("the check", "the unified",
                                                                                        "character", "check"))])
    rules = size_classes.default_size_classes()
    figures: list[tuple[str, int | None, Any]] = [
        ("shipbuilding", 1, None), ("industry", None, None), ("industry", 1, None), ("industry", None, Decimal(1)),
        ("other", None, None), ("industry", -1, Decimal(1)), ("industry", 1, 1.5), ("industry", 1, Decimal(-1))]
    for industry, employees, revenue in figures:
        catch(partial(size_classes.classify, rules, industry, employees, revenue))
    catch(lambda: imports.detect_kind(["foo"]))
    catch(lambda: imports.detect_kind(["indicator", "credit_code"]))
    return out


def test_placeholders_match_groups() -> None:
    for pattern, template in INDICATORS_DOMAIN_ZH_PATTERNS:
        assert isinstance(pattern, re.Pattern)
        used = {int(n) for n in re.findall(r"\{(\d+)\}", template)}
        assert used == set(range(pattern.groups)), (pattern.pattern, template)
        assert re.search(r"\{(?!\d+\})|(?<!\{\d)(?<!\{\d\d)\}", template) is None, template
        assert CJK.search(template), template


def test_exact_entries_are_chinese() -> None:
    for english, chinese in INDICATORS_DOMAIN_ZH.items():
        assert chinese != english and CJK.search(chinese), english
        assert "{" not in chinese, english


def test_every_pattern_is_exercised_by_an_example() -> None:
    examples = [m for m, _ in EXAMPLES] + _produced()
    hit = {first_pattern(m) for m in examples}
    unused = [p.pattern for i, (p, _) in enumerate(INDICATORS_DOMAIN_ZH_PATTERNS) if i not in hit]
    assert not unused


def test_every_produced_message_translates() -> None:
    for message in _produced():
        assert_translated(message)


@pytest.mark.parametrize(("message", "wrong"), [
    # a joined detail must not be read as one of its parts
    ("the observation was not recorded: value: 'x' is not a number", "不是数字"),
    ("task 3 was not changed: owner: give text", "部分内容来自规划文件"),
    ("no plan 'x'; known plans: A, B", "没有规划 'x'; known"),
    (f"no comment {_UUID} on consultation p-draft", "on consultation"),
    ("'x' is not a number (write e.g. 2002.5 or 2,002.5)", "(write"),
    ("NaN is not a number that can be converted", "that can be converted"),
    ("unknown industry 'x' in SME-CLASS-2011; known: industry (工业)", "重点行业"),
    ("the same malformed code as above: check character is 1, expected 3: the code is mistyped or incomplete",
     "the code"),
    ("at most 300 characters (312 given)", "given"),
])
def test_order_gives_the_specific_text(message: str, wrong: str) -> None:
    assert wrong not in assert_translated(message)


def test_the_web_can_use_these_translations() -> None:
    """The tables are plain data the integrator appends to ``domain_text``; they must not import the web's i18n."""
    import importlib
    import sys

    module = importlib.import_module("wangan.web.i18n_indicators_domain")
    assert "wangan.web.i18n" not in getattr(module, "__dict__", {})
    assert module.INDICATORS_DOMAIN_ZH is INDICATORS_DOMAIN_ZH
    assert "wangan.web.i18n_indicators_domain" in sys.modules
