"""Counts, adjustments and their value on the supervisor's desk."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.auth.audit import history
from wms.auth.decorators import role_required
from wms.base.clock import today
from wms.base.errors import DomainError, InvalidInput
from wms.base.i18n import Joined, _, n_, text
from wms.database import page_number
from wms.i18n import format_decimal
from wms.inventory import fields
from wms.stockcontrol import queries
from wms.stockcontrol.models import AdjustmentKind, TaskSource, kind_label
from wms.stockcontrol.routes import bp
from wms.stockcontrol.services import adjustments, tasks


def money(cents: int) -> str:
    """A value in the warehouse's currency, as the reader writes it (``-80.00``, ``-80,00``)."""
    return format_decimal(Decimal(cents) / 100, "0.00")


def _count_form_defaults() -> dict[str, Any]:
    return {"source": "flagged", "days": "30", "tolerance_units": "1", "tolerance_pct": "5"}


def _counts_page(
    problems: list[str] | None = None, form: Any = None, status: int = 200
) -> ResponseReturnValue:
    counts = queries.tab_counts()
    tab = request.args.get("tab") or ("review" if counts["review"] else "open")
    return (
        render_template(
            "stockcontrol/counts.html",
            tab=tab,
            counts=counts,
            page=queries.list_tasks(tab, page_number(request.args.get("page"))),
            form=form or _count_form_defaults(),
            problems=problems or [],
            zones=queries.zones(),
            flagged=queries.flagged_count(),
            sources=TaskSource,
        ),
        status,
    )


@bp.get("/counts")
@role_required("supervisor")
def counts() -> ResponseReturnValue:
    return _counts_page()


@bp.post("/counts")
@role_required("supervisor")
def counts_create() -> ResponseReturnValue:
    form = request.form
    try:
        req = tasks.TaskRequest(
            source=form.get("source", ""),
            zone=form.get("zone", ""),
            days=fields.integer(form.get("days"), _("Days"), minimum=1, default=30) or 30,
            codes=form.get("codes", "")[:20_000],
            tolerance_units=fields.integer(form.get("tolerance_units"), _("Tolerance in units"))
            or 0,
            tolerance_pct=fields.integer(
                form.get("tolerance_pct"), _("Tolerance in percent"), maximum=100
            )
            or 0,
            note=fields.text(form.get("note"), _("The note"), max_len=200),
        )
        created = tasks.create_tasks(req, current_user.id)
    except fields.FieldError as error:
        return _counts_page([str(error)], form, 422)
    except DomainError as error:
        return _counts_page([error.message], form, error.status)
    made = len(created.codes)
    message = n_("%(num)s count task created.", "%(num)s count tasks created.", made)
    if created.skipped:
        shown = ", ".join(f"{code} ({text(why)})" for code, why in created.skipped[:20])
        more = len(created.skipped) - 20
        skipped = (
            n_(
                "Skipped: %(bins)s and %(num)s more.",
                "Skipped: %(bins)s and %(num)s more.",
                more,
                bins=shown,
            )
            if more > 0
            else _("Skipped: %(bins)s.", bins=shown)
        )
        message = Joined([message, skipped])
    flash(text(message), "ok" if created.codes else "error")
    return redirect(url_for("stockcontrol.counts", tab="open"))


def _task_page(
    task_id: int, problems: list[str] | None = None, status: int = 200
) -> ResponseReturnValue:
    task = queries.get_task(task_id)
    return (
        render_template(
            "stockcontrol/count_task.html",
            task=task,
            problems=problems or [],
            events=history("count_task", task.id),
            money=money,
        ),
        status,
    )


@bp.get("/counts/<int:task_id>")
@role_required("supervisor")
def count_task(task_id: int) -> ResponseReturnValue:
    return _task_page(task_id)


@bp.post("/counts/<int:task_id>/approve")
@role_required("supervisor")
def count_approve(task_id: int) -> ResponseReturnValue:
    try:
        n = tasks.approve_count(task_id, current_user.id)
    except DomainError as error:
        return _task_page(task_id, [error.message], error.status)
    flash(
        text(
            n_(
                "Approved: %(num)s difference adjusted in stock.",
                "Approved: %(num)s differences adjusted in stock.",
                n,
            )
        ),
        "ok",
    )
    return redirect(url_for("stockcontrol.count_task", task_id=task_id))


