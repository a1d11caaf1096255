"""The shipped plan file (Three-year Action Plan 2021–2023) loads with the confirmed goals, tasks and
reference figures, and a broken plan file is refused with ``file:line: problem`` on the right line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from wangan.indicators.plans import (
    PLANS_DIR,
    PlanFile,
    default_plans_dir,
    load_plan_file,
    load_plan_text,
    load_shipped_plans,
)
from wangan.indicators.units import parse_unit
from wangan.kernel.rules import RulesError

SOURCE = PLANS_DIR / "action-plan-2021-2023.yaml"
TEXT = SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plan() -> PlanFile:
    return load_plan_file(SOURCE)


def test_shipped_plan_loads(plan: PlanFile) -> None:
    assert plan.id == "CN-MIIT-CSI-2021-2023"
    assert plan.plan.status == "draft"
    assert (plan.plan.period.start, plan.plan.period.end) == (2021, 2023)
    assert plan.schema_version == 1
    assert [g.id for g in plan.goals] == [f"G{n}" for n in range(1, 8)]
    assert [a.id for a in plan.areas] == [f"A{n}" for n in range(1, 6)]
    assert any(".wps" in url for s in plan.plan.sources for url in [s.url or "", *s.other_urls])


def test_shipped_plans_dir(plan: PlanFile) -> None:
    assert default_plans_dir() == PLANS_DIR
    plans = load_shipped_plans(PLANS_DIR.parent)
    assert plan.id in [p.id for p in plans]


def test_g1_scale_target(plan: PlanFile) -> None:
    ind = plan.indicator("IND-SCALE")
    assert plan.goal_of("IND-SCALE").id == "G1"
    assert ind.target is not None
    assert (ind.target.comparator, ind.target.amount, ind.target.year) == (">", Decimal(2500), 2023)
    assert ind.unit == "亿元"
    assert ind.preferred_series == "CAICT-BROAD"


def test_g2_cagr_is_computed_from_scale_with_interpreted_baseline(plan: PlanFile) -> None:
    (ind,) = plan.goal("G2").indicators
    assert ind.kind == "rate" and ind.computed_from == "IND-SCALE"
    assert ind.target is not None and (ind.target.comparator, ind.target.amount) == (">", Decimal(15))
    assert ind.baseline is not None and ind.baseline.year == 2020
    assert ind.baseline_status == "interpreted" and ind.baseline_note


def test_g6_investment_share(plan: PlanFile) -> None:
    (ind,) = plan.goal("G6").indicators
    assert ind.target is not None
    assert (ind.target.comparator, ind.target.amount, ind.target.year, ind.unit) == (">=", Decimal(10), 2023, "%")
    assert ind.disaggregations == ["industry"]
    telecom = next(t for t in plan.key_industries if t.id == "telecom")
    assert telecom.status == "confirmed"
    assert all(t.status == "interpreted" for t in plan.key_industries if t.id != "telecom")


def test_g5_sectors(plan: PlanFile) -> None:
    assert {"icv", "industrial_internet", "iot", "smart_city", "other"} == {s.id for s in plan.sectors}
    assert set(plan.indicator("IND-SME-COUNT").disaggregations) == {"sector", "region", "size"}


def test_nineteen_tasks_only_task_6_loaded(plan: PlanFile) -> None:
    assert [t.number for t in plan.tasks] == list(range(1, 20))
    assert [t.number for t in plan.tasks if t.loaded] == [6]
    six = plan.task(6)
    assert six.title_zh == "加强共性基础支撑" and six.title_official
    assert six.text_en is not None and "SCA" in six.text_en
    assert not six.text_official  # our summary, not the verbatim text
    for task in plan.tasks:
        if task.number != 6:
            assert task.title_zh is None and task.title_en is None and task.text_zh is None
    with pytest.raises(KeyError):
        plan.task(20)


def test_texts_that_are_ours_are_not_official(plan: PlanFile) -> None:
    assert all(not a.official and a.status == "interpreted" for a in plan.areas)
    assert all(not g.official for g in plan.goals)
    assert plan.goal("G1").quote_zh == "超过2500亿元"


def test_reference_observations_refer_to_existing_series_and_indicators(plan: PlanFile) -> None:
    series = {s.id for s in plan.series}
    indicators = {i.id for i in plan.indicators()}
    assert len(plan.reference_observations) == 10
    for obs in plan.reference_observations:
        assert obs.series in series and obs.indicator in indicators
        parse_unit(obs.unit)
        Decimal(obs.value)
    assert all(s.chainable_with == [] for s in plan.series)
    first = plan.observations("IND-SCALE", "CAICT-BROAD")[0]
    assert (first.year, first.amount, first.is_forecast) == (2019, Decimal("1563.59"), False)
    ccia_2023 = plan.observations("IND-SCALE", "CCIA-MARKET")[-1]
    assert (ccia_2023.year, ccia_2023.status) == (2023, "doubtful")


def test_progress_thresholds_and_consultation(plan: PlanFile) -> None:
    assert Decimal(plan.progress_thresholds.on_track) == Decimal("0.95")
    assert Decimal(plan.progress_thresholds.at_risk) == Decimal("0.5")
    assert "Statistics Canada" in plan.progress_thresholds.method_en
    c = plan.consultation
    assert c is not None and c.closes_at_status == "interpreted"
    assert c.closes_at.astimezone(UTC) == datetime(2021, 7, 16, 15, 59, 59, tzinfo=UTC)
    assert c.title_zh.endswith("（征求意见稿）")


def test_load_plan_text_names_the_upload() -> None:
    assert load_plan_text(TEXT, "upload.yaml").id == "CN-MIIT-CSI-2021-2023"
    broken = TEXT.replace("schema_version: 1\n", "schema_version: 1\ncolour: red\n")
    with pytest.raises(RulesError) as info:
        load_plan_text(broken, "upload.yaml")
    line = broken.splitlines().index("colour: red") + 1
    assert str(info.value).startswith(f"upload.yaml:{line}: colour")


@dataclass(frozen=True)
class Breakage:
    """Replace ``old`` by ``new``; the error must point at the line holding ``at`` and say ``says``."""

    old: str
    new: str
    at: str
    says: tuple[str, ...]


BREAKAGES = {
    "unknown key": Breakage(
        "        unit: 亿元\n        kind: level\n", "        unit: 亿元\n        colour: red\n        kind: level\n",
        at="colour: red", says=("goals.0.indicators.0.colour", "Extra inputs are not permitted")),
    "duplicate goal id": Breakage(
        "  - id: G3\n", "  - id: G2\n",
        at="  - id: G2\n    title_zh: 突破", says=("goals.2.id", "'G2' appears twice")),
    "task numbering gap": Breakage(
        "  - {number: 8, area: null,", "  - {number: 9, area: null,",
        at="  - {number: 9, area: null, loaded: false, status: confirmed, sources: [P1]}\n  - {number: 9,",
        says=("tasks.7.number", "expected 8 here, found 9")),
    "duplicate task number": Breakage(
        "  - {number: 5, area: null,", "  - {number: 4, area: null,",
        at="  - {number: 4, area: null, loaded: false, status: confirmed, sources: [P1]}\n  - number: 6",
        says=("tasks.4.number", "task number 4 appears twice")),
    "dangling computed_from": Breakage(
        "computed_from: IND-SCALE\n", "computed_from: IND-SIZE\n",
        at="computed_from: IND-SIZE", says=("computed_from", "unknown indicator 'IND-SIZE'")),
    "target year before baseline year": Breakage(
        'target: {comparator: ">", value: "15", year: 2023}', 'target: {comparator: ">", value: "15", year: 2019}',
        at='value: "15", year: 2019', says=("goals.1.indicators.0.target.year", "before the baseline year 2020")),
    "target year before the plan period": Breakage(
        'target: {comparator: ">=", value: "10", year: 2023}', 'target: {comparator: ">=", value: "10", year: 2020}',
        at='value: "10", year: 2020', says=("target.year", "before the plan period")),
    "loaded task without title": Breakage(
        "    title_zh: 加强共性基础支撑\n", "",
        at="    loaded: true", says=("tasks.5", "needs title_zh")),
    "observation of unknown series": Breakage(
        "series: CCIA-MARKET, year: 2020", "series: CCIA-MARKT, year: 2020",
        at="series: CCIA-MARKT", says=("reference_observations.4.series", "unknown series")),
    "blank observation unit": Breakage(
        'value: "10.2", unit: USD bn,', 'value: "10.2", unit: " ",',
        at='unit: " "', says=("reference_observations.6.unit", "must not be blank")),
    "zero baseline for a growth rate": Breakage(
        "baseline: {year: 2020, value: null}\n        baseline_status: interpreted\n        baseline_note: >-\n"
        "          The plan states no base year.",
        "baseline: {year: 2020, value: '0'}\n        baseline_status: interpreted\n        baseline_note: >-\n"
        "          The plan states no base year.",
        at="baseline: {year: 2020, value: '0'}", says=("baseline.value", "need a positive base")),
    "value as float": Breakage(
        'value: "2002.5"', "value: 2002.5",
        at="value: 2002.5", says=("reference_observations.5.value", "valid string")),
}


def _line(text: str, needle: str) -> int:
    assert text.count(needle) == 1, needle
    return text[:text.index(needle)].count("\n") + 1 + needle[:len(needle) - len(needle.lstrip("\n"))].count("\n")


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_broken_plan_is_refused_with_file_and_line(tmp_path: Path, name: str) -> None:
    b = BREAKAGES[name]
    assert TEXT.count(b.old) == 1, "the breakage no longer matches the plan file"
    text = TEXT.replace(b.old, b.new)
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_plan_file(path)
    first = str(info.value).splitlines()[0]
    assert first.startswith(f"{path}:{_line(text, b.at)}: "), first
    for phrase in b.says:
        assert phrase in first, first


def test_shipped_plans_with_the_same_id_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "a.yaml").write_text(TEXT, encoding="utf-8")
    (folder / "b.yaml").write_text(TEXT, encoding="utf-8")
    with pytest.raises(RulesError, match=r"b\.yaml:1: plan id 'CN-MIIT-CSI-2021-2023' is also used"):
        load_shipped_plans(tmp_path)
