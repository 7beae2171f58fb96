"""The dashboard: tiles that refresh themselves, the lists behind them (with CSV), alerts."""

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

from wms.auth.decorators import require_role_for_blueprint, role_required
from wms.base.clock import utcnow
from wms.base.i18n import Joined, _, n_
from wms.dashboard import rules, services
from wms.dashboard.models import ALERT_KIND_LABELS, UNITS
from wms.dashboard.queries import alerts, lists, tiles
from wms.database import page_number
from wms.extensions import htmx

bp = Blueprint("dashboard", __name__)
bp.before_request(require_role_for_blueprint("supervisor"))


TILES = ("backlog", "crossdock", "throughput", "orders", "preorders", "exceptions", "alerts")


def _tile_context(name: str) -> dict[str, Any]:
    now = utcnow()
    if name == "backlog":
        data = tiles.backlog(now)
        return {
            "data": data,
            "chart": rules.grouped_bars(
                [str(_(bucket)) for bucket in tiles.AGE_BUCKETS],
                [
                    rules.Series(str(_("lines")), data.lines),
                    rules.Series(str(_("units")), data.units),
                ],
                str(_("Waiting backorders by age")),
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
            "chart": rules.grouped_bars(
                [f"{h:02d}" for h in data.hours],
                [
                    rules.Series(str(_(tiles.FLOW_WORDS[label])), values)
                    for label, values in data.per_hour.items()
                ],
                str(_("Units per hour today")),
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
            "data": alerts.open_alerts(),
            "describe": alerts.shown_message,
            "kinds": ALERT_KIND_LABELS,
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
    number = page_number(request.args.get("page"))
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
    number = page_number(request.args.get("page"))
    return render_template(
        "dashboard/alerts.html",
        alerts=alerts.alert_history(number),
        page=number,
        thresholds=alerts.thresholds(),
        units=UNITS,
        kinds=ALERT_KIND_LABELS,
        describe=alerts.shown_message,
    )


@bp.post("/alerts/thresholds")
@role_required("admin")
def set_thresholds() -> ResponseReturnValue:
    services.set_thresholds(rules.read_thresholds(request.form), current_user.id)
    flash(_("Thresholds saved; they apply from the next check."), "ok")
    return redirect(url_for("dashboard.alert_history"))


@bp.post("/alerts/check")
def check_alerts() -> ResponseReturnValue:
    raised, cleared = services.evaluate_alerts()
    if htmx:
        return render_template("dashboard/_alerts.html", tile=_tile_context("alerts"), now=utcnow())
    flash(
        Joined(
            [
                n_("%(num)s alert raised.", "%(num)s alerts raised.", raised),
                n_("%(num)s alert cleared.", "%(num)s alerts cleared.", cleared),
            ]
        ),
        "ok",
    )
    return redirect(url_for("dashboard.alert_history"))
