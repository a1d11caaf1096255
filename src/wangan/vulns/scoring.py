"""CVSS 3.1 and 4.0 vectors, validated and scored with the maintained ``cvss`` library; CWE ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError

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
