"""CVSS 3.1 and 4.0 vectors, validated and scored with the maintained ``cvss`` library; CWE ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError

from wangan.errors import ErrorList

CWE_RE = re.compile(r"^CWE-[1-9][0-9]{0,5}$")


class VectorError(ValueError):
    """A CVSS vector that does not parse; the message says which part is wrong."""


@dataclass(frozen=True)
class Score:
    vector: str
    score: float
    severity: str  # None / Low / Medium / High / Critical


def score_cvss31(vector: str) -> Score:
    text = vector.strip()
    if not text.startswith("CVSS:3.1/"):
        raise VectorError("a CVSS 3.1 vector starts with 'CVSS:3.1/'")
    try:
        parsed = CVSS3(text)
    except CVSSError as exc:
        raise VectorError(str(exc)) from exc
    return Score(parsed.clean_vector(), float(Decimal(str(parsed.base_score))), parsed.severities()[0])


def score_cvss40(vector: str) -> Score:
    text = vector.strip()
    if not text.startswith("CVSS:4.0/"):
        raise VectorError("a CVSS 4.0 vector starts with 'CVSS:4.0/'")
    try:
        parsed = CVSS4(text)
    except CVSSError as exc:
        raise VectorError(str(exc)) from exc
    return Score(parsed.clean_vector(), float(Decimal(str(parsed.base_score))), str(parsed.severity))


def normalise_cwe(value: str) -> str:
    """Accept 'CWE-79', 'cwe-79' or '79'; refuse anything else."""
    text = value.strip().upper()
    if text.isdigit():
        text = f"CWE-{text}"
    if not CWE_RE.match(text):
        raise ValueError("a CWE id looks like CWE-79")
    return text


VECTOR_FIELDS = (("cvss31_vector", score_cvss31, "cvss31"), ("cvss40_vector", score_cvss40, "cvss40"))


def apply_vectors(target: object, changes: dict[str, object], errors: ErrorList) -> list[str]:
    """Set ``cvss31_vector``/``cvss40_vector`` from ``changes`` on ``target`` with their computed
    ``*_score`` and ``*_severity``; an empty value clears all three. Returns the fields applied and
    adds a problem to ``errors`` for each vector that does not parse."""
    applied = []
    for name, scorer, prefix in VECTOR_FIELDS:
        if name not in changes:
            continue
        value = changes[name]
        if value is not None and not isinstance(value, str):
            errors.add(name, "must be text")
            continue
        raw = (value or "").strip()
        try:
            scored = scorer(raw) if raw else None
        except VectorError as exc:
            errors.add(name, f"not a valid vector: {exc}")
            continue
        setattr(target, name, scored.vector if scored else "")
        setattr(target, f"{prefix}_score", scored.score if scored else None)
        setattr(target, f"{prefix}_severity", scored.severity if scored else "")
        applied.append(name)
    return applied
