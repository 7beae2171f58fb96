"""The ledger is the truth: every move writes a row, stock never goes negative."""

from __future__ import annotations

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import select, update

from tests.factories import Factories
from wms.core.ledger import NotEnoughStock, Reason, StockPromised, move_stock
from wms.extensions import db
from wms.inventory import availability
from wms.inventory.models import Location, LocationKind, Movement, Stock


def run_verify(app: Flask) -> Result:
    return app.test_cli_runner().invoke(args=["verify-ledger"])


def test_a_move_writes_the_ledger_and_both_locations(app: Flask, make: Factories) -> None:
    product = make.product()
    a = make.location()
    b = make.location()
    make.stock(product, a, 5)
    with app.app_context():
        move_stock(
            product.id,
            2,
            db.session.get(Location, a.id),
            db.session.get(Location, b.id),
            Reason.TRANSFER,
            "T-1",
        )
        db.session.commit()
        rows = dict(
            db.session.execute(
                select(Stock.location_id, Stock.qty_on_hand).where(Stock.product_id == product.id)
            ).all()
        )
        moves = db.session.scalars(
            select(Movement).where(Movement.product_id == product.id).order_by(Movement.id)
        ).all()
    assert rows == {a.id: 3, b.id: 2}
    assert [(m.qty, m.from_location_id, m.to_location_id, m.reason) for m in moves] == [
        (5, None, a.id, "opening"),
        (2, a.id, b.id, "transfer"),
    ]


def test_taking_more_than_a_location_holds_is_refused_and_changes_nothing(
    app: Flask, make: Factories
) -> None:
    product = make.product()
    a = make.location()
    make.stock(product, a, 1)
    with app.app_context():
        with pytest.raises(NotEnoughStock, match="does not hold 2"):
            move_stock(product.id, 2, db.session.get(Location, a.id), None, Reason.SCRAP)
        db.session.rollback()
        qty = db.session.scalar(select(Stock.qty_on_hand).where(Stock.product_id == product.id))
    assert qty == 1


def test_the_database_itself_refuses_negative_stock(app: Flask, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 1)
    with app.app_context():
        from sqlalchemy.exc import IntegrityError

        with pytest.raises(IntegrityError):
            db.session.execute(
                update(Stock).where(Stock.product_id == product.id).values(qty_on_hand=-1)
            )
            db.session.flush()
        db.session.rollback()


def test_quarantine_takes_units_out_of_what_can_be_sold(app: Flask, make: Factories) -> None:
    product = make.product()
    shelf = make.location(LocationKind.BIN)
    cage = make.location(LocationKind.QUARANTINE)
    make.stock(product, shelf, 4)
    with app.app_context():
        move_stock(
            product.id,
            1,
            db.session.get(Location, shelf.id),
            db.session.get(Location, cage.id),
            Reason.QUARANTINE,
        )
        db.session.commit()
        a = availability.for_product(product.id)
    assert (a.on_hand, a.atp) == (3, 3)


def test_promised_units_cannot_be_moved_out_of_sellable_stock(app: Flask, make: Factories) -> None:
    product = make.product()
    shelf = make.location(LocationKind.BIN)
    cage = make.location(LocationKind.QUARANTINE)
    make.stock(product, shelf, 2)
    channel, _ = make.channel()
    make.order(channel, [(product, 2)])
    with app.app_context():
        with pytest.raises(StockPromised):
            move_stock(
                product.id,
                1,
                db.session.get(Location, shelf.id),
                db.session.get(Location, cage.id),
                Reason.QUARANTINE,
            )
        db.session.rollback()


def test_verify_ledger_passes_when_on_hand_matches(app: Flask, make: Factories) -> None:
    make.stock(make.product(), make.location(), 3)
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert "Every counter agrees with the rows it counts." in result.output


def test_verify_ledger_reports_a_difference_and_fails(app: Flask, make: Factories) -> None:
    product = make.product()
    location = make.location()
    make.stock(product, location, 3)
    with app.app_context():
        db.session.execute(
            update(Stock).where(Stock.product_id == product.id).values(qty_on_hand=7)
        )
        db.session.commit()
    try:
        result = run_verify(app)
        assert result.exit_code == 1
        assert f"{product.sku} at {location.code}: on hand 7, ledger says 3" in result.output
    finally:
        with app.app_context():
            db.session.execute(
                update(Stock).where(Stock.product_id == product.id).values(qty_on_hand=3)
            )
            db.session.commit()
