"""Each channel sees only its own rows through the API, by whatever name it asks.

Channel B asks for channel A's orders, returns and inbounds by every form
the API takes (id, number, reference, the channel's own external id): each
answer is a 404 shaped exactly like the answer for something that does not
exist, and nothing of A's changes. Availability is one figure per product for
every channel (one inventory truth), so it has nothing to hide.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import unique
from tests.factories import Factories
from wms.base.numbers import order_number
from wms.channels.models import Channel
from wms.inventory.models import Product

SHIP_TO = {"name": "Ana Buyer", "street1": "1 Main St", "city": "Springfield", "zip": "90001"}


@dataclass
class Channels:
    client: FlaskClient
    a: str  # API tokens
    b: str
    channel_a: Channel
    channel_b: Channel
    product: Product

    def call(self, token: str, method: str, path: str, body: Any = None) -> Any:
        return self.client.open(
            f"/api/v1{path}",
            method=method,
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )

    def order(self, token: str, external_id: str | None = None) -> dict[str, Any]:
        response = self.call(
            token,
            "POST",
            "/orders",
            {
                "external_id": external_id or unique("EXT-"),
                "ship_to": SHIP_TO,
                "lines": [{"sku": self.product.sku, "qty": 1}],
            },
        )
        assert response.status_code == 201, response.json
        return response.json

    def inbound(self, token: str, reference: str, qty: int = 5) -> Any:
        return self.call(
            token,
            "POST",
            "/inbounds",
            {
                "reference": reference,
                "expected_at": "2031-01-02T09:00:00Z",
                "lines": [{"sku": self.product.sku, "qty": qty}],
            },
        )


@pytest.fixture
def channels(client: FlaskClient, make: Factories) -> Channels:
    product = make.product()
    make.stock(product, make.location(), 20)
    channel_a, a = make.channel()
    channel_b, b = make.channel()
    return Channels(client, a, b, channel_a, channel_b, product)


def hidden(answer: Any, unknown: Any, ref: str, missing: str) -> bool:
    """A 404 that says no more than the answer for something that does not exist."""

    def masked(response: Any, name: str) -> str:
        body = re.sub(r"\b[WR]-\d+", "REF", response.get_data(as_text=True))
        return body.replace(name, "REF")

    same = masked(answer, ref) == masked(unknown, missing)
    return answer.status_code == unknown.status_code == 404 and same


# ------------------------------------------------------------------ orders


@pytest.mark.parametrize(
    "action",
    [
        ("GET", "/orders/{ref}"),
        ("POST", "/orders/{ref}/cancel"),
        ("POST", "/orders/{ref}/payment-captured"),
    ],
)
def test_another_channels_order_is_not_found_by_id_or_number(
    channels: Channels, action: tuple[str, str]
) -> None:
    method, path = action
    order = channels.order(channels.a)
    for ref, missing in ((str(order["id"]), "999999999"), (order["number"], "W-999999999")):
        answer = channels.call(channels.b, method, path.format(ref=ref))
        unknown = channels.call(channels.b, method, path.format(ref=missing))
        assert hidden(answer, unknown, ref, missing)
    mine = channels.call(channels.a, "GET", f"/orders/{order['number']}").json
    assert mine["status"] == order["status"] and mine["payment_captured_at"] is None


def test_another_channels_external_order_id_makes_an_order_of_ones_own(
    channels: Channels,
) -> None:
    external = unique("EXT-")
    theirs = channels.order(channels.a, external)
    mine = channels.order(channels.b, external)
    assert mine["id"] != theirs["id"] and mine["external_id"] == external


# ----------------------------------------------------------------- returns


@pytest.fixture
def a_return(channels: Channels, make: Factories) -> dict[str, Any]:
    order_id = make.shipped_order(channels.channel_a, [(channels.product, 2)])
    external = unique("EXT-RET-")
    response = channels.call(
        channels.a,
        "POST",
        "/returns",
        {
            "external_id": external,
            "order_number": order_number(order_id),
            "lines": [{"sku": channels.product.sku, "qty": 1, "reason": "changed_mind"}],
        },
    )
    assert response.status_code == 201, response.json
    return {**response.json, "order_id": order_id}


@pytest.mark.parametrize(
    "action",
    [
        ("GET", "/returns/{ref}", None),
        ("GET", "/returns/{ref}/label", None),
        ("POST", "/returns/{ref}/label", {"label_format": "ZPL"}),
    ],
)
def test_another_channels_return_is_not_found_by_id_or_number(
    channels: Channels, a_return: dict[str, Any], action: tuple[str, str, Any]
) -> None:
    method, path, body = action
    rma_id = a_return["id"]
    for ref, missing in ((str(rma_id), "999999999"), (a_return["number"], "R-999999999")):
        answer = channels.call(channels.b, method, path.format(ref=ref), body)
        unknown = channels.call(channels.b, method, path.format(ref=missing), body)
        assert hidden(answer, unknown, ref, missing)
    mine = channels.call(channels.a, "GET", f"/returns/{a_return['number']}").json
    assert mine["return_label"] is None


def test_a_return_for_another_channels_order_is_not_found_by_number_or_external_id(
    channels: Channels, a_return: dict[str, Any]
) -> None:
    order = channels.call(channels.a, "GET", f"/orders/{a_return['order_id']}").json
    line = [{"sku": channels.product.sku, "qty": 1, "reason": "changed_mind"}]
    for field, value in (
        ("order_number", order["number"]),
        ("order_external_id", order["external_id"]),
    ):
        answer = channels.call(
            channels.b,
            "POST",
            "/returns",
            {"external_id": unique("R"), field: value, "lines": line},
        )
        assert answer.status_code == 404 and answer.json["code"] == "order_not_found"


def test_another_channels_return_external_id_is_not_theirs_to_read(
    channels: Channels, a_return: dict[str, Any], make: Factories
) -> None:
    """B sending A's return id for B's own order gets B's own return, never A's."""
    order_id = make.shipped_order(channels.channel_b, [(channels.product, 1)])
    response = channels.call(
        channels.b,
        "POST",
        "/returns",
        {
            "external_id": a_return["external_id"],
            "order_number": order_number(order_id),
            "lines": [{"sku": channels.product.sku, "qty": 1, "reason": "defective"}],
        },
    )
    assert response.status_code == 201 and response.json["id"] != a_return["id"]


# ---------------------------------------------------------------- inbounds


def test_another_channels_inbound_is_not_found_by_id_or_reference(channels: Channels) -> None:
    reference = unique("ASN-")
    theirs = channels.inbound(channels.a, reference).json
    for ref, missing in ((str(theirs["id"]), "999999999"), (reference, unique("ASN-"))):
        answer = channels.call(channels.b, "GET", f"/inbounds/{ref}")
        unknown = channels.call(channels.b, "GET", f"/inbounds/{missing}")
        assert hidden(answer, unknown, ref, missing)
    assert channels.call(channels.a, "GET", f"/inbounds/{reference}").json["id"] == theirs["id"]
    assert channels.call(channels.a, "GET", f"/inbounds/{theirs['id']}").status_code == 200


def test_a_channel_lists_only_its_own_inbounds(channels: Channels, make: Factories) -> None:
    theirs = channels.inbound(channels.a, unique("ASN-")).json
    mine = channels.inbound(channels.b, unique("ASN-")).json
    make.inbound([(channels.product, 3)], datetime(2030, 1, 1))  # the warehouse's own
    listed = channels.call(channels.b, "GET", "/inbounds?limit=500").json
    assert [i["id"] for i in listed["items"]] == [mine["id"]]
    listed = channels.call(channels.a, "GET", "/inbounds?limit=500").json
    assert [i["id"] for i in listed["items"]] == [theirs["id"]]


def test_posting_another_channels_reference_makes_an_inbound_of_ones_own(
    channels: Channels,
) -> None:
    reference = unique("PO-")
    theirs = channels.inbound(channels.a, reference, qty=5)
    same = channels.inbound(channels.b, reference, qty=5)
    assert same.status_code == 201 and same.json["id"] != theirs.json["id"]
    # Different lines under the same reference: still B's own, not a conflict with A's.
    other_reference = unique("PO-")
    channels.inbound(channels.a, other_reference, qty=5)
    different = channels.inbound(channels.b, other_reference, qty=9)
    assert different.status_code == 201
    assert different.json["lines"][0]["qty_expected"] == 9
    again = channels.inbound(channels.a, reference, qty=5)
    assert again.status_code == 200 and again.json["id"] == theirs.json["id"]
    # B's own reference with other lines is B's conflict, about B's inbound.
    clash = channels.inbound(channels.b, reference, qty=6)
    assert clash.status_code == 409 and clash.json["code"] == "inbound_exists"


@pytest.mark.postgres_only
def test_one_inbound_posted_eight_times_at_once_is_made_once(
    app: Flask, channels: Channels
) -> None:
    reference = unique("ASN-RACE-")
    start = threading.Barrier(8)

    def post(_: int) -> tuple[int, int]:
        client = app.test_client()
        start.wait()
        response = client.post(
            "/api/v1/inbounds",
            json={
                "reference": reference,
                "expected_at": "2031-01-02T09:00:00Z",
                "lines": [{"sku": channels.product.sku, "qty": 4}],
            },
            headers={"Authorization": f"Bearer {channels.a}"},
        )
        return response.status_code, response.json["id"]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, range(8)))
    assert sorted(status for status, _ in answers) == [200] * 7 + [201]
    assert len({inbound_id for _, inbound_id in answers}) == 1


@pytest.mark.parametrize("ref", ["9999999999", "99999999999999999999", "A%00B", "%20", "X" * 65])
def test_an_inbound_reference_that_cannot_exist_is_404(channels: Channels, ref: str) -> None:
    response = channels.call(channels.b, "GET", f"/inbounds/{ref}")
    assert response.status_code == 404 and response.json["code"] == "not_found"
