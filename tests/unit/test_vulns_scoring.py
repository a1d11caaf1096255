"""CVSS 3.1 / 4.0 scoring and CWE ids: known vectors score as FIRST publishes them, and no input,
however broken, raises anything but ``VectorError`` (or ``ValueError`` for a CWE)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wangan.vulns.scoring import VectorError, normalise_cwe, score_cvss31, score_cvss40

quick = settings(max_examples=400, deadline=None, database=None)

METRICS_31 = ["AV:N", "AV:A", "AV:L", "AV:P", "AV:X", "AC:L", "AC:H", "PR:N", "PR:L", "PR:H", "UI:N", "UI:R",
              "S:U", "S:C", "C:H", "C:L", "C:N", "I:H", "I:L", "I:N", "A:H", "A:L", "A:N", "E:U", "RL:O",
              "RC:C", "CR:H", "MAV:N", "MS:C", "AV", ":", "", "AV:", "Q:Q", "AV:N:N"]
METRICS_40 = ["AV:N", "AV:A", "AV:L", "AV:P", "AC:L", "AC:H", "AT:N", "AT:P", "PR:N", "PR:L", "PR:H", "UI:N",
              "UI:P", "UI:A", "VC:H", "VC:L", "VC:N", "VI:H", "VI:N", "VA:H", "VA:N", "SC:H", "SC:N", "SI:N",
              "SI:S", "SA:N", "E:A", "E:U", "CR:H", "MAV:N", "MSI:S", "S:N", "AU:Y", "R:A", "", ":", "VC:"]


@pytest.mark.parametrize(("vector", "score", "severity"), [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "Critical"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "Critical"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "Medium"),
    ("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.8, "Low"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "None"),
])
def test_cvss31_known_scores(vector: str, score: float, severity: str) -> None:
    scored = score_cvss31(vector)
    assert (scored.score, scored.severity, scored.vector) == (score, severity, vector)


@pytest.mark.parametrize(("vector", "score", "severity"), [
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "Critical"),
    ("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5, "High"),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0, "None"),
])
def test_cvss40_known_scores(vector: str, score: float, severity: str) -> None:
    scored = score_cvss40(vector)
    assert (scored.score, scored.severity) == (score, severity)


def test_surrounding_whitespace_is_ignored() -> None:
    assert score_cvss31("  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n").score == 9.8


@pytest.mark.parametrize("vector", ["", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                                    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
                                    "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"])
def test_cvss31_refusals(vector: str) -> None:
    with pytest.raises(VectorError):
        score_cvss31(vector)


def _check(scorer: object, text: str) -> None:
    assert callable(scorer)
    try:
        scored = scorer(text)
    except VectorError:
        return
    assert 0.0 <= scored.score <= 10.0
    assert scored.severity in {"None", "Low", "Medium", "High", "Critical"}


@quick
@given(st.text(max_size=120))
def test_any_text_raises_only_vector_error(text: str) -> None:
    _check(score_cvss31, text)
    _check(score_cvss40, text)
    _check(score_cvss31, "CVSS:3.1/" + text)
    _check(score_cvss40, "CVSS:4.0/" + text)


@quick
@given(st.lists(st.sampled_from(METRICS_31), max_size=16), st.sampled_from(["/", "//", " /", "\\"]))
def test_plausible_cvss31_garbage_raises_only_vector_error(parts: list[str], sep: str) -> None:
    _check(score_cvss31, "CVSS:3.1/" + sep.join(parts))


@quick
@given(st.lists(st.sampled_from(METRICS_40), max_size=18))
def test_plausible_cvss40_garbage_raises_only_vector_error(parts: list[str]) -> None:
    _check(score_cvss40, "CVSS:4.0/" + "/".join(parts))


@pytest.mark.parametrize(("given_", "expected"), [("79", "CWE-79"), ("cwe-79", "CWE-79"), (" CWE-1321 ", "CWE-1321")])
def test_cwe_is_normalised(given_: str, expected: str) -> None:
    assert normalise_cwe(given_) == expected


@quick
@given(st.text(max_size=20))
def test_cwe_is_normalised_or_refused_with_value_error(text: str) -> None:
    try:
        result = normalise_cwe(text)
    except ValueError:
        return
    assert result.startswith("CWE-") and result[4:].isdigit() and not result[4:].startswith("0")
