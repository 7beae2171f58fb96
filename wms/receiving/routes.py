from __future__ import annotations

import uuid

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.base.clock import today
from wms.base.i18n import text
from wms.navigation import go_to
from wms.receiving import queries
from wms.receiving.services import putaway, receive

bp = Blueprint("receiving", __name__)


def _go(endpoint: str, **values: object) -> Response:
    return go_to(url_for(endpoint, **values))


@bp.get("/")
def start() -> ResponseReturnValue:
    session = receive.peek_session(current_user.id)
    if session.inbound_id is not None:
        return redirect(url_for("receiving.scan_screen"))
    return render_template("receiving/start.html", inbounds=queries.inbounds_due(today()))


@bp.post("/start")
def start_scan() -> ResponseReturnValue:
    receive.start_receiving(current_user.id, request.form.get("code", ""))
    return _go("receiving.scan_screen")


@bp.post("/start/<int:inbound_id>")
def start_chosen(inbound_id: int) -> ResponseReturnValue:
    receive.start_inbound_by_id(current_user.id, inbound_id)
    return _go("receiving.scan_screen")


@bp.post("/leave")
def leave() -> ResponseReturnValue:
    receive.leave(current_user.id)
    return _go("receiving.start")


@bp.get("/scan")
def scan_screen() -> ResponseReturnValue:
    session = receive.peek_session(current_user.id)
    if session.inbound_id is None:
        return redirect(url_for("receiving.start"))
    return render_template(
        "receiving/scan.html",
        inbound=session.inbound,
        panels=queries.panels(session.inbound_id, current_user.id),
    )


@bp.post("/scan")
def scan() -> ResponseReturnValue:
    answer = receive.scan(
        current_user.id, request.form.get("code", ""), g.get("scan_id") or uuid.uuid4().hex
    )
    if answer.kind == "closed":
        return _after_close(answer.inbound_id)  # type: ignore[arg-type]
    if answer.kind == "left":
        flash(text(answer.message), "ok")
        return _go("receiving.start")
    if answer.kind == "switched":
        return _go("receiving.scan_screen")
    body = render_template("receiving/_answer.html", answer=answer, panels=answer.panels, oob=True)
    response = Response(body, mimetype="text/html")
    if answer.alarm:
        response.headers["X-Scan-Tone"] = "error"
    return response


@bp.post("/close")
def close() -> ResponseReturnValue:
    inbound_id = receive.close_current(current_user.id)
    if inbound_id is None:
        return _go("receiving.start")
    return _after_close(inbound_id)


def _after_close(inbound_id: int) -> Response:
    """A supervisor sees the discrepancy report; a receiver is back at the start, told
    what it says."""
    if current_user.has_role("supervisor"):
        return _go("inbounds.report", inbound_id=inbound_id)
    flash(text(queries.closing_sentence(inbound_id)), "ok")
    return _go("receiving.start")


# ------------------------------------------------------------------ putaway


@bp.get("/putaway")
def putaway_screen() -> ResponseReturnValue:
    return render_template("receiving/putaway.html", state=putaway.current(current_user.id))


@bp.post("/putaway")
def putaway_scan() -> ResponseReturnValue:
    answer = putaway.handle_scan(current_user.id, request.form.get("code", ""))
    return render_template(
        "receiving/_putaway_answer.html", answer=answer, reasons=putaway.OVERRIDE_REASONS
    )


@bp.post("/putaway/override")
def putaway_override() -> ResponseReturnValue:
    answer = putaway.override(
        current_user.id, request.form.get("location", ""), request.form.get("reason", "")
    )
    return render_template(
        "receiving/_putaway_answer.html", answer=answer, reasons=putaway.OVERRIDE_REASONS
    )
