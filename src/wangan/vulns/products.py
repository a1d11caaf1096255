"""The provider's product catalogue."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.errors import Conflict, ErrorList
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal
from wangan.vulns import policy
from wangan.vulns.events import VulnTag
from wangan.vulns.models import Product


def create_product(session: Session, principal: Principal, *, vendor: str, name: str, model: str = "",
                   versions: list[str] | None = None, organisation_id: uuid.UUID | None = None) -> Product:
    org_id = policy.acting_org(principal, organisation_id)
    policy.require_write_in(principal, org_id)
    errors = ErrorList()
    if not vendor.strip():
        errors.add("vendor", "the vendor is required")
    if not name.strip():
        errors.add("name", "the product name is required")
    clean_versions = [v.strip() for v in (versions or []) if v.strip()]
    if any(len(v) > 100 for v in clean_versions):
        errors.add("versions", "a version is at most 100 characters")
    errors.raise_if_any("the product is not valid")
    if session.execute(select(Product.id).where(
        Product.org_id == org_id, Product.vendor == vendor.strip(), Product.name == name.strip(),
        Product.model == model.strip(),
    )).first():
        raise Conflict(f"{vendor} {name} {model} is in the catalogue already")
    product = Product(org_id=org_id, vendor=vendor.strip()[:200], name=name.strip()[:200],
                      model=model.strip()[:200], versions=clean_versions)
    session.add(product)
    session.flush()
    audit.record(session, VulnTag.PRODUCT_CREATED, Actor(principal.user_id, principal.label), "product",
                 product.id, org_id=org_id, data={"after": {"vendor": product.vendor, "name": product.name,
                                                            "model": product.model, "versions": clean_versions}})
    return product


def list_products(session: Session, principal: Principal) -> list[Product]:
    return list(session.execute(
        select(Product).where(policy.org_visible(principal, Product.org_id))
        .order_by(Product.vendor, Product.name, Product.model)
    ).scalars())


def get_product(session: Session, principal: Principal, product_id: uuid.UUID) -> Product:
    found = policy.require_read(principal, session.get(Product, product_id), "product", product_id)
    assert isinstance(found, Product)
    return found
