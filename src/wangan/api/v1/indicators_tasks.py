"""``/api/v1/tasks``: the key tasks of a plan with the provenance of their texts, their owners, status,
evidence and dated progress updates, and the import of task texts from CSV/XLSX.

``?plan=`` names the plan (default: the first shipped plan). Every signed-in member reads; analysts,
managers and administrators write (``wangan.indicators.policy``). A title or text from the plan file
cannot be overwritten (409: edit the file instead); a stale ``If-Match``/``version`` is a 409 too."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Query, Response, UploadFile
from pydantic import BaseModel, Field

from wangan.api.deps import ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Strict
from wangan.errors import FieldProblem, Invalid, TooLarge
from wangan.indicators import tasks
from wangan.indicators.tabular import DEFAULT_MAX_BYTES
from wangan.kernel.numbers import whole_number
from wangan.runtime import Runtime

router = APIRouter(prefix="/tasks", tags=["indicators"])

PlanQuery = Annotated[str | None, Query(max_length=100, description="the plan id (default: the first shipped plan)")]


def plan_key(rt: Runtime, plan: str | None) -> str:
    if plan:
        return plan
    if not rt.plans:
        raise Invalid("no plan is shipped; name one with ?plan=", problems=[FieldProblem("plan", "required")])
    return rt.plans[0].id


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    number = whole_number(text)
    if number is None:
        raise Invalid("If-Match must carry the task's version, e.g. If-Match: \"3\"",
                      problems=[FieldProblem("If-Match", "the task version in quotes")])
    return number


class UpdateOut(BaseModel):
    id: str
    on: dt.date
    status: str
    note: str
    evidence: str
    author: str


class TaskOut(BaseModel):
    plan: str
    number: int
    loaded: bool = Field(description="the plan file gives this task's title")
    area: str | None
    area_from: str | None = Field(description="file, user or null")
    title_zh: str | None
    title_en: str | None
    title_provenance: str | None = Field(description="official, our wording (file), user or null (not loaded)")
    text_zh: str | None
    text_en: str | None
    text_provenance: str | None = Field(description="official, our wording (file), user or null (not loaded)")
    entered_by: str | None = Field(description="who entered a user title/text")
    entered_on: dt.date | None
    text_source: str
    owner: str
    status: str
    evidence: str
    sources: list[str]
    note: str
    updates: list[UpdateOut]
    last_update: dt.date | None
    version: int

    @classmethod
    def of(cls, v: tasks.TaskView) -> TaskOut:
        return cls(plan=v.plan_key, number=v.number, loaded=v.loaded, area=v.area_id, area_from=v.area_from,
                   title_zh=v.title_zh, title_en=v.title_en, title_provenance=v.title_provenance,
                   text_zh=v.text_zh, text_en=v.text_en, text_provenance=v.text_provenance,
                   entered_by=v.entered_by, entered_on=v.entered_on, text_source=v.text_source, owner=v.owner,
                   status=v.status, evidence=v.evidence, sources=list(v.sources), note=v.note,
                   updates=[UpdateOut(id=str(u.id), on=u.on, status=u.status, note=u.note, evidence=u.evidence,
                                      author=u.author) for u in v.updates],
                   last_update=v.last_update, version=v.version)


class ColumnOut(BaseModel):
    area: str | None
    title_zh: str
    title_en: str
    counts: dict[str, int]
    numbers: list[int]


class TaskListOut(BaseModel):
    plan: str
    columns: list[ColumnOut]
    items: list[TaskOut] = Field(description="the tasks in board order (area by area, then unassigned)")


class TaskPatch(Strict):
    title_zh: str | None = Field(default=None, max_length=300)
    title_en: str | None = Field(default=None, max_length=300)
    text_zh: str | None = Field(default=None, max_length=20_000)
    text_en: str | None = Field(default=None, max_length=20_000)
    text_source: str | None = Field(default=None, max_length=500)
    owner: str | None = Field(default=None, max_length=200)
    status: str | None = Field(default=None, max_length=32)
    evidence: str | None = Field(default=None, max_length=20_000)
    area: str | None = Field(default=None, max_length=300)
    version: int | None = Field(default=None, description="the version you read (or send If-Match)")


class ProgressBody(Strict):
    on: dt.date = Field(description="the Beijing calendar day it happened")
    status: str = Field(max_length=32, description="the status the task is in after it")
    note: str = Field(max_length=20_000)
    evidence: str = Field(default="", max_length=20_000)


class ImportOut(BaseModel):
    plan: str
    filename: str
    rows: int
    created: int
    updated: int
    unchanged: int
    numbers: list[int]


def _etag(response: Response, view: tasks.TaskView) -> None:
    response.headers["ETag"] = f'"{view.version}"'


@router.get("", response_model=TaskListOut, summary="The tasks of a plan by focus area, with provenance")
def list_tasks(rt: RuntimeDep, session: SessionDep, principal: ReaderDep, plan: PlanQuery = None) -> TaskListOut:
    key = plan_key(rt, plan)
    columns = tasks.board(session, principal, rt.plans, key)
    return TaskListOut(plan=key, columns=[ColumnOut(area=c.area_id, title_zh=c.title_zh, title_en=c.title_en,
                                                    counts=dict(c.counts), numbers=[t.number for t in c.tasks])
                                          for c in columns],
                       items=[TaskOut.of(v) for v in tasks.board_order(columns)])


@router.post("/import", response_model=ImportOut, summary="Import task texts, areas, owners, statuses (CSV/XLSX)")
def import_tasks(rt: RuntimeDep, session: SessionDep, principal: WriterDep,
                 file: Annotated[UploadFile, File(description="CSV or XLSX, one row per task number")],
                 plan: PlanQuery = None) -> ImportOut:
    data = file.file.read(DEFAULT_MAX_BYTES + 1)
    if len(data) > DEFAULT_MAX_BYTES:
        raise TooLarge(f"the file is larger than {DEFAULT_MAX_BYTES} bytes, the most accepted",
                       problems=[FieldProblem("file", f"at most {DEFAULT_MAX_BYTES} bytes")])
    result = tasks.import_tasks(session, principal, rt.plans, plan_key(rt, plan), data, file.filename or "",
                                now=rt.clock.now())
    return ImportOut(plan=result.plan_key, filename=result.filename, rows=result.rows, created=result.created,
                     updated=result.updated, unchanged=result.unchanged, numbers=list(result.numbers))


@router.get("/{number}", response_model=TaskOut, summary="One task with its texts, provenance and updates")
def get_task(number: int, response: Response, rt: RuntimeDep, session: SessionDep, principal: ReaderDep,
             plan: PlanQuery = None) -> TaskOut:
    view = tasks.task_view(session, principal, rt.plans, plan_key(rt, plan), number)
    _etag(response, view)
    return TaskOut.of(view)


@router.patch("/{number}", response_model=TaskOut, summary="Change a task's user text, area, owner, status")
def patch_task(number: int, body: TaskPatch, response: Response, rt: RuntimeDep, session: SessionDep,
               principal: WriterDep, plan: PlanQuery = None,
               if_match: Annotated[str | None, Header()] = None) -> TaskOut:
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"version"})
    version = body.version if body.version is not None else _if_match(if_match)
    view = tasks.update_task(session, principal, rt.plans, plan_key(rt, plan), number, changes,
                             expected_version=version, now=rt.clock.now())
    _etag(response, view)
    return TaskOut.of(view)


@router.post("/{number}/updates", status_code=201, response_model=TaskOut, summary="Record a dated progress update")
def add_update(number: int, body: ProgressBody, response: Response, rt: RuntimeDep, session: SessionDep,
               principal: WriterDep, plan: PlanQuery = None) -> TaskOut:
    key = plan_key(rt, plan)
    view = tasks.add_progress(session, principal, rt.plans, key, number, on=body.on, status=body.status,
                              note=body.note, evidence=body.evidence, now=rt.clock.now())
    response.headers["Location"] = f"/api/v1/tasks/{number}?plan={key}"
    _etag(response, view)
    return TaskOut.of(view)
