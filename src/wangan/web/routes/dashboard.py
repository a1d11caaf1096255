"""The dashboard: open cases by nearest NVDB deadline, and the counts that need attention."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from starlette.responses import Response

from wangan.vulns import cases, intake, operator
from wangan.web.core import UserDep

router = APIRouter()

DASHBOARD_CASES = 25
BAR_WIDTH = 200  # px of the longest bar in the chart
CJK_PX, LATIN_PX = 13.5, 7.6  # rough advance of one character at the chart's 13 px font


@dataclass(frozen=True)
class Bar:
    state: str
    label: str
    count: int
    width: int
    y: int


def _text_px(text: str) -> float:
    """Approximate width of a label, so the SVG leaves room for it without a layout engine."""
    return sum(CJK_PX if ord(c) > 0x2E80 else LATIN_PX for c in text)


@router.get("/")
def dashboard(web: UserDep) -> Response:
    now, rules, p = web.now(), web.rt.vuln_rules, web.principal
    open_cases, open_total = cases.list_cases(web.db, p, rules, cases.CaseFilter(open_only=True),
                                              limit=DASHBOARD_CASES, now=now)
    _, overdue_total = cases.list_cases(web.db, p, rules, cases.CaseFilter(overdue_only=True), limit=0, now=now)
    _, untriaged_total = intake.list_reports(web.db, p, limit=0, untriaged_only=True)
    overdue_findings = operator.count_overdue_findings(web.db, p, now=now)
    counts = cases.count_by_state(web.db, p, rules.open_states())
    biggest = max(counts.values(), default=0) or 1
    labels = [web.state_label(state) for state in counts]
    label_w = 12 + round(max((_text_px(label) for label in labels), default=60))
    bars = [Bar(state, label, n, round(BAR_WIDTH * n / biggest), 8 + i * 30)
            for i, ((state, n), label) in enumerate(zip(counts.items(), labels, strict=True))]
    return web.render("dashboard.html", {
        "cases": open_cases, "open_total": open_total, "overdue_total": overdue_total,
        "untriaged_total": untriaged_total, "overdue_findings": overdue_findings, "bars": bars,
        "chart_height": 16 + 30 * len(bars), "bar_max": BAR_WIDTH, "label_w": label_w,
    })
