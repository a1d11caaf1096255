"""Products, assets and operator findings (Art. 8)."""

from __future__ import annotations

from datetime import timedelta

from tests.functional.web.conftest import Browser
from wangan.db import utcnow
from wangan.kernel.calendar import BEIJING
from wangan.kernel.models import Organisation
from wangan.runtime import Runtime
from wangan.vulns.models import Asset, FindingState, OperatorFinding, Product


def test_products(rt: Runtime, signed_in: Browser, org: Organisation) -> None:
    assert "The catalogue is empty." in signed_in.get("/products").text
    done = signed_in.post("/products", {"vendor": "Acme", "name": "Router", "model": "AX-3000",
                                        "versions": "1.0, 1.1"}, page="/products")
    assert done.status_code == 303
    with rt.sessions() as s:
        assert s.query(Product).one().versions == ["1.0", "1.1"]
    assert "AX-3000" in signed_in.get("/products").text
    refused = signed_in.post("/products", {"vendor": "", "name": "Switch", "model": "S1"}, page="/products")
    assert refused.status_code == 422
    assert "the vendor is required" in refused.text and 'value="Switch"' in refused.text
    duplicate = signed_in.post("/products", {"vendor": "Acme", "name": "Router", "model": "AX-3000"},
                               page="/products")
    assert duplicate.status_code == 409


def _asset(signed_in: Browser) -> str:
    done = signed_in.post("/assets", {"kind": "system", "name": "OA", "identifier": "oa.acme.example"},
                          page="/assets")
    assert done.status_code == 303
    return "oa.acme.example"


def test_assets(rt: Runtime, signed_in: Browser, org: Organisation) -> None:
    _asset(signed_in)
    assert "oa.acme.example" in signed_in.get("/assets").text
    refused = signed_in.post("/assets", {"kind": "spaceship", "name": "", "identifier": "x"}, page="/assets")
    assert refused.status_code == 422
    assert 'id="f-kind-error"' in refused.text and 'id="f-name-error"' in refused.text


def test_findings_with_due_dates_overdue_marking_and_actions(rt: Runtime, signed_in: Browser,
                                                              org: Organisation) -> None:
    _asset(signed_in)
    with rt.sessions() as s:
        asset_id = str(s.query(Asset).one().id)
    old = (utcnow() - timedelta(days=40)).astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")
    done = signed_in.post("/findings", {"asset_id": asset_id, "title": "Struts RCE", "reference": "CVE-2017-5638",
                                        "found_at": old}, page="/findings")
    assert done.status_code == 303
    text = signed_in.get("/findings").text
    assert "Struts RCE" in text and "finding--overdue" in text and "Overdue" in text
    with rt.sessions() as s:
        finding = s.query(OperatorFinding).one()
    url = f"/findings/{finding.id}/action"
    refused = signed_in.post(url, {"action": "fix", "version": str(finding.version)}, page="/findings")
    assert refused.status_code == 422 and "fix needs a note" in refused.text
    fixed = signed_in.post(url, {"action": "fix", "note": "upgraded to 2.5.33", "version": str(finding.version)},
                           page="/findings")
    assert fixed.status_code == 303
    with rt.sessions() as s:
        assert s.query(OperatorFinding).one().state is FindingState.FIXED
    assert "finding--overdue" not in signed_in.get("/findings").text


def test_finding_form_errors_keep_input(signed_in: Browser, org: Organisation) -> None:
    _asset(signed_in)
    refused = signed_in.post("/findings", {"asset_id": "", "title": "Kept title", "found_at": "yesterday"},
                             page="/findings")
    assert refused.status_code == 422
    assert 'value="Kept title"' in refused.text and 'id="f-found_at-error"' in refused.text
