"""The PrestaShop connector against the fake PrestaShop webservice on 127.0.0.1."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakes.prestashop_server import FakePrestaShop
from tests.fakes.shop_base import FakeClock
from wms.channels.connectors import (
    PlatformRefused,
    PrestaShopConnector,
    PrestaShopCredentials,
    Shipment,
    StockFigure,
    UnreadableOrder,
)
from wms.channels.connectors.prestashop_stock import WRITES_AT_ONCE

TRACKING_PUT = Path("/work/shared/channels/prestashop-order-carrier-tracking-put.xml")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake() -> Iterator[FakePrestaShop]:
    with FakePrestaShop() as server:
        yield server


@pytest.fixture
def connect(fake: FakePrestaShop, clock: FakeClock) -> Callable[..., PrestaShopConnector]:
    def make(page_size: int = 100, **changes: Any) -> PrestaShopConnector:
        fields = {
            "shop_url": fake.url,
            "webservice_key": fake.key,
            "timezone": "Europe/Paris",
            **changes,
        }
        return PrestaShopConnector(
            PrestaShopCredentials(**fields),
            requests.Session(),
            sleep=clock.sleep,
            page_size=page_size,
        )

    return make


# ----------------------------------------------------------- connection


def test_test_connection_names_the_shop(connect: Callable[..., PrestaShopConnector]) -> None:
    assert connect().test_connection() == (
        "Connected to the PrestaShop shop “Boutique”; the key has every permission needed."
    )


def test_a_key_missing_a_permission_is_told_which(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    fake.deny("stock_availables", "put")
    fake.deny("order_histories", "post")

    with pytest.raises(PlatformRefused) as caught:
        connect().test_connection()

    assert str(caught.value) == (
        "The PrestaShop shop “Boutique” answers, but its webservice key lacks: "
        "PUT stock_availables, POST order_histories."
    )


def test_a_wrong_key_is_refused(connect: Callable[..., PrestaShopConnector]) -> None:
    with pytest.raises(PlatformRefused, match=r"HTTP 401\): Authentication key does not exist"):
        connect(webservice_key="WRONG").test_connection()


# --------------------------------------------------------------- polling


def test_a_first_poll_starts_at_the_newest_order_without_importing_history(
    connect: Callable[..., PrestaShopConnector],
) -> None:
    orders, cursor = connect().poll_orders(None)

    assert orders == []
    assert cursor == "2019-01-30 01:02:13|5"  # the example order, the shop's newest


def test_orders_changed_since_the_cursor_come_with_their_address_and_email(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    elephant = fake.add_product("ELEPHANT", 10)["ELEPHANT"]
    connector = connect()
    _, cursor = connector.poll_orders(None)
    fake.tick(60)
    placed = fake.add_order("XKBKNABJK", [(elephant, 0, "ELEPHANT", 2)])

    orders, cursor = connector.poll_orders(cursor)

    (order,) = orders
    assert (order.order_id, order.name) == (str(placed), "XKBKNABJK")
    assert [(line.sku, line.qty, line.product_id, line.variant_id) for line in order.lines] == [
        ("ELEPHANT", 2, str(elephant), "")
    ]
    assert order.customer_email == "pub@prestashop.com"
    assert dict(order.ship_to) == {
        "name": "John DOE",
        "company": "My Company",
        "street1": "16, Main street",
        "street2": "2nd floor",
        "city": "Miami",
        "state": "FL",
        "zip": "33133",
        "country": "US",
        "phone": "0102030405",
        "email": "pub@prestashop.com",
    }
    assert order.placed_at == datetime(2026, 3, 2, 8, 1, tzinfo=UTC)  # 09:01 in Paris
    asked = fake.requests_to("GET orders")[-1].query
    assert asked["filter[date_upd]"] == ["[2019-01-30 01:02:13,9999-12-31 23:59:59]"]
    assert (asked["date"], asked["display"], asked["sort"]) == (
        ["1"],
        ["full"],
        ["[date_upd_ASC,id_ASC]"],
    )
    assert connector.poll_orders(cursor) == ([], cursor)  # nothing new: nothing again


def test_an_order_updated_later_is_seen_again(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    connector = connect()
    _, cursor = connector.poll_orders(None)
    fake.tick(60)
    placed = fake.add_order("CANCELME", [(1, 1, "demo_1", 1)])
    _, cursor = connector.poll_orders(cursor)
    fake.tick(60)
    connector.post(
        "order_histories",
        b"<prestashop><order_history><id_order>%d</id_order>"
        b"<id_order_state>6</id_order_state></order_history></prestashop>" % placed,
    )

    orders, _ = connector.poll_orders(cursor)

    assert [(o.order_id, o.cancelled) for o in orders] == [(str(placed), True)]


def test_orders_sharing_the_cursors_second_are_not_repeated_nor_missed(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    connector = connect()
    _, cursor = connector.poll_orders(None)
    fake.tick(60)
    first = fake.add_order("SAMESEC1", [(1, 1, "demo_1", 1)])
    second = fake.add_order("SAMESEC2", [(1, 1, "demo_1", 1)])
    orders, cursor = connector.poll_orders(cursor)
    third = fake.add_order("SAMESEC3", [(1, 1, "demo_1", 1)])  # the same second, later

    later, _ = connector.poll_orders(cursor)

    assert [o.order_id for o in orders] == [str(first), str(second)]
    assert [o.order_id for o in later] == [str(third)]


def test_an_order_that_cannot_be_read_comes_with_its_reason_and_does_not_stop_the_poll(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    connector = connect()
    _, cursor = connector.poll_orders(None)
    fake.tick(60)
    broken = fake.add_order("BROKEN", [(1, 1, "demo_1", 1)])
    fake.tables["orders"][broken].find(
        "associations/order_rows/order_row/product_quantity"
    ).text = "x"
    fake.tick(1)
    fine = fake.add_order("FINE", [(1, 1, "demo_1", 1)])

    orders, cursor = connector.poll_orders(cursor)

    unreadable, order = orders
    assert isinstance(unreadable, UnreadableOrder)
    assert (unreadable.order_id, unreadable.reason) == (
        str(broken),
        "The field order_row[1].product_quantity is not a whole number: 'x'.",
    )
    assert b"<reference>BROKEN</reference>" in unreadable.raw
    assert order.order_id == str(fine)
    assert cursor == f"2026-03-02 09:01:01|{fine}"


def test_a_cursor_the_connector_did_not_give_is_refused_before_any_call(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    with pytest.raises(ValueError, match="is not a cursor this connector gave"):
        connect().poll_orders("yesterday")

    assert fake.requests == []


def test_a_poll_pages_through_many_orders_and_reads_addresses_in_one_call(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    connector = connect(page_size=100)
    _, cursor = connector.poll_orders(None)
    placed = []
    for n in range(250):
        fake.tick(1)
        placed.append(fake.add_order(f"BULK{n:05d}", [(1, 1, "demo_1", 1)]))

    orders, _ = connector.poll_orders(cursor)

    assert [o.order_id for o in orders] == [str(n) for n in placed]
    limits = [r.query["limit"][0] for r in fake.requests_to("GET orders")[1:]]
    assert limits == ["0,100", "100,100", "200,100"]
    assert len(fake.requests_to("GET addresses")) == 1
    assert len(fake.requests_to("GET customers")) == 1


def test_read_order_gives_the_example_order_with_its_delivery_address(
    connect: Callable[..., PrestaShopConnector],
) -> None:
    order = connect().read_order("5")

    assert (order.name, order.customer_name, order.ship_to["country"]) == (
        "KHWLILZLL",
        "John DOE",
        "US",
    )


# ----------------------------------------------------------------- stock


def test_set_stock_then_read_stock_gives_the_figures_sent(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    elephant = fake.add_product("ELEPHANT", 10)["ELEPHANT"]
    scarf = fake.add_product("SCARF", name="Scarf", combinations={"SCARF-RED": 2, "SCARF-BLUE": 3})
    connector = connect()
    figures = [
        StockFigure(f"{elephant}/0", 4),
        StockFigure(f"{scarf['SCARF']}/{scarf['SCARF-RED']}", 0),
        StockFigure(f"{scarf['SCARF']}/{scarf['SCARF-BLUE']}", 3),  # unchanged: not written
    ]

    result = connector.set_stock(figures)

    assert result.refused == {}
    assert connector.read_stock() == {f.key: f.qty for f in figures}
    assert fake.stock_of(scarf["SCARF"]) == 3  # PrestaShop keeps the product's sum
    assert len(fake.requests_to("PUT stock_availables")) == 2
    asked = fake.requests_to("GET stock_availables")[0].query
    assert asked["filter[id_product]"] == [f"[{elephant}|{scarf['SCARF']}]"]


def test_stock_rows_of_several_products_are_written_side_by_side(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    """The webservice takes one row per call: a burst of figures goes out a few products
    at once; a product's own combinations one after the other (PrestaShop adds them up
    into the product's row)."""
    products = [fake.add_product(f"KNIT-{n}", 10)[f"KNIT-{n}"] for n in range(8)]
    scarf = fake.add_product("SCARF", name="Scarf", combinations={"SCARF-RED": 2, "SCARF-BLUE": 3})
    in_flight: dict[str, int] = {}
    most: dict[str, int] = {"all": 0, "scarf": 0}
    lock = threading.Lock()
    dispatch = fake.dispatch
    scarf_rows = {
        row.findtext("id")
        for row in fake.tables["stock_availables"].values()
        if row.findtext("id_product") == str(scarf["SCARF"])
    }

    def slow_dispatch(method: str, raw_path: str, headers: Any, body: bytes) -> Any:
        if method != "PUT":
            return dispatch(method, raw_path, headers, body)
        which = "scarf" if raw_path.split("?")[0].rsplit("/", 1)[-1] in scarf_rows else "other"
        with lock:
            for key in ("all", which):
                in_flight[key] = in_flight.get(key, 0) + 1
                most[key] = max(most.get(key, 0), in_flight[key])
        try:
            time.sleep(0.05)  # a shop's round trip, long enough for the others to start
            return dispatch(method, raw_path, headers, body)
        finally:
            with lock:
                for key in ("all", which):
                    in_flight[key] -= 1

    fake.dispatch = slow_dispatch  # type: ignore[method-assign]
    figures = [StockFigure(f"{p}/0", 1) for p in products] + [
        StockFigure(f"{scarf['SCARF']}/{scarf['SCARF-RED']}", 0),
        StockFigure(f"{scarf['SCARF']}/{scarf['SCARF-BLUE']}", 1),
    ]

    result = connect().set_stock(figures)

    assert result.refused == {} and sorted(result.pushed) == sorted(f.key for f in figures)
    assert connect().read_stock() == {f.key: f.qty for f in figures}
    assert 1 < most["all"] <= WRITES_AT_ONCE
    assert most["scarf"] == 1


