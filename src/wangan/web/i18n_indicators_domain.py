"""Chinese for the messages the Action Plan monitor's domain (``wangan.indicators``) raises.

The domain speaks English; ``wangan.web.i18n.domain_text`` looks a message up in
``INDICATORS_DOMAIN_ZH`` (exact) and then tries ``INDICATORS_DOMAIN_ZH_PATTERNS`` in order (``fullmatch``;
the groups fill ``{0}``, ``{1}``…). Identifiers (plan, indicator, series, task and record ids, credit
codes, dates, numbers, units, column names) are kept as the domain wrote them.

The per-cell messages of an import (``tabular.CellProblem``) are covered too, and so are the location
labels of the import report (``row 4, column value (C)``, ``file``). Messages that join several other
messages (``the observation was not recorded: field: message; …``, ``task 3: …``) are given a summary:
each part is also a field problem of its own and is translated there. A whole-file problem is also the
detail of its ``TableError`` with ``; nothing was imported`` appended; both forms are covered.
"""

from __future__ import annotations

import re
from itertools import combinations

_P = re.compile
_DATE = r"(\d{4}-\d{2}-\d{2})"
_MINUTE = r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})"
_QUOTED = r"('.*'|\".*\")"
_FIELDS_INVALID = "部分字段无效"
_NOTHING_IMPORTED = ";未导入任何数据"

INDICATORS_DOMAIN_ZH: dict[str, str] = {
    "the amount has too many digits to be kept exactly: at most 20 before the decimal point and 8 after, in yuan":
        "金额位数过多,无法精确保存:以元计,整数部分最多 20 位,小数部分最多 8 位",
    # tabular: cells
    "a number is required": "须填写数字",
    "the number is too long": "数字过长",
    "a date is required": "须填写日期",
    "a date and time is required": "须填写日期和时间",
    # tabular: the report's location labels
    "file": "文件",
    # policy
    "this API token lacks the 'read' scope": "此 API 令牌缺少 'read'(读取)权限范围",
    "this API token lacks the 'write' scope": "此 API 令牌缺少 'write'(写入)权限范围",
    "only members of an organisation (viewer, analyst, manager) read the Action Plan monitor":
        "仅单位成员(查看者、分析员、经理)可查看行动计划监测",
    # imports
    "cannot tell what this file holds: an observations file has an 'indicator' and a 'series' column, an "
    "enterprise register a 'credit_code' column, investment figures 'it_investment' and 'security_investment'":
        "无法判断该文件的内容:观测值文件应有 'indicator' 和 'series' 列,企业名录应有 'credit_code' 列,"
        "投资数据应有 'it_investment' 和 'security_investment' 列",
    "no indicator, credit_code or it_investment column": "没有 indicator、credit_code 或 it_investment 列",
    "columns of several kinds": "包含多种类型的列",
    # registry
    "the plan file is empty": "规划文件为空",
    "the file is empty": "文件为空",
    "not UTF-8 text": "不是 UTF-8 文本",
    # observations
    "an indicator is required": "须填写指标",
    "a series is required": "须填写序列",
    "a year is required": "须填写年份",
    "a unit is required": "须填写单位",
    "a source is required (publisher and publication)": "须填写来源(发布机构及出版物)",
    "same series, year, source and vintage": "序列、年份、来源和发布日期均相同",
    # enterprises
    "the enterprise name is required": "须填写企业名称",
    "the name is longer than 300 characters": "名称超过 300 个字符",
    "the region is longer than 64 characters": "地区名称超过 64 个字符",
    "operating revenue cannot be negative": "营业收入不能为负数",
    "security revenue cannot be negative": "网络安全收入不能为负数",
    "headcount cannot be negative": "从业人员数不能为负数",
    "the name is required (at most 300 characters)": "须填写名称(最多 300 个字符)",
    "a year between 1900 and 2100, each year once": "须为 1900 至 2100 之间的年份,每个年份只能出现一次",
    "security revenue is part of the operating revenue and cannot exceed it":
        "网络安全收入是营业收入的一部分,不能超过营业收入",
    "cannot be negative": "不能为负数",
    "group by sector, region or size": "请按领域、地区或规模分组",
    "sector, region or size": "须为 sector(领域)、region(地区)或 size(规模)",
    # investment
    "IT investment cannot be negative": "信息化投入不能为负数",
    "security investment cannot be negative": "网络安全投入不能为负数",
    "the source is required (at most 500 characters)": "须填写来源(最多 500 个字符)",
    "a year between 1900 and 2100": "须为 1900 至 2100 之间的年份",
    "already recorded for this industry and year": "该行业和年份已有记录",
    # tasks
    "give text": "请填写文本",
    "contains a NUL character": "含有 NUL 字符",
    "say where the title or text comes from (e.g. the MIIT notice, a CSET translation) when you enter it":
        "填写标题或正文时,请注明其来源(如工业和信息化部的通知、CSET 的译文)",
    "not editable": "不可修改",
    "nothing to change": "没有需要修改的内容",
    "give a calendar date (YYYY-MM-DD)": "请填写日期(YYYY-MM-DD)",
    "say what happened": "请说明进展情况",
    "the file has a header but no rows": "文件只有标题行,没有数据行",
    # consultations
    "pending, approved or rejected": "须为待审核(pending)、已通过(approved)或已拒绝(rejected)",
    "must be text": "须为文本",
    "required": "必填",
    "an http:// or https:// address": "须为 http:// 或 https:// 地址",
    "a date and time, e.g. 2021-07-16T23:59 (Beijing time)": "须为日期和时间,如 2021-07-16T23:59(北京时间)",
    "3–80 lowercase letters, digits and hyphens, e.g. plan-2024-draft":
        "须为 3–80 个小写字母、数字或连字符,如 plan-2024-draft",
    "already taken": "已被占用",
    "not an editable field of a consultation": "不是征求意见活动的可编辑字段",
    "fixed once comments arrived": "收到意见后不能修改",
    "write your comment": "请填写意见",
    "a comment is moderated to approved or rejected": "意见只能审核为通过(approved)或拒绝(rejected)",
    "approved or rejected": "须为通过(approved)或拒绝(rejected)",
    # computations
    "a growth-rate target needs a baseline point: the plan states no base year, so the caller must choose one":
        "增长率目标需要基期数据点:规划未载明基期年份,须由调用方选定",
}

