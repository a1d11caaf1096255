"""The plan pages: list, dashboard, goal detail, printable report with downloads, plan upload — zh and en."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, Factory
from tests.functional.web.conftest import Browser
from wangan.kernel.models import Organisation, User

PLAN = "CN-MIIT-CSI-2021-2023"
SHIPPED = REPO / "rules" / "plans" / "action-plan-2021-2023.yaml"


def _lang(browser: Browser, lang: str) -> None:
    assert browser.get(f"/lang/{lang}?next=/").status_code == 303


@pytest.fixture
def manager(factory: Factory, org: Organisation) -> User:
    return factory.user(org, "manager", email="boss@example.org")


def test_list_zh_and_en(signed_in: Browser) -> None:
    _lang(signed_in, "zh")
    page = signed_in.get("/indicators")
    assert page.status_code == 200
    assert "网络安全产业高质量发展三年行动计划" in page.text and "进展顺利" in page.text
    assert "/indicators/plans/upload" not in page.text  # analysts do not load plans
    _lang(signed_in, "en")
    page = signed_in.get("/indicators")
    assert "Three-year Action Plan" in page.text and "on track" in page.text and "not measured" in page.text


def test_dashboard(signed_in: Browser) -> None:
    _lang(signed_in, "zh")
    page = signed_in.get(f"/indicators/{PLAN}")
    assert page.status_code == 200
    text = page.text
    assert text.count('class="card goal-card"') == 7
    assert "<svg" in text and "目标 &gt; 2500（2023年）" in text
    assert "计算方法与步骤" in text and "<details" in text
    assert "我方表述" in text and "原文" in text and "超过2500亿元" in text
    assert "未量化测度" in text and "尚未载入" in text
    assert f"/indicators/{PLAN}/enterprises" in text and f"/indicators/{PLAN}/investment" in text
    assert f"/indicators/{PLAN}/tasks" in text
    assert "13.6%" in text and "11.7%" in text
    assert ' style="' not in text and "<script>" not in text
    _lang(signed_in, "en")
    text = signed_in.get(f"/indicators/{PLAN}").text
    assert "How this was computed" in text and "our wording" in text and "target &gt; 2500 (2023)" in text


def test_goal_detail_and_unknowns(signed_in: Browser) -> None:
    _lang(signed_in, "en")
    page = signed_in.get(f"/indicators/{PLAN}/goals/G1")
    assert page.status_code == 200
    assert "IDC-SPENDING" in page.text and "different unit" in page.text
    assert "2002.5" in page.text and "forecast" in page.text
    assert signed_in.get(f"/indicators/{PLAN}/goals/G99").status_code == 404
    assert signed_in.get("/indicators/NO-SUCH-PLAN").status_code == 404


def test_report_page_and_downloads(signed_in: Browser) -> None:
    _lang(signed_in, "zh")
    page = signed_in.get(f"/indicators/{PLAN}/report")
    assert page.status_code == 200 and "进展报告" in page.text and "?download=pdf" in page.text
    html = signed_in.get(f"/indicators/{PLAN}/report?download=html")
    assert html.status_code == 200 and "attachment" in html.headers["content-disposition"]
    csv = signed_in.get(f"/indicators/{PLAN}/report?download=csv")
    assert csv.text.startswith("goal,indicator,series")
    assert signed_in.get(f"/indicators/{PLAN}/report?download=json").json()["plan"] == PLAN
    assert signed_in.get(f"/indicators/{PLAN}/report?download=docx").status_code == 422


def test_upload_form_errors_and_success(browser: Browser, manager: User, tmp_path: Path) -> None:
    browser.login(manager)
    _lang(browser, "en")
    page = browser.get("/indicators/plans/upload")
    assert page.status_code == 200 and 'type="file"' in page.text
    form = "/indicators/plans/upload"
    none = browser.post(form, page=form)
    assert none.status_code == 422 and "Choose a file" in none.text
    bad = browser.post(form, page=form, files={"file": ("broken.yaml", b"schema_version: 1\nplan: [\n", "text/yaml")})
    assert bad.status_code == 422 and "broken.yaml:" in bad.text
    taken = browser.post(form, page=form, files={"file": ("x.yaml", SHIPPED.read_bytes(), "text/yaml")})
    assert taken.status_code == 409
    mine = SHIPPED.read_text(encoding="utf-8").replace(f"id: {PLAN}", "id: CN-WEB-2024", 1).encode()
    ok = browser.post(form, page=form, files={"file": ("mine.yaml", mine, "text/yaml")})
    assert ok.status_code == 303 and ok.headers["location"] == "/indicators/CN-WEB-2024"
    assert browser.get("/indicators/CN-WEB-2024").status_code == 200
    gone = browser.post("/indicators/CN-WEB-2024/delete", page="/indicators/CN-WEB-2024")
    assert gone.status_code == 303
    assert browser.get("/indicators/CN-WEB-2024").status_code == 404


def test_analyst_cannot_upload(signed_in: Browser) -> None:
    assert signed_in.get("/indicators/plans/upload").status_code == 403



def test_other_slices_pages_are_not_taken_for_plans(signed_in: Browser) -> None:
    # Only upper-case plan ids are matched here; /indicators/observations belongs to another page.
    assert "no plan 'observations'" not in signed_in.get("/indicators/observations").text
    assert signed_in.get("/indicators/lower-case-id").status_code == 404
