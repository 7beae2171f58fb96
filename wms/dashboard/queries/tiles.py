"""The figures behind each dashboard tile. Each is one or two indexed queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from wms.auth.models import User
from wms.base.clock import day_start, local, local_date, today, utcnow
from wms.base.i18n import N_
from wms.channels.models import OutboxEvent, OutboxStatus
from wms.core.models import (
    OPEN_STATUSES,
    Inbound,
    InboundLine,
    LaneAssignment,
    LineKind,
    Order,
    OrderLine,
    OrderStatus,
)
from wms.database import is_postgres
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Movement, Product, ProductStock, Stock
from wms.picking.models import PickShortage
from wms.receiving.models import Destination, DockUnit, DockUnitStatus
from wms.shipping.models import LabelState, Parcel

AGE_BUCKETS = (N_("under 1 day"), N_("1-3 days"), N_("3-7 days"), N_("over 7 days"))


def hour_of(column: Any) -> Any:
    """The UTC hour a moment falls in (``local_hour`` reads it on the warehouse's clock)."""
    if is_postgres():
        return func.date_trunc("hour", column)
    return func.strftime("%Y-%m-%d %H:00:00", column)


def local_hour(value: datetime | str) -> int:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return local(moment).hour


@dataclass
class Backlog:
    lines: list[int]
    units: list[int]
    rate: float | None  # share of order lines backordered, last 7 days, in %
    previous_rate: float | None  # the 7 days before

    @property
    def total_lines(self) -> int:
        return sum(self.lines)

    @property
    def total_units(self) -> int:
        return sum(self.units)

    @property
    def trend(self) -> str:
        if self.rate is None or self.previous_rate is None:
            return "steady"
        if self.rate > self.previous_rate + 0.5:
            return "rising"
        if self.rate < self.previous_rate - 0.5:
            return "falling"
        return "steady"


def backlog(now: datetime | None = None) -> Backlog:
    now = now or utcnow()
    ol = OrderLine.__table__
    bucket = case(
        (ol.c.placed_at > now - timedelta(days=1), 0),
        (ol.c.placed_at > now - timedelta(days=3), 1),
        (ol.c.placed_at > now - timedelta(days=7), 2),
        else_=3,
    )
    rows = db.session.execute(
        select(bucket.label("b"), func.count(), func.sum(ol.c.qty_waiting))
        .where(ol.c.qty_waiting > 0, ol.c.kind == LineKind.BACKORDER)
        .group_by(bucket)
    ).all()
    lines = [0, 0, 0, 0]
    units = [0, 0, 0, 0]
    for b, n, u in rows:
        lines[int(b)] = int(n)
        units[int(b)] = int(u or 0)
    return Backlog(lines, units, backorder_rate(now, 0), backorder_rate(now, 7))


def backorder_rate(now: datetime, days_back: int) -> float | None:
    """Share of order lines taken in the 7 days (ending ``days_back`` ago) that were backordered."""
    end = now - timedelta(days=days_back)
    start = end - timedelta(days=7)
    o = Order.__table__
    total, backordered = db.session.execute(
        select(func.sum(o.c.line_count), func.sum(o.c.backordered_lines)).where(
            o.c.created_at >= start, o.c.created_at < end
        )
    ).one()
    if not total:
        return None
    return round(100.0 * (backordered or 0) / total, 1)


@dataclass
class CrossDock:
    cross_docked: int
    put_away: int
    dock_to_ship_p50_h: float | None
    dock_to_ship_p90_h: float | None
    lanes: list[tuple[str, int, int | None]]  # code, orders, capacity


def crossdock(now: datetime | None = None) -> CrossDock:
    now = now or utcnow()
    start = day_start(local_date(now))
    m = Movement.__table__
    moved = dict(
        db.session.execute(
            select(m.c.reason, func.sum(m.c.qty))
            .where(m.c.created_at >= start, m.c.reason.in_(("cross_dock", "putaway")))
            .group_by(m.c.reason)
        ).all()
    )
    o = Order.__table__
    la = LaneAssignment.__table__
    spans = [
        (shipped - first).total_seconds() / 3600
        for shipped, first in db.session.execute(
            select(o.c.shipped_at, func.min(la.c.first_unit_at))
            .join(la, la.c.order_id == o.c.id)
            .where(o.c.shipped_at >= now - timedelta(days=7), la.c.first_unit_at.is_not(None))
            .group_by(o.c.id, o.c.shipped_at)
        )
    ]
    spans.sort()
    lanes = db.session.execute(
        select(Location.code, func.count(la.c.id), Location.capacity)
        .outerjoin(la, (la.c.lane_id == Location.id) & la.c.released_at.is_(None))
        .where(Location.kind == LocationKind.STAGING_LANE, Location.active.is_(True))
        .group_by(Location.id, Location.code, Location.capacity, Location.walk_seq)
        .order_by(Location.walk_seq, Location.code)
    ).all()
    return CrossDock(
        int(moved.get("cross_dock") or 0),
        int(moved.get("putaway") or 0),
        _percentile(spans, 0.5),
        _percentile(spans, 0.9),
        [(code, int(n), cap) for code, n, cap in lanes],
    )


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(len(values) * p))], 1)


