"""``/api/v1/enterprises`` and ``/api/v1/investments`` end to end, with bad input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Factory
from tests.functional.api.conftest import assert_problem, bearer, error_fields
from wangan.indicators.credit_code import check_character
from wangan.runtime import Runtime
from wangan.server import create_app

PLAN = "CN-MIIT-CSI-2021-2023"


def code(n: int) -> str:
    first = f"91440305{n:09d}"
    return first + check_character(first)


@pytest.fixture
def api(rt: Runtime, factory: Factory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    user = factory.user(factory.org(), "analyst")
    with TestClient(create_app(rt)) as client:
        yield client, bearer(factory.token(user))


def test_enterprise_crud_and_stats(api: tuple[TestClient, dict[str, str]]) -> None:
    client, h = api
    body = {"credit_code": code(1), "name": "甲", "size_industry": "software_it_services", "sectors": ["车联网"],
            "region": "广东", "unit": "万元",
            "years": [{"year": 2021, "revenue": "100", "headcount": 15}, {"year": 2022, "revenue": "300",
                                                                           "headcount": 30}]}
    made = client.post("/api/v1/enterprises", headers=h, json=body)
    assert made.status_code == 201, made.text
    assert made.json()["sectors"] == ["icv"] and made.json()["years"][0]["revenue_cny"] == "1000000"
    assert made.headers["location"] == f"/api/v1/enterprises/{code(1)}"
    page = client.get("/api/v1/enterprises?sector=icv&sme=true", headers=h).json()
    assert page["total"] == 1
    stats = client.get("/api/v1/enterprises/stats?by=sector", headers=h).json()
    icv = next(g for g in stats["groups"] if g["key"] == "icv")
    assert icv["counts"] == {"2021": 1, "2022": 1} and icv["growth"] == {"2022": "0"}
    put = client.put(f"/api/v1/enterprises/{code(1)}", headers=h, json={**{k: v for k, v in body.items()
                                                                          if k != "credit_code"}, "region": "上海"})
    assert put.status_code == 200 and put.json()["region"] == "上海"
    assert client.delete(f"/api/v1/enterprises/{code(1)}", headers=h).status_code == 204
    assert_problem(client.get(f"/api/v1/enterprises/{code(1)}", headers=h), 404)


def test_bad_enterprise_input(api: tuple[TestClient, dict[str, str]]) -> None:
    client, h = api
    bad = client.post("/api/v1/enterprises", headers=h, json={
        "credit_code": code(2)[:17] + "I", "name": "x", "size_industry": "bakery"})
    body = assert_problem(bad, 422)
    assert {"credit_code", "size_industry"} <= error_fields(body)
    assert_problem(client.get("/api/v1/enterprises/stats?by=colour", headers=h), 422)


def test_import_and_problems(api: tuple[TestClient, dict[str, str]]) -> None:
    client, h = api
    good = ("统一社会信用代码,企业名称,行业,领域,地区,年份,营业收入,从业人员\n"
            f"{code(3)},乙,software_it_services,iot,北京,2022,100,12\n").encode()
    done = client.post("/api/v1/enterprises/import", headers=h, files={"file": ("e.csv", good, "text/csv")})
    assert done.status_code == 201, done.text
    assert done.json()["created"] == 1
    again = client.post("/api/v1/enterprises/import", headers=h, files={"file": ("e.csv", good, "text/csv")})
    assert (again.json()["created"], again.json()["updated"]) == (0, 1)
    bad = ("credit_code,name,size_industry,year,revenue,headcount\n"
           f"{code(4)[:17]}0,丙,software_it_services,2022,abc,12\n").encode()
    body = assert_problem(client.post("/api/v1/enterprises/import", headers=h,
                                      files={"file": ("e.csv", bad, "text/csv")}), 422)
    if code(4)[17] != "0":
        assert "row 2, column credit_code" in error_fields(body)
    assert "row 2, column revenue" in error_fields(body)
    assert_problem(client.post("/api/v1/enterprises/import", headers=h,
                               files={"file": ("e.csv", b"", "text/csv")}), 422)


def test_investments(api: tuple[TestClient, dict[str, str]]) -> None:
    client, h = api
    rows = ("行业,年份,信息化投入,网络安全投入,单位,来源\n电信,2021,100,6,亿元,S\n电信,2022,100,9,亿元,S\n").encode()
    done = client.post(f"/api/v1/investments/import?plan={PLAN}", headers=h,
                       files={"file": ("i.csv", rows, "text/csv")})
    assert done.status_code == 201, done.text
    shares = client.get(f"/api/v1/investments/shares?plan={PLAN}", headers=h).json()
    assert shares["target_percent"] == "10"
    telecom = next(i for i in shares["industries"] if i["industry"] == "telecom")
    assert [s["share_percent"] for s in telecom["series"]] == ["6", "9"]
    assert telecom["assessment"]["status"] in ("on_track", "at_risk", "off_track")
    refused = client.post("/api/v1/investments", headers=h, json={
        "plan": PLAN, "industry": "finance", "year": 2022, "it_investment": "10", "security_investment": "20",
        "source": "S"})
    assert "security_investment" in error_fields(assert_problem(refused, 422))
    made = client.post("/api/v1/investments", headers=h, json={
        "plan": PLAN, "industry": "finance", "year": 2022, "it_investment": "10", "security_investment": "1",
        "source": "S"})
    assert made.status_code == 201 and made.json()["share_percent"] == "10"
    assert_problem(client.post("/api/v1/investments", headers=h, json={
        "plan": PLAN, "industry": "finance", "year": 2022, "it_investment": "10", "security_investment": "1",
        "source": "S"}), 409)
    assert client.delete(f"/api/v1/investments/{made.json()['id']}", headers=h).status_code == 204
    assert_problem(client.delete("/api/v1/investments/not-an-id", headers=h), 404)
