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
from wms.picking.models import PickShortage, PickTask, Wave, WaveOrder

__all__ = [
    "SELLABLE_KINDS",
    "AuditEvent",
    "Barcode",
    "BarcodeKind",
    "Channel",
    "Inbound",
    "InboundKind",
    "InboundLine",
    "InboundStatus",
    "LineKind",
    "Location",
    "LocationKind",
    "Movement",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OutboxEvent",
    "OutboxStatus",
    "PickShortage",
    "PickTask",
    "Priority",
    "Product",
    "ProductStock",
    "Role",
    "ScanReply",
    "StagedUnits",
    "Stock",
    "User",
    "Wave",
    "WaveOrder",
]