FLOW = (("receive", "received"), ("pick", "picked"), ("pack", "packed"), ("ship", "shipped"))
# Each step of the flow as people read it (the keys stay the page's stable names).
FLOW_WORDS = {
    "received": N_("Units received"),
    "picked": N_("Units picked"),
    "packed": N_("Units packed"),
    "shipped": N_("Units shipped"),
}


@dataclass
class Throughput:
    hours: list[int]
    per_hour: dict[str, list[int]]
    operators: list[tuple[str, dict[str, int]]]
    totals: dict[str, int] = field(default_factory=dict)


def throughput(now: datetime | None = None) -> Throughput:
    now = now or utcnow()
    start = day_start(local_date(now))
    m = Movement.__table__
    reasons = [r for r, _ in FLOW]
    hour = hour_of(m.c.created_at)
    rows = db.session.execute(
        select(m.c.reason, hour.label("h"), func.sum(m.c.qty))
        .where(m.c.created_at >= start, m.c.reason.in_(reasons))
        .group_by(m.c.reason, hour)
    ).all()
    hours = list(range(0, local(now).hour + 1))
    per_hour = {label: [0] * len(hours) for _, label in FLOW}
    names = dict(FLOW)
    for reason, h, qty in rows:
        # Summed: the night clocks go back, two UTC hours read as the same local hour.
        if (hour_no := local_hour(h)) < len(hours):
            per_hour[names[reason]][hour_no] += int(qty or 0)
    ops = db.session.execute(
        select(User.username, m.c.reason, func.sum(m.c.qty))
        .join(User, User.id == m.c.user_id)
        .where(m.c.created_at >= start, m.c.reason.in_(reasons))
        .group_by(User.username, m.c.reason)
        .order_by(User.username)
    ).all()
    operators: dict[str, dict[str, int]] = {}
    for username, reason, qty in ops:
        operators.setdefault(username, {})[names[reason]] = int(qty or 0)
    totals = {label: sum(values) for label, values in per_hour.items()}
    return Throughput(hours, per_hour, sorted(operators.items()), totals)


@dataclass
class Orders:
    by_status: dict[str, int]
    shipped_today: int
    on_time_rate: float | None
    on_time_counted: int


def orders(now: datetime | None = None) -> Orders:
    now = now or utcnow()
    o = Order.__table__
    watched = (
        OrderStatus.READY_TO_PICK,
        OrderStatus.PICKING,
        OrderStatus.CROSS_DOCKING,
        OrderStatus.READY_TO_PACK,
        OrderStatus.PACKED,
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.WAITING,
        OrderStatus.HELD,
    )
    by_status = dict(
        db.session.execute(
            select(o.c.status, func.count()).where(o.c.status.in_(watched)).group_by(o.c.status)
        ).all()
    )
    shipped_today = db.session.scalar(
        select(func.count()).where(o.c.shipped_at >= day_start(local_date(now)))
    )
    shipped_on = _local_day_of(o.c.shipped_at, now)
    counted, on_time = db.session.execute(
        select(func.count(), func.count().filter(shipped_on <= o.c.promised_on)).where(
            o.c.shipped_at >= now - timedelta(days=7), o.c.promised_on.is_not(None)
        )
    ).one()
    return Orders(
        {str(k): int(v) for k, v in by_status.items()},
        int(shipped_today or 0),
        round(100.0 * on_time / counted, 1) if counted else None,
        int(counted),
    )


