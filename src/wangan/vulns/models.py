"""Models of the vulnerability domain: intake log, products, cases, notices, operator assets."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wangan.db import Base, enum_values, new_id, utcnow


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, values_callable=enum_values, native_enum=False, length=32)


class IntakeChannel(enum.StrEnum):
    WEB = "web"
    API = "api"
    EMAIL = "email"
    PHONE = "phone"
    OTHER = "other"


class IntakeRecord(Base):
    """A receipt on the Art. 5 intake channel; kept at least until ``retention_until``."""

    __tablename__ = "intake_records"
    __table_args__ = (UniqueConstraint("org_id", "idempotency_key", name="uq_intake_records_idem"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    retention_until: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[IntakeChannel] = mapped_column(_enum(IntakeChannel))
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    reporter_contact: Mapped[str] = mapped_column(String(320))
    reporter_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    product_hint: Mapped[str] = mapped_column(String(300), default="")
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    source_ip: Mapped[str | None] = mapped_column(String(64))

    attachments: Mapped[list[IntakeAttachment]] = relationship(
        back_populates="record", cascade="all, delete-orphan", lazy="selectin"
    )


class IntakeAttachment(Base):
    """A file received with a report, stored in the database so a receipt is all-or-nothing."""

    __tablename__ = "intake_attachments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("intake_records.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    record: Mapped[IntakeRecord] = relationship(back_populates="attachments")


class Product(Base):
    """An entry in a provider's product catalogue."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("org_id", "vendor", "name", "model", name="uq_products_identity"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    vendor: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(200), default="")
    versions: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CvssColumns:
    """CVSS 3.1 and 4.0 vectors with the score and severity computed from them
    (set through ``scoring.apply_vectors``); shared by cases and advisories."""

    cvss31_vector: Mapped[str] = mapped_column(String(200), default="")
    cvss31_score: Mapped[float | None] = mapped_column(Float)
    cvss31_severity: Mapped[str] = mapped_column(String(16), default="")
    cvss40_vector: Mapped[str] = mapped_column(String(300), default="")
    cvss40_score: Mapped[float | None] = mapped_column(Float)
    cvss40_severity: Mapped[str] = mapped_column(String(16), default="")


class CaseState(enum.StrEnum):
    """States of the provider-side case (spec §4.1); transitions live in the rules file."""

    NEW = "new"
    VERIFYING = "verifying"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    REPORTED = "reported"
    REMEDIATING = "remediating"
    FIX_AVAILABLE = "fix_available"
    USERS_NOTIFIED = "users_notified"
    CLOSED = "closed"


class Case(CvssColumns, Base):
    """A vulnerability the provider discovered or learned of, from awareness to closure."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_open_due", "state", "nvdb_due_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    report_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("intake_records.id"), index=True)
    product_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    affected_versions: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[CaseState] = mapped_column(_enum(CaseState), default=CaseState.NEW, index=True)

    aware_at: Mapped[datetime] = mapped_column()
    nvdb_due_at: Mapped[datetime] = mapped_column()
    nvdb_rule_id: Mapped[str] = mapped_column(String(64))

    verification_result: Mapped[str] = mapped_column(Text, default="")
    verified_at: Mapped[datetime | None] = mapped_column()
    technical_characteristics: Mapped[str] = mapped_column(Text, default="")
    harm: Mapped[str] = mapped_column(Text, default="")
    impact_scope: Mapped[str] = mapped_column(Text, default="")
    cwe: Mapped[str] = mapped_column(String(20), default="")

    in_upstream_component: Mapped[bool] = mapped_column(Boolean, default=False)
    user_action_required: Mapped[bool] = mapped_column(Boolean, default=True)
    fix_description: Mapped[str] = mapped_column(Text, default="")
    fix_available_at: Mapped[datetime | None] = mapped_column()

    nvdb_submitted_at: Mapped[datetime | None] = mapped_column()
    nvdb_reference: Mapped[str] = mapped_column(String(100), default="")
    nvdb_on_time: Mapped[bool | None] = mapped_column(Boolean)

    # Collection-platform mode: when the report must reach the product's provider (PLATFORM-FORWARD);
    # unset when the case is about the owning organisation's own product, or the instance is not a platform.
    forward_due_at: Mapped[datetime | None] = mapped_column(index=True)
    forwarded_at: Mapped[datetime | None] = mapped_column()

    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    product: Mapped[Product | None] = relationship(lazy="joined")
    report: Mapped[IntakeRecord | None] = relationship(lazy="select")
    upstream_notices: Mapped[list[UpstreamNotice]] = relationship(
        back_populates="case", cascade="all, delete-orphan", lazy="selectin",
        order_by="UpstreamNotice.sent_at",
    )
    downstream_notices: Mapped[list[DownstreamNotice]] = relationship(
        back_populates="case", cascade="all, delete-orphan", lazy="selectin",
        order_by="DownstreamNotice.sent_at",
    )


class CaseShare(Base):
    """A case shared with another organisation after the Art. 9 gate allowed it (channel
    ``share``). Members of the recipient organisation read the case while the share is active
    (``revoked_at`` unset); they never write."""

    __tablename__ = "case_shares"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    granted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    # The legal sign-off that let a CERT abroad receive the case (PUB-7 holds it otherwise).
    legal_signoff: Mapped[str] = mapped_column(String(200), default="")


class CaseMember(Base):
    """Need-to-know (Art. 11 internal controls): on a collection platform only the members of a case,
    the owning organisation's managers and administrators read it while it is undisclosed."""

    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "user_id", name="uq_case_members_case_user"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    added_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class ForwardChannel(enum.StrEnum):
    """How a collection platform passed a report to the product's provider."""

    SHARE = "share"  # the provider is an organisation on this instance: the case is shared with it
    EMAIL = "email"  # sent to the provider's security contact through the outbox
    RECORDED = "recorded"  # sent outside wangan (the vendor's own portal, phone): recorded here


