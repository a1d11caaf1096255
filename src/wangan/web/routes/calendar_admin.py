"""The PRC working-day calendar for administrators: where each year's schedule comes from (the
``chinesecalendar`` library, an administrator's confirmation, or nothing yet: provisional), the
override days per year, and the forms to add or remove an override and to confirm a year.

After every change the running review clocks are recomputed with the new calendar, so a due date
that was provisional stops being so as soon as its year is confirmed."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from starlette.responses import Response

from wangan.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from wangan.kernel import workday_overrides as overrides
from wangan.kernel.calendar import beijing_date
from wangan.kernel.numbers import whole_number
from wangan.kernel.workdays import FIRST_YEAR, LAST_YEAR, DayKind
from wangan.reviews import cases
from wangan.web.core import FormDep, UserDep, Web, text
from wangan.web.forms import FormState

router = APIRouter()

BASE = "/manage/calendar"
SHOWN_SINCE_YEARS = 4  # recent years, plus any year with overrides or a confirmation


def _require_admin(web: Web) -> None:
    if not web.principal.is_admin:
        raise Forbidden("only administrators manage the PRC working-day calendar")


def _page(web: Web, *, forms: dict[str, FormState] | None = None, status: int = 200) -> Response:
    _require_admin(web)
    today = beijing_date(web.now())
    calendar = web.rt.work_calendar(web.db)
    rows = overrides.list_overrides(web.db)
    by_year: dict[int, list[object]] = {}
    for row in rows:
        by_year.setdefault(row.day.year, []).append(row)
    statuses = [s for s in overrides.year_statuses(web.db, calendar, today=today)
                if s.year >= today.year - SHOWN_SINCE_YEARS or s.overrides or s.confirmation is not None]
    forms = dict(forms or {})
    forms.setdefault("add", FormState(values={"kind": DayKind.HOLIDAY.value}))
    forms.setdefault("confirm", FormState(values={"year": str(today.year + 1)}))
    forms.setdefault("remove", FormState())
    return web.render("reviews/calendar.html", {
        "statuses": list(reversed(statuses)), "by_year": by_year, "forms": forms,
        "kinds": [(k.value, web.t(f"calendar.kind.{k.value}")) for k in DayKind],
        "first_year": FIRST_YEAR, "last_year": LAST_YEAR,
    }, status=status)


@router.get(BASE)
def show(web: UserDep) -> Response:
    return _page(web)


def _failed(web: Web, key: str, state: FormState, exc: DomainError | None) -> Response:
    web.rollback(exc)
    if exc is not None:
        state.absorb(exc, web.dt)
        if not exc.problems and key == "remove":
            state.add("date", web.dt(exc.detail))
    elif not state.message:
        state.message = web.t("form.fix_errors")
    return _page(web, forms={key: state}, status=exc.status if exc is not None else 422)


def _day(web: Web, state: FormState, name: str = "date") -> date | None:
    raw = state.get(name).strip()
    if not raw:
        state.add(name, web.t("review.give_date"))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        state.add(name, web.t("form.bad_date"))
        return None


def _refresh(web: Web) -> int:
    """Recompute running review clocks with the calendar as it is now (this transaction)."""
    return cases.refresh_clocks(web.db, web.rt.work_calendar(web.db), actor=cases.actor_of(web.principal))


@router.post(f"{BASE}/overrides")
def add(web: UserDep, form: FormDep) -> Response:
    _require_admin(web)
    state = FormState(values={n: text(form, n) for n in ("date", "kind", "name", "note")})
    day = _day(web, state)
    if day is None:
        return _failed(web, "add", state, None)
    try:
        overrides.add_override(web.db, web.principal, day, state.get("kind"), state.get("name"),
                               note=state.get("note"), now=web.now())
    except (Invalid, Conflict) as exc:
        return _failed(web, "add", state, exc)
    moved = _refresh(web)
    web.flash("calendar.added", day=day.isoformat(), moved=moved)
    return web.redirect(f"{BASE}#year-{day.year}")


@router.post(f"{BASE}/overrides/remove")
def remove(web: UserDep, form: FormDep) -> Response:
    _require_admin(web)
    state = FormState(values={"date": text(form, "date")})
    day = _day(web, state)
    if day is None:
        return _failed(web, "remove", state, None)
    try:
        overrides.remove_override(web.db, web.principal, day)
    except (NotFound, Conflict) as exc:
        return _failed(web, "remove", state, exc)
    moved = _refresh(web)
    web.flash("calendar.removed", day=day.isoformat(), moved=moved)
    return web.redirect(f"{BASE}#year-{day.year}")


@router.post(f"{BASE}/confirm")
def confirm(web: UserDep, form: FormDep) -> Response:
    _require_admin(web)
    state = FormState(values={n: text(form, n) for n in ("year", "source", "note")})
    raw = state.get("year").strip()
    year = whole_number(raw, max_digits=4)
    if year is None:
        state.add("year", web.t("review.whole_number"))
        return _failed(web, "confirm", state, None)
    try:
        overrides.confirm_year(web.db, web.principal, year, state.get("source"), note=state.get("note"),
                               now=web.now())
    except (Invalid, Conflict) as exc:
        return _failed(web, "confirm", state, exc)
    moved = _refresh(web)
    web.flash("calendar.confirmed", year=raw, moved=moved)
    return web.redirect(f"{BASE}#year-{raw}")
