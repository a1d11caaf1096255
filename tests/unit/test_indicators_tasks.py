"""The key tasks service: provenance of texts, the board, progress updates, locking and the import."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import Factory
from wangan.errors import Conflict, Forbidden, Invalid, NotFound
from wangan.indicators import tasks
from wangan.indicators.models import TaskRecord, TaskUpdate
from wangan.indicators.tabular import TableError
from wangan.kernel.auth import Principal
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime

PLAN = "CN-MIIT-CSI-2021-2023"
NOW = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 12:00 in Beijing


@pytest.fixture
def analyst(factory: Factory) -> Principal:
    return factory.principal(factory.user(factory.org("prov"), "analyst"))


@pytest.fixture
def viewer(factory: Factory) -> Principal:
    return factory.principal(factory.user(factory.org("prov2"), "viewer"))


def _write(rt: Runtime, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with rt.sessions.begin() as s:
        return fn(s, *args, **kwargs)


def _views(rt: Runtime, principal: Principal) -> list[tasks.TaskView]:
    with rt.sessions() as s:
        return tasks.task_views(s, principal, rt.plans, PLAN)


def test_shipped_plan_merge_and_provenance(rt: Runtime, viewer: Principal) -> None:
    views = _views(rt, viewer)
    assert [v.number for v in views] == list(range(1, 20))
    six = views[5]
    assert six.title_zh == "加强共性基础支撑" and six.title_provenance == "official"
    assert six.text_provenance == "our wording" and six.text_zh
    one = views[0]
    assert one.title_zh is None and one.title_provenance is None and one.text_provenance is None
    assert one.status == "not_started" and one.version == 0 and one.updates == ()


def test_official_text_cannot_be_overwritten(rt: Runtime, analyst: Principal) -> None:
    with pytest.raises(Conflict, match="edit the plan file"):
        _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 6, {"title_zh": "别的标题"})
    with pytest.raises(Conflict, match="plan file"):
        _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 6, {"text_en": "other words"})
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(TaskRecord)) == 0


def test_user_text_marked_user_with_who_and_source(rt: Runtime, analyst: Principal, viewer: Principal) -> None:
    view = _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 3,
                  {"title_zh": "壮大网络安全服务", "title_en": "Grow security services", "text_source": "CSET P2"},
                  now=NOW)
    assert view.title_provenance == "user" and not view.title_official
    again = _views(rt, viewer)[2]
    assert again.title_zh == "壮大网络安全服务" and again.title_provenance == "user"
    assert again.entered_by == analyst.label and again.entered_on == date(2026, 12, 7)
    assert again.text_source == "CSET P2" and again.text_provenance is None and again.version == 1


def test_user_text_needs_a_source(rt: Runtime, analyst: Principal) -> None:
    with pytest.raises(Invalid) as exc:
        _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 2, {"title_zh": "标题"})
    assert {p.field for p in exc.value.problems} == {"text_source"}


def test_bad_fields_status_area_and_unknown_task(rt: Runtime, analyst: Principal) -> None:
    with pytest.raises(Invalid) as exc:
        _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 2, {"status": "finished", "area": "A9"})
    assert {p.field for p in exc.value.problems} == {"status", "area"}
    with pytest.raises(Invalid):
        _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 2, {"number": 3})
    with pytest.raises(NotFound):
        _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 20, {"owner": "x"})
    with pytest.raises(NotFound):
        _write(rt, tasks.update_task, analyst, rt.plans, "NOPE", 2, {"owner": "x"})


def test_viewer_cannot_write(rt: Runtime, viewer: Principal) -> None:
    with pytest.raises(Forbidden):
        _write(rt, tasks.update_task, viewer, rt.plans, PLAN, 2, {"owner": "MIIT"})


def test_board_groups_by_area_and_counts(rt: Runtime, analyst: Principal) -> None:
    _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 6, {"area": "A1", "status": "in_progress"})
    _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 7, {"area": "A1", "status": "done"})
    with rt.sessions() as s:
        columns = tasks.board(s, analyst, rt.plans, PLAN)
    assert [c.area_id for c in columns] == ["A1", "A2", "A3", "A4", "A5", None]
    a1, rest = columns[0], columns[-1]
    assert [t.number for t in a1.tasks] == [6, 7] and a1.counts["in_progress"] == 1 and a1.counts["done"] == 1
    assert a1.tasks[0].area_from == "user"
    assert rest.total == 17 and rest.counts["not_started"] == 17
    assert [t.number for t in tasks.board_order(columns)][:2] == [6, 7]


def test_status_follows_latest_dated_update(rt: Runtime, analyst: Principal) -> None:
    _write(rt, tasks.add_progress, analyst, rt.plans, PLAN, 6, on=date(2022, 5, 1), status="in_progress",
           note="started", now=NOW)
    view = _write(rt, tasks.add_progress, analyst, rt.plans, PLAN, 6, on=date(2021, 9, 1), status="at_risk",
                  note="earlier news", evidence="http://example.org", now=NOW)
    assert view.status == "in_progress" and view.last_update == date(2022, 5, 1)
    assert [u.on for u in view.updates] == [date(2021, 9, 1), date(2022, 5, 1)]
    view = _write(rt, tasks.add_progress, analyst, rt.plans, PLAN, 6, on=date(2023, 12, 31), status="done",
                  note="finished", now=NOW)
    assert view.status == "done"
    with rt.sessions() as s:
        tags = s.scalars(select(AuditEvent.tag).where(AuditEvent.subject_type == "indicator_task")).all()
    assert list(tags).count("indicators:task:progress") == 3


def test_progress_date_refusals(rt: Runtime, analyst: Principal) -> None:
    for day, why in ((date(2026, 12, 8), "future"), (date(2021, 7, 11), "published")):
        with pytest.raises(Invalid, match=why):
            _write(rt, tasks.add_progress, analyst, rt.plans, PLAN, 6, on=day, status="done", note="x", now=NOW)
    with pytest.raises(Invalid) as exc:
        _write(rt, tasks.add_progress, analyst, rt.plans, PLAN, 6, on=date(2022, 1, 1), status="??", note=" ",
               now=NOW)
    assert {p.field for p in exc.value.problems} == {"status", "note"}
    # Beijing today is accepted even when it is still yesterday in UTC.
    late = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # 01:00 on 8 December in Beijing
    _write(rt, tasks.add_progress, analyst, rt.plans, PLAN, 6, on=date(2026, 12, 8), status="done", note="x",
           now=late)
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(TaskUpdate)) == 1


def test_optimistic_locking(rt: Runtime, analyst: Principal) -> None:
    view = _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 2, {"owner": "MIIT"}, expected_version=0)
    assert view.version == 1 and view.owner == "MIIT"
    view = _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 2, {"owner": "CAICT"}, expected_version=1)
    assert view.version == 2
    with pytest.raises(Conflict) as exc:
        _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 2, {"owner": "X"}, expected_version=1)
    assert exc.value.extra["current_version"] == 2


def test_audit_before_after(rt: Runtime, analyst: Principal) -> None:
    _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 2, {"owner": "MIIT"})
    _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 2, {"owner": "CAICT"})
    with rt.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.tag == "indicators:task:updated")
                          .order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.data["before"] == {"owner": "MIIT"} and event.data["after"] == {"owner": "CAICT"}


GOOD = ("序号,领域,标题,title_en,来源,牵头单位,状态\n"
        "1,A1,发展网络安全产品,Develop security products,CSET P2,工信部,进行中\n"
        "6,A2,,,,网络安全管理局,done\n").encode()


def test_import_good_file(rt: Runtime, analyst: Principal, viewer: Principal) -> None:
    result = _write(rt, tasks.import_tasks, analyst, rt.plans, PLAN, GOOD, "tasks.csv", now=NOW)
    assert (result.rows, result.created, result.updated) == (2, 2, 0)
    views = _views(rt, viewer)
    assert views[0].title_zh == "发展网络安全产品" and views[0].title_provenance == "user"
    assert views[0].area_id == "A1" and views[0].status == "in_progress" and views[0].owner == "工信部"
    assert views[5].title_provenance == "official" and views[5].area_id == "A2" and views[5].status == "done"


def test_import_bad_rows_imports_nothing(rt: Runtime, analyst: Principal) -> None:
    bad = ("number,title_zh,text_source,status,area\n"
           "1,标题一,P2,in_progress,A1\n"
           "6,另一个标题,P5,done,\n"
           "x,,,,\n"
           "25,,,,\n"
           "1,,,,\n"
           "2,标题二,,maybe,A7\n").encode()
    with pytest.raises(TableError) as exc:
        _write(rt, tasks.import_tasks, analyst, rt.plans, PLAN, bad, "tasks.csv", now=NOW)
    where = {(p.row, p.column) for p in exc.value.cell_problems}
    assert (3, "title_zh") in where and (4, "number") in where and (5, "number") in where
    assert (6, "number") in where and (7, "text_source") in where and (7, "status") in where and (7, "area") in where
    assert "nothing was imported" in exc.value.detail
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(TaskRecord)) == 0


def test_import_refuses_wrong_format(rt: Runtime, analyst: Principal) -> None:
    with pytest.raises(TableError):
        _write(rt, tasks.import_tasks, analyst, rt.plans, PLAN, b"owner\nx\n", "tasks.csv")
    with pytest.raises(TableError):
        _write(rt, tasks.import_tasks, analyst, rt.plans, PLAN, b"number\n1\n", "tasks.txt")


def test_nul_characters_refused(rt: Runtime, analyst: Principal) -> None:
    with pytest.raises(Invalid) as exc:
        _write(rt, tasks.update_task, analyst, rt.plans, PLAN, 2, {"owner": "a\x00b"})
    assert {p.field for p in exc.value.problems} == {"owner"}
    with pytest.raises(NotFound):
        _write(rt, tasks.update_task, analyst, rt.plans, "X\x00", 2, {"owner": "a"})
