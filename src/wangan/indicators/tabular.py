"""Reading CSV and XLSX uploads into a validated table of text cells, and parsing those cells.

Imports of observations and enterprise registers are all-or-nothing: every structural problem of the
file (wrong headers, merged cells, formulas, stray values) is collected with its row and column as the
user sees them (the header is row 1; XLSX columns also carry their letter, e.g. ``value (C)``) and
reported at once in a :class:`TableError`; nothing is imported. The services then validate values row
by row with the ``parse_*`` helpers and a :class:`ProblemCollector`, which raise the same error.

Cells come out as stripped text. XLSX numbers are written without float artefacts (``2002.5``, not
``2002.4999999``; ``2021``, not ``2021.0``); Excel dates and times are naive, so they come out as ISO
text without an offset and the caller decides the time zone (see :func:`parse_datetime`).
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

from wangan.errors import FieldProblem, Invalid

__all__ = [
    "CellError",
    "CellProblem",
    "ProblemCollector",
    "Row",
    "Table",
    "TableError",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_int",
    "parse_year",
    "read_table",
]

T = TypeVar("T")

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# An XLSX is a ZIP: its declared uncompressed size may exceed the upload by this factor and no more
# (zipfile stops reading a member at its declared size, so the declaration is binding).
_UNZIP_FACTOR = 10
# Merged ranges are expanded cell by cell by openpyxl when it loads a sheet: refuse huge ones first.
_MAX_MERGED_CELLS = 1_000_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


# --- problems and errors -------------------------------------------------------------------------


@dataclass(frozen=True)
class CellProblem:
    """One thing wrong with an uploaded file, located as the user sees it.

    ``row`` is the 1-based row number in the file or spreadsheet (the header is row 1), ``None`` for
    the file as a whole; ``column`` is the header name (for XLSX with its letter, e.g. ``value (C)``),
    ``None`` for a whole row or the whole file.
    """

    row: int | None
    column: str | None
    message: str

    def field_name(self) -> str:
        """The location as one label, e.g. ``row 4, column value (C)``; ``file`` when unlocated."""
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts) or "file"


def _sort_key(problem: CellProblem) -> tuple[int, int]:
    return (0, 0) if problem.row is None else (1, problem.row)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class TableError(Invalid):
    """The upload was rejected as a whole; ``problems`` lists every problem found, sorted by row.

    The base class's ``problems`` carries the same list as :class:`~wangan.errors.FieldProblem` items
    (field ``row 4, column value``) so the adapters show them like any other validation failure.
    """

    code = "import-rejected"
    title = "The file was not imported"

    def __init__(self, problems: Sequence[CellProblem], detail: str | None = None) -> None:
        ordered = sorted(problems, key=_sort_key)
        if detail is None:
            rows = {p.row for p in ordered if p.row is not None}
            summary = _plural(len(ordered), "problem")
            if rows:
                summary += f" in {_plural(len(rows), 'row')}"
            detail = f"{summary}; nothing was imported"
        super().__init__(detail, problems=[FieldProblem(p.field_name(), p.message) for p in ordered])
        self.cell_problems: list[CellProblem] = ordered

    @classmethod
    def whole_file(cls, message: str) -> TableError:
        """A problem with the file as a whole (format, size, no data); the message is the detail."""
        return cls([CellProblem(None, None, message)], detail=f"{message}; nothing was imported")


class CellError(Exception):
    """A single cell's value is not acceptable; ``problem`` says where and why."""

    def __init__(self, problem: CellProblem) -> None:
        super().__init__(f"{problem.field_name()}: {problem.message}")
        self.problem = problem


