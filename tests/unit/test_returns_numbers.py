"""RMA numbers and the grade commands read the same way on every screen."""

from __future__ import annotations

import pytest

from wms.base.codes import command_code, command_of
from wms.base.numbers import rma_id_from_number, rma_number
from wms.returns.services.grading import GRADE_COMMANDS


@pytest.mark.parametrize("rma_id", [1, 42, 99_999])
def test_an_rma_number_reads_back_as_its_id(rma_id: int) -> None:
    assert rma_id_from_number(rma_number(rma_id)) == rma_id
    assert rma_id_from_number(rma_number(rma_id).lower()) == rma_id


@pytest.mark.parametrize(
    "code", ["R-10000", "R-", "R-1x", "W-10001", "R-٣", "R-99999999999999", ""]
)
def test_other_codes_are_not_rma_numbers(code: str) -> None:
    assert rma_id_from_number(code) is None


def test_every_grade_has_a_command_barcode() -> None:
    for word in GRADE_COMMANDS:
        assert command_of(command_code(word)) == word
    assert command_of("not-ours") == "NOT-OURS"
