"""Code128 and EAN-13 drawn as vector bars on a reportlab canvas, plus text helpers.

A symbol is laid out as ``quiet zone | bars | quiet zone`` and sized in *modules*
(the narrowest bar or space).  Give either a module width in points or a target
width; :func:`barcode_width` and :func:`fit_module_width` let layouts plan ahead.
All bars of one symbol are a single filled path, written as one block of PDF
operators (in module units under a scaling matrix) because reportlab's path
objects format every number in pure Python and dominate the render time.

python-barcode only supplies the bar pattern.  Its ``Code128`` object keeps charset
state between ``build()`` calls, so every pattern comes from a fresh object.  Its
``EAN13`` silently replaces a wrong check digit, so :func:`ean13_pattern` checks the
digit first and refuses a wrong one.

The text helpers keep strings drawable with the 14 built-in PDF fonts (WinAnsi
encoding): :func:`pdf_text` replaces what those fonts cannot draw.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import partial
from typing import Any, Literal

import barcode
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from wms.base.codes import is_valid_ean13

Symbology = Literal["code128", "ean13"]
CODE128: Symbology = "code128"
EAN13: Symbology = "ean13"

#: Quiet zone on each side, in modules, when none is given.
QUIET_MODULES: dict[str, int] = {CODE128: 10, EAN13: 11}
#: Module width (points) used when neither a width nor a module width is given.
DEFAULT_MODULE_WIDTH = 1.0
#: The narrowest module ever printed: two dots of a 203 dpi thermal printer (0.25 mm,
#: about 10 mil). Narrower, scanners and zbar get unreliable (at 150 dpi, 0.66 pt
#: modules already fail now and then). ``draw_barcode`` refuses anything narrower.
MIN_MODULE_WIDTH = 2 * 72.0 / 203
#: Text under the bars: font size when none is given.
DEFAULT_TEXT_SIZE = 7.0

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"

PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": A4, "LETTER": letter}

_BAR_RUN = re.compile("1+")


# --------------------------------------------------------------------------- patterns


def code128_pattern(value: str) -> str:
    """The Code128 module pattern of ``value`` ('1' bar, '0' space), stop bar included.

    Raises ValueError for an empty value or characters outside ASCII 0-127.
    """
    if not value:
        raise ValueError("Code128 needs a non-empty value")
    if not value.isascii():
        raise ValueError(f"Code128 encodes ASCII only: {value!r}")
    # A fresh object every time: build() changes the object's charset state.
    return barcode.Code128(value).build()[0]


def ean13_pattern(code: str) -> str:
    """The 95-module EAN-13 pattern of a 13-digit code whose check digit is right.

    Raises ValueError otherwise (python-barcode would quietly fix the check digit,
    and the printed symbol would then scan as another product).
    """
    if not is_valid_ean13(code):
        raise ValueError(f"not a valid EAN-13 (13 digits, GS1 check digit): {code!r}")
    pattern = barcode.EAN13(code).build()[0]
    if len(pattern) != 95:  # pragma: no cover - guards a library change
        raise ValueError(f"unexpected EAN-13 pattern length {len(pattern)}")
    return pattern


def barcode_pattern(value: str, symbology: Symbology = CODE128) -> str:
    """The module pattern of ``value`` in ``symbology``."""
    if symbology == CODE128:
        return code128_pattern(value)
    if symbology == EAN13:
        return ean13_pattern(value)
    raise ValueError(f"unknown symbology {symbology!r}")


def product_symbology(barcode_value: str) -> Symbology:
    """EAN-13 when ``barcode_value`` is a valid EAN-13, else Code128."""
    return EAN13 if is_valid_ean13(barcode_value) else CODE128


def _quiet(symbology: Symbology, quiet_modules: int | None) -> int:
    return QUIET_MODULES[symbology] if quiet_modules is None else quiet_modules


def module_count(
    value: str,
    symbology: Symbology = CODE128,
    quiet_modules: int | None = None,
    *,
    pattern: str | None = None,
) -> int:
    """Modules across the whole symbol, both quiet zones included."""
    pattern = pattern if pattern is not None else barcode_pattern(value, symbology)
    return len(pattern) + 2 * _quiet(symbology, quiet_modules)


def barcode_width(
    value: str,
    module_width: float,
    symbology: Symbology = CODE128,
    quiet_modules: int | None = None,
    *,
    pattern: str | None = None,
) -> float:
    """Total width in points (quiet zones included) of ``value`` at ``module_width``."""
    return module_count(value, symbology, quiet_modules, pattern=pattern) * module_width


def fits_at_minimum(
    value: str,
    width: float,
    symbology: Symbology = CODE128,
    quiet_modules: int | None = None,
    *,
    pattern: str | None = None,
) -> bool:
    """True when ``value`` fits ``width`` points without going below the minimum module."""
    count = module_count(value, symbology, quiet_modules, pattern=pattern)
    return count * MIN_MODULE_WIDTH <= width + 1e-9


def fit_module_width(
    value: str,
    width: float,
    symbology: Symbology = CODE128,
    quiet_modules: int | None = None,
    *,
    max_module_width: float | None = None,
    snap_dpi: float | None = None,
    pattern: str | None = None,
) -> float:
    """The module width that makes the whole symbol ``width`` points wide (or less).

    ``max_module_width`` caps it.  ``snap_dpi`` rounds it down to whole printer dots
    (e.g. 203 for thermal label printers) unless that would leave fewer than two
    dots per module, in which case the exact fit is kept.
    """
    count = module_count(value, symbology, quiet_modules, pattern=pattern)
    module = width / count
    if max_module_width is not None:
        module = min(module, max_module_width)
    if snap_dpi:
        dot = 72.0 / snap_dpi
        dots = int(module / dot + 1e-9)
        if dots >= 2:
            module = dots * dot
    return module


# --------------------------------------------------------------------------- drawing


def draw_barcode(
    canvas: Canvas,
    value: str,
    x: float,
    y: float,
    height: float,
    *,
    symbology: Symbology = CODE128,
    width: float | None = None,
    module_width: float | None = None,
    text: str | bool | None = None,
    font_name: str = FONT,
    font_size: float = DEFAULT_TEXT_SIZE,
    quiet_modules: int | None = None,
    pattern: str | None = None,
) -> float:
    """Draw ``value`` with its lower-left corner (quiet zone included) at ``(x, y)``.

    ``height`` is the whole symbol's height; with ``text`` (True prints ``value``, a
    string prints that string) the bottom ``font_size + 2`` points hold the text,
    centred under the bars.  Size with ``module_width`` or ``width`` (the whole
    symbol, quiet zones included); neither means :data:`DEFAULT_MODULE_WIDTH`.
    ``pattern`` may pass a pattern already built for ``value``.  Returns the width
    drawn, quiet zones included.
    """
    if pattern is None:
        pattern = barcode_pattern(value, symbology)
    quiet = _quiet(symbology, quiet_modules)
    if module_width is None:
        if width is not None:
            module_width = width / (len(pattern) + 2 * quiet)
        else:
            module_width = DEFAULT_MODULE_WIDTH
    if module_width < MIN_MODULE_WIDTH - 1e-9:
        raise ValueError(
            f"{value!r} would print at {module_width:.3f} pt a module, under the "
            f"{MIN_MODULE_WIDTH:.3f} pt that scans: give it more room or encode less"
        )
    total = (len(pattern) + 2 * quiet) * module_width
    caption = value if text is True else (text or "")
    band = font_size + 2.0 if caption else 0.0
    bar_height = height - band
    if bar_height <= 0:
        raise ValueError(f"barcode height {height} leaves no room for the bars")

    left = x + quiet * module_width
    bottom = y + band
    # One filled path in module units, scaled into place: "x 0 w 1 re" per bar.
    bars = " ".join(
        f"{run.start()} 0 {run.end() - run.start()} 1 re" for run in _BAR_RUN.finditer(pattern)
    )
    canvas.addLiteral(
        f"q 0 g {module_width:.5f} 0 0 {bar_height:.4f} {left:.4f} {bottom:.4f} cm {bars} f Q"
    )
    if caption:
        canvas.saveState()
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(font_name, font_size)
        canvas.drawCentredString(x + total / 2.0, y + 1.5, pdf_text(caption))
        canvas.restoreState()
    return total


# Drawing one symbology by name; ``draw_ean13`` refuses a wrong check digit (ValueError).
draw_code128 = partial(draw_barcode, symbology=CODE128)
draw_ean13 = partial(draw_barcode, symbology=EAN13)


class BarcodeFlowable(Flowable):
    """A barcode as a Platypus flowable (for tables and stories).

    Without ``module_width`` or ``width`` it fills the available width, up to
    ``max_module_width`` points per module.  The pattern is built (and the value
    checked) when the flowable is created.
    """

    def __init__(
        self,
        value: str,
        symbology: Symbology = CODE128,
        *,
        height: float = 28.0,
        module_width: float | None = None,
        width: float | None = None,
        max_module_width: float = 1.2,
        text: str | bool | None = None,
        font_size: float = DEFAULT_TEXT_SIZE,
        quiet_modules: int | None = None,
    ) -> None:
        super().__init__()
        self.value = value
        self.symbology: Symbology = symbology
        self.pattern = barcode_pattern(value, symbology)
        self.bar_height = height
        self.fixed_module_width = module_width
        self.target_width = width
        self.max_module_width = max_module_width
        self.text = text
        self.font_size = font_size
        self.quiet_modules = _quiet(symbology, quiet_modules)
        self.modules = len(self.pattern) + 2 * self.quiet_modules
        self.module_width = module_width or DEFAULT_MODULE_WIDTH
        self.width = self.modules * self.module_width
        self.height = height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self.fixed_module_width is not None:
            module = self.fixed_module_width
        elif self.target_width is not None:
            module = self.target_width / self.modules
        else:
            module = min(self.max_module_width, availWidth / self.modules)
        self.module_width = max(module, MIN_MODULE_WIDTH)
        self.width = self.modules * module
        return self.width, self.height

    def draw(self) -> None:
        draw_barcode(
            self.canv,
            self.value,
            0,
            0,
            self.bar_height,
            symbology=self.symbology,
            module_width=self.module_width,
            text=self.text,
            font_size=self.font_size,
            quiet_modules=self.quiet_modules,
            pattern=self.pattern,
        )


# --------------------------------------------------------------------------- canvas

_SAVE_LOCK = threading.Lock()


class PrintCanvas(Canvas):
    """The canvas every print uses: reproducible bytes and plain Flate page streams.

    ``invariant`` is on (fixed dates and document id: the same input gives the same
    bytes).  ``save`` writes page streams Flate-only, without reportlab's default
    ASCII85 layer, which costs more time than everything else on a big pick list;
    reportlab reads that switch from global ``rl_config`` while saving, so it is
    flipped under a lock only for the duration of the save.
    """

    def __init__(self, filename: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("invariant") is None:
            kwargs["invariant"] = 1
        kwargs.setdefault("pageCompression", 1)
        super().__init__(filename, *args, **kwargs)

    def save(self) -> None:
        with _SAVE_LOCK:
            previous = rl_config.useA85
            rl_config.useA85 = 0
            try:
                super().save()
            finally:
                rl_config.useA85 = previous


# --------------------------------------------------------------------------- text

# Letters with no WinAnsi form and no decomposition to a base letter.
_NO_DECOMPOSITION = {
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ħ": "h",
    "Ħ": "H",
    "\u0131": "i",  # dotless i
    "ŧ": "t",
    "Ŧ": "T",
    "ŋ": "n",
    "Ŋ": "N",
    "ĸ": "k",
    "\u017f": "s",  # long s
    "\u2212": "-",
    "\u2010": "-",
    "\u2011": "-",
}


def _winansi(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def pdf_text(text: object) -> str:
    """``text`` (a string, or a sentence read now in the reader's language) made
    drawable with the built-in PDF fonts (WinAnsi).

    Keeps Latin-1 and the other WinAnsi characters (é, ß, €, curly quotes...),
    strips accents the fonts lack (ő -> o, ś -> s), maps a few letters by hand
    (ł -> l), turns control characters and line breaks into spaces and anything
    else into '?'. French typography's narrow no-break spaces print as spaces.
    """
    text = str(text)
    if text.isprintable():
        if text.isascii():
            return text
        try:
            text.encode("cp1252")
        except UnicodeEncodeError:
            pass
        else:
            return text
    out: list[str] = []
    for ch in text:
        if not ch.isprintable():
            out.append(" ")
        elif _winansi(ch):
            out.append(ch)
        elif ch in _NO_DECOMPOSITION:
            out.append(_NO_DECOMPOSITION[ch])
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            out.append(base if base and all(_winansi(c) for c in base) else "?")
    return "".join(out)


def fit_text(text: object, font_name: str, font_size: float, max_width: float) -> str:
    """``text`` (made PDF-safe) cut with an ellipsis so it fits in ``max_width`` points."""
    text = pdf_text(text)
    if stringWidth(text, font_name, font_size) <= max_width:
        return text
    ellipsis = "\u2026"
    room = max_width - stringWidth(ellipsis, font_name, font_size)
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits in ``room``
        mid = (low + high + 1) // 2
        if stringWidth(text[:mid], font_name, font_size) <= room:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + ellipsis if low else ellipsis


def fit_font_size(
    text: object, font_name: str, max_size: float, max_width: float, min_size: float = 6.0
) -> float:
    """The largest size up to ``max_size`` (not below ``min_size``) fitting ``max_width``."""
    width = stringWidth(pdf_text(text), font_name, max_size)
    if width <= max_width or width == 0:
        return max_size
    # Rounded down a little, so the text measured at that size still fits exactly.
    return max(min_size, int(max_size * max_width / width * 100) / 100)


def page_size(name: str) -> tuple[float, float]:
    """``"A4"`` or ``"Letter"`` (any case) -> (width, height) in points."""
    try:
        return PAGE_SIZES[name.upper()]
    except KeyError:
        raise ValueError(f"page size must be 'A4' or 'Letter', not {name!r}") from None
