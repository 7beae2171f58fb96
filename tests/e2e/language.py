"""What a page in French must not show: English sentences from the catalog, and
anything that does not fit a handheld's width. Shared by every French walk."""

from __future__ import annotations

import re
from functools import cache

from playwright.sync_api import Page

from wms.devtools.catalogs import catalog, entries, msgid_of, translations_of

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


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


def assert_no_english(page: Page, *data: str) -> None:
    """No English sentence on the page; ``data`` (product names, SKUs) is left out."""
    shown = page.locator("body").inner_text()
    for value in data:
        shown = shown.replace(value, " ")
    seen = [s for s in english_sentences() if s in shown]
    assert seen == [], f"English on {page.url}: {seen[:5]}"


def assert_fits_a_handheld(page: Page) -> None:
    """Nothing wider than the screen, and no location code cut short."""
    width = page.evaluate("document.documentElement.clientWidth")
    wide = page.evaluate(
        """(width) => Array.from(document.querySelectorAll('body *'))
            .filter(el => el.getBoundingClientRect().right > width + 0.5)
            .map(el => el.tagName + ': ' + el.textContent.trim().slice(0, 40))""",
        width,
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width, wide
    cut = page.evaluate(
        """() => Array.from(document.querySelectorAll(
              '#answer .answer, #answer .dest-where, #answer .code, [data-where]'))
            .filter(el => el.scrollWidth > el.clientWidth + 1)
            .map(el => el.textContent.trim())"""
    )
    assert cut == [], f"cut short at {width} px: {cut}"
