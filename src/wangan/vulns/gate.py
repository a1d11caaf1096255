"""The one publication and egress gate of Art. 9 (rules PUB-1 … PUB-8).

Every way vulnerability content leaves wangan — the public portal, feeds and exports, and every
transfer to someone outside the case (webhook, e-mail, sharing with another organisation, an API
read by an outside principal, an export to a named recipient) — asks :func:`decide` first and
obeys the :class:`Decision`. The gate is a pure function over plain values: no database, no I/O,
no clock (the caller passes the time), so that it is cheap enough to sit on every path (tens of
thousands of decisions per second) and easy to test exhaustively.

What the rules say lives in ``rules/publication-gate-2021.yaml`` (rule ids, which channel groups
each rule applies to, reason templates, severity claim words, exploit heuristics); what the code
knows is how to evaluate each rule id. :func:`load_gate_rules` validates the file and compiles
everything once into :class:`GateRules`.

The gate fails closed: a request it cannot judge (an unknown channel, a time without a zone, a
transfer without a recipient, a broken event window) is denied with a reason naming what is
missing, never answered with an exception.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import Field, field_validator, model_validator

from wangan.kernel.calendar import BEIJING
from wangan.kernel.rules import LocatedError, RuleModel, load_rules_file

RULES_FILE = "publication-gate-2021.yaml"

# --------------------------------------------------------------------------- plain values


class ChannelGroup(StrEnum):
    """``publication`` reaches everyone; ``transfer`` reaches one named recipient."""

    PUBLICATION = "publication"
    TRANSFER = "transfer"


class Channel(StrEnum):
    """Every way vulnerability content can leave wangan."""

    PORTAL = "portal"
    FEED = "feed"
    EXPORT_PUBLIC = "export_public"
    WEBHOOK = "webhook"
    EMAIL = "email"
    SHARE = "share"
    API_READ = "api_read"
    EXPORT_RECIPIENT = "export_recipient"

    @property
    def group(self) -> ChannelGroup:
        return _GROUP_OF[self]


_GROUP_OF: Final[dict[Channel, ChannelGroup]] = {
    Channel.PORTAL: ChannelGroup.PUBLICATION,
    Channel.FEED: ChannelGroup.PUBLICATION,
    Channel.EXPORT_PUBLIC: ChannelGroup.PUBLICATION,
    Channel.WEBHOOK: ChannelGroup.TRANSFER,
    Channel.EMAIL: ChannelGroup.TRANSFER,
    Channel.SHARE: ChannelGroup.TRANSFER,
    Channel.API_READ: ChannelGroup.TRANSFER,
    Channel.EXPORT_RECIPIENT: ChannelGroup.TRANSFER,
}
# A StrEnum member hashes and compares like its value, so this also finds a plain string.
_CHANNEL_BY_NAME: Final[dict[str, Channel]] = {c.value: c for c in Channel}
# What an event window's scope may name.
_SCOPE_NAMES: Final[frozenset[str]] = frozenset({"all", *_CHANNEL_BY_NAME})


class AttachmentKind(StrEnum):
    PATCH = "patch"
    POC = "poc"
    EXPLOIT = "exploit"
    DOCUMENT = "document"


class Outcome(StrEnum):
    """Ordered allow < hold < deny; a decision takes the worst of its rule results."""

    ALLOW = "allow"
    HOLD = "hold"  # a human must look first (an attachment that looks like exploit code)
    DENY = "deny"


_RANK: Final[dict[Outcome, int]] = {Outcome.ALLOW: 0, Outcome.HOLD: 1, Outcome.DENY: 2}
_BY_RANK: Final[tuple[Outcome, Outcome, Outcome]] = (Outcome.ALLOW, Outcome.HOLD, Outcome.DENY)

Jurisdiction = Literal["domestic", "overseas"]


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a transfer goes to. ``jurisdiction=None`` means unknown and is treated as overseas."""

    label: str
    jurisdiction: Jurisdiction | None
    is_product_provider: bool = False
    # A CERT abroad (e.g. one receiving reports under the EU CRA) is flagged for legal sign-off
    # rather than decided (spec: PUB-7 states no exception); ``legal_signoff`` names the sign-off.
    is_cert: bool = False
    legal_signoff: str = ""


@dataclass(frozen=True, slots=True)
class GateAttachment:
    """A file that would go out with the content; ``sample`` is the first KB of it.

    ``human_cleared`` records that a person decided a held attachment is not exploit code; it
    releases a heuristic hold only, never an attachment declared as an exploit."""

    filename: str
    kind: AttachmentKind
    sample: bytes = b""
    human_cleared: bool = False


