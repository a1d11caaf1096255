"""The observations pages: the table per indicator and series with source, vintage, forecast and origin
marks; the filter; recording one figure (re-rendered with messages on bad input); importing a file (a
table of row/column problems and nothing imported, or a flash and the dashboard); downloads; delete."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import Factory
from tests.functional.web.conftest import Browser
from wangan.indicators.models import Observation
from wangan.kernel.calendar import FixedClock
from wangan.kernel.models import Organisation
from wangan.runtime import Runtime

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
PAGE = "/indicators/observations"
HEADER = "indicator,series,year,value,unit,source,vintage,is_forecast\n"
GOOD = "IND-SCALE,CAICT-BROAD,2023,2500,亿元,CAICT,2024-01-15,false\n"


@pytest.fixture(autouse=True)
def _fixed_clock(rt: Runtime) -> None:
    rt.clock = FixedClock(NOW)


def count(rt: Runtime) -> int:
    with rt.sessions() as s:
        return int(s.execute(select(func.count()).select_from(Observation)).scalar_one())


def form(**changes: str) -> dict[str, str]:
    data = {"indicator": "IND-SCALE", "series": "CAICT-BROAD", "year": "2023", "value": "2500", "unit": "亿元",
            "source": "CAICT white paper (2024)", "vintage": "2024-01-15"}
    data.update(changes)
    return data


def test_the_page_shows_reference_points_with_their_marks(signed_in: Browser, rt: Runtime) -> None:
    page = signed_in.get(PAGE)
    assert page.status_code == 200
    html = page.text
    assert "CAICT-BROAD" in html and "IDC-SPENDING" in html
    assert "Forecast" in html and "Actual" in html and "Plan reference" in html and "Superseded" in html
    assert "CAICT white paper (Jan 2022)" in html and "2022-01-01" in html
    assert f'href="/indicators/observations/import?plan={rt.plans[0].id}"' in html  # analysts write
    assert 'scope="col"' in html and "<caption" in html and "style=" not in html


def test_the_filter(signed_in: Browser) -> None:
    html = signed_in.get(PAGE, params={"series": "CAICT-BROAD"}).text
    assert 'id="series-IND-SCALE-CAICT-BROAD"' in html and 'id="series-IND-SCALE-IDC-SPENDING"' not in html
    assert "Forecast</span>" in html
    html = signed_in.get(PAGE, params={"series": "CAICT-BROAD", "forecasts": "0"}).text
    assert "Forecast</span>" not in html and "Actual</span>" in html


def test_recording_one_figure(signed_in: Browser, rt: Runtime) -> None:
    resp = signed_in.post(f"{PAGE}/new", form(), page=f"{PAGE}/new")
    assert resp.status_code == 303, resp.text
    assert count(rt) == 1
    listed = signed_in.get(resp.headers["location"]).text
    assert "Recorded the 2023 observation of CAICT-BROAD." in listed and "Recorded</span>" in listed
    assert "/delete" in listed


def test_bad_input_re_renders_the_form_with_messages(signed_in: Browser, rt: Runtime) -> None:
    resp = signed_in.post(f"{PAGE}/new", form(value="12,3x", unit="USD bn"), page=f"{PAGE}/new")
    assert resp.status_code == 422
    assert "&#39;12,3x&#39; is not a number" in resp.text and "does not fit series CAICT-BROAD" in resp.text
    assert 'value="12,3x"' in resp.text and 'aria-invalid="true"' in resp.text
    signed_in.post(f"{PAGE}/new", form(), page=f"{PAGE}/new")
    again = signed_in.post(f"{PAGE}/new", form(), page=f"{PAGE}/new")
    assert again.status_code == 409 and "duplicate observation" in again.text
    assert count(rt) == 1


def test_importing_a_file(signed_in: Browser, rt: Runtime) -> None:
    resp = signed_in.post(f"{PAGE}/import", {"plan": rt.plans[0].id}, page=f"{PAGE}/import",
                          files={"file": ("obs.csv", (HEADER + GOOD).encode(), "text/csv")})
    assert resp.status_code == 303 and resp.headers["location"] == f"/indicators/{rt.plans[0].id}"
    assert count(rt) == 1
    assert "1 observations imported." in signed_in.get(PAGE).text


def test_a_bad_file_shows_a_table_of_problems_and_imports_nothing(signed_in: Browser, rt: Runtime) -> None:
    text = (HEADER + GOOD + 'IND-SCALE,CAICT-BROAD,2022,"12,3x",亿元,CAICT,2023-02-01,false\n'
            + "IND-SCALE,CAICT-BROAD,2150,2600,亿元,CAICT,2024-01-15,false\n")
    resp = signed_in.post(f"{PAGE}/import", {"plan": rt.plans[0].id}, page=f"{PAGE}/import",
                          files={"file": ("obs.csv", text.encode(), "text/csv")})
    assert resp.status_code == 422
    cells = re.findall(r'<tr><th scope="row">(\d+)</th><td>(\w+)</td>', resp.text)
    assert cells == [("3", "value"), ("4", "year")]
    assert "2150 is not a year between 1900 and 2100" in resp.text
    assert count(rt) == 0


def test_no_file_chosen(signed_in: Browser, rt: Runtime) -> None:
    resp = signed_in.post(f"{PAGE}/import", {"plan": rt.plans[0].id}, page=f"{PAGE}/import")
    assert resp.status_code == 422 and "Choose a file to import." in resp.text


def test_downloads(signed_in: Browser) -> None:
    template = signed_in.get(f"{PAGE}/template.csv")
    assert template.status_code == 200 and template.headers["content-type"].startswith("text/csv")
    assert template.text.lstrip("\ufeff").startswith("indicator,series,year,value,unit,source,vintage")
    assert signed_in.get(f"{PAGE}/export.csv").status_code == 200


def test_deleting(signed_in: Browser, rt: Runtime) -> None:
    signed_in.post(f"{PAGE}/new", form(), page=f"{PAGE}/new")
    with rt.sessions() as s:
        row_id = s.scalars(select(Observation.id)).one()
    resp = signed_in.post(f"{PAGE}/{row_id}/delete", page=PAGE)
    assert resp.status_code == 303 and count(rt) == 0


def test_viewers_see_no_write_controls_and_cannot_post(browser: Browser, factory: Factory, org: Organisation,
                                                       rt: Runtime) -> None:
    browser.login(factory.user(org, "viewer", email="view@example.org"))
    html = browser.get(PAGE).text
    assert f"{PAGE}/import" not in html and f"{PAGE}/new" not in html
    assert browser.get(f"{PAGE}/new").status_code == 403
    assert browser.post(f"{PAGE}/new", form(), page=PAGE).status_code == 403
    assert count(rt) == 0


def test_anonymous_visitors_are_sent_to_sign_in(browser: Browser) -> None:
    resp = browser.get(PAGE)
    assert resp.status_code in (302, 303) and "/login" in resp.headers["location"]

