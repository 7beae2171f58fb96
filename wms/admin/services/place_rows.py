"""Checking and writing the rows of a locations CSV and of an opening stock CSV."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from wms.admin.queries import chunks, units_by_location
from wms.admin.rules import Table
from wms.admin.services.checks import (
    CheckResult,
    locations_by_code,
    parse_rows,
    products_by_sku,
)
from wms.admin.services.places import change_problem
from wms.auth import audit
from wms.auth.audit import changes
from wms.base.i18n import Number, _
from wms.core import backorders
from wms.core.ledger import Reason, move_stock
from wms.database import insert_many, update_by_id
from wms.extensions import db
from wms.inventory.models import Location, ProductStock, Stock


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
        seen: dict[str, int] = {}
        for line, cells in table.rows[:start]:
            seen.setdefault(cells.get("code", "").strip().upper(), line)
        parsed = parse_rows(table, start, end)
        codes = [v["code"] for _line, v, _problems in parsed if "code" in v]
        existing = locations_by_code(codes)
        held = units_by_location([loc.id for loc in existing.values()])
        result = CheckResult()
        for line, values, problems in parsed:
            if "code" not in values:
                result.problems += [(line, p) for p in problems]
                result.summary["bad"] += 1
                continue
            code = values["code"]
            first = seen.setdefault(code, line)
            if first != line:
                problems.append(
                    _("Location %(code)s is already on row %(row)s.", code=code, row=first)
                )
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
            ids = insert_many(Location.__table__, [p.values for p in new])
            audit.record_many(
                user_id,
                "location.create",
                "location",
                [
                    (i, {"code": p.values["code"], "import": job_id})
                    for p, i in zip(new, ids, strict=True)
                ],
            )
        changed = [p for p in plans if p.location_id is not None and p.values]
        if changed:
            update_by_id(Location.__table__, [{"id": p.location_id, **p.values} for p in changed])
            audit.record_many(
                user_id,
                "location.update",
                "location",
                [(p.location_id, {"changes": p.changes, "import": job_id}) for p in changed],
            )
        return len(new) + len(changed)


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
        parsed = parse_rows(table, start, end)
        products = products_by_sku([v["sku"] for _line, v, _problems in parsed if "sku" in v])
        locations = locations_by_code(
            [v["location"] for _line, v, _problems in parsed if "location" in v]
        )
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
            problems.append(
                _("%(sku)s in %(code)s is already on row %(row)s.", sku=sku, code=code, row=first)
            )
        product = products.get(sku.lower())
        location = locations.get(code)
        if product is None:
            problems.append(_("No product has the SKU %(sku)s.", sku=sku))
        elif not product.active:
            problems.append(_("Product %(sku)s is inactive.", sku=product.sku))
        if location is None:
            problems.append(_("No location has the code %(code)s.", code=code))
        elif not location.active:
            problems.append(_("Location %(code)s is inactive.", code=code))
        if product is None or location is None:
            return None
        held = pairs.get((product.id, location.id))
        if held:
            problems.append(
                _(
                    "%(code)s already holds %(num)s of %(sku)s; opening stock is for empty places"
                    " (use a count or an adjustment).",
                    code=code,
                    num=Number(held),
                    sku=product.sku,
                )
            )
        return StockPlan(line, product.id, location.id, values.get("qty", 0))

    def apply(self, table: Table, result: CheckResult, job_id: int, user_id: int | None) -> int:
        plans: list[StockPlan] = sorted(result.plans, key=lambda p: (p.product_id, p.location_id))
        locations = {
            loc.id: loc
            for chunk in chunks(sorted({p.location_id for p in plans}))
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
    for chunk in chunks(product_ids):
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
    for chunk in chunks(product_ids):
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
