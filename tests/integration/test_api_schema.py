"""Schemathesis drives the API from its own OpenAPI document: no input makes it fail."""

from __future__ import annotations

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.factories import Factories


def test_api_conforms_to_its_document_and_never_fails(app: Flask, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 50)
    _, token = make.channel()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            # A body can match the schema and still name a SKU that does not
            # exist: that is refused (422), which is right, so the check that
            # every schema-valid body succeeds does not apply here.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()


def test_known_sku_orders_survive_generated_bodies(app: Flask, make: Factories) -> None:
    """Generated orders for a real SKU reach the reservation code, not only validation."""
    product = make.product()
    make.stock(product, make.location(), 5)
    _, token = make.channel()
    client = app.test_client()

    @given(
        qty=st.integers(1, 10),
        backorder=st.sampled_from(["allow", "refuse"]),
        priority=st.sampled_from(["expedited", "standard", "economy"]),
        external=st.text("ABC123-", min_size=1, max_size=12),
    )
    @settings(
        max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def place(qty: int, backorder: str, priority: str, external: str) -> None:
        response = client.post(
            "/api/v1/orders",
            json={
                "external_id": f"GEN-{product.sku}-{external}",
                "ship_to": {"name": "N", "street1": "S", "city": "C"},
                "backorder": backorder,
                "priority": priority,
                "lines": [{"sku": product.sku, "qty": qty}],
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code in (200, 201, 409), response.json
        assert "code" in response.json or "id" in response.json

    place()
    verify = app.test_cli_runner().invoke(args=["verify-ledger"])
    assert verify.exit_code == 0, verify.output
