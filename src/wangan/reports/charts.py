"""Server-rendered SVG charts for the Action Plan monitor: line charts of indicator series, horizontal bar
charts against a goal, and inline sparklines.

The charts are plain strings of SVG markup, built here without a chart library, so that the same element
works inline in an HTML page under a strict Content-Security-Policy (no ``style`` attributes or elements,
no script, no external resources: only presentation attributes) and in a PDF laid out by WeasyPrint.

Honesty rules the drawing follows:

* every series is its own line; two series, e.g. figures of a different scope, are never joined;
* a segment touching a forecast point is dashed and forecast points are hollow, and tooltips, the text
  description and the legend name them as forecasts;
* a target is a horizontal rule with its label; a projection is a dotted line named as a projection;
* the y axis of a line chart starts at zero, with "nice" ticks (1, 2 or 5 × 10^k).

The module holds no language: every visible word comes from the caller through :class:`ChartText`.
Colours are the Okabe–Ito colour-blind-safe palette, and lines differ by width and dash pattern too, so a
chart stays readable when printed in grey. Every plotted number is also written out in the ``<desc>``
element, for screen readers and text extraction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from itertools import pairwise
from xml.sax.saxutils import escape

__all__ = [
    "FONT_FAMILY",
    "PALETTE",
    "ChartPoint",
    "ChartSeries",
    "ChartText",
    "Projection",
    "TargetLine",
    "bar_chart",
    "format_number",
    "line_chart",
    "nice_ticks",
    "sparkline",
]

FONT_FAMILY = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
"""Font list for every chart: CJK fonts first, so Chinese labels render in the browser and in WeasyPrint."""

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
# Yellow (#F0E442) is left out: it is too light on white paper.
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
"""Series colours, in the order series are given (Okabe–Ito palette)."""

# Per-series line widths and forecast dash patterns, so series stay apart when printed in grey. Actual
# segments are always solid: a dashed actual would read as a forecast.
_WIDTHS: tuple[str, ...] = ("2.5", "1.5", "2", "1.25")
_FORECAST_DASHES: tuple[str, ...] = ("6 4", "3 3", "9 3 2 3", "2 4")
_PROJECTION_DASH = "1 3"
_INK = "#000000"
_MUTED = "#595959"  # 7:1 on white: still readable in small print
_GRID = "#d9d9d9"
_HOLLOW = "#ffffff"
_MEETS = "#009E73"  # Okabe–Ito bluish green
_MISSES = "#D55E00"  # Okabe–Ito vermillion
_NEUTRAL = "#0072B2"  # Okabe–Ito blue
_MARK_MEETS = "✓"
_MARK_MISSES = "✗"

_FONT_SIZE = 11
_TITLE_SIZE = 13
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ChartPoint:
    """One value of a series: the year, the value, whether it is a forecast, and a label (e.g. its source)."""

    year: int
    value: Decimal
    forecast: bool = False
    label: str = ""


@dataclass(frozen=True)
class ChartSeries:
    """One line of a chart: figures of one scope and definition. ``key`` identifies it in the markup."""

    key: str
    name: str
    points: tuple[ChartPoint, ...]


@dataclass(frozen=True)
class TargetLine:
    """A goal value, drawn as a rule across the plot; ``year`` (if any) is marked on the rule."""

    value: Decimal
    year: int | None
    label: str


@dataclass(frozen=True)
class Projection:
    """A straight-line continuation (e.g. at the observed CAGR) from the latest actual to a target year."""

    from_year: int
    from_value: Decimal
    to_year: int
    to_value: Decimal
    label: str


@dataclass(frozen=True)
class ChartText:
    """Every word a chart shows, in the caller's language.

    ``unit`` follows each value (e.g. "亿元", "%"); ``forecast_label`` and ``projection_label`` name forecasts
    and projections in tooltips, the legend and the description; ``no_data`` is shown when there is nothing to
    plot; ``description`` opens the ``<desc>`` text before the values are listed.
    """

    title: str
    unit: str
    forecast_label: str
    projection_label: str
    no_data: str
    description: str


# --------------------------------------------------------------------------------------------------------
# Numbers


def _check_finite(value: Decimal, what: str = "value") -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{what} must be a finite Decimal, got {value!r}")


def format_number(value: Decimal, places: int | None = None) -> str:
    """Write ``value`` with comma thousands separators and no exponent or float artefacts.

    Without ``places`` the value keeps the digits it was given (``Decimal("2002.50")`` → ``"2,002.50"``);
    with ``places`` it is rounded half up to that many decimals. Negative zero is written ``"0"``.
    """
    _check_finite(value)
    if places is not None:
        if places < 0:
            raise ValueError("places must not be negative")
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    elif value.as_tuple().exponent > 0:  # type: ignore[operator]  # finite, so the exponent is an int
        value = value.quantize(Decimal(1))
    text = f"{value:,f}"
    if text.startswith("-") and value.is_zero():
        text = text[1:]
    return text


def _tick_text(value: Decimal) -> str:
    """A tick value without trailing zeros: 1,500 and 0.2, never 1.5E+3 or 0.20."""
    return format_number(value.normalize() if not value.is_zero() else Decimal(0))


def nice_ticks(lo: Decimal, hi: Decimal, count: int = 5) -> list[Decimal]:
    """Evenly spaced "nice" tick values covering ``[lo, hi]``.

    The step is 1, 2 or 5 × 10^k, the smallest such step giving at most about ``count`` ticks; the first tick
    is at or below ``lo`` and the last at or above ``hi``, and every tick is a whole multiple of the step (so
    a range starting at 0 has a tick at 0). A zero-width range is widened so there are always two ticks.
    """
    _check_finite(lo, "lo")
    _check_finite(hi, "hi")
    if count < 2:
        raise ValueError("count must be at least 2")
    if hi < lo:
        raise ValueError(f"hi ({hi}) is below lo ({lo})")
    with localcontext() as ctx:
        ctx.prec = 60
        span = hi - lo
        if span.is_zero():
            span = abs(lo) if not lo.is_zero() else Decimal(1)
        raw = span / (count - 1)
        exponent = raw.adjusted()
        magnitude = Decimal(1).scaleb(exponent)
        step = next(
            Decimal(m) * magnitude for m in (1, 2, 5, 10) if Decimal(m) * magnitude >= raw
        ).normalize()
        first = (lo / step).to_integral_value(rounding=ROUND_FLOOR)
        last = (hi / step).to_integral_value(rounding=ROUND_CEILING)
        if last == first:
            last += 1
        return [(first + i) * step for i in range(int(last - first) + 1)]


# --------------------------------------------------------------------------------------------------------
# Markup helpers


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _esc(text: str) -> str:
    """Escape text content (&, <, >)."""
    return escape(_clean(text))


def _attr(value: str) -> str:
    """Escape an attribute value written between double quotes."""
    return escape(_clean(value), {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _n(x: float) -> str:
    """A coordinate with at most two decimals."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _open(name: str, attrs: dict[str, str]) -> str:
    """An opening tag; the caller writes the children and the closing tag."""
    rendered = "".join(f' {key}="{_attr(value)}"' for key, value in attrs.items())
    return f"<{name}{rendered}>"


