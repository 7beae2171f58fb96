"""A shop cancels an order after its wave was picked: Shopify's orders/cancelled (the
documented order, signed as Shopify signs it) arrives once the units are in a tote.
The pack station stops the parcel, the desk lists the order, and the supervisor
either cancels it in the warehouse (the picked units go back on the shelf, the rest
of the reservation is released) or lets it ship."""

from __future__ import annotations

import json
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import Factories
from tests.invariants import assert_invariants
from tests.shops import changed, example, post_shopify, shop_orders
from wms.auth.models import AuditEvent
from wms.base.numbers import order_number
from wms.channels.models import Channel
from wms.core.models import Order, OrderStatus, StagedUnits
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Movement, Product, ProductStock, Stock
from wms.picking.models import PickTask, TaskStatus, WaveOrder
from wms.picking.services.picks import confirm_pick
from wms.picking.services.waves import claim_wave
from wms.shipping.models import Parcel

ORDER = example("shopify-orders-create.json")
RED_PRODUCT, RED_VARIANT = "632910392", "49148385"
CANCELLED_AT = "2008-01-10T12:00:00-05:00"
HX = {"HX-Request": "true"}
STOPPED = "The shop cancelled this order: give the parcel to a supervisor."
ON_DESK = "Shopify cancelled order {name} after picking began: stop it at packing or ship it."


def red_qty(raw: bytes, qty: int) -> bytes:
    """The documented order with its one line to ship (IPOD2008RED) for ``qty`` units,
    under a name of its own (the desk is shared with other tests)."""
    data = json.loads(raw)
    data["name"] = f"#C{uuid.uuid4().int % 10**8}"
    for line in data["line_items"]:
        if line["variant_id"] == int(RED_VARIANT):
            line["quantity"] = line["current_quantity"] = qty
    return json.dumps(data).encode()


@dataclass
class Picked:
    channel: Channel
    product: Product
    bin_id: int
    tote_id: int
    order_id: int
    shop_order_id: int
    name: str
    raw: bytes


def picked_then_cancelled(
    app: Flask, client: FlaskClient, make: Factories, *, ordered: int, picked: int
) -> Picked:
    """A Shopify order of ``ordered`` units, a wave of it, ``picked`` units in its tote,
    then the shop's cancel; the bin keeps two units to spare."""
    channel = make.shop_channel("shopify")
    product = make.product()
    bin_ = make.location(walk_seq=10)
    make.stock(product, bin_, ordered + 2)
    make.location(LocationKind.TOTE)
    make.map_item(channel, product, RED_PRODUCT, RED_VARIANT)
    raw = red_qty(ORDER, ordered)
    assert post_shopify(client, channel, raw).json["state"] == "accepted"
    wave_id = make.wave(channel)
    picker = make.user()
    with app.app_context():
        claim_wave(picker.id, wave_id)
        db.session.commit()
        task_id, tote_id, order_id = db.session.execute(
            select(PickTask.id, WaveOrder.tote_location_id, PickTask.order_id)
            .join(WaveOrder, WaveOrder.id == PickTask.wave_order_id)
            .where(PickTask.wave_id == wave_id)
        ).one()
        tote = db.session.get(Location, tote_id)
        assert confirm_pick(task_id, picked, tote, picker.id, expected_picked=0)
        db.session.commit()
    cancelled = changed(raw, cancelled_at=CANCELLED_AT, updated_at=CANCELLED_AT)
    answer = post_shopify(client, channel, cancelled, topic="orders/cancelled")
    assert answer.status_code == 200, answer.json
    (kept,) = shop_orders_of(app, channel)
    return Picked(channel, product, bin_.id, tote_id, order_id, kept.id, kept.name, cancelled)


def shop_orders_of(app: Flask, channel: Channel) -> list[Any]:
    with app.app_context():
        return shop_orders(channel)


def page_text(response: Any) -> str:
    html = response.get_data(as_text=True)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def on_hand(app: Flask, product_id: int, location_id: int) -> int:
    with app.app_context():
        qty = db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product_id, Stock.location_id == location_id
            )
        )
        return int(qty or 0)


def reserved(app: Flask, product_id: int) -> int:
    with app.app_context():
        return db.session.get(ProductStock, product_id).qty_reserved


def order_status(app: Flask, order_id: int) -> str:
    with app.app_context():
        return db.session.get(Order, order_id).status


