"""Cybersecurity review (Measures for Cybersecurity Review): the applicability screening, the list
of review cases, opening one, the case page with its dossier, working-day clocks, pauses, risk
factors, supplier commitments and supervision, and the printable impact analysis report.

Every date here is a Beijing calendar day; every clock counts PRC working days through
``Runtime.work_calendar``, so the administrators' calendar overrides apply."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from sqlalchemy import select
from starlette.responses import Response

from wangan.downloads import attachment_headers
from wangan.errors import Conflict, DomainError, Invalid, TooLarge
from wangan.kernel import identity
from wangan.kernel.calendar import beijing_date
from wangan.kernel.models import User, UserRole
from wangan.kernel.numbers import whole_number
from wangan.kernel.workdays import WorkCalendar
from wangan.reports import impact
from wangan.reports.rendering import check_lang, labeller
from wangan.reviews import assessment, cases, commitments, screening
from wangan.reviews.models import Rating, ReviewCase, ReviewKind
from wangan.web.core import FormDep, UserDep, Web, files, text
from wangan.web.forms import FormState
from wangan.web.paging import Pager

router = APIRouter()

BASE = "/reviews"
PAGE_SIZE = 50
CREATE_FIELDS = ("kind", "title", "filed_on", "party_name", "organisation_id", "description", "product_name",
                 "product_category", "supplier_name", "supplier_country", "listing_venue", "user_count")
SCREEN_FIELDS = ("party", "decided_on", "product_category", "may_affect_national_security", "user_count",
                 "listing_venue")


def _today(web: Web) -> date:
    return beijing_date(web.now())


def _calendar(web: Web) -> WorkCalendar:
    return web.rt.work_calendar(web.db)


def _day(web: Web, state: FormState, name: str, *, required: bool = True) -> date | None:
    """An ``<input type=date>`` value; the problem goes on the field."""
    raw = state.get(name).strip()
    if not raw:
        if required:
            state.add(name, web.t("review.give_date"))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        state.add(name, web.t("form.bad_date"))
        return None


def _version(raw: str) -> int | None:
    return whole_number(raw)


def _labels(web: Web) -> dict[str, Any]:
    """Language-bound helpers the review templates share."""
    rules = web.rt.review_rules

    def state_label(state_id: str) -> str:
        state = rules.state_by_id.get(state_id)
        return web.label(state) if state is not None else state_id

    def category_label(category_id: str) -> str:
        category = rules.category_by_id.get(category_id)
        return web.label(category) if category is not None else category_id

    return {"rstate": state_label, "rcategory": category_label, "review_rules": rules}


# --- screening ---

def _screening_page(web: Web, state: FormState, result: screening.ScreeningResult | None = None, *,
                    status: int = 200) -> Response:
    rules = web.rt.review_rules
    return web.render("reviews/screening.html", {
        **_labels(web), "form": state, "result": result,
        "categories": [(c.id, web.label(c)) for c in rules.product_categories],
        "venues": rules.listing_venues,
    }, status=status)


@router.get(f"{BASE}/screening")
def screening_form(web: UserDep) -> Response:
    return _screening_page(web, FormState(values={"party": "procurement", "decided_on": _today(web).isoformat()}))


@router.post(f"{BASE}/screening")
def screening_answer(web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in SCREEN_FIELDS})
    day = _day(web, state, "decided_on")
    if day is None:
        state.message = web.t("form.fix_errors")
        return _screening_page(web, state, status=422)
    try:
        result = screening.screen(web.rt.review_rules, screening.ScreeningIn(
            party=state.get("party"), decided_on=day, product_category=state.get("product_category") or None,
            may_affect_national_security=state.get("may_affect_national_security") or None,
            user_count=state.get("user_count").strip() or None, listing_venue=state.get("listing_venue") or None))
    except Invalid as exc:
        state.absorb(exc, web.dt)
        state.message = web.t("form.fix_errors")
        return _screening_page(web, state, status=exc.status)
    return _screening_page(web, state, result)


# --- list and new ---

@dataclass(frozen=True)
class ListRow:
    case: ReviewCase
    clock: cases.ClockView | None  # the running clock, if any


@router.get(BASE)
def list_reviews(web: UserDep, state: str = "", page: str = "1") -> Response:
    rules = web.rt.review_rules
    pager = Pager.of(page, PAGE_SIZE)
    chosen = state if state in rules.state_by_id else ""
    rows, total = cases.list_cases(web.db, web.principal, rules, cases.CaseFilter(state=chosen or None),
                                   limit=pager.size, offset=pager.offset)
    calendar, today = _calendar(web), _today(web)
    listed = [ListRow(c, next((v for v in cases.clock_views(rules, c, calendar, today) if v.running), None))
              for c in rows]
    return web.render("reviews/list.html", {
        **_labels(web), "rows": listed, "pager": pager.with_total(total), "state": chosen,
        "states": rules.case_lifecycle.states,
        "pager_base": f"{BASE}?state={quote(chosen)}&" if chosen else f"{BASE}?",
    })


def _new_page(web: Web, state: FormState, status: int = 200) -> Response:
    rules = web.rt.review_rules
    orgs = identity.list_organisations(web.db) if web.principal.is_admin else []
    return web.render("reviews/new.html", {
        **_labels(web), "form": state, "orgs": [(str(o.id), f"{o.name} ({o.slug})") for o in orgs],
        "kinds": [(k.value, web.t(f"review_kind.{k.value}")) for k in ReviewKind],
        "categories": [(c.id, web.label(c)) for c in rules.product_categories],
        "venues": rules.listing_venues,
    }, status=status)


@router.get(f"{BASE}/new")
def new_form(web: UserDep, kind: str = "procurement", filed_on: str = "", product_category: str = "",
             listing_venue: str = "", user_count: str = "") -> Response:
    """The form, pre-filled from the screening's answers when it links here (nothing is trusted: the
    service checks everything again on submit)."""
    chosen = kind if kind in {k.value for k in ReviewKind} else "procurement"
    return _new_page(web, FormState(values={
        "kind": chosen, "filed_on": filed_on[:10] or _today(web).isoformat(),
        "product_category": product_category[:100], "listing_venue": listing_venue[:100],
        "user_count": user_count[:60]}))


@router.post(f"{BASE}/new")
def create(web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in CREATE_FIELDS})
    day = _day(web, state, "filed_on")
    org_id: uuid.UUID | None = None
    if state.get("organisation_id"):
        try:
            org_id = uuid.UUID(state.get("organisation_id"))
        except ValueError:
            state.add("organisation_id", web.t("review.no_org"))
    if day is None or state.errors:
        state.message = web.t("form.fix_errors")
        return _new_page(web, state, status=422)
    try:
        case = cases.create_case(web.db, web.principal, web.rt.review_rules, cases.ReviewCaseIn(
            kind=state.get("kind"), title=state.get("title"), filed_on=day, party_name=state.get("party_name"),
            organisation_id=org_id, description=state.get("description"), product_name=state.get("product_name"),
            product_category=state.get("product_category"), supplier_name=state.get("supplier_name"),
            supplier_country=state.get("supplier_country"), listing_venue=state.get("listing_venue"),
            user_count=state.get("user_count").strip() or None), calendar=_calendar(web), now=web.now())
    except Invalid as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _new_page(web, state, status=exc.status)
    web.flash("review.created", number=case.number)
    return web.redirect(f"{BASE}/{case.number}")


# --- editing the descriptive fields ---

EDIT_FIELDS = ("title", "party_name", "description", "product_name", "product_category", "supplier_name",
               "supplier_country", "listing_venue", "user_count")


def _edit_page(web: Web, case: ReviewCase, state: FormState, status: int = 200) -> Response:
    rules = web.rt.review_rules
    return web.render("reviews/edit.html", {
        **_labels(web), "case": case, "form": state,
        "categories": [(c.id, web.label(c)) for c in rules.product_categories], "venues": rules.listing_venues,
    }, status=status)


@router.get(f"{BASE}/{{number}}/edit")
def edit_form(number: str, web: UserDep) -> Response:
    case = cases.writable_case(web.db, web.principal, number, None, rules=web.rt.review_rules)
    values = {n: "" if getattr(case, n) is None else str(getattr(case, n)) for n in EDIT_FIELDS}
    return _edit_page(web, case, FormState(values={**values, "version": str(case.version)}))


@router.post(f"{BASE}/{{number}}/edit")
def edit(number: str, web: UserDep, form: FormDep) -> Response:
    case = cases.writable_case(web.db, web.principal, number, None, rules=web.rt.review_rules)
    state = FormState(values={n: text(form, n) for n in (*EDIT_FIELDS, "version")})
    # Only what differs is sent, so an untouched field never trips a validation rule added since.
    changes: dict[str, Any] = {}
    for name in EDIT_FIELDS:
        current = getattr(case, name)
        new = state.get(name).strip() if name == "user_count" else state.get(name)
        if new != ("" if current is None else str(current)):
            changes[name] = (new or None) if name == "user_count" else new
    if not changes:
        web.flash("review.nothing_changed")
        return web.redirect(f"{BASE}/{case.number}")
    try:
        cases.update_case(web.db, web.principal, web.rt.review_rules, number, changes,
                          expected_version=_version(state.get("version")), now=web.now())
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        case = cases.get_case(web.db, web.principal, number)
        state.absorb(exc, web.dt)
        if isinstance(exc, Conflict):
            state.values["version"] = str(case.version)
        return _edit_page(web, case, state, status=exc.status)
    web.flash("review.updated", number=case.number)
    return web.redirect(f"{BASE}/{case.number}")


# --- the case page ---

def _blocked(web: Web, blockers: list[cases.Blocker]) -> list[str]:
    """Why a transition is blocked, in the page's language (the domain speaks English)."""
    if web.lang == "en":
        return [b.message for b in blockers]
    return [web.t(f"review_guard.{b.guard}") for b in blockers]


