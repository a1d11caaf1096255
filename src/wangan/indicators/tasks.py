"""The key tasks of a plan: their texts with provenance, owners, status, evidence and dated progress.

A plan file lists its numbered tasks; only some are *loaded* (have a title and text). What the file
gives always wins: a title or text from the file is shown as the plan's (``official``) or as our
wording of it (``our wording``), and nobody overwrites it here (the file is edited instead). For a task
the file does not load, users may enter a title and text; it is kept in :class:`TaskRecord`, shown as
``user`` with who entered it, when and from which source, and never as official. Users may also give a
task a focus area when the file gives none, and record its owner, status, evidence and dated progress
updates (the task's status follows the latest-dated update).

Every change goes through :mod:`wangan.indicators.policy` and is audited (``TASK_UPDATED`` with before
and after, ``TASK_PROGRESS``); services flush but never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from wangan.db import utcnow
from wangan.errors import Conflict, ErrorList, FieldProblem, Invalid, NotFound
from wangan.indicators import policy, registry
from wangan.indicators.events import IndicatorTag
from wangan.indicators.models import TaskRecord, TaskStatus, TaskUpdate
from wangan.indicators.plans import PlanFile, Task
from wangan.indicators.tabular import ProblemCollector, Row, parse_int, read_table
from wangan.kernel import audit
from wangan.kernel.auth import Principal
from wangan.kernel.calendar import beijing_date
from wangan.kernel.models import AuditEvent

SUBJECT = "indicator_task"
Provenance = Literal["official", "our wording", "user"]

TITLE_FIELDS = ("title_zh", "title_en")
TEXT_FIELDS = ("text_zh", "text_en")
USER_TEXT_FIELDS = (*TITLE_FIELDS, *TEXT_FIELDS)
EDITABLE = frozenset({*USER_TEXT_FIELDS, "text_source", "owner", "status", "evidence", "area"})
MAX_LENGTH = {"title_zh": 300, "title_en": 300, "text_zh": 20_000, "text_en": 20_000, "text_source": 500,
              "owner": 200, "evidence": 20_000, "note": 20_000}

STATUS_ALIASES: dict[str, TaskStatus] = {
    "未开始": TaskStatus.NOT_STARTED, "进行中": TaskStatus.IN_PROGRESS, "已完成": TaskStatus.DONE,
    "完成": TaskStatus.DONE, "有风险": TaskStatus.AT_RISK, "滞后": TaskStatus.AT_RISK, "已放弃": TaskStatus.DROPPED,
    "not started": TaskStatus.NOT_STARTED, "in progress": TaskStatus.IN_PROGRESS, "at risk": TaskStatus.AT_RISK,
}
STATUSES = tuple(s.value for s in TaskStatus)

IMPORT_COLUMNS = ("area", "title_zh", "title_en", "text_zh", "text_en", "text_source", "owner", "status")
IMPORT_ALIASES = {"序号": "number", "任务序号": "number", "编号": "number", "领域": "area", "重点领域": "area",
                  "标题": "title_zh", "英文标题": "title_en", "内容": "text_zh", "英文内容": "text_en",
                  "来源": "text_source", "牵头单位": "owner", "负责单位": "owner", "状态": "status"}


# --------------------------------------------------------------------------- views


@dataclass(frozen=True)
class UpdateView:
    """One dated progress update."""

    id: uuid.UUID
    on: date
    status: str
    note: str
    evidence: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class TaskView:
    """A task as the monitor shows it: the file's task merged with what users recorded.

    ``title_provenance``/``text_provenance`` are ``official`` (the plan's own words), ``our wording``
    (from the file, but not the plan's text), ``user`` (entered here, see ``entered_by``/``entered_on``/
    ``text_source``) or ``None`` (not loaded yet). ``area_from`` is ``file``, ``user`` or ``None``."""

    plan_key: str
    number: int
    loaded: bool
    area_id: str | None
    area_from: Literal["file", "user"] | None
    title_zh: str | None
    title_en: str | None
    title_provenance: Provenance | None
    text_zh: str | None
    text_en: str | None
    text_provenance: Provenance | None
    entered_by: str | None
    entered_on: date | None
    text_source: str
    owner: str
    owner_from: Literal["file", "user"] | None
    status: str
    evidence: str
    sources: tuple[str, ...]
    indicators: tuple[str, ...]
    note: str
    file_status: str
    updates: tuple[UpdateView, ...]
    last_update: date | None
    version: int

    @property
    def title_official(self) -> bool:
        return self.title_provenance == "official"

    @property
    def text_official(self) -> bool:
        return self.text_provenance == "official"

    @property
    def has_title(self) -> bool:
        return self.title_provenance is not None

    @property
    def title_fixed(self) -> bool:
        """The title comes from the plan file and cannot be edited here."""
        return self.title_provenance in ("official", "our wording")

    @property
    def text_fixed(self) -> bool:
        return self.text_provenance in ("official", "our wording")

    @property
    def area_fixed(self) -> bool:
        return self.area_from == "file"


@dataclass(frozen=True)
class BoardColumn:
    """The tasks of one focus area (``area_id`` ``None``: tasks without an area), with counts per status."""

    area_id: str | None
    title_zh: str
    title_en: str
    official: bool | None
    tasks: tuple[TaskView, ...]
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return len(self.tasks)


@dataclass(frozen=True)
class TaskImportResult:
    """What a task import did."""

    plan_key: str
    filename: str
    rows: int
    created: int
    updated: int
    unchanged: int
    numbers: tuple[int, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- helpers


def _plan(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str) -> PlanFile:
    if "\x00" in plan_key:
        policy.require_read(principal)
        raise NotFound(f"no plan {plan_key!r}")
    return registry.get_plan(session, principal, shipped, plan_key).plan


def _file_task(plan: PlanFile, number: int) -> Task:
    try:
        return plan.task(number)
    except KeyError:
        raise NotFound(f"plan {plan.id} has no task {number}; its tasks are numbered 1 to {len(plan.tasks)}"
                       if plan.tasks else f"plan {plan.id} lists no tasks") from None


def _records(session: Session, plan_key: str) -> dict[int, TaskRecord]:
    rows = session.scalars(select(TaskRecord).where(TaskRecord.plan_key == plan_key)).all()
    return {r.number: r for r in rows}


def _record(session: Session, plan_key: str, number: int) -> TaskRecord | None:
    return session.scalar(select(TaskRecord).where(TaskRecord.plan_key == plan_key, TaskRecord.number == number))


def _entries(session: Session, records: Sequence[TaskRecord]) -> dict[str, tuple[str, date]]:
    """Who last entered a title or text of each record, and on which Beijing day (from the audit log)."""
    ids = [str(r.id) for r in records if any(getattr(r, n) for n in USER_TEXT_FIELDS)]
    if not ids:
        return {}
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.subject_type == SUBJECT, AuditEvent.subject_id.in_(ids),
        AuditEvent.tag == IndicatorTag.TASK_UPDATED.value).order_by(AuditEvent.id)).all()
    found: dict[str, tuple[str, date]] = {}
    for event in events:
        after = (event.data or {}).get("after") or {}
        if any(n in after for n in USER_TEXT_FIELDS):
            at = (event.data or {}).get("at")
            moment = datetime.fromisoformat(at) if isinstance(at, str) else event.occurred_at
            found[event.subject_id] = (event.actor_label, beijing_date(_aware(moment)))
    return found


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _file_provenance(official: bool, *values: str | None) -> Provenance | None:
    if not any((v or "").strip() for v in values):
        return None
    return "official" if official else "our wording"


def _view(plan: PlanFile, task: Task, record: TaskRecord | None, entry: tuple[str, date] | None) -> TaskView:
    title_prov = _file_provenance(task.title_official, task.title_zh, task.title_en) if task.loaded else None
    text_prov = _file_provenance(task.text_official, task.text_zh, task.text_en) if task.loaded else None
    title_zh, title_en = (task.title_zh, task.title_en) if title_prov else (None, None)
    text_zh, text_en = (task.text_zh, task.text_en) if text_prov else (None, None)
    user_text = False
    if record is not None:
        if title_prov is None and (record.title_zh or record.title_en):
            title_zh, title_en, title_prov, user_text = record.title_zh or None, record.title_en or None, "user", True
        if text_prov is None and (record.text_zh or record.text_en):
            text_zh, text_en, text_prov, user_text = record.text_zh or None, record.text_en or None, "user", True
    area_id: str | None = task.area
    area_from: Literal["file", "user"] | None = "file" if task.area else None
    if area_id is None and record is not None and record.area_id:
        area_id, area_from = record.area_id, "user"
    owner = ""
    owner_from_: Literal["file", "user"] | None = None
    if record is not None and record.owner:
        owner, owner_from_ = record.owner, "user"
    elif task.owner:
        owner, owner_from_ = task.owner, "file"
    updates = tuple(UpdateView(u.id, u.on, u.status.value, u.note, u.evidence, u.author_label, u.created_at)
                    for u in sorted(record.updates, key=lambda u: (u.on, _aware(u.created_at)))) if record else ()
    return TaskView(
        plan_key=plan.id, number=task.number, loaded=task.loaded, area_id=area_id, area_from=area_from,
        title_zh=title_zh, title_en=title_en, title_provenance=title_prov,
        text_zh=text_zh, text_en=text_en, text_provenance=text_prov,
        entered_by=entry[0] if user_text and entry else None, entered_on=entry[1] if user_text and entry else None,
        text_source=record.text_source if record is not None and user_text else "",
        owner=owner, owner_from=owner_from_,
        status=record.status.value if record is not None else TaskStatus.NOT_STARTED.value,
        evidence=record.evidence if record is not None else "", sources=tuple(task.sources),
        indicators=tuple(task.indicators), note=task.note, file_status=task.status, updates=updates,
        last_update=updates[-1].on if updates else None, version=record.version if record is not None else 0)


# --------------------------------------------------------------------------- reading


def task_views(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str) -> list[TaskView]:
    """Every task of the plan, by number, with its texts' provenance and what users recorded."""
    plan = _plan(session, principal, shipped, plan_key)
    records = _records(session, plan.id)
    entries = _entries(session, list(records.values()))
    return [_view(plan, task, records.get(task.number),
                  entries.get(str(records[task.number].id)) if task.number in records else None)
            for task in plan.tasks]


def task_view(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str,
              number: int) -> TaskView:
    """One task of the plan; NotFound if the plan has no such number."""
    plan = _plan(session, principal, shipped, plan_key)
    task = _file_task(plan, number)
    record = _record(session, plan.id, number)
    entry = _entries(session, [record]).get(str(record.id)) if record is not None else None
    return _view(plan, task, record, entry)


def _counts(tasks: Sequence[TaskView]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for task in tasks:
        counts[task.status] += 1
    return counts


def board(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str) -> list[BoardColumn]:
    """The tasks grouped by focus area, in the file's order of areas, then the tasks without an area."""
    plan = _plan(session, principal, shipped, plan_key)
    views = task_views(session, principal, shipped, plan_key)
    known = {a.id for a in plan.areas}
    columns = []
    for area in plan.areas:
        tasks = tuple(v for v in views if v.area_id == area.id)
        columns.append(BoardColumn(area.id, area.title_zh, area.title_en, area.official, tasks, _counts(tasks)))
    rest = tuple(v for v in views if v.area_id not in known)
    columns.append(BoardColumn(None, "未分配领域", "No focus area", None, rest, _counts(rest)))
    return columns


def board_order(columns: Sequence[BoardColumn]) -> list[TaskView]:
    """The tasks as the board shows them: area by area, then the unassigned ones."""
    return [task for column in columns for task in column.tasks]


# --------------------------------------------------------------------------- validation


def _status(value: object, field_name: str, errors: ErrorList) -> TaskStatus | None:
    if isinstance(value, TaskStatus):
        return value
    text = str(value or "").strip()
    try:
        return TaskStatus(text.lower().replace("-", "_"))
    except ValueError:
        alias = STATUS_ALIASES.get(text) or STATUS_ALIASES.get(text.lower())
        if alias is not None:
            return alias
    errors.add(field_name, f"{text!r} is not a task status; use one of {', '.join(STATUSES)}" if text
               else f"give a status: one of {', '.join(STATUSES)}")
    return None


def _area(plan: PlanFile, value: object, field_name: str, errors: ErrorList) -> str | None:
    """An area id (or an area's exact title); "" clears it."""
    text = str(value or "").strip()
    if not text:
        return ""
    for area in plan.areas:
        if text.upper() == area.id or text in (area.title_zh, area.title_en):
            return area.id
    known = ", ".join(a.id for a in plan.areas)
    errors.add(field_name, f"{text!r} is not a focus area of plan {plan.id}; "
                           + (f"use one of {known}" if known else "the plan has no focus areas"))
    return None


def _text(value: object, name: str, errors: ErrorList, field_name: str | None = None) -> str | None:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(field_name or name, "give text")
        return None
    if "\x00" in value:
        errors.add(field_name or name, "contains a NUL character")
        return None
    text = value.strip()
    limit = MAX_LENGTH.get(name)
    if limit is not None and len(text) > limit:
        errors.add(field_name or name, f"at most {limit} characters ({len(text)} given)")
        return None
    return text


def _official_conflict(plan: PlanFile, task: Task, view: TaskView, changes: Mapping[str, Any]) -> list[FieldProblem]:
    """Changes that would overwrite a title or text the plan file gives (or the file's area)."""
    problems = []
    for name in USER_TEXT_FIELDS:
        if name not in changes:
            continue
        fixed = view.title_fixed if name in TITLE_FIELDS else view.text_fixed
        if fixed and (str(changes[name] or "").strip() != (getattr(task, name) or "").strip()):
            kind = "official" if (view.title_official if name in TITLE_FIELDS else view.text_official) \
                else "our wording, from the plan file"
            problems.append(FieldProblem(name, f"task {task.number}'s {name.split('_')[0]} comes from the plan file "
                                               f"({kind}) and cannot be overwritten here; edit the plan file "
                                               "instead"))
    if "area" in changes and task.area and str(changes["area"] or "").strip() not in (task.area, ""):
        problems.append(FieldProblem("area", f"the plan file puts task {task.number} in area {task.area}; edit the "
                                             "plan file to change it"))
    return problems


def _conflict(problems: list[FieldProblem], number: int) -> Conflict:
    return Conflict(f"task {number}: " + "; ".join(p.message for p in problems), problems=problems)


def _check_version(record: TaskRecord | None, number: int, expected_version: int | None) -> None:
    current = record.version if record is not None else 0
    if expected_version is not None and expected_version != current:
        raise Conflict(f"task {number} was changed by someone else (you have version {expected_version}, it is now at "
                       f"version {current}); reload and try again", extra={"current_version": current})


def _flush(session: Session, number: int) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"task {number} was changed by someone else at the same time; reload and try again") from exc


def _new_record(session: Session, plan_key: str, number: int) -> TaskRecord:
    record = TaskRecord(plan_key=plan_key, number=number, area_id="", title_zh="", title_en="", text_zh="",
                        text_en="", text_source="", owner="", status=TaskStatus.NOT_STARTED, evidence="")
    session.add(record)
    return record


def _snapshot(record: TaskRecord | None) -> dict[str, Any]:
    if record is None:
        return {}
    return {"area": record.area_id, **{n: getattr(record, n) for n in USER_TEXT_FIELDS},
            "text_source": record.text_source, "owner": record.owner, "status": record.status.value,
            "evidence": record.evidence}


def _validated(plan: PlanFile, task: Task, view: TaskView, record: TaskRecord | None, changes: Mapping[str, Any],
               errors: ErrorList, *, field_prefix: str = "") -> dict[str, Any]:
    """The clean values of ``changes`` (texts stripped, status and area resolved); problems go to ``errors``."""
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        label = field_prefix + name
        if name == "status":
            status = _status(value, label, errors)
            if status is not None:
                clean[name] = status
        elif name == "area":
            if view.area_fixed:
                continue  # same as the file's (a different one was refused as a conflict)
            area = _area(plan, value, label, errors)
            if area is not None:
                clean[name] = area
        elif name in USER_TEXT_FIELDS:
            fixed = view.title_fixed if name in TITLE_FIELDS else view.text_fixed
            if fixed:
                continue  # equal to the file's text (a different one was refused as a conflict)
            text = _text(value, name, errors, label)
            if text is not None:
                clean[name] = text
        else:
            text = _text(value, name, errors, label)
            if text is not None:
                clean[name] = text
    entering = any(clean.get(n) for n in USER_TEXT_FIELDS)
    source = clean.get("text_source", record.text_source if record is not None else "")
    if entering and not source:
        errors.add(field_prefix + "text_source", "say where the title or text comes from (e.g. the MIIT notice, "
                                                 "a CSET translation) when you enter it")
    return clean


def _apply(record: TaskRecord, clean: Mapping[str, Any]) -> dict[str, Any]:
    before = _snapshot(record)
    for name, value in clean.items():
        setattr(record, "area_id" if name == "area" else name, value)
    after = _snapshot(record)
    return {k: v for k, v in after.items() if before.get(k) != v}


# --------------------------------------------------------------------------- writing


def update_task(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str, number: int,
                changes: Mapping[str, Any], *, expected_version: int | None = None,
                now: datetime | None = None) -> TaskView:
    """Change what users record about a task: a title/text where the file has none (with its source), the
    area where the file gives none, owner, status and evidence. Overwriting the file's text is a Conflict."""
    policy.require_write(principal, "tasks")
    plan = _plan(session, principal, shipped, plan_key)
    task = _file_task(plan, number)
    record = _record(session, plan.id, number)
    _check_version(record, number, expected_version)
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise Invalid(f"these task fields cannot be changed: {', '.join(unknown)}; editable: "
                      f"{', '.join(sorted(EDITABLE))}", problems=[FieldProblem(n, "not editable") for n in unknown])
    if not changes:
        raise Invalid("nothing to change")
    view = _view(plan, task, record, None)
    conflicts = _official_conflict(plan, task, view, changes)
    if conflicts:
        raise _conflict(conflicts, number)
    errors = ErrorList()
    clean = _validated(plan, task, view, record, changes, errors)
    if errors.problems:
        raise Invalid(f"task {number} was not changed: " + "; ".join(f"{p.field}: {p.message}"
                                                                       for p in errors.problems),
                      problems=errors.problems)
    created = record is None
    if record is None:
        record = _new_record(session, plan.id, number)
    before = _snapshot(None if created else record)
    diff = _apply(record, clean)
    if not diff:
        if created:
            session.expunge(record)
        return task_view(session, principal, shipped, plan.id, number)
    moment = now or utcnow()
    record.updated_by, record.updated_at = principal.user_id, moment
    _flush(session, number)
    audit.record(session, IndicatorTag.TASK_UPDATED, policy.actor_of(principal), SUBJECT, record.id,
                 data={"plan": plan.id, "number": number, "created": created, "at": moment.isoformat(),
                       "before": {k: before.get(k) for k in diff}, "after": diff})
    return task_view(session, principal, shipped, plan.id, number)


def add_progress(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str, number: int,
                 *, on: date, status: TaskStatus | str, note: str, evidence: str = "",
                 now: datetime | None = None) -> TaskView:
    """Record a dated progress update. The day may not lie in the future (Beijing) nor before the plan was
    published; the task's status becomes that of its latest-dated update."""
    policy.require_write(principal, "tasks")
    plan = _plan(session, principal, shipped, plan_key)
    _file_task(plan, number)
    moment = now or utcnow()
    today = beijing_date(moment)
    errors = ErrorList()
    if isinstance(on, datetime) or not isinstance(on, date):
        errors.add("on", "give a calendar date (YYYY-MM-DD)")
    elif on > today:
        errors.add("on", f"{on.isoformat()} lies in the future (today is {today.isoformat()} in Beijing)")
    elif on < plan.plan.published:
        errors.add("on", f"{on.isoformat()} is before the plan was published ({plan.plan.published.isoformat()})")
    clean_status = _status(status, "status", errors)
    clean_note = _text(note, "note", errors)
    if clean_note is not None and not clean_note:
        errors.add("note", "say what happened")
    clean_evidence = _text(evidence, "evidence", errors)
    if errors.problems:
        raise Invalid(f"the update of task {number} was not recorded: "
                      + "; ".join(f"{p.field}: {p.message}" for p in errors.problems), problems=errors.problems)
    assert clean_status is not None and clean_note is not None and clean_evidence is not None
    record = _record(session, plan.id, number) or _new_record(session, plan.id, number)
    before_status = record.status.value if record.status else TaskStatus.NOT_STARTED.value
    update = TaskUpdate(on=on, status=clean_status, note=clean_note, evidence=clean_evidence,
                        author_id=principal.user_id, author_label=principal.label, created_at=moment)
    record.updates.append(update)
    latest = max(record.updates, key=lambda u: (u.on, _aware(u.created_at)))
    record.status = latest.status
    record.updated_by, record.updated_at = principal.user_id, moment
    _flush(session, number)
    audit.record(session, IndicatorTag.TASK_PROGRESS, policy.actor_of(principal), SUBJECT, record.id,
                 data={"plan": plan.id, "number": number, "update": str(update.id), "on": on.isoformat(),
                       "status": clean_status.value, "note": clean_note, "evidence": clean_evidence,
                       "task_status": {"before": before_status, "after": record.status.value}})
    return task_view(session, principal, shipped, plan.id, number)


# --------------------------------------------------------------------------- import


def _row_changes(table_headers: Sequence[str], row: Row) -> dict[str, str]:
    """The columns of a row that say something (an empty cell changes nothing)."""
    return {name: row.cells.get(name, "") for name in IMPORT_COLUMNS
            if name in table_headers and row.cells.get(name, "").strip()}


def import_tasks(session: Session, principal: Principal, shipped: Sequence[PlanFile], plan_key: str, data: bytes,
                 filename: str, *, now: datetime | None = None) -> TaskImportResult:
    """Import task texts, areas, owners and statuses from CSV or XLSX (one row per task number).

    Every problem is reported with its row and column and nothing is imported if there is any. Rows for
    tasks whose text comes from the plan file may set owner, status and (if the file gives none) the area,
    but not the texts."""
    policy.require_write(principal, "tasks")
    plan = _plan(session, principal, shipped, plan_key)
    table = read_table(data, filename, required=("number",), optional=IMPORT_COLUMNS, aliases=IMPORT_ALIASES)
    problems = ProblemCollector()
    if not table.rows:
        problems.report(None, None, "the file has a header but no rows")
    records = _records(session, plan.id)
    seen: dict[int, int] = {}
    planned: list[tuple[int, dict[str, Any]]] = []
    for row in table.rows:
        label = table.label("number")
        number = problems.check(parse_int, row.cells.get("number", ""), row=row.number, column=label)
        if number is None:
            continue
        if not 1 <= number <= len(plan.tasks):
            problems.report(row.number, label, f"plan {plan.id} has no task {number}; its tasks are numbered 1 to "
                                               f"{len(plan.tasks)}")
            continue
        if number in seen:
            problems.report(row.number, label, f"task {number} is already in row {seen[number]}")
            continue
        seen[number] = row.number
        changes = _row_changes(table.headers, row)
        task, record = plan.task(number), records.get(number)
        view = _view(plan, task, record, None)
        for p in _official_conflict(plan, task, view, changes):
            problems.report(row.number, table.label(p.field), p.message)
        errors = ErrorList()
        clean = _validated(plan, task, view, record, changes, errors)
        for p in errors.problems:
            problems.report(row.number, table.label(p.field) if p.field in table.headers else p.field, p.message)
        planned.append((number, clean))
    problems.raise_if_any()
    created = updated = unchanged = 0
    moment = now or utcnow()
    actor = policy.actor_of(principal)
    numbers = []
    for number, clean in planned:
        record = records.get(number)
        is_new = record is None
        if record is None:
            record = _new_record(session, plan.id, number)
        before = _snapshot(None if is_new else record)
        diff = _apply(record, clean)
        if not diff:
            unchanged += 1
            if is_new:
                session.expunge(record)
            continue
        record.updated_by, record.updated_at = principal.user_id, moment
        _flush(session, number)
        audit.record(session, IndicatorTag.TASK_UPDATED, actor, SUBJECT, record.id,
                     data={"plan": plan.id, "number": number, "created": is_new, "import": filename,
                           "at": moment.isoformat(),
                           "before": {k: before.get(k) for k in diff}, "after": diff})
        numbers.append(number)
        if is_new:
            created += 1
        else:
            updated += 1
    return TaskImportResult(plan.id, filename, len(table.rows), created, updated, unchanged, tuple(numbers))
