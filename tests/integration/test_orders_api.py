"""The channel API: placing orders, idempotency, refusals, cancelling."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import unique
from tests.factories import Factories
from wms.base.clock import local_date

SHIP_TO = {"name": "Ana Buyer", "street1": "1 Main St", "city": "Springfield", "zip": "90001"}


def order_body(lines: list[tuple[str, int]], **kw: Any) -> dict[str, Any]:
    return {
        "external_id": kw.pop("external_id", unique("EXT-")),
        "ship_to": SHIP_TO,
        "lines": [{"sku": sku, "qty": qty} for sku, qty in lines],
        **kw,
    }


def post(client: FlaskClient, token: str, path: str, body: Any) -> Any:
    return client.post(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"})


def get(client: FlaskClient, token: str, path: str, **headers: str) -> Any:
    return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}", **headers})


def test_an_order_in_stock_is_reserved(client: FlaskClient, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 5)
    _, token = make.channel()
    response = post(client, token, "/orders", order_body([(product.sku, 3)]))
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "ready_to_pick"
    assert body["number"].startswith("W-")
    assert body["lines"][0]["status"] == "reserved" and body["lines"][0]["qty_reserved"] == 3
    avail = get(client, token, f"/availability?sku={product.sku}").json["items"][0]
    assert avail["available_to_promise"] == 2 and avail["reserved"] == 3


def test_the_same_order_twice_is_one_order(client: FlaskClient, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 5)
    _, token = make.channel()
    body = order_body([(product.sku, 2)])
    first = post(client, token, "/orders", body)
    again = post(client, token, "/orders", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"]
    avail = get(client, token, f"/availability?sku={product.sku}").json["items"][0]
    assert avail["reserved"] == 2


def test_same_external_id_with_a_different_body_is_a_conflict(
    client: FlaskClient, make: Factories
) -> None:
    product = make.product()
    make.stock(product, make.location(), 5)
    _, token = make.channel()
    body = order_body([(product.sku, 2)])
    post(client, token, "/orders", body)
    changed = {**body, "lines": [{"sku": product.sku, "qty": 3}]}
    response = post(client, token, "/orders", changed)
    assert response.status_code == 409
    assert response.json["code"] == "idempotency_conflict"


def test_external_ids_are_per_channel(client: FlaskClient, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 5)
    _, token_a = make.channel()
    _, token_b = make.channel()
    body = order_body([(product.sku, 1)])
    a = post(client, token_a, "/orders", body)
    b = post(client, token_b, "/orders", body)
    assert a.status_code == b.status_code == 201 and a.json["id"] != b.json["id"]


def test_short_line_is_backordered_with_a_projected_date(
    client: FlaskClient, make: Factories
) -> None:
    product = make.product()
    make.stock(product, make.location(), 2)
    make.inbound([(product, 10)], datetime.utcnow() + timedelta(days=3))
    _, token = make.channel()
    response = post(client, token, "/orders", order_body([(product.sku, 5)]))
    assert response.status_code == 201
    line = response.json["lines"][0]
    assert response.json["status"] == "waiting"
    assert (line["status"], line["qty_reserved"], line["qty_backordered"]) == ("backordered", 2, 3)
    expected = local_date(datetime.utcnow() + timedelta(days=3))
    assert line["projected_fill_on"] == expected.isoformat()


def test_the_answer_to_a_new_order_is_the_order_as_read_back(
    client: FlaskClient, make: Factories
) -> None:
    in_stock, short = make.product(), make.product()
    make.stock(in_stock, make.location(), 9)
    make.stock(short, make.location(), 1)
    make.inbound([(short, 10)], datetime.utcnow() + timedelta(days=3))
    _, token = make.channel()
    one_product = post(client, token, "/orders", order_body([(in_stock.sku, 2)]))
    several = post(
        client,
        token,
        "/orders",
        order_body(
            [(short.sku, 4), (in_stock.sku, 1)],
            priority="expedited",
            service_level="express",
            placed_at="2026-03-01T09:30:00Z",
            partial_allowed=True,
            capture_before_ship=True,
        ),
    )
    assert (one_product.status_code, several.status_code) == (201, 201)
    assert several.json["lines"][0]["status"] == "backordered"
    for placed in (one_product.json, several.json):
        assert get(client, token, f"/orders/{placed['id']}").json == placed


def test_every_short_line_is_listed_at_once(client: FlaskClient, make: Factories) -> None:
    a = make.product(allow_backorder=False)
    b = make.product(allow_backorder=False)
    c = make.product()
    make.stock(a, make.location(), 1)
    make.stock(c, make.location(), 9)
    _, token = make.channel()
    response = post(client, token, "/orders", order_body([(a.sku, 2), (b.sku, 1), (c.sku, 1)]))
    assert response.status_code == 409
    assert response.json["code"] == "insufficient_stock"
    items = {i["sku"]: i for i in response.json["items"]}
    assert set(items) == {a.sku, b.sku}
    assert items[a.sku]["short"] == 1 and items[b.sku]["short"] == 1
    assert items[a.sku]["reason"] == "backorders_not_allowed"
    # nothing was kept: c is not reserved, a is still free
    avail = get(client, token, f"/availability?sku={a.sku},{c.sku}").json["items"]
    assert {x["sku"]: x["reserved"] for x in avail} == {a.sku: 0, c.sku: 0}


def test_an_order_can_ask_to_be_refused_rather_than_backordered(
    client: FlaskClient, make: Factories
) -> None:
    product = make.product()
    _, token = make.channel()
    response = post(client, token, "/orders", order_body([(product.sku, 1)], backorder="refuse"))
    assert response.status_code == 409
    assert response.json["items"][0]["reason"] == "refused_by_order"


def test_preorder_before_release_is_held_under_its_cap(
    client: FlaskClient, make: Factories
) -> None:
    release = (datetime.utcnow() + timedelta(days=10)).date()
    product = make.product(release_on=release, preorder_cap=3, estimated_ship_on=release)
    _, token = make.channel()
    first = post(client, token, "/orders", order_body([(product.sku, 2)]))
    assert first.status_code == 201
    assert first.json["lines"][0]["status"] == "preorder"
    avail = get(client, token, f"/availability?sku={product.sku}").json["items"][0]
    assert avail["preorder"] is True and avail["preorder_available"] == 1
    assert avail["available"] == 0
    over = post(client, token, "/orders", order_body([(product.sku, 2)]))
    assert over.status_code == 409
    assert over.json["items"][0]["reason"] == "preorder_cap_reached"


def test_unknown_sku_is_refused_with_its_name(client: FlaskClient, make: Factories) -> None:
    _, token = make.channel()
    response = post(client, token, "/orders", order_body([("NO-SUCH-SKU", 1)]))
    assert response.status_code == 422
    assert response.json["code"] == "unknown_sku"
    assert "NO-SUCH-SKU" in response.json["message"]


def test_cancel_frees_the_units_for_the_next_in_line(client: FlaskClient, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 2)
    _, token = make.channel()
    first = post(client, token, "/orders", order_body([(product.sku, 2)])).json
    waiting = post(client, token, "/orders", order_body([(product.sku, 2)])).json
    assert waiting["status"] == "waiting"
    cancelled = post(client, token, f"/orders/{first['number']}/cancel", None)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert cancelled.json["lines"][0]["status"] == "cancelled"
    served = get(client, token, f"/orders/{waiting['number']}").json
    assert served["status"] == "ready_to_pick"
    assert served["lines"][0]["qty_reserved"] == 2


def test_cancel_of_a_preorder_gives_its_place_under_the_cap_back(
    client: FlaskClient, make: Factories
) -> None:
    release = (datetime.utcnow() + timedelta(days=10)).date()
    product = make.product(release_on=release, preorder_cap=2)
    _, token = make.channel()
    first = post(client, token, "/orders", order_body([(product.sku, 2)])).json
    post(client, token, f"/orders/{first['id']}/cancel", None)
    again = post(client, token, "/orders", order_body([(product.sku, 2)]))
    assert again.status_code == 201


def test_a_channel_sees_only_its_own_orders(client: FlaskClient, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 1)
    _, token_a = make.channel()
    _, token_b = make.channel()
    order = post(client, token_a, "/orders", order_body([(product.sku, 1)])).json
    assert get(client, token_b, f"/orders/{order['number']}").status_code == 404


def test_payment_captured_is_recorded(client: FlaskClient, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 1)
    _, token = make.channel()
    order = post(
        client, token, "/orders", order_body([(product.sku, 1)], capture_before_ship=True)
    ).json
    response = post(client, token, f"/orders/{order['number']}/payment-captured", None)
    assert response.status_code == 200
    assert response.json["payment_captured_at"] is not None


def test_held_preorders_become_ready_on_release_day(
    app, client: FlaskClient, make: Factories
) -> None:
    from sqlalchemy import update

    from wms.base.clock import today as clock_today
    from wms.core.backorders import release_due_preorders
    from wms.extensions import db
    from wms.inventory.models import Product

    release = (datetime.utcnow() + timedelta(days=5)).date()
    product = make.product(release_on=release, preorder_cap=10)
    make.stock(product, make.location(), 3)
    _, token = make.channel()
    order = post(client, token, "/orders", order_body([(product.sku, 2)])).json
    assert order["status"] == "held"  # units are there, but not before release
    with app.app_context():
        release_due_preorders()
        db.session.commit()
    assert get(client, token, f"/orders/{order['number']}").json["status"] == "held"
    with app.app_context():
        db.session.execute(
            update(Product).where(Product.id == product.id).values(release_on=clock_today())
        )
        release_due_preorders()
        db.session.commit()
    assert get(client, token, f"/orders/{order['number']}").json["status"] == "ready_to_pick"
