"""Channels authorise returns through the API, idempotently, and read them back."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.conftest import unique
from tests.factories import Factories
from wms.base.numbers import order_number


def post(client: FlaskClient, token: str, path: str, body: Any) -> Any:
    return client.post(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"})


def get(client: FlaskClient, token: str, path: str) -> Any:
    return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})


def return_body(order_id: int, lines: list[tuple[str, int]], **kw: Any) -> dict[str, Any]:
    return {
        "external_id": kw.pop("external_id", unique("RET-")),
        "order_number": order_number(order_id),
        "lines": [{"sku": sku, "qty": qty, "reason": "changed_mind"} for sku, qty in lines],
        **kw,
    }


def test_a_channel_authorises_a_return_once_however_often_it_asks(
    client: FlaskClient, make: Factories
) -> None:
    channel, token = make.channel()
    product = make.product()
    order_id = make.shipped_order(channel, [(product, 2)])
    body = return_body(order_id, [(product.sku, 2)])
    first = post(client, token, "/returns", body)
    again = post(client, token, "/returns", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json == again.json
    rma = first.json
    assert rma["number"].startswith("R-") and rma["status"] == "authorised"
    assert rma["order_number"] == order_number(order_id)
    assert rma["lines"] == [
        {
            "line": 1,
            "sku": product.sku,
            "qty_authorised": 2,
            "qty_received": 0,
            "reason": "changed_mind",
            "wish": "refund",
            "decision": None,
            "decision_qty": 0,
            "exchange_order_number": None,
        }
    ]
    assert rma["return_label"] is None
    assert get(client, token, f"/returns/{rma['number']}").json == rma
    assert get(client, token, f"/returns/{rma['id']}").json == rma

    changed = post(client, token, "/returns", {**body, "note": "changed"})
    assert changed.status_code == 409 and changed.json["code"] == "idempotency_conflict"


def test_more_than_was_shipped_is_refused_with_every_short_line(
    client: FlaskClient, make: Factories
) -> None:
    channel, token = make.channel()
    shoe, sock = make.product(), make.product()
    make.stock(sock, make.location(), 5)
    order_id = make.shipped_order(channel, [(shoe, 1)])
    refused = post(client, token, "/returns", return_body(order_id, [(shoe.sku, 2), (sock.sku, 1)]))
    assert refused.status_code == 409
    assert refused.json["code"] == "not_returnable"
    assert refused.json["items"] == [
        {"sku": shoe.sku, "qty": 2, "returnable": 1},
        {"sku": sock.sku, "qty": 1, "returnable": 0},
    ]


def test_the_order_may_be_named_by_the_channels_own_id(
    client: FlaskClient, make: Factories
) -> None:
    channel, token = make.channel()
    product = make.product()
    external = unique("SHOP-")
    order_id = make.shipped_order(channel, [(product, 1)], external_id=external)
    body = return_body(order_id, [(product.sku, 1)])
    del body["order_number"]
    made = post(client, token, "/returns", {**body, "order_external_id": external})
    assert made.status_code == 201 and made.json["order_number"] == order_number(order_id)
    both = post(
        client, token, "/returns", {**body, "order_external_id": external, "order_number": "W-1"}
    )
    assert both.status_code == 422 and both.json["code"] == "invalid_body"


def test_another_channels_orders_and_returns_are_not_found(
    client: FlaskClient, make: Factories
) -> None:
    mine, _ = make.channel()
    _, other_token = make.channel()
    product = make.product()
    order_id = make.shipped_order(mine, [(product, 1)])
    refused = post(client, other_token, "/returns", return_body(order_id, [(product.sku, 1)]))
    assert refused.status_code == 404 and refused.json["code"] == "order_not_found"
    assert get(client, other_token, "/returns/R-99999999").status_code == 404


def test_a_return_label_comes_with_the_return_when_asked(
    client: FlaskClient, make: Factories
) -> None:
    channel, token = make.channel()
    product = make.product()
    order_id = make.shipped_order(channel, [(product, 1)])
    body = return_body(order_id, [(product.sku, 1)], return_label=True)
    made = post(client, token, "/returns", body)
    assert made.status_code == 201
    label = made.json["return_label"]
    assert label["status"] == "bought" and label["tracking_number"].startswith("WL")
    assert post(client, token, "/returns", body).json["return_label"] == label
    again = post(client, token, f"/returns/{made.json['number']}/label", {})
    assert again.status_code == 200 and again.json["return_label"] == label
    pdf = get(client, token, f"/returns/{made.json['number']}/label")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_return_without_a_label_has_no_label_file(client: FlaskClient, make: Factories) -> None:
    channel, token = make.channel()
    product = make.product()
    order_id = make.shipped_order(channel, [(product, 1)])
    made = post(client, token, "/returns", return_body(order_id, [(product.sku, 1)]))
    missing = get(client, token, f"/returns/{made.json['number']}/label")
    assert missing.status_code == 404 and missing.json["code"] == "no_label"