def _case_page(web: Web, number: str, *, forms: dict[str, FormState] | None = None, status: int = 200,
               form_key: str = "") -> Response:
    rules = web.rt.review_rules
    case = cases.get_case(web.db, web.principal, number)
    calendar, today = _calendar(web), _today(web)
    forms = dict(forms or {})
    iso_today = today.isoformat()
    forms.setdefault("transition", FormState(values={"on": iso_today}))
    forms.setdefault("pause", FormState(values={"started_on": iso_today}))
    forms.setdefault("pause_end", FormState(values={"ended_on": iso_today}))
    forms.setdefault("commitment", FormState(values={"supplier": case.supplier_name, "committed_on": iso_today}))
    forms.setdefault("supervision", FormState())
    may_write = web.principal.may_write_in(case.org_id)
    factor_forms: dict[str, FormState] = {}
    for view in assessment.factor_views(web.db, web.principal, rules, case.id):
        key = f"factor-{view.factor.id}"
        a = view.assessment
        factor_forms[view.factor.id] = forms.get(key) or FormState(values={
            "rating": a.rating.value if a else Rating.UNRATED.value, "evidence": a.evidence if a else "",
            "notes": a.notes if a else ""})
    factor_views = assessment.factor_views(web.db, web.principal, rules, case.id)
    items = commitments.supervision_items(web.db, web.principal, case.id)
    item_forms = {str(i.id): forms.get(f"done-{i.id}") or FormState(values={"done_on": iso_today})
                  for i in items}
    transitions = [(t, _blocked(web, b)) for t, b in cases.available_transitions(rules, case)]
    return web.render("reviews/detail.html", {
        **_labels(web), "case": case, "forms": forms, "may_write": may_write,
        "may_conclude": web.principal.is_admin or (may_write and web.principal.role is UserRole.MANAGER),
        "is_open": rules.state_by_id[case.state.value].open,
        "measures": rules.measures_by_id[case.measures_version],
        "dossier": cases.dossier_status(rules, case),
        "clocks": cases.clock_views(rules, case, calendar, today),
        "transitions": transitions, "factors": factor_views, "factor_forms": factor_forms,
        "checklists": commitments.commitment_checklist(web.db, web.principal, rules, case.id),
        "clauses": rules.supplier_commitments, "items": items, "item_forms": item_forms,
        "timeline": cases.timeline(web.db, web.principal, case.id), "today": today,
        "venue": next((v for v in rules.listing_venues if v.id == case.listing_venue), None),
        "users": _user_names(web, {d.uploaded_by for d in case.documents if d.uploaded_by}),
        "form_key": form_key,
    }, status=status)


