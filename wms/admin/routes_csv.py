"""CSV import (upload, progress, preview, import) and export."""

from __future__ import annotations

import csv
import io

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.admin import exports
from wms.admin import imports as svc
from wms.admin.formats import FORMATS, write_csv
from wms.admin.models import ImportKind
from wms.admin.routes import bp, csv_response
from wms.auth.decorators import role_required
from wms.base.errors import DomainError
from wms.database import page_number
from wms.extensions import htmx

KIND_LABELS = {
    ImportKind.PRODUCTS: "Products and barcodes",
    ImportKind.LOCATIONS: "Locations",
    ImportKind.STOCK: "Opening stock",
}
EXPORTS = {
    ImportKind.PRODUCTS: exports.export_products,
    ImportKind.LOCATIONS: exports.export_locations,
    ImportKind.STOCK: exports.export_stock,
}


def _data_page(
    problem: str | None = None, status: int = 200, kind: str = ""
) -> ResponseReturnValue:
    return (
        render_template(
            "admin/data.html",
            jobs=svc.recent_jobs(page_number(request.args.get("page"))),
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
        job = svc.start_import(kind, upload.filename if upload else "", raw, current_user.id)
    except DomainError as error:
        return _data_page(error.message, error.status, kind)
    return redirect(url_for("admin.import_job", job_id=job.id))


def _job_partial(job_id: int) -> ResponseReturnValue:
    job = svc.get_job(job_id)
    return render_template(
        "admin/_import_job.html",
        job=job,
        label=KIND_LABELS.get(job.kind, job.kind),
        errors=svc.job_errors(job.id, page_number(request.args.get("errors_page"))),
    )


@bp.get("/imports/<int:job_id>")
@role_required("admin")
def import_job(job_id: int) -> ResponseReturnValue:
    if htmx:
        return _job_partial(job_id)
    job = svc.get_job(job_id)
    return render_template(
        "admin/import_job.html",
        job=job,
        label=KIND_LABELS.get(job.kind, job.kind),
        errors=svc.job_errors(job.id, page_number(request.args.get("errors_page"))),
    )


@bp.post("/imports/<int:job_id>/step")
@role_required("admin")
def import_step(job_id: int) -> ResponseReturnValue:
    """The progress bar's poll: check the next chunk and answer with the job as it now is."""
    svc.check_next_chunk(job_id)
    return _job_partial(job_id)


@bp.post("/imports/<int:job_id>/apply")
@role_required("admin")
def import_apply(job_id: int) -> ResponseReturnValue:
    try:
        svc.apply_import(job_id, current_user.id)
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
    svc.discard_import(job_id, current_user.id)
    flash("Import discarded; nothing was written.", "ok")
    return redirect(url_for("admin.data"))


@bp.get("/imports/<int:job_id>/errors.csv")
@role_required("admin")
def import_errors_csv(job_id: int) -> ResponseReturnValue:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["row", "problem"])
    writer.writerows((r.row_no, r.message) for r in svc.all_errors(job_id))
    return csv_response(out.getvalue(), f"import-{job_id}-errors.csv")


@bp.get("/export/<kind>.csv")
@role_required("admin")
def export(kind: str) -> ResponseReturnValue:
    if kind not in EXPORTS:
        abort(404)
    return csv_response(EXPORTS[kind](), f"{kind}.csv")


@bp.get("/template/<kind>.csv")
@role_required("admin")
def template(kind: str) -> ResponseReturnValue:
    """An empty file with the header row, to fill in a spreadsheet."""
    if kind not in FORMATS:
        abort(404)
    return csv_response(write_csv(FORMATS[kind], []), f"{kind}-template.csv")
