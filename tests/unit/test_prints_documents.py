"""Packing slip, discrepancy report and manifest: content, paging and scans."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from tests.scanning import decode_pdf, page_sizes, pdf_pages, pdf_text
from wms.base.address import Address
from wms.prints.documents import (
    DiscrepancyLine,
    DiscrepancyReport,
    Manifest,
    ManifestParcel,
    PackingSlip,
    PackingSlipLine,
    render_discrepancy_report,
    render_manifest,
    render_packing_slip,
)

SHIP_TO = Address(
    name="Zofia Łukasiewicz",
    street1="ul. Długa 5 & <b>7</b>",
    city="Kraków",
    zip="30-001",
    country="PL",
)


def page_numbers_ok(pdf: bytes) -> None:
    texts = pdf_text(pdf).split("\f")[:-1]
    total = pdf_pages(pdf)
    assert len(texts) == total
    for number, text in enumerate(texts, start=1):
        assert re.search(rf"Page {number} of\s+{total}\b", text), (number, text[-300:])


# ------------------------------------------------------------------ packing slip


def slip(lines: int = 4, **extra: object) -> PackingSlip:
    return PackingSlip(
        order_number="W-10422",
        ship_to=SHIP_TO,
        lines=[
            PackingSlipLine(f"SKU-{i:04d}", f"Product {i} <&> Größe", 3, 3 if i % 2 else 1)
            for i in range(lines)
        ],
        box="BOX-M",
        note="Happy birthday! <3 & more",
        parcel="1 of 2",
        order_date=date(2024, 5, 1),
        packed_at=datetime(2024, 5, 2, 10, 5),
        channel="Shopify",
        **extra,  # type: ignore[arg-type]
    )


def test_packing_slip_content_and_order_barcode() -> None:
    pdf = render_packing_slip(slip())
    assert pdf_pages(pdf) == 1
    assert page_sizes(pdf) == [pytest.approx((595.28, 841.89), abs=0.01)]
    assert decode_pdf(pdf) == [[("CODE-128", "W-10422")]]
    text = pdf_text(pdf)
    for expected in [
        "Packing slip - Shopify",
        "W-10422",
        "Zofia Lukasiewicz",
        "ul. Dluga 5 & <b>7</b>",  # markup characters printed, not interpreted
        "30-001 Kraków",
        "SKU-0003",
        "Product 3 <&> Größe",
        "BOX-M",
        "1 of 2",
        "May 2, 2024, 10:05",  # in the reader's language (English outside the app)
        "Happy birthday! <3 & more",
        "Page 1 of 1",
    ]:
        assert expected in text, expected
    # totals: 4 lines x 3 ordered, 1+3+1+3 in this parcel
    assert re.search(r"Total units\s+12\s+8", text)


def test_long_packing_slip_pages() -> None:
    pdf = render_packing_slip(slip(lines=80), page_size="Letter")
    assert pdf_pages(pdf) >= 3
    assert set(page_sizes(pdf)) == {(612.0, 792.0)}
    page_numbers_ok(pdf)
    text = pdf_text(pdf)
    assert "SKU-0079" in text and re.search(r"Total units\s+240\s+160", text)


def test_packing_slip_refuses_an_order_number_code128_cannot_carry() -> None:
    with pytest.raises(ValueError):
        render_packing_slip(PackingSlip("W-ü", SHIP_TO, []))


# ------------------------------------------------------------------ discrepancy report


def test_discrepancy_line_arithmetic() -> None:
    assert DiscrepancyLine("S", "n", expected=10, received=7).short == 3
    assert DiscrepancyLine("S", "n", expected=10, received=7).over == 0
    assert DiscrepancyLine("S", "n", expected=10, received=12).over == 2
    assert not DiscrepancyLine("S", "n", expected=5, received=5).is_discrepancy
    assert DiscrepancyLine("S", "n", expected=5, received=5, damaged=1).is_discrepancy


def test_discrepancy_report() -> None:
    report = DiscrepancyReport(
        inbound_reference="ASN-2024-0042",
        supplier="Global Supplies Ltd",
        lines=[
            DiscrepancyLine("SKU-A", "Anchor", expected=10, received=7),
            DiscrepancyLine("SKU-B", "Buoy", expected=5, received=8, damaged=2),
            DiscrepancyLine("SKU-C", "Chain", expected=4, received=4),
        ],
        expected_date=date(2024, 5, 1),
        closed_at=datetime(2024, 5, 2, 16, 0),
        closed_by="Ann",
        warehouse="Main DC",
    )
    pdf = render_discrepancy_report(report, "Letter")
    assert page_sizes(pdf) == [(612.0, 792.0)]
    assert decode_pdf(pdf) == [[("CODE-128", "ASN-2024-0042")]]
    text = pdf_text(pdf)
    for expected in [
        "Global Supplies Ltd",
        "May 1, 2024",
        "May 2, 2024, 4:00",
        "3 (2 with a discrepancy)",
        "Page 1 of 1",
    ]:
        assert expected in text, expected
    assert re.search(r"SKU-A\s+Anchor\s+10\s+7\s+3\s*\n", text)
    assert re.search(r"SKU-B\s+Buoy\s+5\s+8\s+3\s+2\s*\n", text)
    # totals: expected 19, received 19, short 3, over 3, damaged 2
    assert re.search(r"Totals\s+19\s+19\s+3\s+3\s+2", text)


# ------------------------------------------------------------------ manifest


def manifest(count: int) -> Manifest:
    return Manifest(
        carrier="WMS Local",
        ship_date=date(2024, 5, 2),
        parcels=[
            ManifestParcel(
                tracking_number=f"1Z999AA1{i:010d}",
                order_number=f"W-{10000 + i}",
                service="Express" if i % 3 else "Ground",
                weight_g=500 + 10 * i,
                reference=f"P-{i}",
            )
            for i in range(count)
        ],
        warehouse="Main DC",
        account="ACC-1",
        created_at=datetime(2024, 5, 2, 17, 0),
    )


def test_manifest_every_tracking_number_scans() -> None:
    data = manifest(40)
    pdf = render_manifest(data)
    pages = decode_pdf(pdf)
    assert len(pages) == pdf_pages(pdf) >= 3
    found = [item for page in pages for item in page]
    expected = [("CODE-128", p.tracking_number) for p in data.parcels]
    assert sorted(found) == sorted(expected)  # each exactly once
    page_numbers_ok(pdf)
    text = pdf_text(pdf)
    total_g = sum(p.weight_g for p in data.parcels)
    assert "40 parcels" in text and f"{total_g / 1000:.2f} kg" in text
    assert "Express: 26, Ground: 14" in text
    assert "W-10039" in text and "P-39" in text and "Driver name" in text


def test_manifest_without_parcels() -> None:
    pdf = render_manifest(manifest(0))
    assert pdf_pages(pdf) == 1
    assert "0 parcels" in pdf_text(pdf)


def test_documents_are_reproducible() -> None:
    assert render_manifest(manifest(5)) == render_manifest(manifest(5))
    assert render_packing_slip(slip()) == render_packing_slip(slip())
