"""``wangan cases members|member-add|member-remove`` (need-to-know, Art. 11) and ``wangan cases
forward|forwards`` (to the product's provider through the Art. 9 gate, Art. 10), with their exit codes:
2 invalid input, 4 conflict (a gate refusal among them), 5 not found, 6 not allowed."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for, lines
from wangan.cli.common import EXIT_CONFLICT, EXIT_FORBIDDEN, EXIT_INVALID, EXIT_NOT_FOUND
from wangan.kernel.auth import principal_for
from wangan.kernel.models import AuditEvent, Organisation, OutboxMessage, User
from wangan.runtime import Runtime
from wangan.vulns import cases, gate, products
from wangan.vulns.models import ProviderForward

PLATFORM = {"WANGAN_COLLECTION_PLATFORM": "true"}


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        yield c


@dataclass
class Team:
    org: Organisation
    vendor: Organisation
    opener: User
    colleague: User
    manager: User
    case: str


@pytest.fixture
def team(rt: Runtime, factory: Factory) -> Team:
    """A collection platform's case about a product of an overseas vendor, opened by an analyst."""
    org = factory.org("collector")
    vendor = factory.org("acme-global", jurisdiction="overseas")  # named "Org acme-global"
    opener = factory.user(org, "analyst", email="opener@collector.example")
    with rt.sessions.begin() as s:
        loaded = s.get(User, opener.id)
        assert loaded is not None
        principal = principal_for(loaded, on_collection_platform=True)
        product = products.create_product(s, principal, vendor=vendor.name, name="Router", model="R1")
        number = cases.create_case(s, principal, rt.vuln_rules, cases.CaseIn(
            title="Overflow", description="the parser overflows", fields={"product_id": product.id})).number
    return Team(org=org, vendor=vendor, opener=opener,
                colleague=factory.user(org, "analyst", email="colleague@collector.example"),
                manager=factory.user(org, "manager", email="boss@collector.example"), case=number)


def test_membership_decides_who_reads_the_case_on_a_platform(cli: Cli, team: Team) -> None:
    hidden = cli("cases", "show", team.case, "--as", team.colleague.email, **PLATFORM)
    assert hidden.exit_code == EXIT_NOT_FOUND and hidden.stdout == ""
    assert team.case not in cli("cases", "list", "--as", team.colleague.email, **PLATFORM).stdout

    added = cli("cases", "member-add", team.case, team.colleague.email, "--as", team.manager.email, **PLATFORM)
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == f"{team.colleague.email} is now a member of {team.case}"
    shown = cli("cases", "show", team.case, "--as", team.colleague.email, **PLATFORM)
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.stdout)
    assert body["forward_due_at"] is not None and body["forwarded_at"] is None
    listed = cli("cases", "members", team.case, "--as", team.colleague.email, **PLATFORM)
    assert [line.split("\t")[:2] for line in lines(listed.stdout)] == [
        [team.opener.email, "analyst"], [team.colleague.email, "analyst"]]
    assert lines(listed.stdout)[1].endswith(f"by {team.manager.email}") and "2 member(s)" in listed.stderr

    removed = cli("cases", "member-remove", team.case, team.colleague.email, "--as", team.manager.email, **PLATFORM)
    assert removed.exit_code == 0, removed.output
    assert cli("cases", "show", team.case, "--as", team.colleague.email, **PLATFORM).exit_code == EXIT_NOT_FOUND
    assert cli("cases", "show", team.case, "--as", team.manager.email, **PLATFORM).exit_code == 0


def test_member_commands_refuse_with_specific_exit_codes(cli: Cli, team: Team, factory: Factory) -> None:
    analyst_adds = cli("cases", "member-add", team.case, team.colleague.email, "--as", team.opener.email)
    assert analyst_adds.exit_code == EXIT_FORBIDDEN and "manager" in analyst_adds.stderr
    again = cli("cases", "member-add", team.case, team.opener.email, "--as", team.manager.email)
    assert again.exit_code == EXIT_CONFLICT and "already a member" in again.stderr
    unknown = cli("cases", "member-add", team.case, "nobody@example.org", "--as", team.manager.email)
    assert unknown.exit_code == EXIT_INVALID and "no user" in unknown.stderr
    stranger = factory.user(factory.org("elsewhere"), "manager", email="m@elsewhere.example")
    outside = cli("cases", "member-add", team.case, stranger.email, "--as", team.manager.email)
    assert outside.exit_code == EXIT_INVALID
    assert cli("cases", "members", team.case, "--as", stranger.email).exit_code == EXIT_NOT_FOUND
    not_member = cli("cases", "member-remove", team.case, team.colleague.email, "--as", team.manager.email)
    assert not_member.exit_code == EXIT_NOT_FOUND and "not a member" in not_member.stderr
    listed = cli("cases", "members", team.case, "--as", team.manager.email)
    assert [line.split("\t")[0] for line in lines(listed.stdout)] == [team.opener.email]


def test_forward_by_share_to_the_overseas_vendor(rt: Runtime, cli: Cli, team: Team) -> None:
    done = cli("cases", "forward", team.case, "--channel", "share", "--organisation", "acme-global",
               "--reference", "VND-7", "--as", team.opener.email, **PLATFORM)
    assert done.exit_code == 0, done.output
    fields = done.stdout.strip().split("\t")
    assert fields[2:] == ["share", "acme-global", "overseas", "on time", "VND-7"]

    listed = cli("cases", "forwards", team.case, "--as", team.manager.email, **PLATFORM)
    assert listed.exit_code == 0 and lines(listed.stdout) == [done.stdout.strip()]
    assert "1 forward(s)" in listed.stderr
    shown = json.loads(cli("cases", "show", team.case, "--as", team.manager.email, **PLATFORM).stdout)
    assert shown["forwarded_at"] is not None


