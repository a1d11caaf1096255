"""Looking inside a generated PDF without a PDF library: the fonts it embeds."""

from __future__ import annotations

import re
import zlib

_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
_BASE_FONT = re.compile(rb"/BaseFont\s*/([A-Za-z0-9+\-]+)")


def embedded_fonts(pdf: bytes) -> set[str]:
    """Names of the fonts a PDF embeds (subset prefixes kept), from plain and compressed object streams."""
    names = {m.decode() for m in _BASE_FONT.findall(pdf)}
    for match in _STREAM_START.finditer(pdf):
        # A deflate stream knows where it ends, so no /Length bookkeeping is needed.
        try:
            data = zlib.decompressobj().decompress(pdf[match.end():])
        except zlib.error:
            continue
        names |= {m.decode() for m in _BASE_FONT.findall(data)}
    return names


def has_cjk_font(pdf: bytes) -> bool:
    return pdf.startswith(b"%PDF-") and any("CJK" in name or "MicroHei" in name for name in embedded_fonts(pdf))
