"""Every table, imported in one place so migrations and the app see them all."""

from wms.auth.models import Role, User
from wms.core.models import AuditEvent, OutboxEvent, OutboxStatus, StagedUnits
from wms.crossdock.models import LaneAssignment, LaneOccupancy
from wms.dashboard.models import Alert, AlertRule
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
from wms.receiving.models import Destination, DockUnit, DockUnitStatus, ReceivingSession

__all__ = [
    "SELLABLE_KINDS",
    "Alert",
    "AlertRule",
    "AuditEvent",
    "Barcode",
    "BarcodeKind",
    "Channel",
    "Destination",
    "DockUnit",
    "DockUnitStatus",
    "Inbound",
    "InboundKind",
    "InboundLine",
    "InboundStatus",
    "LaneAssignment",
    "LaneOccupancy",
    "LineKind",
    "Location",
    "LocationKind",
    "Movement",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OutboxEvent",
    "OutboxStatus",
    "Priority",
    "Product",
    "ProductStock",
    "ReceivingSession",
    "Role",
    "ScanReply",
    "StagedUnits",
    "Stock",
    "User",
]
