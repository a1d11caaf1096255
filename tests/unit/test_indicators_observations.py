"""Observations with provenance through the service: every validation rule, exact unit conversion,
duplicates (in the database, in the plan's reference data, within one file), mixed units, time zones of
vintages, XLSX merged cells and formulas, the merged series view (reference and user points, latest
actual used, forecasts never actuals, series never merged) and the all-or-nothing import."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Factory
from wangan.errors import Conflict, Forbidden, Invalid, NotFound
from wangan.indicators import observations
from wangan.indicators.computations import Point
from wangan.indicators.events import IndicatorTag
from wangan.indicators.models import ImportBatch, Observation
from wangan.indicators.observations import ObservationIn
from wangan.indicators.tabular import TableError
from wangan.kernel.auth import Principal
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
HEADER = "indicator,series,year,value,unit,source,vintage,is_forecast\n"


@pytest.fixture
def plan_key(rt: Runtime) -> str:
    return rt.plans[0].id


@pytest.fixture
def analyst(factory: Factory) -> Principal:
    return factory.principal(factory.user(factory.org(), "analyst"))


@pytest.fixture
def viewer(factory: Factory) -> Principal:
    return factory.principal(factory.user(factory.org(), "viewer"))


def obs(plan_key: str, **changes: object) -> ObservationIn:
    values: dict[str, object] = {
        "plan_key": plan_key, "indicator_id": "IND-SCALE", "series_id": "CAICT-BROAD", "year": 2023,
        "value": "2500", "unit": "亿元", "source": "CAICT white paper (2024)", "vintage": "2024-01-15",
        "is_forecast": False}
    values.update(changes)
    return ObservationIn(**values)  # type: ignore[arg-type]


def add(rt: Runtime, session: Session, who: Principal, data: ObservationIn) -> Observation:
    return observations.add_observation(session, who, rt.plans, data, now=NOW)


def fields(exc: Invalid) -> dict[str, str]:
    return {p.field: p.message for p in exc.problems}


def imp(rt: Runtime, session: Session, who: Principal, plan_key: str, text: str,
        name: str = "obs.csv") -> observations.ImportResult:
    return observations.import_observations(session, who, rt.plans, plan_key, text.encode("utf-8"), name, now=NOW)


def count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Observation)).scalar_one())


# --------------------------------------------------------------------------- single observations


def test_the_shipped_plan_has_the_series_under_test(rt: Runtime) -> None:
    assert {"CAICT-BROAD", "CCIA-MARKET", "IDC-SPENDING"} <= {s.id for s in rt.plans[0].series}


def test_adding_keeps_the_value_as_published_and_the_canonical_value(rt: Runtime, session: Session,
                                                                       analyst: Principal, plan_key: str) -> None:
    row = add(rt, session, analyst, obs(plan_key, value="250", unit="CNY bn"))
    assert (row.value, row.unit, row.canonical_value) == (Decimal("250"), "cny_bn", Decimal("2500"))
    assert row.breakdown_key == "|||" and row.vintage == date(2024, 1, 15) and row.is_forecast is False
    event = session.scalars(select(AuditEvent).where(AuditEvent.tag == IndicatorTag.OBSERVATION_ADDED)).one()
    assert event.data["value"] == "250" and event.data["series"] == "CAICT-BROAD"


def test_2500_yi_yuan_and_250_cny_bn_are_the_same_figure_exactly(rt: Runtime, session: Session,
                                                                  analyst: Principal, plan_key: str) -> None:
    a = add(rt, session, analyst, obs(plan_key, value="2500", unit="亿元", source="A"))
    b = add(rt, session, analyst, obs(plan_key, value="250", unit="十亿元", source="B"))
    c = add(rt, session, analyst, obs(plan_key, value="25000000", unit="万元", source="C"))
    assert a.canonical_value == b.canonical_value == c.canonical_value == Decimal(2500)
    assert observations.units.convert(Decimal(2500), "亿元", "CNY bn") == Decimal(250)


@pytest.mark.parametrize(("changes", "field", "fragment"), [
    ({"indicator_id": "IND-NOPE"}, "indicator", "has no indicator 'IND-NOPE'"),
    ({"series_id": "NOPE"}, "series", "has no series 'NOPE'"),
    ({"year": 1899}, "year", "not a year between 1900 and 2100"),
    ({"year": 2101}, "year", "not a year between 1900 and 2100"),
    ({"year": "20x1"}, "year", "not a number"),
    ({"value": "12,3x"}, "value", "'12,3x' is not a number"),
    ({"value": "1e9"}, "value", "scientific notation"),
    ({"value": ""}, "value", "a number is required"),
    ({"unit": "furlongs"}, "unit", "unknown unit 'furlongs'"),
    ({"unit": "USD bn"}, "unit", "does not fit series CAICT-BROAD"),
    ({"unit": "%"}, "unit", "measure different things"),
    ({"source": "  "}, "source", "a source is required"),
    ({"source": "x" * 501}, "source", "at most 500"),
    ({"vintage": "15/01/2024"}, "vintage", "not a date"),
    ({"vintage": "2027-01-01"}, "vintage", "in the future"),
    ({"vintage": "2023-06-01"}, "vintage", "before the year was over: mark it as a forecast"),
    ({"sector": "space"}, "sector", "unknown sector 'space'"),
    ({"industry": "fishing"}, "industry", "unknown industry 'fishing'"),
    ({"size_class": "x" * 17}, "size_class", "at most 16"),
    ({"value": "1.123456789"}, "value", "too many digits"),
])
def test_each_bad_input_is_refused_on_its_field(rt: Runtime, session: Session, analyst: Principal, plan_key: str,
                                                changes: dict[str, object], field: str, fragment: str) -> None:
    with pytest.raises(Invalid) as caught:
        add(rt, session, analyst, obs(plan_key, **changes))
    assert fragment in fields(caught.value)[field], fields(caught.value)
    assert count(session) == 0


def test_a_usd_series_takes_usd_units_and_is_never_converted_to_cny(rt: Runtime, session: Session,
                                                                    analyst: Principal, plan_key: str) -> None:
    row = add(rt, session, analyst, obs(plan_key, series_id="IDC-SPENDING", value="12.5", unit="USD bn",
                                        year=2024, vintage="2024-05-01", is_forecast=True))
    assert (row.unit, row.canonical_value) == ("usd_bn", Decimal("125"))  # in 亿美元, not 亿元
    with pytest.raises(Invalid) as caught:
        add(rt, session, analyst, obs(plan_key, series_id="IDC-SPENDING", unit="亿元", source="other"))
    assert "never converted" in fields(caught.value)["unit"]


def test_a_forecast_may_be_published_before_its_year_ends(rt: Runtime, session: Session, analyst: Principal,
                                                          plan_key: str) -> None:
    row = add(rt, session, analyst, obs(plan_key, year=2024, vintage="2023-12-01", is_forecast=True))
    assert row.is_forecast


def test_all_problems_are_reported_at_once(rt: Runtime, session: Session, analyst: Principal,
                                           plan_key: str) -> None:
    with pytest.raises(Invalid) as caught:
        add(rt, session, analyst, obs(plan_key, indicator_id="X", year=3000, value="abc", source=""))
    assert {"indicator", "year", "value", "source"} <= set(fields(caught.value))


def test_a_vintage_with_an_offset_is_taken_as_its_beijing_date(rt: Runtime, session: Session,
                                                               analyst: Principal, plan_key: str) -> None:
    # 20:00 in New York on 15 January is 09:00 on 16 January in Beijing.
    row = add(rt, session, analyst, obs(plan_key, vintage="2024-01-15T20:00:00-05:00"))
    assert row.vintage == date(2024, 1, 16)
    # 23:30 UTC on 15 January is already 16 January in Beijing; a datetime object works the same way.
    row2 = add(rt, session, analyst, obs(plan_key, source="other",
                                         vintage=datetime(2024, 1, 15, 23, 30, tzinfo=UTC)))
    assert row2.vintage == date(2024, 1, 16)
    # Without an offset the time is Beijing time already.
    row3 = add(rt, session, analyst, obs(plan_key, source="third", vintage="2024-01-15T23:30:00"))
    assert row3.vintage == date(2024, 1, 15)


def test_a_duplicate_is_refused_naming_the_existing_one(rt: Runtime, session: Session, analyst: Principal,
                                                        plan_key: str) -> None:
    first = add(rt, session, analyst, obs(plan_key))
    with pytest.raises(Conflict) as caught:
        add(rt, session, analyst, obs(plan_key, value="2600"))
    assert str(first.id) in caught.value.detail
    # Another vintage, source or breakdown is another observation.
    add(rt, session, analyst, obs(plan_key, vintage="2024-02-01"))
    add(rt, session, analyst, obs(plan_key, source="MIIT"))
    add(rt, session, analyst, obs(plan_key, sector="iot"))
    assert count(session) == 4


def test_a_duplicate_of_the_plans_reference_data_is_refused(rt: Runtime, session: Session, analyst: Principal,
                                                            plan_key: str) -> None:
    with pytest.raises(Conflict) as caught:
        add(rt, session, analyst, obs(plan_key, year=2021, value="2002.5",
                                      source="CAICT; ISC 中国互联网发展报告 (2022)", vintage="2022-01-01"))
    assert "reference data" in caught.value.detail and "2002.5" in caught.value.detail


def test_viewers_read_but_do_not_write(rt: Runtime, session: Session, viewer: Principal, analyst: Principal,
                                       plan_key: str) -> None:
    with pytest.raises(Forbidden):
        add(rt, session, viewer, obs(plan_key))
    row = add(rt, session, analyst, obs(plan_key))
    with pytest.raises(Forbidden):
        observations.delete_observation(session, viewer, row.id)
    rows, total = observations.list_observations(session, viewer, rt.plans, plan_key)
    assert total == 1 and rows[0].id == row.id


def test_deleting(rt: Runtime, session: Session, analyst: Principal, plan_key: str) -> None:
    row = add(rt, session, analyst, obs(plan_key))
    observations.delete_observation(session, analyst, row.id)
    assert count(session) == 0
    assert session.scalars(select(AuditEvent).where(AuditEvent.tag == IndicatorTag.OBSERVATION_DELETED)).one()
    with pytest.raises(NotFound):
        observations.delete_observation(session, analyst, row.id)
    with pytest.raises(NotFound):
        observations.delete_observation(session, analyst, "not-an-id")


def test_an_unknown_plan_is_not_found(rt: Runtime, session: Session, analyst: Principal) -> None:
    with pytest.raises(NotFound):
        add(rt, session, analyst, obs("NO-SUCH-PLAN"))


def test_listing_filters(rt: Runtime, session: Session, analyst: Principal, plan_key: str) -> None:
    add(rt, session, analyst, obs(plan_key))
    add(rt, session, analyst, obs(plan_key, year=2024, vintage="2024-02-01", is_forecast=True))
    add(rt, session, analyst, obs(plan_key, series_id="CCIA-MARKET", value="900"))
    assert observations.list_observations(session, analyst, rt.plans, plan_key)[1] == 3
    assert observations.list_observations(session, analyst, rt.plans, plan_key, series_id="CCIA-MARKET")[1] == 1
    assert observations.list_observations(session, analyst, rt.plans, plan_key, include_forecasts=False)[1] == 2
    rows, total = observations.list_observations(session, analyst, rt.plans, plan_key, limit=1, offset=1)
    assert total == 3 and len(rows) == 1


# --------------------------------------------------------------------------- the series view


def test_the_series_view_merges_reference_and_user_points_but_never_series(
        rt: Runtime, session: Session, analyst: Principal, plan_key: str) -> None:
    add(rt, session, analyst, obs(plan_key))  # CAICT-BROAD 2023 actual
    views = observations.series_view(session, analyst, rt.plans, plan_key, "IND-SCALE")
    ids = [v.series.id for v in views]
    assert ids[0] == "CAICT-BROAD" and views[0].preferred
    assert len(ids) == len(set(ids)) and {"CCIA-MARKET", "IDC-SPENDING", "CAICT-NARROW-OLD"} <= set(ids)
    broad = views[0]
    assert [p.year for p in broad.points] == sorted(p.year for p in broad.points)
    assert {p.origin for p in broad.points} == {"reference", "user"}
    # 2020: the 2020-01-01 forecast (1702) is superseded by the actual published 2022-01-01 (1729).
    year_2020 = {p.value: p.role for p in broad.points if p.year == 2020}
    assert year_2020 == {Decimal("1702"): "superseded", Decimal("1729"): "used"}
    # 2022 has only a forecast: it is shown as the current forecast and never used as an actual.
    assert [p.role for p in broad.points if p.year == 2022] == ["forecast"]
    assert observations.actual_points(broad) == [Point(2019, Decimal("1563.59")), Point(2020, Decimal("1729")),
                                                  Point(2021, Decimal("2002.5")), Point(2023, Decimal("2500"))]


def test_the_latest_actual_vintage_wins_and_forecasts_never_count(rt: Runtime, session: Session,
                                                                  analyst: Principal, plan_key: str) -> None:
    add(rt, session, analyst, obs(plan_key, value="2400", source="early", vintage="2024-01-15"))
    add(rt, session, analyst, obs(plan_key, value="2450", source="revised", vintage="2024-06-01"))
    add(rt, session, analyst, obs(plan_key, value="9999", source="hype", vintage="2024-09-01", is_forecast=True))
    broad = observations.series_view(session, analyst, rt.plans, plan_key, "IND-SCALE")[0]
    roles = {p.source: p.role for p in broad.points if p.year == 2023}
    assert roles == {"early": "superseded", "revised": "used", "hype": "superseded"}
    assert Point(2023, Decimal("2450")) in observations.actual_points(broad)
    assert all(p.value != Decimal("9999") for p in observations.actual_points(broad))


def test_breakdowns_are_not_used_as_totals(rt: Runtime, session: Session, analyst: Principal, plan_key: str) -> None:
    add(rt, session, analyst, obs(plan_key, value="300", sector="iot"))
    broad = observations.series_view(session, analyst, rt.plans, plan_key, "IND-SCALE")[0]
    assert [p.role for p in broad.points if p.year == 2023] == ["used"]
    assert all(pt.year != 2023 for pt in observations.actual_points(broad))


def test_usd_points_keep_their_own_canonical_unit(rt: Runtime, session: Session, analyst: Principal,
                                                  plan_key: str) -> None:
    idc = next(v for v in observations.series_view(session, analyst, rt.plans, plan_key, "IND-SCALE")
               if v.series.id == "IDC-SPENDING")
    assert idc.canonical_unit.code == "usd_100m"
    assert [p.canonical_value for p in idc.points] == [Decimal("102")]
    assert observations.actual_points(idc) == []  # the only point is a forecast


def test_series_view_of_an_unknown_indicator(rt: Runtime, session: Session, analyst: Principal,
                                             plan_key: str) -> None:
    with pytest.raises(NotFound):
        observations.series_view(session, analyst, rt.plans, plan_key, "IND-NOPE")


def test_assemble_series_takes_prefetched_rows_and_an_as_of_year(rt: Runtime) -> None:
    """The shared assembly (also behind progress): no session, rows of other indicators skipped, a series
    only recorded rows name kept after the plan's, later years left out with ``as_of_year``."""
    plan = rt.plans[0]

    def row(**changes: object) -> Observation:
        values: dict[str, object] = {
            "plan_key": plan.id, "indicator_id": "IND-SCALE", "series_id": "CAICT-BROAD", "year": 2023,
            "value": Decimal("2500"), "unit": "亿元", "canonical_value": Decimal("2500"), "source": "s",
            "vintage": date(2024, 1, 15), "is_forecast": False, "sector": "", "region": "", "industry": "",
            "size_class": "", "scope": "", "note": ""}
        values.update(changes)
        return Observation(**values)

    rows = [row(), row(indicator_id="IND-OTHER", value=Decimal("1")),
            row(series_id="GONE-SERIES", year=2021, vintage=date(2022, 1, 1))]
    views = observations.assemble_series(plan, "IND-SCALE", rows)
    assert [v.series.id for v in views][:len(plan.series)] == [s.id for s in plan.series]
    gone = views[-1]
    assert (gone.series.id, gone.declared, gone.series.name_en) == ("GONE-SERIES", False, "GONE-SERIES")
    broad = next(v for v in views if v.series.id == "CAICT-BROAD")
    assert observations.actual_points(broad)[-1] == Point(2023, Decimal("2500"))
    assert all(p.value != Decimal("1") for v in views for p in v.points)
    earlier = next(v for v in observations.assemble_series(plan, "IND-SCALE", rows, as_of_year=2021)
                   if v.series.id == "CAICT-BROAD")
    assert max(p.year for p in earlier.points) == 2021
    # A point's value in another unit of the same dimension; None across currencies.
    first = broad.points[0]
    assert first.published_unit == "亿元" and observations.in_unit(first, "万元") == first.value * 10000
    assert observations.in_unit(first, "USD bn") is None


