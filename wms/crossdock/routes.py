from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from wms.base.clock import utcnow
from wms.base.numbers import order_number
from wms.crossdock import queries
from wms.extensions import htmx
from wms.receiving import queries as receiving

bp = Blueprint("crossdock", __name__)


@bp.get("/board")
def board() -> ResponseReturnValue:
    """Lanes, orders and dwell; the page polls this same URL for its panel."""
    context = {
        "lanes": queries.board(),
        "ready": queries.ready_to_pack_orders(),
        "on_dock": receiving.pending_units(),
        "now": utcnow(),
        "dwell": receiving.dwell_minutes,
        "number": order_number,
    }
    template = "crossdock/_board.html" if htmx else "crossdock/board.html"
    return render_template(template, **context)
