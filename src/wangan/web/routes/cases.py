"""Provider cases (Art. 7): list, new, the case page with its forms, and the NVDB packet."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import Response

from wangan.errors import Conflict, DomainError, Invalid
from wangan.kernel import identity
from wangan.kernel.numbers import whole_number
from wangan.vulns import cases, finder, products
from wangan.vulns.models import Case
from wangan.web import case_panels
from wangan.web.core import FormDep, UserDep, Web, text
from wangan.web.forms import FormState, parse_local_datetime
from wangan.web.paging import Pager
from wangan.web.rendering import ClockView, clock_view, dtlocal

router = APIRouter()

PAGE_SIZE = 50
EDIT_TEXT = ("title", "description", "verification_result", "technical_characteristics", "harm",
             "impact_scope", "cwe", "cvss31_vector", "cvss40_vector", "affected_versions", "fix_description")
EDIT_FLAGS = ("in_upstream_component", "user_action_required")
# Where to fix each NVDB packet field: an anchor of the edit form, or None (organisation settings).
PACKET_FIELD_ANCHOR: dict[str, str | None] = {
    "product_name": "product_id", "product_model": "product_id", "product_version": "affected_versions",
    "technical_characteristics": "technical_characteristics", "harm": "harm", "impact_scope": "impact_scope",
    "provider_name": None, "provider_contact": None, "cwe": "cwe", "cvss": "cvss31_vector",
    "affected_versions": "affected_versions", "fix_description": "fix_description", "title": "title",
    "description": "description",
}


# --- list and new ---

@router.get("/cases")
def list_cases(web: UserDep, state: str = "", open: str = "", overdue: str = "",
               q: str = "", page: str = "1") -> Response:
    pager = Pager.of(page, PAGE_SIZE)
    filt = cases.CaseFilter(state=state or None, open_only=bool(open), overdue_only=bool(overdue),
                            q=q.strip()[:200] or None)
    rows, total = cases.list_cases(web.db, web.principal, web.rt.vuln_rules, filt, limit=pager.size,
                                   offset=pager.offset, now=web.now())
    return web.render("cases/list.html", {
        "cases": rows, "pager": pager.with_total(total),
        "filters": {"state": state, "open": bool(open), "overdue": bool(overdue), "q": q},
        "states": web.rt.vuln_rules.case_lifecycle.states,
    })


def _new_form(web: Web, state: FormState, status: int = 200) -> Response:
    orgs = identity.list_organisations(web.db) if web.principal.is_admin else []
    return web.render("cases/new.html", {
        "form": state, "products": products.list_products(web.db, web.principal), "orgs": orgs,
    }, status=status)


@router.get("/cases/new")
def new_case_form(web: UserDep) -> Response:
    return _new_form(web, FormState(values={"aware_at": dtlocal(web.now())}))


@router.post("/cases/new")
def create_case(web: UserDep, form: FormDep) -> Response:
    names = ("title", "description", "aware_at", "product_id", "organisation_id")
    state = FormState(values={n: text(form, n) for n in names})
    aware_at = None
    try:
        aware_at = parse_local_datetime(state.get("aware_at"))
    except ValueError:
        state.add("aware_at", web.t("form.bad_datetime"))
    fields: dict[str, Any] = {}
    if state.get("product_id"):
        fields["product_id"] = state.get("product_id")
    org_id = _uuid_or_none(state.get("organisation_id"))
    try:
        if not state.errors:
            case = cases.create_case(web.db, web.principal, web.rt.vuln_rules, cases.CaseIn(
                title=state.get("title"), description=state.get("description"), organisation_id=org_id,
                aware_at=aware_at, fields=fields), now=web.now())
            web.flash("case.created", number=case.number)
            return web.redirect(f"/cases/{case.number}")
    except Invalid as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
    return _new_form(web, state, status=422)


def _uuid_or_none(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


# --- the case page ---

def _edit_values(case: Case) -> dict[str, str]:
    values = {name: str(getattr(case, name) or "") for name in EDIT_TEXT}
    values.update({name: "1" if getattr(case, name) else "" for name in EDIT_FLAGS})
    values["product_id"] = str(case.product_id) if case.product_id else ""
    values["fix_available_at"] = dtlocal(case.fix_available_at)
    values["version"] = str(case.version)
    return values


def _blocked(web: Web, blockers: list[cases.Blocker]) -> list[str]:
    """Why a transition is blocked, in the page's language (the domain speaks English)."""
    if web.lang == "en":
        return [b.message for b in blockers]
    return [web.t(f"guard.{b.guard}") for b in blockers]