def test_the_series_view_leaves_out_series_the_plan_no_longer_has(
        rt: Runtime, session: Session, analyst: Principal, plan_key: str) -> None:
    session.add(Observation(plan_key=plan_key, indicator_id="IND-SCALE", series_id="GONE-SERIES", year=2021,
                            value=Decimal("5"), unit="亿元", canonical_value=Decimal("5"), source="s",
                            vintage=date(2022, 1, 1), is_forecast=False))
    session.flush()
    views = observations.series_view(session, analyst, rt.plans, plan_key, "IND-SCALE")
    assert "GONE-SERIES" not in {v.series.id for v in views}


# --------------------------------------------------------------------------- import


def test_importing_a_csv(rt: Runtime, session: Session, analyst: Principal, plan_key: str) -> None:
    result = imp(rt, session, analyst, plan_key, HEADER
                 + "IND-SCALE,CAICT-BROAD,2023,2500,亿元,CAICT 2024,2024-01-15,false\n"
                 + "IND-SCALE,CAICT-BROAD,2024,2800,亿元,CAICT 2024,2024-01-15,是\n")
    assert (result.kind, result.rows, result.created) == ("observations", 2, 2)
    rows = session.scalars(select(Observation).order_by(Observation.year)).all()
    assert [r.is_forecast for r in rows] == [False, True] and {r.batch_id for r in rows} == {result.batch_id}
    assert session.get(ImportBatch, result.batch_id) is not None
    event = session.scalars(select(AuditEvent).where(AuditEvent.tag == IndicatorTag.OBSERVATIONS_IMPORTED)).one()
    assert event.data["created"] == 2


