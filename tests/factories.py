"""Factories for test data. Each call makes unique data and commits it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask

from wms.auth.models import User
from wms.base.codes import gs1_check_digit
from wms.channels.models import Channel, ChannelProduct
from wms.channels.outbox import forget_channels
from wms.channels.shops import add_shop_channel
from wms.channels.tokens import new_token
from wms.core import ledger
from wms.core.models import Order, OrderLine, OrderStatus, Priority
from wms.core.stock import ensure_product_stock
from wms.extensions import db
from wms.inbounds.rules import NewInboundLine
from wms.inbounds.services import create_inbound
from wms.inventory.models import Barcode, BarcodeKind, Location, LocationKind, Product
from wms.orders.services import NewLine, NewOrder, accept_order

_ean_seq = iter(range(1, 10**9))


def unique(prefix: str = "") -> str:
    from tests.conftest import unique as _unique

    return _unique(prefix)


def new_ean13() -> str:
    import uuid

    body = "29" + str(uuid.uuid4().int)[:10]
    return body + str(gs1_check_digit(body))


class Factories:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def _commit(self, obj: Any) -> Any:
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def user(self, role: str = "operator", password: str = "secret-pass", **kw: Any) -> User:
        with self.app.app_context():
            user = User(
                username=kw.pop("username", unique("user")).lower(),
                role=role,
                badge_code=kw.pop("badge_code", unique("BADGE-")),
                full_name=kw.pop("full_name", "Test User"),
                **kw,
            )
            user.set_password(password)
            return self._commit(user)

    def product(self, **kw: Any) -> Product:
        with self.app.app_context():
            ean = kw.pop("ean", None) or new_ean13()
            product = Product(
                sku=kw.pop("sku", unique("SKU-")),
                name=kw.pop("name", "Test product"),
                weight_g=kw.pop("weight_g", 500),
                **kw,
            )
            product.barcodes = [Barcode(code=ean, kind=BarcodeKind.EAN13)]
            db.session.add(product)
            db.session.flush()
            ensure_product_stock([product.id])
            db.session.commit()
            db.session.refresh(product)
            product.barcodes  # noqa: B018  (load before detaching)
            db.session.expunge_all()
            return product

    def barcode(self, product: Product, code: str, units: int = 1) -> None:
        with self.app.app_context():
            db.session.add(
                Barcode(product_id=product.id, code=code, kind=BarcodeKind.INTERNAL, units=units)
            )
            db.session.commit()

    def location(self, kind: str = LocationKind.BIN, **kw: Any) -> Location:
        with self.app.app_context():
            return self._commit(
                Location(
                    code=kw.pop("code", unique("LOC-")),
                    kind=kind,
                    walk_seq=kw.pop("walk_seq", 0),
                    **kw,
                )
            )

    def stock(self, product: Product, location: Location, qty: int) -> None:
        with self.app.app_context():
            loc = db.session.get(Location, location.id)
            ledger.move_stock(product.id, qty, None, loc, ledger.Reason.OPENING, "test stock")
            db.session.commit()

    def channel(self, webhook_url: str | None = None, **kw: Any) -> tuple[Channel, str]:
        with self.app.app_context():
            token, digest = new_token()
            channel = self._commit(
                Channel(
                    code=kw.pop("code", unique("ch")),
                    name=kw.pop("name", "Test channel"),
                    token_hash=digest,
                    webhook_url=webhook_url,
                    webhook_secret=kw.pop("webhook_secret", "whsec-test" if webhook_url else None),
                    **kw,
                )
            )
            forget_channels()
            return channel, token

    def shop_channel(self, platform: str, **credentials: Any) -> Channel:
        """A shop channel of ``platform`` with its credentials sealed; the signing secret
        is ``secret-<code>`` unless given."""
        code = credentials.pop("code", unique(f"{platform[:4]}-").lower())
        defaults: dict[str, dict[str, Any]] = {
            "shopify": {
                "shop_url": "http://127.0.0.1:9/",
                "access_token": "shpat-test",
                "client_secret": f"secret-{code}",
                "location_id": "905684977",
            },
            "woocommerce": {
                "site_url": "http://127.0.0.1:9/",
                "consumer_key": "ck_test",
                "consumer_secret": "cs_test",
                "webhook_secret": f"secret-{code}",
            },
            "prestashop": {"shop_url": "http://127.0.0.1:9/", "webservice_key": "PSKEYTEST"},
        }
        values = {**defaults[platform], **credentials}
        with self.app.app_context():
            channel = add_shop_channel(code, f"{platform} shop {code}", platform, values, None)
            db.session.commit()
            db.session.refresh(channel)
            db.session.expunge(channel)
            forget_channels()
            return channel

    def map_item(
        self,
        channel: Channel,
        product: Product,
        product_id: str,
        variant_id: str = "",
        sku: str = "",
    ) -> None:
        """Say that a shop's item (its product and variant ids) is ``product``."""
        with self.app.app_context():
            db.session.add(
                ChannelProduct(
                    channel_id=channel.id,
                    platform_product_id=product_id,
                    platform_variant_id=variant_id,
                    platform_sku=sku,
                    product_id=product.id,
                )
            )
            db.session.commit()

    def order(
        self,
        channel: Channel,
        lines: list[tuple[Product, int]],
        priority: int = Priority.STANDARD,
        placed_at: datetime | None = None,
        **kw: Any,
    ) -> int:
        with self.app.app_context():
            result = accept_order(
                channel.id,
                NewOrder(
                    external_id=kw.pop("external_id", unique("EXT-")),
                    lines=tuple(NewLine(p.sku, q) for p, q in lines),
                    priority=priority,
                    placed_at=placed_at,
                    ship_to=kw.pop(
                        "ship_to",
                        {
                            "name": "A Customer",
                            "street1": "1 Main St",
                            "city": "Town",
                            "zip": "90001",
                            "country": "US",
                        },
                    ),
                    **kw,
                ),
            )
            db.session.commit()
            return result.order_id

    def stage(
        self,
        order_id: int,
        to_location: Location,
        reason: str = ledger.Reason.CROSS_DOCK,
        qty: int | None = None,
    ) -> None:
        """Put an order's reserved units in a lane or tote, from the bins that hold them,
        as receiving (cross-dock) and picking do; the order becomes ready to pack."""
        from sqlalchemy import select

        from wms.core.backorders import refresh_order_status
        from wms.core.models import OrderLine
        from wms.core.staging import stage_units
        from wms.inventory.models import Stock

        with self.app.app_context():
            to_loc = db.session.get(Location, to_location.id)
            lines = db.session.scalars(
                select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
            ).all()
            for line in lines:
                want = line.qty_reserved if qty is None else min(qty, line.qty_reserved)
                sources = db.session.scalars(
                    select(Stock)
                    .join(Location, Location.id == Stock.location_id)
                    .where(
                        Stock.product_id == line.product_id,
                        Stock.qty_on_hand > 0,
                        Location.kind.in_([LocationKind.BIN, LocationKind.RECEIVING]),
                    )
                    .order_by(Stock.id)
                ).all()
                for source in sources:
                    n = min(want, source.qty_on_hand)
                    if n <= 0:
                        break
                    stage_units(line, n, source.location, to_loc, reason, "test staging")
                    want -= n
            refresh_order_status([order_id])
            db.session.commit()

    def box(self, **kw: Any) -> Any:
        from wms.shipping.models import BoxType

        with self.app.app_context():
            return self._commit(
                BoxType(
                    code=kw.pop("code", unique("BOX-")),
                    name=kw.pop("name", "Test box"),
                    length_mm=kw.pop("length_mm", 300),
                    width_mm=kw.pop("width_mm", 200),
                    height_mm=kw.pop("height_mm", 100),
                    tare_g=kw.pop("tare_g", 150),
                    **kw,
                )
            )

    def pack_station(self, printer_host: str = "", printer_port: int = 9100) -> Location:
        """A packing location, with a thermal printer when a host is given."""
        from wms.shipping.models import PackStation

        location = self.location(LocationKind.PACKING, code=unique("PACK-"))
        with self.app.app_context():
            db.session.add(
                PackStation(
                    location_id=location.id, printer_host=printer_host, printer_port=printer_port
                )
            )
            db.session.commit()
        return location

    def shipped_order(
        self,
        channel: Channel,
        lines: list[tuple[Product, int]],
        from_location: Location | None = None,
        **kw: Any,
    ) -> int:
        """An order reserved from stock, then shipped the way shipping ships it: the
        units leave the building (a ``ship`` movement releasing the reservation) and
        each line's reserved units become shipped. Without ``from_location`` the
        units are first put on a new shipping dock of their own."""
        if from_location is None:
            from_location = self.location(LocationKind.SHIPPING_DOCK)
            for product, qty in lines:
                self.stock(product, from_location, qty)
        order_id = self.order(channel, lines, **kw)
        with self.app.app_context():
            self.ship(order_id, from_location)
        return order_id

    def ship(self, order_id: int, from_location: Location) -> None:
        """Ship every reserved unit of an order from one place (inside an app context)."""
        from sqlalchemy import select, update

        from wms.base.clock import utcnow
        from wms.base.numbers import order_number

        lines_t = OrderLine.__table__
        location = db.session.get(Location, from_location.id)
        rows = db.session.execute(
            select(lines_t.c.id, lines_t.c.product_id, lines_t.c.qty_reserved)
            .where(lines_t.c.order_id == order_id, lines_t.c.qty_reserved > 0)
            .order_by(lines_t.c.id)
        ).all()
        for row in rows:
            ledger.move_stock(
                row.product_id,
                row.qty_reserved,
                location,
                None,
                ledger.Reason.SHIP,
                order_number(order_id),
                None,
                release_reserved=row.qty_reserved,
            )
            shipped = db.session.execute(
                update(lines_t)
                .where(lines_t.c.id == row.id, lines_t.c.qty_reserved >= row.qty_reserved)
                .values(
                    qty_reserved=lines_t.c.qty_reserved - row.qty_reserved,
                    qty_shipped=lines_t.c.qty_shipped + row.qty_reserved,
                )
            )
            assert shipped.rowcount == 1
        now = utcnow()
        db.session.execute(
            update(Order.__table__)
            .where(Order.id == order_id)
            .values(status=OrderStatus.SHIPPED, shipped_at=now, updated_at=now)
        )
        db.session.commit()

    def rma(
        self,
        order_id: int,
        lines: list[tuple[Product, int]],
        reason: str = "changed_mind",
        wish: str = "refund",
    ) -> str:
        """A return authorised on the desk for shipped units; returns its number (R-10001)."""
        from wms.base.numbers import rma_number
        from wms.returns.services.authorisations import NewReturn, NewReturnLine, authorise_return

        with self.app.app_context():
            result = authorise_return(
                NewReturn(order_id, tuple(NewReturnLine(p.sku, q, reason, wish) for p, q in lines))
            )
            db.session.commit()
            return rma_number(result.rma_id)

    def inbound(self, lines: list[tuple[Product, int]], expected_at: datetime, **kw: Any) -> int:
        with self.app.app_context():
            inbound, _ = create_inbound(
                reference=kw.pop("reference", unique("ASN-")),
                expected_at=expected_at,
                lines=[NewInboundLine(p.sku, q) for p, q in lines],
                **kw,
            )
            db.session.commit()
            return inbound.id

    def count_task(
        self, location: Location, tolerance_units: int = 0, tolerance_pct: int = 0
    ) -> int:
        """An open cycle count task for a bin."""
        from wms.stockcontrol.models import CountTask

        with self.app.app_context():
            task = CountTask(
                location_id=location.id,
                source="manual",
                tolerance_units=tolerance_units,
                tolerance_pct=tolerance_pct,
            )
            db.session.add(task)
            db.session.commit()
            return task.id

    def wave(self, channel: Channel, **criteria: Any) -> int:
        """A wave of the channel's orders ready to pick (other tests' orders stay out)."""
        from wms.picking.services.waves import WaveCriteria, build_wave

        with self.app.app_context():
            built = build_wave(WaveCriteria(channel_id=channel.id, **criteria))
            db.session.commit()
            assert built.wave_id is not None, built.left_out
            return built.wave_id


def on(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour)
