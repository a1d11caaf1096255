"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

Eighteen characters drawn from 31 symbols (the digits and the capital letters except I, O, Z, S, V):

* position 1: registration-authority code (登记管理部门代码);
* position 2: organisation-type code (机构类别代码);
* positions 3–8: administrative-division code (登记管理机关行政区划码), six digits;
* positions 9–17: organisation code (主体标识码, GB 11714: eight body characters and its own check character);
* position 18: the check character over positions 1–17.

The check character: each of the first 17 characters has its value (its index in :data:`ALPHABET`)
multiplied by the weight ``3**(i-1) mod 31`` of its position ``i``; the check value is
``31 - (sum mod 31)``, with 31 written as ``0``.

The organisation code's own GB 11714 check is *not* part of validation: many codes issued to
individual businesses carry organisation codes that do not follow it. :func:`organisation_code_ok`
reports it separately, for use as a warning.
"""

from __future__ import annotations

import unicodedata

from wangan.errors import Invalid

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 symbols of GB 32100, in value order (the value of a symbol is its index)."""

LENGTH = 18
NEVER_USED = "IOZSV"
WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(LENGTH - 1))
"""Weights of positions 1–17: ``3**(i-1) mod 31``."""

# GB 11714 organisation code: 8 body characters (digits or capital letters, value 10–35 for A–Z),
# weights below, check = 11 - (sum mod 11), written 'X' for 10 and '0' for 11.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}


class InvalidCreditCode(Invalid):
    """A text that is not a well-formed unified social credit code."""

    code = "invalid-credit-code"
    title = "Not a valid unified social credit code"


def normalise(raw: str) -> str:
    """Strip surrounding white space, turn full-width characters into half-width ones and upper-case."""
    return unicodedata.normalize("NFKC", raw).strip().upper()


def check_character(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a code.

    Raises :class:`InvalidCreditCode` if ``first17`` is not 17 characters of the code's alphabet.
    """
    if len(first17) != LENGTH - 1:
        raise InvalidCreditCode(f"the check character is computed over 17 characters, got {len(first17)}")
    total = 0
    for position, (char, weight) in enumerate(zip(first17, WEIGHTS, strict=True), start=1):
        value = _VALUES.get(char)
        if value is None:
            raise InvalidCreditCode(_bad_character(char, position))
        total += value * weight
    return ALPHABET[(31 - total % 31) % 31]


def validate(raw: str) -> str:
    """Return the normalised code, or raise :class:`InvalidCreditCode` saying exactly what is wrong."""
    code = normalise(raw)
    if len(code) != LENGTH:
        raise InvalidCreditCode(f"the unified social credit code {code!r} has {len(code)} characters, needs 18")
    for position, char in enumerate(code, start=1):
        if char not in _VALUES:
            raise InvalidCreditCode(_bad_character(char, position))
    division = code[2:8]
    if not division.isdigit():
        raise InvalidCreditCode(
            f"characters 3–8 ({division!r}) are the administrative-division code and must be 6 digits")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidCreditCode(f"check character is {code[17]}, expected {expected}: "
                                "the code is mistyped or incomplete")
    return code


def is_valid(raw: str) -> bool:
    """Whether :func:`validate` accepts ``raw``."""
    try:
        validate(raw)
    except InvalidCreditCode:
        return False
    return True


def organisation_code_ok(code: str) -> bool:
    """Whether the organisation code (characters 9–17) carries a correct GB 11714 check character.

    Only a hint for a warning: codes issued to individual businesses often do not follow GB 11714.
    Accepts a full 18-character code or the 9-character organisation code on its own.
    """
    text = normalise(code)
    org = text[8:17] if len(text) == LENGTH else text
    if len(org) != 9:
        return False
    total = 0
    for char, weight in zip(org[:8], _ORG_WEIGHTS, strict=True):
        if char.isdigit() and char.isascii():
            value = int(char)
        elif "A" <= char <= "Z":
            value = ord(char) - ord("A") + 10
        else:
            return False
        total += value * weight
    remainder = 11 - total % 11
    expected = "X" if remainder == 10 else "0" if remainder == 11 else str(remainder)
    return org[8] == expected


def _bad_character(char: str, position: int) -> str:
    if char in NEVER_USED:
        why = "the letters I, O, Z, S and V are never used (they are easily taken for 1, 0, 2, 5 and U)"
    else:
        why = "only the digits 0–9 and the capital letters A–Y except I, O, Z, S, V are used"
    return f"character {char!r} at position {position} is not allowed: {why}"
