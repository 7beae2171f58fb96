"""The set-up screens (one audience: supervisors read the catalogue and the locations,
admins change them): products and barcodes, locations, users, channels, CSV import and
export, labels and badges."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.admin import prints, queries
from wms.admin.models import ImportKind
from wms.admin.rules import FORMATS, write_csv
from wms.admin.services import accounts, catalogue, imports, places
from wms.auth.audit import history
from wms.auth.decorators import require_role_for_blueprint, role_required
from wms.auth.models import ROLE_LABELS, Role
from wms.base.errors import DomainError, FormProblems
from wms.base.i18n import N_, Joined, _, n_
from wms.database import page_number
from wms.extensions import htmx
from wms.inventory import availability, fields
from wms.inventory.fields import BARCODE_KINDS, LOCATION_KINDS
from wms.inventory.models import (
    BARCODE_KIND_LABELS,
    LOCATION_KIND_LABELS,
    BarcodeKind,
    LocationKind,
)
from wms.inventory.queries import location_contents, units_in_location

bp = Blueprint("admin", __name__)


# Supervisors may read the catalogue; every change needs an admin (checked per route).
bp.before_request(require_role_for_blueprint("supervisor"))


def _pdf_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _csv_response(text: str, filename: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _list_or_partial(page_template: str, partial: str, **context: Any) -> ResponseReturnValue:
    """The list page, or just its results for the filter form's htmx request."""
    if htmx and htmx.target == "results":
        return render_template(partial, **context)
    return render_template(page_template, **context)


def _ids_arg() -> list[int]:
    raw = request.args.getlist("id") or request.args.get("ids", "").split(",")
    return sorted({int(v) for v in raw if v.strip().isdigit()})[: prints.MAX_LABELS]


def _problems(error: DomainError) -> list[str]:
    """What to show above a form: each field's problem, or the one refusal."""
    return error.problems if isinstance(error, FormProblems) else [error.message]


def _page_size() -> str:
    return "LETTER" if request.args.get("page_size", "").upper() == "LETTER" else "A4"


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("admin/index.html")


# -------------------------------------------------------------------- products


def _product_filter() -> queries.ProductFilter:
    return queries.ProductFilter(
        q=request.args.get("q", "")[:100],
        status=request.args.get("status", "active"),
        backorder=request.args.get("backorder", ""),
        preorder=request.args.get("preorder") == "1",
    )


@bp.get("/products")
def products() -> ResponseReturnValue:
    flt = _product_filter()
    page = queries.search_products(flt, page_number(request.args.get("page")))
    return _list_or_partial("admin/products.html", "admin/_products_table.html", page=page, flt=flt)


@bp.route("/products/new", methods=["GET", "POST"])
@role_required("admin")
def product_new() -> ResponseReturnValue:
    form = request.form
    if request.method == "GET":
        return render_template("admin/product_new.html", form={}, problems=[], kinds=BarcodeKind)
    try:
        values = catalogue.read_product_form(form, creating=True)
        barcodes = []
        if form.get("barcode", "").strip():
            barcodes = [
                fields.barcode(
                    form["barcode"], form.get("barcode_kind"), form.get("barcode_units") or 1
                )
            ]
        product = catalogue.create_product(values, barcodes, current_user.id)
    except fields.FieldError as error:
        return _product_new_again(form, [str(error)], 422)
    except DomainError as error:
        return _product_new_again(form, _problems(error), error.status)
    flash(_("Product %(sku)s created.", sku=product.sku), "ok")
    return redirect(url_for("admin.product", product_id=product.id))


def _product_new_again(form: Any, problems: list[str], status: int) -> ResponseReturnValue:
    return (
        render_template("admin/product_new.html", form=form, problems=problems, kinds=BarcodeKind),
        status,
    )


def _product_page(
    product_id: int, problems: list[str] | None = None, form: Any = None, status: int = 200
) -> ResponseReturnValue:
    product = catalogue.get_product(product_id)
    return (
        render_template(
            "admin/product.html",
            product=product,
            values=catalogue.product_values(product),
            form=form,
            problems=problems or [],
            figures=availability.for_product(product.id),
            stock=queries.on_hand_by_location(product.id),
            events=history("product", product.id),
            kinds=BarcodeKind,
            money=fields.format_money,
        ),
        status,
    )


