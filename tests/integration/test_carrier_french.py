"""What the carriers say to a packer is said in the packer's language: no rate, a bad
address, a refusal; the built-in label's notice is printed in the buyer's language."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.scanning import pdf_text
from tests.unit.test_carrier_builtin import BOX, CUSTOMER, WAREHOUSE
from tests.unit.test_choose_rate import rate
from wms.carriers import Address, AddressError, NoRate, Parcel, choose_rate
from wms.carriers.builtin import BuiltinCarrier
from wms.i18n import in_language

NNBSP = "\u202f"


def test_no_rate_and_a_bad_address_are_said_in_french(app: Flask) -> None:
    carrier = BuiltinCarrier()
    with app.test_request_context(), in_language("fr"):
        with pytest.raises(NoRate) as caught:
            choose_rate([rate("ground", 520, 5)], "express")
        assert str(caught.value.message) == (
            "Aucun transporteur n’a proposé de tarif express (livraison sous 1 jour)."
        )
        with pytest.raises(NoRate) as caught:
            carrier.rates(WAREHOUSE, CUSTOMER, Parcel(300, 200, 100, 0), "standard")
        assert str(caught.value.message) == (
            f"Le colis n’a pas de poids{NNBSP}; pesez-le avant d’acheter une étiquette."
        )
        with pytest.raises(AddressError) as caught:
            carrier.rates(Address("", "", "", "62701"), CUSTOMER, BOX, "standard")
        assert str(caught.value) == "L’adresse d’expédition n’a pas de nom, rue et ville."


def test_the_internal_label_notice_is_printed_in_the_buyers_language(app: Flask) -> None:
    carrier = BuiltinCarrier()
    chosen = choose_rate(carrier.rates(WAREHOUSE, CUSTOMER, BOX, "standard"), "standard")
    with app.test_request_context(), in_language("fr"):
        french = carrier.buy_label(chosen, "PDF_4x6", "parcel-fr-1", order_number="W-1001")
    with app.test_request_context(), in_language("en"):
        english = carrier.buy_label(chosen, "PDF_4x6", "parcel-en-1", order_number="W-1001")
    assert "ÉTIQUETTE INTERNE" in " ".join(pdf_text(french.label_bytes, layout=False).split())
    assert "INTERNAL LABEL" in " ".join(pdf_text(english.label_bytes, layout=False).split())