@dataclass(frozen=True, slots=True)
class EarlyRelease:
    """The record that allows publication before a fix exists (PUB-1): all three steps, each dated
    no later than the publication."""

    joint_assessment_at: datetime | None = None
    reported_to_miit_mps_at: datetime | None = None
    evaluation_result: str | None = None
    evaluated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EventWindow:
    """A major event held by the State (PUB-6), ``[starts_at, ends_at)``, aware datetimes (admins
    enter Beijing time). ``scope`` holds channel names or ``"all"``."""

    id: str
    name: str
    starts_at: datetime
    ends_at: datetime
    scope: tuple[str, ...] = ("all",)
    consent_reference: str | None = None
    consent_date: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Content:
    """What would leave. The facts the rules turn on are required arguments on purpose: a caller
    that forgets ``in_operator_system`` must not pass PUB-2 by default."""

    title: str
    text: str
    computed_severity: str | None  # from CVSS: None/Low/Medium/High/Critical; None = not assessed
    fix_available: bool
    fix_or_mitigation: str
    in_operator_system: bool
    disclosed: bool  # already public
    attachments: tuple[GateAttachment, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GateRequest:
    """One question to the gate: may ``content`` leave through ``channel`` to ``recipient`` at ``at``?"""

    channel: Channel
    content: Content
    at: datetime
    recipient: Recipient | None = None  # None for public channels
    early_release: EarlyRelease | None = None
    windows: tuple[EventWindow, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleResult:
    """The verdict of one rule; ``missing`` names what to record for the rule to pass."""

    rule_id: str
    outcome: Outcome
    reason_zh: str
    reason_en: str
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "outcome": self.outcome.value, "reason_zh": self.reason_zh,
                "reason_en": self.reason_en, "missing": list(self.missing)}


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's answer: the worst outcome over every evaluated rule, with each rule's result."""

    outcome: Outcome
    results: tuple[RuleResult, ...]
    channel: str
    at: datetime | None
    rules_id: str
    rules_version: int

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOW

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Ids of the rules that did not allow, in rule order."""
        return tuple(r.rule_id for r in self.results if r.outcome is not Outcome.ALLOW)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form for the API and the audit log."""
        return {
            "outcome": self.outcome.value,
            "allowed": self.allowed,
            "channel": self.channel,
            "at": self.at.isoformat() if self.at is not None else None,
            "rules": {"id": self.rules_id, "version": self.rules_version},
            "rule_ids": list(self.rule_ids),
            "results": [r.to_dict() for r in self.results],
        }


# --------------------------------------------------------------------------- rules-file schema

Status = Literal["confirmed", "interpreted"]
Level = Literal["low", "medium", "high", "critical"]
INPUT_RULE_ID = "GATE-INPUT"
INFORMATIONAL_RULES: Final = frozenset({"PUB-8"})

# The reason situations the code produces for each rule, with the placeholders it fills in for
# each. The rules file must give a template for every one and may use no other placeholder.
_NONE: Final[frozenset[str]] = frozenset()
REASONS: Final[dict[str, dict[Outcome, dict[str, frozenset[str]]]]] = {
    "PUB-1": {
        Outcome.ALLOW: {"fix_available": _NONE, "early_release_complete": frozenset({"evaluated_at", "result"})},
        Outcome.DENY: {"no_fix": _NONE, "early_release_incomplete": frozenset({"missing"})},
    },
    "PUB-2": {
        Outcome.ALLOW: {"not_operator_system": _NONE},
        Outcome.DENY: {"operator_system": _NONE},
    },
    "PUB-3": {
        Outcome.ALLOW: {"no_claim": _NONE, "claim_within": frozenset({"word", "claimed", "computed"})},
        Outcome.DENY: {"exaggerated": frozenset({"word", "claimed", "computed"}),
                       "not_assessed": frozenset({"word", "claimed"}),
                       "unknown_severity": frozenset({"value"})},
    },
    "PUB-4": {
        Outcome.ALLOW: {"no_exploit": _NONE},
        Outcome.DENY: {"exploit_attached": frozenset({"files"})},
        Outcome.HOLD: {"looks_like_exploit": frozenset({"findings"})},
    },
    "PUB-5": {
        Outcome.ALLOW: {"fix_included": _NONE},
        Outcome.DENY: {"no_fix_text": _NONE},
    },
    "PUB-6": {
        Outcome.ALLOW: {"outside_windows": _NONE,
                        "consent_recorded": frozenset({"window", "reference", "date"})},
        Outcome.DENY: {"no_consent": frozenset({"window", "starts", "ends"}),
                       "window_naive": frozenset({"window"}),
                       "window_inverted": frozenset({"window"}),
                       "window_scope": frozenset({"window", "entry"})},
    },
    "PUB-7": {
        Outcome.ALLOW: {"public_channel": _NONE, "disclosed": _NONE,
                        "product_provider": frozenset({"recipient"}), "domestic": frozenset({"recipient"}),
                        "cert_signed_off": frozenset({"recipient", "reference"})},
        Outcome.DENY: {"overseas": frozenset({"recipient"}), "unknown_jurisdiction": frozenset({"recipient"}),
                       "no_recipient": frozenset({"channel"})},
        Outcome.HOLD: {"foreign_cert": frozenset({"recipient"})},
    },
}
INPUT_REASONS: Final[dict[str, frozenset[str]]] = {
    "unknown_channel": frozenset({"channel"}),
    "no_content": _NONE,
    "naive_at": _NONE,
}
KNOWN_RULES: Final = frozenset(REASONS) | INFORMATIONAL_RULES


def _placeholders(template: str) -> set[str]:
    """The ``{names}`` a template uses; a malformed template raises ``ValueError``."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


class Template(RuleModel):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @field_validator("zh", "en")
    @classmethod
    def _well_formed(cls, value: str) -> str:
        _placeholders(value)  # unbalanced braces are reported at this line
        return value


class RuleDef(RuleModel):
    id: str = Field(pattern=r"^PUB-[0-9]+$")
    article: str
    title_zh: str
    title_en: str
    status: Status
    note: str = ""
    informational: bool = False  # listed, never evaluated
    applies_to: list[ChannelGroup]
    allow: dict[str, Template] = Field(default_factory=dict)
    deny: dict[str, Template] = Field(default_factory=dict)
    hold: dict[str, Template] = Field(default_factory=dict)

    def templates(self, outcome: Outcome) -> dict[str, Template]:
        return {Outcome.ALLOW: self.allow, Outcome.DENY: self.deny, Outcome.HOLD: self.hold}[outcome]


class InputDef(RuleModel):
    id: Literal["GATE-INPUT"]
    deny: dict[str, Template]


class Labels(RuleModel):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class LevelLabels(RuleModel):
    none: Labels
    low: Labels
    medium: Labels
    high: Labels
    critical: Labels


class Words(RuleModel):
    zh: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)

    @field_validator("zh", "en")
    @classmethod
    def _not_blank(cls, value: list[str]) -> list[str]:
        for word in value:
            if not word.strip():
                raise ValueError("a claim word may not be blank")
        return value