def _local_day_of(column: Any, now: datetime) -> Any:
    """The warehouse's date of a stored moment, in SQL: shifted by the zone's offset at ``now``.

    A week's shipments are read with today's offset: one shipped within an hour of a
    daylight-saving change can be read a day off, which moves an on-time rate by a hair.
    """
    offset = local(now).utcoffset() or timedelta(0)
    if is_postgres():
        return func.cast(column + offset, db.Date)
    return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")


@dataclass
class PreorderRow:
    sku: str
    name: str
    release_on: date
    preordered: int
    on_hand: int
    inbound: int
    cap: int | None

    @property
    def short(self) -> int:
        return max(0, self.preordered - self.on_hand - self.inbound)


def preorders() -> list[PreorderRow]:
    ps = ProductStock.__table__
    il = InboundLine.__table__
    ib = Inbound.__table__
    inbound = (
        select(il.c.product_id, func.sum(il.c.qty_expected - il.c.qty_received).label("qty"))
        .join(ib, ib.c.id == il.c.inbound_id)
        .where(
            ib.c.status.in_([s.value for s in OPEN_STATUSES]), il.c.qty_expected > il.c.qty_received
        )
        .group_by(il.c.product_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Product.sku,
            Product.name,
            Product.release_on,
            func.coalesce(ps.c.qty_preordered, 0),
            func.coalesce(ps.c.qty_sellable, 0),
            func.coalesce(inbound.c.qty, 0),
            Product.preorder_cap,
        )
        .outerjoin(ps, ps.c.product_id == Product.id)
        .outerjoin(inbound, inbound.c.product_id == Product.id)
        .where(Product.release_on > today(), Product.active.is_(True))
        .order_by(Product.release_on, Product.sku)
    ).all()
    return [PreorderRow(*r) for r in rows]


@dataclass(frozen=True)
class ExceptionSource:
    label: str
    count: Any  # (now) -> int
    endpoint: str  # the list behind the figure
    args: tuple[tuple[str, str], ...] = ()


@dataclass
class ExceptionCount:
    label: str
    count: int
    endpoint: str
    args: dict[str, str]


def exception_counts(now: datetime | None = None) -> list[ExceptionCount]:
    """Open problems, each counted by its own source, each with the list behind it."""
    now = now or utcnow()
    return [
        ExceptionCount(src.label, src.count(now), src.endpoint, dict(src.args))
        for src in EXCEPTION_SOURCES
    ]


def _receiving_exceptions(now: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(DockUnit)
            .where(
                DockUnit.destination == Destination.QUARANTINE,
                DockUnit.status != DockUnitStatus.UNDONE,
                DockUnit.received_at >= now - timedelta(days=7),
            )
        )
        or 0
    )


def _units_in_quarantine(now: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Stock.qty_on_hand), 0))
            .join(Location, Location.id == Stock.location_id)
            .where(Location.kind == LocationKind.QUARANTINE)
        )
        or 0
    )


def _failed_webhooks(now: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.status == OutboxStatus.FAILED)
        )
        or 0
    )


def _short_picks(now: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(PickShortage)
            .where(PickShortage.created_at >= now - timedelta(days=7))
        )
        or 0
    )


def _label_failures(now: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Parcel)
            .where(Parcel.label_state.in_((LabelState.FAILED, LabelState.UNCERTAIN)))
        )
        or 0
    )


# Each area that records a kind of problem adds its source here.
EXCEPTION_SOURCES: list[ExceptionSource] = [
    ExceptionSource(
        N_("Short picks (7 days)"),
        _short_picks,
        "dashboard.list_view",
        (("name", "short_picks"), ("days", "7")),
    ),
    ExceptionSource(
        N_("Receiving exceptions (7 days)"),
        _receiving_exceptions,
        "dashboard.list_view",
        (("name", "exceptions"), ("days", "7")),
    ),
    ExceptionSource(
        N_("Units in quarantine"),
        _units_in_quarantine,
        "dashboard.list_view",
        (("name", "ledger"), ("reason", "quarantine")),
    ),
    ExceptionSource(
        N_("Failed webhook deliveries"), _failed_webhooks, "desk.outbox", (("status", "failed"),)
    ),
    ExceptionSource(
        N_("Label failures"), _label_failures, "dashboard.list_view", (("name", "label_failures"),)
    ),
]
