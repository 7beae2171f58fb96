"""The worker's life: chores, deliveries, outages lived through, a clean stop.

``flask worker`` runs this loop for as long as it is asked to. A database
that restarts, a network that drops, an endpoint that hangs: each is waited
out with a growing pause (capped), said once when it starts and once when it
ends, never a reason to exit. Only Ctrl-C or SIGTERM stop the worker, after
the batch in hand is recorded.
"""

from __future__ import annotations

import contextlib
import logging
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import FrameType

from sqlalchemy import select

from wms.base.errors import DomainError
from wms.base.i18n import as_written
from wms.channels import delivery, pushes, sync
from wms.channels.connectors import ConnectorError
from wms.channels.delivery import BatchResult, Claimed, Sender
from wms.channels.models import Channel
from wms.channels.shops import connector_of
from wms.database import is_unavailable
from wms.extensions import db
from wms.shops import services as shop_orders

log = logging.getLogger("wms.worker")

FIRST_PAUSE = 0.5
MAX_PAUSE = 10.0
CHORES_EVERY = 60.0


def claim_batch(limit: int = 50) -> list[Claimed]:
    """Claim due events, the lease committed before any of them is sent."""
    events = delivery.claim(limit)
    db.session.commit()
    return events


def deliver_batch(limit: int = 50, sender: Sender | None = None) -> BatchResult:
    """Claim a batch, send it with no transaction open, record every outcome in one
    statement and one commit: the worker's unit of work, as a request is the app's."""
    events = claim_batch(limit)
    if not events:
        return BatchResult()
    batch = delivery.prepare(events)
    db.session.rollback()  # no transaction held open while we talk to the channels
    delivery.send(batch, sender or Sender())
    delivery.record(events)
    pushes.remember(batch.shops)
    for ev in events:
        if ev.captured_order is not None:
            # The shop took the payment: the parcel may get its label.
            shop_orders.payment_captured(ev.captured_order)
    db.session.commit()
    return delivery.tally(events)


def poll_shops(timeout: float = 10.0) -> list[str]:
    """Take in the orders each polled shop (PrestaShop) changed since its cursor.

    Per shop: the cursor is read, the transaction ends while the shop answers,
    then every order found and the cursor past them are stored in one commit. A
    shop that cannot be read now keeps its cursor (the next round asks again)
    and does not stop the others.
    """
    said = []
    shops = db.session.execute(
        select(Channel.id, Channel.code).where(
            Channel.platform == "prestashop", Channel.active.is_(True)
        )
    ).all()
    db.session.rollback()
    for channel_id, code in shops:
        try:
            channel = db.session.get(Channel, channel_id)
            assert channel is not None
            cursor = channel.poll_cursor
            connector = connector_of(channel, timeout=timeout)
            db.session.rollback()  # no transaction open while the shop answers
            found, after = connector.poll_orders(cursor)
            taken = shop_orders.take_polled(channel_id, found, cursor, after)
            db.session.commit()
        except (ConnectorError, DomainError) as error:
            db.session.rollback()
            log.warning("shop %s not polled: %s", code, as_written(error.sentence))
            said.append(f"shop {code} not polled: {as_written(error.sentence)}")
            continue
        if taken.taken or taken.waiting:
            said.append(
                f"shop {code}: {taken.taken} order(s) taken in, {taken.waiting} need attention"
            )
    return said


def reconcile_shops(every_minutes: float, timeout: float = 10.0) -> list[str]:
    """Read back the figures of each shop not reconciled for ``every_minutes`` and queue
    the right figure where the shop's drifted; each shop's report in its own commit.

    The transaction ends while the shop answers. A shop that cannot be read gets
    a report saying so (its page shows it) and does not stop the others.
    """
    said = []
    due = sync.shop_channels_due(every_minutes)
    db.session.rollback()
    for channel_id in due:
        channel = db.session.get(Channel, channel_id)
        assert channel is not None
        code = channel.code
        try:
            connector = connector_of(channel, timeout=timeout)
            db.session.rollback()  # no transaction open while the shop answers
            items = connector.list_products()
        except (ConnectorError, DomainError) as error:
            db.session.rollback()
            sync.import_failed(channel_id, sync.RECONCILE, error.sentence)
            db.session.commit()
            log.warning("shop %s not reconciled: %s", code, as_written(error.sentence))
            said.append(f"shop {code} not reconciled: {as_written(error.sentence)}")
            continue
        report = sync.reconcile(channel_id, items, None)  # the system reconciles
        db.session.commit()
        if report.lines:
            said.append(f"shop {code} reconciled: {report.summary}")
    return said


