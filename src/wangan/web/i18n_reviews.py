"""Chinese for the messages the cybersecurity-review domain (``wangan.reviews``) raises.

The domain speaks English; ``wangan.web.i18n.domain_text`` looks a message up in
``REVIEW_DOMAIN_ZH`` (exact) and then tries ``REVIEW_DOMAIN_ZH_PATTERNS`` in order (``fullmatch``;
the groups fill ``{0}``, ``{1}``…). Identifiers (case numbers, clock, state, transition and factor
ids, dates, version ids) are kept as the domain wrote them. The wording follows the Measures for
Cybersecurity Review (网络安全审查办法) and the punctuation style of ``DOMAIN_ZH``.

Messages that join several other messages (the field list of ``cases.refuse_if_any``, the
guards of a refused transition, several refused screening answers) are given a summary: each part
is also a field problem of its own and is translated there.
"""

from __future__ import annotations

import re

_DATE = r"(\d{4}-\d{2}-\d{2})"
_KIND_ZH = {
    "procurement": "关键信息基础设施运营者采购网络产品和服务",
    "listing": "网络平台运营者国外上市",
    "ex_officio": "成员单位依职权启动的",
}
_TITLE_ZH = {
    "Measures for Cybersecurity Review (2020)": "《网络安全审查办法（2020年）》",
    "Measures for Cybersecurity Review (2021 revision)": "《网络安全审查办法（2021年修订）》",
}
_STATE_ZH = {
    "preparing": "准备申报材料",
    "determining": "待确定是否审查",
    "not_required": "无需审查",
    "review_noticed": "已书面通知审查",
    "initial_review": "初步审查",
    "member_consultation": "征求成员单位意见",
    "special_review": "特别审查程序",
    "concluded": "已作出审查结论",
}
_ARTICLE_ZH = {"7": "第七条", "8": "第八条", "11": "第十一条", "14": "第十四条", "15": "第十五条",
               "16": "第十六条", "20": "第二十条", "21": "第二十一条"}

REVIEW_DOMAIN_ZH: dict[str, str] = {
    # cases: opening and editing (Art. 8 materials)
    "nothing to change": "没有需要修改的内容",
    "not an editable field of a review case": "不是审查案件的可编辑字段",
    "must be text": "须为文本",
    "required": "必填",
    "procurement, listing or ex_officio": "请选择:采购(procurement)、国外上市(listing)或依职权审查(ex_officio)",
    "name the network product or service bought": "请填写所采购的网络产品或服务",
    "choose its Art. 21 category": "请选择其所属的第二十一条所列类别",
    "name the exchange of the listing": "请填写拟上市的证券交易所",
    "give the number of users whose personal information the operator holds": "请填写运营者掌握其个人信息的用户数量",
    "give a calendar date (YYYY-MM-DD)": "请填写日期(YYYY-MM-DD)",
    # the dossier
    "give the file's name": "请填写文件名",
    "at most 255 characters": "最多 255 个字符",
    "a media type such as application/pdf": "须为媒体类型,如 application/pdf",
    "the file is empty": "文件为空",
    # the lifecycle, extensions and supplementary-material pauses (Art. 15)
    "give the extension's working days from the Office's notice (a whole number, 1 or more)":
        "请按网络安全审查办公室的通知填写延长的工作日数(整数,至少为 1)",
    "at most 1000 working days at a time": "每次最多延长 1000 个工作日",
    "say which material the Office asked for": "请说明网络安全审查办公室要求补充的材料",
    "a pause is already open": "已有尚未结束的暂停",
    # the impact analysis (Art. 10 risk factors)
    "say what the rating rests on": "请说明评级的依据",
    "not assessed": "尚未评估",
    "one of unrated, none, low, medium, high": "请选择:未评级、无、低、中、高",
    # supplier commitments (Art. 6) and supervision (Art. 19)
    "name the supplier (the case names none)": "请填写供应商名称(案件未载明供应商)",
    "true or false": "须为是或否",
    "give the day the supplier made the commitment": "请填写供应商作出承诺的日期",
    "say where the commitment is (contract clause, signed letter)": "请说明承诺的载体(合同条款、签署的承诺函等)",
    "say what is to be checked": "请说明需核查的事项",
    "give either a due date or a number of working days": "请填写截止日期或工作日数(二者择一)",
    "a calendar date (YYYY-MM-DD)": "须为日期(YYYY-MM-DD)",
    "a whole number from 1 to 1000": "须为 1 至 1000 的整数",
    "say what the check found": "请说明核查结果",
    # creating a case in an organisation (kernel.auth, asked by reviews.policy)
    "you may not create review cases for this organisation": "您无权为该单位新建审查案件",
    "you may only create review cases in your own organisation": "只能在本单位新建审查案件",
    # screening: user counts (Art. 7), venues, dates, answers
    "write digits, e.g. 1000001, 1,000,001, 100万 or 1.2 million":
        "请填写数字,例如 1000001、1,000,001、100万 或 1.2 million",
    "0 or more": "须为 0 或以上",
    "the number of users is empty": "未填写用户数量",
    "give the exact number, without 'more than', 'about', 超过 or 约":
        "请填写确切数字,不要使用“超过”“约”“more than”“about”等字样",
    "group digits by thousands (1,000,001) or leave the separators out": "请按千位分组(如 1,000,001),或不使用分隔符",
    "users are counted in whole numbers": "用户数量须为整数",
    "choose one of the recognised venues": "请选择所列证券交易所之一",
    "give a date (YYYY-MM-DD)": "请填写日期(YYYY-MM-DD)",
    "procurement or listing": "请选择:采购(procurement)或国外上市(listing)",
    "choose an Art. 21 category": "请选择第二十一条所列类别",
    "yes, no or unsure": "请选择:是、否或不确定",
}

