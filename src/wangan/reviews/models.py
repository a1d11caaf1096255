"""Models of the cybersecurity-review domain: review cases, their dossier, clocks and pauses, the
risk-factor assessment, supplier commitments and post-review supervision.

Every clock of a review counts PRC working days (``wangan.kernel.workdays``); its dates are Beijing
calendar days (``date`` columns), never instants. A due date that relied on a year whose holiday
schedule nobody confirmed is stored with ``provisional`` set and the years named, so it can be shown
as such and recomputed once the year is confirmed.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wangan.db import Base, enum_values, new_id, utcnow


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, values_callable=enum_values, native_enum=False, length=32)


class ReviewKind(enum.StrEnum):
    """How a review came about: a CIIO's procurement (Art. 5), a platform operator's listing
    (Art. 7), or a review the member units started themselves (Art. 16)."""

    PROCUREMENT = "procurement"
    LISTING = "listing"
    EX_OFFICIO = "ex_officio"


class ReviewState(enum.StrEnum):
    """States of a review case (spec §4.2); transitions, guards and clocks live in the rules file."""

    PREPARING = "preparing"
    DETERMINING = "determining"
    NOT_REQUIRED = "not_required"
    REVIEW_NOTICED = "review_noticed"
    INITIAL_REVIEW = "initial_review"
    MEMBER_CONSULTATION = "member_consultation"
    SPECIAL_REVIEW = "special_review"
    CONCLUDED = "concluded"


class Conclusion(enum.StrEnum):
    """How a review ended: no review needed (Art. 9), or the written conclusion (Arts. 12–13)."""

    PASSED = "passed"
    NOT_PASSED = "not_passed"
    NOT_REQUIRED = "not_required"


class Rating(enum.StrEnum):
    """How serious one risk factor is judged to be; ``unrated`` until someone assessed it."""

    UNRATED = "unrated"
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ReviewCase(Base):
    """One cybersecurity review, from the dossier to the conclusion, owned by the party's organisation."""

    __tablename__ = "review_cases"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[ReviewKind] = mapped_column(_enum(ReviewKind))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    party_name: Mapped[str] = mapped_column(String(200))  # the operator under review (当事人)
    # Procurement: what is bought (Art. 21 category) and from whom.
    product_name: Mapped[str] = mapped_column(String(300), default="")
    product_category: Mapped[str] = mapped_column(String(64), default="")
    supplier_name: Mapped[str] = mapped_column(String(200), default="")
    supplier_country: Mapped[str] = mapped_column(String(100), default="")
    # Listing: where, and how many users' personal information the operator holds.
    listing_venue: Mapped[str] = mapped_column(String(32), default="")
    user_count: Mapped[int | None] = mapped_column(Integer)

    # The filing date chooses the version of the Measures (rules ``measures_versions``).
    filed_on: Mapped[date] = mapped_column()
    measures_version: Mapped[str] = mapped_column(String(32))
    state: Mapped[ReviewState] = mapped_column(_enum(ReviewState), index=True)
    dossier_completed_on: Mapped[date | None] = mapped_column()  # t_a: every required slot filled
    initial_extended: Mapped[bool] = mapped_column(Boolean, default=False)
    special_extensions: Mapped[int] = mapped_column(Integer, default=0)
    conclusion: Mapped[Conclusion | None] = mapped_column(_enum(Conclusion))
    concluded_on: Mapped[date | None] = mapped_column()

    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    clocks: Mapped[list[ReviewClock]] = relationship(
        back_populates="case", cascade="all, delete-orphan", lazy="selectin",
        order_by="ReviewClock.created_at",
    )
    pauses: Mapped[list[ReviewPause]] = relationship(
        back_populates="case", cascade="all, delete-orphan", lazy="selectin", order_by="ReviewPause.started_on",
    )
    documents: Mapped[list[DossierDocument]] = relationship(
        back_populates="case", cascade="all, delete-orphan", lazy="selectin",
        order_by=lambda: [DossierDocument.slot, DossierDocument.version],
    )

    @property
    def running_clock(self) -> ReviewClock | None:
        """The clock that runs now (at most one: a review's clocks follow one another)."""
        return next((c for c in self.clocks if c.stopped_on is None), None)

    @property
    def open_pause(self) -> ReviewPause | None:
        return next((p for p in self.pauses if p.ended_on is None), None)


