"""The return slip: its RMA barcode scans, on A4 and Letter, however many lines it has."""

from __future__ import annotations

import pytest

from tests.scanning import decode_pdf, pdf_pages, pdf_text
from wms.prints.return_slip import ReturnSlip, ReturnSlipLine, render_return_slip


def slip(lines: int) -> ReturnSlip:
    return ReturnSlip(
        rma_number="R-10042",
        order_number="W-10007",
        customer="Ada Byron",
        tracking_number="WL12345678903",
        lines=[
            ReturnSlipLine(f"SKU-{n:03d}", f"Product {n}", 1, "Changed mind", "refund")
            for n in range(lines)
        ],
    )


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_the_rma_barcode_scans(size: str) -> None:
    pdf = render_return_slip(slip(2), size)
    (found,) = decode_pdf(pdf)
    assert ("CODE-128", "R-10042") in found
    text = pdf_text(pdf)
    assert "W-10007" in text and "SKU-001" in text and "Changed mind" in text


def test_many_lines_run_onto_more_pages() -> None:
    pdf = render_return_slip(slip(90))
    assert pdf_pages(pdf) >= 2
    assert "SKU-089" in pdf_text(pdf)