# ``"{what}: " + "; ".join(f"{field}: {message}")``: the parts are field problems of their own.
_REFUSED: tuple[tuple[str, str], ...] = (
    ("the observation was not recorded", "观测值未记录"),
    ("the enterprise was not saved", "企业未保存"),
    ("the investment figures were not saved", "投资数据未保存"),
    ("the consultation is not valid", "征求意见活动未保存"),
    ("the comment is not valid", "意见未提交"),
    ("the moderation is not valid", "审核未完成"),
)

# Problems with the file as a whole: the problem message, and the detail of ``TableError.whole_file``.
_WHOLE_FILE: tuple[tuple[str, str], ...] = (
    (r"the file is ([\d.]+) MB; the limit is ([\d.]+) MB: split it", "文件大小为 {0} MB,上限为 {1} MB:请拆分文件"),
    (r"old binary \.xls is not supported \(or the workbook is password-protected\); save as \.xlsx or CSV",
     "不支持旧版二进制 .xls 文件(或工作簿设有密码保护);请另存为 .xlsx 或 CSV"),
    (r"this \.csv file is actually an XLSX workbook \(a ZIP archive\): rename it to \.xlsx or export it as CSV",
     "该 .csv 文件实际上是 XLSX 工作簿(ZIP 压缩包):请将扩展名改为 .xlsx,或导出为 CSV"),
    (r"this \.xlsx file is not an XLSX workbook: open it in Excel and save it as \.xlsx, or export it as CSV",
     "该 .xlsx 文件不是 XLSX 工作簿:请用 Excel 打开后另存为 .xlsx,或导出为 CSV"),
    (r"files with no extension are not supported; upload a \.csv or \.xlsx file",
     "不支持无扩展名的文件;请上传 .csv 或 .xlsx 文件"),
    (r"files with (\.\S*) are not supported; upload a \.csv or \.xlsx file",
     "不支持扩展名为 {0} 的文件;请上传 .csv 或 .xlsx 文件"),
    (r"the file is empty: no header and no data rows", "文件为空:没有标题行和数据行"),
    (r"the file has more than (\d+) data rows; split it into smaller files",
     "文件的数据行超过 {0} 行;请拆分为较小的文件"),
    (r"no data rows: the file holds only a header", "没有数据行:文件只有标题行"),
    (r"the file contains NUL bytes: it is not a text CSV file", "文件含有 NUL 字节:不是文本格式的 CSV 文件"),
    (r"the file is neither UTF-8 nor GB18030 text: save it as CSV UTF-8",
     "文件既不是 UTF-8 也不是 GB18030 编码的文本:请另存为“CSV UTF-8”格式"),
    (r"the workbook unpacks to (\d+) MB; the limit is (\d+) MB: split it or export it as CSV",
     "工作簿解压后为 {0} MB,上限为 {1} MB:请拆分文件或导出为 CSV"),
    (r"merged cells (\S+) are not supported: unmerge them so every row carries its own value",
     "不支持合并单元格 {0}:请取消合并,使每一行都有自己的值"),
    (r"the file is not a readable XLSX workbook: open it in Excel and save it again as \.xlsx, or export it as CSV",
     "文件不是可读取的 XLSX 工作簿:请用 Excel 打开后重新另存为 .xlsx,或导出为 CSV"),
    (r"the workbook has no visible worksheet", "工作簿中没有可见的工作表"),
    (r"the workbook has no sheet named (.+); its sheets are: (.*)", "工作簿中没有名为 {0} 的工作表;现有工作表:{1}"),
)

