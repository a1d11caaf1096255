"""The forms of the case page's collection-platform panels: share with another organisation and
revoke (through the Art. 9 gate), add and remove members (need-to-know, Art. 11), and forward the
report to the product's provider (Art. 10 platforms).

A gate refusal is shown beside its form with every refusing rule in the page's language, and is
committed, so the decision stays in the audit log; other errors roll back and show the form again
as it was sent."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from starlette.responses import Response

from wangan.errors import Conflict, DomainError, Invalid, NotFound
from wangan.vulns import advisories, forwarding, members, sharing
from wangan.web.case_panels import Refusal
from wangan.web.core import FormDep, UserDep, Web, text
from wangan.web.forms import FormState, parse_local_datetime
from wangan.web.routes.advisories import gate_view
from wangan.web.routes.cases import _case_page

router = APIRouter()

FORWARD_FIELDS = ("channel", "organisation", "email", "recipient", "jurisdiction", "reference", "note",
                  "forwarded_at")


def _refused(web: Web, case_ref: str, name: str, state: FormState, exc: advisories.GateRefused) -> Response:
    web.rollback(exc)  # commits: the gate's decision stays on record
    state.message = web.t(f"{name}.refused_body")
    return _case_page(web, case_ref, forms={name: state},
                      refusal=Refusal(name, gate_view(web, exc.decision.to_dict())), status=exc.status)


def _failed(web: Web, case_ref: str, name: str, state: FormState, exc: DomainError,
            field: str | None = None) -> Response:
    """Show the form again; a message without field problems is put on ``field``, if given."""
    web.rollback(exc)
    state.absorb(exc, web.dt)
    if not exc.problems and field is not None:
        state.add(field, web.dt(exc.detail))
        state.message = web.t(f"{name}.not_done")
    return _case_page(web, case_ref, forms={name: state}, status=exc.status)


# --- sharing (channel share, through the gate) ---

@router.post("/cases/{case_ref}/shares")
def share(case_ref: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={"organisation": text(form, "organisation").strip()[:64],
                              "legal_signoff": text(form, "legal_signoff").strip()[:200]})
    if not state.get("organisation"):
        state.add("organisation", web.t("share.choose_org"))
        state.message = web.t("share.not_done")
        return _case_page(web, case_ref, forms={"share": state}, status=422)
    try:
        done = sharing.share_case(web.db, web.principal, web.rt.gate_rules, case_ref, state.get("organisation"),
                                  at=web.now(), legal_signoff=state.get("legal_signoff"))
    except advisories.GateRefused as exc:
        return _refused(web, case_ref, "share", state, exc)
    except (Invalid, Conflict) as exc:
        return _failed(web, case_ref, "share", state, exc, "organisation")
    slug = sharing.organisation_slugs(web.db, [done]).get(done.org_id, "")
    web.flash("share.done", org=slug)
    return web.redirect(f"/cases/{case_ref}#sharing")


@router.post("/cases/{case_ref}/shares/{share_id}/revoke")
def revoke(case_ref: str, share_id: str, web: UserDep) -> Response:
    try:
        done = sharing.revoke_share(web.db, web.principal, case_ref, share_id, at=web.now())
    except Conflict as exc:  # revoked already (another tab): the page shows it so
        state = FormState()
        web.rollback(exc)
        state.message = web.dt(exc.detail)
        return _case_page(web, case_ref, forms={"share": state}, status=exc.status)
    slug = sharing.organisation_slugs(web.db, [done]).get(done.org_id, "")
    web.flash("share.revoked", org=slug)
    return web.redirect(f"/cases/{case_ref}#sharing")


# --- members (need-to-know) ---

@router.post("/cases/{case_ref}/members")
def add_member(case_ref: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={"email": text(form, "email").strip()[:320]})
    if not state.get("email"):
        state.add("email", web.t("member.choose_user"))
        state.message = web.t("member.not_done")
        return _case_page(web, case_ref, forms={"member": state}, status=422)
    try:
        members.add_member(web.db, web.principal, case_ref, state.get("email"), at=web.now())
    except (Invalid, Conflict) as exc:
        return _failed(web, case_ref, "member", state, exc, "email")
    web.flash("member.added", email=state.get("email"))
    return web.redirect(f"/cases/{case_ref}#members")


@router.post("/cases/{case_ref}/members/remove")
def remove_member(case_ref: str, web: UserDep, form: FormDep) -> Response:
    email = text(form, "email").strip()[:320]
    try:
        members.remove_member(web.db, web.principal, case_ref, email)
    except NotFound as exc:
        # The case itself is readable (checked first by the service), so this is a stale list.
        state = FormState()
        web.rollback(exc)
        state.message = web.dt(exc.detail)
        return _case_page(web, case_ref, forms={"member": state}, status=exc.status)
    web.flash("member.removed", email=email)
    return web.redirect(f"/cases/{case_ref}#members")


# --- forward to the product's provider ---

def _forwarded_at(web: Web, state: FormState) -> datetime | None:
    """Only a forward made outside wangan says when it was sent; the others happen now."""
    raw = state.get("forwarded_at")
    if state.get("channel") != "recorded" or not raw.strip():
        return None
    try:
        return parse_local_datetime(raw)
    except ValueError:
        state.add("forwarded_at", web.t("form.bad_datetime"))
        return None


@router.post("/cases/{case_ref}/forwards")
def forward(case_ref: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in FORWARD_FIELDS})
    at = _forwarded_at(web, state)
    if state.errors:
        state.message = web.t("form.fix_errors")
        return _case_page(web, case_ref, forms={"forward": state}, status=422)
    channel = state.get("channel")
    data = forwarding.ForwardIn(
        channel=channel, organisation=state.get("organisation") if channel == "share" else "",
        email=state.get("email") if channel == "email" else "",
        recipient=state.get("recipient") if channel == "recorded" else "",
        jurisdiction=state.get("jurisdiction") if channel in ("email", "recorded") else "",
        reference=state.get("reference"), note=state.get("note"), forwarded_at=at)
    try:
        forwarding.forward_to_provider(web.db, web.principal, web.rt.gate_rules, case_ref, data, now=web.now(),
                                       platform_name=web.rt.settings.instance_name)
    except advisories.GateRefused as exc:
        return _refused(web, case_ref, "forward", state, exc)
    except Invalid as exc:
        return _failed(web, case_ref, "forward", state, exc)
    web.flash("forward.done")
    return web.redirect(f"/cases/{case_ref}#forward")
