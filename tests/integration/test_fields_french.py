"""Set-up values read from forms and CSV cells: refused in the reader's language with
whole sentences, and numbers read as either language writes them."""

from __future__ import annotations

import pytest
from flask import Flask

from wms.base.i18n import _
from wms.core.ledger import REASON_LABELS, Reason, reason_label
from wms.i18n import in_language
from wms.inventory import fields

NNBSP = "\u202f"


def refusal(call, *args, **kwargs) -> fields.FieldError:  # type: ignore[no-untyped-def]
    with pytest.raises(fields.FieldError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_a_refused_value_is_one_french_sentence_that_names_its_field(app: Flask) -> None:
    missing = refusal(fields.text, "", _("Location code"), max_len=32, required=True)
    not_whole = refusal(fields.integer, "lourd", "weight_g")
    too_big = refusal(fields.integer, "3000", "weight_g", maximum=2500)
    bad_day = refusal(fields.day, "31/12/2025", "release_on")
    twice = refusal(fields.barcode_list, "X-1; X-1")
    with app.test_request_context(), in_language("fr"):
        assert str(missing) == f"Code d’emplacement{NNBSP}: à remplir."
        assert str(not_whole) == (
            f"weight_g{NNBSP}: un nombre entier est attendu, pas «{NNBSP}lourd{NNBSP}»."
        )
        assert str(too_big) == f"weight_g{NNBSP}: 2{NNBSP}500 au maximum."
        assert str(bad_day).startswith(f"release_on{NNBSP}: une date comme 2025-03-31")
        assert str(twice) == "Le code-barres X-1 figure deux fois."
    with app.test_request_context(), in_language("en"):
        assert str(missing) == "Location code is missing."
        assert str(not_whole) == "weight_g must be a whole number, not 'lourd'."
        assert str(too_big) == "weight_g must be at most 2,500."


def test_numbers_and_amounts_are_read_as_french_and_english_write_them() -> None:
    assert fields.money_cents("12,50", "unit_cost") == 1250
    assert fields.money_cents("12,5", "unit_cost") == 1250
    assert fields.money_cents("12.50", "unit_cost") == 1250
    assert fields.money_cents("1,250", "unit_cost") == 125000  # a thousands comma
    assert fields.money_cents("1 250,75", "unit_cost") == 125075
    assert fields.integer("1 234", "qty") == 1234
    assert fields.integer(f"1{NNBSP}234", "qty") == 1234
    assert fields.integer("1,234", "qty") == 1234
    assert fields.boolean("oui", "active", default=False) is True
    assert fields.boolean("non", "active", default=True) is False
    assert fields.money_cents("12,505", "unit_cost") == 1250500  # three digits: thousands
    with pytest.raises(fields.FieldError):
        fields.money_cents("12.505", "unit_cost")  # never more than two decimals


def test_stored_ledger_reasons_keep_their_values_and_read_in_french(app: Flask) -> None:
    assert Reason.RECEIVE == "receive" and Reason.MISSING == "missing"
    stored = [v for k, v in vars(Reason).items() if k.isupper()]
    assert set(REASON_LABELS) == set(stored)
    with app.test_request_context(), in_language("fr"):
        assert str(_(reason_label("putaway"))) == "rangement"
        assert str(_(reason_label("missing"))) == "manquant à la préparation"
    assert reason_label("something-new") == "something-new"
