"""Every stored counter, proven from the rows it counts.

Counters make the hot paths cheap (a reservation is one guarded UPDATE of
``product_stock``), but a counter that drifts from its source rows is a
promise broken silently: units sold twice, an order that waits forever, a
lane that looks full. ``check_invariants`` rebuilds each counter from its
source rows and names every difference in a sentence.

Each check is one set-based query over the whole table: it runs at the
sizes the benchmarks use (a million ledger rows, a hundred thousand orders)
in seconds. Where two sides must agree, both are summed by key with
``UNION ALL`` and ``GROUP BY`` — a full outer join that SQLite and
PostgreSQL both run the same way.

Ledger rows are compared with the inbound, wave, order or RMA their
reference names; rows whose reference names none of them (opening stock,
history loaded by hand) are only part of on-hand.

The module reads every area's tables; nothing in the app imports it but
the ``flask verify`` command, the benchmarks and the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, or_, select, union_all

from wms.base.numbers import (
    ORDER_NUMBER_OFFSET,
    ORDER_NUMBER_PREFIX,
    RMA_OFFSET,
    RMA_PREFIX,
    WAVE_CODE_PREFIX,
    order_number,
    rma_number,
)
from wms.core.ledger import Reason, ledger_differences, sellable_differences
from wms.core.models import (
    Inbound,
    InboundLine,
    LaneAssignment,
    LaneOccupancy,
    LineKind,
    Order,
    OrderLine,
    OrderStatus,
    StagedUnits,
)
from wms.database import is_postgres
from wms.extensions import db
from wms.inventory.models import Location, Movement, Product, ProductStock, Stock
from wms.picking.models import PickTask, Wave
from wms.receiving.models import DockUnit, DockUnitStatus
from wms.returns.models import Grade, ReturnAuthorisation, ReturnItem, ReturnLine
from wms.shipping.models import Parcel, ParcelLine, ParcelStatus

mv = Movement.__table__
ps = ProductStock.__table__
products_t = Product.__table__
loc_t = Location.__table__
stock_t = Stock.__table__
orders_t = Order.__table__
lines_t = OrderLine.__table__
staged_t = StagedUnits.__table__
dock_t = DockUnit.__table__
occ_t = LaneOccupancy.__table__
assign_t = LaneAssignment.__table__
inbounds_t = Inbound.__table__
il_t = InboundLine.__table__
tasks_t = PickTask.__table__
waves_t = Wave.__table__
rl_t = ReturnLine.__table__
items_t = ReturnItem.__table__
rma_t = ReturnAuthorisation.__table__
parcels_t = Parcel.__table__
pl_t = ParcelLine.__table__

CLOSED_ORDER_STATUSES = (OrderStatus.SHIPPED, OrderStatus.CANCELLED)


def check_invariants() -> list[str]:
    """Every difference between a stored counter and its source rows, one sentence each;
    an empty list when everything agrees."""
    differences: list[str] = []
    for check in CHECKS:
        differences.extend(check())
    return differences


# ---------------------------------------------------------------- helpers ---


def _two_sided(stored: Any, counted: Any, key: list[str]) -> Any:
    """``(key..., stored, counted)`` rows where the two sides differ.

    ``stored`` and ``counted`` each select the key columns, then one quantity;
    a key present on one side only counts as zero on the other (a full outer
    join, written as a union so both databases run it alike).
    """
    s, c = stored.subquery(), counted.subquery()
    s_cols, c_cols = list(s.c), list(c.c)
    both = union_all(
        select(
            *[col.label(k) for col, k in zip(s_cols[:-1], key, strict=True)],
            s_cols[-1].label("stored"),
            literal(0).label("counted"),
        ),
        select(
            *[col.label(k) for col, k in zip(c_cols[:-1], key, strict=True)],
            literal(0).label("stored"),
            c_cols[-1].label("counted"),
        ),
    ).subquery()
    keys = [both.c[k] for k in key]
    stored_sum, counted_sum = func.sum(both.c.stored), func.sum(both.c.counted)
    return select(*keys, stored_sum, counted_sum).group_by(*keys).having(stored_sum != counted_sum)


def _number(prefix: str, offset: int, id_column: Any) -> Any:
    """``W-10422`` from 422, in SQL."""
    return literal(prefix) + cast(id_column + offset, String)


def _wave_code_sql(id_column: Any) -> Any:
    """``WV-00012`` from 12, in SQL (five digits at least, as ``wave_code``)."""
    padded = case(
        (id_column < 100000, func.substr(cast(id_column + 100000, String), 2)),
        else_=cast(id_column, String),
    )
    return literal(WAVE_CODE_PREFIX) + padded


def _first_word(column: Any) -> Any:
    """The text before the first space (all of it when there is none), in SQL."""
    padded = column + literal(" ")
    position = func.strpos if is_postgres() else func.instr
    return func.substr(padded, 1, position(padded, literal(" ")) - 1)


def _per_product(
    stored: Any, counted: Any, key: str, say: Callable[[Any, str, Any, Any], str]
) -> list[str]:
    """One sentence for each (``key``, product) whose units ``stored`` and ``counted``
    disagree on, in the order of the key and the SKU."""
    diffs = db.session.execute(_two_sided(stored, counted, [key, "product_id"])).all()
    skus = _skus({d[1] for d in diffs})
    return [
        say(doc, skus.get(pid, pid), a, b)
        for doc, pid, a, b in sorted(diffs, key=lambda d: (d[0], skus.get(d[1], "")))
    ]


def _skus(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(products_t.c.id, products_t.c.sku).where(products_t.c.id.in_(ids))
    )
    return dict(rows.all())


def _location_codes(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(loc_t.c.id, loc_t.c.code).where(loc_t.c.id.in_(ids)))
    return dict(rows.all())


def _units(n: int) -> str:
    return f"{n} unit" if n == 1 else f"{n} units"


# ----------------------------------------------------------------- stock ---


def on_hand_by_place() -> list[str]:
    """Stock per product and place against the movement ledger."""
    return [
        f"{d.sku} at {d.location}: on hand {d.on_hand}, ledger says {d.from_ledger}"
        for d in ledger_differences()
    ]


def sellable_counter() -> list[str]:
    """Each product's sellable counter against its stock in sellable places."""
    return [
        f"{sku}: {_units(counter)} counted sellable, sellable places hold {summed}"
        for sku, counter, summed in sellable_differences()
    ]