class ClaimWords(RuleModel):
    critical: Words
    high: Words
    medium: Words
    low: Words


class SeverityClaims(RuleModel):
    rule: str
    level_labels: LevelLabels
    words: ClaimWords
    not_claims: Words = Field(default_factory=Words)

    @model_validator(mode="after")
    def _each_word_once(self) -> SeverityClaims:
        seen: dict[str, str] = {}
        sections: list[tuple[tuple[str, ...], str, Words]] = [(("not_claims",), "not a claim", self.not_claims)]
        sections += [(("words", level), level, getattr(self.words, level)) for level in _CLAIM_LEVELS]
        for path, meaning, words in sections:
            for lang in ("zh", "en"):
                for i, word in enumerate(getattr(words, lang)):
                    if lang == "en" and not word.isascii():
                        raise LocatedError(f"English claim word {word!r} has non-ASCII characters: list it under zh",
                                           *path, lang, i)
                    key = _normal_word(word)
                    if key in seen:
                        raise LocatedError(f"claim word {word!r} is listed as both {seen[key]} and {meaning}",
                                           *path, lang, i)
                    seen[key] = meaning
        return self


def _compile_bytes(pattern: str) -> re.Pattern[bytes]:
    # Patterns are written as text; \xNN escapes in them stand for bytes. Latin-1 maps each
    # character below 256 to the byte of the same value, so a literal byte written as such works too.
    try:
        compiled = re.compile(pattern.encode("latin-1"))
    except UnicodeEncodeError as exc:
        raise ValueError("a content pattern is a byte pattern: write characters above U+00FF as \\x escapes"
                         ) from exc
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from exc
    if compiled.search(b"") is not None:
        raise ValueError("the pattern matches empty content, so it would hold every attachment")
    return compiled


def _compile_text(pattern: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from exc
    if compiled.search("") is not None:
        raise ValueError("the pattern matches an empty file name, so it would hold every attachment")
    return compiled


class FilenamePattern(RuleModel):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]+$")
    label_zh: str
    label_en: str
    regex: str

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        _compile_text(value)
        return value


class ContentPattern(RuleModel):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]+$")
    label_zh: str
    label_en: str
    all_of: list[str] = Field(min_length=1)

    @field_validator("all_of")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for i, pattern in enumerate(value):
            try:
                _compile_bytes(pattern)
            except ValueError as exc:
                raise LocatedError(str(exc), i) from exc
        return value


class ExploitHeuristics(RuleModel):
    rule: str
    sample_bytes: int = Field(ge=64, le=65536)
    filename_patterns: list[FilenamePattern] = Field(default_factory=list)
    content_patterns: list[ContentPattern] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> ExploitHeuristics:
        seen: set[str] = set()
        for section in ("filename_patterns", "content_patterns"):
            for i, p in enumerate(getattr(self, section)):
                if p.id in seen:
                    raise LocatedError(f"pattern id {p.id!r} appears twice", section, i, "id")
                seen.add(p.id)
        return self


# Which rule uses which section; a section naming another rule is a mistake in the file.
_SECTION_RULE: Final = {"severity_claims": "PUB-3", "exploit_heuristics": "PUB-4"}


