"""Products and their barcodes: create, change, deactivate; every change audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, select

from wms.admin.rules import PRODUCT_COLUMNS, Table, read_row
from wms.auth import audit
from wms.auth.audit import changes
from wms.base.errors import Conflict, FormProblems, NotFound
from wms.base.i18n import _
from wms.channels import outbox
from wms.core.stock import ensure_product_stock
from wms.database import existing
from wms.extensions import db
from wms.inventory import fields
from wms.inventory.models import Barcode, Product

# What an admin edits on a product (the SKU is fixed once channels know it).
EDITABLE = tuple(c for c in PRODUCT_COLUMNS if c.name not in ("sku", "barcodes"))


# Changes that alter what channels are told is available.
AVAILABILITY_FIELDS = frozenset({"active", "safety_stock", "release_on", "preorder_cap"})


def product_values(product: Product) -> dict[str, Any]:
    return {c.attr: getattr(product, c.attr) for c in PRODUCT_COLUMNS if c.attr != "barcodes"}


def cross_field_problems(values: Mapping[str, Any]) -> list[Any]:
    """Rules between fields of one product."""
    release, ship = values.get("release_on"), values.get("estimated_ship_on")
    if release and ship and ship < release:
        return [_("estimated_ship_on is before release_on.")]
    return []


def read_product_form(form: Mapping[str, str], *, creating: bool) -> dict[str, Any]:
    """A product form's values, or FormProblems naming every bad field."""
    columns = (PRODUCT_COLUMNS[0], *EDITABLE) if creating else EDITABLE
    table = Table(columns, [])
    values, problems = read_row(table, {c.name: form.get(c.name, "") for c in columns})
    problems += cross_field_problems(values)
    if problems:
        raise FormProblems(problems)
    return values


def sku_taken(sku: str) -> bool:
    return bool(
        db.session.scalar(select(func.count()).where(func.lower(Product.sku) == sku.lower()))
    )


def barcode_owner(code: str) -> str | None:
    """The SKU of the product a barcode already belongs to."""
    return db.session.scalar(
        select(Product.sku)
        .join(Barcode, Barcode.product_id == Product.id)
        .where(Barcode.code == code)
    )


def create_product(
    values: dict[str, Any], barcodes: list[fields.BarcodeSpec], user_id: int | None
) -> Product:
    sku = values["sku"]
    if sku_taken(sku):
        raise Conflict(_("A product with SKU %(sku)s already exists.", sku=sku))
    for spec in barcodes:
        owner = barcode_owner(spec.code)
        if owner:
            raise Conflict(
                _("Barcode %(code)s already belongs to %(sku)s.", code=spec.code, sku=owner)
            )
    product = Product(**values)
    product.barcodes = [Barcode(code=b.code, kind=b.kind, units=b.units) for b in barcodes]
    db.session.add(product)
    db.session.flush()
    ensure_product_stock([product.id])
    audit.record(
        user_id,
        "product.create",
        "product",
        product.id,
        sku=sku,
        barcodes=[b.code for b in barcodes],
    )
    return product


def get_product(product_id: int) -> Product:
    return existing(Product, product_id, _("There is no such product."))


def update_product(
    product_id: int, values: dict[str, Any], user_id: int | None
) -> dict[str, list[Any]]:
    """Change a product's fields; returns what changed (nothing is written if nothing did)."""
    product = get_product(product_id)
    before = product_values(product)
    changed = changes(before, {k: v for k, v in values.items() if k in before})
    if not changed:
        return {}
    for key in changed:
        setattr(product, key, values[key])
    db.session.flush()
    audit.record(user_id, "product.update", "product", product.id, changes=changed)
    if AVAILABILITY_FIELDS & changed.keys():
        outbox.emit_availability([product.id])
    return changed


def set_product_active(product_id: int, active: bool, user_id: int | None) -> None:
    if update_product(product_id, {"active": active}, user_id):
        return
    raise Conflict(
        _("The product is already active.") if active else _("The product is already inactive.")
    )


def add_barcode(product_id: int, spec: fields.BarcodeSpec, user_id: int | None) -> Barcode:
    product = get_product(product_id)
    owner = barcode_owner(spec.code)
    if owner:
        raise Conflict(_("Barcode %(code)s already belongs to %(sku)s.", code=spec.code, sku=owner))
    barcode = Barcode(product_id=product.id, code=spec.code, kind=spec.kind, units=spec.units)
    db.session.add(barcode)
    db.session.flush()
    audit.record(
        user_id,
        "barcode.add",
        "product",
        product.id,
        code=spec.code,
        kind=spec.kind,
        units=spec.units,
    )
    return barcode


def remove_barcode(product_id: int, barcode_id: int, user_id: int | None) -> str:
    """Barcodes are not in the ledger (movements name products), so one can go for good."""
    barcode = db.session.get(Barcode, barcode_id)
    if barcode is None or barcode.product_id != product_id:
        raise NotFound(_("That barcode is not on this product."))
    code = barcode.code
    db.session.execute(delete(Barcode).where(Barcode.id == barcode_id))
    audit.record(user_id, "barcode.remove", "product", product_id, code=code, kind=barcode.kind)
    return code