def product_counters() -> list[str]:
    """Reserved, waiting and preordered per product against the order lines (and the
    damaged or surplus units held on the receiving dock, which are reserved so no order
    is promised them)."""
    per_line = (
        select(
            lines_t.c.product_id,
            func.sum(lines_t.c.qty_reserved).label("reserved"),
            func.sum(lines_t.c.qty_waiting).label("waiting"),
            func.sum(
                case(
                    (lines_t.c.kind == LineKind.PREORDER, lines_t.c.qty - lines_t.c.qty_cancelled),
                    else_=0,
                )
            ).label("preordered"),
        )
        .group_by(lines_t.c.product_id)
        .subquery()
    )
    held = (
        select(dock_t.c.product_id, func.sum(dock_t.c.held_qty).label("held"))
        .where(dock_t.c.status == DockUnitStatus.ON_DOCK, dock_t.c.held_qty > 0)
        .group_by(dock_t.c.product_id)
        .subquery()
    )
    reserved = func.coalesce(per_line.c.reserved, 0) + func.coalesce(held.c.held, 0)
    waiting = func.coalesce(per_line.c.waiting, 0)
    preordered = func.coalesce(per_line.c.preordered, 0)
    rows = db.session.execute(
        select(
            products_t.c.sku,
            func.coalesce(ps.c.qty_reserved, 0),
            reserved,
            func.coalesce(ps.c.qty_waiting, 0),
            waiting,
            func.coalesce(ps.c.qty_preordered, 0),
            preordered,
        )
        .select_from(products_t)
        .outerjoin(ps, ps.c.product_id == products_t.c.id)
        .outerjoin(per_line, per_line.c.product_id == products_t.c.id)
        .outerjoin(held, held.c.product_id == products_t.c.id)
        .where(
            or_(
                func.coalesce(ps.c.qty_reserved, 0) != reserved,
                func.coalesce(ps.c.qty_waiting, 0) != waiting,
                func.coalesce(ps.c.qty_preordered, 0) != preordered,
            )
        )
        .order_by(products_t.c.sku)
    )
    out: list[str] = []
    for sku, r_stored, r_rows, w_stored, w_rows, p_stored, p_rows in rows:
        if r_stored != r_rows:
            out.append(
                f"{sku}: {_units(r_stored)} counted reserved, "
                f"order lines and units held on the dock reserve {r_rows}"
            )
        if w_stored != w_rows:
            out.append(f"{sku}: {_units(w_stored)} counted waiting, order lines wait for {w_rows}")
        if p_stored != p_rows:
            out.append(
                f"{sku}: {_units(p_stored)} counted preordered, "
                f"preorder lines not cancelled hold {p_rows}"
            )
    return out


