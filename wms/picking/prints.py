"""What the picking area prints: pick lists of waves, and label sheets for the floor.

The renderers live in ``wms.prints``; this module gathers their plain input
from the database.
"""

from __future__ import annotations

from sqlalchemy import func, select

from wms.auth.models import User
from wms.base.codes import short_code
from wms.base.errors import InvalidInput, NotFound
from wms.base.i18n import Text, _, n_
from wms.base.numbers import order_number, wave_code
from wms.extensions import db
from wms.i18n import format_number
from wms.inventory.models import Barcode, BarcodeKind, Location, Product
from wms.picking.models import PickTask, TaskStatus, Wave, WaveOrder
from wms.picking.queries import overview
from wms.prints.barcodes import page_size as check_page_size
from wms.prints.picklist import PickListLine, render_pick_list
from wms.prints.sheets import (
    LocationLabel,
    ProductLabel,
    render_command_sheet,
    render_location_labels,
    render_product_labels,
)

MAX_LABELS = 2000
tasks_t = PickTask.__table__
wave_orders_t = WaveOrder.__table__


def page_size(value: str | None) -> str:
    """``A4`` (default) or ``Letter``; anything else is refused in a sentence."""
    value = (value or "A4").strip()
    try:
        check_page_size(value)
    except ValueError:
        raise InvalidInput(_("Paper is A4 or Letter.")) from None
    return "Letter" if value.upper() == "LETTER" else "A4"


def _ean13_by_product(product_ids: set[int]) -> dict[int, str]:
    if not product_ids:
        return {}
    return dict(
        db.session.execute(
            select(Barcode.product_id, func.min(Barcode.code))
            .where(Barcode.product_id.in_(product_ids), Barcode.kind == BarcodeKind.EAN13)
            .group_by(Barcode.product_id)
        ).all()
    )


def pick_list_lines(wave_id: int) -> list[PickListLine]:
    """Every task of the wave still to pick or picked (not the cancelled ones)."""
    rows = [r for r in overview.task_rows(wave_id) if r.status != TaskStatus.CANCELLED]
    eans = _ean13_by_product({r.product_id for r in rows})
    return [
        PickListLine(
            bin_code=r.bin_code,
            walk_seq=r.walk_seq,
            sku=r.sku,
            product_name=r.name,
            product_barcode=eans.get(r.product_id, ""),
            qty=r.qty,
            order_number=order_number(r.order_id),
            tote=r.tote_code or "",
            bin_short=short_code("L", r.bin_id),
            product_short=short_code("P", r.product_id),
        )
        for r in rows
    ]


def pick_list_pdf(wave_id: int, size: str | None = None) -> tuple[str, bytes]:
    """(file name, PDF) of a wave's pick list."""
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        raise NotFound(_("There is no wave %(wave)s.", wave=wave_code(wave_id)))
    picker = db.session.get(User, wave.picker_id) if wave.picker_id else None
    pdf = render_pick_list(
        wave.code,
        pick_list_lines(wave.id),
        page_size(size),
        created_at=wave.created_at,
        picker=picker.display_name if picker else "",
    )
    return f"pick-list-{wave.code}.pdf", pdf


def too_many_labels() -> Text:
    return _("Print at most %(num)s labels at once.", num=format_number(MAX_LABELS))


def split_codes(text: str) -> list[str]:
    """Codes typed or pasted with commas, spaces or new lines; duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for part in text.replace(",", " ").split():
        seen.setdefault(part.strip(), None)
    return [c for c in seen if c]


def location_labels_pdf(zone: str = "", codes: str = "", size: str | None = None) -> bytes:
    """Labels for the bins of a zone (walking order), or for the locations named."""
    wanted = [c.upper() for c in split_codes(codes)]
    if wanted:
        found = {
            loc.code: loc
            for loc in db.session.scalars(select(Location).where(Location.code.in_(wanted)))
        }
        unknown = [c for c in wanted if c not in found]
        if unknown:
            raise InvalidInput(
                n_(
                    "No location has the code %(codes)s.",
                    "No location has the codes %(codes)s.",
                    len(unknown),
                    codes=", ".join(unknown),
                )
            )
        locations = [found[c] for c in wanted]
    elif zone.strip():
        locations = list(
            db.session.scalars(
                select(Location)
                .where(Location.zone == zone.strip().upper(), Location.active.is_(True))
                .order_by(Location.walk_seq, Location.code)
            )
        )
        if not locations:
            raise InvalidInput(_("Zone %(zone)s has no locations.", zone=zone.strip().upper()))
    else:
        raise InvalidInput(_("Name a zone, or the location codes to print."))
    if len(locations) > MAX_LABELS:
        raise InvalidInput(too_many_labels())
    labels = [
        LocationLabel(
            code=loc.code,
            name=loc.name or (str(_("Zone %(zone)s", zone=loc.zone)) if loc.zone else ""),
            kind=str(_(loc.kind_label)),
            short=short_code("L", loc.id),
        )
        for loc in locations
    ]
    return render_location_labels(labels, page_size(size))


def product_labels_pdf(skus: str, copies: int = 1, size: str | None = None) -> bytes:
    """Labels for the products named by SKU (or barcode), ``copies`` of each."""
    wanted = split_codes(skus)
    if not wanted:
        raise InvalidInput(_("Name the SKUs to print."))
    if not 1 <= copies <= 100:
        raise InvalidInput(_("Print 1 to 100 copies of each label."))
    if len(wanted) * copies > MAX_LABELS:
        raise InvalidInput(too_many_labels())
    products = {
        p.sku: p for p in db.session.scalars(select(Product).where(Product.sku.in_(wanted)))
    }
    unknown = [s for s in wanted if s not in products]
    if unknown:
        raise InvalidInput(
            n_(
                "No product has the SKU %(skus)s.",
                "No product has the SKUs %(skus)s.",
                len(unknown),
                skus=", ".join(unknown),
            )
        )
    eans = _ean13_by_product({p.id for p in products.values()})
    labels = [
        ProductLabel(
            sku=p.sku, name=p.name, barcode=eans.get(p.id, ""), short=short_code("P", p.id)
        )
        for p in (products[s] for s in wanted)
        for _copy in range(copies)
    ]
    return render_product_labels(labels, page_size(size))


def command_sheet_pdf(size: str | None = None) -> bytes:
    return render_command_sheet(page_size(size))
