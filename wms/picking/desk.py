"""Picking at the supervisor's desk: waves built, watched and recorded; pick lists and
label sheets printed."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.auth.decorators import role_required
from wms.base.errors import DomainError, InvalidInput
from wms.base.i18n import N_, Joined, _, n_
from wms.base.numbers import order_number
from wms.core.models import PRIORITY_LABELS
from wms.extensions import db
from wms.picking import prints
from wms.picking.models import TASK_STATUS_LABELS
from wms.picking.queries import overview
from wms.picking.routes import bp
from wms.picking.services import paper, waves

# What each number of the wave form is called when it is refused: whole sentences.
_NOT_A_NUMBER = {
    "channel_id": N_("Channel id must be a whole number."),
    "priority": N_("Priority must be a whole number."),
    "max_orders": N_("Max orders must be a whole number."),
    "max_lines": N_("Max lines must be a whole number."),
}


def _int_arg(name: str, default: int | None = None) -> int | None:
    value = request.form.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise InvalidInput(_(_NOT_A_NUMBER[name]))
    return int(value)


@bp.get("/waves", endpoint="waves")
@role_required("supervisor")
def wave_list() -> ResponseReturnValue:
    return render_template(
        "picking/waves.html",
        ready=overview.ready_orders(),
        priority_labels=PRIORITY_LABELS,
        choices=overview.filter_choices(),
        waves=overview.recent_waves(),
    )


@bp.post("/waves")
@role_required("supervisor")
def build_wave() -> ResponseReturnValue:
    try:
        criteria = waves.WaveCriteria(
            channel_id=_int_arg("channel_id"),
            service_level=request.form.get("service_level", "").strip() or None,
            priority=_int_arg("priority"),
            max_orders=_int_arg("max_orders", 10),
            max_lines=_int_arg("max_lines", 40),
        )
        built = waves.build_wave(criteria, current_user.id)
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("picking.waves"))
    for number, sku in built.left_out:
        flash(
            _("%(order)s left out: %(sku)s is not all in bins yet.", order=number, sku=sku),
            "error",
        )
    if built.wave_id is None:
        flash(_("No order ready to pick matches; no wave was built."), "error")
        return redirect(url_for("picking.waves"))
    flash(
        Joined(
            [
                n_(
                    "%(wave)s built: %(num)s order,",
                    "%(wave)s built: %(num)s orders,",
                    built.orders,
                    wave=built.code,
                ),
                n_("%(num)s line.", "%(num)s lines.", built.lines),
            ]
        ),
        "ok",
    )
    return redirect(url_for("picking.wave", wave_id=built.wave_id))


@bp.get("/waves/<int:wave_id>")
@role_required("supervisor")
def wave(wave_id: int) -> ResponseReturnValue:
    return render_template(
        "picking/wave.html",
        order_number=order_number,
        task_status_labels=TASK_STATUS_LABELS,
        **overview.wave_detail(wave_id),
    )


@bp.post("/waves/<int:wave_id>/cancel")
@role_required("supervisor")
def cancel_wave(wave_id: int) -> ResponseReturnValue:
    wave = waves.cancel_wave(wave_id, current_user.id)
    flash(_("%(wave)s cancelled; its orders can go in another wave.", wave=wave.code), "ok")
    return redirect(url_for("picking.wave", wave_id=wave_id))


@bp.post("/waves/<int:wave_id>/paper")
@role_required("supervisor")
def record_paper_pick(wave_id: int) -> ResponseReturnValue:
    picked: dict[int, int] = {}
    for key, value in request.form.items():
        if key.startswith("picked-") and key[7:].isdigit():
            if not value.strip().isdigit():
                raise InvalidInput(_("Picked quantities are whole numbers."))
            picked[int(key[7:])] = int(value)
    try:
        totals = paper.record_paper_pick(wave_id, picked, current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(
            Joined(
                [
                    n_(
                        "Paper pick recorded: %(num)s unit",
                        "Paper pick recorded: %(num)s units",
                        totals["units"],
                    ),
                    n_("on %(num)s line.", "on %(num)s lines.", totals["lines"]),
                ]
            ),
            "ok",
        )
    return redirect(url_for("picking.wave", wave_id=wave_id))


@bp.post("/waves/<int:wave_id>/release")
@role_required("supervisor")
def release_wave(wave_id: int) -> ResponseReturnValue:
    wave = waves.release_wave(wave_id, current_user.id)
    flash(
        _("%(wave)s taken back; the next picker carries on where it stopped.", wave=wave.code),
        "ok",
    )
    return redirect(url_for("picking.wave", wave_id=wave_id))


def _pdf(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/waves/<int:wave_id>/picklist.pdf")
@role_required("supervisor")
def pick_list(wave_id: int) -> ResponseReturnValue:
    filename, pdf = prints.pick_list_pdf(wave_id, request.args.get("size"))
    return _pdf(pdf, filename)


# ------------------------------------------------------------------ labels


@bp.get("/labels")
@role_required("supervisor")
def labels() -> ResponseReturnValue:
    return render_template("picking/labels.html")


@bp.get("/labels/commands.pdf")
@role_required("supervisor")
def command_sheet() -> ResponseReturnValue:
    return _pdf(prints.command_sheet_pdf(request.args.get("size")), "command-barcodes.pdf")


@bp.get("/labels/locations.pdf")
@role_required("supervisor")
def location_labels() -> ResponseReturnValue:
    pdf = prints.location_labels_pdf(
        request.args.get("zone", ""), request.args.get("codes", ""), request.args.get("size")
    )
    return _pdf(pdf, "location-labels.pdf")


@bp.get("/labels/products.pdf")
@role_required("supervisor")
def product_labels() -> ResponseReturnValue:
    copies = request.args.get("copies", "1").strip() or "1"
    if not copies.isdigit():
        raise InvalidInput(_("Copies must be a whole number."))
    pdf = prints.product_labels_pdf(
        request.args.get("skus", ""), int(copies), request.args.get("size")
    )
    return _pdf(pdf, "product-labels.pdf")
