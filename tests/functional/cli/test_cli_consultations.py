"""``wangan consultations``: list, show, create, publish, comments, moderate, export, record-plan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for, lines
from wangan.cli.common import EXIT_CONFLICT, EXIT_FORBIDDEN, EXIT_INVALID, EXIT_NOT_FOUND
from wangan.indicators import consultations as svc
from wangan.runtime import Runtime

SLUG = "draft-open"


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        yield c


@pytest.fixture
def manager(factory: Factory) -> str:
    return factory.user(factory.org("assoc"), "manager", email="mgr@example.org").email


def _open_consultation(cli: Cli, manager: str) -> None:
    made = cli("consultations", "create", SLUG, "--title-zh", "征求意见稿", "--title-en", "Draft",
               "--opens", "2020-01-01T00:00", "--closes", "2099-12-31T23:59:59", "--as", manager)
    assert made.exit_code == 0, made.stderr
    assert made.stdout.startswith(f"{SLUG}\tdraft\topen\t2020-01-01 00:00 – 2099-12-31 23:59 Beijing")
    assert cli("consultations", "publish", SLUG, "--as", manager).exit_code == 0


def _comment(rt: Runtime, **kw: str) -> str:
    with rt.sessions.begin() as s:
        comment = svc.submit_comment(s, SLUG, now=datetime.now(UTC), **{"body": "Add SMEs.", **kw})
        return str(comment.id)


def test_create_publish_list_show(cli: Cli, manager: str) -> None:
    _open_consultation(cli, manager)
    listed = cli("consultations", "list")
    assert (listed.exit_code, lines(listed.stdout)[0].split("\t")[:3]) == (0, [SLUG, "published", "open"])
    shown = cli("consultations", "show", SLUG)
    assert shown.exit_code == 0 and "comments: accepted now" in shown.stdout
    data = json.loads(cli("consultations", "show", SLUG, "--json").stdout)
    assert (data["opens_at"], data["comments"]) == ("2019-12-31T16:00:00+00:00", [])


def test_drafts_hidden_and_bad_input(cli: Cli, manager: str, factory: Factory) -> None:
    made = cli("consultations", "create", "only-draft", "--title-zh", "稿", "--opens", "2024-05-01T00:00",
               "--closes", "2024-05-31T23:59", "--as", manager)
    assert made.exit_code == 0, made.stderr
    assert cli("consultations", "list").stdout == ""
    assert cli("consultations", "show", "only-draft").exit_code == EXIT_NOT_FOUND
    bad_time = cli("consultations", "create", "x-y-z", "--title-zh", "稿", "--opens", "soon", "--closes",
                   "2024-05-31T23:59", "--as", manager)
    assert bad_time.exit_code == EXIT_INVALID and "opens_at" in bad_time.stderr
    backwards = cli("consultations", "create", "x-y-z", "--title-zh", "稿", "--opens", "2024-05-31T00:00",
                    "--closes", "2024-05-01T00:00", "--as", manager)
    assert backwards.exit_code == EXIT_INVALID and "closes_at" in backwards.stderr
    viewer = factory.user(factory.org("members"), "viewer", email="viewer@example.org").email
    refused = cli("consultations", "publish", "only-draft", "--as", viewer)
    assert refused.exit_code in (EXIT_FORBIDDEN, EXIT_NOT_FOUND)
    assert cli("consultations", "export", "only-draft", "--as", viewer).exit_code == EXIT_FORBIDDEN


def test_comments_moderate_export(cli: Cli, rt: Runtime, manager: str, tmp_path: Path) -> None:
    _open_consultation(cli, manager)
    cid = _comment(rt, name="Li", contact="li@example.org")
    assert cli("consultations", "comments", SLUG).stdout == ""  # public: approved only
    queue = cli("consultations", "comments", SLUG, "--as", manager)
    assert cid in queue.stdout and "li@example.org" in queue.stdout
    assert cli("consultations", "moderate", SLUG, cid, "--as", manager).exit_code == EXIT_INVALID
    done = cli("consultations", "moderate", SLUG, cid, "--approve", "--note", "ok", "--as", manager)
    assert (done.exit_code, done.stdout) == (0, f"{cid}\tapproved\n")
    public = cli("consultations", "comments", SLUG)
    assert "Add SMEs." in public.stdout and "li@example.org" not in public.stdout
    assert cli("consultations", "moderate", SLUG, "nope", "--reject", "--as", manager).exit_code == EXIT_NOT_FOUND
    out = tmp_path / "comments.csv"
    exported = cli("consultations", "export", SLUG, "-o", str(out), "--as", manager)
    assert exported.exit_code == 0, exported.stderr
    assert out.read_bytes().startswith("\ufeffid,submitted_at".encode()) and b"li@example.org" in out.read_bytes()
    as_json = json.loads(cli("consultations", "export", SLUG, "--format", "json", "--as", manager).stdout)
    assert as_json["comments"][0]["state"] == "approved"
    assert cli("consultations", "export", SLUG, "--format", "xml", "--as", manager).exit_code == EXIT_INVALID


def test_record_plan_once(cli: Cli, manager: str) -> None:
    first = cli("consultations", "record-plan", "--as", manager)
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("cn-miit-csi-2021-2023-draft\trecorded\tclosed\t2021-07-12 00:00 – 2021-07-16 23:59")
    again = cli("consultations", "record-plan", "--plan", "CN-MIIT-CSI-2021-2023", "--as", manager)
    assert again.exit_code == EXIT_CONFLICT and "cn-miit-csi-2021-2023-draft" in again.stderr
    shown = cli("consultations", "show", "cn-miit-csi-2021-2023-draft")
    assert "never took comments here" in shown.stdout
    assert cli("consultations", "record-plan", "--plan", "NOPE", "--as", manager).exit_code == EXIT_NOT_FOUND
