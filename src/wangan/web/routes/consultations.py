"""Public consultations: the public list and page of a draft with its comment form, and the managers'
pages (drafts, editing, publishing, recording the 2021 draft's consultation, moderation and export).

Anyone reads a published consultation and its approved comments and comments while it is open (the
form still carries the session's CSRF token; submissions are rate-limited per address like the public
report form). Times are shown and entered in Beijing time."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from wangan.downloads import attachment_headers
from wangan.errors import Conflict, DomainError, NotFound, RateLimited
from wangan.indicators import consultations as svc
from wangan.indicators import policy
from wangan.indicators.models import Consultation
from wangan.kernel.calendar import BEIJING
from wangan.kernel.numbers import whole_number
from wangan.kernel.ratelimit import RateLimiter
from wangan.web.core import FormDep, UserDep, Web, WebDep, client_ip, text
from wangan.web.forms import FormState

router = APIRouter()

PUBLIC = "/consultations"
MANAGE = "/manage/consultations"
COMMENT_FIELDS = ("body", "section", "name", "organisation", "contact")
EDIT_FIELDS = ("slug", "title_zh", "title_en", "body", "document_url", "opens_at", "closes_at", "plan_key")


def comment_limiter(request: Request) -> RateLimiter:
    """The per-address limiter of anonymous comments, shared with the API; the intake form's rate."""
    state = request.app.state
    limiter: RateLimiter | None = getattr(state, "consultation_limiter", None)
    if limiter is None:
        limiter = RateLimiter(state.runtime.settings.intake_rate_per_minute)
        state.consultation_limiter = limiter
    return limiter


