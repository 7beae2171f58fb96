"""A shop's catalogue and figures kept in step with the warehouse: the product import
that builds the SKU mapping, "push every figure", and the reconciliation that reads
the shop's figures back and corrects drift.

* **Import** reads every item the shop sells (``Connector.list_products``) and
  maps each to the warehouse's product of the same SKU. An item already mapped
  keeps its mapping (the merchant said so). A SKU that two or more of the shop's
  items share is never mapped: which one the warehouse's stock belongs to is the
  merchant's call, so each is listed as a duplicate. An item whose SKU no
  product has (or which has none) is listed as unmatched. The report is kept.
* **Push every figure** queues one figure per mapped product for the channel
  through the outbox (coalesced: a product with a figure already waiting keeps
  that one); the worker reads and sends the figures.
* **Reconciliation** reads the shop's figures, compares each mapped item with
  the figure the warehouse publishes now, and queues the right figure where they
  differ. A product whose figure is already waiting in the outbox is not
  compared (the shop is about to be told). What it corrected is kept.

The shop is called with no transaction of this module's making open: callers
read the channel, call, then write, and commit once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.i18n import Joined, Number, Text, _, as_written, from_record, n_, to_record
from wms.channels import outbox
from wms.channels.connectors import PlatformProduct
from wms.channels.models import Channel, ChannelProduct, ChannelReport, OutboxEvent, OutboxStatus
from wms.channels.pushes import shop_figure
from wms.extensions import db
from wms.inventory.availability import for_products
from wms.inventory.models import Product

IMPORT = "import"
RECONCILE = "reconcile"

MATCHED = "matched"  # mapped now, by its SKU
KEPT = "kept"  # mapped before: left as it is
UNMATCHED = "unmatched"  # no product has its SKU (or it has none)
DUPLICATE = "duplicate"  # its SKU is on more than one of the shop's items: not mapped


# ------------------------------------------------------------------- rules


@dataclass(frozen=True)
class ItemOutcome:
    item: PlatformProduct
    outcome: str
    sku: str = ""  # the warehouse's product it is (matched, kept)
    why: Text | str = ""


def match_items(
    items: Iterable[PlatformProduct],
    products: Mapping[str, int],
    mapped: Mapping[tuple[str, str], str],
) -> list[ItemOutcome]:
    """What becomes of each shop item. ``products``: active products' ids by SKU;
    ``mapped``: the warehouse SKU each item already mapped is, by (product id, variant id)."""
    items = list(items)
    counts = Counter(item.sku for item in items if item.sku)
    outcomes: list[ItemOutcome] = []
    for item in items:
        already = mapped.get((item.product_id, item.variant_id))
        if already is not None:
            outcomes.append(ItemOutcome(item, KEPT, already, _("Mapped before.")))
        elif not item.sku:
            outcomes.append(ItemOutcome(item, UNMATCHED, why=_("It has no SKU on the shop.")))
        elif counts[item.sku] > 1:
            outcomes.append(
                ItemOutcome(
                    item,
                    DUPLICATE,
                    why=_(
                        "%(count)s of the shop's items have the SKU %(sku)s.",
                        count=Number(counts[item.sku]),
                        sku=item.sku,
                    ),
                )
            )
        elif item.sku in products:
            outcomes.append(ItemOutcome(item, MATCHED, item.sku))
        else:
            outcomes.append(
                ItemOutcome(item, UNMATCHED, why=_("No product has the SKU %(sku)s.", sku=item.sku))
            )
    return outcomes


def import_summary(outcomes: list[ItemOutcome]) -> Text:
    tally = Counter(o.outcome for o in outcomes)
    return Joined(
        [
            n_("%(num)s item on the shop.", "%(num)s items on the shop.", len(outcomes)),
            _(
                "Matched now: %(matched)s; mapped before: %(kept)s; unmatched: %(unmatched)s; "
                "duplicate SKUs left unmapped: %(duplicate)s.",
                matched=Number(tally[MATCHED]),
                kept=Number(tally[KEPT]),
                unmatched=Number(tally[UNMATCHED]),
                duplicate=Number(tally[DUPLICATE]),
            ),
        ]
    )


# ------------------------------------------------------------------ import


def import_products(
    channel_id: int, items: list[PlatformProduct], user_id: int | None
) -> ChannelReport:
    """Map the shop's items to products by SKU (see the module docstring); the report
    is kept and returned. Flushes."""
    products = dict(
        db.session.execute(select(Product.sku, Product.id).where(Product.active.is_(True))).all()
    )
    outcomes = match_items(items, products, _mapped(channel_id))
    now = utcnow()
    new = [
        {
            "channel_id": channel_id,
            "platform_product_id": o.item.product_id,
            "platform_variant_id": o.item.variant_id,
            "platform_sku": o.item.sku[:100],
            "stock_key": o.item.key[:64],
            "product_id": products[o.sku],
            "created_at": now,
        }
        for o in outcomes
        if o.outcome == MATCHED
    ]
    if new:
        # An item mapped meanwhile (the import pressed twice at once) keeps its mapping.
        db.session.execute(_insert_mapping(), new)
    audit.record(user_id, "channel.products_imported", "channel", channel_id, matched=len(new))
    return _report(
        channel_id,
        IMPORT,
        import_summary(outcomes),
        [
            {
                "outcome": o.outcome,
                "shop_sku": o.item.sku,
                "title": o.item.title,
                "product_id": o.item.product_id,
                "variant_id": o.item.variant_id,
                "sku": o.sku,
                "why": as_written(o.why),
                "why_facts": to_record(o.why) if o.why else None,
            }
            for o in outcomes
        ],
    )


def _insert_mapping() -> Any:
    table = ChannelProduct.__table__
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(
        index_elements=["channel_id", "platform_product_id", "platform_variant_id"]
    )


def _mapped(channel_id: int) -> dict[tuple[str, str], str]:
    rows = db.session.execute(
        select(ChannelProduct.platform_product_id, ChannelProduct.platform_variant_id, Product.sku)
        .join(Product, Product.id == ChannelProduct.product_id)
        .where(ChannelProduct.channel_id == channel_id)
    ).all()
    return {(pid, vid): sku for pid, vid, sku in rows}


def import_failed(channel_id: int, kind: str, reason: Text | str) -> ChannelReport:
    """The shop could not be read: the report says so, and nothing else changes."""
    return _report(
        channel_id, kind, _("The shop could not be read: %(error)s", error=reason), [], failed=True
    )


def _report(
    channel_id: int, kind: str, summary: Text, lines: list[dict[str, Any]], failed: bool = False
) -> ChannelReport:
    report = ChannelReport(
        channel_id=channel_id,
        kind=kind,
        summary=as_written(summary),
        facts=to_record(summary),
        lines=lines,
        failed=failed,
        created_at=utcnow(),
    )
    db.session.add(report)
    db.session.flush()
    return report


# ------------------------------------------------------------------ figures


def mapped_products(channel_id: int) -> list[int]:
    """The products mapped on the channel, each once."""
    return list(
        db.session.scalars(
            select(ChannelProduct.product_id)
            .where(ChannelProduct.channel_id == channel_id)
            .distinct()
            .order_by(ChannelProduct.product_id)
        )
    )


def push_every_figure(channel_id: int, user_id: int | None) -> int:
    """Queue one figure per mapped product for the channel; how many products."""
    products = mapped_products(channel_id)
    outbox.emit_availability_to(channel_id, products)
    audit.record(user_id, "channel.push_every_figure", "channel", channel_id, count=len(products))
    return len(products)


@dataclass(frozen=True)
class Drift:
    product_id: int
    sku: str
    title: str
    key: str
    shop: int
    warehouse: int


def reconcile(channel_id: int, items: list[PlatformProduct], user_id: int | None) -> ChannelReport:
    """Compare the shop's figures (``items``, as ``list_products`` read them) with the
    warehouse's, queue the right figure where they differ, and keep the report.
    ``user_id`` None: the worker's round."""
    rows = db.session.execute(
        select(
            ChannelProduct.platform_product_id,
            ChannelProduct.platform_variant_id,
            ChannelProduct.product_id,
            Product.sku,
        )
        .join(Product, Product.id == ChannelProduct.product_id)
        .where(ChannelProduct.channel_id == channel_id)
    ).all()
    product_of = {(pid, vid): (product_id, sku) for pid, vid, product_id, sku in rows}
    waiting = _figures_waiting(channel_id)
    tracked = [
        i for i in items if i.stock is not None and (i.product_id, i.variant_id) in product_of
    ]
    figures = for_products(sorted({product_of[(i.product_id, i.variant_id)][0] for i in tracked}))
    drift: list[Drift] = []
    compared = in_flight = 0
    for item in tracked:
        product_id, sku = product_of[(item.product_id, item.variant_id)]
        if product_id in waiting:
            in_flight += 1
            continue
        compared += 1
        a = figures.get(product_id)
        want = shop_figure(a) if a is not None else 0
        if item.stock != want:
            drift.append(Drift(product_id, sku, item.title, item.key, item.stock or 0, want))
    outbox.emit_availability_to(channel_id, sorted({d.product_id for d in drift}))
    untracked = sum(1 for i in items if i.stock is None)
    unmapped = sum(
        1 for i in items if i.stock is not None and (i.product_id, i.variant_id) not in product_of
    )
    summary = reconcile_summary(len(drift), compared, in_flight, unmapped, untracked)
    audit.record(user_id, "channel.reconciled", "channel", channel_id, corrected=len(drift))
    return _report(
        channel_id,
        RECONCILE,
        summary,
        [
            {
                "sku": d.sku,
                "title": d.title,
                "key": d.key,
                "shop": d.shop,
                "warehouse": d.warehouse,
            }
            for d in drift
        ],
    )


