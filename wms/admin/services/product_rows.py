"""Checking and writing the rows of a products CSV."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from wms.admin.queries import chunks
from wms.admin.rules import Table
from wms.admin.services.catalogue import AVAILABILITY_FIELDS, cross_field_problems
from wms.admin.services.checks import (
    PRODUCT_DEFAULTS,
    PRODUCT_FIELDS,
    CheckResult,
    barcode_codes,
    parse_rows,
    products_by_sku,
)
from wms.auth import audit
from wms.auth.audit import changes
from wms.base.i18n import _
from wms.channels import outbox
from wms.core.stock import ensure_product_stock
from wms.database import insert_many, update_by_id
from wms.extensions import db
from wms.inventory.models import Barcode, Product


@dataclass
class ProductPlan:
    line: int
    product_id: int | None  # None: a new product
    values: dict[str, Any]  # new: every field; existing: the fields that change
    barcodes_new: list[Any]
    barcodes_changed: list[tuple[int, Any]]  # (barcode id, spec)
    changes: dict[str, list[Any]]
    is_new: bool = False


class ProductChecker:
    def check(self, table: Table, start: int, end: int) -> CheckResult:
        seen_sku: dict[str, int] = {}
        seen_code: dict[str, int] = {}
        for line, cells in table.rows[:start]:
            seen_sku.setdefault(cells.get("sku", "").strip().lower(), line)
            for code in barcode_codes(cells.get("barcodes", "")):
                seen_code.setdefault(code, line)
        parsed = parse_rows(table, start, end)
        existing = products_by_sku([v["sku"] for _line, v, _problems in parsed if "sku" in v])
        codes = [b.code for _line, v, _problems in parsed for b in v.get("barcodes", [])]
        owners = _barcode_owners(codes)
        result = CheckResult()
        for line, values, problems in parsed:
            plan = self._row(line, values, problems, existing, owners, seen_sku, seen_code)
            if problems:
                result.problems += [(line, p) for p in problems]
                result.summary["bad"] += 1
            else:
                result.plans.append(plan)
                result.summary[_verdict(plan)] += 1
        return result

    def _row(
        self,
        line: int,
        values: dict[str, Any],
        problems: list[str],
        existing: dict[str, Any],
        owners: dict[str, Any],
        seen_sku: dict[str, int],
        seen_code: dict[str, int],
    ) -> ProductPlan | None:
        if "sku" not in values:
            return None
        sku = values["sku"]
        first = seen_sku.setdefault(sku.lower(), line)
        if first != line:
            problems.append(_("SKU %(sku)s is already on row %(row)s.", sku=sku, row=first))
        current = existing.get(sku.lower())
        if current is not None and current.sku != sku:
            problems.append(
                _("A product with SKU %(sku)s exists; write the SKU exactly so.", sku=current.sku)
            )
            current = None
        barcodes = values.pop("barcodes", [])
        fields = {k: v for k, v in values.items() if k != "sku"}
        merged = {**(_values_of(current) if current else PRODUCT_DEFAULTS), **fields}
        problems += cross_field_problems(merged)
        new_specs, changed_specs = [], []
        for spec in barcodes:
            other = seen_code.setdefault(spec.code, line)
            if other != line:
                problems.append(
                    _("Barcode %(code)s is also on row %(row)s.", code=spec.code, row=other)
                )
            owner = owners.get(spec.code)
            if owner is None:
                new_specs.append(spec)
            elif current is None or owner.product_id != current.id:
                problems.append(
                    _(
                        "Barcode %(code)s already belongs to %(sku)s.",
                        code=spec.code,
                        sku=owner.sku,
                    )
                )
            elif (owner.kind, owner.units) != (spec.kind, spec.units):
                changed_specs.append((owner.id, spec))
        if current is None:
            return ProductPlan(line, None, {**merged, "sku": sku}, new_specs, [], {}, is_new=True)
        before = _values_of(current)
        delta = {k: v for k, v in fields.items() if before.get(k) != v}
        return ProductPlan(
            line, current.id, delta, new_specs, changed_specs, changes(before, {**before, **delta})
        )

    def apply(self, table: Table, result: CheckResult, job_id: int, user_id: int | None) -> int:
        plans: list[ProductPlan] = result.plans
        new = [p for p in plans if p.is_new]
        ids: list[int] = []
        if new:
            ids = insert_many(Product.__table__, [p.values for p in new])
            for plan, product_id in zip(new, ids, strict=True):
                plan.product_id = product_id
            for chunk in chunks(ids):
                ensure_product_stock(chunk)
        changed = [p for p in plans if not p.is_new and p.values]
        if changed:
            update_by_id(Product.__table__, [{"id": p.product_id, **p.values} for p in changed])
        barcode_rows = [
            {"product_id": p.product_id, "code": b.code, "kind": b.kind, "units": b.units}
            for p in plans
            for b in p.barcodes_new
        ]
        if barcode_rows:
            db.session.execute(insert(Barcode.__table__), barcode_rows)
        barcode_updates = [
            {"id": barcode_id, "kind": b.kind, "units": b.units}
            for p in plans
            for barcode_id, b in p.barcodes_changed
        ]
        if barcode_updates:
            update_by_id(Barcode.__table__, barcode_updates)
        self._audit(plans, job_id, user_id)
        touched = [p.product_id for p in changed if AVAILABILITY_FIELDS & p.values.keys()]
        if touched:
            outbox.emit_availability([i for i in touched if i is not None])
        return sum(1 for p in plans if _verdict(p) != "unchanged")

    @staticmethod
    def _audit(plans: list[ProductPlan], job_id: int, user_id: int | None) -> None:
        created, updated = [], []
        for p in plans:
            codes = [b.code for b in p.barcodes_new]
            if p.is_new:
                created.append(
                    (p.product_id, {"sku": p.values["sku"], "barcodes": codes, "import": job_id})
                )
            elif p.changes or codes or p.barcodes_changed:
                details: dict[str, Any] = {"changes": p.changes, "import": job_id}
                if codes:
                    details["barcodes_added"] = codes
                if p.barcodes_changed:
                    details["barcodes_changed"] = [b.code for _id, b in p.barcodes_changed]
                updated.append((p.product_id, details))
        audit.record_many(user_id, "product.create", "product", created)
        audit.record_many(user_id, "product.update", "product", updated)


def _verdict(plan: ProductPlan) -> str:
    if plan.is_new:
        return "new"
    if plan.values or plan.barcodes_new or plan.barcodes_changed:
        return "changed"
    return "unchanged"


def _values_of(product: Any) -> dict[str, Any]:
    return {k: getattr(product, k) for k in PRODUCT_FIELDS}


def _barcode_owners(codes: list[str]) -> dict[str, Any]:
    owners: dict[str, Any] = {}
    for chunk in chunks(codes):
        rows = db.session.execute(
            select(
                Barcode.id,
                Barcode.code,
                Barcode.kind,
                Barcode.units,
                Barcode.product_id,
                Product.sku,
            )
            .join(Product, Product.id == Barcode.product_id)
            .where(Barcode.code.in_(chunk))
        )
        owners.update({row.code: row for row in rows})
    return owners