def put_backs(app: Flask, order_id: int) -> list[tuple[int, int, int]]:
    """The ledger's movements that put the cancelled order's units back: (qty, from, to)."""
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(Movement.qty, Movement.from_location_id, Movement.to_location_id)
                .where(Movement.reference == f"{order_number(order_id)} cancelled")
                .order_by(Movement.id)
            )
        ]


def audits(app: Flask, action: str, shop_order_id: int) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == action, AuditEvent.entity_id == str(shop_order_id)
                )
            )
        )


def pack_scan(client: FlaskClient, station: Location, code: str) -> Any:
    return client.post(
        f"/pack/{station.code}/scan", data={"code": code, "scan_id": uuid.uuid4().hex}, headers=HX
    )


def tote_code(app: Flask, tote_id: int) -> str:
    with app.app_context():
        return db.session.get(Location, tote_id).code


# ------------------------------------------------------------------ the desk


def test_a_cancel_after_the_wave_was_picked_waits_on_the_desk_with_a_sentence(
    app: Flask, client: FlaskClient, make: Factories, login: Any
) -> None:
    picked = picked_then_cancelled(app, client, make, ordered=3, picked=3)

    (kept,) = shop_orders_of(app, picked.channel)
    assert kept.state == "cancelled_after_pick"
    assert order_status(app, picked.order_id) == OrderStatus.READY_TO_PACK  # nothing moved yet
    assert reserved(app, picked.product.id) == 3
    login("supervisor")
    desk = client.get("/desk/shop-orders/")
    assert desk.status_code == 200
    assert ON_DESK.format(name=picked.name) in page_text(desk)
    row = desk.get_data(as_text=True).split(f'data-shop-order="{picked.shop_order_id}"')[1]
    assert "Cancel in the warehouse" in row.split("</tr>")[0]
    assert "Ship anyway" in row.split("</tr>")[0]

    # The same cancel delivered again changes nothing.
    again = post_shopify(client, picked.channel, picked.raw, topic="orders/cancelled")
    assert again.json["state"] == "cancelled_after_pick"
    assert [r.state for r in shop_orders_of(app, picked.channel)] == ["cancelled_after_pick"]
    assert_invariants(app)


def test_the_desk_says_it_in_french(
    app: Flask, client: FlaskClient, make: Factories, login: Any
) -> None:
    picked = picked_then_cancelled(app, client, make, ordered=1, picked=1)
    login("supervisor")

    desk = client.get("/desk/shop-orders/", headers={"Accept-Language": "fr"})

    assert (
        f"Shopify a annulé la commande {picked.name} après le début de la préparation"
        in page_text(desk)
    )


def test_the_pack_station_refuses_the_order_until_a_supervisor_decides(
    app: Flask, client: FlaskClient, make: Factories, login: Any
) -> None:
    picked = picked_then_cancelled(app, client, make, ordered=2, picked=2)
    station = make.pack_station()
    login("operator")

    opened = pack_scan(client, station, tote_code(app, picked.tote_id))

    assert opened.status_code == 409
    assert STOPPED in page_text(opened)
    with app.app_context():
        assert (
            db.session.scalars(select(Parcel).where(Parcel.order_id == picked.order_id)).all() == []
        )


def test_a_parcel_open_when_the_cancel_arrives_takes_no_more_scans(
    app: Flask, client: FlaskClient, make: Factories, login: Any
) -> None:
    channel = make.shop_channel("shopify")
    product = make.product()
    make.barcode(product, "4006381333931")
    make.stock(product, make.location(walk_seq=10), 3)
    make.map_item(channel, product, RED_PRODUCT, RED_VARIANT)
    raw = red_qty(ORDER, 1)
    post_shopify(client, channel, raw)
    lane = make.location(LocationKind.STAGING_LANE)
    (kept,) = shop_orders_of(app, channel)
    make.stage(kept.order_id, lane)
    station = make.pack_station()
    login("operator")
    assert pack_scan(client, station, lane.code).status_code == 200  # the parcel is open

    cancelled = changed(raw, cancelled_at=CANCELLED_AT, updated_at=CANCELLED_AT)
    post_shopify(client, channel, cancelled, topic="orders/cancelled")
    item = pack_scan(client, station, "4006381333931")
    screen = client.get(f"/pack/{station.code}")

    assert item.status_code == 409 and STOPPED in page_text(item)
    assert STOPPED in page_text(screen)
    with app.app_context():
        (parcel,) = db.session.scalars(select(Parcel).where(Parcel.order_id == kept.order_id))
        assert [line.qty_verified for line in parcel.lines] == [0]