def reconcile_summary(
    corrected: int, compared: int, in_flight: int, unmapped: int, untracked: int
) -> Text:
    """What a reconciliation did, in whole sentences (each number with its own plural)."""
    said: list[Text | str] = [
        n_(
            "%(num)s figure corrected of %(compared)s compared.",
            "%(num)s figures corrected of %(compared)s compared.",
            corrected,
            compared=Number(compared),
        )
    ]
    if in_flight:
        said.append(
            n_(
                "%(num)s figure already on its way.",
                "%(num)s figures already on their way.",
                in_flight,
            )
        )
    if unmapped:
        said.append(
            n_("%(num)s unmapped item left alone.", "%(num)s unmapped items left alone.", unmapped)
        )
    if untracked:
        said.append(
            n_(
                "%(num)s item the shop does not count.",
                "%(num)s items the shop does not count.",
                untracked,
            )
        )
    return Joined(said)


def summary_words(report: ChannelReport) -> Text | str:
    """A report's summary in the reader's language (a report kept before its facts were
    kept reads as it was written)."""
    return from_record(report.facts, report.summary)


def why_words(line: dict[str, Any]) -> Text | str:
    """Why an imported item became what it did, in the reader's language."""
    return from_record(line.get("why_facts"), str(line.get("why") or ""))


