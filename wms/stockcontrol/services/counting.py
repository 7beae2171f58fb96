"""Counting a bin on the handheld, blind: scan the bin, then every unit or an item and a number.

The counter never sees what the system expects. When the count is finished
each product's difference within the task's tolerance is adjusted at once;
a larger one waits for a supervisor (``wms.stockcontrol.services.tasks``).
"""

from __future__ import annotations

from sqlalchemy import select, update

from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.codes import command_of
from wms.base.errors import Conflict, InvalidInput, UnknownCode
from wms.base.i18n import Joined, Number, _, n_
from wms.core.recognise import recognise
from wms.extensions import db
from wms.inventory.models import Product, Stock
from wms.inventory.queries import find_location, find_product
from wms.stockcontrol.models import CountEntry, CountLine, CountTask, TaskStatus
from wms.stockcontrol.queries import CountScreen, counting_hint, current_task, screen
from wms.stockcontrol.rules import MAX_TYPED_QTY, Tolerance, compare_count, typed_quantity
from wms.stockcontrol.services import settlement

MAX_LINE_QTY = 1_000_000


def count_scan(user_id: int, code: str) -> CountScreen:
    """One scan on the count screen: a bin, an item, a typed quantity or a command."""
    code = code.strip()
    if not code:
        raise InvalidInput(_("Scan or type a code."))
    task = current_task(user_id, lock=True)
    command = command_of(code)
    if task is None:
        if command:
            raise InvalidInput(_("Scan a bin first: there is no count in progress."))
        return start_count(user_id, code)
    if command == "DONE":
        return finish_count(task, user_id)
    if command == "UNDO":
        return undo_last(task)
    if command == "SKIP":
        return leave_count(task, user_id)
    if command:
        raise InvalidInput(
            _(
                "%(command)s does nothing while counting. Scan DONE, UNDO or SKIP.",
                command=command,
            )
        )
    qty = typed_quantity(code)
    if qty is not None and _last_entry(task.id) is not None:
        return set_quantity(task, qty, user_id)
    found = find_product(code)
    if found is not None:
        return add_units(task, found.product, found.units, user_id)
    location = find_location(code)
    if location is not None:
        if location.id == task.location_id:
            return screen(
                user_id, _("You are counting %(bin)s. Scan its items.", bin=location.code)
            )
        raise Conflict(
            _(
                "You are counting %(bin)s. Scan DONE to finish it, or SKIP to leave it.",
                bin=task.location.code,
            )
        )
    if qty is not None:
        raise InvalidInput(_("Scan an item first, then type how many there are."))
    seen = recognise(code)
    if seen.known:
        raise seen.refusal(
            _(
                "scan the items in %(bin)s, or DONE when it is counted",
                bin=task.location.code,
            )
        )
    raise UnknownCode(code, "product")


def start_count(user_id: int, code: str) -> CountScreen:
    location = find_location(code)
    if location is None:
        if find_product(code) is not None:
            raise InvalidInput(_("Scan the bin first, then the items in it."))
        seen = recognise(code)
        if seen.known:
            raise seen.refusal(_("scan the bin you count"))
        raise UnknownCode(code, "location")
    task = db.session.scalar(
        select(CountTask).where(
            CountTask.location_id == location.id,
            CountTask.status.in_([TaskStatus.OPEN, TaskStatus.COUNTING]),
        )
    )
    if task is None:
        raise Conflict(
            _("%(bin)s has no count task. Ask a supervisor to create one.", bin=location.code)
        )
    if task.status == TaskStatus.COUNTING and task.counter_id != user_id:
        raise Conflict(_("Someone else is counting %(bin)s.", bin=location.code))
    # The guard makes two counters scanning the same bin at once end with one count.
    claimed = db.session.execute(
        update(CountTask)
        .where(CountTask.id == task.id, CountTask.status == TaskStatus.OPEN)
        .values(status=TaskStatus.COUNTING, counter_id=user_id, started_at=utcnow())
    )
    if claimed.rowcount != 1:
        raise Conflict(_("Someone else started counting %(bin)s.", bin=location.code))
    db.session.expire(task)
    return screen(
        user_id,
        counting_hint(location.code),
        "ok",
    )


def _line(task_id: int, product_id: int) -> CountLine:
    line = db.session.scalar(
        select(CountLine).where(CountLine.task_id == task_id, CountLine.product_id == product_id)
    )
    if line is None:
        line = CountLine(task_id=task_id, product_id=product_id, qty_counted=0)
        db.session.add(line)
        db.session.flush()
    return line