# ---------------------------------------------------------- cancel in the warehouse


def test_cancel_in_the_warehouse_puts_picked_units_back_and_releases_the_rest(
    app: Flask, client: FlaskClient, make: Factories, login: Any
) -> None:
    picked = picked_then_cancelled(app, client, make, ordered=3, picked=2)
    assert on_hand(app, picked.product.id, picked.bin_id) == 3  # 5, less the 2 picked
    assert on_hand(app, picked.product.id, picked.tote_id) == 2
    supervisor = login("supervisor")

    answer = client.post(f"/desk/shop-orders/{picked.shop_order_id}/cancel")

    assert answer.status_code == 302
    desk = client.get(answer.headers["Location"])
    told = page_text(desk)
    assert f"Order {picked.name} is cancelled in the warehouse." in told
    tote = tote_code(app, picked.tote_id)
    with app.app_context():
        bin_code = db.session.get(Location, picked.bin_id).code
    assert f"Put 2 units of {picked.product.sku} from {tote} back in {bin_code}." in told
    assert f'data-shop-order="{picked.shop_order_id}"' not in desk.get_data(as_text=True)
    assert order_status(app, picked.order_id) == OrderStatus.CANCELLED
    assert reserved(app, picked.product.id) == 0
    assert on_hand(app, picked.product.id, picked.bin_id) == 5
    assert on_hand(app, picked.product.id, picked.tote_id) == 0
    assert put_backs(app, picked.order_id) == [(2, picked.tote_id, picked.bin_id)]
    with app.app_context():
        assert [
            t.status
            for t in db.session.scalars(
                select(PickTask).where(PickTask.order_id == picked.order_id)
            )
        ] == [TaskStatus.CANCELLED]
        assert (
            db.session.scalars(
                select(StagedUnits).where(StagedUnits.order_id == picked.order_id)
            ).all()
            == []
        )
    assert [r.state for r in shop_orders_of(app, picked.channel)] == ["cancelled"]
    (entry,) = audits(app, "shop_order.cancel_in_warehouse", picked.shop_order_id)
    assert entry.user_id == supervisor.id
    assert_invariants(app)


def test_cancel_in_the_warehouse_takes_a_packed_parcel_apart(
    app: Flask, client: FlaskClient, make: Factories, login: Any
) -> None:
    channel = make.shop_channel("shopify")
    product = make.product()
    make.barcode(product, "4006381333948")
    bin_ = make.location(walk_seq=10)
    make.stock(product, bin_, 3)
    make.map_item(channel, product, RED_PRODUCT, RED_VARIANT)
    raw = red_qty(ORDER, 1)
    post_shopify(client, channel, raw)
    lane = make.location(LocationKind.STAGING_LANE)
    (kept,) = shop_orders_of(app, channel)
    make.stage(kept.order_id, lane)
    station = make.pack_station()
    login("operator")
    pack_scan(client, station, lane.code)
    assert pack_scan(client, station, "4006381333948").status_code == 200  # verified in
    assert on_hand(app, product.id, station.id) == 1
    post_shopify(
        client,
        channel,
        changed(raw, cancelled_at=CANCELLED_AT, updated_at=CANCELLED_AT),
        topic="orders/cancelled",
    )
    login("supervisor")

    answer = client.post(f"/desk/shop-orders/{kept.id}/cancel")

    assert answer.status_code == 302
    assert on_hand(app, product.id, station.id) == 0
    assert on_hand(app, product.id, bin_.id) == 3
    assert put_backs(app, kept.order_id) == [(1, station.id, bin_.id)]
    with app.app_context():
        assert (
            db.session.scalars(select(Parcel).where(Parcel.order_id == kept.order_id)).all() == []
        )
    assert reserved(app, product.id) == 0
    assert_invariants(app)


def test_cancel_in_the_warehouse_is_refused_once_the_parcel_shipped(fresh_app: Flask) -> None:
    # A database of its own: the parcel is shipped by hand, as if it left while the
    # cancel was on its way (the pack station refuses it after), and its tote is left as is.
    app, client, make = fresh_app, fresh_app.test_client(), Factories(fresh_app)
    picked = picked_then_cancelled(app, client, make, ordered=1, picked=1)
    with app.app_context():
        make.ship(picked.order_id, db.session.get(Location, picked.tote_id))
    supervisor = make.user(role="supervisor")
    client.post("/login", data={"username": supervisor.username, "password": "secret-pass"})

    answer = client.post(f"/desk/shop-orders/{picked.shop_order_id}/cancel")

    assert answer.status_code == 409
    assert (
        f"Order {picked.name} has already shipped: it can no longer be cancelled in the "
        "warehouse." in page_text(answer)
    )
    assert order_status(app, picked.order_id) == OrderStatus.SHIPPED
    assert [r.state for r in shop_orders_of(app, picked.channel)] == ["cancelled_after_pick"]
    assert put_backs(app, picked.order_id) == []
    assert audits(app, "shop_order.cancel_in_warehouse", picked.shop_order_id) == []


