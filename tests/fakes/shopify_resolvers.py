"""The fake Shopify's resolvers: its state seen through the GraphQL schema.

graphql-core's default resolver reads a dict's keys and calls a callable with
the field's arguments, so nested fields that take arguments are lambdas. The
mutations are in ``shopify_mutations``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLResolveInfo

from tests.fakes.shopify_mutations import Mutations, gid, number

if TYPE_CHECKING:
    from tests.fakes.shopify_server import FakeShopify, Order, Variant


def _money(amount: Decimal, currency: str) -> dict[str, Any]:
    money = {"amount": str(amount), "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": money}


def _page(nodes: list[Any]) -> dict[str, Any]:
    return {
        "nodes": nodes,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


class Resolvers(Mutations):
    def __init__(self, fake: FakeShopify, version: str) -> None:
        self.fake = fake
        self.version = version

    # ---------------------------------------------------------------- Query

    def shop(self, info: GraphQLResolveInfo) -> dict[str, Any]:
        return {
            "name": self.fake.shop_name,
            "myshopifyDomain": self.fake.domain,
            "currencyCode": "USD",
        }

    def location(self, info: GraphQLResolveInfo, id: str | None = None) -> dict[str, Any] | None:
        return self._location() if id == gid("Location", self.fake.location_id) else None

    def _location(self) -> dict[str, Any]:
        return {
            "id": gid("Location", self.fake.location_id),
            "name": "Warehouse",
            "legacyResourceId": str(self.fake.location_id),
        }

    def productsCount(
        self, info: GraphQLResolveInfo, limit: int | None = 10_000, **_: Any
    ) -> dict[str, Any]:
        """As Shopify counts: up to ``limit`` (10,000 unless given; null for no limit),
        and ``AT_LEAST`` when the limit was reached."""
        count = len({v.product_id for v in self.fake.variants.values()})
        if limit is not None and count > limit:
            return {"count": limit, "precision": "AT_LEAST"}
        return {"count": count, "precision": "EXACT"}

    def productVariants(
        self, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None, **_: Any
    ) -> dict[str, Any]:
        if first is None or not 1 <= first <= 250:
            raise GraphQLError("you must provide one of first or last, between 1 and 250")
        ordered = sorted(self.fake.variants.values(), key=lambda v: v.id)
        start = 0
        if after:
            start = next(
                (i + 1 for i, v in enumerate(ordered) if f"cursor-{v.id}" == after), len(ordered)
            )
        chosen = ordered[start : start + first]
        more = start + first < len(ordered)
        return {
            "nodes": [self._variant(v) for v in chosen],
            "pageInfo": {
                "hasNextPage": more,
                "hasPreviousPage": start > 0,
                "startCursor": f"cursor-{chosen[0].id}" if chosen else None,
                "endCursor": f"cursor-{chosen[-1].id}" if chosen else None,
            },
        }

    def _variant(self, v: Variant) -> dict[str, Any]:
        location = gid("Location", self.fake.location_id)

        def level(info: GraphQLResolveInfo, locationId: str) -> dict[str, Any] | None:
            if locationId != location or not v.stocked:
                return None
            return {
                "id": gid("InventoryLevel", v.inventory_item_id),
                "location": self._location(),
                "quantities": lambda info, names: [
                    {"id": f"{n}-{v.id}", "name": n, "quantity": v.available}
                    for n in names
                    if n in ("available", "on_hand")
                ],
            }

        return {
            "id": gid("ProductVariant", v.id),
            "legacyResourceId": str(v.id),
            "sku": v.sku,
            "title": v.title,
            "inventoryQuantity": v.available,
            "product": {
                "id": gid("Product", v.product_id),
                "legacyResourceId": str(v.product_id),
                "title": v.product_title,
            },
            "inventoryItem": {
                "id": gid("InventoryItem", v.inventory_item_id),
                "legacyResourceId": str(v.inventory_item_id),
                "sku": v.sku,
                "tracked": v.tracked,
                "inventoryLevel": level,
            },
        }

    def order(self, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        found = self.fake.orders.get(number(id, "Order") or -1)
        return self._order(found) if found else None

    def _order(self, o: Order) -> dict[str, Any]:
        left = sum((t["left"] for t in o.transactions), Decimal(0))
        return {
            "id": gid("Order", o.id),
            "legacyResourceId": str(o.id),
            "name": o.name,
            "note": o.note,
            "capturable": left > 0,
            "totalCapturableSet": _money(left, o.currency),
            "transactions": lambda info, first=None, **_: [
                self._transaction(t, o) for t in o.transactions
            ][:first],
            "fulfillments": lambda info, first=None: [self._fulfillment(f) for f in o.fulfillments][
                :first
            ],
            "fulfillmentOrders": lambda info, first=None, after=None: _page(
                [self._fulfillment_order(fo, o) for fo in o.fulfillment_orders][:first]
            ),
        }

    def _transaction(self, t: dict[str, Any], o: Order) -> dict[str, Any]:
        return {
            "id": gid("OrderTransaction", t["id"]),
            "kind": t["kind"],
            "status": t["status"],
            "manuallyCapturable": t["left"] > 0,
            "multiCapturable": False,
            "amountSet": _money(t["amount"], o.currency),
            "parentTransaction": None,
        }

    def _fulfillment(self, f: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": gid("Fulfillment", f["id"]),
            "status": "SUCCESS",
            "trackingInfo": lambda info, first=None: f["tracking"][:first],
        }

    def _fulfillment_order(self, fo: dict[str, Any], o: Order) -> dict[str, Any]:
        lines = {line["id"]: line for line in o.lines}

        def items(
            info: GraphQLResolveInfo, first: int | None = None, after: str | None = None
        ) -> Any:
            return _page(
                [
                    {
                        "id": gid("FulfillmentOrderLineItem", i["id"]),
                        "sku": lines[i["line_id"]]["sku"],
                        "totalQuantity": i["total"],
                        "remainingQuantity": i["remaining"],
                        "lineItem": {
                            "id": gid("LineItem", i["line_id"]),
                            "sku": lines[i["line_id"]]["sku"],
                            "quantity": lines[i["line_id"]]["quantity"],
                            "name": lines[i["line_id"]]["name"],
                        },
                    }
                    for i in fo["items"]
                ][:first]
            )

        return {
            "id": gid("FulfillmentOrder", fo["id"]),
            "status": fo["status"],
            "assignedLocation": {"name": "Warehouse", "location": self._location()},
            "lineItems": items,
        }
