"""What the returns desk offers for a return follows from its state alone."""

from __future__ import annotations

import pytest

from wms.returns.models import LabelStatus, ReturnAuthorisation, ReturnStatus


def offers(status: str, label: str) -> dict[str, bool]:
    rma = ReturnAuthorisation(status=status, label_status=label)
    return {
        "buy a label": rma.needs_label,
        "release the label": rma.label_unconfirmed,
        "decide": rma.takes_decisions,
        "cancel": rma.can_cancel,
    }


def test_an_authorised_return_without_a_label_offers_a_label_decisions_and_cancelling() -> None:
    assert offers(ReturnStatus.AUTHORISED, LabelStatus.NONE) == {
        "buy a label": True,
        "release the label": False,
        "decide": True,
        "cancel": True,
    }


def test_a_label_the_carrier_never_confirmed_can_be_released_or_looked_for_again() -> None:
    assert offers(ReturnStatus.AUTHORISED, LabelStatus.UNCERTAIN) == {
        "buy a label": True,
        "release the label": True,
        "decide": True,
        "cancel": True,
    }


@pytest.mark.parametrize("status", [ReturnStatus.CANCELLED, ReturnStatus.CLOSED])
def test_a_finished_return_needs_no_label(status: str) -> None:
    assert not offers(status, LabelStatus.NONE)["buy a label"]
    assert not offers(status, LabelStatus.NONE)["cancel"]


def test_a_cancelled_return_takes_no_decision_but_a_closed_one_shows_them() -> None:
    assert not offers(ReturnStatus.CANCELLED, LabelStatus.NONE)["decide"]
    assert offers(ReturnStatus.CLOSED, LabelStatus.NONE)["decide"]


def test_a_refused_label_is_tried_again_and_one_being_bought_is_waited_for() -> None:
    refused = ReturnAuthorisation(status=ReturnStatus.AUTHORISED, label_status=LabelStatus.FAILED)
    buying = ReturnAuthorisation(status=ReturnStatus.AUTHORISED, label_status=LabelStatus.BUYING)
    assert refused.label_failed and refused.label_went_wrong and refused.needs_label
    assert buying.label_being_bought and not buying.label_went_wrong and not buying.label_failed


def test_once_bought_the_label_is_not_bought_again() -> None:
    rma = ReturnAuthorisation(status=ReturnStatus.RECEIVING, label_status=LabelStatus.BOUGHT)
    assert rma.has_label and not rma.needs_label and not rma.can_cancel
