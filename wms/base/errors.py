"""Domain errors. A floor screen shows ``message``; the API answers ``status`` and ``code``."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def with_code(self, code: str) -> DomainError:
        """The same error under a more precise stable code."""
        self.code = code
        return self

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        body.update(self.details)
        return body


class NotFound(DomainError):
    code = "not_found"
    status = 404


class UnknownCode(NotFound):
    """A scanned code that names nothing we know."""

    code = "unknown_code"

    def __init__(self, code: str, what: str = "product, location or order") -> None:
        super().__init__(f"No {what} has the code {code}.", scanned=code)


class InvalidInput(DomainError):
    code = "invalid"
    status = 422


class WrongKind(InvalidInput):
    """A code we know, scanned where another kind of code was expected: nothing changes."""

    code = "wrong_kind"

    def __init__(self, message: str, scanned: str, kind: str) -> None:
        super().__init__(message, scanned=scanned, kind=kind)


class FormProblems(InvalidInput):
    """Everything wrong with a submitted form, each in one sentence."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems), problems=problems)
        self.problems = problems


class Conflict(DomainError):
    code = "conflict"
    status = 409


class WrongLocation(Conflict):
    code = "wrong_location"

    def __init__(self, expected: str, scanned: str, message: str | None = None) -> None:
        super().__init__(
            message or f"That is {scanned} — take it to {expected}.",
            expected=expected,
            scanned=scanned,
        )


class InsufficientStock(Conflict):
    """Every short line of an order, reported at once."""

    code = "insufficient_stock"

    def __init__(self, items: list[dict[str, Any]]) -> None:
        skus = ", ".join(f"{i['sku']} (short {i['short']})" for i in items)
        super().__init__(f"Not enough stock for {skus}.", items=items)


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


# ------------------------------------------------------------------- returns


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


# ------------------------------------------------------------------- packing


class WrongItem(Conflict):
    code = "wrong_item"


class ExtraItem(Conflict):
    code = "extra_item"
