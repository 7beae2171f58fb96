"""A French supervisor's whole day without an English word: every page the app
serves by GET is opened by a French admin on the demo warehouse (with a shop of
each platform, a wave, a count, an import and a shop order needing attention
added), with the rows of each state the page can show, the filters its links and
forms offer, and the floor's scan answers; none may show an English sentence of
the catalog, in its text or in the attributes a reader meets.

A GET route the crawl neither opens nor skips (with its reason) fails the test:
a new page is read in French before it lands.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import _make_app
from tests.factories import Factories
from tests.integration.test_csv_import import poll_until_checked, upload
from tests.integration.test_packing import pack_to_label, scan, staged_order
from tests.language_check import english_in, english_words_in, readable_parts
from tests.shops import example, post_shopify
from wms.extensions import db
from wms.inventory.models import LocationKind

pytestmark = pytest.mark.sqlite_only  # the words do not depend on the database

# Routes the crawl does not open, each with why.
SKIPPED = {
    "static": "files of the app (CSS, scripts, sounds), not pages",
    "healthz": "the load balancer's probe: a status word for machines",
    "admin.export": "a CSV file whose column names are the import's, kept stable in every language",
    "admin.template": "the empty CSV an import reads: the import's stable column names",
    "admin.import_errors_csv": "a CSV file of the import's rows and refusals (refusals are "
    "tested in French in test_csv_import / test_fields_french)",
    "dashboard.list_csv": "a CSV file; its headings are the list page's, read here in French",
    "admin.location_labels": "a PDF print (prints are read back with pdftotext in "
    "test_prints_in_french)",
    "admin.product_labels": "a PDF print (test_prints_in_french)",
    "admin.user_badges": "a PDF print (test_prints_in_french)",
    "inbounds.report_pdf": "a PDF print; its HTML preview inbounds.report is crawled",
    "picking.pick_list": "a PDF print (test_prints_in_french)",
    "picking.command_sheet": "a PDF print (test_prints_in_french)",
    "picking.location_labels": "a PDF print (test_prints_in_french)",
    "picking.product_labels": "a PDF print (test_prints_in_french)",
    "shipping.label_pdf": "a carrier's label, a PDF print (test_prints_in_french)",
    "shipping.label_zpl": "a carrier's label for a thermal printer, not a page",
    "shipping.packing_slip": "a PDF print (test_prints_in_french)",
    "shipping.manifest_pdf": "a PDF print (test_prints_in_french)",
    "returns.slip": "a PDF print (test_prints_in_french)",
    "returns.label_file": "the carrier's return label file, as the carrier made it",
}
# Pages that answer a GET only in a state the crawl does not build; what they
# show then is read in French by the browser walks named.
NEEDS_A_STATE = {
    "receiving.scan_screen": "redirects to the start without a receiving session "
    "(tests/e2e/test_french_floor.py scans a receipt in French)",
}
# The JSON API answers machines with stable codes (its sentences follow
# Accept-Language: test_api_messages_french); its routes all start with api.
SKIPPED_PREFIXES = {"api.": "the JSON API (test_api_messages_french)"}


@pytest.fixture(scope="module")
def site(_sqlite_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo warehouse, with what it lacks for a page of each kind to show rows."""
    from wms import demo

    directory = tmp_path_factory.mktemp("french-everywhere")
    path = directory / "wms.sqlite3"
    shutil.copy(_sqlite_template, path)
    app = _make_app(f"sqlite:///{path}", directory / "instance", WTF_CSRF_ENABLED=False)
    with app.app_context():
        demo.load(seed=7)
        db.session.commit()
        db.session.remove()
    _add_what_the_demo_lacks(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _add_what_the_demo_lacks(app: Flask) -> None:
    make = Factories(app)
    for platform in ("shopify", "woocommerce", "prestashop"):
        make.shop_channel(platform)
    shopify = make.shop_channel("shopify")
    # A shop order whose items are not mapped waits for the supervisor.
    response = post_shopify(app.test_client(), shopify, example("shopify-orders-create.json"))
    assert response.status_code < 300, response.get_data(as_text=True)
    product = make.product()
    bin_ = make.location()
    make.stock(product, bin_, 5)
    channel, _token = make.channel()
    make.order(channel, [(product, 2)])
    make.wave(channel)
    make.count_task(bin_)
    admin = make.user(role="admin")
    client = app.test_client()
    client.post("/login", data={"username": admin.username, "password": "secret-pass"})
    # An import checked (with a refused row) and one waiting to be checked.
    checked = upload(client, "products", f"sku,name\n{product.sku},Renamed\n,No SKU\n")
    poll_until_checked(client, checked)
    upload(client, "locations", "code,kind\nZ-99-9,bin\n")
    # A loss written off by hand (its reason typed in French, as a French supervisor types it).
    adjusted = client.post(
        "/stock/adjust",
        data={
            "kind": "lost",
            "location": bin_.code,
            "product": product.sku,
            "qty": "1",
            "reason": "Introuvable après recherche",
        },
    )
    assert adjusted.status_code == 302, adjusted.get_data(as_text=True)
    # A parcel with a bought label: its public tracking page.
    station, lane = make.pack_station(), make.location(LocationKind.STAGING_LANE)
    packed = make.product()
    staged_order(make, [(packed, 1)], lane)
    pack_to_label(client, station, lane, [packed.sku], make.box().code)
    assert 'data-step="label"' in scan(client, station, "CMD-DONE").get_data(as_text=True)


def _ids_by_state(model: Any, state: str | None = "status") -> list[int]:
    """One row of each state the table holds (the first row when it has none)."""
    if state is None:
        return [i for i in [db.session.scalar(select(func.min(model.id)))] if i is not None]
    column = getattr(model, state)
    return sorted(db.session.scalars(select(func.min(model.id)).group_by(column)))


def _arguments(app: Flask) -> dict[str, list[Any]]:
    """Values for each kind of path argument: ids of existing rows, of every state
    (an endpoint's own where one name means different rows)."""
    from wms.admin.models import ImportJob
    from wms.admin.queries import EXPORTS
    from wms.auth.models import User
    from wms.channels.models import Channel, ShopOrder
    from wms.core.models import Inbound
    from wms.dashboard.queries.lists import LISTS
    from wms.dashboard.routes import TILES
    from wms.inventory.models import Location, Product
    from wms.picking.models import Wave
    from wms.returns.models import ReturnAuthorisation
    from wms.shipping.models import PackStation, Parcel
    from wms.stockcontrol.models import CountTask

    with app.app_context():
        tracking = db.session.scalars(
            select(Parcel.tracking_number).where(Parcel.tracking_number != "").limit(1)
        ).all()
        station = db.session.scalars(
            select(Location.code).join(PackStation, PackStation.location_id == Location.id)
        ).all()
        shops = select(func.min(Channel.id)).where(Channel.platform != "generic")
        return {
            "admin.channel": {
                "channel_id": _ids_by_state(Channel, None),
            },
            "shop_channels.channel": {
                "channel_id": list(db.session.scalars(shops.group_by(Channel.platform))),
            },
            "dashboard.tile": {"name": list(TILES)},
            "dashboard.list_view": {"name": list(LISTS)},
            "channel_id": _ids_by_state(Channel, "platform"),
            "job_id": _ids_by_state(ImportJob),
            "location_id": _ids_by_state(Location, "kind"),
            "product_id": _ids_by_state(Product, None),
            "user_id": _ids_by_state(User, "role"),
            "inbound_id": _ids_by_state(Inbound),
            "wave_id": _ids_by_state(Wave),
            "rma_id": _ids_by_state(ReturnAuthorisation),
            "task_id": _ids_by_state(CountTask),
            "shop_order_id": _ids_by_state(ShopOrder, "state"),
            "kind": list(EXPORTS),
            "station": station,
            "number": [*tracking, "UNKNOWN-TRACKING-1"],
        }


def _skip_reason(endpoint: str) -> str | None:
    if endpoint in SKIPPED:
        return SKIPPED[endpoint]
    return next((why for p, why in SKIPPED_PREFIXES.items() if endpoint.startswith(p)), None)


def _pages(app: Flask) -> dict[str, list[str]]:
    """Every GET page to open, by endpoint, with each set of path arguments."""
    values = _arguments(app)
    pages: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or _skip_reason(rule.endpoint):
            continue
        own = values.get(rule.endpoint, {})
        combos: list[dict[str, Any]] = [{}]
        for name in sorted(rule.arguments):
            choices = own.get(name) or values.get(name)
            assert choices, f"no row to open {rule.rule} with ({name})"
            combos = [{**c, name: v} for c in combos for v in choices]
        pages.setdefault(rule.endpoint, []).extend(
            rule.build(c, append_unknown=False)[1] for c in combos
        )
    return pages


def _floor_states(app: Flask) -> list[str]:
    """The floor's answers reachable by GET: what a scanned code is, and the menu."""
    from wms.base.numbers import order_number, rma_number
    from wms.core.models import Order
    from wms.inventory.models import Location, Product
    from wms.returns.models import ReturnAuthorisation

    with app.app_context():
        codes = [
            db.session.scalar(select(Product.sku).limit(1)),
            db.session.scalar(select(Location.code).limit(1)),
            order_number(db.session.scalar(select(func.min(Order.id)))),
            rma_number(db.session.scalar(select(func.min(ReturnAuthorisation.id)))),
            "NOTHING-HAS-THIS-CODE",
            "CMD-DONE",
        ]
    paths = ["/?floor=1"]
    for code in codes:
        paths.append("/floor/scan?" + urlencode({"code": str(code)}))
    return paths


class _Filters:
    """The filters a page offers by GET: its links to itself with a query, and the
    choices of its GET forms (one choice at a time)."""

    LINK = re.compile(r'<a\b[^>]*\bhref="([^"#]*\?[^"#]*)"')
    FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
    SELECT = re.compile(r'<select\b[^>]*\bname="([^"]+)"[^>]*>(.*?)</select>', re.S)
    OPTION = re.compile(r'<option\b[^>]*\bvalue="([^"]*)"')

    @classmethod
    def of(cls, path: str, html: str) -> list[str]:
        here = urlsplit(path).path
        found = []
        for href in cls.LINK.findall(html):
            href = unescape(href)
            if urlsplit(href).path == here:
                found.append(href)
        for attributes, body in cls.FORM.findall(html):
            if re.search(r'method="post"', attributes, re.I):
                continue
            action = re.search(r'action="([^"]*)"', attributes)
            target = unescape(action.group(1)) if action and action.group(1) else here
            if urlsplit(target).path != here:
                continue
            for name, options in cls.SELECT.findall(body):
                for value in cls.OPTION.findall(options):
                    if value:
                        found.append(f"{here}?{urlencode({name: unescape(value)})}")
        return found


def _data(app: Flask) -> list[str]:
    """What is data, not words: product names, customers, shops' and users' names."""
    from wms.auth.models import User
    from wms.channels.models import Channel
    from wms.core.models import Order
    from wms.inventory.models import Location, Movement, Product

    with app.app_context():
        zones = set(db.session.scalars(select(Location.zone)))
        return [
            *db.session.scalars(select(Product.name)),
            *(z.replace("_", " ") for z in zones if z),  # zones are named by the admin
            # a ledger row's reference is the document it came from, as written
            *db.session.scalars(
                select(Movement.reference).distinct().where(Movement.reference.contains(" "))
            ),
            *db.session.scalars(select(Channel.name)),
            *db.session.scalars(select(Order.customer_name)),
            *db.session.scalars(select(User.full_name)),
        ]


def test_every_get_route_is_crawled_or_skipped_with_a_reason(site: Flask) -> None:
    endpoints = {r.endpoint for r in site.url_map.iter_rules() if "GET" in (r.methods or ())}
    crawled = set(_pages(site))
    skipped = {e for e in endpoints if _skip_reason(e)}
    assert crawled | skipped == endpoints
    assert crawled & skipped == set()
    assert set(SKIPPED) <= endpoints, "a skipped route is gone: take it off SKIPPED"


def test_a_french_supervisor_meets_no_english_sentence_on_any_page(site: Flask) -> None:
    make = Factories(site)
    client = site.test_client()
    admin = make.user(role="admin", language="fr")
    assert (
        client.post(
            "/login", data={"username": admin.username, "password": "secret-pass"}
        ).status_code
        == 302
    )
    data = _data(site)
    found: dict[str, list[str]] = {}
    opened: set[str] = set()

    shown: set[str] = set()  # the endpoints that showed a page

    def read(path: str, headers: dict[str, str] | None = None, via: Any = client) -> str:
        response = via.get(path, headers=headers or {})
        html = response.get_data(as_text=True)
        response.close()
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code == 200:
            shown.add(endpoint_of(path))
        if "html" in response.content_type:
            parts = readable_parts(html)
            english = english_in("\n".join(parts), *data) + english_words_in(parts, *data)
            if english:
                found[path] = english
        return html

    adapter = site.url_map.bind("localhost")

    def endpoint_of(path: str) -> str:
        return adapter.match(urlsplit(path).path, method="GET")[0]

    pages = _pages(site)
    queue = [p for paths in pages.values() for p in paths] + _floor_states(site)
    for path in queue:
        if path in opened:
            continue
        opened.add(path)
        html = read(path)
        read(path, {"HX-Request": "true"})  # the partial an htmx swap gets
        for filtered in _Filters.of(path, html):
            if filtered not in opened:
                opened.add(filtered)
                read(filtered)
    # Before sign-in the browser's language decides: the pages anyone may open.
    french_browser = {"Accept-Language": "fr-FR,fr;q=0.9"}
    for path in ["/login", "/track/", *pages["shipping.track"]]:
        read(path, french_browser, site.test_client())
    assert len(opened) > 150
    # Each page was really read, not refused or sent elsewhere (a new route whose
    # rows the crawl cannot find fails here, or in _arguments).
    assert set(pages) - shown - set(NEEDS_A_STATE) == set()
    assert found == {}, "\n".join(f"{path}: {english}" for path, english in found.items())
