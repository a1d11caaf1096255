"""Review cases (Measures for Cybersecurity Review): opening, the Art. 8 dossier, the lifecycle of
spec §4.2 with its working-day clocks, and supplementary-material pauses (Art. 15).

Services take plain values and a principal, ask ``reviews.policy``, flush, and write every change to
the audit log; the adapter commits. Every date here is a Beijing calendar day and every clock counts
PRC working days through the ``WorkCalendar`` the caller passes (``Runtime.work_calendar``), so the
administrators' calendar overrides apply. ``now`` defaults to the current time and fixes "today"
(its Beijing day): event dates may not lie after it.

How the clocks run:

- an application (procurement or listing) starts ``preparing``; the moment every required dossier
  slot holds a document, the case moves to ``determining`` by itself (transition
  ``complete_dossier``) and the 10-working-day clock starts on t_a, the day the dossier became
  complete (the latest of the required slots' first filing days);
- an ex officio review (Art. 16) starts ``review_noticed`` on its filing (notice) day, with the
  initial-review clock running;
- entering a state that runs another clock stops the running one on the transition's date (``on``)
  and starts the next on the same date; extensions add working days to the running clock;
- pauses: see ``reviews.clocks``. A transition that would stop a clock is refused while a pause is
  open (guard ``no_open_pause``): end the pause first, so the time it stopped is settled.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, undefer
from sqlalchemy.orm.exc import StaleDataError

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, FieldProblem, Invalid, NotFound, TooLarge
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import beijing_date
from wangan.kernel.models import AuditEvent, Organisation
from wangan.kernel.numbering import take_next
from wangan.kernel.workdays import WorkCalendar
from wangan.reviews import clocks as clockmath
from wangan.reviews import policy
from wangan.reviews.events import ReviewTag
from wangan.reviews.models import (
    Conclusion,
    DossierDocument,
    ReviewCase,
    ReviewClock,
    ReviewKind,
    ReviewPause,
    ReviewState,
)
from wangan.reviews.rules import ClockRule, DossierSlot, ReviewRules, TransitionDef
from wangan.reviews.screening import find_venue, measures_on, parse_user_count

SUBJECT = "review-case"
CASE_NUMBER_RE = re.compile(r"^CR-[0-9]{4}-[0-9]{4,9}$")
MAX_DOCUMENT_BYTES = 25 * 1024 * 1024  # a default; adapters pass their configured limit
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")

TEXT_LIMITS = {"title": 300, "description": 100_000, "party_name": 200, "product_name": 300,
               "supplier_name": 200, "supplier_country": 100}
MAX_USER_COUNT = 2**31 - 1
EDITABLE = frozenset((*TEXT_LIMITS, "product_category", "listing_venue", "user_count"))


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.label)


def refuse_if_any(errors: ErrorList, what: str) -> None:
    """Raise ``Invalid`` with every problem, each also spelled out in the detail, so a command line
    or a log shows what exactly was wrong without unpacking the field list."""
    if errors.problems:
        raise Invalid(f"{what}: " + "; ".join(f"{p.field}: {p.message}" for p in errors.problems),
                      problems=errors.problems)


def check_day(field: str, value: object, errors: ErrorList, *, today: date, not_before: date | None = None,
              not_before_what: str = "") -> date | None:
    """A calendar day no later than today (and not before ``not_before``); problems go to ``errors``."""
    if isinstance(value, datetime) or not isinstance(value, date):
        errors.add(field, "give a calendar date (YYYY-MM-DD)")
        return None
    if value > today:
        errors.add(field, f"{value.isoformat()} lies in the future (today is {today.isoformat()} in Beijing)")
        return None
    if not_before is not None and value < not_before:
        errors.add(field, f"{value.isoformat()} is before {not_before_what} ({not_before.isoformat()})")
        return None
    return value


# --------------------------------------------------------------------------- opening and reading


@dataclass
class ReviewCaseIn:
    """What opening a case needs. ``filed_on`` is the day the application was filed (for an ex
    officio review: the day the party was notified); it chooses the version of the Measures."""

    kind: ReviewKind | str
    title: str
    filed_on: date
    party_name: str = ""  # default: the owning organisation's name
    organisation_id: uuid.UUID | None = None
    description: str = ""
    product_name: str = ""
    product_category: str = ""
    supplier_name: str = ""
    supplier_country: str = ""
    listing_venue: str = ""
    user_count: int | str | None = None


def next_case_number(session: Session, now: datetime) -> str:
    return f"CR-{now.year}-{take_next(session, f'review-case-{now.year}'):04d}"


def _apply_fields(case: ReviewCase, rules: ReviewRules, values: dict[str, Any], errors: ErrorList) -> list[str]:
    """Validate and set editable fields; problems go to ``errors``. Returns the names applied."""
    applied: list[str] = []
    for name in sorted(set(values) - EDITABLE):
        errors.add(name, "not an editable field of a review case")
    for name, limit in TEXT_LIMITS.items():
        if name not in values:
            continue
        value = values[name]
        if not isinstance(value, str):
            errors.add(name, "must be text")
        elif len(value) > limit:
            errors.add(name, f"at most {limit} characters")
        elif name in ("title", "party_name") and not value.strip():
            errors.add(name, "required")
        else:
            setattr(case, name, value if name == "description" else value.strip())
            applied.append(name)
    if "product_category" in values:
        category = str(values["product_category"] or "").strip()
        known = [c.id for c in rules.product_categories if case.measures_version in c.measures]
        if category and category not in known:
            errors.add("product_category", f"not a category of network products and services under "
                                           f"{case.measures_version}; known: {', '.join(known)}")
        else:
            case.product_category = category
            applied.append("product_category")
    if "listing_venue" in values:
        text = str(values["listing_venue"] or "").strip()
        if not text:
            case.listing_venue = ""
            applied.append("listing_venue")
        else:
            try:
                case.listing_venue = find_venue(rules, text).id
                applied.append("listing_venue")
            except Invalid as exc:
                errors.add("listing_venue", exc.detail)
    if "user_count" in values:
        raw = values["user_count"]
        if raw is None or raw == "":
            case.user_count = None
            applied.append("user_count")
        else:
            try:
                count = parse_user_count(raw)
            except Invalid as exc:
                errors.add("user_count", exc.detail)
            else:
                # The column is a 32-bit integer on every database; no operator has more users.
                if count > MAX_USER_COUNT:
                    errors.add("user_count", f"at most {MAX_USER_COUNT:,} users")
                else:
                    case.user_count = count
                    applied.append("user_count")
    return applied


def _check_kind_fields(case: ReviewCase, errors: ErrorList) -> None:
    """What each kind of case must say: the product for a procurement, the listing for a listing.
    A field that already has a problem is not reported twice."""
    missing: list[tuple[str, str]] = []
    if case.kind is ReviewKind.PROCUREMENT:
        if not case.product_name:
            missing.append(("product_name", "name the network product or service bought"))
        if not case.product_category:
            missing.append(("product_category", "choose its Art. 21 category"))
    elif case.kind is ReviewKind.LISTING:
        if not case.listing_venue:
            missing.append(("listing_venue", "name the exchange of the listing"))
        if case.user_count is None:
            missing.append(("user_count", "give the number of users whose personal information the operator holds"))
    reported = {p.field for p in errors.problems}
    for name, message in missing:
        if name not in reported:
            errors.add(name, message)


def create_case(session: Session, principal: Principal, rules: ReviewRules, data: ReviewCaseIn, *,
                calendar: WorkCalendar, now: datetime | None = None) -> ReviewCase:
    """Open a review case in the principal's organisation (any, for an administrator).

    The version of the Measures is the one in force on ``filed_on``; a filing before the first
    Measures, in the future, or of a kind that version does not provide for is refused."""
    moment = now or utcnow()
    today = beijing_date(moment)
    org_id = policy.acting_org(principal, data.organisation_id)
    policy.require_write_in(principal, org_id)
    org = session.get(Organisation, org_id)
    if org is None:
        raise Invalid(f"no organisation {org_id}")
    errors = ErrorList()
    try:
        kind = ReviewKind(data.kind)
    except ValueError as exc:
        raise Invalid(f"unknown kind of review case {data.kind!r}", problems=[
            FieldProblem("kind", "procurement, listing or ex_officio")]) from exc
    measures = measures_on(rules, data.filed_on, "filed_on")
    check_day("filed_on", data.filed_on, errors, today=today)
    if kind.value not in measures.scope:
        errors.add("kind", f"the {measures.title_en}, in force on {data.filed_on.isoformat()}, provide no {kind.value} "
                           f"review (scope: {', '.join(measures.scope)}); a review the member units started "
                           f"themselves is an ex_officio case (Art. {measures.article('ex_officio')})")
    case = ReviewCase(kind=kind, title="", party_name="", org_id=org_id, filed_on=data.filed_on,
                      measures_version=measures.id, state=ReviewState(rules.case_lifecycle.entry[kind.value]),
                      created_by=principal.user_id, created_at=moment, updated_at=moment)
    values: dict[str, Any] = {"title": data.title, "party_name": data.party_name or org.name,
                              "description": data.description, "product_name": data.product_name,
                              "product_category": data.product_category, "supplier_name": data.supplier_name,
                              "supplier_country": data.supplier_country, "listing_venue": data.listing_venue}
    if data.user_count is not None:
        values["user_count"] = data.user_count
    _apply_fields(case, rules, values, errors)
    _check_kind_fields(case, errors)
    refuse_if_any(errors, "the review case was not opened")
    case.number = next_case_number(session, moment)
    session.add(case)
    started = _enter_state(case, rules, calendar, None, case.state.value, data.filed_on)
    session.flush()
    audit.record(session, ReviewTag.CASE_CREATED, actor_of(principal), SUBJECT, case.id, org_id=org_id, data={
        "after": {"number": case.number, "kind": kind.value, "title": case.title, "state": case.state.value,
                  "filed_on": case.filed_on, "measures_version": case.measures_version},
        "clocks": {"started": started}})
    return case


def get_case(session: Session, principal: Principal, case_ref: uuid.UUID | str) -> ReviewCase:
    """Load a case by id or number, through the policy (404 for whoever may not read it)."""
    case: ReviewCase | None
    try:
        case = session.get(ReviewCase, uuid.UUID(str(case_ref)))
    except ValueError:
        ref = str(case_ref)
        case = None if not CASE_NUMBER_RE.match(ref) else (
            session.execute(select(ReviewCase).where(ReviewCase.number == ref)).scalar_one_or_none())
    return policy.require_read(principal, case, case_ref)


def writable_case(session: Session, principal: Principal, case_ref: uuid.UUID | str,
                  expected_version: int | None, *, open_only: bool = True,
                  rules: ReviewRules | None = None) -> ReviewCase:
    """Read through the policy, then check write access, the caller's version and (``open_only``)
    that the review has not ended."""
    case = get_case(session, principal, case_ref)
    policy.require_write(principal, case, case_ref)
    if expected_version is not None and expected_version != case.version:
        raise Conflict(f"review case {case.number} was changed by someone else (you have version {expected_version}, "
                       f"it is now at version {case.version}); reload and try again",
                       extra={"current_version": case.version})
    if open_only and rules is not None and not rules.state_by_id[case.state.value].open:
        raise Conflict(f"review case {case.number} has ended ({case.state.value}); it can no longer be changed")
    return case


def save(session: Session, case: ReviewCase, moment: datetime) -> None:
    """Touch the case (its version moves, so concurrent writers conflict) and flush."""
    number = case.number  # read now: after a failed flush the session refuses attribute access
    case.updated_at = moment
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"review case {number} was changed by someone else at the same time; reload") from exc


@dataclass(frozen=True)
class CaseFilter:
    state: str | None = None
    kind: str | None = None
    open_only: bool = False


def list_cases(session: Session, principal: Principal, rules: ReviewRules, filt: CaseFilter | None = None, *,
               limit: int = 50, offset: int = 0) -> tuple[list[ReviewCase], int]:
    """Visible cases, newest first, with the total count."""
    filt = filt or CaseFilter()
    query = select(ReviewCase).where(policy.cases_visible(principal))
    if filt.state:
        if filt.state not in rules.state_by_id:
            raise Invalid(f"unknown state {filt.state!r}; known: {', '.join(rules.state_by_id)}")
        query = query.where(ReviewCase.state == ReviewState(filt.state))
    if filt.kind:
        try:
            query = query.where(ReviewCase.kind == ReviewKind(filt.kind))
        except ValueError as exc:
            raise Invalid(f"unknown kind {filt.kind!r}; known: {', '.join(k.value for k in ReviewKind)}") from exc
    if filt.open_only:
        query = query.where(ReviewCase.state.in_([ReviewState(s) for s in rules.open_states()]))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(ReviewCase.created_at.desc(), ReviewCase.number.desc())
                           .limit(limit).offset(offset)).scalars().all()
    return list(rows), int(total)


def update_case(session: Session, principal: Principal, rules: ReviewRules, case_ref: uuid.UUID | str,
                changes: dict[str, Any], *, expected_version: int | None = None,
                now: datetime | None = None) -> ReviewCase:
    """Edit the descriptive fields of an open case; every problem is reported at once."""
    case = writable_case(session, principal, case_ref, expected_version, rules=rules)
    if not changes:
        raise Invalid("nothing to change")
    names = sorted(set(changes) & EDITABLE)
    before = {n: getattr(case, n) for n in names}
    errors = ErrorList()
    applied = _apply_fields(case, rules, changes, errors)
    _check_kind_fields(case, errors)
    if errors.problems:
        session.expire(case)  # nothing half-applied stays in the session
        refuse_if_any(errors, "the review case was not changed")
    diff = {n: getattr(case, n) for n in applied if before.get(n) != getattr(case, n)}
    if not diff:
        return case
    save(session, case, now or utcnow())
    audit.record(session, ReviewTag.CASE_UPDATED, actor_of(principal), SUBJECT, case.id, org_id=case.org_id,
                 data={"before": {k: before.get(k) for k in diff}, "after": diff})
    return case


def timeline(session: Session, principal: Principal, case_ref: uuid.UUID | str) -> list[AuditEvent]:
    """The case's audit trail, oldest first."""
    case = get_case(session, principal, case_ref)
    return audit.events_for(session, SUBJECT, case.id)


