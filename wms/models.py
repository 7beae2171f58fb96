"""Every table, imported in one place so migrations and the app see them all."""

from wms.auth.models import Role, User
from wms.core.models import AuditEvent, OutboxEvent, OutboxStatus, StagedUnits
from wms.crossdock.models import LaneAssignment, LaneOccupancy
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
from wms.returns.models import (
    ReturnAuthorisation,
    ReturnItem,
    ReturnLine,
    ReturnSession,
)

__all__ = [
    "SELLABLE_KINDS",
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
    "ReturnAuthorisation",
    "ReturnItem",
    "ReturnLine",
    "ReturnSession",
    "Role",
    "ScanReply",
    "StagedUnits",
    "Stock",
    "User",
]