# ---------------------------------------------------------------- orders ---


def order_line_counts() -> list[str]:
    """Each order's line count and backordered-line count against its lines."""
    per_order = (
        select(
            lines_t.c.order_id,
            func.count().label("lines"),
            func.sum(case((lines_t.c.kind == LineKind.BACKORDER, 1), else_=0)).label("back"),
        )
        .group_by(lines_t.c.order_id)
        .subquery()
    )
    lines = func.coalesce(per_order.c.lines, 0)
    back = func.coalesce(per_order.c.back, 0)
    rows = db.session.execute(
        select(orders_t.c.id, orders_t.c.line_count, lines, orders_t.c.backordered_lines, back)
        .outerjoin(per_order, per_order.c.order_id == orders_t.c.id)
        .where(or_(orders_t.c.line_count != lines, orders_t.c.backordered_lines != back))
        .order_by(orders_t.c.id)
    )
    out: list[str] = []
    for order_id, line_count, n_lines, backordered, n_back in rows:
        if line_count != n_lines:
            out.append(f"{order_number(order_id)}: says {line_count} line(s), has {n_lines}")
        if backordered != n_back:
            out.append(
                f"{order_number(order_id)}: says {backordered} backordered line(s), has {n_back}"
            )
    return out


def closed_orders_hold_nothing() -> list[str]:
    """A shipped or cancelled order reserves no unit and waits for none."""
    rows = db.session.execute(
        select(
            orders_t.c.id,
            orders_t.c.status,
            lines_t.c.line_no,
            lines_t.c.product_id,
            lines_t.c.qty_reserved,
            lines_t.c.qty_waiting,
        )
        .join(lines_t, lines_t.c.order_id == orders_t.c.id)
        .where(
            orders_t.c.status.in_(CLOSED_ORDER_STATUSES),
            or_(lines_t.c.qty_reserved > 0, lines_t.c.qty_waiting > 0),
        )
        .order_by(orders_t.c.id, lines_t.c.line_no)
    ).all()
    skus = _skus({r.product_id for r in rows})
    return [
        f"{order_number(r.id)} is {r.status} but line {r.line_no} ({skus[r.product_id]}) "
        f"still reserves {r.qty_reserved} and waits for {r.qty_waiting}"
        for r in rows
    ]


# ----------------------------------------------------------------- lanes ---


def lane_counters() -> list[str]:
    """Each lane's order counter against the orders assigned to it and not released."""
    stored = select(occ_t.c.location_id, occ_t.c.orders_assigned)
    counted = (
        select(assign_t.c.lane_id, func.count())
        .where(assign_t.c.released_at.is_(None))
        .group_by(assign_t.c.lane_id)
    )
    diffs = db.session.execute(_two_sided(stored, counted, ["lane_id"])).all()
    codes = _location_codes({d[0] for d in diffs})
    return [
        f"Lane {codes.get(lane_id, lane_id)}: counts {stored_n} order(s), "
        f"{counted_n} are assigned to it"
        for lane_id, stored_n, counted_n in sorted(diffs, key=lambda d: codes.get(d[0], ""))
    ]


def lanes_of_closed_orders() -> list[str]:
    """A shipped or cancelled order has left its lane."""
    rows = db.session.execute(
        select(orders_t.c.id, orders_t.c.status, loc_t.c.code)
        .join(assign_t, assign_t.c.order_id == orders_t.c.id)
        .join(loc_t, loc_t.c.id == assign_t.c.lane_id)
        .where(assign_t.c.released_at.is_(None), orders_t.c.status.in_(CLOSED_ORDER_STATUSES))
        .order_by(orders_t.c.id)
    )
    return [
        f"{order_number(oid)} is {status} but still holds lane {code}" for oid, status, code in rows
    ]


