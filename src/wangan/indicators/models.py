"""Models of the Action Plan monitor: plans loaded by users, observations with their provenance, the
enterprise register with yearly figures, investment per key industry, task progress, and public
consultations with their comments.

Plans shipped in ``rules/plans`` are read from their files; a plan a user uploads is kept here as the
YAML it came in (``UploadedPlan``), validated by the same schema. Money is stored exactly
(``Numeric``), never as floating point; observations keep the unit they were published in, and the
canonical value beside it, so a page can show both and nothing is converted twice.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wangan.db import Base, enum_values, new_id, utcnow

# 28 significant digits, 8 after the point: 亿元 figures with four decimals converted to 元 still fit.
Amount = Numeric(28, 8)


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, values_callable=enum_values, native_enum=False, length=32)


class UploadedPlan(Base):
    """A plan file a user loaded (a later national plan, a province's plan), kept as uploaded so it can
    be shown, downloaded and re-validated when the schema changes."""

    __tablename__ = "indicator_plans"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    plan_key: Mapped[str] = mapped_column(String(100), unique=True)  # the file's ``plan.id``
    filename: Mapped[str] = mapped_column(String(255))
    yaml_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    content_version: Mapped[str] = mapped_column(String(40))  # the file's ``version``
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ImportBatch(Base):
    """One file imported (observations, enterprises or investment figures): what, by whom, how many rows.
    Every row it created points back to it, so an import can be traced and undone as a whole."""

    __tablename__ = "indicator_import_batches"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))  # observations | enterprises | investments
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Observation(Base):
    """One published figure of one indicator: value, year and unit, with where it comes from (source),
    what it measures (series and scope), when it was published (vintage) and whether it was a forecast.

    Observations of different series are never chained into one line; a forecast is never an actual.
    The same series, year, source and vintage (and breakdown) can be recorded once only."""

    __tablename__ = "indicator_observations"
    __table_args__ = (
        UniqueConstraint("plan_key", "indicator_id", "series_id", "year", "source", "vintage", "breakdown_key",
                         name="uq_indicator_observations_identity"),
        Index("ix_indicator_observations_series", "plan_key", "indicator_id", "series_id", "year"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    plan_key: Mapped[str] = mapped_column(String(100))
    indicator_id: Mapped[str] = mapped_column(String(64))
    series_id: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(Amount)  # as published, in ``unit``
    unit: Mapped[str] = mapped_column(String(32))  # a unit code of ``indicators.units``
    canonical_value: Mapped[Decimal] = mapped_column(Amount)  # in the dimension's canonical unit (亿元 for CNY)
    source: Mapped[str] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(Text, default="")
    vintage: Mapped[date] = mapped_column()  # publication date
    is_forecast: Mapped[bool] = mapped_column(Boolean, default=False)
    # Disaggregation as columns (Open SDG): sector, region, industry, size; "" when not broken down.
    sector: Mapped[str] = mapped_column(String(64), default="")
    region: Mapped[str] = mapped_column(String(64), default="")
    industry: Mapped[str] = mapped_column(String(64), default="")
    size_class: Mapped[str] = mapped_column(String(16), default="")
    breakdown_key: Mapped[str] = mapped_column(String(300), default="")  # the four above, joined: unique-able
    note: Mapped[str] = mapped_column(Text, default="")
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("indicator_import_batches.id"), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Enterprise(Base):
    """An enterprise of the register, identified by its unified social credit code (GB 32100-2015)."""

    __tablename__ = "indicator_enterprises"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    # The size-class industry (rules/sme-size-classes-*.yaml) its size is judged under.
    size_industry: Mapped[str] = mapped_column(String(64))
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)  # plan sector ids (G5)
    region: Mapped[str] = mapped_column(String(64), default="", index=True)
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("indicator_import_batches.id"), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    years: Mapped[list[EnterpriseYear]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", lazy="selectin", order_by="EnterpriseYear.year")


class EnterpriseYear(Base):
    """An enterprise's figures for one year: security revenue (CNY) and headcount, and the size class
    they give under the size-class rules (stored, with the rule id, so a later rules change is visible)."""

    __tablename__ = "indicator_enterprise_years"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", name="uq_indicator_enterprise_years_year"),
                      Index("ix_indicator_enterprise_years_year", "year", "size_class"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("indicator_enterprises.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    revenue_cny: Mapped[Decimal | None] = mapped_column(Amount)  # operating revenue, 元
    security_revenue_cny: Mapped[Decimal | None] = mapped_column(Amount)  # of which cybersecurity, 元
    headcount: Mapped[int | None] = mapped_column(Integer)
    size_class: Mapped[str] = mapped_column(String(16))  # large | medium | small | micro
    is_sme: Mapped[bool] = mapped_column(Boolean)
    size_rule: Mapped[str] = mapped_column(String(100))
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("indicator_import_batches.id"), index=True)

    enterprise: Mapped[Enterprise] = relationship(back_populates="years")


class Investment(Base):
    """IT (informatization) and security investment of one key industry in one year (goal G6)."""

    __tablename__ = "indicator_investments"
    __table_args__ = (UniqueConstraint("plan_key", "industry_id", "year", "source",
                                       name="uq_indicator_investments_identity"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    plan_key: Mapped[str] = mapped_column(String(100))
    industry_id: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    it_investment_cny: Mapped[Decimal] = mapped_column(Amount)
    security_investment_cny: Mapped[Decimal] = mapped_column(Amount)
    source: Mapped[str] = mapped_column(String(500))
    vintage: Mapped[date | None] = mapped_column()
    is_forecast: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("indicator_import_batches.id"), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TaskStatus(enum.StrEnum):
    """Where a key task stands, as its owner reports it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    AT_RISK = "at_risk"
    DROPPED = "dropped"


class TaskRecord(Base):
    """What users added to one task of a plan: the text where the plan file has none (marked as entered
    by a user, never as official), the owner, the current status and the evidence."""

    __tablename__ = "indicator_tasks"
    __table_args__ = (UniqueConstraint("plan_key", "number", name="uq_indicator_tasks_number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    plan_key: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    area_id: Mapped[str] = mapped_column(String(32), default="")
    title_zh: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    text_zh: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    text_source: Mapped[str] = mapped_column(String(500), default="")  # where the user took the text from
    owner: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus), default=TaskStatus.NOT_STARTED)
    evidence: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    updates: Mapped[list[TaskUpdate]] = relationship(
        back_populates="task", cascade="all, delete-orphan", lazy="selectin",
        order_by=lambda: [TaskUpdate.on, TaskUpdate.created_at])


class TaskUpdate(Base):
    """A dated progress note on a task: what happened, the status it left the task in, the evidence."""

    __tablename__ = "indicator_task_updates"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("indicator_tasks.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column()  # Beijing calendar day the progress happened
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus))
    note: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    author_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[TaskRecord] = relationship(back_populates="updates")


