"""SVG charts: well-formed, accessible, honest (forecasts, targets, projections, separate series) and CSP-safe."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wangan.reports.charts import (
    FONT_FAMILY,
    PALETTE,
    ChartPoint,
    ChartSeries,
    ChartText,
    Projection,
    TargetLine,
    bar_chart,
    format_number,
    line_chart,
    nice_ticks,
    sparkline,
)

NS = "{http://www.w3.org/2000/svg}"
D = Decimal

ZH = ChartText(title="网络安全产业规模", unit="亿元", forecast_label="预测", projection_label="推算",
               no_data="暂无数据", description="我国网络安全产业规模。")
SHARE = ChartText(title="安全投入占比", unit="%", forecast_label="预测", projection_label="推算",
                  no_data="暂无数据", description="重点行业安全投入占信息化投入比例。")

BROAD = ChartSeries("caict", "CAICT broad", (
    ChartPoint(2019, D("1563.59"), label="CAICT"),
    ChartPoint(2020, D("1702"), label="CAICT"),
    ChartPoint(2021, D("2002.5"), label="CAICT"),
    ChartPoint(2022, D("2170"), label="CAICT"),
    ChartPoint(2023, D("2500"), forecast=True, label="CAICT"),
    ChartPoint(2024, D("2800"), forecast=True, label="CAICT"),
))
NARROW = ChartSeries("ccia", "CCIA narrow", (
    ChartPoint(2019, D("631.29"), label="CCIA"),
    ChartPoint(2020, D("614.2"), label="CCIA"),
    ChartPoint(2021, D("717"), label="CCIA"),
))
TARGET = TargetLine(D("2500"), 2023, "2023 目标")
PROJECTION = Projection(2022, D("2170"), 2023, D("2423.1"), "CAGR 11.7 %")


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314  # our own output, not untrusted input
    assert root.tag == f"{NS}svg"
    return root


def desc_of(root: ET.Element) -> str:
    desc = root.find(f"{NS}desc")
    assert desc is not None and desc.text is not None
    return desc.text


def series_group(root: ET.Element, key: str) -> ET.Element:
    groups = [g for g in root.iter(f"{NS}g") if g.get("data-key") == key]
    assert len(groups) == 1
    return groups[0]


def y_ticks(root: ET.Element) -> list[tuple[Decimal, float]]:
    """(tick value, y) pairs read back from the y-axis labels (label baseline sits 4 below the grid line)."""
    return [(D(t.text.replace(",", "")), float(t.get("y", "0")) - 4)
            for t in root.iter(f"{NS}text") if t.get("class") == "tick-y" and t.text]


def full_chart(**kwargs: object) -> ET.Element:
    return parse(line_chart([BROAD, NARROW], text=ZH, target=TARGET, projection=PROJECTION, **kwargs))  # type: ignore[arg-type]


# ---------------------------------------------------------------- format_number


@pytest.mark.parametrize(("value", "places", "expected"), [
    (D("1563.59"), None, "1,563.59"),
    (D("2002.5"), None, "2,002.5"),
    (D("2002.50"), None, "2,002.50"),
    (D("1234567"), None, "1,234,567"),
    (D("1.5E+3"), None, "1,500"),
    (D("0.1") + D("0.2"), None, "0.3"),
    (D("-1234.5"), None, "-1,234.5"),
    (D("-0.00"), None, "0.00"),
    (D("2.675"), 2, "2.68"),
    (D("1999.5"), 0, "2,000"),
    (D("12"), 1, "12.0"),
])
def test_format_number(value: Decimal, places: int | None, expected: str) -> None:
    assert format_number(value, places) == expected


def test_format_number_rejects_non_finite() -> None:
    with pytest.raises(ValueError):
        format_number(D("NaN"))
    with pytest.raises(ValueError):
        format_number(D("1"), -1)


# ---------------------------------------------------------------- nice_ticks


def test_nice_ticks_exact_values() -> None:
    assert nice_ticks(D(0), D(2800)) == [D(0), D(1000), D(2000), D(3000)]
    assert nice_ticks(D(0), D("12.1")) == [D(0), D(5), D(10), D(15)]
    assert nice_ticks(D(0), D(1)) == [D(0), D("0.5"), D(1)]
    assert nice_ticks(D(-3), D(7)) == [D(-5), D(0), D(5), D(10)]
    assert nice_ticks(D(0), D(0)) == [D(0), D("0.5")]  # widened to a unit span
    assert nice_ticks(D(5), D(5)) == [D(4), D(6)]
    assert nice_ticks(D("0.13"), D("0.17")) == [D("0.13"), D("0.14"), D("0.15"), D("0.16"), D("0.17")]


def test_nice_ticks_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        nice_ticks(D(2), D(1))
    with pytest.raises(ValueError):
        nice_ticks(D(0), D(1), count=1)
    with pytest.raises(ValueError):
        nice_ticks(D(0), D("Infinity"))


decimals = st.decimals(min_value=D("-1e9"), max_value=D("1e9"), allow_nan=False, allow_infinity=False, places=4)


@given(decimals, decimals, st.integers(min_value=2, max_value=12))
def test_nice_ticks_properties(a: Decimal, b: Decimal, count: int) -> None:
    lo, hi = min(a, b), max(a, b)
    ticks = nice_ticks(lo, hi, count)
    assert len(ticks) >= 2
    assert ticks[0] <= lo and ticks[-1] >= hi  # cover the range
    steps = {y - x for x, y in pairwise(ticks)}
    assert len(steps) == 1  # evenly spaced
    step = steps.pop()
    assert step > 0
    mantissa = step.scaleb(-step.adjusted())
    assert mantissa in (D(1), D(2), D(5))  # 1, 2 or 5 × 10^k
    assert all((t / step) == (t / step).to_integral_value() for t in ticks)  # multiples: 0 is a tick when spanned
    if hi > lo:
        assert len(ticks) <= count + 2  # no more than about `count`
        assert step < (hi - lo) or len(ticks) <= 3  # and not so coarse that the range shrinks to one interval


# ---------------------------------------------------------------- line_chart


def test_line_chart_is_well_formed_and_accessible() -> None:
    svg = line_chart([BROAD], text=ZH, id_prefix="scale")
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 640 320"
    assert root.get("aria-labelledby") == "scale-title scale-desc"
    title = root.find(f"{NS}title")
    assert title is not None and title.get("id") == "scale-title" and title.text == "网络安全产业规模"
    assert root.find(f"{NS}desc") is not None and root.find(f"{NS}desc").get("id") == "scale-desc"  # type: ignore[union-attr]
    assert root.get("font-family") == FONT_FAMILY
    assert "Noto Sans CJK SC" in FONT_FAMILY and FONT_FAMILY.endswith("sans-serif")


def test_ids_are_prefixed_and_unique() -> None:
    root = parse(line_chart([BROAD, NARROW], text=ZH, target=TARGET, projection=PROJECTION, id_prefix="a1"))
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)) >= 4
    assert all(i is not None and i.startswith("a1") for i in ids)
    with pytest.raises(ValueError):
        line_chart([BROAD], text=ZH, id_prefix='x" onload="evil')


def test_no_style_no_script_no_external_resources() -> None:
    svgs = [line_chart([BROAD, NARROW], text=ZH, target=TARGET, projection=PROJECTION),
            bar_chart([("电信", D("10.5"))], text=SHARE, target=TargetLine(D(10), None, "目标")),
            sparkline([D(1), D(2)], label="up"), line_chart([], text=ZH)]
    for svg in svgs:
        root = parse(svg)
        for el in root.iter():
            assert el.tag not in (f"{NS}style", f"{NS}script", f"{NS}image", f"{NS}foreignObject")
            assert "style" not in el.attrib
            assert not any(k.startswith("on") for k in el.attrib)
            assert not any("url(" in v or "href" in k for k, v in el.attrib.items())
        assert "<style" not in svg and "<script" not in svg


def test_desc_lists_every_value() -> None:
    desc = desc_of(full_chart())
    assert desc.startswith("我国网络安全产业规模。")
    for text in ("2019: 1,563.59 亿元 (CAICT)", "2021: 2,002.5 亿元 (CAICT)", "2023: 2,500 亿元 (预测; CAICT)",
                 "2024: 2,800 亿元 (预测; CAICT)", "2020: 614.2 亿元 (CCIA)", "2021: 717 亿元 (CCIA)",
                 "2023 目标: 2,500 亿元 (2023)", "推算 CAGR 11.7 %", "2023: 2,423.1 亿元"):
        assert text in desc
    for series in (BROAD, NARROW):
        for point in series.points:
            assert f"{point.year}: {format_number(point.value)} 亿元" in desc


def test_points_have_tooltips() -> None:
    root = full_chart()
    tips = [c.findtext(f"{NS}title") for c in series_group(root, "caict").iter(f"{NS}circle")]
    assert tips[2] == "2021 · 2,002.5 亿元 · CAICT"
    assert tips[4] == "2023 · 2,500 亿元 · 预测 · CAICT"
    assert len(tips) == len(BROAD.points)


def test_forecasts_are_dashed_and_hollow_actuals_solid_and_filled() -> None:
    group = series_group(full_chart(), "caict")
    paths = group.findall(f"{NS}path")
    assert [p.get("class") for p in paths] == ["actual", "forecast"]
    actual, forecast = paths
    assert actual.get("stroke-dasharray") is None
    assert forecast.get("stroke-dasharray")
    assert actual.get("d", "").count("L") == 3  # 2019→2020→2021→2022
    assert forecast.get("d", "").count("L") == 2  # 2022→2023→2024: touches a forecast, so dashed
    circles = group.findall(f"{NS}circle")
    for point, circle in zip(BROAD.points, circles, strict=True):
        if point.forecast:
            assert circle.get("fill") == "#ffffff" and circle.get("stroke") == PALETTE[0]
        else:
            assert circle.get("fill") == PALETTE[0]


def test_segment_between_forecast_and_actual_is_dashed() -> None:
    series = ChartSeries("s", "s", (ChartPoint(2020, D(1)), ChartPoint(2021, D(2), forecast=True),
                                    ChartPoint(2022, D(3)), ChartPoint(2023, D(4))))
    group = series_group(parse(line_chart([series], text=ZH)), "s")
    assert [(p.get("class"), p.get("d", "").count("L")) for p in group.findall(f"{NS}path")] == [
        ("forecast", 2), ("actual", 1)]


def test_two_series_are_never_joined() -> None:
    root = full_chart()
    broad, narrow = series_group(root, "caict"), series_group(root, "ccia")
    assert len(narrow.findall(f"{NS}path")) == 1
    assert len(narrow.findall(f"{NS}circle")) == len(NARROW.points)
    assert len(broad.findall(f"{NS}circle")) == len(BROAD.points)
    # no line anywhere runs from one series' points to the other's
    assert broad.get("id") != narrow.get("id")
    narrow_path = narrow.find(f"{NS}path")
    assert narrow_path is not None and narrow_path.get("d", "").count("M") == 1
    assert narrow_path.get("d", "").count("L") == len(NARROW.points) - 1
    assert narrow_path.get("stroke") != broad.findall(f"{NS}path")[0].get("stroke")
    all_lines = root.findall(f".//{NS}path") + root.findall(f".//{NS}polyline")
    assert len(all_lines) == 2 + 1 + 1  # broad actual + forecast, narrow, projection


def test_target_line_lies_between_bracketing_ticks() -> None:
    root = full_chart()
    target = root.find(f".//{NS}g[@class='target']/{NS}line")
    assert target is not None and target.get("y1") == target.get("y2")
    y = float(target.get("y1", "nan"))
    ticks = y_ticks(root)
    below = max((t for t in ticks if t[0] <= TARGET.value), key=lambda t: t[0])
    above = min((t for t in ticks if t[0] >= TARGET.value), key=lambda t: t[0])
    assert below[0] == D(2000) and above[0] == D(3000)
    assert above[1] < y < below[1]  # SVG y grows downwards
    assert y == pytest.approx(below[1] + (above[1] - below[1]) / 2, abs=0.02)
    labels = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "target-label"]
    assert labels == ["2023 目标 2,500 亿元"]
    assert root.find(f".//{NS}line[@class='target-year']") is not None


def test_y_axis_starts_at_zero_with_separators() -> None:
    root = full_chart()
    labels = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "tick-y"]
    assert labels == ["0", "1,000", "2,000", "3,000"]
    years = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "tick-x"]
    assert years == [str(y) for y in range(2019, 2025)]


def test_projection_is_dotted_and_labelled() -> None:
    root = full_chart()
    group = root.find(f".//{NS}g[@class='projection']")
    assert group is not None
    path = group.find(f"{NS}path")
    assert path is not None and path.get("stroke-dasharray") == "1 3"
    assert path.findtext(f"{NS}title") == "推算 CAGR 11.7 %"
    legend = "".join(t.text or "" for t in root.find(f".//{NS}g[@class='legend']").iter(f"{NS}text"))  # type: ignore[union-attr]
    assert "推算 CAGR 11.7 %" in legend


def test_legend_names_series_target_projection_and_forecasts() -> None:
    root = full_chart()
    legend = root.find(f".//{NS}g[@class='legend']")
    assert legend is not None
    texts = [t.text for t in legend.iter(f"{NS}text")]
    assert texts[:4] == ["CAICT broad", "CCIA narrow", "预测", "2023 目标"]
    assert texts[4] is not None and texts[4].startswith("推算")
    # without forecasts, target or projection the legend lists only the series
    plain = parse(line_chart([NARROW], text=ZH)).find(f".//{NS}g[@class='legend']")
    assert plain is not None and [t.text for t in plain.iter(f"{NS}text")] == ["CCIA narrow"]


def test_series_differ_in_colour_and_width() -> None:
    root = full_chart()
    broad = series_group(root, "caict").findall(f"{NS}path")
    narrow = series_group(root, "ccia").findall(f"{NS}path")
    assert broad[0].get("stroke") == PALETTE[0] and narrow[0].get("stroke") == PALETTE[1]
    assert broad[0].get("stroke-width") != narrow[0].get("stroke-width")
    assert PALETTE[0] == "#0072B2"  # Okabe–Ito blue


def test_chinese_text_and_markup_characters_survive() -> None:
    nasty = ChartText(title="规模 <b>&", unit="亿元", forecast_label="预测 \"x\"", projection_label="推算",
                      no_data="暂无", description="说明 </desc><script>")
    series = ChartSeries('k"<', "信通院 <广义> & 口径", (ChartPoint(2020, D(1), label="来源 <&> \"'"),
                                                       ChartPoint(2021, D(2), forecast=True)))
    svg = line_chart([series], text=nasty, target=TargetLine(D(2), None, "目标 <&>"))
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;" in svg and "&amp;" in svg
    root = parse(svg)
    assert root.findtext(f"{NS}title") == "规模 <b>&"
    assert "说明 </desc><script>" in desc_of(root)
    assert "信通院 <广义> & 口径: 2020: 1 亿元 (来源 <&> \"')" in desc_of(root)
    assert series_group(root, 'k"<') is not None
    tips = [c.findtext(f"{NS}title") for c in root.iter(f"{NS}circle") if c.get("class", "").startswith("point")]
    assert tips == ["2020 · 1 亿元 · 来源 <&> \"'", "2021 · 2 亿元 · 预测 \"x\""]


def test_control_characters_are_dropped() -> None:
    series = ChartSeries("k", "a\x00b\x1fc", (ChartPoint(2020, D(1)),))
    root = parse(line_chart([series], text=ZH))
    assert "abc: 2020" in desc_of(root)


def test_empty_data_gives_no_data_svg() -> None:
    for svg in (line_chart([], text=ZH, id_prefix="e"),
                line_chart([ChartSeries("x", "x", ())], text=ZH, id_prefix="e"),
                line_chart([BROAD], text=ZH, year_range=(2000, 2005), id_prefix="e"),
                bar_chart([], text=ZH, id_prefix="e")):
        root = parse(svg)
        assert root.get("role") == "img" and root.get("aria-labelledby") == "e-title e-desc"
        assert [t.text for t in root.iter(f"{NS}text")] == ["暂无数据"]
        assert root.find(f".//{NS}circle") is None
        assert int(root.get("height", "0")) < 100


def test_year_range_filters_points() -> None:
    root = parse(line_chart([BROAD], text=ZH, year_range=(2020, 2022)))
    assert len(series_group(root, "caict").findall(f"{NS}circle")) == 3
    assert "2019" not in desc_of(root) and "2023" not in desc_of(root)
    years = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "tick-x"]
    assert years == ["2020", "2021", "2022"]


def test_points_are_placed_in_year_order_and_by_value() -> None:
    shuffled = ChartSeries("s", "s", (ChartPoint(2022, D(30)), ChartPoint(2020, D(10)), ChartPoint(2021, D(20))))
    circles = series_group(parse(line_chart([shuffled], text=ZH)), "s").findall(f"{NS}circle")
    xs = [float(c.get("cx", "0")) for c in circles]
    ys = [float(c.get("cy", "0")) for c in circles]
    assert xs == sorted(xs) and ys == sorted(ys, reverse=True)


def test_line_chart_rejects_ambiguous_input() -> None:
    with pytest.raises(ValueError):
        line_chart([ChartSeries("s", "s", (ChartPoint(2020, D(1)), ChartPoint(2020, D(2))))], text=ZH)
    with pytest.raises(ValueError):
        line_chart([NARROW, NARROW], text=ZH)
    with pytest.raises(ValueError):
        line_chart([ChartSeries("s", "s", (ChartPoint(2020, D("NaN")),))], text=ZH)


# ---------------------------------------------------------------- bar_chart

BARS = [("电信", D("10.5")), ("金融", D("12.1")), ("能源", D("6.3")), ("交通 & 物流", D("10"))]
GOAL = TargetLine(D("10"), None, "目标")


def test_bar_colour_and_mark_follow_the_target() -> None:
    root = parse(bar_chart(BARS, text=SHARE, target=GOAL))
    bars = root.findall(f".//{NS}g[@class='bars']/{NS}g")
    assert len(bars) == 4
    seen = []
    for (name, value), bar in zip(BARS, bars, strict=True):
        rect = bar.find(f"{NS}rect")
        label = bar.find(f"{NS}text[@class='bar-value']")
        assert rect is not None and label is not None and label.text is not None
        seen.append((bar.get("class"), rect.get("fill"), label.text))
        assert format_number(value) in label.text
        assert bar.findtext(f"{NS}text[@class='bar-name']") == name
    assert seen == [
        ("bar meets", "#009E73", "✓ 10.5 %"),
        ("bar meets", "#009E73", "✓ 12.1 %"),
        ("bar misses", "#D55E00", "✗ 6.3 %"),
        ("bar meets", "#009E73", "✓ 10 %"),  # at the target counts as meeting it
    ]
    desc = desc_of(root)
    assert "能源: 6.3 % (✗)" in desc and "目标: 10 %" in desc


def test_bar_target_rule_and_lengths() -> None:
    root = parse(bar_chart(BARS, text=SHARE, target=GOAL))
    rule = root.find(f".//{NS}g[@class='target']/{NS}line")
    assert rule is not None and rule.get("x1") == rule.get("x2")
    x = float(rule.get("x1", "nan"))
    rects = root.findall(f".//{NS}g[@class='bars']//{NS}rect")
    ends = [float(r.get("x", "0")) + float(r.get("width", "0")) for r in rects]
    assert ends[0] > x and ends[1] > ends[0] and ends[2] < x
    assert ends[3] == pytest.approx(x, abs=0.02)
    starts = {r.get("x") for r in rects}
    assert len(starts) == 1  # all bars start at zero


def test_bar_chart_without_target_is_neutral() -> None:
    root = parse(bar_chart(BARS[:2], text=SHARE))
    assert {r.get("fill") for r in root.iter(f"{NS}rect")} == {"#0072B2"}
    labels = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "bar-value"]
    assert labels == ["10.5 %", "12.1 %"]


def test_bar_chart_escapes_names() -> None:
    svg = bar_chart([("交通 & <物流>", D(3))], text=SHARE, target=GOAL)
    assert "交通 &amp; &lt;物流&gt;" in svg
    assert "交通 & <物流>: 3 % (✗)" in desc_of(parse(svg))


# ---------------------------------------------------------------- sparkline


def test_sparkline() -> None:
    root = parse(sparkline([D(1), D(3), D(2)], label="趋势 <上升>"))
    assert root.get("role") == "img" and root.get("aria-label") == "趋势 <上升>"
    assert root.get("width") == "120" and root.get("height") == "28"
    line = root.find(f"{NS}polyline")
    assert line is not None
    points = [tuple(map(float, p.split(","))) for p in line.get("points", "").split()]
    assert len(points) == 3
    assert points[1][1] < points[2][1] < points[0][1]  # 3 highest, then 2, then 1
    assert root.find(f"{NS}circle") is not None


def test_sparkline_edge_cases() -> None:
    assert parse(sparkline([], label="x")).find(f"{NS}polyline") is None
    flat = parse(sparkline([D(5), D(5)], label="flat")).find(f"{NS}polyline")
    assert flat is not None and {p.split(",")[1] for p in flat.get("points", "").split()} == {"14"}
    single = parse(sparkline([D(5)], label="one"))
    assert single.find(f"{NS}polyline") is None and single.find(f"{NS}circle") is not None


def test_levels_are_not_truncated_near_their_minimum() -> None:
    series = ChartSeries("s", "s", (ChartPoint(2020, D(1000)), ChartPoint(2021, D(1100))))
    root = parse(line_chart([series], text=ZH))
    assert min(value for value, _ in y_ticks(root)) == 0
    bars = parse(bar_chart([("a", D(1000)), ("b", D(1100))], text=SHARE))
    assert min(D(t.text.replace(",", "")) for t in bars.iter(f"{NS}text") if t.get("class") == "tick-x" and t.text) == 0
