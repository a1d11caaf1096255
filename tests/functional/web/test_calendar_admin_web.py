"""The PRC working-day calendar page for administrators: year statuses, overrides per year, adding
and removing an override, confirming a year, and review clocks that stop being provisional."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import Factory
from tests.functional.web.conftest import Browser
from wangan.kernel.calendar import FixedClock
from wangan.kernel.models import Organisation, User
from wangan.runtime import Runtime

NOW = datetime(2026, 12, 10, 4, 0, tzinfo=UTC)
PAGE = "/manage/calendar"


@pytest.fixture(autouse=True)
def _fixed_today(rt: Runtime) -> None:
    rt.clock = FixedClock(NOW)


def _admin(factory: Factory) -> User:
    return factory.user(None, "admin", email="root@example.org")


def _switch(browser: Browser, user: User) -> None:
    browser.client.cookies.clear()
    browser.login(user)


def _add(browser: Browser, day: str, kind: str = "holiday", name: str = "元旦 New Year") -> object:
    return browser.post(f"{PAGE}/overrides", {"date": day, "kind": kind, "name": name, "note": ""}, page=PAGE)


def test_only_administrators_manage_the_calendar(factory: Factory, browser: Browser, signed_in: Browser,
                                                 org: Organisation) -> None:
    assert f'href="{PAGE}"' not in signed_in.get("/").text
    assert signed_in.get(PAGE).status_code == 403
    assert signed_in.post(f"{PAGE}/overrides", {"date": "2027-01-01", "kind": "holiday", "name": "x"},
                          page="/").status_code == 403
    assert signed_in.post(f"{PAGE}/confirm", {"year": "2027", "source": "x"}, page="/").status_code == 403
    _switch(browser, factory.user(org, "manager"))
    assert browser.get(PAGE).status_code == 403
    assert browser.post(f"{PAGE}/overrides/remove", {"date": "2027-01-01"}, page="/").status_code == 403
    browser.client.cookies.clear()
    assert browser.get(PAGE).status_code == 303  # to the sign-in page
    _switch(browser, _admin(factory))
    assert f'href="{PAGE}"' in browser.get("/").text


def test_year_statuses_overrides_and_confirmation(factory: Factory, browser: Browser) -> None:
    browser.login(_admin(factory))
    page = browser.get(PAGE).text
    assert 'id="status-2026"' in page and 'id="status-2027"' in page
    assert page.split('id="status-2026"', 1)[1].split("</tr>", 1)[0].count("Library (confirmed)") == 1
    assert "Provisional (unconfirmed)" in page.split('id="status-2027"', 1)[1].split("</tr>", 1)[0]

    # Bad input comes back with the field marked and the input kept.
    response = browser.post(f"{PAGE}/overrides", {"date": "2027-13-01", "kind": "holiday", "name": "Spring"},
                            page=PAGE)
    assert response.status_code == 422
    assert 'id="f-add-date-error"' in response.text and 'value="2027-13-01"' in response.text
    response = _add(browser, "2027-01-01", name="")
    assert response.status_code == 422 and 'id="f-add-name-error"' in response.text
    # Confirming a year without a single holiday is refused with the reason.
    response = browser.post(f"{PAGE}/confirm", {"year": "2027", "source": "国办发明电〔2026〕7号"}, page=PAGE)
    assert response.status_code == 422 and "2027 has no holiday entered" in response.text
    assert 'value="国办发明电〔2026〕7号"' in response.text
    response = browser.post(f"{PAGE}/confirm", {"year": "2025", "source": "x"}, page=PAGE)
    assert response.status_code == 409 and "already confirmed by the chinesecalendar library" in response.text

    response = _add(browser, "2027-01-01")
    assert response.status_code == 303 and response.headers["location"] == f"{PAGE}#year-2027"
    page = browser.get(PAGE).text
    assert "The override of 2027-01-01 was added" in page and 'id="year-2027"' in page and "元旦 New Year" in page
    assert _add(browser, "2027-01-01").status_code == 409  # one override per day

    response = browser.post(f"{PAGE}/confirm", {"year": "2027", "source": "国办发明电〔2026〕7号"}, page=PAGE)
    assert response.status_code == 303
    page = browser.get(PAGE).text
    row = page.split('id="status-2027"', 1)[1].split("</tr>", 1)[0]
    assert "Confirmed by an administrator" in row and "国办发明电〔2026〕7号" in row

    # The last holiday of a confirmed year cannot be removed; an unknown day is "not found".
    response = browser.post(f"{PAGE}/overrides/remove", {"date": "2027-01-01"}, page=PAGE)
    assert response.status_code == 409 and "the last holiday entered for 2027" in response.text
    response = browser.post(f"{PAGE}/overrides/remove", {"date": "2027-05-05"}, page=PAGE)
    assert response.status_code == 404 and "no calendar override on 2027-05-05" in response.text
    assert _add(browser, "2027-01-02", kind="workday", name="元旦 调休").status_code == 303
    response = browser.post(f"{PAGE}/overrides/remove", {"date": "2027-01-02"}, page=PAGE)
    assert response.status_code == 303
    assert "The override of 2027-01-02 was removed" in browser.get(PAGE).text

    assert browser.get("/lang/zh?next=/").status_code == 303
    page = browser.get(PAGE).text
    assert "中国法定工作日历" in page and "管理员确认" in page and "库数据(已确认)" in page


def test_confirming_a_year_ends_the_provisional_marker_of_review_clocks(
        factory: Factory, browser: Browser, signed_in: Browser, org: Organisation) -> None:
    response = signed_in.post("/reviews/new", {"kind": "ex_officio", "title": "Member-unit review",
                                               "filed_on": "2026-12-01"}, page="/reviews/new")
    assert response.status_code == 303
    number = response.headers["location"].rsplit("/", 1)[1]
    assert "(unconfirmed: 2027)" in signed_in.get(f"/reviews/{number}").text

    _switch(browser, _admin(factory))
    assert _add(browser, "2027-01-01").status_code == 303
    response = browser.post(f"{PAGE}/confirm", {"year": "2027", "source": "国办发明电〔2026〕7号"}, page=PAGE)
    assert response.status_code == 303
    assert "1 review clock(s) were recomputed" in browser.get(PAGE).text
    page = browser.get(f"/reviews/{number}").text
    clock = page.split('id="clock-REV-INITIAL"', 1)[1].split("</li>", 1)[0]
    assert "provisional" not in clock and "2027-01-" in clock
