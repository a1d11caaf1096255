"""A collection platform forwards each report to the product's provider (Art. 10 platforms; the
provider's own Art. 7 clocks start when it learns of the vulnerability).

Three ways, each put to the Art. 9 gate first, since the report is undisclosed content leaving
the platform (PUB-7 allows the provider even when it is overseas, and nobody else there):

- ``share``: the provider is an organisation on this instance; the case is shared with it
  (``vulns.sharing``), which must be the vendor named on the case's product;
- ``email``: the report goes to the provider's security contact through the outbox;
- ``recorded``: it was sent outside wangan (the vendor's own portal, a phone call) and is
  recorded here with its reference.

The first forward meets the case's PLATFORM-FORWARD clock (``Case.forward_due_at``) and says
whether it was on time; later forwards (another contact, a resend) are kept as history."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.errors import ErrorList, Invalid, NotFound
from wangan.kernel import audit, identity, outbox
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import BEIJING
from wangan.kernel.models import Organisation
from wangan.vulns import advisories, cases, gate, policy, sharing
from wangan.vulns.events import VulnTag
from wangan.vulns.models import Case, CaseShare, ForwardChannel, ProviderForward

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
JURISDICTIONS = ("domestic", "overseas")


@dataclass(frozen=True)
class ForwardIn:
    """What a person gives to forward a case. ``jurisdiction`` of an e-mail or recorded recipient
    is ``domestic``, ``overseas`` or empty (unknown, treated as overseas by the gate)."""

    channel: str
    organisation: str = ""  # slug, for ``share``
    email: str = ""  # for ``email``
    recipient: str = ""  # who it went to, for ``recorded``
    jurisdiction: str = ""
    reference: str = ""
    note: str = ""
    forwarded_at: datetime | None = None  # for ``recorded``: when it was sent; otherwise now


def _actor(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.label)


def _validate(data: ForwardIn, now: datetime) -> tuple[ForwardChannel, gate.Jurisdiction | None]:
    errors = ErrorList()
    try:
        channel = ForwardChannel(data.channel)
    except ValueError:
        errors.add("channel", f"one of {', '.join(c.value for c in ForwardChannel)}")
        errors.raise_if_any("the forward is not complete")
    if channel is ForwardChannel.SHARE and not data.organisation.strip():
        errors.add("organisation", "name the provider's organisation on this instance")
    if channel is ForwardChannel.EMAIL and not EMAIL_RE.match(data.email.strip()):
        errors.add("email", "give the provider's security contact e-mail address")
    if channel is ForwardChannel.RECORDED:
        if not data.recipient.strip():
            errors.add("recipient", "say who received the report (the provider's portal, contact or person)")
        if data.forwarded_at is None:
            errors.add("forwarded_at", "say when it was sent")
    if data.jurisdiction and data.jurisdiction not in JURISDICTIONS:
        errors.add("jurisdiction", "domestic, overseas, or leave empty if unknown (treated as overseas)")
    if data.forwarded_at is not None:
        if data.forwarded_at.tzinfo is None:
            errors.add("forwarded_at", "add a time zone")
        elif data.forwarded_at > now + timedelta(minutes=5):
            errors.add("forwarded_at", "cannot be in the future")
    for name, value, limit in (("email", data.email, 320), ("recipient", data.recipient, 320),
                               ("reference", data.reference, 200), ("note", data.note, 5000)):
        if len(value) > limit:
            errors.add(name, f"at most {limit} characters")
    errors.raise_if_any("the forward is not complete")
    jurisdiction: gate.Jurisdiction | None = None
    if data.jurisdiction == "domestic":
        jurisdiction = "domestic"
    elif data.jurisdiction == "overseas":
        jurisdiction = "overseas"
    return channel, jurisdiction


def forward_to_provider(session: Session, principal: Principal, rules: gate.GateRules,
                        case_ref: str | uuid.UUID, data: ForwardIn, *, now: datetime,
                        platform_name: str = "wangan") -> ProviderForward:
    """Forward the case's report to the product's provider, if the gate allows it."""
    case = cases.get_case(session, principal, case_ref)
    policy.require_write_case(principal, case, case_ref)
    channel, jurisdiction = _validate(data, now)
    if case.product is None:
        raise Invalid(f"case {case.number} names no product: set the product first, so the provider is known")
    org: Organisation | None = None
    if channel is ForwardChannel.SHARE:
        try:
            org = identity.get_organisation(session, data.organisation.strip())
        except NotFound as exc:
            raise Invalid(f"no organisation {data.organisation.strip()!r}") from exc
        if not cases.provides_product(case, org.name):
            raise Invalid(f"{org.name} is not the vendor named on the case's product ({case.product.vendor}); "
                          "forward only to the product's provider")
        recipient = cases.gate_recipient(case, org)
        label = org.slug
    else:
        label = data.email.strip() if channel is ForwardChannel.EMAIL else data.recipient.strip()
        # The person forwarding states that this contact is the product's provider; the audit
        # record keeps who said so.
        recipient = gate.Recipient(label=label, jurisdiction=jurisdiction, is_product_provider=True)
    at = data.forwarded_at if channel is ForwardChannel.RECORDED and data.forwarded_at else now
    gate_channel = gate.Channel.SHARE if channel is ForwardChannel.SHARE else gate.Channel.EMAIL
    decision = gate.decide(gate.GateRequest(channel=gate_channel, content=cases.gate_content(session, case),
                                            recipient=recipient, at=now), rules)
    audit.record(session, VulnTag.GATE_DECIDED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"channel": gate_channel.value, "dry_run": False, "recipient": label,
                       "purpose": "forward-to-provider", "decision": decision.to_dict()})
    if not decision.allowed:
        raise advisories.GateRefused(decision)

    if org is not None and not _actively_shared(session, case, org):
        sharing.grant_share(session, principal, case, org, now)
    forward = ProviderForward(
        case_id=case.id, channel=channel, provider_org_id=org.id if org else None, recipient=label,
        jurisdiction=jurisdiction or (cases.gate_jurisdiction(org) if org else None) or "unknown",
        reference=data.reference.strip(), note=data.note, forwarded_by=principal.user_id, forwarded_at=at,
        on_time=None if case.forward_due_at is None or case.forwarded_at is not None else at <= case.forward_due_at,
    )
    session.add(forward)
    if case.forwarded_at is None:
        case.forwarded_at = at
    session.flush()
    if channel is ForwardChannel.EMAIL:
        subject, body = forward_email(case, platform_name)
        outbox.enqueue(session, channel="email", recipient=label, subject=subject, body=body,
                       dedupe_key=f"forward:{case.id}:{forward.id}", not_before=now)
    audit.record(session, VulnTag.CASE_FORWARDED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"forward_id": str(forward.id), "channel": channel.value, "recipient": label,
                       "jurisdiction": forward.jurisdiction, "forwarded_at": at, "on_time": forward.on_time,
                       "reference": forward.reference})
    return forward


def _actively_shared(session: Session, case: Case, org: Organisation) -> bool:
    return session.execute(select(CaseShare.id).where(
        CaseShare.case_id == case.id, CaseShare.org_id == org.id, CaseShare.revoked_at.is_(None))).first() is not None


def list_forwards(session: Session, principal: Principal, case_ref: str | uuid.UUID) -> list[ProviderForward]:
    """Every forward of the case, oldest first; for those who read the case in its organisation."""
    case = cases.get_case(session, principal, case_ref)
    policy.require_read(principal, case, "case", case_ref)
    return list(session.execute(select(ProviderForward).where(ProviderForward.case_id == case.id)
                                .order_by(ProviderForward.forwarded_at, ProviderForward.id)).scalars())


def forward_email(case: Case, platform_name: str) -> tuple[str, str]:
    """Bilingual e-mail carrying the report to the provider: what was reported, about which
    product, and how to reach the platform. The finder's identity stays with the platform."""
    product = case.product
    what = (f"{product.vendor} {product.name} {product.model}".strip() if product else "")
    versions = case.affected_versions or (", ".join(product.versions) if product else "")
    received = case.aware_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    subject = f"[{platform_name}] 漏洞信息转交 / Vulnerability report for your product: {case.number}"[:500]
    body = "\n".join([
        f"{platform_name} 收到一份关于贵方产品的漏洞报告，现转交产品提供者处理（《网络产品安全漏洞管理规定》）。",
        "贵方应立即验证，并在获知后2日内向工业和信息化部网络安全威胁和漏洞信息共享平台报送（第七条）。",
        "在修补措施发布前，请勿公开本漏洞信息（第九条）。",
        "",
        f"编号 / Reference: {case.number}",
        f"产品 / Product: {what}",
        f"影响版本 / Affected versions: {versions}",
        f"收到时间 / Received: {received} 北京时间 / Beijing time",
        f"标题 / Title: {case.title}",
        "",
        case.description,
        "",
        f"{platform_name} received a report of a vulnerability in your product and forwards it to you, the "
        "product's provider, under China's Provisions on the Management of Network Product Security "
        "Vulnerabilities. Verify it at once; providers report to MIIT's sharing platform (NVDB) within 2 days "
        "of learning of it (Art. 7). Do not publish it before a fix is available (Art. 9).",
        "Reply to this message to reach the platform; quote the reference above.",
    ])
    return subject, body
