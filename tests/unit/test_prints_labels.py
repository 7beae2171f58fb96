"""4x6 shipping labels: PDF pages that scan, ZPL that a Zebra printer accepts."""

from __future__ import annotations

import re
import zlib
from dataclasses import replace
from datetime import date

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from tests.scanning import decode_pdf, page_sizes, pdf_pages, pdf_text
from wms.base.address import Address
from wms.prints.barcodes import code128_pattern
from wms.prints.shipping_label import (
    ShippingLabelData,
    address_lines,
    render_label_zpl,
    render_labels_pdf,
    render_labels_zpl,
    zpl_text_width,
)

SHIP_FROM = Address(
    name="Acme Fulfilment",
    street1="12 Dock Road",
    street2="Unit 4",
    city="Springfield",
    state="IL",
    zip="62701",
    company="Acme Inc",
)
SHIP_TO = Address(
    name="Zofia Łukasiewicz",
    street1="ul. Żółkiewskiego 5/7",
    street2="c/o ^caret~tilde\\",
    city="Kraków",
    zip="30-001",
    country="PL",
    company="Großhandel Müller GmbH",
)


def label(tracking: str, order: str = "W-10422", **changes: object) -> ShippingLabelData:
    base = ShippingLabelData(
        carrier="WMS Local",
        service="Express",
        tracking_number=tracking,
        ship_from=SHIP_FROM,
        ship_to=SHIP_TO,
        weight_g=1250,
        order_number=order,
        reference="BOX-M",
        shipped_on=date(2024, 5, 1),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


TRACKINGS = [
    "1Z999AA10123456784",  # UPS style, mixed
    "9400111899223197428490",  # USPS style, 22 digits
    "WMS000000123",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ12",  # 28 mixed characters: the longest we promise
]


def test_one_page_per_label_and_each_tracking_number_scans() -> None:
    labels = [label(t, order=f"W-{i}") for i, t in enumerate(TRACKINGS)]
    pdf = render_labels_pdf(labels)
    assert pdf_pages(pdf) == len(labels)
    assert page_sizes(pdf) == [(288.0, 432.0)] * len(labels)
    pages = decode_pdf(pdf)
    assert pages == [[("CODE-128", t)] for t in TRACKINGS]


def test_label_text() -> None:
    pdf = render_labels_pdf([label("1Z999AA10123456784")])
    text = pdf_text(pdf, layout=False)
    for expected in [
        "WMS Local",
        "Express",
        "Acme Fulfilment",
        "Springfield, IL 62701",
        "Zofia Lukasiewicz",  # Ł has no WinAnsi form
        "Großhandel Müller GmbH",  # Latin-1 kept as is
        "ul. Zólkiewskiego 5/7",
        "c/o ^caret~tilde\\",
        "30-001 Kraków",
        "PL",
        "W-10422",
        "1.25 kg",
        "Ref: BOX-M",
        "Ship date May 1, 2024",
        "1Z999AA10123456784",
    ]:
        assert expected in text, expected


def test_ship_to_is_larger_than_ship_from() -> None:
    # The built-in fonts' sizes are in the content stream: "/F1 12 Tf" then "(text) Tj".
    pdf = render_labels_pdf([label("WMS1")])
    raw = re.search(rb"/Length (\d+)\s*>>\s*stream\r?\n", pdf)
    assert raw
    stream = zlib.decompress(pdf[raw.end() : raw.end() + int(raw.group(1))]).decode("latin-1")
    sizes: dict[str, float] = {}
    size = 0.0
    for font_size, text in re.findall(r"/F\d+ ([\d.]+) Tf|\((.*?)\) Tj", stream):
        if font_size:
            size = float(font_size)
        else:
            sizes[text] = size
    assert sizes["Acme Fulfilment"] < 9
    assert sizes["Zofia Lukasiewicz"] >= 14
    assert sizes["WMS Local"] >= 18 and sizes["Express"] >= 16


def test_address_lines() -> None:
    assert address_lines(SHIP_FROM) == [
        "Acme Fulfilment",
        "Acme Inc",
        "12 Dock Road",
        "Unit 4",
        "Springfield, IL 62701",
        "US",
    ]
    assert address_lines(Address("A", "B", city="Paris", zip="75001", country="fr")) == [
        "A",
        "B",
        "75001 Paris",
        "FR",
    ]


def test_same_labels_same_bytes() -> None:
    labels = [label("1Z999AA10123456784"), label("WMS000000123")]
    assert render_labels_pdf(labels) == render_labels_pdf(labels)


@pytest.mark.parametrize("tracking", ["", "é123", "A\tB"])
def test_bad_tracking_numbers_are_refused(tracking: str) -> None:
    with pytest.raises(ValueError):
        render_labels_pdf([label(tracking)])
    with pytest.raises(ValueError):
        render_label_zpl(label(tracking))


def test_no_labels_is_an_error() -> None:
    with pytest.raises(ValueError):
        render_labels_pdf([])


def test_negative_weight_is_refused() -> None:
    with pytest.raises(ValueError):
        render_labels_pdf([label("WMS1", weight_g=-1)])


# ------------------------------------------------------------------ ZPL


def fields(zpl: str) -> list[str]:
    return re.findall(r"\^FD(.*?)\^FS", zpl, re.DOTALL)


def test_zpl_shape() -> None:
    zpl = render_label_zpl(label("1Z999AA10123456784"))
    lines = zpl.strip().splitlines()
    assert lines[0] == "^XA" and lines[-1] == "^XZ"
    assert "^PW812" in zpl and "^LL1218" in zpl and "^CI28" in zpl
    barcode = re.search(
        r"\^FO(\d+),(\d+)\^BY(\d+),3,(\d+)\^BCN,\d+,N,N,N,A\^FH\\\^FD(.*?)\^FS", zpl
    )
    assert barcode, zpl
    x, _y, module, _, data = barcode.groups()
    assert data == "1Z999AA10123456784"
    modules = len(code128_pattern(data))
    assert int(module) >= 2
    assert int(x) - 10 * int(module) >= 0  # quiet zone on the label
    assert int(x) + (modules + 10) * int(module) <= 812  # and on the right
    for fx, fy in re.findall(r"\^FO(\d+),(\d+)", zpl):
        assert 0 <= int(fx) < 812 and 0 <= int(fy) < 1218
    for text in ("WMS Local", "Express", "W-10422", "1.25 kg", "Ref: BOX-M"):
        assert text in fields(zpl)


def test_zpl_escapes_field_data() -> None:
    zpl = render_label_zpl(label("1Z999AA10123456784"))
    data = fields(zpl)
    # ^ and ~ would start a command inside field data; \ is the ^FH escape itself.
    assert "c/o \\5Ecaret\\7Etilde\\5C" in data
    # Non-ASCII goes as UTF-8 hex under ^CI28: "Kraków" -> "Krak\C3\B3w".
    assert "30-001 Krak\\C3\\B3w" in data
    assert all(ch.isascii() for ch in zpl)
    for field in data:
        assert "~" not in field and "^" not in field
    # Every field with data is hex-escape aware.
    assert zpl.count("^FD") == zpl.count("^FH\\^FD")


def test_zpl_refuses_a_chevron_in_the_tracking_number() -> None:
    with pytest.raises(ValueError):
        render_label_zpl(label("AB>12"))


def test_zpl_many_labels_in_order() -> None:
    labels = [label(t, order=f"W-{i}") for i, t in enumerate(TRACKINGS)]
    zpl = render_labels_zpl(labels)
    assert zpl.count("^XA") == zpl.count("^XZ") == len(TRACKINGS)
    formats = re.findall(r"\^XA.*?\^XZ", zpl, re.DOTALL)
    for zpl_label, tracking in zip(formats, TRACKINGS, strict=True):
        assert re.search(r"\^BC[^\^]*\^FH\\\^FD" + re.escape(tracking) + r"\^FS", zpl_label)


# ------------------------------------------------------------------ long addresses

LONG_ADDRESSES = {
    "french": Address(
        name="Marie-Thérèse de La Rochefoucauld-Montmorency",
        company="Établissements Bérénice & Frères",
        street1="145 avenue du Maréchal-de-Lattre-de-Tassigny",
        street2="Résidence les Jardins de l'Orangerie, bâtiment B, escalier 3",
        city="Saint-Rémy-de-Provence-sur-Durance",
        zip="13210",
        country="FR",
    ),
    "french, longer still": Address(
        name="Marie-Thérèse de La Rochefoucauld-Montmorency-Laval",
        street1="145 avenue du Maréchal-de-Lattre-de-Tassigny et des Combattants d'Afrique du Nord",
        street2="Résidence les Jardins de l'Orangerie du Château, bâtiment B, escalier 3, porte 12",
        city="Saint-Germain-de-la-Grange-sur-Mauldre-et-Villiers-Saint-Frédéric",
        zip="78640",
        country="FR",
    ),
    "american, longer still": Address(
        name="Christopher Montgomery-Williamson III",
        street1="27001 La Paz Road, Suite 400, Building C",
        city="Rancho Santa Margarita Heights of the Upper Trabuco Canyon",
        state="CA",
        zip="92688-1234",
        country="US",
    ),
    "canadian": Address(
        name="Jean-François Lévesque-Bouchard",
        street1="1234 boulevard du Séminaire Nord, appartement 1205",
        city="Saint-Jean-sur-Richelieu",
        state="QC",
        zip="J3B 1A1",
        country="CA",
    ),
    "american": Address(
        name="Christopher Montgomery-Williamson III",
        company="Pacific Northwest Outdoor Equipment Cooperative",
        street1="27001 La Paz Road, Suite 400, Building C",
        city="Rancho Santa Margarita Heights",
        state="CA",
        zip="92688-1234",
        country="US",
    ),
}


def squeezed(text: str) -> str:
    return "".join(text.split())


def pdf_string(raw: str) -> str:
    """A PDF literal string's text: octal and backslash escapes undone (WinAnsi)."""
    out = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), raw)
    return re.sub(r"\\(.)", r"\1", out).encode("latin-1").decode("cp1252")


