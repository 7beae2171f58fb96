from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from wms.auth import audit
from wms.auth.decorators import require_role_for_blueprint, role_required
from wms.base.clock import utcnow
from wms.base.errors import InvalidInput
from wms.dashboard import alerts, charts, lists, tiles
from wms.dashboard.models import UNITS, Alert, AlertKind
from wms.extensions import db, htmx

bp = Blueprint("dashboard", __name__)
bp.before_request(require_role_for_blueprint("supervisor"))


TILES = ("backlog", "crossdock", "throughput", "orders", "preorders", "exceptions", "alerts")


def _tile_context(name: str) -> dict[str, Any]:
    now = utcnow()
    if name == "backlog":
        data = tiles.backlog(now)
        return {
            "data": data,
            "chart": charts.grouped_bars(
                tiles.AGE_BUCKETS,
                [charts.Series("lines", data.lines), charts.Series("units", data.units)],
                "Waiting backorders by age",
                width=420,
                height=180,
            ),
        }
    if name == "crossdock":
        return {"data": tiles.crossdock(now)}
    if name == "throughput":
        data = tiles.throughput(now)
        return {
            "data": data,
            "chart": charts.grouped_bars(
                [f"{h:02d}" for h in data.hours],
                [charts.Series(label, values) for label, values in data.per_hour.items()],
                "Units per hour today",
                width=640,
                height=200,
            ),
        }
    if name == "orders":
        return {"data": tiles.orders(now)}
    if name == "preorders":
        return {"data": tiles.preorders()}
    if name == "exceptions":
        return {"data": tiles.exception_counts(now)}
    if name == "alerts":
        return {
            "data": db.session.scalars(
                select(Alert)
                .where(Alert.cleared_at.is_(None))
                .order_by(Alert.started_at.desc())
                .limit(20)
            ).all()
        }
    abort(404)


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template(
        "dashboard/index.html",
        tiles={name: _tile_context(name) for name in TILES},
        now=utcnow(),
    )


@bp.get("/tile/<name>")
def tile(name: str) -> ResponseReturnValue:
    if name not in TILES:
        abort(404)
    return render_template(f"dashboard/_{name}.html", tile=_tile_context(name), now=utcnow())


@bp.get("/lists/<name>")
def list_view(name: str) -> ResponseReturnValue:
    spec = lists.LISTS.get(name) or abort(404)
    args = {f.name: request.args.get(f.name, "") for f in spec.filters}
    number = max(1, request.args.get("page", 1, type=int) or 1)
    rows, total = lists.page(spec, args, number)
    pages = max(1, -(-total // lists.PAGE))
    return render_template(
        "dashboard/list.html",
        spec=spec,
        rows=rows,
        args=args,
        page=number,
        pages=pages,
        total=total,
    )


@bp.get("/lists/<name>.csv")
def list_csv(name: str) -> ResponseReturnValue:
    spec = lists.LISTS.get(name) or abort(404)
    args = {f.name: request.args.get(f.name, "") for f in spec.filters}
    return Response(
        stream_with_context(lists.csv_lines(spec, args)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@bp.get("/alerts")
def alert_history() -> ResponseReturnValue:
    number = max(1, request.args.get("page", 1, type=int) or 1)
    rows = db.session.scalars(
        select(Alert).order_by(Alert.started_at.desc()).offset((number - 1) * 50).limit(50)
    ).all()
    return render_template(
        "dashboard/alerts.html",
        alerts=rows,
        page=number,
        thresholds=alerts.thresholds(),
        units=UNITS,
    )


@bp.post("/alerts/thresholds")
@role_required("admin")
def set_thresholds() -> ResponseReturnValue:
    for kind in AlertKind:
        raw = request.form.get(f"{kind.value}_threshold", "").strip()
        try:
            value = float(raw)
        except ValueError as exc:
            raise InvalidInput(
                f"The threshold for {kind.value.replace('_', ' ')} must be a number."
            ) from exc
        if value < 0:
            raise InvalidInput("Thresholds cannot be negative.")
        enabled = request.form.get(f"{kind.value}_enabled") == "on"
        alerts.set_threshold(kind.value, value, enabled)
        audit.record(
            current_user.id,
            "alert.threshold",
            "alert_rule",
            kind.value,
            threshold=value,
            enabled=enabled,
        )
    flash("Thresholds saved; they apply from the next check.", "ok")
    return redirect(url_for("dashboard.alert_history"))


@bp.post("/alerts/check")
def check_alerts() -> ResponseReturnValue:
    raised, cleared = alerts.evaluate()
    if htmx:
        return render_template("dashboard/_alerts.html", tile=_tile_context("alerts"), now=utcnow())
    flash(f"{raised} alert(s) raised, {cleared} cleared.", "ok")
    return redirect(url_for("dashboard.alert_history"))
