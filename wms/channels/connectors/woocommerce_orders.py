"""Reading a WooCommerce order (``GET /wp-json/wc/v3/orders/{id}``, and the webhook body)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from wms.base.i18n import _
from wms.channels.connectors.base import (
    PayloadError,
    PlatformLine,
    PlatformOrder,
    id_text,
    line_items,
    money,
    quantity,
    text_of,
    utc_from_iso,
)

PAID_STATUSES = ("processing", "completed")
CANCELLED_STATUSES = ("cancelled", "refunded", "failed", "trash")


def parse_woocommerce_order(data: Any) -> PlatformOrder:
    if not isinstance(data, Mapping):
        raise PayloadError(_("The order is not a JSON object."))
    order_id = id_text(data.get("id"), "id")
    shipping = _mapping(data.get("shipping"), "shipping")
    billing = _mapping(data.get("billing"), "billing")
    name = _full_name(shipping) or _full_name(billing)
    email = text_of(billing.get("email"))
    method = next(iter(data.get("shipping_lines") or []), None) or {}
    status = text_of(data.get("status"))
    paid = status in PAID_STATUSES or bool(data.get("date_paid_gmt"))
    number = text_of(data.get("number")) or order_id
    return PlatformOrder(
        platform="woocommerce",
        order_id=order_id,
        name=f"#{number}",
        number=number,
        lines=tuple(_lines(data.get("line_items"), order_id)),
        customer_name=name,
        customer_email=email,
        ship_to={
            "name": name,
            "company": text_of(shipping.get("company")),
            "street1": text_of(shipping.get("address_1")),
            "street2": text_of(shipping.get("address_2")),
            "city": text_of(shipping.get("city")),
            "state": text_of(shipping.get("state")),
            "zip": text_of(shipping.get("postcode")),
            "country": text_of(shipping.get("country")).upper(),
            "phone": text_of(shipping.get("phone")) or text_of(billing.get("phone")),
            "email": email,
        },
        shipping_code=text_of(method.get("method_id")),
        shipping_title=text_of(method.get("method_title")),
        placed_at=utc_from_iso(data.get("date_created_gmt"), "date_created_gmt", assume_utc=True),
        payment="paid" if paid else "pending",
        cancelled=status in CANCELLED_STATUSES,
        raw_updated_at=text_of(data.get("date_modified_gmt")),
        currency=text_of(data.get("currency")),
        total=money(data.get("total"), "total"),
        language=_language(data.get("meta_data")),
    )


# WooCommerce keeps no customer language of its own; the multilingual plugins that
# sell in several languages (WPML, and Polylang through its WooCommerce add-on) note
# the one the customer ordered in among the order's meta data.
LANGUAGE_KEYS = ("wpml_language", "pll_language")


def _language(meta: Any) -> str:
    for item in meta if isinstance(meta, list) else []:
        if isinstance(item, Mapping) and item.get("key") in LANGUAGE_KEYS:
            return text_of(item.get("value"))
    return ""


def _full_name(address: Mapping[str, Any]) -> str:
    first, last = text_of(address.get("first_name")), text_of(address.get("last_name"))
    return " ".join(p for p in (first, last) if p)


def _lines(items: Any, order_id: str) -> list[PlatformLine]:
    lines = []
    for position, item in line_items(items, order_id):
        sku = text_of(item.get("sku"))
        product_id = id_text(
            item.get("product_id"), f"line_items[{position}].product_id", required=False
        )
        if not sku and not product_id:
            raise PayloadError(
                _(
                    "Line %(num)s of order %(order)s has neither a SKU nor a product.",
                    num=position,
                    order=order_id,
                )
            )
        lines.append(
            PlatformLine(
                sku=sku,
                qty=quantity(item.get("quantity"), f"line_items[{position}].quantity"),
                product_id=product_id,
                variant_id=id_text(
                    item.get("variation_id"), f"line_items[{position}].variation_id", required=False
                ),
                line_id=id_text(item.get("id"), f"line_items[{position}].id"),
                title=html.unescape(text_of(item.get("name"))),
            )
        )
    return lines


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PayloadError(_("The field %(field)s is not an object.", field=what))
    return value
