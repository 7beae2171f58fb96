"""What a page in French must not show: English sentences from the catalog, and
anything that does not fit a handheld's width. Shared by every French walk."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.language_check import english_in, english_sentences

__all__ = ["assert_fits_a_handheld", "assert_no_english", "english_sentences"]


def assert_no_english(page: Page, *data: str) -> None:
    """No English sentence on the page; ``data`` (product names, SKUs) is left out."""
    seen = english_in(page.locator("body").inner_text(), *data)
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