@router.get(f"{BASE}/{{number}}")
def show(number: str, web: UserDep) -> Response:
    return _case_page(web, number)


def _user_names(web: Web, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Who uploaded the dossier's documents, by name, in one query."""
    if not ids:
        return {}
    rows = web.db.execute(select(User).where(User.id.in_(ids))).scalars()
    return {u.id: u.display_name or u.email for u in rows}


def _failed(web: Web, number: str, key: str, state: FormState, exc: DomainError | None) -> Response:
    """Roll back, and show the case page again with this form as the user sent it."""
    web.rollback(exc)
    if exc is not None:
        state.absorb(exc, web.dt)
    elif not state.message:
        state.message = web.t("form.fix_errors")
    return _case_page(web, number, forms={key: state}, status=exc.status if exc is not None else 422,
                      form_key=key)


@router.post(f"{BASE}/{{number}}/documents")
def upload(number: str, web: UserDep, form: FormDep) -> Response:
    slot = text(form, "slot")
    key = f"doc-{slot}"
    state = FormState(values={"slot": slot, "filed_on": text(form, "filed_on"), "note": text(form, "note")})
    day = _day(web, state, "filed_on", required=False)
    uploads = files(form, "file")
    if not uploads:
        state.add("file", web.t("review.choose_file"))
    if state.errors:
        return _failed(web, number, key, state, None)
    upload_file = uploads[0]
    data = upload_file.file.read()
    try:
        result = cases.upload_document(
            web.db, web.principal, web.rt.review_rules, number, slot=slot, filename=upload_file.filename or "",
            content_type=upload_file.content_type or "application/octet-stream", data=data,
            calendar=_calendar(web), filed_on=day, note=state.get("note"),
            max_bytes=web.rt.settings.intake_max_attachment_bytes, now=web.now())
    except (Invalid, Conflict, TooLarge) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        # The domain calls the file's bytes "data" and its name "filename": both are the file input here.
        for name in ("data", "filename", "content_type"):
            for message in state.errors.pop(name, []):
                state.add("file", message)
        return _case_page(web, number, forms={key: state}, status=exc.status, form_key=key)
    web.flash("review.uploaded", filename=result.document.filename, version=result.document.version)
    if result.completed_dossier:
        web.flash("review.dossier_complete")
    return web.redirect(f"{BASE}/{number}#dossier")


@router.get(f"{BASE}/{{number}}/documents/{{document_id}}")
def download(number: str, document_id: str, web: UserDep) -> Response:
    document = cases.document_with_content(web.db, web.principal, number, document_id)
    name = quote(document.filename)
    return Response(document.data, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{name}", "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})


