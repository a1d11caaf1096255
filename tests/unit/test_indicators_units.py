"""Money and count units: parsing aliases, exact Decimal conversion, and refusing to mix currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wangan.errors import Invalid
from wangan.indicators.units import (
    CNY,
    CNY_10K,
    CNY_100M,
    CNY_BN,
    CNY_M,
    COUNT,
    PERCENT,
    PERSONS,
    UNITS,
    USD,
    USD_BN,
    USD_M,
    Unit,
    UnitError,
    convert,
    parse_unit,
    to_yi_yuan,
)


def test_2500_yi_yuan_is_250_cny_bn_exactly() -> None:
    result = convert(Decimal(2500), parse_unit("亿元"), parse_unit("CNY bn"))
    assert result == Decimal(250)
    assert str(result) == "250"
    assert to_yi_yuan(Decimal(250), "CNY bn") == Decimal(2500)


@pytest.mark.parametrize(("text", "unit"), [
    ("元", CNY), ("CNY", CNY), ("万元", CNY_10K), ("百万元", CNY_M), ("CNY m", CNY_M), ("cny  M", CNY_M),
    ("亿元", CNY_100M), ("亿", CNY_100M), ("yi yuan", CNY_100M), ("Yi Yuan", CNY_100M), ("100m CNY", CNY_100M),
    ("CNY 100m", CNY_100M), ("（亿元）", CNY_100M), ("[CNY bn]", CNY_BN), ("CNY bn", CNY_BN), ("bn CNY", CNY_BN),
    ("十亿元", CNY_BN), ("ＣＮＹ ｂｎ", CNY_BN), ("USD bn", USD_BN), ("usd m", USD_M), ("美元", USD),
    ("%", PERCENT), ("％", PERCENT), ("count", COUNT), ("家", COUNT), ("个", COUNT), ("persons", PERSONS),
    ("人", PERSONS), (" cny_100m ", CNY_100M),
])
def test_aliases(text: str, unit: Unit) -> None:
    assert parse_unit(text) == unit


def test_every_unit_parses_from_its_code_and_labels() -> None:
    for unit in UNITS:
        assert parse_unit(unit.code) == unit
        assert parse_unit(unit.label_zh) == unit
        assert parse_unit(unit.label_en.upper()) == unit


def test_unknown_unit_lists_the_known_ones() -> None:
    with pytest.raises(UnitError, match="unknown unit 'furlongs'; known units: 元 \\(CNY\\)") as caught:
        parse_unit("furlongs")
    assert caught.value.code == "unknown-unit"
    assert isinstance(caught.value, Invalid)
    assert "十亿元 (CNY bn)" in caught.value.detail


def test_usd_is_recognised_but_not_converted_to_cny() -> None:
    with pytest.raises(UnitError, match="kept as a series of their own") as caught:
        to_yi_yuan(Decimal(1), "USD bn")
    assert caught.value.code == "unit-not-convertible"
    with pytest.raises(UnitError, match=r"CNY \(元\) cannot be converted to USD"):
        convert(Decimal(1), CNY, USD)
    assert convert(Decimal("1.5"), USD_BN, USD_M) == Decimal(1500)
    assert str(convert(Decimal("1.5"), USD_BN, USD_M)) == "1500"


@pytest.mark.parametrize(("source", "target"), [(PERCENT, CNY), (COUNT, PERSONS), (CNY_100M, COUNT)])
def test_other_dimensions_do_not_mix(source: Unit, target: Unit) -> None:
    with pytest.raises(UnitError, match="measure different things") as caught:
        convert(Decimal(1), source, target)
    assert caught.value.code == "unit-not-convertible"


def test_conversions_are_exact() -> None:
    assert to_yi_yuan(Decimal("123456789.01"), CNY) == Decimal("1.2345678901")
    assert to_yi_yuan(Decimal(12345), "万元") == Decimal("1.2345")
    assert convert(Decimal("0.01"), CNY_100M, CNY) == Decimal(1_000_000)
    big = Decimal("123456789012345678901234567890.123456789")
    assert convert(convert(big, CNY, CNY_BN), CNY_BN, CNY) == big
    assert to_yi_yuan(7, CNY_BN) == Decimal(70)


def test_floats_and_non_numbers_are_refused() -> None:
    with pytest.raises(TypeError, match="floats are not exact"):
        to_yi_yuan(0.1, CNY)  # type: ignore[arg-type]
    with pytest.raises(UnitError) as caught:
        to_yi_yuan(Decimal("NaN"), CNY)
    assert caught.value.code == "not-a-number"


money = [u for u in UNITS if u.dimension == "money_cny"]
amounts = st.decimals(allow_nan=False, allow_infinity=False, min_value=Decimal("-1e15"), max_value=Decimal("1e15"),
                      places=4)


@given(amounts, st.sampled_from(money), st.sampled_from(money))
def test_round_trip_is_exact(value: Decimal, source: Unit, target: Unit) -> None:
    there = convert(value, source, target)
    assert convert(there, target, source) == value


@given(amounts, st.sampled_from(money), st.sampled_from(money), st.sampled_from(money))
def test_conversion_composes(value: Decimal, a: Unit, b: Unit, c: Unit) -> None:
    direct = convert(value, a, c)
    assert convert(convert(value, a, b), b, c) == direct
    assert to_yi_yuan(value, a) == to_yi_yuan(direct, c)
