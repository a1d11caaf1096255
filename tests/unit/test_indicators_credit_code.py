"""The unified social credit code (GB 32100-2015): normalising, the check character and the messages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wangan.errors import Invalid
from wangan.indicators.credit_code import (
    ALPHABET,
    WEIGHTS,
    InvalidCreditCode,
    check_character,
    is_valid,
    normalise,
    organisation_code_ok,
    validate,
)

EXAMPLE = "91350100M000100Y43"  # the example commonly cited for GB 32100


def test_the_weights_are_powers_of_three_mod_31() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)


def test_the_cited_example_verifies() -> None:
    assert check_character(EXAMPLE[:17]) == "3"
    assert validate(EXAMPLE) == EXAMPLE
    assert organisation_code_ok(EXAMPLE)
    assert organisation_code_ok("M000100Y4")


def test_a_sum_divisible_by_31_gives_check_zero() -> None:
    # 17 zeros: sum 0, 31 - 0 = 31, written 0.
    assert check_character("0" * 17) == "0"
    assert validate("0" * 18) == "0" * 18


def test_normalise_strips_upper_cases_and_folds_full_width() -> None:
    assert normalise("  91350100m000100y43\n") == EXAMPLE
    assert normalise("\u3000９１３５０１００Ｍ０００１００Ｙ４３\u3000") == EXAMPLE
    assert validate("９１３５０１００ｍ０００１００ｙ４３") == EXAMPLE


@pytest.mark.parametrize(("raw", "message"), [
    ("91350100M000100Y4", "has 17 characters, needs 18"),
    ("91350100M000100Y433", "has 19 characters, needs 18"),
    ("", "has 0 characters, needs 18"),
    ("91350100M0O0100Y43", r"character 'O' at position 11 is not allowed: the letters I, O, Z, S and V are never"),
    ("91350100M000100Y4S", "character 'S' at position 18"),
    ("91350100M000100Y4-", r"character '-' at position 18 is not allowed: only the digits"),
    ("913501A0M000100Y43", r"characters 3–8 \('3501A0'\) are the administrative-division code and must be 6 digits"),
    ("91350100M000100Y42", "check character is 2, expected 3"),
    ("91350100M000101Y43", "check character is 3, expected "),
])
def test_each_problem_has_its_own_message(raw: str, message: str) -> None:
    with pytest.raises(InvalidCreditCode, match=message) as caught:
        validate(raw)
    assert caught.value.code == "invalid-credit-code"
    assert isinstance(caught.value, Invalid)
    assert not is_valid(raw)


def test_check_character_refuses_bad_input() -> None:
    with pytest.raises(InvalidCreditCode, match="17 characters, got 3"):
        check_character("913")
    with pytest.raises(InvalidCreditCode, match="'I' at position 2"):
        check_character("9I350100M000100Y4")


def test_a_wrong_organisation_check_is_only_a_warning() -> None:
    body = "92350100" + "L12345678"  # an individual business whose organisation code ignores GB 11714
    code = body + check_character(body)
    assert validate(code) == code
    assert not organisation_code_ok(code)
    assert not organisation_code_ok("short")
    assert not organisation_code_ok("M0001-0Y4")


def test_organisation_check_x_and_zero() -> None:
    # Find bodies whose GB 11714 remainder is 10 (X) and 11 (0) and check both spellings.
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    seen = set()
    for n in range(10_000_000, 10_000_200):
        body = str(n)
        remainder = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
        expected = {10: "X", 11: "0"}.get(remainder, str(remainder))
        assert organisation_code_ok(body + expected)
        assert not organisation_code_ok(body + ("1" if expected != "1" else "2"))
        seen.add(expected)
    assert {"X", "0"} <= seen


first17 = st.text(alphabet=ALPHABET, min_size=2, max_size=2).flatmap(
    lambda head: st.text(alphabet="0123456789", min_size=6, max_size=6).flatmap(
        lambda division: st.text(alphabet=ALPHABET, min_size=9, max_size=9).map(
            lambda org: head + division + org)))


@given(first17)
def test_generated_codes_validate(body: str) -> None:
    code = body + check_character(body)
    assert validate(code.lower()) == code


@given(first17, st.integers(min_value=0, max_value=16), st.sampled_from(ALPHABET))
def test_any_single_substitution_is_caught(body: str, position: int, replacement: str) -> None:
    code = body + check_character(body)
    if code[position] == replacement or (2 <= position < 8 and not replacement.isdigit()):
        return
    changed = code[:position] + replacement + code[position + 1:]
    with pytest.raises(InvalidCreditCode, match="check character is"):
        validate(changed)


@given(first17, st.integers(min_value=0, max_value=15))
def test_adjacent_transpositions_are_caught(body: str, position: int) -> None:
    code = body + check_character(body)
    a, b = code[position], code[position + 1]
    if a == b or (position in (1, 7) and not (a + b).isdigit()):
        return
    swapped = code[:position] + b + a + code[position + 2:]
    assert not is_valid(swapped)