def _record(task: CountTask, line: CountLine, qty: int, user_id: int, typed: bool) -> None:
    if qty > MAX_LINE_QTY:
        raise InvalidInput(
            _(
                "That makes more than %(max)s; type the total instead.",
                max=Number(MAX_LINE_QTY),
            )
        )
    db.session.add(
        CountEntry(
            task_id=task.id,
            product_id=line.product_id,
            qty_before=line.qty_counted,
            qty_after=qty,
            typed=typed,
            user_id=user_id,
        )
    )
    line.qty_counted = qty
    db.session.flush()


def add_units(task: CountTask, product: Product, units: int, user_id: int) -> CountScreen:
    line = _line(task.id, product.id)
    _record(task, line, line.qty_counted + units, user_id, typed=False)
    if units > 1:
        message = n_(
            "%(sku)s: %(num)s counted (a case of %(case)s). Next item, or type how many.",
            "%(sku)s: %(num)s counted (a case of %(case)s). Next item, or type how many.",
            line.qty_counted,
            sku=product.sku,
            case=units,
        )
    else:
        message = n_(
            "%(sku)s: %(num)s counted. Next item, or type how many.",
            "%(sku)s: %(num)s counted. Next item, or type how many.",
            line.qty_counted,
            sku=product.sku,
        )
    return screen(user_id, message, "ok")


def set_quantity(task: CountTask, qty: int, user_id: int) -> CountScreen:
    if qty > MAX_TYPED_QTY:
        raise InvalidInput(_("Type at most %(max)s.", max=Number(MAX_TYPED_QTY)))
    entry = _last_entry(task.id)
    assert entry is not None
    line = _line(task.id, entry.product_id)
    _record(task, line, qty, user_id, typed=True)
    sku = db.session.scalar(select(Product.sku).where(Product.id == line.product_id))
    return screen(
        user_id,
        n_("%(sku)s: %(num)s counted in all.", "%(sku)s: %(num)s counted in all.", qty, sku=sku),
        "ok",
    )


def _last_entry(task_id: int) -> CountEntry | None:
    return db.session.scalar(
        select(CountEntry)
        .where(CountEntry.task_id == task_id, CountEntry.undone.is_(False))
        .order_by(CountEntry.id.desc())
        .limit(1)
    )


def undo_last(task: CountTask) -> CountScreen:
    entry = _last_entry(task.id)
    if entry is None:
        raise InvalidInput(_("Nothing to undo in this count."))
    line = _line(task.id, entry.product_id)
    line.qty_counted = entry.qty_before
    entry.undone = True
    db.session.flush()
    sku = db.session.scalar(select(Product.sku).where(Product.id == line.product_id))
    return screen(
        task.counter_id or 0,
        _("Undone: %(sku)s back to %(qty)s.", sku=sku, qty=line.qty_counted),
        "ok",
    )


def leave_count(task: CountTask, user_id: int) -> CountScreen:
    """SKIP: the bin goes back to the list, and what was scanned is forgotten."""
    code = task.location.code
    db.session.execute(update(CountEntry).where(CountEntry.task_id == task.id).values(undone=True))
    for line in list(task.lines):
        db.session.delete(line)
    task.status, task.counter_id, task.started_at = TaskStatus.OPEN, None, None
    db.session.flush()
    return screen(
        user_id,
        _("%(bin)s left for later; scan it again to count it from the start.", bin=code),
        "info",
    )


def finish_count(task: CountTask, user_id: int) -> CountScreen:
    """DONE: compare with the bin's stock, adjust what is within tolerance, pass on the rest.

    ``task`` is locked and still counting (``count_scan`` read it after the lock).
    """
    code = task.location.code
    counted = {line.product_id: line.qty_counted for line in task.lines}
    expected = dict(
        db.session.execute(
            select(Stock.product_id, Stock.qty_on_hand).where(
                Stock.location_id == task.location_id, Stock.qty_on_hand > 0
            )
        ).all()
    )
    tolerance = Tolerance(task.tolerance_units, task.tolerance_pct)
    review = settlement.settle_count(task, compare_count(expected, counted), tolerance, user_id)
    task.counted_at = utcnow()
    audit.record(
        user_id, "count.counted", "count_task", task.id, location=code, differences_waiting=review
    )
    if review:
        task.status = TaskStatus.REVIEW
    else:
        settlement.close_task(task, TaskStatus.DONE, user_id)
    units = sum(counted.values())
    message = _(
        "%(bin)s counted: %(products)s, %(units)s.",
        bin=code,
        products=n_("%(num)s product", "%(num)s products", len(counted)),
        units=n_("%(num)s unit", "%(num)s units", units),
    )
    if review:
        message = Joined([message, _("A supervisor will check it.")])
    shown = screen(user_id, message, "ok")
    shown.finished = True
    return shown
