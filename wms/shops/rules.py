"""Pure decisions about a shop's order: which product each line is, at which service
level it ships, and how an order read from a platform is kept to be taken in later."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from wms.base.errors import FormProblems
from wms.base.i18n import N_, Joined, Text, _
from wms.channels.connectors import PlatformLine, PlatformOrder, PlatformRefused
from wms.channels.connectors.http import check_base_url
from wms.core.models import Priority

SERVICE_LEVELS = ("express", "priority", "standard", "economy")
SERVICE_LEVEL_LABELS = {
    "express": N_("express"),
    "priority": N_("priority"),
    "standard": N_("standard"),
    "economy": N_("economy"),
}
DEFAULT_SERVICE_LEVEL = "standard"
PRIORITY_OF = {
    "express": Priority.EXPEDITED,
    "priority": Priority.EXPEDITED,
    "standard": Priority.STANDARD,
    "economy": Priority.ECONOMY,
}

# What the caller knows of the channel's mapping: a product's SKU for a line's
# platform ids, for its platform SKU, or for the SKU as the warehouse spells it.
ByIds = Callable[[str, str], str | None]
BySku = Callable[[str], str | None]


@dataclass(frozen=True)
class MappedLines:
    lines: tuple[tuple[str, int], ...]  # (warehouse SKU, qty), in the platform's order
    unmapped: tuple[Text, ...]  # one sentence per line that maps to no product


def map_lines(lines: tuple[PlatformLine, ...], by_ids: ByIds, by_sku: BySku) -> MappedLines:
    """Each line's product: the channel's mapping of its ids first (the merchant said
    so), then of its SKU, then the warehouse's own product of that SKU."""
    mapped: list[tuple[str, int]] = []
    unmapped: list[str] = []
    for position, line in enumerate(lines, start=1):
        if line.qty <= 0:
            continue
        sku = None
        if line.product_id or line.variant_id:
            sku = by_ids(line.product_id, line.variant_id)
        if sku is None and line.sku:
            sku = by_sku(line.sku)
        if sku is None:
            unmapped.append(
                _("Line %(num)s (%(line)s) matches no product.", num=position, line=describe(line))
            )
        else:
            mapped.append((sku, line.qty))
    return MappedLines(tuple(mapped), tuple(unmapped))


def describe(line: PlatformLine) -> Text:
    """How the desk names a shop's line: its SKU, title and ids (each a labelled value)."""
    parts: list[Text | str] = [_("SKU %(sku)s", sku=line.sku) if line.sku else _("no SKU")]
    if line.title:
        parts.append(_("“%(title)s”", title=line.title))
    if line.product_id:
        parts.append(_("product %(id)s", id=line.product_id))
    if line.variant_id:
        parts.append(_("variant %(id)s", id=line.variant_id))
    return Joined(parts, ", ")


def service_level(code: str, title: str, table: Mapping[str, str]) -> str:
    """The level a shipping method ships at: by its code, else its title, else standard."""
    for key in (code, title):
        if key and key in table:
            return table[key]
    return DEFAULT_SERVICE_LEVEL


def needs_payment_first(order: PlatformOrder) -> bool:
    """Anything not paid yet waits for its payment before the parcel leaves: an
    authorisation is captured, a pending payment (bank transfer, on hold) arrives."""
    return order.payment != "paid"


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def to_data(order: PlatformOrder) -> dict[str, Any]:
    """An order read from a platform, as JSON to keep (and take in later from)."""
    # Field by field: every value is plain (text, numbers, a mapping of text), so
    # nothing needs the deep copy ``asdict`` makes, which cost more than the rest
    # of reading a webhook's order.
    data = {name: getattr(order, name) for name in _ORDER_FIELDS}
    data["lines"] = [{name: getattr(ln, name) for name in _LINE_FIELDS} for ln in order.lines]
    data["placed_at"] = order.placed_at.isoformat()
    data["total"] = None if order.total is None else str(order.total)
    data["ship_to"] = dict(order.ship_to)
    return data


_ORDER_FIELDS = tuple(f.name for f in fields(PlatformOrder))
_LINE_FIELDS = tuple(f.name for f in fields(PlatformLine))


def from_data(data: Mapping[str, Any]) -> PlatformOrder:
    values = dict(data)
    values["lines"] = tuple(PlatformLine(**line) for line in values["lines"])
    values["placed_at"] = datetime.fromisoformat(values["placed_at"])
    values["total"] = None if values.get("total") is None else Decimal(values["total"])
    return PlatformOrder(**values)


# ------------------------------------------------------------ connecting a shop


@dataclass(frozen=True)
class CredentialField:
    """One field of a platform's credentials as the desk's form asks for it."""

    name: str
    label: str
    secret: bool = False  # sealed, never shown again: the form says "set"
    required: bool = True
    hint: str = ""


