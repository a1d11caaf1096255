"""``wangan calendar``: add and count PRC working days; administrators' overrides and confirmations.

stdout carries the answer alone (a date or an integer, `` provisional`` after it when unconfirmed);
errors are one line on stderr with a specific exit code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for, lines
from wangan.cli.common import EXIT_CONFLICT, EXIT_FORBIDDEN, EXIT_INVALID, EXIT_NOT_FOUND
from wangan.runtime import Runtime

NOTICE = "国办发明电〔2026〕X号"


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        yield c


@pytest.mark.parametrize(("start", "n", "expected"), [
    ("2025-01-24", "1", "2025-01-26"),  # the make-up Sunday of Spring Festival 2025
    ("2025-01-27", "1", "2025-02-05"),  # over the eight days off
    ("2024-02-09", "1", "2024-02-18"),  # 除夕 2024 was worked; the next working day is the make-up Sunday
    ("2025-01-29", "0", "2025-01-29"),
    ("2026-12-30", "1", "2026-12-31"),
])
def test_add(cli: Cli, start: str, n: str, expected: str) -> None:
    result = cli("calendar", "add", start, n)
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected + "\n", "")


def test_between(cli: Cli) -> None:
    result = cli("calendar", "between", "2025-01-24", "2025-02-10")
    assert (result.exit_code, result.stdout) == (0, "7\n")
    assert cli("calendar", "between", "2025-02-10", "2025-01-24").stdout == "-7\n"
    assert cli("calendar", "between", "2025-01-24", cli("calendar", "add", "2025-01-24", "17").stdout.strip()
               ).stdout == "17\n"


def test_2027_is_provisional_until_an_administrator_confirms_it(cli: Cli, factory: Factory) -> None:
    provisional = cli("calendar", "add", "2026-12-30", "3")
    assert (provisional.exit_code, provisional.stdout) == (0, "2027-01-04 provisional\n")
    assert "2027" in provisional.stderr and "Monday–Friday" in provisional.stderr
    assert cli("calendar", "between", "2026-12-30", "2027-01-04").stdout == "3 provisional\n"

    admin = factory.user(None, "admin", email="root@example.org")
    added = cli("calendar", "override", "add", "2027-01-01", "--kind", "holiday", "--name", "元旦 New Year's Day",
                "--as", admin.email)
    assert (added.exit_code, added.stdout) == (0, "2027-01-01\tholiday\t元旦 New Year's Day\n")
    assert cli("calendar", "add", "2026-12-30", "3").stdout == "2027-01-05 provisional\n"

    confirmed = cli("calendar", "confirm", "2027", "--source", NOTICE, "--as", admin.email)
    assert (confirmed.exit_code, confirmed.stdout) == (0, f"2027\tadmin-confirmed\t{NOTICE}\n")
    after = cli("calendar", "add", "2026-12-30", "3")
    assert (after.stdout, after.stderr) == ("2027-01-05\n", "")
    assert cli("calendar", "between", "2026-12-30", "2027-01-05").stdout == "3\n"

    status = lines(cli("calendar", "status", "--since", "2026").stdout)
    assert status == ["2026\tlibrary\t0 override(s)", f"2027\tadmin-confirmed\t1 override(s)\t{NOTICE}"]


def test_overrides_list_and_remove(cli: Cli, factory: Factory) -> None:
    admin = factory.user(None, "admin", email="root@example.org")
    for day, kind in (("2025-01-26", "holiday"), ("2027-02-20", "workday")):
        assert cli("calendar", "override", "add", day, "--kind", kind, "--name", "春节 Spring Festival",
                   "--note", "test", "--as", admin.email).exit_code == 0
    assert cli("calendar", "add", "2025-01-24", "1").stdout == "2025-01-27\n"  # the override beats the library
    assert lines(cli("calendar", "override", "list").stdout) == [
        "2025-01-26\tholiday\t春节 Spring Festival\ttest", "2027-02-20\tworkday\t春节 Spring Festival\ttest"]
    assert lines(cli("calendar", "override", "list", "--year", "2027").stdout) == [
        "2027-02-20\tworkday\t春节 Spring Festival\ttest"]
    removed = cli("calendar", "override", "remove", "2025-01-26", "--as", admin.email)
    assert (removed.exit_code, removed.stdout) == (0, "removed 2025-01-26\tholiday\t春节 Spring Festival\n")
    assert cli("calendar", "add", "2025-01-24", "1").stdout == "2025-01-26\n"
    again = cli("calendar", "override", "remove", "2025-01-26", "--as", admin.email)
    assert again.exit_code == EXIT_NOT_FOUND and "no calendar override on 2025-01-26" in again.stderr
    verify = cli("audit", "verify")
    assert verify.exit_code == 0, verify.output


@pytest.mark.parametrize(("args", "message"), [
    (("add", "2025/01/24", "1"), "use YYYY-MM-DD"),
    (("add", "24 Jan", "1"), "use YYYY-MM-DD"),
    (("add", "2025-02-30", "1"), "use YYYY-MM-DD"),
    (("add", "2025-01-24", "-3"), "N must be a whole number of working days, 0 or more; got '-3'"),
    (("add", "2025-01-24", "1.5"), "N must be a whole number"),
    (("add", "2025-01-24", "two"), "N must be a whole number"),
    (("add", "2003-12-31", "1"), "2003-12-31 is before 2004-01-01"),
    (("between", "2003-12-31", "2025-01-01"), "before 2004-01-01"),
    (("between", "2025-01-01", "tomorrow"), "'tomorrow' is not a date"),
    (("add", "2099-12-01", "100"), "past 2099-12-31"),
])
def test_bad_input_is_refused_on_stderr(cli: Cli, args: tuple[str, ...], message: str) -> None:
    result = cli("calendar", *args)
    assert result.exit_code == EXIT_INVALID, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and message in result.stderr


def test_changes_are_for_administrators(cli: Cli, factory: Factory) -> None:
    manager = factory.user(factory.org("acme"), "manager", email="m@acme.example")
    refused = cli("calendar", "override", "add", "2027-01-01", "--kind", "holiday", "--name", "元旦",
                  "--as", manager.email)
    assert refused.exit_code == EXIT_FORBIDDEN and "only administrators" in refused.stderr
    assert cli("calendar", "confirm", "2027", "--source", NOTICE, "--as", manager.email).exit_code == EXIT_FORBIDDEN
    assert cli("calendar", "override", "list").stdout == ""


def test_confirmation_and_override_conflicts(cli: Cli, factory: Factory) -> None:
    admin = factory.user(None, "admin", email="root@example.org")
    empty = cli("calendar", "confirm", "2027", "--source", NOTICE, "--as", admin.email)
    assert empty.exit_code == EXIT_INVALID and "no holiday entered" in empty.stderr
    library = cli("calendar", "confirm", "2026", "--source", NOTICE, "--as", admin.email)
    assert library.exit_code == EXIT_CONFLICT and "chinesecalendar" in library.stderr
    args = ("calendar", "override", "add", "2027-01-01", "--kind", "holiday", "--name", "元旦", "--as", admin.email)
    assert cli(*args).exit_code == 0
    assert cli(*args).exit_code == EXIT_CONFLICT
    bad_kind = cli("calendar", "override", "add", "2027-01-02", "--kind", "weekend", "--name", "x",
                   "--as", admin.email)
    assert bad_kind.exit_code == EXIT_INVALID and "holiday or workday" in bad_kind.stderr
