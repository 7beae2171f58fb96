"""The document the inbounds desk prints: an inbound's discrepancy report."""

from __future__ import annotations

from wms.base.clock import local_date
from wms.core.models import Inbound
from wms.prints.documents import DiscrepancyLine, DiscrepancyReport, render_discrepancy_report
from wms.receiving.queries import tally


def discrepancy_report(inbound: Inbound) -> bytes:
    """Received against expected, line by line, as a PDF for the supplier."""
    return render_discrepancy_report(
        DiscrepancyReport(
            inbound_reference=inbound.reference,
            supplier=inbound.supplier,
            lines=[
                DiscrepancyLine(t.sku, t.name, t.expected, t.received, t.damaged)
                for t in tally(inbound.id)
            ],
            expected_date=local_date(inbound.expected_at),
            closed_at=inbound.closed_at,
        )
    )