CREDENTIAL_FIELDS: dict[str, tuple[CredentialField, ...]] = {
    "shopify": (
        CredentialField("shop_url", N_("Shop URL"), hint="https://your-shop.myshopify.com"),
        CredentialField("access_token", N_("Admin API access token"), secret=True),
        CredentialField(
            "client_secret", N_("Webhook signing secret (the app's API secret key)"), secret=True
        ),
        CredentialField(
            "location_id",
            N_("Location id"),
            hint=N_("Settings → Locations → the location: the number at the end of its address"),
        ),
        CredentialField("api_version", N_("API version"), required=False, hint="2026-07"),
    ),
    "woocommerce": (
        CredentialField("site_url", N_("Site URL"), hint="https://shop.example"),
        CredentialField("consumer_key", N_("REST API consumer key"), secret=True),
        CredentialField("consumer_secret", N_("REST API consumer secret"), secret=True),
        CredentialField(
            "webhook_secret", N_("Webhook secret (the same on each webhook)"), secret=True
        ),
    ),
    "prestashop": (
        CredentialField(
            "shop_url", N_("Shop URL"), hint=N_("https://shop.example (the webservice is /api)")
        ),
        CredentialField("webservice_key", N_("Webservice key"), secret=True),
        CredentialField("timezone", N_("Shop time zone"), required=False, hint="Europe/Paris"),
        CredentialField(
            "shipped_state", N_("Order state id for “Shipped”"), required=False, hint="4"
        ),
    ),
}
PLATFORM_NAMES = {"shopify": "Shopify", "woocommerce": "WooCommerce", "prestashop": "PrestaShop"}
# A shop order's state as the desk shows it (show it with ``_()``).
SHOP_ORDER_STATE_LABELS = {
    "accepted": N_("taken in"),
    "needs_attention": N_("needs attention"),
    "unreadable": N_("could not be read"),
    "refused": N_("refused"),
    "cancelled": N_("cancelled"),
    "cancelled_after_pick": N_("cancelled by the shop after picking began"),
    "ships_anyway": N_("ships despite the shop's cancel"),
}
# What the import did with each of the shop's items (show it with ``_()``).
IMPORT_OUTCOME_LABELS = {
    "matched": N_("mapped now"),
    "kept": N_("already mapped"),
    "unmatched": N_("no product has its SKU"),
    "duplicate": N_("SKU on several items"),
}
# The webhooks to create on the platform's side, by topic; PrestaShop is polled.
WEBHOOK_TOPICS: dict[str, tuple[str, ...]] = {
    "shopify": ("orders/create", "orders/updated", "orders/cancelled", "orders/paid"),
    "woocommerce": ("order.created", "order.updated"),
    "prestashop": (),
}


@dataclass(frozen=True)
class ShopForm:
    code: str
    name: str
    platform: str
    credentials: dict[str, str]


def read_shop_form(form: Mapping[str, str], platform: str, *, creating: bool) -> ShopForm:
    """The desk's form of a shop channel; every problem in one ``FormProblems``.

    When editing, a secret left blank keeps the one stored (it is never shown)."""
    problems: list[Text | str] = []
    if platform not in CREDENTIAL_FIELDS:
        names = ", ".join(PLATFORM_NAMES.values())
        raise FormProblems([_("Choose the shop's platform (%(names)s).", names=names)])
    code = (form.get("code") or "").strip().lower()
    name = (form.get("name") or "").strip()
    if creating and not code:
        problems.append(_("Give the shop a code (lower-case letters, digits, - or _)."))
    if creating and not name:
        problems.append(_("Give the shop a name."))
    credentials: dict[str, str] = {}
    for f in CREDENTIAL_FIELDS[platform]:
        value = (form.get(f.name) or "").strip()
        if value:
            credentials[f.name] = value
            if f.name in ("shop_url", "site_url"):
                try:
                    check_base_url(value, PLATFORM_NAMES[platform])
                except PlatformRefused as exc:
                    problems.append(exc.sentence)
        elif f.required and (creating or not f.secret):
            problems.append(_("%(field)s is required.", field=_(f.label)))
    if problems:
        raise FormProblems(problems)
    return ShopForm(code, name, platform, credentials)


def read_shipping_table(methods: list[str], levels: list[str]) -> dict[str, str]:
    """The shipping method → service level table from the desk's rows (a blank method
    drops its row); a level the warehouse does not know, or a method twice, is refused."""
    table: dict[str, str] = {}
    problems: list[Text | str] = []
    for method, level in zip(methods, levels, strict=False):
        method, level = method.strip(), level.strip()
        if not method:
            continue
        if level not in SERVICE_LEVELS:
            known = ", ".join(SERVICE_LEVELS)
            problems.append(
                _(
                    "%(method)s: %(level)s is not a service level (%(known)s).",
                    method=method,
                    level=level,
                    known=known,
                )
                if level
                else _(
                    "%(method)s: choose a service level (%(known)s).", method=method, known=known
                )
            )
        elif method in table:
            problems.append(_("%(method)s is listed twice.", method=method))
        elif len(method) > 100:
            problems.append(
                _("%(method)s…: a method is at most 100 characters.", method=method[:20])
            )
        else:
            table[method] = level
    if problems:
        raise FormProblems(problems)
    return table
