"""Schemathesis drives the API from its own OpenAPI document: the document is kept.

Every operation gets generated requests that match the document (positive)
and requests that break it (negative), and every answer goes through
schemathesis's checks: no server error, only documented statuses, content
types, headers and bodies that match the document, bad data refused, the
token enforced, unsupported methods refused with ``Allow``. The one check
left out is that every valid body succeeds: a body can match the schema and
still name a SKU or order that does not exist, which is rightly refused.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import object_level_authorization, positive_data_acceptance

from tests.factories import Factories

# Per operation and mode; WMS_API_EXAMPLES=500 makes a deeper run by hand.
PER_OPERATION = int(os.environ.get("WMS_API_EXAMPLES", "60"))
EXAMPLES = {GenerationMode.POSITIVE: PER_OPERATION, GenerationMode.NEGATIVE: PER_OPERATION}
LEFT_OUT = [
    positive_data_acceptance,
    # Needs two identities configured; tests/integration/test_channel_isolation.py
    # asks every route for another channel's rows by every identifier.
    object_level_authorization,
]
_clients = itertools.count(1)


def _another_client() -> dict[str, str]:
    """Each generated request from an address of its own: the checks send wrong
    tokens on purpose, and one address would soon be locked (tested elsewhere)."""
    n = next(_clients)
    return {"REMOTE_ADDR": f"172.{16 + (n >> 16 & 15)}.{n >> 8 & 255}.{n & 255}"}


def _negatable(operation: schemathesis.APIOperation) -> bool:
    raw = operation.definition.raw
    queried = any(p.get("in") == "query" for p in raw.get("parameters", []))
    return queried or "requestBody" in raw


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_api_conforms_to_its_document_and_never_fails(
    app: Flask, make: Factories, mode: GenerationMode
) -> None:
    product = make.product()
    make.stock(product, make.location(), 50)
    _, token = make.channel()
    # The token given the way the document declares it (its bearer scheme), so the
    # checks know the requests are signed in and probe without it on purpose.
    config = SchemathesisConfig.from_dict(
        {
            "auth": {"openapi": {"bearer": {"bearer": token}}},
            # Requests carry the real token rather than a generated one (a missing or
            # wrong token is probed by the ignored_auth check, on every operation).
            "generation": {"with-security-parameters": False},
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    load_all_checks()
    checks = [c for c in CHECKS.get_all() if c not in LEFT_OUT]
    statuses: Counter[int] = Counter()
    unsatisfiable: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES[mode],
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate(checks=checks, environ_base=_another_client())
            statuses[response.status_code] += 1

        try:
            check()
        except Unsatisfiable:
            # Nothing in this operation can break the document (a path reference
            # is any text and there is no query or body): no negative data exists.
            assert mode is GenerationMode.NEGATIVE and not _negatable(operation)
            unsatisfiable.append(operation.label)

    # The figures a run leaves behind (pytest -s shows them).
    print(
        f"schemathesis {mode.value}: {len(operations)} operations, "
        f"{sum(statuses.values())} requests, {len(checks)} checks each, statuses {dict(statuses)}"
        f", nothing to negate in {unsatisfiable}"
    )


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
