"""The channel API, one module per resource on one blueprint (``/api/v1``)."""

from flask import Response, request

from wms.api import availability, inbounds, orders, returns, shops  # noqa: F401  (their routes join bp)
from wms.api.common import bp, plain_answer
from wms.api.openapi import build

__all__ = ["bp"]


@bp.get("/openapi.json")
def openapi() -> Response:
    return plain_answer(build(request.script_root + "/api/v1"))
