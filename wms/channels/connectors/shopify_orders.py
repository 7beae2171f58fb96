"""Reading Shopify's shapes: the REST-shaped Order of its webhooks, and the GraphQL
variants, fulfilment orders and transactions the connector asks for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wms.base.i18n import _
from wms.channels.connectors import shopify_graphql as gql
from wms.channels.connectors.base import (
    PayloadError,
    PlatformLine,
    PlatformOrder,
    PlatformProduct,
    Shipment,
    id_text,
    line_items,
    money,
    quantity,
    text_of,
    utc_from_iso,
)

PAID = ("paid", "partially_refunded", "refunded")


def parse_shopify_order(data: Any) -> PlatformOrder:
    if not isinstance(data, Mapping):
        raise PayloadError(_("The order is not a JSON object."))
    if "order" in data and isinstance(data["order"], Mapping) and "id" not in data:
        data = data["order"]  # the REST API's wrapper, as in GET orders/{id}.json
    order_id = id_text(data.get("id"), "id")
    lines = tuple(_lines(data.get("line_items"), order_id))
    address = data.get("shipping_address") or {}
    if not isinstance(address, Mapping):
        raise PayloadError(_("The shipping address is not an object."))
    customer = data.get("customer") or {}
    name = text_of(address.get("name")) or " ".join(
        p for p in (text_of(customer.get("first_name")), text_of(customer.get("last_name"))) if p
    )
    shipping = next(iter(data.get("shipping_lines") or []), None) or {}
    status = text_of(data.get("financial_status"))
    payment = "authorized" if status == "authorized" else "paid" if status in PAID else "pending"
    return PlatformOrder(
        platform="shopify",
        order_id=order_id,
        name=text_of(data.get("name")) or f"#{text_of(data.get('order_number'))}",
        number=text_of(data.get("order_number")) or text_of(data.get("number")),
        lines=lines,
        customer_name=name,
        customer_email=text_of(data.get("email")) or text_of(data.get("contact_email")),
        ship_to={
            "name": name,
            "company": text_of(address.get("company")),
            "street1": text_of(address.get("address1")),
            "street2": text_of(address.get("address2")),
            "city": text_of(address.get("city")),
            "state": text_of(address.get("province_code")) or text_of(address.get("province")),
            "zip": text_of(address.get("zip")),
            "country": text_of(address.get("country_code")).upper(),
            "phone": text_of(address.get("phone")) or text_of(data.get("phone")),
            "email": text_of(data.get("email")) or text_of(data.get("contact_email")),
        },
        shipping_code=text_of(shipping.get("code")),
        shipping_title=text_of(shipping.get("title")),
        placed_at=utc_from_iso(data.get("created_at"), "created_at"),
        payment=payment,
        cancelled=data.get("cancelled_at") is not None,
        raw_updated_at=text_of(data.get("updated_at")),
        currency=text_of(data.get("currency")),
        total=money(data.get("total_price"), "total_price"),
        language=text_of(data.get("customer_locale")),
    )


def _lines(items: Any, order_id: str) -> list[PlatformLine]:
    lines = []
    for position, item in line_items(items, order_id):
        what = f"line_items[{position}].quantity"
        qty = quantity(item.get("current_quantity", item.get("quantity")), what)
        if qty == 0 or item.get("requires_shipping") is False:
            continue  # removed or refused in full, or nothing to ship
        lines.append(
            PlatformLine(
                sku=text_of(item.get("sku")),
                qty=qty,
                product_id=id_text(
                    item.get("product_id"), f"line_items[{position}].product_id", required=False
                ),
                variant_id=id_text(
                    item.get("variant_id"), f"line_items[{position}].variant_id", required=False
                ),
                line_id=id_text(item.get("id"), f"line_items[{position}].id"),
                title=text_of(item.get("name")) or text_of(item.get("title")),
            )
        )
    return lines


def product_from_variant(node: Mapping[str, Any]) -> PlatformProduct:
    item = node.get("inventoryItem") or {}
    product = node.get("product") or {}
    level = item.get("inventoryLevel")
    stock: int | None = None
    if item.get("tracked") and level:
        for q in level.get("quantities") or []:
            if q.get("name") == "available":
                stock = int(q.get("quantity") or 0)
    title = " - ".join(t for t in (product.get("title"), node.get("title")) if t)
    return PlatformProduct(
        key=gql.legacy_id(item.get("id", "")),
        sku=(node.get("sku") or "").strip(),
        title=title,
        product_id=gql.legacy_id(product.get("id", "")),
        variant_id=gql.legacy_id(node.get("id", "")),
        inventory_item_id=gql.legacy_id(item.get("id", "")),
        stock=stock,
    )


def fulfilment_groups(order: Mapping[str, Any], shipment: Shipment) -> dict[str, list[dict]]:
    """The open fulfilment-order items this parcel covers, grouped by location."""
    wanted = {(ln.line_id or "", ln.sku or ""): ln.qty for ln in shipment.lines}
    everything = not wanted
    groups: dict[str, list[dict]] = {}
    for fo in (order.get("fulfillmentOrders") or {}).get("nodes") or []:
        if fo.get("status") not in ("OPEN", "IN_PROGRESS"):
            continue
        location = ((fo.get("assignedLocation") or {}).get("location") or {}).get("id", "")
        items = []
        for item in (fo.get("lineItems") or {}).get("nodes") or []:
            remaining = int(item.get("remainingQuantity") or 0)
            line = item.get("lineItem") or {}
            qty = remaining if everything else _take(wanted, line, remaining)
            if qty > 0:
                items.append({"id": item["id"], "quantity": qty})
        if items:
            groups.setdefault(location, []).append(
                {"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": items}
            )
    return groups


def _take(wanted: dict[tuple[str, str], int], line: Mapping[str, Any], remaining: int) -> int:
    line_id = gql.legacy_id(line.get("id", ""))
    sku = (line.get("sku") or "").strip()
    for key in list(wanted):
        wanted_line, wanted_sku = key
        if (wanted_line and wanted_line == line_id) or (not wanted_line and wanted_sku == sku):
            qty = min(wanted[key], remaining)
            wanted[key] -= qty
            if wanted[key] <= 0:
                del wanted[key]
            return qty
    return 0


def capturable(transaction: Mapping[str, Any]) -> bool:
    return (
        transaction.get("kind") == "AUTHORIZATION"
        and transaction.get("status") == "SUCCESS"
        and bool(transaction.get("manuallyCapturable"))
    )