def test_an_email_forward_queues_an_outbox_message(rt: Runtime, cli: Cli, team: Team) -> None:
    done = cli("cases", "forward", team.case, "--channel", "email", "--email", "psirt@acme.example",
               "--jurisdiction", "overseas", "--as", team.opener.email, WANGAN_INSTANCE_NAME="CLI Platform",
               **PLATFORM)
    assert done.exit_code == 0, done.output
    with rt.sessions() as s:
        message = s.execute(select(OutboxMessage)).scalar_one()
    assert message.recipient == "psirt@acme.example" and message.subject.startswith("[CLI Platform]")
    assert "the parser overflows" in message.body


def test_a_recorded_forward_takes_its_time_with_a_zone(cli: Cli, team: Team) -> None:
    sent = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
    naive = cli("cases", "forward", team.case, "--channel", "recorded", "--recipient", "vendor portal",
                "--at", sent.replace(tzinfo=None).isoformat(), "--as", team.opener.email)
    assert naive.exit_code == EXIT_INVALID and "time zone" in naive.output
    done = cli("cases", "forward", team.case, "--channel", "recorded", "--recipient", "vendor portal",
               "--jurisdiction", "domestic", "--at", sent.isoformat(), "--as", team.opener.email)
    assert done.exit_code == 0, done.output
    assert done.stdout.split("\t")[1] == sent.isoformat()


def test_forward_input_problems_exit_2_naming_the_fields(rt: Runtime, cli: Cli, team: Team) -> None:
    bad = cli("cases", "forward", team.case, "--channel", "recorded", "--jurisdiction", "mars",
              "--as", team.opener.email)
    assert bad.exit_code == EXIT_INVALID and bad.stdout == ""
    for field in ("recipient", "forwarded_at", "jurisdiction"):
        assert f"\n  {field}: " in bad.stderr, field
    fax = cli("cases", "forward", team.case, "--channel", "fax", "--as", team.opener.email)
    assert fax.exit_code == EXIT_INVALID and "\n  channel: " in fax.stderr
    not_vendor = cli("cases", "forward", team.case, "--channel", "share", "--organisation", "collector",
                     "--as", team.opener.email)
    assert not_vendor.exit_code == EXIT_INVALID and "not the vendor" in not_vendor.stderr
    with rt.sessions() as s:
        assert s.execute(select(ProviderForward)).first() is None


def test_a_gate_refusal_exits_4_naming_every_rule_and_is_kept_in_the_audit_log(
        rt: Runtime, cli: Cli, team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real gate, made to judge the e-mail recipient as someone other than the product's
    provider (the service itself takes an e-mail recipient as the provider): PUB-7 refuses."""
    real_decide = gate.decide

    def not_the_provider(request: gate.GateRequest, rules: gate.GateRules) -> gate.Decision:
        if request.channel is gate.Channel.EMAIL and request.recipient is not None:
            request = dataclasses.replace(
                request, recipient=dataclasses.replace(request.recipient, is_product_provider=False))
        return real_decide(request, rules)

    monkeypatch.setattr(gate, "decide", not_the_provider)
    refused = cli("cases", "forward", team.case, "--channel", "email", "--email", "lab@abroad.example",
                  "--jurisdiction", "overseas", "--as", team.opener.email, **PLATFORM)

    assert refused.exit_code == EXIT_CONFLICT and refused.stdout == ""
    assert "the publication gate refused" in refused.stderr
    assert "\n  PUB-7: " in refused.stderr and " / " in refused.stderr  # English / Chinese reasons
    with rt.sessions() as s:
        assert s.execute(select(ProviderForward)).first() is None
        assert s.execute(select(OutboxMessage)).first() is None
        decided = s.execute(select(AuditEvent).where(AuditEvent.tag == "vulns:gate:decided")).scalars().all()
    assert [e.data["decision"]["allowed"] for e in decided] == [False]


def test_who_may_forward_from_the_shell(cli: Cli, team: Team, factory: Factory) -> None:
    viewer = factory.user(team.org, "viewer", email="viewer@collector.example")
    args = ("cases", "forward", team.case, "--channel", "email", "--email", "psirt@acme.example")
    assert cli(*args, "--as", viewer.email).exit_code == EXIT_FORBIDDEN
    other = factory.user(factory.org("other-cn"), "manager", email="m@other.example")
    assert cli(*args, "--as", other.email).exit_code == EXIT_NOT_FOUND
    assert cli(*args, "--as", team.colleague.email, **PLATFORM).exit_code == EXIT_NOT_FOUND  # not a member
    assert cli(*args, "--as", team.manager.email, **PLATFORM).exit_code == 0
    assert cli("cases", "forwards", team.case, "--as", team.colleague.email, **PLATFORM).exit_code == EXIT_NOT_FOUND


def test_a_refused_advisory_publication_stays_in_the_audit_log(rt: Runtime, cli: Cli, team: Team) -> None:
    """``wangan advisories act … publish`` no longer commits by hand: the transaction keeps the gate's
    refusal because the error says it keeps a record (``DomainError.keeps_record``)."""
    number = cli("advisories", "draft", team.case, "--as", team.manager.email).stdout.strip()
    for action in ("submit", "approve"):
        assert cli("advisories", "act", number, action, "--as", team.manager.email).exit_code == 0
    refused = cli("advisories", "act", number, "publish", "--as", team.manager.email)
    assert refused.exit_code == EXIT_CONFLICT and "\n  PUB-1: " in refused.stderr
    with rt.sessions() as s:
        decided = s.execute(select(AuditEvent).where(AuditEvent.tag == "vulns:gate:decided")).scalars().all()
    assert [(e.data["dry_run"], e.data["decision"]["allowed"]) for e in decided] == [(False, False)]
