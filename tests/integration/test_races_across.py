"""Two different actions on the same stock at the same moment, on PostgreSQL.

``test_races.py`` sends one request many times at once. Here two people do two
different things to the same product or order at once; each test makes the
moment happen for sure: a third connection holds a row both need, the two
requests are sent and seen waiting behind it, then it lets go. Every path takes
the product's counters before its order lines (``wms.core.stock``); one that
takes them the other way round deadlocks, and one of the two people sees an error.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from tests.conftest import unique
from tests.factories import Factories
from tests.integration.test_races import (
    HOOK,
    HX,
    PICK,
    RECEIVE_RETURN,
    counters,
    hands,
    on_bench,
    pack,
    parcels_of,
    scan,
)
from tests.integration.test_shop_cancel_after_pick import (
    CANCELLED_AT,
    ORDER,
    RED_PRODUCT,
    RED_VARIANT,
    red_qty,
    shop_orders_of,
)
from tests.invariants import assert_invariants
from tests.shops import changed, post_shopify
from wms.base.clock import utcnow
from wms.base.numbers import wave_code
from wms.core.models import OrderLine
from wms.extensions import db
from wms.inventory.models import LocationKind, ProductStock, Stock

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def make(fresh_app: Flask) -> Factories:
    return Factories(fresh_app)


@pytest.fixture
def app(fresh_app: Flask) -> Flask:
    return fresh_app


def waiting_on_locks(app: Flask) -> int:
    """How many sessions of the test's database wait for a row lock right now."""
    with app.app_context():
        return int(
            db.session.scalar(
                select(func.count())
                .select_from(text("pg_stat_activity"))
                .where(
                    text("datname = current_database()"),
                    text("wait_event_type = 'Lock'"),
                )
            )
            or 0
        )


def until_waiting(app: Flask, count: int) -> None:
    """Wait (at most a minute) until ``count`` sessions wait for a lock."""
    for _ in range(600):
        if waiting_on_locks(app) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"{count} requests never queued behind the held row")


def behind_a_held_line(
    app: Flask, line_id: int, first: Callable[[], Any], second: Callable[[], Any]
) -> list[Any]:
    """Another transaction holds an order line's row lock; ``first`` is sent and seen
    waiting for a lock, then ``second``; the line is let go and both answers returned."""
    row = select(OrderLine.id).where(OrderLine.id == line_id)
    return behind_a_held_row(app, row, first, second)


def behind_the_counters(
    app: Flask, product_id: int, first: Callable[[], Any], second: Callable[[], Any]
) -> list[Any]:
    """``behind_a_held_line``, the row held being the product's counters."""
    row = select(ProductStock.product_id).where(ProductStock.product_id == product_id)
    return behind_a_held_row(app, row, first, second)


def behind_a_held_row(
    app: Flask, row: Any, first: Callable[[], Any], second: Callable[[], Any]
) -> list[Any]:
    """Another transaction locks the ``row`` selected; ``first`` is sent and seen waiting
    for a lock, then ``second``; the row is let go and both answers returned."""
    answers: list[Any] = [None, None]

    def run(i: int, work: Callable[[], Any]) -> None:
        answers[i] = work()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate((first, second))]
    with app.app_context(), db.engine.connect() as conn:
        held = conn.begin()
        conn.execute(row.with_for_update()).all()
        threads[0].start()
        until_waiting(app, 1)
        threads[1].start()
        until_waiting(app, 2)
        held.rollback()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def line_of(app: Flask, order_id: int) -> OrderLine:
    with app.app_context():
        line = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).one()
        db.session.expunge(line)
        return line