# credit_code.validate / check_character; enterprises repeats them after "the same malformed code as above: ".
_CREDIT_CODE: tuple[tuple[str, str], ...] = (
    (r"the check character is computed over 17 characters, got (\d+)", "校验码须根据前 17 位字符计算,实际为 {0} 位"),
    (r"the unified social credit code (.+) has (\d+) characters, needs 18",
     "统一社会信用代码 {0} 为 {1} 位,应为 18 位"),
    (r"character (.+) at position (\d+) is not allowed: the letters I, O, Z, S and V are never used \(they are "
     r"easily taken for 1, 0, 2, 5 and U\)",
     "第 {1} 位的字符 {0} 不允许使用:统一社会信用代码不使用字母 I、O、Z、S、V(易与 1、0、2、5、U 混淆)"),
    (r"character (.+) at position (\d+) is not allowed: only the digits 0–9 and the capital letters A–Y except "
     r"I, O, Z, S, V are used",
     "第 {1} 位的字符 {0} 不允许使用:只能使用数字 0–9 和除 I、O、Z、S、V 以外的大写字母 A–Y"),
    (r"characters 3–8 \((.+)\) are the administrative-division code and must be 6 digits",
     "第 3–8 位({0})为登记管理机关行政区划码,须为 6 位数字"),
    (r"check character is (\S), expected (\S): the code is mistyped or incomplete",
     "校验码为 {0},应为 {1}:代码输入有误或不完整"),
)

# The observation a duplicate names: "{indicator} / {series} {year} = {value} {unit} from {source!r} published …".
_POINT = rf"(\S+) / (\S+) (\d+) = (\S+) (\S+) from (.+) published {_DATE}"
_REFERENCE = rf"the plan's reference data already has {_POINT}"
_REFERENCE_ZH = "规划的参考数据中已有 {0} / {1} {2} 年 = {3} {4},来源 {5},发布日期 {6}"
_RECORDED = rf"observation (\S+): {_POINT}"
_RECORDED_ZH = "观测值 {0}:{1} / {2} {3} 年 = {4} {5},来源 {6},发布日期 {7}"

# policy.require_write / require_manage: what may be changed or done.
_WRITE_WHAT = {"observations": "观测值", "the enterprise register": "企业名录", "investment figures": "投资数据",
               "tasks": "任务"}
_MANAGE_WHAT = {"load plans": "加载规划", "remove plans": "删除规划", "run consultations": "管理征求意见活动",
                "see unmoderated comments and contacts": "查看未审核的意见及联系方式", "moderate comments": "审核意见",
                "export comments with their contacts": "导出意见及其联系方式"}

# registry.delete_plan: what still refers to a plan.
_USES = (("observations", "条观测值"), ("investment figures", "条投资数据"), ("task records", "条任务记录"))

# size_classes.classify: the figures an industry is classified by, and those missing.
_FIGURES = {"employees": "从业人员", "revenue": "营业收入", "employees and revenue": "从业人员和营业收入",
            "employees, revenue": "从业人员、营业收入"}
_NEEDED_MISSING = (("employees", "employees"), ("revenue", "revenue"), ("employees and revenue", "employees"),
                   ("employees and revenue", "revenue"), ("employees and revenue", "employees, revenue"))

# computations: the figures and years its checks name.
_NUMBERS = {
    "the start value": "起始值", "the end value": "期末值", "the previous value": "上年值",
    "the current value": "当前值", "the target value": "目标值", "the target": "目标", "the value": "数值",
    "the growth rate": "增长率", "the fraction": "比例", "the on-track threshold": "“进展正常”阈值",
    "the at-risk threshold": "“存在风险”阈值", "the baseline value": "基期值",
}
_YEARS = {
    "the start year": "起始年份", "the end year": "终止年份", "the current year": "当前年份",
    "the target year": "目标年份", "the year": "年份", "the projection year": "预测年份",
    "the baseline year": "基期年份", "an actual's year": "实际值的年份",
}
_COMPUTING = {
    "year-on-year growth": "同比增长率", "the CAGR": "年均复合增长率", "the required growth": "所需增长率",
    "the projection": "预测值", "the ratio of observed to required growth": "实际增速与所需增速之比",
    "the ratio of observed to target growth": "实际增速与目标增速之比",
}

# observations: the breakdown terms with a list of known ids.
_TERMS = {"sector": "领域", "industry": "行业"}
# enterprises: what must be the same in every row of an enterprise.
_SAME_FIELDS = {"name": "名称", "size_industry": "划型行业", "sectors": "领域", "region": "地区"}
# tasks: the plan file's texts, and whose wording they are.
_TASK_PARTS = {"title": "标题", "text": "正文"}
_TASK_KINDS = {"official": "官方文本", "our wording, from the plan file": "本系统的表述,来自规划文件"}


