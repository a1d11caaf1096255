"""Plans as data: the schema of ``rules/plans/*.yaml`` and its loaders.

A plan file describes one plan (such as MIIT's Three-year Action Plan for the Cybersecurity Industry,
2021–2023): its metadata and sources, goals and their indicators (targets, baselines, computed rates),
focus areas, numbered tasks, the data series that measure it, a reference set of published observations,
the breakdowns its goals name, the progress thresholds and the public consultation on a draft. Every entry
has a stable id; ``status`` says whether a value is confirmed in a source or is our reading, and
``official`` whether a Chinese title is the plan's own text or our wording.

Problems are reported as :class:`~wangan.kernel.rules.RulesError` reading ``file:line: problem``, both for
shipped files (:func:`load_plan_file`) and for uploaded text (:func:`load_plan_text`).
"""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from wangan.kernel.rules import LocatedError, RuleModel, RulesError, load_rules_file

PLANS_DIR = Path(__file__).resolve().parents[3] / "rules" / "plans"
"""Where the shipped plan files live: ``rules/plans`` at the repository root."""

SCHEMA_VERSION = 1

Status = Literal["confirmed", "interpreted"]
GoalStatus = Literal["confirmed", "doubtful"]
TaskStatus = Literal["confirmed", "interpreted", "doubtful"]
ObservationStatus = Literal["confirmed", "secondary", "doubtful"]
Comparator = Literal[">", ">=", "<", "<=", "="]
IndicatorKind = Literal["level", "rate", "share", "count"]
Disaggregation = Literal["sector", "region", "size", "industry"]
Precision = Literal["day", "month", "year"]

DecimalStr = Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$")]
"""A decimal number written as a string (``"1563.59"``), so YAML never turns it into a float."""

SourceId = Annotated[str, Field(pattern=r"^P[0-9]+$")]
Year = Annotated[int, Field(ge=1949, le=2100)]


class Source(RuleModel):
    """A public source the file cites by id (``P1``..``Pn``)."""

    id: SourceId
    title: str = Field(min_length=1)
    url: str | None = None
    other_urls: list[str] = Field(default_factory=list)
    note: str = ""


class Period(RuleModel):
    """The years a plan covers, both included."""

    start: Year
    end: Year

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise LocatedError("the period ends before it starts", "end")
        return self


class Aim(RuleModel):
    """One of the aims a plan's preamble names, in the plan's Chinese and an English rendering."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    status: Status
    sources: list[SourceId] = Field(default_factory=list)


class PlanMeta(RuleModel):
    """What the plan is: id, titles, period, whether draft or final, issuer, publication and sources."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]+$")
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    period: Period
    status: Literal["draft", "final"]
    issuer_zh: str = Field(min_length=1)
    issuer_en: str = Field(min_length=1)
    published: date
    official_text_url: str | None = None
    task_count: int | None = Field(default=None, ge=0)
    task_count_sources: list[SourceId] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    preamble_aims: list[Aim] = Field(default_factory=list)
    note: str = ""


class Target(RuleModel):
    """What an indicator must reach: ``value`` compared with ``comparator`` in ``year``."""

    comparator: Comparator
    value: DecimalStr
    year: Year

    @property
    def amount(self) -> Decimal:
        return Decimal(self.value)


class Baseline(RuleModel):
    """The base year an indicator's progress is measured from; ``value`` may be left to the observations."""

    year: Year
    value: DecimalStr | None = None