@dataclass
class Trouble:
    """One kind of trouble: when it began, how often it struck, the next pause."""

    what: str
    since: float = field(default_factory=time.monotonic)
    failures: int = 0

    def pause(self) -> float:
        base = min(MAX_PAUSE, FIRST_PAUSE * 2 ** min(self.failures - 1, 10))
        return base * random.uniform(0.8, 1.0)  # workers that fell together rise apart


class Troubles:
    """Ongoing troubles by kind, each logged when it begins and when it ends."""

    def __init__(self) -> None:
        self.ongoing: dict[str, Trouble] = {}

    def failed(self, kind: str, error: BaseException) -> float:
        trouble = self.ongoing.get(kind)
        if trouble is None:
            trouble = self.ongoing[kind] = Trouble(kind)
            if kind == "database":
                log.warning("database unreachable, retrying until it is back: %s", _short(error))
            else:
                log.error("%s failed, retrying until it works", kind, exc_info=error)
        trouble.failures += 1
        return trouble.pause()

    def ended(self, *kinds: str) -> None:
        for kind in kinds:
            trouble = self.ongoing.pop(kind, None)
            if trouble is not None:
                seconds = time.monotonic() - trouble.since
                what = "database reachable again" if kind == "database" else f"{kind} work again"
                log.warning("%s after %.1f s (%d failed tries)", what, seconds, trouble.failures)


def _short(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return f"{type(getattr(error, 'orig', None) or error).__name__}: {text[0] if text else ''}"


def _start_afresh() -> None:
    """Drop the session and every pooled connection: they may belong to a dead server."""
    with contextlib.suppress(Exception):  # the connection is gone: nothing to roll back
        db.session.rollback()
    with contextlib.suppress(Exception):
        db.session.remove()
    db.engine.dispose()


@dataclass
class Worker:
    batch: int = 50
    idle: float = 1.0
    threads: int = 8
    chores: Callable[[], list[str]] = lambda: []
    chores_every: float = CHORES_EVERY
    report: Callable[[str], None] = print
    stop: threading.Event = field(default_factory=threading.Event)
    troubles: Troubles = field(default_factory=Troubles)
    sender: Sender = field(default_factory=Sender)

    @contextlib.contextmanager
    def signals(self) -> Iterator[None]:
        """SIGTERM and a first Ctrl-C finish the batch in hand, then stop; a second Ctrl-C
        stops at once. The handlers before are put back after."""

        def request_stop(signum: int, _frame: FrameType | None) -> None:
            if self.stop.is_set() and signum == signal.SIGINT:
                raise KeyboardInterrupt
            self.stop.set()

        before = {s: signal.signal(s, request_stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for s, handler in before.items():
                signal.signal(s, handler)

    def run(self, once: bool = False) -> None:
        self.sender = Sender(self.threads)
        next_chores = 0.0
        try:
            while not self.stop.is_set():
                if time.monotonic() >= next_chores:
                    next_chores = time.monotonic() + self._do_chores()
                result = self._deliver(once)
                if result is None:
                    continue
                if result.handled:
                    self.report(
                        f"delivered {result.delivered}, retrying {result.retrying}, "
                        f"failed {result.failed}, superseded {result.superseded}"
                        + (f", nothing to send {result.skipped}" if result.skipped else "")
                    )
                    continue
                if once:
                    return
                db.session.remove()
                self.stop.wait(self.idle)
        finally:
            self.sender.close()
            db.session.remove()

    def _deliver(self, once: bool) -> BatchResult | None:
        """One batch; None when it failed (after the pause it calls for)."""
        try:
            result = deliver_batch(self.batch, self.sender)
        except Exception as error:
            if once:
                raise
            self._pause_after(error, "deliveries")
            return None
        self.troubles.ended("database", "deliveries")
        return result

    def _do_chores(self) -> float:
        """Poll the shops, release due preorders, raise and clear alerts; seconds until the
        next round."""
        try:
            for line in self.chores():
                self.report(line)
            db.session.commit()
        except Exception as error:
            return self._pause_after(error, "chores", wait=False)
        self.troubles.ended("database", "chores")
        return self.chores_every

    def _pause_after(self, error: Exception, kind: str, wait: bool = True) -> float:
        _start_afresh()
        pause = self.troubles.failed("database" if is_unavailable(error) else kind, error)
        if wait:
            self.stop.wait(pause)
        return pause
