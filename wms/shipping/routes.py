"""Shipping on the floor: the pack station, its labels, slips and manifests; and the public
tracking page."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.base.clock import today
from wms.base.errors import DomainError, InvalidInput
from wms.base.i18n import _
from wms.database import commit_early
from wms.extensions import db, htmx
from wms.navigation import go_to
from wms.shipping import prints, queries
from wms.shipping.prints import PrintFile
from wms.shipping.services import packing
from wms.shipping.services.labels import CallOut
from wms.shipping.services.packing import PackView

bp = Blueprint("shipping", __name__)


# ------------------------------------------------------------------ pack station


@bp.get("/pack")
def pack_start() -> ResponseReturnValue:
    station = packing.default_station()
    if station is not None:
        return redirect(url_for("shipping.pack_station", station=station.code))
    return render_template("shipping/pack.html", view=None)


@bp.post("/pack")
def pack_choose_station() -> ResponseReturnValue:
    station = packing.choose_station(request.form.get("code", ""))
    return _go_to(station.code)


@bp.get("/pack/<station>")
def pack_station(station: str) -> ResponseReturnValue:
    return _render(packing.station_view(station, current_user.id))


@bp.post("/pack/<station>/scan")
def pack_scan(station: str) -> ResponseReturnValue:
    try:
        view = packing.scan_at_station(
            station, request.form.get("code", ""), current_user.id, call_out()
        )
    except DomainError as error:
        return _refused(station, error)
    if view.redirect:
        return _go_to(view.redirect)
    return _render(view)


@bp.post("/pack/<station>/rate")
def pack_rate(station: str) -> ResponseReturnValue:
    try:
        view = packing.buy_with_rate(
            station, request.form.get("rate_id", ""), current_user.id, call_out()
        )
    except DomainError as error:
        return _refused(station, error)
    return _render(view)


def _tracking_page() -> str:
    return url_for("shipping.track_form", _external=True)


def call_out() -> CallOut:
    """The pack station's actions call the carrier and the printer: they commit early."""
    return CallOut(commit_early, _tracking_page())


def _refused(station: str, error: DomainError) -> ResponseReturnValue:
    """The refusal in one sentence above the order, so the packer still sees what is left."""
    db.session.rollback()
    view = packing.station_view(station, current_user.id)
    view.message, view.tone = error.message, "error"
    return _render(view), error.status


def _render(view: PackView) -> ResponseReturnValue:
    if htmx:
        return render_template("shipping/_pack.html", view=view)
    return render_template("shipping/pack.html", view=view)


def _go_to(station_code: str) -> ResponseReturnValue:
    return go_to(url_for("shipping.pack_station", station=station_code))


# ------------------------------------------------------------------ prints


def _pdf(file: PrintFile) -> Response:
    """Inline, so the browser opens it ready to print."""
    response = Response(file.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{file.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/pack/parcels/<int:parcel_id>/label.pdf")
def label_pdf(parcel_id: int) -> ResponseReturnValue:
    return _pdf(prints.parcel_label(parcel_id, "PDF_4x6", _tracking_page()))


@bp.get("/pack/parcels/<int:parcel_id>/label.zpl")
def label_zpl(parcel_id: int) -> ResponseReturnValue:
    file = prints.parcel_label(parcel_id, "ZPL", _tracking_page())
    response = Response(file.content, mimetype="application/x-zpl")
    response.headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/pack/parcels/<int:parcel_id>/slip.pdf")
def packing_slip(parcel_id: int) -> ResponseReturnValue:
    return _pdf(prints.parcel_slip(parcel_id))


@bp.get("/shipping/manifests")
def manifests() -> ResponseReturnValue:
    day = _day(request.args.get("day", ""))
    return render_template(
        "shipping/manifests.html", day=day, carriers=queries.manifest_summary(day)
    )


@bp.get("/shipping/manifests/<day>.pdf")
def manifest_pdf(day: str) -> ResponseReturnValue:
    return _pdf(prints.carrier_manifest(_day(day), request.args.get("carrier", "")))


def _day(text: str) -> date:
    if not text:
        return today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("%(typed)s is not a date; use YYYY-MM-DD.", typed=text[:20])) from None


# ------------------------------------------------------------------ tracking (public)


@bp.get("/track/")
def track_form() -> ResponseReturnValue:
    number = request.args.get("number", "").strip()
    if number:
        return redirect(url_for("shipping.track", number=number))
    return render_template("shipping/track.html", parcel=None)


@bp.get("/track/<number>")
def track(number: str) -> ResponseReturnValue:
    return render_template("shipping/track.html", parcel=queries.track_parcel(number))
