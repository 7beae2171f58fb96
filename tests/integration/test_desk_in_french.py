"""A French supervisor's desk: its home and the outbox of deliveries speak French."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.factories import Factories
from tests.language_check import english_in
from tests.shop_fakes import run_worker_once
from wms.channels.models import OutboxEvent, OutboxStatus
from wms.extensions import db


def _sign_in(client: FlaskClient, make: Factories, role: str) -> None:
    user = make.user(role=role, language="fr")
    response = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert response.status_code == 302


def test_the_desk_home_speaks_french(client: FlaskClient, make: Factories) -> None:
    _sign_in(client, make, "supervisor")
    page = client.get("/desk/").get_data(as_text=True)
    assert "<title>Bureau · wms</title>" in page
    assert "<h1>Bureau du responsable</h1>" in page
    assert ">Écrans de l’entrepôt</a>" in page
    for english in ("Supervisor desk", "Floor screens"):
        assert english not in page, english


def test_the_outbox_and_its_retry_speak_french(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    product = make.product()
    make.stock(product, make.location(), 2)
    channel, _ = make.channel(webhook_url="http://127.0.0.1:9/closed", name="Boutique close")
    make.order(channel, [(product, 1)])
    with app.app_context():
        db.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.channel_id == channel.id)
            .values(status=OutboxStatus.FAILED, last_error="ConnectionError: refused")
        )
        db.session.commit()
        failed = db.session.scalars(
            select(OutboxEvent.id).where(OutboxEvent.channel_id == channel.id)
        ).first()
    _sign_in(client, make, "admin")

    page = client.get("/desk/outbox?status=failed").get_data(as_text=True)
    assert "Envois des webhooks" in page and "Renvoyer" in page and "Tentatives" in page
    assert "en échec (" in page and "Boutique close" in page
    assert "Aucun envoi livré pour l’instant." in client.get(
        "/desk/outbox?status=delivered"
    ).get_data(as_text=True)

    assert client.post(f"/desk/outbox/{failed}/retry").status_code == 302
    after = client.get("/desk/outbox?status=pending").get_data(as_text=True)
    assert f"L’événement {failed} sera renvoyé." in after
    again = client.post(f"/desk/outbox/{failed}/retry")
    assert again.status_code == 409
    assert f"L’événement {failed} attend déjà d’être envoyé" in again.get_data(as_text=True)


def test_why_a_delivery_failed_is_read_in_each_readers_language(fresh_app: Flask) -> None:
    """The worker keeps why an attempt failed; the desk words it for whoever reads."""
    make = Factories(fresh_app)
    product = make.product()
    make.stock(product, make.location(), 2)
    channel, _ = make.channel(webhook_url="http://127.0.0.1:9/closed", name="Boutique close")
    make.order(channel, [(product, 1)])
    run_worker_once(fresh_app)
    with fresh_app.app_context():
        kept = db.session.scalars(
            select(OutboxEvent.last_error).where(OutboxEvent.channel_id == channel.id)
        ).all()
    assert kept and all(e.startswith("The receiver could not be reached: ") for e in kept)

    french, english = fresh_app.test_client(), fresh_app.test_client()
    _sign_in(french, make, "admin")
    user = make.user(role="admin", language="en")
    english.post("/login", data={"username": user.username, "password": "secret-pass"})

    page = french.get("/desk/outbox?status=pending").get_data(as_text=True)
    assert "Le destinataire est injoignable\u202f: NewConnectionError" in page
    machine = kept[0].removeprefix("The receiver could not be reached: ")  # the OS's own words
    assert english_in(page, "Boutique close", machine) == []
    page = english.get("/desk/outbox?status=pending").get_data(as_text=True)
    assert "The receiver could not be reached: " in page