def test_stock_for_a_product_the_shop_does_not_have_is_refused(
    connect: Callable[..., PrestaShopConnector],
) -> None:
    result = connect().set_stock([StockFigure("999/0", 1), StockFigure("SKU-1", 1)])

    assert result.refused == {
        "999/0": "PrestaShop has no stock record for product 999, combination 0.",
        "SKU-1": "'SKU-1' is not a PrestaShop product/combination key.",
    }


def test_products_and_combinations_are_listed_page_by_page(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    singles = [fake.add_product(f"SKU-{n}", n)[f"SKU-{n}"] for n in range(5)]
    scarf = fake.add_product("SCARF", name="Scarf", combinations={"SCARF-RED": 2})

    products = connect(page_size=2).list_products()

    assert [(p.key, p.sku, p.stock) for p in products] == [
        *[(f"{pid}/0", f"SKU-{n}", n) for n, pid in enumerate(singles)],
        (f"{scarf['SCARF']}/{scarf['SCARF-RED']}", "SCARF-RED", 2),
    ]
    assert [r.query["limit"][0] for r in fake.requests_to("GET products")] == [
        "0,2",
        "2,2",
        "4,2",
        "6,2",
    ]


# ------------------------------------------------------------ shipments


def test_fulfil_writes_the_tracking_and_the_shipped_state_once(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    parcel = Shipment("6A12345678901", "Colissimo")

    connect().fulfil("5", parcel)
    connect().fulfil("5", parcel)  # retried: no second history row, no second e-mail

    assert fake.field("order_carriers", 5, "tracking_number") == "6A12345678901"
    assert fake.field("orders", 5, "current_state") == "4"
    assert fake.emails == [(5, "4")]
    (put,) = fake.requests_to("PUT order_carriers")
    sent = ET.fromstring(put.body).find("order_carrier")
    documented = ET.fromstring(TRACKING_PUT.read_bytes()).find("order_carrier")
    assert sent is not None and documented is not None
    assert sorted(child.tag for child in sent) == sorted(child.tag for child in documented)
    assert len(fake.requests_to("POST order_histories")) == 1


def test_a_parcel_that_is_not_the_last_writes_its_tracking_but_not_the_shipped_state(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    connect().fulfil("5", Shipment("6A-PART-1", "Colissimo", final=False))

    assert fake.field("order_carriers", 5, "tracking_number") == "6A-PART-1"
    assert fake.field("orders", 5, "current_state") == "10"
    assert fake.emails == []


def test_notes_go_to_the_orders_message_thread_for_the_customer_or_the_staff(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector]
) -> None:
    connector = connect()

    connector.add_note("5", "Your dress ships on 12 March.", customer_facing=True)
    connector.add_note("5", "Your dress ships on 12 March.", customer_facing=True)
    connector.add_note("5", "Held for a count.", customer_facing=False)

    (thread,) = fake.tables["customer_threads"].values()
    assert (thread.findtext("id_order"), thread.findtext("email")) == ("5", "pub@prestashop.com")
    messages = [
        (m.findtext("message"), m.findtext("private"))
        for m in fake.tables["customer_messages"].values()
    ]
    assert messages == [("Your dress ships on 12 March.", "0"), ("Held for a count.", "1")]


def test_a_503_is_waited_out_and_asked_again(
    fake: FakePrestaShop, connect: Callable[..., PrestaShopConnector], clock: FakeClock
) -> None:
    fake.fail_next("GET orders", status=503, retry_after=4)

    assert connect().poll_orders(None)[1] == "2019-01-30 01:02:13|5"
    assert clock.sleeps == [4.0]