# --------------------------------------------------------------------------- clocks


def _clock_length(rules: ReviewRules, case: ReviewCase, rule: ClockRule) -> int:
    length = rule.length_under(case.measures_version).length
    assert length is not None, f"{rule.id} has no length under {case.measures_version}"  # the loader checks this
    return length


def _closed_spans(case: ReviewCase, clock: ReviewClock) -> list[clockmath.Span]:
    return [clockmath.Span(p.started_on, p.ended_on) for p in case.pauses
            if p.clock_id == clock.id and p.ended_on is not None]


def compute_due(case: ReviewCase, clock: ReviewClock, calendar: WorkCalendar) -> clockmath.DueDate:
    """The clock's due date from its start, length, extensions and finished pauses."""
    return clockmath.due_date(calendar, clock.started_on, clock.length_wd + clock.extension_wd,
                              _closed_spans(case, clock))


def recompute(case: ReviewCase, clock: ReviewClock, calendar: WorkCalendar) -> clockmath.DueDate:
    """Store the clock's due date as computed now; returns the computation."""
    due = compute_due(case, clock, calendar)
    clock.due_on = due.due_on
    clock.paused_wd = due.paused_working_days
    clock.provisional = due.provisional
    clock.unconfirmed_years = list(due.unconfirmed_years)
    return due


