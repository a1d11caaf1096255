"""The report templates' Jinja2 environment, the bilingual labels they use, and HTML → PDF."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, select_autoescape

from wangan.errors import DomainError
from wangan.kernel.calendar import BEIJING

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
REPORT_CSS = STATIC_DIR / "report.css"

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# The few words the documents print besides the domain's own bilingual text.
LABELS: dict[str, tuple[str, str]] = {
    "article": ("第{article}条", "Art. {article}"),
    "rating": ("评级", "Rating"),
    "evidence": ("依据", "Evidence"),
    "notes": ("备注", "Notes"),
    "generated": ("生成于 {at}(北京时间)", "Generated {at} (Beijing time)"),
    "draft": ("草稿:以下风险因素尚未评估:{ids}", "Draft: these risk factors are not assessed yet: {ids}"),
}


class PdfUnavailable(DomainError):
    """The PDF engine cannot run on this machine (WeasyPrint needs Pango)."""

    status = 503
    code = "pdf-unavailable"
    title = "PDF export is not available on this server"


def bj(value: datetime | None) -> str:
    """``2026-05-01 18:00`` in Beijing time."""
    return "" if value is None else value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def check_lang(lang: str) -> Lang:
    """The document language; anything but zh or en is a caller's mistake, said plainly."""
    for known in LANGS:
        if lang == known:
            return known
    raise ValueError(f"language {lang!r}: use zh or en")


def labeller(lang: Lang) -> Any:
    """``label(key, **values)`` in the document's language."""
    index = 0 if lang == "zh" else 1

    def label(key: str, **values: object) -> str:
        return LABELS[key][index].format(**values)

    return label


def make_environment() -> Environment:
    """The environment of the report templates; the web UI loads the same templates under ``reports/``."""
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["bj"] = bj
    return env


_ENV: Environment | None = None


def environment() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = make_environment()
    return _ENV


def render(template: str, lang: Lang, context: dict[str, Any]) -> str:
    """A standalone document (styles inlined) ready to save or to turn into a PDF."""
    return environment().get_template(template).render(
        {**context, "zh": lang == "zh", "lang": lang, "label": labeller(lang), "standalone": True,
         "inline_css": REPORT_CSS.read_text(encoding="utf-8")})


def html_to_pdf(html: str) -> bytes:
    """Lay out a standalone document as an A4 PDF with its fonts embedded.

    WeasyPrint is imported here, not at start-up: it loads Pango through cffi, and a server without
    Pango should still serve everything but the PDFs, with an answer that says what to install."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]  # ships no type information
    except (ImportError, OSError) as exc:
        raise PdfUnavailable("PDF export needs WeasyPrint with Pango: install the system packages "
                             "libpango-1.0-0 and libpangoft2-1.0-0 and a CJK font (fonts-noto-cjk), then "
                             f"restart. The engine reported: {exc}") from exc
    pdf = HTML(string=html, base_url=str(STATIC_DIR)).write_pdf()
    if not isinstance(pdf, bytes):  # write_pdf returns bytes when no target is given
        raise PdfUnavailable("the PDF engine returned no document")
    return pdf
