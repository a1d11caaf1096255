"""The finder side of a case: what a researcher who reported a vulnerability sees and asks for.

A finder is whoever submitted, signed in, the report a case was opened from. They see their case
only through ``FinderCase``, a limited projection: its number, state, whether it was reported to
the NVDB (not the reference), whether a fix is available (and the fix, once it is), the public
advisory number once published, and the messages between them and the provider. They never see
the provider's internal assessment (verification result, technical characteristics, impact scope,
scores, the case title). They may also ask the provider to publish and to credit them; the
provider's manager accepts or declines, and accepting only sets advisory credits, so publication
still passes the Art. 9 gate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, NotFound
from wangan.kernel import audit, outbox
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.kernel.models import User, UserRole
from wangan.vulns import advisories, cases, policy
from wangan.vulns.cases import CASE_NUMBER_RE
from wangan.vulns.events import VulnTag
from wangan.vulns.models import (
    Advisory,
    AdvisoryState,
    Case,
    FinderMessage,
    IntakeRecord,
    PublicationRequest,
    PublicationRequestStatus,
)

MAX_MESSAGE = 20_000
MAX_CREDIT = 200
MAX_NOTE = 5_000


@dataclass(frozen=True)
class FinderCase:
    """What the finder may know about the case opened from their report, and nothing more."""

    number: str
    state: str
    report_id: uuid.UUID
    report_title: str
    opened_at: datetime
    nvdb_submitted: bool
    fix_available: bool
    fix_description: str  # empty until a fix is available
    advisory_number: str | None  # only once an advisory of the case was published


@dataclass(frozen=True)
class FinderItem:
    """One of the finder's reports, with its case if the provider opened one."""

    report_id: uuid.UUID
    title: str
    received_at: datetime
    organisation_id: uuid.UUID
    case: FinderCase | None


@dataclass(frozen=True)
class FinderView:
    """A finder's reports, newest first, each with the limited projection of its case."""

    items: list[FinderItem]
    total: int


@dataclass(frozen=True)
class FinderCaseDetail:
    """The finder's page of one case: the projection, the messages and their publication requests."""

    case: FinderCase
    messages: list[FinderMessage] = field(default_factory=list)
    requests: list[PublicationRequest] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    """A decided publication request and the advisories whose credits it set."""

    request: PublicationRequest
    advisories: list[str]


def _actor(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.label)


@dataclass(frozen=True)
class NoticeLinks:
    """Where notices point, from the settings (``WANGAN_BASE_URL``, ``WANGAN_INSTANCE_NAME``)."""

    base_url: str
    instance_name: str


def _known(session: Session, principal: Principal, case: Case | None) -> bool:
    """Under need-to-know: whether the principal may know of the case at all (member or disclosed)."""
    return case is None or not policy.needs_membership(principal) or cases.is_known_to(session, principal, case)


def _side(session: Session, principal: Principal, case: Case | None, report: IntakeRecord | None,
          ref: uuid.UUID | str, *, write: bool = False) -> bool:
    return policy.message_side(principal, case, report, ref, write=write, known=_known(session, principal, case))


# Notices tell the other side that there is something to read, and nothing more: no title, no
# message text, no vulnerability detail. The content stays behind the sign-in, where the policy and
# the Art. 9 gate apply, so a notice can go to any mailbox.

def _notify_finder(session: Session, case: Case, report: IntakeRecord | None, what: tuple[str, str], key: str,
                   links: NoticeLinks | None, now: datetime) -> None:
    if links is None or report is None or report.reporter_user_id is None:
        return
    finder = session.get(User, report.reporter_user_id)
    if finder is None or not finder.is_active:
        return
    url = f"{links.base_url}/my/cases/{case.number}"
    subject = f"[{links.instance_name}] 您报告的漏洞有新{what[0]} / {what[1]} on your report ({case.number})"
    body = "\n".join([f"产品提供者在 {case.number} 上有新{what[0]}。请登录查看：{url}", "",
                      f"The provider has a new {what[1].lower()} for you on {case.number}. Sign in to read it: {url}",
                      "", "-- ", f"{links.instance_name} · 系统自动发送，请勿回复 / sent automatically, do not reply"])
    if outbox.enqueue(session, channel="email", recipient=finder.email, subject=subject[:500], body=body,
                      dedupe_key=f"finder-notice:{key}:finder", not_before=now):
        audit.record(session, VulnTag.FINDER_NOTICE_QUEUED, Actor.system("finder"), "case", case.id,
                     org_id=case.org_id, data={"to": "finder", "about": key})