class ReviewClock(Base):
    """One run of a statutory clock (rules ``clocks``) on a case, in PRC working days.

    ``due_on`` is ``started_on`` plus ``length_wd + extension_wd + paused_wd`` working days, where
    ``paused_wd`` counts the working days of the finished supplementary-material pauses (Art. 15)
    that began before the clock ran out. While a pause is open the clock stands still and ``due_on``
    is the due date as of the pause's start."""

    __tablename__ = "review_clocks"
    __table_args__ = (Index("ix_review_clocks_running", "stopped_on", "due_on"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_cases.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(32))
    started_on: Mapped[date] = mapped_column()
    length_wd: Mapped[int] = mapped_column(Integer)
    extension_wd: Mapped[int] = mapped_column(Integer, default=0)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    paused_wd: Mapped[int] = mapped_column(Integer, default=0)
    due_on: Mapped[date] = mapped_column()
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    unconfirmed_years: Mapped[list[int]] = mapped_column(JSON, default=list)
    stopped_on: Mapped[date | None] = mapped_column()
    met: Mapped[bool | None] = mapped_column(Boolean)  # stopped on or before its due date
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[ReviewCase] = relationship(back_populates="clocks")


class ReviewPause(Base):
    """Art. 15: the party or its supplier supplies material; the time does not count.

    The pause covers whole Beijing days from ``started_on`` to ``ended_on`` inclusive, and moves the
    clock's due date by the working days among them (``working_days``, set when it ends)."""

    __tablename__ = "review_pauses"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_cases.id", ondelete="CASCADE"), index=True)
    clock_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_clocks.id", ondelete="CASCADE"), index=True)
    started_on: Mapped[date] = mapped_column()
    ended_on: Mapped[date | None] = mapped_column()
    working_days: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[ReviewCase] = relationship(back_populates="pauses")


class DossierDocument(Base):
    """One version of the document in one Art. 8 slot. A new upload to the slot is a new version;
    earlier ones are kept. Stored in the database so an upload is all-or-nothing."""

    __tablename__ = "review_documents"
    __table_args__ = (UniqueConstraint("case_id", "slot", "version", name="uq_review_documents_slot_version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_cases.id", ondelete="CASCADE"), index=True)
    slot: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    filed_on: Mapped[date] = mapped_column()  # the day it reached the Review Office
    note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[ReviewCase] = relationship(back_populates="documents")


class FactorAssessment(Base):
    """The party's assessment of one Art. 10 risk factor: evidence, rating and notes."""

    __tablename__ = "review_factor_assessments"
    __table_args__ = (UniqueConstraint("case_id", "factor_id", name="uq_review_factor_assessments_factor"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_cases.id", ondelete="CASCADE"), index=True)
    factor_id: Mapped[str] = mapped_column(String(16))
    rating: Mapped[Rating] = mapped_column(_enum(Rating), default=Rating.UNRATED)
    evidence: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    assessed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupplierCommitment(Base):
    """Art. 6: whether a supplier made one commitment clause, with evidence and date."""

    __tablename__ = "review_commitments"
    __table_args__ = (
        UniqueConstraint("case_id", "supplier", "clause_id", name="uq_review_commitments_clause"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_cases.id", ondelete="CASCADE"), index=True)
    supplier: Mapped[str] = mapped_column(String(200))
    clause_id: Mapped[str] = mapped_column(String(32))
    committed: Mapped[bool] = mapped_column(Boolean)
    evidence: Mapped[str] = mapped_column(Text, default="")
    committed_on: Mapped[date | None] = mapped_column()
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupervisionItem(Base):
    """Art. 19: something to check after (or during) the review, by a due date."""

    __tablename__ = "review_supervision_items"
    __table_args__ = (Index("ix_review_supervision_open_due", "done_on", "due_on"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_cases.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column()
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    unconfirmed_years: Mapped[list[int]] = mapped_column(JSON, default=list)
    done_on: Mapped[date | None] = mapped_column()
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
