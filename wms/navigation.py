"""Menus by role. An entry shows only once its screen exists and the user may use it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for


@dataclass(frozen=True)
class MenuEntry:
    label: str
    endpoint: str
    role: str
    hint: str = ""
    command: str = ""  # the command barcode that opens it from any floor screen


FLOOR_MENU: tuple[MenuEntry, ...] = (
    MenuEntry("Scan anything", "floor.scan_anything", "operator", "Product, bin, order", "LOOKUP"),
    MenuEntry("Receive", "receiving.start", "operator", "Inbound units", "RECEIVE"),
    MenuEntry("Put away", "receiving.putaway_screen", "operator", "Dock, tote, lane", "PUTAWAY"),
    MenuEntry("Dock board", "crossdock.board", "operator", "Lanes and orders", "BOARD"),
    MenuEntry("Pick", "picking.get_work", "operator", "Next wave", "PICK"),
    MenuEntry("Pack", "shipping.pack_start", "operator", "Lane, tote, order", "PACK"),
    MenuEntry("Returns", "returns.receive_start", "operator", "RMA, order, tracking", "RETURNS"),
    MenuEntry("Count", "stockcontrol.count_start", "operator", "Cycle counts", "COUNT"),
)

DESK_MENU: tuple[MenuEntry, ...] = (
    MenuEntry("Dashboard", "dashboard.index", "supervisor"),
    MenuEntry("Dock board", "crossdock.board", "supervisor"),
    MenuEntry("Inbounds", "inbounds.index", "supervisor"),
    MenuEntry("Waves", "picking.waves", "supervisor"),
    MenuEntry("Returns", "returns.index", "supervisor"),
    MenuEntry("Counts", "stockcontrol.counts", "supervisor"),
    MenuEntry("Backorders", "desk.backorders", "supervisor"),
    MenuEntry("Shop orders", "shops.waiting", "supervisor"),
    MenuEntry("Shops", "shop_channels.index", "supervisor"),
    MenuEntry("Manifests", "shipping.manifests", "supervisor"),
    MenuEntry("Unconfirmed labels", "shipping.unconfirmed_labels", "supervisor"),
    MenuEntry("Packing set-up", "shipping.setup_page", "admin"),
    MenuEntry("Outbox", "desk.outbox", "admin"),
    MenuEntry("Admin", "admin.index", "admin"),
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
