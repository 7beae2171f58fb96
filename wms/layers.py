"""The layers of the house, bottom first: the one list ``tests/unit/test_layers.py``
checks every import against, and ``ARCHITECTURE.md`` draws.

A package (``wms/<name>/`` or a module ``wms/<name>.py``) may import packages of
the layers below its own, never one of its own layer or above. ``wms`` itself
(the app factory) stands on top of them all. Imports inside functions count.
"""

from __future__ import annotations

LAYERS: tuple[tuple[str, ...], ...] = (
    # Plain building blocks: time, errors, money, codes, printed numbers. No Flask, no session.
    ("base", "layers"),
    # The app's plumbing: settings, the Flask extensions, the reader's language.
    ("config", "extensions", "i18n"),
    # The session: engine tuning, locks, prebuilt statements, the unit of work's one early commit.
    ("database",),
    # What the rest stands on: products, places and stock rows; users and the audit
    # trail; documents drawn from plain data; the menus.
    ("inventory", "auth", "prints", "navigation"),
    # The world outside: the shops that sell the stock (channels, their tokens, their events,
    # their connectors) and the carriers that take it away (one interface, its adapters).
    ("channels", "carriers"),
    # The rules every area shares: reservations, the waiting queue, ledger, lanes.
    ("core",),
    # Areas that need no other area.
    ("orders", "receiving", "picking", "shipping", "stockcontrol"),
    # Areas built on those: inbounds and the dock board on receiving, returns on
    # receiving, shipping and orders; shop orders on orders.
    ("inbounds", "crossdock", "returns", "shops"),
    # Surfaces over several areas: the channel API, the desk, the floor's home, the
    # dashboard, set-up.
    ("api", "desk", "floor", "dashboard", "admin"),
    # Running the app: the request, the worker, the checks, the demo, every table.
    ("web", "worker", "invariants", "demo", "models", "gunicorn_conf"),
    # Commands, and the tools of development.
    ("cli", "devtools"),
)

ROOT = "wms"  # the app factory, above every layer


def layer_of(package: str) -> int | None:
    """The index of the package's layer (0 at the bottom); None when it has no place yet."""
    if package == ROOT:
        return len(LAYERS)
    for index, names in enumerate(LAYERS):
        if package in names:
            return index
    return None
