"""Schema of ``rules/cybersecurity-review.yaml``: versions of the Measures, working-day clocks, the
review lifecycle, dossier slots, risk factors, product categories, supplier commitments, the listing
trigger and the listing venues."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from wangan.kernel.rules import LocatedError, RuleModel, load_rules_file

RULES_FILE = "cybersecurity-review.yaml"
# Where ``Settings.resolved_rules_dir`` points by default: ``rules/`` at the repository root.
DEFAULT_RULES_DIR = Path(__file__).resolve().parents[3] / "rules"

# Guards the code knows how to evaluate (``reviews.cases.GUARDS``); any other name is refused at start.
KNOWN_GUARDS = frozenset({"dossier_complete", "no_open_pause", "initial_not_extended"})
# Every clock the code refers to must be defined in the file.
REQUIRED_CLOCKS = ("REV-DETERMINE", "REV-INITIAL", "REV-INITIAL-EXT", "REV-CONSULT", "REV-SPECIAL",
                   "REV-SPECIAL-EXT")
Status = Literal["confirmed", "interpreted"]
Kind = Literal["procurement", "listing", "ex_officio"]
KINDS: tuple[Kind, ...] = ("procurement", "listing", "ex_officio")
# What the code cites by topic (``MeasuresVersion.articles``); "listing" only where the trigger exists.
ARTICLE_TOPICS = ("scope", "prejudgment", "commitments", "listing", "materials", "risk_factors", "supplement",
                  "ex_officio", "supervision", "categories")
ConclusionId = Literal["passed", "not_passed", "not_required"]
Region = Literal["mainland", "hong_kong", "abroad"]


class MeasuresVersion(RuleModel):
    """One text of the Measures, in force from ``in_force_from`` until the next one."""

    id: str = Field(pattern=r"^MEASURES-[0-9]{4}$")
    title_zh: str
    title_en: str
    source: str
    in_force_from: date
    issuers: int = Field(gt=0)
    scope: list[Kind] = Field(min_length=1)
    listing_trigger: bool
    # Where each topic sits in this text, so answers cite the right article of the right version.
    articles: dict[str, str]
    articles_status: Status
    status: Status
    note: str = ""

    @model_validator(mode="after")
    def _articles(self) -> MeasuresVersion:
        for topic in self.articles:
            if topic not in ARTICLE_TOPICS:
                raise LocatedError(f"unknown article topic {topic!r}; known: {', '.join(ARTICLE_TOPICS)}",
                                   "articles", topic)
        needed = [t for t in ARTICLE_TOPICS if t != "listing" or self.listing_trigger]
        missing = [t for t in needed if t not in self.articles]
        if missing:
            raise LocatedError(f"articles missing: {', '.join(missing)}", "articles")
        if "listing" in self.articles and not self.listing_trigger:
            raise LocatedError("a version without the listing trigger has no listing article", "articles", "listing")
        return self

    def article(self, topic: str) -> str:
        return self.articles[topic]


class ClockLength(RuleModel):
    """A clock's number of working days under one version; none for an extension whose length the
    Review Office's notice sets."""

    length: int | None = Field(default=None, gt=0)
    article: str
    status: Status
    note: str = ""


class ClockRule(RuleModel):
    """A statutory clock in PRC working days."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]+$")
    article: str
    title_zh: str
    title_en: str
    starts_at: str
    unit: Literal["working_days"]
    status: Status
    note: str = ""
    lengths: dict[str, ClockLength]
    extends: str | None = None  # an extension adds its working days to this clock
    max_extensions: int | None = Field(default=None, gt=0)  # None: no cap

    def length_under(self, measures_id: str) -> ClockLength:
        return self.lengths[measures_id]


class Reminders(RuleModel):
    lead_working_days: list[int] = Field(min_length=1)
    status: Status
    note: str = ""

    @model_validator(mode="after")
    def _positive(self) -> Reminders:
        for i, lead in enumerate(self.lead_working_days):
            if lead < 0:
                raise LocatedError("a lead time is a number of working days, 0 or more", "lead_working_days", i)
        return self


class StateDef(RuleModel):
    id: str
    label_zh: str
    label_en: str
    open: bool
    clock: str | None = None


class TransitionDef(RuleModel):
    """A move of the lifecycle. ``automatic`` ones happen by themselves (the dossier becoming
    complete); ``conclusion`` ones end the review and are for managers; ``extends`` ones are
    self-loops that add an extension clock's working days to the running clock."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]+$")
    from_: list[str] = Field(alias="from", min_length=1)
    to: str
    label_zh: str
    label_en: str
    article: str
    guards: list[str] = Field(default_factory=list)
    automatic: bool = False
    conclusion: ConclusionId | None = None
    extends: str | None = None


