"""The sheets set-up prints: product labels, location labels and badges."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wms.admin import queries
from wms.auth.models import ROLE_LABELS
from wms.base.codes import short_code
from wms.base.errors import InvalidInput
from wms.base.i18n import _
from wms.inventory.models import BarcodeKind, Product
from wms.prints.sheets import (
    Badge,
    LocationLabel,
    ProductLabel,
    render_badges,
    render_location_labels,
    render_product_labels,
)

MAX_LABELS = 3000


def product_labels(ids: list[int], flt: queries.ProductFilter, page_size: str) -> bytes:
    """Labels for the products picked (``ids``), or for every product the filter finds."""
    found = _picked(ids, queries.products_with_ids, queries.search_products, flt)
    if not found:
        raise InvalidInput(_("No products to print."))
    labels = [ProductLabel(p.sku, p.name, _label_barcode(p), short_code("P", p.id)) for p in found]
    return render_product_labels(labels, page_size)


def _picked(
    ids: list[int], with_ids: Callable[..., Any], search: Callable[..., Any], flt: Any
) -> Any:
    """What was picked by id, or else everything the list's filter finds."""
    return with_ids(ids) if ids else search(flt, 1, per_page=MAX_LABELS).items


def _label_barcode(product: Product) -> str:
    """The barcode on a unit: its EAN-13 or UPC if it has one, else its first single-unit code."""
    singles = [b for b in product.barcodes if b.units == 1]
    for kind in (BarcodeKind.EAN13, BarcodeKind.UPC):
        for b in singles:
            if b.kind == kind:
                return b.code
    return singles[0].code if singles else ""


def location_labels(ids: list[int], flt: queries.LocationFilter, page_size: str) -> bytes:
    """Labels for the locations picked (``ids``), or for every location the filter finds."""
    found = _picked(ids, queries.locations_with_ids, queries.search_locations, flt)
    if not found:
        raise InvalidInput(_("No locations to print."))
    labels = [
        LocationLabel(loc.code, loc.name, str(_(loc.kind_label)), short_code("L", loc.id))
        for loc in found
    ]
    return render_location_labels(labels, page_size)


def badges(ids: list[int], page_size: str) -> bytes:
    """Badges (Code128 of the badge code) for the users picked who have a badge code."""
    found = [u for u in queries.users_with_ids(ids) if u.badge_code]
    if not found:
        raise InvalidInput(_("Pick users who have a badge code."))
    return render_badges(
        [
            Badge(u.display_name, str(_(ROLE_LABELS[u.role])).capitalize(), u.badge_code or "")
            for u in found
        ],
        page_size,
    )