def _tag(name: str, attrs: dict[str, str], children: str | None = None) -> str:
    """A whole element: empty (``<name/>``) when ``children`` is None."""
    if children is None:
        return _open(name, attrs)[:-1] + "/>"
    return f"{_open(name, attrs)}{children}</{name}>"


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = _FONT_SIZE,
          fill: str = _INK, weight: str | None = None, extra: dict[str, str] | None = None) -> str:
    attrs = {"x": _n(x), "y": _n(y), "text-anchor": anchor, "font-size": str(size), "fill": fill}
    if weight:
        attrs["font-weight"] = weight
    attrs.update(extra or {})
    return _tag("text", attrs, _esc(content))


def _text_width(text: str, size: int = _FONT_SIZE) -> float:
    """A generous estimate of rendered width: full-width (CJK) characters are one em, others about 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def _check_prefix(id_prefix: str) -> None:
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix must be a valid XML id start, got {id_prefix!r}")


def _check_size(width: int, height: int) -> None:
    if width < 80 or height < 40:
        raise ValueError("a chart needs at least 80 × 40 units")


def _open_svg(width: int, height: int, id_prefix: str, extra: dict[str, str] | None = None) -> str:
    attrs = {
        "xmlns": "http://www.w3.org/2000/svg",
        "id": id_prefix,
        "class": "chart",
        "width": str(width),
        "height": str(height),
        "viewBox": f"0 0 {width} {height}",
        "role": "img",
        "aria-labelledby": f"{id_prefix}-title {id_prefix}-desc",
        "font-family": FONT_FAMILY,
        "font-size": str(_FONT_SIZE),
    }
    attrs.update(extra or {})
    return _open("svg", attrs)


def _heading(id_prefix: str, title: str, desc: str) -> str:
    return (_tag("title", {"id": f"{id_prefix}-title"}, _esc(title))
            + _tag("desc", {"id": f"{id_prefix}-desc"}, _esc(desc)))


def _with_unit(value: Decimal, unit: str) -> str:
    number = format_number(value)
    return f"{number} {unit}" if unit else number


def _sentence(*parts: str) -> str:
    return " ".join(part.strip() for part in parts if part.strip())


def _no_data(text: ChartText, width: int, id_prefix: str) -> str:
    height = 48
    return (
        _open_svg(width, height, id_prefix, {"class": "chart chart-empty"})
        + _heading(id_prefix, text.title, _sentence(text.description, text.no_data))
        + _tag("rect", {"x": "0.5", "y": "0.5", "width": str(width - 1), "height": str(height - 1),
                        "fill": "none", "stroke": _GRID})
        + _text(width / 2, height / 2 + 4, text.no_data, anchor="middle", fill=_MUTED)
        + "</svg>"
    )


# --------------------------------------------------------------------------------------------------------
# Legend


@dataclass(frozen=True)
class _LegendItem:
    swatch: str  # markup drawn in a 24 × 12 box whose origin is (0, 0); placed with a translate
    label: str


def _legend_rows(items: Sequence[_LegendItem], left: float, right: float) -> list[list[tuple[float, _LegendItem]]]:
    rows: list[list[tuple[float, _LegendItem]]] = [[]]
    x = left
    for item in items:
        item_width = 28 + _text_width(item.label) + 14
        if rows[-1] and x + item_width - 14 > right:
            rows.append([])
            x = left
        rows[-1].append((x, item))
        x += item_width
    return rows if rows[0] else []


def _legend(rows: list[list[tuple[float, _LegendItem]]], top: float, id_prefix: str) -> str:
    out = [_open("g", {"id": f"{id_prefix}-legend", "class": "legend"})]
    for index, row in enumerate(rows):
        y = top + index * 18
        for x, item in row:
            out.append(f'<g transform="translate({_n(x)} {_n(y)})">{item.swatch}</g>')
            out.append(_text(x + 28, y + 10, item.label))
    out.append("</g>")
    return "".join(out)


def _line_swatch(colour: str, width: str, dash: str | None, *, hollow: bool | None) -> str:
    attrs = {"x1": "0", "y1": "6", "x2": "24", "y2": "6", "stroke": colour, "stroke-width": width}
    if dash:
        attrs["stroke-dasharray"] = dash
    swatch = _tag("line", attrs)
    if hollow is not None:
        swatch += _marker(12, 6, colour, hollow=hollow)
    return swatch


def _marker(x: float, y: float, colour: str, *, hollow: bool, r: float = 3.5, children: str | None = None,
            extra: dict[str, str] | None = None) -> str:
    attrs = {"cx": _n(x), "cy": _n(y), "r": _n(r)}
    attrs.update(extra or {})
    if hollow:
        attrs.update({"fill": _HOLLOW, "stroke": colour, "stroke-width": "1.5"})
    else:
        attrs.update({"fill": colour, "stroke": _HOLLOW, "stroke-width": "1"})
    return _tag("circle", attrs, children)


# --------------------------------------------------------------------------------------------------------
# Line chart


def _year_step(span: int, room: float) -> int:
    fit = max(1, int(room // 38))
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if span // step + 1 <= fit:
            return step
    return 1000


def _path(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{_n(x)} {_n(y)}" for i, (x, y) in enumerate(points))


def _runs(points: Sequence[ChartPoint]) -> list[tuple[bool, list[ChartPoint]]]:
    """Split a sorted series into runs of segments of one kind: (dashed, points of the run)."""
    runs: list[tuple[bool, list[ChartPoint]]] = []
    for a, b in pairwise(points):
        dashed = a.forecast or b.forecast
        if runs and runs[-1][0] == dashed:
            runs[-1][1].append(b)
        else:
            runs.append((dashed, [a, b]))
    return runs


def _tooltip(point: ChartPoint, text: ChartText) -> str:
    parts = [str(point.year), _with_unit(point.value, text.unit)]
    if point.forecast:
        parts.append(text.forecast_label)
    if point.label:
        parts.append(point.label)
    return " · ".join(part for part in parts if part)


def _describe_point(point: ChartPoint, text: ChartText) -> str:
    notes = [note for note in (text.forecast_label if point.forecast else "", point.label) if note]
    suffix = f" ({'; '.join(notes)})" if notes else ""
    return f"{point.year}: {_with_unit(point.value, text.unit)}{suffix}"


def line_chart(
    series: Sequence[ChartSeries],
    *,
    text: ChartText,
    target: TargetLine | None = None,
    projection: Projection | None = None,
    width: int = 640,
    height: int = 320,
    year_range: tuple[int, int] | None = None,
    id_prefix: str = "chart",
) -> str:
    """An ``<svg>`` line chart of yearly values, one line per series.

    Within a series, consecutive actual points are joined by a solid line and any segment touching a forecast
    point is dashed; forecast points are hollow. ``target`` is a horizontal rule (marked at its year, if any),
    ``projection`` a dotted line. Points (and a projection) outside ``year_range`` are left out. The y axis
    starts at zero (or below, for negative values). With nothing to plot, a small SVG shows ``text.no_data``.
    All element ids start with ``id_prefix``, so several charts can share a page.

    Raises ``ValueError`` for non-finite values, a year repeated within a series, a repeated series key, a bad
    ``id_prefix`` or a chart smaller than 80 × 40.
    """
    _check_prefix(id_prefix)
    _check_size(width, height)
    keys = [s.key for s in series]
    if len(set(keys)) != len(keys):
        raise ValueError("series keys must be unique")
    if year_range is not None and year_range[0] > year_range[1]:
        raise ValueError("year_range must run forwards")

    def in_range(year: int) -> bool:
        return year_range is None or year_range[0] <= year <= year_range[1]

    plotted: list[tuple[ChartSeries, list[ChartPoint]]] = []
    for s in series:
        years = [p.year for p in s.points]
        if len(set(years)) != len(years):
            raise ValueError(f"series {s.key!r} has a year more than once")
        for p in s.points:
            _check_finite(p.value)
        points = sorted((p for p in s.points if in_range(p.year)), key=lambda p: p.year)
        if points:
            plotted.append((s, points))
    if target is not None:
        _check_finite(target.value, "target value")
    if projection is not None:
        _check_finite(projection.from_value, "projection value")
        _check_finite(projection.to_value, "projection value")
        if not (in_range(projection.from_year) and in_range(projection.to_year)):
            projection = None
    if not plotted:
        return _no_data(text, width, id_prefix)

    # ---- scales
    years = [p.year for _, points in plotted for p in points]
    values = [p.value for _, points in plotted for p in points]
    if target is not None:
        values.append(target.value)
        if target.year is not None and in_range(target.year):
            years.append(target.year)
    if projection is not None:
        years += [projection.from_year, projection.to_year]
        values += [projection.from_value, projection.to_value]
    first_year, last_year = (year_range if year_range is not None else (min(years), max(years)))
    if first_year == last_year:
        first_year, last_year = first_year - 1, last_year + 1
    ticks = nice_ticks(min(Decimal(0), *values), max(Decimal(0), *values), 5)
    y_lo, y_hi = float(ticks[0]), float(ticks[-1])
    tick_labels = [_tick_text(t) for t in ticks]

    # ---- legend, which fixes how much room the plot has
    items: list[_LegendItem] = []
    for index, (s, _points) in enumerate(plotted):
        colour = PALETTE[index % len(PALETTE)]
        items.append(_LegendItem(_line_swatch(colour, _WIDTHS[index % len(_WIDTHS)], None, hollow=False), s.name))
    if any(p.forecast for _, points in plotted for p in points):
        items.append(_LegendItem(_line_swatch(_MUTED, "1.5", _FORECAST_DASHES[0], hollow=True), text.forecast_label))
    if target is not None:
        items.append(_LegendItem(_line_swatch(_INK, "1.25", None, hollow=None), target.label))
    if projection is not None:
        label = _sentence(text.projection_label, projection.label)
        label += f" → {projection.to_year}: {_with_unit(projection.to_value, text.unit)}"
        items.append(_LegendItem(_projection_swatch(), label))

    left = 12 + max(_text_width(label) for label in tick_labels) + 8
    right = width - 16
    rows = _legend_rows(items, 12, width - 12)
    legend_top = height - 8 - 18 * len(rows) + 4
    top = 22 + (26 if text.title else 0)
    bottom = legend_top - 26
    if bottom - top < 40:
        bottom = top + 40
    pad = 12.0  # keeps markers off the axes

    def x_of(year: int) -> float:
        return left + pad + (year - first_year) / (last_year - first_year) * (right - left - 2 * pad)

    def y_of(value: Decimal) -> float:
        return bottom - (float(value) - y_lo) / (y_hi - y_lo) * (bottom - top)

    # ---- description
    lines = [text.description]
    for s, points in plotted:
        lines.append(f"{s.name}: " + "; ".join(_describe_point(p, text) for p in points) + ".")
    if target is not None:
        year_note = f" ({target.year})" if target.year is not None else ""
        lines.append(f"{target.label}: {_with_unit(target.value, text.unit)}{year_note}.")
    if projection is not None:
        lines.append(
            f"{_sentence(text.projection_label, projection.label)}: "
            f"{projection.from_year}: {_with_unit(projection.from_value, text.unit)} → "
            f"{projection.to_year}: {_with_unit(projection.to_value, text.unit)}."
        )

    out = [_open_svg(width, height, id_prefix, {"class": "chart chart-line"}),
           _heading(id_prefix, text.title, _sentence(*lines))]
    if text.title:
        out.append(_text(12, 20, text.title, size=_TITLE_SIZE, weight="bold"))

    # ---- axes and grid
    out.append(_open("g", {"id": f"{id_prefix}-axes", "class": "axes", "aria-hidden": "true"}))
    for tick, label in zip(ticks, tick_labels, strict=True):
        y = y_of(tick)
        stroke = _MUTED if tick.is_zero() else _GRID
        out.append(_tag("line", {"x1": _n(left), "y1": _n(y), "x2": _n(right), "y2": _n(y), "stroke": stroke,
                                 "stroke-width": "1", "class": "grid"}))
        out.append(_text(left - 6, y + 4, label, anchor="end", fill=_MUTED, extra={"class": "tick-y"}))
    if text.unit:
        out.append(_text(left, top - 12, text.unit, anchor="end", fill=_MUTED, extra={"class": "unit"}))
    out.append(_tag("line", {"x1": _n(left), "y1": _n(bottom), "x2": _n(right), "y2": _n(bottom),
                             "stroke": _MUTED, "stroke-width": "1"}))
    step = _year_step(last_year - first_year, right - left - 2 * pad)
    for year in range(first_year, last_year + 1):
        if (year - first_year) % step:
            continue
        x = x_of(year)
        out.append(_tag("line", {"x1": _n(x), "y1": _n(bottom), "x2": _n(x), "y2": _n(bottom + 4),
                                 "stroke": _MUTED, "stroke-width": "1"}))
        out.append(_text(x, bottom + 16, str(year), anchor="middle", fill=_MUTED, extra={"class": "tick-x"}))
    out.append("</g>")

    # ---- target
    if target is not None:
        y = y_of(target.value)
        out.append(_open("g", {"id": f"{id_prefix}-target", "class": "target"}))
        out.append(_tag("line", {"x1": _n(left), "y1": _n(y), "x2": _n(right), "y2": _n(y), "stroke": _INK,
                                 "stroke-width": "1.25"},
                        _tag("title", {}, _esc(f"{target.label}: {_with_unit(target.value, text.unit)}"))))
        if target.year is not None and in_range(target.year):
            x = x_of(target.year)
            out.append(_tag("line", {"x1": _n(x), "y1": _n(y - 6), "x2": _n(x), "y2": _n(y + 6), "stroke": _INK,
                                     "stroke-width": "2", "class": "target-year"}))
        label = f"{target.label} {_with_unit(target.value, text.unit)}"
        label_y = y - 5 if y - top > 14 else y + 14
        out.append(_text(left + 4, label_y, label, extra={"class": "target-label"}))
        out.append("</g>")

    # ---- projection (under the series, so actual markers stay on top)
    if projection is not None:
        x1, y1 = x_of(projection.from_year), y_of(projection.from_value)
        x2, y2 = x_of(projection.to_year), y_of(projection.to_value)
        tip = _sentence(text.projection_label, projection.label)
        out.append(_open("g", {"id": f"{id_prefix}-projection", "class": "projection"}))
        out.append(_tag("path", {"d": _path([(x1, y1), (x2, y2)]), "fill": "none", "stroke": _INK,
                                 "stroke-width": "1.5", "stroke-dasharray": _PROJECTION_DASH,
                                 "stroke-linecap": "round"}, _tag("title", {}, _esc(tip))))
        out.append("</g>")

    # ---- series
    for index, (s, points) in enumerate(plotted):
        colour = PALETTE[index % len(PALETTE)]
        line_width = _WIDTHS[index % len(_WIDTHS)]
        out.append(_open("g", {"id": f"{id_prefix}-s{index}", "class": "series", "data-key": s.key}))
        for dashed, run in _runs(points):
            attrs = {"d": _path([(x_of(p.year), y_of(p.value)) for p in run]), "fill": "none", "stroke": colour,
                     "stroke-width": line_width, "stroke-linejoin": "round",
                     "class": "forecast" if dashed else "actual"}
            if dashed:
                attrs["stroke-dasharray"] = _FORECAST_DASHES[index % len(_FORECAST_DASHES)]
            out.append(_tag("path", attrs))
        for p in points:
            out.append(_marker(x_of(p.year), y_of(p.value), colour, hollow=p.forecast,
                               children=_tag("title", {}, _esc(_tooltip(p, text))),
                               extra={"class": "point forecast" if p.forecast else "point actual"}))
        out.append("</g>")

    out.append(_legend(rows, legend_top, id_prefix))
    out.append("</svg>")
    return "".join(out)


def _projection_swatch() -> str:
    return _tag("line", {"x1": "1", "y1": "6", "x2": "23", "y2": "6", "stroke": _INK, "stroke-width": "1.5",
                         "stroke-dasharray": _PROJECTION_DASH, "stroke-linecap": "round"})


# --------------------------------------------------------------------------------------------------------
# Bar chart


def bar_chart(
    bars: Sequence[tuple[str, Decimal]],
    *,
    text: ChartText,
    target: TargetLine | None = None,
    width: int = 640,
    height: int = 320,
    id_prefix: str = "chart",
) -> str:
    """An ``<svg>`` chart of horizontal bars, one per (name, value), with the value written at each bar's end.

    With a ``target`` it is a vertical rule; bars at or above it are green and marked ✓, bars below are
    vermillion and marked ✗, so colour is not the only signal. With no bars, a small SVG shows
    ``text.no_data``.
    """
    _check_prefix(id_prefix)
    _check_size(width, height)
    if not bars:
        return _no_data(text, width, id_prefix)
    for _name, value in bars:
        _check_finite(value)
    if target is not None:
        _check_finite(target.value, "target value")

    def meets(value: Decimal) -> bool | None:
        return None if target is None else value >= target.value

    def value_label(value: Decimal) -> str:
        verdict = meets(value)
        mark = "" if verdict is None else (_MARK_MEETS if verdict else _MARK_MISSES) + " "
        return mark + _with_unit(value, text.unit)

    values = [value for _, value in bars]
    if target is not None:
        values.append(target.value)
    ticks = nice_ticks(min(Decimal(0), *values), max(Decimal(0), *values), 5)
    x_lo, x_hi = float(ticks[0]), float(ticks[-1])

    items: list[_LegendItem] = []
    if target is not None:
        items = [
            _LegendItem(_bar_swatch(_MEETS), f"{_MARK_MEETS} ≥ {target.label}"),
            _LegendItem(_bar_swatch(_MISSES), f"{_MARK_MISSES} < {target.label}"),
        ]
    rows = _legend_rows(items, 12, width - 12)
    legend_top = height - 8 - 18 * len(rows) + 4
    names_width = min(max(_text_width(name) for name, _ in bars), width * 0.35)
    left = 12 + names_width + 8
    right = width - 12 - max(_text_width(value_label(v)) for _, v in bars) - 8
    top = 22 + (20 if text.title else 0) + (14 if target is not None else 0)
    bottom = (legend_top - 24) if rows else height - 24
    if bottom - top < 20:
        bottom = top + 20

    def x_of(value: Decimal) -> float:
        return left + (float(value) - x_lo) / (x_hi - x_lo) * (right - left)

    band = (bottom - top) / len(bars)
    thickness = max(4.0, min(band * 0.62, 28.0))

    desc_items = []
    for name, value in bars:
        verdict = meets(value)
        mark = "" if verdict is None else f" ({_MARK_MEETS if verdict else _MARK_MISSES})"
        desc_items.append(f"{name}: {_with_unit(value, text.unit)}{mark}")
    desc = [text.description, "; ".join(desc_items) + "."]
    if target is not None:
        desc.append(f"{target.label}: {_with_unit(target.value, text.unit)}.")

    out = [_open_svg(width, height, id_prefix, {"class": "chart chart-bar"}),
           _heading(id_prefix, text.title, _sentence(*desc))]
    if text.title:
        out.append(_text(12, 20, text.title, size=_TITLE_SIZE, weight="bold"))
    out.append(_open("g", {"id": f"{id_prefix}-axes", "class": "axes", "aria-hidden": "true"}))
    for tick in ticks:
        x = x_of(tick)
        out.append(_tag("line", {"x1": _n(x), "y1": _n(top), "x2": _n(x), "y2": _n(bottom),
                                 "stroke": _MUTED if tick.is_zero() else _GRID, "stroke-width": "1",
                                 "class": "grid"}))
        out.append(_text(x, bottom + 14, _tick_text(tick), anchor="middle", fill=_MUTED, extra={"class": "tick-x"}))
    if text.unit:
        out.append(_text(left - 8, bottom + 14, text.unit, anchor="end", fill=_MUTED, extra={"class": "unit"}))
    out.append("</g>")

    out.append(_open("g", {"id": f"{id_prefix}-bars", "class": "bars"}))
    zero = x_of(Decimal(0))
    for index, (name, value) in enumerate(bars):
        verdict = meets(value)
        colour = _NEUTRAL if verdict is None else (_MEETS if verdict else _MISSES)
        status = "" if verdict is None else (" meets" if verdict else " misses")
        centre = top + band * (index + 0.5)
        end = x_of(value)
        x0, x1 = min(zero, end), max(zero, end)
        tip = f"{name} · {value_label(value)}"
        out.append(_open("g", {"class": f"bar{status}"}))
        out.append(_tag("rect", {"x": _n(x0), "y": _n(centre - thickness / 2), "width": _n(max(x1 - x0, 0.5)),
                                 "height": _n(thickness), "fill": colour}, _tag("title", {}, _esc(tip))))
        out.append(_text(left - 8, centre + 4, name, anchor="end", extra={"class": "bar-name"}))
        out.append(_text(x1 + 6, centre + 4, value_label(value), fill=_INK, extra={"class": "bar-value"}))
        out.append("</g>")
    out.append("</g>")

    if target is not None:
        x = x_of(target.value)
        out.append(_open("g", {"id": f"{id_prefix}-target", "class": "target"}))
        out.append(_tag("line", {"x1": _n(x), "y1": _n(top - 4), "x2": _n(x), "y2": _n(bottom), "stroke": _INK,
                                 "stroke-width": "1.5", "stroke-dasharray": "5 3"},
                        _tag("title", {}, _esc(f"{target.label}: {_with_unit(target.value, text.unit)}"))))
        out.append(_text(x, top - 8, f"{target.label} {_with_unit(target.value, text.unit)}", anchor="middle",
                         extra={"class": "target-label"}))
        out.append("</g>")
    out.append(_legend(rows, legend_top, id_prefix))
    out.append("</svg>")
    return "".join(out)


def _bar_swatch(colour: str) -> str:
    return _tag("rect", {"x": "2", "y": "1", "width": "20", "height": "10", "fill": colour})


# --------------------------------------------------------------------------------------------------------
# Sparkline


def sparkline(values: Sequence[Decimal], *, label: str, width: int = 120, height: int = 28) -> str:
    """A tiny inline trend line (``role="img"``, ``aria-label`` = ``label``) with the last value dotted.

    The y scale spans the values' own range (a sparkline shows shape, not level); a flat or single-value
    series is drawn mid-height. With no values only the labelled, empty box is returned.
    """
    if width < 8 or height < 8:
        raise ValueError("a sparkline needs at least 8 × 8 units")
    for value in values:
        _check_finite(value)
    head = _open("svg", {"xmlns": "http://www.w3.org/2000/svg", "class": "sparkline", "width": str(width),
                         "height": str(height), "viewBox": f"0 0 {width} {height}", "role": "img",
                         "aria-label": label})
    body = [head, _tag("title", {}, _esc(label))]
    if values:
        pad = 3.0
        lo, hi = float(min(values)), float(max(values))
        count = len(values)

        def point(i: int, v: Decimal) -> tuple[float, float]:
            x = pad + (i / (count - 1) * (width - 2 * pad) if count > 1 else (width - 2 * pad) / 2)
            y = height / 2 if hi == lo else height - pad - (float(v) - lo) / (hi - lo) * (height - 2 * pad)
            return x, y

        coords = [point(i, v) for i, v in enumerate(values)]
        if count > 1:
            body.append(_tag("polyline", {"points": " ".join(f"{_n(x)},{_n(y)}" for x, y in coords),
                                          "fill": "none", "stroke": _NEUTRAL, "stroke-width": "1.5",
                                          "stroke-linejoin": "round", "stroke-linecap": "round"}))
        last_x, last_y = coords[-1]
        body.append(_tag("circle", {"cx": _n(last_x), "cy": _n(last_y), "r": "2", "fill": _NEUTRAL}))
    body.append("</svg>")
    return "".join(body)
