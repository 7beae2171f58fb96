"""The returns bench on the handheld: one screen, one scan field."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.base.numbers import order_number
from wms.extensions import db
from wms.navigation import go_to
from wms.returns.models import ReturnAuthorisation
from wms.returns.queries import bench
from wms.returns.services import grading
from wms.returns.services.restock import DESTINATION_CSS

bp = Blueprint("returns", __name__)


@bp.get("/receive")
def receive_start() -> ResponseReturnValue:
    session = grading.peek_session(current_user.id)
    return render_template("returns/receive.html", answer=None, **_bench(session))


@bp.post("/receive/scan")
def receive_scan() -> ResponseReturnValue:
    answer = grading.handle_scan(current_user.id, request.form.get("code", ""))
    if answer.kind == "left":
        return _back_to_start()
    session = grading.current_session(current_user.id)
    db.session.flush()
    last = answer.product.id if answer.product is not None else None
    body = render_template("returns/_answer.html", answer=answer, oob=True, **_bench(session, last))
    response = Response(body, mimetype="text/html")
    if answer.alarm:
        response.headers["X-Scan-Tone"] = "error"
    return response


@bp.post("/receive/leave")
def receive_leave() -> ResponseReturnValue:
    grading.leave_return(current_user.id)
    return _back_to_start()


def _back_to_start() -> Response:
    return go_to(url_for("returns.receive_start"))


def _bench(session: grading.ReturnSession, last_product_id: int | None = None) -> dict[str, object]:
    """The panel under the answer: the return on the bench and its lines."""
    rma = db.session.get(ReturnAuthorisation, session.rma_id) if session.rma_id else None
    return {
        "rma": rma,
        "pending": session.pending_product if session.pending_line_id else None,
        "lines": bench.expected(rma.id, last_product_id) if rma else [],
        "totals": bench.totals(rma.id) if rma else None,
        "order_number": order_number,
        "grade_words": grading.GRADE_WORDS,
        "css": DESTINATION_CSS,
        "incoming": bench.incoming() if rma is None else [],
    }
