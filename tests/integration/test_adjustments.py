"""Adjustments by a supervisor, in the ledger with their reason, and what they were worth."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import Factories
from wms.base.clock import today, travel, utcnow
from wms.core.models import OrderLine
from wms.extensions import db
from wms.inventory.models import LocationKind, Movement, ProductStock, Stock


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def adjust(client: FlaskClient, **form: Any) -> Any:
    return client.post("/stock/adjust", data={k: str(v) for k, v in form.items()})


def moves(app: Flask, product_id: int) -> list[tuple[str, int, Any, Any, str]]:
    with app.app_context():
        return [
            (m.reason, m.qty, m.from_location_id, m.to_location_id, m.reference)
            for m in db.session.scalars(
                select(Movement).where(Movement.product_id == product_id).order_by(Movement.id)
            )
        ][1:]  # after the test's opening stock


def test_lost_units_leave_the_ledger_with_the_reason_and_need_one(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("supervisor")
    product, bin_ = make.product(), make.location()
    make.stock(product, bin_, 10)
    response = adjust(
        client, kind="lost", location=bin_.code, product=product.sku, qty=3, reason=""
    )
    assert response.status_code == 422 and "Say why" in text(response)
    response = adjust(
        client,
        kind="lost",
        location=bin_.code,
        product=product.barcodes[0].code,
        qty=3,
        reason="Not found after a search",
    )
    assert response.status_code == 302
    page = text(client.get("/stock/adjust"))
    assert "Not found after a search" in page
    [(reason, qty, source, dest, ref)] = moves(app, product.id)
    assert (reason, qty, source, dest) == ("adjust", 3, bin_.id, None) and ref.startswith("ADJ-")


def test_more_than_the_bin_holds_is_refused_in_a_sentence(
    client: FlaskClient, login, make: Factories
) -> None:
    login("supervisor")
    product, bin_ = make.product(), make.location()
    make.stock(product, bin_, 2)
    response = adjust(
        client, kind="scrapped", location=bin_.code, product=product.sku, qty=5, reason="Broken"
    )
    assert response.status_code == 409
    assert f"{bin_.code} does not hold 5 of that product." in text(response)


def test_damaged_units_move_to_quarantine_and_stop_being_sellable(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("supervisor")
    product, bin_ = make.product(), make.location()
    quarantine = make.location(LocationKind.QUARANTINE)
    make.stock(product, bin_, 6)
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 5)])
    response = adjust(
        client,
        kind="damaged",
        location=bin_.code,
        product=product.sku,
        qty=2,
        reason="Crushed",
        quarantine=quarantine.code,
    )
    assert response.status_code == 302
    assert "1 reserved unit went back to the waiting queue." in text(
        client.get(response.headers["Location"])
    )
    with app.app_context():
        assert (
            db.session.scalar(
                select(Stock.qty_on_hand).where(
                    Stock.product_id == product.id, Stock.location_id == quarantine.id
                )
            )
            == 2
        )
        counters = db.session.get(ProductStock, product.id)
        assert (counters.qty_sellable, counters.qty_reserved) == (4, 4)
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == order_id))
        assert (line.qty_reserved, line.qty_waiting) == (4, 1)
    # scrapping them from quarantine touches no promise
    assert (
        adjust(
            client,
            kind="scrapped",
            location=quarantine.code,
            product=product.sku,
            qty=2,
            reason="Beyond repair",
        ).status_code
        == 302
    )
    assert [m[0] for m in moves(app, product.id)] == ["quarantine", "scrap"]


def test_found_units_serve_the_waiting_queue(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("supervisor")
    product, bin_ = make.product(), make.location()
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 2)])
    assert (
        adjust(
            client,
            kind="found",
            location=bin_.code,
            product=product.sku,
            qty=5,
            reason="Behind the shelf",
        ).status_code
        == 302
    )
    with app.app_context():
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == order_id))
        assert (line.qty_reserved, line.qty_waiting) == (2, 0)


def test_the_value_report_sums_adjustments_by_kind_at_unit_cost(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("supervisor")
    product, bin_ = make.product(unit_cost_cents=1250), make.location()
    quarantine = make.location(LocationKind.QUARANTINE)
    make.stock(product, bin_, 20)
    day = today().isoformat()
    before = text(client.get(f"/stock/adjustments/report?start={day}&end={day}"))
    net_before = int(
        re.search(r'data-net class="[^"]*">(-?[\d.]+)<', before).group(1).replace(".", "")
    )
    for kind, qty in (("found", 4), ("lost", 1), ("scrapped", 2), ("damaged", 3)):
        response = adjust(
            client,
            kind=kind,
            location=bin_.code,
            product=product.sku,
            qty=qty,
            reason="Report test",
            quarantine=quarantine.code,
        )
        assert response.status_code == 302
    page = text(client.get(f"/stock/adjustments/report?start={day}&end={day}"))
    net = int(re.search(r'data-net class="[^"]*">(-?[\d.]+)<', page).group(1).replace(".", ""))
    assert net - net_before == (4 - 1 - 2) * 1250  # damaged units are still in the building
    assert product.sku in page and "+1" in page
    csv_text = client.get(f"/stock/adjustments/report?start={day}&end={day}&format=csv").get_data(
        as_text=True
    )
    assert f"{product.sku},Test product,1,12.50,4" in csv_text


def test_a_day_of_the_value_report_is_the_warehouses_day(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    # 00:30 on 12 December in the warehouse (Europe/Paris) is 23:30 on the 11th in UTC.
    product, bin_ = make.product(unit_cost_cents=1000), make.location()
    make.stock(product, bin_, 5)
    now = utcnow()
    day = date(now.year + 1, 12, 12)
    with travel(datetime(day.year, 12, 11, 23, 30) - now):
        login("supervisor")
        found = adjust(
            client, kind="found", location=bin_.code, product=product.sku, qty=2, reason="Count"
        )
        assert found.status_code == 302
        eve = day - timedelta(days=1)
        that_day = text(client.get(f"/stock/adjustments/report?start={day}&end={day}"))
        day_before = text(client.get(f"/stock/adjustments/report?start={eve}&end={eve}"))
    assert product.sku in that_day
    assert product.sku not in day_before