def test_chinese_headers(rt: Runtime, session: Session, analyst: Principal, plan_key: str) -> None:
    result = imp(rt, session, analyst, plan_key, "指标,序列,年份,数值,单位,来源,发布日期,是否预测,备注\n"
                 "IND-SCALE,CAICT-BROAD,2023年,\"2,500\",亿元,信通院,2024/1/15,否,白皮书\n")
    assert result.created == 1
    assert session.scalars(select(Observation)).one().note == "白皮书"


def test_three_rows_two_bad_reports_both_and_imports_nothing(rt: Runtime, session: Session, analyst: Principal,
                                                             plan_key: str) -> None:
    with pytest.raises(TableError) as caught:
        imp(rt, session, analyst, plan_key, HEADER
            + "IND-SCALE,CAICT-BROAD,2023,2500,亿元,CAICT,2024-01-15,false\n"
            + "IND-SCALE,CAICT-BROAD,2022,12.3x,亿元,CAICT,2023-02-01,false\n"
            + "IND-SCALE,CAICT-BROAD,2150,2600,亿元,CAICT,2024-01-15,false\n")
    where = {(p.row, p.column) for p in caught.value.cell_problems}
    assert where == {(3, "value"), (4, "year")}
    assert caught.value.detail == "2 problems in 2 rows; nothing was imported"
    assert {p.field for p in caught.value.problems} == {"row 3, column value", "row 4, column year"}
    assert count(session) == 0 and session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_unknown_indicator_and_series_and_wrong_dimension_in_a_file(rt: Runtime, session: Session,
                                                                    analyst: Principal, plan_key: str) -> None:
    with pytest.raises(TableError) as caught:
        imp(rt, session, analyst, plan_key, HEADER
            + "IND-NOPE,CAICT-BROAD,2023,2500,亿元,CAICT,2024-01-15,false\n"
            + "IND-SCALE,NOPE,2023,2500,亿元,CAICT,2024-01-15,false\n"
            + "IND-SCALE,CAICT-BROAD,2023,10,USD bn,IDC,2024-01-15,false\n"
            + "IND-SCALE,CAICT-BROAD,2023,10,亿元,IDC,2024-01-15,maybe\n")
    where = {(p.row, p.column): p.message for p in caught.value.cell_problems}
    assert set(where) == {(2, "indicator"), (3, "series"), (4, "unit"), (5, "is_forecast")}
    assert "USD bn" in where[(4, "unit")]


