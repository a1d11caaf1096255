"""Collection-platform administration in the browser: the MIIT registration page (Art. 10) and the
read log of undisclosed cases (Art. 11)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.conftest import Factory
from tests.functional.web.conftest import Browser, make_case
from wangan.kernel.calendar import BEIJING
from wangan.kernel.models import Organisation, User
from wangan.runtime import Runtime
from wangan.vulns import platform


def _platform_mode(rt: Runtime) -> None:
    rt.settings = rt.settings.model_copy(update={"collection_platform": True})


def _zh(browser: Browser) -> None:
    assert browser.get("/lang/zh?next=/").status_code == 303


def _switch(browser: Browser, user: User) -> None:
    browser.client.cookies.clear()
    browser.login(user)


def _admin(factory: Factory) -> User:
    return factory.user(None, "admin", email="root@example.org")


def _today() -> str:
    return datetime.now(UTC).astimezone(BEIJING).date().isoformat()


# --- the MIIT registration ---

def test_only_administrators_see_the_platform_page(factory: Factory, browser: Browser, signed_in: Browser,
                                                   org: Organisation) -> None:
    assert 'href="/manage/platform"' not in signed_in.get("/").text
    assert signed_in.get("/manage/platform").status_code == 403
    assert signed_in.post("/manage/platform/filing", {"filing_number": "X", "filed_at": _today()},
                          page="/").status_code == 403
    _switch(browser, factory.user(org, "manager"))
    assert browser.get("/manage/platform").status_code == 403
    _switch(browser, _admin(factory))
    assert 'href="/manage/platform"' in browser.get("/").text


def test_filing_then_miit_listing(rt: Runtime, factory: Factory, browser: Browser) -> None:
    _platform_mode(rt)
    browser.login(_admin(factory))
    page = browser.get("/manage/platform").text
    assert "Collection-platform mode: on" in page
    assert 'id="registration-state">Not filed<' in page
    assert "reports cannot be accepted until an administrator records the filing" in page
    assert 'action="/manage/platform/miit-listing"' not in page  # only once filed
    assert 'href="/manage/read-log"' in page

    day = (datetime.now(UTC).astimezone(BEIJING).date() - timedelta(days=10)).isoformat()
    response = browser.post("/manage/platform/filing", {"filing_number": "京ICP备-2026-001", "filed_at": day,
                                                        "note": "first filing"}, page="/manage/platform")
    assert response.status_code == 303 and response.headers["location"] == "/manage/platform"
    page = browser.get("/manage/platform").text
    assert "Filing 京ICP备-2026-001 was recorded." in page
    assert 'id="registration-state">Filed<' in page and day in page and "first filing" in page
    with rt.sessions() as s:
        filing = platform.filing_status(s)
        assert filing is not None and filing.filed_at == datetime.fromisoformat(day).replace(tzinfo=BEIJING)

    response = browser.post("/manage/platform/miit-listing", {"published_at": _today(),
                                                              "reference": "https://www.miit.gov.cn/list"},
                            page="/manage/platform")
    assert response.status_code == 303
    page = browser.get("/manage/platform").text
    assert "MIIT&#39;s publication was recorded." in page
    assert 'id="registration-state">Published by MIIT<' in page and "https://www.miit.gov.cn/list" in page

    _zh(browser)
    page = browser.get("/manage/platform").text
    assert "已由工信部公布" in page and "漏洞收集平台模式:开启" in page


def test_bad_input_is_explained_and_kept(rt: Runtime, factory: Factory, browser: Browser) -> None:
    browser.login(_admin(factory))
    page = browser.get("/manage/platform").text
    assert "Collection-platform mode: off" in page

    response = browser.post("/manage/platform/filing", {"filing_number": "", "filed_at": "yesterday",
                                                        "note": "keep me"}, page="/manage/platform")
    assert response.status_code == 422
    assert "not a valid date" in response.text and 'value="yesterday"' in response.text
    assert "keep me" in response.text

    future = (datetime.now(UTC).astimezone(BEIJING).date() + timedelta(days=3)).isoformat()
    response = browser.post("/manage/platform/filing", {"filing_number": "", "filed_at": future, "note": "n"},
                            page="/manage/platform")
    assert response.status_code == 422
    assert "give the filing number MIIT issued" in response.text and f'value="{future}"' in response.text
    response = browser.post("/manage/platform/filing", {"filing_number": "F-1", "filed_at": future},
                            page="/manage/platform")
    assert response.status_code == 422 and "cannot be in the future" in response.text
    assert 'value="F-1"' in response.text

    # the listing before any filing: refused, and said so
    response = browser.post("/manage/platform/miit-listing", {"published_at": _today(), "reference": "r"},
                            page="/manage/platform")
    assert response.status_code == 409 and "record the MIIT filing first" in response.text

    day = (datetime.now(UTC).astimezone(BEIJING).date() - timedelta(days=5)).isoformat()
    assert browser.post("/manage/platform/filing", {"filing_number": "F-1", "filed_at": day},
                        page="/manage/platform").status_code == 303
    early = (datetime.now(UTC).astimezone(BEIJING).date() - timedelta(days=9)).isoformat()
    response = browser.post("/manage/platform/miit-listing", {"published_at": early, "reference": "  "},
                            page="/manage/platform")
    assert response.status_code == 422
    assert "say where MIIT published the list" in response.text and f'value="{early}"' in response.text
    response = browser.post("/manage/platform/miit-listing", {"published_at": early, "reference": "notice 7"},
                            page="/manage/platform")
    assert response.status_code == 422 and "cannot be before the filing date" in response.text
    assert 'value="notice 7"' in response.text
    _zh(browser)
    response = browser.post("/manage/platform/miit-listing", {"published_at": early, "reference": "notice 7"},
                            page="/manage/platform")
    assert response.status_code == 422 and "不能早于备案日期" in response.text


# --- the read log ---

def test_a_manager_reviews_the_reads_of_the_organisations_cases(rt: Runtime, factory: Factory,
                                                                browser: Browser, analyst: User,
                                                                org: Organisation) -> None:
    _platform_mode(rt)
    first = make_case(rt, factory, analyst, title="First")
    second = make_case(rt, factory, analyst, title="Second")
    browser.login(analyst)
    assert browser.get(f"/cases/{first.number}").status_code == 200
    assert browser.get(f"/cases/{second.number}").status_code == 200
    assert 'href="/manage/read-log"' not in browser.get("/").text
    assert browser.get("/manage/read-log").status_code == 403

    _switch(browser, factory.user(org, "manager", email="mia@example.org"))
    assert 'href="/manage/read-log"' in browser.get("/").text
    page = browser.get("/manage/read-log").text
    assert "You see the reads of your organisation&#39;s cases." in page
    rows = re.findall(r'<a href="/cases/([^"]+)">', page[page.index('id="read-log"'):])
    assert rows == [second.number, first.number]  # newest first
    assert "ana@example.org" in page and "Case page" in page

    page = browser.get(f"/manage/read-log?case={first.number}").text
    table = page[page.index('id="read-log"'):]
    assert first.number in table and second.number not in table
    assert f'value="{first.number}"' in page  # the filter is kept

    page = browser.get("/manage/read-log?reader=nobody").text
    assert "No reads match." in page
    yesterday = (datetime.now(UTC).astimezone(BEIJING).date() - timedelta(days=1)).isoformat()
    assert "No reads match." in browser.get(f"/manage/read-log?until={yesterday}").text
    assert second.number in browser.get(f"/manage/read-log?since={yesterday}&until={_today()}").text

    response = browser.get("/manage/read-log?case=WA-1999-9999")
    assert response.status_code == 422 and "no case WA-1999-9999" in response.text
    response = browser.get(f"/manage/read-log?since={_today()}&until={yesterday}")
    assert response.status_code == 422 and "must not be before the start date" in response.text
    response = browser.get("/manage/read-log?since=someday")
    assert response.status_code == 422 and 'value="someday"' in response.text

    _zh(browser)
    page = browser.get("/manage/read-log").text
    assert "未公开案件查阅日志" in page and "案件页面" in page
    page = browser.get("/manage/read-log?case=WA-1999-9999").text
    assert "没有案件 WA-1999-9999" in page


def test_a_manager_of_another_organisation_sees_none_of_these_reads(rt: Runtime, factory: Factory,
                                                                    signed_in: Browser, browser: Browser,
                                                                    analyst: User) -> None:
    _platform_mode(rt)
    case = make_case(rt, factory, analyst)
    assert signed_in.get(f"/cases/{case.number}").status_code == 200
    other = factory.org("elsewhere")
    _switch(browser, factory.user(other, "manager"))
    page = browser.get("/manage/read-log?org=acme-psirt").text  # managers cannot widen their scope
    assert 'id="read-log"' not in page and "No reads match." in page
    page = browser.get(f"/manage/read-log?case={case.number}").text
    assert 'id="read-log"' not in page and "ana@example.org" not in page


def test_an_administrator_sees_every_organisation_and_filters_by_one(rt: Runtime, factory: Factory,
                                                                     browser: Browser, analyst: User) -> None:
    _platform_mode(rt)
    mine = make_case(rt, factory, analyst)
    other = factory.org("elsewhere")
    zed = factory.user(other, "analyst", email="zed@example.org")
    theirs = make_case(rt, factory, zed)
    browser.login(analyst)
    assert browser.get(f"/cases/{mine.number}").status_code == 200
    _switch(browser, zed)
    assert browser.get(f"/cases/{theirs.number}").status_code == 200

    _switch(browser, _admin(factory))
    page = browser.get("/manage/read-log").text
    assert mine.number in page and theirs.number in page
    assert '<option value="elsewhere">' in page
    page = browser.get("/manage/read-log?org=elsewhere").text
    table = page[page.index('id="read-log"'):]
    assert theirs.number in table and mine.number not in table
    response = browser.get("/manage/read-log?org=no-such-org")
    assert response.status_code == 422 and "no such organisation" in response.text
    _zh(browser)
    assert "未公开案件查阅日志" in browser.get("/manage/read-log").text


def test_keys_built_from_platform_values_have_both_languages() -> None:
    from wangan.kernel.models import Jurisdiction, UserRole
    from wangan.vulns.events import VulnTag
    from wangan.vulns.models import ForwardChannel
    from wangan.web import i18n

    keys = [f"platform_state.{s.value}" for s in platform.RegistrationState]
    keys += [f"role.{r.value}" for r in UserRole] + [f"jurisdiction.{j.value}" for j in Jurisdiction]
    keys += ["jurisdiction.unknown"] + [f"read_view.{v}" for v in ("case", "timeline", "nvdb-packet")]
    keys += [f"forward_channel.{c.value}{h}" for c in ForwardChannel for h in ("", ".hint")]
    keys += [f"clock.length.{u}" for u in ("hours", "calendar_days", "calendar_months")]
    keys += [f"gate.refused.{form}" for form in ("share", "forward")]
    keys += [f"{form}.refused_body" for form in ("share", "forward")]
    keys += [f"tag.{t.value}" for t in VulnTag if t.value.startswith(("vulns:platform:", "vulns:gate:"))]
    missing = [k for k in keys if k not in i18n.MESSAGES]
    assert not missing, missing