_FIELDS_INVALID = "部分字段无效"

# ``cases.refuse_if_any(errors, what)``: "{what}: field: message; field: message".
_REFUSED: tuple[tuple[str, str], ...] = (
    ("the review case was not opened", "审查案件未创建"),
    ("the review case was not changed", "审查案件未保存"),
    ("the document was not added to the dossier", "文件未添加到申报材料"),
    ("the pause was not recorded", "暂停未记录"),
    ("the pause was not ended", "暂停未结束"),
    ("the factor was not assessed", "风险因素未评估"),
    ("the commitment was not recorded", "承诺未记录"),
    ("the supervision item was not added", "监督事项未添加"),
    ("the supervision item was not completed", "监督事项未完成"),
)

# Starts of the messages ``screening.screen`` may join with "; " when several answers are refused.
_SCREEN_PART = (r"(?:unknown party |the Measures for Cybersecurity Review did not exist on |product category |"
                r"may_affect_national_security must be |give the number of users whose |listing venue |"
                r"a number of users cannot be negative |the number of users is empty|.+ is not a number of users|"
                r".+ is a bound or an estimate |.+: the digits are not grouped |.+: unknown unit |"
                r".+ is not a whole number of users|.+ is \S+ users, not a whole number)")

_P = re.compile

REVIEW_DOMAIN_ZH_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # joined messages first: their parts would otherwise match a pattern below on their own
    *((_P(re.escape(what) + r": .+"), f"{zh}:{_FIELDS_INVALID}") for what, zh in _REFUSED),
    (_P(r"('.*'|\".*\") was not applied: .+"), "操作 {0} 未执行:" + _FIELDS_INVALID),
    (_P(r"('.*'|\".*\") is not possible yet: .+"), "操作 {0} 暂不能执行:尚有条件未满足,详见各项提示"),
    (_P(_SCREEN_PART + r".*; " + _SCREEN_PART + r".*"), "适用性判断的部分答复无效,详见各项提示"),
    # policy (a case the principal may not read is reported as not found)
    (_P(r"no review case (.+)"), "没有审查案件 {0}"),
    (_P(r"only analysts and managers of the owning organisation may change review case (.+)"),
     "仅案件所属单位的分析员和经理可修改审查案件 {0}"),
    (_P(r"only a manager of the owning organisation may record the conclusion of review case (.+)"),
     "仅案件所属单位的经理可记录审查案件 {0} 的审查结论"),
    # cases: opening, editing, concurrency
    (_P(r"no organisation (\S+)"), "没有单位 {0}"),
    (_P(r"unknown kind of review case (.+)"), "未知的审查案件类型 {0}"),
    # only the 2020 text lacks a kind (the listing); the generic pattern below covers any other
    (_P(rf"the Measures for Cybersecurity Review \(2020\), in force on {_DATE}, provide no listing review \(scope: "
        r"[^)]*\); a review the member units started themselves is an ex_officio case \(Art\. 15\)"),
     "《网络安全审查办法（2020年）》({0} 施行)未规定网络平台运营者国外上市的网络安全审查;成员单位依职权启动的审查,"
     "请作为依职权审查(ex_officio)案件办理(第十五条)"),
    (_P(rf"the (.+), in force on {_DATE}, provide no (\w+) review \(scope: ([^)]*)\); a review the member units "
        r"started themselves is an ex_officio case \(Art\. (\d+)\)"),
     "{0}({1} 施行)未规定 {2} 类网络安全审查(适用范围:{3});成员单位依职权启动的审查,"
     "请作为依职权审查(ex_officio)案件办理(第{4}条)"),
    (_P(r"not a category of network products and services under (\S+); known: (.*)"),
     "不属于 {0} 所列的网络产品和服务类别;可选类别:{1}"),
    (_P(r"at most ([\d,]+) users"), "最多 {0} 名用户"),
    (_P(r"at most (\d+) characters"), "最多 {0} 个字符"),
    (_P(r"text of at most (\d+) characters"), "须为文本,最多 {0} 个字符"),
    (_P(rf"{_DATE} lies in the future \(today is {_DATE} in Beijing\)"), "{0} 晚于今天(北京时间今天为 {1})"),
    (_P(rf"{_DATE} is before the case's filing day \({_DATE}\)"), "{0} 早于案件的申报日期({1})"),
    (_P(rf"{_DATE} is before the filing day \({_DATE}\)"), "{0} 早于申报日期({1})"),
    (_P(rf"{_DATE} is before the start of the running clock \({_DATE}\)"), "{0} 早于正在计时的审查期限的起算日({1})"),
    (_P(rf"{_DATE} is before the start of the running clock (\S+) \({_DATE}\)"),
     "{0} 早于正在计时的审查期限 {1} 的起算日({2})"),
    (_P(r"review case (\S+) was changed by someone else \(you have version (\d+), it is now at version (\d+)\); "
        r"reload and try again"),
     "审查案件 {0} 已被他人修改(您编辑的是第 {1} 版,当前为第 {2} 版);请重新加载后再试"),
    *((_P(rf"review case (\S+) has ended \({state}\); it can no longer be changed"),
       f"审查案件 {{0}} 已结束({zh}),不能再修改") for state, zh in _STATE_ZH.items()),
    (_P(r"review case (\S+) has ended \((.+)\); it can no longer be changed"), "审查案件 {0} 已结束({1}),不能再修改"),
    (_P(r"review case (\S+) was changed by someone else at the same time; reload"),
     "审查案件 {0} 同时被他人修改;请重新加载"),
    (_P(r"unknown state (.+); known: (.*)"), "未知的状态 {0};可选状态:{1}"),
    (_P(r"unknown kind (.+); known: (.*)"), "未知的案件类型 {0};可选类型:{1}"),
    # the dossier (Art. 8)
    *((_P(rf"{kind} cases have the slots (.*)"), f"{zh}案件的申报材料项为:{{0}}") for kind, zh in _KIND_ZH.items()
      if kind != "ex_officio"),
    (_P(r"ex_officio cases have the slots (.*)"), "依职权审查案件的材料项为:{0}"),
    (_P(r"the document is (\d+) bytes; at most (\d+) are accepted"), "文件大小为 {0} 字节,最多接受 {1} 字节"),
    (_P(r"at most (\d+) bytes"), "最多 {0} 字节"),
    (_P(r"no document (.+) in review case (\S+)"), "审查案件 {1} 中没有文件 {0}"),
    # the lifecycle: transitions and their guards
    (_P(r"unknown transition (.+); known: (.*)"), "未知的操作 {0};可选操作:{1}"),
    (_P(r"(.+) happens by itself when its conditions are met \(for the dossier: when the last required document is "
        r"uploaded\)"),
     "{0} 在条件满足时自动进行(申报材料:上传最后一份必需文件时),不能手动执行"),
    (_P(r"review case (\S+) is ('\w+'); ('.*'|\".*\") is only possible from (.+) \(possible now: (.*)\)"),
     "审查案件 {0} 当前状态为 {1};操作 {2} 只能在 {3} 状态下执行(当前可执行:{4})"),
    (_P(r"the dossier is not complete \(Art\. 8\): missing (.+)"), "申报材料不齐全(第八条):缺少 {0}"),
    *((_P(rf"a supplementary-material pause is open since {_DATE}: end it first, so the time it stopped the clock "
          rf"is settled \(Art\. {art}\)"),
       f"自 {{0}} 起补充材料的暂停尚未结束:请先结束暂停,以确定审查期限中止的时间({_ARTICLE_ZH[art]})")
      for art in ("14", "15")),
    (_P(rf"a supplementary-material pause is open since {_DATE}: end it first, so the time it stopped the clock "
        r"is settled \(Art\. (\d+)\)"),
     "自 {0} 起补充材料的暂停尚未结束:请先结束暂停,以确定审查期限中止的时间(第{1}条)"),
    (_P(r"the initial review was already extended (\d+) time\(s\), the most Art\. 11 allows"),
     "初步审查期限已延长 {0} 次,已达第十一条允许的上限"),
    (_P(r"('.*'|\".*\") extends no clock"), "操作 {0} 不延长审查期限,无需填写延长的工作日数"),
    (_P(r"this extension is fixed at (\d+) working days"), "该延长期限固定为 {0} 个工作日"),
    # supplementary-material pauses (Art. 15)
    (_P(r"review case (\S+) has no running clock \((\w+)\): a supplementary-material pause stops a running clock"),
     "审查案件 {0} 当前没有正在计时的审查期限({1}):补充材料的暂停只能中止正在计时的期限"),
    (_P(rf"the pause ends \({_DATE}\) before it starts \({_DATE}\)"), "暂停结束日期({0})早于开始日期({1})"),
    (_P(rf"a pause is already open since {_DATE}: end it before starting another"),
     "自 {0} 起已有尚未结束的暂停:请先结束该暂停,再开始新的暂停"),
    (_P(r"the pause (\S+) overlaps the pause (\S+): pauses cannot overlap"),
     "暂停 {0} 与暂停 {1} 重叠:暂停期间不得重叠"),
    (_P(r"overlaps the pause (\S+)"), "与暂停 {0} 重叠"),
    (_P(r"review case (\S+) has no open pause to end"), "审查案件 {0} 没有尚未结束的暂停"),
    # the impact analysis (Art. 10)
    *((_P(rf"{kind} reviews under (\S+) weigh (.*)"), f"依 {{0}},{zh}审查考量的风险因素为:{{1}}")
      for kind, zh in _KIND_ZH.items()),
    (_P(r"one of (.+)"), "须为以下之一:{0}"),
    *((_P(rf"rating (\S+) {en} needs evidence"), f"风险因素 {{0}} 评为“{zh}”,须说明依据")
      for en, zh in (("none", "无"), ("low", "低"), ("medium", "中"), ("high", "高"), ("unrated", "未评级"))),
    (_P(r"the impact analysis report of (\S+) is a draft: factors (.+) are not assessed"),
     "审查案件 {0} 的国家安全影响分析报告仍为草稿:风险因素 {1} 尚未评估"),
    # supervision (Art. 19)
    (_P(rf"the supervision item ('.*'|\".*\") was already done on {_DATE}"), "监督事项 {0} 已于 {1} 完成"),
    (_P(r"no supervision item (.+) in review case (\S+)"), "审查案件 {1} 中没有监督事项 {0}"),
    # screening: the number of users (Art. 7)
    (_P(r"(.+) is a bound or an estimate \((.+)\), not a number: Art\. 7 applies to MORE than 1,000,000 users, so "
        r"give the exact count \(or the best exact figure you hold\)"),
     "{0} 是上下限或估计值({1}),不是确切数字:第七条适用于掌握超过 100 万名用户个人信息的运营者,"
     "请填写确切的用户数量(或所掌握的最准确数字)"),
    (_P(r"a number of users cannot be negative \((.+)\)"), "用户数量不能为负数({0})"),
    (_P(r"(.+): the digits are not grouped in threes, so the number is ambiguous"), "{0}:数字未按三位分组,含义不明确"),
    (_P(r"(.+): unknown unit (.+); known: (.*)"), "{0}:未知的单位 {1};可用单位:{2}"),
    (_P(r"(.+) is not a whole number of users"), "{0}:用户数量须为整数"),
    (_P(r"(.+) is (\S+) users, not a whole number"), "{0} 折合 {1} 名用户,不是整数"),
    (_P(r"(.+) is not a number of users"), "{0} 不是有效的用户数量"),
    # screening: venue, date, party, category, national security
    (_P(r"listing venue (.+) is not recognised; recognised venues: (.*)"), "未识别的上市地 {0};可选的证券交易所:{1}"),
    (_P(r"(.+) is not a calendar date"), "{0} 不是有效日期"),
    (_P(rf"the Measures for Cybersecurity Review did not exist on {_DATE}: the first Measures came into force on "
        rf"{_DATE}, so nothing before that day can be screened or filed"),
     "{0}《网络安全审查办法》尚未施行:首部办法自 {1} 起施行,此前的事项不能进行适用性判断或申报"),
    (_P(rf"must be on or after {_DATE}"), "不能早于 {0}"),
    (_P(r"unknown party (.+): procurement \(a CIIO buying a network product or service\) or listing \(a platform "
        r"operator listing\)"),
     "未知的申报主体类型 {0}:应为 procurement(关键信息基础设施运营者采购网络产品和服务)"
     "或 listing(网络平台运营者国外上市)"),
    *((_P(rf"product category (.+) is not a category of network products and services under the {re.escape(en)}; "
          r"known: (.*)"),
       f"{{0}} 不是{zh}所列的网络产品和服务类别;可选类别:{{1}}") for en, zh in _TITLE_ZH.items()),
    (_P(r"product category (.+) is not a category of network products and services under the (.+); known: (.*)"),
     "{0} 不是{1}所列的网络产品和服务类别;可选类别:{2}"),
    (_P(r"product category (.+) is not a category of network products and services; known: (.*)"),
     "{0} 不是所列的网络产品和服务类别;可选类别:{1}"),
    (_P(r"may_affect_national_security must be yes, no or unsure, not (.+)"),
     "“是否影响或者可能影响国家安全”须为是(yes)、否(no)或不确定(unsure),不能为 {0}"),
)