def _figures_waiting(channel_id: int) -> set[int]:
    t = OutboxEvent.__table__
    aggregates = db.session.scalars(
        select(t.c.aggregate).where(
            t.c.channel_id == channel_id,
            t.c.event_type == "availability.changed",
            t.c.status == OutboxStatus.PENDING.value,
        )
    )
    return {int(a.partition(":")[2]) for a in aggregates if a.startswith("product:")}


REPORTS_KEPT = 50


def prune_reports(keep: int = REPORTS_KEPT) -> int:
    """Delete all but the newest ``keep`` reports of each kind per shop, in one statement;
    how many went.

    Kept by count, not by age: the reconciliation's interval is the merchant's setting
    (``WMS_RECONCILE_MINUTES``), so an age would keep 30 reports or 40,000; and a shop
    left alone keeps its history. By kind, so a shop reconciled every hour still shows
    the import that built its mapping."""
    t = ChannelReport.__table__
    ranked = select(
        t.c.id,
        func.row_number()
        .over(
            partition_by=(t.c.channel_id, t.c.kind), order_by=(t.c.created_at.desc(), t.c.id.desc())
        )
        .label("newer"),
    ).subquery()
    old = select(ranked.c.id).where(ranked.c.newer > keep)
    return db.session.execute(t.delete().where(t.c.id.in_(old))).rowcount or 0


def shop_channels_due(every_minutes: float) -> list[int]:
    """Active shop channels whose last reconciliation (or, never reconciled, whose
    connection) is older than ``every_minutes``: a shop just connected gets its figures
    from "Push every figure", and is read back an interval later."""
    last = (
        select(ChannelReport.channel_id, func.max(ChannelReport.created_at).label("at"))
        .where(ChannelReport.kind == RECONCILE)
        .group_by(ChannelReport.channel_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Channel.id, func.coalesce(last.c.at, Channel.created_at))
        .outerjoin(last, last.c.channel_id == Channel.id)
        .where(Channel.active.is_(True), Channel.platform != "generic")
        .order_by(Channel.id)
    ).all()
    now = utcnow()
    return [cid for cid, at in rows if (now - at).total_seconds() >= every_minutes * 60]