def test_a_short_pick_while_a_unit_of_the_product_is_received(app: Flask, make: Factories) -> None:
    """The picker finds the bin empty (the line goes back to the queue) while a receiver
    scans a unit of the same product, which goes to the head of the queue."""
    make.location(LocationKind.RECEIVING, walk_seq=1)
    make.location(LocationKind.STAGING_LANE, walk_seq=95)
    make.location(LocationKind.EXCEPTIONS)
    make.location(LocationKind.TOTE)
    channel, _ = make.channel(webhook_url=HOOK)
    product = make.product()
    shelf = make.location(walk_seq=10)
    make.stock(product, shelf, 1)
    picked_order = make.order(channel, [(product, 1)])
    wave_id = make.wave(channel)
    first = make.order(channel, [(product, 1)])  # waits
    second = make.order(channel, [(product, 1)])  # waits behind it
    reference = unique("ASN-")
    make.inbound([(product, 1)], utcnow() + timedelta(days=2), reference=reference)
    picker = hands(app, make.user(), 1)[0]
    receiver = hands(app, make.user(), 1)[0]
    assert scan(picker, PICK, wave_code(wave_id)).status_code == 200
    assert scan(picker, PICK, shelf.code).status_code == 200
    assert scan(picker, PICK, "CMD-SHORT").status_code == 200
    assert receiver.post("/receive/start", data={"code": reference}, headers=HX).status_code < 300

    short, received = behind_a_held_line(
        app,
        line_of(app, second).id,
        lambda: scan(picker, PICK, "0"),
        lambda: scan(receiver, "/receive/scan", product.barcodes[0].code),
    )

    assert (short.status_code, received.status_code) == (200, 200), [
        short.get_data(as_text=True)[:400],
        received.get_data(as_text=True)[:400],
    ]
    # The short unit waits again in its line's first place, so the unit received goes
    # to that order's lane; the two orders behind it still wait.
    assert "LANE" in received.get_data(as_text=True)
    assert line_of(app, picked_order).qty_reserved == 1
    assert [line_of(app, o).qty_waiting for o in (first, second)] == [1, 1]
    assert counters(app, product.id)[2] == 2
    assert_invariants(app)


def test_a_loss_in_a_bin_while_the_picker_takes_the_units_from_it(
    app: Flask, make: Factories
) -> None:
    """A supervisor records a unit lost in the bin (a reserved unit goes back to the
    queue) while the picker scans the tote for the units taken from that bin: each
    happens whole, one after the other, or is refused with a sentence."""
    make.location(LocationKind.TOTE)
    channel, _ = make.channel(webhook_url=HOOK)
    product = make.product()
    shelf = make.location(walk_seq=10)
    make.stock(product, shelf, 2)
    order_id = make.order(channel, [(product, 2)])
    wave_id = make.wave(channel)
    picker = hands(app, make.user(), 1)[0]
    supervisor = hands(app, make.user(role="supervisor"), 1)[0]
    assert scan(picker, PICK, wave_code(wave_id)).status_code == 200
    assert scan(picker, PICK, shelf.code).status_code == 200
    for _ in range(2):
        at_tote = scan(picker, PICK, product.sku)
    tote = re.search(r"data-where>(.*?)</p>", at_tote.get_data(as_text=True), re.S)
    assert tote is not None
    loss = {
        "kind": "lost",
        "location": shelf.code,
        "product": product.sku,
        "qty": "1",
        "reason": "not in its bin",
    }

    adjusted, picked = behind_a_held_line(
        app,
        line_of(app, order_id).id,
        lambda: supervisor.post("/stock/adjust", data=loss),
        lambda: scan(picker, PICK, tote.group(1).strip()),
    )

    said = [adjusted.get_data(as_text=True)[:400], picked.get_data(as_text=True)[:400]]
    assert adjusted.status_code == 302, said
    # The loss came first: the bin no longer holds the two units the picker counted.
    assert picked.status_code in (409, 422), said
    assert f"{shelf.code} does not hold 2 of that product" in picked.get_data(as_text=True)
    line = line_of(app, order_id)
    assert (line.qty_reserved, line.qty_waiting) == (1, 1)  # the lost unit waits again
    with app.app_context():
        held = db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product.id, Stock.location_id == shelf.id
            )
        )
    assert held == 1
    assert_invariants(app)