class GateRulesFile(RuleModel):
    """The whole of ``rules/publication-gate-2021.yaml``."""

    id: str
    version: int = Field(ge=1)
    title_zh: str
    title_en: str
    source: str
    effective_from: date
    input: InputDef
    rules: list[RuleDef] = Field(min_length=1)
    severity_claims: SeverityClaims
    exploit_heuristics: ExploitHeuristics

    @model_validator(mode="after")
    def _consistent(self) -> GateRulesFile:
        seen: set[str] = set()
        for i, rule in enumerate(self.rules):
            if rule.id not in KNOWN_RULES:
                raise LocatedError(f"unknown rule id {rule.id!r}; the gate knows {sorted(KNOWN_RULES)}",
                                   "rules", i, "id")
            if rule.id in seen:
                raise LocatedError(f"rule id {rule.id!r} appears twice", "rules", i, "id")
            seen.add(rule.id)
            _check_rule(rule, i)
        missing = sorted(KNOWN_RULES - seen)
        if missing:
            raise LocatedError(f"rules missing: {', '.join(missing)}", "rules")
        _check_templates(self.input.deny, INPUT_REASONS, ("input", "deny"), INPUT_RULE_ID, "deny")
        for section, owner in _SECTION_RULE.items():
            ref = getattr(self, section).rule
            if ref not in KNOWN_RULES:
                raise LocatedError(f"unknown rule id {ref!r} in a reference; the gate knows {sorted(KNOWN_RULES)}",
                                   section, "rule")
            if ref != owner:
                raise LocatedError(f"{section} is used by {owner}, not {ref}", section, "rule")
        return self


def _check_rule(rule: RuleDef, index: int) -> None:
    where = ("rules", index)
    if rule.id in INFORMATIONAL_RULES or rule.informational:
        if rule.id not in INFORMATIONAL_RULES:
            raise LocatedError(f"{rule.id} is evaluated by the gate and cannot be informational",
                               *where, "informational")
        if not rule.informational:
            raise LocatedError(f"{rule.id} is never evaluated: mark it informational: true", *where, "id")
        if rule.applies_to or rule.allow or rule.deny or rule.hold:
            raise LocatedError(f"{rule.id} is informational: it applies to no channel and has no reasons",
                               *where, "applies_to")
        return
    if not rule.applies_to:
        raise LocatedError(f"{rule.id} must apply to at least one channel group", *where, "applies_to")
    wanted = REASONS[rule.id]
    for outcome in Outcome:
        section = outcome.value
        _check_templates(rule.templates(outcome), wanted.get(outcome, {}), (*where, section), rule.id, section)


def _check_templates(given: Mapping[str, Template], wanted: Mapping[str, frozenset[str]],
                     where: tuple[int | str, ...], owner: str, section: str) -> None:
    for key in given:
        if key not in wanted:
            known = ", ".join(sorted(wanted)) or "none"
            raise LocatedError(f"{owner} has no {section} reason {key!r} (known: {known})", *where, key)
    absent = [k for k in wanted if k not in given]
    if absent:
        raise LocatedError(f"{owner} needs {section} reasons for: {', '.join(absent)}", *where)
    for key, template in given.items():
        for lang in ("zh", "en"):
            unknown = _placeholders(getattr(template, lang)) - wanted[key]
            if unknown:
                allowed = ", ".join(sorted(wanted[key])) or "none"
                raise LocatedError(f"{owner} {section} reason {key!r} uses unknown placeholder(s) "
                                   f"{', '.join(sorted(unknown))} (allowed: {allowed})", *where, key, lang)


# --------------------------------------------------------------------------- compiled rules

# CVSS qualitative ratings (scoring.Score.severity) and claim levels on one scale.
_SEVERITY_RANK: Final[dict[str, int]] = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
_CLAIM_LEVELS: Final[tuple[Level, ...]] = ("critical", "high", "medium", "low")
# Claim words are compared in a normal form: lower case, and a single space wherever the text has
# a run of spaces, hyphens, underscores or colons ("High-Risk" and "high risk" are one phrase).
_GAP: Final = re.compile(r"[\s\-_:：]+")
_GAP_PATTERN: Final = r"[\s\-_:：]+"
# English words match as whole words: not next to an ASCII letter or digit. \b would not do,
# because Chinese characters are word characters and texts mix the two ("属于critical级别").
_ALNUM: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _normal_word(word: str) -> str:
    return " ".join(_GAP.split(word.strip().lower()))