@router.post(f"{BASE}/{{number}}/transition")
def transition(number: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in ("on", "note", "extension_working_days")})
    day = _day(web, state, "on", required=False)
    extension: int | None = None
    raw = state.get("extension_working_days").strip()
    if raw:
        extension = whole_number(raw)
        if extension is None:
            state.add("extension_working_days", web.t("review.whole_number"))
    if state.errors:
        return _failed(web, number, "transition", state, None)
    try:
        case = cases.transition(web.db, web.principal, web.rt.review_rules, number, text(form, "transition"),
                                calendar=_calendar(web), on=day, extension_working_days=extension,
                                note=state.get("note"), expected_version=_version(text(form, "version")),
                                now=web.now())
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.message = web.dt(exc.detail)
        for p in exc.problems:
            if p.field in ("on", "note", "extension_working_days"):
                state.add(p.field, web.dt(p.message))
        return _case_page(web, number, forms={"transition": state}, status=exc.status, form_key="transition")
    web.flash("review.moved", state=_labels(web)["rstate"](case.state.value))
    return web.redirect(f"{BASE}/{case.number}")


@router.post(f"{BASE}/{{number}}/pause")
def pause(number: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in ("started_on", "ended_on", "reason")})
    start = _day(web, state, "started_on")
    end = _day(web, state, "ended_on", required=False)
    if state.errors or start is None:
        return _failed(web, number, "pause", state, None)
    try:
        result = cases.start_pause(web.db, web.principal, web.rt.review_rules, number, calendar=_calendar(web),
                                   started_on=start, ended_on=end, reason=state.get("reason"), now=web.now())
    except (Invalid, Conflict) as exc:
        return _failed(web, number, "pause", state, exc)
    _flash_pause(web, result)
    return web.redirect(f"{BASE}/{number}#clocks")


@router.post(f"{BASE}/{{number}}/pause/end")
def end_pause(number: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={"ended_on": text(form, "ended_on")})
    end = _day(web, state, "ended_on")
    if state.errors or end is None:
        return _failed(web, number, "pause_end", state, None)
    try:
        result = cases.end_pause(web.db, web.principal, web.rt.review_rules, number, calendar=_calendar(web),
                                 ended_on=end, now=web.now())
    except (Invalid, Conflict) as exc:
        return _failed(web, number, "pause_end", state, exc)
    _flash_pause(web, result)
    return web.redirect(f"{BASE}/{number}#clocks")