def _clock_data(clock: ReviewClock) -> dict[str, Any]:
    return {"clock": clock.rule_id, "started_on": clock.started_on, "due_on": clock.due_on,
            "working_days": clock.length_wd + clock.extension_wd, "paused_working_days": clock.paused_wd,
            "provisional": clock.provisional, "unconfirmed_years": list(clock.unconfirmed_years),
            "stopped_on": clock.stopped_on, "met": clock.met}


def _enter_state(case: ReviewCase, rules: ReviewRules, calendar: WorkCalendar, running: ReviewClock | None,
                 state: str, on: date) -> dict[str, Any] | None:
    """Start the clock ``state`` runs, on ``on``, unless it is the one already running."""
    rule_id = rules.state_by_id[state].clock
    if rule_id is None or (running is not None and running.rule_id == rule_id):
        return None
    clock = ReviewClock(rule_id=rule_id, started_on=on, length_wd=_clock_length(rules, case, rules.clock(rule_id)),
                        extension_wd=0, extensions=0, paused_wd=0, created_at=utcnow())
    case.clocks.append(clock)
    recompute(case, clock, calendar)
    return _clock_data(clock)


def _stop(clock: ReviewClock, on: date) -> dict[str, Any]:
    clock.stopped_on = on
    clock.met = on <= clock.due_on
    return _clock_data(clock)