@bp.get("/products/<int:product_id>")
def product(product_id: int) -> ResponseReturnValue:
    return _product_page(product_id)


@bp.post("/products/<int:product_id>")
@role_required("admin")
def product_update(product_id: int) -> ResponseReturnValue:
    try:
        changed = catalogue.update_product(
            product_id, catalogue.read_product_form(request.form, creating=False), current_user.id
        )
    except FormProblems as error:
        return _product_page(product_id, error.problems, request.form, error.status)
    flash(_("Saved.") if changed else _("Nothing changed."), "ok")
    return redirect(url_for("admin.product", product_id=product_id))


@bp.post("/products/<int:product_id>/active")
@role_required("admin")
def product_active(product_id: int) -> ResponseReturnValue:
    active = request.form.get("active") == "1"
    try:
        catalogue.set_product_active(product_id, active, current_user.id)
    except DomainError as error:
        return _product_page(product_id, [error.message], status=error.status)
    flash(
        _("Product reactivated.")
        if active
        else _("Product deactivated: channels can no longer order it."),
        "ok",
    )
    return redirect(url_for("admin.product", product_id=product_id))


@bp.post("/products/<int:product_id>/barcodes")
@role_required("admin")
def barcode_add(product_id: int) -> ResponseReturnValue:
    form = request.form
    try:
        spec = fields.barcode(form.get("code"), form.get("kind"), form.get("units") or 1)
        catalogue.add_barcode(product_id, spec, current_user.id)
    except fields.FieldError as error:
        return _product_page(product_id, [str(error)], status=422)
    except DomainError as error:
        return _product_page(product_id, [error.message], status=error.status)
    flash(_("Barcode %(code)s added.", code=spec.code), "ok")
    return redirect(url_for("admin.product", product_id=product_id))


@bp.post("/products/<int:product_id>/barcodes/<int:barcode_id>/remove")
@role_required("admin")
def barcode_remove(product_id: int, barcode_id: int) -> ResponseReturnValue:
    code = catalogue.remove_barcode(product_id, barcode_id, current_user.id)
    flash(_("Barcode %(code)s removed.", code=code), "ok")
    return redirect(url_for("admin.product", product_id=product_id))


@bp.get("/products/labels.pdf")
def product_labels() -> ResponseReturnValue:
    pdf = prints.product_labels(_ids_arg(), _product_filter(), _page_size())
    return _pdf_response(pdf, "product-labels.pdf")


@bp.app_template_global("barcode_kind_label")
def barcode_kind_label(kind: str) -> str:
    """A barcode's kind as people name it; the empty choice reads the kind from the code."""
    if not kind:
        return str(_("from the code"))
    return str(_(BARCODE_KIND_LABELS[BarcodeKind(kind)])) if kind in BARCODE_KINDS else kind


@bp.app_template_global("location_kind_label")
def location_kind_label(kind: str) -> str:
    """A location's kind as people name it."""
    return str(_(LOCATION_KIND_LABELS[LocationKind(kind)])) if kind in LOCATION_KINDS else kind


@bp.app_template_global("admin_can_edit")
def can_edit() -> bool:
    return bool(current_user.is_authenticated and current_user.has_role("admin"))


# ----------------------------------------------------------------------- users


