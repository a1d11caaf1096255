"""What the collection-platform panels of the internal case page show: who the case is shared
with, who its members are (need-to-know, Art. 11) and its forward to the product's provider
(Art. 10 platforms).

Only members of the owning organisation get these panels; an organisation the case is shared with
reads the case and nothing about who else does. The forms post to ``routes/case_panels.py``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from wangan.kernel import identity
from wangan.kernel.models import Organisation, UserRole
from wangan.vulns import cases, forwarding, members, sharing
from wangan.vulns.models import Case, ProviderForward
from wangan.vulns.rules import ClockRule
from wangan.web.core import Web
from wangan.web.rendering import ClockView, clock_view
from wangan.web.routes.advisories import GateView


@dataclass(frozen=True)
class OrgOption:
    """An organisation a case may go to, as the share and forward forms offer it."""

    slug: str
    name: str
    jurisdiction: str  # domestic | overseas
    provider: bool  # the vendor named on the case's product


@dataclass(frozen=True)
class ShareRow:
    id: uuid.UUID
    org: OrgOption | None
    org_slug: str
    granted_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class ForwardPanel:
    """The PLATFORM-FORWARD clock and the forwards made so far."""

    rule: ClockRule
    due_at: datetime | None
    forwarded_at: datetime | None
    on_time: bool | None
    clock: ClockView | None
    forwards: list[ProviderForward]
    org_names: dict[uuid.UUID, str]


@dataclass(frozen=True)
class Refusal:
    """A gate refusal to show beside the form that caused it (``share`` or ``forward``)."""

    form: str
    view: GateView


@dataclass(frozen=True)
class Panels:
    shares: list[ShareRow]
    orgs: list[OrgOption]  # every organisation but the owner, for the share and forward forms
    org_options: list[tuple[str, str]]  # (slug, label in the page's language) of ``orgs``
    may_share: bool
    members: list[members.MemberView]
    may_manage_members: bool
    candidates: list[tuple[str, str]]  # (e-mail, label) of users who could be added
    forward: ForwardPanel | None
    vendor_slug: str  # the organisation named as the product's vendor, if it is on this instance


def _org_option(case: Case, org: Organisation) -> OrgOption:
    return OrgOption(slug=org.slug, name=org.name, jurisdiction=org.jurisdiction.value,
                     provider=cases.provides_product(case, org.name))


def _org_label(web: Web, org: OrgOption) -> str:
    label = f"{org.name} ({org.slug}) · {web.t('jurisdiction.' + org.jurisdiction)}"
    return f"{label} · {web.t('share.provider')}" if org.provider else label


def _candidates(web: Web, case: Case) -> list[tuple[str, str]]:
    """Users of the owning organisation who may become members and are not yet."""
    return [(u.email, f"{u.display_name} <{u.email}> · {web.t('role.' + u.role.value)}")
            for u in members.candidates(web.db, web.principal, case.id)]


def _forward_panel(web: Web, case: Case, by_id: dict[uuid.UUID, Organisation]) -> ForwardPanel | None:
    forwards = forwarding.list_forwards(web.db, web.principal, case.id)
    if case.forward_due_at is None and not forwards:
        return None
    on_time = next((f.on_time for f in forwards if f.on_time is not None), None)
    clock = None
    if case.forward_due_at is not None:
        clock = clock_view(case.forward_due_at, web.now(), submitted_at=case.forwarded_at, on_time=on_time)
    return ForwardPanel(
        rule=web.rt.vuln_rules.clock(cases.FORWARD_CLOCK), due_at=case.forward_due_at,
        forwarded_at=case.forwarded_at, on_time=on_time, clock=clock, forwards=forwards,
        org_names={i: o.name for i, o in by_id.items()})


def build(web: Web, case: Case, *, may_write: bool) -> Panels:
    """The panels for a member of the owning organisation (callers check that first)."""
    orgs = [o for o in identity.list_organisations(web.db) if o.id != case.org_id]
    by_id = {o.id: o for o in orgs}
    shares = sharing.list_shares(web.db, web.principal, case.id)
    slugs = sharing.organisation_slugs(web.db, shares)
    rows = [ShareRow(id=s.id, org=_org_option(case, by_id[s.org_id]) if s.org_id in by_id else None,
                     org_slug=slugs.get(s.org_id, ""), granted_at=s.granted_at, revoked_at=s.revoked_at)
            for s in reversed(shares)]
    current = members.list_members(web.db, web.principal, case.id)
    manage = may_write and (web.principal.is_admin or web.principal.role is UserRole.MANAGER)
    options = [_org_option(case, o) for o in orgs]
    return Panels(
        shares=rows, orgs=options, org_options=[(o.slug, _org_label(web, o)) for o in options],
        may_share=may_write, members=current, may_manage_members=manage,
        candidates=_candidates(web, case) if manage else [],
        forward=_forward_panel(web, case, by_id),
        vendor_slug=next((o.slug for o in options if o.provider), ""))
