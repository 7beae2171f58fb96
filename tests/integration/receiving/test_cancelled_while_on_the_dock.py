"""An order cancelled while units received for it still wait on the dock."""

from __future__ import annotations

from sqlalchemy import select

from tests.integration.receiving.conftest import Site
from tests.invariants import assert_invariants
from wms.base.clock import utcnow
from wms.core.models import StagedUnits
from wms.extensions import db
from wms.inventory.models import ProductStock, Stock
from wms.orders.services import cancel_order


def cancelled_with_a_unit_on_the_dock(site: Site, reference: str) -> tuple[object, int]:
    """An order of two waits; one unit arrives and is bound for its lane; the channel
    cancels the order before the receiver takes the unit there."""
    product = site.make.product()
    channel, _ = site.make.channel()
    order_id = site.make.order(channel, [(product, 2)])
    site.make.inbound([(product, 3)], utcnow(), reference=reference)
    site.start(reference)
    assert site.where(site.scan(product.barcodes[0].code)) == ["LANE L1"]
    with site.app.app_context():
        cancel_order(order_id)
        db.session.commit()
    return product, order_id


def test_a_unit_of_a_cancelled_order_taken_to_its_lane_is_staged_for_nobody(site: Site) -> None:
    product, order_id = cancelled_with_a_unit_on_the_dock(site, "ASN-GONE-1")
    assert site.scan("L1").status_code == 200
    with site.app.app_context():
        staged = db.session.scalars(
            select(StagedUnits.qty).where(StagedUnits.order_id == order_id, StagedUnits.qty > 0)
        ).all()
        assert staged == []
        held = db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product.id, Stock.location_id == site.lanes[0].id
            )
        )
        assert held == 1  # in the lane, free to put away or promise again
        assert db.session.get(ProductStock, product.id).qty_reserved == 0
    assert_invariants(site.app)


def test_undoing_a_unit_of_a_cancelled_order_takes_it_back(site: Site) -> None:
    product, _ = cancelled_with_a_unit_on_the_dock(site, "ASN-GONE-2")
    answer = site.scan("CMD-UNDO")
    assert answer.status_code == 200, site.text(answer)
    assert "Undone: 1 unit" in site.text(answer)
    with site.app.app_context():
        counters = db.session.get(ProductStock, product.id)
        assert (counters.qty_sellable, counters.qty_reserved, counters.qty_waiting) == (0, 0, 0)
    assert_invariants(site.app)
