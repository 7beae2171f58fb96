"""What the supervisor's wave pages show: orders waiting for a wave, waves, their lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, exists, func, select

from wms.auth.models import User
from wms.base.errors import NotFound
from wms.base.i18n import _
from wms.base.numbers import wave_code
from wms.channels.models import Channel
from wms.core.models import PRIORITY_LABELS, Order, OrderStatus, Priority
from wms.extensions import db
from wms.inventory.models import Location, Product
from wms.picking.models import PickShortage, PickTask, TaskStatus, Wave, WaveOrder

orders_t = Order.__table__
tasks_t = PickTask.__table__
wave_orders_t = WaveOrder.__table__
RECENT_WAVES = 50


@dataclass(frozen=True)
class WaveRow:
    wave: Wave
    picker: str
    orders: int
    lines: int
    lines_done: int
    units_short: int


def ready_orders() -> list[Any]:
    """Orders ready to pick and in no wave, by channel, service level and priority."""
    in_a_wave = exists().where(
        wave_orders_t.c.order_id == orders_t.c.id, wave_orders_t.c.active.is_(True)
    )
    return db.session.execute(
        select(
            Channel.name.label("channel"),
            orders_t.c.service_level,
            orders_t.c.priority,
            func.count().label("orders"),
            func.min(orders_t.c.placed_at).label("oldest"),
        )
        .join(Channel, Channel.id == orders_t.c.channel_id)
        .where(orders_t.c.status == OrderStatus.READY_TO_PICK, ~in_a_wave)
        .group_by(Channel.name, orders_t.c.service_level, orders_t.c.priority)
        .order_by(orders_t.c.priority, Channel.name, orders_t.c.service_level)
    ).all()


def filter_choices() -> dict[str, Any]:
    channels = db.session.execute(
        select(Channel.id, Channel.name).where(Channel.active.is_(True)).order_by(Channel.name)
    ).all()
    levels = db.session.scalars(
        select(orders_t.c.service_level)
        .where(orders_t.c.status == OrderStatus.READY_TO_PICK)
        .distinct()
        .order_by(orders_t.c.service_level)
    ).all()
    return {
        "channels": channels,
        "service_levels": levels,
        "priorities": [(p.value, PRIORITY_LABELS[p]) for p in Priority],
    }


def recent_waves(limit: int = RECENT_WAVES) -> list[WaveRow]:
    waves = list(db.session.scalars(select(Wave).order_by(Wave.id.desc()).limit(limit)))
    if not waves:
        return []
    ids = [w.id for w in waves]
    counts = {
        r.wave_id: r
        for r in db.session.execute(
            select(
                tasks_t.c.wave_id,
                func.count(func.distinct(tasks_t.c.order_id)).label("orders"),
                func.count().label("lines"),
                func.sum(case((tasks_t.c.status == TaskStatus.DONE, 1), else_=0)).label("done"),
                func.coalesce(func.sum(tasks_t.c.qty_short), 0).label("short"),
            )
            .where(tasks_t.c.wave_id.in_(ids), tasks_t.c.status != TaskStatus.CANCELLED)
            .group_by(tasks_t.c.wave_id)
        )
    }
    names = _user_names({w.picker_id for w in waves if w.picker_id})
    rows = []
    for w in waves:
        c = counts.get(w.id)
        rows.append(
            WaveRow(
                w,
                names.get(w.picker_id, "") if w.picker_id else "",
                c.orders if c else 0,
                c.lines if c else 0,
                int(c.done or 0) if c else 0,
                int(c.short) if c else 0,
            )
        )
    return rows


def _user_names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(user_ids)))
    return {u.id: u.display_name for u in users}


def wave_detail(wave_id: int) -> dict[str, Any]:
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        raise NotFound(_("There is no wave %(wave)s.", wave=wave_code(wave_id)))
    tasks = task_rows(wave_id)
    shortages = db.session.execute(
        select(PickShortage, Location.code, Product.sku)
        .join(Location, Location.id == PickShortage.location_id)
        .join(Product, Product.id == PickShortage.product_id)
        .where(PickShortage.wave_id == wave_id)
        .order_by(PickShortage.id)
    ).all()
    names = _user_names({u for u in (wave.picker_id, wave.created_by_id) if u})
    return {
        "wave": wave,
        "tasks": tasks,
        "shortages": shortages,
        "picker": names.get(wave.picker_id, "") if wave.picker_id else "",
        "created_by": names.get(wave.created_by_id, "") if wave.created_by_id else "",
    }


def task_rows(wave_id: int) -> list[Any]:
    """Every task of the wave with its bin, product and tote, in walking order."""
    tote = Location.__table__.alias("tote")
    bin_ = Location.__table__.alias("bin")
    return list(
        db.session.execute(
            select(
                tasks_t.c.id,
                bin_.c.code.label("bin_code"),
                bin_.c.id.label("bin_id"),
                tasks_t.c.walk_seq,
                tasks_t.c.product_id,
                Product.sku,
                Product.name,
                tasks_t.c.qty,
                tasks_t.c.qty_picked,
                tasks_t.c.qty_short,
                tasks_t.c.status,
                (tasks_t.c.status == TaskStatus.OPEN).label("is_open"),
                tasks_t.c.order_id,
                tote.c.code.label("tote_code"),
            )
            .join(bin_, bin_.c.id == tasks_t.c.location_id)
            .join(Product, Product.id == tasks_t.c.product_id)
            .join(wave_orders_t, wave_orders_t.c.id == tasks_t.c.wave_order_id)
            .outerjoin(tote, tote.c.id == wave_orders_t.c.tote_location_id)
            .where(tasks_t.c.wave_id == wave_id)
            .order_by(tasks_t.c.walk_seq, bin_.c.code, Product.sku, tasks_t.c.id)
        )
    )
