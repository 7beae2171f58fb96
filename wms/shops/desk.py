"""The supervisor's list of shop orders that need a person, and mapping and releasing them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.auth import audit
from wms.auth.decorators import require_role_for_blueprint
from wms.channels.models import ShopOrderState
from wms.shops import queries, services

bp = Blueprint("shops", __name__)
bp.before_request(require_role_for_blueprint("supervisor"))


@bp.get("/")
def waiting() -> ResponseReturnValue:
    return render_template(
        "shops/waiting.html",
        orders=queries.waiting_orders(),
        deliveries=queries.unreadable_deliveries(),
        signatures=queries.refused_signatures(),
    )


@bp.get("/<int:shop_order_id>")
def show(shop_order_id: int) -> ResponseReturnValue:
    row, channel, lines = queries.shop_order(shop_order_id)
    return render_template("shops/show.html", row=row, channel=channel, lines=lines)


@bp.post("/<int:shop_order_id>/lines/<int:line_no>/map")
def map_line(shop_order_id: int, line_no: int) -> ResponseReturnValue:
    sku = request.form.get("sku", "")
    mapping = services.map_line(shop_order_id, line_no, sku)
    audit.record(current_user.id, "shop_order.map_line", "channel_product", mapping.id)
    flash(f"Line {line_no} is now {sku.strip()} for every order of this shop.", "ok")
    return redirect(url_for("shops.show", shop_order_id=shop_order_id))


@bp.post("/<int:shop_order_id>/release")
def release(shop_order_id: int) -> ResponseReturnValue:
    outcome = services.release(shop_order_id)
    audit.record(current_user.id, "shop_order.release", "shop_order", shop_order_id)
    if outcome.state == ShopOrderState.ACCEPTED:
        flash("Released: the order is taken in.", "ok")
        return redirect(url_for("shops.waiting"))
    flash(f"Still waiting: {outcome.reason}", "error")
    return redirect(url_for("shops.show", shop_order_id=shop_order_id))