class ProblemCollector:
    """Collects cell problems over a whole table so every bad row is reported at once."""

    def __init__(self) -> None:
        self.problems: list[CellProblem] = []

    def __bool__(self) -> bool:
        return bool(self.problems)

    def add(self, problem: CellProblem) -> None:
        """Record one problem."""
        self.problems.append(problem)

    def report(self, row: int | None, column: str | None, message: str) -> None:
        """Record one problem from its parts."""
        self.add(CellProblem(row, column, message))

    def check(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Call ``fn(*args, **kwargs)``; on :class:`CellError` record its problem and return ``None``."""
        try:
            return fn(*args, **kwargs)
        except CellError as exc:
            self.add(exc.problem)
            return None

    def raise_if_any(self, detail: str | None = None) -> None:
        """Raise :class:`TableError` with all problems (sorted by row) if any were recorded."""
        if self.problems:
            raise TableError(self.problems, detail)


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One data row: its number as the user sees it and header → stripped text (empty cell → "").

    ``cells`` holds every required and optional column; an optional column absent from the file is "".
    """

    number: int
    cells: Mapping[str, str]


@dataclass(frozen=True)
class Table:
    """A structurally valid upload: canonical ``headers`` in file order and the non-blank data rows.

    ``encoding`` is the text encoding a CSV was read with (``utf-8``, ``utf-8-sig``, ``gb18030``,
    ``utf-16``), ``None`` for XLSX; ``sheet`` is the worksheet read, ``None`` for CSV. ``labels`` maps
    each canonical header to the label for problems (the header as written, with the XLSX letter).
    """

    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    format: Literal["csv", "xlsx"]
    sheet: str | None
    encoding: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, column: str) -> str:
        """The label to use in a :class:`CellProblem` for canonical ``column`` (e.g. ``年份 (A)``)."""
        return self.labels.get(column, column)