def _notify_provider(session: Session, principal: Principal, case: Case, what: tuple[str, str], key: str,
                     links: NoticeLinks | None, now: datetime) -> None:
    if links is None:
        return
    query = select(User.id, User.email, User.role).where(User.org_id == case.org_id, User.is_active.is_(True),
                                                         User.role.in_((UserRole.MANAGER, UserRole.ANALYST)))
    url = f"{links.base_url}/cases/{case.number}"
    subject = f"[{links.instance_name}] 发现者有新{what[0]} / New {what[1].lower()} from the finder ({case.number})"
    body = "\n".join([f"{case.number} 的发现者有新{what[0]}。请登录查看：{url}", "",
                      f"The finder of {case.number} sent a new {what[1].lower()}. Sign in to read it: {url}",
                      "", "-- ", f"{links.instance_name} · 系统自动发送，请勿回复 / sent automatically, do not reply"])
    sent = 0
    for user_id, email, role in session.execute(query.order_by(User.email)).all():
        if principal.on_collection_platform and role is not UserRole.MANAGER and not cases.is_member(
                session, user_id, case):
            continue  # need-to-know: only the case's members and the managers hear of it
        if outbox.enqueue(session, channel="email", recipient=email, subject=subject[:500], body=body,
                          dedupe_key=f"finder-notice:{key}:{user_id}", not_before=now):
            sent += 1
    if sent:
        audit.record(session, VulnTag.FINDER_NOTICE_QUEUED, Actor.system("finder"), "case", case.id,
                     org_id=case.org_id, data={"to": "provider", "about": key, "messages": sent})


def _load(session: Session, ref: uuid.UUID | str) -> tuple[Case | None, IntakeRecord | None]:
    """The case by id or number, and its report, without any authorization (callers ask the policy)."""
    case: Case | None
    try:
        case = session.get(Case, uuid.UUID(str(ref)))
    except ValueError:
        text = str(ref)
        case = None if not CASE_NUMBER_RE.match(text) else (
            session.execute(select(Case).where(Case.number == text)).scalar_one_or_none())
    report = session.get(IntakeRecord, case.report_id) if case is not None and case.report_id else None
    return case, report


