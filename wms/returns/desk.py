"""Supervisor pages: returns, a new RMA, decisions, labels and slips, queues, the report."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.auth.decorators import role_required
from wms.base.clock import today
from wms.base.errors import DomainError, InvalidInput
from wms.base.i18n import N_, Joined, Text, _, n_, text
from wms.base.numbers import order_number, rma_number
from wms.core.models import Order
from wms.database import commit_early, page_number, row_id
from wms.extensions import db
from wms.returns import prints
from wms.returns.models import (
    GRADE_LABELS,
    LABEL_STATUS_LABELS,
    OUTCOME_LABELS,
    RETURN_STATUS_LABELS,
    WISH_LABELS,
    Decision,
    LabelStatus,
    ReturnReason,
    ReturnStatus,
    Wish,
    label_of,
)
from wms.returns.queries import queues, report, rmas
from wms.returns.routes import bp
from wms.returns.services import authorisations, decisions, dispositions, labels

QUEUE_TITLES = {
    "rework": N_("Rework"),
    "quarantine": N_("Quarantine"),
    "exceptions": N_("Exceptions"),
}
QUEUE_HEADINGS = {
    "rework": N_("Rework queue"),
    "quarantine": N_("Quarantine queue"),
    "exceptions": N_("Exceptions queue"),
}
# The words for stored values, for the desk's templates (shown with _()).
WORDS = {
    "status": RETURN_STATUS_LABELS,
    "label": LABEL_STATUS_LABELS,
    "wish": WISH_LABELS,
    "grade": GRADE_LABELS,
    "outcome": OUTCOME_LABELS,
}


@bp.get("/")
@role_required("supervisor")
def index() -> ResponseReturnValue:
    status = request.args.get("status", "")
    q = request.args.get("q", "").strip()
    page = page_number(request.args.get("page"))
    returns = rmas.returns_page(status, q, page)
    counts = rmas.status_counts()
    return render_template(
        "returns/index.html",
        returns=returns[: rmas.PAGE],
        more=len(returns) > rmas.PAGE,
        page=page,
        status=status,
        q=q,
        statuses=[s.value for s in ReturnStatus],
        counts=counts,
        queue_counts=queues.queue_counts(),
        order_number=order_number,
        words=WORDS,
        label_of=label_of,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required("supervisor")
def new() -> ResponseReturnValue:
    code = (request.values.get("order") or "").strip()
    if request.method == "GET" and not code:
        return render_template("returns/new.html", order=None, lines=[], form={})
    order = authorisations.find_order(code)
    if request.method == "GET":
        return _new_form(order, {})
    lines, seen = _lines_from_form()
    if not lines:
        return _new_form(order, request.form, _("Give a quantity for at least one line.")), 422
    result = authorisations.authorise_return(
        authorisations.NewReturn(
            order_id=order.id, lines=tuple(lines), note=request.form.get("note", "").strip()
        ),
        user_id=current_user.id,
        seen=seen,
    )
    rma = authorisations.get_return(result.rma_id)
    flash(
        text(_("%(rma)s authorised for order %(order)s.", rma=rma.number, order=order.number)),
        "ok",
    )
    return redirect(url_for("returns.show", rma_id=rma.id))


def _new_form(order: Order, form: object, error: Text | str = "") -> str:
    return render_template(
        "returns/new.html",
        order=order,
        lines=rmas.returnable_lines(order.id),
        form=form,
        error=error,
        reasons=authorisations.REASON_WORDS,
        wishes=[w.value for w in Wish],
        words=WORDS,
        label_of=label_of,
    )


def _lines_from_form() -> tuple[list[authorisations.NewReturnLine], dict[str, int]]:
    """The lines asked for, and what the form showed could come back of each."""
    form = request.form
    lines = []
    seen: dict[str, int] = {}
    for n in range(int(form.get("count", "0") or 0)):
        raw = form.get(f"qty_{n}", "").strip()
        if not raw or raw == "0":
            continue
        if not raw.isdigit():
            raise InvalidInput(_("Line %(line)s: the quantity is a whole number.", line=n + 1))
        shown = form.get(f"returnable_{n}", "").strip()
        if shown.isdigit():
            seen[form.get(f"sku_{n}", "")] = int(shown)
        lines.append(
            authorisations.NewReturnLine(
                sku=form.get(f"sku_{n}", ""),
                qty=int(raw),
                reason=form.get(f"reason_{n}", ReturnReason.OTHER),
                wish=form.get(f"wish_{n}", Wish.REFUND),
            )
        )
    return lines, seen


@bp.get("/<int:rma_id>")
@role_required("supervisor")
def show(rma_id: int) -> ResponseReturnValue:
    rma = authorisations.get_return(rma_id)
    return render_template(
        "returns/show.html",
        rma=rma,
        items=rmas.items_of(rma.id),
        reasons=authorisations.REASON_WORDS,
        decisions=decisions.DECISION_WORDS,
        label_statuses=LabelStatus,
        scrap_reasons=dispositions.SCRAP_REASONS,
        order_number=order_number,
        words=WORDS,
        label_of=label_of,
    )


@bp.post("/<int:rma_id>/label")
@role_required("supervisor")
def label_buy(rma_id: int) -> ResponseReturnValue:
    authorisations.get_return(rma_id)
    rma = labels.issue_return_label(
        rma_id, request.form.get("format", "PDF_4x6"), commit_early, current_user.id
    )
    if rma.label_status == LabelStatus.BOUGHT:
        flash(
            text(
                _(
                    "Return label bought: %(carrier)s %(tracking)s.",
                    carrier=rma.carrier,
                    tracking=rma.tracking_number,
                )
            ),
            "ok",
        )
    else:
        flash(text(_("No label yet: %(error)s Try again.", error=rma.label_error)), "error")
    return redirect(url_for("returns.show", rma_id=rma_id))


@bp.post("/<int:rma_id>/label/release")
@role_required("supervisor")
def label_release(rma_id: int) -> ResponseReturnValue:
    authorisations.get_return(rma_id)
    try:
        message = labels.release_return_label(rma_id, commit_early, current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(text(error.message), "error")
        return redirect(url_for("returns.show", rma_id=rma_id))
    flash(text(message), "ok")
    return redirect(url_for("returns.show", rma_id=rma_id))


@bp.get("/<int:rma_id>/label")
@role_required("supervisor")
def label_file(rma_id: int) -> ResponseReturnValue:
    rma = authorisations.get_return(rma_id)
    return prints.label_response(rma)


@bp.get("/<int:rma_id>/slip.pdf")
@role_required("supervisor")
def slip(rma_id: int) -> ResponseReturnValue:
    rma = authorisations.get_return(rma_id)
    pdf = prints.slip_pdf(rma, request.args.get("size", "A4"))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{rma.number}-slip.pdf"'},
    )


@bp.post("/<int:rma_id>/cancel")
@role_required("supervisor")
def cancel(rma_id: int) -> ResponseReturnValue:
    rma = authorisations.cancel_return(rma_id, user_id=current_user.id)
    flash(text(_("%(rma)s cancelled.", rma=rma.number)), "ok")
    return redirect(url_for("returns.show", rma_id=rma_id))


@bp.post("/lines/<int:line_id>/decide")
@role_required("supervisor")
def decide(line_id: int) -> ResponseReturnValue:
    line = decisions.decide_line(
        line_id,
        request.form.get("decision", ""),
        current_user.id,
        note=request.form.get("note", ""),
        exchange_sku=request.form.get("exchange_sku", ""),
    )
    words = _(decisions.DECISION_WORDS[Decision(line.decision)])
    message: Text = n_(
        "Line %(line)s: %(decision)s for %(num)s unit.",
        "Line %(line)s: %(decision)s for %(num)s units.",
        line.decision_qty or 0,
        line=line.line_no,
        decision=words,
    )
    if line.exchange_order_id:
        message = Joined(
            [message, _("New order %(order)s.", order=order_number(line.exchange_order_id))]
        )
    flash(text(message), "ok")
    return redirect(url_for("returns.show", rma_id=line.rma_id))


# ------------------------------------------------------------------- queues


@bp.get("/queues")
@role_required("supervisor")
def queue_page() -> ResponseReturnValue:
    kind = request.args.get("kind", "quarantine")
    if kind not in QUEUE_TITLES:
        kind = "quarantine"
    return render_template(
        "returns/queues.html",
        kind=kind,
        titles=QUEUE_TITLES,
        headings=QUEUE_HEADINGS,
        words=WORDS,
        label_of=label_of,
        rows=queues.queue(kind),
        unknown=queues.unknown_items() if kind == "exceptions" else [],
        counts=queues.queue_counts(),
        scrap_reasons=dispositions.SCRAP_REASONS,
        rma_number=rma_number,
    )


def _queued_units() -> tuple[int, int, int]:
    """The place, the product and how many units of them the form names."""
    raw = request.form.get("qty", "").strip()
    if not raw.isdigit():
        raise InvalidInput(_("Give the number of units."))
    location_id = row_id(request.form.get("location_id"))
    product_id = row_id(request.form.get("product_id"))
    return location_id, product_id, int(raw)


def _held() -> int | None:
    """What the queue page showed the place holding, when the form says."""
    raw = request.form.get("held", "").strip()
    return int(raw) if raw.isdigit() else None


@bp.post("/queues/release")
@role_required("supervisor")
def release() -> ResponseReturnValue:
    location_id, product_id, qty = _queued_units()
    target = dispositions.release_units(location_id, product_id, qty, current_user.id, _held())
    flash(
        text(
            n_(
                "%(num)s unit released to %(location)s; waiting orders were served first.",
                "%(num)s units released to %(location)s; waiting orders were served first.",
                qty,
                location=target.code,
            )
        ),
        "ok",
    )
    return redirect(url_for("returns.queue_page", kind=request.form.get("kind", "quarantine")))


@bp.post("/queues/scrap")
@role_required("supervisor")
def scrap() -> ResponseReturnValue:
    location_id, product_id, qty = _queued_units()
    reason = request.form.get("reason", "")
    if reason == "Other":
        reason = request.form.get("other", "").strip() or ""
    dispositions.scrap_units(location_id, product_id, qty, reason, current_user.id, _held())
    shown = _(reason) if reason in dispositions.SCRAP_REASONS else reason
    flash(
        text(
            n_(
                "%(num)s unit scrapped: %(reason)s.",
                "%(num)s units scrapped: %(reason)s.",
                qty,
                reason=shown,
            )
        ),
        "ok",
    )
    return redirect(url_for("returns.queue_page", kind=request.form.get("kind", "quarantine")))


@bp.post("/queues/resolve/<int:item_id>")
@role_required("supervisor")
def resolve(item_id: int) -> ResponseReturnValue:
    dispositions.settle_unknown(item_id, request.form.get("note", ""), current_user.id)
    flash(text(_("Marked as dealt with.")), "ok")
    return redirect(url_for("returns.queue_page", kind="exceptions"))


# ------------------------------------------------------------------- report


@bp.get("/report")
@role_required("supervisor")
def report_page() -> ResponseReturnValue:
    end = _day(request.args.get("to")) or today()
    start = _day(request.args.get("from")) or end - timedelta(days=report.DEFAULT_DAYS - 1)
    if start > end:
        start, end = end, start
    threshold = request.args.get("threshold", type=float)
    if threshold is None or not 0 <= threshold <= 100:
        threshold = report.DEFAULT_THRESHOLD_PCT
    result = report.returns_report(report.Period(start, end), threshold)
    return render_template(
        "returns/report.html", report=result, reasons=authorisations.REASON_WORDS
    )


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None
