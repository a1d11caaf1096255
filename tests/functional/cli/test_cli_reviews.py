"""``wangan reviews``: the screening from a shell, a review case from filing to conclusion with its
clocks (due date, working days left, ``provisional``), pauses, the assessment and report, commitments
and supervision; errors as one message and the exit codes of ``wangan.cli.common``; and
``wangan deadlines check`` queueing review reminders."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for, lines
from tests.pdfcheck import has_cjk_font
from wangan.cli import common
from wangan.cli.common import EXIT_CONFLICT, EXIT_FORBIDDEN, EXIT_INVALID, EXIT_NOT_FOUND
from wangan.kernel.calendar import FixedClock
from wangan.kernel.models import OutboxMessage
from wangan.runtime import Runtime

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # noon in Beijing


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        recording = common.build_runtime

        def at_now(*args: Any, **kwargs: Any) -> Runtime:
            built = recording(*args, **kwargs)
            built.clock = FixedClock(NOW)
            return built

        monkeypatch.setattr(common, "build_runtime", at_now)
        yield c


@pytest.fixture
def people(factory: Factory) -> dict[str, str]:
    org = factory.org("grid-co")
    other = factory.org("elsewhere")
    return {role: factory.user(org, role, email=f"{role}@grid.example").email
            for role in ("viewer", "analyst", "manager")} | {
        "stranger": factory.user(other, "analyst", email="stranger@elsewhere.example").email}


# --------------------------------------------------------------------------- screening


@pytest.mark.parametrize(("args", "first_line"), [
    (["--party", "listing", "--users", "1000000", "--venue", "NYSE"], "not_required\tMEASURES-2021\tArts. 7, 16"),
    (["--party", "listing", "--users", "1,000,001", "--venue", "NYSE"], "required\tMEASURES-2021\tArts. 7"),
    (["--party", "listing", "--users", "120万", "--venue", "Hong Kong"], "possible\tMEASURES-2021\tArts. 7, 16"),
    (["--party", "procurement", "--category", "cloud_services", "--may-affect", "yes"],
     "required\tMEASURES-2021\tArts. 21, 2, 5"),
])
def test_screen(cli: Cli, args: list[str], first_line: str) -> None:
    result = cli("reviews", "screen", "--date", "2025-06-01", *args)
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert out[0] == first_line and len(out) == 3  # the outcome, then the reasons in Chinese and in English


@pytest.mark.parametrize(("args", "field"), [
    (["--date", "2025-06-01", "--party", "listing", "--users", "lots", "--venue", "NYSE"], "user_count"),
    (["--date", "2025-06-01", "--party", "listing", "--users", "2000000", "--venue", "Moon"], "listing_venue"),
    (["--date", "2020-05-31", "--party", "listing", "--users", "2000000", "--venue", "NYSE"], "decided_on"),
    (["--date", "2025/06/01", "--party", "listing", "--users", "2000000", "--venue", "NYSE"], "decided_on"),
])
def test_screen_refuses_bad_answers(cli: Cli, args: list[str], field: str) -> None:
    result = cli("reviews", "screen", *args)
    assert result.exit_code == EXIT_INVALID and result.stdout == ""
    assert result.stderr.startswith("error: ") and field in result.stderr


def test_screen_json(cli: Cli) -> None:
    result = cli("reviews", "screen", "--date", "2025-06-01", "--party", "listing", "--users", "1000001",
                 "--venue", "纽交所", "--json")
    body = json.loads(result.stdout)
    assert (body["outcome"], body["venue"]["id"], body["user_count"]) == ("required", "NYSE", 1_000_001)


# --------------------------------------------------------------------------- a case from filing to conclusion


def test_a_procurement_review_from_filing_to_conclusion(cli: Cli, people: dict[str, str], tmp_path: Path) -> None:
    analyst, manager = people["analyst"], people["manager"]
    created = cli("reviews", "create", "--as", analyst, "--kind", "procurement", "--title", "Cloud for the grid",
                  "--filed-on", "2025-09-01", "--product", "Example Cloud", "--category", "cloud_services",
                  "--supplier", "Example Cloud Co.")
    assert created.exit_code == 0, created.output
    number, state, measures = lines(created.stdout)[0].split("\t")
    assert (state, measures) == ("preparing", "MEASURES-2021")

    doc = tmp_path / "form.pdf"
    doc.write_bytes(b"%PDF form")
    for slot in ("application_form", "impact_report", "procurement_documents"):
        up = cli("reviews", "upload", number, slot, str(doc), "--as", analyst, "--filed-on", "2025-09-28")
        assert up.exit_code == 0, up.output
    assert "dossier complete on 2025-09-28" in up.stdout
    # 10 working days after the make-up Sunday 2025-09-28, across National Day: 2025-10-17.
    assert "REV-DETERMINE" in up.stdout and "due 2025-10-17" in up.stdout

    shown = cli("reviews", "show", number, "--as", people["viewer"])
    assert shown.exit_code == 0, shown.output
    assert "dossier: complete on 2025-09-28" in shown.stdout
    assert "due 2025-10-17\tOVERDUE" in shown.stdout  # today is 2026-11-25 in these tests

    moved = cli("reviews", "transition", number, "notice_review", "--as", analyst, "--on", "2025-10-10")
    assert moved.exit_code == 0, moved.output
    assert lines(moved.stdout)[0] == f"{number}\treview_noticed"
    assert "REV-INITIAL" in moved.stdout and "due 2025-11-20" in moved.stdout

    paused = cli("reviews", "pause", number, "--as", analyst, "--start", "2025-10-13", "--reason", "network map")
    assert paused.exit_code == 0, paused.output
    assert "stands still" in paused.stdout
    assert "paused since 2025-10-13" in cli("reviews", "show", number, "--as", analyst).stdout
    blocked = cli("reviews", "pause", number, "--as", analyst, "--start", "2025-10-14", "--reason", "more")
    assert blocked.exit_code == EXIT_CONFLICT and "already open" in blocked.stderr
    resumed = cli("reviews", "resume", number, "--as", analyst, "--end", "2025-10-17")
    assert resumed.exit_code == 0, resumed.output
    # 10-13 … 10-17 are five working days: the due date moves by five working days.
    assert "due before 2025-11-20\tdue now 2025-11-27\tpaused 5 WD" in resumed.stdout

    for step, on in (("begin_initial_review", "2025-10-20"), ("send_to_members", "2025-11-20")):
        assert cli("reviews", "transition", number, step, "--as", analyst, "--on", on).exit_code == 0
    forbidden = cli("reviews", "transition", number, "conclude_passed", "--as", analyst, "--on", "2025-12-01")
    assert forbidden.exit_code == EXIT_FORBIDDEN and "manager" in forbidden.stderr
    concluded = cli("reviews", "transition", number, "conclude_passed", "--as", manager, "--on", "2025-12-01")
    assert concluded.exit_code == 0, concluded.output
    assert lines(concluded.stdout)[0] == f"{number}\tconcluded\tpassed"

    listed = cli("reviews", "list", "--as", people["viewer"], "--json")
    assert [c["state"] for c in json.loads(listed.stdout)] == ["concluded"]
    as_json = json.loads(cli("reviews", "show", number, "--as", analyst, "--json").stdout)
    assert [c["rule_id"] for c in as_json["clocks"]] == ["REV-DETERMINE", "REV-INITIAL", "REV-CONSULT"]
    assert as_json["pauses"][0]["working_days"] == 5


def test_errors_have_their_exit_codes(cli: Cli, people: dict[str, str]) -> None:
    created = cli("reviews", "create", "--as", people["analyst"], "--kind", "ex_officio", "--title", "Ex officio",
                  "--filed-on", "2025-09-28")
    number = lines(created.stdout)[0].split("\t")[0]
    assert cli("reviews", "show", number, "--as", people["stranger"]).exit_code == EXIT_NOT_FOUND
    assert cli("reviews", "show", "CR-2026-9999", "--as", people["analyst"]).exit_code == EXIT_NOT_FOUND
    viewer = cli("reviews", "pause", number, "--as", people["viewer"], "--start", "2025-10-13", "--reason", "x")
    assert viewer.exit_code == EXIT_FORBIDDEN
    bad = cli("reviews", "create", "--as", people["analyst"], "--kind", "listing", "--title", "x",
              "--filed-on", "2025-09-01", "--venue", "Moon", "--users", "lots")
    assert bad.exit_code == EXIT_INVALID
    assert "listing_venue" in bad.stderr and "user_count" in bad.stderr
    early = cli("reviews", "create", "--as", people["analyst"], "--kind", "procurement", "--title", "x",
                "--filed-on", "2020-05-31", "--product", "p", "--category", "cloud_services")
    assert early.exit_code == EXIT_INVALID and "did not exist on 2020-05-31" in early.stderr
    missing = cli("reviews", "upload", number, "other", "/nonexistent/file.pdf", "--as", people["analyst"])
    assert missing.exit_code == EXIT_INVALID


def test_edit_changes_only_the_options_given(cli: Cli, people: dict[str, str]) -> None:
    analyst = people["analyst"]
    created = cli("reviews", "create", "--as", analyst, "--kind", "listing", "--title", "Listing",
                  "--filed-on", "2025-09-01", "--venue", "NASDAQ", "--users", "1,500,000")
    number = lines(created.stdout)[0].split("\t")[0]
    edited = cli("reviews", "edit", number, "--as", analyst, "--title", "Listing on NASDAQ", "--users", "2000000",
                 "--version", "1")
    assert edited.exit_code == 0, edited.output
    assert lines(edited.stdout) == [f"{number}\tversion 2"]
    shown = json.loads(cli("reviews", "show", number, "--as", analyst, "--json").stdout)
    assert (shown["title"], shown["user_count"], shown["listing_venue"]) == ("Listing on NASDAQ", 2000000, "NASDAQ")

    stale = cli("reviews", "edit", number, "--as", analyst, "--title", "x", "--version", "1")
    assert stale.exit_code == EXIT_CONFLICT and "changed by someone else" in stale.stderr
    bad = cli("reviews", "edit", number, "--as", analyst, "--users", "about a million")
    assert bad.exit_code == EXIT_INVALID and "user_count" in bad.stderr
    nothing = cli("reviews", "edit", number, "--as", analyst)
    assert nothing.exit_code == EXIT_INVALID and "nothing to change" in nothing.stderr
    assert cli("reviews", "edit", number, "--as", people["viewer"], "--title", "x").exit_code == EXIT_FORBIDDEN
    assert cli("reviews", "edit", number, "--as", people["stranger"], "--title", "x").exit_code == EXIT_NOT_FOUND
    shown = json.loads(cli("reviews", "show", number, "--as", analyst, "--json").stdout)
    assert (shown["title"], shown["version"]) == ("Listing on NASDAQ", 2)


def test_a_due_date_in_2027_is_printed_provisional(cli: Cli, people: dict[str, str]) -> None:
    created = cli("reviews", "create", "--as", people["analyst"], "--kind", "ex_officio", "--title", "Late",
                  "--filed-on", "2026-11-20")
    assert created.exit_code == 0, created.output
    clock = next(line for line in lines(created.stdout) if line.startswith("clock: "))
    assert "due 2027-01-01" in clock and "working day(s) left" in clock
    assert clock.endswith("provisional (unconfirmed 2027)")


def test_assessment_report_commitments_and_supervision(cli: Cli, people: dict[str, str], tmp_path: Path) -> None:
    analyst = people["analyst"]
    created = cli("reviews", "create", "--as", analyst, "--kind", "procurement", "--title", "Cloud",
                  "--filed-on", "2025-09-01", "--product", "Example Cloud", "--category", "cloud_services",
                  "--supplier", "Example Cloud Co.")
    number = lines(created.stdout)[0].split("\t")[0]

    rated = cli("reviews", "assess", number, "RF-1", "--as", analyst, "--rating", "high", "--evidence", "one supplier")
    assert rated.exit_code == 0, rated.output
    assert lines(rated.stdout)[0].startswith("RF-1\thigh\tArt. 10(1)")
    assert cli("reviews", "assess", number, "RF-1", "--as", analyst, "--rating", "low").exit_code == EXIT_INVALID
    assert len(lines(cli("reviews", "assess", number, "--as", analyst).stdout)) == 6

    report = cli("reviews", "report", number, "--as", people["viewer"], "--lang", "en")
    assert report.exit_code == 0, report.output
    assert "DRAFT: not assessed: RF-2" in report.stdout and "RF-1: one supplier" in report.stdout
    assert json.loads(cli("reviews", "report", number, "--as", analyst, "--json").stdout)["overall_rating"] == "high"
    pdf_path, html_path = tmp_path / "report.pdf", tmp_path / "report.html"
    written = cli("reviews", "report", number, "--as", analyst, "--format", "pdf", "-o", str(pdf_path))
    assert written.exit_code == 0, written.output
    assert str(pdf_path) in written.stdout and has_cjk_font(pdf_path.read_bytes())
    written = cli("reviews", "report", number, "--as", analyst, "--format", "html", "--lang", "en",
                  "-o", str(html_path))
    assert written.exit_code == 0 and "Draft: these risk factors" in html_path.read_text(encoding="utf-8")
    refused = cli("reviews", "report", number, "--as", analyst, "--format", "docx")
    assert refused.exit_code == EXIT_INVALID and "use text, html or pdf" in refused.output
    refused = cli("reviews", "report", number, "--as", analyst, "--format", "html", "-o", str(tmp_path / "no/x.html"))
    assert refused.exit_code == EXIT_INVALID and "cannot write" in refused.output

    committed = cli("reviews", "commit", number, "SC-NO-DATA", "--as", analyst, "--evidence", "contract §12",
                    "--on", "2025-09-15")
    assert committed.exit_code == 0, committed.output
    assert "  SC-NO-DATA\tcommitted" in committed.stdout and "Example Cloud Co.\tincomplete" in committed.stdout
    assert cli("reviews", "commit", number, "SC-NO-CONTROL", "--as", analyst).exit_code == EXIT_INVALID

    added = cli("reviews", "supervise", number, "--as", analyst, "--title", "Check logs", "--working-days", "3",
                "--from", "2026-11-24")
    assert added.exit_code == 0, added.output
    item_id, due, left, title = lines(added.stdout)[0].split("\t")
    assert (due, left, title) == ("due 2026-11-27", "2 working day(s) left", "Check logs")
    later = cli("reviews", "supervise", number, "--as", analyst, "--title", "Audit", "--working-days", "30",
                "--from", "2026-11-24")
    assert any(line.endswith("provisional (unconfirmed 2027)") for line in lines(later.stdout))
    done = cli("reviews", "supervise-done", number, item_id, "--as", analyst, "--outcome", "clean")
    assert done.exit_code == 0, done.output
    assert lines(done.stdout)[0] == f"{item_id}\tdone 2026-11-25\ton time\tCheck logs"
    again = cli("reviews", "supervise-done", number, item_id, "--as", analyst, "--outcome", "clean")
    assert again.exit_code == EXIT_CONFLICT


def test_deadlines_check_queues_review_reminders(cli: Cli, people: dict[str, str], rt: Runtime) -> None:
    # 30 working days after 2026-10-14 fall due within the reminder lead of 2026-11-25.
    created = cli("reviews", "create", "--as", people["analyst"], "--kind", "ex_officio", "--title", "Due soon",
                  "--filed-on", "2026-10-14")
    assert created.exit_code == 0, created.output
    checked = cli("deadlines", "check")
    assert checked.exit_code == 0, checked.output
    review_line = next(line for line in lines(checked.stdout) if line.startswith("reviews: "))
    assert review_line.startswith("reviews: 1 clock(s) and 0 supervision item(s) due or near: queued ")
    assert "queued 0 reminder(s)" not in review_line
    with rt.sessions() as s:
        keys = [m.dedupe_key or "" for m in s.execute(select(OutboxMessage)).scalars()]
    assert keys and all(k.startswith("review:clock:") for k in keys)
    again = cli("deadlines", "check")
    assert "queued 0 reminder(s) and 0 overdue notice(s)" in next(
        line for line in lines(again.stdout) if line.startswith("reviews: "))
