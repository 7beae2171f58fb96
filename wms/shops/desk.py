"""The supervisor's list of shop orders that need a person, and mapping and releasing
them; and the shops themselves (``/desk/shops``): adding one, testing its connection,
importing its products, its shipping methods, its figures pushed and reconciled."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.auth.decorators import require_role_for_blueprint, role_required
from wms.base.errors import DomainError, FormProblems
from wms.base.i18n import N_, Joined, Text, _, n_
from wms.channels import sync
from wms.channels.connectors import ConnectorError
from wms.channels.models import ShopOrderState
from wms.channels.outbox import forget_channels
from wms.channels.shops import (
    NoChannelKey,
    add_shop_channel,
    set_shipping_methods,
    update_shop_channel,
)
from wms.shops import queries, rules, services

bp = Blueprint("shops", __name__)
bp.before_request(require_role_for_blueprint("supervisor"))


@bp.get("/")
def waiting() -> ResponseReturnValue:
    return render_template(
        "shops/waiting.html",
        orders=queries.waiting_orders(),
        deliveries=queries.unreadable_deliveries(),
        signatures=queries.refused_signatures(),
        states=rules.SHOP_ORDER_STATE_LABELS,
    )


@bp.get("/<bigid:shop_order_id>")
def show(shop_order_id: int) -> ResponseReturnValue:
    row, channel, lines = queries.shop_order(shop_order_id)
    return render_template(
        "shops/show.html",
        row=row,
        channel=channel,
        lines=lines,
        states=rules.SHOP_ORDER_STATE_LABELS,
        reason=services.reason_words(row),
    )


@bp.post("/<bigid:shop_order_id>/lines/<int:line_no>/map")
def map_line(shop_order_id: int, line_no: int) -> ResponseReturnValue:
    sku = request.form.get("sku", "")
    services.map_line(shop_order_id, line_no, sku, current_user.id)
    flash(
        _(
            "Line %(line)s is now %(sku)s for every order of this shop.",
            line=line_no,
            sku=sku.strip(),
        ),
        "ok",
    )
    return redirect(url_for("shops.show", shop_order_id=shop_order_id))


@bp.post("/<bigid:shop_order_id>/release")
def release(shop_order_id: int) -> ResponseReturnValue:
    outcome = services.release(shop_order_id, current_user.id)
    if outcome.state == ShopOrderState.ACCEPTED:
        flash(_("Released: the order is taken in."), "ok")
        return redirect(url_for("shops.waiting"))
    flash(_("Still waiting: %(reason)s", reason=outcome.reason), "error")
    return redirect(url_for("shops.show", shop_order_id=shop_order_id))


@bp.post("/<bigid:shop_order_id>/cancel")
def cancel_in_warehouse(shop_order_id: int) -> ResponseReturnValue:
    decided = services.cancel_in_warehouse(shop_order_id, current_user.id)
    if decided.repeat:
        flash(_("Order %(order)s was already cancelled.", order=decided.name), "ok")
        return redirect(url_for("shops.waiting"))
    told: list[Text] = [
        _("Order %(order)s is cancelled in the warehouse.", order=decided.name),
        *(
            n_(
                "Put %(num)s unit of %(sku)s from %(source)s back in %(bin)s.",
                "Put %(num)s units of %(sku)s from %(source)s back in %(bin)s.",
                p.qty,
                sku=p.sku,
                source=p.from_code,
                bin=p.to_code,
            )
            for p in decided.put_back
        ),
    ]
    if decided.label_to_void:
        told.append(
            _(
                "A label was bought for its parcel (%(tracking)s): have the carrier void it.",
                tracking=decided.label_to_void,
            )
        )
    flash(Joined(told), "ok")
    return redirect(url_for("shops.waiting"))


@bp.post("/<bigid:shop_order_id>/ship-anyway")
def ship_anyway(shop_order_id: int) -> ResponseReturnValue:
    decided = services.ship_anyway(shop_order_id, current_user.id)
    if decided.repeat:
        flash(_("Order %(order)s was already let through to ship.", order=decided.name), "ok")
    else:
        flash(
            _(
                "Order %(order)s ships despite the shop's cancel: the pack station lets it "
                "through.",
                order=decided.name,
            ),
            "ok",
        )
    return redirect(url_for("shops.waiting"))


# ------------------------------------------------------------ connecting a shop

connect = Blueprint("shop_channels", __name__)
connect.before_request(require_role_for_blueprint("supervisor"))


def _timeout() -> float:
    return float(current_app.config.get("SHOP_TIMEOUT", 10.0))


@connect.get("/")
def index() -> ResponseReturnValue:
    return render_template(
        "shops/channels.html", shops=queries.shop_channels(), platforms=rules.PLATFORM_NAMES
    )


@connect.route("/new", methods=["GET", "POST"])
@role_required("admin")
def new() -> ResponseReturnValue:
    platform = request.values.get("platform", "")
    if request.method == "GET" or "code" not in request.form:
        return _new_form(platform, {}, [])
    try:
        form = rules.read_shop_form(request.form, platform, creating=True)
        channel = add_shop_channel(
            form.code, form.name, form.platform, form.credentials, current_user.id
        )
    except DomainError as error:
        return _new_form(platform, request.form, _problems(error), error.status)
    forget_channels()
    flash(
        _(
            "Shop %(code)s added. Press “Test connection” to check its credentials.",
            code=channel.code,
        ),
        "ok",
    )
    return redirect(url_for("shop_channels.channel", channel_id=channel.id))


def _new_form(
    platform: str, form: Any, problems: list[str], status: int = 200
) -> ResponseReturnValue:
    return (
        render_template(
            "shops/channel_new.html",
            platform=platform if platform in rules.CREDENTIAL_FIELDS else "",
            platforms=rules.PLATFORM_NAMES,
            fields=rules.CREDENTIAL_FIELDS.get(platform, ()),
            form=form,
            problems=problems,
        ),
        status,
    )


def _problems(error: DomainError) -> list[str]:
    return error.problems if isinstance(error, FormProblems) else [error.message]


def _show(channel_id: int, problems: list[str] | None = None, status: int = 200) -> Any:
    return (
        render_template(
            "shops/channel.html",
            page=queries.shop_page(channel_id),
            problems=problems or [],
            levels=rules.SERVICE_LEVELS,
            level_words=rules.SERVICE_LEVEL_LABELS,
            outcomes=rules.IMPORT_OUTCOME_LABELS,
            summary_words=sync.summary_words,
            why_words=sync.why_words,
        ),
        status,
    )


@connect.get("/<int:channel_id>")
def channel(channel_id: int) -> ResponseReturnValue:
    return _show(channel_id)


@connect.post("/<int:channel_id>")
@role_required("admin")
def update(channel_id: int) -> ResponseReturnValue:
    shop = queries.shop_channel(channel_id)
    try:
        form = rules.read_shop_form(request.form, shop.platform, creating=False)
        update_shop_channel(channel_id, form.name, form.credentials, current_user.id)
    except DomainError as error:
        return _show(channel_id, _problems(error), error.status)
    flash(_("Saved."), "ok")
    return redirect(url_for("shop_channels.channel", channel_id=channel_id))


@connect.post("/<int:channel_id>/test")
@role_required("admin")
def test(channel_id: int) -> ResponseReturnValue:
    ok, sentence = queries.test_connection(channel_id, _timeout())
    flash(sentence, "ok" if ok else "error")
    return redirect(url_for("shop_channels.channel", channel_id=channel_id))


@connect.post("/<int:channel_id>/import")
@role_required("admin")
def import_products(channel_id: int) -> ResponseReturnValue:
    items = _read_items(channel_id, sync.IMPORT, READ_PRODUCTS_FAILED)
    if items is None:
        return redirect(url_for("shop_channels.channel", channel_id=channel_id))
    report = sync.import_products(channel_id, items, current_user.id)
    flash(sync.summary_words(report), "ok")
    return redirect(url_for("shop_channels.channel", channel_id=channel_id, _anchor="import"))


@connect.post("/<int:channel_id>/shipping")
@role_required("admin")
def shipping(channel_id: int) -> ResponseReturnValue:
    queries.shop_channel(channel_id)
    try:
        table = rules.read_shipping_table(
            request.form.getlist("method"), request.form.getlist("level")
        )
    except DomainError as error:
        return _show(channel_id, _problems(error), error.status)
    set_shipping_methods(channel_id, table, current_user.id)
    flash(
        n_("%(num)s shipping method saved.", "%(num)s shipping methods saved.", len(table)),
        "ok",
    )
    return redirect(url_for("shop_channels.channel", channel_id=channel_id, _anchor="shipping"))


@connect.post("/<int:channel_id>/push")
@role_required("admin")
def push(channel_id: int) -> ResponseReturnValue:
    queries.shop_channel(channel_id)
    count = sync.push_every_figure(channel_id, current_user.id)
    if count:
        flash(
            n_(
                "%(num)s figure queued for the shop: the worker sends it.",
                "%(num)s figures queued for the shop: the worker sends them.",
                count,
            ),
            "ok",
        )
    else:
        flash(_("No product is mapped on this shop yet: import its products first."), "error")
    return redirect(url_for("shop_channels.channel", channel_id=channel_id))


@connect.post("/<int:channel_id>/reconcile")
@role_required("admin")
def reconcile(channel_id: int) -> ResponseReturnValue:
    items = _read_items(channel_id, sync.RECONCILE, READ_FIGURES_FAILED)
    if items is None:
        return redirect(url_for("shop_channels.channel", channel_id=channel_id))
    report = sync.reconcile(channel_id, items, current_user.id)
    flash(sync.summary_words(report), "ok")
    return redirect(url_for("shop_channels.channel", channel_id=channel_id, _anchor="reconcile"))


READ_PRODUCTS_FAILED = N_("The shop's products could not be read: %(error)s")
READ_FIGURES_FAILED = N_("The shop's figures could not be read: %(error)s")


def _read_items(channel_id: int, kind: str, failed: str) -> list[Any] | None:
    """The shop's items, read once for an import or a reconciliation; None when the shop
    could not be read (the failure is reported on the shop's page and said)."""
    try:
        return queries.shop_items(channel_id, _timeout())
    except (ConnectorError, NoChannelKey) as exc:
        sync.import_failed(channel_id, kind, exc.sentence)
        flash(_(failed, error=exc.sentence), "error")
        return None