class _Bad:
    """A cell whose content is refused (formula, error value); carries the message."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


_Raw = str | _Bad


def _norm_header(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _column_letter(index: int) -> str:
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def read_table(data: bytes, filename: str, *, required: Sequence[str], optional: Sequence[str] = (),
               aliases: Mapping[str, str] | None = None, max_rows: int = 200_000,
               max_bytes: int = DEFAULT_MAX_BYTES, sheet: str | None = None) -> Table:
    """Read an uploaded CSV or XLSX file into a :class:`Table`, or raise :class:`TableError`.

    The format comes from the file name (``.csv``, ``.xlsx``) and is checked against the content.
    Headers match ``required`` and ``optional`` case-insensitively; ``aliases`` maps alternative
    headers (e.g. ``年份``) to canonical names. All structural problems are reported together.
    ``sheet`` names the XLSX worksheet to read (default: the first visible one).
    """
    canon = {_norm_header(name): name for name in (*required, *optional)}
    for alias, target in (aliases or {}).items():
        if target not in (*required, *optional):
            raise ValueError(f"alias {alias!r} points at {target!r}, which is neither required nor optional")
        canon[_norm_header(alias)] = target
    if len(data) > max_bytes:
        raise TableError.whole_file(
            f"the file is {len(data) / 1048576:.1f} MB; the limit is {max_bytes / 1048576:.1f} MB: split it")
    suffix = filename.rsplit(".", 1)[-1].casefold() if "." in filename else ""
    if suffix == "xls" or (suffix in ("csv", "xlsx") and data.startswith(_OLE_MAGIC)):
        raise TableError.whole_file("old binary .xls is not supported (or the workbook is password-protected); "
                                    "save as .xlsx or CSV")
    if suffix == "csv":
        if data.startswith(_ZIP_MAGIC):
            raise TableError.whole_file("this .csv file is actually an XLSX workbook (a ZIP archive): "
                                        "rename it to .xlsx or export it as CSV")
        text, encoding = _decode(data)
        records = _csv_records(text)
        return _assemble(records, [], "csv", None, encoding, canon, required, max_rows)
    if suffix == "xlsx":
        if not data.startswith(_ZIP_MAGIC):
            raise TableError.whole_file("this .xlsx file is not an XLSX workbook: open it in Excel and save it "
                                        "as .xlsx, or export it as CSV")
        return _read_xlsx(data, sheet, max_bytes * _UNZIP_FACTOR, canon, required, max_rows)
    shown = f".{suffix}" if suffix else "no extension"
    raise TableError.whole_file(f"files with {shown} are not supported; upload a .csv or .xlsx file")


def _assemble(records: Iterable[tuple[int, list[_Raw]]], merged: list[tuple[int, int, str]],
              fmt: Literal["csv", "xlsx"], sheet: str | None, encoding: str | None,
              canon: Mapping[str, str], required: Sequence[str], max_rows: int) -> Table:
    """Turn raw records (row number, cells) into a table; ``merged`` are (row, column index, message)."""
    it: Iterator[tuple[int, list[_Raw]]] = iter(records)
    header: tuple[int, list[_Raw]] | None = None
    for number, cells in it:
        if any(c != "" for c in cells):
            header = (number, cells)
            break
    if header is None:
        raise TableError.whole_file("the file is empty: no header and no data rows")
    header_row, header_cells = header
    xlsx = fmt == "xlsx"

    def unnamed(i: int) -> str:
        return f"column {_column_letter(i)}" if xlsx else f"column {i + 1}"

    problems: list[CellProblem] = []
    positions: dict[int, str] = {}
    labels: dict[str, str] = {}
    unnamed_cols: set[int] = set()
    for i, cell in enumerate(header_cells):
        if isinstance(cell, _Bad):
            problems.append(CellProblem(header_row, unnamed(i), cell.message))
            continue
        if cell == "":
            unnamed_cols.add(i)
            continue
        label = f"{cell} ({_column_letter(i)})" if xlsx else cell
        name = canon.get(_norm_header(cell))
        if name is None:
            problems.append(CellProblem(header_row, label, f"unknown column {cell!r}; expected columns: "
                                        + ", ".join(dict.fromkeys(canon.values()))))
        elif name in labels:
            problems.append(CellProblem(header_row, label, f"duplicate column: {cell!r} and {labels[name]!r} "
                                        f"both mean {name!r}; keep one"))
        else:
            positions[i] = name
            labels[name] = label
    missing = [name for name in required if name not in labels]
    if missing:
        found = [c for c in header_cells if isinstance(c, str) and c]
        problems.append(CellProblem(header_row, None, "missing required columns: " + ", ".join(missing)
                                    + "; columns found: " + (", ".join(found) or "none")))
    width = len(header_cells)
    while width and header_cells[width - 1] == "":
        width -= 1

    def label_of(i: int) -> str:
        head = header_cells[i] if i < len(header_cells) else ""
        if isinstance(head, str) and head:
            return f"{head} ({_column_letter(i)})" if xlsx else head
        return unnamed(i)

    for row, col, message in merged:
        problems.append(CellProblem(row, label_of(col), message))
    rows: list[Row] = []
    all_names = list(dict.fromkeys(canon.values()))
    for number, cells in it:
        if all(c == "" for c in cells):
            continue
        if len(rows) >= max_rows:
            raise TableError.whole_file(f"the file has more than {max_rows} data rows; split it into smaller files")
        values = dict.fromkeys(all_names, "")
        stray: list[int] = []
        for i, cell in enumerate(cells):
            if isinstance(cell, _Bad):
                problems.append(CellProblem(number, label_of(i), cell.message))
            elif cell == "":
                continue
            elif i in positions:
                values[positions[i]] = cell
            elif i >= width or i in unnamed_cols:
                stray.append(i)
        if stray:
            if xlsx:
                where = ", ".join(f"{_column_letter(i)}{number}" for i in stray)
                problems.append(CellProblem(number, None, f"value in {where} has no column header; "
                                            "add a header or clear the cell"))
            else:
                problems.append(CellProblem(number, None, f"row has {len(cells)} cells but the header has {width}"
                                            f" columns; extra value(s): "
                                            + ", ".join(repr(cells[i]) for i in stray)
                                            + " (a separator inside a value must be quoted)"))
        rows.append(Row(number, values))
    if problems:
        raise TableError(problems)
    if not rows:
        raise TableError.whole_file("no data rows: the file holds only a header")
    return Table(headers=tuple(positions[i] for i in sorted(positions)), rows=tuple(rows), format=fmt,
                 sheet=sheet, encoding=encoding, labels=labels)


# --- CSV -----------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise TableError.whole_file("the file contains NUL bytes: it is not a text CSV file")
        return text, encoding
    raise TableError.whole_file("the file is neither UTF-8 nor GB18030 text: save it as CSV UTF-8")


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda ch: counts[ch])
    return best if counts[best] > counts[","] else ","


def _csv_records(text: str) -> Iterator[tuple[int, list[_Raw]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text), strict=False)
    number = 0
    while True:
        number += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TableError([CellProblem(number, None, f"the row cannot be read as CSV: {exc}")]) from exc
        yield number, [cell.strip() for cell in record]


# --- XLSX ----------------------------------------------------------------------------------------


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)"')


def _precheck_zip(data: bytes, max_unzipped: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > max_unzipped:
                raise TableError.whole_file(f"the workbook unpacks to {total / 1048576:.0f} MB; the limit is "
                                            f"{max_unzipped / 1048576:.0f} MB: split it or export it as CSV")
            from openpyxl.utils.cell import range_boundaries  # type: ignore[import-untyped]
            for member in members:
                if not member.filename.startswith("xl/worksheets/"):
                    continue
                for ref in _MERGE_REF.findall(archive.read(member)):
                    text = ref.decode("ascii")
                    if ":" not in text:
                        continue
                    min_col, min_row, max_col, max_row = range_boundaries(text)
                    if (int(max_col) - int(min_col) + 1) * (int(max_row) - int(min_row) + 1) > _MAX_MERGED_CELLS:
                        raise TableError.whole_file(f"merged cells {text} are not supported: unmerge them so "
                                                    "every row carries its own value")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise TableError.whole_file("the file is not a readable XLSX workbook: open it in Excel and save it "
                                    "again as .xlsx, or export it as CSV") from exc


def _format_number(value: float | int | Decimal) -> str:
    """Shortest text for a number: 2002.5 → "2002.5", 2021.0 → "2021", 1e-7 → "0.0000001"."""
    if isinstance(value, int):
        return str(value)
    number = Decimal(repr(value)) if isinstance(value, float) else value
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _xlsx_text(cell: Any) -> _Raw:
    value = cell.value
    if value is None:
        return ""
    coordinate = str(cell.coordinate)
    if cell.data_type == "f" or not isinstance(value, (str, int, float, Decimal, date, time, timedelta)):
        text = value if isinstance(value, str) else getattr(value, "text", None) or "an array or table formula"
        text = str(text)
        if len(text) > 60:
            text = text[:57] + "..."
        return _Bad(f"cell {coordinate} holds a formula ({text}); paste values instead")
    if cell.data_type == "e":
        return _Bad(f"cell {coordinate} holds the error value {value}; correct it or clear the cell")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return _Bad(f"cell {coordinate} holds {value}, which is not a number")
    if isinstance(value, (int, float, Decimal)):
        return _format_number(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _Bad(f"cell {coordinate} holds a duration; enter it as a plain number")
    return value.strip()


def _read_xlsx(data: bytes, sheet: str | None, max_unzipped: int, canon: Mapping[str, str],
               required: Sequence[str], max_rows: int) -> Table:
    _precheck_zip(data, max_unzipped)
    import openpyxl  # type: ignore[import-untyped]

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles, extensions and data validation
            workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=False, read_only=False,
                                              keep_links=False, keep_vba=False, rich_text=False)
    except TableError:
        raise
    except Exception as exc:  # a damaged workbook fails in many ways inside openpyxl
        raise TableError.whole_file("the file is not a readable XLSX workbook: open it in Excel and save it "
                                    "again as .xlsx, or export it as CSV") from exc
    try:
        worksheets: list[Any] = list(workbook.worksheets)
        if sheet is None:
            visible = [ws for ws in worksheets if ws.sheet_state == "visible"]
            if not visible:
                raise TableError.whole_file("the workbook has no visible worksheet")
            ws = visible[0]
        else:
            found = [w for w in worksheets if str(w.title) == sheet]
            if not found:
                raise TableError.whole_file(f"the workbook has no sheet named {sheet!r}; its sheets are: "
                                            + ", ".join(str(w.title) for w in worksheets))
            ws = found[0]
        merged = [(int(r.min_row), int(r.min_col) - 1,
                   f"merged cells {r.coord} are not supported: unmerge them so every row carries its own value")
                  for r in ws.merged_cells.ranges]
        # Only the cells present in the sheet, grouped by row: iterating the used rectangle would let a
        # tiny file with one cell at A1 and one at XFD1048576 make billions of empty cells.
        by_row: dict[int, dict[int, Any]] = {}
        for (row, col), cell in ws._cells.items():  # openpyxl has no public sparse view
            if cell.value is not None:
                by_row.setdefault(int(row), {})[int(col)] = cell

        def records() -> Iterator[tuple[int, list[_Raw]]]:
            for row in sorted(by_row):
                cells = by_row[row]
                raw: list[_Raw] = [""] * max(cells)
                for col, cell in cells.items():
                    raw[col - 1] = _xlsx_text(cell)
                yield row, raw

        return _assemble(records(), merged, "xlsx", str(ws.title), None, canon, required, max_rows)
    finally:
        workbook.close()


# --- cell parsers --------------------------------------------------------------------------------


def _fail(row: int, column: str, message: str) -> CellError:
    return CellError(CellProblem(row, column, message))


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2212", "-").strip()


_DECIMAL = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_EXPONENT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+")


def parse_decimal(text: str, *, row: int, column: str) -> Decimal:
    """A decimal number: ``2002.5``, ``2,002.5`` (comma thousands separators), full-width digits.

    Refuses empty text, scientific notation (``1e400``: usually an Excel display artefact that lost
    digits), NaN, Infinity and anything else that is not a plain number.
    """
    cleaned = _clean(text)
    if not cleaned:
        raise _fail(row, column, "a number is required")
    if len(cleaned) > 60:
        raise _fail(row, column, "the number is too long")
    if _EXPONENT.fullmatch(cleaned):
        raise _fail(row, column, f"{cleaned!r} is in scientific notation; format the cell as a plain number")
    if not _DECIMAL.fullmatch(cleaned):
        raise _fail(row, column, f"{cleaned!r} is not a number (write e.g. 2002.5 or 2,002.5)")
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid literals
        raise _fail(row, column, f"{cleaned!r} is not a number") from exc


def parse_int(text: str, *, row: int, column: str) -> int:
    """A whole number (``2021``, ``2,021``; ``2021.0`` is accepted, ``2021.5`` is not)."""
    number = parse_decimal(text, row=row, column=column)
    if number != number.to_integral_value():
        raise _fail(row, column, f"{_clean(text)!r} is not a whole number")
    return int(number)


def parse_year(text: str, *, row: int, column: str) -> int:
    """A calendar year between 1900 and 2100."""
    cleaned = _clean(text).removesuffix("年")
    year = parse_int(cleaned, row=row, column=column)
    if not 1900 <= year <= 2100:
        raise _fail(row, column, f"{year} is not a year between 1900 and 2100")
    return year


_TRUE = frozenset({"true", "yes", "1", "是", "y"})
_FALSE = frozenset({"false", "no", "0", "否", "n"})


def parse_bool(text: str, *, row: int, column: str) -> bool:
    """A yes/no value: true/false, yes/no, 1/0, 是/否 (case-insensitive)."""
    cleaned = _clean(text).casefold()
    if cleaned in _TRUE:
        return True
    if cleaned in _FALSE:
        return False
    raise _fail(row, column, f"{_clean(text)!r} is not a yes/no value (use true/false, yes/no, 1/0 or 是/否)")


_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})")


def parse_date(text: str, *, row: int, column: str) -> date:
    """A calendar date: ISO ``2021-07-16`` (also ``2021/7/16``, as Chinese Excel writes dates)."""
    cleaned = _clean(text)
    if not cleaned:
        raise _fail(row, column, "a date is required")
    match = _DATE.fullmatch(cleaned)
    if match is None:
        raise _fail(row, column, f"{cleaned!r} is not a date (write e.g. 2021-07-16)")
    try:
        return date(int(match[1]), int(match[3]), int(match[4]))
    except ValueError as exc:
        raise _fail(row, column, f"{cleaned!r} is not a valid date: {exc}") from exc


_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?",
                       re.IGNORECASE)


def parse_datetime(text: str, *, row: int, column: str, default_tz: tzinfo) -> datetime:
    """An ISO date and time, returned aware in UTC.

    With an offset (``+08:00``, ``Z``) the instant is exact. Without one (Excel datetimes have none) it is
    read as wall-clock time in ``default_tz`` — callers pass Beijing time and should say so in the
    import form. A date without a time is refused: use :func:`parse_date`.
    """
    cleaned = _clean(text)
    if not cleaned:
        raise _fail(row, column, "a date and time is required")
    if not _DATETIME.fullmatch(cleaned):
        raise _fail(row, column, f"{cleaned!r} is not a date and time (write e.g. 2021-07-16T10:00:00+08:00)")
    try:
        moment = datetime.fromisoformat(cleaned.upper().replace("Z", "+00:00"))
    except ValueError as exc:
        raise _fail(row, column, f"{cleaned!r} is not a valid date and time: {exc}") from exc
    if not 1900 <= moment.year <= 2100:
        # Also keeps astimezone() clear of the calendar's edges, where it overflows.
        raise _fail(row, column, f"{cleaned!r}: the year {moment.year} is outside 1900–2100")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
    return moment.astimezone(UTC)


# What a spreadsheet may take as the start of a formula (also after leading spaces or line breaks).
_FORMULA_LEAD = ("=", "+", "-", "@", "|", "\t", "\r", "\n")


def spreadsheet_safe(text: str) -> str:
    """A text cell for a CSV export that Excel or WPS will not run as a formula (OWASP's CSV injection
    advice): such cells get a leading apostrophe."""
    if text[:1] in _FORMULA_LEAD or text.lstrip()[:1] in _FORMULA_LEAD:
        return "'" + text
    return text