@bp.post("/counts/<int:task_id>/recount")
@role_required("supervisor")
def count_recount(task_id: int) -> ResponseReturnValue:
    try:
        again = tasks.recount(task_id, current_user.id)
    except DomainError as error:
        return _task_page(task_id, [error.message], error.status)
    flash(
        text(
            _(
                "Recount %(task)s created for %(bin)s; nothing was adjusted.",
                task=again.number,
                bin=again.location.code,
            )
        ),
        "ok",
    )
    return redirect(url_for("stockcontrol.count_task", task_id=again.id))


@bp.post("/counts/<int:task_id>/cancel")
@role_required("supervisor")
def count_cancel(task_id: int) -> ResponseReturnValue:
    try:
        tasks.cancel_task(task_id, current_user.id)
    except DomainError as error:
        return _task_page(task_id, [error.message], error.status)
    flash(text(_("Count cancelled; nothing was adjusted.")), "ok")
    return redirect(url_for("stockcontrol.count_task", task_id=task_id))


# ---------------------------------------------------------------- adjustments


def _adjust_page(
    problems: list[str] | None = None, form: Any = None, status: int = 200
) -> ResponseReturnValue:
    return (
        render_template(
            "stockcontrol/adjust.html",
            form=form or {"kind": "lost"},
            problems=problems or [],
            kinds=[k for k in AdjustmentKind if k != AdjustmentKind.COUNT],
            quarantines=queries.quarantine_locations(),
            recent=queries.recent_adjustments(),
            money=money,
            kind_label=kind_label,
            # The form's own id: the same form sent twice (a double click) acts once.
            scan_id=uuid.uuid4().hex,
        ),
        status,
    )


@bp.get("/adjust")
@role_required("supervisor")
def adjust() -> ResponseReturnValue:
    return _adjust_page()


@bp.post("/adjust")
@role_required("supervisor")
def adjust_post() -> ResponseReturnValue:
    form = request.form
    try:
        qty = fields.required_integer(
            form.get("qty"), _("The quantity"), minimum=1, maximum=adjustments.MAX_QTY
        )
        adjustment = adjustments.adjust_stock(
            adjustments.AdjustmentRequest(
                kind=form.get("kind", ""),
                location_code=form.get("location", ""),
                product_code=form.get("product", ""),
                qty=qty,
                reason=form.get("reason", ""),
                quarantine_code=form.get("quarantine", ""),
            ),
            current_user.id,
        )
    except fields.FieldError as error:
        return _adjust_page([str(error)], form, 422)
    except DomainError as error:
        return _adjust_page([error.message], form, error.status)
    done = _(
        "%(ref)s: %(qty)s x %(sku)s %(kind)s at %(location)s.",
        ref=adjustment.reference,
        qty=adjustment.qty,
        sku=adjustment.product.sku,
        kind=_(adjustment.kind_label),
        location=adjustment.location.code,
    )
    if adjustment.qty_requeued:
        done = Joined(
            [
                done,
                n_(
                    "%(num)s reserved unit went back to the waiting queue.",
                    "%(num)s reserved units went back to the waiting queue.",
                    adjustment.qty_requeued,
                ),
            ]
        )
    flash(text(done), "ok")
    return redirect(url_for("stockcontrol.adjust"))


def _period() -> tuple[date, date]:
    try:
        end = date.fromisoformat(request.args.get("end") or today().isoformat())
        start = date.fromisoformat(
            request.args.get("start") or (end - timedelta(days=29)).isoformat()
        )
    except ValueError:
        raise InvalidInput(_("Dates look like 2025-03-31.")) from None
    return start, end


@bp.get("/adjustments/report")
@role_required("supervisor")
def report() -> ResponseReturnValue:
    start, end = _period()
    data = queries.value_report(start, end)
    if request.args.get("format") == "csv":
        return _report_csv(data)
    return render_template(
        "stockcontrol/report.html", report=data, money=money, kind_label=kind_label
    )


def _report_csv(data: queries.ValueReport) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "units_in", "units_out", "value_in", "value_out"])
    for k in data.kinds:
        writer.writerow(
            [
                k.kind,
                k.units_in,
                k.units_out,
                fields.format_money(k.value_in_cents),
                fields.format_money(k.value_out_cents),
            ]
        )
    writer.writerow([])
    writer.writerow(["sku", "name", "units", "value", "adjustments"])
    for p in data.products:
        writer.writerow([p.sku, p.name, p.units, fields.format_money(p.value_cents), p.adjustments])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="adjustments-{data.start}-{data.end}.csv"'
    )
    return response
