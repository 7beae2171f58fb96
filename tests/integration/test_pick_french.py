"""Scan-to-pick in French: each step, answer and refusal in the picker's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from tests.factories import Factories
from tests.picking import Handheld, tote_code
from wms.base.numbers import order_number, wave_code
from wms.inventory.models import LocationKind


def test_a_french_picker_is_told_each_step_in_french(
    client: FlaskClient, make: Factories, login: Callable[..., Any]
) -> None:
    for _n in range(2):
        make.location(LocationKind.TOTE)
    mug, stranger = make.product(), make.product()
    bin_ = make.location(LocationKind.BIN, walk_seq=10)
    make.stock(mug, bin_, 5)
    channel, _c = make.channel()
    order_id = make.order(channel, [(mug, 2)])
    wave_id = make.wave(channel)
    login("operator")
    assert client.post("/language", data={"language": "fr"}).status_code == 302
    hand = Handheld(client)

    started = hand.scan(wave_code(wave_id))
    assert started.notice == f"{wave_code(wave_id)}\u202f: 1 commande, 1 ligne."
    assert "Allez à" in started.body and f"Prenez 2 \u00d7 {mug.sku}" in started.body
    assert f"{wave_code(wave_id)} · 0 sur 1 ligne prélevée" in started.body

    wrong = hand.scan(make.location(LocationKind.BIN, walk_seq=90).code)
    assert wrong.status == 409 and "— allez à " + bin_.code in wrong.body
    hand.scan(bin_.code)
    wrong_item = hand.scan(stranger.sku)
    assert wrong_item.status == 409
    assert f"C’est {stranger.sku} — prenez {mug.sku} (Test product)." in wrong_item.body
    counted = hand.scan(mug.sku)
    assert counted.step == "qty" and "Combien\u202f?" in counted.body
    assert "1 sur 2 comptés." in counted.body
    answer = hand.scan("2")
    assert answer.step == "tote" and "Mettez dans le bac" in answer.body
    assert f"— commande {order_number(order_id)}" in answer.body
    done = hand.scan(tote_code(answer))
    assert done.step == "finished"
    assert f"{wave_code(wave_id)} préparée" in done.body
    assert "1 commande · 1 ligne · 2 unités" in done.body
    assert "Apportez le chariot à l’emballage." in done.body