# ---------------------------------------------------------------- staged ---


def staged_units_are_there() -> list[str]:
    """Units staged for orders at a place (lane, tote, dock, pack station) are on hand there."""
    staged = (
        select(
            staged_t.c.product_id,
            staged_t.c.location_id,
            func.sum(staged_t.c.qty).label("qty"),
        )
        .group_by(staged_t.c.product_id, staged_t.c.location_id)
        .having(func.sum(staged_t.c.qty) > 0)
        .subquery()
    )
    return [
        f"{sku} at {code}: {_units(n)} staged for orders, {held} on hand"
        for sku, code, n, held in _more_than_on_hand(staged)
    ]


def _more_than_on_hand(claimed: Any) -> Any:
    """(sku, place, units, on hand) wherever ``claimed`` (product_id, location_id, qty)
    puts more units of a product at a place than its stock row holds."""
    on_hand = func.coalesce(stock_t.c.qty_on_hand, 0)
    return db.session.execute(
        select(products_t.c.sku, loc_t.c.code, claimed.c.qty, on_hand)
        .select_from(claimed)
        .join(products_t, products_t.c.id == claimed.c.product_id)
        .join(loc_t, loc_t.c.id == claimed.c.location_id)
        .outerjoin(
            stock_t,
            and_(
                stock_t.c.product_id == claimed.c.product_id,
                stock_t.c.location_id == claimed.c.location_id,
            ),
        )
        .where(claimed.c.qty > on_hand)
        .order_by(products_t.c.sku, loc_t.c.code)
    )


def staged_units_are_reserved() -> list[str]:
    """An order line has no more units staged than it reserves."""
    staged = (
        select(staged_t.c.order_line_id, func.sum(staged_t.c.qty).label("staged"))
        .group_by(staged_t.c.order_line_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            lines_t.c.order_id,
            lines_t.c.line_no,
            products_t.c.sku,
            staged.c.staged,
            lines_t.c.qty_reserved,
        )
        .select_from(staged)
        .join(lines_t, lines_t.c.id == staged.c.order_line_id)
        .join(products_t, products_t.c.id == lines_t.c.product_id)
        .where(staged.c.staged > lines_t.c.qty_reserved)
        .order_by(lines_t.c.order_id, lines_t.c.line_no)
    )
    return [
        f"{order_number(oid)} line {line_no} ({sku}): {_units(n)} staged, only {reserved} reserved"
        for oid, line_no, sku, n, reserved in rows
    ]


def dock_units_are_there() -> list[str]:
    """Units waiting on the receiving dock to be taken away are on hand at the dock."""
    waiting = (
        select(
            dock_t.c.product_id,
            dock_t.c.dock_location_id.label("location_id"),
            func.sum(dock_t.c.qty).label("qty"),
        )
        .where(dock_t.c.status == DockUnitStatus.ON_DOCK, dock_t.c.product_id.is_not(None))
        .group_by(dock_t.c.product_id, dock_t.c.dock_location_id)
        .subquery()
    )
    return [
        f"{sku} at {code}: {_units(n)} wait on the dock to be taken away, {held} on hand"
        for sku, code, n, held in _more_than_on_hand(waiting)
    ]


# ------------------------------------------------------------- receiving ---


def inbound_received_against_scans() -> list[str]:
    """Each inbound line's received count against the dock scans not undone."""
    stored = select(il_t.c.inbound_id, il_t.c.product_id, il_t.c.qty_received)
    counted = (
        select(dock_t.c.inbound_id, dock_t.c.product_id, func.sum(dock_t.c.qty))
        .where(dock_t.c.status != DockUnitStatus.UNDONE, dock_t.c.product_id.is_not(None))
        .group_by(dock_t.c.inbound_id, dock_t.c.product_id)
    )
    diffs = db.session.execute(_two_sided(stored, counted, ["inbound_id", "product_id"])).all()
    return _inbound_sentences(diffs, "dock scans not undone say")