def test_mixed_units_in_one_series_are_one_problem_naming_units_and_rows(
        rt: Runtime, session: Session, analyst: Principal, plan_key: str) -> None:
    with pytest.raises(TableError) as caught:
        imp(rt, session, analyst, plan_key, HEADER
            + "IND-SCALE,CAICT-BROAD,2023,2500,亿元,CAICT,2024-01-15,false\n"
            + "IND-SCALE,CAICT-BROAD,2024,2800,亿元,CAICT,2024-01-15,true\n"
            + "IND-SCALE,CAICT-BROAD,2025,3000000,万元,CAICT,2024-01-15,true\n")
    [problem] = caught.value.cell_problems
    assert problem.column == "unit"
    assert "mixed units in series CAICT-BROAD" in problem.message
    assert "亿元 (CNY 100m) in rows 2, 3" in problem.message and "万元 (CNY 10k) in row 4" in problem.message
    assert count(session) == 0


def test_different_series_may_have_different_units_in_one_file(rt: Runtime, session: Session, analyst: Principal,
                                                               plan_key: str) -> None:
    result = imp(rt, session, analyst, plan_key, HEADER
                 + "IND-SCALE,CAICT-BROAD,2023,2500,亿元,CAICT,2024-01-15,false\n"
                 + "IND-SCALE,IDC-SPENDING,2024,12,USD bn,IDC,2024-05-01,true\n")
    assert result.created == 2


