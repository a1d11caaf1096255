"""``rules/cybersecurity-review.yaml``: what it holds, and that a wrong file stops start-up with
``file:line: problem``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from wangan.config import Settings
from wangan.kernel.rules import RulesError
from wangan.reviews.rules import RULES_FILE, default_review_rules, load_review_rules
from wangan.runtime import Runtime, build_runtime

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
TEXT = (RULES_DIR / RULES_FILE).read_text(encoding="utf-8")


def test_the_file_holds_the_measures() -> None:
    rules = default_review_rules()
    assert [v.id for v in rules.measures_versions] == ["MEASURES-2020", "MEASURES-2021"]
    assert rules.measures_on(date(2020, 5, 31)) is None
    assert rules.measures_on(date(2022, 2, 14)).id == "MEASURES-2020"  # type: ignore[union-attr]
    assert rules.measures_on(date(2022, 2, 15)).id == "MEASURES-2021"  # type: ignore[union-attr]
    assert rules.measures_by_id["MEASURES-2021"].issuers == 13
    lengths = {c.id: (c.lengths["MEASURES-2020"].length, c.lengths["MEASURES-2021"].length) for c in rules.clocks}
    assert lengths == {"REV-DETERMINE": (10, 10), "REV-INITIAL": (30, 30), "REV-INITIAL-EXT": (15, 15),
                       "REV-CONSULT": (15, 15), "REV-SPECIAL": (45, 90), "REV-SPECIAL-EXT": (None, None)}
    assert [f.id for f in rules.risk_factors] == [f"RF-{i}" for i in range(1, 8)]
    assert [c.id for c in rules.supplier_commitments] == ["SC-COOPERATE", "SC-NO-DATA", "SC-NO-CONTROL",
                                                          "SC-NO-INTERRUPTION"]
    assert [s.id for s in rules.required_slots("listing")] == ["application_form", "impact_report",
                                                               "listing_documents"]
    assert (rules.listing_trigger.user_threshold, rules.listing_trigger.comparison) == (1_000_000, "strictly_greater")
    assert {v.id: v.region for v in rules.listing_venues if v.id in ("SSE", "HKEX", "NYSE")} == {
        "SSE": "mainland", "HKEX": "hong_kong", "NYSE": "abroad"}


def test_every_entry_says_how_sure_it_is() -> None:
    rules = default_review_rules()
    entries = [*rules.measures_versions, *rules.clocks, *rules.dossier_slots, *rules.risk_factors,
               *rules.product_categories, *rules.supplier_commitments, *rules.listing_venues, rules.listing_trigger]
    assert {e.status for e in entries} == {"confirmed", "interpreted"}


def test_the_runtime_carries_the_configured_rules(rt: Runtime) -> None:
    assert rt.review_rules.id == "cybersecurity-review"


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / RULES_FILE).write_text(text, encoding="utf-8")
    return tmp_path


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(("old", "new", "problem", "at"), [
    # (what is changed, into what, the problem reported, where the line it names starts)
    ("guards: [no_open_pause, initial_not_extended]", "guards: [no_open_pause, be_nice]", "unknown guard 'be_nice'",
     "- {id: extend_initial_review,"),
    ("      MEASURES-2020: {length: 10, article: \"8\"", "      MEASURES-1999: {length: 10, article: \"8\"",
     "gives no length under MEASURES-2020", "    lengths:\n      MEASURES-2021: {length: 10,"),
    ("{id: NASDAQ, names: [Nasdaq Stock Market,", "{id: NASDAQ, names: [New York Stock Exchange,",
     "used by NYSE as well", "{id: NASDAQ,"),
    ("  user_threshold: 1000000", "  user_threshold: -1", "greater than 0", "  user_threshold: -1"),
    ("    - {id: determining,", "    - {id: pondering,", "not a review state the code knows", "    - {id: pondering,"),
])
def test_a_wrong_file_is_refused_with_its_line(tmp_path: Path, old: str, new: str, problem: str, at: str) -> None:
    assert old in TEXT, old
    broken = TEXT.replace(old, new, 1)
    with pytest.raises(RulesError, match=problem) as caught:
        load_review_rules(write(tmp_path, broken))
    assert f"{RULES_FILE}:{line_of(broken, at)}:" in str(caught.value)


def test_start_up_stops_on_a_wrong_rules_file(tmp_path: Path, settings: Settings) -> None:
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    for other in RULES_DIR.glob("*.yaml"):
        (rules_dir / other.name).write_text(other.read_text(encoding="utf-8"), encoding="utf-8")
    (rules_dir / RULES_FILE).write_text(TEXT.replace("unit: working_days", "unit: fortnights", 1), encoding="utf-8")
    with pytest.raises(RulesError, match="unit"):
        build_runtime(settings.model_copy(update={"rules_dir": rules_dir}), migrate=False)