def _case_page(web: Web, case_ref: str, *, forms: dict[str, FormState] | None = None,
               refusal: case_panels.Refusal | None = None, status: int = 200) -> Response:
    case = cases.get_case(web.db, web.principal, case_ref,
                          collection_platform=web.rt.settings.collection_platform)
    forms = dict(forms or {})
    now = web.now()
    if "edit" not in forms:
        forms["edit"] = FormState(values=_edit_values(case))
    sent_default = {"sent_at": dtlocal(now)}
    forms.setdefault("upstream", FormState(values=dict(sent_default)))
    forms.setdefault("downstream", FormState(values=dict(sent_default)))
    forms.setdefault("nvdb", FormState(values={"submitted_at": dtlocal(now)}))
    forms.setdefault("transition", FormState())
    forms.setdefault("share", FormState())
    forms.setdefault("member", FormState())
    transitions = []
    for t, blockers in cases.available_transitions(web.rt.vuln_rules, case):
        transitions.append((t, _blocked(web, blockers)))
    may_write = web.principal.may_write_in(case.org_id)
    owner = web.principal.may_read_in(case.org_id)  # False for an organisation the case is shared with
    panels = case_panels.build(web, case, may_write=may_write) if owner else None
    if panels is not None:
        forms.setdefault("forward", FormState(values={
            "channel": "share" if panels.vendor_slug else "email", "organisation": panels.vendor_slug,
            "forwarded_at": dtlocal(now)}))
    return web.render("cases/detail.html", {
        "case": case, "forms": forms, "transitions": transitions, "may_write": may_write,
        "products": products.list_products(web.db, web.principal) if may_write else [],
        "timeline": cases.timeline(web.db, web.principal, case.id) if owner else [],
        "nvdb_clock": web.rt.vuln_rules.clock(case.nvdb_rule_id),
        "clock": _clock(web, case),
        "finder": finder.provider_panel(web.db, web.principal, case) if owner else None,
        "panels": panels, "refusal": refusal,
    }, status=status)


def _clock(web: Web, case: Case) -> ClockView:
    return clock_view(case.nvdb_due_at, web.now(), submitted_at=case.nvdb_submitted_at,
                      on_time=case.nvdb_on_time)


@router.get("/cases/{case_ref}")
def show_case(case_ref: str, web: UserDep) -> Response:
    return _case_page(web, case_ref)


def _failed(web: Web, case_ref: str, name: str, state: FormState, exc: DomainError | None) -> Response:
    """Roll back, and show the case page again with this form as the user sent it."""
    web.rollback(exc)
    if exc is not None:
        state.absorb(exc, web.dt)
    status = exc.status if exc is not None else 422
    return _case_page(web, case_ref, forms={name: state}, status=status)


@router.post("/cases/{case_ref}/edit")
def edit_case(case_ref: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in (*EDIT_TEXT, "product_id", "fix_available_at",
                                                         "version")})
    state.values.update({n: "1" if text(form, n) else "" for n in EDIT_FLAGS})
    changes: dict[str, Any] = {n: state.get(n) for n in EDIT_TEXT}
    changes.update({n: bool(state.get(n)) for n in EDIT_FLAGS})
    changes["product_id"] = state.get("product_id") or None
    current = cases.get_case(web.db, web.principal, case_ref)
    fix_at = state.get("fix_available_at")
    if fix_at != dtlocal(current.fix_available_at):  # the input shows minutes: unchanged keeps seconds
        try:
            changes["fix_available_at"] = parse_local_datetime(fix_at) if fix_at.strip() else None
        except ValueError:
            state.add("fix_available_at", web.t("form.bad_datetime"))
    version = _version(state.get("version"))
    try:
        case = cases.update_case(web.db, web.principal, case_ref, changes, expected_version=version)
    except Conflict as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        # The form keeps the user's input; saving it again now overwrites knowingly.
        state.values["version"] = str(cases.get_case(web.db, web.principal, case_ref).version)
        state.message = f"{state.message} {web.t('case.conflict_hint')}"
        return _case_page(web, case_ref, forms={"edit": state}, status=exc.status)
    except Invalid as exc:
        return _failed(web, case_ref, "edit", state, exc)
    if state.errors:
        state.message = web.t("form.fix_errors")
        return _failed(web, case_ref, "edit", state, None)
    web.flash("case.saved")
    return web.redirect(f"/cases/{case.number}#assessment")


