"""Admin screens: the index, products and their barcodes, product labels."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from wms.admin import products as svc
from wms.auth.audit import history
from wms.auth.decorators import require_role_for_blueprint, role_required
from wms.base.codes import short_code
from wms.base.errors import DomainError, InvalidInput
from wms.database import page_number
from wms.extensions import db, htmx
from wms.inventory import availability, fields
from wms.inventory.models import BarcodeKind, Product
from wms.prints.sheets import ProductLabel, render_product_labels

bp = Blueprint("admin", __name__)
# Supervisors may read the catalogue; every change needs an admin (checked per route).
bp.before_request(require_role_for_blueprint("supervisor"))


MAX_LABELS = 3000


def pdf_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def csv_response(text: str, filename: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def list_or_partial(page_template: str, partial: str, **context: Any) -> ResponseReturnValue:
    """The list page, or just its results for the filter form's htmx request."""
    if htmx and htmx.target == "results":
        return render_template(partial, **context)
    return render_template(page_template, **context)


def ids_arg() -> list[int]:
    raw = request.args.getlist("id") or request.args.get("ids", "").split(",")
    return sorted({int(v) for v in raw if v.strip().isdigit()})[:MAX_LABELS]


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("admin/index.html")


# ------------------------------------------------------------------ products


def _product_filter() -> svc.ProductFilter:
    return svc.ProductFilter(
        q=request.args.get("q", "")[:100],
        status=request.args.get("status", "active"),
        backorder=request.args.get("backorder", ""),
        preorder=request.args.get("preorder") == "1",
    )


@bp.get("/products")
def products() -> ResponseReturnValue:
    flt = _product_filter()
    page = svc.search_products(flt, page_number(request.args.get("page")))
    return list_or_partial("admin/products.html", "admin/_products_table.html", page=page, flt=flt)


@bp.route("/products/new", methods=["GET", "POST"])
@role_required("admin")
def product_new() -> ResponseReturnValue:
    form = request.form
    if request.method == "GET":
        return render_template("admin/product_new.html", form={}, problems=[], kinds=BarcodeKind)
    try:
        values = svc.read_product_form(form, creating=True)
        barcodes = []
        if form.get("barcode", "").strip():
            barcodes = [
                fields.barcode(
                    form["barcode"], form.get("barcode_kind"), form.get("barcode_units") or 1
                )
            ]
        product = svc.create_product(values, barcodes, current_user.id)
    except fields.FieldError as error:
        return _product_new_again(form, [str(error)], 422)
    except svc.FormProblems as error:
        return _product_new_again(form, error.problems, error.status)
    except DomainError as error:
        return _product_new_again(form, [error.message], error.status)
    flash(f"Product {product.sku} created.", "ok")
    return redirect(url_for("admin.product", product_id=product.id))


def _product_new_again(form: Any, problems: list[str], status: int) -> ResponseReturnValue:
    return (
        render_template("admin/product_new.html", form=form, problems=problems, kinds=BarcodeKind),
        status,
    )


def _product_page(
    product_id: int, problems: list[str] | None = None, form: Any = None, status: int = 200
) -> ResponseReturnValue:
    product = svc.get_product(product_id)
    return (
        render_template(
            "admin/product.html",
            product=product,
            values=svc.product_values(product),
            form=form,
            problems=problems or [],
            figures=availability.for_product(product.id),
            stock=svc.on_hand_by_location(product.id),
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
        changed = svc.update_product(
            product_id, svc.read_product_form(request.form, creating=False), current_user.id
        )
    except svc.FormProblems as error:
        return _product_page(product_id, error.problems, request.form, error.status)
    flash("Saved." if changed else "Nothing changed.", "ok")
    return redirect(url_for("admin.product", product_id=product_id))


@bp.post("/products/<int:product_id>/active")
@role_required("admin")
def product_active(product_id: int) -> ResponseReturnValue:
    active = request.form.get("active") == "1"
    try:
        svc.set_product_active(product_id, active, current_user.id)
    except DomainError as error:
        return _product_page(product_id, [error.message], status=error.status)
    flash(
        "Product reactivated."
        if active
        else "Product deactivated: channels can no longer order it.",
        "ok",
    )
    return redirect(url_for("admin.product", product_id=product_id))


@bp.post("/products/<int:product_id>/barcodes")
@role_required("admin")
def barcode_add(product_id: int) -> ResponseReturnValue:
    form = request.form
    try:
        spec = fields.barcode(form.get("code"), form.get("kind"), form.get("units") or 1)
        svc.add_barcode(product_id, spec, current_user.id)
    except fields.FieldError as error:
        return _product_page(product_id, [str(error)], status=422)
    except DomainError as error:
        return _product_page(product_id, [error.message], status=error.status)
    flash(f"Barcode {spec.code} added.", "ok")
    return redirect(url_for("admin.product", product_id=product_id))


@bp.post("/products/<int:product_id>/barcodes/<int:barcode_id>/remove")
@role_required("admin")
def barcode_remove(product_id: int, barcode_id: int) -> ResponseReturnValue:
    code = svc.remove_barcode(product_id, barcode_id, current_user.id)
    flash(f"Barcode {code} removed.", "ok")
    return redirect(url_for("admin.product", product_id=product_id))


@bp.get("/products/labels.pdf")
def product_labels() -> ResponseReturnValue:
    """Labels for the products picked (``id``), or for every product the filter finds."""
    ids = ids_arg()
    if ids:
        found = list(
            db.session.scalars(select(Product).where(Product.id.in_(ids)).order_by(Product.sku))
        )
    else:
        found = svc.search_products(_product_filter(), 1, per_page=MAX_LABELS).items
    if not found:
        raise InvalidInput("No products to print.")
    labels = [ProductLabel(p.sku, p.name, _label_barcode(p), short_code("P", p.id)) for p in found]
    return pdf_response(render_product_labels(labels, _page_size()), "product-labels.pdf")


def _label_barcode(product: Product) -> str:
    """The barcode on a unit: its EAN-13 or UPC if it has one, else its first single-unit code."""
    singles = [b for b in product.barcodes if b.units == 1]
    for kind in (BarcodeKind.EAN13, BarcodeKind.UPC):
        for b in singles:
            if b.kind == kind:
                return b.code
    return singles[0].code if singles else ""


def _page_size() -> str:
    return "LETTER" if request.args.get("page_size", "").upper() == "LETTER" else "A4"


@bp.app_template_global("admin_can_edit")
def can_edit() -> bool:
    return bool(current_user.is_authenticated and current_user.has_role("admin"))
