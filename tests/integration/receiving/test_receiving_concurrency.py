"""Two receivers scanning the same product at the same moment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.integration.receiving.conftest import HX, Site
from wms.core.clock import utcnow
from wms.extensions import db
from wms.inventory.models import ProductStock
from wms.orders.models import OrderLine
from wms.receiving.models import DockUnit


def receiver(site: Site, reference: str):  # type: ignore[no-untyped-def]
    user = site.make.user(role="operator")
    client = site.app.test_client()
    client.post("/login", data={"username": user.username, "password": "secret-pass"})
    client.post("/receive/start", data={"code": reference}, headers=HX)
    return client


@pytest.mark.postgres_only
def test_two_receivers_never_overfill_a_waiting_line(site: Site) -> None:
    product = site.make.product()
    channel, _ = site.make.channel()
    order_id = site.make.order(channel, [(product, 3)])
    site.make.inbound([(product, 12)], utcnow(), reference="ASN-RACE")
    clients = [receiver(site, "ASN-RACE") for _ in range(2)]
    barrier = threading.Barrier(2)

    def scan_all(i: int) -> list[int]:
        barrier.wait()
        return [
            clients[i]
            .post(
                "/receive/scan",
                data={"code": product.barcodes[0].code, "scan_id": f"race-{i}-{n}"},
                headers=HX,
            )
            .status_code
            for n in range(6)
        ]

    with ThreadPoolExecutor(2) as pool:
        statuses = [s for result in pool.map(scan_all, range(2)) for s in result]
    assert statuses == [200] * 12
    with site.app.app_context():
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == order_id))
        assert (line.qty_reserved, line.qty_waiting) == (3, 0)
        to_lanes = db.session.scalar(
            select(func.sum(DockUnit.qty)).where(
                DockUnit.product_id == product.id, DockUnit.order_line_id.is_not(None)
            )
        )
        counters = db.session.get(ProductStock, product.id)
        assert to_lanes == 3
        assert (counters.qty_sellable, counters.qty_reserved, counters.qty_waiting) == (12, 3, 0)
    verify = site.app.test_cli_runner().invoke(args=["verify-ledger"])
    assert verify.exit_code == 0, verify.output


def test_a_retried_scan_racing_its_original_is_one_unit(site: Site) -> None:
    product = site.make.product()
    site.make.inbound([(product, 5)], utcnow(), reference="ASN-DOUBLE")
    client = receiver(site, "ASN-DOUBLE")
    barrier = threading.Barrier(2)

    def send(_: int) -> int:
        barrier.wait()
        return client.post(
            "/receive/scan",
            data={"code": product.barcodes[0].code, "scan_id": "same-scan"},
            headers=HX,
        ).status_code

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(send, range(2))) == [200, 200]
    with site.app.app_context():
        assert db.session.get(ProductStock, product.id).qty_sellable == 1
