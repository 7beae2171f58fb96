"""Every table, imported in one place so migrations and the app see them all."""

from wms.auth.models import Role, User
from wms.core.models import AuditEvent, OutboxEvent, OutboxStatus, StagedUnits
from wms.floor.models import ScanReply
from wms.inbounds.models import Inbound, InboundKind, InboundLine, InboundStatus
from wms.inventory.models import (
    SELLABLE_KINDS,
    Barcode,
    BarcodeKind,
    Location,
    LocationKind,
    Movement,
    Product,
    ProductStock,
    Stock,
)
from wms.orders.models import Channel, LineKind, Order, OrderLine, OrderStatus, Priority
from wms.shipping.models import BoxType, LabelState, PackStation, Parcel, ParcelLine, ParcelStatus

__all__ = [
    "SELLABLE_KINDS",
    "AuditEvent",
    "Barcode",
    "BarcodeKind",
    "BoxType",
    "Channel",
    "Inbound",
    "InboundKind",
    "InboundLine",
    "InboundStatus",
    "LabelState",
    "LineKind",
    "Location",
    "LocationKind",
    "Movement",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OutboxEvent",
    "OutboxStatus",
    "PackStation",
    "Parcel",
    "ParcelLine",
    "ParcelStatus",
    "Priority",
    "Product",
    "ProductStock",
    "Role",
    "ScanReply",
    "StagedUnits",
    "Stock",
    "User",
]
