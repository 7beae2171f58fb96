"""Where received units go: quarantine, a waiting order's lane, a preorder's hold lane,
or a shelf. Decided in one place, inside the scan's transaction, once the units are on
the dock; the returns desk puts resellable units back through the same queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, exists, select

from wms.base.clock import today
from wms.base.errors import Conflict
from wms.base.i18n import N_, Text, _
from wms.core import backorders, stock
from wms.core.lanes import Lane, assign_lane
from wms.core.models import LaneAssignment, LineKind, OrderLine
from wms.core.staging import add_staged
from wms.database import prebuilt
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Product, Stock
from wms.inventory.queries import first_active_location, units_in_location
from wms.receiving.models import Destination, DockUnit, DockUnitStatus

WAITING_BATCH = 20


@dataclass(frozen=True)
class Routed:
    """One destination for some of the scanned units."""

    destination: str
    qty: int
    location_id: int
    location_code: str
    order_line_id: int | None = None
    order_id: int | None = None
    reason: Text | str = ""  # read in the reader's language; kept on the dock row as written
    holds: int = 0  # units of the product already in the suggested bin
    # A waiting line served (its units in a lane, or reserved on a shelf when every
    # lane is full): the line, what it still waits for, and its order's channel.
    served_line_id: int | None = None
    still_waiting: int = 0
    channel_id: int | None = None
    held: int = 0  # units reserved while on the dock, never promised (quarantine)

    @property
    def label(self) -> Text:
        """Where the receiver takes the units: "LANE L1"."""
        return Destination(self.destination).label(self.location_code)


@dataclass(frozen=True)
class StagedLine:
    """The three facts about an order line that staging needs."""

    id: int
    order_id: int
    product_id: int


@dataclass(frozen=True)
class Routing:
    """Every destination of a scan's units, and the orders they moved on."""

    routes: list[Routed]
    # Per order the units went to: (units set aside for it, units it ships).
    progress: dict[int, tuple[int, int]] = field(default_factory=dict)
    served: int = 0  # units given to waiting lines (in a lane, or reserved on a shelf)
    # The queue was read to its end and every line in it served: no line waits for the
    # product any more (False when the queue was not read).
    none_waiting: bool = False


class NoBinFree(Conflict):
    code = "no_bin_free"


UNKNOWN = N_("It goes to quarantine; a supervisor will see it on the receipt.")


def route(
    product: Product | None,
    qty: int,
    dock_id: int,
    *,
    damaged: bool = False,
    over: int = 0,
    reference: str = "",
) -> Routing:
    """Where scanned units go, every destination decided here, in this order:

    - quarantine: a code no product has, damaged units, units ``over`` what the
      inbound expected (``reference`` names it); those of a product are reserved
      while they wait on the dock, so they are never promised;
    - the lanes of the orders waiting for the product, queue order, as the
      queue's head takes them (in transit on the dock until they reach the lane);
    - a shelf, for the rest.

    The waiting lines served are told (their channels, their orders' status).
    """
    if product is None:
        cage = quarantine_location()
        return Routing([Routed(Destination.QUARANTINE, qty, cage.id, cage.code, reason=_(UNKNOWN))])
    routes: list[Routed] = []
    held = qty if damaged else min(over, qty)
    if held:
        stock.reserve(product.id, held)
        cage = quarantine_location()
        why = (
            _("Damaged: it goes to quarantine.")
            if damaged
            else _("More than %(reference)s expected: it goes to quarantine.", reference=reference)
        )
        routes.append(
            Routed(Destination.QUARANTINE, held, cage.id, cage.code, reason=why, held=held)
        )
    good = qty - held
    left = 0
    none_waiting = False
    if good:
        to_orders, left, none_waiting = serve_waiting_lines(product, good)
        routes.extend(to_orders)
        if left:
            routes.append(to_shelf(product, left))
    for r in routes:
        if r.order_line_id is not None:
            # In transit: the units are the order's now, on the dock until they reach the lane.
            add_staged(StagedLine(r.order_line_id, r.order_id, product.id), dock_id, r.qty)  # type: ignore[arg-type]
    return Routing(routes, tell_served(routes), served=good - left, none_waiting=none_waiting)


def serve_waiting_lines(product: Product, qty: int) -> tuple[list[Routed], int, bool]:
    """Give units to the head of the product's waiting queue; returns (routes, units left,
    True when units are left because every waiting line was served: none waits now).

    The caller has received the units onto the dock (so they are sellable and
    the product's counter row is locked by this transaction).
    """
    routes: list[Routed] = []
    left = qty
    preorder_held = product.release_on is not None and product.release_on > today()
    # Lanes given to orders during this scan, which the rows read before do not show.
    given: dict[int, Lane | None] = {}
    while left > 0:
        # Each line waits for one unit at least: no more than ``left`` lines can be served,
        # and only those are locked.
        batch = min(left, WAITING_BATCH)
        head = db.session.execute(
            _waiting_head_and_lane(), {"pid": product.id, "limit": batch}
        ).all()
        if not head:
            break
        for line in head:
            take = min(left, line.qty_waiting)
            if not stock.reserve_for_waiting(product.id, take):
                return routes, left, False  # cannot happen while we hold the row: stop safely
            stock.move_waiting_to_reserved(line.id, take)
            held = line.kind == LineKind.PREORDER and preorder_held
            if line.lane_id is not None:
                lane: Lane | None = Lane(line.lane_id, line.lane_code, line.lane_kind)
            elif line.order_id in given:
                lane = given[line.order_id]
            else:
                kind = LocationKind.HOLD_LANE if held else LocationKind.STAGING_LANE
                lane = given[line.order_id] = assign_lane(line.order_id, kind)
            if lane is None:
                routes.append(_reserved_to_shelf(product, take, line))
            else:
                routes.append(_to_lane(lane, take, line, held))
            left -= take
            if left == 0:
                break
        if len(head) < batch:
            break
    return routes, left, left > 0


