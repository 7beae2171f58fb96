"""Authorising returns, finding them by a scan, cancelling them, and how a channel sees one."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.errors import (
    Conflict,
    InvalidInput,
    NotReturnable,
    ReturnClosed,
    ReturnNotFound,
    UnknownCode,
)
from wms.base.i18n import N_, _, n_
from wms.base.numbers import order_id_from_number, order_number, rma_id_from_number, rma_number
from wms.channels import outbox
from wms.core import stock
from wms.core.models import Order, OrderLine
from wms.database import for_update
from wms.extensions import db
from wms.inventory.models import Product
from wms.returns.models import (
    OPEN_FOR_RECEIVING,
    ReturnAuthorisation,
    ReturnLine,
    ReturnReason,
    ReturnStatus,
    Wish,
)
from wms.returns.queries.rmas import returnable_units
from wms.returns.schemas import rma_view

rma_t = ReturnAuthorisation.__table__
rl_t = ReturnLine.__table__
ol_t = OrderLine.__table__

REASON_WORDS = {
    ReturnReason.DAMAGED_IN_TRANSIT: N_("Damaged in transit"),
    ReturnReason.DEFECTIVE: N_("Defective"),
    ReturnReason.WRONG_ITEM: N_("Wrong item sent"),
    ReturnReason.NOT_AS_DESCRIBED: N_("Not as described"),
    ReturnReason.CHANGED_MIND: N_("Changed mind"),
    ReturnReason.OTHER: N_("Other"),
}


@dataclass(frozen=True)
class NewReturnLine:
    sku: str
    qty: int
    reason: str
    wish: str = Wish.REFUND


@dataclass(frozen=True)
class NewReturn:
    order_id: int
    lines: tuple[NewReturnLine, ...]
    external_id: str | None = None
    note: str = ""

    def fingerprint(self) -> str:
        """The same return sent twice has the same fingerprint."""
        body = {
            "order": self.order_id,
            "lines": [[ln.sku, ln.qty, ln.reason, ln.wish] for ln in self.lines],
            "note": self.note,
        }
        raw = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class AuthorisedReturn:
    rma_id: int
    created: bool


def authorise_return(
    new: NewReturn,
    channel_id: int | None = None,
    user_id: int | None = None,
    seen: Mapping[str, int] | None = None,
) -> AuthorisedReturn:
    """Authorise shipped units of an order to come back.

    ``channel_id`` is the channel asking (the order must be its own); none for
    the desk. Idempotent on (channel, external id) like orders: the same
    return again is the same RMA; the same id with another body is a conflict.
    ``seen`` is what the desk's form said could come back, per SKU: when it is
    no longer so (the same form sent twice, another return meanwhile), nothing
    is authorised.
    """
    order = _order_for(new.order_id, channel_id)
    # One authorisation at a time per order: two cannot both take the last unit, and
    # a retry that overlaps the first call waits for it, then finds its return.
    db.session.execute(for_update(select(Order.id).where(Order.id == order.id), key_share=True))
    if new.external_id:
        existing = _existing(order.channel_id, new.external_id, new.fingerprint())
        if existing is not None:
            return AuthorisedReturn(existing, created=False)
    products = _check_lines(new)
    order_lines = _check_returnable(order, new, products)
    if seen is not None:
        _check_unchanged(order, products, order_lines, seen)
    rma_id = _insert(order, new, user_id)
    if rma_id is None:  # the same external id won a race with this one
        existing = _existing(order.channel_id, new.external_id or "", new.fingerprint())
        assert existing is not None
        return AuthorisedReturn(existing, created=False)
    _insert_lines(rma_id, new, {sku: (order_lines[p.id][0], p.id) for sku, p in products.items()})
    rma = db.session.get(ReturnAuthorisation, rma_id)
    outbox.emit(
        "return.authorised",
        order.channel_id,
        f"return:{rma_id}",
        rma_view(rma).model_dump(mode="json"),
    )
    audit.record(user_id, "return.authorised", "return", rma_number(rma_id), order=order.number)
    return AuthorisedReturn(rma_id, created=True)


def _check_returnable(
    order: Order, new: NewReturn, products: dict[str, Product]
) -> dict[int, tuple[int, int]]:
    """Every line within what shipped and is not authorised yet, or all the short ones at once
    (the order row is locked)."""
    order_lines = returnable_units(order.id, [p.id for p in products.values()])
    short = []
    for ln in new.lines:
        returnable = order_lines.get(products[ln.sku].id, (0, 0))[1]
        if ln.qty > returnable:
            short.append({"sku": ln.sku, "qty": ln.qty, "returnable": returnable})
    if short:
        raise NotReturnable(order.number, short)
    return order_lines


def _check_unchanged(
    order: Order,
    products: dict[str, Product],
    order_lines: dict[int, tuple[int, int]],
    seen: Mapping[str, int],
) -> None:
    for sku, returnable in seen.items():
        product = products.get(sku)
        now = order_lines.get(product.id, (0, 0))[1] if product else returnable
        if now != returnable:
            raise Conflict(
                _(
                    "A return for %(order)s was authorised meanwhile: look at its returns "
                    "before authorising another.",
                    order=order.number,
                )
            ).with_code("changed_meanwhile")


def _insert_lines(rma_id: int, new: NewReturn, ids: dict[str, tuple[int, int]]) -> None:
    """The RMA's lines; ``ids`` gives each SKU's (order line, product)."""
    db.session.execute(
        insert(rl_t),
        [
            {
                "rma_id": rma_id,
                "line_no": n,
                "order_line_id": ids[ln.sku][0],
                "product_id": ids[ln.sku][1],
                "qty_authorised": ln.qty,
                "qty_received": 0,
                "reason": ln.reason,
                "wish": ln.wish,
                "decision_qty": 0,
                "decision_note": "",
            }
            for n, ln in enumerate(new.lines, start=1)
        ],
    )


def _order_for(order_id: int, channel_id: int | None) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or (channel_id is not None and order.channel_id != channel_id):
        raise ReturnNotFound(
            _("There is no order %(order)s.", order=order_number(order_id))
        ).with_code("order_not_found")
    return order


def _existing(channel_id: int, external_id: str, fingerprint: str) -> int | None:
    row = db.session.execute(
        select(rma_t.c.id, rma_t.c.body_hash).where(
            rma_t.c.channel_id == channel_id, rma_t.c.external_id == external_id
        )
    ).first()
    if row is None:
        return None
    if row.body_hash != fingerprint:
        raise Conflict(
            _("Return %(ref)s was already sent with different contents.", ref=external_id),
            external_id=external_id,
        ).with_code("idempotency_conflict")
    return int(row.id)


def _check_lines(new: NewReturn) -> dict[str, Product]:
    if not new.lines:
        raise InvalidInput(_("A return needs at least one line."))
    skus = [ln.sku for ln in new.lines]
    if len(set(skus)) != len(skus):
        raise InvalidInput(_("Each product may appear on one line of a return only."))
    for ln in new.lines:
        if ln.qty <= 0:
            raise InvalidInput(_("%(sku)s: the quantity must be above zero.", sku=ln.sku))
        if ln.reason not in {r.value for r in ReturnReason}:
            raise InvalidInput(
                _(
                    "%(sku)s: '%(reason)s' is not a return reason.",
                    sku=ln.sku,
                    reason=ln.reason,
                )
            )
        if ln.wish not in {w.value for w in Wish}:
            raise InvalidInput(_("%(sku)s: the customer's wish is refund or exchange.", sku=ln.sku))
    products = {
        p.sku: p for p in db.session.scalars(select(Product).where(Product.sku.in_(set(skus))))
    }
    unknown = sorted(set(skus) - set(products))
    if unknown:
        raise InvalidInput(
            _("Unknown SKU: %(skus)s.", skus=", ".join(unknown)), skus=unknown
        ).with_code("unknown_sku")
    return products


def _insert(order: Order, new: NewReturn, user_id: int | None) -> int | None:
    now = utcnow()
    stmt = (
        stock.upsert(rma_t)
        .values(
            channel_id=order.channel_id,
            external_id=new.external_id or None,
            body_hash=new.fingerprint(),
            order_id=order.id,
            status=ReturnStatus.AUTHORISED,
            note=new.note,
            created_by=user_id,
            created_at=now,
            updated_at=now,
            label_status="none",
            label_key="",
            label_error="",
            label_format="",
            carrier="",
            tracking_url="",
        )
        .on_conflict_do_nothing(index_elements=["channel_id", "external_id"])
        .returning(rma_t.c.id)
    )
    return db.session.execute(stmt).scalar()


# ------------------------------------------------------------------ look-ups


def get_return(rma_id: int, channel_id: int | None = None) -> ReturnAuthorisation:
    rma = db.session.get(ReturnAuthorisation, rma_id)
    if rma is None or (channel_id is not None and rma.channel_id != channel_id):
        raise ReturnNotFound(_("There is no return %(rma)s.", rma=rma_number(rma_id)))
    return rma


def lock_return(rma_id: int) -> ReturnAuthorisation | None:
    """The RMA row locked, its state read after the lock: receiving, deciding and cancelling
    one return happen one after the other."""
    return db.session.scalar(
        for_update(
            select(ReturnAuthorisation).where(ReturnAuthorisation.id == rma_id)
        ).execution_options(populate_existing=True)
    )


def find_order(code: str) -> Order:
    """An order by its number (W-10001), for the desk."""
    order_id = order_id_from_number(code)
    order = db.session.get(Order, order_id) if order_id else None
    if order is None:
        raise UnknownCode(code.strip(), "order")
    return order


def find_return_for_scan(code: str) -> ReturnAuthorisation | None:
    """The RMA a scan names: its number, its order's number or its return tracking number.

    An order with several open returns is ambiguous: the clerk is asked for
    the RMA number. None when the code names no return at all.
    """
    code = code.strip()
    rma_id = rma_id_from_number(code)
    if rma_id is not None:
        return db.session.get(ReturnAuthorisation, rma_id)
    order_id = order_id_from_number(code)
    if order_id is not None:
        return _open_return_of_order(order_id)
    if not code or len(code) > 64:
        return None
    return db.session.scalar(
        select(ReturnAuthorisation)
        .where(ReturnAuthorisation.tracking_number.in_({code, code.upper()}))
        .order_by(ReturnAuthorisation.id.desc())
        .limit(1)
    )


def _open_return_of_order(order_id: int) -> ReturnAuthorisation | None:
    found = list(
        db.session.scalars(
            select(ReturnAuthorisation)
            .where(
                ReturnAuthorisation.order_id == order_id,
                ReturnAuthorisation.status.in_([s.value for s in OPEN_FOR_RECEIVING]),
            )
            .order_by(ReturnAuthorisation.id)
        )
    )
    if len(found) > 1:
        numbers = ", ".join(r.number for r in found)
        raise InvalidInput(
            n_(
                "%(order)s has %(num)s open returns (%(rmas)s). Scan the RMA number.",
                "%(order)s has %(num)s open returns (%(rmas)s). Scan the RMA number.",
                len(found),
                order=order_number(order_id),
                rmas=numbers,
            )
        ).with_code("ambiguous_return")
    if found:
        return found[0]
    if db.session.get(Order, order_id) is None:
        return None
    raise ReturnClosed(
        _("%(order)s has no open return authorisation.", order=order_number(order_id))
    )


# ------------------------------------------------------------------- cancel


def cancel_return(
    rma_id: int, channel_id: int | None = None, user_id: int | None = None
) -> ReturnAuthorisation:
    """Cancel an RMA nothing has come back for; its units may be authorised again."""
    rma = get_return(rma_id, channel_id)
    if rma.status == ReturnStatus.CANCELLED:
        return rma
    done = db.session.execute(
        update(rma_t)
        .where(rma_t.c.id == rma.id, rma_t.c.status == ReturnStatus.AUTHORISED)
        .where(~select(rl_t.c.id).where(rl_t.c.rma_id == rma.id, rl_t.c.qty_received > 0).exists())
        .values(status=ReturnStatus.CANCELLED, closed_at=utcnow(), updated_at=utcnow())
    )
    db.session.expire(rma)
    if done.rowcount != 1:
        if rma.status == ReturnStatus.CANCELLED:
            return rma  # cancelled by a call at the same moment: the same answer
        raise ReturnClosed(
            _(
                "%(rma)s is %(status)s: units have come back, so it stays.",
                rma=rma.number,
                status=_(rma.status_label),
            )
        )
    outbox.emit(
        "return.cancelled",
        rma.channel_id,
        f"return:{rma.id}",
        {"return_id": rma.id, "number": rma.number, "order_number": rma.order.number},
    )
    audit.record(user_id, "return.cancelled", "return", rma.number)
    return rma
