"""A demo warehouse that looks real, the same every time for a given seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update

from wms.auth.models import Role, User
from wms.base.clock import from_local, local_date, today, utcnow
from wms.base.codes import gs1_check_digit
from wms.base.numbers import order_number
from wms.carriers.builtin import BuiltinCarrier
from wms.channels.models import Channel
from wms.channels.outbox import forget_channels
from wms.channels.tokens import hash_token
from wms.core.ledger import Reason, move_stock
from wms.core.models import Order, OrderLine, OrderStatus, Priority
from wms.core.stock import ensure_product_stock
from wms.extensions import db
from wms.inbounds.rules import NewInboundLine
from wms.inbounds.services import create_inbound
from wms.inventory.models import Barcode, BarcodeKind, Location, LocationKind, Product, Stock
from wms.orders.services import NewLine, NewOrder, accept_order
from wms.returns.models import ReturnAuthorisation
from wms.returns.services import labels
from wms.returns.services.authorisations import NewReturn, NewReturnLine, authorise_return
from wms.shipping.models import BoxType, PackStation


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    badge: str
    role: str
    name: str


DEMO_LOGINS = (
    DemoLogin("olga", "olga-demo", "B-1001", Role.OPERATOR, "Olga Receiver"),
    DemoLogin("omar", "omar-demo", "B-1002", Role.OPERATOR, "Omar Picker"),
    DemoLogin("sam", "sam-demo", "B-2001", Role.SUPERVISOR, "Sam Supervisor"),
    DemoLogin("ada", "ada-demo", "B-3001", Role.ADMIN, "Ada Admin"),
)
DEMO_CHANNELS = (
    ("web", "Web shop", "wms_demo_web"),
    ("market", "Marketplace", "wms_demo_market"),
    ("wholesale", "Wholesale", "wms_demo_wholesale"),
)

AISLES = "ABCDE"
BAYS = 20
LEVELS = 4
ADJECTIVES = (
    "Alpine",
    "Arctic",
    "Basic",
    "Canvas",
    "Classic",
    "Compact",
    "Coastal",
    "Cotton",
    "Deluxe",
    "Everyday",
    "Field",
    "Granite",
    "Harbor",
    "Linen",
    "Merino",
    "Nordic",
    "Prairie",
    "Rapid",
    "Summit",
    "Trail",
)
NOUNS = (
    "Backpack",
    "Beanie",
    "Bottle",
    "Cap",
    "Duffel",
    "Gloves",
    "Hoodie",
    "Jacket",
    "Lantern",
    "Mug",
    "Poncho",
    "Scarf",
    "Socks",
    "Tent",
    "Thermos",
)
COLOURS = ("Black", "Blue", "Green", "Grey", "Red", "Sand", "White", "Olive")


def ean13(n: int) -> str:
    body = f"200{n:09d}"
    return body + str(gs1_check_digit(body))


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Product))


def load(seed: int = 7, now: datetime | None = None) -> dict[str, int]:
    """Fill an empty database with the demo warehouse as at ``now`` (a stored moment,
    the clock's by default); returns what was made. Its days are the warehouse's."""
    rng = random.Random(seed)
    day = today() if now is None else local_date(now)
    now = (now or utcnow()).replace(microsecond=0)
    users = _users()
    channels = _channels()
    locations = _locations()
    _shipping(locations)
    products = _products(rng, day)
    ensure_product_stock([p.id for p in products])
    db.session.flush()
    bins = [loc for loc in locations if loc.kind == LocationKind.BIN]
    short = _stock(rng, products, bins, users["ada"].id)
    n_orders = _orders(rng, products, short, channels, now)
    _inbounds(rng, products, short, day)
    returns = _returns(now, users["ada"].id)
    return {
        "users": len(users),
        "channels": len(channels),
        "locations": len(locations),
        "products": len(products),
        "orders": n_orders,
        "returns": len(returns),
    }


def _users() -> dict[str, User]:
    users = {}
    for login in DEMO_LOGINS:
        user = User(
            username=login.username,
            full_name=login.name,
            badge_code=login.badge,
            role=login.role,
        )
        user.set_password(login.password)
        db.session.add(user)
        users[login.username] = user
    db.session.flush()
    return users


def _channels() -> list[Channel]:
    channels = [
        Channel(code=code, name=name, token_hash=hash_token(token))
        for code, name, token in DEMO_CHANNELS
    ]
    db.session.add_all(channels)
    db.session.flush()
    forget_channels()
    return channels


def _locations() -> list[Location]:
    out: list[Location] = []
    seq = 0
    for a, aisle in enumerate(AISLES):
        # Walk up one aisle and down the next.
        bays = range(1, BAYS + 1) if a % 2 == 0 else range(BAYS, 0, -1)
        for bay in bays:
            for level in range(1, LEVELS + 1):
                seq += 10
                out.append(
                    Location(
                        code=f"{aisle}-{bay:02d}-{level}",
                        kind=LocationKind.BIN,
                        zone=aisle,
                        walk_seq=seq,
                        capacity=40,
                    )
                )
    specials = [
        ("RCV-1", "Receiving dock 1", LocationKind.RECEIVING, None),
        ("RCV-2", "Receiving dock 2", LocationKind.RECEIVING, None),
        *[(f"L{i}", f"Staging lane {i}", LocationKind.STAGING_LANE, 6) for i in range(1, 9)],
        ("H1", "Preorder hold lane", LocationKind.HOLD_LANE, 20),
        ("PACK-1", "Pack station 1", LocationKind.PACKING, None),
        ("PACK-2", "Pack station 2", LocationKind.PACKING, None),
        ("SHIP-1", "Shipping dock 1", LocationKind.SHIPPING_DOCK, None),
        ("SHIP-2", "Shipping dock 2", LocationKind.SHIPPING_DOCK, None),
        ("RET-1", "Returns desk", LocationKind.RETURNS, None),
        ("QUAR-1", "Quarantine cage", LocationKind.QUARANTINE, None),
        ("RWK-1", "Rework bench", LocationKind.REWORK, None),
        ("EXC-1", "Exceptions shelf", LocationKind.EXCEPTIONS, None),
        *[(f"T-{i:03d}", f"Tote {i}", LocationKind.TOTE, None) for i in range(1, 31)],
    ]
    for i, (code, name, kind, capacity) in enumerate(specials):
        out.append(
            Location(
                code=code, name=name, kind=kind, zone=kind, walk_seq=10_000 + i, capacity=capacity
            )
        )
    db.session.add_all(out)
    db.session.flush()
    return out


def _products(rng: random.Random, day: date) -> list[Product]:
    products: list[Product] = []
    n = 0
    for adjective in ADJECTIVES:
        for noun in rng.sample(NOUNS, 10):
            n += 1
            colour = rng.choice(COLOURS)
            product = Product(
                sku=f"{noun[:3].upper()}-{adjective[:3].upper()}-{n:03d}",
                name=f"{adjective} {noun}, {colour}",
                weight_g=rng.randrange(80, 2500, 10),
                length_mm=rng.randrange(100, 600, 10),
                width_mm=rng.randrange(80, 400, 10),
                height_mm=rng.randrange(20, 300, 10),
                unit_cost_cents=rng.randrange(300, 9000, 5),
                allow_backorder=n % 11 != 0,
                safety_stock=rng.choice((0, 2, 5, 5, 10)),
            )
            product.barcodes = [Barcode(code=ean13(n), kind=BarcodeKind.EAN13)]
            if n % 25 == 0:
                product.barcodes.append(
                    Barcode(code=f"CASE-{n:03d}-12", kind=BarcodeKind.INTERNAL, units=12)
                )
            products.append(product)
    # The last five launch in two weeks and sell ahead, capped.
    for product in products[-5:]:
        product.release_on = day + timedelta(days=14)
        product.preorder_cap = 60
        product.estimated_ship_on = day + timedelta(days=15)
        product.name = product.name.replace(",", " 2,", 1)
    db.session.add_all(products)
    db.session.flush()
    return products


def _stock(
    rng: random.Random, products: list[Product], bins: list[Location], user_id: int
) -> list[Product]:
    """Put stock in bins; returns the products left without stock (to be backordered)."""
    free_bins = list(bins)
    rng.shuffle(free_bins)
    regular = products[:-5]
    short = [p for i, p in enumerate(regular) if i % 13 == 5 and p.allow_backorder][:15]
    for product in regular:
        if product in short:
            continue
        for _ in range(rng.choice((1, 1, 1, 2))):
            if not free_bins:
                break
            move_stock(
                product.id,
                rng.randint(8, 40),
                None,
                free_bins.pop(),
                Reason.OPENING,
                "opening stock",
                user_id,
            )
    return short


def _orders(
    rng: random.Random,
    products: list[Product],
    short: list[Product],
    channels: list[Channel],
    now: datetime,
) -> int:
    regular = [p for p in products[:-5] if p not in short]
    preorder = products[-5:]
    n = 0
    for i in range(300):
        channel = channels[i % 3]
        placed = now - timedelta(minutes=rng.randint(30, 10 * 24 * 60))
        if i % 10 == 3:
            picks = [rng.choice(short)]
        elif i % 25 == 7:
            picks = [rng.choice(preorder)]
        else:
            picks = rng.sample(regular, rng.choice((1, 1, 2, 3)))
        if i % 17 == 4 and short:
            picks.append(rng.choice(short))
        seen: set[int] = set()
        lines = []
        for p in picks:
            if p.id in seen:
                continue
            seen.add(p.id)
            lines.append(NewLine(p.sku, rng.choice((1, 1, 1, 2, 3))))
        priority = Priority.EXPEDITED if i % 9 == 0 else Priority.STANDARD
        order = NewOrder(
            external_id=f"{channel.code.upper()}-{5000 + i}",
            lines=tuple(lines),
            customer_name=f"Customer {i + 1}",
            customer_email=f"customer{i + 1}@example.com",
            ship_to={
                "name": f"Customer {i + 1}",
                "street1": f"{rng.randint(1, 999)} Market Street",
                "city": rng.choice(("Springfield", "Riverton", "Lakeside", "Fairview")),
                "state": "CA",
                "zip": f"9{rng.randint(1000, 9999)}",
                "country": "US",
            },
            service_level="express" if priority == Priority.EXPEDITED else "standard",
            priority=priority,
            placed_at=placed,
            partial_allowed=i % 4 == 0,
            capture_before_ship=channel.code == "wholesale" and i % 2 == 0,
        )
        accept_order(channel.id, order)
        n += 1
    return n


def _inbounds(rng: random.Random, products: list[Product], short: list[Product], day: date) -> None:
    """Three ASNs due ``day`` (at the warehouse's 9:00, 11:00 and 14:00), carrying what
    the waiting orders need and some more."""
    regular = [p for p in products[:-5] if p not in short]
    groups = [short[0::3], short[1::3], short[2::3]]
    for i, (group, hour) in enumerate(zip(groups, (9, 11, 14), strict=True)):
        lines = [NewInboundLine(p.sku, rng.randint(6, 14)) for p in group]
        lines += [NewInboundLine(p.sku, rng.randint(5, 20)) for p in rng.sample(regular, 4)]
        create_inbound(
            reference=f"ASN-{day:%y%m%d}-{i + 1}",
            expected_at=from_local(datetime.combine(day, time(hour, 0))),
            lines=lines,
            supplier=("Northwind Supply", "Contoso Outdoor", "Fabrikam Textiles")[i],
        )
    # The launch stock for the preorders comes on a purchase order ten days out.
    create_inbound(
        reference=f"PO-{day:%y%m%d}-LAUNCH",
        kind="po",
        expected_at=from_local(datetime.combine(day + timedelta(days=10), time(10, 0))),
        lines=[NewInboundLine(p.sku, 40) for p in products[-5:]],
        supplier="Wingtip Toys",
    )


DEMO_BOXES = (
    ("ENV-1", "Padded envelope", 350, 250, 40, 30),
    ("BOX-S", "Small box", 250, 200, 100, 150),
    ("BOX-M", "Medium box", 400, 300, 200, 350),
    ("BOX-L", "Large box", 600, 400, 400, 700),
)


def _shipping(locations: list[Location]) -> None:
    """Boxes, and the demo's packing locations as stations (no thermal printers)."""
    for code, name, length, width, height, tare in DEMO_BOXES:
        db.session.add(
            BoxType(
                code=code,
                name=name,
                length_mm=length,
                width_mm=width,
                height_mm=height,
                tare_g=tare,
            )
        )
    for location in locations:
        if location.kind == LocationKind.PACKING:
            db.session.add(PackStation(location_id=location.id))
    db.session.flush()


# Orders shipped straight from their bins (the demo packs nothing), for returns to come back.
RETURNS_SHIPPED = 3
lines_t = OrderLine.__table__


def _returns(now: datetime, user_id: int) -> list[str]:
    """Ship the oldest ready web orders and authorise returns; returns the RMA numbers.

    Two of three shipped orders get a return, one with a label from the built-in
    carrier, so the returns desk and the bench have something to show.
    """
    orders = _ship_oldest(now, user_id)
    if len(orders) < 2:
        return []
    first = _authorise_return(orders[0], "defective", "refund", now)
    second = _authorise_return(orders[1], "changed_mind", "exchange", now)
    _return_label(first)
    return [first.number, second.number]


def _ship_oldest(now: datetime, user_id: int) -> list[Order]:
    candidates = db.session.scalars(
        select(Order)
        .where(Order.status == OrderStatus.READY_TO_PICK, Order.external_id.like("WEB-%"))
        .order_by(Order.placed_at, Order.id)
        .limit(RETURNS_SHIPPED)
    ).all()
    shipped_at = now - timedelta(days=3)
    for order in candidates:
        for line in order.lines:
            qty = line.qty_reserved
            move_stock(
                line.product_id,
                qty,
                _bin_holding(line.product_id, qty),
                None,
                Reason.SHIP,
                order.number,
                user_id,
                release_reserved=qty,
            )
            db.session.execute(
                update(lines_t)
                .where(lines_t.c.id == line.id, lines_t.c.qty_reserved >= qty)
                .values(
                    qty_reserved=lines_t.c.qty_reserved - qty,
                    qty_shipped=lines_t.c.qty_shipped + qty,
                )
            )
        order.status = OrderStatus.SHIPPED
        order.shipped_at = shipped_at
    db.session.flush()
    return list(candidates)


def _bin_holding(product_id: int, qty: int) -> Location:
    return db.session.scalars(
        select(Location)
        .join(Stock, Stock.location_id == Location.id)
        .where(
            Stock.product_id == product_id,
            Stock.qty_on_hand >= qty,
            Location.kind == LocationKind.BIN,
        )
        .order_by(Location.walk_seq)
        .limit(1)
    ).one()


def _authorise_return(order: Order, reason: str, wish: str, now: datetime) -> ReturnAuthorisation:
    line = order.lines[0]
    product = db.session.get(Product, line.product_id)
    result = authorise_return(
        NewReturn(order.id, (NewReturnLine(product.sku, 1, reason, wish),), note="Demo return")
    )
    rma = db.session.get(ReturnAuthorisation, result.rma_id)
    rma.created_at = now - timedelta(days=1)
    return rma


def _return_label(rma: ReturnAuthorisation) -> None:
    """A label from the built-in carrier, whatever carrier the site uses: no network."""
    label = BuiltinCarrier(serial_for=labels.builtin_serial).return_label(
        labels.customer_address(rma.order.ship_to, rma.order.customer_email),
        labels.return_address(),
        labels.parcel_for(rma),
        "PDF_4x6",
        f"return-{rma.number}",
        order_number=order_number(rma.order_id),
    )
    rma.label_key = f"return-{rma.number}"
    labels.record_label(rma.id, label, None)