@dataclass(frozen=True)
class ClockView:
    """One clock of a case as of a day, for display and reminders. A running clock is recomputed
    with the calendar given, so a newly confirmed year is reflected at once."""

    id: uuid.UUID
    rule_id: str
    title_zh: str
    title_en: str
    article: str
    rule_status: str
    started_on: date
    working_days: int  # length plus extensions
    length_working_days: int
    extension_working_days: int
    extensions: int
    paused_working_days: int
    due_on: date
    provisional: bool
    unconfirmed_years: tuple[int, ...]
    running: bool
    paused_since: date | None  # an open pause stops the clock; the due date is then "as of" its start
    stopped_on: date | None
    met: bool | None
    remaining_working_days: int | None  # running and not paused: working days left (0 on the due day)
    overdue: bool


def clock_views(rules: ReviewRules, case: ReviewCase, calendar: WorkCalendar, today: date) -> list[ClockView]:
    """Every clock of the case, oldest first, with its countdown when it runs."""
    views = []
    open_pause = case.open_pause
    for clock in case.clocks:
        rule = rules.clock(clock.rule_id)
        length = rule.length_under(case.measures_version)
        running = clock.stopped_on is None
        if running:
            due = compute_due(case, clock, calendar)
            due_on, provisional, years, paused = due.due_on, due.provisional, due.unconfirmed_years, \
                due.paused_working_days
        else:
            due_on, provisional, years, paused = clock.due_on, clock.provisional, \
                tuple(clock.unconfirmed_years), clock.paused_wd
        paused_since = open_pause.started_on if running and open_pause is not None \
            and open_pause.clock_id == clock.id else None
        remaining: int | None = None
        overdue = False
        if running and paused_since is None:
            left = clockmath.countdown(calendar, today, due_on)
            remaining, overdue = left.remaining_working_days, left.overdue
        views.append(ClockView(
            id=clock.id, rule_id=clock.rule_id, title_zh=rule.title_zh, title_en=rule.title_en,
            article=length.article, rule_status=length.status, started_on=clock.started_on,
            working_days=clock.length_wd + clock.extension_wd, length_working_days=clock.length_wd,
            extension_working_days=clock.extension_wd, extensions=clock.extensions, paused_working_days=paused,
            due_on=due_on, provisional=provisional, unconfirmed_years=years, running=running,
            paused_since=paused_since, stopped_on=clock.stopped_on, met=clock.met,
            remaining_working_days=remaining, overdue=overdue))
    return views


def refresh_clocks(session: Session, calendar: WorkCalendar, *, actor: Actor | None = None) -> int:
    """Recompute the stored due date of every running clock with ``calendar`` (after the calendar
    changed: an override, a newly confirmed year). Audits each case whose dates moved or stopped
    being provisional; the case's version is left alone, as no person changed it. Returns how many
    clocks changed."""
    who = actor or Actor.system("review-clocks")
    # The cases come along in one more query (and their pauses in one more), not one query per clock.
    running = session.execute(select(ReviewClock).options(selectinload(ReviewClock.case))
                              .where(ReviewClock.stopped_on.is_(None))).scalars().all()
    changed = 0
    for clock in running:
        case = clock.case
        before = (clock.due_on, clock.provisional, tuple(clock.unconfirmed_years), clock.paused_wd)
        due = compute_due(case, clock, calendar)
        after = (due.due_on, due.provisional, due.unconfirmed_years, due.paused_working_days)
        if before == after:
            continue
        old = _clock_data(clock)
        recompute(case, clock, calendar)
        changed += 1
        audit.record(session, ReviewTag.CLOCKS_RECOMPUTED, who, SUBJECT, case.id, org_id=case.org_id,
                     data={"before": old, "after": _clock_data(clock)})
    if changed:
        session.flush()
    return changed


# --------------------------------------------------------------------------- the dossier


@dataclass(frozen=True)
class SlotStatus:
    """One Art. 8 slot of a case: whether it is required, and its documents (newest last)."""

    slot: DossierSlot
    required: bool
    versions: tuple[DossierDocument, ...]

    @property
    def current(self) -> DossierDocument | None:
        return self.versions[-1] if self.versions else None