def _trie_pattern(words: list[str]) -> str:
    """A regular expression matching any of ``words`` (in normal form), factored as a trie.

    A flat alternation of fifty words makes the engine try every word at every position (over
    100 µs for a 300-character text); the trie tries one branch per character (a few µs). Its
    optional tails are greedy, so at any position the longest word wins: "严重程度" over "严重",
    "critical infrastructure" over "critical"."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [(_GAP_PATTERN if char == " " else re.escape(char)) + emit(child)
                    for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here and longer ones go on
            body = (body if len(branches) > 1 else "(?:" + body + ")") + "?"
        return body

    return emit(trie) or "(?!)"


@dataclass(frozen=True, slots=True)
class _Claim:
    rank: int  # 1 (low) … 4 (critical); 0 for a phrase that is not a claim
    level: str
    english: bool  # matched as a whole word


class _ClaimScanner:
    """Finds the strongest severity claim in a text in one left-to-right pass."""

    def __init__(self, claims: SeverityClaims) -> None:
        self.lookup: dict[str, _Claim] = {}
        for word in claims.not_claims.zh + claims.not_claims.en:
            self.lookup[_normal_word(word)] = _Claim(0, "", word.isascii())
        for level in _CLAIM_LEVELS:
            words: Words = getattr(claims.words, level)
            for word in words.zh + words.en:
                self.lookup[_normal_word(word)] = _Claim(_SEVERITY_RANK[level], level, word.isascii())
        self.pattern = re.compile(_trie_pattern(sorted(self.lookup)))

    def strongest(self, text: str) -> tuple[int, str, str]:
        """(rank, word as written in lower case, level) of the strongest claim; rank 0 when none."""
        low = text.lower()  # lower-casing once is far cheaper than a case-insensitive pattern
        size = len(low)
        search, match, lookup = self.pattern.search, self.pattern.match, self.lookup
        best: tuple[int, str, str] = (0, "", "")
        pos = 0
        while True:
            found = search(low, pos)
            if found is None:
                return best
            start = found.start()
            claim: _Claim | None = None
            while found is not None:
                word = found.group()
                claim = lookup.get(word) or lookup.get(" ".join(_GAP.split(word)))
                end = found.end()
                if claim is not None and not (claim.english and (
                        (start and low[start - 1] in _ALNUM) or (end < size and low[end] in _ALNUM))):
                    break
                # Not a whole word ("criticality"): a shorter word may still start here.
                claim = None
                found = match(low, start, end - 1) if end - 1 > start else None
            if claim is None or found is None:
                pos = start + 1
                continue
            pos = found.end()
            if claim.rank > best[0]:
                best = (claim.rank, found.group(), claim.level)
                if claim.rank == 4:  # nothing claims more than critical
                    return best


@dataclass(frozen=True, slots=True)
class _Heuristic:
    id: str
    label_zh: str
    label_en: str
    text: re.Pattern[str] | None
    content: tuple[re.Pattern[bytes], ...]


Evaluator = Callable[["GateRules", GateRequest, Channel, Content, datetime], RuleResult]


class GateRules:
    """The validated rules file, compiled once: claim pattern, heuristics, the rules to run per
    channel and the results whose reasons have no placeholders (shared, never rebuilt)."""

    def __init__(self, file: GateRulesFile) -> None:
        self.file = file
        self.id = file.id
        self.version = file.version
        self._templates: dict[tuple[str, Outcome, str], Template] = {}
        self._static: dict[tuple[str, Outcome, str], RuleResult] = {}
        for rule in file.rules:
            for outcome in Outcome:
                for key, template in rule.templates(outcome).items():
                    self._add_template(rule.id, outcome, key, template)
        for key, template in file.input.deny.items():
            self._add_template(INPUT_RULE_ID, Outcome.DENY, key, template)

        self._claims = _ClaimScanner(file.severity_claims)
        labels = file.severity_claims.level_labels
        self._level_zh = {level: getattr(labels, level).zh for level in _SEVERITY_RANK}
        self._level_en = {level: getattr(labels, level).en for level in _SEVERITY_RANK}

        heuristics = file.exploit_heuristics
        self._sample_bytes = heuristics.sample_bytes
        self._heuristics = tuple(
            [_Heuristic(p.id, p.label_zh, p.label_en, _compile_text(p.regex), ())
             for p in heuristics.filename_patterns]
            + [_Heuristic(p.id, p.label_zh, p.label_en, None, tuple(_compile_bytes(x) for x in p.all_of))
               for p in heuristics.content_patterns])

        # The evaluators to run for each channel, in file order: a decision is one dict lookup
        # and a loop, not a walk over the rules asking which apply.
        self._plans: dict[Channel, tuple[tuple[str, Evaluator], ...]] = {
            channel: tuple((rule.id, _EVALUATORS[rule.id]) for rule in file.rules
                           if not rule.informational and channel.group in rule.applies_to)
            for channel in Channel
        }

    def _add_template(self, rule_id: str, outcome: Outcome, key: str, template: Template) -> None:
        self._templates[(rule_id, outcome, key)] = template
        if not _placeholders(template.zh) and not _placeholders(template.en):
            # format() also turns "{{" into "{", as it would for a template with placeholders.
            self._static[(rule_id, outcome, key)] = RuleResult(rule_id, outcome, template.zh.format(),
                                                               template.en.format())

    @cached_property
    def rule_by_id(self) -> dict[str, RuleDef]:
        return {r.id: r for r in self.file.rules}

    def rules_for(self, channel: Channel) -> tuple[str, ...]:
        """Ids of the rules evaluated for ``channel``, in order."""
        return tuple(rule_id for rule_id, _ in self._plans[channel])

    # ---- building results

    def _result(self, rule_id: str, outcome: Outcome, key: str, missing: tuple[str, ...] = (), /,
                **values: str) -> RuleResult:
        """The result for one reason situation; ``values`` fill the template's placeholders."""
        if not values and not missing:
            static = self._static.get((rule_id, outcome, key))
            if static is not None:
                return static
        template = self._templates[(rule_id, outcome, key)]
        return RuleResult(rule_id, outcome, template.zh.format(**values), template.en.format(**values), missing)

    def _levelled(self, rule_id: str, outcome: Outcome, key: str, *, word: str, claimed: str,
                  computed: str | None) -> RuleResult:
        """A PUB-3 result: the level names differ by language, so each template gets its own."""
        template = self._templates[(rule_id, outcome, key)]
        zh = {"word": word, "claimed": self._level_zh[claimed]}
        en = {"word": word, "claimed": self._level_en[claimed]}
        if computed is not None:
            zh["computed"] = self._level_zh[computed]
            en["computed"] = self._level_en[computed]
        return RuleResult(rule_id, outcome, template.zh.format(**zh), template.en.format(**en))

    def _input_denial(self, key: str, channel: str, at: datetime | None, missing: tuple[str, ...], /,
                      **values: str) -> Decision:
        result = self._result(INPUT_RULE_ID, Outcome.DENY, key, missing, **values)
        return Decision(Outcome.DENY, (result,), channel, at, self.id, self.version)

    # ---- the decision

    def decide(self, request: GateRequest) -> Decision:
        """See :func:`decide`."""
        raw_channel: object = getattr(request, "channel", None)
        channel = _CHANNEL_BY_NAME.get(raw_channel) if isinstance(raw_channel, str) else None
        raw_at: object = getattr(request, "at", None)
        at = raw_at if isinstance(raw_at, datetime) else None
        if channel is None:
            return self._input_denial("unknown_channel", str(raw_channel), at, ("channel",),
                                      channel=str(raw_channel))
        content = getattr(request, "content", None)
        if not isinstance(content, Content):
            return self._input_denial("no_content", channel.value, at, ("content",))
        if at is None or at.utcoffset() is None:
            return self._input_denial("naive_at", channel.value, None, ("at",))
        at_utc = at.astimezone(UTC)

        results: list[RuleResult] = []
        worst = 0
        for _rule_id, evaluate in self._plans[channel]:
            result = evaluate(self, request, channel, content, at_utc)
            results.append(result)
            rank = _RANK[result.outcome]
            if rank > worst:
                worst = rank
        return Decision(_BY_RANK[worst], tuple(results), channel.value, at, self.id, self.version)

    # ---- the rules

    def _pub1(self, request: GateRequest, channel: Channel, content: Content, at: datetime) -> RuleResult:
        """No publication before a fix, unless the early-release steps are all recorded, each no
        later than the publication (a step dated later has not happened yet)."""
        if content.fix_available:
            return self._result("PUB-1", Outcome.ALLOW, "fix_available")
        record = request.early_release
        if record is None:
            return self._result("PUB-1", Outcome.DENY, "no_fix", _EARLY_RELEASE_ITEMS)
        missing: list[str] = []
        if not _done_by(record.joint_assessment_at, at):
            missing.append("early_release.joint_assessment_at")
        if not _done_by(record.reported_to_miit_mps_at, at):
            missing.append("early_release.reported_to_miit_mps_at")
        result_text = record.evaluation_result
        if not isinstance(result_text, str) or not result_text.strip():
            missing.append("early_release.evaluation_result")
        if not _done_by(record.evaluated_at, at):
            missing.append("early_release.evaluated_at")
        if missing:
            return self._result("PUB-1", Outcome.DENY, "early_release_incomplete", tuple(missing),
                                missing=", ".join(missing))
        assert record.evaluated_at is not None and result_text is not None  # checked just above
        return self._result("PUB-1", Outcome.ALLOW, "early_release_complete",
                            evaluated_at=_beijing(record.evaluated_at), result=result_text.strip())

    def _pub2(self, request: GateRequest, channel: Channel, content: Content, at: datetime) -> RuleResult:
        if content.in_operator_system:
            return self._result("PUB-2", Outcome.DENY, "operator_system")
        return self._result("PUB-2", Outcome.ALLOW, "not_operator_system")

    def _pub3(self, request: GateRequest, channel: Channel, content: Content, at: datetime) -> RuleResult:
        """No severity claim above the CVSS assessment; no claim at all before one exists."""
        raw = content.computed_severity
        computed: str | None = None
        if raw is not None:
            computed = raw.strip().lower() if isinstance(raw, str) else ""
            if computed not in _SEVERITY_RANK:
                return self._result("PUB-3", Outcome.DENY, "unknown_severity", ("content.computed_severity",),
                                    value=str(raw))
        best_rank, best_word, best_level = 0, "", ""
        for text in (content.title, content.text):
            if isinstance(text, str) and text:
                rank, word, level = self._claims.strongest(text)
                if rank > best_rank:
                    best_rank, best_word, best_level = rank, word, level
                if best_rank == 4:
                    break
        if not best_word:
            return self._result("PUB-3", Outcome.ALLOW, "no_claim")
        if computed is None:
            return self._levelled("PUB-3", Outcome.DENY, "not_assessed", word=best_word, claimed=best_level,
                                  computed=None)
        if best_rank > _SEVERITY_RANK[computed]:
            return self._levelled("PUB-3", Outcome.DENY, "exaggerated", word=best_word, claimed=best_level,
                                  computed=computed)
        return self._levelled("PUB-3", Outcome.ALLOW, "claim_within", word=best_word, claimed=best_level,
                              computed=computed)

    def _pub4(self, request: GateRequest, channel: Channel, content: Content, at: datetime) -> RuleResult:
        """Exploits never leave; look-alikes wait for a human."""
        attachments = content.attachments
        if not attachments:
            return self._result("PUB-4", Outcome.ALLOW, "no_exploit")
        exploits: list[str] = []
        held: list[tuple[int, GateAttachment, _Heuristic]] = []
        for index, attachment in enumerate(attachments):
            if attachment.kind == AttachmentKind.EXPLOIT:
                exploits.append(str(attachment.filename))
            elif not attachment.human_cleared:
                hit = self._scan(attachment)
                if hit is not None:
                    held.append((index, attachment, hit))
        if exploits:
            return self._result("PUB-4", Outcome.DENY, "exploit_attached", files="、".join(exploits))
        if held:
            template = self._templates[("PUB-4", Outcome.HOLD, "looks_like_exploit")]
            zh = "；".join(f"{a.filename}（{h.id}：{h.label_zh}）" for _, a, h in held)
            en = "; ".join(f"{a.filename} ({h.id}: {h.label_en})" for _, a, h in held)
            missing = tuple(f"content.attachments[{i}].human_cleared" for i, _, _ in held)
            return RuleResult("PUB-4", Outcome.HOLD, template.zh.format(findings=zh),
                              template.en.format(findings=en), missing)
        return self._result("PUB-4", Outcome.ALLOW, "no_exploit")

    def _scan(self, attachment: GateAttachment) -> _Heuristic | None:
        """The first heuristic the attachment matches: its name, then the first KB of its content."""
        name = str(attachment.filename)
        sample = attachment.sample
        if not isinstance(sample, bytes | bytearray | memoryview):  # text passed by mistake: scan it anyway
            sample = str(sample).encode("utf-8", "surrogatepass")
        limit = self._sample_bytes  # search(…, endpos) scans the prefix without copying it
        for heuristic in self._heuristics:
            if heuristic.text is not None:
                if heuristic.text.search(name) is not None:
                    return heuristic
                continue
            for pattern in heuristic.content:
                if pattern.search(sample, 0, limit) is None:
                    break
            else:
                return heuristic
        return None

    def _pub5(self, request: GateRequest, channel: Channel, content: Content, at: datetime) -> RuleResult:
        text = content.fix_or_mitigation
        if isinstance(text, str) and text.strip():
            return self._result("PUB-5", Outcome.ALLOW, "fix_included")
        return self._result("PUB-5", Outcome.DENY, "no_fix_text", ("content.fix_or_mitigation",))

    def _pub6(self, request: GateRequest, channel: Channel, content: Content, at: datetime) -> RuleResult:
        """Inside a major-event window whose scope covers the channel, MPS consent must be recorded.

        ``at`` is already UTC; window bounds are converted to UTC too, because Python compares two
        datetimes that share a tzinfo object by wall time, ignoring their offsets."""
        windows = request.windows
        if not windows:
            return self._result("PUB-6", Outcome.ALLOW, "outside_windows")
        consented: RuleResult | None = None
        for window in windows:
            for entry in window.scope:
                if entry not in _SCOPE_NAMES:
                    return self._result("PUB-6", Outcome.DENY, "window_scope", (f"windows[{window.id}].scope",),
                                        window=window.name, entry=str(entry))
            if "all" not in window.scope and channel.value not in window.scope:
                continue
            starts, ends = window.starts_at, window.ends_at
            if not (isinstance(starts, datetime) and starts.utcoffset() is not None
                    and isinstance(ends, datetime) and ends.utcoffset() is not None):
                return self._result("PUB-6", Outcome.DENY, "window_naive", (f"windows[{window.id}]",),
                                    window=window.name)
            starts, ends = starts.astimezone(UTC), ends.astimezone(UTC)
            if ends <= starts:
                return self._result("PUB-6", Outcome.DENY, "window_inverted", (f"windows[{window.id}]",),
                                    window=window.name)
            if not starts <= at < ends:
                continue
            missing: list[str] = []
            reference = window.consent_reference
            if not isinstance(reference, str) or not reference.strip():
                missing.append(f"windows[{window.id}].consent_reference")
            # Consent given after the publication does not cover it; dates are Beijing dates.
            consent_date = window.consent_date
            if not isinstance(consent_date, date) or consent_date > at.astimezone(BEIJING).date():
                missing.append(f"windows[{window.id}].consent_date")
            if missing:
                return self._result("PUB-6", Outcome.DENY, "no_consent", tuple(missing), window=window.name,
                                    starts=_beijing(starts), ends=_beijing(ends))
            if consented is None:
                assert reference is not None and consent_date is not None
                consented = self._result("PUB-6", Outcome.ALLOW, "consent_recorded", window=window.name,
                                         reference=reference.strip(), date=consent_date.isoformat())
        return consented or self._result("PUB-6", Outcome.ALLOW, "outside_windows")

    def _pub7(self, request: GateRequest, channel: Channel, content: Content, at: datetime) -> RuleResult:
        """No undisclosed information to overseas parties other than the product provider."""
        if channel.group is ChannelGroup.PUBLICATION:
            # Publishing undisclosed content does reach overseas parties: it reaches everyone. But
            # whether something may be published at all is what PUB-1…PUB-6 decide (a fix exists
            # or the authorities evaluated an early release; no exploit; no operator details…).
            # Once they allow it, publication makes it disclosed, and denying here would forbid
            # every first publication, which the Article plainly permits. So PUB-7 allows on
            # public channels and says why; it governs transfers to a named recipient.
            return self._result("PUB-7", Outcome.ALLOW, "public_channel")
        recipient = request.recipient
        if not isinstance(recipient, Recipient):
            return self._result("PUB-7", Outcome.DENY, "no_recipient", ("recipient",), channel=channel.value)
        if content.disclosed:
            return self._result("PUB-7", Outcome.ALLOW, "disclosed")
        label = str(recipient.label)
        if recipient.is_product_provider:
            return self._result("PUB-7", Outcome.ALLOW, "product_provider", recipient=label)
        if recipient.jurisdiction == "domestic":
            return self._result("PUB-7", Outcome.ALLOW, "domestic", recipient=label)
        if recipient.is_cert:
            # The Article states no exception for CERTs abroad; whether one applies is a legal
            # question, so the gate holds the transfer until a legal sign-off is named.
            signoff = recipient.legal_signoff.strip()
            if signoff:
                return self._result("PUB-7", Outcome.ALLOW, "cert_signed_off", recipient=label, reference=signoff)
            return self._result("PUB-7", Outcome.HOLD, "foreign_cert", ("recipient.legal_signoff",), recipient=label)
        if recipient.jurisdiction == "overseas":
            return self._result("PUB-7", Outcome.DENY, "overseas", recipient=label)
        # Unknown (or unrecognised) jurisdiction: the law gives no benefit of the doubt.
        return self._result("PUB-7", Outcome.DENY, "unknown_jurisdiction", ("recipient.jurisdiction",),
                            recipient=label)


