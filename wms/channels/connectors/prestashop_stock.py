"""PrestaShop's sellable items and their ``stock_availables`` rows (see ``prestashop``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from wms.base.i18n import Text, _
from wms.channels.connectors import prestashop_xml as px
from wms.channels.connectors.base import (
    ConnectorError,
    PlatformProduct,
    PlatformRefused,
    PushResult,
    StockFigure,
)


class Shop(Protocol):
    """What the stock rows need of the PrestaShop connector: its lists, and a PUT."""

    def list_records(
        self, resource: str, singular: str, params: Mapping[str, str]
    ) -> list[ET.Element]: ...

    def put(self, path: str, body: bytes) -> ET.Element: ...


ROW_FIELDS = "[id,id_product,id_product_attribute,quantity]"
# Products whose stock rows are written side by side, at most: PrestaShop takes one
# row per call and sets no rate limit of its own (the shop's hosting does: its PHP
# workers); eight at once keep a burst of figures over a hundred products from waiting
# out one round trip after another, and stay within the few PHP workers of a small shop.
WRITES_AT_ONCE = 8


class StockRows:
    def __init__(self, shop: Shop) -> None:
        self.shop = shop

    def products(self) -> list[PlatformProduct]:
        """Products without combinations, and the combinations of the others."""
        shop = self.shop
        products = shop.list_records("products", "product", {"display": "[id,reference,name]"})
        combinations = shop.list_records(
            "combinations", "combination", {"display": "[id,id_product,reference]"}
        )
        rows = shop.list_records("stock_availables", "stock_available", {"display": ROW_FIELDS})
        quantities: dict[tuple[str, str], int] = {}
        for row in rows:
            key = (px.text(row, "id_product"), px.text(row, "id_product_attribute"))
            quantities.setdefault(key, int(px.text(row, "quantity") or 0))
        by_product: dict[str, list[ET.Element]] = {}
        for combination in combinations:
            by_product.setdefault(px.text(combination, "id_product"), []).append(combination)
        found = []
        for product in products:
            product_id = px.text(product, "id")
            name = px.text(product, "name")
            for combination in by_product.get(product_id, []):
                combination_id = px.text(combination, "id")
                found.append(
                    PlatformProduct(
                        key=f"{product_id}/{combination_id}",
                        sku=px.text(combination, "reference"),
                        title=name,
                        product_id=product_id,
                        variant_id=combination_id,
                        stock=quantities.get((product_id, combination_id)),
                    )
                )
            if product_id not in by_product:
                found.append(
                    PlatformProduct(
                        key=f"{product_id}/0",
                        sku=px.text(product, "reference"),
                        title=name,
                        product_id=product_id,
                        stock=quantities.get((product_id, "0")),
                    )
                )
        return found

    def set(self, figures: list[StockFigure]) -> PushResult:
        refused: dict[str, Text | str] = {}
        wanted: dict[tuple[str, str], StockFigure] = {}
        for figure in figures:
            product_id, _sep, combination_id = figure.key.partition("/")
            if not (product_id.isdigit() and combination_id.isdigit()):
                refused[figure.key] = _(
                    "%(key)s is not a PrestaShop product/combination key.", key=repr(figure.key)
                )
                continue
            wanted[(product_id, combination_id)] = figure
        rows = self._rows({product_id for product_id, _combination in wanted})
        writes: list[tuple[StockFigure, list[ET.Element]]] = []
        for key, figure in wanted.items():
            matching = rows.get(key)
            if not matching:
                refused[figure.key] = _(
                    "PrestaShop has no stock record for product %(product)s, "
                    "combination %(combination)s.",
                    product=key[0],
                    combination=key[1],
                )
                continue
            writes.append((figure, matching))
        outcomes = self._write_all(writes)
        pushed: list[str] = []
        for figure, _matching in writes:
            error = outcomes[figure.key]
            if error is None:
                pushed.append(figure.key)
            elif isinstance(error, PlatformRefused):
                refused[figure.key] = error.sentence
            else:
                raise error  # the shop cannot be reached: the whole push waits in the outbox
        return PushResult(pushed=tuple(pushed), refused=refused)

    def _write_all(
        self, writes: list[tuple[StockFigure, list[ET.Element]]]
    ) -> dict[str, Exception | None]:
        """Each figure's rows written, the figures of up to ``WRITES_AT_ONCE`` products
        side by side: the webservice takes one row per call, so a burst of figures
        would otherwise wait out one round trip after another. A product's own
        figures (its combinations) go one after the other, as PrestaShop adds them up
        into the product's row. What became of each figure: None, written; or the
        error that stopped it."""
        by_product: dict[str, list[tuple[StockFigure, list[ET.Element]]]] = {}
        for figure, matching in writes:
            by_product.setdefault(figure.key.partition("/")[0], []).append((figure, matching))
        groups = list(by_product.values())

        def write(group: list[tuple[StockFigure, list[ET.Element]]]) -> dict[str, Exception | None]:
            done: dict[str, Exception | None] = {}
            for figure, matching in group:
                qty = str(max(0, figure.qty))
                try:
                    for row in matching:
                        if px.text(row, "quantity") != qty:
                            fields = px.plain_fields(row, quantity=qty)
                            self.shop.put(
                                f"stock_availables/{px.text(row, 'id')}",
                                px.document("stock_available", fields),
                            )
                except ConnectorError as exc:
                    done[figure.key] = exc
                else:
                    done[figure.key] = None
            return done

        outcomes: dict[str, Exception | None] = {}
        if len(groups) <= 1:
            results = [write(group) for group in groups]
        else:
            with ThreadPoolExecutor(min(WRITES_AT_ONCE, len(groups))) as pool:
                results = list(pool.map(write, groups))
        for done in results:
            outcomes.update(done)
        return outcomes

    def _rows(self, product_ids: set[str]) -> dict[tuple[str, str], list[ET.Element]]:
        wanted = sorted(product_ids, key=int)
        rows: dict[tuple[str, str], list[ET.Element]] = {}
        for start in range(0, len(wanted), 50):
            chunk = "|".join(wanted[start : start + 50])
            for row in self.shop.list_records(
                "stock_availables",
                "stock_available",
                {"display": "full", "filter[id_product]": f"[{chunk}]"},
            ):
                key = (px.text(row, "id_product"), px.text(row, "id_product_attribute"))
                rows.setdefault(key, []).append(row)
        return rows
