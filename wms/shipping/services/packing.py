"""The pack station: what each scan means, and what the packer sees next.

One scan field does it all, as on every floor screen. What is scanned says
what to do: a staging lane, tote or order number opens the order; an item is
verified into the parcel; a box code chooses the box; a number is the weight
the scale typed; the label's tracking number (or DONE) ships the parcel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wms.base.codes import command_of
from wms.base.errors import Conflict, InvalidInput, UnknownCode
from wms.base.i18n import N_, Joined, Text, _, n_
from wms.base.numbers import order_id_from_number
from wms.carriers import Rate
from wms.core.models import Order
from wms.core.recognise import recognise
from wms.extensions import db
from wms.inventory.models import Location, LocationKind
from wms.inventory.queries import find_location, find_product
from wms.shipping import queries
from wms.shipping.models import LabelState, PackStation, Parcel, ParcelStatus
from wms.shipping.rules import format_grams, looks_like_weight, parse_weight
from wms.shipping.services import labels, parcels, purchases, shipments


@dataclass
class PackView:
    """Everything the pack screen shows after a scan."""

    station: Location
    settings: PackStation | None
    # start | choose | verify | box | weigh | payment | rates | unconfirmed | label | shipped
    step: str
    message: Text | str = ""
    tone: str = "info"  # ok | info | error
    parcel: Parcel | None = None
    order: Order | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)
    place: Location | None = None
    orders: list[queries.OrderInPlace] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    expected_weight_g: int | None = None
    redirect: str = ""  # another station's code: the screen moves there
    currency: str = ""  # the warehouse's: rates in it are compared, the others only listed
    waiting: Text | str = ""  # while the carrier's record of a purchase is awaited: what to do

    @property
    def left(self) -> int:
        return sum(line["qty"] - line["verified"] for line in self.lines)

    @property
    def chosen_rate(self) -> Rate | None:
        wanted = self.parcel.rate_id if self.parcel else ""
        return next((r for r in self.rates if r.rate_id == wanted), None)

    def grams(self, value: int | None) -> str:
        return format_grams(value) if value else ""


# A place that holds no orders to pack, each sentence whole (other languages agree
# their words with the kind of place).
_NOT_PACKED_FROM = {
    LocationKind.BIN: N_("%(code)s is a bin; scan a staging lane, tote or order number."),
    LocationKind.RECEIVING: N_(
        "%(code)s is a receiving area; scan a staging lane, tote or order number."
    ),
    LocationKind.SHIPPING_DOCK: N_(
        "%(code)s is a shipping dock; scan a staging lane, tote or order number."
    ),
    LocationKind.RETURNS: N_(
        "%(code)s is a returns bench; scan a staging lane, tote or order number."
    ),
    LocationKind.QUARANTINE: N_(
        "%(code)s is a quarantine; scan a staging lane, tote or order number."
    ),
    LocationKind.REWORK: N_(
        "%(code)s is a rework area; scan a staging lane, tote or order number."
    ),
    LocationKind.EXCEPTIONS: N_(
        "%(code)s holds exceptions; scan a staging lane, tote or order number."
    ),
    "": N_("%(code)s holds no orders to pack; scan a staging lane, tote or order number."),
}


def choose_station(code: str) -> Location:
    word = command_of(code)
    if word:
        raise InvalidInput(
            _("Scan your pack station's code (like PACK-1), not %(command)s.", command=word)
        )
    try:
        return queries.require_station(code)
    except UnknownCode:
        seen = recognise(code)
        if seen.known:
            raise seen.refusal(_("scan your pack station's code (like PACK-1)")) from None
        raise


def default_station() -> Location | None:
    """The one pack station, when there is only one."""
    stations = queries.active_stations()
    return stations[0] if len(stations) == 1 else None


def station_view(station_code: str, user_id: int) -> PackView:
    station = queries.require_station(station_code)
    parcel = queries.current_parcel(station.id, user_id)
    if parcel is None:
        return _start(station, "")
    if queries.stopped_by_shop(parcel.order_id):
        stopped = _("The shop cancelled this order: give the parcel to a supervisor.")
        return _parcel_view(station, parcel, stopped, tone="error")
    return _parcel_view(station, parcel, "")


def scan_at_station(station_code: str, code: str, user_id: int, call: labels.CallOut) -> PackView:
    """Act on one scan at the station and say what comes next."""
    station = queries.require_station(station_code)
    code = code.strip()
    if not code:
        raise InvalidInput(_("Scan or type a code."))
    parcel = queries.current_parcel(station.id, user_id)
    if parcel is not None and queries.stopped_by_shop(parcel.order_id):
        # Nothing more goes into, onto or out with this parcel; another can be opened.
        if find_location(code) is None and order_id_from_number(code) is None:
            parcels.refuse_if_stopped(parcel.order_id)
        parcel = None
    word = command_of(code)
    if word:
        return _command(word, station, parcel, user_id, call)
    verifying = parcel is not None and parcel.status == ParcelStatus.OPEN
    if verifying:
        # Most scans while a parcel is open are its items: look for a product first.
        found = find_product(code)
        if found is not None:
            return _verify(station, parcel, found)  # type: ignore[arg-type]
    box = queries.find_box(code)
    if box is not None:
        if parcel is None:
            raise Conflict(_("Scan a lane, tote or order number first, then the box."))
        parcels.set_box(parcel, box)
        return _parcel_view(
            station,
            parcel,
            _("Box %(box)s: %(what)s.", box=box.code, what=box.name or box.dimensions),
        )
    if parcel is not None and looks_like_weight(code):
        return _weigh(station, parcel, parse_weight(code), call)
    return _open_or_ship(station, parcel, code, user_id, call, products_tried=verifying)


def _open_or_ship(
    station: Location,
    parcel: Parcel | None,
    code: str,
    user_id: int,
    call: labels.CallOut,
    products_tried: bool,
) -> PackView:
    location = find_location(code)
    if location is not None:
        return _open_place(station, location, user_id, call)
    order_id = order_id_from_number(code)
    if order_id is not None:
        return _resume(station, parcels.open_parcel(order_id, station, user_id), "", call)
    labelled = queries.parcel_by_tracking(code)
    if labelled is not None:
        return _ship(station, labelled, user_id)
    found = None if products_tried else find_product(code)
    if found is not None:
        if parcel is None:
            raise Conflict(_("Scan a lane, tote or order number first, then its items."))
        return _verify(station, parcel, found)
    seen = recognise(code)
    if seen.known:
        hint = (
            _("scan a lane, tote or order number")
            if parcel is None
            else _("scan an item of the order, the box, or the weight")
        )
        raise seen.refusal(hint)
    raise UnknownCode(
        code, _("No product, box, lane, tote or order has the code %(code)s.", code=code)
    )


def _verify(station: Location, parcel: Parcel, found: Any) -> PackView:
    line = parcels.verify_item(parcel, found.product, found.units, station)
    return _parcel_view(
        station,
        parcel,
        _("✓ %(sku)s (%(done)s of %(qty)s)", sku=line.sku, done=line.qty_verified, qty=line.qty),
    )


def buy_with_rate(station_code: str, rate_id: str, user_id: int, call: labels.CallOut) -> PackView:
    """The packer picked another rate than the one preselected: buy with it."""
    station = queries.require_station(station_code)
    parcel = queries.current_parcel(station.id, user_id)
    if parcel is None:
        raise Conflict(_("There is no parcel open at this station."))
    parcels.refuse_if_stopped(parcel.order_id)
    return _buy(station, parcel, call, rate_id)


def _start(station: Location, message: Text | str, tone: str = "info") -> PackView:
    return PackView(
        station, queries.station_settings(station.id), "start", message=message, tone=tone
    )


def _open_place(station: Location, place: Location, user_id: int, call: labels.CallOut) -> PackView:
    if place.kind == LocationKind.PACKING:
        if place.id == station.id:
            return station_view(station.code, user_id)
        view = _start(place, _("Now packing at %(station)s.", station=place.code))
        view.redirect = place.code
        return view
    if place.kind not in queries.PACK_FROM_KINDS:
        sentence = _NOT_PACKED_FROM.get(place.kind, _NOT_PACKED_FROM[""])
        raise InvalidInput(_(sentence, code=place.code))
    found = queries.orders_in_place(place.id)
    if not found:
        raise Conflict(_("%(code)s holds no units for orders.", code=place.code))
    if len(found) == 1:
        # One order here (a tote, usually): open it, or say why it cannot be packed yet.
        opened = parcels.open_parcel(found[0].order_id, station, user_id)
        return _resume(
            station, opened, _("%(code)s: %(order)s.", code=place.code, order=found[0].number), call
        )
    view = _start(
        station,
        n_(
            "%(code)s holds %(num)s order: scan the one to pack.",
            "%(code)s holds %(num)s orders: scan the one to pack.",
            len(found),
            code=place.code,
        ),
    )
    view.step, view.place, view.orders = "choose", place, found
    return view


def _resume(
    station: Location, parcel: Parcel, message: Text | str, call: labels.CallOut
) -> PackView:
    """A packed parcel taken up again (its payment came, say) gets its rates at once."""
    if parcel.status == ParcelStatus.PACKED and not parcel.rates and parcel.weight_g:
        order = db.session.get(Order, parcel.order_id)
        assert order is not None
        if queries.payment_ok(order):
            note = labels.quote_rates(parcel, order, call)
            parcel = db.session.get(Parcel, parcel.id)  # type: ignore[assignment]
            message = note or message
    return _parcel_view(station, parcel, message)


def _weigh(station: Location, parcel: Parcel, grams: int, call: labels.CallOut) -> PackView:
    parcels.set_weight(parcel, grams)
    order = db.session.get(Order, parcel.order_id)
    assert order is not None
    if not queries.payment_ok(order):
        return _parcel_view(station, parcel, _packed(grams))
    note = labels.quote_rates(parcel, order, call)
    parcel = db.session.get(Parcel, parcel.id)  # type: ignore[assignment]
    return _parcel_view(station, parcel, note or _packed(grams))


def _packed(grams: int) -> Text:
    return _("%(weight)s, packed.", weight=format_grams(grams))


def _buy(station: Location, parcel: Parcel, call: labels.CallOut, rate_id: str = "") -> PackView:
    order = db.session.get(Order, parcel.order_id)
    assert order is not None
    if not parcel.rates and parcel.status == ParcelStatus.PACKED:
        parcels.release_payment_hold(order)
        parcels.require_payment(order)
        note = labels.quote_rates(parcel, order, call)
        parcel = db.session.get(Parcel, parcel.id)  # type: ignore[assignment]
        return _parcel_view(station, parcel, note or _("Rates are in: scan DONE to buy the label."))
    parcel = labels.buy_label(parcel, order, call, rate_id)
    message: list[Text | str] = [
        _(
            "Label %(tracking)s bought: %(carrier)s %(service)s.",
            tracking=parcel.tracking_number,
            carrier=parcel.carrier,
            service=parcel.service,
        )
    ]
    settings = queries.station_settings(station.id)
    if settings is not None and settings.has_printer:
        try:
            where = labels.print_label(parcel, order.number, call)
            message.append(_("Printed on %(printer)s.", printer=where))
        except labels.PrinterDown as exc:
            message.append(exc.message)
        parcel = db.session.get(Parcel, parcel.id)  # type: ignore[assignment]
    return _parcel_view(station, parcel, Joined(message), tone="ok")


def _ship(station: Location, parcel: Parcel, user_id: int) -> PackView:
    parcel = queries.get_parcel(parcel.id, lock=True)
    parcels.refuse_if_stopped(parcel.order_id)
    if parcel.status == ParcelStatus.SHIPPED:
        raise Conflict(
            _("The parcel %(tracking)s has already shipped.", tracking=parcel.tracking_number)
        )
    order = shipments.ship_parcel(parcel, user_id)
    shipped = _(
        "Shipped %(order)s with %(carrier)s %(tracking)s.",
        order=order.number,
        carrier=parcel.carrier,
        tracking=parcel.tracking_number,
    )
    if order.status != "shipped":
        shipped = Joined([shipped, _("The rest stays backordered.")])
    return _start(station, shipped, tone="ok")


def _command(
    word: str, station: Location, parcel: Parcel | None, user_id: int, call: labels.CallOut
) -> PackView:
    if word == "DONE":
        if parcel is None:
            raise Conflict(_("There is nothing to finish: scan a lane, tote or order number."))
        return _done(station, parcel, user_id, call)
    if word == "PRINT":
        if parcel is None or parcel.label_state != LabelState.BOUGHT:
            raise Conflict(_("There is no label to print yet."))
        order = db.session.get(Order, parcel.order_id)
        assert order is not None
        where = labels.print_label(parcel, order.number, call)
        parcel = db.session.get(Parcel, parcel.id)  # type: ignore[assignment]
        return _parcel_view(
            station,
            parcel,
            _("Label sent to the printer at %(printer)s.", printer=where),
            tone="ok",
        )
    if word == "SHORT":
        raise InvalidInput(_("An item is missing: put the parcel aside and call a supervisor."))
    raise InvalidInput(_("%(command)s is not used at the pack station.", command=word))


def _done(station: Location, parcel: Parcel, user_id: int, call: labels.CallOut) -> PackView:
    view = _parcel_view(station, parcel, "")
    if view.step == "verify":
        raise Conflict(
            n_(
                "%(num)s item still to scan into the box.",
                "%(num)s items still to scan into the box.",
                view.left,
            )
        )
    if view.step == "box":
        raise Conflict(_("Scan the box first."))
    if view.step == "weigh":
        raise Conflict(_("Weigh the parcel first."))
    if view.step == "payment":
        assert view.order is not None
        parcels.require_payment(view.order)
    if view.step == "label":
        return _ship(station, parcel, user_id)
    return _buy(station, parcel, call)


def _parcel_view(
    station: Location, parcel: Parcel, message: Text | str, tone: str = "ok"
) -> PackView:
    order = db.session.get(Order, parcel.order_id)
    assert order is not None
    lines = queries.line_rows(parcel)
    left = sum(line["qty"] - line["verified"] for line in lines)
    step = _step(parcel, order, left)
    packed = [line for line in lines if line["qty"]]
    expected = None
    if step == "weigh" and parcel.box_type and all(line["weight_g"] for line in packed):
        expected = parcel.box_type.tare_g + sum(ln["weight_g"] * ln["qty"] for ln in packed)
    return PackView(
        station,
        queries.station_settings(station.id),
        step,
        message=message,
        tone=tone if message else "info",
        parcel=parcel,
        order=order,
        lines=lines,
        rates=labels.rates_of(parcel),
        expected_weight_g=expected,
        currency=labels.warehouse_currency(),
        waiting=purchases.unconfirmed_sentence(parcel, order.number)
        if step == "unconfirmed"
        else "",
    )


def _step(parcel: Parcel, order: Order, left: int) -> str:
    if parcel.status == ParcelStatus.SHIPPED:
        return "shipped"
    if parcel.label_state == LabelState.BOUGHT:
        return "label"
    if parcel.carrier_code not in labels.REPEATABLE_CARRIERS and purchases.unknown(parcel):
        return "unconfirmed"
    if left:
        return "verify"
    if parcel.box_type_id is None:
        return "box"
    if parcel.weight_g is None:
        return "weigh"
    if not queries.payment_ok(order):
        return "payment"
    return "rates"
