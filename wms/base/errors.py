"""Domain errors. A floor screen shows ``message``; the API answers ``status`` and ``code``.

A message is a sentence marked with ``_`` (see ``wms.base.i18n``): it is read in
the reader's language when the answer is written, so ``message`` is always text.
"""

from __future__ import annotations

from typing import Any

from wms.base.i18n import N_, Joined, Text, _, text


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: Text | str, **details: Any) -> None:
        super().__init__(message)
        self._message = message
        self.details = details

    @property
    def message(self) -> str:
        """The sentence, in the reader's language."""
        return text(self._message)

    @property
    def sentence(self) -> Text | str:
        """The sentence as said, to be worded later (for a record kept in the database)."""
        return self._message

    def __str__(self) -> str:
        return self.message

    def with_code(self, code: str) -> DomainError:
        """The same error under a more precise stable code."""
        self.code = code
        return self

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        body.update({k: text(v) if isinstance(v, Text) else v for k, v in self.details.items()})
        return body


class NotFound(DomainError):
    code = "not_found"
    status = 404


class UnknownCode(NotFound):
    """A scanned code that names nothing we know."""

    code = "unknown_code"

    def __init__(self, code: str, what: str | Text = "product, location or order") -> None:
        if isinstance(what, Text):
            message = what
        else:
            sentence = _NO_SUCH.get(what) or _NO_SUCH["product, location or order"]
            message = _(sentence, code=code)
        super().__init__(message, scanned=code)


# What was looked for -> the sentence for a code that names none of it (each sentence
# whole: other languages agree the words with what is missing).
_NO_SUCH = {
    "product, location or order": N_("No product, location or order has the code %(code)s."),
    "product": N_("No product has the code %(code)s."),
    "location": N_("No location has the code %(code)s."),
    "order": N_("No order has the code %(code)s."),
    "inbound": N_("No inbound has the code %(code)s."),
    "pack station": N_("No pack station has the code %(code)s."),
    "pick list or command": N_("No pick list or command has the code %(code)s."),
    "bin": N_("No bin has the code %(code)s."),
    "tote": N_("No tote has the code %(code)s."),
    "product, box, lane, tote or order": N_(
        "No product, box, lane, tote or order has the code %(code)s."
    ),
    "return, order or tracking number": N_(
        "No return, order or tracking number has the code %(code)s."
    ),
}


class InvalidInput(DomainError):
    code = "invalid"
    status = 422


class WrongKind(InvalidInput):
    """A code we know, scanned where another kind of code was expected: nothing changes."""

    code = "wrong_kind"

    def __init__(self, message: Text | str, scanned: str, kind: str) -> None:
        super().__init__(message, scanned=scanned, kind=kind)


class FormProblems(InvalidInput):
    """Everything wrong with a submitted form, each in one sentence."""

    def __init__(self, problems: list[Text | str]) -> None:
        super().__init__(Joined(problems), problems=problems)
        self._problems = problems

    @property
    def problems(self) -> list[str]:
        return [text(p) for p in self._problems]

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "problems": self.problems}


class Conflict(DomainError):
    code = "conflict"
    status = 409


class WrongLocation(Conflict):
    code = "wrong_location"

    def __init__(self, expected: str, scanned: str, message: Text | str | None = None) -> None:
        super().__init__(
            message
            or _(
                "That is %(scanned)s — take it to %(expected)s.", scanned=scanned, expected=expected
            ),
            expected=expected,
            scanned=scanned,
        )


class InsufficientStock(Conflict):
    """Every short line of an order, reported at once."""

    code = "insufficient_stock"

    def __init__(self, items: list[dict[str, Any]]) -> None:
        short = Joined(
            [_("%(sku)s (short %(short)s)", sku=i["sku"], short=i["short"]) for i in items], ", "
        )
        super().__init__(_("Not enough stock for %(items)s.", items=short), items=items)


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
        parts = Joined(
            [
                _(
                    "%(sku)s (%(returnable)s of %(qty)s can come back)",
                    sku=i["sku"],
                    returnable=i["returnable"],
                    qty=i["qty"],
                )
                for i in items
            ],
            ", ",
        )
        super().__init__(
            _("Order %(order)s cannot take back %(items)s.", order=order_number, items=parts),
            items=items,
        )


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
