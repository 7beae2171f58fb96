"""Bad input to the API gets a JSON error with a stable code and changes nothing."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import Factories
from tests.integration.test_orders_api import get, order_body, post


def test_no_token_is_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/availability")
    assert response.status_code == 401 and response.json["code"] == "unauthorized"


def test_wrong_token_is_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/availability", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json["code"] == "unauthorized"


def test_malformed_json_is_400_invalid_json(client: FlaskClient, make: Factories) -> None:
    _, token = make.channel()
    response = client.post(
        "/api/v1/orders",
        data=b'{"external_id": ',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json["code"] == "invalid_json"


def test_invalid_body_names_the_field(client: FlaskClient, make: Factories) -> None:
    _, token = make.channel()
    body = order_body([("X", 0)])
    response = post(client, token, "/orders", body)
    assert response.status_code == 422 and response.json["code"] == "invalid_body"
    assert any(e["field"] == "lines.0.qty" for e in response.json["errors"])


def test_unknown_fields_are_refused(client: FlaskClient, make: Factories) -> None:
    _, token = make.channel()
    response = post(client, token, "/orders", {**order_body([("X", 1)]), "colour": "red"})
    assert response.status_code == 422


def test_a_huge_body_is_413(client: FlaskClient, make: Factories) -> None:
    _, token = make.channel()
    response = client.post(
        "/api/v1/orders",
        data=b"{" + b" " * (300 * 1024) + b"}",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.json["code"] == "too_large"


def test_unknown_order_is_404_json(client: FlaskClient, make: Factories) -> None:
    _, token = make.channel()
    response = get(client, token, "/orders/W-99999999")
    assert response.status_code == 404 and response.json["code"] == "not_found"


def test_availability_etag_gives_304_until_stock_changes(
    client: FlaskClient, make: Factories
) -> None:
    product = make.product(safety_stock=2)
    location = make.location()
    make.stock(product, location, 10)
    _, token = make.channel()
    first = get(client, token, f"/availability?sku={product.sku}")
    assert first.status_code == 200
    assert first.json["items"][0]["available"] == 8  # 10 less the safety stock of 2
    etag = first.headers["ETag"]
    same = get(client, token, f"/availability?sku={product.sku}", **{"If-None-Match": etag})
    assert same.status_code == 304
    make.stock(product, location, 1)
    changed = get(client, token, f"/availability?sku={product.sku}", **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json["items"][0]["available"] == 9


def test_availability_pages_with_a_cursor(client: FlaskClient, make: Factories) -> None:
    _, token = make.channel()
    for _ in range(3):
        make.product()
    first = get(client, token, "/availability?limit=2").json
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = get(client, token, f"/availability?limit=2&cursor={first['next_cursor']}").json
    assert {i["sku"] for i in first["items"]}.isdisjoint({i["sku"] for i in second["items"]})


def test_bad_paging_is_422(client: FlaskClient, make: Factories) -> None:
    _, token = make.channel()
    assert get(client, token, "/availability?limit=0").status_code == 422
    assert get(client, token, "/availability?cursor=abc").status_code == 422


def test_openapi_document_describes_the_order_body(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    order_in = doc["components"]["schemas"]["OrderIn"]
    assert "external_id" in order_in["required"] and "lines" in order_in["properties"]
    assert "/orders/{ref}/cancel" in doc["paths"]


def test_an_error_message_follows_accept_language_and_its_code_does_not(
    client: FlaskClient, make: Factories
) -> None:
    _, token = make.channel()
    sent = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    english = client.post("/api/v1/orders", data=b'{"external_id": ', headers=sent)
    french = client.post(
        "/api/v1/orders", data=b'{"external_id": ', headers={**sent, "Accept-Language": "fr"}
    )
    assert english.json == {"code": "invalid_json", "message": "The body is not valid JSON."}
    assert french.status_code == 400
    assert french.json == {"code": "invalid_json", "message": "Le corps n’est pas du JSON valide."}

    french = client.get(
        "/api/v1/availability?limit=0",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "fr-FR,fr;q=0.9"},
    )
    assert french.status_code == 422 and french.json["code"] == "invalid_query"
    assert french.json["message"] == "limit est un nombre entier de 1 à 500."
