"""What a page in French must not show: English sentences from the catalog.

Plain Python (no browser): the crawl of every page reads HTML through the test
client, the browser walks read a page's text; both ask :func:`english_in`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from html.parser import HTMLParser

from wms.devtools.catalogs import catalog, entries, msgid_of, translations_of

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# Attributes people read (a tooltip, a field's hint, a confirmation, a button's
# words); links, classes, ids, the values a form sends and data-* hooks are not.
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "hx-confirm", "label"}
BUTTONS = {"submit", "button", "reset"}
# Elements whose text is a code (a SKU, a bin, a CSV column name): data, not words.
CODE_CLASS = re.compile(r"\bcode\b")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
UNREAD_ELEMENTS = {"script", "style", "template"}


@cache
def english_sentences() -> tuple[str, ...]:
    """The fixed parts of every catalog sentence of 3+ words whose French differs:
    "Scan the place to confirm.", "Put the" and " in the tote first." of a sentence
    with a placeholder (parts of 3+ words only, so a lone word like "Menu" is left)."""
    found = set()
    for message in entries(catalog("fr")):
        msgid = msgid_of(message)
        if msgid in translations_of(message):
            continue
        for part in PLACEHOLDER.split(msgid):
            part = part.strip(" ·:—()")
            if len(re.findall(r"[A-Za-z]{2,}", part)) >= 3:
                found.add(part)
    return tuple(sorted(found, key=len, reverse=True))


@cache
def english_words() -> frozenset[str]:
    """Every short catalog entry (a label, a status, a button: no placeholder, under
    three words) whose French differs, lower-cased: met alone as a page's whole text
    node or attribute, it is an English word left on the page."""
    found = set()
    for message in entries(catalog("fr")):
        msgid = msgid_of(message)
        if isinstance(message.id, tuple) or msgid in translations_of(message):
            continue
        if not PLACEHOLDER.search(msgid) and len(re.findall(r"[A-Za-z]{2,}", msgid)) in (1, 2):
            found.add(msgid.strip(" .:").lower())
    return frozenset(found)


def english_words_in(parts: list[str], *data: str) -> list[str]:
    """The parts (text nodes, attributes) that are a short English catalog entry."""
    left_out = {d.strip().lower() for d in data}
    return sorted(
        {
            p
            for p in (" ".join(part.split()) for part in parts)
            if (k := p.strip(" .:").lower()) in english_words() and k not in left_out
        }
    )


def english_in(shown: str, *data: str) -> list[str]:
    """The English sentences in ``shown``; ``data`` (product names, SKUs) is left out."""
    for value in sorted(data, key=len, reverse=True):
        if value:
            shown = shown.replace(value, " ")
    shown = " ".join(shown.split())
    return [s for s in english_sentences() if s in shown]


class _Readable(HTMLParser):
    """Text nodes and read attributes; a script's text only when it is the JSON of
    sentences the page hands its scripts (the floor's words)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._unread = 0
        self._json = False
        self._codes: list[str] = []  # the tags of the open elements that hold a code

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("type") == "application/json":
            self._json = True
        elif tag in UNREAD_ELEMENTS:
            self._unread += 1
        if tag not in VOID and (self._codes or CODE_CLASS.search(values.get("class") or "")):
            self._codes.append(tag)
        self._attributes(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        button = tag == "input" and dict(attrs).get("type") in BUTTONS
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or (name == "value" and button)):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._codes and self._codes[-1] == tag:
            self._codes.pop()
        if tag == "script" and self._json:
            self._json = False
        elif tag in UNREAD_ELEMENTS and self._unread:
            self._unread -= 1

    def handle_data(self, data: str) -> None:
        if self._json:
            self.parts.extend(_strings(json.loads(data)))
        elif not self._unread and not self._codes:
            self.parts.append(data)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def readable_parts(html: str) -> list[str]:
    """What a reader meets on an HTML page: its text nodes and the attributes shown to them."""
    parser = _Readable()
    parser.feed(html)
    parser.close()
    return [p for p in parser.parts if p.strip()]


def readable_text(html: str) -> str:
    return "\n".join(readable_parts(html))
