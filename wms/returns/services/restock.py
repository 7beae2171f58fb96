"""Where returned units go, and putting resellable ones back: the waiting queue first.

Called inside the grading transaction, after the unit has entered stock in
the returns location.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from wms.base.errors import NoPlace
from wms.base.i18n import N_, Text, _
from wms.base.numbers import order_number
from wms.channels import outbox
from wms.core import backorders, stock
from wms.core.lanes import mark_first_unit
from wms.core.ledger import Reason, move_stock
from wms.core.models import OrderLine
from wms.core.staging import stage_units
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Product
from wms.inventory.queries import first_active_location
from wms.receiving import queries as receiving
from wms.receiving.models import Destination
from wms.receiving.services import routing

PLACE_NAMES = {
    LocationKind.RETURNS: "returns",
    LocationKind.REWORK: "rework",
    LocationKind.QUARANTINE: "quarantine",
    LocationKind.EXCEPTIONS: "exceptions",
}
# What the clerk reads: where the units go (the code follows), and a place missing.
_WHERE = {
    LocationKind.RETURNS: N_("RETURNS %(code)s"),
    LocationKind.REWORK: N_("REWORK %(code)s"),
    LocationKind.QUARANTINE: N_("QUARANTINE %(code)s"),
    LocationKind.EXCEPTIONS: N_("EXCEPTIONS %(code)s"),
}
_NO_PLACE = {
    LocationKind.RETURNS: N_("There is no returns location. An admin must create one."),
    LocationKind.REWORK: N_("There is no rework location. An admin must create one."),
    LocationKind.QUARANTINE: N_("There is no quarantine location. An admin must create one."),
    LocationKind.EXCEPTIONS: N_("There is no exceptions location. An admin must create one."),
}


def place(kind: str) -> Location:
    """The first active location of a kind (returns bench, rework, quarantine, exceptions)."""
    location = first_active_location(kind)
    if location is None:
        raise NoPlace(_(_NO_PLACE[kind]))
    return location


@dataclass(frozen=True)
class Placed:
    """Where some returned units went, as the clerk is told."""

    destination: str  # cross_dock | hold | putaway | rework | quarantine | exceptions
    where: Text | str  # "LANE L3", "BIN A-01-1", "REWORK RWK-1"
    qty: int
    location_id: int
    order_line_id: int | None = None
    order_id: int | None = None
    reason: Text | str = ""
    order_number: str = ""
    progress: tuple[int, int] | None = None  # units set aside for the order, of its units


def put_back_resellable(
    product: Product, qty: int, bench: Location, reference: str, user_id: int
) -> list[Placed]:
    """Resellable units: to the lane of the head of the waiting queue, else to a bin.

    ``serve_waiting_lines`` reserves from sellable units, and a unit on the
    returns bench is not sellable. The units are counted sellable for the
    time it takes to route them (the product row is locked by that count);
    the moves below count them again as they reach a lane or a bin, and the
    temporary count is taken back last, so the counter ends where the ledger says.
    The bin units left over go to is chosen, and its row locked, before that count
    (the lock order of ``wms.core.stock``): a loss or a pick in that bin takes its
    row before the counters too.
    """
    shelf = _shelf_for(product, qty)
    stock.change_sellable(product.id, qty)
    routes, left, _none_waiting = routing.serve_waiting_lines(product, qty)
    if left:
        routes.append(replace(shelf, qty=left) if shelf else routing.to_shelf(product, left))
    placed = [_move(product, route, bench, reference, user_id) for route in routes]
    if not stock.change_sellable(product.id, -qty):
        raise RuntimeError("the temporary sellable count could not be taken back")
    progress = routing.tell_served(routes)
    backorders.recompute_projections(product.id)
    return [
        replace(
            p,
            order_number=order_number(p.order_id),
            progress=progress.get(p.order_id) or receiving.order_progress(p.order_id),
        )
        if p.order_id is not None
        else p
        for p in placed
    ]


def _shelf_for(product: Product, qty: int) -> routing.Routed | None:
    """The bin units not given to waiting orders would go to, its row locked; None when
    no bin is free (waiting orders may take them all)."""
    try:
        shelf = routing.to_shelf(product, qty)
    except routing.NoBinFree:
        return None
    stock.lock_arrival(product.id, shelf.location_id)
    return shelf


def _move(
    product: Product, route: routing.Routed, bench: Location, reference: str, user_id: int
) -> Placed:
    """Stage the units in their order's lane, or put them on the shelf."""
    destination = db.session.get(Location, route.location_id)
    if route.order_line_id is not None:
        line = db.session.get(OrderLine, route.order_line_id)
        stage_units(line, route.qty, bench, destination, Reason.RETURN, reference, user_id)
        mark_first_unit(line.order_id)
        _announce_cross_dock(line, route.qty, destination)
    else:
        move_stock(product.id, route.qty, bench, destination, Reason.PUTAWAY, reference, user_id)
    return Placed(
        route.destination,
        route.label,
        route.qty,
        route.location_id,
        route.order_line_id,
        route.order_id,
        route.reason,
    )


def _announce_cross_dock(line: OrderLine, qty: int, lane: Location) -> None:
    order = line.order
    outbox.emit(
        "order.unit_cross_docked",
        order.channel_id,
        f"order:{order.id}",
        {
            "order_id": order.id,
            "order_number": order_number(order.id),
            "line": line.line_no,
            "sku": line.product.sku,
            "qty": qty,
            "lane": lane.code,
        },
    )


def set_aside(
    product_id: int, qty: int, bench: Location, kind: str, reference: str, user_id: int
) -> Placed:
    """Units that are not sellable: to rework, quarantine or exceptions."""
    target = place(kind)
    reason = {
        LocationKind.REWORK: Reason.REWORK,
        LocationKind.QUARANTINE: Reason.QUARANTINE,
    }.get(kind, Reason.RETURN)
    move_stock(product_id, qty, bench, target, reason, reference, user_id)
    return placed_at(kind, target, qty)


def placed_at(kind: str, location: Location, qty: int, reason: Text | str = "") -> Placed:
    where = _(_WHERE[kind], code=location.code)
    return Placed(PLACE_NAMES[kind], where, qty, location.id, reason=reason)


DESTINATION_CSS = {
    Destination.CROSS_DOCK: "dest-crossdock",
    Destination.HOLD: "dest-hold",
    Destination.PUTAWAY: "dest-putaway",
    "rework": "dest-hold",
    "quarantine": "dest-quarantine",
    "exceptions": "dest-quarantine",
}
