from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from wms.auth.decorators import role_required
from wms.core import audit, delivery
from wms.core.errors import NotFound
from wms.core.models import OutboxEvent, OutboxStatus
from wms.desk import bp
from wms.extensions import db
from wms.orders.models import Channel


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
    audit.record("outbox.retry", "outbox_event", event_id)
    flash(f"Event {event_id} will be sent again.", "ok")
    return redirect(url_for("desk.outbox", status=OutboxStatus.FAILED))