@dataclass(frozen=True)
class DossierStatus:
    slots: tuple[SlotStatus, ...]
    missing: tuple[DossierSlot, ...]  # required slots without a document
    completed_on: date | None  # t_a: the latest of the required slots' first filing days, once complete

    @property
    def complete(self) -> bool:
        return not self.missing


def dossier_status(rules: ReviewRules, case: ReviewCase) -> DossierStatus:
    """Which slots the case's kind has, which are filled, and when the dossier became complete."""
    slots = []
    for slot in rules.slots_for(case.kind.value):
        versions = tuple(sorted((d for d in case.documents if d.slot == slot.id), key=lambda d: d.version))
        slots.append(SlotStatus(slot, case.kind.value in slot.required_for, versions))
    missing = tuple(s.slot for s in slots if s.required and not s.versions)
    required = [s for s in slots if s.required]
    completed_on = None
    if not missing and required:
        completed_on = max(min(d.filed_on for d in s.versions) for s in required)
    return DossierStatus(tuple(slots), missing, completed_on)


@dataclass(frozen=True)
class UploadResult:
    document: DossierDocument
    case: ReviewCase
    dossier: DossierStatus
    completed_dossier: bool  # this upload completed the dossier and started the determination clock


def _clean_filename(name: str) -> str:
    # Browsers may send a full path (C:\\fakepath\\x.pdf); keep the last component only.
    return re.split(r"[\\/]", name.strip())[-1].strip()


def upload_document(session: Session, principal: Principal, rules: ReviewRules, case_ref: uuid.UUID | str, *,
                    slot: str, filename: str, content_type: str, data: bytes, calendar: WorkCalendar,
                    filed_on: date | None = None, note: str = "", expected_version: int | None = None,
                    max_bytes: int = MAX_DOCUMENT_BYTES, now: datetime | None = None) -> UploadResult:
    """Add a document to a dossier slot as its next version (earlier versions are kept).

    ``filed_on`` is the day the document reached the Review Office (today by default), not before
    the case's filing day. When this upload fills the last required slot of a case still
    ``preparing``, the case moves to ``determining`` and the Art. 9 clock starts on t_a."""
    moment = now or utcnow()
    today = beijing_date(moment)
    case = writable_case(session, principal, case_ref, expected_version, rules=rules)
    errors = ErrorList()
    known = [s.id for s in rules.slots_for(case.kind.value)]
    if slot not in known:
        errors.add("slot", f"{case.kind.value} cases have the slots {', '.join(known)}")
    clean = _clean_filename(filename) if isinstance(filename, str) else ""
    if not clean:
        errors.add("filename", "give the file's name")
    elif len(clean) > 255:
        errors.add("filename", "at most 255 characters")
    ctype = content_type.strip().lower() if isinstance(content_type, str) else ""
    if len(ctype) > 100 or not _CONTENT_TYPE.match(ctype.split(";")[0].strip()):
        errors.add("content_type", "a media type such as application/pdf")
    if not isinstance(data, bytes) or not data:
        errors.add("data", "the file is empty")
    if len(note) > 2000:
        errors.add("note", "at most 2000 characters")
    day = check_day("filed_on", filed_on if filed_on is not None else today, errors, today=today,
                    not_before=case.filed_on, not_before_what="the case's filing day")
    refuse_if_any(errors, "the document was not added to the dossier")
    if len(data) > max_bytes:
        raise TooLarge(f"the document is {len(data)} bytes; at most {max_bytes} are accepted",
                       problems=[FieldProblem("data", f"at most {max_bytes} bytes")])
    assert day is not None
    version = 1 + max((d.version for d in case.documents if d.slot == slot), default=0)
    document = DossierDocument(
        slot=slot, version=version, filename=clean, content_type=ctype.split(";")[0].strip(), size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), data=data, filed_on=day, note=note,
        uploaded_by=principal.user_id, uploaded_at=moment)
    case.documents.append(document)
    save(session, case, moment)
    audit.record(session, ReviewTag.DOCUMENT_UPLOADED, actor_of(principal), SUBJECT, case.id, org_id=case.org_id,
                 data={"after": {"slot": slot, "version": version, "filename": clean,
                                 "content_type": document.content_type, "size": document.size,
                                 "sha256": document.sha256, "filed_on": day, "document_id": document.id}})
    status = dossier_status(rules, case)
    completed = _fire_automatic(session, principal, rules, case, calendar, status, moment)
    return UploadResult(document, case, dossier_status(rules, case) if completed else status, completed)


def _fire_automatic(session: Session, principal: Principal, rules: ReviewRules, case: ReviewCase,
                    calendar: WorkCalendar, status: DossierStatus, moment: datetime) -> bool:
    """Take the automatic transition out of the current state whose guards all pass (the dossier
    became complete), dated t_a."""
    for t in rules.case_lifecycle.transitions:
        if t.automatic and case.state.value in t.from_ and not blockers(rules, case, t) \
                and status.completed_on is not None:
            _apply_transition(session, principal, rules, case, t, calendar, status.completed_on, moment,
                              note="", extension=None)
            return True
    return False


