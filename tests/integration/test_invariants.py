"""``flask verify``: every stored counter proven from the rows it counts."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import update

from tests.factories import Factories
from tests.invariants import assert_invariants
from wms.extensions import db
from wms.inventory.models import ProductStock
from wms.orders.services import cancel_order


def test_verify_exits_0_when_every_counter_agrees_and_1_naming_the_product_when_one_does_not(
    fresh_app: Flask,
) -> None:
    make = Factories(fresh_app)
    product = make.product()
    make.stock(product, make.location(), 5)
    channel, _ = make.channel()
    make.order(channel, [(product, 2)])
    runner = fresh_app.test_cli_runner()

    agreed = runner.invoke(args=["verify"])
    assert agreed.exit_code == 0, agreed.output
    assert "Every counter agrees with the rows it counts." in agreed.output

    with fresh_app.app_context():
        db.session.execute(
            update(ProductStock)
            .where(ProductStock.product_id == product.id)
            .values(qty_reserved=ProductStock.qty_reserved - 1)
        )
        db.session.commit()
    for name in ("verify", "verify-ledger"):
        found = runner.invoke(args=[name])
        assert found.exit_code == 1, found.output
        assert (
            f"{product.sku}: 1 unit counted reserved, "
            "order lines and units held on the dock reserve 2"
        ) in found.output
        assert "1 difference(s)." in found.output


def test_a_preorder_of_a_product_without_a_cap_is_counted_and_can_be_cancelled(
    fresh_app: Flask,
) -> None:
    make = Factories(fresh_app)
    product = make.product(release_on=date.today() + timedelta(days=30))
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 2)])
    assert_invariants(fresh_app)
    with fresh_app.app_context():
        assert db.session.get(ProductStock, product.id).qty_preordered == 2
        cancel_order(order_id)
        db.session.commit()
        assert db.session.get(ProductStock, product.id).qty_preordered == 0
    assert_invariants(fresh_app)
