"""The pack station through HTTP: open an order from its lane or tote, verify each item,
box and weigh it, buy a built-in label, ship."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import Factories
from wms.carriers.builtin import is_valid_tracking_number
from wms.channels.models import OutboxEvent
from wms.core.models import Order, OrderLine, StagedUnits
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Movement, ProductStock, Stock
from wms.shipping.models import Parcel

HX = {"HX-Request": "true"}
HOOK = "http://127.0.0.1:9/hook"


def scan(client: FlaskClient, station: Location, code: str, scan_id: str | None = None) -> Any:
    return client.post(
        f"/pack/{station.code}/scan",
        data={"code": code, "scan_id": scan_id or uuid.uuid4().hex},
        headers=HX,
    )


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def number(order_id: int) -> str:
    return f"W-{10000 + order_id}"


def staged_order(make: Factories, lines: list[tuple[Any, int]], place: Location, **kw: Any) -> int:
    channel = kw.pop("channel", None) or make.channel(webhook_url=HOOK)[0]
    for product, qty in lines:
        make.stock(product, make.location(), qty + kw.pop("spare", 0))
    order_id = make.order(channel, lines, **kw)
    make.stage(order_id, place)
    return order_id


def on_hand(app: Flask, product_id: int, location_id: int) -> int:
    with app.app_context():
        row = db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product_id, Stock.location_id == location_id
            )
        )
        return int(row or 0)


def order_state(app: Flask, order_id: int) -> tuple[str, list[tuple[int, int, int]]]:
    with app.app_context():
        order = db.session.get(Order, order_id)
        lines = db.session.scalars(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
        ).all()
        return order.status, [(ln.qty_reserved, ln.qty_waiting, ln.qty_shipped) for ln in lines]


def events(app: Flask, order_id: int, event_type: str) -> list[dict[str, Any]]:
    with app.app_context():
        return [
            e.payload
            for e in db.session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.aggregate == f"order:{order_id}")
                .where(OutboxEvent.event_type == event_type)
                .order_by(OutboxEvent.id)
            )
        ]


def test_a_lane_with_several_orders_lists_them_and_the_order_number_opens_one(
    client: FlaskClient, login, make: Factories
) -> None:
    login()
    station = make.pack_station()
    lane = make.location(LocationKind.STAGING_LANE)
    first = staged_order(make, [(make.product(), 1)], lane)
    second = staged_order(make, [(make.product(), 2)], lane)

    page = text(scan(client, station, lane.code))
    assert 'data-step="choose"' in page
    assert f"{lane.code} holds 2 orders: scan the one to pack." in page
    assert number(first) in page and number(second) in page

    page = text(scan(client, station, number(second)))
    assert 'data-step="verify"' in page
    assert "Scan each item: 2 to go." in page


def test_a_tote_with_one_order_opens_it_at_once(
    client: FlaskClient, login, make: Factories
) -> None:
    login()
    station = make.pack_station()
    tote = make.location(LocationKind.TOTE)
    product = make.product(name="Rapid Mug, Red")
    order_id = staged_order(make, [(product, 3)], tote)
    page = text(scan(client, station, tote.code.lower()))
    assert f"data-order>{number(order_id)}<" in page
    assert "Rapid Mug, Red" in page and tote.code in page
    assert f'data-verified="{product.sku}">0/3<' in page


def test_an_order_that_is_not_ready_is_refused_with_the_reason(
    client: FlaskClient, login, make: Factories
) -> None:
    login()
    station = make.pack_station()
    product = make.product()
    make.stock(product, make.location(), 5)
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 2)])
    response = scan(client, station, number(order_id))
    assert response.status_code == 409
    assert (
        f"{number(order_id)} is not ready to pack: 0 of 2 units are staged, the rest is still "
        "on the shelf." in text(response)
    )
    tote = make.location(LocationKind.TOTE)
    make.stage(order_id, tote, reason="pick", qty=1)  # picked one of two so far
    response = scan(client, station, tote.code)
    assert response.status_code == 409
    assert f"{number(order_id)} is not ready to pack: 1 of 2 units are staged" in text(response)
    bin_ = make.location()
    response = scan(client, station, bin_.code)
    assert response.status_code == 422
    assert f"{bin_.code} is a bin; scan a staging lane, tote or order number." in text(response)


def test_a_wrong_or_extra_item_is_refused_with_the_reason(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login()
    station = make.pack_station()
    lane = make.location(LocationKind.STAGING_LANE)
    wanted, other = make.product(), make.product()
    order_id = staged_order(make, [(wanted, 1)], lane)
    scan(client, station, number(order_id))

    response = scan(client, station, other.barcodes[0].code)
    assert response.status_code == 409
    page = text(response)
    assert f"{other.sku} is not on order {number(order_id)}; put it aside." in page
    assert 'class="answer answer-error"' in page
    assert f'data-verified="{wanted.sku}">0/1<' in page  # the order stays in view

    assert scan(client, station, wanted.barcodes[0].code).status_code == 200
    box = make.box()
    scan(client, station, box.code)
    response = scan(client, station, wanted.sku)
    assert response.status_code == 409
    assert f"{wanted.sku} is extra: all 1 for {number(order_id)} are already in the box." in text(
        response
    )
    assert on_hand(app, wanted.id, station.id) == 1


def test_each_verified_item_moves_from_its_lane_to_the_station(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login()
    station = make.pack_station()
    lane = make.location(LocationKind.STAGING_LANE)
    product = make.product()
    order_id = staged_order(make, [(product, 2)], lane)
    scan(client, station, lane.code)
    page = text(scan(client, station, product.barcodes[0].code))
    assert f"✓ {product.sku} (1 of 2)" in page
    assert on_hand(app, product.id, lane.id) == 1
    assert on_hand(app, product.id, station.id) == 1
    with app.app_context():
        staged = dict(
            db.session.execute(
                select(StagedUnits.location_id, StagedUnits.qty).where(
                    StagedUnits.order_id == order_id
                )
            ).all()
        )
        reasons = db.session.scalars(
            select(Movement.reason).where(Movement.to_location_id == station.id)
        ).all()
    assert staged == {lane.id: 1, station.id: 1}
    assert reasons == ["pack"]


def test_the_same_scan_sent_twice_counts_once(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login()
    station = make.pack_station()
    tote = make.location(LocationKind.TOTE)
    product = make.product()
    staged_order(make, [(product, 3)], tote)
    scan(client, station, tote.code)
    scan_id = uuid.uuid4().hex
    first = scan(client, station, product.sku, scan_id=scan_id)
    again = scan(client, station, product.sku, scan_id=scan_id)
    assert again.headers.get("X-Scan-Replayed") == "1"
    assert text(again) == text(first)
    assert on_hand(app, product.id, station.id) == 1


def test_the_last_item_leads_to_the_box_and_the_weight(
    client: FlaskClient, login, make: Factories
) -> None:
    login()
    station = make.pack_station()
    tote = make.location(LocationKind.TOTE)
    product = make.product(weight_g=400)
    staged_order(make, [(product, 2)], tote)
    scan(client, station, tote.code)
    scan(client, station, product.sku)
    response = scan(client, station, "800")
    assert response.status_code == 409
    assert "Scan the 1 remaining item before weighing." in text(response)

    page = text(scan(client, station, product.sku))
    assert 'data-step="box"' in page and "All items verified. Scan the box." in page
    response = scan(client, station, "800")
    assert "Scan the box before weighing." in text(response)

    box = make.box(tare_g=150)
    page = text(scan(client, station, box.code.lower()))
    assert 'data-step="weigh"' in page
    assert "Expected about 950\u00a0g." in page
    response = scan(client, station, "120")
    assert response.status_code == 422
    assert (
        f"120\u00a0g is no more than the empty {box.code} (150\u00a0g); weigh the packed parcel."
        in text(response)
    )
    page = text(scan(client, station, "0.962 kg"))
    assert 'data-step="rates"' in page
    assert "962\u00a0g" in page


def pack_to_label(
    client: FlaskClient, station: Location, place: Location, items: list[str], box_code: str
) -> str:
    scan(client, station, place.code)
    for code in items:
        assert scan(client, station, code).status_code == 200
    scan(client, station, box_code)
    return text(scan(client, station, "1.2"))


def test_builtin_label_bought_printed_and_shipped(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    from tests.scanning import decode_pdf, values

    user = login()
    station = make.pack_station()
    lane = make.location(LocationKind.STAGING_LANE)
    product = make.product()
    order_id = staged_order(make, [(product, 2)], lane, service_level="express")
    before = _reserved(app, product.id)
    page = pack_to_label(client, station, lane, [product.sku, product.sku], make.box().code)
    # Cheapest rate meeting "express" (1 day) in the built-in table for 1.2 kg.
    assert "Scan DONE to buy the label: WMS Local Express, €19.90." in page

    page = text(scan(client, station, "CMD-DONE"))
    assert 'data-step="label"' in page
    with app.app_context():
        parcel = db.session.scalar(select(Parcel).where(Parcel.order_id == order_id))
        tracking, url = parcel.tracking_number, parcel.tracking_url
        assert (parcel.label_state, parcel.label_attempts, parcel.carrier) == (
            "bought",
            1,
            "WMS Local",
        )
    assert is_valid_tracking_number(tracking)
    assert url == f"http://localhost/track/{tracking}"
    assert f"WMS Local Express · {tracking}" in page

    pdf = client.get(f"/pack/parcels/{parcel.id}/label.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("inline;")
    assert tracking in values(decode_pdf(pdf.data)[0])
    zpl = client.get(f"/pack/parcels/{parcel.id}/label.zpl")
    assert zpl.headers["Content-Disposition"].startswith("attachment;")
    assert f"^FD{tracking}^FS".encode() in zpl.data

    page = text(scan(client, station, tracking))
    assert f"Shipped {number(order_id)} with WMS Local {tracking}." in page
    status, lines = order_state(app, order_id)
    assert (status, lines) == ("shipped", [(0, 0, 2)])
    assert on_hand(app, product.id, station.id) == 0
    assert _reserved(app, product.id) == before - 2
    with app.app_context():
        out = db.session.execute(
            select(Movement.qty, Movement.reason, Movement.user_id).where(
                Movement.from_location_id == station.id, Movement.to_location_id.is_(None)
            )
        ).all()
    assert out == [(2, "ship", user.id)]
    [shipped] = events(app, order_id, "order.shipped")
    assert (shipped["carrier"], shipped["tracking_number"], shipped["tracking_url"]) == (
        "WMS Local",
        tracking,
        url,
    )
    assert shipped["partial"] is False
    assert shipped["lines"] == [{"line": 1, "sku": product.sku, "qty_shipped": 2}]
    # The public tracking page answers without a login.
    anonymous = app.test_client()
    assert "Shipped: the parcel left the warehouse." in text(anonymous.get(f"/track/{tracking}"))


def _reserved(app: Flask, product_id: int) -> int:
    with app.app_context():
        return db.session.get(ProductStock, product_id).qty_reserved
