"""Whole numbers typed by people: ``str.isdigit`` accepts "²" and "٣", and ``int`` refuses the first and
any string of more than 4,300 digits, so a check-then-convert built on them can crash on input."""

from __future__ import annotations


def whole_number(raw: str | None, *, max_digits: int = 9) -> int | None:
    """The number written in ASCII digits (surrounding spaces allowed), or None for anything else,
    including more than ``max_digits`` digits."""
    if raw is None:
        return None
    text = raw.strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