def inbound_received_against_ledger() -> list[str]:
    """Each inbound line's received count against what the ledger brought in under the
    inbound's reference (received, less what was undone)."""
    stored = (
        select(inbounds_t.c.reference, il_t.c.product_id, il_t.c.qty_received)
        .join(inbounds_t, inbounds_t.c.id == il_t.c.inbound_id)
        .where(il_t.c.qty_received != 0)
    )
    signed = case((mv.c.reason == Reason.UNDO, -mv.c.qty), else_=mv.c.qty)
    counted = (
        select(mv.c.reference, mv.c.product_id, func.sum(signed))
        .join(inbounds_t, inbounds_t.c.reference == mv.c.reference)
        .where(
            or_(
                and_(mv.c.reason == Reason.RECEIVE, mv.c.from_location_id.is_(None)),
                and_(mv.c.reason == Reason.UNDO, mv.c.to_location_id.is_(None)),
            )
        )
        .group_by(mv.c.reference, mv.c.product_id)
    )
    return _per_product(
        stored,
        counted,
        "reference",
        lambda ref, sku, received, moved: (
            f"{ref} ({sku}): {received} received, the ledger brought in {moved}"
        ),
    )


def _inbound_sentences(diffs: list[Any], what: str) -> list[str]:
    refs = (
        dict(
            db.session.execute(
                select(inbounds_t.c.id, inbounds_t.c.reference).where(
                    inbounds_t.c.id.in_({d[0] for d in diffs})
                )
            ).all()
        )
        if diffs
        else {}
    )
    skus = _skus({d[1] for d in diffs})
    return [
        f"{refs.get(iid, iid)} ({skus.get(pid, pid)}): {received} received, {what} {counted}"
        for iid, pid, received, counted in sorted(
            diffs, key=lambda d: (refs.get(d[0], ""), skus.get(d[1], ""))
        )
    ]


# --------------------------------------------------------------- picking ---


def picked_against_ledger() -> list[str]:
    """Units picked per wave and product against the ledger's picks under the wave's code."""
    stored = (
        select(
            _wave_code_sql(tasks_t.c.wave_id),
            tasks_t.c.product_id,
            func.sum(tasks_t.c.qty_picked),
        )
        .where(tasks_t.c.qty_picked > 0)
        .group_by(tasks_t.c.wave_id, tasks_t.c.product_id)
    )
    # Only picks under a wave's code: units staged by other means say so in their reason.
    code = _wave_code_sql(waves_t.c.id)
    counted = (
        select(mv.c.reference, mv.c.product_id, func.sum(mv.c.qty))
        .join(waves_t, code == mv.c.reference)
        .where(mv.c.reason == Reason.PICK)
        .group_by(mv.c.reference, mv.c.product_id)
    )
    return _per_product(
        stored,
        counted,
        "wave",
        lambda wave, sku, picked, moved: (
            f"{wave} ({sku}): tasks say {picked} picked, the ledger picked {moved}"
        ),
    )


# -------------------------------------------------------------- shipping ---


def verified_units_at_pack_station() -> list[str]:
    """Units verified into a parcel not yet shipped are staged at a pack station."""
    at_packing = (
        select(staged_t.c.order_line_id, func.sum(staged_t.c.qty).label("qty"))
        .join(loc_t, loc_t.c.id == staged_t.c.location_id)
        .where(loc_t.c.kind == "packing")
        .group_by(staged_t.c.order_line_id)
        .subquery()
    )
    verified = (
        select(pl_t.c.order_line_id, func.sum(pl_t.c.qty_verified).label("qty"))
        .join(parcels_t, parcels_t.c.id == pl_t.c.parcel_id)
        .where(parcels_t.c.status != ParcelStatus.SHIPPED, pl_t.c.qty_verified > 0)
        .group_by(pl_t.c.order_line_id)
        .subquery()
    )
    there = func.coalesce(at_packing.c.qty, 0)
    rows = db.session.execute(
        select(lines_t.c.order_id, lines_t.c.line_no, products_t.c.sku, verified.c.qty, there)
        .select_from(verified)
        .join(lines_t, lines_t.c.id == verified.c.order_line_id)
        .join(products_t, products_t.c.id == lines_t.c.product_id)
        .outerjoin(at_packing, at_packing.c.order_line_id == verified.c.order_line_id)
        .where(verified.c.qty > there)
        .order_by(lines_t.c.order_id, lines_t.c.line_no)
    )
    return [
        f"{order_number(oid)} line {line_no} ({sku}): {_units(n)} verified into its parcel, "
        f"{held} staged at a pack station"
        for oid, line_no, sku, n, held in rows
    ]


