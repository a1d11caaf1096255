"""Whole numbers typed by people: only ASCII digits, bounded length, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wangan.kernel.numbers import whole_number


@pytest.mark.parametrize(("raw", "expected"), [("7", 7), (" 42 ", 42), ("000123", 123), ("123456789", 123456789)])
def test_ascii_digits_are_numbers(raw: str, expected: int) -> None:
    assert whole_number(raw) == expected


@pytest.mark.parametrize("raw", ["", " ", "²", "٣", "12a", "-1", "+1", "1.0", "1_000", "1234567890", None])
def test_everything_else_is_none(raw: str | None) -> None:
    assert whole_number(raw) is None


def test_the_digit_limit_is_a_parameter() -> None:
    assert whole_number("2026", max_digits=4) == 2026 and whole_number("20260", max_digits=4) is None


@given(st.text(max_size=6000))
def test_no_text_raises(raw: str) -> None:
    result = whole_number(raw)
    if result is not None:
        assert int(raw.strip()) == result and raw.strip().isascii()
