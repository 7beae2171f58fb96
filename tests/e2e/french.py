"""Checks for a page read in French: no English sentence of the catalog on it, and
nothing wider than the handheld's screen."""

from __future__ import annotations

import re
from functools import cache

from playwright.sync_api import Page

from wms.devtools.catalogs import catalog, entries, translations_of

PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]")


@cache
def english_sentences() -> tuple[str, ...]:
    """Every run of 3+ English words the catalog holds whose French differs: the words
    between placeholders of each sentence (the placeholders are data)."""
    found = set()
    for message in entries(catalog("fr")):
        french = " ".join(translations_of(message))
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            for part in PLACEHOLDER.split(msgid):
                part = part.strip(" .,;:·()—-")
                if len(re.findall(r"[A-Za-z]{2,}", part)) >= 3 and part not in french:
                    found.add(part)
    return tuple(sorted(found, key=len, reverse=True))


def assert_no_english(page: Page, product_data: tuple[str, ...] = ()) -> None:
    """The page's text (product names and other data taken out) holds no English sentence."""
    shown = page.locator("body").inner_text()
    for data in product_data:
        shown = shown.replace(data, " ")
    shown = re.sub(r"\s+", " ", shown)
    english = [s for s in english_sentences() if s in shown]
    assert english == [], f"English on a French page: {english[:5]}"


def assert_fits(page: Page, codes: tuple[str, ...] = ()) -> None:
    """Nothing is wider than the screen, and every code named is shown whole."""
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the page is wider than the screen"
    cut = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.children.length === 0 && e.scrollWidth > e.clientWidth + 1
                         && getComputedStyle(e).overflow !== 'visible')
            .map(e => e.textContent.trim())"""
    )
    for code in codes:
        assert not any(code in text for text in cut), f"{code} is cut off"
