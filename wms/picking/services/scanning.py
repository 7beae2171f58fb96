"""Scan-to-pick on the handheld: each scan moves the picker one step on.

bin -> item -> quantity -> tote -> next line. The picker's place (task, step,
units counted) is kept on the wave row, which every scan locks first, so two
scans of the same picker are applied one after the other.

Commands: SKIP sends the line to the end of the walk, SHORT says the bin
holds too few, UNDO starts the line again, DONE takes the shown quantity (or,
with no wave in hand, gets the next wave).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from wms.base.codes import command_of
from wms.base.errors import Conflict, InvalidInput, UnknownCode, WrongLocation
from wms.base.i18n import Joined, Text, _, n_
from wms.base.numbers import wave_id_from_code
from wms.core.recognise import recognise
from wms.extensions import db
from wms.inventory import queries as inventory
from wms.inventory.models import Location, LocationKind
from wms.picking.models import Step, Wave, WaveOrder, WaveStatus
from wms.picking.queries import work
from wms.picking.queries.screen import (
    Screen,
    TaskView,
    first_task,
    progress,
    totes_of,
    wave_summary,
)
from wms.picking.services import picks, waves

wave_orders_t = WaveOrder.__table__
MAX_TYPED_QTY_DIGITS = 4  # longer numbers are barcodes (EAN-13, UPC), not quantities

# The error's machine detail for "which tote" when any empty one will do; readers get
# the marked sentence the error carries.
ANY_EMPTY_TOTE = "an empty tote"


# ------------------------------------------------------------------ reading


def current_screen(user_id: int) -> Screen:
    """What the handheld shows now; reads only (a page load changes nothing)."""
    wave = work.held_wave(user_id, lock=False)
    if wave is None:
        return Screen("idle")
    return _screen(wave, write=False)


def _screen(
    wave: Wave,
    notice: Text | str = "",
    totes: list[tuple[str, str]] | None = None,
    write: bool = True,
    came_from: TaskView | None = None,
) -> Screen:
    """The step the picker is on now. With ``write``, the cursor moves to the next
    task when the last one closed (``came_from``: the task the scan was about)."""
    if wave.status != WaveStatus.PICKING:
        return Screen("finished", wave.code, notice=notice, summary=wave_summary(wave.id))
    task = first_task(wave.id)
    if task is None:
        if write:
            return _finish(wave, notice)
        return Screen("finished", wave.code, notice=notice, summary=wave_summary(wave.id))
    if write and wave.cursor_task_id != task.id:
        _move_cursor(wave, task, came_from)
    step, qty = _cursor(wave, task)
    done, total = progress(wave.id)
    return Screen(step, wave.code, task, qty, notice, done, total, totes or [])


def _move_cursor(wave: Wave, task: TaskView, came_from: TaskView | None) -> None:
    """Start ``task`` at its bin, or at its item when the picker stands at that bin."""
    at_same_bin = (
        came_from is not None
        and wave.cursor_step != Step.BIN
        and came_from.location_id == task.location_id
    )
    wave.cursor_task_id = task.id
    wave.cursor_step = Step.ITEM if at_same_bin else Step.BIN
    wave.cursor_qty = 0


def _cursor(wave: Wave, task: TaskView) -> tuple[str, int]:
    """The step and count for ``task``: a task the cursor is not on starts at its bin."""
    if wave.cursor_task_id == task.id:
        return wave.cursor_step, wave.cursor_qty
    return Step.BIN, 0


def _current_task(wave: Wave) -> TaskView | None:
    """The next open task on the walk; the cursor starts it afresh when it changed."""
    picks.cancel_tasks_of_cancelled_orders(wave.id)
    task = first_task(wave.id)
    if task is not None and wave.cursor_task_id != task.id:
        _move_cursor(wave, task, None)
    return task


def _finish(wave: Wave, notice: Text | str) -> Screen:
    waves.finish_wave(wave)
    return Screen("finished", wave.code, notice=notice, summary=wave_summary(wave.id))


# ------------------------------------------------------------------ scanning


def scan(user_id: int, code: str) -> Screen:
    """Apply one scan (or typed quantity, or command) and say what comes next."""
    code = code.strip()
    if not code:
        raise InvalidInput(_("Scan or type a code."))
    command = command_of(code)
    wave = work.held_wave(user_id)
    if wave is None:
        return _start(user_id, code, command)
    other = wave_id_from_code(code)
    if other is not None:
        if other != wave.id:
            raise Conflict(_("You are picking %(wave)s; finish it first.", wave=wave.code))
        return _screen(wave, _("You are picking %(wave)s.", wave=wave.code))
    if command == "DONE" and wave.cursor_step == Step.BIN and progress(wave.id)[0] == 0:
        # DONE asked for work and this wave is the answer: sent again before anything
        # was picked (another handheld, a retry), it is answered as the first time.
        return _first_screen(wave)
    task = _current_task(wave)
    if task is None:
        return _finish(wave, "")
    if command:
        notice = _command(wave, task, command)
    else:
        handler = _HANDLERS[Step(wave.cursor_step)]
        notice = handler(wave, task, code, user_id)
    return _screen(wave, notice, came_from=task)


def _start(user_id: int, code: str, command: str | None) -> Screen:
    wave_id = wave_id_from_code(code)
    if wave_id is not None:
        wave = waves.claim_wave(user_id, wave_id)
    elif command == "DONE":
        wave = waves.claim_next_wave(user_id)
        if wave is None:
            return Screen("idle", notice=_("No wave is waiting. Scan DONE to look again."))
    else:
        raise _not_expected(code, _("scan DONE for the next wave, or the barcode of a pick list"))
    return _first_screen(wave)


def _first_screen(wave: Wave) -> Screen:
    totes = totes_of(wave.id)
    _done, total = progress(wave.id)
    notice = Joined(
        [
            n_("%(wave)s: %(num)s order,", "%(wave)s: %(num)s orders,", len(totes), wave=wave.code),
            n_("%(num)s line.", "%(num)s lines.", total),
        ]
    )
    return _screen(wave, notice, totes)


def _not_expected(code: str, hint: Text, what: str = "pick list or command") -> Exception:
    """A code of another kind is named with what to scan instead; an unknown one is
    said to be unknown."""
    seen = recognise(code)
    if seen.known:
        return seen.refusal(hint)
    return UnknownCode(code, what)


def _command(wave: Wave, task: TaskView, command: str) -> Text | str:
    step = wave.cursor_step
    if command == "SKIP":
        if step == Step.TOTE:
            raise InvalidInput(_put_first(wave))
        done, total = progress(wave.id)
        if total - done <= 1:
            raise InvalidInput(_("This is the last line: pick it, or scan SHORT."))
        picks.postpone_task(wave.id, task.id)
        wave.cursor_task_id = None
        return _("%(bin)s moved to the end of the walk.", bin=task.bin_code)
    if command == "SHORT":
        if step == Step.TOTE:
            raise InvalidInput(_put_first(wave))
        wave.cursor_step = Step.SHORT
        return ""
    if command == "UNDO":
        if step == Step.BIN:
            raise InvalidInput(_("Nothing to undo on this line."))
        _restart(wave)
        return _("Line started again.")
    if command == "DONE":
        if step == Step.QTY:
            return _take(wave, task, task.qty_left)
        if step == Step.TOTE:
            raise InvalidInput(
                _("Scan tote %(tote)s to confirm.", tote=task.tote_code)
                if task.tote_code
                else _("Scan an empty tote to confirm.")
            )
        done, total = progress(wave.id)
        raise InvalidInput(
            n_(
                "%(num)s line still to pick: pick it, SKIP or SHORT.",
                "%(num)s lines still to pick: pick them, SKIP or SHORT.",
                total - done,
            )
        )
    if command == "DAMAGED":
        raise InvalidInput(_("Leave a damaged unit in the bin and take a good one, or scan SHORT."))
    raise InvalidInput(_("Print pick lists at the desk."))


def _put_first(wave: Wave) -> Text:
    return _("Put the %(num)s in the tote first.", num=wave.cursor_qty)


def _restart(wave: Wave) -> None:
    wave.cursor_step = Step.BIN
    wave.cursor_qty = 0


def _at_bin(wave: Wave, task: TaskView, code: str, user_id: int) -> Text:
    location = inventory.find_location(code)
    if location is not None:
        if location.id != task.location_id:
            raise WrongLocation(
                task.bin_code,
                location.code,
                _("That is %(code)s — go to %(bin)s.", code=location.code, bin=task.bin_code),
            )
        wave.cursor_step = Step.ITEM
        return _("At %(bin)s.", bin=task.bin_code)
    if inventory.find_product(code) is not None:
        raise InvalidInput(_("Scan the bin label at %(bin)s first.", bin=task.bin_code))
    raise _not_expected(code, _("go to %(bin)s and scan its label", bin=task.bin_code), "bin")


def _at_item(wave: Wave, task: TaskView, code: str, user_id: int) -> Text:
    found = inventory.find_product(code)
    if found is not None:
        return _count(wave, task, found)
    location = inventory.find_location(code)
    if location is not None:
        if location.id == task.location_id:
            return _("%(bin)s is scanned; now scan the item.", bin=task.bin_code)
        raise WrongLocation(
            task.bin_code,
            location.code,
            _(
                "That is %(code)s — take the item from %(bin)s.",
                code=location.code,
                bin=task.bin_code,
            ),
        )
    raise _not_expected(
        code, _("take %(sku)s from %(bin)s", sku=task.sku, bin=task.bin_code), "product"
    )


def _count(wave: Wave, task: TaskView, found: inventory.ScannedProduct) -> Text:
    if found.product.id != task.product_id:
        raise Conflict(
            _(
                "That is %(scanned)s — take %(sku)s (%(name)s).",
                scanned=found.product.sku,
                sku=task.sku,
                name=task.name,
            )
        ).with_code("wrong_item")
    counted = wave.cursor_qty + found.units
    if counted > task.qty_left:
        raise InvalidInput(
            _(
                "That makes %(counted)s; only %(left)s to take here.",
                counted=counted,
                left=task.qty_left,
            )
        )
    wave.cursor_qty = counted
    if counted == task.qty_left:
        wave.cursor_step = Step.TOTE
        return _("%(num)s of %(sku)s counted.", num=counted, sku=task.sku)
    wave.cursor_step = Step.QTY
    return _("%(num)s of %(total)s counted.", num=counted, total=task.qty_left)


def _typed_qty(code: str) -> int | None:
    if code.isascii() and code.isdigit() and len(code) <= MAX_TYPED_QTY_DIGITS:
        return int(code)
    return None


def _at_qty(wave: Wave, task: TaskView, code: str, user_id: int) -> Text:
    typed = _typed_qty(code)
    if typed is None:
        return _at_item(wave, task, code, user_id)
    if typed == 0:
        raise InvalidInput(_("Type at least 1, or scan SHORT if the bin is empty."))
    if typed > task.qty_left:
        raise InvalidInput(_("Only %(num)s to take here.", num=task.qty_left))
    return _take(wave, task, typed)


def _take(wave: Wave, task: TaskView, qty: int) -> Text:
    wave.cursor_qty = qty
    wave.cursor_step = Step.TOTE
    return _("Taking %(num)s of %(sku)s.", num=qty, sku=task.sku)


def _at_short(wave: Wave, task: TaskView, code: str, user_id: int) -> Text:
    found = _typed_qty(code)
    if found is None:
        raise InvalidInput(
            _("Type how many you can take from %(bin)s, 0 if it is empty.", bin=task.bin_code)
        )
    result = picks.short_pick(task.id, found, user_id, expected_left=task.qty_left)
    said = _(
        "Short %(num)s recorded: %(order)s waits for it; %(bin)s will be counted.",
        num=result.qty_short,
        order=task.order_number,
        bin=task.bin_code,
    )
    if found:
        wave.cursor_qty = found
        wave.cursor_step = Step.TOTE
        return said
    wave.cursor_task_id = None
    return said


def _at_tote(wave: Wave, task: TaskView, code: str, user_id: int) -> Text:
    location = inventory.find_location(code)
    if location is None:
        if inventory.find_product(code) is not None:
            raise InvalidInput(
                _("Put the %(num)s in the tote, then scan the tote.", num=wave.cursor_qty)
            )
        hint = (
            _("scan tote %(tote)s", tote=task.tote_code)
            if task.tote_code
            else _("scan an empty tote")
        )
        raise _not_expected(code, hint, "tote")
    tote = _tote_for(task, location)
    qty = wave.cursor_qty
    if not picks.confirm_pick(task.id, qty, tote, user_id, expected_picked=task.qty_picked):
        raise Conflict(_("That pick was already confirmed."))
    # Still at the bin: the rest of this line, or the next one, starts at the item.
    wave.cursor_step = Step.ITEM
    wave.cursor_qty = 0
    return _(
        "%(num)s of %(sku)s in %(tote)s for %(order)s.",
        num=qty,
        sku=task.sku,
        tote=tote.code,
        order=task.order_number,
    )


def _tote_for(task: TaskView, scanned: Location) -> Location:
    """The order's tote; an order without one takes the empty tote scanned now."""
    if task.tote_id is not None:
        if scanned.id != task.tote_id:
            raise WrongLocation(
                task.tote_code or "",
                scanned.code,
                _("That is %(code)s — put it in %(tote)s.", code=scanned.code, tote=task.tote_code),
            )
        return scanned
    if scanned.kind != LocationKind.TOTE:
        raise WrongLocation(
            ANY_EMPTY_TOTE,
            scanned.code,
            _(
                "That is %(code)s — scan an empty tote for %(order)s.",
                code=scanned.code,
                order=task.order_number,
            ),
        )
    work.lock_totes()
    if not work.tote_is_free(scanned.id):
        raise Conflict(
            _(
                "%(code)s is not empty — scan an empty tote for %(order)s.",
                code=scanned.code,
                order=task.order_number,
            )
        )
    db.session.execute(
        update(wave_orders_t)
        .where(wave_orders_t.c.id == task.wave_order_id, wave_orders_t.c.tote_location_id.is_(None))
        .values(tote_location_id=scanned.id)
    )
    return scanned


_HANDLERS: dict[Step, Any] = {
    Step.BIN: _at_bin,
    Step.ITEM: _at_item,
    Step.QTY: _at_qty,
    Step.SHORT: _at_short,
    Step.TOTE: _at_tote,
}
