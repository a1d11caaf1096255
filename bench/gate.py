"""Publication-gate benchmark: how many Art. 9 decisions per second one process makes.

Run from the repository root::

    .venv/bin/python bench/gate.py [--advisories 100000] [--recipients 4] [--seed 2021]

It generates synthetic advisories (titles and texts in Chinese and English, with and without
severity claims, consistent or exaggerated; attachments of every kind, some of which look like
exploit code; fix, mitigation, operator and disclosure states; early-release records) and pairs
each advisory with every recipient (domestic, overseas, overseas product provider, unknown
jurisdiction, cycled up to ``--recipients``), each pair going out through one of the eight channels
in rotation, at a time in 2023 (three major-event windows, one across the new year). Everything
comes from one seeded generator, so two runs decide the same requests.

It then times ``decide`` over all of them (one pass, no per-call timing, garbage collector on),
times a sample of single calls for p50/p99, and prints decisions/s, microseconds per decision and
the outcome mix. It also checks that every decision's outcome is the worst of its rule results.

Exit status: 0 when the check passes and at least 20,000 decisions/s were made, 1 otherwise,
2 when the bench could not run (the rules file did not load, fewer than 100,000 decisions).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

from wangan.kernel.calendar import BEIJING
from wangan.kernel.rules import RulesError
from wangan.vulns.gate import (
    AttachmentKind,
    Channel,
    Content,
    Decision,
    EarlyRelease,
    EventWindow,
    GateAttachment,
    GateRequest,
    GateRules,
    Outcome,
    Recipient,
    load_gate_rules,
)

REPO = Path(__file__).resolve().parents[1]
TARGET_PER_SECOND = 20_000.0
MIN_DECISIONS = 100_000
SAMPLE_EVERY = 10  # every n-th request is also timed on its own for the percentiles
SEVERITIES = ["None", "Low", "Medium", "High", "Critical"]

# --------------------------------------------------------------------------- synthetic content

PRODUCTS_ZH = ["某品牌企业级路由器", "工业控制系统HMI软件", "智能摄像头固件", "办公自动化系统", "VPN网关",
               "数据库管理系统", "物联网网关", "邮件服务器", "内容管理系统", "防火墙管理平台"]
PRODUCTS_EN = ["Acme edge router", "OpenWidget HTTP server", "Contoso VPN gateway", "FooDB database server",
               "BarCMS content manager", "Initech IoT hub", "Globex mail server", "Umbrella SCADA HMI"]
FLAWS_ZH = ["命令注入", "缓冲区溢出", "SQL注入", "跨站脚本", "身份认证绕过", "目录遍历", "反序列化", "越权访问"]
FLAWS_EN = ["command injection", "buffer overflow", "SQL injection", "cross-site scripting",
            "authentication bypass", "path traversal", "unsafe deserialisation", "privilege escalation"]
# Claim words by level (what a writer would use), including some that are not claims at all.
CLAIMS_ZH = {1: ["低危"], 2: ["中危", "中风险"], 3: ["高危", "高风险"], 4: ["超危", "严重", "极其危险"]}
CLAIMS_EN = {1: ["low risk"], 2: ["medium severity", "moderate risk"], 3: ["high-risk", "high severity", "severe"],
             4: ["critical", "catastrophic", "CRITICAL"]}
NEUTRAL_ZH = ["攻击者可利用该漏洞在设备上执行任意命令。", "该漏洞影响{v}及以下版本。", "建议用户尽快升级至最新版本。",
              "厂商已发布安全公告。", "漏洞的严重程度依据CVSS 3.1评估。", "该问题由安全研究人员报告。",
              "在默认配置下，远程未经身份验证的攻击者即可触发该问题。", "关键信息基础设施运营者应关注此问题。"]
NEUTRAL_EN = ["An attacker can exploit this issue to run arbitrary commands on the device.",
              "Versions up to and including {v} are affected.", "Users should upgrade to the latest release.",
              "The vendor has published a security notice.", "Severity was assessed with CVSS 3.1.",
              "The issue was reported by an independent researcher.",
              "Operators of critical infrastructure should review their deployments.",
              "In the default configuration a remote, unauthenticated attacker can trigger the flaw."]
MITIGATIONS = ["升级至 {v}.1 或更高版本。", "Upgrade to {v}.1 or later.", "临时关闭远程管理接口。",
               "Disable the web management interface until the update is applied.", "", "   "]


def _version(rng: random.Random) -> str:
    return f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"


def _text(rng: random.Random, zh: bool, claim: str | None, v: str) -> str:
    pool = NEUTRAL_ZH if zh else NEUTRAL_EN
    sentences = [rng.choice(pool).format(v=v) for _ in range(rng.randint(4, 40))]
    if claim is not None:
        where = rng.randrange(len(sentences) + 1)
        sentences.insert(where, f"该漏洞为{claim}漏洞。" if zh else f"This is a {claim} vulnerability.")
    return ("" if zh else " ").join(sentences)


def _samples(rng: random.Random) -> dict[str, list[bytes]]:
    """A pool of attachment contents per variant, up to 1 KB each; advisories draw from it."""

    def pad(head: bytes, filler: bytes) -> bytes:
        body = head + filler * (1024 // max(len(filler), 1))
        return body[: rng.randint(max(len(head), 200), 1024)]

    pools: dict[str, list[bytes]] = {"patch": [], "poc": [], "poc_pwn": [], "exploit": [], "document": [],
                                     "binary": []}
    for i in range(64):
        pools["patch"].append(pad(f"diff --git a/src/http.c b/src/http.c\nindex {i:07x}..\n--- a/src/http.c\n"
                                  "+++ b/src/http.c\n@@ -120,7 +120,9 @@\n".encode(),
                                  b"-    memcpy(buf, req, len);\n+    if (len > sizeof buf) return -1;\n"))
        pools["poc"].append(pad(f"#!/usr/bin/env python3\n# PoC {i}: shows the crash, does not exploit it\n"
                                "import requests\n".encode(),
                                b"r = requests.get(URL + '/cgi-bin/' + 'A' * 4096, timeout=5)\nprint(r.status_code)\n"))
        pools["poc_pwn"].append(pad(b"#!/usr/bin/env python3\nfrom pwn import *\n",
                                    b"io = remote(HOST, PORT)\nio.sendline(b'A' * 264 + p64(0x401196))\n"))
        pools["exploit"].append(pad(b"#!/usr/bin/env python\nimport socket\npayload = b'",
                                    b"\\x31\\xc0\\x50\\x68\\x2f\\x2f\\x73\\x68\\x68\\x2f\\x62\\x69\\x6e"))
        pools["document"].append(pad(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n",
                                     bytes(rng.randrange(256) for _ in range(64))))
        pools["binary"].append(bytes(rng.randrange(256) for _ in range(rng.randint(256, 1024))))
    return pools


def _attachments(rng: random.Random, pools: dict[str, list[bytes]], n: int) -> tuple[GateAttachment, ...]:
    out: list[GateAttachment] = []
    for k in range(rng.choices([0, 1, 2, 3], weights=[35, 40, 18, 7])[0]):
        roll = rng.random()
        if roll < 0.40:
            out.append(GateAttachment(f"fix-{n}-{k}.patch", AttachmentKind.PATCH, rng.choice(pools["patch"])))
        elif roll < 0.65:
            out.append(GateAttachment(f"poc_{n}_{k}.py", AttachmentKind.POC, rng.choice(pools["poc"])))
        elif roll < 0.72:  # a PoC that is really an exploit; some were already cleared by a human
            out.append(GateAttachment(f"check_{n}_{k}.py", AttachmentKind.POC, rng.choice(pools["poc_pwn"]),
                                      human_cleared=rng.random() < 0.3))
        elif roll < 0.75:
            out.append(GateAttachment(f"exploit_{n}_{k}.py", AttachmentKind.EXPLOIT, rng.choice(pools["exploit"])))
        elif roll < 0.95:
            out.append(GateAttachment(f"advisory-{n}-{k}.pdf", AttachmentKind.DOCUMENT,
                                      rng.choice(pools["document"])))
        else:
            out.append(GateAttachment(f"firmware-{n}-{k}.bin", AttachmentKind.PATCH, rng.choice(pools["binary"])))
    return tuple(out)


def advisory(rng: random.Random, pools: dict[str, list[bytes]], n: int) -> tuple[Content, EarlyRelease | None]:
    zh = rng.random() < 0.6
    v = _version(rng)
    computed = rng.choices([*SEVERITIES, None], weights=[2, 10, 35, 33, 15, 5])[0]
    computed_rank = SEVERITIES.index(computed) if computed is not None else 3
    claim: str | None = None
    if rng.random() < 0.55:  # most claims match the assessment; some overstate it by a level or two
        level = max(1, min(4, computed_rank + rng.choices([-1, 0, 1, 2], weights=[20, 60, 15, 5])[0]))
        claim = rng.choice((CLAIMS_ZH if zh else CLAIMS_EN)[level])
    if zh:
        title = f"{rng.choice(PRODUCTS_ZH)} {v} 存在{rng.choice(FLAWS_ZH)}漏洞"
    else:
        title = f"{rng.choice(FLAWS_EN).capitalize()} in {rng.choice(PRODUCTS_EN)} {v}"
    if claim is not None and rng.random() < 0.3:
        title = f"【{claim}】{title}" if zh else f"[{claim}] {title}"
        claim = None
    fix_available = rng.random() < 0.75
    early: EarlyRelease | None = None
    if not fix_available and rng.random() < 0.5:
        t0 = datetime(2023, 1, 1, 9, tzinfo=BEIJING) + timedelta(days=rng.randrange(200))
        complete = rng.random() < 0.6
        early = EarlyRelease(t0, t0 + timedelta(days=1), "同意提前发布" if complete else None,
                             t0 + timedelta(days=3) if complete else None)
    content = Content(
        title=title,
        text=_text(rng, zh, claim, v),
        computed_severity=computed,
        fix_available=fix_available,
        fix_or_mitigation=rng.choice(MITIGATIONS).format(v=v),
        in_operator_system=rng.random() < 0.05,
        disclosed=rng.random() < 0.3,
        attachments=_attachments(rng, pools, n),
    )
    return content, early


WINDOWS = (
    EventWindow("lianghui-2023", "全国两会", datetime(2023, 3, 3, tzinfo=BEIJING),
                datetime(2023, 3, 14, tzinfo=BEIJING)),
    EventWindow("ciie-2023", "进博会", datetime(2023, 11, 5, tzinfo=BEIJING), datetime(2023, 11, 11, tzinfo=BEIJING),
                scope=("portal", "feed"), consent_reference="公网安〔2023〕X号", consent_date=date(2023, 11, 1)),
    EventWindow("new-year-2024", "元旦保障", datetime(2023, 12, 31, 20, tzinfo=BEIJING),
                datetime(2024, 1, 1, 8, tzinfo=BEIJING)),
)
RECIPIENT_KINDS = (
    ("domestic CERT", "domestic", False),
    ("overseas researcher", "overseas", False),
    ("overseas vendor (provider)", "overseas", True),
    ("unknown mailing list", None, False),
)
CHANNELS = tuple(Channel)


def recipients(count: int) -> list[Recipient]:
    return [Recipient(f"{RECIPIENT_KINDS[i % 4][0]} #{i}", RECIPIENT_KINDS[i % 4][1],  # type: ignore[arg-type]
                      RECIPIENT_KINDS[i % 4][2]) for i in range(count)]


def build_requests(advisories: int, recipient_count: int, seed: int) -> list[GateRequest]:
    rng = random.Random(seed)
    pools = _samples(rng)
    people = recipients(recipient_count)
    start = datetime(2023, 1, 1, tzinfo=BEIJING)
    requests: list[GateRequest] = []
    for n in range(advisories):
        content, early = advisory(rng, pools, n)
        at = start + timedelta(seconds=rng.randrange(366 * 86400))
        for j, person in enumerate(people):
            channel = CHANNELS[(n * 3 + j) % len(CHANNELS)]
            public = channel in (Channel.PORTAL, Channel.FEED, Channel.EXPORT_PUBLIC)
            requests.append(GateRequest(channel=channel, content=content, at=at,
                                        recipient=None if public else person, early_release=early,
                                        windows=WINDOWS))
    return requests


# --------------------------------------------------------------------------- measuring


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Benchmark the Art. 9 publication gate in one process.")
    ap.add_argument("--advisories", type=int, default=100_000, help="synthetic advisories (default 100000)")
    ap.add_argument("--recipients", type=int, default=4,
                    help="recipients per advisory, cycling domestic/overseas/overseas provider/unknown (default 4)")
    ap.add_argument("--seed", type=int, default=2021)
    return ap.parse_args(argv)


def worst_is_outcome(decision: Decision) -> bool:
    order = {Outcome.ALLOW: 0, Outcome.HOLD: 1, Outcome.DENY: 2}
    return decision.outcome == max((r.outcome for r in decision.results), key=order.__getitem__,
                                   default=Outcome.ALLOW)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        rules: GateRules = load_gate_rules(REPO / "rules")
    except RulesError as exc:
        print(f"bench: cannot load the gate rules: {exc}", file=sys.stderr)
        return 2
    total = args.advisories * args.recipients
    if total < MIN_DECISIONS:
        print(f"bench: {args.advisories} advisories x {args.recipients} recipients = {total} decisions; "
              f"the figure needs at least {MIN_DECISIONS}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    requests = build_requests(args.advisories, args.recipients, args.seed)
    built = time.perf_counter() - t0
    print(f"built {len(requests):,} requests ({args.advisories:,} advisories x {args.recipients} recipients) "
          f"in {built:.1f} s")

    # The generated data lives as long as the run; freezing it keeps the collector from walking it
    # on every generation-2 pass, as a long-lived server would after start-up. The collector stays on.
    gc.collect()
    gc.freeze()
    decide = rules.decide
    decide(requests[0])  # warm the caches of re and of the interpreter before the clock starts

    t0 = time.perf_counter()
    decisions = [decide(r) for r in requests]
    elapsed = time.perf_counter() - t0
    per_second = len(requests) / elapsed

    timings: list[int] = []
    clock = time.perf_counter_ns
    for r in requests[::SAMPLE_EVERY]:
        s = clock()
        decide(r)
        timings.append(clock() - s)
    timings.sort()
    p50 = statistics.median(timings) / 1000
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))] / 1000

    outcomes = Counter(d.outcome.value for d in decisions)
    by_channel = Counter((d.channel, d.outcome.value) for d in decisions)
    blocking = Counter(rule_id for d in decisions for rule_id in d.rule_ids)
    inconsistent = sum(1 for d in decisions if not worst_is_outcome(d))

    print(f"decisions:     {len(decisions):,} in {elapsed:.2f} s")
    print(f"throughput:    {per_second:,.0f} decisions/s (target >= {TARGET_PER_SECOND:,.0f})")
    print(f"per decision:  mean {elapsed / len(decisions) * 1e6:.1f} us; sampled 1 in {SAMPLE_EVERY} "
          f"({len(timings):,} calls): p50 {p50:.1f} us, p99 {p99:.1f} us")
    print("outcomes:      " + ", ".join(f"{o} {outcomes[o]:,} ({outcomes[o] / len(decisions):.1%})"
                                         for o in ("allow", "hold", "deny")))
    print("not allowed by rule: " + ", ".join(f"{k} {v:,}" for k, v in sorted(blocking.items())))
    for channel in CHANNELS:
        row = ", ".join(f"{o} {by_channel[(channel.value, o)]:,}" for o in ("allow", "hold", "deny"))
        print(f"  {channel.value:<17} {row}")

    failed = False
    if inconsistent:
        print(f"FAIL: {inconsistent} decisions whose outcome is not the worst of their results", file=sys.stderr)
        failed = True
    if per_second < TARGET_PER_SECOND:
        print(f"FAIL: {per_second:,.0f} decisions/s is below the target of {TARGET_PER_SECOND:,.0f}",
              file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