def test_a_cancel_arriving_after_the_parcel_shipped_keeps_the_order_off_the_desk(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel = make.shop_channel("shopify")
    product = make.product()
    make.map_item(channel, product, RED_PRODUCT, RED_VARIANT)
    dock = make.location(LocationKind.SHIPPING_DOCK)
    make.stock(product, dock, 1)
    raw = red_qty(ORDER, 1)
    post_shopify(client, channel, raw)
    (kept,) = shop_orders_of(app, channel)
    with app.app_context():
        make.ship(kept.order_id, dock)

    answer = post_shopify(
        client,
        channel,
        changed(raw, cancelled_at=CANCELLED_AT, updated_at=CANCELLED_AT),
        topic="orders/cancelled",
    )

    assert answer.json["state"] == "accepted"
    assert "shipped" in answer.json["reason"]


# ------------------------------------------------------------------ ship anyway


def test_ship_anyway_takes_it_off_the_desk_and_the_pack_station_goes_on(
    app: Flask, client: FlaskClient, make: Factories, login: Any
) -> None:
    picked = picked_then_cancelled(app, client, make, ordered=2, picked=2)
    supervisor = login("supervisor")

    answer = client.post(f"/desk/shop-orders/{picked.shop_order_id}/ship-anyway")

    assert answer.status_code == 302
    desk = client.get("/desk/shop-orders/")
    assert f'data-shop-order="{picked.shop_order_id}"' not in desk.get_data(as_text=True)
    assert f"Order {picked.name} ships despite the shop's cancel" in page_text(desk)
    assert [r.state for r in shop_orders_of(app, picked.channel)] == ["ships_anyway"]
    shown = page_text(client.get(f"/desk/shop-orders/{picked.shop_order_id}"))
    assert "ships despite the shop's cancel" in shown and "Ship anyway" not in shown
    (entry,) = audits(app, "shop_order.ship_anyway", picked.shop_order_id)
    assert entry.user_id == supervisor.id
    assert order_status(app, picked.order_id) == OrderStatus.READY_TO_PACK
    assert reserved(app, picked.product.id) == 2

    station = make.pack_station()
    login("operator")
    opened = pack_scan(client, station, tote_code(app, picked.tote_id))
    assert opened.status_code == 200
    assert STOPPED not in page_text(opened)

    # The other choice is no longer open.
    login("supervisor")
    refused = client.post(f"/desk/shop-orders/{picked.shop_order_id}/cancel")
    assert refused.status_code == 409
    assert "no longer waiting for a decision" in page_text(refused)
    assert order_status(app, picked.order_id) == OrderStatus.READY_TO_PACK
    assert_invariants(app)


# ------------------------------------------------------------------ the race


@pytest.mark.postgres_only
def test_eight_cancel_presses_at_once_cancel_once_and_put_stock_back_once(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    picked = picked_then_cancelled(app, client, make, ordered=3, picked=2)
    presses = 8
    clients = []
    for _ in range(presses):
        user = make.user(role="supervisor")
        c = app.test_client()
        signed_in = c.post("/login", data={"username": user.username, "password": "secret-pass"})
        assert signed_in.status_code == 302
        clients.append(c)
    start = threading.Barrier(presses)

    def press(c: FlaskClient) -> int:
        start.wait()
        return c.post(f"/desk/shop-orders/{picked.shop_order_id}/cancel").status_code

    with ThreadPoolExecutor(presses) as pool:
        statuses = list(pool.map(press, clients))

    assert statuses == [302] * presses
    assert len(audits(app, "shop_order.cancel_in_warehouse", picked.shop_order_id)) == 1
    assert put_backs(app, picked.order_id) == [(2, picked.tote_id, picked.bin_id)]
    assert on_hand(app, picked.product.id, picked.bin_id) == 5
    assert reserved(app, picked.product.id) == 0
    assert order_status(app, picked.order_id) == OrderStatus.CANCELLED
    assert_invariants(app)
