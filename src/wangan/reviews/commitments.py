"""After (and around) the review: supplier commitments (Art. 6) and supervision (Art. 19).

Procurement documents must bind the supplier to the Art. 6 clauses (rules ``supplier_commitments``);
the party records, per supplier and clause, whether the supplier committed, on what evidence and
when. The party must also make its suppliers keep those commitments, and the Review Office
supervises before, during and after the review (Art. 19): supervision items are things to check by
a due date, given as a date or as a number of PRC working days from a day (then possibly
provisional, like every working-day date). ``check_review_deadlines`` (``reviews.deadlines``,
re-exported here) reminds of items falling due.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, NotFound
from wangan.kernel import audit
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import beijing_date
from wangan.kernel.workdays import WorkCalendar
from wangan.reviews.cases import SUBJECT, actor_of, check_day, get_case, refuse_if_any, save, writable_case
from wangan.reviews.deadlines import check_review_deadlines
from wangan.reviews.events import ReviewTag
from wangan.reviews.models import ReviewCase, SupervisionItem, SupplierCommitment
from wangan.reviews.rules import CommitmentClause, ReviewRules

__all__ = [
    "ClauseStatus", "SupplierChecklist", "add_supervision_item", "check_review_deadlines", "commitment_checklist",
    "complete_supervision_item", "record_commitment", "supervision_items",
]

MAX_TEXT = 20_000


def _commitments(session: Session, case: ReviewCase) -> list[SupplierCommitment]:
    return list(session.execute(select(SupplierCommitment).where(SupplierCommitment.case_id == case.id)
                                .order_by(SupplierCommitment.supplier, SupplierCommitment.clause_id)).scalars())


def record_commitment(session: Session, principal: Principal, rules: ReviewRules, case_ref: uuid.UUID | str, *,
                      clause_id: str, committed: bool, supplier: str = "", evidence: str = "",
                      committed_on: date | None = None, expected_version: int | None = None,
                      now: datetime | None = None) -> SupplierCommitment:
    """Record whether ``supplier`` (by default the case's supplier) made the commitment
    ``clause_id``. A commitment made needs the day it was made and the evidence (the contract
    clause, a signed letter). Recording the same supplier and clause again replaces the answer;
    the audit log keeps the earlier one. Allowed whatever the case's state: Art. 19 supervision
    goes on after the conclusion."""
    moment = now or utcnow()
    today = beijing_date(moment)
    case = writable_case(session, principal, case_ref, expected_version, open_only=False)
    errors = ErrorList()
    clause = rules.clause_by_id.get(clause_id)
    if clause is None:
        errors.add("clause_id", f"one of {', '.join(rules.clause_by_id)}")
    name = (supplier or case.supplier_name).strip() if isinstance(supplier, str) else ""
    if not name:
        errors.add("supplier", "name the supplier (the case names none)")
    elif len(name) > 200:
        errors.add("supplier", "at most 200 characters")
    if not isinstance(committed, bool):
        errors.add("committed", "true or false")
    if not isinstance(evidence, str) or len(evidence) > MAX_TEXT:
        errors.add("evidence", f"text of at most {MAX_TEXT} characters")
    day: date | None = None
    if committed_on is not None:
        day = check_day("committed_on", committed_on, errors, today=today)
    if committed is True:
        if committed_on is None:
            errors.add("committed_on", "give the day the supplier made the commitment")
        if isinstance(evidence, str) and not evidence.strip():
            errors.add("evidence", "say where the commitment is (contract clause, signed letter)")
    refuse_if_any(errors, "the commitment was not recorded")
    row = session.execute(select(SupplierCommitment).where(
        SupplierCommitment.case_id == case.id, SupplierCommitment.supplier == name,
        SupplierCommitment.clause_id == clause_id)).scalar_one_or_none()
    before = None if row is None else {"committed": row.committed, "evidence": row.evidence,
                                       "committed_on": row.committed_on}
    if row is None:
        row = SupplierCommitment(case_id=case.id, supplier=name, clause_id=clause_id)
        session.add(row)
    row.committed, row.evidence, row.committed_on = committed, evidence, day
    row.recorded_by, row.recorded_at = principal.user_id, moment
    save(session, case, moment)
    audit.record(session, ReviewTag.COMMITMENT_RECORDED, actor_of(principal), SUBJECT, case.id, org_id=case.org_id,
                 data={"supplier": name, "clause": clause_id, "before": before,
                       "after": {"committed": committed, "evidence": evidence[:2000], "committed_on": day}})
    return row


@dataclass(frozen=True)
class ClauseStatus:
    clause: CommitmentClause
    commitment: SupplierCommitment | None  # None: nothing recorded yet

    @property
    def committed(self) -> bool | None:
        return None if self.commitment is None else self.commitment.committed


@dataclass(frozen=True)
class SupplierChecklist:
    """Every Art. 6 clause for one supplier."""

    supplier: str
    clauses: tuple[ClauseStatus, ...]

    @property
    def complete(self) -> bool:
        """The supplier made every commitment."""
        return all(c.committed is True for c in self.clauses)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(c.clause.id for c in self.clauses if c.committed is not True)


def commitment_checklist(session: Session, principal: Principal, rules: ReviewRules,
                         case_ref: uuid.UUID | str) -> list[SupplierChecklist]:
    """One checklist per supplier: the case's supplier first, then any other recorded."""
    case = get_case(session, principal, case_ref)
    rows = _commitments(session, case)
    suppliers = [case.supplier_name] if case.supplier_name else []
    suppliers += sorted({r.supplier for r in rows} - set(suppliers))
    return [SupplierChecklist(name, tuple(
        ClauseStatus(c, next((r for r in rows if r.supplier == name and r.clause_id == c.id), None))
        for c in rules.supplier_commitments)) for name in suppliers]


# --------------------------------------------------------------------------- supervision (Art. 19)


def add_supervision_item(session: Session, principal: Principal, case_ref: uuid.UUID | str, *,
                         calendar: WorkCalendar, title: str, description: str = "", due_on: date | None = None,
                         working_days: int | None = None, from_on: date | None = None,
                         expected_version: int | None = None, now: datetime | None = None) -> SupervisionItem:
    """Add something to check by a due date: either ``due_on``, or ``working_days`` PRC working
    days after ``from_on`` (today by default; provisional when it relies on an unconfirmed year)."""
    moment = now or utcnow()
    today = beijing_date(moment)
    case = writable_case(session, principal, case_ref, expected_version, open_only=False)
    errors = ErrorList()
    if not isinstance(title, str) or not title.strip():
        errors.add("title", "say what is to be checked")
    elif len(title) > 300:
        errors.add("title", "at most 300 characters")
    if not isinstance(description, str) or len(description) > MAX_TEXT:
        errors.add("description", f"text of at most {MAX_TEXT} characters")
    if (due_on is None) == (working_days is None):
        errors.add("due_on", "give either a due date or a number of working days")
    if due_on is not None and (isinstance(due_on, datetime) or not isinstance(due_on, date)):
        errors.add("due_on", "a calendar date (YYYY-MM-DD)")
    if working_days is not None and (isinstance(working_days, bool) or not isinstance(working_days, int)
                                     or not 0 < working_days <= 1000):
        errors.add("working_days", "a whole number from 1 to 1000")
    start = from_on if from_on is not None else today
    if from_on is not None and (isinstance(from_on, datetime) or not isinstance(from_on, date)):
        errors.add("from_on", "a calendar date (YYYY-MM-DD)")
    refuse_if_any(errors, "the supervision item was not added")
    provisional: bool = False
    years: tuple[int, ...] = ()
    if working_days is not None:
        computed = calendar.add_working_days(start, working_days)
        due, provisional, years = computed.date, computed.provisional, computed.unconfirmed_years
    else:
        assert due_on is not None
        due = due_on
        # A date typed in is what it is; it relies on no calendar, so it is never provisional.
    item = SupervisionItem(case_id=case.id, title=title.strip(), description=description, due_on=due,
                           provisional=provisional, unconfirmed_years=list(years), created_by=principal.user_id,
                           created_at=moment)
    session.add(item)
    save(session, case, moment)
    audit.record(session, ReviewTag.SUPERVISION_ADDED, actor_of(principal), SUBJECT, case.id, org_id=case.org_id,
                 data={"item": item.id, "title": item.title, "due_on": due, "provisional": provisional,
                       "unconfirmed_years": list(years), "working_days": working_days,
                       "from_on": start if working_days is not None else None})
    return item


def complete_supervision_item(session: Session, principal: Principal, case_ref: uuid.UUID | str,
                              item_id: uuid.UUID | str, *, done_on: date, outcome: str,
                              expected_version: int | None = None, now: datetime | None = None) -> SupervisionItem:
    """Record that a supervision item was checked, when and with what outcome."""
    moment = now or utcnow()
    case = writable_case(session, principal, case_ref, expected_version, open_only=False)
    item = _item(session, case, item_id)
    if item.done_on is not None:
        raise Conflict(f"the supervision item {item.title!r} was already done on {item.done_on.isoformat()}")
    errors = ErrorList()
    day = check_day("done_on", done_on, errors, today=beijing_date(moment))
    if not isinstance(outcome, str) or not outcome.strip():
        errors.add("outcome", "say what the check found")
    elif len(outcome) > MAX_TEXT:
        errors.add("outcome", f"at most {MAX_TEXT} characters")
    refuse_if_any(errors, "the supervision item was not completed")
    item.done_on, item.outcome = day, outcome.strip()
    save(session, case, moment)
    audit.record(session, ReviewTag.SUPERVISION_DONE, actor_of(principal), SUBJECT, case.id, org_id=case.org_id,
                 data={"item": item.id, "title": item.title, "due_on": item.due_on, "done_on": day,
                       "on_time": day is not None and day <= item.due_on, "outcome": item.outcome[:2000]})
    return item


def _item(session: Session, case: ReviewCase, item_id: uuid.UUID | str) -> SupervisionItem:
    try:
        key = uuid.UUID(str(item_id))
    except ValueError as exc:
        raise NotFound(f"no supervision item {item_id} in review case {case.number}") from exc
    item = session.get(SupervisionItem, key)
    if item is None or item.case_id != case.id:
        raise NotFound(f"no supervision item {item_id} in review case {case.number}")
    return item


def supervision_items(session: Session, principal: Principal, case_ref: uuid.UUID | str) -> list[SupervisionItem]:
    """The case's supervision items, open ones first, by due date."""
    case = get_case(session, principal, case_ref)
    rows = session.execute(select(SupervisionItem).where(SupervisionItem.case_id == case.id)
                           .order_by(SupervisionItem.due_on, SupervisionItem.created_at)).scalars().all()
    return sorted(rows, key=lambda i: i.done_on is not None)