def drawn_strings(pdf: bytes) -> list[tuple[float, float, str, str]]:
    """(x, size, font name, text) of every string the label draws, from its content stream."""
    raw = re.search(rb"/Length (\d+)\s*>>\s*stream\r?\n", pdf)
    assert raw
    stream = zlib.decompress(pdf[raw.end() : raw.end() + int(raw.group(1))]).decode("latin-1")
    names: dict[str, str] = {}
    for body in re.findall(r"<<(.*?)>>", pdf.decode("latin-1"), re.S):
        base, name = re.search(r"/BaseFont /([\w-]+)", body), re.search(r"/Name /(F\d+)", body)
        if base and name:
            names[name.group(1)] = base.group(1)
    out: list[tuple[float, float, str, str]] = []
    font, size = "", 0.0
    for block in re.findall(r"BT (.*?) ET", stream, re.S):
        chosen = re.search(r"/(F\d+) ([\d.]+) Tf", block)
        if chosen:
            font, size = names[chosen.group(1)], float(chosen.group(2))
        place = re.search(r"1 0 0 1 ([-\d.]+) [-\d.]+ Tm", block)
        for text in re.findall(r"\((.*?)\) Tj", block):
            if place:
                out.append((float(place.group(1)), size, font, pdf_string(text)))
    assert out
    return out


