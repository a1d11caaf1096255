"""The key tasks of a plan: the board by focus area (tasks without an area in their own section), a
task's page with its texts and where they come from (official, our wording, entered by a user), the
edit form for writers and the dated updates with an add-update form, and the import of task texts
(all or nothing, with a table of every row and column problem)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from wangan.errors import Conflict, Invalid, NotFound, TooLarge
from wangan.indicators import policy, registry, tabular, tasks
from wangan.indicators.plans import PlanFile
from wangan.kernel.calendar import beijing_date
from wangan.kernel.numbers import whole_number
from wangan.web.core import FormDep, UserDep, Web, files, text
from wangan.web.forms import FormState

router = APIRouter()

BASE = "/indicators/{plan_id}/tasks"
EDIT_FIELDS = ("title_zh", "title_en", "text_zh", "text_en", "text_source", "area", "owner", "status", "evidence")
PROGRESS_FIELDS = ("on", "status", "note", "evidence")


def _plan(web: Web, plan_id: str) -> PlanFile:
    return registry.get_plan(web.db, web.principal, web.rt.plans, plan_id).plan


def _number(raw: str) -> int:
    number = whole_number(raw)
    if number is None:
        raise NotFound(f"there is no task {raw!r}; tasks are numbered 1, 2, 3 …")
    return number


def _labels(web: Web, plan: PlanFile) -> dict[str, Any]:
    zh = web.lang == "zh"

    def area_title(area_id: str | None) -> str:
        if not area_id:
            return web.t("task.unassigned")
        try:
            area = plan.area(area_id)
        except KeyError:
            return area_id
        return area.title_zh if zh else area.title_en

    return {
        "plan": plan, "plan_title": plan.plan.title_zh if zh else plan.plan.title_en, "area_title": area_title,
        "can_write": policy.may_write(web.principal), "statuses": tasks.STATUSES,
        "status_options": [(s, web.t(f"task.status.{s}")) for s in tasks.STATUSES],
        "area_options": [(a.id, f"{a.id} · {a.title_zh if zh else a.title_en}") for a in plan.areas],
        "base": f"/indicators/{plan.id}/tasks",
    }


@router.get(BASE)
def board_page(plan_id: str, web: UserDep) -> Response:
    plan = _plan(web, plan_id)
    columns = tasks.board(web.db, web.principal, web.rt.plans, plan.id)
    return web.render("indicators/tasks.html", {**_labels(web, plan), "columns": columns})


# --- import (registered before the task page, so "import" is not read as a number) ---


def _import_page(web: Web, plan: PlanFile, state: FormState, problems: list[tabular.CellProblem] | None = None,
                 status: int = 200) -> Response:
    return web.render("indicators/tasks_import.html", {
        **_labels(web, plan), "form": state, "problems": problems or [],
        "columns": ("number", *tasks.IMPORT_COLUMNS), "aliases": tasks.IMPORT_ALIASES,
    }, status=status)


@router.get(f"{BASE}/import")
def import_form(plan_id: str, web: UserDep) -> Response:
    plan = _plan(web, plan_id)
    policy.require_write(web.principal, "tasks")
    return _import_page(web, plan, FormState())


@router.post(f"{BASE}/import")
def import_file(plan_id: str, web: UserDep, form: FormDep) -> Response:
    plan = _plan(web, plan_id)
    state = FormState()
    uploads = files(form, "file")
    if not uploads:
        state.add("file", web.t("task.choose_file"))
        state.message = web.t("form.fix_errors")
        return _import_page(web, plan, state, status=422)
    upload = uploads[0]
    data = upload.file.read(tabular.DEFAULT_MAX_BYTES + 1)
    try:
        result = tasks.import_tasks(web.db, web.principal, web.rt.plans, plan.id, data,
                                    upload.filename or "tasks.csv", now=web.now())
    except tabular.TableError as exc:
        web.rollback(exc)
        state.message = web.dt(exc.detail)
        return _import_page(web, plan, state, exc.cell_problems, status=exc.status)
    except (Invalid, Conflict, TooLarge) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _import_page(web, plan, state, status=exc.status)
    web.flash("task.imported", rows=result.rows, created=result.created, updated=result.updated)
    return web.redirect(f"/indicators/{plan.id}/tasks")


# --- one task ---


def _edit_values(view: tasks.TaskView) -> dict[str, str]:
    def user(value: str | None, provenance: str | None) -> str:
        return (value or "") if provenance == "user" else ""

    return {
        "title_zh": user(view.title_zh, view.title_provenance), "title_en": user(view.title_en, view.title_provenance),
        "text_zh": user(view.text_zh, view.text_provenance), "text_en": user(view.text_en, view.text_provenance),
        "text_source": view.text_source, "area": (view.area_id or "") if view.area_from == "user" else "",
        "owner": view.owner if view.owner_from == "user" else "", "status": view.status, "evidence": view.evidence,
        "version": str(view.version),
    }


def _task_page(web: Web, plan: PlanFile, number: int, *, edit: FormState | None = None,
               progress: FormState | None = None, status: int = 200) -> Response:
    view = tasks.task_view(web.db, web.principal, web.rt.plans, plan.id, number)
    sources = {s.id: s for s in plan.plan.sources}
    today = beijing_date(web.now())
    return web.render("indicators/tasks_detail.html", {
        **_labels(web, plan), "task": view, "sources": [sources[s] for s in view.sources if s in sources],
        "edit": edit or FormState(values=_edit_values(view)),
        "progress": progress or FormState(values={"on": today.isoformat(), "status": view.status}),
        "today": today, "published": plan.plan.published,
    }, status=status)


@router.get(f"{BASE}/{{number}}")
def task_page(plan_id: str, number: str, web: UserDep) -> Response:
    return _task_page(web, _plan(web, plan_id), _number(number))


@router.post(f"{BASE}/{{number}}")
def edit_task(plan_id: str, number: str, web: UserDep, form: FormDep) -> Response:
    plan, n = _plan(web, plan_id), _number(number)
    view = tasks.task_view(web.db, web.principal, web.rt.plans, plan.id, n)
    state = FormState(values={name: text(form, name) for name in (*EDIT_FIELDS, "version")})
    current = _edit_values(view)
    # Only what differs is sent: fields the page does not offer (a text from the plan file) stay as they are.
    offered = set(EDIT_FIELDS)
    if view.title_fixed:
        offered -= {"title_zh", "title_en"}
    if view.text_fixed:
        offered -= {"text_zh", "text_en"}
    if view.area_fixed:
        offered.discard("area")
    changes = {name: state.get(name) for name in EDIT_FIELDS
               if name in offered and state.get(name).strip() != current[name].strip()}
    if not changes:
        web.flash("task.nothing_changed")
        return web.redirect(f"/indicators/{plan.id}/tasks/{n}")
    raw_version = state.get("version").strip()
    try:
        tasks.update_task(web.db, web.principal, web.rt.plans, plan.id, n, changes,
                          expected_version=whole_number(raw_version), now=web.now())
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        if isinstance(exc, Conflict) and "current_version" in exc.extra:
            state.values["version"] = str(exc.extra["current_version"])
            state.message = web.t("task.stale") + " " + state.message
        return _task_page(web, plan, n, edit=state, status=exc.status)
    web.flash("task.saved", number=n)
    return web.redirect(f"/indicators/{plan.id}/tasks/{n}")


@router.post(f"{BASE}/{{number}}/updates")
def add_update(plan_id: str, number: str, web: UserDep, form: FormDep) -> Response:
    plan, n = _plan(web, plan_id), _number(number)
    state = FormState(values={name: text(form, name) for name in PROGRESS_FIELDS})
    raw = state.get("on").strip()
    day: date | None = None
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        state.add("on", web.t("form.bad_date"))
    if not raw:
        state.add("on", web.t("task.give_date"))
    if state.errors or day is None:
        state.message = web.t("form.fix_errors")
        return _task_page(web, plan, n, progress=state, status=422)
    try:
        tasks.add_progress(web.db, web.principal, web.rt.plans, plan.id, n, on=day, status=state.get("status"),
                           note=state.get("note"), evidence=state.get("evidence"), now=web.now())
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _task_page(web, plan, n, progress=state, status=exc.status)
    web.flash("task.update_added", number=n)
    return web.redirect(f"/indicators/{plan.id}/tasks/{n}#updates")
