"""Receivers scanning at the same moment: waiting lines, retries and lanes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.integration.receiving.conftest import HX, Site
from tests.invariants import assert_invariants
from wms.base.clock import utcnow
from wms.core.models import LaneAssignment, LaneOccupancy, OrderLine
from wms.extensions import db
from wms.inventory.models import ProductStock
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
    assert_invariants(site.app)


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
    assert_invariants(site.app)


@pytest.mark.postgres_only
def test_receivers_racing_for_lanes_never_put_more_orders_in_a_lane_than_it_holds(
    site: Site,
) -> None:
    # Three lanes of two orders each, eight orders waiting, four receivers at once.
    channel, _ = site.make.channel()
    products = [site.make.product() for _ in range(8)]
    orders = [site.make.order(channel, [(p, 1)]) for p in products]
    site.make.inbound([(p, 1) for p in products], utcnow(), reference="ASN-LANE-RACE")
    clients = [receiver(site, "ASN-LANE-RACE") for _ in range(4)]
    barrier = threading.Barrier(4)

    def scan_two(i: int) -> list[str]:
        barrier.wait()
        answers = []
        for n in (2 * i, 2 * i + 1):
            response = clients[i].post(
                "/receive/scan",
                data={"code": products[n].barcodes[0].code, "scan_id": f"lane-race-{n}"},
                headers=HX,
            )
            assert response.status_code == 200
            answers.extend(site.where(response))
        return answers

    with ThreadPoolExecutor(4) as pool:
        answers = [a for result in pool.map(scan_two, range(4)) for a in result]
    to_lanes = [a for a in answers if a.startswith("LANE")]
    assert len(to_lanes) == 6 and len(answers) == 8
    assert sorted(to_lanes) == ["LANE L1"] * 2 + ["LANE L2"] * 2 + ["LANE L3"] * 2
    with site.app.app_context():
        assigned = db.session.execute(
            select(LaneAssignment.lane_id, func.count())
            .where(LaneAssignment.released_at.is_(None))
            .group_by(LaneAssignment.lane_id)
        ).all()
        counters = {
            o.location_id: o.orders_assigned for o in db.session.scalars(select(LaneOccupancy))
        }
        assert sorted(n for _, n in assigned) == [2, 2, 2]
        assert counters == {lane_id: n for lane_id, n in assigned}
        in_a_lane = db.session.scalars(
            select(LaneAssignment.order_id).where(LaneAssignment.released_at.is_(None))
        ).all()
        assert len(set(in_a_lane)) == 6 and set(in_a_lane) <= set(orders)
    assert_invariants(site.app)


@pytest.mark.postgres_only
def test_two_receivers_serving_one_order_at_once_share_its_lane(site: Site) -> None:
    # Each order waits for one unit of A and one of B; one receiver scans A, the other B.
    channel, _ = site.make.channel()
    a, b = site.make.product(), site.make.product()
    orders = [site.make.order(channel, [(a, 1), (b, 1)]) for _ in range(3)]
    site.make.inbound([(a, 3), (b, 3)], utcnow(), reference="ASN-ONE-ORDER")
    clients = [receiver(site, "ASN-ONE-ORDER") for _ in range(2)]
    barrier = threading.Barrier(2)

    def scan(i: int, n: int) -> tuple[int, list[str]]:
        barrier.wait()
        product = (a, b)[i]
        response = clients[i].post(
            "/receive/scan",
            data={"code": product.barcodes[0].code, "scan_id": f"one-order-{i}-{n}"},
            headers=HX,
        )
        return response.status_code, site.where(response)

    with ThreadPoolExecutor(2) as pool:
        for n in range(len(orders)):
            first, second = pool.map(scan, (0, 1), (n, n))
            assert first[0] == second[0] == 200, (first, second)
            assert first[1] == second[1] and first[1][0].startswith("LANE")
    with site.app.app_context():
        open_assignments = db.session.scalars(
            select(LaneAssignment.order_id).where(LaneAssignment.released_at.is_(None))
        ).all()
        assert sorted(open_assignments) == sorted(orders)
        counted = db.session.scalar(select(func.sum(LaneOccupancy.orders_assigned)))
        assert counted == len(orders)
    assert_invariants(site.app)
