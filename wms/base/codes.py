"""What a scanned string is: check digits, GS1-128 element strings, command barcodes.

Plain functions with no Flask or database. What a code names in the warehouse
(an order, a bin, a badge...) is looked up by ``wms.core.recognise``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Command barcodes printed on the command sheet; every floor screen understands them.
# RESELL, REWORK and NOT-OURS (with DAMAGED) grade an item on the returns bench;
# BLIND starts a receipt without an ASN; NEW leaves the inbound or return in hand
# for another one.
COMMANDS = (
    "DONE",
    "UNDO",
    "SKIP",
    "SHORT",
    "DAMAGED",
    "PRINT",
    "BLIND",
    "NEW",
    "RESELL",
    "REWORK",
    "NOT-OURS",
)
# Commands that open a floor screen, from any floor screen (LOGOUT signs out).
SCREEN_COMMANDS = (
    "MENU",
    "RECEIVE",
    "PUTAWAY",
    "PICK",
    "PACK",
    "RETURNS",
    "COUNT",
    "LOOKUP",
    "BOARD",
    "LOGOUT",
)
COMMAND_PREFIX = "CMD-"


def _word(code: str) -> str:
    return code.strip().upper().removeprefix(COMMAND_PREFIX)


def command_of(code: str) -> str | None:
    """``CMD-UNDO`` (or the bare word typed by hand) -> ``UNDO``; anything else -> None."""
    word = _word(code)
    return word if word in COMMANDS else None


def screen_command_of(code: str) -> str | None:
    """``CMD-PICK`` (or ``pick`` typed by hand) -> ``PICK``; anything else -> None."""
    word = _word(code)
    return word if word in SCREEN_COMMANDS else None


# ``CMD-LANG-FR``: scanned on any floor screen, the operator's screens speak French
# from then on. The same barcode in every language; its caption is the language's name.
LANGUAGE_WORD = "LANG-"


def language_command_of(code: str) -> str | None:
    """``CMD-LANG-FR`` (or ``lang-fr`` typed) -> ``"fr"``; anything else -> None."""
    word = _word(code)
    if not word.startswith(LANGUAGE_WORD):
        return None
    language = word.removeprefix(LANGUAGE_WORD).lower()
    return language if language.isalpha() and 2 <= len(language) <= 3 else None


def language_command(language: str) -> str:
    return command_code(f"{LANGUAGE_WORD}{language}")


def command_code(word: str) -> str:
    return f"{COMMAND_PREFIX}{word.upper()}"


# A bin or product whose own code is too long to print as a barcode that scans gets a
# short stand-in on its labels: "-L" (location) or "-P" (product) and its id in base
# 36, e.g. "-L2S". Location codes and SKUs start with a letter or a digit, so no
# real code looks like one; the text printed beside the bars stays the real code.
SHORT_PREFIX = "-"
SHORT_KINDS = ("L", "P")
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def short_code(kind: str, ident: int) -> str:
    """``short_code("L", 100)`` -> ``"-L2S"``."""
    if kind not in SHORT_KINDS or ident <= 0:
        raise ValueError(f"no short code for {kind!r} {ident!r}")
    digits = ""
    while ident:
        ident, rest = divmod(ident, 36)
        digits = _BASE36[rest] + digits
    return f"{SHORT_PREFIX}{kind}{digits}"


def parse_short_code(code: str) -> tuple[str, int] | None:
    """``"-L2S"`` -> ``("L", 100)``; anything else -> None."""
    code = code.strip().upper()
    if len(code) < 3 or len(code) > 15 or not code.startswith(SHORT_PREFIX):
        return None
    kind, digits = code[1], code[2:]
    if kind not in SHORT_KINDS or not all(ch in _BASE36 for ch in digits):
        return None
    ident = int(digits, 36)
    return (kind, ident) if 0 < ident < 2**31 else None


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for the digits in ``body`` (without the check digit)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    """EAN-8, UPC-A (12), EAN-13 or GTIN-14 with a correct check digit."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    return gs1_check_digit(code[:-1]) == int(code[-1])


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and is_valid_gtin(code)


def is_valid_upc(code: str) -> bool:
    return len(code) == 12 and is_valid_gtin(code)


@dataclass(frozen=True)
class GS1Scan:
    gtin: str
    count: int | None


GS = "\x1d"
# Fixed-length application identifiers we may meet before or after the ones we need.
_FIXED = {"00": 18, "01": 14, "02": 14, "11": 6, "12": 6, "13": 6, "15": 6, "16": 6, "17": 6}


def parse_gs1(code: str) -> GS1Scan | None:
    """Parse a GS1-128 element string for its GTIN (01 or 02) and count (30 or 37).

    Accepts the raw scan (with the FNC1 group separator, or the ``]C1``
    symbology prefix) and the human-readable form with parentheses.
    Returns None when the string is not GS1 or carries no GTIN.
    """
    s = code.strip()
    if s.startswith("]C1"):
        s = s[3:]
    if s.startswith("("):
        # The human-readable form, with or without spaces: (01) 0200... (37) 2
        pairs = re.findall(r"\((\d{2,4})\)([^(]*)", s)
        s = GS.join(ai + value.strip() for ai, value in pairs)
    if not s[:2].isdigit() or s[:2] not in ("01", "02"):
        return None
    gtin: str | None = None
    count: int | None = None
    i = 0
    while i < len(s):
        if s[i] == GS:
            i += 1
            continue
        ai2 = s[i : i + 2]
        if ai2 in _FIXED:
            value = s[i + 2 : i + 2 + _FIXED[ai2]]
            if len(value) != _FIXED[ai2] or not value.isdigit():
                return None
            if ai2 in ("01", "02"):
                gtin = value
            i += 2 + _FIXED[ai2]
            continue
        if ai2 in ("10", "21", "30", "37"):
            end = s.find(GS, i + 2)
            end = len(s) if end == -1 else end
            value = s[i + 2 : end]
            if ai2 in ("30", "37"):
                if not value.isdigit() or not 0 < len(value) <= 8:
                    return None
                count = int(value)
            i = end
            continue
        break  # an identifier we do not read: stop, keeping what we found
    if gtin is None or not is_valid_gtin(gtin):
        return None
    return GS1Scan(gtin=gtin, count=count)


def gtin_candidates(gtin14: str) -> list[str]:
    """The forms a product's barcode may be stored in for a GTIN-14 from a GS1 scan."""
    out = [gtin14]
    if gtin14.startswith("0"):
        out.append(gtin14[1:])  # EAN-13
    if gtin14.startswith("00"):
        out.append(gtin14[2:])  # UPC-A
    return out


@dataclass(frozen=True)
class ProductCode:
    """The barcodes a product scan may be stored under, and the units it counts."""

    barcodes: tuple[str, ...]
    count: int | None = None


def product_code_forms(code: str) -> ProductCode | None:
    """Other forms of a product barcode than the code as scanned, or None.

    A GS1-128 element string (raw or human-readable, with or without spaces)
    gives its GTIN; a bare GTIN-8/12/13/14 gives the same GTIN padded or
    trimmed, so a GTIN-14 ``02000000001616`` finds the EAN-13
    ``2000000001616`` and a UPC-A finds its EAN-13 ``0…``.
    """
    gs1 = parse_gs1(code)
    if gs1 is not None:
        return ProductCode(tuple(gtin_candidates(gs1.gtin)), gs1.count)
    s = code.strip()
    if not is_valid_gtin(s):
        return None
    gtin14 = s.rjust(14, "0")
    forms = [f for f in dict.fromkeys(gtin_candidates(gtin14)) if f != s]
    return ProductCode(tuple(forms)) if forms else None
