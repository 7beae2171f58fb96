"""What can go wrong with a return, in one sentence each, with a stable code for the API."""

from __future__ import annotations

from typing import Any

from wms.base.errors import Conflict, InvalidInput, NotFound


class ReturnNotFound(NotFound):
    code = "return_not_found"


class NotReturnable(Conflict):
    """Every line that asks for more units than were shipped and not yet authorised, at once."""

    code = "not_returnable"

    def __init__(self, order_number: str, items: list[dict[str, Any]]) -> None:
        parts = ", ".join(
            f"{i['sku']} ({i['returnable']} of {i['qty']} can come back)" for i in items
        )
        super().__init__(f"Order {order_number} cannot take back {parts}.", items=items)


class ReturnClosed(Conflict):
    code = "return_closed"


class AlreadyReceived(Conflict):
    code = "already_received"


class AlreadyDecided(Conflict):
    code = "already_decided"


class GradeFirst(InvalidInput):
    code = "grade_first"


class LabelInProgress(Conflict):
    code = "label_in_progress"


class NoPlace(Conflict):
    """A kind of location the returns bench needs does not exist."""

    code = "no_location"
