"""``wangan platform miit-listing`` (FILED → PUBLISHED_BY_MIIT, Art. 10), ``wangan platform status``
and ``wangan platform read-log`` (reads of undisclosed cases, Art. 11)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for, lines
from wangan.cli.common import EXIT_CONFLICT, EXIT_FORBIDDEN, EXIT_INVALID
from wangan.kernel.auth import principal_for
from wangan.kernel.models import User
from wangan.runtime import Runtime
from wangan.vulns import cases

PLATFORM = {"WANGAN_COLLECTION_PLATFORM": "true"}
LIST_URL = "https://www.miit.gov.cn/platforms/2026-02"


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        yield c


def test_the_listing_moves_the_platform_to_published_by_miit(cli: Cli, factory: Factory) -> None:
    admin = factory.user(None, "admin", email="root@example.org")
    early = cli("platform", "miit-listing", "--published-at", "2026-02-01", "--reference", LIST_URL,
                "--as", admin.email, **PLATFORM)
    assert early.exit_code == EXIT_CONFLICT and "filing first" in early.stderr
    assert cli("platform", "file", "--number", "MIIT-2026-0042", "--date", "2026-01-05", "--as", admin.email,
               **PLATFORM).exit_code == 0
    assert json.loads(cli("platform", "status", **PLATFORM).stdout)["state"] == "FILED"

    listed = cli("platform", "miit-listing", "--published-at", "2026-02-01T09:30", "--reference", LIST_URL,
                 "--as", admin.email, **PLATFORM)
    assert listed.exit_code == 0, listed.output
    body = json.loads(listed.stdout)
    assert body["state"] == "PUBLISHED_BY_MIIT"
    assert body["filing"]["miit_published_at"] == "2026-02-01T09:30:00+08:00"  # Beijing time without a zone
    assert body["filing"]["miit_list_reference"] == LIST_URL
    status = json.loads(cli("platform", "status", **PLATFORM).stdout)
    assert status["state"] == "PUBLISHED_BY_MIIT" and status["open_for_intake"] is True
    assert status["filing"]["miit_list_reference"] == LIST_URL


def test_the_listing_is_for_administrators_and_needs_a_date_and_a_reference(cli: Cli, factory: Factory) -> None:
    admin = factory.user(None, "admin", email="root@example.org")
    manager = factory.user(factory.org("collector"), "manager", email="m@collector.example")
    assert cli("platform", "file", "--number", "MIIT-1", "--date", "2026-01-05", "--as", admin.email).exit_code == 0

    refused = cli("platform", "miit-listing", "--published-at", "2026-02-01", "--reference", LIST_URL,
                  "--as", manager.email)
    assert refused.exit_code == EXIT_FORBIDDEN and "administrators" in refused.stderr
    bad_date = cli("platform", "miit-listing", "--published-at", "1 Feb", "--reference", LIST_URL, "--as", admin.email)
    assert bad_date.exit_code == EXIT_INVALID and "--published-at" in bad_date.stderr
    blank = cli("platform", "miit-listing", "--published-at", "2026-02-01", "--reference", " ", "--as", admin.email)
    assert blank.exit_code == EXIT_INVALID and "\n  reference: " in blank.stderr
    before = cli("platform", "miit-listing", "--published-at", "2025-12-01", "--reference", LIST_URL,
                 "--as", admin.email)
    assert before.exit_code == EXIT_INVALID and "\n  published_at: " in before.stderr
    assert json.loads(cli("platform", "status").stdout)["state"] == "FILED"


@dataclass
class Reads:
    admin: User
    analyst: User
    manager: User
    other_manager: User
    case: str


@pytest.fixture
def reads(rt: Runtime, cli: Cli, factory: Factory) -> Reads:
    """On a platform, an analyst opened a case and read it twice from the shell."""
    org = factory.org("collector")
    analyst = factory.user(org, "analyst", email="a@collector.example")
    with rt.sessions.begin() as s:
        loaded = s.get(User, analyst.id)
        assert loaded is not None
        number = cases.create_case(s, principal_for(loaded, on_collection_platform=True), rt.vuln_rules,
                                   cases.CaseIn(title="Overflow")).number
    for _ in range(2):
        assert cli("cases", "show", number, "--as", analyst.email, **PLATFORM).exit_code == 0
    return Reads(admin=factory.user(None, "admin", email="root@example.org"), analyst=analyst,
                 manager=factory.user(org, "manager", email="m@collector.example"),
                 other_manager=factory.user(factory.org("elsewhere"), "manager", email="m@elsewhere.example"),
                 case=number)


def test_the_read_log_shows_each_read_of_the_shell_too(cli: Cli, reads: Reads) -> None:
    text = cli("platform", "read-log", "--as", reads.manager.email, **PLATFORM)
    assert text.exit_code == 0, text.output
    rows = [line.split("\t") for line in lines(text.stdout)]
    assert [row[1:] for row in rows] == [[reads.analyst.email, "case", reads.case]] * 2
    assert rows[0][0].endswith("+08:00") and "2 of 2 read(s)" in text.stderr

    as_json = cli("platform", "read-log", "--json", "--limit", "1", "--as", reads.admin.email, **PLATFORM)
    assert as_json.exit_code == 0, as_json.output
    body = json.loads(as_json.stdout)
    assert (body["total"], body["limit"], len(body["items"])) == (2, 1, 1)
    assert body["items"][0]["case_number"] == reads.case and body["items"][0]["view"] == "case"


def test_the_read_log_filters(cli: Cli, reads: Reads) -> None:
    def total(*args: str) -> int:
        result = cli("platform", "read-log", "--json", *args, "--as", reads.admin.email)
        assert result.exit_code == 0, result.output
        count: int = json.loads(result.stdout)["total"]
        return count

    assert total("--case", reads.case) == 2
    assert total("--reader", "collector.example") == 2
    assert total("--reader", "nobody") == 0
    assert total("--since", "2000-01-01") == 2
    assert total("--until", "2000-01-01T00:00:00+00:00") == 0
    assert total("--organisation", "collector") == 2
    assert total("--organisation", "elsewhere") == 0


def test_the_read_log_refuses_analysts_other_organisations_and_bad_filters(cli: Cli, reads: Reads) -> None:
    analyst = cli("platform", "read-log", "--as", reads.analyst.email)
    assert analyst.exit_code == EXIT_FORBIDDEN and analyst.stdout == ""
    other = cli("platform", "read-log", "--organisation", "collector", "--as", reads.other_manager.email)
    assert other.exit_code == EXIT_FORBIDDEN
    own = cli("platform", "read-log", "--json", "--as", reads.other_manager.email)
    assert own.exit_code == 0 and json.loads(own.stdout)["total"] == 0
    for args, said in ((("--limit", "0"), "\n  limit: "), (("--case", "WA-2026-9999"), "no case"),
                       (("--since", "2026-02-01", "--until", "2026-01-01"), "\n  until: "),
                       (("--since", "soon"), "--since"), (("--organisation", "nowhere"), "\n  organisation: ")):
        bad = cli("platform", "read-log", *args, "--as", reads.admin.email)
        assert bad.exit_code == EXIT_INVALID and said in bad.stderr, (args, bad.output)
