"""Menus by role. An entry shows only once its screen exists and the user may use it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, current_app, redirect, url_for

from wms.base.i18n import N_
from wms.extensions import htmx


@dataclass(frozen=True)
class MenuEntry:
    """A menu's line. ``label`` and ``hint`` are marked with ``N_``: shown with ``_()``."""

    label: str
    endpoint: str
    role: str
    hint: str = ""
    command: str = ""  # the command barcode that opens it from any floor screen


FLOOR_MENU: tuple[MenuEntry, ...] = (
    MenuEntry(
        N_("Scan anything"), "floor.scan_anything", "operator", N_("Product, bin, order"), "LOOKUP"
    ),
    MenuEntry(N_("Receive"), "receiving.start", "operator", N_("Inbound units"), "RECEIVE"),
    MenuEntry(
        N_("Put away"), "receiving.putaway_screen", "operator", N_("Dock, tote, lane"), "PUTAWAY"
    ),
    MenuEntry(N_("Dock board"), "crossdock.board", "operator", N_("Lanes and orders"), "BOARD"),
    MenuEntry(N_("Pick"), "picking.get_work", "operator", N_("Next wave"), "PICK"),
    MenuEntry(N_("Pack"), "shipping.pack_start", "operator", N_("Lane, tote, order"), "PACK"),
    MenuEntry(
        N_("Returns"), "returns.receive_start", "operator", N_("RMA, order, tracking"), "RETURNS"
    ),
    MenuEntry(N_("Count"), "stockcontrol.count_start", "operator", N_("Cycle counts"), "COUNT"),
)

DESK_MENU: tuple[MenuEntry, ...] = (
    MenuEntry(N_("Dashboard"), "dashboard.index", "supervisor"),
    MenuEntry(N_("Dock board"), "crossdock.board", "supervisor"),
    MenuEntry(N_("Inbounds"), "inbounds.index", "supervisor"),
    MenuEntry(N_("Waves"), "picking.waves", "supervisor"),
    MenuEntry(N_("Returns"), "returns.index", "supervisor"),
    MenuEntry(N_("Counts"), "stockcontrol.counts", "supervisor"),
    MenuEntry(N_("Backorders"), "desk.backorders", "supervisor"),
    MenuEntry(N_("Shop orders"), "shops.waiting", "supervisor"),
    MenuEntry(N_("Shops"), "shop_channels.index", "supervisor"),
    MenuEntry(N_("Manifests"), "shipping.manifests", "supervisor"),
    MenuEntry(N_("Unconfirmed labels"), "shipping.unconfirmed_labels", "supervisor"),
    MenuEntry(N_("Packing set-up"), "shipping.setup_page", "admin"),
    MenuEntry(N_("Outbox"), "desk.outbox", "admin"),
    MenuEntry(N_("Admin"), "admin.index", "admin"),
)


def screen_url(word: str, user: object) -> str | None:
    """Where a screen's command barcode (RECEIVE, PICK, MENU...) takes ``user``; None
    for a word that opens no screen they may use. LOGOUT is not a screen."""
    if word == "MENU":
        return url_for("floor.home", floor=1)
    for entry, url in menu_for(user, "floor"):
        if entry.command == word:
            return url
    return None


def menu_for(user: object, section: str = "floor") -> list[tuple[MenuEntry, str]]:
    """(entry, url) pairs the user may open, in menu order."""
    entries = FLOOR_MENU if section == "floor" else DESK_MENU
    views = current_app.view_functions
    return [
        (entry, url_for(entry.endpoint))
        for entry in entries
        if entry.endpoint in views and user.has_role(entry.role)  # type: ignore[attr-defined]
    ]


def go_to(url: str) -> Response:
    """To another page: an htmx request follows HX-Redirect (an empty answer), a plain
    form the redirect."""
    if htmx:
        response = Response(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)  # type: ignore[return-value]
