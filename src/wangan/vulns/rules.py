"""Schema of ``rules/vuln-provisions-2021.yaml``: clocks, NVDB packet fields, case lifecycle."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from wangan.kernel.rules import LocatedError, RuleModel, load_rules_file

RULES_FILE = "vuln-provisions-2021.yaml"

# Guards the code knows how to evaluate; a rules file naming any other is refused at start.
KNOWN_GUARDS = frozenset(
    {
        "verification_recorded",
        "severity_assessed",
        "impact_scope_recorded",
        "nvdb_submission_recorded",
        "upstream_notified_if_component",
        "fix_recorded",
        "downstream_notice_recorded",
        "no_user_action_required",
    }
)
# Every clock the code starts must be defined in the file.
REQUIRED_CLOCKS = ("VULN-NVDB-REPORT", "VULN-INTAKE-RETENTION", "OPS-VERIFY", "OPS-FIX", "PLATFORM-FORWARD")
KNOWN_PACKET_FIELDS = frozenset(
    {"product_name", "product_model", "product_version", "technical_characteristics", "harm",
     "impact_scope", "provider_name", "provider_contact", "cwe", "cvss", "affected_versions",
     "fix_description", "title", "description"}
)

Status = Literal["confirmed", "interpreted"]


class ClockRule(RuleModel):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]+$")
    article: str
    title_zh: str
    title_en: str
    starts_at: str
    length: int = Field(gt=0)
    unit: Literal["hours", "calendar_days", "calendar_months"]
    status: Status
    note: str = ""


class PacketField(RuleModel):
    id: str
    label_zh: str
    label_en: str
    status: Status


class NvdbPacket(RuleModel):
    article: str
    note: str = ""
    fields: list[PacketField] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_fields(self) -> NvdbPacket:
        for i, f in enumerate(self.fields):
            if f.id not in KNOWN_PACKET_FIELDS:
                raise LocatedError(f"unknown packet field {f.id!r}; known: {sorted(KNOWN_PACKET_FIELDS)}",
                                   "fields", i)
        return self


class StateDef(RuleModel):
    id: str
    label_zh: str
    label_en: str
    open: bool


class TransitionDef(RuleModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]+$")
    from_: list[str] = Field(alias="from", min_length=1)
    to: str
    label_zh: str
    label_en: str
    guards: list[str] = Field(default_factory=list)


class Lifecycle(RuleModel):
    initial: str
    states: list[StateDef] = Field(min_length=2)
    transitions: list[TransitionDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Lifecycle:
        from wangan.vulns.models import CaseState

        known = {s.value for s in CaseState}
        ids = [s.id for s in self.states]
        for i, sid in enumerate(ids):
            if sid not in known:
                raise LocatedError(f"state {sid!r} is not a case state the code knows ({sorted(known)})",
                                   "states", i)
        if self.initial not in ids:
            raise LocatedError(f"initial state {self.initial!r} is not among the states", "initial")
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
                    raise LocatedError(f"transition {t.id!r} names unknown guard {g!r}", "transitions", i)
        return self


class VulnRules(RuleModel):
    """The whole rules file for the Provisions."""

    id: str
    version: int = Field(ge=1)
    title_zh: str
    title_en: str
    source: str
    effective_from: date
    clocks: list[ClockRule]
    nvdb_packet: NvdbPacket
    case_lifecycle: Lifecycle

    @model_validator(mode="after")
    def _required_clocks(self) -> VulnRules:
        ids = [c.id for c in self.clocks]
        if len(ids) != len(set(ids)):
            raise LocatedError("clock ids must be unique", "clocks")
        missing = [c for c in REQUIRED_CLOCKS if c not in ids]
        if missing:
            raise LocatedError(f"clocks missing: {', '.join(missing)}", "clocks")
        return self

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


def load_vuln_rules(rules_dir: Path) -> VulnRules:
    return load_rules_file(rules_dir / RULES_FILE, VulnRules)
