"""Kernel models: organisations, users, API tokens, the audit chain and the outbox."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wangan.db import Base, enum_values, new_id, utcnow
from wangan.kernel.workdays import DayKind


class OrgRole(enum.StrEnum):
    """Roles an organisation can hold under the Provisions (an organisation may hold several)."""

    PROVIDER = "provider"
    OPERATOR = "operator"
    PLATFORM = "platform"
    FINDER = "finder"
    AUTHORITY = "authority"
    CERT = "cert"  # a computer emergency response team (national, sectoral or foreign CERT/CSIRT)


class Jurisdiction(enum.StrEnum):
    DOMESTIC = "domestic"
    OVERSEAS = "overseas"


class UserRole(enum.StrEnum):
    """What a user may do inside their organisation."""

    MANAGER = "manager"  # everything in the organisation, including members
    ANALYST = "analyst"  # works cases, reports, assets
    VIEWER = "viewer"  # reads the organisation's records
    REPORTER = "reporter"  # an outside finder: sees only what they reported


class Organisation(Base):
    """A provider, operator, collection platform, finder or authority."""

    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    jurisdiction: Mapped[Jurisdiction] = mapped_column(
        Enum(Jurisdiction, values_callable=enum_values, native_enum=False, length=16),
        default=Jurisdiction.DOMESTIC,
    )
    accepts_reports: Mapped[bool] = mapped_column(Boolean, default=True)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    address: Mapped[str | None] = mapped_column(String(500))
    credit_code: Mapped[str | None] = mapped_column(String(32))  # 统一社会信用代码
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """A person who signs in; belongs to at most one organisation (admins may have none)."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[UserRole] = mapped_column(
        Enum(UserRole, values_callable=enum_values, native_enum=False, length=16),
        default=UserRole.VIEWER,
    )
    language: Mapped[str] = mapped_column(String(8), default="zh")
    # Bumped to sign out every browser session of the user at once.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored. Scoped, expiring, revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship(lazy="joined")


class AuditEvent(Base):
    """One state change. Append-only; each row carries the hash of the row before it."""

    __tablename__ = "audit_events"
    __table_args__ = (
        # Two writers can never both extend the chain from the same predecessor.
        UniqueConstraint("prev_hash", name="uq_audit_events_prev_hash"),
        Index("ix_audit_events_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    tag: Mapped[str] = mapped_column(String(80), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_label: Mapped[str] = mapped_column(String(320))
    org_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the maximum number of attempts


class OutboxMessage(Base):
    """A message written in the same transaction as the change that caused it; sent after commit."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(16))  # "email" | "webhook"
    recipient: Mapped[str] = mapped_column(String(2000))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, values_callable=enum_values, native_enum=False, length=16),
        default=OutboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column()
    locked_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class Counter(Base):
    """Named counters for human-readable numbers (case WA-2026-0001), taken under a row lock."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class CalendarOverride(Base):
    """One day of the PRC working-day calendar set by an administrator: a public holiday, or a
    working day such as a make-up Saturday (调休), in a year the ``chinesecalendar`` library does not
    know yet or as a correction of it. An override beats the library (``wangan.kernel.workdays``)."""

    __tablename__ = "calendar_overrides"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    day: Mapped[date] = mapped_column(unique=True)  # a Beijing calendar day
    kind: Mapped[DayKind] = mapped_column(Enum(DayKind, values_callable=enum_values, native_enum=False, length=16))
    name: Mapped[str] = mapped_column(String(100))  # e.g. 春节 Spring Festival
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarYear(Base):
    """An administrator's declaration that a year's official schedule has been entered in full
    (from the State Council notice it names): answers relying on that year are then confirmed,
    no longer provisional, even though the library does not know the year."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source_reference: Mapped[str] = mapped_column(String(200))  # e.g. 国办发明电〔2026〕X号
    note: Mapped[str] = mapped_column(Text, default="")
    confirmed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
