"""PrestaShop's sellable items and their ``stock_availables`` rows (see ``prestashop``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Protocol

from wms.channels.connectors import prestashop_xml as px
from wms.channels.connectors.base import (
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
        refused: dict[str, str] = {}
        wanted: dict[tuple[str, str], StockFigure] = {}
        for figure in figures:
            product_id, _, combination_id = figure.key.partition("/")
            if not (product_id.isdigit() and combination_id.isdigit()):
                refused[figure.key] = f"{figure.key!r} is not a PrestaShop product/combination key."
                continue
            wanted[(product_id, combination_id)] = figure
        rows = self._rows({product_id for product_id, _ in wanted})
        pushed: list[str] = []
        for key, figure in wanted.items():
            matching = rows.get(key)
            if not matching:
                refused[figure.key] = (
                    f"PrestaShop has no stock record for product {key[0]}, combination {key[1]}."
                )
                continue
            qty = str(max(0, figure.qty))
            try:
                for row in matching:
                    if px.text(row, "quantity") != qty:
                        fields = px.plain_fields(row, quantity=qty)
                        self.shop.put(
                            f"stock_availables/{px.text(row, 'id')}",
                            px.document("stock_available", fields),
                        )
            except PlatformRefused as exc:
                refused[figure.key] = str(exc)
                continue
            pushed.append(figure.key)
        return PushResult(pushed=tuple(pushed), refused=refused)

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