def test_duplicates_within_the_file_against_the_reference_and_the_database(
        rt: Runtime, session: Session, analyst: Principal, plan_key: str) -> None:
    add(rt, session, analyst, obs(plan_key, year=2022, value="2200", source="mine", vintage="2023-03-01"))
    with pytest.raises(TableError) as caught:
        imp(rt, session, analyst, plan_key, HEADER
            + "IND-SCALE,CAICT-BROAD,2023,2500,亿元,CAICT,2024-01-15,false\n"
            + "IND-SCALE,CAICT-BROAD,2023,2510,亿元,CAICT,2024-01-15,false\n"
            + "IND-SCALE,CAICT-BROAD,2021,2002.5,亿元,CAICT; ISC 中国互联网发展报告 (2022),2022-01-01,false\n"
            + "IND-SCALE,CAICT-BROAD,2022,2200,亿元,mine,2023-03-01,false\n")
    where = {p.row: p.message for p in caught.value.cell_problems}
    assert set(where) == {3, 4, 5}
    assert "duplicate of row 2" in where[3]
    assert "reference data" in where[4]
    assert "duplicate of recorded observation" in where[5]
    assert count(session) == 1


def test_a_vintage_with_an_offset_in_a_file_is_converted_and_said_so(rt: Runtime, session: Session,
                                                                     analyst: Principal, plan_key: str) -> None:
    result = imp(rt, session, analyst, plan_key, HEADER
                 + "IND-SCALE,CAICT-BROAD,2023,2500,亿元,CAICT,2024-01-15T20:00:00-05:00,false\n")
    assert session.scalars(select(Observation)).one().vintage == date(2024, 1, 16)
    assert result.warnings == ("row 2: vintage 2024-01-15T20:00:00-05:00 taken as the Beijing date 2024-01-16",)


