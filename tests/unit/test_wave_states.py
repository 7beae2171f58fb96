"""What the desk can do with a wave follows from its state alone."""

from __future__ import annotations

from wms.picking.models import Wave, WaveStatus


def test_a_wave_is_cancelled_while_open_taken_back_while_picked_recorded_while_waiting() -> None:
    offers = {
        status: (
            Wave(status=status).is_open,
            Wave(status=status).is_being_picked,
            Wave(status=status).can_record_on_paper,
        )
        for status in WaveStatus
    }
    assert offers == {
        WaveStatus.READY: (True, False, True),
        WaveStatus.PICKING: (True, True, False),
        WaveStatus.DONE: (False, False, False),
        WaveStatus.CANCELLED: (False, False, False),
    }