class Lifecycle(RuleModel):
    entry: dict[Kind, str]
    states: list[StateDef] = Field(min_length=2)
    transitions: list[TransitionDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Lifecycle:
        from wangan.reviews.models import ReviewState

        known = {s.value for s in ReviewState}
        ids = [s.id for s in self.states]
        for i, sid in enumerate(ids):
            if sid not in known:
                raise LocatedError(f"state {sid!r} is not a review state the code knows ({sorted(known)})",
                                   "states", i)
        missing = [s for s in sorted(known) if s not in ids]
        if missing:
            raise LocatedError(f"states missing: {', '.join(missing)}", "states")
        for kind in KINDS:
            if kind not in self.entry:
                raise LocatedError(f"no entry state for {kind} cases", "entry")
            if self.entry[kind] not in ids:
                raise LocatedError(f"entry state {self.entry[kind]!r} is not among the states", "entry", kind)
        seen: set[str] = set()
        for i, t in enumerate(self.transitions):
            if t.id in seen:
                raise LocatedError(f"transition id {t.id!r} appears twice", "transitions", i)
            seen.add(t.id)
            for s in [*t.from_, t.to]:
                if s not in ids:
                    raise LocatedError(f"transition {t.id!r} names unknown state {s!r}", "transitions", i)
            for g in t.guards:
                if g not in KNOWN_GUARDS:
                    raise LocatedError(f"transition {t.id!r} names unknown guard {g!r}; known: "
                                       f"{sorted(KNOWN_GUARDS)}", "transitions", i)
            if t.extends is not None and t.from_ != [t.to]:
                raise LocatedError(f"transition {t.id!r} extends a clock, so it must lead from its state back to it",
                                   "transitions", i)
        return self


class DossierSlot(RuleModel):
    """One kind of Art. 8 material."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]+$")
    article: str
    label_zh: str
    label_en: str
    kinds: list[Kind] = Field(min_length=1)
    required_for: list[Kind] = Field(default_factory=list)
    status: Status
    note: str = ""

    @model_validator(mode="after")
    def _required_where_it_exists(self) -> DossierSlot:
        for i, kind in enumerate(self.required_for):
            if kind not in self.kinds:
                raise LocatedError(f"slot {self.id!r} is required for {kind} cases but does not exist for them",
                                   "required_for", i)
        return self


class RiskFactor(RuleModel):
    """One Art. 10 factor: which kinds of review weigh it, and under which texts."""

    id: str = Field(pattern=r"^RF-[0-9]+$")
    article: str
    title_zh: str
    title_en: str
    applies_to: list[Literal["procurement", "listing"]] = Field(min_length=1)
    measures: list[str] = Field(min_length=1)
    status: Status
    note: str = ""


class ProductCategory(RuleModel):
    """An Art. 21 category of network products and services."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]+$")
    label_zh: str
    label_en: str
    article: str
    measures: list[str] = Field(min_length=1)
    status: Status
    note: str = ""


class CommitmentClause(RuleModel):
    """An Art. 6 supplier commitment."""

    id: str = Field(pattern=r"^SC-[A-Z-]+$")
    article: str
    label_zh: str
    label_en: str
    status: Status
    note: str = ""


class ListingTrigger(RuleModel):
    article: str
    user_threshold: int = Field(gt=0)
    comparison: Literal["strictly_greater"]
    status: Status
    note: str = ""


