"""``/api/v1/products``, ``/api/v1/assets``, ``/api/v1/findings``: catalogue and operator mode (Art. 8)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from wangan.api.deps import ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import (
    AssetCreate,
    AssetOut,
    FindingAction,
    FindingCreate,
    FindingOut,
    ProductCreate,
    ProductOut,
)
from wangan.vulns import operator, products

router = APIRouter(tags=["catalogue and operator mode"])


@router.get("/products", response_model=list[ProductOut])
def list_products(session: SessionDep, principal: ReaderDep) -> list[ProductOut]:
    return [ProductOut.of(p) for p in products.list_products(session, principal)]


@router.post("/products", status_code=201, response_model=ProductOut)
def create_product(body: ProductCreate, session: SessionDep, principal: WriterDep) -> ProductOut:
    return ProductOut.of(products.create_product(
        session, principal, vendor=body.vendor, name=body.name, model=body.model, versions=body.versions,
        organisation_id=body.organisation_id))


@router.get("/assets", response_model=list[AssetOut])
def list_assets(session: SessionDep, principal: ReaderDep) -> list[AssetOut]:
    return [AssetOut.of(a) for a in operator.list_assets(session, principal)]


@router.post("/assets", status_code=201, response_model=AssetOut)
def create_asset(body: AssetCreate, session: SessionDep, principal: WriterDep) -> AssetOut:
    return AssetOut.of(operator.create_asset(
        session, principal, kind=body.kind, name=body.name, identifier=body.identifier,
        location=body.location, owner=body.owner, organisation_id=body.organisation_id))


@router.get("/findings", response_model=list[FindingOut])
def list_findings(session: SessionDep, principal: ReaderDep, open: bool = False) -> list[FindingOut]:
    return [FindingOut.of(f) for f in operator.list_findings(session, principal, open_only=open)]


@router.post("/findings", status_code=201, response_model=FindingOut)
def create_finding(body: FindingCreate, rt: RuntimeDep, session: SessionDep, principal: WriterDep) -> FindingOut:
    return FindingOut.of(operator.create_finding(
        session, principal, rt.vuln_rules, asset_id=body.asset_id, title=body.title,
        description=body.description, reference=body.reference, cvss31_vector=body.cvss31_vector,
        found_at=body.found_at))


@router.get("/findings/{finding_id}", response_model=FindingOut)
def get_finding(finding_id: uuid.UUID, session: SessionDep, principal: ReaderDep) -> FindingOut:
    return FindingOut.of(operator.get_finding(session, principal, finding_id))


@router.post("/findings/{finding_id}/actions", response_model=FindingOut, summary="verify, fix or dismiss")
def act(finding_id: uuid.UUID, body: FindingAction, session: SessionDep, principal: WriterDep) -> FindingOut:
    return FindingOut.of(operator.move_finding(session, principal, finding_id, body.action, note=body.note,
                                               expected_version=body.version))