class Indicator(RuleModel):
    """A measurable indicator of a goal. A ``rate`` indicator is ``computed_from`` another indicator (a
    CAGR of a level); ``preferred_series`` names the series the monitor compares against the target."""

    id: str = Field(pattern=r"^IND-[A-Z0-9-]+$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    definition_zh: str = Field(min_length=1)
    definition_en: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    kind: IndicatorKind
    target: Target | None = None
    baseline: Baseline | None = None
    baseline_status: Status | None = None
    baseline_note: str = ""
    computed_from: str | None = None
    preferred_series: str | None = None
    disaggregations: list[Disaggregation] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        if not self.unit.strip():
            raise LocatedError("the unit must not be blank", "unit")
        if self.baseline is not None and self.baseline_status is None:
            raise LocatedError("a baseline needs baseline_status (confirmed or interpreted)", "baseline")
        if self.baseline is None and self.baseline_status is not None:
            raise LocatedError("baseline_status without a baseline", "baseline_status")
        if (self.target is not None and self.baseline is not None
                and self.target.year < self.baseline.year):
            raise LocatedError(f"target year {self.target.year} is before the baseline year {self.baseline.year}",
                               "target", "year")
        if (self.baseline is not None and self.baseline.value is not None and self.kind in ("level", "rate")
                and Decimal(self.baseline.value) <= 0):
            raise LocatedError(f"the baseline value {self.baseline.value} is not above zero: growth rates (CAGR) "
                               "need a positive base", "baseline", "value")
        if self.kind == "rate" and self.computed_from is None:
            raise LocatedError("a rate indicator needs computed_from (the indicator it is computed from)", "kind")
        if self.computed_from == self.id:
            raise LocatedError("an indicator cannot be computed from itself", "computed_from")
        if len(set(self.disaggregations)) != len(self.disaggregations):
            raise LocatedError("a disaggregation is listed twice", "disaggregations")
        return self


class Goal(RuleModel):
    """A goal of the plan. ``official`` says whether ``title_zh`` is the plan's text; ``quote_zh`` holds
    the plan's own words where a source gives them."""

    id: str = Field(pattern=r"^G[0-9]+$")
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    official: bool
    quote_zh: str | None = None
    kind: Literal["quantitative", "qualitative"]
    status: GoalStatus
    sources: list[SourceId] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _measurable(self) -> Goal:
        if self.kind == "quantitative" and not any(i.target is not None for i in self.indicators):
            raise LocatedError(f"quantitative goal {self.id} needs an indicator with a target", "indicators")
        return self


class Area(RuleModel):
    """A focus area grouping tasks. ``official: false`` marks a title that is our wording."""

    id: str = Field(pattern=r"^A[0-9]+$")
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    official: bool
    status: Status
    sources: list[SourceId] = Field(default_factory=list)
    note: str = ""


class Task(RuleModel):
    """A numbered key task. Until its text is loaded (``loaded: false``) it has no title or text, so the
    UI can say "not yet loaded"; ``title_official``/``text_official`` say whether the Chinese is the plan's.
    (The key is ``number``, not ``no``: YAML 1.1 reads a bare ``no`` as false.)"""

    number: int = Field(ge=1)
    area: str | None = None
    loaded: bool
    group_zh: str | None = None
    group_en: str | None = None
    title_zh: str | None = None
    title_en: str | None = None
    title_official: bool = False
    text_zh: str | None = None
    text_en: str | None = None
    text_official: bool = False
    indicators: list[str] = Field(default_factory=list)
    owner: str | None = None
    status: TaskStatus
    sources: list[SourceId] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _loaded(self) -> Task:
        if self.loaded:
            for name in ("title_zh", "title_en"):
                if not (getattr(self, name) or "").strip():
                    raise LocatedError(f"task {self.number} is loaded, so it needs {name}", "loaded")
        else:
            for name in ("title_zh", "title_en", "text_zh", "text_en"):
                if getattr(self, name) is not None:
                    raise LocatedError(f"task {self.number} is not loaded, so {name} must be left out (or set "
                                       "loaded: true)", name)
        return self


class Series(RuleModel):
    """A published data series of one scope. Series of different scope are never chained, so
    ``chainable_with`` stays empty unless two series truly measure the same thing."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]+$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    scope: str = Field(min_length=1)
    currency: str | None = None
    unit: str = Field(min_length=1)
    chainable_with: list[str] = Field(default_factory=list)
    note: str = ""


class Observation(RuleModel):
    """A published figure for an indicator in one series, with its source and vintage (publication date;
    ``vintage_precision`` says whether only the month or year of it is known)."""

    indicator: str
    series: str
    year: Year
    value: DecimalStr
    unit: str = Field(min_length=1)
    growth_pct: DecimalStr | None = None
    approximate: bool = False
    source: str = Field(min_length=1)
    vintage: date
    vintage_precision: Precision = "day"
    is_forecast: bool
    status: ObservationStatus
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Observation:
        if not self.unit.strip():
            raise LocatedError("the unit must not be blank", "unit")
        if self.vintage_precision == "month" and self.vintage.day != 1:
            raise LocatedError("a vintage known to the month is written as the first of the month", "vintage")
        if self.vintage_precision == "year" and (self.vintage.month, self.vintage.day) != (1, 1):
            raise LocatedError("a vintage known to the year is written as 1 January", "vintage")
        return self

    @property
    def amount(self) -> Decimal:
        return Decimal(self.value)


class Term(RuleModel):
    """An entry of a breakdown (a key industry, a sector): stable id and names."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    status: Status
    note: str = ""


class ProgressThresholds(RuleModel):
    """Ratios of observed to required CAGR: at least ``on_track`` is on track, at least ``at_risk`` is
    moderate progress, below it off track (Open SDG's method, after Statistics Canada)."""

    on_track: DecimalStr
    at_risk: DecimalStr
    status: Status
    method_zh: str = Field(min_length=1)
    method_en: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> ProgressThresholds:
        if not Decimal(0) < Decimal(self.at_risk) < Decimal(self.on_track) <= Decimal(1):
            raise LocatedError("thresholds must satisfy 0 < at_risk < on_track <= 1", "at_risk")
        return self


class Consultation(RuleModel):
    """The public comment period on a draft; ``closes_at`` is an aware time (Beijing time)."""

    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    opens: date
    closes_at: AwareDatetime
    timezone: str = "Asia/Shanghai"
    status: Status
    closes_at_status: Status
    sources: list[SourceId] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Consultation:
        if self.closes_at.date() < self.opens:
            raise LocatedError("the consultation closes before it opens", "closes_at")
        return self


class PlanFile(RuleModel):
    """A whole plan file. Cross-references are checked here: unique ids, sources, series, indicators,
    areas, the task numbering and target years against the plan period."""

    schema_version: Literal[1]
    version: date
    plan: PlanMeta
    goals: list[Goal] = Field(min_length=1)
    areas: list[Area] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    series: list[Series] = Field(default_factory=list)
    reference_observations: list[Observation] = Field(default_factory=list)
    key_industries: list[Term] = Field(default_factory=list)
    sectors: list[Term] = Field(default_factory=list)
    progress_thresholds: ProgressThresholds
    consultation: Consultation | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PlanFile:
        self._check_unique()
        self._check_sources()
        self._check_indicators()
        self._check_tasks()
        self._check_series_and_observations()
        if self.consultation is not None and self.plan.status != "draft":
            raise LocatedError("only a draft has a consultation", "consultation")
        return self

    def _check_unique(self) -> None:
        lists: dict[str, list[str]] = {
            "goals": [g.id for g in self.goals], "areas": [a.id for a in self.areas],
            "series": [s.id for s in self.series], "key_industries": [t.id for t in self.key_industries],
            "sectors": [t.id for t in self.sectors],
        }
        for field, ids in lists.items():
            _unique(ids, field)
        _unique([s.id for s in self.plan.sources], "plan", "sources")
        seen: set[str] = set()
        for gi, goal in enumerate(self.goals):
            for ii, ind in enumerate(goal.indicators):
                if ind.id in seen:
                    raise LocatedError(f"indicator id {ind.id!r} appears twice", "goals", gi, "indicators", ii, "id")
                seen.add(ind.id)

    def _check_sources(self) -> None:
        known = {s.id for s in self.plan.sources}
        cited: list[tuple[list[str], tuple[int | str, ...]]] = [
            (self.plan.task_count_sources, ("plan", "task_count_sources")),
            *((a.sources, ("plan", "preamble_aims", i, "sources")) for i, a in enumerate(self.plan.preamble_aims)),
            *((g.sources, ("goals", i, "sources")) for i, g in enumerate(self.goals)),
            *((a.sources, ("areas", i, "sources")) for i, a in enumerate(self.areas)),
            *((t.sources, ("tasks", i, "sources")) for i, t in enumerate(self.tasks)),
        ]
        if self.consultation is not None:
            cited.append((self.consultation.sources, ("consultation", "sources")))
        for ids, path in cited:
            for j, sid in enumerate(ids):
                if sid not in known:
                    raise LocatedError(f"unknown source {sid!r}; the plan's sources are {sorted(known)}", *path, j)

    def _check_indicators(self) -> None:
        by_id = self.indicator_by_id
        series = {s.id for s in self.series}
        period = self.plan.period
        for gi, goal in enumerate(self.goals):
            for ii, ind in enumerate(goal.indicators):
                where: tuple[int | str, ...] = ("goals", gi, "indicators", ii)
                if ind.computed_from is not None:
                    base = by_id.get(ind.computed_from)
                    if base is None:
                        raise LocatedError(f"indicator {ind.id} is computed from unknown indicator "
                                           f"{ind.computed_from!r}", *where, "computed_from")
                    if base.computed_from is not None:
                        raise LocatedError(f"indicator {ind.id} is computed from {base.id}, which is itself "
                                           "computed; compute from a measured indicator", *where, "computed_from")
                if ind.preferred_series is not None and ind.preferred_series not in series:
                    raise LocatedError(f"indicator {ind.id} prefers unknown series {ind.preferred_series!r}",
                                       *where, "preferred_series")
                if ind.target is not None and ind.target.year < period.start:
                    raise LocatedError(f"target year {ind.target.year} is before the plan period "
                                       f"{period.start}–{period.end}", *where, "target", "year")
                if "sector" in ind.disaggregations and not self.sectors:
                    raise LocatedError(f"indicator {ind.id} is broken down by sector, but no sectors are defined",
                                       *where, "disaggregations")
                if "industry" in ind.disaggregations and not self.key_industries:
                    raise LocatedError(f"indicator {ind.id} is broken down by industry, but no key_industries "
                                       "are defined", *where, "disaggregations")

    def _check_tasks(self) -> None:
        seen: set[int] = set()
        for i, task in enumerate(self.tasks):
            if task.number in seen:
                raise LocatedError(f"task number {task.number} appears twice", "tasks", i, "number")
            seen.add(task.number)
            if task.number != i + 1:
                raise LocatedError(f"tasks are numbered 1..N in order without gaps: expected {i + 1} here, "
                                   f"found {task.number}", "tasks", i, "number")
        count = self.plan.task_count
        if count is not None and len(self.tasks) != count:
            raise LocatedError(f"the plan has {count} tasks but {len(self.tasks)} are listed", "tasks")
        areas = {a.id for a in self.areas}
        indicators = self.indicator_by_id
        for i, task in enumerate(self.tasks):
            if task.area is not None and task.area not in areas:
                raise LocatedError(f"task {task.number} names unknown area {task.area!r}", "tasks", i, "area")
            for j, ind in enumerate(task.indicators):
                if ind not in indicators:
                    raise LocatedError(f"task {task.number} names unknown indicator {ind!r}",
                                       "tasks", i, "indicators", j)

    def _check_series_and_observations(self) -> None:
        series = {s.id for s in self.series}
        for i, s in enumerate(self.series):
            for j, other in enumerate(s.chainable_with):
                if other == s.id or other not in series:
                    raise LocatedError(f"series {s.id} cannot be chained with {other!r}: not another known series",
                                       "series", i, "chainable_with", j)
        indicators = self.indicator_by_id
        for i, obs in enumerate(self.reference_observations):
            if obs.indicator not in indicators:
                raise LocatedError(f"unknown indicator {obs.indicator!r}", "reference_observations", i, "indicator")
            if obs.series not in series:
                raise LocatedError(f"unknown series {obs.series!r}", "reference_observations", i, "series")

    # --- lookups ---

    @property
    def id(self) -> str:
        return self.plan.id

    @cached_property
    def indicator_by_id(self) -> dict[str, Indicator]:
        return {ind.id: ind for goal in self.goals for ind in goal.indicators}

    def indicators(self) -> list[Indicator]:
        """Every indicator of every goal, in file order."""
        return list(self.indicator_by_id.values())

    def goal(self, goal_id: str) -> Goal:
        """The goal ``goal_id``; KeyError if there is none."""
        for goal in self.goals:
            if goal.id == goal_id:
                return goal
        raise KeyError(goal_id)

    def goal_of(self, indicator_id: str) -> Goal:
        """The goal the indicator ``indicator_id`` belongs to."""
        for goal in self.goals:
            if any(ind.id == indicator_id for ind in goal.indicators):
                return goal
        raise KeyError(indicator_id)

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator ``indicator_id``; KeyError if there is none."""
        return self.indicator_by_id[indicator_id]

    def task(self, number: int) -> Task:
        """Task ``number`` (1-based); KeyError if there is none."""
        if 1 <= number <= len(self.tasks):
            return self.tasks[number - 1]
        raise KeyError(number)

    def area(self, area_id: str) -> Area:
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)

    def series_by_id(self, series_id: str) -> Series:
        for s in self.series:
            if s.id == series_id:
                return s
        raise KeyError(series_id)

    def observations(self, indicator_id: str, series_id: str | None = None) -> list[Observation]:
        """The reference observations of an indicator, optionally of one series only, in file order."""
        return [o for o in self.reference_observations
                if o.indicator == indicator_id and (series_id is None or o.series == series_id)]


def _unique(ids: list[str], *path: int | str) -> None:
    for i, item_id in enumerate(ids):
        if ids.index(item_id) != i:
            raise LocatedError(f"id {item_id!r} appears twice", *path, i, "id")


def load_plan_file(path: Path) -> PlanFile:
    """Parse and validate one plan file; problems are a RulesError reading ``path:line: message``."""
    return load_rules_file(path, PlanFile)


def load_plan_text(text: str, name: str) -> PlanFile:
    """Parse and validate an uploaded plan; errors read ``name:line: message`` as for a file.

    The text goes through :func:`~wangan.kernel.rules.load_rules_file` (via a private temporary file) so
    uploads and shipped files are checked by exactly the same code."""
    with tempfile.TemporaryDirectory(prefix="wangan-plan-") as folder:
        path = Path(folder) / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return load_plan_file(path)
        except RulesError as exc:
            raise RulesError(str(exc).replace(str(path), name)) from None


def default_plans_dir() -> Path:
    """The repository's ``rules/plans`` folder."""
    return PLANS_DIR


def load_shipped_plans(rules_dir: Path) -> list[PlanFile]:
    """Every ``*.yaml`` in ``rules_dir/plans``, by file name; two files with the same plan id are an error."""
    plans: list[PlanFile] = []
    seen: dict[str, Path] = {}
    for path in sorted((rules_dir / "plans").glob("*.yaml")):
        plan = load_plan_file(path)
        if plan.id in seen:
            raise RulesError(f"{path}:1: plan id {plan.id!r} is also used by {seen[plan.id]}")
        seen[plan.id] = path
        plans.append(plan)
    return plans
