"""Checking and writing the rows of each CSV format.

``check(table, start, end)`` reads rows ``start:end`` against the database and
the rows before them (a SKU twice in a file is an error wherever the two
rows fall) and says, per row, what is wrong in plain words and what the row
would do. ``apply`` writes rows that were all checked in the same transaction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import func, insert, select, update

from wms.admin.formats import Table, read_row
from wms.admin.products import AVAILABILITY_FIELDS, cross_field_problems
from wms.core import audit, backorders, outbox
from wms.core.ledger import Reason, move_stock
from wms.core.stock import ensure_product_stock
from wms.extensions import db
from wms.inventory.models import Barcode, Location, Product, ProductStock, Stock

KEYS_PER_QUERY = 900  # under SQLite's variable limit with room to spare


@dataclass
class CheckResult:
    problems: list[tuple[int, str]] = field(default_factory=list)
    summary: Counter[str] = field(default_factory=Counter)
    plans: list[Any] = field(default_factory=list)  # what each good row will do, for apply


class Checker(Protocol):
    def check(self, table: Table, start: int, end: int) -> CheckResult: ...

    def apply(self, table: Table, result: CheckResult, job_id: int, user_id: int | None) -> int: ...


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + KEYS_PER_QUERY] for i in range(0, len(items), KEYS_PER_QUERY)]


def _parse_rows(table: Table, start: int, end: int) -> list[tuple[int, dict[str, Any], list[str]]]:
    return [(line, *read_row(table, cells)) for line, cells in table.rows[start:end]]


def _barcode_codes(cell: str) -> list[str]:
    """The codes in a barcodes cell, read leniently (the strict read reports the errors)."""
    codes = []
    for entry in cell.split(";"):
        parts = [p.strip() for p in entry.split(":")]
        if parts and parts[0]:
            codes.append(parts[0] if len(parts) == 1 else parts[1])
    return codes


# ------------------------------------------------------------------ products


@dataclass
class ProductPlan:
    line: int
    product_id: int | None  # None: a new product
    values: dict[str, Any]  # new: every field; existing: the fields that change
    barcodes_new: list[Any]
    barcodes_changed: list[tuple[int, Any]]  # (barcode id, spec)
    changes: dict[str, list[Any]]
    is_new: bool = False


PRODUCT_DEFAULTS: dict[str, Any] = {
    "active": True,
    "weight_g": 0,
    "length_mm": 0,
    "width_mm": 0,
    "height_mm": 0,
    "unit_cost_cents": 0,
    "allow_backorder": True,
    "safety_stock": 0,
    "release_on": None,
    "preorder_cap": None,
    "estimated_ship_on": None,
}


class ProductChecker:
    def check(self, table: Table, start: int, end: int) -> CheckResult:
        seen_sku: dict[str, int] = {}
        seen_code: dict[str, int] = {}
        for line, cells in table.rows[:start]:
            seen_sku.setdefault(cells.get("sku", "").strip().lower(), line)
            for code in _barcode_codes(cells.get("barcodes", "")):
                seen_code.setdefault(code, line)
        parsed = _parse_rows(table, start, end)
        existing = _products_by_sku([v["sku"] for _, v, _ in parsed if "sku" in v])
        codes = [b.code for _, v, _ in parsed for b in v.get("barcodes", [])]
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
            problems.append(f"SKU {sku} is already on row {first}.")
        current = existing.get(sku.lower())
        if current is not None and current.sku != sku:
            problems.append(f"A product with SKU {current.sku} exists; write the SKU exactly so.")
            current = None
        barcodes = values.pop("barcodes", [])
        fields = {k: v for k, v in values.items() if k != "sku"}
        merged = {**(_values_of(current) if current else PRODUCT_DEFAULTS), **fields}
        problems += cross_field_problems(merged)
        new_specs, changed_specs = [], []
        for spec in barcodes:
            other = seen_code.setdefault(spec.code, line)
            if other != line:
                problems.append(f"Barcode {spec.code} is also on row {other}.")
            owner = owners.get(spec.code)
            if owner is None:
                new_specs.append(spec)
            elif current is None or owner.product_id != current.id:
                problems.append(f"Barcode {spec.code} already belongs to {owner.sku}.")
            elif (owner.kind, owner.units) != (spec.kind, spec.units):
                changed_specs.append((owner.id, spec))
        if current is None:
            return ProductPlan(line, None, {**merged, "sku": sku}, new_specs, [], {}, is_new=True)
        before = _values_of(current)
        delta = {k: v for k, v in fields.items() if before.get(k) != v}
        from wms.admin.listing import changes

        return ProductPlan(
            line, current.id, delta, new_specs, changed_specs, changes(before, {**before, **delta})
        )

    def apply(self, table: Table, result: CheckResult, job_id: int, user_id: int | None) -> int:
        plans: list[ProductPlan] = result.plans
        new = [p for p in plans if p.is_new]
        ids: list[int] = []
        if new:
            ids = list(
                db.session.scalars(
                    insert(Product.__table__).returning(
                        Product.__table__.c.id, sort_by_parameter_order=True
                    ),
                    [p.values for p in new],
                )
            )
            for plan, product_id in zip(new, ids, strict=True):
                plan.product_id = product_id
            for chunk in _chunks(ids):
                ensure_product_stock(chunk)
        changed = [p for p in plans if not p.is_new and p.values]
        if changed:
            db.session.execute(update(Product), [{"id": p.product_id, **p.values} for p in changed])
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
            db.session.execute(update(Barcode), barcode_updates)
        self._audit(plans, job_id)
        touched = [p.product_id for p in changed if AVAILABILITY_FIELDS & p.values.keys()]
        if touched:
            outbox.emit_availability([i for i in touched if i is not None])
        return sum(1 for p in plans if _verdict(p) != "unchanged")

    @staticmethod
    def _audit(plans: list[ProductPlan], job_id: int) -> None:
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
                    details["barcodes_changed"] = [b.code for _, b in p.barcodes_changed]
                updated.append((p.product_id, details))
        audit.record_many("product.create", "product", created)
        audit.record_many("product.update", "product", updated)


def _verdict(plan: ProductPlan) -> str:
    if plan.is_new:
        return "new"
    if plan.values or plan.barcodes_new or plan.barcodes_changed:
        return "changed"
    return "unchanged"


PRODUCT_FIELDS = ("name", *PRODUCT_DEFAULTS)


def _values_of(product: Any) -> dict[str, Any]:
    return {k: getattr(product, k) for k in PRODUCT_FIELDS}


def _products_by_sku(skus: list[str]) -> dict[str, Any]:
    """Existing products for these SKUs, keyed by lower case (so a case slip is caught)."""
    found: dict[str, Any] = {}
    cols = [Product.id, Product.sku, *[getattr(Product, k) for k in PRODUCT_FIELDS]]
    for chunk in _chunks(skus):
        for row in db.session.execute(select(*cols).where(Product.sku.in_(chunk))):
            found[row.sku.lower()] = row
    missing = [s.lower() for s in skus if s.lower() not in found]
    for chunk in _chunks(missing):
        for row in db.session.execute(select(*cols).where(func.lower(Product.sku).in_(chunk))):
            found.setdefault(row.sku.lower(), row)
    return found


def _barcode_owners(codes: list[str]) -> dict[str, Any]:
    owners: dict[str, Any] = {}
    for chunk in _chunks(codes):
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


# ----------------------------------------------------------------- locations


@dataclass
class LocationPlan:
    line: int
    location_id: int | None
    values: dict[str, Any]
    changes: dict[str, list[Any]]


LOCATION_DEFAULTS: dict[str, Any] = {
    "name": "",
    "zone": "",
    "walk_seq": 0,
    "capacity": None,
    "active": True,
}


class LocationChecker:
    def check(self, table: Table, start: int, end: int) -> CheckResult:
        from wms.admin.listing import changes
        from wms.admin.locations import change_problem

        seen: dict[str, int] = {}
        for line, cells in table.rows[:start]:
            seen.setdefault(cells.get("code", "").strip().upper(), line)
        parsed = _parse_rows(table, start, end)
        codes = [v["code"] for _, v, _ in parsed if "code" in v]
        existing = _locations_by_code(codes)
        held = _units_held([loc.id for loc in existing.values()])
        result = CheckResult()
        for line, values, problems in parsed:
            if "code" not in values:
                result.problems += [(line, p) for p in problems]
                result.summary["bad"] += 1
                continue
            code = values["code"]
            first = seen.setdefault(code, line)
            if first != line:
                problems.append(f"Location {code} is already on row {first}.")
            current = existing.get(code)
            plan: LocationPlan
            if current is None:
                plan = LocationPlan(line, None, {**LOCATION_DEFAULTS, **values}, {})
            else:
                before = {k: getattr(current, k) for k in ("kind", *LOCATION_DEFAULTS)}
                delta = {k: v for k, v in values.items() if k != "code" and before.get(k) != v}
                problem = change_problem(current, delta, held.get(current.id, 0))
                if problem:
                    problems.append(problem)
                plan = LocationPlan(line, current.id, delta, changes(before, {**before, **delta}))
            if problems:
                result.problems += [(line, p) for p in problems]
                result.summary["bad"] += 1
            else:
                result.plans.append(plan)
                verdict = (
                    "new"
                    if plan.location_id is None
                    else ("changed" if plan.values else "unchanged")
                )
                result.summary[verdict] += 1
        return result

    def apply(self, table: Table, result: CheckResult, job_id: int, user_id: int | None) -> int:
        plans: list[LocationPlan] = result.plans
        new = [p for p in plans if p.location_id is None]
        if new:
            ids = list(
                db.session.scalars(
                    insert(Location.__table__).returning(
                        Location.__table__.c.id, sort_by_parameter_order=True
                    ),
                    [p.values for p in new],
                )
            )
            audit.record_many(
                "location.create",
                "location",
                [
                    (i, {"code": p.values["code"], "import": job_id})
                    for p, i in zip(new, ids, strict=True)
                ],
            )
        changed = [p for p in plans if p.location_id is not None and p.values]
        if changed:
            db.session.execute(
                update(Location), [{"id": p.location_id, **p.values} for p in changed]
            )
            audit.record_many(
                "location.update",
                "location",
                [(p.location_id, {"changes": p.changes, "import": job_id}) for p in changed],
            )
        return len(new) + len(changed)


def _locations_by_code(codes: list[str]) -> dict[str, Location]:
    found: dict[str, Location] = {}
    for chunk in _chunks(codes):
        found.update(
            {
                loc.code: loc
                for loc in db.session.scalars(select(Location).where(Location.code.in_(chunk)))
            }
        )
    return found


def _units_held(location_ids: list[int]) -> dict[int, int]:
    held: dict[int, int] = {}
    for chunk in _chunks(location_ids):
        rows = db.session.execute(
            select(Stock.location_id, func.sum(Stock.qty_on_hand))
            .where(Stock.location_id.in_(chunk))
            .group_by(Stock.location_id)
        )
        held.update({location_id: int(units or 0) for location_id, units in rows})
    return held


# ------------------------------------------------------------- opening stock


@dataclass
class StockPlan:
    line: int
    product_id: int
    location_id: int
    qty: int


class StockChecker:
    def check(self, table: Table, start: int, end: int) -> CheckResult:
        seen: dict[tuple[str, str], int] = {}
        for line, cells in table.rows[:start]:
            key = (cells.get("sku", "").strip().lower(), cells.get("location", "").strip().upper())
            seen.setdefault(key, line)
        parsed = _parse_rows(table, start, end)
        products = _products_by_sku([v["sku"] for _, v, _ in parsed if "sku" in v])
        locations = _locations_by_code([v["location"] for _, v, _ in parsed if "location" in v])
        pairs = _stock_pairs(
            [p.id for p in products.values()], [loc.id for loc in locations.values()]
        )
        result = CheckResult()
        for line, values, problems in parsed:
            plan = self._row(line, values, problems, products, locations, pairs, seen)
            if problems or plan is None:
                result.problems += [(line, p) for p in problems]
                result.summary["bad"] += 1
            else:
                result.plans.append(plan)
                result.summary["rows"] += 1
                result.summary["units"] += plan.qty
        return result

    @staticmethod
    def _row(
        line: int,
        values: dict[str, Any],
        problems: list[str],
        products: dict[str, Any],
        locations: dict[str, Location],
        pairs: dict[tuple[int, int], int],
        seen: dict[tuple[str, str], int],
    ) -> StockPlan | None:
        if "sku" not in values or "location" not in values:
            return None
        sku, code = values["sku"], values["location"]
        first = seen.setdefault((sku.lower(), code), line)
        if first != line:
            problems.append(f"{sku} in {code} is already on row {first}.")
        product = products.get(sku.lower())
        location = locations.get(code)
        if product is None:
            problems.append(f"No product has the SKU {sku}.")
        elif not product.active:
            problems.append(f"Product {product.sku} is inactive.")
        if location is None:
            problems.append(f"No location has the code {code}.")
        elif not location.active:
            problems.append(f"Location {code} is inactive.")
        if product is None or location is None:
            return None
        held = pairs.get((product.id, location.id))
        if held:
            problems.append(
                f"{code} already holds {held} of {product.sku}; opening stock is for empty places"
                " (use a count or an adjustment)."
            )
        return StockPlan(line, product.id, location.id, values.get("qty", 0))

    def apply(self, table: Table, result: CheckResult, job_id: int, user_id: int | None) -> int:
        plans: list[StockPlan] = sorted(result.plans, key=lambda p: (p.product_id, p.location_id))
        locations = {
            loc.id: loc
            for chunk in _chunks(sorted({p.location_id for p in plans}))
            for loc in db.session.scalars(select(Location).where(Location.id.in_(chunk)))
        }
        reference = f"IMPORT-{job_id}"
        for plan in plans:
            move_stock(
                plan.product_id,
                plan.qty,
                None,
                locations[plan.location_id],
                Reason.OPENING,
                reference,
                user_id,
            )
        _serve_waiting_for(sorted({p.product_id for p in plans}))
        return len(plans)


def _serve_waiting_for(product_ids: list[int]) -> None:
    """Backorders waiting for these products get the new units, head of the queue first."""
    ps = ProductStock.__table__
    for chunk in _chunks(product_ids):
        waiting = db.session.scalars(
            select(ps.c.product_id)
            .where(ps.c.product_id.in_(chunk), ps.c.qty_waiting > 0)
            .order_by(ps.c.product_id)
        ).all()
        for product_id in waiting:
            backorders.serve_waiting(product_id)


def _stock_pairs(product_ids: list[int], location_ids: list[int]) -> dict[tuple[int, int], int]:
    pairs: dict[tuple[int, int], int] = {}
    if not product_ids or not location_ids:
        return pairs
    for chunk in _chunks(product_ids):
        rows = db.session.execute(
            select(Stock.product_id, Stock.location_id, Stock.qty_on_hand).where(
                Stock.product_id.in_(chunk), Stock.qty_on_hand > 0
            )
        )
        wanted = set(location_ids)
        pairs.update(
            {(r.product_id, r.location_id): r.qty_on_hand for r in rows if r.location_id in wanted}
        )
    return pairs


CHECKERS: dict[str, Checker] = {
    "products": ProductChecker(),
    "locations": LocationChecker(),
    "stock": StockChecker(),
}
