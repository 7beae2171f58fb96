"""Shipping at the desk: labels the carrier never confirmed (supervisor), and the boxes
and pack stations (admin)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.auth.decorators import role_required
from wms.base.clock import utcnow
from wms.base.errors import DomainError
from wms.base.i18n import _, text
from wms.extensions import db
from wms.shipping import queries
from wms.shipping.routes import bp, call_out
from wms.shipping.services import labels, setup

# ------------------------------------------------------------------ unconfirmed labels


@bp.get("/shipping/unconfirmed")
@role_required("supervisor")
def unconfirmed_labels() -> ResponseReturnValue:
    return _unconfirmed_page()


def _unconfirmed_page(error: str = "", status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "shipping/unconfirmed.html",
        parcels=queries.unconfirmed_labels(),
        now=utcnow(),
        error=error,
    )
    return page, status


@bp.post("/shipping/unconfirmed/<int:parcel_id>/release")
@role_required("supervisor")
def release_label(parcel_id: int) -> ResponseReturnValue:
    try:
        message = labels.release_label(parcel_id, call_out(), current_user.id)
    except DomainError as error:
        db.session.rollback()
        return _unconfirmed_page(error.message, error.status)
    flash(text(message), "ok")
    return redirect(url_for("shipping.unconfirmed_labels"))


# ------------------------------------------------------------------ set-up (admin)


@bp.get("/shipping/setup")
@role_required("admin")
def setup_page() -> ResponseReturnValue:
    return _setup_page()


def _setup_page(error: str = "", status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "shipping/setup.html",
        boxes=queries.list_boxes(),
        stations=queries.list_stations(),
        error=error,
        form=request.form if error else {},
    )
    return page, status


@bp.post("/shipping/boxes")
@bp.post("/shipping/boxes/<int:box_id>")
@role_required("admin")
def save_box(box_id: int | None = None) -> ResponseReturnValue:
    form = request.form
    try:
        box = setup.save_box(
            setup.BoxForm(
                code=form.get("code", ""),
                name=form.get("name", ""),
                length_mm=form.get("length_mm", ""),
                width_mm=form.get("width_mm", ""),
                height_mm=form.get("height_mm", ""),
                tare_g=form.get("tare_g", ""),
                active=form.get("active", "1") == "1",
            ),
            box_id,
            current_user.id,
        )
    except DomainError as error:
        db.session.rollback()
        return _setup_page(error.message, error.status)
    flash(text(_("Box %(box)s saved.", box=box.code)), "ok")
    return redirect(url_for("shipping.setup_page"))


@bp.post("/shipping/stations")
@role_required("admin")
def save_station() -> ResponseReturnValue:
    form = request.form
    try:
        station = setup.save_station(
            form.get("code", ""),
            form.get("printer_host", ""),
            form.get("printer_port", ""),
            form.get("active", "1") == "1",
            current_user.id,
        )
    except DomainError as error:
        db.session.rollback()
        return _setup_page(error.message, error.status)
    flash(text(_("Pack station %(station)s saved.", station=station.location.code)), "ok")
    return redirect(url_for("shipping.setup_page"))