class ProviderForward(Base):
    """A collection platform forwarded the report behind a case to the product's provider, after
    the Art. 9 gate allowed it (PUB-7 lets the provider receive undisclosed details even when it
    is overseas). The first forward meets the case's PLATFORM-FORWARD clock."""

    __tablename__ = "provider_forwards"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    channel: Mapped[ForwardChannel] = mapped_column(_enum(ForwardChannel))
    provider_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    recipient: Mapped[str] = mapped_column(String(320))  # organisation slug, e-mail address or description
    jurisdiction: Mapped[str] = mapped_column(String(16))  # domestic | overseas | unknown
    reference: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    forwarded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    forwarded_at: Mapped[datetime] = mapped_column(default=utcnow)
    on_time: Mapped[bool | None] = mapped_column(Boolean)


class UpstreamNotice(Base):
    """Art. 7(1): the upstream supplier of an affected component was told."""

    __tablename__ = "upstream_notices"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    supplier: Mapped[str] = mapped_column(String(200))
    component: Mapped[str] = mapped_column(String(200))
    component_version: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(200), default="")
    sent_at: Mapped[datetime] = mapped_column()
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="upstream_notices")


class DownstreamNotice(Base):
    """Art. 7(3): potentially affected users were told the risk and the fix."""

    __tablename__ = "downstream_notices"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    recipients: Mapped[str] = mapped_column(Text)
    fix: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column()
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="downstream_notices")


class AssetKind(enum.StrEnum):
    NETWORK = "network"
    SYSTEM = "system"
    EQUIPMENT = "equipment"


class Asset(Base):
    """A network, information system or piece of equipment a network operator runs (Art. 8)."""

    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("org_id", "identifier", name="uq_assets_identifier"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[AssetKind] = mapped_column(_enum(AssetKind))
    name: Mapped[str] = mapped_column(String(200))
    identifier: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200), default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FindingState(enum.StrEnum):
    OPEN = "open"
    VERIFIED = "verified"
    FIXED = "fixed"
    NOT_APPLICABLE = "not_applicable"


class OperatorFinding(Base):
    """A vulnerability found in an operator's own asset; verified and fixed against due dates."""

    __tablename__ = "operator_findings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(100), default="")  # CVE / CNVD / case number
    cvss31_vector: Mapped[str] = mapped_column(String(200), default="")
    cvss31_score: Mapped[float | None] = mapped_column(Float)
    state: Mapped[FindingState] = mapped_column(_enum(FindingState), default=FindingState.OPEN)
    found_at: Mapped[datetime] = mapped_column()
    verify_due_at: Mapped[datetime] = mapped_column()
    fix_due_at: Mapped[datetime] = mapped_column()
    verified_at: Mapped[datetime | None] = mapped_column()
    fixed_at: Mapped[datetime | None] = mapped_column()
    fix_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    asset: Mapped[Asset] = relationship(lazy="joined")


class EventWindow(Base):
    """A major event held by the State (PUB-6): publication is frozen inside the window unless
    MPS consent is recorded. Entered by administrators in Beijing time, stored in UTC."""

    __tablename__ = "event_windows"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    scope: Mapped[list[str]] = mapped_column(default=list)  # channel names, or ["all"]
    consent_reference: Mapped[str] = mapped_column(String(200), default="")
    consent_date: Mapped[datetime | None] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AdvisoryState(enum.StrEnum):
    DRAFT = "draft"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class AttachmentKind(enum.StrEnum):
    PATCH = "patch"
    POC = "poc"
    EXPLOIT = "exploit"
    DOCUMENT = "document"


