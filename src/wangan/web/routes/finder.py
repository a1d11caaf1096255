"""The finder side in the browser: a researcher's own reports and cases (``/my/...``), and the
provider's replies and decisions posted from the case page (``/cases/{number}/finder/...``)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from wangan.errors import Conflict, Invalid
from wangan.vulns import finder
from wangan.vulns.models import PublicationRequestStatus
from wangan.web.core import FormDep, UserDep, Web, text
from wangan.web.forms import FormState
from wangan.web.paging import Pager
from wangan.web.routes.cases import _case_page

router = APIRouter()

PAGE_SIZE = 50


def _links(web: Web) -> finder.NoticeLinks:
    """Where the content-free e-mail notice to the other side points (settings)."""
    return finder.NoticeLinks(base_url=web.rt.settings.base_url, instance_name=web.rt.settings.instance_name)


@router.get("/my/reports")
def my_reports(web: UserDep, page: str = "1") -> Response:
    pager = Pager.of(page, PAGE_SIZE)
    view = finder.my_reports(web.db, web.principal, limit=pager.size, offset=pager.offset)
    return web.render("finder/list.html", {"items": view.items, "pager": pager.with_total(view.total)})


def _finder_page(web: Web, case_ref: str, *, forms: dict[str, FormState] | None = None,
                 status: int = 200) -> Response:
    detail = finder.get_case(web.db, web.principal, case_ref)
    forms = dict(forms or {})
    forms.setdefault("message", FormState())
    forms.setdefault("request", FormState())
    has_open = any(r.status is PublicationRequestStatus.OPEN for r in detail.requests)
    return web.render("finder/case.html", {"detail": detail, "c": detail.case, "forms": forms,
                                           "has_open_request": has_open}, status=status)


@router.get("/my/cases/{case_ref}")
def my_case(case_ref: str, web: UserDep) -> Response:
    return _finder_page(web, case_ref)


@router.post("/my/cases/{case_ref}/messages")
def finder_message(case_ref: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={"body": text(form, "body")})
    try:
        finder.get_case(web.db, web.principal, case_ref)  # the finder's own page, never the provider's
        finder.post_message(web.db, web.principal, case_ref, state.get("body"), now=web.now(),
                            links=_links(web))
    except Invalid as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _finder_page(web, case_ref, forms={"message": state}, status=exc.status)
    web.flash("finder.sent")
    return web.redirect(f"/my/cases/{case_ref}#messages")


@router.post("/my/cases/{case_ref}/publication-requests")
def finder_request(case_ref: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={"credit_name": text(form, "credit_name"), "note": text(form, "note")})
    try:
        finder.request_publication(web.db, web.principal, case_ref, credit_name=state.get("credit_name"),
                                   note=state.get("note"), now=web.now(), links=_links(web))
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _finder_page(web, case_ref, forms={"request": state}, status=exc.status)
    web.flash("finder.requested")
    return web.redirect(f"/my/cases/{case_ref}#requests")


# --- the provider's side, from the case page ---

@router.post("/cases/{case_ref}/finder/messages")
def provider_message(case_ref: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={"body": text(form, "body")})
    try:
        finder.post_message(web.db, web.principal, case_ref, state.get("body"), now=web.now(),
                            links=_links(web))
    except Invalid as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _case_page(web, case_ref, forms={"finder_message": state}, status=exc.status)
    web.flash("finder.sent")
    return web.redirect(f"/cases/{case_ref}#finder")


@router.post("/cases/{case_ref}/finder/requests/{request_id}")
def provider_decision(case_ref: str, request_id: str, web: UserDep, form: FormDep) -> Response:
    state = FormState(values={"note": text(form, "note")})
    try:
        finder.decide(web.db, web.principal, case_ref, request_id, accept=text(form, "decision") == "accept",
                      note=state.get("note"), now=web.now(), links=_links(web))
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _case_page(web, case_ref, forms={f"finder_decision_{request_id}": state}, status=exc.status)
    web.flash("finder.decided")
    return web.redirect(f"/cases/{case_ref}#finder")
