from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.auth.decorators import require_role_for_blueprint
from wms.base.errors import InvalidInput
from wms.base.i18n import _, n_
from wms.core.models import INBOUND_KIND_LABELS, INBOUND_STATUS_LABELS, InboundKind, InboundStatus
from wms.database import page_number
from wms.i18n import format_datetime
from wms.inbounds import prints, queries, rules, services
from wms.receiving import queries as receiving
from wms.receiving.services import receive

bp = Blueprint("inbounds", __name__)
bp.before_request(require_role_for_blueprint("supervisor"))


@bp.get("/")
def index() -> ResponseReturnValue:
    status = request.args.get("status", "")
    found = queries.inbound_page(status, page_number(request.args.get("page")))
    return render_template(
        "inbounds/index.html",
        inbounds=found.inbounds,
        status=status,
        statuses=[(s.value, INBOUND_STATUS_LABELS[s]) for s in InboundStatus],
        page=found.page,
        pages=found.pages,
    )


@bp.get("/<int:inbound_id>")
def show(inbound_id: int) -> ResponseReturnValue:
    return _with_tally("inbounds/show.html", inbound_id)


@bp.post("/<int:inbound_id>/expected")
def change_expected(inbound_id: int) -> ResponseReturnValue:
    when = rules.expected_time(request.form.get("expected_at", ""))
    inbound = services.change_expected_at(inbound_id, when)
    flash(
        _(
            "%(ref)s now expected %(when)s; fill dates moved.",
            ref=inbound.reference,
            when=format_datetime(when, "screen"),
        ),
        "ok",
    )
    return redirect(url_for("inbounds.show", inbound_id=inbound_id))


@bp.post("/<int:inbound_id>/close")
def close(inbound_id: int) -> ResponseReturnValue:
    receive.close_inbound(inbound_id, current_user.id)
    return redirect(url_for("inbounds.report", inbound_id=inbound_id))


@bp.get("/<int:inbound_id>/report")
def report(inbound_id: int) -> ResponseReturnValue:
    return _with_tally("inbounds/report.html", inbound_id)


def _with_tally(template: str, inbound_id: int) -> str:
    """A page of the inbound with its tally and the codes no product has."""
    inbound = queries.get_inbound(inbound_id)
    return render_template(
        template,
        inbound=inbound,
        tally=receiving.tally(inbound.id),
        unknown=receiving.unknown_units(inbound.id),
    )


@bp.get("/<int:inbound_id>/report.pdf")
def report_pdf(inbound_id: int) -> ResponseReturnValue:
    inbound = queries.get_inbound(inbound_id)
    return Response(
        prints.discrepancy_report(inbound),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{inbound.reference}-report.pdf"'},
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    if request.method == "GET":
        kinds = [(k.value, INBOUND_KIND_LABELS[k]) for k in (InboundKind.ASN, InboundKind.PO)]
        return render_template("inbounds/new.html", form={}, kinds=kinds)
    form = request.form
    lines = rules.form_lines(form.get("lines", ""))
    inbound, _made = services.create_inbound(
        reference=rules.required(form.get("reference", ""), _("The reference is required.")),
        expected_at=rules.expected_time(form.get("expected_at", "")),
        lines=lines,
        kind=form.get("kind", "asn"),
        supplier=form.get("supplier", "").strip(),
    )
    flash(_("Inbound %(ref)s created.", ref=inbound.reference), "ok")
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
        raise InvalidInput(_("Choose a CSV file."))
    parsed = queries.check_csv(raw)
    if parsed.errors or request.form.get("confirm") != "1":
        # Preview: nothing is written until the supervisor confirms a clean file.
        status = 422 if parsed.errors else 200
        return render_template(
            "inbounds/import.html", parsed=parsed, csv=raw.decode("utf-8-sig", "replace")
        ), status
    made = services.import_inbounds(parsed)
    flash(n_("%(num)s inbound imported.", "%(num)s inbounds imported.", made), "ok")
    return redirect(url_for("inbounds.index"))
