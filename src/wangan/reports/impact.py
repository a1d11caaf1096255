"""The national-security impact analysis report (Measures Art. 8(2)) as HTML and PDF, zh and en."""

from __future__ import annotations

from wangan.reports.rendering import Lang, html_to_pdf, render
from wangan.reviews.assessment import ImpactReport

TEMPLATE = "impact_report.html"


def impact_report_html(report: ImpactReport, lang: Lang) -> str:
    """The report as one self-contained HTML file, ready to edit and file."""
    return render(TEMPLATE, lang, {"report": report})


def impact_report_pdf(report: ImpactReport, lang: Lang) -> bytes:
    """The report as an A4 PDF with the CJK font embedded."""
    return html_to_pdf(impact_report_html(report, lang))


def file_name(report: ImpactReport, lang: Lang, extension: str) -> str:
    return f"{report.case_number}-impact-report-{lang}.{extension}"
