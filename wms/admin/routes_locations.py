"""Admin screens for locations: list, one at a time, a pattern of bins, labels."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from wms.admin import locations as svc
from wms.admin.patterns import plan_bins
from wms.admin.products import FormProblems
from wms.admin.routes import MAX_LABELS, bp, ids_arg, list_or_partial, pdf_response
from wms.auth.audit import history
from wms.auth.decorators import role_required
from wms.base.codes import short_code
from wms.base.errors import DomainError, InvalidInput
from wms.database import page_number
from wms.extensions import db
from wms.inventory import fields
from wms.inventory.models import Location, LocationKind
from wms.inventory.services import location_contents
from wms.prints.sheets import LocationLabel, render_location_labels

PREVIEW_SHOWN = 24


def _filter() -> svc.LocationFilter:
    return svc.LocationFilter(
        q=request.args.get("q", "")[:100],
        kind=request.args.get("kind", ""),
        zone=request.args.get("zone", "")[:20],
        status=request.args.get("status", "active"),
        flagged=request.args.get("flagged") == "1",
    )


@bp.get("/locations")
def locations() -> ResponseReturnValue:
    flt = _filter()
    page = svc.search_locations(flt, page_number(request.args.get("page")))
    return list_or_partial(
        "admin/locations.html",
        "admin/_locations_table.html",
        page=page,
        flt=flt,
        units=svc.units_by_location([loc.id for loc in page.items]),
        kinds=LocationKind,
        zones=svc.zones(),
    )


@bp.route("/locations/new", methods=["GET", "POST"])
@role_required("admin")
def location_new() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("admin/location_new.html", form={}, problems=[], kinds=LocationKind)
    try:
        location = svc.create_location(
            svc.read_location_form(request.form, creating=True), current_user.id
        )
    except FormProblems as error:
        return _new_again(error.problems, error.status)
    except DomainError as error:
        return _new_again([error.message], error.status)
    flash(f"Location {location.code} created.", "ok")
    return redirect(url_for("admin.location", location_id=location.id))


def _new_again(problems: list[str], status: int) -> ResponseReturnValue:
    return (
        render_template(
            "admin/location_new.html", form=request.form, problems=problems, kinds=LocationKind
        ),
        status,
    )


def _location_page(
    location_id: int, problems: list[str] | None = None, form: Any = None, status: int = 200
) -> ResponseReturnValue:
    location = svc.get_location(location_id)
    return (
        render_template(
            "admin/location.html",
            location=location,
            form=form,
            problems=problems or [],
            contents=location_contents(location.id),
            held=svc.units_held(location.id),
            events=history("location", location.id),
            kinds=LocationKind,
        ),
        status,
    )


@bp.get("/locations/<int:location_id>")
def location(location_id: int) -> ResponseReturnValue:
    return _location_page(location_id)


@bp.post("/locations/<int:location_id>")
@role_required("admin")
def location_update(location_id: int) -> ResponseReturnValue:
    try:
        values = svc.read_location_form(request.form, creating=False)
        changed = svc.update_location(location_id, values, current_user.id)
    except FormProblems as error:
        return _location_page(location_id, error.problems, request.form, error.status)
    except DomainError as error:
        return _location_page(location_id, [error.message], request.form, error.status)
    flash("Saved." if changed else "Nothing changed.", "ok")
    return redirect(url_for("admin.location", location_id=location_id))


@bp.post("/locations/<int:location_id>/active")
@role_required("admin")
def location_active(location_id: int) -> ResponseReturnValue:
    active = request.form.get("active") == "1"
    try:
        svc.set_location_active(location_id, active, current_user.id)
    except DomainError as error:
        return _location_page(location_id, [error.message], status=error.status)
    flash("Location reactivated." if active else "Location deactivated.", "ok")
    return redirect(url_for("admin.location", location_id=location_id))


@bp.route("/locations/pattern", methods=["GET", "POST"])
@role_required("admin")
def location_pattern() -> ResponseReturnValue:
    """Bins in bulk: a preview first, then the same form creates them."""
    form = (
        request.form
        if request.method == "POST"
        else {
            "aisles": "A-F",
            "bays": "01-20",
            "levels": "1-4",
            "separator": "-",
            "first_seq": "10",
            "step": "10",
            "serpentine": "1",
            "zone_by_aisle": "1",
            "kind": "bin",
        }
    )
    if request.method == "GET":
        return render_template(
            "admin/location_pattern.html", form=form, problems=[], plan=None, kinds=LocationKind
        )
    try:
        plan = plan_bins(
            form.get("aisles", ""),
            form.get("bays", ""),
            form.get("levels", ""),
            separator=form.get("separator", "-"),
            first_seq=fields.required_integer(form.get("first_seq"), "The first sequence number"),
            step=fields.required_integer(form.get("step"), "The step", minimum=1),
            serpentine=form.get("serpentine") == "1",
        )
        kind = fields.location_kind(form.get("kind") or "bin")
        capacity = fields.integer(form.get("capacity"), "Capacity", default=None)
        zone = fields.text(form.get("zone"), "Zone", max_len=20)
        for planned in plan:
            fields.location_code(planned.code)
    except fields.FieldError as error:
        return render_template(
            "admin/location_pattern.html",
            form=form,
            problems=[str(error)],
            plan=None,
            kinds=LocationKind,
        ), 422
    taken = svc.existing_codes([p.code for p in plan])
    if form.get("action") != "create":
        return render_template(
            "admin/location_pattern.html",
            form=form,
            problems=[],
            plan=plan,
            shown=plan[:PREVIEW_SHOWN],
            taken=taken,
            kinds=LocationKind,
        )
    result = svc.create_bins(
        plan,
        kind=kind,
        zone=zone,
        zone_by_aisle=form.get("zone_by_aisle") == "1",
        capacity=capacity,
        user_id=current_user.id,
    )
    skipped = (
        f" {len(result.skipped)} existed already and were left as they were."
        if result.skipped
        else ""
    )
    flash(f"{result.created} locations created.{skipped}", "ok")
    first, last = plan[0].code, plan[-1].code
    return redirect(url_for("admin.locations", q=_common_prefix(first, last), status="all"))


def _common_prefix(a: str, b: str) -> str:
    out = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        out.append(x)
    return "".join(out)


@bp.get("/locations/labels.pdf")
def location_labels() -> ResponseReturnValue:
    """Labels for the locations picked (``id``), or for every location the filter finds."""
    ids = ids_arg()
    if ids:
        found = list(
            db.session.scalars(
                select(Location)
                .where(Location.id.in_(ids))
                .order_by(Location.walk_seq, Location.code)
            )
        )
    else:
        found = svc.search_locations(_filter(), 1, per_page=MAX_LABELS).items
    if not found:
        raise InvalidInput("No locations to print.")
    labels = [
        LocationLabel(loc.code, loc.name, loc.kind.replace("_", " "), short_code("L", loc.id))
        for loc in found
    ]
    page_size = "LETTER" if request.args.get("page_size", "").upper() == "LETTER" else "A4"
    return pdf_response(render_location_labels(labels, page_size), "location-labels.pdf")