@pytest.mark.parametrize("kind", sorted(LONG_ADDRESSES))
def test_a_long_address_is_all_on_the_pdf_label_and_within_its_edges(kind: str) -> None:
    address = LONG_ADDRESSES[kind]
    pdf = render_labels_pdf([label("1Z999AA10123456784", ship_to=address)])
    text = squeezed(pdf_text(pdf))  # as laid out: raw text drops a hyphen that ends a line
    for line in address_lines(address):
        assert squeezed(line) in text, line
    for x, size, font, drawn in drawn_strings(pdf):
        assert x >= 0 and x + stringWidth(drawn, font, size) <= 288 - 10 + 0.01, drawn
    assert decode_pdf(pdf, dpi=150) == [[("CODE-128", "1Z999AA10123456784")]]


def test_the_postal_code_stays_whole_with_its_province() -> None:
    pdf = render_labels_pdf([label("1Z999AA10123456784", ship_to=LONG_ADDRESSES["canadian"])])
    assert "QC J3B 1A1" in pdf_text(pdf, layout=False)
    zpl = render_label_zpl(label("1Z999AA10123456784", ship_to=LONG_ADDRESSES["canadian"]))
    assert any("QC J3B 1A1" in field for field in fields(zpl))


def zpl_texts(zpl: str) -> list[tuple[int, int, str]]:
    """(x, font width, text) of every font-0 field without a field block (those wrap)."""
    found = re.findall(r"\^FO(\d+),\d+\^A0N,(\d+),(\d+)\^FH\\\^FD(.*?)\^FS", zpl)
    return [(int(x), int(w), unescape_zpl(data)) for x, _h, w, data in found]


def unescape_zpl(data: str) -> str:
    raw = re.sub(rb"\\([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), data.encode())
    return raw.decode("utf-8")


@pytest.mark.parametrize("kind", sorted(LONG_ADDRESSES))
def test_a_long_address_is_all_on_the_zpl_label_and_within_its_edges(kind: str) -> None:
    address = LONG_ADDRESSES[kind]
    zpl = render_label_zpl(label("1Z999AA10123456784", ship_to=address))
    texts = zpl_texts(zpl)
    joined = squeezed("".join(text for _, _, text in texts))
    for line in address_lines(address):
        assert squeezed(line) in joined, line
    for x, width, text in texts:
        assert x + zpl_text_width(text, width) <= 812 - 30, text


def test_the_zpl_width_table_errs_on_the_wide_side() -> None:
    # Font 0 is condensed: a capital M is under 0.9 of the font width; we count more.
    assert zpl_text_width("M", 100) >= 90
    assert zpl_text_width("MMMMMMMMMM", 40) >= 10 * 36
    assert zpl_text_width("il", 40) < zpl_text_width("MW", 40)


def test_an_internal_label_says_so_on_the_pdf_and_the_zpl() -> None:
    notice = "INTERNAL LABEL - NOT VALID WITH ANY CARRIER"
    internal = label("WL12345678903", notice=notice)
    pdf = render_labels_pdf([internal])
    assert notice in pdf_text(pdf, layout=False)
    assert decode_pdf(pdf, dpi=150) == [[("CODE-128", "WL12345678903")]]
    assert notice in fields(render_label_zpl(internal))
    assert notice not in pdf_text(render_labels_pdf([label("WL12345678903")]))
