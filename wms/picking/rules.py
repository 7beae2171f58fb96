"""Which bins a wave takes its units from: plain functions over plain data.

No Flask and no ORM here. A bin's ``free`` units are what it holds less what
open pick tasks already took from it, so two tasks never count on the same
units. Orders are taken whole or not at all: half an order in a wave would
leave the other half on the shelf with nobody coming for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class BinStock:
    location_id: int
    code: str
    walk_seq: int
    free: int


@dataclass(frozen=True, slots=True)
class Take:
    location_id: int
    qty: int


@dataclass(frozen=True, slots=True)
class NeedLine:
    line_id: int
    product_id: int
    qty: int


@dataclass(frozen=True, slots=True)
class CandidateOrder:
    order_id: int
    lines: tuple[NeedLine, ...]


@dataclass(frozen=True, slots=True)
class PlannedTask:
    order_id: int
    line_id: int
    product_id: int
    location_id: int
    walk_seq: int
    qty: int


@dataclass
class WavePlan:
    order_ids: list[int] = field(default_factory=list)
    tasks: list[PlannedTask] = field(default_factory=list)
    # Orders that could not be taken: (order id, product id short in the bins).
    left_out: list[tuple[int, int]] = field(default_factory=list)


def walk_key(b: BinStock) -> tuple[int, str, int]:
    return (b.walk_seq, b.code, b.location_id)


def choose_bins(need: int, bins: Sequence[BinStock]) -> list[Take] | None:
    """Where to take ``need`` units: the first bin on the walk that holds them all,
    else bins in walking order, each emptied of its free units, until enough.

    None when the bins together do not hold ``need`` free units.
    """
    if need <= 0:
        raise ValueError("need at least one unit")
    walk = sorted((b for b in bins if b.free > 0), key=walk_key)
    if sum(b.free for b in walk) < need:
        return None
    for b in walk:
        if b.free >= need:
            return [Take(b.location_id, need)]
    takes: list[Take] = []
    left = need
    for b in walk:
        qty = min(b.free, left)
        takes.append(Take(b.location_id, qty))
        left -= qty
        if left == 0:
            break
    return takes


def plan_wave(
    candidates: Sequence[CandidateOrder],
    bins: dict[int, list[BinStock]],
    max_orders: int,
    max_lines: int,
) -> WavePlan:
    """Take candidate orders in the order given while they fit.

    ``max_lines`` counts pick-list rows (a line split over two bins is two
    rows). An order that does not fit what is left is passed over for a
    smaller one behind it; the first order is always taken if it can be
    picked at all, so a large order never waits forever.
    """
    if max_orders < 1 or max_lines < 1:
        raise ValueError("a wave holds at least one order and one line")
    free = {pid: {b.location_id: b for b in rows} for pid, rows in bins.items()}
    plan = WavePlan()
    for order in candidates:
        if len(plan.order_ids) >= max_orders:
            break
        tasks, short_product = _plan_order(order, free)
        if tasks is None:
            plan.left_out.append((order.order_id, short_product))
            continue
        if plan.order_ids and len(plan.tasks) + len(tasks) > max_lines:
            continue
        for task in tasks:
            b = free[task.product_id][task.location_id]
            free[task.product_id][task.location_id] = BinStock(
                b.location_id, b.code, b.walk_seq, b.free - task.qty
            )
        plan.order_ids.append(order.order_id)
        plan.tasks.extend(tasks)
    return plan


def _plan_order(
    order: CandidateOrder, free: dict[int, dict[int, BinStock]]
) -> tuple[list[PlannedTask] | None, int]:
    # Two lines of one order may want the same product: plan against a copy.
    local = {pid: dict(rows) for pid, rows in free.items()}
    tasks: list[PlannedTask] = []
    for line in order.lines:
        rows = local.get(line.product_id, {})
        takes = choose_bins(line.qty, list(rows.values()))
        if takes is None:
            return None, line.product_id
        for take in takes:
            b = rows[take.location_id]
            rows[take.location_id] = BinStock(b.location_id, b.code, b.walk_seq, b.free - take.qty)
            tasks.append(
                PlannedTask(
                    order.order_id,
                    line.line_id,
                    line.product_id,
                    take.location_id,
                    b.walk_seq,
                    take.qty,
                )
            )
    return tasks, 0
