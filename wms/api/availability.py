"""Availability: what a channel may sell of each product, paged, with an ETag to poll cheaply."""

from __future__ import annotations

import hashlib
import json

from flask import Response, request

from wms.api.auth import current_channel
from wms.api.common import CURSOR_PARAMS, bp, cursor_args
from wms.api.openapi import Operation, document
from wms.inventory import availability
from wms.inventory.schemas import AvailabilityPage

document(
    Operation(
        "get",
        "/availability",
        "Availability per product, paged; ETag for cheap polling",
        responses={200: AvailabilityPage, 304: None},
        parameters=(
            {
                "name": "sku",
                "in": "query",
                "required": False,
                "description": "One or more SKUs (repeat, or comma-separated).",
                "schema": {"type": "array", "items": {"type": "string"}},
                "style": "form",
                "explode": True,
            },
            *CURSOR_PARAMS,
        ),
    )
)


@bp.get("/availability")
def availability_list() -> Response:
    current_channel()
    after, limit = cursor_args()
    skus = [s.strip() for raw in request.args.getlist("sku") for s in raw.split(",") if s.strip()]
    rows = availability.page(skus or None, after, limit)
    page = AvailabilityPage(
        items=[availability.availability_out(a) for a in rows],
        next_cursor=rows[-1].product_id if len(rows) == limit else None,
    )
    # Written here rather than by ``answer``: the ETag is the digest of these very bytes.
    raw = json.dumps(page.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    etag = hashlib.sha256(raw.encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(etag)
        return response
    response = Response(raw, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response
