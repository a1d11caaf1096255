"""Progress of the shipped Action Plan, checked by hand against the reference data (spec §2, §3).

CAICT broad (亿元): 2019 1563.59, 2020 1729, 2021 2002.5 actual; 2022 ≈2200 is a FORECAST.
G1 (> 2500 by 2023, base 2020): observed (2002.5/1729)^(1/1) − 1 = 15.82 %; required
(2500/1729)^(1/3) − 1 = 13.08 %; ratio 1.21 ≥ 0.95 → on track; still needed from 2021:
(2500/2002.5)^(1/2) − 1 = 11.73 %; from the 2022 forecast: 2500/2200 − 1 = 13.6 %.
G2 (CAGR > 15 %, base 2020): observed 15.82 %, ratio 15.82/15 = 1.05 → on track.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import date
from decimal import Decimal

import pytest

from wangan.errors import Forbidden, NotFound, Unauthenticated
from wangan.indicators import progress
from wangan.indicators.computations import Point, Status, percent
from wangan.indicators.models import Observation
from wangan.kernel.auth import ANONYMOUS

PLAN = "CN-MIIT-CSI-2021-2023"


@pytest.fixture
def reader(factory):  # type: ignore[no-untyped-def]
    return factory.principal(factory.user(factory.org(), "viewer"))


def _progress(rt, session, reader, **kw):  # type: ignore[no-untyped-def]
    return progress.plan_progress(session, reader, rt.plans, PLAN, **kw)


def test_g1_scale_on_track_with_hand_checked_figures(rt, session, reader) -> None:  # type: ignore[no-untyped-def]
    p = _progress(rt, session, reader)
    ind = p.indicator("IND-SCALE")
    assert ind.headline_series == "CAICT-BROAD"
    a = ind.headline
    assert a.status is Status.ON_TRACK
    assert a.base == Point(2020, Decimal("1729"))
    assert a.latest == Point(2021, Decimal("2002.5"))
    assert percent(a.observed_cagr, 2) == "15.82%"
    assert percent(a.required_cagr, 2) == "13.08%"
    assert a.ratio is not None and a.ratio.quantize(Decimal("0.01")) == Decimal("1.21")
    assert percent(a.still_needed, 2) == "11.73%"
    assert p.goal("G1").status == "on_track"


def test_2022_forecast_is_not_an_actual(rt, session, reader) -> None:  # type: ignore[no-untyped-def]
    p = _progress(rt, session, reader)
    broad = next(s for s in p.indicator("IND-SCALE").series if s.data.series_id == "CAICT-BROAD")
    assert [pt.year for pt in broad.data.actuals] == [2019, 2020, 2021]
    assert Point(2022, Decimal("2200")) in broad.data.forecasts
    assert broad.data.actuals[1].value == Decimal("1729")  # not the 1702 forecast of 2020
    assert broad.assessment.latest is not None and broad.assessment.latest.year == 2021
    # The growth still needed from the 2022 forecast, labelled as such: 2500 / 2200 − 1 = 13.6 %.
    need = p.indicator("IND-SCALE").forecast_need
    assert need is not None and need.forecast == Point(2022, Decimal("2200"))
    assert percent(need.rate) == "13.6%"
    assert "FORECAST" in need.step.label_en


def test_g2_rate_on_track(rt, session, reader) -> None:  # type: ignore[no-untyped-def]
    p = _progress(rt, session, reader)
    a = p.indicator("IND-SCALE-CAGR").headline
    assert a.status is Status.ON_TRACK
    assert a.required_cagr == Decimal("0.15")
    assert a.ratio is not None and a.ratio.quantize(Decimal("0.01")) == Decimal("1.05")
    assert p.goal("G2").status == "on_track"


def test_idc_usd_series_is_never_assessed(rt, session, reader) -> None:  # type: ignore[no-untyped-def]
    p = _progress(rt, session, reader)
    idc = next(s for s in p.indicator("IND-SCALE").series if s.data.series_id == "IDC-SPENDING")
    assert not idc.data.comparable
    assert idc.data.unit == "USD bn"
    assert idc.assessment.status is Status.NO_DATA
    assert "different unit" in idc.assessment.reason_en


def test_qualitative_count_and_share_goals(rt, session, reader) -> None:  # type: ignore[no-untyped-def]
    p = _progress(rt, session, reader)
    assert p.goal("G3").status == "not_measured"
    assert p.goal("G5").status == "not_measured"
    g5 = p.indicator("IND-SME-COUNT").headline
    assert g5.status is Status.NO_DATA and "sets no number" in g5.reason_en
    assert p.goal("G6").status == "no_data"


def test_user_observation_later_vintage_wins_and_forecast_stays_forecast(rt, session, reader) -> None:  # type: ignore[no-untyped-def]
    session.add(Observation(plan_key=PLAN, indicator_id="IND-SCALE", series_id="CAICT-BROAD", year=2022,
                            value=Decimal("2200"), unit="亿元", canonical_value=Decimal("2200"), source="forecast",
                            vintage=date(2023, 3, 1), is_forecast=True))
    session.add(Observation(plan_key=PLAN, indicator_id="IND-SCALE", series_id="CAICT-BROAD", year=2023,
                            value=Decimal("2600"), unit="亿元", canonical_value=Decimal("2600"),
                            source="CAICT 2024", vintage=date(2024, 1, 1), is_forecast=False))
    session.flush()
    p = _progress(rt, session, reader)
    a = p.indicator("IND-SCALE").headline
    assert a.status is Status.ACHIEVED and a.latest == Point(2023, Decimal("2600"))
    broad = next(s for s in p.indicator("IND-SCALE").series if s.data.series_id == "CAICT-BROAD")
    assert 2022 not in [pt.year for pt in broad.data.actuals]
    superseded = [o for o in broad.data.observations if o.year == 2022 and o.superseded]
    assert len(superseded) == 1 and superseded[0].origin == "reference"
    # as_of_year ignores the 2023 figure again
    assert _progress(rt, session, reader, as_of_year=2022).indicator("IND-SCALE").status is Status.ON_TRACK


def test_a_forecast_is_superseded_by_the_actual_of_its_year(rt, session, reader) -> None:  # type: ignore[no-untyped-def]
    """The rule of wangan.indicators.observations: per year the latest actual is used, else the latest
    forecast; the 2020 forecast (1702) is superseded by the 2020 actual (1729) and is no forecast point."""
    p = _progress(rt, session, reader)
    broad = next(s for s in p.indicator("IND-SCALE").series if s.data.series_id == "CAICT-BROAD")
    y2020 = {o.value: o.superseded for o in broad.data.observations if o.year == 2020}
    assert y2020 == {Decimal("1729"): False, Decimal("1702"): True}
    assert 2020 not in [pt.year for pt in broad.data.forecasts]


def test_observations_recorded_through_the_service_count(rt, session, factory) -> None:  # type: ignore[no-untyped-def]
    """A total recorded by add_observation (breakdown key "|||") is used; a breakdown is not."""
    from wangan.indicators import observations

    analyst = factory.principal(factory.user(factory.org(), "analyst"))
    for value, sector in (("2600", ""), ("9000", "iot")):
        observations.add_observation(session, analyst, rt.plans, observations.ObservationIn(
            plan_key=PLAN, indicator_id="IND-SCALE", series_id="CAICT-BROAD", year=2023, value=value, unit="亿元",
            source="CAICT 2024", vintage="2024-01-15", is_forecast=False, sector=sector))
    p = _progress(rt, session, analyst)
    assert p.indicator("IND-SCALE").headline.latest == Point(2023, Decimal("2600"))
    assert p.observation_count == 1


def test_the_whole_plan_comes_from_one_query_of_observations(rt, session, reader) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    statements: list[str] = []

    def seen(conn, cursor, statement, params, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        progress.compute(session, rt.plans[0], "shipped")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len([s for s in statements if "indicator_observations" in s]) == 1


def test_progress_dict_is_json_ready_with_steps_and_method(rt, session, reader) -> None:  # type: ignore[no-untyped-def]
    d = progress.progress_dict(_progress(rt, session, reader))
    json.dumps(d)
    assert d["id"] == PLAN and d["origin"] == "shipped" and d["status"] == "draft"
    assert "Open SDG" in d["method"]["en"] and d["method"]["thresholds"] == {"on_track": "0.95", "at_risk": "0.5"}
    g1 = d["goals"][0]
    assert g1["status"] == "on_track" and g1["title_official"] is False and g1["quote_zh"] == "超过2500亿元"
    ind = g1["indicators"][0]
    assert ind["target"] == {"comparator": ">", "value": "2500", "year": 2023}
    assert [s["key"] for s in ind["headline"]["steps"]][:3] == ["base", "latest", "target"]
    assert ind["still_needed_from_forecast"]["display"] == "13.6%"


def test_csv_and_json_data_carry_provenance(rt, session, reader) -> None:  # type: ignore[no-untyped-def]
    p = _progress(rt, session, reader)
    rows = list(csv.DictReader(io.StringIO(progress.plan_data_csv(p))))
    r2022 = [r for r in rows if r["series"] == "CAICT-BROAD" and r["year"] == "2022" and r["indicator"] == "IND-SCALE"]
    assert r2022 and r2022[0]["is_forecast"] == "true" and r2022[0]["origin"] == "reference"
    idc = [r for r in rows if r["series"] == "IDC-SPENDING" and r["indicator"] == "IND-SCALE"]
    assert idc[0]["value_in_indicator_unit"] == "" and idc[0]["series_status"] == "no_data"
    data = progress.plan_data_json(p)
    json.dumps(data)
    assert {s["id"] for s in data["series"]} >= {"CAICT-BROAD", "IDC-SPENDING", "CCIA-MARKET"}


def test_policy_and_unknown_plan(rt, session, factory, reader) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Unauthenticated):
        progress.plan_progress(session, ANONYMOUS, rt.plans, PLAN)
    no_read = dataclasses.replace(reader, scopes=frozenset({"write"}))
    with pytest.raises(Forbidden):
        progress.plan_progress(session, no_read, rt.plans, PLAN)
    with pytest.raises(NotFound):
        progress.plan_progress(session, reader, rt.plans, "NO-SUCH")


def test_a_zero_base_leaves_the_series_without_status_and_says_why(rt, session, reader) -> None:  # type: ignore[no-untyped-def]
    """A user's 2020 actual of 0 on the old narrow CAICT series is its base: no CAGR from zero, and the
    page still works."""
    for year, value in ((2020, "0"), (2021, "700")):
        session.add(Observation(plan_key=PLAN, indicator_id="IND-SCALE", series_id="CAICT-NARROW-OLD", year=year,
                                value=Decimal(value), unit="亿元", canonical_value=Decimal(value), source="a typo",
                                vintage=date(2022, 6, 1), is_forecast=False))
    session.flush()
    p = _progress(rt, session, reader)
    narrow = next(s for s in p.indicator("IND-SCALE").series if s.data.series_id == "CAICT-NARROW-OLD")
    assert narrow.assessment.status is Status.NO_DATA
    assert "positive base" in narrow.assessment.reason_en and "无法据此评估" in narrow.assessment.reason_zh
    assert p.indicator("IND-SCALE").headline.status is Status.ON_TRACK  # the preferred series is unaffected
