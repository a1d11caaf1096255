"""The plan progress report: HTML in zh and en with charts, target lines, steps and markers; PDF with CJK."""

from __future__ import annotations

import pytest

from tests.pdfcheck import has_cjk_font
from wangan.indicators import progress
from wangan.reports import plan_report

PLAN = "CN-MIIT-CSI-2021-2023"


@pytest.fixture
def built(rt, session, factory):  # type: ignore[no-untyped-def]
    reader = factory.principal(factory.user(factory.org(), "viewer"))
    return progress.plan_progress(session, reader, rt.plans, PLAN)


def test_html_zh_has_charts_target_lines_steps_and_markers(built) -> None:  # type: ignore[no-untyped-def]
    html = plan_report.plan_report_html(built, "zh")
    assert html.startswith("<!doctype html>") or "<!doctype html>" in html[:300]
    assert "网络安全产业高质量发展三年行动计划" in html
    assert "<svg" in html and 'role="img"' in html
    assert "目标 &gt; 2500（2023年）" in html  # the target line of G1
    assert "按目标增速15%的2023年水平" in html  # the target level of G2
    assert "进展顺利" in html and "计算方法与步骤" in html
    assert "[原文]" in html and "[我方表述]" in html
    assert "尚未载入" in html and "北京时间" in html
    assert "13.6%" in html  # growth still needed from the 2022 forecast
    assert "Open SDG" in html


def test_html_en(built) -> None:  # type: ignore[no-untyped-def]
    html = plan_report.plan_report_html(built, "en")
    assert "Three-year Action Plan" in html
    assert "target &gt; 2500 (2023)" in html
    assert "on track" in html and "How this was computed" in html
    assert "our wording" in html and "not yet loaded" in html and "Beijing time" in html
    assert "IDC China cybersecurity spending (other unit, shown on its own)" in html


def test_pdf_embeds_a_cjk_font(built) -> None:  # type: ignore[no-untyped-def]
    pdf = plan_report.plan_report_pdf(built, "zh")  # CI installs Pango and the CJK font: no skipping
    assert pdf.startswith(b"%PDF")
    assert has_cjk_font(pdf)


def test_idc_chart_is_separate_from_the_target_chart(built) -> None:  # type: ignore[no-untyped-def]
    svgs = plan_report.indicator_charts(built.indicator("IND-SCALE"), "en", "t")
    assert len(svgs) == 2
    assert "IDC-SPENDING" not in svgs[0] and "target" in svgs[0]
    assert "IDC" in svgs[1] and "target &gt;" not in svgs[1]
