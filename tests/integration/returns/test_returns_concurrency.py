"""Two clerks with the same return on their benches."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.returns.conftest import Site, signed_in


@pytest.mark.postgres_only
def test_two_clerks_grading_the_last_unit_receive_it_once(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    clerks = [signed_in(site.app, site.make, "operator") for _ in range(2)]
    for clerk in clerks:
        site.scan(number, client=clerk)
        assert 'data-state="grade"' in site.text(site.scan(product.barcodes[0].code, client=clerk))
    barrier = threading.Barrier(2)

    def grade(i: int) -> int:
        barrier.wait()
        return site.scan("1", scan_id=f"race-{i}", client=clerks[i]).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(grade, range(2)))
    assert statuses == [200, 409]
    assert site.lines(number) == [(1, 1)]
    assert [m[0] for m in site.moves(number)] == ["return", "putaway"]
    site.ledger_is_consistent()