def _xlsx(rows: list[list[object]], *, merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_HEADER: list[object] = ["指标", "序列", "年份", "数值", "单位", "来源", "发布日期", "是否预测"]


def test_importing_an_xlsx(rt: Runtime, session: Session, analyst: Principal, plan_key: str) -> None:
    data = _xlsx([XLSX_HEADER, ["IND-SCALE", "CAICT-BROAD", 2023, 2500, "亿元", "CAICT", date(2024, 1, 15), False]])
    result = observations.import_observations(session, analyst, rt.plans, plan_key, data, "obs.xlsx", now=NOW)
    assert result.created == 1
    assert session.scalars(select(Observation)).one().canonical_value == Decimal(2500)


def test_xlsx_formulas_and_merged_cells_are_refused(rt: Runtime, session: Session, analyst: Principal,
                                                   plan_key: str) -> None:
    data = _xlsx([XLSX_HEADER,
                  ["IND-SCALE", "CAICT-BROAD", 2023, "=2000+500", "亿元", "CAICT", "2024-01-15", False],
                  ["IND-SCALE", "CAICT-BROAD", 2022, 2200, "亿元", "CAICT", "2023-02-01", True],
                  ["IND-SCALE", "CAICT-BROAD", 2021, 2000, "亿元", "CAICT", "2022-02-01", False]], merge="F3:F4")
    with pytest.raises(TableError) as caught:
        observations.import_observations(session, analyst, rt.plans, plan_key, data, "obs.xlsx", now=NOW)
    messages = [p.message for p in caught.value.cell_problems]
    assert any("formula" in m for m in messages) and any("merged cells F3:F4" in m for m in messages)
    assert count(session) == 0


def test_import_needs_write(rt: Runtime, session: Session, viewer: Principal, plan_key: str) -> None:
    with pytest.raises(Forbidden):
        imp(rt, session, viewer, plan_key, HEADER + "IND-SCALE,CAICT-BROAD,2023,2500,亿元,CAICT,2024-01-15,false\n")


# --------------------------------------------------------------------------- export


def test_export_round_trips_through_import(rt: Runtime, session: Session, analyst: Principal, plan_key: str) -> None:
    add(rt, session, analyst, obs(plan_key, value="250", unit="CNY bn", note="=cmd"))
    add(rt, session, analyst, obs(plan_key, year=2024, vintage="2024-02-01", is_forecast=True, value="280",
                                  unit="CNY bn", sector="iot"))
    text = observations.export_observations_csv(session, analyst, rt.plans, plan_key)
    assert text.startswith("\ufeffindicator,series,year,value,unit,source,vintage,is_forecast,scope,")
    assert "'=cmd" in text  # a spreadsheet would run it as a formula
    for row in session.scalars(select(Observation)).all():
        observations.delete_observation(session, analyst, row.id)
    result = observations.import_observations(session, analyst, rt.plans, plan_key, text.encode("utf-8"),
                                              "export.csv", now=NOW)
    assert result.created == 2
    rows = session.scalars(select(Observation).order_by(Observation.year)).all()
    assert [(r.value, r.unit, r.is_forecast, r.sector) for r in rows] == [
        (Decimal(250), "cny_bn", False, ""), (Decimal(280), "cny_bn", True, "iot")]


def test_the_template_imports(rt: Runtime, session: Session, analyst: Principal, plan_key: str) -> None:
    text = observations.template_csv()
    result = observations.import_observations(session, analyst, rt.plans, plan_key, text.encode("utf-8"),
                                              "template.csv", now=NOW)
    assert result.created == 1
