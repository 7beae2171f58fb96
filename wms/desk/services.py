"""The desk's actions: sending an outbox event again."""

from __future__ import annotations

from wms.auth import audit
from wms.base.errors import Conflict, NotFound
from wms.channels import delivery
from wms.channels.models import OutboxStatus

NOT_AGAIN = {
    OutboxStatus.DELIVERED: "was already delivered",
    OutboxStatus.PENDING: "is already waiting to be sent",
    OutboxStatus.SUPERSEDED: "was replaced by a newer figure, which is sent instead",
}


def retry_event(event_id: int, user_id: int | None) -> None:
    """Send an event again (it goes back to the queue); the change is audited."""
    found = delivery.retry_event(event_id)
    if found is None:
        raise NotFound("There is no such event.")
    if found != OutboxStatus.FAILED:
        reason = NOT_AGAIN.get(found, f"is {found}")
        raise Conflict(f"Event {event_id} {reason}: nothing is sent again.")
    audit.record(user_id, "outbox.retry", "outbox_event", event_id)
