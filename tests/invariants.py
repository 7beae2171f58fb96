"""The stored counters proven from their source rows, for tests that end by checking them."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import case, func, select

from wms.core.ledger import ledger_differences, sellable_differences
from wms.extensions import db
from wms.inventory.models import Product, ProductStock
from wms.orders.models import LineKind, OrderLine
from wms.receiving.models import DockUnit, DockUnitStatus


def _counter_differences() -> list[str]:
    """Reserved, waiting and preordered per product against the order lines (and the
    quarantined units held on the dock) that account for them."""
    ol = OrderLine.__table__
    du = DockUnit.__table__
    lines = (
        select(
            ol.c.product_id,
            func.sum(ol.c.qty_reserved).label("reserved"),
            func.sum(ol.c.qty_waiting).label("waiting"),
            func.sum(
                case((ol.c.kind == LineKind.PREORDER, ol.c.qty - ol.c.qty_cancelled), else_=0)
            ).label("preordered"),
        )
        .group_by(ol.c.product_id)
        .subquery()
    )
    held = (
        select(du.c.product_id, func.sum(du.c.held_qty).label("held"))
        .where(du.c.status == DockUnitStatus.ON_DOCK)
        .group_by(du.c.product_id)
        .subquery()
    )
    ps = ProductStock.__table__
    rows = db.session.execute(
        select(
            Product.sku,
            ps.c.qty_reserved,
            ps.c.qty_waiting,
            ps.c.qty_preordered,
            func.coalesce(lines.c.reserved, 0) + func.coalesce(held.c.held, 0),
            func.coalesce(lines.c.waiting, 0),
            func.coalesce(lines.c.preordered, 0),
        )
        .join(Product, Product.id == ps.c.product_id)
        .outerjoin(lines, lines.c.product_id == ps.c.product_id)
        .outerjoin(held, held.c.product_id == ps.c.product_id)
        .order_by(Product.sku)
    ).all()
    found = []
    for sku, reserved, waiting, preordered, held_by, waited_by, preordered_by in rows:
        if reserved != held_by:
            found.append(f"{sku}: reserved counter {reserved}, open lines and dock hold {held_by}")
        if waiting != waited_by:
            found.append(f"{sku}: waiting counter {waiting}, open lines wait for {waited_by}")
        if preordered != preordered_by:
            found.append(f"{sku}: preordered counter {preordered}, preorder lines {preordered_by}")
    return found


def differences(app: Flask) -> list[str]:
    with app.app_context():
        found = [
            f"{d.sku} at {d.location}: on hand {d.on_hand}, ledger says {d.from_ledger}"
            for d in ledger_differences()
        ]
        found += [
            f"{sku}: sellable counter {counter}, sellable locations hold {summed}"
            for sku, counter, summed in sellable_differences()
        ]
        found += _counter_differences()
        db.session.rollback()
        return found


def assert_invariants(app: Flask) -> None:
    """Every stored counter agrees with the rows it counts."""
    found = differences(app)
    assert found == [], "\n".join(found)