@prebuilt
def _waiting_head_and_lane() -> Any:
    """The head of the queue, as ``stock.lock_waiting_lines`` reads it, each line with its
    order's open lane (``lane_id``, ``lane_code``, ``lane_kind``; None when it has none)."""
    assigned = LaneAssignment.__table__
    lane = Location.__table__.alias("lane")
    lines = OrderLine.__table__
    stmt = (
        stock.waiting_head()
        .add_columns(
            lane.c.id.label("lane_id"),
            lane.c.code.label("lane_code"),
            lane.c.kind.label("lane_kind"),
        )
        .outerjoin(
            assigned,
            and_(assigned.c.order_id == lines.c.order_id, assigned.c.released_at.is_(None)),
        )
        .outerjoin(lane, lane.c.id == assigned.c.lane_id)
    )
    return stock.locking_lines(stmt)


def tell_served(routes: list[Routed]) -> dict[int, tuple[int, int]]:
    """Tell the channels and move the orders on for the waiting lines these routes served
    (units for a lane, or reserved on a shelf when every lane is full).

    Returns per order (units set aside for it, units it ships), as
    ``backorders.refresh_order_status`` does; empty when no line was served.
    """
    filled: list[tuple[int, int, int]] = []
    known: dict[int, tuple[int, int | None]] = {}
    for r in routes:
        if r.served_line_id is not None and r.order_id is not None:
            filled.append((r.served_line_id, r.order_id, r.qty))
            known[r.served_line_id] = (r.still_waiting, r.channel_id)
    return backorders.after_lines_filled(filled, known) if filled else {}


def _served(line: Any, qty: int) -> dict[str, Any]:
    return {
        "order_id": line.order_id,
        "served_line_id": line.id,
        "still_waiting": line.qty_waiting - qty,
        "channel_id": line.channel_id,
    }


def _to_lane(lane: Lane, qty: int, line: Any, held: bool) -> Routed:
    return Routed(
        destination=Destination.HOLD if held else Destination.CROSS_DOCK,
        qty=qty,
        location_id=lane.id,
        location_code=lane.code,
        order_line_id=line.id,
        **_served(line, qty),
    )


def _reserved_to_shelf(product: Product, qty: int, line: Any) -> Routed:
    """Every lane is full: the units are the order's, but wait on a shelf to be picked."""
    bin_ = suggest_bin(product.id, qty)
    return Routed(
        destination=Destination.PUTAWAY,
        qty=qty,
        location_id=bin_[0].id,
        location_code=bin_[0].code,
        order_line_id=None,
        reason=_("Every staging lane is full; the units are reserved and will be picked."),
        holds=bin_[1],
        **_served(line, qty),
    )


def to_shelf(product: Product, qty: int) -> Routed:
    location, holds = suggest_bin(product.id, qty)
    return Routed(
        destination=Destination.PUTAWAY,
        qty=qty,
        location_id=location.id,
        location_code=location.code,
        holds=holds,
    )


def suggest_bin(product_id: int, qty: int) -> tuple[Location, int]:
    """A bin already holding the product (with room), else the first free bin in walking order."""
    held = db.session.execute(_bins_holding(), {"pid": product_id}).all()
    for location, on_hand in held:
        if location.capacity is None or units_in_location(location.id) + qty <= location.capacity:
            return location, int(on_hand)
    free = db.session.scalar(_first_free_bin(), {"pid": product_id})
    if free is None:
        if held:
            return held[0][0], int(held[0][1])
        raise NoBinFree(_("No bin is free for this product. Call a supervisor."))
    return free, 0


@prebuilt
def _bins_holding() -> Any:
    return (
        select(Location, Stock.qty_on_hand)
        .join(Stock, Stock.location_id == Location.id)
        .where(
            Stock.product_id == bindparam("pid"),
            Stock.qty_on_hand > 0,
            Location.kind == LocationKind.BIN,
            Location.active.is_(True),
        )
        .order_by(Location.walk_seq, Location.code)
    )


@prebuilt
def _first_free_bin() -> Any:
    return (
        select(Location)
        .where(
            Location.kind == LocationKind.BIN,
            Location.active.is_(True),
            ~exists().where(and_(Stock.location_id == Location.id, Stock.qty_on_hand > 0)),
            # not promised to another product's units still on the dock
            ~exists().where(
                and_(
                    DockUnit.to_location_id == Location.id,
                    DockUnit.status == DockUnitStatus.ON_DOCK,
                    DockUnit.product_id != bindparam("pid"),
                )
            ),
        )
        .order_by(Location.walk_seq, Location.code)
        .limit(1)
    )


def quarantine_location() -> Location:
    location = first_active_location(LocationKind.QUARANTINE)
    if location is None:
        raise Conflict(_("There is no quarantine location. An admin must create one."))
    return location