def _local(value: datetime) -> str:
    """A UTC time as a ``datetime-local`` value in Beijing time."""
    return str(value.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M:%S"))


def _views(web: Web) -> dict[str, Any]:
    return {"bj": svc.beijing_text, "window_of": lambda c: svc.window_of(c, web.now()),
            "title_of": lambda c: c.title_zh if web.lang == "zh" or not c.title_en else c.title_en}


def _notice(web: Web, c: Consultation) -> str | None:
    """Why the comment form is not shown, in the page's language; None while comments are accepted."""
    if c.recorded_only:
        return web.t("cons.recorded_notice", opens=svc.beijing_text(c.opens_at), closes=svc.beijing_text(c.closes_at))
    window = svc.window_of(c, web.now())
    if window == "upcoming":
        return web.t("cons.opens_on", when=svc.beijing_text(c.opens_at))
    if window == "closed":
        return web.t("cons.closed_on", when=svc.beijing_text(c.closes_at))
    return None


# --------------------------------------------------------------------------- public pages


@router.get(PUBLIC)
def list_public(web: WebDep) -> Response:
    rows = svc.list_consultations(web.db, web.principal)
    return web.render("consultations/list.html", {"items": rows, "may_manage": policy.may_manage(web.principal),
                                                  **_views(web)})


def _page(web: Web, c: Consultation, form: FormState | None = None, *, status: int = 200) -> Response:
    return web.render("consultations/show.html", {
        "c": c, "comments": svc.list_comments(web.db, web.principal, c.slug), "form": form or FormState(),
        "notice": _notice(web, c), "may_manage": policy.may_manage(web.principal),
        "max_comment": svc.MAX_COMMENT, **_views(web)}, status=status)


@router.get(PUBLIC + "/{slug}")
def show_public(slug: str, web: WebDep) -> Response:
    return _page(web, svc.get_consultation(web.db, web.principal, slug))


@router.post(PUBLIC + "/{slug}/comments")
def submit_comment(slug: str, web: WebDep, form: FormDep) -> Response:
    consultation = svc.get_consultation(web.db, web.principal, slug)
    state = FormState(values={name: text(form, name) for name in COMMENT_FIELDS})
    if getattr(web.request.state, "csrf_failed", False):
        # An expired page must not cost the commenter their text: show it again, ready to resend.
        state.message = web.t("cons.expired")
        return _page(web, consultation, state, status=403)
    try:
        comment_limiter(web.request).hit(client_ip(web.request))
        svc.submit_comment(web.db, slug, body=state.get("body"), section=state.get("section"),
                           name=state.get("name"), organisation=state.get("organisation"),
                           contact=state.get("contact"), now=web.now())
    except DomainError as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        if isinstance(exc, Conflict):
            state.message = _notice(web, consultation) or state.message
        elif isinstance(exc, RateLimited):
            state.message = web.t("cons.rate_limited", seconds=exc.extra.get("retry_after", 60))
        return _page(web, svc.get_consultation(web.db, web.principal, slug), state, status=exc.status)
    web.flash("cons.thanks")
    return web.redirect(f"{PUBLIC}/{slug}")


# --------------------------------------------------------------------------- managers


def _manage_list(web: Web, form: FormState | None = None, *, status: int = 200) -> Response:
    policy.require_manage(web.principal, "run consultations")
    rows = svc.list_consultations(web.db, web.principal)
    plans = [p for p in web.rt.plans if p.consultation is not None]
    return web.render("consultations/manage.html", {
        "items": rows, "form": form or FormState(), "plans": plans,
        "counts": {c.id: svc.comment_counts(web.db, c) for c in rows}, **_views(web)}, status=status)


@router.get(MANAGE)
def manage(web: UserDep) -> Response:
    return _manage_list(web)


@router.post(MANAGE)
def create(web: UserDep, form: FormDep) -> Response:
    state = FormState(values={name: text(form, name) for name in EDIT_FIELDS})
    policy.require_manage(web.principal, "run consultations")
    times: dict[str, datetime] = {}
    for name in ("opens_at", "closes_at"):
        try:
            times[name] = svc.parse_beijing(state.get(name))
        except ValueError:
            state.add(name, web.t("cons.bad_time"))
    if state.failed:
        state.message = web.t("cons.fix_fields")
        return _manage_list(web, state, status=422)
    try:
        c = svc.create_consultation(
            web.db, web.principal, slug=state.get("slug"), title_zh=state.get("title_zh"),
            title_en=state.get("title_en"), body=state.get("body"), document_url=state.get("document_url"),
            opens_at=times["opens_at"], closes_at=times["closes_at"], plan_key=state.get("plan_key"),
            now=web.now())
    except DomainError as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _manage_list(web, state, status=exc.status)
    web.flash("cons.created", slug=c.slug)
    return web.redirect(f"{MANAGE}/{c.slug}")


@router.post(MANAGE + "/record-plan")
def record_plan(web: UserDep, form: FormDep) -> Response:
    key = text(form, "plan") or next((p.id for p in web.rt.plans if p.consultation is not None), "")
    try:
        c = svc.record_plan_consultation(web.db, web.principal, web.rt.plans, key, now=web.now())
    except (Conflict, NotFound) as exc:
        web.rollback(exc)
        state = FormState()
        state.message = (web.t("cons.already_recorded", slug=exc.extra["slug"]) if "slug" in exc.extra
                         else web.dt(exc.detail))
        return _manage_list(web, state, status=exc.status)
    web.flash("cons.recorded", slug=c.slug)
    return web.redirect(f"{MANAGE}/{c.slug}")


def _edit_page(web: Web, c: Consultation, form: FormState | None = None, *, status: int = 200) -> Response:
    values = {"title_zh": c.title_zh, "title_en": c.title_en, "body": c.body, "document_url": c.document_url,
              "opens_at": _local(c.opens_at), "closes_at": _local(c.closes_at), "plan_key": c.plan_key,
              "version": str(c.version)}
    state = form or FormState(values=values)
    return web.render("consultations/edit.html", {
        "c": c, "form": state, "counts": svc.comment_counts(web.db, c), **_views(web)}, status=status)


@router.get(MANAGE + "/{slug}")
def edit(slug: str, web: UserDep) -> Response:
    policy.require_manage(web.principal, "run consultations")
    return _edit_page(web, svc.get_consultation(web.db, web.principal, slug))


@router.post(MANAGE + "/{slug}")
def update(slug: str, web: UserDep, form: FormDep) -> Response:
    policy.require_manage(web.principal, "run consultations")
    names = [n for n in EDIT_FIELDS if n != "slug"]
    state = FormState(values={name: text(form, name) for name in (*names, "version")})
    raw_version = state.get("version")
    try:
        c = svc.update_consultation(web.db, web.principal, slug, {n: state.get(n) for n in names},
                                    expected_version=whole_number(raw_version),
                                    now=web.now())
    except DomainError as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _edit_page(web, svc.get_consultation(web.db, web.principal, slug), state, status=exc.status)
    web.flash("cons.saved")
    return web.redirect(f"{MANAGE}/{c.slug}")


@router.post(MANAGE + "/{slug}/publish")
def publish(slug: str, web: UserDep) -> Response:
    try:
        c = svc.publish(web.db, web.principal, slug, now=web.now())
    except Conflict as exc:
        web.rollback(exc)
        state = FormState()
        state.absorb(exc, web.dt)
        return _edit_page(web, svc.get_consultation(web.db, web.principal, slug), state, status=exc.status)
    web.flash("cons.published", slug=c.slug)
    return web.redirect(f"{MANAGE}/{c.slug}")


def _queue(web: Web, slug: str, state_filter: str, form: FormState | None = None, *, status: int = 200) -> Response:
    c = svc.get_consultation(web.db, web.principal, slug)
    chosen = state_filter if state_filter in ("pending", "approved", "rejected") else ""
    rows = svc.list_comments(web.db, web.principal, slug, include_pending=True, state=chosen or None)
    return web.render("consultations/moderation.html", {
        "c": c, "comments": rows, "chosen": chosen, "counts": svc.comment_counts(web.db, c),
        "form": form or FormState(), **_views(web)}, status=status)


@router.get(MANAGE + "/{slug}/comments")
def moderation(slug: str, web: UserDep, state: str = "pending") -> Response:
    policy.require_manage(web.principal, "moderate comments")
    return _queue(web, slug, state)


@router.post(MANAGE + "/{slug}/comments/{comment_id}")
def moderate(slug: str, comment_id: str, web: UserDep, form: FormDep) -> Response:
    policy.require_manage(web.principal, "moderate comments")
    decision, note = text(form, "decision"), text(form, "note")
    back = text(form, "back")
    try:
        uuid.UUID(comment_id)
        svc.moderate(web.db, web.principal, comment_id, state=decision, note=note, now=web.now(),
                     consultation_slug=slug)
    except (ValueError, NotFound) as exc:
        raise NotFound(f"no comment {comment_id} on consultation {slug}") from exc
    except DomainError as exc:
        web.rollback(exc)
        state = FormState(values={"note": note})
        state.absorb(exc, web.dt)
        return _queue(web, slug, back, state, status=exc.status)
    web.flash("cons.moderated_" + ("approved" if decision == "approved" else "rejected"))
    chosen = back if back in ("approved", "rejected", "pending") else "all"
    return web.redirect(f"{MANAGE}/{slug}/comments?state={chosen}")


@router.get(MANAGE + "/{slug}/comments/export")
def export(slug: str, web: UserDep, format: str = "csv") -> Response:
    if format == "json":
        data = svc.export_comments_json(web.db, web.principal, slug)
        return Response(data.encode("utf-8"), media_type="application/json",
                        headers=attachment_headers(f"{slug}-comments.json"))
    data = svc.export_comments_csv(web.db, web.principal, slug)
    return Response(data.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers=attachment_headers(f"{slug}-comments.csv"))