def shipped_against_ledger() -> list[str]:
    """Units shipped per order and product against the ledger's shipments, whose
    reference starts with the order number."""
    stored = (
        select(
            _number(ORDER_NUMBER_PREFIX, ORDER_NUMBER_OFFSET, lines_t.c.order_id),
            lines_t.c.product_id,
            func.sum(lines_t.c.qty_shipped),
        )
        .where(lines_t.c.qty_shipped > 0)
        .group_by(lines_t.c.order_id, lines_t.c.product_id)
    )
    shipments = (
        select(
            _first_word(mv.c.reference).label("number"),
            mv.c.product_id,
            mv.c.qty,
        )
        .where(
            mv.c.reason == Reason.SHIP,
            mv.c.to_location_id.is_(None),
            mv.c.reference.like(ORDER_NUMBER_PREFIX + "%"),
        )
        .subquery()
    )
    counted = (
        select(shipments.c.number, shipments.c.product_id, func.sum(shipments.c.qty))
        .join(
            orders_t,
            _number(ORDER_NUMBER_PREFIX, ORDER_NUMBER_OFFSET, orders_t.c.id) == shipments.c.number,
        )
        .group_by(shipments.c.number, shipments.c.product_id)
    )
    return _per_product(
        stored,
        counted,
        "number",
        lambda number, sku, shipped, moved: (
            f"{number} ({sku}): lines say {shipped} shipped, the ledger shipped {moved}"
        ),
    )


# --------------------------------------------------------------- returns ---


def returns_received_against_grades() -> list[str]:
    """Each return line's received count against the items graded on it (not "not ours")."""
    stored = select(rl_t.c.id, rl_t.c.qty_received)
    counted = (
        select(items_t.c.return_line_id, func.sum(items_t.c.qty))
        .where(items_t.c.return_line_id.is_not(None), items_t.c.grade != Grade.NOT_OURS)
        .group_by(items_t.c.return_line_id)
    )
    diffs = db.session.execute(_two_sided(stored, counted, ["line_id"])).all()
    if not diffs:
        return []
    rows = db.session.execute(
        select(rl_t.c.id, rl_t.c.rma_id, rl_t.c.line_no, products_t.c.sku)
        .join(products_t, products_t.c.id == rl_t.c.product_id)
        .where(rl_t.c.id.in_({d[0] for d in diffs}))
    ).all()
    names = {r.id: f"{rma_number(r.rma_id)} line {r.line_no} ({r.sku})" for r in rows}
    return [
        f"{names.get(line_id, line_id)}: {received} received, graded items say {graded}"
        for line_id, received, graded in sorted(diffs, key=lambda d: names.get(d[0], ""))
    ]


def returns_against_ledger() -> list[str]:
    """Returned items of a known product against what the ledger took in under the RMA."""
    stored = (
        select(
            _number(RMA_PREFIX, RMA_OFFSET, items_t.c.rma_id),
            items_t.c.product_id,
            func.sum(items_t.c.qty),
        )
        .where(items_t.c.product_id.is_not(None))
        .group_by(items_t.c.rma_id, items_t.c.product_id)
    )
    counted = (
        select(mv.c.reference, mv.c.product_id, func.sum(mv.c.qty))
        .join(rma_t, _number(RMA_PREFIX, RMA_OFFSET, rma_t.c.id) == mv.c.reference)
        .where(mv.c.reason == Reason.RETURN, mv.c.from_location_id.is_(None))
        .group_by(mv.c.reference, mv.c.product_id)
    )
    return _per_product(
        stored,
        counted,
        "number",
        lambda number, sku, graded, moved: (
            f"{number} ({sku}): {_units(graded)} graded, the ledger took in {moved}"
        ),
    )


CHECKS: tuple[Callable[[], list[str]], ...] = (
    on_hand_by_place,
    sellable_counter,
    product_counters,
    order_line_counts,
    closed_orders_hold_nothing,
    lane_counters,
    lanes_of_closed_orders,
    staged_units_are_there,
    staged_units_are_reserved,
    dock_units_are_there,
    inbound_received_against_scans,
    inbound_received_against_ledger,
    picked_against_ledger,
    verified_units_at_pack_station,
    shipped_against_ledger,
    returns_received_against_grades,
    returns_against_ledger,
)
