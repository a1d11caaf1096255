"""Collection-platform administration (Art. 10, 11): the MIIT registration for administrators,
and the read log of undisclosed cases for reviewers (administrators, and managers for their own
organisation)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from wangan.errors import Conflict, Forbidden, Invalid
from wangan.kernel import identity
from wangan.kernel.calendar import BEIJING
from wangan.vulns import platform, policy
from wangan.web.core import FormDep, UserDep, Web, text
from wangan.web.forms import FormState
from wangan.web.paging import Pager

router = APIRouter()

BASE = "/manage/platform"
READ_LOG = "/manage/read-log"
PAGE_SIZE = 50


def _require_admin(web: Web) -> None:
    if not web.principal.is_admin:
        raise Forbidden("only administrators manage the platform's MIIT registration")


def _parse_date(web: Web, state: FormState, name: str) -> date | None:
    """A ``<input type=date>`` value; the error goes on the field."""
    raw = state.get(name).strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        state.add(name, web.t("form.bad_date"))
        return None


def _beijing_midnight(day: date) -> datetime:
    """A date as MIIT writes it: the start of that day in Beijing time."""
    return datetime.combine(day, time(0, 0), tzinfo=BEIJING)


# --- the MIIT registration ---

def _platform_page(web: Web, *, forms: dict[str, FormState] | None = None, status: int = 200) -> Response:
    _require_admin(web)
    filing = platform.filing_status(web.db)
    forms = dict(forms or {})
    today = web.now().astimezone(BEIJING).date().isoformat()
    forms.setdefault("filing", FormState(values={"filed_at": today}))
    forms.setdefault("listing", FormState(values={"published_at": today}))
    return web.render("platform/platform.html", {
        "filing": filing, "state": platform.registration_state(filing).value, "forms": forms,
        "states": [s.value for s in platform.RegistrationState], "not_filed_message": platform.NOT_FILED_MESSAGE,
    }, status=status)


@router.get(BASE)
def show(web: UserDep) -> Response:
    return _platform_page(web)


@router.post(f"{BASE}/filing")
def record_filing(web: UserDep, form: FormDep) -> Response:
    _require_admin(web)
    state = FormState(values={n: text(form, n) for n in ("filing_number", "filed_at", "note")})
    day = _parse_date(web, state, "filed_at")
    if day is None and not state.errors:
        state.add("filed_at", web.t("platform.give_date"))
    if state.errors or day is None:
        state.message = web.t("form.fix_errors")
        return _platform_page(web, forms={"filing": state}, status=422)
    try:
        filing = platform.record_filing(web.db, web.principal, state.get("filing_number"), _beijing_midnight(day),
                                        note=state.get("note"), now=web.now())
    except Invalid as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _platform_page(web, forms={"filing": state}, status=exc.status)
    web.flash("platform.filed", number=filing.filing_number)
    return web.redirect(BASE)


@router.post(f"{BASE}/miit-listing")
def record_listing(web: UserDep, form: FormDep) -> Response:
    _require_admin(web)
    state = FormState(values={n: text(form, n) for n in ("published_at", "reference")})
    day = _parse_date(web, state, "published_at")
    if day is None and not state.errors:
        state.add("published_at", web.t("platform.give_date"))
    if state.errors or day is None:
        state.message = web.t("form.fix_errors")
        return _platform_page(web, forms={"listing": state}, status=422)
    try:
        platform.record_miit_listing(web.db, web.principal, _beijing_midnight(day), state.get("reference"),
                                     now=web.now())
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _platform_page(web, forms={"listing": state}, status=exc.status)
    web.flash("platform.listed")
    return web.redirect(BASE)


# --- the read log (Art. 11) ---

@router.get(READ_LOG)
def read_log(web: UserDep, case: str = "", reader: str = "", since: str = "", until: str = "", org: str = "",
             page: str = "1") -> Response:
    # Reviewers only, before anything else: administrators, managers for their own organisation.
    policy.require_read_log(web.principal, None if web.principal.is_admin else web.principal.org_id)
    pager = Pager.of(page, PAGE_SIZE)
    state = FormState(values={"case": case.strip()[:40], "reader": reader.strip()[:320], "since": since.strip()[:10],
                              "until": until.strip()[:10], "org": org.strip()[:64] if web.principal.is_admin else ""})
    start = _parse_date(web, state, "since")
    end = _parse_date(web, state, "until")
    if start and end and end < start:
        state.add("until", web.t("readlog.until_before_since"))
    orgs = identity.list_organisations(web.db) if web.principal.is_admin else []
    org_id = next((o.id for o in orgs if o.slug == state.get("org")), None)
    if state.get("org") and org_id is None:
        state.add("org", web.t("readlog.no_org"))
    rows: list[platform.ReadLogEntry] = []
    total = 0
    status = 200
    if state.errors:
        state.message = web.t("readlog.bad_filter")
        status = 422
    else:
        # Dates are whole days in Beijing time; "until" includes its day.
        filt = platform.ReadLogFilter(case=state.get("case"), reader=state.get("reader"),
                                      since=_beijing_midnight(start) if start else None,
                                      until=_beijing_midnight(end) + timedelta(days=1) if end else None)
        try:
            rows, total = platform.read_log(web.db, web.principal, filt, org_id=org_id, limit=pager.size,
                                            offset=pager.offset)
        except Invalid as exc:
            web.rollback(exc)
            state.absorb(exc, web.dt)
            if not exc.problems:  # an unknown case number
                state.add("case", web.dt(exc.detail))
                state.message = web.t("readlog.bad_filter")
            status = exc.status
    query = urlencode({n: state.get(n) for n in ("case", "reader", "since", "until", "org") if state.get(n)})
    return web.render("platform/read_log.html", {
        "rows": rows, "pager": pager.with_total(total), "form": state,
        "org_options": [(o.slug, f"{o.name} ({o.slug})") for o in orgs],
        "pager_base": f"{READ_LOG}?{query}&" if query else f"{READ_LOG}?",
        "own_org_only": not web.principal.is_admin,
    }, status=status)
