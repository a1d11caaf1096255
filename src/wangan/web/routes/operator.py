"""The product catalogue, and operator mode (Art. 8): assets and the findings in them."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from starlette.responses import Response

from wangan.errors import Conflict, Invalid, NotFound
from wangan.kernel import identity
from wangan.kernel.models import Organisation
from wangan.kernel.numbers import whole_number
from wangan.vulns import operator, products
from wangan.vulns.models import AssetKind, FindingState
from wangan.web.core import FormDep, UserDep, Web, text
from wangan.web.forms import FormState, parse_local_datetime

router = APIRouter()


def _orgs(web: Web) -> list[Organisation]:
    """Administrators create records for a chosen organisation; everyone else for their own."""
    return identity.list_organisations(web.db) if web.principal.is_admin else []


def _uuid_or_none(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


# --- products ---

def _products_page(web: Web, state: FormState, status: int = 200) -> Response:
    return web.render("operator/products.html", {
        "products": products.list_products(web.db, web.principal), "form": state, "orgs": _orgs(web),
    }, status=status)


@router.get("/products")
def list_products(web: UserDep) -> Response:
    return _products_page(web, FormState())


@router.post("/products")
def create_product(web: UserDep, form: FormDep) -> Response:
    state = FormState(values={n: text(form, n) for n in ("vendor", "name", "model", "versions",
                                                         "organisation_id")})
    versions = [v.strip() for v in state.get("versions").replace("\n", ",").split(",") if v.strip()]
    try:
        product = products.create_product(
            web.db, web.principal, vendor=state.get("vendor"), name=state.get("name"),
            model=state.get("model"), versions=versions,
            organisation_id=_uuid_or_none(state.get("organisation_id")))
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _products_page(web, state, status=exc.status)
    web.flash("product.created", name=f"{product.vendor} {product.name}")
    return web.redirect("/products")


# --- assets ---

def _assets_page(web: Web, state: FormState, status: int = 200) -> Response:
    return web.render("operator/assets.html", {
        "assets": operator.list_assets(web.db, web.principal), "form": state, "orgs": _orgs(web),
        "kinds": [k.value for k in AssetKind],
    }, status=status)


@router.get("/assets")
def list_assets(web: UserDep) -> Response:
    return _assets_page(web, FormState(values={"kind": AssetKind.SYSTEM.value}))


@router.post("/assets")
def create_asset(web: UserDep, form: FormDep) -> Response:
    names = ("kind", "name", "identifier", "location", "owner", "organisation_id")
    state = FormState(values={n: text(form, n) for n in names})
    try:
        asset = operator.create_asset(
            web.db, web.principal, kind=state.get("kind"), name=state.get("name"),
            identifier=state.get("identifier"), location=state.get("location"), owner=state.get("owner"),
            organisation_id=_uuid_or_none(state.get("organisation_id")))
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _assets_page(web, state, status=exc.status)
    web.flash("asset.created", name=asset.name)
    return web.redirect("/assets")


# --- findings ---

def _findings_page(web: Web, *, open_only: bool, forms: dict[str, FormState] | None = None,
                   status: int = 200) -> Response:
    forms = dict(forms or {})
    forms.setdefault("new", FormState())
    return web.render("operator/findings.html", {
        "findings": operator.list_findings(web.db, web.principal, open_only=open_only),
        "assets": operator.list_assets(web.db, web.principal), "forms": forms, "open_only": open_only,
        "open_states": (FindingState.OPEN, FindingState.VERIFIED),
    }, status=status)


@router.get("/findings")
def list_findings(web: UserDep, open: str = "") -> Response:
    return _findings_page(web, open_only=bool(open))


@router.post("/findings")
def create_finding(web: UserDep, form: FormDep) -> Response:
    names = ("asset_id", "title", "description", "reference", "cvss31_vector", "found_at")
    state = FormState(values={n: text(form, n) for n in names})
    found_at: datetime | None = None
    if state.get("found_at").strip():
        try:
            found_at = parse_local_datetime(state.get("found_at"))
        except ValueError:
            state.add("found_at", web.t("form.bad_datetime"))
    asset_id = _uuid_or_none(state.get("asset_id"))
    if asset_id is None:
        state.add("asset_id", web.t("finding.choose_asset"))
    if state.errors:
        state.message = web.t("form.fix_errors")
        return _findings_page(web, open_only=False, forms={"new": state}, status=422)
    assert asset_id is not None
    try:
        finding = operator.create_finding(
            web.db, web.principal, web.rt.vuln_rules, asset_id=asset_id, title=state.get("title"),
            description=state.get("description"), reference=state.get("reference"),
            cvss31_vector=state.get("cvss31_vector"), found_at=found_at)
    except (Invalid, Conflict, NotFound) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        if isinstance(exc, NotFound):
            state.add("asset_id", exc.detail)
        return _findings_page(web, open_only=False, forms={"new": state}, status=exc.status)
    web.flash("finding.created", title=finding.title)
    return web.redirect("/findings")


@router.post("/findings/{finding_id}/action")
def act_on_finding(finding_id: str, web: UserDep, form: FormDep) -> Response:
    fid = _uuid_or_none(finding_id)
    if fid is None:
        raise NotFound(f"no finding {finding_id}")
    state = FormState(values={"note": text(form, "note")})
    version = text(form, "version")
    try:
        operator.move_finding(web.db, web.principal, fid, text(form, "action"), note=state.get("note"),
                              expected_version=whole_number(version))
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _findings_page(web, open_only=False, forms={str(fid): state}, status=exc.status)
    web.flash("finding.moved")
    return web.redirect("/findings")
