"""The desk's actions: sending an outbox event again."""

from __future__ import annotations

from wms.auth import audit
from wms.base.errors import Conflict, NotFound
from wms.base.i18n import N_, _
from wms.channels import delivery
from wms.channels.models import OutboxStatus

NOT_AGAIN = {
    OutboxStatus.DELIVERED: N_("Event %(id)s was already delivered: nothing is sent again."),
    OutboxStatus.PENDING: N_("Event %(id)s is already waiting to be sent: nothing is sent again."),
    OutboxStatus.SUPERSEDED: N_(
        "Event %(id)s was replaced by a newer figure, which is sent instead: nothing is sent again."
    ),
    OutboxStatus.SKIPPED: N_("Event %(id)s had nothing to send: nothing is sent again."),
}


def retry_event(event_id: int, user_id: int | None) -> None:
    """Send an event again (it goes back to the queue); the change is audited."""
    found = delivery.retry_event(event_id)
    if found is None:
        raise NotFound(_("There is no such event."))
    if found != OutboxStatus.FAILED:
        sentence = NOT_AGAIN.get(found, N_("Event %(id)s cannot be sent again."))
        raise Conflict(_(sentence, id=event_id))
    audit.record(user_id, "outbox.retry", "outbox_event", event_id)