def document_with_content(session: Session, principal: Principal, case_ref: uuid.UUID | str,
                          document_id: uuid.UUID | str) -> DossierDocument:
    """One document of a case's dossier with its bytes, for download."""
    case = get_case(session, principal, case_ref)
    try:
        doc_id = uuid.UUID(str(document_id))
    except ValueError as exc:
        raise NotFound(f"no document {document_id} in review case {case.number}") from exc
    document = session.execute(select(DossierDocument).options(undefer(DossierDocument.data))
                               .where(DossierDocument.id == doc_id, DossierDocument.case_id == case.id)
                               ).scalar_one_or_none()
    if document is None:
        raise NotFound(f"no document {document_id} in review case {case.number}")
    return document


# --------------------------------------------------------------------------- lifecycle

GuardCheck = Callable[[ReviewCase, ReviewRules], str | None]


def _guard_dossier_complete(case: ReviewCase, rules: ReviewRules) -> str | None:
    missing = dossier_status(rules, case).missing
    if not missing:
        return None
    return "the dossier is not complete (Art. 8): missing " + ", ".join(f"{s.label_en} ({s.label_zh})" for s in missing)


def _guard_no_open_pause(case: ReviewCase, rules: ReviewRules) -> str | None:
    pause = case.open_pause
    if pause is None:
        return None
    art = rules.measures_by_id[case.measures_version].article("supplement")
    return (f"a supplementary-material pause is open since {pause.started_on.isoformat()}: end it first, so the "
            f"time it stopped the clock is settled (Art. {art})")


def _guard_initial_not_extended(case: ReviewCase, rules: ReviewRules) -> str | None:
    ext = next((c for c in rules.clocks if c.extends == "REV-INITIAL"), None)
    cap = ext.max_extensions if ext is not None else None
    running = case.running_clock
    done = running.extensions if running is not None and running.rule_id == "REV-INITIAL" else 0
    if cap is not None and done >= cap:
        return f"the initial review was already extended {done} time(s), the most Art. 11 allows"
    return None


GUARDS: dict[str, GuardCheck] = {
    "dossier_complete": _guard_dossier_complete,
    "no_open_pause": _guard_no_open_pause,
    "initial_not_extended": _guard_initial_not_extended,
}


@dataclass(frozen=True)
class Blocker:
    """A guard that holds a transition back, and why (English; adapters translate by ``guard``)."""

    guard: str
    message: str


def blockers(rules: ReviewRules, case: ReviewCase, t: TransitionDef) -> list[Blocker]:
    return [Blocker(g, msg) for g in t.guards if (msg := GUARDS[g](case, rules)) is not None]


def available_transitions(rules: ReviewRules, case: ReviewCase) -> list[tuple[TransitionDef, list[Blocker]]]:
    """Transitions a person may take from the current state, each with what blocks it (empty: allowed)."""
    return [(t, blockers(rules, case, t)) for t in rules.case_lifecycle.transitions
            if case.state.value in t.from_ and not t.automatic]


def transition(session: Session, principal: Principal, rules: ReviewRules, case_ref: uuid.UUID | str,
               transition_id: str, *, calendar: WorkCalendar, on: date | None = None,
               extension_working_days: int | None = None, note: str = "", expected_version: int | None = None,
               now: datetime | None = None) -> ReviewCase:
    """Move a case along the lifecycle on day ``on`` (today by default): the day of the notice,
    of the recommendation's receipt, or of the conclusion. Unknown, illegal, unguarded or
    automatic moves are refused; conclusions are for managers. ``extension_working_days`` is the
    length of an extension whose length the Office's notice sets (the special review's)."""
    moment = now or utcnow()
    today = beijing_date(moment)
    case = writable_case(session, principal, case_ref, expected_version, rules=rules)
    t = rules.transition_by_id.get(transition_id)
    if t is None:
        raise Invalid(f"unknown transition {transition_id!r}; known: {', '.join(rules.transition_by_id)}")
    if t.automatic:
        raise Conflict(f"{transition_id!r} happens by itself when its conditions are met (for the dossier: when the "
                       "last required document is uploaded)")
    if t.conclusion is not None:
        policy.require_conclude(principal, case, case_ref)
    if case.state.value not in t.from_:
        allowed = [x.id for x, _ in available_transitions(rules, case)]
        raise Conflict(f"review case {case.number} is {case.state.value!r}; {transition_id!r} is only possible from "
                       f"{', '.join(t.from_)} (possible now: {', '.join(allowed) or 'none'})")
    blocked = blockers(rules, case, t)
    if blocked:
        raise Conflict(f"{transition_id!r} is not possible yet: " + "; ".join(b.message for b in blocked),
                       problems=[FieldProblem(b.guard, b.message) for b in blocked])
    errors = ErrorList()
    running = case.running_clock
    floor = running.started_on if running is not None else case.filed_on
    day = check_day("on", on if on is not None else today, errors, today=today, not_before=floor,
                    not_before_what="the start of the running clock" if running is not None else "the filing day")
    extension = _extension_length(rules, case, t, extension_working_days, errors)
    if len(note) > 2000:
        errors.add("note", "at most 2000 characters")
    refuse_if_any(errors, f"{transition_id!r} was not applied")
    assert day is not None
    _apply_transition(session, principal, rules, case, t, calendar, day, moment, note=note, extension=extension)
    return case


