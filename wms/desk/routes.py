"""The supervisor's desk: its home, and the outbox of events to the channels."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.auth.decorators import require_role_for_blueprint, role_required
from wms.base.i18n import _
from wms.channels.models import OutboxStatus
from wms.desk import queries, services

bp = Blueprint("desk", __name__)
bp.before_request(require_role_for_blueprint("supervisor"))


@bp.get("/")
def home() -> ResponseReturnValue:
    return render_template("desk/home.html")


@bp.get("/outbox")
@role_required("admin")
def outbox() -> ResponseReturnValue:
    status = request.args.get("status", OutboxStatus.FAILED)
    if status not in {s.value for s in OutboxStatus}:
        status = OutboxStatus.FAILED
    return render_template(
        "desk/outbox.html",
        events=queries.outbox_events(status),
        counts=queries.outbox_counts(),
        status=status,
        shown_statuses=queries.SHOWN_STATUSES,
        status_labels=queries.STATUS_LABELS,
        empty_sentences=queries.NONE_IN_STATUS,
    )


@bp.post("/outbox/<bigid:event_id>/retry")
@role_required("admin")
def outbox_retry(event_id: int) -> ResponseReturnValue:
    services.retry_event(event_id, current_user.id)
    flash(_("Event %(id)s will be sent again.", id=event_id), "ok")
    return redirect(url_for("desk.outbox", status=OutboxStatus.FAILED))
