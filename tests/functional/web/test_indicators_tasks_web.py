"""The key tasks pages: the board by focus area, a task's page with provenance, edit and update forms that
come back with the user's input and a message on bad input or a stale version, and the import."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import Factory
from tests.functional.web.conftest import Browser
from wangan.indicators.models import TaskRecord, TaskUpdate
from wangan.kernel.calendar import FixedClock
from wangan.kernel.models import Organisation
from wangan.runtime import Runtime

PLAN = "CN-MIIT-CSI-2021-2023"
BASE = f"/indicators/{PLAN}/tasks"


@pytest.fixture(autouse=True)
def _clock(rt: Runtime) -> None:
    rt.clock = FixedClock(datetime(2026, 12, 7, 4, 0, tzinfo=UTC))


def _count(rt: Runtime, model: type) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_board_by_area_with_provenance(signed_in: Browser) -> None:
    page = signed_in.get(BASE)
    assert page.status_code == 200
    html = page.text
    assert "No focus area" in html and "A1 · Supply of products" in html
    assert "Strengthen common foundational support" in html and ">official<" in html
    assert "not yet loaded" in html and f'href="{BASE}/1#edit"' in html  # writers get the enter-text link
    assert 'style="' not in html and "<script>" not in html


def test_viewer_sees_no_forms(browser: Browser, factory: Factory, org: Organisation) -> None:
    browser.login(factory.user(org, "viewer", email="vi@example.org"))
    board = browser.get(BASE).text
    assert "not yet loaded" in board and "#edit" not in board
    detail = browser.get(f"{BASE}/6")
    assert detail.status_code == 200 and 'action="' + BASE + '/6"' not in detail.text
    assert browser.post(f"{BASE}/6", {"owner": "x"}, page=f"{BASE}/6").status_code == 403


def test_detail_and_unknown(signed_in: Browser) -> None:
    page = signed_in.get(f"{BASE}/6").text
    assert ">official<" in page and ">our wording<" in page and "edit the plan file instead" in page
    assert 'name="title_zh"' not in page  # the file's title is not offered for editing
    assert signed_in.get(f"{BASE}/40").status_code == 404
    assert signed_in.get(f"{BASE}/abc").status_code == 404
    assert signed_in.get(f"{BASE}/²").status_code == 404  # isdigit() says yes, int() says no
    assert signed_in.get(f"{BASE}/{'9' * 5000}").status_code == 404
    assert signed_in.get("/indicators/NOPE/tasks").status_code == 404


def test_enter_text_and_area(signed_in: Browser, rt: Runtime) -> None:
    resp = signed_in.post(f"{BASE}/3", {"title_zh": "壮大服务", "title_en": "Grow services", "text_source": "CSET",
                                        "area": "A2", "status": "in_progress", "version": "0"}, page=f"{BASE}/3")
    assert resp.status_code == 303, resp.text
    page = signed_in.get(f"{BASE}/3").text
    assert "entered by ana@example.org on 2026-12-07, source: CSET" in page and ">entered by user<" in page
    assert "area assigned by a user" in page
    board = signed_in.get(BASE).text
    assert board.index("Grow services") < board.index("No focus area")


def test_edit_bad_input_and_stale_version(signed_in: Browser, rt: Runtime) -> None:
    bad = signed_in.post(f"{BASE}/2", {"title_zh": "没有来源的标题", "status": "not_started", "version": "0"},
                         page=f"{BASE}/2")
    assert bad.status_code == 422
    assert "没有来源的标题" in bad.text and "say where the title or text comes from" in bad.text
    assert _count(rt, TaskRecord) == 0
    assert signed_in.post(f"{BASE}/2", {"owner": "MIIT", "status": "not_started", "version": "0"},
                          page=f"{BASE}/2").status_code == 303
    stale = signed_in.post(f"{BASE}/2", {"owner": "CAICT", "status": "not_started", "version": "0"},
                           page=f"{BASE}/2")
    assert stale.status_code == 409 and "Someone else changed this task" in stale.text
    assert 'value="CAICT"' in stale.text and 'name="version" value="1"' in stale.text


def test_progress_form(signed_in: Browser, rt: Runtime) -> None:
    future = signed_in.post(f"{BASE}/6/updates", {"on": "2027-01-01", "status": "done", "note": "finished"},
                            page=f"{BASE}/6")
    assert future.status_code == 422 and "lies in the future" in future.text and "finished" in future.text
    assert signed_in.post(f"{BASE}/6/updates", {"on": "", "status": "done", "note": "x"},
                          page=f"{BASE}/6").status_code == 422
    ok = signed_in.post(f"{BASE}/6/updates", {"on": "2022-05-01", "status": "at_risk", "note": "delayed",
                                              "evidence": "report"}, page=f"{BASE}/6")
    assert ok.status_code == 303
    page = signed_in.get(f"{BASE}/6").text
    assert "delayed" in page and "At risk" in page
    assert _count(rt, TaskUpdate) == 1


def test_import_page(signed_in: Browser, rt: Runtime) -> None:
    assert signed_in.get(f"{BASE}/import").status_code == 200
    bad = "number,title_zh,text_source\n4,标题四,CSET\n6,改标题,x\n".encode()
    resp = signed_in.post(f"{BASE}/import", page=f"{BASE}/import", files={"file": ("t.csv", bad, "text/csv")})
    assert resp.status_code == 422 and "The file was not imported" in resp.text
    assert "<th scope=\"row\">3</th><td>title_zh</td>" in resp.text
    assert _count(rt, TaskRecord) == 0
    empty = signed_in.post(f"{BASE}/import", page=f"{BASE}/import")
    assert empty.status_code == 422 and "choose a file" in empty.text
    good = "序号,标题,来源\n4,标题四,CSET\n".encode()
    done = signed_in.post(f"{BASE}/import", page=f"{BASE}/import", files={"file": ("t.csv", good, "text/csv")})
    assert done.status_code == 303
    assert _count(rt, TaskRecord) == 1


def test_pages_in_chinese(signed_in: Browser) -> None:
    signed_in.client.cookies.set("lang", "zh")
    board = signed_in.get(BASE).text
    assert "未分配领域" in board and "规划原文" in board and "尚未载入" in board
    detail = signed_in.get(f"{BASE}/6").text
    assert "我们的表述" in detail and "添加进展" in detail
    assert "导入任务" in signed_in.get(f"{BASE}/import").text