_EARLY_RELEASE_ITEMS: Final = ("early_release.joint_assessment_at", "early_release.reported_to_miit_mps_at",
                               "early_release.evaluation_result", "early_release.evaluated_at")

_EVALUATORS: Final[dict[str, Evaluator]] = {
    "PUB-1": GateRules._pub1,
    "PUB-2": GateRules._pub2,
    "PUB-3": GateRules._pub3,
    "PUB-4": GateRules._pub4,
    "PUB-5": GateRules._pub5,
    "PUB-6": GateRules._pub6,
    "PUB-7": GateRules._pub7,
}
assert set(_EVALUATORS) == set(REASONS), "every evaluated rule needs an evaluator and reasons"


def _done_by(when: datetime | None, at: datetime) -> bool:
    """A step counts as recorded when it has an aware time no later than ``at``."""
    return isinstance(when, datetime) and when.utcoffset() is not None and when <= at


def _beijing(when: datetime) -> str:
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- public functions


def load_gate_rules(rules_dir: Path) -> GateRules:
    """Load, validate and compile ``rules_dir/publication-gate-2021.yaml``; errors read ``file:line: …``."""
    return GateRules(load_rules_file(rules_dir / RULES_FILE, GateRulesFile))


def decide(request: GateRequest, rules: GateRules) -> Decision:
    """May ``request.content`` leave through ``request.channel``? Pure and total: never raises for
    a well-typed request, and a request it cannot judge is denied with the missing input named."""
    return rules.decide(request)


__all__ = [
    "AttachmentKind", "Channel", "ChannelGroup", "Content", "Decision", "EarlyRelease", "EventWindow",
    "GateAttachment", "GateRequest", "GateRules", "GateRulesFile", "Outcome", "Recipient", "RuleResult",
    "decide", "load_gate_rules",
]