def test_a_parcel_ships_while_a_supervisor_cancels_another_at_the_same_station(
    app: Flask, make: Factories
) -> None:
    """Two orders for the same product were verified in at one pack station: the packer
    ships the first (its units leave from the station) while a supervisor cancels the
    second, which the shop cancelled (its units go from the station back to a shelf)."""
    webhooks = app.test_client()
    shop = make.shop_channel("shopify")
    channel, _ = make.channel(webhook_url=HOOK)
    product = make.product()
    make.map_item(shop, product, RED_PRODUCT, RED_VARIANT)
    make.stock(product, make.location(walk_seq=10), 3)
    station = make.pack_station()
    packer = hands(app, make.user(), 1)[0]
    supervisor = hands(app, make.user(role="supervisor"), 1)[0]
    shipping = make.order(channel, [(product, 1)])
    make.stage(shipping, first_lane := make.location(LocationKind.STAGING_LANE))
    for code in (first_lane.code, product.barcodes[0].code, make.box().code, "1.2", "CMD-DONE"):
        assert pack(packer, station, code).status_code == 200, code
    (parcel,) = parcels_of(app, shipping)
    raw = red_qty(ORDER, 1)
    assert post_shopify(webhooks, shop, raw).json["state"] == "accepted"
    (kept,) = shop_orders_of(app, shop)
    make.stage(kept.order_id, second_lane := make.location(LocationKind.STAGING_LANE))
    other_packer = hands(app, make.user(), 1)[0]
    for code in (second_lane.code, product.barcodes[0].code):
        assert pack(other_packer, station, code).status_code == 200, code
    cancelled = changed(raw, cancelled_at=CANCELLED_AT, updated_at=CANCELLED_AT)
    assert post_shopify(webhooks, shop, cancelled, topic="orders/cancelled").status_code == 200

    shipped, undone = behind_a_held_line(
        app,
        line_of(app, shipping).id,
        lambda: pack(packer, station, parcel.tracking_number),
        lambda: supervisor.post(f"/desk/shop-orders/{kept.id}/cancel"),
    )

    said = [shipped.get_data(as_text=True)[:400], undone.get_data(as_text=True)[:400]]
    assert (shipped.status_code, undone.status_code) == (200, 302), said
    assert parcels_of(app, shipping)[0].status == "shipped"
    assert parcels_of(app, kept.order_id) == []
    with app.app_context():
        at_station = db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product.id, Stock.location_id == station.id
            )
        )
    assert at_station == 0
    assert counters(app, product.id)[:2] == (2, 0)  # one shipped, one back on the shelf
    assert_invariants(app)


def test_an_undo_of_a_cross_docked_unit_while_another_receiver_scans_the_product(
    app: Flask, make: Factories
) -> None:
    """A receiver takes back a unit that was going to a waiting order's lane (the order
    waits for it again) while another receiver at the same dock scans a unit of the same
    product."""
    dock = make.location(LocationKind.RECEIVING, walk_seq=1)
    make.location(LocationKind.STAGING_LANE, walk_seq=95)
    make.location(LocationKind.BIN, walk_seq=10)
    channel, _ = make.channel(webhook_url=HOOK)
    product = make.product()
    waiting = make.order(channel, [(product, 3)])
    reference = unique("ASN-")
    make.inbound([(product, 5)], utcnow(), reference=reference)
    first, second = hands(app, make.user(), 1)[0], hands(app, make.user(), 1)[0]
    for receiver in (first, second):
        assert receiver.post("/receive/start", data={"code": reference}, headers=HX).status_code
    assert "LANE" in scan(first, "/receive/scan", product.barcodes[0].code).get_data(as_text=True)

    undone, received = behind_a_held_line(
        app,
        line_of(app, waiting).id,
        lambda: scan(first, "/receive/scan", "CMD-UNDO"),
        lambda: scan(second, "/receive/scan", product.barcodes[0].code),
    )

    said = [undone.get_data(as_text=True)[:400], received.get_data(as_text=True)[:400]]
    assert (undone.status_code, received.status_code) == (200, 200), said
    assert "Undone: 1 unit" in said[0]
    line = line_of(app, waiting)
    assert (line.qty_reserved, line.qty_waiting) == (1, 2)  # the second unit went to it
    with app.app_context():
        on_dock = db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product.id, Stock.location_id == dock.id
            )
        )
    assert on_dock == 1
    assert_invariants(app)


