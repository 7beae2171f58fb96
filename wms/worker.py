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
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from types import FrameType

from flask import Flask, current_app
from sqlalchemy import select

from wms.base.errors import DomainError
from wms.base.i18n import as_written
from wms.channels import delivery, pushes, sync
from wms.channels.connectors import ConnectorError
from wms.channels.delivery import BatchResult, Claimed, Outbound, Sender
from wms.channels.models import Channel
from wms.channels.shops import connector_of
from wms.database import is_unavailable
from wms.extensions import db
from wms.shops import services as shop_orders

log = logging.getLogger("wms.worker")

FIRST_PAUSE = 0.5
MAX_PAUSE = 10.0
CHORES_EVERY = 60.0
LANE_PACE = 0.25  # seconds between two claims for one channel, at least


def claim_batch(limit: int = 50, busy: Collection[int] = ()) -> list[Claimed]:
    """Claim due events (none of the ``busy`` channels'), the lease committed before any
    of them is sent."""
    events = delivery.claim(limit, busy)
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
    record_batch(events, batch.shops)
    db.session.commit()
    return delivery.tally(events)


def record_batch(events: list[Claimed], shops: list[pushes.Job]) -> None:
    """Every outcome in one statement, the stock keys the shops taught us, the payments
    the shops took (the caller commits)."""
    delivery.record(events)
    pushes.remember(shops)
    for ev in events:
        if ev.captured_order is not None:
            # The shop took the payment: the parcel may get its label.
            shop_orders.payment_captured(ev.captured_order)


class Lanes:
    """Each channel's events sent on its own cadence: a slow or unreachable shop holds back
    only its own next batch, never the other channels'.

    A round that sent every channel's events together waited for its slowest
    shop (PrestaShop writes one stock row per call), so a figure committed just
    after a round began waited out that whole round and then the next, even for
    the fast shops. Here the worker claims for every channel with nothing in
    flight and starts one lane per channel; a lane sends its batch, then records
    the outcomes and claims that channel's next batch in one commit (leases are
    still committed before anything is sent), and goes on while there is
    something to send. A channel has one batch in flight at a time, so a
    platform is still called from one job at a time and its rate limits hold.
    Each lane has its own session; the worker's own thread keeps the chores and
    the pauses of an outage.
    """

    def __init__(
        self,
        app: Flask,
        sender: Sender,
        limit: int,
        stop: threading.Event,
        report: Callable[[BatchResult], object],
    ) -> None:
        self.app = app
        self.sender = sender
        self.limit = limit
        self.stop = stop
        self.report = report
        self.flying: dict[int, Future[None]] = {}
        self._pool = ThreadPoolExecutor(max(4, sender.threads), thread_name_prefix="lane")

    def step(self) -> int:
        """Claim for every channel without a lane and start one for each; how many events
        were claimed."""
        for channel_id in [c for c, future in self.flying.items() if future.done()]:
            self.flying.pop(channel_id)
        events = claim_batch(self.limit, busy=set(self.flying))
        if not events:
            return 0
        batch = delivery.prepare(events)
        db.session.rollback()  # no transaction held open while we talk to the channels
        for channel_id, its in delivery.by_channel(batch).items():
            self.flying[channel_id] = self._pool.submit(self._lane, channel_id, its)
        return len(events)

    def _lane(self, channel_id: int, batch: Outbound) -> None:
        claimed = time.monotonic()
        with self.app.app_context():
            try:
                while True:
                    delivery.send(batch, self.sender)
                    # At most one claim a channel per LANE_PACE: what changed meanwhile goes
                    # in one call, and the CPU is left to the orders coming in.
                    self.stop.wait(claimed + LANE_PACE - time.monotonic())
                    record_batch(batch.events, batch.shops)
                    events = (
                        [] if self.stop.is_set() else delivery.claim(self.limit, only=channel_id)
                    )
                    db.session.commit()  # the outcomes, and the next batch's lease
                    claimed = time.monotonic()
                    self.report(delivery.tally(batch.events))
                    if not events:
                        return
                    batch = delivery.prepare(events)
                    db.session.rollback()
            except Exception as error:  # what is not recorded is sent again when its lease ends
                log.warning("channel %s: deliveries stopped: %s", channel_id, _short(error))
            finally:
                db.session.remove()

    def wait(self, seconds: float | None = None) -> None:
        """Until a lane ends, at most ``seconds``."""
        wait(list(self.flying.values()), seconds, FIRST_COMPLETED)

    def close(self) -> None:
        """Let every lane record its batch in hand (``stop`` is set), then end."""
        wait(list(self.flying.values()))
        self._pool.shutdown(wait=True)


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
        """Chores every ``chores_every`` seconds; between them, each channel's events sent on
        its own cadence (``Lanes``). ``once``: the chores, then batches until none is due."""
        self.sender = Sender(self.threads)
        lanes = Lanes(
            current_app._get_current_object(), self.sender, self.batch, self.stop, self._said
        )
        next_chores = 0.0
        try:
            while not self.stop.is_set():
                if time.monotonic() >= next_chores:
                    next_chores = time.monotonic() + self._do_chores()
                if once:
                    if not self._said(deliver_batch(self.batch, self.sender)):
                        return
                    continue
                started = self._deliver(lanes)
                if started is None:
                    continue
                if lanes.flying:
                    lanes.wait(self.idle)
                elif not started:
                    db.session.remove()
                    self.stop.wait(self.idle)
        finally:
            self.stop.set()  # the lanes record the batch in hand and end
            try:
                lanes.close()
            finally:
                self.sender.close()
                db.session.remove()

    def _said(self, result: BatchResult) -> int:
        if result.handled:
            self.report(
                f"delivered {result.delivered}, retrying {result.retrying}, "
                f"failed {result.failed}, superseded {result.superseded}"
                + (f", nothing to send {result.skipped}" if result.skipped else "")
            )
        return result.handled

    def _deliver(self, lanes: Lanes) -> int | None:
        """Start the lanes that have something to send; None when it failed (after the
        pause it calls for)."""
        try:
            started = lanes.step()
        except Exception as error:
            self._pause_after(error, "deliveries")
            return None
        self.troubles.ended("database", "deliveries")
        return started

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
