"""What the receiving and inbound screens show follows from the rows' state alone."""

from __future__ import annotations

from wms.core.models import Inbound, InboundStatus
from wms.crossdock.queries import LaneOrder, LaneView
from wms.inventory.models import LocationKind
from wms.receiving.models import Destination


def test_an_inbound_is_open_until_it_is_closed_or_cancelled() -> None:
    assert {status: Inbound(status=status).is_open for status in InboundStatus} == {
        InboundStatus.OPEN: True,
        InboundStatus.RECEIVING: True,
        InboundStatus.CLOSED: False,
        InboundStatus.CANCELLED: False,
    }


def test_each_destination_has_its_card_title_colour_and_sign() -> None:
    shown = {d: (d.word, d.css, d.label("X1")) for d in Destination}
    assert shown == {
        Destination.CROSS_DOCK: ("Cross-dock", "dest-crossdock", "LANE X1"),
        Destination.HOLD: ("Preorder hold", "dest-hold", "HOLD X1"),
        Destination.PUTAWAY: ("Put away", "dest-putaway", "BIN X1"),
        Destination.QUARANTINE: ("Quarantine", "dest-quarantine", "QUARANTINE X1"),
    }


def test_the_dock_board_signs_hold_lanes_and_reads_statuses_as_words() -> None:
    hold = LaneView(1, "H1", LocationKind.HOLD_LANE, 10)
    lane = LaneView(2, "L1", LocationKind.STAGING_LANE, 2)
    assert (hold.is_hold, hold.sign) == (True, "HOLD")
    assert (lane.is_hold, lane.sign) == (False, "LANE")
    order = LaneOrder(1, "ORD-1", "ready_to_pack", 1, 2, 2, None)
    assert order.status_words == "ready to pack" and order.complete
