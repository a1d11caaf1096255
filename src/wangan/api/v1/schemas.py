"""Request and response bodies of the JSON API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from wangan.vulns.models import (
    Asset,
    Case,
    DownstreamNotice,
    IntakeRecord,
    OperatorFinding,
    Product,
    UpstreamNotice,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReportCreate(Strict):
    title: str = Field(min_length=1, max_length=300)
    content: str = Field(min_length=1)
    reporter_contact: str = Field(min_length=1, max_length=320)
    reporter_name: str = Field(default="", max_length=200)
    product_hint: str = Field(default="", max_length=300)
    organisation: str | None = Field(default=None, description="slug of the receiving organisation")


class AttachmentOut(BaseModel):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str


class ReportReceipt(BaseModel):
    id: uuid.UUID
    received_at: datetime
    retention_until: datetime
    channel: str
    content_hash: str
    organisation: str
    attachments: list[AttachmentOut]


class ReportOut(ReportReceipt):
    title: str
    content: str
    reporter_name: str
    reporter_contact: str
    product_hint: str
    case_number: str | None = None
    case_state: str | None = None

    @classmethod
    def of(cls, r: IntakeRecord, org_slug: str, case: Case | None) -> ReportOut:
        return cls(**receipt_fields(r, org_slug), title=r.title, content=r.content,
                   reporter_name=r.reporter_name, reporter_contact=r.reporter_contact,
                   product_hint=r.product_hint, case_number=case.number if case else None,
                   case_state=case.state.value if case else None)


def receipt_fields(r: IntakeRecord, org_slug: str) -> dict[str, Any]:
    return {
        "id": r.id, "received_at": r.received_at, "retention_until": r.retention_until,
        "channel": r.channel.value, "content_hash": r.content_hash, "organisation": org_slug,
        "attachments": [AttachmentOut(id=a.id, filename=a.filename, content_type=a.content_type,
                                      size=a.size, sha256=a.sha256) for a in r.attachments],
    }


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class CaseCreate(Strict):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    report_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    aware_at: AwareDatetime | None = None
    product_id: uuid.UUID | None = None
    affected_versions: str | None = None
    technical_characteristics: str | None = None
    harm: str | None = None
    impact_scope: str | None = None
    cwe: str | None = None
    cvss31_vector: str | None = None
    cvss40_vector: str | None = None
    in_upstream_component: bool | None = None
    user_action_required: bool | None = None


class CaseUpdate(Strict):
    version: int | None = Field(default=None, description="the version you read; 409 if it changed")
    title: str | None = None
    description: str | None = None
    product_id: uuid.UUID | None = None
    affected_versions: str | None = None
    verification_result: str | None = None
    technical_characteristics: str | None = None
    harm: str | None = None
    impact_scope: str | None = None
    cwe: str | None = None
    cvss31_vector: str | None = None
    cvss40_vector: str | None = None
    in_upstream_component: bool | None = None
    user_action_required: bool | None = None
    fix_description: str | None = None
    fix_available_at: AwareDatetime | None = None


class TransitionIn(Strict):
    transition: str = Field(min_length=1)
    version: int | None = None
    note: str = Field(default="", max_length=2000)


class UpstreamIn(Strict):
    supplier: str
    component: str
    component_version: str = ""
    channel: str = ""
    sent_at: AwareDatetime


class DownstreamIn(Strict):
    recipients: str
    fix: str
    sent_at: AwareDatetime


class NvdbSubmissionIn(Strict):
    reference: str
    submitted_at: AwareDatetime
    version: int | None = None


class UpstreamOut(BaseModel):
    id: uuid.UUID
    supplier: str
    component: str
    component_version: str
    channel: str
    sent_at: datetime

    @classmethod
    def of(cls, n: UpstreamNotice) -> UpstreamOut:
        return cls(id=n.id, supplier=n.supplier, component=n.component,
                   component_version=n.component_version, channel=n.channel, sent_at=n.sent_at)


class DownstreamOut(BaseModel):
    id: uuid.UUID
    recipients: str
    fix: str
    sent_at: datetime

    @classmethod
    def of(cls, n: DownstreamNotice) -> DownstreamOut:
        return cls(id=n.id, recipients=n.recipients, fix=n.fix, sent_at=n.sent_at)


class ProductOut(BaseModel):
    id: uuid.UUID
    vendor: str
    name: str
    model: str
    versions: list[str]

    @classmethod
    def of(cls, p: Product) -> ProductOut:
        return cls(id=p.id, vendor=p.vendor, name=p.name, model=p.model, versions=list(p.versions))


class ProductCreate(Strict):
    vendor: str
    name: str
    model: str = ""
    versions: list[str] = Field(default_factory=list)
    organisation_id: uuid.UUID | None = None


class TransitionOption(BaseModel):
    id: str
    to: str
    label_en: str
    label_zh: str
    blocked_by: list[str]


class CaseOut(BaseModel):
    id: uuid.UUID
    number: str
    version: int
    organisation_id: uuid.UUID
    report_id: uuid.UUID | None
    title: str
    description: str
    state: str
    product: ProductOut | None
    affected_versions: str
    aware_at: datetime
    nvdb_due_at: datetime
    nvdb_rule_id: str
    nvdb_overdue: bool
    nvdb_seconds_left: int
    nvdb_submitted_at: datetime | None
    nvdb_reference: str
    nvdb_on_time: bool | None
    forward_due_at: datetime | None = Field(
        description="collection platform: when the report must have reached the product's provider "
                    "(PLATFORM-FORWARD); null when no forward is due")
    forwarded_at: datetime | None = Field(description="when the report first went to the provider")
    forward_overdue: bool = Field(description="a forward is due, has not happened and its time has passed")
    verification_result: str
    verified_at: datetime | None
    technical_characteristics: str
    harm: str
    impact_scope: str
    cwe: str
    cvss31_vector: str
    cvss31_score: float | None
    cvss31_severity: str
    cvss40_vector: str
    cvss40_score: float | None
    cvss40_severity: str
    in_upstream_component: bool
    user_action_required: bool
    fix_description: str
    fix_available_at: datetime | None
    upstream_notices: list[UpstreamOut]
    downstream_notices: list[DownstreamOut]
    transitions: list[TransitionOption]
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class AssetCreate(Strict):
    kind: str
    name: str
    identifier: str
    location: str = ""
    owner: str = ""
    organisation_id: uuid.UUID | None = None


class AssetOut(BaseModel):
    id: uuid.UUID
    kind: str
    name: str
    identifier: str
    location: str
    owner: str

    @classmethod
    def of(cls, a: Asset) -> AssetOut:
        return cls(id=a.id, kind=a.kind.value, name=a.name, identifier=a.identifier,
                   location=a.location, owner=a.owner)


class FindingCreate(Strict):
    asset_id: uuid.UUID
    title: str
    description: str = ""
    reference: str = ""
    cvss31_vector: str = ""
    found_at: AwareDatetime | None = None


class FindingAction(Strict):
    action: str
    note: str = ""
    version: int | None = None


class FindingOut(BaseModel):
    id: uuid.UUID
    version: int
    asset: AssetOut
    title: str
    description: str
    reference: str
    cvss31_vector: str
    cvss31_score: float | None
    state: str
    found_at: datetime
    verify_due_at: datetime
    fix_due_at: datetime
    verified_at: datetime | None
    fixed_at: datetime | None
    fix_note: str

    @classmethod
    def of(cls, f: OperatorFinding) -> FindingOut:
        return cls(id=f.id, version=f.version, asset=AssetOut.of(f.asset), title=f.title,
                   description=f.description, reference=f.reference, cvss31_vector=f.cvss31_vector,
                   cvss31_score=f.cvss31_score, state=f.state.value, found_at=f.found_at,
                   verify_due_at=f.verify_due_at, fix_due_at=f.fix_due_at, verified_at=f.verified_at,
                   fixed_at=f.fixed_at, fix_note=f.fix_note)


class TimelineEntry(BaseModel):
    id: int
    occurred_at: datetime
    tag: str
    actor: str
    data: dict[str, Any]


class TokenCreate(Strict):
    name: str = ""
    scopes: list[str] = Field(default_factory=lambda: ["read", "write"])
    days: int | None = Field(default=None, ge=1, le=3650)


class TokenOut(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str


class Me(BaseModel):
    id: uuid.UUID
    email: str
    is_admin: bool
    role: str | None
    organisation_id: uuid.UUID | None
    scopes: list[str]
