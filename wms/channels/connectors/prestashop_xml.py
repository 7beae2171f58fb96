"""PrestaShop's webservice XML: read safely, written plainly.

Reading goes through expat with a handler that refuses any document type
declaration, so no entity (internal or external) can ever be declared, let alone
expanded; PrestaShop's answers never carry one. Writing builds fresh elements
from field names and text (no attributes, so no stray ``xlink`` prefixes).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from xml.parsers import expat
from zoneinfo import ZoneInfo

from wms.base.i18n import N_, _
from wms.channels.connectors.base import (
    PayloadError,
    PlatformLine,
    PlatformOrder,
    id_text,
    money,
    not_a_time,
    quantity,
)

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


# What could not be read, as whole sentences (``what`` in ``parse_xml``).
DOCUMENT_TYPE = {
    "order": N_("The order declares a document type, which is refused."),
    "answer": N_("PrestaShop's answer declares a document type, which is refused."),
}
NOT_XML = {
    "order": N_("The order is not valid XML (%(error)s)."),
    "answer": N_("PrestaShop's answer is not valid XML (%(error)s)."),
}


def parse_xml(raw: bytes | str, what: str = "answer") -> ET.Element:
    """The root element of ``raw``; a DOCTYPE or an entity declaration is refused.
    ``what``: ``order`` or ``answer``."""

    def refuse(*_args: object) -> None:
        raise PayloadError(_(DOCUMENT_TYPE[what]))

    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(raw.encode() if isinstance(raw, str) else raw, True)
        return builder.close()
    except expat.ExpatError as exc:
        raise PayloadError(_(NOT_XML[what], error=str(exc))) from exc
    except AssertionError as exc:  # TreeBuilder: no root element
        raise PayloadError(_(NOT_XML[what], error="no root element")) from exc


def text(element: ET.Element | None, name: str) -> str:
    """A child field's text, trimmed; a multilingual field gives its first language."""
    if element is None:
        return ""
    child = element.find(name)
    if child is None:
        return ""
    language = child.find("language")
    if language is not None:
        return (language.text or "").strip()
    return (child.text or "").strip()


def records(root: ET.Element, plural: str, singular: str) -> list[ET.Element]:
    """The records of a list answer (``<prestashop><orders><order>…``) or of one record."""
    if root.tag == "prestashop":
        group = root.find(plural)
        if group is not None:
            return group.findall(singular)
        one = root.find(singular)
        return [one] if one is not None else []
    return [root] if root.tag == singular else []


def document(resource: str, fields: Iterable[tuple[str, str]]) -> bytes:
    """``<prestashop><resource><field>text</field>…</resource></prestashop>`` as bytes."""
    root = ET.Element("prestashop")
    record = ET.SubElement(root, resource)
    for name, value in fields:
        ET.SubElement(record, name).text = value
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def plain_fields(record: ET.Element, **changes: str) -> list[tuple[str, str]]:
    """A record's simple fields as (name, text), with ``changes`` applied, for a PUT."""
    fields = []
    for child in record:
        if len(child) == 0:
            fields.append((child.tag, changes.get(child.tag, (child.text or "").strip())))
    for name, value in changes.items():
        if record.find(name) is None:
            fields.append((name, value))
    return fields


def errors_of(raw: bytes) -> str:
    """The messages of a PrestaShop error answer, joined; "" if there are none."""
    try:
        root = parse_xml(raw)
    except PayloadError:
        return ""
    return "; ".join(
        (e.findtext("message") or "").strip() for e in root.iter("error") if e.findtext("message")
    )


def shop_time(value: str, zone: ZoneInfo, what: str) -> datetime:
    """A PrestaShop date (the shop's local time, ``YYYY-MM-DD HH:MM:SS``) as aware UTC."""
    try:
        local = datetime.strptime(value, DATE_FORMAT)
    except ValueError as exc:
        raise not_a_time(what, value) from exc
    return local.replace(tzinfo=zone).astimezone(UTC)


def parse_prestashop_order(
    order: ET.Element,
    *,
    zone: ZoneInfo,
    cancelled_states: Iterable[str],
    address: Mapping[str, str] | None = None,
    email: str = "",
) -> PlatformOrder:
    """One ``<order>`` element; its delivery address comes from ``/api/addresses``."""
    order_id = id_text(text(order, "id"), "id")
    rows = order.findall("associations/order_rows/order_row")
    if not rows:
        raise PayloadError(_("Order %(order)s has no order rows.", order=order_id))
    lines = []
    for position, row in enumerate(rows, start=1):
        lines.append(
            PlatformLine(
                sku=text(row, "product_reference"),
                qty=quantity(
                    text(row, "product_quantity"), f"order_row[{position}].product_quantity"
                ),
                product_id=id_text(
                    text(row, "product_id"), f"order_row[{position}].product_id", required=False
                ),
                variant_id=id_text(
                    text(row, "product_attribute_id"),
                    f"order_row[{position}].product_attribute_id",
                    required=False,
                ),
                line_id=id_text(text(row, "id"), f"order_row[{position}].id", required=False),
                title=text(row, "product_name"),
            )
        )
    ship_to = {**(address or {}), "email": email}
    return PlatformOrder(
        platform="prestashop",
        order_id=order_id,
        name=text(order, "reference") or order_id,
        number=order_id,
        lines=tuple(lines),
        customer_name=ship_to.get("name", ""),
        customer_email=email,
        ship_to=ship_to,
        shipping_code=text(order, "id_carrier"),
        shipping_title="",
        placed_at=shop_time(text(order, "date_add"), zone, "date_add"),
        payment="paid" if text(order, "valid") == "1" else "pending",
        cancelled=text(order, "current_state") in set(cancelled_states),
        raw_updated_at=text(order, "date_upd"),
        total=money(text(order, "total_paid_tax_incl") or None, "total_paid_tax_incl"),
    )


def parse_prestashop_address(
    address: ET.Element,
    countries: Mapping[str, str] | None = None,
    states: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """An ``<address>`` as the warehouse's address dict; ISO codes from the lookups given."""
    name = " ".join(p for p in (text(address, "firstname"), text(address, "lastname")) if p)
    return {
        "name": name,
        "company": text(address, "company"),
        "street1": text(address, "address1"),
        "street2": text(address, "address2"),
        "city": text(address, "city"),
        "state": (states or {}).get(text(address, "id_state"), ""),
        "zip": text(address, "postcode"),
        "country": (countries or {}).get(text(address, "id_country"), ""),
        "phone": text(address, "phone") or text(address, "phone_mobile"),
    }
