from __future__ import annotations

import uuid

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.base.clock import today, utcnow
from wms.core.models import Inbound
from wms.extensions import db, htmx
from wms.receiving import dock, putaway, services
from wms.receiving.tally import recent_tally

bp = Blueprint("receiving", __name__)


def _go(endpoint: str) -> Response:
    url = url_for(endpoint)
    if htmx:
        response = Response(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)  # type: ignore[return-value]


@bp.get("/")
def start() -> ResponseReturnValue:
    session = services.peek_session(current_user.id)
    if session.inbound_id is not None:
        return redirect(url_for("receiving.scan_screen"))
    return render_template("receiving/start.html", inbounds=services.inbounds_due(today()))


@bp.post("/start")
def start_scan() -> ResponseReturnValue:
    services.start_receiving(current_user.id, request.form.get("code", ""))
    return _go("receiving.scan_screen")


@bp.post("/start/<int:inbound_id>")
def start_chosen(inbound_id: int) -> ResponseReturnValue:
    services.start_inbound_by_id(current_user.id, inbound_id)
    return _go("receiving.scan_screen")


@bp.post("/leave")
def leave() -> ResponseReturnValue:
    session = services.current_session(current_user.id)
    session.inbound_id = None
    return _go("receiving.start")


@bp.get("/scan")
def scan_screen() -> ResponseReturnValue:
    session = services.peek_session(current_user.id)
    if session.inbound_id is None:
        return redirect(url_for("receiving.start"))
    return render_template("receiving/scan.html", **_panels(session, page=True))


@bp.post("/scan")
def scan() -> ResponseReturnValue:
    group = g.get("scan_id") or uuid.uuid4().hex
    # Held here so the scan and the panels share one loaded session row.
    session = services.current_session(current_user.id)
    answer = services.handle_scan(current_user.id, request.form.get("code", ""), group)
    if answer.kind == "closed":
        return _after_close(answer.inbound_id)  # type: ignore[arg-type]
    if answer.kind == "left":
        flash(answer.message, "ok")
        return _go("receiving.start")
    if answer.kind == "switched":
        return _go("receiving.scan_screen")
    body = render_template(
        "receiving/_answer.html",
        answer=answer,
        cards=services.describe(answer.routes, answer.progress),
        oob=True,
        **_panels(
            session, with_tally=answer.kind in ("routed", "undone"), pending=answer.still_on_dock
        ),
    )
    response = Response(body, mimetype="text/html")
    if answer.alarm:
        response.headers["X-Scan-Tone"] = "error"
    return response


@bp.post("/close")
def close() -> ResponseReturnValue:
    session = services.current_session(current_user.id)
    if session.inbound_id is None:
        return _go("receiving.start")
    inbound_id = session.inbound_id
    services.close_inbound(inbound_id, current_user.id)
    return _after_close(inbound_id)


def _after_close(inbound_id: int) -> Response:
    """A supervisor sees the discrepancy report; a receiver is back at the start, told
    what it says."""
    if current_user.has_role("supervisor"):
        url = url_for("inbounds.report", inbound_id=inbound_id)
        if htmx:
            response = Response(status=204)
            response.headers["HX-Redirect"] = url
            return response
        return redirect(url)  # type: ignore[return-value]
    flash(services.closing_sentence(inbound_id), "ok")
    return _go("receiving.start")


def _panels(
    session: services.ReceivingSession,
    with_tally: bool = True,
    page: bool = False,
    pending: list[dock.PendingUnit] | None = None,
) -> dict[str, object]:
    """What the receive screen shows besides the answer; the tally only when it changed."""
    inbound_id = session.inbound_id
    if pending is None:
        pending = dock.pending_units(current_user.id)
    show_tally = with_tally and inbound_id is not None
    lines, summary = (
        recent_tally(inbound_id, current_user.id) if show_tally else ([], None)  # type: ignore[arg-type]
    )
    return {
        "inbound": db.session.get(Inbound, inbound_id) if page and inbound_id else None,
        "session": session,
        "with_tally": show_tally,
        "tally": lines,
        "summary": summary,
        "pending": pending,
        "now": utcnow(),
        "label": dock.destination_label,
        "dwell": dock.dwell_minutes,
    }


# ------------------------------------------------------------------ putaway


@bp.get("/putaway")
def putaway_screen() -> ResponseReturnValue:
    return render_template("receiving/putaway.html", state=putaway.current(current_user.id))


@bp.post("/putaway")
def putaway_scan() -> ResponseReturnValue:
    answer = putaway.handle_scan(current_user.id, request.form.get("code", ""))
    return render_template("receiving/_putaway_answer.html", answer=answer)


@bp.post("/putaway/override")
def putaway_override() -> ResponseReturnValue:
    answer = putaway.override(
        current_user.id, request.form.get("location", ""), request.form.get("reason", "")
    )
    return render_template("receiving/_putaway_answer.html", answer=answer)
