from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.auth.decorators import role_required
from wms.base.clock import today, utcnow
from wms.base.errors import DomainError, InvalidInput
from wms.base.money import format_money
from wms.database import commit_early
from wms.extensions import db, htmx
from wms.shipping import services, setup
from wms.shipping.labels import CallOut
from wms.shipping.services import PackView, PrintFile

bp = Blueprint("shipping", __name__)


bp.add_app_template_filter(format_money, "money")

# ------------------------------------------------------------------ pack station


@bp.get("/pack")
def pack_start() -> ResponseReturnValue:
    station = services.default_station()
    if station is not None:
        return redirect(url_for("shipping.pack_station", station=station.code))
    return render_template("shipping/pack.html", view=None)


@bp.post("/pack")
def pack_choose_station() -> ResponseReturnValue:
    station = services.choose_station(request.form.get("code", ""))
    return _go_to(station.code)


@bp.get("/pack/<station>")
def pack_station(station: str) -> ResponseReturnValue:
    return _render(services.station_view(station, current_user.id))


@bp.post("/pack/<station>/scan")
def pack_scan(station: str) -> ResponseReturnValue:
    try:
        view = services.scan_at_station(
            station, request.form.get("code", ""), current_user.id, _call_out()
        )
    except DomainError as error:
        return _refused(station, error)
    if view.redirect:
        return _go_to(view.redirect)
    return _render(view)


@bp.post("/pack/<station>/rate")
def pack_rate(station: str) -> ResponseReturnValue:
    try:
        view = services.buy_with_rate(
            station, request.form.get("rate_id", ""), current_user.id, _call_out()
        )
    except DomainError as error:
        return _refused(station, error)
    return _render(view)


def _tracking_page() -> str:
    return url_for("shipping.track_form", _external=True)


def _call_out() -> CallOut:
    """The pack station's actions call the carrier and the printer: they commit early."""
    return CallOut(commit_early, _tracking_page())


def _refused(station: str, error: DomainError) -> ResponseReturnValue:
    """The refusal in one sentence above the order, so the packer still sees what is left."""
    db.session.rollback()
    view = services.station_view(station, current_user.id)
    view.message, view.tone = error.message, "error"
    return _render(view), error.status


def _render(view: PackView) -> ResponseReturnValue:
    if htmx:
        return render_template("shipping/_pack.html", view=view)
    return render_template("shipping/pack.html", view=view)


def _go_to(station_code: str) -> ResponseReturnValue:
    url = url_for("shipping.pack_station", station=station_code)
    if htmx:
        response = Response(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)


# ------------------------------------------------------------------ prints


def _pdf(file: PrintFile) -> Response:
    """Inline, so the browser opens it ready to print."""
    response = Response(file.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{file.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/pack/parcels/<int:parcel_id>/label.pdf")
def label_pdf(parcel_id: int) -> ResponseReturnValue:
    return _pdf(services.parcel_label(parcel_id, "PDF_4x6", _tracking_page()))


@bp.get("/pack/parcels/<int:parcel_id>/label.zpl")
def label_zpl(parcel_id: int) -> ResponseReturnValue:
    file = services.parcel_label(parcel_id, "ZPL", _tracking_page())
    response = Response(file.content, mimetype="application/x-zpl")
    response.headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/pack/parcels/<int:parcel_id>/slip.pdf")
def packing_slip(parcel_id: int) -> ResponseReturnValue:
    return _pdf(services.parcel_slip(parcel_id))


@bp.get("/shipping/manifests")
def manifests() -> ResponseReturnValue:
    day = _day(request.args.get("day", ""))
    return render_template("shipping/manifests.html", day=day, carriers=services.manifest_day(day))


@bp.get("/shipping/manifests/<day>.pdf")
def manifest_pdf(day: str) -> ResponseReturnValue:
    return _pdf(services.carrier_manifest(_day(day), request.args.get("carrier", "")))


@bp.get("/shipping/unconfirmed")
@role_required("supervisor")
def unconfirmed_labels() -> ResponseReturnValue:
    return _unconfirmed_page()


def _unconfirmed_page(error: str = "", status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "shipping/unconfirmed.html",
        parcels=services.unconfirmed_labels(),
        now=utcnow(),
        error=error,
    )
    return page, status


@bp.post("/shipping/unconfirmed/<int:parcel_id>/release")
@role_required("supervisor")
def release_label(parcel_id: int) -> ResponseReturnValue:
    try:
        message = services.release_label(parcel_id, _call_out(), current_user.id)
    except DomainError as error:
        db.session.rollback()
        return _unconfirmed_page(error.message, error.status)
    flash(message, "ok")
    return redirect(url_for("shipping.unconfirmed_labels"))


def _day(text: str) -> date:
    if not text:
        return today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text[:20]} is not a date; use YYYY-MM-DD.") from None


# ------------------------------------------------------------------ tracking (public)


@bp.get("/track/")
def track_form() -> ResponseReturnValue:
    number = request.args.get("number", "").strip()
    if number:
        return redirect(url_for("shipping.track", number=number))
    return render_template("shipping/track.html", parcel=None)


@bp.get("/track/<number>")
def track(number: str) -> ResponseReturnValue:
    return render_template("shipping/track.html", parcel=services.track_parcel(number))


# ------------------------------------------------------------------ admin


@bp.get("/shipping/setup")
@role_required("admin")
def setup_page() -> ResponseReturnValue:
    return _setup_page()


def _setup_page(error: str = "", status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "shipping/setup.html",
        boxes=setup.list_boxes(),
        stations=setup.list_stations(),
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
    flash(f"Box {box.code} saved.", "ok")
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
    flash(f"Pack station {station.location.code} saved.", "ok")
    return redirect(url_for("shipping.setup_page"))