def _published_numbers(session: Session, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not case_ids:
        return {}
    rows = session.execute(
        select(Advisory.case_id, Advisory.number)
        .where(Advisory.case_id.in_(case_ids), Advisory.state == AdvisoryState.PUBLISHED, Advisory.revision > 0)
        .order_by(Advisory.published_at)
    ).all()
    return {case_id: number for case_id, number in rows}


def _project(case: Case, report: IntakeRecord, advisory_number: str | None) -> FinderCase:
    fixed = case.state in advisories.FIXED_STATES and case.fix_available_at is not None
    return FinderCase(
        number=case.number, state=case.state.value, report_id=report.id, report_title=report.title,
        opened_at=case.created_at, nvdb_submitted=case.nvdb_submitted_at is not None, fix_available=fixed,
        fix_description=case.fix_description if fixed else "", advisory_number=advisory_number,
    )


def my_reports(session: Session, principal: Principal, *, limit: int = 50, offset: int = 0) -> FinderView:
    """The principal's own reports, with the projection of each report's case (three queries)."""
    if principal.is_anonymous or "read" not in principal.scopes:
        return FinderView(items=[], total=0)
    query = select(IntakeRecord).where(IntakeRecord.reporter_user_id == principal.user_id)
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    reports = list(session.execute(
        query.order_by(IntakeRecord.received_at.desc()).limit(limit).offset(offset)).scalars())
    found = session.execute(select(Case).where(Case.report_id.in_([r.id for r in reports]))).scalars()
    by_report = {c.report_id: c for c in found}
    published = _published_numbers(session, [c.id for c in by_report.values()])
    items = []
    for r in reports:
        case = by_report.get(r.id)
        items.append(FinderItem(report_id=r.id, title=r.title, received_at=r.received_at, organisation_id=r.org_id,
                                case=_project(case, r, published.get(case.id)) if case else None))
    return FinderView(items=items, total=total)


def list_cases(session: Session, principal: Principal, *, limit: int = 50,
               offset: int = 0) -> tuple[list[FinderCase], int]:
    """The cases opened from the principal's reports, newest first, as the finder sees them."""
    query = (select(Case, IntakeRecord).join(IntakeRecord, Case.report_id == IntakeRecord.id)
             .where(policy.finder_cases_visible(principal)))
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = session.execute(query.order_by(Case.created_at.desc(), Case.number.desc())
                           .limit(limit).offset(offset)).all()
    published = _published_numbers(session, [c.id for c, _ in rows])
    return [_project(c, r, published.get(c.id)) for c, r in rows], total


def get_case(session: Session, principal: Principal, ref: uuid.UUID | str) -> FinderCaseDetail:
    """One of the finder's cases, with the messages and the finder's publication requests."""
    case, report = _load(session, ref)
    found = policy.require_finder(principal, case, report, ref, known=_known(session, principal, case))
    assert report is not None
    return FinderCaseDetail(
        case=_project(found, report, _published_numbers(session, [found.id]).get(found.id)),
        messages=_messages(session, found.id), requests=_requests(session, found.id))


# --- messages ---

def _messages(session: Session, case_id: uuid.UUID) -> list[FinderMessage]:
    return list(session.execute(select(FinderMessage).where(FinderMessage.case_id == case_id)
                                .order_by(FinderMessage.created_at, FinderMessage.id)).scalars())


def list_messages(session: Session, principal: Principal, case_ref: uuid.UUID | str) -> list[FinderMessage]:
    """The messages between the provider and the finder of the case, oldest first."""
    case, report = _load(session, case_ref)
    _side(session, principal, case, report, case_ref)
    assert case is not None
    return _messages(session, case.id)


def post_message(session: Session, principal: Principal, case_ref: uuid.UUID | str, body: str,
                 now: datetime | None = None, *, links: NoticeLinks | None = None) -> FinderMessage:
    """A provider analyst or manager writes to the finder, or the finder writes to the provider;
    with ``links`` the other side gets a notice by e-mail."""
    case, report = _load(session, case_ref)
    from_provider = _side(session, principal, case, report, case_ref, write=True)
    assert case is not None and principal.user_id is not None
    errors = ErrorList()
    if not body.strip():
        errors.add("body", "write a message")
    elif len(body) > MAX_MESSAGE:
        errors.add("body", f"at most {MAX_MESSAGE} characters")
    errors.raise_if_any("the message was not sent")
    message = FinderMessage(case_id=case.id, author_id=principal.user_id, from_provider=from_provider,
                            body=body.strip(), created_at=now or utcnow())
    session.add(message)
    session.flush()
    audit.record(session, VulnTag.FINDER_MESSAGE_POSTED, _actor(principal), "case", case.id, org_id=case.org_id,
                 data={"after": {"message": message.id, "from_provider": from_provider,
                                 "length": len(message.body)}})
    key = f"message:{message.id}"
    if from_provider:
        _notify_finder(session, case, report, ("消息", "Message"), key, links, message.created_at)
    else:
        _notify_provider(session, principal, case, ("消息", "Message"), key, links, message.created_at)
    return message


# --- publication and credit requests ---

def _requests(session: Session, case_id: uuid.UUID) -> list[PublicationRequest]:
    return list(session.execute(select(PublicationRequest).where(PublicationRequest.case_id == case_id)
                                .order_by(PublicationRequest.requested_at, PublicationRequest.id)).scalars())


def list_requests(session: Session, principal: Principal, case_ref: uuid.UUID | str) -> list[PublicationRequest]:
    """The finder's publication requests of the case (for the provider's members and the finder)."""
    case, report = _load(session, case_ref)
    _side(session, principal, case, report, case_ref)
    assert case is not None
    return _requests(session, case.id)


def request_publication(session: Session, principal: Principal, case_ref: uuid.UUID | str, *,
                        credit_name: str = "", note: str = "", now: datetime | None = None,
                        links: NoticeLinks | None = None) -> PublicationRequest:
    """The finder asks the provider to publish, credited as ``credit_name``; one open request at a time."""
    case, report = _load(session, case_ref)
    found = policy.require_finder(principal, case, report, case_ref, write=True,
                                  known=_known(session, principal, case))
    assert principal.user_id is not None
    errors = ErrorList()
    if len(credit_name) > MAX_CREDIT:
        errors.add("credit_name", f"at most {MAX_CREDIT} characters")
    if len(note) > MAX_NOTE:
        errors.add("note", f"at most {MAX_NOTE} characters")
    errors.raise_if_any("the publication request was not sent")
    pending = session.execute(select(PublicationRequest.id).where(
        PublicationRequest.case_id == found.id, PublicationRequest.status == PublicationRequestStatus.OPEN)
    ).first()
    if pending is not None:
        raise Conflict(f"case {found.number} already has an open publication request; wait for the decision")
    request = PublicationRequest(case_id=found.id, requested_by=principal.user_id, requested_at=now or utcnow(),
                                 credit_name=credit_name.strip(), note=note.strip(),
                                 status=PublicationRequestStatus.OPEN, decision_note="")
    session.add(request)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # a concurrent request won the partial unique index
        raise Conflict(f"case {found.number} already has an open publication request; wait for the decision") \
            from exc
    audit.record(session, VulnTag.PUBLICATION_REQUESTED, _actor(principal), "case", found.id, org_id=found.org_id,
                 data={"after": {"request": request.id, "credit_name": request.credit_name}})
    _notify_provider(session, principal, found, ("公开请求", "Publication request"), f"request:{request.id}", links,
                     request.requested_at)
    return request


def _with_credit(credits: str, name: str) -> str:
    """The advisory's credits with ``name`` added on its own line, unless it is already there."""
    lines = [line for line in credits.splitlines() if line.strip()]
    if name in (line.strip() for line in lines):
        return credits
    return "\n".join([*lines, name])


def decide(session: Session, principal: Principal, case_ref: uuid.UUID | str, request_id: uuid.UUID | str, *,
           accept: bool, note: str = "", now: datetime | None = None, links: NoticeLinks | None = None) -> Decision:
    """A manager of the owning organisation accepts or declines (with a note) an open request.

    Accepting adds the credit name to the credits of every advisory of the case that is not
    withdrawn, through ``advisories.update_advisory``: an approved advisory goes back to review and
    a published one keeps its published text until it passes the gate again. Nothing is published
    here."""
    case, report = _load(session, case_ref)
    found = policy.require_decide_publication(principal, case, case_ref)
    try:
        request = session.get(PublicationRequest, uuid.UUID(str(request_id)))
    except ValueError:
        request = None
    if request is None or request.case_id != found.id:
        raise NotFound(f"no publication request {request_id} on case {found.number}")
    if request.status is not PublicationRequestStatus.OPEN:
        raise Conflict(f"this publication request was already {request.status.value}")
    errors = ErrorList()
    if not accept and not note.strip():
        errors.add("note", "say why the request is declined")
    if len(note) > MAX_NOTE:
        errors.add("note", f"at most {MAX_NOTE} characters")
    errors.raise_if_any("the publication request was not decided")
    updated: list[str] = []
    if accept and request.credit_name:
        rows = session.execute(select(Advisory).where(
            Advisory.case_id == found.id, Advisory.state != AdvisoryState.WITHDRAWN).order_by(Advisory.created_at)
        ).scalars().all()
        for advisory in rows:
            credits = _with_credit(advisory.credits, request.credit_name)
            if credits != advisory.credits:
                advisories.update_advisory(session, principal, advisory.id, {"credits": credits})
                updated.append(advisory.number)
    request.status = PublicationRequestStatus.ACCEPTED if accept else PublicationRequestStatus.DECLINED
    request.decided_by = principal.user_id
    request.decided_at = now or utcnow()
    request.decision_note = note.strip()
    session.flush()
    audit.record(session, VulnTag.PUBLICATION_REQUEST_DECIDED, _actor(principal), "case", found.id,
                 org_id=found.org_id, data={"before": {"status": PublicationRequestStatus.OPEN.value},
                                            "after": {"status": request.status.value, "request": request.id,
                                                      "advisories": updated}})
    _notify_finder(session, found, report, ("答复", "Reply"), f"decision:{request.id}", links, request.decided_at)
    return Decision(request=request, advisories=updated)


@dataclass(frozen=True)
class ProviderPanel:
    """The finder side as the provider's case page shows it."""

    has_finder: bool  # the report was sent signed in, so someone reads the messages
    messages: list[FinderMessage]
    requests: list[PublicationRequest]


def provider_panel(session: Session, principal: Principal, case: Case) -> ProviderPanel:
    """Messages and requests of a case, for members of the owning organisation."""
    policy.require_read(principal, case, "case", case.number)
    report = session.get(IntakeRecord, case.report_id) if case.report_id else None
    return ProviderPanel(has_finder=report is not None and report.reporter_user_id is not None,
                         messages=_messages(session, case.id), requests=_requests(session, case.id))
