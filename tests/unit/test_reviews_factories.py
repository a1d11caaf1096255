"""Factories for the review-case tests: an organisation with its people, and cases driven through
the services with a fixed "now". The last test checks the factory itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.conftest import Factory
from wangan.kernel.auth import Principal, principal_for
from wangan.kernel.models import Organisation, User, UserRole
from wangan.reviews import cases
from wangan.reviews.cases import ReviewCaseIn
from wangan.reviews.models import ReviewCase
from wangan.runtime import Runtime

# Noon in Beijing on 2026-11-25: every event date of the tests lies on or before it.
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
PROCUREMENT = {"product_name": "Core router CR-9000", "product_category": "core_network_equipment",
               "supplier_name": "Acme Networks", "supplier_country": "US"}
LISTING = {"listing_venue": "NYSE", "user_count": "1,000,001"}
REQUIRED = {"procurement": ("application_form", "impact_report", "procurement_documents"),
            "listing": ("application_form", "impact_report", "listing_documents")}


@dataclass
class Reviews:
    """People of one party organisation (and one outsider), and shortcuts through the services."""

    rt: Runtime
    manager: Principal
    analyst: Principal
    viewer: Principal
    outsider: Principal  # an analyst of another organisation
    admin: Principal

    def open(self, *, kind: str = "procurement", filed_on: date = date(2025, 9, 1), who: Principal | None = None,
             now: datetime = NOW, **fields: Any) -> str:
        values = dict(PROCUREMENT if kind == "procurement" else LISTING if kind == "listing" else {})
        values.update(fields)
        with self.rt.sessions.begin() as s:
            case = cases.create_case(s, who or self.analyst, self.rt.review_rules,
                                     ReviewCaseIn(kind=kind, title=f"{kind} review", filed_on=filed_on, **values),
                                     calendar=self.rt.work_calendar(s), now=now)
            return case.number

    def upload(self, number: str, slot: str, *, data: bytes = b"%PDF-1.7 dossier", filed_on: date | None = None,
               who: Principal | None = None, now: datetime = NOW, filename: str = "doc.pdf") -> cases.UploadResult:
        with self.rt.sessions.begin() as s:
            return cases.upload_document(s, who or self.analyst, self.rt.review_rules, number, slot=slot,
                                         filename=filename, content_type="application/pdf", data=data,
                                         filed_on=filed_on, calendar=self.rt.work_calendar(s), now=now)

    def complete(self, number: str, on: date, kind: str = "procurement") -> cases.UploadResult:
        result = None
        for slot in REQUIRED[kind]:
            result = self.upload(number, slot, filed_on=on, data=f"{slot} of {number}".encode())
        assert result is not None
        return result

    def move(self, number: str, transition_id: str, on: date | None = None, *, who: Principal | None = None,
             now: datetime = NOW, **kw: Any) -> ReviewCase:
        with self.rt.sessions.begin() as s:
            return cases.transition(s, who or self.manager, self.rt.review_rules, number, transition_id,
                                    calendar=self.rt.work_calendar(s), on=on, now=now, **kw)

    def pause(self, number: str, start: date, end: date | None = None, *, now: datetime = NOW) -> cases.PauseResult:
        with self.rt.sessions.begin() as s:
            return cases.start_pause(s, self.analyst, self.rt.review_rules, number, calendar=self.rt.work_calendar(s),
                                     started_on=start, ended_on=end, reason="supplementary source-code audit",
                                     now=now)

    def end_pause(self, number: str, end: date, *, now: datetime = NOW) -> cases.PauseResult:
        with self.rt.sessions.begin() as s:
            return cases.end_pause(s, self.analyst, self.rt.review_rules, number, calendar=self.rt.work_calendar(s),
                                   ended_on=end, now=now)

    def load(self, number: str) -> ReviewCase:
        with self.rt.sessions() as s:
            case = cases.get_case(s, self.admin, number)
            case.clocks, case.pauses, case.documents  # noqa: B018 - load before the session closes
            return case

    def clock(self, number: str, rule_id: str) -> tuple[date, date, bool, tuple[int, ...]]:
        """(started_on, due_on, provisional, unconfirmed years) of the latest run of a clock."""
        found = [c for c in self.load(number).clocks if c.rule_id == rule_id]
        assert found, f"{number} has no {rule_id} clock"
        c = found[-1]
        return c.started_on, c.due_on, c.provisional, tuple(c.unconfirmed_years)


def person(rt: Runtime, org: Organisation | None, role: str) -> Principal:
    """A user who never signs in, so no password is hashed (argon2 would cost most of each test)."""
    with rt.sessions.begin() as s:
        user = User(email=f"{role}-{uuid.uuid4().hex[:8]}@example.org", password_hash="!unusable",
                    org_id=org.id if org else None, is_admin=role == "admin",
                    role=UserRole.MANAGER if role == "admin" else UserRole(role))
        s.add(user)
        s.flush()
        return principal_for(user)


def make_reviews(rt: Runtime, factory: Factory) -> Reviews:
    """A party organisation with a manager, an analyst and a viewer; another organisation's analyst;
    an administrator. Each test module wraps this in its own ``reviews`` fixture."""
    org = factory.org("party-ciio", roles=("operator",))
    other = factory.org("other-party", roles=("operator",))
    return Reviews(rt=rt, manager=person(rt, org, "manager"), analyst=person(rt, org, "analyst"),
                   viewer=person(rt, org, "viewer"), outsider=person(rt, other, "analyst"),
                   admin=person(rt, None, "admin"))


@pytest.fixture
def reviews(rt: Runtime, factory: Factory) -> Reviews:
    return make_reviews(rt, factory)


def test_the_factory_opens_a_case_in_the_analysts_organisation(reviews: Reviews) -> None:
    number = reviews.open()
    case = reviews.load(number)
    assert number.startswith("CR-2026-")
    assert (case.org_id, case.state.value, case.kind.value) == (reviews.analyst.org_id, "preparing", "procurement")
