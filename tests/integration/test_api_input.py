"""Input the API must refuse is a 4xx with a stable code, never a 500, and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import unique
from tests.factories import Factories
from tests.integration.test_orders_api import get, order_body, post
from wms.core.models import Inbound, Order
from wms.extensions import db

EDGE_TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]


def inbound_body(sku: str, **kw: Any) -> dict[str, Any]:
    return {
        "reference": unique("ASN-"),
        "expected_at": "2031-01-02T09:00:00Z",
        "lines": [{"sku": sku, "qty": 2}],
        **kw,
    }


def raw_post(client: FlaskClient, token: str, path: str, data: bytes, **headers: str) -> Any:
    return client.post(
        f"/api/v1{path}",
        data=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers},
    )


def counts(app: Any) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Order)),
            db.session.scalar(select(func.count()).select_from(Inbound)),
        )


# ------------------------------------------------------------------ times


@pytest.mark.parametrize("when", EDGE_TIMES)
def test_an_order_placed_at_the_edge_of_time_is_422(
    client: FlaskClient, make: Factories, when: str
) -> None:
    product = make.product()
    _, token = make.channel()
    response = post(client, token, "/orders", order_body([(product.sku, 1)], placed_at=when))
    assert response.status_code == 422 and response.json["code"] == "invalid_body"
    assert response.json["errors"][0]["field"] == "placed_at"


@pytest.mark.parametrize("when", EDGE_TIMES)
def test_an_inbound_expected_at_the_edge_of_time_is_422(
    client: FlaskClient, make: Factories, when: str
) -> None:
    product = make.product()
    _, token = make.channel()
    response = post(client, token, "/inbounds", inbound_body(product.sku, expected_at=when))
    assert response.status_code == 422 and response.json["code"] == "invalid_body"
    assert response.json["errors"][0]["field"] == "expected_at"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_promise_beyond_the_years_served_is_422(
    client: FlaskClient, make: Factories, day: str
) -> None:
    product = make.product()
    _, token = make.channel()
    response = post(client, token, "/orders", order_body([(product.sku, 1)], promised_on=day))
    assert response.status_code == 422 and response.json["code"] == "invalid_body"


def test_a_time_without_an_offset_is_utc(client: FlaskClient, make: Factories) -> None:
    product = make.product()
    _, token = make.channel()
    body = inbound_body(product.sku, expected_at="2031-01-02T09:00:00")
    response = post(client, token, "/inbounds", body)
    assert response.status_code == 201 and response.json["expected_at"] == "2031-01-02T09:00:00Z"


# ----------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"[" * 240_000, id="240 KB of ["),
        pytest.param(b'{"a":' * 50_000, id="deep objects"),
        pytest.param(b"not json", id="words"),
        pytest.param(b"external_id=X&qty=1", id="a form"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"external_id": "\xff"}', id="not UTF-8"),
        pytest.param(b'{"qty": NaN}', id="NaN"),
        pytest.param(b'{"qty": Infinity}', id="Infinity"),
        pytest.param(b'{"external_id": ', id="cut short"),
        pytest.param(b"1" * 5000, id="a 5000-digit number"),
    ],
)
def test_a_body_that_is_not_json_is_400_invalid_json(
    client: FlaskClient, make: Factories, data: bytes
) -> None:
    _, token = make.channel()
    before = counts(client.application)
    for path in ("/orders", "/inbounds", "/returns"):
        response = raw_post(client, token, path, data)
        assert response.status_code == 400, (path, response.json)
        assert response.json["code"] == "invalid_json"
    assert counts(client.application) == before


def test_json_that_is_not_an_object_is_422(client: FlaskClient, make: Factories) -> None:
    _, token = make.channel()
    for data in (b"null", b"[]", b'"order"', b"12"):
        response = raw_post(client, token, "/orders", data)
        assert response.status_code == 422 and response.json["code"] == "invalid_body"


# ------------------------------------------------------------ strict types


@pytest.mark.parametrize("qty", ["1", 1.0, True, "one", 1.5])
def test_a_quantity_is_a_json_integer_and_nothing_else(
    client: FlaskClient, make: Factories, qty: Any
) -> None:
    product = make.product()
    make.stock(product, make.location(), 5)
    _, token = make.channel()
    before = counts(client.application)
    order = order_body([(product.sku, 1)])
    order["lines"][0]["qty"] = qty
    inbound = inbound_body(product.sku)
    inbound["lines"][0]["qty"] = qty
    for path, body in (("/orders", order), ("/inbounds", inbound)):
        response = post(client, token, path, body)
        assert response.status_code == 422, (path, qty, response.json)
        assert response.json["code"] == "invalid_body"
        assert response.json["errors"][0]["field"] == "lines.0.qty"
    assert counts(client.application) == before


@pytest.mark.parametrize("flag", ["true", 1, "yes"])
def test_a_yes_or_no_is_a_json_boolean(client: FlaskClient, make: Factories, flag: Any) -> None:
    product = make.product()
    _, token = make.channel()
    response = post(client, token, "/orders", order_body([(product.sku, 1)], partial_allowed=flag))
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "partial_allowed"


def test_a_return_with_a_string_quantity_is_422(client: FlaskClient, make: Factories) -> None:
    _, token = make.channel()
    body = {
        "external_id": unique("RET-"),
        "order_number": "W-10001",
        "lines": [{"sku": "X", "qty": "1", "reason": "defective"}],
    }
    response = post(client, token, "/returns", body)
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "lines.0.qty"


# ------------------------------------------------------------------ paging


@pytest.mark.parametrize(
    "query",
    [
        "cursor=",
        "cursor=false",
        "cursor=1.5",
        "cursor=%201",
        "cursor=%D9%A3",
        "cursor=1_0",
        "limit=",
        "limit=true",
        "cursor=-1",
        "limit=501",
    ],
)
def test_a_cursor_or_limit_that_is_not_a_whole_number_is_422(
    client: FlaskClient, make: Factories, query: str
) -> None:
    _, token = make.channel()
    for path in ("/availability", "/inbounds"):
        response = get(client, token, f"{path}?{query}")
        assert response.status_code == 422, (path, query)
        assert response.json["code"] == "invalid_query"


# ----------------------------------------------------------------- methods


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH"])
def test_a_method_not_allowed_says_which_are(client: FlaskClient, method: str) -> None:
    response = client.open("/api/v1/orders", method=method)
    assert response.status_code == 405
    assert response.json["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"POST", "OPTIONS"}


def test_a_screen_that_refuses_a_method_says_which_are(client: FlaskClient) -> None:
    response = client.open("/login", method="TRACE")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


# ----------------------------------------------------------------- the document


def test_the_document_says_a_return_names_its_order_one_way(client: FlaskClient) -> None:
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["ReturnIn"]
    assert schema["oneOf"] == [
        {"required": ["order_number"]},
        {"required": ["order_external_id"]},
    ]
    for name in ("order_number", "order_external_id"):
        assert schema["properties"][name]["type"] == "string"


def test_the_document_lists_every_error_code_and_the_unknown_sku(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").json
    codes = doc["components"]["schemas"]["ErrorOut"]["properties"]["code"]["enum"]
    for code in (
        "invalid_json",
        "invalid_body",
        "invalid_query",
        "unknown_sku",
        "not_found",
        "too_many_failures",
        "method_not_allowed",
        "unauthorized",
        "too_large",
    ):
        assert code in codes
    for path in ("/orders", "/inbounds", "/returns"):
        assert "unknown_sku" in doc["paths"][path]["post"]["responses"]["422"]["description"]
        assert "invalid_json" in doc["paths"][path]["post"]["responses"]["400"]["description"]


def test_the_document_says_quantities_are_strict_integers(client: FlaskClient) -> None:
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    qty = schemas["OrderLineIn"]["properties"]["qty"]
    assert qty["type"] == "integer" and "1.0" in qty["description"]


def test_every_code_an_operation_lists_is_one_the_document_explains(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").json
    known = set(doc["components"]["schemas"]["ErrorOut"]["properties"]["code"]["enum"])
    listed = {
        code
        for item in doc["paths"].values()
        for op in item.values()
        for status, answer in op["responses"].items()
        if int(status) >= 400
        for code in re.findall(r"`(\w+)`", answer["description"])
    }
    assert listed and listed <= known


def test_a_query_parameter_the_operation_does_not_take_is_422(
    client: FlaskClient, make: Factories
) -> None:
    _, token = make.channel()
    for path in ("/availability?cursr=5", "/inbounds?page=2", "/orders/W-10001?x=1"):
        response = get(client, token, path)
        assert response.status_code == 422 and response.json["code"] == "invalid_query", path