class ListingVenue(RuleModel):
    """A stock exchange the screening recognises, and where it is for Art. 7."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]+$")
    names: list[str] = Field(min_length=1)
    region: Region
    status: Status
    note: str = ""


class ReviewRules(RuleModel):
    """The whole rules file for the Measures."""

    id: str
    version: int = Field(ge=1)
    title_zh: str
    title_en: str
    measures_versions: list[MeasuresVersion] = Field(min_length=1)
    clocks: list[ClockRule]
    reminders: Reminders
    case_lifecycle: Lifecycle
    dossier_slots: list[DossierSlot] = Field(min_length=1)
    risk_factors: list[RiskFactor] = Field(min_length=1)
    product_categories: list[ProductCategory] = Field(min_length=1)
    supplier_commitments: list[CommitmentClause] = Field(min_length=1)
    listing_trigger: ListingTrigger
    listing_venues: list[ListingVenue] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ReviewRules:
        versions = [v.id for v in self.measures_versions]
        starts = [v.in_force_from for v in self.measures_versions]
        if len(set(versions)) != len(versions):
            raise LocatedError("measures version ids must be unique", "measures_versions")
        if len(set(starts)) != len(starts):
            raise LocatedError("two versions of the Measures cannot come into force on the same day",
                               "measures_versions")
        clock_ids = [c.id for c in self.clocks]
        if len(set(clock_ids)) != len(clock_ids):
            raise LocatedError("clock ids must be unique", "clocks")
        missing = [c for c in REQUIRED_CLOCKS if c not in clock_ids]
        if missing:
            raise LocatedError(f"clocks missing: {', '.join(missing)}", "clocks")
        for i, clock in enumerate(self.clocks):
            for version in versions:
                if version not in clock.lengths:
                    raise LocatedError(f"clock {clock.id} gives no length under {version}", "clocks", i, "lengths")
            for version, length in clock.lengths.items():
                if version not in versions:
                    raise LocatedError(f"clock {clock.id} names unknown version {version!r}", "clocks", i, "lengths")
                if length.length is None and clock.extends is None:
                    raise LocatedError(f"clock {clock.id} needs a length under {version}: only extensions may "
                                       "leave it to the Office's notice", "clocks", i, "lengths", version)
            if clock.extends is not None and clock.extends not in clock_ids:
                raise LocatedError(f"clock {clock.id} extends unknown clock {clock.extends!r}", "clocks", i, "extends")
        self._check_lifecycle(clock_ids)
        self._check_lists(versions)
        return self

    def _check_lifecycle(self, clock_ids: list[str]) -> None:
        by_id = {c.id: c for c in self.clocks}
        for i, state in enumerate(self.case_lifecycle.states):
            if state.clock is not None and (state.clock not in by_id or by_id[state.clock].extends is not None):
                raise LocatedError(f"state {state.id!r} runs {state.clock!r}, which is not a main clock",
                                   "case_lifecycle", "states", i)
        states = {s.id: s for s in self.case_lifecycle.states}
        for i, t in enumerate(self.case_lifecycle.transitions):
            if t.extends is not None:
                ext = by_id.get(t.extends)
                if ext is None or ext.extends is None or ext.extends != states[t.to].clock:
                    raise LocatedError(f"transition {t.id!r} must name the extension of the clock its state runs",
                                       "case_lifecycle", "transitions", i)
            if t.conclusion is not None and states[t.to].open:
                raise LocatedError(f"transition {t.id!r} concludes the review, so it must lead to a closed state",
                                   "case_lifecycle", "transitions", i)

    def _check_lists(self, versions: list[str]) -> None:
        id_lists: dict[str, list[str]] = {
            "dossier_slots": [x.id for x in self.dossier_slots], "risk_factors": [x.id for x in self.risk_factors],
            "product_categories": [x.id for x in self.product_categories],
            "supplier_commitments": [x.id for x in self.supplier_commitments],
            "listing_venues": [x.id for x in self.listing_venues],
        }
        for field, ids in id_lists.items():
            for i, item_id in enumerate(ids):
                if ids.index(item_id) != i:
                    raise LocatedError(f"id {item_id!r} appears twice", field, i)
        versioned: dict[str, list[tuple[str, list[str]]]] = {
            "risk_factors": [(x.id, x.measures) for x in self.risk_factors],
            "product_categories": [(x.id, x.measures) for x in self.product_categories],
        }
        for field, entries in versioned.items():
            for i, (item_id, measures) in enumerate(entries):
                for version in measures:
                    if version not in versions:
                        raise LocatedError(f"{item_id} names unknown version {version!r}", field, i, "measures")
        seen: dict[str, str] = {}
        for i, venue in enumerate(self.listing_venues):
            for name in [venue.id, *venue.names]:
                key = venue_key(name)
                if key in seen and seen[key] != venue.id:
                    raise LocatedError(f"venue name {name!r} is used by {seen[key]} as well", "listing_venues", i)
                seen[key] = venue.id

    # --- lookups ---

    @cached_property
    def clock_by_id(self) -> dict[str, ClockRule]:
        return {c.id: c for c in self.clocks}

    def clock(self, clock_id: str) -> ClockRule:
        return self.clock_by_id[clock_id]

    @cached_property
    def transition_by_id(self) -> dict[str, TransitionDef]:
        return {t.id: t for t in self.case_lifecycle.transitions}

    @cached_property
    def state_by_id(self) -> dict[str, StateDef]:
        return {s.id: s for s in self.case_lifecycle.states}

    def open_states(self) -> list[str]:
        return [s.id for s in self.case_lifecycle.states if s.open]

    @cached_property
    def measures_by_id(self) -> dict[str, MeasuresVersion]:
        return {v.id: v for v in self.measures_versions}

    @cached_property
    def first_in_force(self) -> date:
        return min(v.in_force_from for v in self.measures_versions)

    def measures_on(self, day: date) -> MeasuresVersion | None:
        """The version in force on ``day``, or None before the first Measures existed."""
        in_force = [v for v in self.measures_versions if v.in_force_from <= day]
        return max(in_force, key=lambda v: v.in_force_from) if in_force else None

    @cached_property
    def slot_by_id(self) -> dict[str, DossierSlot]:
        return {s.id: s for s in self.dossier_slots}

    def slots_for(self, kind: str) -> list[DossierSlot]:
        return [s for s in self.dossier_slots if kind in s.kinds]

    def required_slots(self, kind: str) -> list[DossierSlot]:
        return [s for s in self.dossier_slots if kind in s.required_for]

    @cached_property
    def factor_by_id(self) -> dict[str, RiskFactor]:
        return {f.id: f for f in self.risk_factors}

    def factors_for(self, kind: str, measures_id: str) -> list[RiskFactor]:
        """The factors weighed in a review of ``kind`` under a version. An ex officio review may be
        about either a procurement or a listing, so it weighs them all."""
        return [f for f in self.risk_factors if measures_id in f.measures
                and (kind == "ex_officio" or kind in f.applies_to)]

    @cached_property
    def category_by_id(self) -> dict[str, ProductCategory]:
        return {c.id: c for c in self.product_categories}

    @cached_property
    def clause_by_id(self) -> dict[str, CommitmentClause]:
        return {c.id: c for c in self.supplier_commitments}

    @cached_property
    def venue_by_key(self) -> dict[str, ListingVenue]:
        """Every id and name of every venue, normalised (``venue_key``)."""
        return {venue_key(name): v for v in self.listing_venues for name in [v.id, *v.names]}

    def venue(self, text: str) -> ListingVenue | None:
        return self.venue_by_key.get(venue_key(text))


def venue_key(text: str) -> str:
    """How venue names are compared: case, spacing and punctuation do not matter."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def load_review_rules(rules_dir: Path) -> ReviewRules:
    return load_rules_file(rules_dir / RULES_FILE, ReviewRules)


def default_review_rules() -> ReviewRules:
    """The rules file in the repository's ``rules/`` folder (``build_runtime`` loads the configured one)."""
    return load_review_rules(DEFAULT_RULES_DIR)
