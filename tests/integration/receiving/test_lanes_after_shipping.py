"""A lane holds an order from its first cross-docked unit until the order ships."""

from __future__ import annotations

import re
import uuid

from tests.integration.receiving.conftest import HX, Site
from tests.invariants import assert_invariants
from wms.base.clock import utcnow
from wms.base.numbers import order_number


def pack_scan(site: Site, station_code: str, code: str) -> str:
    answer = site.client.post(
        f"/pack/{station_code}/scan", data={"code": code, "scan_id": uuid.uuid4().hex}, headers=HX
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return site.text(answer)


def test_a_lane_is_free_for_the_next_order_once_its_order_has_shipped(site: Site) -> None:
    product = site.make.product()
    channel, _ = site.make.channel()
    first, second, third = (site.make.order(channel, [(product, 1)]) for _ in range(3))
    site.make.inbound([(product, 3)], utcnow(), reference="ASN-LANES")
    site.start("ASN-LANES")
    # L1 and L2 hold two orders each: the first two orders go to L1.
    for _ in range(2):
        site.scan(product.barcodes[0].code)
        site.scan("L1")

    station = site.make.pack_station()
    pack_scan(site, station.code, order_number(first))
    pack_scan(site, station.code, product.barcodes[0].code)
    pack_scan(site, station.code, site.make.box().code)
    pack_scan(site, station.code, "1.2")
    labelled = pack_scan(site, station.code, "CMD-DONE")
    tracking = re.search(r"WMS Local \w+ · (\S+)<", labelled)
    assert tracking is not None, labelled
    assert "Shipped" in pack_scan(site, station.code, tracking.group(1))

    board = site.text(site.client.get("/dock/board", headers=HX))
    assert f'data-order="{order_number(first)}"' not in board
    assert f'data-order="{order_number(second)}"' in board
    # The shipped order's place in L1 went with it: the third order gets L1 too.
    assert site.where(site.scan(product.barcodes[0].code)) == ["LANE L1"]
    site.scan("L1")
    assert f'data-order="{order_number(third)}"' in site.text(
        site.client.get("/dock/board", headers=HX)
    )
    assert_invariants(site.app)
