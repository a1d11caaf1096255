"""Chinese for the cybersecurity-review domain's messages (``wangan.web.i18n_reviews``).

Messages of pure functions are produced by calling them with bad input; messages raised only with a
database are copied here from the f-strings of their raise sites, with sample values."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from wangan.errors import DomainError, ErrorList, FieldProblem, Invalid
from wangan.reviews import cases, screening
from wangan.reviews.rules import ReviewRules, default_review_rules
from wangan.reviews.screening import ScreeningIn
from wangan.web.i18n_reviews import REVIEW_DOMAIN_ZH, REVIEW_DOMAIN_ZH_PATTERNS

CJK = re.compile(r"[\u4e00-\u9fff]")


def zh(message: str) -> str:
    """What ``domain_text("zh", message)`` gives with only the review entries."""
    if message in REVIEW_DOMAIN_ZH:
        return REVIEW_DOMAIN_ZH[message]
    for pattern, template in REVIEW_DOMAIN_ZH_PATTERNS:
        found = pattern.fullmatch(message)
        if found:
            return template.format(*found.groups())
    return message


def first_pattern(message: str) -> int | None:
    for index, (pattern, _) in enumerate(REVIEW_DOMAIN_ZH_PATTERNS):
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
    assert exc.problems
    for problem in exc.problems:
        assert_translated(problem.message)


@pytest.fixture(scope="module")
def rules() -> ReviewRules:
    return default_review_rules()


# --------------------------------------------------------------------------- pure raise sites, called


@pytest.mark.parametrize("value", [
    True, -5, "", "   ", "about a million", "超过100万", "100万+", "-5", "lots", "1,00,0001", "5 zillions",
    "1.5", "1.2345k", "1.2345 千用户",
])
def test_user_count_errors_translate(value: int | str) -> None:
    with pytest.raises(Invalid) as caught:
        screening.parse_user_count(value)
    assert_error_translated(caught.value)


def test_user_count_bound_names_art_7_and_keeps_the_value() -> None:
    with pytest.raises(Invalid) as caught:
        screening.parse_user_count("more than 1 million")
    text = assert_translated(caught.value.detail)
    assert "第七条" in text and "'more than 1 million'" in text and "100 万" in text


def test_unknown_venue_translates(rules: ReviewRules) -> None:
    with pytest.raises(Invalid) as caught:
        screening.find_venue(rules, "Mars Exchange")
    assert_error_translated(caught.value)
    assert "'Mars Exchange'" in zh(caught.value.detail) and "NYSE" in zh(caught.value.detail)


@pytest.mark.parametrize("day", [date(2019, 1, 1), datetime(2023, 1, 1, 12, 0), "2023-01-01"])
def test_measures_on_errors_translate(rules: ReviewRules, day: date) -> None:
    with pytest.raises(Invalid) as caught:
        screening.measures_on(rules, day)
    assert_error_translated(caught.value)


def test_before_the_first_measures_keeps_the_dates(rules: ReviewRules) -> None:
    with pytest.raises(Invalid) as caught:
        screening.measures_on(rules, date(2019, 1, 1))
    text = zh(caught.value.detail)
    assert "2019-01-01" in text and rules.first_in_force.isoformat() in text and "《网络安全审查办法》" in text
    assert zh(caught.value.problems[0].message) == f"不能早于 {rules.first_in_force.isoformat()}"


@pytest.mark.parametrize("answers", [
    ScreeningIn(party="buyer", decided_on=date(2023, 1, 1)),
    ScreeningIn(party="procurement", decided_on=date(2023, 1, 1), product_category="toasters",
                may_affect_national_security="yes"),
    ScreeningIn(party="procurement", decided_on=date(2023, 1, 1), product_category="",
                may_affect_national_security="yes"),
    ScreeningIn(party="procurement", decided_on=date(2020, 7, 1), product_category="toasters",
                may_affect_national_security="yes"),
    ScreeningIn(party="procurement", decided_on=date(2023, 1, 1), product_category="cloud_services",
                may_affect_national_security="maybe"),
    ScreeningIn(party="listing", decided_on=date(2023, 1, 1), listing_venue="NYSE"),
    ScreeningIn(party="listing", decided_on=date(2023, 1, 1), user_count="lots", listing_venue="NYSE"),
    ScreeningIn(party="listing", decided_on=date(2023, 1, 1), user_count=2_000_000, listing_venue="Moon"),
    ScreeningIn(party="listing", decided_on=date(2023, 1, 1), user_count="about 2 million", listing_venue="Moon"),
    ScreeningIn(party="procurement", decided_on=date(2019, 1, 1), product_category="toasters",
                may_affect_national_security="maybe"),
])
def test_screening_refusals_translate(rules: ReviewRules, answers: ScreeningIn) -> None:
    with pytest.raises(Invalid) as caught:
        screening.screen(rules, answers)
    assert_error_translated(caught.value)


def test_category_names_the_version_in_chinese(rules: ReviewRules) -> None:
    with pytest.raises(Invalid) as caught:
        screening.screen(rules, ScreeningIn(party="procurement", decided_on=date(2023, 1, 1),
                                            product_category="toasters", may_affect_national_security="yes"))
    text = zh(caught.value.detail)
    assert "《网络安全审查办法（2021年修订）》" in text and "'toasters'" in text and "cloud_services" in text


def test_several_screening_refusals_get_the_summary(rules: ReviewRules) -> None:
    with pytest.raises(Invalid) as caught:
        screening.screen(rules, ScreeningIn(party="listing", decided_on=date(2023, 1, 1), user_count="lots",
                                            listing_venue="Moon"))
    assert "; " in caught.value.detail
    assert zh(caught.value.detail) == "适用性判断的部分答复无效,详见各项提示"


def test_refuse_if_any_translates_detail_and_problems() -> None:
    errors = ErrorList()
    errors.add("title", "required")
    errors.add("user_count", "'lots' is not a number of users")
    with pytest.raises(Invalid) as caught:
        cases.refuse_if_any(errors, "the review case was not opened")
    assert zh(caught.value.detail) == "审查案件未创建:部分字段无效"
    assert_error_translated(caught.value)


@pytest.mark.parametrize(("value", "not_before"), [
    (datetime(2024, 1, 1, 8, 0), None),
    (date(2030, 1, 1), None),
    (date(2023, 1, 1), date(2023, 2, 1)),
])
def test_check_day_problems_translate(value: date, not_before: date | None) -> None:
    errors = ErrorList()
    for what in ("the case's filing day", "the start of the running clock", "the filing day",
                 "the start of the running clock REV-INITIAL"):
        cases.check_day("on", value, errors, today=date(2024, 6, 3), not_before=not_before, not_before_what=what)
    assert errors.problems
    for problem in errors.problems:
        assert_translated(problem.message)


# --------------------------------------------------------------------------- raise sites needing a database

# (message as the f-string produces it, a fragment its Chinese must contain)
EXAMPLES: list[tuple[str, str]] = [
    # policy.py
    ("no review case CR-2026-0007", "没有审查案件 CR-2026-0007"),
    ("no review case 3f0c0a4e-1111-4222-8333-944445555666", "没有审查案件 3f0c0a4e"),
    ("only analysts and managers of the owning organisation may change review case CR-2026-0007",
     "仅案件所属单位的分析员和经理可修改审查案件 CR-2026-0007"),
    ("only a manager of the owning organisation may record the conclusion of review case CR-2026-0007",
     "审查案件 CR-2026-0007 的审查结论"),
    ("you may not create review cases for this organisation", "新建审查案件"),
    ("you may only create review cases in your own organisation", "本单位"),
    # cases.py: opening and editing
    ("no organisation 3f0c0a4e-1111-4222-8333-944445555666", "没有单位 3f0c0a4e-1111-4222-8333-944445555666"),
    ("unknown kind of review case 'merger'", "未知的审查案件类型 'merger'"),
    ("procurement, listing or ex_officio", "依职权审查"),
    ("the Measures for Cybersecurity Review (2020), in force on 2021-03-01, provide no listing review (scope: "
     "procurement, ex_officio); a review the member units started themselves is an ex_officio case (Art. 15)",
     "《网络安全审查办法（2020年）》(2021-03-01 施行)未规定网络平台运营者国外上市"),
    ("the Measures for Cybersecurity Review (2020), in force on 2021-03-01, provide no listing review (scope: "
     "procurement, ex_officio); a review the member units started themselves is an ex_officio case (Art. 15)",
     "第十五条"),
    ("the Measures X, in force on 2021-03-01, provide no procurement review (scope: listing); a review the member "
     "units started themselves is an ex_officio case (Art. 9)", "(第9条)"),
    ("not an editable field of a review case", "可编辑字段"),
    ("must be text", "文本"),
    ("at most 300 characters", "最多 300 个字符"),
    ("at most 100000 characters", "最多 100000 个字符"),
    ("required", "必填"),
    ("not a category of network products and services under MEASURES-2021; known: core_network_equipment, other",
     "不属于 MEASURES-2021 所列的网络产品和服务类别;可选类别:core_network_equipment, other"),
    ("at most 2,147,483,647 users", "最多 2,147,483,647 名用户"),
    ("name the network product or service bought", "网络产品或服务"),
    ("choose its Art. 21 category", "第二十一条"),
    ("name the exchange of the listing", "证券交易所"),
    ("give the number of users whose personal information the operator holds", "个人信息"),
    ("review case CR-2026-0007 was changed by someone else (you have version 3, it is now at version 4); reload "
     "and try again", "审查案件 CR-2026-0007 已被他人修改(您编辑的是第 3 版,当前为第 4 版)"),
    ("review case CR-2026-0007 has ended (concluded); it can no longer be changed", "已结束(已作出审查结论)"),
    ("review case CR-2026-0007 has ended (not_required); it can no longer be changed", "已结束(无需审查)"),
    ("review case CR-2026-0007 has ended (archived); it can no longer be changed", "已结束(archived)"),
    ("review case CR-2026-0007 was changed by someone else at the same time; reload", "同时被他人修改"),
    ("unknown state 'open'; known: preparing, determining", "未知的状态 'open';可选状态:preparing, determining"),
    ("unknown kind 'merger'; known: procurement, listing, ex_officio", "未知的案件类型 'merger'"),
    ("nothing to change", "没有需要修改的内容"),
    ("give a calendar date (YYYY-MM-DD)", "请填写日期"),
    ("2026-03-02 lies in the future (today is 2026-03-01 in Beijing)",
     "2026-03-02 晚于今天(北京时间今天为 2026-03-01)"),
    ("2026-01-02 is before the case's filing day (2026-01-05)", "2026-01-02 早于案件的申报日期(2026-01-05)"),
    ("2026-01-02 is before the filing day (2026-01-05)", "2026-01-02 早于申报日期(2026-01-05)"),
    ("2026-01-02 is before the start of the running clock (2026-01-05)", "早于正在计时的审查期限的起算日(2026-01-05)"),
    ("2026-01-02 is before the start of the running clock REV-INITIAL (2026-01-05)",
     "早于正在计时的审查期限 REV-INITIAL 的起算日(2026-01-05)"),
    # cases.py: the dossier
    ("procurement cases have the slots application_form, impact_report, procurement_documents, other",
     "关键信息基础设施运营者采购网络产品和服务案件的申报材料项为:application_form"),
    ("listing cases have the slots application_form, impact_report, listing_documents, other",
     "网络平台运营者国外上市案件的申报材料项为"),
    ("ex_officio cases have the slots application_form, other", "依职权审查案件的材料项为"),
    ("give the file's name", "文件名"),
    ("at most 255 characters", "最多 255 个字符"),
    ("a media type such as application/pdf", "application/pdf"),
    ("the file is empty", "文件为空"),
    ("the document is 30000000 bytes; at most 26214400 are accepted",
     "文件大小为 30000000 字节,最多接受 26214400 字节"),
    ("at most 26214400 bytes", "最多 26214400 字节"),
    ("no document 3f0c0a4e-1111-4222-8333-944445555666 in review case CR-2026-0007",
     "审查案件 CR-2026-0007 中没有文件 3f0c0a4e-1111-4222-8333-944445555666"),
    ("no document not-a-uuid in review case CR-2026-0007", "没有文件 not-a-uuid"),
    # cases.py: the lifecycle
    ("unknown transition 'approve'; known: complete_dossier, decide_not_required", "未知的操作 'approve'"),
    ("'complete_dossier' happens by itself when its conditions are met (for the dossier: when the last required "
     "document is uploaded)", "'complete_dossier' 在条件满足时自动进行"),
    ("review case CR-2026-0007 is 'preparing'; 'send_to_members' is only possible from initial_review (possible "
     "now: none)", "审查案件 CR-2026-0007 当前状态为 'preparing';操作 'send_to_members' 只能在 initial_review"),
    ("'extend_initial_review' is not possible yet: a supplementary-material pause is open since 2026-02-02: end it "
     "first, so the time it stopped the clock is settled (Art. 15); the initial review was already extended 1 "
     "time(s), the most Art. 11 allows", "操作 'extend_initial_review' 暂不能执行"),
    ("the dossier is not complete (Art. 8): missing Application form (申报书)", "申报材料不齐全(第八条):缺少"),
    ("a supplementary-material pause is open since 2026-02-02: end it first, so the time it stopped the clock is "
     "settled (Art. 15)", "自 2026-02-02 起补充材料的暂停尚未结束"),
    ("a supplementary-material pause is open since 2026-02-02: end it first, so the time it stopped the clock is "
     "settled (Art. 14)", "(第十四条)"),
    ("a supplementary-material pause is open since 2026-02-02: end it first, so the time it stopped the clock is "
     "settled (Art. 99)", "(第99条)"),
    ("the initial review was already extended 1 time(s), the most Art. 11 allows", "已延长 1 次,已达第十一条"),
    ("'send_to_members' extends no clock", "操作 'send_to_members' 不延长审查期限"),
    ("this extension is fixed at 15 working days", "固定为 15 个工作日"),
    ("give the extension's working days from the Office's notice (a whole number, 1 or more)", "网络安全审查办公室"),
    ("at most 1000 working days at a time", "1000 个工作日"),
    ("at most 2000 characters", "最多 2000 个字符"),
    ("'send_to_members' was not applied: on: 2026-03-02 lies in the future (today is 2026-03-01 in Beijing)",
     "操作 'send_to_members' 未执行:部分字段无效"),
    # cases.py: supplementary-material pauses
    ("review case CR-2026-0007 has no running clock (preparing): a supplementary-material pause stops a running "
     "clock", "审查案件 CR-2026-0007 当前没有正在计时的审查期限(preparing)"),
    ("say which material the Office asked for", "补充的材料"),
    ("the pause ends (2026-02-01) before it starts (2026-02-03)", "暂停结束日期(2026-02-01)早于开始日期(2026-02-03)"),
    ("the pause was not recorded: reason: say which material the Office asked for", "暂停未记录:部分字段无效"),
    ("a pause is already open since 2026-02-02: end it before starting another", "自 2026-02-02 起已有尚未结束的暂停"),
    ("a pause is already open", "已有尚未结束的暂停"),
    ("the pause 2026-02-04–… overlaps the pause 2026-02-01–2026-02-05: pauses cannot overlap",
     "暂停 2026-02-04–… 与暂停 2026-02-01–2026-02-05 重叠"),
    ("the pause 2026-02-04–2026-02-04 overlaps the pause 2026-02-04: pauses cannot overlap", "与暂停 2026-02-04 重叠"),
    ("overlaps the pause 2026-02-01–2026-02-05", "与暂停 2026-02-01–2026-02-05 重叠"),
    ("review case CR-2026-0007 has no open pause to end", "审查案件 CR-2026-0007 没有尚未结束的暂停"),
    ("the pause was not ended: ended_on: the pause ends (2026-02-01) before it starts (2026-02-03)",
     "暂停未结束:部分字段无效"),
    ("the review case was not changed: title: required", "审查案件未保存:部分字段无效"),
    ("the document was not added to the dossier: data: the file is empty", "文件未添加到申报材料:部分字段无效"),
    # assessment.py
    ("procurement reviews under MEASURES-2021 weigh RF-1, RF-2", "依 MEASURES-2021,关键信息基础设施运营者采购网络产品"),
    ("listing reviews under MEASURES-2021 weigh RF-1, RF-7", "网络平台运营者国外上市审查考量的风险因素为:RF-1, RF-7"),
    ("ex_officio reviews under MEASURES-2020 weigh RF-1", "成员单位依职权启动的审查"),
    ("one of unrated, none, low, medium, high", "未评级、无、低、中、高"),
    ("at most 20000 characters", "最多 20000 个字符"),
    ("the factor was not assessed: rating: one of unrated, none, low, medium, high", "风险因素未评估:部分字段无效"),
    ("rating RF-3 high needs evidence", "风险因素 RF-3 评为“高”,须说明依据"),
    ("rating RF-3 none needs evidence", "评为“无”"),
    ("rating RF-3 low needs evidence", "评为“低”"),
    ("rating RF-3 medium needs evidence", "评为“中”"),
    ("rating RF-3 unrated needs evidence", "评为“未评级”"),
    ("say what the rating rests on", "评级的依据"),
    ("the impact analysis report of CR-2026-0007 is a draft: factors RF-2, RF-5 are not assessed",
     "审查案件 CR-2026-0007 的国家安全影响分析报告仍为草稿:风险因素 RF-2, RF-5 尚未评估"),
    ("not assessed", "尚未评估"),
    # commitments.py
    ("one of SC-COOPERATE, SC-NO-DATA, SC-NO-CONTROL, SC-NO-INTERRUPTION", "须为以下之一:SC-COOPERATE"),
    ("name the supplier (the case names none)", "供应商"),
    ("at most 200 characters", "最多 200 个字符"),
    ("true or false", "是或否"),
    ("text of at most 20000 characters", "须为文本,最多 20000 个字符"),
    ("give the day the supplier made the commitment", "作出承诺的日期"),
    ("say where the commitment is (contract clause, signed letter)", "合同条款"),
    ("the commitment was not recorded: supplier: name the supplier (the case names none)", "承诺未记录:部分字段无效"),
    ("say what is to be checked", "核查"),
    ("give either a due date or a number of working days", "二者择一"),
    ("a calendar date (YYYY-MM-DD)", "须为日期"),
    ("a whole number from 1 to 1000", "1 至 1000"),
    ("the supervision item was not added: title: say what is to be checked", "监督事项未添加:部分字段无效"),
    ("the supervision item 'Check the data flows' was already done on 2026-05-04",
     "监督事项 'Check the data flows' 已于 2026-05-04 完成"),
    ("the supervision item \"Vendor's audit\" was already done on 2026-05-04", "监督事项 \"Vendor's audit\" 已于"),
    ("say what the check found", "核查结果"),
    ("the supervision item was not completed: outcome: say what the check found", "监督事项未完成:部分字段无效"),
    ("no supervision item 3f0c0a4e-1111-4222-8333-944445555666 in review case CR-2026-0007",
     "审查案件 CR-2026-0007 中没有监督事项 3f0c0a4e-1111-4222-8333-944445555666"),
    # screening.py, as the f-strings produce them (also produced by calls above)
    ("listing venue 'Moon' is not recognised; recognised venues: SSE (Shanghai Stock Exchange), NYSE (New York "
     "Stock Exchange)", "未识别的上市地 'Moon';可选的证券交易所:SSE"),
    ("give the number of users whose personal information the operator holds; listing venue 'Moon' is not "
     "recognised; recognised venues: SSE (Shanghai Stock Exchange)", "适用性判断的部分答复无效"),
    ("unknown party 'buyer': procurement (a CIIO buying a network product or service) or listing (a platform "
     "operator listing); the Measures for Cybersecurity Review did not exist on 2019-01-01: the first Measures "
     "came into force on 2020-06-01, so nothing before that day can be screened or filed", "适用性判断的部分答复无效"),
    ("'lots' is not a number of users", "'lots' 不是有效的用户数量"),
    ("'1.5' is not a whole number of users", "'1.5':用户数量须为整数"),
    ("'1.2345k' is 1234.5000 users, not a whole number", "'1.2345k' 折合 1234.5000 名用户"),
    ("'5 zillions': unknown unit 'zillions'; known: 千, 万, k, million",
     "'5 zillions':未知的单位 'zillions';可用单位:千"),
    ("'1,00,0001': the digits are not grouped in threes, so the number is ambiguous", "'1,00,0001':数字未按三位分组"),
    ("a number of users cannot be negative ('-5')", "用户数量不能为负数('-5')"),
    ("a number of users cannot be negative (-5)", "用户数量不能为负数(-5)"),
    ("product category 'toasters' is not a category of network products and services under the Measures for "
     "Cybersecurity Review (2020); known: core_network_equipment", "'toasters' 不是《网络安全审查办法（2020年）》所列"),
    ("product category 'toasters' is not a category of network products and services under the Measures Y; "
     "known: other", "'toasters' 不是Measures Y所列"),
    ("product category '(none)' is not a category of network products and services; known: other",
     "'(none)' 不是所列的网络产品和服务类别;可选类别:other"),
    ("may_affect_national_security must be yes, no or unsure, not 'maybe'", "不能为 'maybe'"),
    ("product category 'toasters' is not a category of network products and services under the Measures for "
     "Cybersecurity Review (2021 revision); known: other", "'toasters' 不是《网络安全审查办法（2021年修订）》所列"),
    ("unknown party 'buyer': procurement (a CIIO buying a network product or service) or listing (a platform "
     "operator listing)", "未知的申报主体类型 'buyer'"),
    ("the Measures for Cybersecurity Review did not exist on 2019-01-01: the first Measures came into force on "
     "2020-06-01, so nothing before that day can be screened or filed", "2019-01-01《网络安全审查办法》尚未施行"),
    ("must be on or after 2020-06-01", "不能早于 2020-06-01"),
    ("'about 2 million' is a bound or an estimate ('about'), not a number: Art. 7 applies to MORE than 1,000,000 "
     "users, so give the exact count (or the best exact figure you hold)",
     "'about 2 million' 是上下限或估计值('about')"),
    ("the review case was not opened: title: required; user_count: 'lots' is not a number of users",
     "审查案件未创建:部分字段无效"),
    ("'2023-01-01' is not a calendar date", "'2023-01-01' 不是有效日期"),
]


@pytest.mark.parametrize(("message", "fragment"), EXAMPLES)
def test_example_messages_translate_to_the_right_text(message: str, fragment: str) -> None:
    text = assert_translated(message)
    assert fragment in text, f"{message!r} -> {text!r}, expected {fragment!r}"


# --------------------------------------------------------------------------- the tables themselves


def test_placeholders_match_groups() -> None:
    for pattern, template in REVIEW_DOMAIN_ZH_PATTERNS:
        assert isinstance(pattern, re.Pattern)
        used = {int(n) for n in re.findall(r"\{(\d+)\}", template)}
        assert used == set(range(pattern.groups)), (pattern.pattern, template)
        assert re.search(r"\{(?!\d+\})|(?<!\{\d)(?<!\{\d\d)\}", template) is None, template
        assert CJK.search(template), template


def test_exact_entries_are_chinese_and_not_shadowed() -> None:
    for english, chinese in REVIEW_DOMAIN_ZH.items():
        assert chinese != english and CJK.search(chinese), english
        assert "{" not in chinese, english


def test_every_pattern_is_exercised_by_an_example() -> None:
    examples = [m for m, _ in EXAMPLES]
    unused = [p.pattern for i, (p, _) in enumerate(REVIEW_DOMAIN_ZH_PATTERNS)
              if not any(first_pattern(m) == i for m in examples)
              and not ("has ended" in p.pattern and "(.+)" not in p.pattern)]  # states: tested below
    assert not unused


@pytest.mark.parametrize(("message", "wrong"), [
    # a joined detail must not be read as its last part
    ("the review case was not opened: user_count: 'lots' is not a number of users", "不是有效的用户数量"),
    ("'x' is not a whole number of users", "不是有效的用户数量"),
    ("unknown kind 'merger'; known: procurement", "审查案件类型"),
    ("unknown kind of review case 'merger'", "可选类型"),
    # a single unit message holds "; known:" and is not a joined screening detail
    ("'5 zillions': unknown unit 'zillions'; known: 千, 万", "部分答复无效"),
    ("listing venue 'x; y' is not recognised; recognised venues: SSE (Shanghai Stock Exchange)", "部分答复无效"),
    ("2026-01-02 is before the start of the running clock REV-INITIAL (2026-01-05)", "的起算日(REV-INITIAL"),
    ("at most 2,147,483,647 users", "个字符"),
])
def test_order_gives_the_specific_text(message: str, wrong: str) -> None:
    assert wrong not in assert_translated(message)


def test_state_ids_are_named_in_chinese() -> None:
    for state in default_review_rules().state_by_id:
        text = zh(f"review case CR-2026-0001 has ended ({state}); it can no longer be changed")
        assert state not in text and CJK.search(text), state


def test_problem_hints_of_the_screening_are_covered(rules: ReviewRules) -> None:
    hints = [FieldProblem("party", "procurement or listing"), FieldProblem("product_category", "choose an Art. 21 "
             "category"), FieldProblem("may_affect_national_security", "yes, no or unsure"),
             FieldProblem("decided_on", "give a date (YYYY-MM-DD)"), FieldProblem("listing_venue", "choose one of "
             "the recognised venues")]
    for hint in hints:
        assert_translated(hint.message)


def test_the_web_uses_these_translations() -> None:
    from wangan.reviews.rules import default_review_rules
    from wangan.reviews.screening import find_venue
    from wangan.web.i18n import domain_text

    try:
        find_venue(default_review_rules(), "Mars Exchange")
    except Invalid as exc:
        assert domain_text("zh", exc.detail) != exc.detail and domain_text("en", exc.detail) == exc.detail
    else:
        raise AssertionError("an unknown venue must be refused")
