"""The desk's actions: sending an outbox event again."""

from __future__ import annotations

from wms.auth import audit
from wms.base.errors import NotFound
from wms.channels import delivery


def retry_event(event_id: int, user_id: int | None) -> None:
    """Send an event again (it goes back to the queue); the change is audited."""
    if delivery.retry_event(event_id) is None:
        raise NotFound("There is no such event.")
    audit.record(user_id, "outbox.retry", "outbox_event", event_id)