def held_in(app: Flask, product_id: int, location_id: int) -> int:
    with app.app_context():
        on_hand = db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product_id, Stock.location_id == location_id
            )
        )
    return int(on_hand or 0)


def test_a_returned_unit_restocked_to_a_bin_while_a_loss_is_recorded_in_it(
    app: Flask, make: Factories
) -> None:
    """A returns clerk grades a unit resellable (it goes from the bench to the bin that
    holds the product) while a supervisor records a unit lost in that bin."""
    bench = make.location(LocationKind.RETURNS, walk_seq=500)
    shelf = make.location(LocationKind.BIN, walk_seq=10, capacity=100)
    product = make.product()
    make.stock(product, shelf, 2)
    channel, _ = make.channel(webhook_url=HOOK)
    number = make.rma(make.shipped_order(channel, [(product, 1)]), [(product, 1)])
    clerk = on_bench(app, make, number, product)[0]
    supervisor = hands(app, make.user(role="supervisor"), 1)[0]
    loss = {
        "kind": "lost",
        "location": shelf.code,
        "product": product.sku,
        "qty": "1",
        "reason": "not in its bin",
    }

    graded, adjusted = behind_the_counters(
        app,
        product.id,
        lambda: scan(clerk, RECEIVE_RETURN, "1"),
        lambda: supervisor.post("/stock/adjust", data=loss),
    )

    said = [graded.get_data(as_text=True)[:400], adjusted.get_data(as_text=True)[:400]]
    assert (graded.status_code, adjusted.status_code) == (200, 302), said
    assert f"BIN {shelf.code}" in graded.get_data(as_text=True)
    assert (held_in(app, product.id, bench.id), held_in(app, product.id, shelf.id)) == (0, 2)
    assert counters(app, product.id)[0] == 2
    assert_invariants(app)


def test_a_damaged_unit_into_quarantine_while_a_dock_unit_is_confirmed_into_it(
    app: Flask, make: Factories
) -> None:
    """A supervisor moves a damaged unit from a bin to quarantine while a receiver
    confirms a damaged unit from the dock into the same quarantine."""
    dock = make.location(LocationKind.RECEIVING, walk_seq=1)
    cage = make.location(LocationKind.QUARANTINE, walk_seq=520)
    shelf = make.location(LocationKind.BIN, walk_seq=10, capacity=100)
    product = make.product()
    make.stock(product, shelf, 2)
    make.stock(product, cage, 1)
    reference = unique("ASN-")
    make.inbound([(product, 1)], utcnow(), reference=reference)
    receiver = hands(app, make.user(), 1)[0]
    supervisor = hands(app, make.user(role="supervisor"), 1)[0]
    assert receiver.post("/receive/start", data={"code": reference}, headers=HX).status_code < 300
    assert scan(receiver, "/receive/scan", "CMD-DAMAGED").status_code == 200
    to_cage = scan(receiver, "/receive/scan", product.barcodes[0].code)
    assert 'data-destination="quarantine"' in to_cage.get_data(as_text=True)
    damaged = {
        "kind": "damaged",
        "location": shelf.code,
        "product": product.sku,
        "qty": "1",
        "reason": "crushed box",
        "quarantine": cage.code,
    }

    adjusted, confirmed = behind_the_counters(
        app,
        product.id,
        lambda: supervisor.post("/stock/adjust", data=damaged),
        lambda: scan(receiver, "/receive/scan", cage.code),
    )

    said = [adjusted.get_data(as_text=True)[:400], confirmed.get_data(as_text=True)[:400]]
    assert (adjusted.status_code, confirmed.status_code) == (302, 200), said
    assert [held_in(app, product.id, place.id) for place in (shelf, dock, cage)] == [1, 0, 3]
    assert counters(app, product.id)[:2] == (1, 0)
    assert_invariants(app)