class Advisory(CvssColumns, Base):
    """A security advisory drafted from a case; it leaves wangan only through the Art. 9 gate."""

    __tablename__ = "advisories"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    state: Mapped[AdvisoryState] = mapped_column(_enum(AdvisoryState), default=AdvisoryState.DRAFT, index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    affected: Mapped[str] = mapped_column(Text, default="")  # products and versions
    fix: Mapped[str] = mapped_column(Text, default="")  # fix or preventive measures (PUB-5)
    cwe: Mapped[str] = mapped_column(String(20), default="")
    credits: Mapped[str] = mapped_column(Text, default="")
    references: Mapped[list[str]] = mapped_column(default=list)
    in_operator_system: Mapped[bool] = mapped_column(Boolean, default=False)
    # PUB-1 early-release record: all three are needed to publish before a fix exists.
    joint_assessment_at: Mapped[datetime | None] = mapped_column()
    reported_to_miit_mps_at: Mapped[datetime | None] = mapped_column()
    evaluation_result: Mapped[str] = mapped_column(Text, default="")
    evaluated_at: Mapped[datetime | None] = mapped_column()
    revision: Mapped[int] = mapped_column(Integer, default=0)  # published revisions so far
    # Copies of what the public sees, set only when a revision is published or withdrawn, so the
    # portal can search, filter and sort in SQL without ever touching unpublished edits.
    public_title: Mapped[str] = mapped_column(String(300), default="")
    public_severities: Mapped[str] = mapped_column(String(40), default="")  # e.g. "high critical"
    public_changed_at: Mapped[datetime | None] = mapped_column(index=True)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(lazy="joined")
    attachments: Mapped[list[AdvisoryAttachment]] = relationship(
        back_populates="advisory", cascade="all, delete-orphan", lazy="selectin")
    revisions: Mapped[list[AdvisoryRevision]] = relationship(
        back_populates="advisory", cascade="all, delete-orphan", lazy="select", order_by="AdvisoryRevision.revision")


class AdvisoryAttachment(Base):
    """A file attached to an advisory, with its kind; exploits never leave (PUB-4)."""

    __tablename__ = "advisory_attachments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    advisory_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("advisories.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[AttachmentKind] = mapped_column(_enum(AttachmentKind))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sample: Mapped[bytes] = mapped_column(LargeBinary)  # first KB, what the exploit heuristics read
    human_cleared: Mapped[bool] = mapped_column(Boolean, default=False)
    cleared_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    advisory: Mapped[Advisory] = relationship(back_populates="attachments")


class AdvisoryRevision(Base):
    """What was published, each time: the history behind 'updated' and 'withdrawn'."""

    __tablename__ = "advisory_revisions"
    __table_args__ = (UniqueConstraint("advisory_id", "revision", name="uq_advisory_revisions_revision"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    advisory_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("advisories.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column()
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    change_note: Mapped[str] = mapped_column(Text, default="")

    advisory: Mapped[Advisory] = relationship(back_populates="revisions")


class FinderMessage(Base):
    """A message between the provider and the finder whose report opened the case (the finder side).

    Messages are never edited or deleted: together with the audit chain they are the record of
    what the provider told the finder and when."""

    __tablename__ = "finder_messages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    from_provider: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublicationRequestStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class PublicationRequest(Base):
    """The finder asks the provider to publish the vulnerability and to credit them by name.

    Accepting it never publishes anything: it only sets the credits of the case's advisories, which
    are then published, or not, through the Art. 9 gate like any other change."""

    __tablename__ = "publication_requests"
    # One open request per case, also under concurrent requests.
    __table_args__ = (Index("uq_publication_requests_one_open", "case_id", unique=True,
                            sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    credit_name: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PublicationRequestStatus] = mapped_column(
        _enum(PublicationRequestStatus), default=PublicationRequestStatus.OPEN)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str] = mapped_column(Text, default="")


class PlatformFiling(Base):
    """Art. 10: this instance, as a vulnerability collection platform, was filed (备案) with MIIT
    under the Filing Measures (工信部网安〔2022〕146号). The newest row is the filing in force."""

    __tablename__ = "platform_filings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    filing_number: Mapped[str] = mapped_column(String(100))
    filed_at: Mapped[datetime] = mapped_column()
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # FILED -> PUBLISHED_BY_MIIT: MIIT lists the filed platform publicly (Art. 10).
    miit_published_at: Mapped[datetime | None] = mapped_column()
    miit_list_reference: Mapped[str] = mapped_column(String(500), default="")
