"""Benchmark: orders in from the shops and stock out to them, on PostgreSQL, with the
real worker.

Three fake platforms on 127.0.0.1 (Shopify's GraphQL Admin API, WooCommerce's REST
API, PrestaShop's webservice, from ``tests/fakes``) each list 100 SKUs at 15 units,
mapped to the warehouse's products (which take no backorders). The app runs under
gunicorn, ``flask worker`` in its own process. 32 clients send 2,000 orders as
signed webhooks (Shopify ``orders/create`` and WooCommerce ``order.created``, half
each; PrestaShop sends none, it is polled) of one unit of a SKU each: 1,500 are
taken, 500 refused. In the same run, before, the same clients post 2,000 orders
of one unit each through the warehouse's own API (``POST /api/v1/orders``) on 100
other SKUs ("N…", 1,000 units each, so all 2,000 are taken): ``ratio`` is the
shops' intake rate over the API's. As in a real warehouse, where every product is
listed on the shops and an order from the API changes the figure every shop shows
just as a webhook order does, those 100 SKUs are listed and mapped on the three
platforms too, with their own stock (the phases sell none of each other's units):
both phases carry the same work of pushing figures, done by the worker and the
fakes on the same two cores. The outbox is drained (untimed) between the phases,
so neither phase pushes the other's figures.

``propagation_ms``: for each taken webhook order, from its webhook's answer (the
order is committed) until every platform shows a figure that counts it (at most
the SKU's 15 units less the orders on it answered by then), p50 and p99; the fakes
stamp each stock write as they apply it. ``platform_calls_per_order``: every call
the worker made to the three platforms from the webhook phase on, per order sent.
``oversold``: SKUs with more units taken than held; ``lost``: orders answered but
not stored, or not answered 200; ``drift``: (platform, SKU) pairs, over all 200
listed SKUs, whose figure differs from the warehouse's after the worker drained
the outbox, every shop was reconciled (``wms.channels.sync``: its figures read
back, the drifted ones queued again) and the worker drained that too;
``corrected`` is how many the reconciliation queued. Ends with ``flask verify``'s
check. Prints one JSON line; exits 1 if anything is oversold, lost, drifted or a
counter differs.

Targets: ratio >= 0.8, propagation p99 < 2,000 ms, 0 oversold, 0 lost, 0 drift.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from bisect import bisect_right
from pathlib import Path
from typing import Any

from _support import (
    ROOT,
    emit,
    gunicorn,
    invariants,
    log,
    make_app,
    migrate,
    postgres,
    psql,
    run_load,
)

from tests.fakes.prestashop_server import FakePrestaShop
from tests.fakes.shopify_server import FakeShopify
from tests.fakes.woocommerce_server import FakeWooCommerce
from tests.shops import example

SKUS = 100
UNITS = 15
API_UNITS = 1_000
ORDERS = 2_000
CLIENTS = 32
TOKEN = "bench-token-channels"
WORKER_IDLE = "0.1"
WORKER_BATCH = os.environ.get("BENCH_WORKER_BATCH", "50")


# ------------------------------------------------------------------ fakes


class Stamped:
    """A fake platform that stamps its figures each time a stock write is applied."""

    timeline: list[tuple[float, dict[str, int]]]

    def stamp_if_written(self, method: str, path: str) -> None:
        if self.writes_stock(method, path):
            figures = self.figures()
            with self.lock:  # type: ignore[attr-defined]
                self.timeline.append((time.monotonic(), figures))

    def writes_stock(self, method: str, path: str) -> bool:
        raise NotImplementedError

    def figures(self) -> dict[str, int]:
        raise NotImplementedError


class StampedShopify(Stamped, FakeShopify):
    def __init__(self) -> None:
        FakeShopify.__init__(self)
        self.timeline = []

    def dispatch(self, method: str, raw_path: str, headers: Any, body: bytes) -> Any:
        answer = super().dispatch(method, raw_path, headers, body)
        if b"inventorySetQuantities" in body:
            self.stamp_if_written(method, raw_path)
        return answer

    def writes_stock(self, method: str, path: str) -> bool:
        return True

    def figures(self) -> dict[str, int]:
        with self.lock:
            return {v.sku: v.available for v in self.variants.values()}


class StampedWoo(Stamped, FakeWooCommerce):
    def __init__(self) -> None:
        FakeWooCommerce.__init__(self)
        self.timeline = []

    def dispatch(self, method: str, raw_path: str, headers: Any, body: bytes) -> Any:
        answer = super().dispatch(method, raw_path, headers, body)
        self.stamp_if_written(method, raw_path)
        return answer

    def writes_stock(self, method: str, path: str) -> bool:
        return method == "POST" and path.split("?")[0].endswith("/batch")

    def figures(self) -> dict[str, int]:
        with self.lock:
            return {p["sku"]: p["stock_quantity"] for p in self.products.values()}


class StampedPresta(Stamped, FakePrestaShop):
    def __init__(self) -> None:
        FakePrestaShop.__init__(self)
        self.timeline = []
        self.sku_of: dict[str, str] = {}

    def dispatch(self, method: str, raw_path: str, headers: Any, body: bytes) -> Any:
        answer = super().dispatch(method, raw_path, headers, body)
        self.stamp_if_written(method, raw_path)
        return answer

    def writes_stock(self, method: str, path: str) -> bool:
        return method == "PUT" and "/stock_availables" in path

    def figures(self) -> dict[str, int]:
        with self.lock:
            return {
                self.sku_of[row.findtext("id_product") or ""]: int(row.findtext("quantity") or 0)
                for row in self.tables["stock_availables"].values()
                if (row.findtext("id_product") or "") in self.sku_of
            }


# ----------------------------------------------------------------- set-up


def set_up(app: Any, shopify: StampedShopify, woo: StampedWoo, presta: StampedPresta) -> dict:
    """Products, stock, the three shop channels with their items mapped, the API channel."""
    from wms.channels.models import Channel, ChannelProduct
    from wms.channels.shops import add_shop_channel
    from wms.channels.tokens import hash_token
    from wms.core.ledger import Reason, move_stock
    from wms.core.stock import ensure_product_stock
    from wms.extensions import db
    from wms.inventory.models import Location, LocationKind, Product

    items: dict[str, dict[str, Any]] = {}
    with app.app_context():
        db.session.add(Channel(code="api", name="API", token_hash=hash_token(TOKEN)))
        bin_ = Location(code="A-01-1", kind=LocationKind.BIN, walk_seq=1)
        db.session.add(bin_)
        shop_products = [
            Product(sku=f"K{i:03}", name=f"Knit {i}", allow_backorder=False)
            for i in range(1, SKUS + 1)
        ]
        api_products = [Product(sku=f"N{i:03}", name=f"Native {i}") for i in range(1, SKUS + 1)]
        db.session.add_all(shop_products + api_products)
        db.session.flush()
        ensure_product_stock([p.id for p in shop_products + api_products])
        for p in shop_products:
            move_stock(p.id, UNITS, None, bin_, Reason.OPENING)
        for p in api_products:
            move_stock(p.id, API_UNITS, None, bin_, Reason.OPENING)
        channels = {
            "shopify": add_shop_channel(
                "shopify",
                "Shopify",
                "shopify",
                {
                    "shop_url": shopify.url,
                    "access_token": shopify.access_token,
                    "client_secret": shopify.client_secret,
                    "location_id": str(shopify.location_id),
                },
                None,
            ),
            "woocommerce": add_shop_channel(
                "woo",
                "WooCommerce",
                "woocommerce",
                {
                    "site_url": woo.url,
                    "consumer_key": woo.consumer_key,
                    "consumer_secret": woo.consumer_secret,
                    "webhook_secret": woo.webhook_secret,
                },
                None,
            ),
            "prestashop": add_shop_channel(
                "presta",
                "PrestaShop",
                "prestashop",
                {"shop_url": presta.url, "webservice_key": presta.key},
                None,
            ),
        }
        # Every product is listed on the three shops, the API's too (at its own figure).
        listed = [(p, UNITS) for p in shop_products] + [(p, API_UNITS) for p in api_products]
        for p, units in listed:
            variant = shopify.add_variant(p.sku, units, product=p.name)
            woo_item = woo.add_product(p.sku, units, name=p.name)
            presta_id = presta.add_product(p.sku, units, name=p.name)[p.sku]
            presta.sku_of[str(presta_id)] = p.sku
            items[p.sku] = {"variant": variant, "woo": woo_item["id"]}
            # Mapped as importing the shops' products leaves them: ids, SKU, stock key.
            db.session.add_all(
                [
                    ChannelProduct(
                        channel_id=channels["shopify"].id,
                        platform_product_id=str(variant.product_id),
                        platform_variant_id=str(variant.id),
                        platform_sku=p.sku,
                        stock_key=str(variant.inventory_item_id),
                        product_id=p.id,
                    ),
                    ChannelProduct(
                        channel_id=channels["woocommerce"].id,
                        platform_product_id=str(woo_item["id"]),
                        platform_sku=p.sku,
                        stock_key=str(woo_item["id"]),
                        product_id=p.id,
                    ),
                    ChannelProduct(
                        channel_id=channels["prestashop"].id,
                        platform_product_id=str(presta_id),
                        platform_sku=p.sku,
                        stock_key=f"{presta_id}/0",
                        product_id=p.id,
                    ),
                ]
            )
        codes = {name: c.code for name, c in channels.items()}
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"items": items, "codes": codes}


# ------------------------------------------------------------------ orders


def shop_requests(
    shopify: FakeShopify, woo: FakeWooCommerce, setup: dict
) -> list[tuple[str, str, bytes, dict[str, str]]]:
    """2,000 signed webhooks, alternately Shopify and WooCommerce, SKUs in turn."""
    shopify_example = json.loads(example("shopify-orders-create.json"))
    woo_example = json.loads(example("woocommerce-order.json"))
    codes = setup["codes"]
    out = []
    for n in range(ORDERS):
        sku = f"K{n % SKUS + 1:03}"
        item = setup["items"][sku]
        if n % 2 == 0:
            order = copy.deepcopy(shopify_example)
            order_id = 2**53 + n
            order.update(
                id=order_id,
                admin_graphql_api_id=f"gid://shopify/Order/{order_id}",
                name=f"#{10000 + n}",
                order_number=10000 + n,
                financial_status="paid",
            )
            line = next(li for li in order["line_items"] if li["sku"] == "IPOD2008RED")
            variant = item["variant"]
            line.update(
                id=2**53 + 100_000 + n,
                sku=sku,
                variant_id=variant.id,
                product_id=variant.product_id,
                quantity=1,
                current_quantity=1,
            )
            order["line_items"] = [line]
            body = json.dumps(order).encode()
            headers = shopify.webhook_headers("orders/create", body)
            path = f"/api/v1/channels/{codes['shopify']}/shopify"
        else:
            order = copy.deepcopy(woo_example)
            order.update(id=100_000 + n, number=str(100_000 + n))
            line = order["line_items"][1]
            line.update(id=500_000 + n, product_id=item["woo"], variation_id=0, sku=sku, quantity=1)
            order["line_items"] = [line]
            body = json.dumps(order).encode()
            headers = woo.webhook_headers("order.created", body)
            path = f"/api/v1/channels/{codes['woocommerce']}/woocommerce"
        out.append(("POST", path, body, {**headers, "X-Bench-Sku": sku}))
    return out


def api_requests() -> list[tuple[str, str, bytes, dict[str, str]]]:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    out = []
    for n in range(ORDERS):
        body = {
            "external_id": f"api-{n}",
            "ship_to": {"name": "Buyer", "street1": "1 Main St", "city": "Town", "zip": "10001"},
            "lines": [{"sku": f"N{n % SKUS + 1:03}", "qty": 1}],
        }
        out.append(("POST", "/api/v1/orders", json.dumps(body).encode(), headers))
    return out


def send_apart(
    hostport: str, requests: list[tuple[str, str, bytes, dict[str, str]]]
) -> tuple[float, list[tuple[str, int, float, Any]]]:
    """``send_all`` in a process of its own, so the load's threads do not slow the fake
    platforms (which live in this process) as a real shop's servers would not be.
    Answer times are CLOCK_MONOTONIC, the same in both processes."""
    with tempfile.TemporaryDirectory(prefix="wms-bench-") as place:
        asked, answered = Path(place) / "requests.json", Path(place) / "answers.json"
        asked.write_text(json.dumps([[m, p, b.decode("latin-1"), h] for m, p, b, h in requests]))
        subprocess.run(
            [sys.executable, __file__, "--send", hostport, str(asked), str(answered)],
            check=True,
        )
        seconds, answers = json.loads(answered.read_text())
    return seconds, [tuple(a) for a in answers]  # type: ignore[misc]


def _send_from_file(hostport: str, asked: str, answered: str) -> None:
    requests = [
        (m, p, b.encode("latin-1"), h) for m, p, b, h in json.loads(Path(asked).read_text())
    ]
    seconds, answers = send_all(hostport, requests)
    Path(answered).write_text(json.dumps([seconds, answers]))


def send_all(
    hostport: str, requests: list[tuple[str, str, bytes, dict[str, str]]]
) -> tuple[float, list[tuple[str, int, float, Any]]]:
    """Send from CLIENTS keep-alive connections; (seconds, [(sku, status, answered_at, body)])."""
    load = run_load(hostport, CLIENTS, requests, keep=_json_or_none, timeout=60)
    answers = [
        (requests[o.index][3].get("X-Bench-Sku", ""), o.status, o.at, o.body) for o in load.outcomes
    ]
    return load.seconds, answers


def _json_or_none(_status: int, data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None


# ------------------------------------------------------------- measuring


def propagation(
    answers: list[tuple[str, int, float, Any]], fakes: list[Stamped]
) -> tuple[list[float], int]:
    """Per taken order, ms until every platform counts it; and how many never did."""
    taken = sorted(
        (at, sku)
        for sku, status, at, body in answers
        if status == 200 and body and body.get("state") == "accepted"
    )
    seen: dict[str, int] = {}
    waits: list[float] = []
    never = 0
    timelines = [
        ([t for t, _ in fake.timeline], [figures for _, figures in fake.timeline]) for fake in fakes
    ]
    each: list[list[float]] = [[] for _ in fakes]
    for at, sku in taken:
        seen[sku] = seen.get(sku, 0) + 1
        target = max(0, UNITS - seen[sku])
        worst = 0.0
        for n, (times, states) in enumerate(timelines):
            index = bisect_right(times, at) - 1
            if index >= 0 and states[index].get(sku, UNITS) <= target:
                each[n].append(0.0)
                continue  # shown already when the order was answered
            later = next(
                (
                    t
                    for t, s in zip(times[index + 1 :], states[index + 1 :], strict=True)
                    if s.get(sku, UNITS) <= target
                ),
                None,
            )
            if later is None:
                worst = float("inf")
                break
            each[n].append((later - at) * 1000)
            worst = max(worst, (later - at) * 1000)
        if worst == float("inf"):
            never += 1
        else:
            waits.append(worst)
    for fake, its in zip(fakes, each, strict=True):
        log(f"{type(fake).__name__}: p50 {pct(its, 0.5)} ms, p99 {pct(its, 0.99)} ms")
    return waits, never


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))], 1)


def start_worker(url: str, key: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FLASK_APP": "wms",
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "WMS_CHANNEL_KEY": key,
        "WMS_INSTANCE_PATH": tempfile.mkdtemp(prefix="wms-bench-"),
    }
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "flask"),
            "worker",
            "--idle",
            WORKER_IDLE,
            "--batch",
            WORKER_BATCH,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def reconcile(app: Any) -> int:
    """Read every shop's figures back and queue the right one where a shop drifted, as the
    worker's reconciliation does (``wms.channels.sync``); how many were corrected."""
    from wms.channels.shops import connector_of
    from wms.channels.sync import reconcile as reconcile_shop
    from wms.extensions import db

    corrected = 0
    with app.app_context():
        shops = db.session.scalars(select_shops()).all()
        for channel in shops:
            items = connector_of(channel, timeout=30).list_products()
            corrected += len(reconcile_shop(channel.id, items, None).lines)
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return corrected