def test_a_short_pick_sets_units_aside_while_a_supervisor_releases_from_there(
    app: Flask, make: Factories
) -> None:
    """The picker finds a bin empty (its units go to the exceptions location) while a
    supervisor releases a unit of the same product from that location to a shelf."""
    make.location(LocationKind.TOTE)
    aside = make.location(LocationKind.EXCEPTIONS, walk_seq=530)
    channel, _ = make.channel(webhook_url=HOOK)
    product = make.product()
    shelf = make.location(walk_seq=10, capacity=2)
    empty = make.location(walk_seq=20, capacity=100)
    make.stock(product, shelf, 2)
    make.stock(product, aside, 1)
    make.order(channel, [(product, 2)])
    wave_id = make.wave(channel)
    picker = hands(app, make.user(), 1)[0]
    supervisor = hands(app, make.user(role="supervisor"), 1)[0]
    assert scan(picker, PICK, wave_code(wave_id)).status_code == 200
    assert scan(picker, PICK, shelf.code).status_code == 200
    assert scan(picker, PICK, "CMD-SHORT").status_code == 200
    release = {"location_id": aside.id, "product_id": product.id, "qty": 1, "held": 1}

    short, released = behind_the_counters(
        app,
        product.id,
        lambda: scan(picker, PICK, "0"),
        lambda: supervisor.post("/returns/queues/release", data=release),
    )

    said = [short.get_data(as_text=True)[:400], released.get_data(as_text=True)[:400]]
    assert short.status_code == 200, said
    # The two units set aside came first: the place no longer holds what was shown.
    assert released.status_code == 409, said
    assert "now holds 3 of that product, not the 1 shown" in released.get_data(as_text=True)
    held = [held_in(app, product.id, place.id) for place in (shelf, aside, empty)]
    assert held == [0, 3, 0]
    assert_invariants(app)


def test_a_short_pick_sets_units_aside_while_units_are_released_to_its_bin(
    app: Flask, make: Factories
) -> None:
    """As above, the units released going to the very bin the picker found empty: units
    go from the bin to the exceptions location and from there to the bin at once."""
    make.location(LocationKind.TOTE)
    aside = make.location(LocationKind.EXCEPTIONS, walk_seq=530)
    channel, _ = make.channel(webhook_url=HOOK)
    product = make.product()
    shelf = make.location(walk_seq=10)
    make.stock(product, shelf, 2)
    make.stock(product, aside, 1)
    make.order(channel, [(product, 2)])
    wave_id = make.wave(channel)
    picker = hands(app, make.user(), 1)[0]
    supervisor = hands(app, make.user(role="supervisor"), 1)[0]
    assert scan(picker, PICK, wave_code(wave_id)).status_code == 200
    assert scan(picker, PICK, shelf.code).status_code == 200
    assert scan(picker, PICK, "CMD-SHORT").status_code == 200
    release = {"location_id": aside.id, "product_id": product.id, "qty": 1, "held": 1}
    bin_row = select(Stock.id).where(Stock.product_id == product.id, Stock.location_id == shelf.id)

    short, released = behind_a_held_row(
        app,
        bin_row,
        lambda: scan(picker, PICK, "0"),
        lambda: supervisor.post("/returns/queues/release", data=release),
    )

    said = [short.get_data(as_text=True)[:400], released.get_data(as_text=True)[:400]]
    assert short.status_code == 200, said
    assert released.status_code == 409, said
    assert "now holds 3 of that product, not the 1 shown" in released.get_data(as_text=True)
    assert [held_in(app, product.id, place.id) for place in (shelf, aside)] == [0, 3]
    assert_invariants(app)
