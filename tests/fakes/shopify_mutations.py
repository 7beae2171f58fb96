"""The fake Shopify's mutations, answering ``userErrors`` the way the Admin API documents
them and changing nothing when there are any."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLResolveInfo
from graphql.execution.values import get_directive_values

from tests.fakes.shopify_schema import compare_and_swap

if TYPE_CHECKING:
    from tests.fakes.shopify_server import FakeShopify, Order, Variant

REASONS = {
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_canceled",
    "movement_created",
    "movement_received",
    "movement_updated",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
}


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def number(global_id: str, kind: str) -> int | None:
    prefix = f"gid://shopify/{kind}/"
    tail = global_id[len(prefix) :] if global_id.startswith(prefix) else ""
    return int(tail) if tail.isdigit() else None


class Mutations:
    fake: FakeShopify
    version: str

    def _order(self, o: Order) -> dict[str, Any]:
        raise NotImplementedError

    def _transaction(self, t: dict[str, Any], o: Order) -> dict[str, Any]:
        raise NotImplementedError

    def _fulfillment(self, f: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def inventorySetQuantities(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> Any:
        key = self._idempotency_key(info)
        cas = compare_and_swap(self.version)
        if cas and key is None:
            raise GraphQLError("The @idempotent directive is required for this mutation.")
        if key is not None and key in self.fake.idempotent:
            return self.fake.idempotent[key]
        by_item = {
            gid("InventoryItem", v.inventory_item_id): v for v in self.fake.variants.values()
        }
        errors = []
        if input["name"] not in ("available", "on_hand"):
            errors.append(
                {
                    "code": "INVALID_NAME",
                    "field": ["input", "name"],
                    "message": "The quantity name must be available or on_hand.",
                }
            )
        if input["reason"] not in REASONS:
            errors.append(
                {
                    "code": "INVALID_REASON",
                    "field": ["input", "reason"],
                    "message": "The reason is not one of the possible reasons.",
                }
            )
        for i, q in enumerate(input["quantities"]):
            where = ["input", "quantities", str(i)]
            variant = by_item.get(q["inventoryItemId"])
            problem = self._quantity_problem(q, variant, input, cas)
            if problem:
                code, name, message = problem
                errors.append({"code": code, "field": [*where, name], "message": message})
        if errors:
            result: dict[str, Any] = {"inventoryAdjustmentGroup": None, "userErrors": errors}
        else:
            for q in input["quantities"]:
                by_item[q["inventoryItemId"]].available = q["quantity"]
            self.fake.stock_writes.append(input)
            result = {
                "inventoryAdjustmentGroup": {
                    "id": gid("InventoryAdjustmentGroup", self.fake.new_id()),
                    "reason": input["reason"],
                },
                "userErrors": [],
            }
        if key is not None:
            self.fake.idempotent[key] = result
        return result

    def _quantity_problem(
        self, q: dict[str, Any], variant: Variant | None, input: dict[str, Any], cas: bool
    ) -> tuple[str, str, str] | None:
        if variant is None:
            return (
                "INVALID_INVENTORY_ITEM",
                "inventoryItemId",
                "The specified inventory item could not be found.",
            )
        if q["locationId"] != gid("Location", self.fake.location_id) or not variant.stocked:
            return (
                "ITEM_NOT_STOCKED_AT_LOCATION",
                "locationId",
                "The item is not stocked at the location.",
            )
        if cas:
            if "changeFromQuantity" not in q:
                return (
                    "CHANGE_FROM_QUANTITY_REQUIRED",
                    "changeFromQuantity",
                    "changeFromQuantity must be given; pass null to skip the check.",
                )
            if q["changeFromQuantity"] is not None and q["changeFromQuantity"] != variant.available:
                return (
                    "CHANGE_FROM_QUANTITY_STALE",
                    "changeFromQuantity",
                    "The quantity has changed.",
                )
        elif not input.get("ignoreCompareQuantity"):
            if q.get("compareQuantity") is None:
                return (
                    "COMPARE_QUANTITY_REQUIRED",
                    "compareQuantity",
                    "compareQuantity is required unless ignoreCompareQuantity is true.",
                )
            if q["compareQuantity"] != variant.available:
                return ("COMPARE_QUANTITY_STALE", "compareQuantity", "The quantity has changed.")
        return None

    def _idempotency_key(self, info: GraphQLResolveInfo) -> str | None:
        directive = info.schema.get_directive("idempotent")
        values = get_directive_values(directive, info.field_nodes[0], info.variable_values)
        return values["key"] if values else None

    def fulfillmentCreate(
        self, info: GraphQLResolveInfo, fulfillment: dict[str, Any], message: str | None = None
    ) -> dict[str, Any]:
        def refuse(text: str) -> dict[str, Any]:
            return {
                "fulfillment": None,
                "userErrors": [
                    {"field": ["fulfillment", "lineItemsByFulfillmentOrder"], "message": text}
                ],
            }

        plan = []
        owners = set()
        for group in fulfillment["lineItemsByFulfillmentOrder"]:
            found = self._find_fulfillment_order(group["fulfillmentOrderId"])
            if found is None:
                return refuse("Fulfillment order does not exist.")
            order, fo = found
            owners.add(order.id)
            if fo["status"] not in ("OPEN", "IN_PROGRESS"):
                return refuse("Fulfillment order is not in a fulfillable state.")
            items = {gid("FulfillmentOrderLineItem", i["id"]): i for i in fo["items"]}
            asked = group.get("fulfillmentOrderLineItems")
            if asked is None:
                asked = [
                    {"id": k, "quantity": i["remaining"]}
                    for k, i in items.items()
                    if i["remaining"]
                ]
            for a in asked:
                item = items.get(a["id"])
                if item is None or not 0 < a["quantity"] <= item["remaining"]:
                    return refuse("Invalid fulfillment order line item quantity requested.")
                plan.append((fo, item, a["quantity"]))
        if len(owners) != 1 or not plan:
            return refuse("Fulfillment orders must belong to the same order.")
        order = self.fake.orders[owners.pop()]
        tracking = fulfillment.get("trackingInfo") or {}
        numbers = tracking.get("numbers") or (
            [tracking["number"]] if tracking.get("number") else []
        )
        for fo, item, qty in plan:
            item["remaining"] -= qty
            fo["status"] = (
                "CLOSED" if not any(i["remaining"] for i in fo["items"]) else "IN_PROGRESS"
            )
        record = {
            "id": self.fake.new_id(),
            "notify": bool(fulfillment.get("notifyCustomer")),
            "lines": [(item["line_id"], qty) for _, item, qty in plan],
            "tracking": [
                {"number": n, "company": tracking.get("company"), "url": tracking.get("url")}
                for n in numbers
            ],
        }
        order.fulfillments.append(record)
        return {"fulfillment": self._fulfillment(record), "userErrors": []}

    def _find_fulfillment_order(self, global_id: str) -> tuple[Order, dict[str, Any]] | None:
        wanted = number(global_id, "FulfillmentOrder")
        for order in self.fake.orders.values():
            for fo in order.fulfillment_orders:
                if fo["id"] == wanted:
                    return order, fo
        return None

    def orderCapture(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
        def refuse(field: str, text: str) -> dict[str, Any]:
            return {
                "transaction": None,
                "userErrors": [{"field": ["input", field], "message": text}],
            }

        order = self.fake.orders.get(number(input["id"], "Order") or -1)
        if order is None:
            return refuse("id", "Order does not exist.")
        parent = next(
            (
                t
                for t in order.transactions
                if gid("OrderTransaction", t["id"]) == input["parentTransactionId"]
            ),
            None,
        )
        if parent is None or parent["kind"] != "AUTHORIZATION" or parent["status"] != "SUCCESS":
            return refuse(
                "parentTransactionId", "The transaction is not a capturable authorization."
            )
        try:
            amount = Decimal(str(input["amount"]))
        except InvalidOperation:
            return refuse("amount", "The amount is not a number.")
        if input.get("currency") not in (None, order.currency):
            return refuse("currency", "The currency must be the order's presentment currency.")
        if not 0 < amount <= parent["left"]:
            return refuse(
                "amount",
                "The capture amount can't be greater than the amount of the authorized"
                " transaction.",
            )
        parent["left"] -= amount
        capture = {
            "id": self.fake.new_id(),
            "kind": "CAPTURE",
            "status": "SUCCESS",
            "amount": amount,
            "left": Decimal(0),
            "parent": parent["id"],
        }
        order.transactions.append(capture)
        return {"transaction": self._transaction(capture, order), "userErrors": []}

    def orderUpdate(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
        order = self.fake.orders.get(number(input["id"], "Order") or -1)
        if order is None:
            return {
                "order": None,
                "userErrors": [{"field": ["id"], "message": "Order does not exist"}],
            }
        if "note" in input:
            order.note = input["note"]
        return {"order": self._order(order), "userErrors": []}
