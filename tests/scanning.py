"""Read printed PDFs the way the floor does: rasterize, then scan with zbar.

Needs poppler-utils (``pdftoppm``, ``pdftotext``, ``pdfinfo``) and zbar-tools
(``zbarimg``).  Pages are rendered with ``pdftoppm -r DPI -gray`` to PGM (the
PNG encoder alone costs about 0.4 s per A4 page at 200 dpi; zbar reads both the
same) and scanned with ``zbarimg --xml``, restricted to the symbologies we print
so text is never mistaken for a barcode.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from base64 import b64decode
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

_NS = {"z": "http://zbar.sourceforge.net/2008/barcode"}
_SYMBOLOGIES = ("code128", "ean13")


def _run(args: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(args), capture_output=True, check=False, **kwargs)  # type: ignore[call-overload]


def pdf_pages(pdf: bytes) -> int:
    """The page count, as poppler reads it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "doc.pdf")
        path.write_bytes(pdf)
        out = _run(["pdfinfo", str(path)])
    if out.returncode != 0:
        raise AssertionError(f"pdfinfo failed: {out.stderr.decode(errors='replace')}")
    match = re.search(rb"^Pages:\s+(\d+)", out.stdout, re.MULTILINE)
    assert match, out.stdout
    return int(match.group(1))


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every page, from the page MediaBoxes in order."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def pdf_text(pdf: bytes, page: int | None = None, layout: bool = True) -> str:
    """Text of the document (or of one 1-based page) via ``pdftotext``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "doc.pdf")
        path.write_bytes(pdf)
        args = ["pdftotext", "-enc", "UTF-8"]
        if layout:
            args.append("-layout")
        if page is not None:
            args += ["-f", str(page), "-l", str(page)]
        out = _run([*args, str(path), "-"])
    if out.returncode != 0:
        raise AssertionError(f"pdftotext failed: {out.stderr.decode(errors='replace')}")
    return out.stdout.decode("utf-8")


def _scan(image: Path) -> list[tuple[str, str]]:
    args = ["zbarimg", "--xml", "-q", "-Sdisable"]
    args += [f"-S{name}.enable" for name in _SYMBOLOGIES]
    out = _run([*args, str(image)])
    # 0: found symbols, 4: none found; anything else is a real failure.
    if out.returncode not in (0, 4):
        raise AssertionError(f"zbarimg failed ({out.returncode}): {out.stderr.decode()}")
    if out.returncode == 4 or not out.stdout.strip():
        return []
    root = ET.fromstring(out.stdout)
    found: list[tuple[str, str]] = []
    for symbol in root.iterfind(".//z:symbol", _NS):
        data = symbol.find("z:data", _NS)
        assert data is not None
        text = data.text or ""
        if data.get("format") == "base64":
            text = b64decode(text).decode("latin-1")
        found.append((symbol.get("type", ""), text))
    return found


def decode_pdf(
    pdf: bytes, dpi: int = 200, pages: Sequence[int] | None = None
) -> list[list[tuple[str, str]]]:
    """Per page, the (symbology, data) pairs zbar reads, e.g. ``("CODE-128", "W-1")``.

    ``pages`` picks 1-based pages to scan (the result follows that order); all
    pages when None.
    """
    wanted = list(range(1, pdf_pages(pdf) + 1)) if pages is None else list(pages)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "doc.pdf")
        path.write_bytes(pdf)

        def one(number: int) -> list[tuple[str, str]]:
            prefix = Path(tmp, f"p{number}")
            out = _run(
                [
                    *("pdftoppm", "-r", str(dpi), "-gray", "-singlefile"),
                    *("-f", str(number), "-l", str(number), str(path), str(prefix)),
                ]
            )
            image = prefix.with_suffix(".pgm")
            if out.returncode != 0 or not image.exists():
                raise AssertionError(f"pdftoppm failed on page {number}: {out.stderr.decode()}")
            try:
                return _scan(image)
            finally:
                image.unlink()

        # Pages are independent: rasterize and scan them side by side.
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            return list(pool.map(one, wanted))


def values(page: Sequence[tuple[str, str]]) -> set[str]:
    """Just the decoded data of one page, as a set."""
    return {data for _, data in page}
