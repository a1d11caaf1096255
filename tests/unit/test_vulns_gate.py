"""The Art. 9 publication and egress gate (``wangan.vulns.gate``) against the shipped rules file.

One table per rule: each row is a request that differs from a request every rule allows in one
respect, with the outcome the rule must give, words its English reason must contain, and what it
must name as missing. Then the decision as a whole, the rules file's error messages, and a property:
``decide`` never raises and its outcome is always the worst of its rule results."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO
from wangan.kernel.calendar import BEIJING
from wangan.kernel.rules import RulesError
from wangan.vulns.gate import (
    RULES_FILE,
    AttachmentKind,
    Channel,
    ChannelGroup,
    Content,
    Decision,
    EarlyRelease,
    EventWindow,
    GateAttachment,
    GateRequest,
    Outcome,
    Recipient,
    RuleResult,
    decide,
    load_gate_rules,
)

RULES = load_gate_rules(REPO / "rules")
SOURCE = REPO / "rules" / RULES_FILE
TEXT = SOURCE.read_text(encoding="utf-8")

ALLOW, HOLD, DENY = Outcome.ALLOW, Outcome.HOLD, Outcome.DENY
PUBLIC = tuple(c for c in Channel if c.group is ChannelGroup.PUBLICATION)
TRANSFER = tuple(c for c in Channel if c.group is ChannelGroup.TRANSFER)
AT = datetime(2024, 5, 20, 10, 0, tzinfo=BEIJING)
DOMESTIC = Recipient("国家漏洞库", "domestic")
OVERSEAS = Recipient("Overseas Research Ltd", "overseas")
OVERSEAS_PROVIDER = Recipient("Contoso Inc. (the vendor)", "overseas", is_product_provider=True)
UNKNOWN = Recipient("list@example.org", None)

GOOD_CONTENT = Content(
    title="Acme 路由器 1.2 存在命令注入漏洞",
    text="攻击者可在设备上执行任意命令。该漏洞影响 1.2 及以下版本。",
    computed_severity="High",
    fix_available=True,
    fix_or_mitigation="升级至 1.3 或更高版本。",
    in_operator_system=False,
    disclosed=False,
)
DIFF = (b"diff --git a/src/http.c b/src/http.c\n--- a/src/http.c\n+++ b/src/http.c\n"
        b"+    if (len > sizeof buf) return -1;\n")


def content(**changes: Any) -> Content:
    return replace(GOOD_CONTENT, **changes)


def req(channel: Channel = Channel.PORTAL, *, recipient: Recipient | None = None, at: datetime = AT,
        early_release: EarlyRelease | None = None, windows: tuple[EventWindow, ...] = (),
        **content_changes: Any) -> GateRequest:
    """A request that every rule allows, changed as asked; transfers go to a domestic recipient."""
    if recipient is None and channel.group is ChannelGroup.TRANSFER:
        recipient = DOMESTIC
    return GateRequest(channel=channel, content=content(**content_changes), at=at, recipient=recipient,
                       early_release=early_release, windows=windows)


def attach(filename: str, kind: AttachmentKind = AttachmentKind.POC, sample: bytes = b"",
           *, cleared: bool = False) -> GateAttachment:
    return GateAttachment(filename, kind, sample, human_cleared=cleared)


@dataclass(frozen=True)
class Row:
    """Asking ``request``, ``rule`` must answer ``outcome``; its English reason contains every one of
    ``says`` and its ``missing`` equals ``missing`` (when given)."""

    request: GateRequest
    outcome: Outcome
    says: tuple[str, ...] = ()
    missing: tuple[str, ...] | None = None


def result_of(rule_id: str, request: GateRequest) -> RuleResult:
    decision = decide(request, RULES)
    found = [r for r in decision.results if r.rule_id == rule_id]
    assert len(found) == 1, f"{rule_id} not evaluated: {decision.to_dict()}"
    return found[0]


def check(rule_id: str, row: Row) -> None:
    result = result_of(rule_id, row.request)
    assert result.outcome is row.outcome, result
    for words in row.says:
        assert words in result.reason_en, result.reason_en
    assert result.reason_zh and result.reason_en
    if row.missing is not None:
        assert result.missing == row.missing


# --------------------------------------------------------------------------- PUB-1: fix first

COMPLETE = EarlyRelease(joint_assessment_at=AT - timedelta(days=10), reported_to_miit_mps_at=AT - timedelta(days=9),
                        evaluation_result="同意提前发布", evaluated_at=AT - timedelta(days=2))
EARLY_ITEMS = ("early_release.joint_assessment_at", "early_release.reported_to_miit_mps_at",
               "early_release.evaluation_result", "early_release.evaluated_at")

PUB1 = {
    "fix available": Row(req(), ALLOW, ("has made fix measures available",), ()),
    "no fix, no early-release record": Row(req(fix_available=False), DENY, ("No fix",), EARLY_ITEMS),
    "no fix, early release complete": Row(req(fix_available=False, early_release=COMPLETE), ALLOW,
                                          ("Early publication", "同意提前发布", "2024-05-18 10:00")),
    "no fix, evaluation not recorded": Row(
        req(fix_available=False, early_release=replace(COMPLETE, evaluation_result=None, evaluated_at=None)),
        DENY, ("incomplete", "early_release.evaluated_at"),
        ("early_release.evaluation_result", "early_release.evaluated_at")),
    "no fix, evaluation result blank": Row(
        req(fix_available=False, early_release=replace(COMPLETE, evaluation_result="  ")),
        DENY, (), ("early_release.evaluation_result",)),
    "no fix, evaluated after the publication time": Row(
        req(fix_available=False, early_release=replace(COMPLETE, evaluated_at=AT + timedelta(minutes=1))),
        DENY, (), ("early_release.evaluated_at",)),
    "no fix, not reported to MIIT and MPS": Row(
        req(fix_available=False, early_release=replace(COMPLETE, reported_to_miit_mps_at=None)),
        DENY, (), ("early_release.reported_to_miit_mps_at",)),
    "no fix, joint assessment without a time zone": Row(
        req(fix_available=False, early_release=replace(COMPLETE, joint_assessment_at=datetime(2024, 5, 1))),
        DENY, (), ("early_release.joint_assessment_at",)),
}


@pytest.mark.parametrize("name", list(PUB1))
def test_pub1_no_publication_before_a_fix(name: str) -> None:
    check("PUB-1", PUB1[name])


# --------------------------------------------------------------------------- PUB-2: operator systems

PUB2 = {
    "product vulnerability": Row(req(), ALLOW, ("not about a system",)),
    "vulnerability in an operator's system in use": Row(req(in_operator_system=True), DENY,
                                                       ("operator has in use",)),
}


@pytest.mark.parametrize("name", list(PUB2))
def test_pub2_no_details_of_operator_systems(name: str) -> None:
    check("PUB-2", PUB2[name])


# --------------------------------------------------------------------------- PUB-3: no exaggeration

PUB3 = {
    "no claim": Row(req(), ALLOW, ("No severity claim",)),
    "高危 for a High": Row(req(text="这是一个高危漏洞。"), ALLOW, ("does not exceed", "(High)")),
    "超危 for a High": Row(req(text="这是一个超危漏洞。"), DENY, ("“超危”", "Critical", "(High)")),
    "超高危 is critical, not high": Row(req(text="超高危漏洞"), DENY, ("“超高危”", "Critical")),
    "严重 for a Medium": Row(req(computed_severity="Medium", text="可造成严重后果"), DENY, ("“严重”",)),
    "严重程度 is the word for severity": Row(req(computed_severity="Medium", text="严重程度：中危"), ALLOW,
                                          ("“中危”", "(Medium)")),
    "claim in the title only": Row(req(computed_severity="Low", title="【高危】Acme 路由器漏洞"), DENY, ("“高危”",)),
    "English, any case": Row(req(computed_severity="Medium", text="A CRITICAL flaw."), DENY,
                             ("“critical”", "Critical", "(Medium)")),
    "English phrase with a hyphen": Row(req(computed_severity="Medium", text="A High-Risk flaw."), DENY,
                                        ("“high-risk”", "claims High")),
    "English inside Chinese text": Row(req(text="该漏洞属于critical级别"), DENY, ("“critical”",)),
    "English whole words only": Row(req(computed_severity="Low", text="A criticality analysis; severely late."),
                                    ALLOW),
    "critical infrastructure is not a claim": Row(req(computed_severity="Low", text="Critical infrastructure."),
                                                  ALLOW),
    "the highest claim is named": Row(req(computed_severity="Medium", text="低危？不，是超危！中危。"), DENY,
                                      ("“超危”",)),
    "a claim below the assessment": Row(req(computed_severity="Critical", text="low risk"), ALLOW,
                                        ("does not exceed",)),
    "claim without a CVSS assessment": Row(req(computed_severity=None, text="中危漏洞"), DENY,
                                           ("assess CVSS first", "Medium")),
    "no claim and no assessment": Row(req(computed_severity=None), ALLOW),
    "any claim above a CVSS of None": Row(req(computed_severity="None", text="low risk"), DENY, ("(None)",)),
    "unknown CVSS rating": Row(req(computed_severity="Important"), DENY, ("Important",),
                               ("content.computed_severity",)),
}


@pytest.mark.parametrize("name", list(PUB3))
def test_pub3_no_claim_above_the_cvss_assessment(name: str) -> None:
    check("PUB-3", PUB3[name])


# --------------------------------------------------------------------------- PUB-4: no exploits

PWN = b"#!/usr/bin/env python3\nfrom pwn import *\nio = remote(HOST, 9999)\n"
PY_PAYLOAD = b"#!/usr/bin/env python\nimport socket\ns = socket.socket()\npayload = b'A' * 600\ns.send(payload)\n"
ESCAPED_SHELLCODE = b'buf = "' + b"\\x31\\xc0" * 16 + b'"\n'
PUB4 = {
    "no attachments": Row(req(), ALLOW, ("No attachment",), ()),
    "a plain patch": Row(req(attachments=(attach("fix.patch", AttachmentKind.PATCH, DIFF),)), ALLOW),
    "a PoC that only shows the crash": Row(
        req(attachments=(attach("poc.py", sample=b"import requests\nrequests.get(URL + 'A' * 4096)\n"),)), ALLOW),
    "declared exploit": Row(req(attachments=(attach("x.py", AttachmentKind.EXPLOIT),)), DENY, ("x.py",), ()),
    "declared exploit cleared by a human still never leaves": Row(
        req(attachments=(attach("x.py", AttachmentKind.EXPLOIT, cleared=True),)), DENY, ("x.py",)),
    "PoC importing pwntools": Row(req(attachments=(attach("check.py", sample=PWN),)), HOLD,
                                  ("check.py", "CT-PWNTOOLS-FROM"), ("content.attachments[0].human_cleared",)),
    "the same PoC cleared by a human": Row(req(attachments=(attach("check.py", sample=PWN, cleared=True),)), ALLOW),
    "document named like an exploit": Row(
        req(attachments=(attach("CVE-2024-1_exploit.pdf", AttachmentKind.DOCUMENT, b"%PDF-1.7"),)), HOLD,
        ("FN-EXPLOIT-WORD",)),
    "Python script with socket and payload": Row(req(attachments=(attach("a.py", sample=PY_PAYLOAD),)), HOLD,
                                                 ("CT-PYTHON-SOCKET-PAYLOAD",)),
    "escaped shellcode": Row(req(attachments=(attach("a.c", sample=ESCAPED_SHELLCODE),)), HOLD,
                             ("CT-SHELLCODE-ESCAPED",)),
    "raw NOP sled in a 'patch'": Row(req(attachments=(attach("fw.bin", AttachmentKind.PATCH, b"\x90" * 40),)), HOLD,
                                     ("CT-NOP-SLED",)),
    "/bin/sh with socket code": Row(
        req(attachments=(attach("a.c", sample=b'int s = socket(AF_INET, SOCK_STREAM, 0);\nexecve("/bin/sh", 0, 0);'),)),
        HOLD, ("CT-BINSH-SOCKET",)),
    "/bin/sh alone is an ordinary script": Row(req(attachments=(attach("run.sh", sample=b"#!/bin/sh\nmake\n"),)),
                                               ALLOW),
    "a Metasploit module": Row(
        req(attachments=(attach("acme.rb", sample=b"class MetasploitModule < Msf::Exploit::Remote\n"),)), HOLD,
        ("CT-METASPLOIT",)),
    "only the first KB is scanned": Row(req(attachments=(attach("a.py", sample=b" " * 1024 + PWN),)), ALLOW),
    "every held attachment is named": Row(
        req(attachments=(attach("ok.patch", AttachmentKind.PATCH, DIFF), attach("a.py", sample=PWN),
                         attach("b.py", sample=PY_PAYLOAD))),
        HOLD, ("a.py", "b.py"), ("content.attachments[1].human_cleared", "content.attachments[2].human_cleared")),
    "an exploit outweighs a look-alike": Row(
        req(attachments=(attach("a.py", sample=PWN), attach("x.py", AttachmentKind.EXPLOIT))), DENY, ("x.py",)),
}


@pytest.mark.parametrize("name", list(PUB4))
def test_pub4_no_exploit_code(name: str) -> None:
    check("PUB-4", PUB4[name])


@pytest.mark.parametrize("channel", list(Channel))
def test_an_exploit_never_leaves_on_any_channel(channel: Channel) -> None:
    request = req(channel, disclosed=True, attachments=(attach("x.py", AttachmentKind.EXPLOIT, cleared=True),))

    decision = decide(request, RULES)

    assert decision.outcome is DENY
    assert "PUB-4" in decision.rule_ids


@pytest.mark.parametrize("channel", list(Channel))
def test_a_held_attachment_cleared_by_a_human_passes_on_any_channel(channel: Channel) -> None:
    held = req(channel, disclosed=True, attachments=(attach("check.py", sample=PWN),))
    cleared = req(channel, disclosed=True, attachments=(attach("check.py", sample=PWN, cleared=True),))

    assert decide(held, RULES).outcome is HOLD
    assert decide(cleared, RULES).outcome is ALLOW


# --------------------------------------------------------------------------- PUB-5: fix published too

PUB5 = {
    "mitigation given": Row(req(), ALLOW, ("included",), ()),
    "empty": Row(req(fix_or_mitigation=""), DENY, ("No fix or mitigation",), ("content.fix_or_mitigation",)),
    "blank": Row(req(fix_or_mitigation=" \n\t "), DENY, (), ("content.fix_or_mitigation",)),
}


@pytest.mark.parametrize("name", list(PUB5))
def test_pub5_fix_or_mitigation_with_the_publication(name: str) -> None:
    check("PUB-5", PUB5[name])


# --------------------------------------------------------------------------- PUB-6: major events


def beijing(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING)


def window(start: datetime, end: datetime, *, scope: tuple[str, ...] = ("all",), reference: str | None = None,
           consent: date | None = None, name: str = "重大活动") -> EventWindow:
    return EventWindow("w1", name, start, end, scope, reference, consent)


LIANGHUI = window(beijing(2024, 3, 4), beijing(2024, 3, 12), name="全国两会")
NIGHT = window(beijing(2024, 6, 1, 22), beijing(2024, 6, 2, 2), name="夜间保障")  # crosses midnight
NEW_YEAR = window(beijing(2023, 12, 31, 20), beijing(2024, 1, 1, 8), name="元旦保障")  # crosses a year
CONSENTED = replace(LIANGHUI, consent_reference="公网安〔2024〕12号", consent_date=date(2024, 3, 1))
NEW_YORK = ZoneInfo("America/New_York")

PUB6 = {
    "no windows": Row(req(), ALLOW, ("outside every",)),
    "outside the window": Row(req(at=beijing(2024, 3, 12, 0, 0), windows=(LIANGHUI,)), ALLOW, ("outside every",)),
    "inside, no consent": Row(
        req(at=beijing(2024, 3, 5, 9), windows=(LIANGHUI,)), DENY,
        ("全国两会", "2024-03-04 00:00 to 2024-03-12 00:00, Beijing time"),
        ("windows[w1].consent_reference", "windows[w1].consent_date")),
    "inside, consent recorded": Row(req(at=beijing(2024, 3, 5, 9), windows=(CONSENTED,)), ALLOW,
                                    ("公网安〔2024〕12号", "2024-03-01")),
    "consent dated after the publication": Row(
        req(at=beijing(2024, 3, 5, 9), windows=(replace(CONSENTED, consent_date=date(2024, 3, 6)),)), DENY,
        (), ("windows[w1].consent_date",)),
    "the start is inside": Row(req(at=beijing(2024, 3, 4), windows=(LIANGHUI,)), DENY),
    "the end is outside": Row(req(at=beijing(2024, 3, 12), windows=(LIANGHUI,)), ALLOW),
    "a second before the start": Row(req(at=beijing(2024, 3, 3, 23, 59, 59), windows=(LIANGHUI,)), ALLOW),
    # Beijing is UTC+8: 16:30 UTC on 3 March is 00:30 on 4 March in Beijing, inside the window.
    "UTC time inside a Beijing window": Row(req(at=datetime(2024, 3, 3, 16, 30, tzinfo=UTC), windows=(LIANGHUI,)),
                                            DENY),
    "UTC time just before a Beijing window": Row(
        req(at=datetime(2024, 3, 3, 15, 59, tzinfo=UTC), windows=(LIANGHUI,)), ALLOW),
    "New York time inside a Beijing window": Row(
        req(at=datetime(2024, 3, 3, 11, 30, tzinfo=NEW_YORK), windows=(LIANGHUI,)), DENY),
    "before midnight, in a window that crosses it": Row(req(at=beijing(2024, 6, 1, 23, 30), windows=(NIGHT,)), DENY),
    "after midnight, in a window that crosses it": Row(req(at=beijing(2024, 6, 2, 1, 30), windows=(NIGHT,)), DENY),
    "when a midnight-crossing window ends": Row(req(at=beijing(2024, 6, 2, 2), windows=(NIGHT,)), ALLOW),
    "the same clock time a day earlier": Row(req(at=beijing(2024, 6, 1, 1, 30), windows=(NIGHT,)), ALLOW),
    "new year's eve, in a window across the year": Row(req(at=beijing(2023, 12, 31, 23), windows=(NEW_YEAR,)),
                                                       DENY),
    "new year's day, in a window across the year": Row(req(at=beijing(2024, 1, 1, 0, 30), windows=(NEW_YEAR,)),
                                                       DENY, ("2023-12-31 20:00 to 2024-01-01 08:00",)),
    "new year's day in UTC (still 2023 there)": Row(
        req(at=datetime(2023, 12, 31, 17, tzinfo=UTC), windows=(NEW_YEAR,)), DENY),
    "after a window across the year": Row(req(at=beijing(2024, 1, 1, 8), windows=(NEW_YEAR,)), ALLOW),
    "window for another channel": Row(req(Channel.PORTAL, at=beijing(2024, 3, 5), windows=(
        replace(LIANGHUI, scope=("feed",)),)), ALLOW),
    "window for this channel": Row(req(Channel.FEED, at=beijing(2024, 3, 5), windows=(
        replace(LIANGHUI, scope=("portal", "feed")),)), DENY),
    "one consented window does not cover another": Row(
        req(at=beijing(2024, 3, 5), windows=(CONSENTED, replace(LIANGHUI, id="w2", name="另一活动"))), DENY,
        ("另一活动",), ("windows[w2].consent_reference", "windows[w2].consent_date")),
    "window without a time zone": Row(req(windows=(window(datetime(2024, 3, 4), datetime(2024, 3, 12)),)), DENY,
                                      ("without a time zone",)),
    "window that ends before it starts": Row(req(windows=(window(beijing(2024, 3, 12), beijing(2024, 3, 4)),)), DENY,
                                             ("does not end after it starts",)),
    "window with an unknown channel": Row(req(windows=(replace(LIANGHUI, scope=("portl",)),)), DENY,
                                          ("“portl”",), ("windows[w1].scope",)),
}


@pytest.mark.parametrize("name", list(PUB6))
def test_pub6_major_event_windows(name: str) -> None:
    check("PUB-6", PUB6[name])


# --------------------------------------------------------------------------- PUB-7: nothing undisclosed abroad

PUB7 = {
    "public channel, undisclosed": Row(req(Channel.PORTAL), ALLOW, ("governed by PUB-1 to PUB-6",), ()),
    "domestic recipient": Row(req(Channel.WEBHOOK, recipient=DOMESTIC), ALLOW, ("is domestic",)),
    "overseas recipient": Row(req(Channel.EMAIL, recipient=OVERSEAS), DENY,
                              ("overseas recipient “Overseas Research Ltd”",)),
    "overseas product provider": Row(req(Channel.SHARE, recipient=OVERSEAS_PROVIDER), ALLOW,
                                     ("is the product provider",)),
    "unknown jurisdiction": Row(req(Channel.API_READ, recipient=UNKNOWN), DENY,
                                ("unknown and is treated as overseas",), ("recipient.jurisdiction",)),
    "overseas, already disclosed": Row(req(Channel.EXPORT_RECIPIENT, recipient=OVERSEAS, disclosed=True), ALLOW,
                                       ("already public",)),
    "transfer without a recipient": Row(
        GateRequest(channel=Channel.WEBHOOK, content=GOOD_CONTENT, at=AT), DENY, ("“webhook”", "names none"),
        ("recipient",)),
}


@pytest.mark.parametrize("name", list(PUB7))
def test_pub7_no_undisclosed_information_abroad(name: str) -> None:
    check("PUB-7", PUB7[name])


def test_unknown_jurisdiction_says_so_in_both_languages() -> None:
    result = result_of("PUB-7", req(Channel.EMAIL, recipient=UNKNOWN))
    assert "按境外处理" in result.reason_zh
    assert "treated as overseas" in result.reason_en


# --------------------------------------------------------------------------- the decision


def test_which_rules_run_on_which_channel() -> None:
    for channel in PUBLIC:
        assert RULES.rules_for(channel) == ("PUB-1", "PUB-2", "PUB-3", "PUB-4", "PUB-5", "PUB-6", "PUB-7")
    for channel in TRANSFER:
        assert RULES.rules_for(channel) == ("PUB-4", "PUB-7")


def test_publication_rules_do_not_block_transfers() -> None:
    # Operator details, no fix and an inflated claim all stop publication, not a domestic transfer.
    request = req(Channel.SHARE, fix_available=False, in_operator_system=True, fix_or_mitigation="",
                  computed_severity=None, text="超危！")
    assert decide(request, RULES).allowed
    assert decide(replace(request, channel=Channel.PORTAL, recipient=None), RULES).rule_ids == (
        "PUB-1", "PUB-2", "PUB-3", "PUB-5")


def test_the_outcome_is_the_worst_and_every_rule_is_reported() -> None:
    request = req(Channel.PORTAL, fix_or_mitigation="", attachments=(attach("check.py", sample=PWN),))

    decision = decide(request, RULES)

    assert decision.outcome is DENY and not decision.allowed
    assert decision.rule_ids == ("PUB-4", "PUB-5")
    assert [r.rule_id for r in decision.results] == list(RULES.rules_for(Channel.PORTAL))
    assert {r.rule_id: r.outcome for r in decision.results}["PUB-4"] is HOLD


def test_a_hold_alone_holds() -> None:
    decision = decide(req(Channel.WEBHOOK, attachments=(attach("check.py", sample=PWN),)), RULES)
    assert decision.outcome is HOLD and decision.rule_ids == ("PUB-4",)


def test_to_dict_is_json_for_the_api_and_the_audit_log() -> None:
    decision = decide(req(Channel.EMAIL, recipient=OVERSEAS), RULES)

    data = json.loads(json.dumps(decision.to_dict(), ensure_ascii=False))

    assert data["outcome"] == "deny" and data["allowed"] is False
    assert data["channel"] == "email" and data["at"] == AT.isoformat()
    assert data["rules"] == {"id": "publication-gate-2021", "version": RULES.version}
    assert data["rule_ids"] == ["PUB-7"]
    assert [r["rule_id"] for r in data["results"]] == ["PUB-4", "PUB-7"]
    assert data["results"][1]["reason_zh"].startswith("未公开的漏洞信息")


INPUT = {
    "time without a zone": (req(at=datetime(2024, 5, 20, 10)), ("at",), "no time zone"),
    "unknown channel": (replace(req(), channel="carrier-pigeon"), ("channel",), "carrier-pigeon"),  # type: ignore[arg-type]
    "no content": (replace(req(), content=None), ("content",), "no content"),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("name", list(INPUT))
def test_incomplete_input_is_denied_never_raised(name: str) -> None:
    request, missing, says = INPUT[name]

    decision = decide(request, RULES)

    assert decision.outcome is DENY
    assert [(r.rule_id, r.missing) for r in decision.results] == [("GATE-INPUT", missing)]
    assert says in decision.results[0].reason_en
    json.dumps(decision.to_dict())


def test_a_channel_given_as_its_name_is_understood() -> None:
    request = replace(req(Channel.FEED), channel="feed")  # type: ignore[arg-type]
    assert decide(request, RULES).allowed


# --------------------------------------------------------------------------- the rules file


def test_the_shipped_rules_file() -> None:
    file = RULES.file
    assert (file.id, file.effective_from) == ("publication-gate-2021", date(2021, 9, 1))
    assert [r.id for r in file.rules] == [f"PUB-{n}" for n in range(1, 9)]
    status = {r.id: r.status for r in file.rules}
    assert status["PUB-5"] == "interpreted" and status["PUB-1"] == "confirmed"
    pub8 = RULES.rule_by_id["PUB-8"]
    assert pub8.informational and pub8.applies_to == []
    assert all("PUB-8" not in RULES.rules_for(c) for c in Channel)


@dataclass(frozen=True)
class Breakage:
    """Replace ``old`` by ``new``; the error must point at the line holding ``at`` (the first such
    line after the one holding ``after``, when given) and say ``says``."""

    old: str
    new: str
    at: str
    says: tuple[str, ...]
    after: str = ""


BREAKAGES = {
    "unknown key": Breakage(
        "  - id: PUB-2\n", "  - id: PUB-2\n    colour: red\n",
        at="    colour: red", says=("rules.1.colour", "Extra inputs are not permitted")),
    "unknown rule id in a reference": Breakage(
        "  rule: PUB-3\n", "  rule: PUB-9\n",
        at="  rule: PUB-9", says=("severity_claims.rule", "unknown rule id 'PUB-9' in a reference")),
    "reference to the wrong rule": Breakage(
        "  rule: PUB-4\n", "  rule: PUB-5\n",
        at="  rule: PUB-5", says=("used by PUB-4, not PUB-5",)),
    "unknown rule id": Breakage(
        "  - id: PUB-8\n", "  - id: PUB-9\n",
        at="  - id: PUB-9", says=("unknown rule id 'PUB-9'",)),
    "bad content regex": Breakage(
        "all_of: ['ROP(?:gadget\\b|\\()']", "all_of: ['ROP(?:gadget\\b|\\(']",
        at="all_of: ['ROP(?:gadget", says=("exploit_heuristics.content_patterns", "not a valid regular expression")),
    "bad regex, second of all_of": Breakage(
        "'socket\\b', 'payload\\b'", "'socket\\b', 'payload[\\b'",
        at="'payload[", says=("all_of.2", "not a valid regular expression")),
    "bad file-name regex": Breakage(
        "regex: '(?i)(?:^|", "regex: '(?i)(?:^|(",
        at="regex: '(?i)(?:^|(", says=("filename_patterns.0.regex", "not a valid regular expression")),
    "regex that matches everything": Breakage(
        "all_of: ['Exploit[ \\t]+Title[ \\t]*:']", "all_of: ['(?:Exploit)?']",
        at="all_of: ['(?:Exploit)?']", says=("matches empty content",)),
    "unknown placeholder": Breakage(
        'en: "The recipient “{recipient}” is domestic."', 'en: "The recipient “{name}” is domestic."',
        at="“{name}” is domestic", says=("unknown placeholder(s) name", "allowed: recipient")),
    "missing reason": Breakage(
        '      public_channel:\n        zh: "公开发布面向所有人（含境外），已由PUB-1至PUB-6把关，本规则不另行拦截。"\n'
        '        en: "Publication reaches everyone, overseas included, and is governed by PUB-1 to PUB-6; '
        'this rule adds no block."\n', "",
        at="    allow:", after="  - id: PUB-7",
        says=("rules.6.allow", "PUB-7 needs allow reasons for: public_channel")),
    "claim word under two levels": Breakage(
        "zh: [中危, 中风险, 中等风险]", "zh: [中危, 中风险, 高危]",
        at="zh: [中危, 中风险, 高危]", says=("'高危' is listed as both high and medium",)),
    "unbalanced brace in a template": Breakage(
        'en: "The product provider has made fix measures available."',
        'en: "The product provider has made fix measures available{."',
        at="available{.", says=("rules.0.allow.fix_available.en",)),
}


def write_broken(tmp_path: Path, b: Breakage) -> tuple[Path, int]:
    """Copy the rules file with one mistake; return the folder and the line the error is on."""
    assert TEXT.count(b.old) == 1, f"the breakage no longer matches the rules file: {b.old!r}"
    text = TEXT.replace(b.old, b.new)
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / RULES_FILE).write_text(text, encoding="utf-8")
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if b.after in line) if b.after else 0
    matches = [n for n, line in enumerate(lines[start:], start=start + 1) if b.at in line]
    assert matches and (b.after or len(matches) == 1), b.at
    return folder, matches[0]


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_rules_file_error_names_file_line_and_problem(tmp_path: Path, name: str) -> None:
    b = BREAKAGES[name]
    folder, line = write_broken(tmp_path, b)

    with pytest.raises(RulesError) as caught:
        load_gate_rules(folder)

    message = str(caught.value)
    assert message.startswith(f"{folder / RULES_FILE}:{line}: "), message
    for words in b.says:
        assert words in message, message


def test_missing_rules_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=str(tmp_path / RULES_FILE)):
        load_gate_rules(tmp_path)


# --------------------------------------------------------------------------- properties

SNIPPETS = [PWN, PY_PAYLOAD, ESCAPED_SHELLCODE, DIFF, b"\x90" * 20, b"/bin/sh socket", b"%PDF-1.7", b""]
WORDS = ["超危", "高危", "严重程度", "critical", "High-Risk", "low risk", "criticality", "中危", "not critical"]
zones = st.sampled_from([UTC, BEIJING, NEW_YORK])
aware = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=zones)
maybe_aware = st.one_of(aware, st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)))
texts = st.one_of(st.text(max_size=300),
                  st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=20)), max_size=12).map(" ".join))
attachments = st.builds(
    GateAttachment,
    filename=st.one_of(st.text(max_size=40), st.sampled_from(["exploit.py", "fix.patch", "pwn_it.c"])),
    kind=st.sampled_from(list(AttachmentKind)),
    sample=st.one_of(st.binary(max_size=1500), st.sampled_from(SNIPPETS)),
    human_cleared=st.booleans(),
)
contents = st.builds(
    Content, title=texts, text=texts,
    computed_severity=st.one_of(st.none(), st.sampled_from(["None", "Low", "Medium", "High", "Critical", "high"]),
                                st.text(max_size=10)),
    fix_available=st.booleans(), fix_or_mitigation=st.text(max_size=20), in_operator_system=st.booleans(),
    disclosed=st.booleans(), attachments=st.lists(attachments, max_size=4).map(tuple),
)
recipients = st.one_of(st.none(), st.builds(
    Recipient, label=st.text(max_size=20), jurisdiction=st.sampled_from(["domestic", "overseas", None]),
    is_product_provider=st.booleans()))
early_releases = st.one_of(st.none(), st.builds(
    EarlyRelease, joint_assessment_at=st.one_of(st.none(), maybe_aware),
    reported_to_miit_mps_at=st.one_of(st.none(), maybe_aware), evaluation_result=st.one_of(st.none(), st.text()),
    evaluated_at=st.one_of(st.none(), maybe_aware)))
windows = st.builds(
    EventWindow, id=st.text(max_size=5), name=st.text(max_size=10), starts_at=maybe_aware, ends_at=maybe_aware,
    scope=st.lists(st.sampled_from(["all", *(c.value for c in Channel), "nowhere"]), max_size=3).map(tuple),
    consent_reference=st.one_of(st.none(), st.text(max_size=10)), consent_date=st.one_of(st.none(), st.dates()))
requests = st.builds(
    GateRequest, channel=st.sampled_from(list(Channel)), content=contents, at=maybe_aware, recipient=recipients,
    early_release=early_releases, windows=st.lists(windows, max_size=3).map(tuple))
ORDER = {ALLOW: 0, HOLD: 1, DENY: 2}


@settings(max_examples=400, deadline=None, database=None)
@given(requests)
def test_decide_never_raises_and_takes_the_worst_result(request: GateRequest) -> None:
    decision = decide(request, RULES)

    assert isinstance(decision, Decision)
    assert decision.results
    assert decision.outcome is max((r.outcome for r in decision.results), key=ORDER.__getitem__)
    assert decision.allowed == (decision.outcome is ALLOW)
    assert all(r.reason_zh and r.reason_en for r in decision.results)
    json.dumps(decision.to_dict())
