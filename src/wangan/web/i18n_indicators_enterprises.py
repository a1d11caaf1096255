"""UI texts of the enterprise register (G5) and investment (G6) pages, zh and en; merged into
``wangan.web.i18n.MESSAGES``."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # enterprise register
    "ent.title": ("企业名录", "Enterprise register"),
    "ent.intro": ("按统一社会信用代码登记企业，记录各年度营业收入、网络安全收入和从业人员；企业规模按《中小企业划型"
                  "标准规定》逐年划分（目标G5）。",
                  "Enterprises by unified social credit code with their yearly operating revenue, security revenue "
                  "and headcount; the size class is determined each year under the 2011 SME provisions (goal G5)."),
    "ent.add": ("添加企业", "Add an enterprise"),
    "ent.edit": ("编辑", "Edit"),
    "ent.edit_title": ("编辑企业", "Edit the enterprise"),
    "ent.delete": ("删除", "Delete"),
    "ent.import": ("导入企业名录", "Import an enterprise register"),
    "ent.import_intro": ("每行一家企业的一个年度。文件中如有任何问题，将列出全部问题（行号和列名），且不导入任何数据"
                         "。已存在的信用代码将被更新。",
                         "One row per enterprise and year. If anything in the file is wrong, every problem is listed "
                         "with its row and column and nothing is imported. Known credit codes are updated."),
    "ent.template": ("下载模板（CSV）", "Download the template (CSV)"),
    "ent.sme_heading": ("中小企业数量及增长", "SMEs and their growth"),
    "ent.sme_hint": ("某年度划型为中型、小型或微型的企业计为该年度的中小企业；括号内为同比增长。一家企业属于多个领域"
                     "时在每个领域各计一次，合计中只计一次。",
                     "An enterprise classified medium, small or micro in a year counts as an SME in that year; "
                     "year-on-year growth in brackets. An enterprise in several sectors counts in each sector and "
                     "once in the total."),
    "ent.by_sector": ("按领域", "By sector"),
    "ent.by_region": ("按地区", "By region"),
    "ent.total": ("合计", "Total"),
    "ent.no_region": ("未填地区", "no region"),
    "ent.chart_title": ("各领域中小企业数量", "SMEs per sector"),
    "ent.chart_desc": ("各领域中小企业数量按年度变化的折线图，数值见下表"
                       "。", "Line chart of the number of SMEs per sector and "
                       "year; the figures are in the table below."),
    "ent.unit_count": ("家", "enterprises"),
    "ent.forecast": ("预测", "forecast"),
    "ent.projection": ("预测趋势", "projection"),
    "ent.no_data": ("暂无数据", "No data yet"),
    "ent.register": ("名录", "Register"),
    "ent.sector": ("领域", "Sector"),
    "ent.sectors": ("领域", "Sectors"),
    "ent.sectors_hint": ("领域代码或名称，以分号分隔，如 iot;智慧城市", "Sector ids or names separated by "
                                                     "semicolons, e.g. iot;smart_city"),
    "ent.region": ("地区", "Region"),
    "ent.search": ("名称或信用代码", "Name or credit code"),
    "ent.all": ("全部", "All"),
    "ent.sme_only": ("仅中小企业（最近年度）", "SMEs only (latest year)"),
    "ent.filter": ("筛选", "Filter"),
    "ent.credit_code": ("统一社会信用代码", "Unified social credit code"),
    "ent.credit_code_hint": ("18位，按GB 32100-2015校验", "18 characters, checked under GB 32100-2015"),
    "ent.name": ("企业名称", "Name"),
    "ent.year": ("年份", "Year"),
    "ent.size": ("规模", "Size class"),
    "ent.sme": ("中小企业", "SME"),
    "ent.size.large": ("大型", "large"),
    "ent.size.medium": ("中型", "medium"),
    "ent.size.small": ("小型", "small"),
    "ent.size.micro": ("微型", "micro"),
    "ent.size_industry": ("划型行业", "Size-class industry"),
    "ent.size_industry_hint": ("按《中小企业划型标准规定》中的行业划分规模", "The industry of the 2011 SME provision"
                                                        "s the size is "
                               "judged under"),
    "ent.revenue": ("营业收入", "Operating revenue"),
    "ent.revenue_hint": ("划分规模所需；单位见下方", "Needed for the size class; in the unit below"),
    "ent.security_revenue": ("网络安全收入", "Security revenue"),
    "ent.revenue_wan": ("营业收入（万元）", "Operating revenue (CNY 10k)"),
    "ent.security_wan": ("网络安全收入（万元）", "Security revenue (CNY 10k)"),
    "ent.headcount": ("从业人员", "Headcount"),
    "ent.unit": ("金额单位", "Money unit"),
    "ent.unit_hint": ("默认万元", "Default: 万元 (CNY 10k)"),
    "ent.unit_default": ("金额单位列（单位）可填 元、万元 或 亿元；留空时按万元计"
                         "。", "The unit column takes 元, 万元 or 亿元; "
                         "left empty, amounts are in 万元 (CNY 10k)."),
    "ent.year_figures": ("年度数据（可选）", "Figures of one year (optional)"),
    "ent.actions": ("操作", "Actions"),
    "ent.empty": ("没有符合条件的企业。", "No enterprise matches."),
    "ent.save": ("保存", "Save"),
    "ent.saved": ("已保存企业 {code}。", "Enterprise {code} saved."),
    "ent.deleted": ("已删除企业 {code}。", "Enterprise {code} deleted."),
    "ent.imported": ("已导入：新增 {created} 条，更新 {updated} 条。", "Imported: {created} created, {updated} updat"
                                                           "ed."),
    "ent.rejected": ("文件未导入", "The file was not imported"),
    "ent.problems_caption": ("文件中的问题", "Problems in the file"),
    "ent.row": ("行", "Row"),
    "ent.column": ("列", "Column"),
    "ent.problem": ("问题", "Problem"),
    "ent.whole_file": ("整个文件", "whole file"),
    "ent.columns": ("列", "Columns"),
    "ent.aliases": ("中文列名", "Chinese headers"),
    "ent.file": ("文件", "File"),
    "ent.file_hint": ("CSV（UTF-8或GB18030）或XLSX", "CSV (UTF-8 or GB18030) or XLSX"),
    "ent.import_go": ("导入", "Import"),
    "ent.choose_file": ("请选择文件。", "Choose a file."),
    "ent.bad_unit": ("金额单位应为元、万元或亿元。", "The money unit is 元, 万元 or 亿元."),
    "ent.bad_amount": ("请填写不小于0的数字。", "Enter a number, 0 or more."),
    "ent.bad_headcount": ("请填写整数。", "Enter a whole number."),
    "ent.bad_year": ("请填写四位年份。", "Enter a four-digit year."),
    # investment
    "inv.title": ("重点行业网络安全投入", "Security investment of key industries"),
    "inv.intro": ("各重点行业各年度的信息化投入与网络安全投入，以及网络安全投入占信息化投入的比例（目标G6）。",
                  "IT (informatization) and security investment per key industry and year, and the security share of "
                  "IT investment (goal G6)."),
    "inv.target": ("目标：{year}年{comparator}{value}%。", "Target: {comparator} {value} % by {year}."),
    "inv.target_line": ("目标 {value}%", "target {value} %"),
    "inv.import": ("导入投入数据", "Import investment figures"),
    "inv.import_intro": ("每行一个行业一个年度一个来源。网络安全投入不得超过信息化投入；同一行业、年份和来源只能有一"
                         "行。",
                         "One row per industry, year and source. Security investment cannot exceed IT investment; "
                         "an industry, year and source appear once."),
    "inv.chart_title": ("网络安全投入占比（最近年度）", "Security share of IT investment (latest year)"),
    "inv.chart_desc": ("各重点行业最近年度网络安全投入占信息化投入比例的条形图，竖线为目标值；数值见下表。",
                       "Bar chart of each key industry's latest security share of IT investment against the target "
                       "line; the figures are in the table below."),
    "inv.table": ("各行业各年度投入", "Investment per industry and year"),
    "inv.industry": ("行业", "Industry"),
    "inv.status": ("状态", "Status"),
    "inv.it": ("信息化投入", "IT investment"),
    "inv.security": ("网络安全投入", "Security investment"),
    "inv.it_wan": ("信息化投入（万元）", "IT investment (CNY 10k)"),
    "inv.security_wan": ("网络安全投入（万元）", "Security investment (CNY 10k)"),
    "inv.share": ("占比", "Share"),
    "inv.source": ("来源", "Source"),
    "inv.vintage": ("发布日期", "Published on"),
    "inv.is_forecast": ("预测值", "Forecast"),
    "inv.note": ("备注", "Note"),
    "inv.not_used": ("（同年另有较新数据）", "(a later figure of the year is used)"),
    "inv.add": ("添加投入数据", "Add investment figures"),
    "inv.saved": ("已保存投入数据。", "Investment figures saved."),
    "inv.deleted": ("已删除投入数据。", "Investment figures deleted."),
    "inv.bad_date": ("请填写日期，如 2023-03-01。", "Enter a date, e.g. 2023-03-01."),
}