def _uses_pattern(kinds: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], str]:
    english = ", ".join(rf"(\d+) {re.escape(name)}" for name, _ in kinds)
    chinese = "、".join(f"{{{i + 1}}} {zh}" for i, (_, zh) in enumerate(kinds))
    return _P(rf"plan (\S+) still has {english}; delete those first"), f"规划 {{0}} 仍有 {chinese};请先删除这些数据"


INDICATORS_DOMAIN_ZH_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # joined messages first: their parts would otherwise match a pattern below on their own
    *((_P(re.escape(what) + r": .+"), f"{zh}:{_FIELDS_INVALID}") for what, zh in _REFUSED),
    (_P(r"task (\d+) was not changed: .+"), "任务 {0} 未保存:" + _FIELDS_INVALID),
    (_P(r"the update of task (\d+) was not recorded: .+"), "任务 {0} 的进展更新未记录:" + _FIELDS_INVALID),
    (_P(r"task (\d+): .+"), "任务 {0} 的部分内容来自规划文件,不能在此修改,详见各项提示"),
    (_P(rf"duplicate observation: {_REFERENCE}"), "重复的观测值:" + _REFERENCE_ZH),
    (_P(rf"duplicate observation: {_RECORDED}"), "重复的观测值:" + _RECORDED_ZH),
    (_P(rf"duplicate: {_REFERENCE}"), "重复:" + _REFERENCE_ZH),
    (_P(rf"duplicate of recorded {_RECORDED}"), "与已记录的" + _RECORDED_ZH + " 重复"),
    *((_P(rf"the same malformed code as above: {en}"), "与上文相同的错误代码:" + zh) for en, zh in _CREDIT_CODE),
    # tabular: the summary of a rejected file, and the whole-file problems with and without it
    (_P(r"(\d+) problems? in (\d+) rows?; nothing was imported"), "共 {0} 个问题,涉及 {1} 行" + _NOTHING_IMPORTED),
    (_P(r"(\d+) problems?; nothing was imported"), "共 {0} 个问题" + _NOTHING_IMPORTED),
    *((_P(en + "; nothing was imported"), zh + _NOTHING_IMPORTED) for en, zh in _WHOLE_FILE),
    *((_P(en), zh) for en, zh in _WHOLE_FILE),
    # tabular: the header and the rows
    (_P(r"unknown column (.+); expected columns: (.*)"), "未知的列 {0};应有的列:{1}"),
    (_P(r"duplicate column: (.+) and (.+) both mean (.+); keep one"), "重复的列:{0} 与 {1} 均表示 {2};请只保留一列"),
    (_P(r"missing required columns: (.+); columns found: none"), "缺少必需的列:{0};文件中没有任何列"),
    (_P(r"missing required columns: (.+); columns found: (.*)"), "缺少必需的列:{0};已有的列:{1}"),
    (_P(r"value in (.+) has no column header; add a header or clear the cell"),
     "单元格 {0} 中的值没有列标题;请添加列标题或清空该单元格"),
    (_P(r"row has (\d+) cells but the header has (\d+) columns; extra value\(s\): (.+) \(a separator inside a value "
        r"must be quoted\)"),
     "该行有 {0} 个单元格,但标题行只有 {1} 列;多出的值:{2}(值中含分隔符时须加引号)"),
    (_P(r"the row cannot be read as CSV: (.+)"), "该行无法按 CSV 格式读取:{0}"),
    # tabular: the report's location labels (``CellProblem.field_name``)
    (_P(r"row (\d+), column (.+)"), "第 {0} 行,{1} 列"),
    (_P(r"row (\d+)"), "第 {0} 行"),
    (_P(r"column (.+)"), "{0} 列"),
    # tabular: cells
    (_P(rf"{_QUOTED} is in scientific notation; format the cell as a plain number"),
     "{0} 为科学计数法;请将单元格格式设为普通数字"),
    (_P(r"(.+) is not a number \(write e\.g\. 2002\.5 or 2,002\.5\)"), "{0} 不是数字(请填写如 2002.5 或 2,002.5)"),
    (_P(r"(.+) is not a number that can be converted"), "{0} 不是可换算的数字"),
    (_P(r"(.+) is not a number"), "{0} 不是数字"),
    (_P(r"(.+) is not a whole number"), "{0} 不是整数"),
    (_P(r"(-?\d+) is not a year between (\d+) and (\d+)"), "{0} 不是 {1} 至 {2} 之间的年份"),
    (_P(r"(.+) is not a yes/no value \(use true/false, yes/no, 1/0 or 是/否\)"),
     "{0} 不是有效的是/否值(请使用 true/false、yes/no、1/0 或 是/否)"),
    (_P(r"(.+) is not a date \(write e\.g\. 2021-07-16\)"), "{0} 不是日期(请填写如 2021-07-16)"),
    (_P(r"(.+) is not a valid date: (.+)"), "{0} 不是有效日期:{1}"),
    (_P(r"(.+) is not a date and time \(write e\.g\. 2021-07-16T10:00:00\+08:00\)"),
     "{0} 不是日期和时间(请填写如 2021-07-16T10:00:00+08:00)"),
    (_P(r"(.+) is not a valid date and time: (.+)"), "{0} 不是有效的日期和时间:{1}"),
    # units
    (_P(r"unknown unit (.+); known units: (.*)"), "未知的单位 {0};可用单位:{1}"),
    (_P(r"(.+) \((.+)\) cannot be converted to (.+) \((.+)\): amounts in another currency are kept as a series of "
        r"their own, not converted at an exchange rate"),
     "{0}({1})不能换算为 {2}({3}):其他币种的金额单独作为一个序列保存,不按汇率换算"),
    (_P(r"(.+) \((\w+)\) cannot be converted to (.+) \((\w+)\): they measure different things"),
     "{0}({1})不能换算为 {2}({3}):二者计量的是不同的量"),
    (_P(r"(\S+) is not a CNY money unit; use 元, 万元 or 亿元"), "{0} 不是人民币金额单位;请使用 元、万元 或 亿元"),
    (_P(r"unknown money unit (.+); use 元, 万元 or 亿元"), "未知的金额单位 {0};请使用 元、万元 或 亿元"),
    # credit codes
    *((_P(en), zh) for en, zh in _CREDIT_CODE),
    # size classes
    (_P(r"unknown industry (.+) in (\S+); known: (.*)"), "{1} 中没有行业 {0};可选行业:{2}"),
    *((_P(rf"(.+) \((.+)\) is classified by {needed}; missing: {missing}"),
       f"{{0}}({{1}})按{_FIGURES[needed]}划型;缺少{_FIGURES[missing]}") for needed, missing in _NEEDED_MISSING),
    (_P(r"(.+) \((.+)\) is classified by (.+); missing: (.+)"), "{0}({1})按 {2} 划型;缺少:{3}"),
    (_P(r"employees must be a whole number, 0 or more; got (.+)"), "从业人员数须为 0 或以上的整数;实际为 {0}"),
    (_P(r"revenue must be a Decimal amount in yuan; got (.+)"), "营业收入须为以元计的 Decimal 金额;实际为 {0}"),
    (_P(r"revenue must be an amount in yuan, 0 or more; got (.+)"), "营业收入须为 0 或以上的金额(元);实际为 {0}"),
    # computations
    *((_P(rf"{re.escape(what)} is outside what Decimal can compute \((\w+)\)"), f"{zh}超出 Decimal 的计算范围({{0}})")
      for what, zh in _COMPUTING.items()),
    (_P(r"(.+) is outside what Decimal can compute \((\w+)\)"), "{0} 超出 Decimal 的计算范围({1})"),
    *((_P(rf"{re.escape(name)} must be a Decimal, not (\w+)"), f"{zh}须为 Decimal 数值,不能为 {{0}}")
      for name, zh in _NUMBERS.items()),
    *((_P(rf"{re.escape(name)} must be a finite number, not (.+)"), f"{zh}须为有限数值,不能为 {{0}}")
      for name, zh in _NUMBERS.items()),
    (_P(r"the (-?\d+) value must be a Decimal, not (\w+)"), "{0} 年的数值须为 Decimal 数值,不能为 {1}"),
    (_P(r"the (-?\d+) value must be a finite number, not (.+)"), "{0} 年的数值须为有限数值,不能为 {1}"),
    *((_P(rf"{re.escape(name)} must be an integer year, not (.+)"), f"{zh}须为整数年份,不能为 {{0}}")
      for name, zh in _YEARS.items()),
    (_P(r"percent places must be a non-negative integer, not (.+)"), "百分比的小数位数须为非负整数,不能为 {0}"),
    (_P(r"year-on-year growth needs a positive previous value: it is (.+)"),
     "计算同比增长率需要上年值为正数:上年值为 {0}"),
    (_P(r"CAGR needs an end year after the start year: (-?\d+) is not after (-?\d+)"),
     "计算年均复合增长率需要终止年份晚于起始年份:{0} 不晚于 {1}"),
    (_P(r"CAGR needs a positive base: the (-?\d+) value is (.+)"),
     "计算年均复合增长率需要基数为正数:{0} 年的数值为 {1}"),
    (_P(r"CAGR needs a non-negative end value: the (-?\d+) value is (.+)"),
     "计算年均复合增长率需要期末值非负:{0} 年的数值为 {1}"),
    (_P(r"the target year (-?\d+) is not after (-?\d+)"), "目标年份 {0} 不晚于 {1}"),
    (_P(r"the required growth needs a positive current value: the (-?\d+) value is (.+)"),
     "计算所需增长率需要当前值为正数:{0} 年的数值为 {1}"),
    (_P(r"the required growth needs a non-negative target: the target is (.+)"),
     "计算所需增长率需要目标值非负:目标值为 {0}"),
    (_P(r"cannot project backwards: (-?\d+) is before (-?\d+)"), "不能向过去推算:{0} 早于 {1}"),
    (_P(r"a growth rate below −100% cannot be projected: it is (.+)"), "增长率低于 −100% 时无法推算:增长率为 {0}"),
    (_P(r"unknown comparator (.+): use one of (.+)"), "未知的比较符 {0}:请使用以下之一:{1}"),
    (_P(r"target year (-?\d+) is before the baseline year (-?\d+)"), "目标年份 {0} 早于基期年份 {1}"),
    (_P(r"target year (-?\d+) is not after the baseline year (-?\d+)"), "目标年份 {0} 不晚于基期年份 {1}"),
    (_P(r"the at-risk threshold (.+) is above the on-track threshold (.+)"),
     "“存在风险”阈值 {0} 高于“进展正常”阈值 {1}"),
    (_P(r"two actual values for (-?\d+) \((.+) and (.+)\): pass one series only"),
     "{0} 年有两个实际值({1} 和 {2}):只能传入一个序列"),
    # imports
    (_P(r"the file has columns of several kinds \((.+)\); import one kind per file"),
     "文件包含多种类型的列({0});每个文件只能导入一种数据"),
    # policy
    *((_P(rf"only analysts, managers and administrators may change {re.escape(what)}"),
       f"仅分析员、经理和管理员可修改{zh}") for what, zh in _WRITE_WHAT.items()),
    (_P(r"only analysts, managers and administrators may change (.+)"), "仅分析员、经理和管理员可修改 {0}"),
    *((_P(rf"only managers and administrators may {re.escape(what)}"), f"仅经理和管理员可{zh}")
      for what, zh in _MANAGE_WHAT.items()),
    (_P(r"only managers and administrators may (.+)"), "仅经理和管理员可执行此操作:{0}"),
    # registry
    (_P(r"no plan (.+); known plans: none"), "没有规划 {0};当前没有任何规划"),
    (_P(r"no plan (.+); known plans: (.*)"), "没有规划 {0};现有规划:{1}"),
    (_P(r"no plan (.+)"), "没有规划 {0}"),
    (_P(r"a plan file is at most ([\d,]+) bytes; this one has ([\d,]+)"), "规划文件最多 {0} 字节;该文件为 {1} 字节"),
    (_P(r"the plan file is not UTF-8 text \(byte (\d+) cannot be decoded\); save it as UTF-8"),
     "规划文件不是 UTF-8 文本(第 {0} 字节无法解码);请另存为 UTF-8"),
    (_P(r"the plan file is not valid: (.+)"), "规划文件无效:{0}"),
    (_P(r"plan id (.+) belongs to a plan shipped with wangan; give your plan its own id \(plan\.id\), or edit "
        r"rules/plans/ on the server to change the shipped one"),
     "规划 ID {0} 已属于 wangan 内置的规划;请为您的规划另设 ID(plan.id),或在服务器上编辑 rules/plans/ 以修改内置规划"),
    (_P(r"plan id (\S+) is taken by a shipped plan"), "规划 ID {0} 已被内置规划占用"),
    (_P(r"plan (\S+) is shipped with wangan and cannot be removed here"), "规划 {0} 为 wangan 内置规划,不能在此删除"),
    *(_uses_pattern(kinds) for n in (3, 2, 1) for kinds in combinations(_USES, n)),
    # observations
    (_P(r"plan (\S+) has no indicator (.+); its indicators: (.*)"), "规划 {0} 中没有指标 {1};现有指标:{2}"),
    (_P(r"plan (\S+) has no indicator (.+)"), "规划 {0} 中没有指标 {1}"),
    (_P(r"plan (\S+) has no series (.+); its series: none"), "规划 {0} 中没有序列 {1};该规划没有任何序列"),
    (_P(r"plan (\S+) has no series (.+); its series: (.*)"), "规划 {0} 中没有序列 {1};现有序列:{2}"),
    (_P(r"(.+) \((.+)\) does not fit series (\S+), which is in (.+) \((.+)\): amounts in another currency are a "
        r"series of their own, never converted"),
     "{0}({1})不适用于序列 {2},该序列的单位为 {3}({4}):其他币种的金额单独作为一个序列,不作换算"),
    (_P(r"(.+) \((.+)\) does not fit series (\S+), which is in (.+) \((.+)\): they measure different things"),
     "{0}({1})不适用于序列 {2},该序列的单位为 {3}({4}):二者计量的是不同的量"),
    (_P(r"(\S+) (\S+) has too many digits: at most (\d+) before and (\d+) after the point, also in (\S+)"),
     "{0} {1} 的位数过多:换算为{4}后,整数部分也须最多 {2} 位、小数部分最多 {3} 位"),
    (_P(r"at most ([\d,]+) characters \(this has ([\d,]+)\)"), "最多 {0} 个字符(当前为 {1} 个)"),
    (_P(r"at most (\d+) characters \((\d+) given\)"), "最多 {0} 个字符(实际为 {1} 个)"),
    (_P(r"at most ([\d,]+) characters"), "最多 {0} 个字符"),
    (_P(rf"{_DATE} is in the future: the vintage is the day the figure was published"),
     "{0} 晚于今天:发布日期是该数据公布的日期"),
    (_P(rf"an actual figure for (\d+) cannot have been published on {_DATE}, before the year was over: mark it "
        r"as a forecast"),
     "{0} 年的实际值不可能在该年结束前({1})发布:请标记为预测值"),
    *((_P(rf"unknown {term} (.+); known: (.*)"), f"未知的{zh} {{0}};可选{zh}:{{1}}") for term, zh in _TERMS.items()),
    (_P(r"no observation (.+)"), "没有观测值 {0}"),
    (_P(r"mixed units in series (\S+): (.+); use one unit per series in a file"),
     "序列 {0} 中混用了多种单位:{1};同一文件中每个序列只能使用一种单位"),
    (_P(r"duplicate of row (\d+): same series, year, source and vintage"),
     "与第 {0} 行重复:序列、年份、来源和发布日期均相同"),
    (_P(rf"row (\d+): vintage (.+) taken as the Beijing date {_DATE}"), "第 {0} 行:发布时间 {1} 按北京时间计为 {2}"),
    # enterprises
    (_P(r"unknown size-class industry (.+); known: (.*)"), "未知的划型行业 {0};可选行业:{1}"),
    (_P(r"unknown size-class industry; known: (.*)"), "未知的划型行业;可选行业:{0}"),
    (_P(r"unknown sector\(s\) (.+); known: none \(no plan defines sectors\)"), "未知的领域 {0};当前没有规划定义领域"),
    (_P(r"unknown sector\(s\) (.+); known: (.*)"), "未知的领域 {0};可选领域:{1}"),
    (_P(r"security revenue (.+) is more than the operating revenue (.+); it is the part of the operating revenue "
        r"earned with cybersecurity"),
     "网络安全收入 {0} 大于营业收入 {1};网络安全收入是营业收入中来自网络安全业务的部分"),
    *((_P(rf"(\S+): {field} (.+) differs from (.+) in row (\d+); an enterprise's {field} is the same in every row"),
       f"{{0}}:{zh} {{1}} 与第 {{3}} 行的 {{2}} 不同;同一企业各行的{zh}须相同") for field, zh in _SAME_FIELDS.items()),
    (_P(r"(\S+) has a second row for (\d+) \(first in row (\d+)\)"), "{0} 的 {1} 年数据重复(首次出现在第 {2} 行)"),
    (_P(r"no enterprise with the credit code (.+) in the register"), "企业名录中没有统一社会信用代码为 {0} 的企业"),
    # investment
    (_P(r"unknown industry (.+); the plan's key industries: none: the plan defines no key_industries"),
     "未知的行业 {0};该规划未定义重点行业"),
    (_P(r"unknown industry (.+); the plan's key industries: (.*)"), "未知的行业 {0};规划的重点行业:{1}"),
    (_P(r"unknown industry; the plan's key industries: none: the plan defines no key_industries"),
     "未知的行业;该规划未定义重点行业"),
    (_P(r"unknown industry; the plan's key industries: (.*)"), "未知的行业;规划的重点行业:{0}"),
    (_P(r"security investment (.+) is more than the IT investment (.+): it is part of the informatization investment"),
     "网络安全投入 {0} 大于信息化投入 {1}:网络安全投入是信息化投入的一部分"),
    (_P(r"(\S+) (\d+) from (.+) is already in row (\d+)"), "{0} {1} 年来源为 {2} 的数据已在第 {3} 行"),
    (_P(r"(\S+) (\d+) from (.+) is already recorded; delete it first or give the new figures their own source"),
     "{0} {1} 年来源为 {2} 的数据已有记录;请先删除,或为新数据注明不同的来源"),
    (_P(r"(\S+) (\d+) from (.+) is already recorded; delete it first"), "{0} {1} 年来源为 {2} 的数据已有记录;请先删除"),
    (_P(r"no investment record (.+)"), "没有投资记录 {0}"),
    # tasks
    (_P(r"plan (\S+) has no task (\d+); its tasks are numbered 1 to (\d+)"),
     "规划 {0} 中没有任务 {1};任务编号为 1 至 {2}"),
    (_P(r"plan (\S+) lists no tasks"), "规划 {0} 未列出任务"),
    (_P(r"(.+) is not a task status; use one of (.*)"), "{0} 不是有效的任务状态;请使用以下之一:{1}"),
    (_P(r"give a status: one of (.*)"), "请填写状态,可选:{0}"),
    (_P(r"(.+) is not a focus area of plan (\S+); the plan has no focus areas"),
     "{0} 不是规划 {1} 的重点领域;该规划没有重点领域"),
    (_P(r"(.+) is not a focus area of plan (\S+); use one of (.*)"), "{0} 不是规划 {1} 的重点领域;请使用以下之一:{2}"),
    *((_P(rf"task (\d+)'s {part} comes from the plan file \({re.escape(kind)}\) and cannot be overwritten here; edit "
          r"the plan file instead"),
       f"任务 {{0}} 的{part_zh}来自规划文件({kind_zh}),不能在此修改;请编辑规划文件")
      for part, part_zh in _TASK_PARTS.items() for kind, kind_zh in _TASK_KINDS.items()),
    (_P(r"the plan file puts task (\d+) in area (\S+); edit the plan file to change it"),
     "规划文件将任务 {0} 列入领域 {1};如需修改,请编辑规划文件"),
    (_P(r"task (\d+) was changed by someone else \(you have version (\d+), it is now at version (\d+)\); reload and "
        r"try again"),
     "任务 {0} 已被他人修改(您编辑的是第 {1} 版,当前为第 {2} 版);请重新加载后再试"),
    (_P(r"task (\d+) was changed by someone else at the same time; reload and try again"),
     "任务 {0} 同时被他人修改;请重新加载后再试"),
    (_P(r"these task fields cannot be changed: (.+); editable: (.*)"), "以下任务字段不能修改:{0};可修改的字段:{1}"),
    (_P(rf"{_DATE} lies in the future \(today is {_DATE} in Beijing\)"), "{0} 晚于今天(北京时间今天为 {1})"),
    (_P(rf"{_DATE} is before the plan was published \({_DATE}\)"), "{0} 早于规划的发布日期({1})"),
    (_P(r"task (\d+) is already in row (\d+)"), "任务 {0} 已在第 {1} 行"),
    # consultations
    (_P(r"no consultation (.+)"), "没有征求意见活动 {0}"),
    (_P(r"(\w+) must be one of pending, approved, rejected; got (.+)"),
     "{0} 须为 pending(待审核)、approved(已通过)或 rejected(已拒绝)之一,实际为 {1}"),
    (_P(rf"must be after the opening time \({_MINUTE} Beijing time\)"), "须晚于开始时间(北京时间 {0})"),
    (_P(r"a consultation (.+) already exists; choose another slug"), "征求意见活动 {0} 已存在;请另选一个标识(slug)"),
    (_P(r"consultation (\S+) was changed by someone else \(you have version (\d+), it is now at version (\d+)\); "
        r"reload and try again"),
     "征求意见活动 {0} 已被他人修改(您编辑的是第 {1} 版,当前为第 {2} 版);请重新加载后再试"),
    (_P(r"consultation (\S+) was changed by someone else at the same time; reload and try again"),
     "征求意见活动 {0} 同时被他人修改;请重新加载后再试"),
    (_P(r"consultation (\S+) is published and already has comments; its window \(open and close times\) can no "
        r"longer be changed"),
     "征求意见活动 {0} 已发布且已收到意见;其征求意见期限(开始和截止时间)不能再修改"),
    (_P(r"consultation (\S+) is already published"), "征求意见活动 {0} 已发布"),
    (_P(r"plan (\S+) records no consultation \(its file has no 'consultation' section\)"),
     "规划 {0} 未记录征求意见(其文件中没有 'consultation' 部分)"),
    (_P(r"the consultation of plan (\S+) is already recorded as (.+)"), "规划 {0} 的征求意见已记录为 {1}"),
    (_P(rf"consultation (\S+) is a record of a past consultation \({_MINUTE} to {_MINUTE} Beijing time\); it never "
        r"took comments here"),
     "征求意见活动 {0} 是对以往征求意见的记录(北京时间 {1} 至 {2}),从未在此接收意见"),
    (_P(rf"consultation (\S+) opens on {_MINUTE} Beijing time"), "征求意见活动 {0} 将于北京时间 {1} 开始"),
    (_P(rf"consultation (\S+) closed on {_MINUTE} Beijing time; comments are no longer accepted"),
     "征求意见活动 {0} 已于北京时间 {1} 截止;不再接收意见"),
    (_P(r"no comment (\S+) on consultation (\S+)"), "征求意见活动 {1} 中没有意见 {0}"),
    (_P(r"no comment (.+)"), "没有意见 {0}"),
    # bounds added after review: far-off years, amounts too large to keep exactly, headcounts
    (_P(r"(.+): the year (-?\d+) is outside 1900–2100"), "{0}:年份 {1} 不在 1900–2100 之间"),
    (_P(r"the year (-?\d+) is outside 1900–2100"), "年份 {0} 不在 1900–2100 之间"),
    (_P(r"(\S+) (.+) is too large or too precise to convert to (.+) exactly"),
     "{0} {1} 数值过大或精度过高,无法精确换算为{2}"),
    (_P(r"(\S+) (\S+) has too many digits to be kept exactly: at most 20 before the decimal point and 8 after, "
        r"in yuan"), "{0} {1} 位数过多,无法精确保存:以元计,整数部分最多 20 位,小数部分最多 8 位"),
    (_P(r"a headcount between 0 and ([\d,]+)"), "从业人员数应在 0 至 {0} 之间"),
)
