"""The enterprise register and investment pages: listing, SME tables and chart, add/edit/delete, imports with
the row/column problem table, investment shares against the 10 % line, downloads, and bad input."""

from __future__ import annotations

from tests.functional.web.conftest import Browser
from wangan.indicators.credit_code import check_character

PLAN = "CN-MIIT-CSI-2021-2023"
BASE = f"/indicators/{PLAN}"


def code(n: int) -> str:
    first = f"91320102{n:09d}"
    return first + check_character(first)


def test_add_list_edit_delete(signed_in: Browser) -> None:
    page = signed_in.get(f"{BASE}/enterprises")
    assert page.status_code == 200 and "Enterprise register" in page.text
    form = signed_in.get(f"{BASE}/enterprises/new")
    assert form.status_code == 200 and '<option value="万元" selected>' in form.text
    done = signed_in.post(f"{BASE}/enterprises/new", {
        "credit_code": code(1), "name": "Acme Security", "size_industry": "software_it_services",
        "sectors": "iot;smart_city", "region": "Jiangsu", "year": "2022", "revenue": "500", "headcount": "20",
        "unit": "万元"}, page=f"{BASE}/enterprises/new")
    assert done.status_code == 303, done.text
    listed = signed_in.get(f"{BASE}/enterprises?sector=iot&sme=1")
    assert code(1) in listed.text and "Acme Security" in listed.text and "small" in listed.text
    assert '<svg' in listed.text and 'role="img"' in listed.text
    assert "Jiangsu" in listed.text  # the SME table by region
    edit = signed_in.get(f"{BASE}/enterprises/new?code={code(1)}")
    assert "Acme Security" in edit.text and 'value="500"' in edit.text
    gone = signed_in.post(f"{BASE}/enterprises/{code(1)}/delete", page=f"{BASE}/enterprises")
    assert gone.status_code == 303
    assert "deleted" in signed_in.get(f"{BASE}/enterprises").text  # the flash
    assert f"<code>{code(1)}</code>" not in signed_in.get(f"{BASE}/enterprises").text


def test_bad_enterprise_form_is_shown_again(signed_in: Browser) -> None:
    bad = code(2)[:17] + "Z"
    resp = signed_in.post(f"{BASE}/enterprises/new", {
        "credit_code": bad, "name": "Kept Name", "size_industry": "software_it_services", "year": "2022",
        "revenue": "abc", "unit": "万元"}, page=f"{BASE}/enterprises/new")
    assert resp.status_code == 422
    assert "Kept Name" in resp.text and 'aria-invalid="true"' in resp.text
    resp = signed_in.post(f"{BASE}/enterprises/new", {
        "credit_code": bad, "name": "Kept Name", "size_industry": "software_it_services", "unit": "万元"},
        page=f"{BASE}/enterprises/new")
    assert resp.status_code == 422 and "never used" in resp.text


def test_import_with_problem_table_then_success(signed_in: Browser) -> None:
    page = f"{BASE}/enterprises/import"
    assert "万元" in signed_in.get(page).text
    bad = ("credit_code,name,size_industry,year,revenue,headcount\n"
           f"{code(3)},A,software_it_services,2022,12x,5\n").encode()
    resp = signed_in.post(page, files={"file": ("e.csv", bad, "text/csv")}, page=page)
    assert resp.status_code == 422
    assert "<th scope=\"row\">2</th>" in resp.text and "revenue" in resp.text
    good = ("credit_code,name,size_industry,sectors,region,year,revenue,headcount\n"
            f"{code(3)},A,software_it_services,icv,Jiangsu,2021,100,5\n"
            f"{code(3)},A,software_it_services,icv,Jiangsu,2022,200,8\n").encode()
    ok = signed_in.post(page, files={"file": ("e.csv", good, "text/csv")}, page=page)
    assert ok.status_code == 303
    listed = signed_in.get(f"{BASE}/enterprises")
    assert code(3) in listed.text and "(0.0%)" in listed.text  # one icv SME in 2021 and in 2022
    none = signed_in.post(page, page=page)
    assert none.status_code == 422


def test_investment_page(signed_in: Browser) -> None:
    page = f"{BASE}/investment"
    assert signed_in.get(page).status_code == 200
    ok = signed_in.post(f"{page}/new", {"industry": "telecom", "year": "2022", "it_investment": "100",
                                        "security_investment": "12", "unit": "万元", "source": "survey"}, page=page)
    assert ok.status_code == 303
    shown = signed_in.get(page)
    assert "12.00%" in shown.text and "<svg" in shown.text
    refused = signed_in.post(f"{page}/new", {"industry": "telecom", "year": "2023", "it_investment": "10",
                                             "security_investment": "12", "unit": "万元", "source": "survey"},
                             page=page)
    assert refused.status_code == 422 and "more than the IT investment" in refused.text
    imp = f"{page}/import"
    bad = b"industry,year,it_investment,security_investment,source\nbakery,2022,1,0,s\n"
    resp = signed_in.post(imp, files={"file": ("i.csv", bad, "text/csv")}, page=imp)
    assert resp.status_code == 422 and "telecom" in resp.text


def test_templates_download(signed_in: Browser) -> None:
    ent = signed_in.get("/indicators/enterprises/template.csv")
    assert ent.status_code == 200 and ent.text.startswith("credit_code,") and "万元" in ent.text
    inv = signed_in.get("/indicators/investment/template.csv")
    assert inv.status_code == 200 and inv.text.startswith("industry,")


def test_unknown_plan_is_404(signed_in: Browser) -> None:
    assert signed_in.get("/indicators/NO-SUCH-PLAN/enterprises").status_code == 404