def select_shops() -> Any:
    from sqlalchemy import select

    from wms.channels.models import Channel

    return select(Channel).where(Channel.platform != "generic").order_by(Channel.id)


def pending(cluster: Any) -> int:
    return int(
        psql(cluster, "channels", "SELECT count(*) FROM outbox_events WHERE status = 'pending'")
    )


def warehouse_figures(cluster: Any) -> dict[str, int]:
    rows = psql(
        cluster,
        "channels",
        "SELECT p.sku, greatest(0, s.qty_sellable - s.qty_reserved - p.safety_stock) "
        "FROM products p JOIN product_stock s ON s.product_id = p.id",
    )
    return {sku: int(n) for sku, n in (line.split("|") for line in rows.split())}


def main() -> int:
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    os.environ["WMS_CHANNEL_KEY"] = key
    shopify, woo, presta = StampedShopify(), StampedWoo(), StampedPresta()
    fakes: list[Stamped] = [shopify, woo, presta]
    for fake in (shopify, woo, presta):
        fake.start()
    try:
        with postgres() as cluster:
            url = cluster.create_database("channels")
            app = make_app(url)
            migrate(app)
            setup = set_up(app, shopify, woo, presta)
            hooks = shop_requests(shopify, woo, setup)
            native = api_requests()
            worker = start_worker(url, key)
            try:
                with gunicorn(url, workers=4, threads=4) as hostport:
                    send_apart(hostport, [("GET", "/healthz", b"", {})] * 200)
                    log(f"{ORDERS} orders through the API from {CLIENTS} clients ...")
                    api_s, api_answers = send_apart(hostport, native)
                    t0 = time.perf_counter()
                    while pending(cluster) and time.perf_counter() - t0 < 180:
                        time.sleep(0.2)
                    log(
                        f"outbox drained {time.perf_counter() - t0:.1f} s after the last "
                        "API order's answer"
                    )
                    log(f"{ORDERS} signed webhooks from {CLIENTS} clients ...")
                    before_calls = {id(f): len(f.requests) for f in (shopify, woo, presta)}
                    shop_s, answers = send_apart(hostport, hooks)
                    t0 = time.perf_counter()
                    while pending(cluster) and time.perf_counter() - t0 < 180:
                        time.sleep(0.2)
                    drain_s = time.perf_counter() - t0
                    log(f"outbox drained {drain_s:.1f} s after the last webhook's answer")
                    corrected = reconcile(app)
                    t1 = time.perf_counter()
                    while pending(cluster) and time.perf_counter() - t1 < 60:
                        time.sleep(0.2)
                    log(f"reconciliation corrected {corrected} figure(s); outbox drained again")
            finally:
                worker.terminate()
                worker.wait(30)
            calls = sum(len(f.requests) - before_calls[id(f)] for f in (shopify, woo, presta))
            waits, never = propagation(answers, fakes)
            truth = warehouse_figures(cluster)
            drift = sum(
                1
                for fake in fakes
                for sku, figure in fake.figures().items()
                if truth.get(sku) != figure
            )
            accepted = int(
                psql(
                    cluster, "channels", "SELECT count(*) FROM shop_orders WHERE state = 'accepted'"
                )
            )
            stored = int(psql(cluster, "channels", "SELECT count(*) FROM shop_orders"))
            oversold = int(
                psql(
                    cluster,
                    "channels",
                    "SELECT count(*) FROM product_stock WHERE qty_reserved > qty_sellable",
                )
            )
            answered = sum(1 for _, status, _, _ in answers if status == 200)
            lost = (ORDERS - answered) + (answered - stored)
            api_errors = sum(1 for _, status, _, _ in api_answers if status != 201)
            differences = invariants(url)
    finally:
        for fake in (shopify, woo, presta):
            fake.stop()
    intake = ORDERS / shop_s
    api_rate = ORDERS / api_s
    result = {
        "bench": "channel_sync",
        "platforms": 3,
        "skus": SKUS,
        "orders": ORDERS,
        "clients": CLIENTS,
        "intake_orders_per_s": round(intake, 1),
        "api_orders_per_s": round(api_rate, 1),
        "ratio": round(intake / api_rate, 2),
        "taken": accepted,
        "refused": stored - accepted,
        "propagation_ms": {"p50": pct(waits, 0.5), "p99": pct(waits, 0.99)},
        "never_propagated": never,
        "platform_calls_per_order": round(calls / ORDERS, 3),
        "drain_s": round(drain_s, 2),
        "oversold": oversold,
        "lost": lost,
        "drift": drift,
        "corrected": corrected,
        "api_errors": api_errors,
        "invariants": differences,
        "targets": {"ratio": 0.8, "propagation_p99_ms": 2000, "oversold": 0, "lost": 0, "drift": 0},
    }
    emit(result)
    return 1 if oversold or lost or drift or never or differences or api_errors else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--send"]:
        _send_from_file(*sys.argv[2:5])
        sys.exit(0)
    sys.exit(main())
