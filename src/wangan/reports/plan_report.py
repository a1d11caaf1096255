"""The progress report of a plan (Action Plan monitor) as HTML and PDF, zh and en, and its charts.

One chart per quantitative indicator: every series its own line, forecasts dashed, the target as a
rule, the projection at the observed pace dotted. Series in another unit (IDC, USD) get a chart of
their own and are never drawn against the target. Every figure comes with the steps it was computed
by; official text (the plan's own words) and our wording are marked.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from wangan.indicators import progress as prog
from wangan.indicators.progress import IndicatorProgress, PlanProgress, SeriesProgress
from wangan.reports import charts
from wangan.reports.rendering import Lang, bj, html_to_pdf, render

TEMPLATE = "plan_report.html"

LABELS: dict[str, tuple[str, str]] = {
    "report": ("进展报告", "Progress report"),
    "issuer": ("发布机关", "Issuer"),
    "period": ("规划期", "Period"),
    "plan_status": ("文件状态", "Document status"),
    "draft": ("征求意见稿", "draft for comments"),
    "final": ("正式文件", "final"),
    "origin": ("来源", "Origin"),
    "shipped": ("系统内置", "shipped with wangan"),
    "uploaded": ("用户上传", "uploaded by a user"),
    "version": ("数据版本", "Data version"),
    "as_of": ("截至年份", "As of year"),
    "all_years": ("全部年份", "all years"),
    "generated": ("生成于 {at}（北京时间）", "Generated {at} (Beijing time)"),
    "summary": ("目标概览", "Goals at a glance"),
    "goal": ("目标", "Goal"),
    "status": ("状态", "Status"),
    "target": ("目标值", "Target"),
    "latest": ("最新实际值", "Latest actual"),
    "still_needed": ("仍需年均增速", "Growth still needed"),
    "still_needed_forecast": ("以{year}年预测值{value}计仍需", "from the {year} forecast {value}"),
    "legend": ("文字来源说明", "Whose words"),
    "official": ("原文", "official text"),
    "official_hint": ("规划原文（引自公开来源）", "the plan's own words, quoted from a public source"),
    "ours": ("我方表述", "our wording"),
    "ours_hint": ("我方概括或翻译，非规划原文", "our summary or translation, not the plan's text"),
    "user": ("用户录入", "entered by users"),
    "user_hint": ("用户录入或导入的数据", "figures entered or imported by users"),
    "quote": ("原文：", "Plan text: "),
    "not_measured_hint": ("定性目标，不计算状态", "a qualitative goal: no status is computed"),
    "how": ("计算方法与步骤", "How this was computed"),
    "step": ("步骤", "Step"),
    "formula": ("算式", "Formula"),
    "value": ("结果", "Result"),
    "amount": ("数值", "Value"),
    "series": ("数据序列", "Data series"),
    "year": ("年份", "Year"),
    "kind": ("类型", "Kind"),
    "actual": ("实际值", "actual"),
    "forecast": ("预测值", "forecast"),
    "superseded": ("已被更新", "superseded"),
    "source": ("来源", "Source"),
    "vintage": ("发布时间", "Published"),
    "yoy": ("同比增长", "YoY growth"),
    "preferred": ("首选序列", "preferred series"),
    "comparison": ("仅供比较", "for comparison"),
    "other_unit": ("单位不同，单独显示", "other unit, shown on its own"),
    "method": ("评估方法", "Method"),
    "thresholds": ("阈值：进展顺利 ≥ {on}；存在风险 ≥ {risk}", "Thresholds: on track ≥ {on}; at risk ≥ {risk}"),
    "method_note": ("仅使用实际值；预测值仅用于“以预测值计仍需增速”，并明确标注。",
                    "Only actual values enter a status; forecasts are used only for the growth still needed "
                    "from a forecast, labelled as such."),
    "tasks": ("重点任务", "Key tasks"),
    "tasks_loaded": ("共{n}项重点任务，已载入{loaded}项，{missing}项尚未载入。",
                     "{n} key tasks: {loaded} loaded, {missing} not yet loaded."),
    "not_loaded": ("尚未载入", "not yet loaded"),
    "sources": ("资料来源", "Sources"),
    "chart_desc": ("各数据序列的年度数值。", "Yearly values of each data series."),
    "projection": ("按实际增速推算", "projection at the observed pace"),
    "no_data": ("暂无数据", "no data yet"),
    "target_line": ("目标 {cmp} {value}（{year}年）", "target {cmp} {value} ({year})"),
    "target_level": ("按目标增速{rate}的{year}年水平", "level at {rate} a year in {year}"),
    "downloads": ("下载", "Download"),
    "reason": ("说明", "Why"),
    "base": ("基期", "Base"),
    "indicator": ("指标", "Indicator"),
    "unit": ("单位", "Unit"),
}


def labeller(lang: Lang) -> Callable[..., str]:
    index = 0 if lang == "zh" else 1

    def label(key: str, **values: object) -> str:
        return LABELS[key][index].format(**values)

    return label


def _tx(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _target_line(ip: IndicatorProgress, lang: Lang) -> charts.TargetLine | None:
    ind, label = ip.indicator, labeller(lang)
    if ind.target is None:
        return None
    if ind.kind == "rate":
        level = next((s.value for s in ip.headline.steps if s.key == "target_level"), None)
        if level is None:
            return None
        return charts.TargetLine(level, ind.target.year,
                                 label("target_level", rate=f"{ind.target.value}%", year=ind.target.year))
    return charts.TargetLine(ind.target.amount, ind.target.year,
                             label("target_line", cmp=ind.target.comparator, value=ind.target.value,
                                   year=ind.target.year))


def _chart_series(sp: SeriesProgress, lang: Lang) -> charts.ChartSeries:
    d = sp.data
    actual_years = {p.year for p in d.actuals}
    pts = [charts.ChartPoint(p.year, p.value) for p in d.actuals]
    pts += [charts.ChartPoint(p.year, p.value, forecast=True) for p in d.forecasts if p.year not in actual_years]
    pts.sort(key=lambda p: p.year)
    return charts.ChartSeries(d.series_id, _tx(lang, d.name_zh, d.name_en), tuple(pts))


def indicator_charts(ip: IndicatorProgress, lang: Lang, id_prefix: str) -> list[str]:
    """SVG charts of an indicator: its comparable series against the target (with the projection), then
    one chart per series in another unit, drawn on its own."""
    label = labeller(lang)
    name = _tx(lang, ip.indicator.name_zh, ip.indicator.name_en)
    comparable = [sp for sp in ip.series if sp.data.comparable]
    if ip.indicator.kind == "rate":
        # A rate is drawn as the level it is computed from (the headline series): the target is the level
        # the target rate leads to.
        comparable = [sp for sp in comparable if sp.data.series_id == ip.headline_series] or comparable[:1]
    unit = comparable[0].data.unit if comparable else ip.indicator.unit
    text = charts.ChartText(title=name, unit=unit, forecast_label=label("forecast"),
                            projection_label=label("projection"), no_data=label("no_data"),
                            description=label("chart_desc"))
    a = ip.headline
    projection = None
    if a.projection is not None and a.latest is not None and ip.indicator.target is not None \
            and a.latest.year < ip.indicator.target.year:
        projection = charts.Projection(a.latest.year, a.latest.value, ip.indicator.target.year,
                                       a.projection.quantize(Decimal("0.01")), label("projection"))
    out = [charts.line_chart([_chart_series(sp, lang) for sp in comparable], text=text,
                             target=_target_line(ip, lang), projection=projection, id_prefix=id_prefix)]
    for n, sp in enumerate(s for s in ip.series if not s.data.comparable):
        own = charts.ChartText(title=f"{_tx(lang, sp.data.name_zh, sp.data.name_en)} ({label('other_unit')})",
                               unit=sp.data.unit, forecast_label=label("forecast"),
                               projection_label=label("projection"), no_data=label("no_data"),
                               description=label("chart_desc"))
        out.append(charts.line_chart([_chart_series(sp, lang)], text=own, id_prefix=f"{id_prefix}-u{n}",
                                     height=220))
    return out


def goal_rows(p: PlanProgress, lang: Lang) -> list[dict[str, Any]]:
    """One summary row per goal: status, target, latest, growth still needed (also from a forecast)."""
    label = labeller(lang)
    rows = []
    for g in p.goals:
        head = next((i for i in g.indicators if i.assessed), None)
        target = latest = needed = needed_forecast = ""
        if head is not None and head.indicator.target is not None:
            t = head.indicator.target
            unit = "%" if head.indicator.kind == "rate" else head.indicator.unit
            target = f"{t.comparator} {t.value} {unit} ({t.year})"
            a = head.headline
            if a.latest is not None:
                if head.indicator.kind == "rate" and a.observed_cagr is not None:
                    latest = f"{prog.fmt_rate(a.observed_cagr)} ({a.base.year if a.base else '?'}–{a.latest.year})"
                else:
                    latest = f"{prog.fmt_number(a.latest.value)} {head.indicator.unit} ({a.latest.year})"
            needed = prog.fmt_rate(a.still_needed) if a.still_needed is not None else ""
            if head.forecast_need is not None:
                f = head.forecast_need
                needed_forecast = (label("still_needed_forecast", year=f.forecast.year,
                                         value=prog.fmt_number(f.forecast.value)) + f" {prog.fmt_rate(f.rate)}")
        rows.append({"goal": g, "head": head, "target": target, "latest": latest, "needed": needed,
                     "needed_forecast": needed_forecast})
    return rows


def report_context(p: PlanProgress, lang: Lang, *, with_charts: bool = True) -> dict[str, Any]:
    """Everything the report template (and the web pages built on it) needs, in ``lang``."""
    chart_map: dict[str, list[str]] = {}
    if with_charts:
        for g in p.goals:
            for ip in g.indicators:
                if ip.assessed or ip.series:
                    chart_map[ip.indicator.id] = indicator_charts(ip, lang, f"c-{ip.indicator.id.lower()}")
    tasks = p.plan.tasks
    loaded = sum(1 for t in tasks if t.loaded)
    return {
        "p": p, "plan": p.plan, "meta": p.plan.plan, "L": labeller(lang), "zh": lang == "zh", "doc_lang": lang,
        "rows": goal_rows(p, lang), "charts": chart_map, "generated_bj": bj(p.generated_at),
        "status_label": lambda s: prog.status_label(s, lang), "step_value": prog.step_value,
        "fmt_number": prog.fmt_number, "fmt_rate": prog.fmt_rate, "status_class": status_class,
        "tasks_total": len(tasks), "tasks_loaded": loaded, "tasks_missing": len(tasks) - loaded,
    }


def status_class(status: str) -> str:
    """The badge modifier of a status (app.css: badge--ok / badge--warn / badge--bad)."""
    return {"achieved": "ok", "on_track": "ok", "at_risk": "warn", "off_track": "bad"}.get(status, "muted")


def plan_report_html(progress: PlanProgress, lang: Lang) -> str:
    """The report as one self-contained HTML file (styles inlined, charts as inline SVG)."""
    return render(TEMPLATE, lang, report_context(progress, lang))


def plan_report_pdf(progress: PlanProgress, lang: Lang) -> bytes:
    """The report as an A4 PDF with the CJK font embedded."""
    return html_to_pdf(plan_report_html(progress, lang))


def file_name(progress: PlanProgress, lang: str, extension: str) -> str:
    return f"{progress.plan.id}-progress-{lang}.{extension}"


def decimal_text(value: Decimal | None) -> str:
    return prog.fmt_number(value)