def _flash_pause(web: Web, result: cases.PauseResult) -> None:
    web.flash("review.pause_text", text=result.explanation_zh if web.lang == "zh" else result.explanation_en)


@router.post(f"{BASE}/{{number}}/factors/{{factor_id}}")
def assess(number: str, factor_id: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in ("rating", "evidence", "notes")})
    try:
        assessment.assess_factor(web.db, web.principal, web.rt.review_rules, number, factor_id,
                                 rating=state.get("rating"), evidence=state.get("evidence"),
                                 notes=state.get("notes"), now=web.now())
    except (Invalid, Conflict) as exc:
        return _failed(web, number, f"factor-{factor_id}", state, exc)
    web.flash("review.factor_saved", factor=factor_id)
    return web.redirect(f"{BASE}/{number}#factor-{factor_id}")


@router.post(f"{BASE}/{{number}}/commitments")
def commitment(number: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in ("supplier", "clause_id", "committed", "evidence",
                                                         "committed_on")})
    day = _day(web, state, "committed_on", required=False)
    if state.get("committed") not in ("yes", "no"):
        state.add("committed", web.t("review.yes_or_no"))
    if state.errors:
        return _failed(web, number, "commitment", state, None)
    try:
        commitments.record_commitment(web.db, web.principal, web.rt.review_rules, number,
                                      clause_id=state.get("clause_id"), committed=state.get("committed") == "yes",
                                      supplier=state.get("supplier"), evidence=state.get("evidence"),
                                      committed_on=day, now=web.now())
    except (Invalid, Conflict) as exc:
        return _failed(web, number, "commitment", state, exc)
    web.flash("review.commitment_saved")
    return web.redirect(f"{BASE}/{number}#commitments")


@router.post(f"{BASE}/{{number}}/supervision")
def add_item(number: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in ("title", "description", "due_on", "working_days")})
    due = _day(web, state, "due_on", required=False)
    working_days: int | None = None
    raw = state.get("working_days").strip()
    if raw:
        working_days = whole_number(raw)
        if working_days is None:
            state.add("working_days", web.t("review.whole_number"))
    if state.errors:
        return _failed(web, number, "supervision", state, None)
    try:
        commitments.add_supervision_item(web.db, web.principal, number, calendar=_calendar(web),
                                         title=state.get("title"), description=state.get("description"),
                                         due_on=due, working_days=working_days, now=web.now())
    except (Invalid, Conflict) as exc:
        return _failed(web, number, "supervision", state, exc)
    web.flash("review.item_added")
    return web.redirect(f"{BASE}/{number}#supervision")


@router.post(f"{BASE}/{{number}}/supervision/{{item_id}}/done")
def item_done(number: str, item_id: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in ("done_on", "outcome")})
    day = _day(web, state, "done_on")
    if state.errors or day is None:
        return _failed(web, number, f"done-{item_id}", state, None)
    try:
        commitments.complete_supervision_item(web.db, web.principal, number, item_id, done_on=day,
                                              outcome=state.get("outcome"), now=web.now())
    except (Invalid, Conflict) as exc:
        return _failed(web, number, f"done-{item_id}", state, exc)
    web.flash("review.item_done")
    return web.redirect(f"{BASE}/{number}#supervision")


# --- the impact analysis report ---

@router.get(f"{BASE}/{{number}}/impact-report")
def impact_report(number: str, web: UserDep, download: str = "") -> Response:
    """The editable report page; ``download=html`` or ``download=pdf`` returns the document as a file."""
    report = assessment.impact_report(web.db, web.principal, web.rt.review_rules, number, now=web.now())
    lang = check_lang(web.lang)
    if download in ("1", "html"):
        return Response(impact.impact_report_html(report, lang), media_type="text/html; charset=utf-8",
                        headers=attachment_headers(impact.file_name(report, lang, "html")))
    if download == "pdf":
        return Response(impact.impact_report_pdf(report, lang), media_type="application/pdf",
                        headers=attachment_headers(impact.file_name(report, lang, "pdf")))
    return web.render("reviews/impact_report.html", {"report": report, "zh": lang == "zh",
                                                      "label": labeller(lang)})
