from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from wms.core.clock import utcnow
from wms.crossdock import bp, services
from wms.extensions import htmx
from wms.orders.models import order_number
from wms.receiving import dock


@bp.get("/board")
def board() -> ResponseReturnValue:
    """Lanes, orders and dwell; the page polls this same URL for its panel."""
    context = {
        "lanes": services.board(),
        "ready": services.ready_to_pack_orders(),
        "on_dock": dock.pending_units(),
        "now": utcnow(),
        "dwell": dock.dwell_minutes,
        "label": dock.destination_label,
        "number": order_number,
    }
    template = "crossdock/_board.html" if htmx else "crossdock/board.html"
    return render_template(template, **context)
