"""Our CVSS validation and scores against real public vectors in ``../shared/data``.

Skipped with a reason when ``../shared`` is not beside the checkout; the core suite does not need it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wangan.vulns.scoring import score_cvss31, score_cvss40

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"sample data folder {DATA} is absent")


def _expected(path: Path) -> list[tuple[str, float]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if " - " not in line:
            continue
        vector, _, scores = line.partition(" - ")
        first = scores.strip().strip("()").split(",")[0]
        rows.append((vector.strip(), float(first)))
    return rows


def test_cvss31_base_scores_match_reference_vectors() -> None:
    rows = _expected(DATA / "cvss" / "vectors_simple31")
    assert len(rows) > 2000
    wrong = [(v, want, score_cvss31(v).score) for v, want in rows if score_cvss31(v).score != want]
    assert wrong == []


def test_cvss40_base_scores_match_reference_vectors() -> None:
    rows = _expected(DATA / "cvss" / "vectors_simple4")
    assert len(rows) > 1000
    wrong = [(v, want, score_cvss40(v).score) for v, want in rows if score_cvss40(v).score != want]
    assert wrong == []


def _cve_vectors(key: str) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            metric = node.get(key)
            if isinstance(metric, dict) and isinstance(metric.get("vectorString"), str):
                found.append(metric["vectorString"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((DATA / "cve5" / "records").glob("*.json"))[:1500]:
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def test_real_cve_records_cvss31_vectors_are_accepted() -> None:
    vectors = _cve_vectors("cvssV3_1")
    assert len(vectors) > 500
    for vector in vectors:
        assert score_cvss31(vector).vector.startswith("CVSS:3.1/")


def test_real_cve_records_cvss40_vectors_are_accepted() -> None:
    vectors = _cve_vectors("cvssV4_0")
    assert vectors, "the sample records carry CVSS 4.0 metrics"
    for vector in vectors:
        assert 0.0 <= score_cvss40(vector).score <= 10.0