def _version(raw: str) -> int | None:
    return whole_number(raw)


@router.post("/cases/{case_ref}/transition")
def transition(case_ref: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={"note": text(form, "note")})
    try:
        case = cases.transition(web.db, web.principal, web.rt.vuln_rules, case_ref, text(form, "transition"),
                                expected_version=_version(text(form, "version")), note=state.get("note"))
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        # The blocked reasons are listed beside each button; the summary carries the message only.
        state.message = exc.detail
        return _case_page(web, case_ref, forms={"transition": state}, status=exc.status)
    web.flash("case.moved", state=web.state_label(case.state.value))
    return web.redirect(f"/cases/{case.number}")


def _sent_at(web: Web, form: FormData, name: str, state: FormState) -> datetime | None:
    try:
        return parse_local_datetime(text(form, name))
    except ValueError:
        state.add(name, web.t("form.bad_datetime"))
        return None


@router.post("/cases/{case_ref}/upstream")
def upstream_notice(case_ref: str, web: UserDep, form: FormDep) -> Response:
    names = ("supplier", "component", "component_version", "channel", "sent_at")
    state = FormState(values={n: text(form, n) for n in names})
    sent_at = _sent_at(web, form, "sent_at", state)
    if sent_at is None:
        return _failed(web, case_ref, "upstream", state, None)
    try:
        cases.record_upstream_notice(web.db, web.principal, case_ref, supplier=state.get("supplier"),
                                     component=state.get("component"),
                                     component_version=state.get("component_version"),
                                     channel=state.get("channel"), sent_at=sent_at)
    except (Invalid, Conflict) as exc:
        return _failed(web, case_ref, "upstream", state, exc)
    web.flash("case.upstream_recorded")
    return web.redirect(f"/cases/{case_ref}#notices")


@router.post("/cases/{case_ref}/downstream")
def downstream_notice(case_ref: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in ("recipients", "fix", "sent_at")})
    sent_at = _sent_at(web, form, "sent_at", state)
    if sent_at is None:
        return _failed(web, case_ref, "downstream", state, None)
    try:
        cases.record_downstream_notice(web.db, web.principal, case_ref, recipients=state.get("recipients"),
                                       fix=state.get("fix"), sent_at=sent_at)
    except (Invalid, Conflict) as exc:
        return _failed(web, case_ref, "downstream", state, exc)
    web.flash("case.downstream_recorded")
    return web.redirect(f"/cases/{case_ref}#notices")


@router.post("/cases/{case_ref}/nvdb-submission")
def nvdb_submission(case_ref: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in ("reference", "submitted_at")})
    submitted_at = _sent_at(web, form, "submitted_at", state)
    if submitted_at is None:
        return _failed(web, case_ref, "nvdb", state, None)
    try:
        cases.record_nvdb_submission(web.db, web.principal, web.rt.vuln_rules, case_ref,
                                     reference=state.get("reference"), submitted_at=submitted_at,
                                     expected_version=_version(text(form, "version")))
    except (Invalid, Conflict) as exc:
        return _failed(web, case_ref, "nvdb", state, exc)
    web.flash("case.nvdb_recorded")
    return web.redirect(f"/cases/{case_ref}#nvdb")


# --- the NVDB packet ---

@router.get("/cases/{case_ref}/nvdb")
def nvdb_page(case_ref: str, web: UserDep) -> Response:
    case = cases.get_case(web.db, web.principal, case_ref)
    try:
        packet = cases.nvdb_packet(web.db, web.principal, web.rt.vuln_rules, case.id,
                                   collection_platform=web.rt.settings.collection_platform)
    except Invalid as exc:
        web.rollback(exc)
        fields = {f.id: f for f in web.rt.vuln_rules.nvdb_packet.fields}
        missing = [(fields[p.field], PACKET_FIELD_ANCHOR.get(p.field)) for p in exc.problems
                   if p.field in fields]
        return web.render("cases/nvdb.html", {"case": case, "packet": None, "missing": missing},
                          status=422)
    return web.render("cases/nvdb.html", {"case": case, "packet": packet, "missing": []})


@router.get("/cases/{case_ref}/nvdb.json")
def nvdb_json(case_ref: str, web: UserDep) -> Response:
    packet = cases.nvdb_packet(web.db, web.principal, web.rt.vuln_rules, case_ref,
                               collection_platform=web.rt.settings.collection_platform)
    number = packet["case"]["number"]
    body = json.dumps(packet, ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{number}-nvdb.json"', "Cache-Control": "no-store"})
