"""The shared report rendering: languages, labels, and a clear answer when the PDF engine is missing."""

from __future__ import annotations

import builtins
from typing import Any

import pytest

from tests.pdfcheck import has_cjk_font
from wangan.reports import rendering


def test_check_lang_accepts_only_the_two_languages() -> None:
    assert rendering.check_lang("zh") == "zh" and rendering.check_lang("en") == "en"
    with pytest.raises(ValueError, match="use zh or en"):
        rendering.check_lang("fr")


def test_labels_follow_the_language() -> None:
    assert rendering.labeller("zh")("article", article="10(1)") == "第10(1)条"
    assert rendering.labeller("en")("article", article="10(1)") == "Art. 10(1)"


def test_every_label_has_both_languages() -> None:
    for key, (zh, en) in rendering.LABELS.items():
        assert zh and en and zh != en, key


def test_a_pdf_embeds_a_cjk_font() -> None:
    pdf = rendering.html_to_pdf('<html lang="zh-CN"><body style="font-family: \'Noto Sans CJK SC\'">'
                                "<p>网络安全审查 report</p></body></html>")
    assert has_cjk_font(pdf)


def test_missing_pango_is_a_clear_503(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def refuse_weasyprint(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse_weasyprint)
    with pytest.raises(rendering.PdfUnavailable) as caught:
        rendering.html_to_pdf("<p>x</p>")
    assert caught.value.status == 503
    assert "libpango-1.0-0" in caught.value.detail and "fonts-noto-cjk" in caught.value.detail
