"""Reading CSV/XLSX uploads into tables (real files built in the test) and the cell parsers."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wangan.errors import FieldProblem, Invalid
from wangan.indicators.tabular import (
    CellError,
    CellProblem,
    ProblemCollector,
    Row,
    TableError,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    parse_year,
    read_table,
)

BEIJING = timezone(timedelta(hours=8))
REQ = ("year", "indicator", "value")
OPT = ("note",)
ALIASES = {"年份": "year", "指标": "indicator", "数值": "value"}


def read(data: bytes, name: str = "obs.csv", **kwargs: Any) -> Any:
    kwargs.setdefault("required", REQ)
    kwargs.setdefault("optional", OPT)
    kwargs.setdefault("aliases", ALIASES)
    return read_table(data, name, **kwargs)


def rejected(data: bytes, name: str = "obs.csv", **kwargs: Any) -> TableError:
    with pytest.raises(TableError) as info:
        read(data, name, **kwargs)
    return info.value


def xlsx(rows: list[list[Any]], *, merge: str | None = None, extra_sheet: bool = False) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    if extra_sheet:
        other = wb.create_sheet("other")
        other.append(["year", "indicator", "value"])
        other.append([2022, "x", 7])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- CSV -----------------------------------------------------------------------------------------


def test_plain_csv_reads_rows_with_numbers_and_stripped_text() -> None:
    table = read(b"year,indicator,value\n2021, revenue ,2002.5\n2022,revenue,\n")
    assert table.format == "csv" and table.sheet is None and table.encoding == "utf-8"
    assert table.headers == ("year", "indicator", "value")
    assert table.rows == (Row(2, {"year": "2021", "indicator": "revenue", "value": "2002.5", "note": ""}),
                          Row(3, {"year": "2022", "indicator": "revenue", "value": "", "note": ""}))


def test_bom_is_removed_from_the_first_header() -> None:
    table = read("\ufeffYear,Indicator,Value\r\n2021,规模,1563.59\r\n".encode())
    assert table.encoding == "utf-8-sig"
    assert table.headers == ("year", "indicator", "value")
    assert table.rows[0].cells["indicator"] == "规模"


def test_gb18030_file_from_chinese_excel_is_decoded_and_aliases_apply() -> None:
    data = "年份,指标,数值\n2021,产业规模,2002.5\n".encode("gb18030")
    table = read(data)
    assert table.encoding == "gb18030"
    assert table.rows[0].cells == {"year": "2021", "indicator": "产业规模", "value": "2002.5", "note": ""}
    assert table.label("year") == "年份"


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_delimiters_are_sniffed(sep: str) -> None:
    table = read(sep.join(REQ).encode() + b"\n" + sep.join(["2021", "a,b", "1,5"]).encode() + b"\n")
    assert table.rows[0].cells["indicator"] == "a,b"
    assert table.rows[0].cells["value"] == "1,5"


def test_quoted_comma_keeps_comma_delimiter() -> None:
    table = read(b'year,indicator,value\n2021,"a; b",1\n')
    assert table.rows[0].cells["indicator"] == "a; b"


def test_blank_lines_are_skipped_but_row_numbers_stay_as_in_the_file() -> None:
    table = read(b"\nyear,indicator,value\n\n2021,a,1\n , , \n2022,b,2\n\n")
    assert [r.number for r in table.rows] == [4, 6]


def test_missing_required_columns_are_one_problem_listing_what_was_found() -> None:
    err = rejected(b"year,note\n2021,x\n")
    assert len(err.cell_problems) == 1
    problem = err.cell_problems[0]
    assert problem.row == 1
    assert "indicator, value" in problem.message and "columns found: year, note" in problem.message


def test_unknown_and_duplicate_headers_are_problems() -> None:
    err = rejected("year,indicator,value,colour,年份\n2021,a,1,red,2021\n".encode())
    by_column = {p.column: p.message for p in err.cell_problems}
    assert "unknown column 'colour'" in by_column["colour"]
    assert "duplicate column" in by_column["年份"] and "'year'" in by_column["年份"]
    assert err.code == "import-rejected" and isinstance(err, Invalid)


def test_headers_match_case_insensitively_and_optional_column_is_kept() -> None:
    table = read(b"  YEAR ,Indicator,VALUE,Note\n2021,a,1,hello\n")
    assert table.headers == ("year", "indicator", "value", "note")
    assert table.rows[0].cells["note"] == "hello"


def test_row_with_too_many_cells_is_reported_at_its_row_and_every_bad_row_is_listed() -> None:
    err = rejected(b"year,indicator,value\n2021,a,1\n2022,b,1,5\n2023,c,2\n2024,d,2,5\n")
    assert [p.row for p in err.cell_problems] == [3, 5]
    assert "'5'" in err.cell_problems[0].message
    assert err.detail == "2 problems in 2 rows; nothing was imported"
    assert err.problems[0] == FieldProblem("row 3", err.cell_problems[0].message)


def test_trailing_empty_cells_beyond_the_header_are_ignored() -> None:
    table = read(b"year,indicator,value,,\n2021,a,1,,\n")
    assert len(table.rows) == 1


def test_value_under_an_empty_header_is_a_problem() -> None:
    err = rejected(b"year,,indicator,value\n2021,x,a,1\n")
    assert err.cell_problems[0].row == 2


@pytest.mark.parametrize("data", [b"", b"\n\n", b"year,indicator,value\n", b"year,indicator,value\n\n,,\n"])
def test_empty_file_or_header_only_is_a_specific_error(data: bytes) -> None:
    err = rejected(data)
    assert "no data rows" in err.detail or "empty" in err.detail


def test_header_only_says_no_data_rows() -> None:
    assert "no data rows" in rejected(b"year,indicator,value\n").detail


def test_max_rows_is_enforced() -> None:
    data = b"year,indicator,value\n" + b"2021,a,1\n" * 4
    assert len(read(data, max_rows=4).rows) == 4
    assert "more than 3 data rows" in rejected(data, max_rows=3).detail


def test_max_bytes_is_enforced() -> None:
    data = b"year,indicator,value\n" + b"2021,a,1\n" * 100
    assert "limit" in rejected(data, max_bytes=100).detail


def test_xls_is_refused_specifically() -> None:
    err = rejected(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls")
    assert "old binary .xls is not supported" in err.detail and "save as .xlsx or CSV" in err.detail


def test_unknown_extension_is_refused() -> None:
    assert ".ods" in rejected(b"x", "data.ods").detail


def test_xlsx_named_csv_is_refused_saying_so() -> None:
    err = rejected(xlsx([list(REQ), [2021, "a", 1]]), "obs.csv")
    assert "actually an XLSX workbook" in err.detail


def test_text_named_xlsx_is_refused() -> None:
    assert "not an XLSX workbook" in rejected(b"year,indicator,value\n", "obs.xlsx").detail


def test_undecodable_bytes_are_refused() -> None:
    assert "UTF-8" in rejected(b"year,indicator,value\n2021,\x80\xff,1\n").detail


def test_alias_to_an_unknown_column_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="neither required nor optional"):
        read_table(b"a\n1\n", "x.csv", required=("a",), aliases={"b": "c"})


# --- XLSX ----------------------------------------------------------------------------------------


def test_xlsx_numbers_are_written_without_float_artefacts() -> None:
    data = xlsx([["年份", "指标", "数值", "note"],
                 [2021, "规模", 2002.5, 0.1],
                 [2022.0, "规模", 1563.59, True],
                 [2023, "比例", 1e-7, 1234567890123.0]])
    table = read(data, "obs.xlsx")
    assert table.format == "xlsx" and table.sheet == "数据" and table.encoding is None
    cells = [r.cells for r in table.rows]
    assert [c["value"] for c in cells] == ["2002.5", "1563.59", "0.0000001"]
    assert [c["year"] for c in cells] == ["2021", "2022", "2023"]
    assert [c["note"] for c in cells] == ["0.1", "true", "1234567890123"]
    assert table.label("value") == "数值 (C)"


def test_xlsx_dates_become_iso_text() -> None:
    data = xlsx([list(REQ), [2021, datetime(2021, 7, 16), datetime(2021, 7, 16, 10, 0)],
                 [2021, date(2021, 7, 17), "x"]])
    cells = [r.cells for r in read(data, "a.xlsx").rows]
    assert cells[0]["indicator"] == "2021-07-16"
    assert cells[0]["value"] == "2021-07-16T10:00:00"
    assert cells[1]["indicator"] == "2021-07-17"


def test_xlsx_formulas_are_problems_per_cell() -> None:
    data = xlsx([list(REQ), [2021, "a", 5], [2021, "b", "=C2*2"], [2021, "c", "=C3+1"]])
    err = rejected(data, "a.xlsx")
    assert [(p.row, p.column) for p in err.cell_problems] == [(3, "value (C)"), (4, "value (C)")]
    assert err.cell_problems[0].message == "cell C3 holds a formula (=C2*2); paste values instead"


def test_xlsx_merged_cells_are_a_problem_naming_the_range() -> None:
    data = xlsx([list(REQ), [2021, "a", 1], [None, "b", 2]], merge="A2:A3")
    err = rejected(data, "a.xlsx")
    assert err.cell_problems == [CellProblem(2, "year (A)", "merged cells A2:A3 are not supported: unmerge them "
                                             "so every row carries its own value")]


def test_huge_merged_range_is_refused_before_loading() -> None:
    # openpyxl would expand A2:Z100000 into 2.6 million cells: patch the range into a small file's XML.
    small = zipfile.ZipFile(io.BytesIO(xlsx([list(REQ), [2021, "a", 1]], merge="A2:A3")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in small.infolist():
            content = small.read(item)
            if item.filename.startswith("xl/worksheets/"):
                assert b'ref="A2:A3"' in content
                content = content.replace(b'ref="A2:A3"', b'ref="A2:Z100000"')
            archive.writestr(item, content)
    data = buffer.getvalue()
    assert "merged cells A2:Z100000" in rejected(data, "a.xlsx").detail


def test_xlsx_trailing_empty_rows_and_columns_are_ignored_and_stray_values_reported() -> None:
    data = xlsx([[*REQ, None, None], [2021, "a", 1, None], [None, None, None], [" ", None, None]])
    table = read(data, "a.xlsx")
    assert len(table.rows) == 1
    err = rejected(xlsx([list(REQ), [2021, "a", 1, None, "x"]]), "a.xlsx")
    assert err.cell_problems[0].row == 2 and "E2" in err.cell_problems[0].message


def test_xlsx_sheet_can_be_chosen_and_missing_sheet_is_reported() -> None:
    data = xlsx([list(REQ), [2021, "a", 1]], extra_sheet=True)
    assert read(data, "a.xlsx", sheet="other").rows[0].cells["indicator"] == "x"
    assert "no sheet named 'nope'" in rejected(data, "a.xlsx", sheet="nope").detail


def test_xlsx_header_only_and_max_rows() -> None:
    assert "no data rows" in rejected(xlsx([list(REQ)]), "a.xlsx").detail
    data = xlsx([list(REQ)] + [[2021, "a", i] for i in range(5)])
    assert "more than 4 data rows" in rejected(data, "a.xlsx", max_rows=4).detail


def test_xlsx_zip_bomb_is_refused_by_declared_size() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    data = buffer.getvalue()
    assert len(data) < 100_000
    assert "unpacks to" in rejected(data, "a.xlsx", max_bytes=200_000).detail


def test_damaged_xlsx_is_refused() -> None:
    assert "not a readable XLSX" in rejected(b"PK\x03\x04garbage", "a.xlsx").detail


# --- parsers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2002.5", Decimal("2002.5")), ("2,002.5", Decimal("2002.5")), ("１５６３．５９", Decimal("1563.59")),
    (" -0.1 ", Decimal("-0.1")), ("1,234,567", Decimal("1234567")), (".5", Decimal("0.5")),
])
def test_parse_decimal_accepts(text: str, expected: Decimal) -> None:
    assert parse_decimal(text, row=3, column="value") == expected


@pytest.mark.parametrize("text", ["abc", "1e400", "1E5", "NaN", "Infinity", "-inf", "", "1,00", "12,34.5",
                                  "1.2.3", "1 000"])
def test_parse_decimal_refuses(text: str) -> None:
    with pytest.raises(CellError) as info:
        parse_decimal(text, row=3, column="value (C)")
    assert info.value.problem.row == 3 and info.value.problem.column == "value (C)"


@settings(max_examples=300, deadline=None, database=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=Decimal("-1e15"), max_value=Decimal("1e15"),
                   places=4))
def test_decimal_with_thousands_separators_round_trips(value: Decimal) -> None:
    assert parse_decimal(f"{value:,f}", row=2, column="v") == value
    assert parse_decimal(f"{value:f}", row=2, column="v") == value


def test_parse_int_and_year() -> None:
    assert parse_int("2,021", row=2, column="n") == 2021
    assert parse_year("2021", row=2, column="year") == 2021
    assert parse_year("２０２１年", row=2, column="year") == 2021
    for bad in ("2021.5", "1899", "2101", "x"):
        with pytest.raises(CellError):
            parse_year(bad, row=2, column="year")


@pytest.mark.parametrize(("text", "expected"), [
    ("true", True), ("FALSE", False), ("yes", True), ("No", False), ("1", True), ("0", False), ("是", True),
    ("否", False),
])
def test_parse_bool(text: str, expected: bool) -> None:
    assert parse_bool(text, row=2, column="b") is expected


def test_parse_bool_refuses_other_text() -> None:
    with pytest.raises(CellError, match="yes/no"):
        parse_bool("maybe", row=2, column="b")


def test_parse_date() -> None:
    assert parse_date("2021-07-16", row=2, column="d") == date(2021, 7, 16)
    assert parse_date("2021/7/6", row=2, column="d") == date(2021, 7, 6)
    for bad in ("2021-02-30", "16.07.2021", "2021-07-16T10:00:00", ""):
        with pytest.raises(CellError):
            parse_date(bad, row=2, column="d")


@pytest.mark.parametrize(("text", "expected"), [
    ("2021-07-16T10:00:00+08:00", datetime(2021, 7, 16, 2, 0, tzinfo=UTC)),
    ("2021-07-16T10:00:00Z", datetime(2021, 7, 16, 10, 0, tzinfo=UTC)),
    ("2021-07-16T10:00:00", datetime(2021, 7, 16, 2, 0, tzinfo=UTC)),  # naive: read in Beijing time
    ("2021-07-16 10:00", datetime(2021, 7, 16, 2, 0, tzinfo=UTC)),
])
def test_parse_datetime_returns_aware_utc(text: str, expected: datetime) -> None:
    result = parse_datetime(text, row=2, column="at", default_tz=BEIJING)
    assert result == expected and result.tzinfo is UTC


@pytest.mark.parametrize("text", ["2021-07-16", "yesterday", "2021-07-16T25:00:00", ""])
def test_parse_datetime_refuses(text: str) -> None:
    with pytest.raises(CellError):
        parse_datetime(text, row=2, column="at", default_tz=BEIJING)


def test_collector_gathers_problems_sorted_by_row_and_raises_table_error() -> None:
    collector = ProblemCollector()
    assert collector.check(parse_decimal, "1.5", row=4, column="value") == Decimal("1.5")
    assert collector.check(parse_decimal, "abc", row=5, column="value") is None
    assert collector.check(parse_year, "1800", row=3, column="year") is None
    collector.add(CellProblem(3, "value", "negative"))
    with pytest.raises(TableError) as info:
        collector.raise_if_any()
    err = info.value
    assert [p.row for p in err.cell_problems] == [3, 3, 5]
    assert err.detail == "3 problems in 2 rows; nothing was imported"
    assert err.problems[0].field == "row 3, column year"
    ProblemCollector().raise_if_any()  # nothing collected, nothing raised