@bp.get("/users")
@role_required("admin")
def users() -> ResponseReturnValue:
    q, role, status = (
        request.args.get("q", "")[:100],
        request.args.get("role", ""),
        request.args.get("status", "active"),
    )
    page = queries.search_users(q, role, status, page_number(request.args.get("page")))
    return _list_or_partial(
        "admin/users.html",
        "admin/_users_table.html",
        page=page,
        q=q,
        role=role,
        status=status,
        roles=Role,
        role_labels=ROLE_LABELS,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@role_required("admin")
def user_new() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template(
            "admin/user_new.html",
            form={"role": "operator"},
            problems=[],
            roles=Role,
            role_labels=ROLE_LABELS,
        )
    try:
        user = accounts.create_user(
            accounts.read_user_form(request.form, creating=True), current_user.id
        )
    except DomainError as error:
        return render_template(
            "admin/user_new.html",
            form=request.form,
            problems=_problems(error),
            roles=Role,
            role_labels=ROLE_LABELS,
        ), error.status
    flash(
        _(
            "User %(username)s created with badge %(badge)s.",
            username=user.username,
            badge=user.badge_code,
        ),
        "ok",
    )
    return redirect(url_for("admin.user", user_id=user.id))


def _user_page(
    user_id: int, problems: list[str] | None = None, status: int = 200
) -> ResponseReturnValue:
    user = accounts.get_user(user_id)
    return (
        render_template(
            "admin/user.html",
            user=user,
            problems=problems or [],
            events=history("user", user.id),
            roles=Role,
            role_labels=ROLE_LABELS,
        ),
        status,
    )


@bp.get("/users/<int:user_id>")
@role_required("admin")
def user(user_id: int) -> ResponseReturnValue:
    return _user_page(user_id)


@bp.post("/users/<int:user_id>")
@role_required("admin")
def user_update(user_id: int) -> ResponseReturnValue:
    try:
        changed = accounts.update_user(
            user_id, accounts.read_user_form(request.form, creating=False), current_user.id
        )
    except DomainError as error:
        return _user_page(user_id, _problems(error), error.status)
    flash(_("Saved.") if changed else _("Nothing changed."), "ok")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
@role_required("admin")
def user_password(user_id: int) -> ResponseReturnValue:
    try:
        accounts.set_password(user_id, request.form.get("password", ""), current_user.id)
    except DomainError as error:
        return _user_page(user_id, [error.message], error.status)
    flash(_("Password changed."), "ok")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
@role_required("admin")
def user_active(user_id: int) -> ResponseReturnValue:
    active = request.form.get("active") == "1"
    try:
        accounts.set_user_active(user_id, active, current_user.id)
    except DomainError as error:
        return _user_page(user_id, [error.message], error.status)
    flash(
        _("User reactivated.") if active else _("User deactivated: they can no longer log in."),
        "ok",
    )
    return redirect(url_for("admin.user", user_id=user_id))


@bp.get("/users/badges.pdf")
@role_required("admin")
def user_badges() -> ResponseReturnValue:
    """Printable badges for the users picked, or one user."""
    return _pdf_response(prints.badges(_ids_arg(), _page_size()), "badges.pdf")


# -------------------------------------------------------------------- channels


@bp.get("/channels")
@role_required("admin")
def channels() -> ResponseReturnValue:
    return render_template("admin/channels.html", channels=queries.list_channels())


def _issued(issued: accounts.Issued, what: str) -> ResponseReturnValue:
    """Secrets are shown in this answer only (if the change cannot be saved, the
    request answers with an error instead)."""
    return render_template("admin/channel_secrets.html", issued=issued, what=what)


@bp.route("/channels/new", methods=["GET", "POST"])
@role_required("admin")
def channel_new() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("admin/channel_new.html", form={}, problems=[])
    try:
        issued = accounts.create_channel(
            accounts.read_channel_form(request.form, creating=True), current_user.id
        )
    except DomainError as error:
        return render_template(
            "admin/channel_new.html", form=request.form, problems=_problems(error)
        ), error.status
    return _issued(issued, "created")


def _channel_page(
    channel_id: int, problems: list[str] | None = None, form: Any = None, status: int = 200
) -> ResponseReturnValue:
    channel = accounts.get_channel(channel_id)
    return (
        render_template(
            "admin/channel.html",
            channel=channel,
            form=form,
            problems=problems or [],
            events=history("channel", channel.id),
        ),
        status,
    )


@bp.get("/channels/<int:channel_id>")
@role_required("admin")
def channel(channel_id: int) -> ResponseReturnValue:
    return _channel_page(channel_id)


@bp.post("/channels/<int:channel_id>")
@role_required("admin")
def channel_update(channel_id: int) -> ResponseReturnValue:
    try:
        issued = accounts.update_channel(
            channel_id, accounts.read_channel_form(request.form, creating=False), current_user.id
        )
    except FormProblems as error:
        return _channel_page(channel_id, error.problems, request.form, 422)
    if issued.webhook_secret:
        return _issued(issued, "webhook")
    flash(_("Saved."), "ok")
    return redirect(url_for("admin.channel", channel_id=channel_id))


@bp.post("/channels/<int:channel_id>/token")
@role_required("admin")
def channel_token(channel_id: int) -> ResponseReturnValue:
    return _issued(accounts.rotate_token(channel_id, current_user.id), "token")


@bp.post("/channels/<int:channel_id>/secret")
@role_required("admin")
def channel_secret(channel_id: int) -> ResponseReturnValue:
    try:
        issued = accounts.rotate_webhook_secret(channel_id, current_user.id)
    except DomainError as error:
        return _channel_page(channel_id, [error.message], status=error.status)
    return _issued(issued, "secret")


@bp.post("/channels/<int:channel_id>/active")
@role_required("admin")
def channel_active(channel_id: int) -> ResponseReturnValue:
    active = request.form.get("active") == "1"
    try:
        accounts.set_channel_active(channel_id, active, current_user.id)
    except DomainError as error:
        return _channel_page(channel_id, [error.message], status=error.status)
    flash(
        _("Channel reactivated.")
        if active
        else _("Channel deactivated: its token no longer works."),
        "ok",
    )
    return redirect(url_for("admin.channel", channel_id=channel_id))


# ------------------------------------------------------------------- locations


PREVIEW_SHOWN = 24


def _location_filter() -> queries.LocationFilter:
    return queries.LocationFilter(
        q=request.args.get("q", "")[:100],
        kind=request.args.get("kind", ""),
        zone=request.args.get("zone", "")[:20],
        status=request.args.get("status", "active"),
        flagged=request.args.get("flagged") == "1",
    )


@bp.get("/locations")
def locations() -> ResponseReturnValue:
    flt = _location_filter()
    page = queries.search_locations(flt, page_number(request.args.get("page")))
    return _list_or_partial(
        "admin/locations.html",
        "admin/_locations_table.html",
        page=page,
        flt=flt,
        units=queries.units_by_location([loc.id for loc in page.items]),
        kinds=LocationKind,
        zones=queries.zones(),
    )


@bp.route("/locations/new", methods=["GET", "POST"])
@role_required("admin")
def location_new() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("admin/location_new.html", form={}, problems=[], kinds=LocationKind)
    try:
        location = places.create_location(
            places.read_location_form(request.form, creating=True), current_user.id
        )
    except DomainError as error:
        return _new_again(_problems(error), error.status)
    flash(_("Location %(code)s created.", code=location.code), "ok")
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
    location = places.get_location(location_id)
    return (
        render_template(
            "admin/location.html",
            location=location,
            form=form,
            problems=problems or [],
            contents=location_contents(location.id),
            held=units_in_location(location.id),
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
        values = places.read_location_form(request.form, creating=False)
        changed = places.update_location(location_id, values, current_user.id)
    except DomainError as error:
        return _location_page(location_id, _problems(error), request.form, error.status)
    flash(_("Saved.") if changed else _("Nothing changed."), "ok")
    return redirect(url_for("admin.location", location_id=location_id))


@bp.post("/locations/<int:location_id>/active")
@role_required("admin")
def location_active(location_id: int) -> ResponseReturnValue:
    active = request.form.get("active") == "1"
    try:
        places.set_location_active(location_id, active, current_user.id)
    except DomainError as error:
        return _location_page(location_id, [error.message], status=error.status)
    flash(_("Location reactivated.") if active else _("Location deactivated."), "ok")
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
        return _pattern_page(form)
    try:
        pattern = places.read_pattern_form(form)
    except fields.FieldError as error:
        return _pattern_page(form, problems=[str(error)]), 422
    plan = pattern.plan
    if form.get("action") != "create":
        taken = queries.existing_codes([p.code for p in plan])
        return _pattern_page(form, plan=plan, shown=plan[:PREVIEW_SHOWN], taken=taken)
    result = places.create_bins(pattern, current_user.id)
    created = n_("%(num)s location created.", "%(num)s locations created.", result.created)
    skipped = n_(
        "%(num)s existed already and was left as it was.",
        "%(num)s existed already and were left as they were.",
        len(result.skipped),
    )
    flash(Joined([created, skipped]) if result.skipped else created, "ok")
    first, last = plan[0].code, plan[-1].code
    return redirect(url_for("admin.locations", q=_common_prefix(first, last), status="all"))


def _pattern_page(form: Any, problems: list[str] | None = None, **plan: Any) -> str:
    return render_template(
        "admin/location_pattern.html",
        form=form,
        problems=problems or [],
        kinds=LocationKind,
        **({"plan": None} | plan),
    )


def _common_prefix(a: str, b: str) -> str:
    out = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        out.append(x)
    return "".join(out)


@bp.get("/locations/labels.pdf")
def location_labels() -> ResponseReturnValue:
    pdf = prints.location_labels(_ids_arg(), _location_filter(), _page_size())
    return _pdf_response(pdf, "location-labels.pdf")


# ------------------------------------------------------- CSV import and export


KIND_LABELS = {
    ImportKind.PRODUCTS: N_("Products and barcodes"),
    ImportKind.LOCATIONS: N_("Locations"),
    ImportKind.STOCK: N_("Opening stock"),
}


def _data_page(
    problem: str | None = None, status: int = 200, kind: str = ""
) -> ResponseReturnValue:
    return (
        render_template(
            "admin/data.html",
            jobs=queries.recent_jobs(page_number(request.args.get("page"))),
            formats=FORMATS,
            labels=KIND_LABELS,
            problem=problem,
            kind=kind,
        ),
        status,
    )


@bp.get("/data")
@role_required("admin")
def data() -> ResponseReturnValue:
    return _data_page()


@bp.post("/imports")
@role_required("admin")
def import_upload() -> ResponseReturnValue:
    upload = request.files.get("file")
    kind = request.form.get("kind", "")
    raw = upload.read() if upload else b""
    try:
        job = imports.start_import(kind, upload.filename if upload else "", raw, current_user.id)
    except DomainError as error:
        return _data_page(error.message, error.status, kind)
    return redirect(url_for("admin.import_job", job_id=job.id))


def _job_partial(job_id: int, template: str = "admin/_import_job.html") -> ResponseReturnValue:
    """The job as it now is: its progress, its preview and a page of its bad rows."""
    job = imports.get_job(job_id)
    return render_template(
        template,
        job=job,
        label=_(KIND_LABELS[job.kind]) if job.kind in KIND_LABELS else job.kind,
        errors=queries.job_errors(job.id, page_number(request.args.get("errors_page"))),
    )


@bp.get("/imports/<int:job_id>")
@role_required("admin")
def import_job(job_id: int) -> ResponseReturnValue:
    return _job_partial(job_id, "admin/_import_job.html" if htmx else "admin/import_job.html")


@bp.post("/imports/<int:job_id>/step")
@role_required("admin")
def import_step(job_id: int) -> ResponseReturnValue:
    """The progress bar's poll: check the next chunk and answer with the job as it now is."""
    imports.check_next_chunk(job_id)
    return _job_partial(job_id)


@bp.post("/imports/<int:job_id>/apply")
@role_required("admin")
def import_apply(job_id: int) -> ResponseReturnValue:
    try:
        imports.apply_import(job_id, current_user.id)
    except DomainError as error:
        flash(error.message, "error")
        return (
            _job_partial(job_id) if htmx else redirect(url_for("admin.import_job", job_id=job_id))
        )
    if htmx:
        return _job_partial(job_id)
    return redirect(url_for("admin.import_job", job_id=job_id))


@bp.post("/imports/<int:job_id>/discard")
@role_required("admin")
def import_discard(job_id: int) -> ResponseReturnValue:
    imports.discard_import(job_id, current_user.id)
    flash(_("Import discarded; nothing was written."), "ok")
    return redirect(url_for("admin.data"))


@bp.get("/imports/<int:job_id>/errors.csv")
@role_required("admin")
def import_errors_csv(job_id: int) -> ResponseReturnValue:
    return _csv_response(queries.errors_csv(job_id), f"import-{job_id}-errors.csv")


@bp.get("/export/<kind>.csv")
@role_required("admin")
def export(kind: str) -> ResponseReturnValue:
    if kind not in queries.EXPORTS:
        abort(404)
    return _csv_response(queries.EXPORTS[kind](), f"{kind}.csv")


@bp.get("/template/<kind>.csv")
@role_required("admin")
def template(kind: str) -> ResponseReturnValue:
    """An empty file with the header row, to fill in a spreadsheet."""
    if kind not in FORMATS:
        abort(404)
    return _csv_response(write_csv(FORMATS[kind], []), f"{kind}-template.csv")
