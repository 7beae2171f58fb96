from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from wms.auth import audit
from wms.auth.decorators import require_role_for_blueprint, role_required
from wms.base.errors import NotFound
from wms.channels import delivery
from wms.channels.models import Channel, OutboxEvent, OutboxStatus
from wms.extensions import db

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
    counts = dict(
        db.session.execute(
            select(OutboxEvent.status, func.count()).group_by(OutboxEvent.status)
        ).all()
    )
    events = db.session.execute(
        select(OutboxEvent, Channel.name)
        .join(Channel, Channel.id == OutboxEvent.channel_id)
        .where(OutboxEvent.status == status)
        .order_by(OutboxEvent.id.desc())
        .limit(100)
    ).all()
    return render_template("desk/outbox.html", events=events, counts=counts, status=status)


@bp.post("/outbox/<int:event_id>/retry")
@role_required("admin")
def outbox_retry(event_id: int) -> ResponseReturnValue:
    event = delivery.retry_event(event_id)
    if event is None:
        raise NotFound("There is no such event.")
    audit.record(current_user.id, "outbox.retry", "outbox_event", event_id)
    flash(f"Event {event_id} will be sent again.", "ok")
    return redirect(url_for("desk.outbox", status=OutboxStatus.FAILED))
