from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from wms.auth.decorators import require_role_for_blueprint
from wms.base.errors import InvalidInput
from wms.core.models import Inbound, InboundStatus
from wms.extensions import db
from wms.inbounds import csvimport, services
from wms.prints.documents import DiscrepancyLine, DiscrepancyReport, render_discrepancy_report
from wms.receiving import queries as receiving
from wms.receiving.queries import tally
from wms.receiving.services import receive

bp = Blueprint("inbounds", __name__)
bp.before_request(require_role_for_blueprint("supervisor"))


PAGE = 50


@bp.get("/")
def index() -> ResponseReturnValue:
    status = request.args.get("status", "")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    stmt = select(Inbound)
    if status:
        stmt = stmt.where(Inbound.status == status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    inbounds = db.session.scalars(
        stmt.order_by(Inbound.expected_at.desc()).offset((page - 1) * PAGE).limit(PAGE)
    ).all()
    return render_template(
        "inbounds/index.html",
        inbounds=inbounds,
        status=status,
        statuses=[s.value for s in InboundStatus],
        page=page,
        pages=max(1, -(-int(total or 0) // PAGE)),
    )


@bp.get("/<int:inbound_id>")
def show(inbound_id: int) -> ResponseReturnValue:
    inbound = services.get_inbound(inbound_id)
    return render_template(
        "inbounds/show.html",
        inbound=inbound,
        tally=tally(inbound.id),
        unknown=receiving.unknown_units(inbound.id),
    )


@bp.post("/<int:inbound_id>/expected")
def change_expected(inbound_id: int) -> ResponseReturnValue:
    when = _when(request.form.get("expected_at", ""))
    inbound = services.change_expected_at(inbound_id, when)
    flash(f"{inbound.reference} now expected {when:%Y-%m-%d %H:%M}; fill dates moved.", "ok")
    return redirect(url_for("inbounds.show", inbound_id=inbound_id))


@bp.post("/<int:inbound_id>/close")
def close(inbound_id: int) -> ResponseReturnValue:
    receive.close_inbound(inbound_id, current_user.id)
    return redirect(url_for("inbounds.report", inbound_id=inbound_id))


@bp.get("/<int:inbound_id>/report")
def report(inbound_id: int) -> ResponseReturnValue:
    inbound = services.get_inbound(inbound_id)
    return render_template(
        "inbounds/report.html",
        inbound=inbound,
        tally=tally(inbound.id),
        unknown=receiving.unknown_units(inbound.id),
    )


@bp.get("/<int:inbound_id>/report.pdf")
def report_pdf(inbound_id: int) -> ResponseReturnValue:
    inbound = services.get_inbound(inbound_id)
    pdf = render_discrepancy_report(
        DiscrepancyReport(
            inbound_reference=inbound.reference,
            supplier=inbound.supplier,
            lines=[
                DiscrepancyLine(t.sku, t.name, t.expected, t.received, t.damaged)
                for t in tally(inbound.id)
            ],
            expected_date=inbound.expected_at.date(),
            closed_at=inbound.closed_at,
        )
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{inbound.reference}-report.pdf"'},
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("inbounds/new.html", form={})
    form = request.form
    lines = []
    for n, raw in enumerate(form.get("lines", "").splitlines(), start=1):
        if not raw.strip():
            continue
        sku, _, qty = raw.replace(";", ",").partition(",")
        if not qty.strip().isdigit() or int(qty) <= 0:
            raise InvalidInput(f"Line {n}: write 'SKU, quantity' with a quantity above zero.")
        lines.append(services.NewInboundLine(sku.strip(), int(qty)))
    if not lines:
        raise InvalidInput("Add at least one line: 'SKU, quantity'.")
    inbound, _ = services.create_inbound(
        reference=form.get("reference", "").strip() or _missing("reference"),
        expected_at=_when(form.get("expected_at", "")),
        lines=lines,
        kind=form.get("kind", "asn"),
        supplier=form.get("supplier", "").strip(),
    )
    flash(f"Inbound {inbound.reference} created.", "ok")
    return redirect(url_for("inbounds.show", inbound_id=inbound.id))


@bp.route("/import", methods=["GET", "POST"])
def import_csv() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("inbounds/import.html", parsed=None)
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        raw = upload.read()
    else:
        raw = request.form.get("csv", "").encode()
    if not raw.strip():
        raise InvalidInput("Choose a CSV file.")
    parsed = csvimport.parse(raw)
    if parsed.errors or request.form.get("confirm") != "1":
        # Preview: nothing is written until the supervisor confirms a clean file.
        status = 422 if parsed.errors else 200
        return render_template(
            "inbounds/import.html", parsed=parsed, csv=raw.decode("utf-8-sig", "replace")
        ), status
    for item in parsed.inbounds:
        services.create_inbound(
            reference=item.reference,
            expected_at=item.expected_at,
            lines=[services.NewInboundLine(sku, qty) for sku, qty in item.lines.items()],
            supplier=item.supplier,
        )
    flash(f"{len(parsed.inbounds)} inbound(s) imported.", "ok")
    return redirect(url_for("inbounds.index"))


def _when(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput("Give the expected time as 2026-11-24T09:00.") from exc


def _missing(what: str) -> str:
    raise InvalidInput(f"The {what} is required.")
