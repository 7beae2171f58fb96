"""Every table, imported in one place so migrations and the app see them all."""

from wms.admin.models import ImportJob, ImportKind, ImportRowError, JobStatus
from wms.auth.models import Role, SignInFailure, User
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
from wms.picking.models import PickShortage, PickTask, Wave, WaveOrder
from wms.receiving.models import Destination, DockUnit, DockUnitStatus, ReceivingSession
from wms.returns.models import (
    ReturnAuthorisation,
    ReturnItem,
    ReturnLine,
    ReturnSession,
)
from wms.shipping.models import BoxType, LabelState, PackStation, Parcel, ParcelLine, ParcelStatus
from wms.stockcontrol.models import (
    Adjustment,
    AdjustmentKind,
    CountEntry,
    CountLine,
    CountTask,
    LineStatus,
    TaskSource,
    TaskStatus,
)

__all__ = [
    "SELLABLE_KINDS",
    "Adjustment",
    "AdjustmentKind",
    "Alert",
    "AlertRule",
    "AuditEvent",
    "Barcode",
    "BarcodeKind",
    "BoxType",
    "Channel",
    "CountEntry",
    "CountLine",
    "CountTask",
    "Destination",
    "DockUnit",
    "DockUnitStatus",
    "ImportJob",
    "ImportKind",
    "ImportRowError",
    "Inbound",
    "InboundKind",
    "InboundLine",
    "InboundStatus",
    "JobStatus",
    "LabelState",
    "LaneAssignment",
    "LaneOccupancy",
    "LineKind",
    "LineStatus",
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
    "PickShortage",
    "PickTask",
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
    "SignInFailure",
    "StagedUnits",
    "Stock",
    "TaskSource",
    "TaskStatus",
    "User",
    "Wave",
    "WaveOrder",
]
