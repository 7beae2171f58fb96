"""The fake PrestaShop's list answers: ``display``, ``filter``, ``sort`` and ``limit``."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from typing import Any

from tests.fakes.shop_base import Answer

DATE_FIELDS = {"date_add", "date_upd", "invoice_date", "delivery_date"}


def record(tag: str, **fields: Any) -> ET.Element:
    element = ET.Element(tag)
    for name, value in fields.items():
        ET.SubElement(element, name).text = str(value)
    return element


def shown(element: ET.Element, display: str) -> ET.Element:
    if display == "full":
        return copy.deepcopy(element)
    wanted = [f.strip() for f in display.strip("[]").split(",")]
    shown = ET.Element(element.tag)
    for name in wanted:
        child = element.find(name)
        if child is not None:
            shown.append(copy.deepcopy(child))
    return shown


def matches(element: ET.Element, query: dict[str, str]) -> bool:
    for key, value in query.items():
        if not (key.startswith("filter[") and key.endswith("]")):
            continue
        name = key[7:-1]
        if name in DATE_FIELDS and query.get("date") != "1":
            return False
        have = element.findtext(name) or ""
        inner = value.strip("[]")
        if "|" in inner:
            if have not in inner.split("|"):
                return False
        elif "," in inner:
            low, high = inner.split(",", 1)
            if not between(have, low, high):
                return False
        elif have.lower() != inner.lower():
            return False
    return True


def between(have: str, low: str, high: str) -> bool:
    if have.isdigit() and low.isdigit() and high.isdigit():
        return int(low) <= int(have) <= int(high)
    return low <= have <= high


def sort(elements: list[ET.Element], sort: str | None) -> list[ET.Element]:
    keys = [k.strip() for k in (sort or "[id_ASC]").strip("[]").split(",") if k.strip()]
    for key in reversed(keys):
        name, _, direction = key.rpartition("_")

        def value(e: ET.Element, name: str = name) -> tuple[int, int | str]:
            text = e.findtext(name) or ""
            return (0, int(text)) if text.isdigit() else (1, text)

        elements = sorted(elements, key=value, reverse=direction.upper() == "DESC")
    return elements


def limit(elements: list[ET.Element], limit: str | None) -> list[ET.Element]:
    if not limit:
        return elements
    offset, _, count = limit.rpartition(",")
    start = int(offset) if offset else 0
    return elements[start : start + int(count)]


def wrapped(element: ET.Element) -> ET.Element:
    root = ET.Element("prestashop")
    root.append(copy.deepcopy(element))
    return root


def xml_answer(status: int, root: ET.Element) -> Answer:
    return Answer(
        status,
        ET.tostring(root, encoding="UTF-8", xml_declaration=True),
        {"Content-Type": "text/xml;charset=utf-8", "PSWS-Version": "1.6.1.23"},
    )


def error_answer(status: int, code: int, message: str) -> Answer:
    root = ET.Element("prestashop")
    error = ET.SubElement(ET.SubElement(root, "errors"), "error")
    ET.SubElement(error, "code").text = str(code)
    ET.SubElement(error, "message").text = message
    return xml_answer(status, root)
