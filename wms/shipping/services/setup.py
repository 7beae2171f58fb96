"""Set-up the admins keep: box types and pack stations (the label printer's address)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from wms.auth import audit
from wms.base.errors import Conflict, InvalidInput, NotFound
from wms.base.i18n import N_, _
from wms.extensions import db
from wms.inventory.models import Location, LocationKind
from wms.inventory.queries import find_product
from wms.shipping.models import BoxType, PackStation

_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")
_HOST_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,198}[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:]+\]?$")


@dataclass(frozen=True)
class BoxForm:
    code: str
    name: str
    length_mm: str
    width_mm: str
    height_mm: str
    tare_g: str
    active: bool = True


# Each number of the forms: what is wrong with it, in whole sentences.
_NUMBERS = {
    "length": (
        N_("The length (mm) must be a whole number."),
        N_("The length (mm) must be between %(minimum)s and %(maximum)s."),
    ),
    "width": (
        N_("The width (mm) must be a whole number."),
        N_("The width (mm) must be between %(minimum)s and %(maximum)s."),
    ),
    "height": (
        N_("The height (mm) must be a whole number."),
        N_("The height (mm) must be between %(minimum)s and %(maximum)s."),
    ),
    "tare": (
        N_("The tare (g) must be a whole number."),
        N_("The tare (g) must be between %(minimum)s and %(maximum)s."),
    ),
    "port": (
        N_("The printer port must be a whole number."),
        N_("The printer port must be between %(minimum)s and %(maximum)s."),
    ),
}


def _whole(value: str, what: str, minimum: int, maximum: int) -> int:
    not_whole, out_of_range = _NUMBERS[what]
    try:
        number = int(value.strip())
    except ValueError:
        raise InvalidInput(_(not_whole)) from None
    if not minimum <= number <= maximum:
        raise InvalidInput(_(out_of_range, minimum=minimum, maximum=maximum))
    return number


def _box_values(form: BoxForm) -> dict[str, object]:
    code = form.code.strip().upper()
    if not _CODE_RE.match(code):
        raise InvalidInput(
            _(
                "A box code is up to 32 letters, digits, dots or dashes, like BOX-M, so it can be "
                "scanned."
            )
        )
    if not any(ch.isalpha() for ch in code):
        # At the pack station a bare number is the weight the scale typed.
        raise InvalidInput(
            _("A box code needs a letter, so %(code)s is never read as a weight.", code=code)
        )
    return {
        "code": code,
        "name": form.name.strip()[:100],
        "length_mm": _whole(form.length_mm, "length", 1, 3000),
        "width_mm": _whole(form.width_mm, "width", 1, 3000),
        "height_mm": _whole(form.height_mm, "height", 1, 3000),
        "tare_g": _whole(form.tare_g, "tare", 0, 20000),
        "active": form.active,
    }


def save_box(form: BoxForm, box_id: int | None, user_id: int | None) -> BoxType:
    """Create a box type, or change one; an audit row says who did what."""
    values = _box_values(form)
    clash = db.session.scalar(select(BoxType).where(BoxType.code == values["code"]))
    if clash is not None and clash.id != box_id:
        if clash.name:
            raise Conflict(
                _(
                    "Box code %(code)s is already used by %(name)s.",
                    code=values["code"],
                    name=clash.name,
                )
            )
        raise Conflict(_("Box code %(code)s is already used by a box.", code=values["code"]))
    if _is_location_code(str(values["code"])):
        raise Conflict(
            _("%(code)s is a location code; give the box another code.", code=values["code"])
        )
    if find_product(str(values["code"])) is not None:
        raise Conflict(
            _("%(code)s is a product code; give the box another code.", code=values["code"])
        )
    if box_id is None:
        box = BoxType(**values)
        db.session.add(box)
        db.session.flush()
        audit.record(user_id, "box_type.create", "box_type", box.id, **values)
        return box
    box = db.session.get(BoxType, box_id)
    if box is None:
        raise NotFound(_("There is no such box type."))
    changes = {k: v for k, v in values.items() if getattr(box, k) != v}
    for key, value in changes.items():
        setattr(box, key, value)
    db.session.flush()
    if changes:
        audit.record(user_id, "box_type.update", "box_type", box.id, **changes)
    return box


def _is_location_code(code: str) -> bool:
    return db.session.scalar(select(Location.id).where(Location.code == code)) is not None


# ------------------------------------------------------------------ pack stations


def save_station(
    code: str, printer_host: str, printer_port: str, active: bool, user_id: int | None
) -> PackStation:
    """Set the label printer of a packing location (host empty: no thermal printer)."""
    location = db.session.scalar(select(Location).where(Location.code == code.strip().upper()))
    if location is None or location.kind != LocationKind.PACKING:
        if code.strip():
            raise InvalidInput(_("%(code)s is not a packing location.", code=code.strip()))
        raise InvalidInput(_("That is not a packing location."))
    host = printer_host.strip()
    if host and not _HOST_RE.match(host):
        raise InvalidInput(
            _("The printer address is a host name or an IP address, like 10.0.4.21.")
        )
    port = _whole(printer_port or "9100", "port", 1, 65535)
    station = db.session.scalar(select(PackStation).where(PackStation.location_id == location.id))
    values = {"printer_host": host, "printer_port": port, "active": active}
    if station is None:
        station = PackStation(location_id=location.id, **values)
        db.session.add(station)
        db.session.flush()
        audit.record(
            user_id, "pack_station.create", "pack_station", station.id, code=location.code, **values
        )
        return station
    changes = {k: v for k, v in values.items() if getattr(station, k) != v}
    for key, value in changes.items():
        setattr(station, key, value)
    db.session.flush()
    if changes:
        audit.record(
            user_id,
            "pack_station.update",
            "pack_station",
            station.id,
            code=location.code,
            **changes,
        )
    return station