class ConsultationState(enum.StrEnum):
    """A consultation is drafted, then published (open for comment between its open and close times)."""

    DRAFT = "draft"
    PUBLISHED = "published"


class Consultation(Base):
    """A draft document put out for public comment between ``opens_at`` and ``closes_at``."""

    __tablename__ = "consultations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    plan_key: Mapped[str] = mapped_column(String(100), default="")
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # the draft, or a summary with a link to it
    document_url: Mapped[str] = mapped_column(String(500), default="")
    opens_at: Mapped[datetime] = mapped_column()
    closes_at: Mapped[datetime] = mapped_column()
    state: Mapped[ConsultationState] = mapped_column(_enum(ConsultationState), default=ConsultationState.DRAFT)
    # A past consultation recorded for the record (the 2021 draft): its window is history, not an invitation.
    recorded_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CommentState(enum.StrEnum):
    """Moderation: a comment is shown publicly only once approved."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ConsultationComment(Base):
    """One comment on a consultation. Name and organisation are optional; the contact (for follow-up)
    is never shown publicly."""

    __tablename__ = "consultation_comments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    consultation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"),
                                                       index=True)
    body: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(String(200), default="")  # the part of the draft it is about
    name: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[CommentState] = mapped_column(_enum(CommentState), default=CommentState.PENDING)
    moderated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime | None] = mapped_column()
    moderation_note: Mapped[str] = mapped_column(Text, default="")