def _extension_length(rules: ReviewRules, case: ReviewCase, t: TransitionDef, given: int | None,
                      errors: ErrorList) -> int | None:
    if t.extends is None:
        if given is not None:
            errors.add("extension_working_days", f"{t.id!r} extends no clock")
        return None
    fixed = rules.clock(t.extends).length_under(case.measures_version).length
    if fixed is not None:
        if given is not None and given != fixed:
            errors.add("extension_working_days", f"this extension is fixed at {fixed} working days")
        return fixed
    if isinstance(given, bool) or not isinstance(given, int) or given <= 0:
        errors.add("extension_working_days", "give the extension's working days from the Office's notice "
                                             "(a whole number, 1 or more)")
        return None
    if given > 1000:
        errors.add("extension_working_days", "at most 1000 working days at a time")
        return None
    return given


def _apply_transition(session: Session, principal: Principal, rules: ReviewRules, case: ReviewCase,
                      t: TransitionDef, calendar: WorkCalendar, day: date, moment: datetime, *, note: str,
                      extension: int | None) -> None:
    before = case.state
    running = case.running_clock
    clocks: dict[str, Any] = {}
    if t.extends is not None:
        assert running is not None and extension is not None
        old_due = running.due_on
        running.extension_wd += extension
        running.extensions += 1
        recompute(case, running, calendar)
        clocks["extended"] = {**_clock_data(running), "by": extension, "extension": t.extends,
                              "due_before": old_due}
        if running.rule_id == "REV-INITIAL":
            case.initial_extended = True
        elif running.rule_id == "REV-SPECIAL":
            case.special_extensions += 1
    else:
        next_clock = rules.state_by_id[t.to].clock
        if running is not None and running.rule_id != next_clock:
            clocks["stopped"] = _stop(running, day)
        clocks["started"] = _enter_state(case, rules, calendar, running, t.to, day)
        case.state = ReviewState(t.to)
        if t.conclusion is not None:
            case.conclusion = Conclusion(t.conclusion)
            case.concluded_on = day
    save(session, case, moment)
    audit.record(session, ReviewTag.CASE_TRANSITIONED, actor_of(principal), SUBJECT, case.id, org_id=case.org_id,
                 data={"transition": t.id, "automatic": t.automatic, "on": day,
                       "before": {"state": before.value}, "after": {"state": case.state.value,
                                                                    "conclusion": case.conclusion},
                       "clocks": {k: v for k, v in clocks.items() if v is not None}, "note": note[:2000]})


# --------------------------------------------------------------------------- pauses (Art. 15)


@dataclass(frozen=True)
class PauseResult:
    """What a pause did to the running clock, explained in both languages."""

    pause: ReviewPause
    case: ReviewCase
    clock_rule_id: str
    due_before: date
    due_after: date | None  # None while the pause is open: the clock stands still
    working_days: int | None  # working days the finished pause covers
    counted: bool
    provisional: bool
    unconfirmed_years: tuple[int, ...]
    explanation_zh: str
    explanation_en: str


def _overlapping(case: ReviewCase, start: date, end: date | None) -> ReviewPause | None:
    last = end or date.max
    for other in case.pauses:
        other_end = other.ended_on or date.max
        if start <= other_end and other.started_on <= last:
            return other
    return None


def _span_text(pause: ReviewPause) -> str:
    start = pause.started_on.isoformat()
    if pause.ended_on == pause.started_on:
        return start
    return f"{start}–{pause.ended_on.isoformat() if pause.ended_on is not None else '…'}"


def _explain(rules: ReviewRules, case: ReviewCase, clock: ReviewClock, pause: ReviewPause, due_before: date,
             due: clockmath.DueDate | None) -> tuple[str, str]:
    art = rules.measures_by_id[case.measures_version].article("supplement")
    rule = rules.clock(clock.rule_id)
    span = _span_text(pause)
    if due is None:
        return (f"自{pause.started_on.isoformat()}起补充材料，{rule.title_zh}计时暂停（第{art}条）；"
                "暂停结束后，截止日期顺延暂停期间的工作日数。",
                f"The clock '{rule.title_en}' stands still from {pause.started_on.isoformat()} while material is "
                f"supplied (Art. {art}); when the pause ends, the due date moves by the working days it covered.")
    effect = next(e for e in due.pauses if e.span.start == pause.started_on)
    after = due.due_on.isoformat()
    if not effect.counted:
        zh = f"暂停（{span}）开始时该计时已于{due_before.isoformat()}届满，暂停不影响截止日期，仍为{after}。"
        en = (f"The pause ({span}) began after the clock had already run out on {due_before.isoformat()}: it moves "
              f"nothing, and the due date stays {after}.")
    elif effect.working_days == 0:
        zh = f"暂停（{span}）全部在休息日或法定节假日，不含工作日，截止日期不变，仍为{after}。"
        en = (f"The pause ({span}) lies entirely on non-working days (weekend or public holiday): it covers no "
              f"working day, so the due date stays {after}.")
    else:
        zh = (f"暂停（{span}）含{effect.working_days}个工作日，不计入审查时间（第{art}条）："
              f"截止日期由{due_before.isoformat()}顺延至{after}。")
        en = (f"The pause ({span}) covers {effect.working_days} working day(s), which do not count (Art. {art}): the "
              f"due date moves from {due_before.isoformat()} to {after}.")
    if due.provisional:
        years = ", ".join(str(y) for y in due.unconfirmed_years)
        zh += f"该截止日期为暂定：依赖尚未确认的{years}年节假日安排。"
        en += f" The due date is provisional: it relies on the holiday schedule of {years}, not yet confirmed."
    return zh, en


