"""Units of indicator values and exact conversion between them, with :class:`~decimal.Decimal` only.

Money in CNY is converted to the canonical unit 亿元 (CNY 100 million). Amounts in USD are a
different currency: they convert among USD units but never to CNY, because a series in another
currency is kept as a series of its own rather than converted at some exchange rate.
"""

from __future__ import annotations

import decimal
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from wangan.errors import Invalid

Dimension = Literal["money_cny", "money_usd", "percent", "count", "persons"]


class UnitError(Invalid):
    """A unit that is unknown, or a conversion between units that cannot be converted."""

    code = "unit-error"
    title = "Unit problem"

    def __init__(self, detail: str, *, code: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class Unit:
    """A unit of measurement. ``factor`` converts to the dimension's canonical unit (亿元 for CNY,
    USD 100m for USD, itself for the others)."""

    code: str
    label_zh: str
    label_en: str
    dimension: Dimension
    factor: Decimal | None


CNY = Unit("cny", "元", "CNY", "money_cny", Decimal("1E-8"))
CNY_10K = Unit("cny_10k", "万元", "CNY 10k", "money_cny", Decimal("1E-4"))
CNY_M = Unit("cny_m", "百万元", "CNY m", "money_cny", Decimal("1E-2"))
CNY_100M = Unit("cny_100m", "亿元", "CNY 100m", "money_cny", Decimal(1))
CNY_BN = Unit("cny_bn", "十亿元", "CNY bn", "money_cny", Decimal(10))
USD = Unit("usd", "美元", "USD", "money_usd", Decimal("1E-8"))
USD_10K = Unit("usd_10k", "万美元", "USD 10k", "money_usd", Decimal("1E-4"))
USD_M = Unit("usd_m", "百万美元", "USD m", "money_usd", Decimal("1E-2"))
USD_100M = Unit("usd_100m", "亿美元", "USD 100m", "money_usd", Decimal(1))
USD_BN = Unit("usd_bn", "十亿美元", "USD bn", "money_usd", Decimal(10))
PERCENT = Unit("percent", "%", "percent", "percent", Decimal(1))
COUNT = Unit("count", "家", "enterprises", "count", Decimal(1))
PERSONS = Unit("persons", "人", "persons", "persons", Decimal(1))

UNITS: tuple[Unit, ...] = (CNY, CNY_10K, CNY_M, CNY_100M, CNY_BN, USD, USD_10K, USD_M, USD_100M, USD_BN,
                           PERCENT, COUNT, PERSONS)
"""Every unit :func:`parse_unit` knows."""

YI_YUAN = CNY_100M
"""The canonical money unit of indicators: 亿元."""

# Aliases are compared after _key(): NFKC, lower case, white space removed.
_ALIASES: dict[Unit, tuple[str, ...]] = {
    CNY: ("元", "人民币", "人民币元", "yuan", "cny", "rmb"),
    CNY_10K: ("万元", "万", "人民币万元", "万元人民币", "wan yuan", "cny 10k", "10k cny", "cny 10 thousand"),
    CNY_M: ("百万元", "百万", "人民币百万元", "cny m", "m cny", "cny mn", "cny million", "million cny", "rmb m",
            "rmb million", "million yuan"),
    CNY_100M: ("亿元", "亿", "人民币亿元", "亿元人民币", "yi yuan", "yi", "cny 100m", "100m cny", "cny 100 million",
               "100 million cny", "rmb 100m", "100 million yuan", "hundred million yuan"),
    CNY_BN: ("十亿元", "十亿", "cny bn", "bn cny", "cny billion", "billion cny", "rmb bn", "rmb billion",
             "billion yuan"),
    USD: ("美元", "usd", "us$", "us dollars", "dollars"),
    USD_10K: ("万美元", "usd 10k", "10k usd"),
    USD_M: ("百万美元", "usd m", "m usd", "usd mn", "usd million", "million usd", "us$ m", "us$ million"),
    USD_100M: ("亿美元", "usd 100m", "100m usd", "usd 100 million"),
    USD_BN: ("十亿美元", "usd bn", "bn usd", "usd billion", "billion usd", "us$ bn", "us$ billion"),
    PERCENT: ("%", "percent", "per cent", "pct", "百分比", "百分点"),
    COUNT: ("count", "家", "个", "enterprises", "companies", "firms", "number"),
    PERSONS: ("persons", "person", "people", "人", "名", "人数"),
}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    # A unit written in brackets, as in column headers: "(亿元)", "[CNY bn]".
    while len(text) >= 2 and text[0] in "([" and text[-1] in ")]":
        text = text[1:-1].strip()
    return re.sub(r"\s+", "", text).lower()


_BY_KEY: dict[str, Unit] = {}
for _unit, _names in _ALIASES.items():
    for _name in (*_names, _unit.code, _unit.label_zh, _unit.label_en):
        _BY_KEY.setdefault(_key(_name), _unit)


def parse_unit(text: str) -> Unit:
    """The unit named by ``text`` (Chinese or English, case and spacing ignored).

    Raises :class:`UnitError` with code ``unknown-unit``, listing the known units, if none matches.
    """
    unit = _BY_KEY.get(_key(text))
    if unit is None:
        known = ", ".join(f"{u.label_zh} ({u.label_en})" for u in UNITS)
        raise UnitError(f"unknown unit {text!r}; known units: {known}", code="unknown-unit")
    return unit


def _as_unit(unit: Unit | str) -> Unit:
    return unit if isinstance(unit, Unit) else parse_unit(unit)


def convert(value: Decimal | int, from_unit: Unit | str, to_unit: Unit | str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit``, exactly (never rounded, never through float).

    Raises :class:`UnitError` (code ``unit-not-convertible``) between dimensions, e.g. USD to CNY.
    """
    source, target = _as_unit(from_unit), _as_unit(to_unit)
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"amounts are Decimal or int, not {type(value).__name__}: floats are not exact")
    amount = Decimal(value)
    if not amount.is_finite():
        raise UnitError(f"{amount} is not a number that can be converted", code="not-a-number")
    if source.dimension != target.dimension:
        raise UnitError(_not_convertible(source, target), code="unit-not-convertible")
    if source == target:
        return amount
    assert source.factor is not None and target.factor is not None  # every unit of a dimension has one
    # Factors are powers of ten: the ratio is exact, and so is the product with enough digits.
    # Inexact is trapped so that a factor that is not a power of ten fails loudly rather than rounds.
    digits = len(amount.as_tuple().digits) + len(source.factor.as_tuple().digits) + len(
        target.factor.as_tuple().digits) + 2
    try:
        with decimal.localcontext() as ctx:
            ctx.prec = max(digits, 28)
            ctx.traps[decimal.Inexact] = True
            ctx.traps[decimal.Rounded] = True
            result = amount * source.factor / target.factor
            # Whole results are written without a positive exponent: 1500, not 1.50E+3.
            exponent = result.as_tuple().exponent
            return result.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else result
    except ArithmeticError as exc:
        raise UnitError(f"{amount} {source.label_en} is too large or too precise to convert to {target.label_en} "
                        "exactly", code="amount-out-of-range") from exc


# What the database keeps of an amount (Numeric(28, 8)): at most 20 digits before the point and 8 after.
MAX_WHOLE_DIGITS, MAX_DECIMALS = 20, 8


def fits_amount(amount: Decimal) -> bool:
    """The amount can be stored exactly: finite, at most 20 whole digits and 8 decimals."""
    if not amount.is_finite():
        return False
    _sign, digits, exponent = amount.as_tuple()
    if not isinstance(exponent, int):
        return False
    return max(0, -exponent) <= MAX_DECIMALS and max(0, len(digits) + exponent) <= MAX_WHOLE_DIGITS


def to_yi_yuan(value: Decimal | int, unit: Unit | str) -> Decimal:
    """``value`` in the CNY ``unit`` expressed in 亿元 (CNY 100 million), exactly."""
    return convert(value, unit, YI_YUAN)


def _not_convertible(source: Unit, target: Unit) -> str:
    money = {"money_cny", "money_usd"}
    if {source.dimension, target.dimension} == money:
        return (f"{source.label_en} ({source.label_zh}) cannot be converted to {target.label_en} ({target.label_zh}): "
                "amounts in another currency are kept as a series of their own, not converted at an exchange rate")
    return (f"{source.label_en} ({source.dimension}) cannot be converted to {target.label_en} ({target.dimension}): "
            "they measure different things")