def start_pause(session: Session, principal: Principal, rules: ReviewRules, case_ref: uuid.UUID | str, *,
                calendar: WorkCalendar, started_on: date, reason: str, ended_on: date | None = None,
                expected_version: int | None = None, now: datetime | None = None) -> PauseResult:
    """Record that the Office asked for supplementary material (Art. 15): the running clock stops
    from ``started_on``. Give ``ended_on`` too to record a pause that is already over.

    Refused: no running clock; a start before the clock's start or in the future; an end before the
    start; a second open pause; a pause overlapping another one."""
    moment = now or utcnow()
    today = beijing_date(moment)
    case = writable_case(session, principal, case_ref, expected_version, rules=rules)
    clock = case.running_clock
    if clock is None:
        raise Conflict(f"review case {case.number} has no running clock ({case.state.value}): a supplementary-material "
                       "pause stops a running clock")
    errors = ErrorList()
    if not isinstance(reason, str) or not reason.strip():
        errors.add("reason", "say which material the Office asked for")
    elif len(reason) > 2000:
        errors.add("reason", "at most 2000 characters")
    start = check_day("started_on", started_on, errors, today=today, not_before=clock.started_on,
                      not_before_what=f"the start of the running clock {clock.rule_id}")
    end: date | None = None
    if ended_on is not None:
        end = check_day("ended_on", ended_on, errors, today=today)
        if start is not None and end is not None and end < start:
            errors.add("ended_on", f"the pause ends ({end.isoformat()}) before it starts ({start.isoformat()})")
            end = None
    refuse_if_any(errors, "the pause was not recorded")
    assert start is not None
    open_pause = case.open_pause
    if open_pause is not None:
        raise Conflict(f"a pause is already open since {open_pause.started_on.isoformat()}: end it before starting "
                       "another", problems=[FieldProblem("started_on", "a pause is already open")])
    other = _overlapping(case, start, end)
    if other is not None:
        raise Conflict(f"the pause {start.isoformat()}–{(end.isoformat() if end else '…')} overlaps the pause "
                       f"{_span_text(other)}: pauses cannot overlap",
                       problems=[FieldProblem("started_on", f"overlaps the pause {_span_text(other)}")])
    due_before = clock.due_on
    pause = ReviewPause(clock_id=clock.id, started_on=start, ended_on=end, reason=reason.strip(),
                        recorded_by=principal.user_id, recorded_at=moment)
    case.pauses.append(pause)
    return _settle(session, principal, rules, case, clock, pause, due_before, calendar, moment, ReviewTag.PAUSE_STARTED)


def end_pause(session: Session, principal: Principal, rules: ReviewRules, case_ref: uuid.UUID | str, *,
              calendar: WorkCalendar, ended_on: date, expected_version: int | None = None,
              now: datetime | None = None) -> PauseResult:
    """The material was supplied on ``ended_on`` (inclusive): the clock runs again, and its due
    date moves by the working days the pause covered."""
    moment = now or utcnow()
    today = beijing_date(moment)
    case = writable_case(session, principal, case_ref, expected_version, rules=rules)
    pause = case.open_pause
    if pause is None:
        raise Conflict(f"review case {case.number} has no open pause to end")
    errors = ErrorList()
    end = check_day("ended_on", ended_on, errors, today=today)
    if end is not None and end < pause.started_on:
        errors.add("ended_on", f"the pause ends ({end.isoformat()}) before it starts ({pause.started_on.isoformat()})")
    refuse_if_any(errors, "the pause was not ended")
    assert end is not None
    clock = next(c for c in case.clocks if c.id == pause.clock_id)
    due_before = clock.due_on
    pause.ended_on = end
    return _settle(session, principal, rules, case, clock, pause, due_before, calendar, moment, ReviewTag.PAUSE_ENDED)


def _settle(session: Session, principal: Principal, rules: ReviewRules, case: ReviewCase, clock: ReviewClock,
            pause: ReviewPause, due_before: date, calendar: WorkCalendar, moment: datetime,
            tag: ReviewTag) -> PauseResult:
    due: clockmath.DueDate | None = None
    if pause.ended_on is not None:
        due = recompute(case, clock, calendar)
        effect = next(e for e in due.pauses if e.span.start == pause.started_on)
        pause.working_days = effect.working_days
    zh, en = _explain(rules, case, clock, pause, due_before, due)
    save(session, case, moment)
    audit.record(session, tag, actor_of(principal), SUBJECT, case.id, org_id=case.org_id, data={
        "pause": {"id": pause.id, "started_on": pause.started_on, "ended_on": pause.ended_on,
                  "working_days": pause.working_days, "reason": pause.reason[:500]},
        "clock": {"rule": clock.rule_id, "due_before": due_before, "due_after": clock.due_on if due else None,
                  "provisional": clock.provisional, "unconfirmed_years": list(clock.unconfirmed_years)},
        "explanation_en": en})
    counted = True
    if due is not None:
        counted = next(e for e in due.pauses if e.span.start == pause.started_on).counted
    return PauseResult(pause=pause, case=case, clock_rule_id=clock.rule_id, due_before=due_before,
                       due_after=due.due_on if due is not None else None, working_days=pause.working_days,
                       counted=counted, provisional=due.provisional if due is not None else clock.provisional,
                       unconfirmed_years=due.unconfirmed_years if due is not None else tuple(clock.unconfirmed_years),
                       explanation_zh=zh, explanation_en=en)
