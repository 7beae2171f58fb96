"""After packing: choosing the rate, partial shipments, orders held for payment, printing
on the station's thermal printer, the packing slip and the end-of-day manifest."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import Factories
from tests.integration.test_packing import (
    events,
    number,
    order_state,
    pack_to_label,
    scan,
    staged_order,
    text,
)
from tests.scanning import decode_pdf, pdf_text, values
from wms.base.clock import today, travel, utcnow
from wms.extensions import db
from wms.inventory.models import LocationKind
from wms.shipping.models import Parcel


def parcel_of(app: Flask, order_id: int) -> Parcel:
    with app.app_context():
        parcel = db.session.scalar(
            select(Parcel).where(Parcel.order_id == order_id).order_by(Parcel.id.desc())
        )
        db.session.expunge(parcel)
        return parcel


def test_the_packer_can_override_the_rate(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login()
    station = make.pack_station()
    tote = make.location(LocationKind.TOTE)
    product = make.product()
    order_id = staged_order(make, [(product, 1)], tote, service_level="standard")
    page = pack_to_label(client, station, tote, [product.sku], make.box().code)
    assert "Scan DONE to buy the label: WMS Local Standard, €7.90." in page
    rates = {r["service"]: r["rate_id"] for r in parcel_of(app, order_id).rates}
    assert list(rates) == ["Economy", "Standard", "Priority", "Express"]  # cheapest first

    response = client.post(
        f"/pack/{station.code}/rate",
        data={"rate_id": rates["Priority"]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    parcel = parcel_of(app, order_id)
    assert (parcel.service, parcel.label_amount_minor, parcel.label_currency) == (
        "Priority",
        1190,
        "EUR",
    )
    assert 'data-step="label"' in text(response)


def test_a_partial_order_ships_what_is_staged_and_the_rest_stays_backordered(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login()
    station = make.pack_station()
    lane = make.location(LocationKind.STAGING_LANE)
    in_stock, missing = make.product(), make.product(name="Summit Tent, Olive")
    make.stock(in_stock, make.location(), 2)
    channel, _ = make.channel(webhook_url="http://127.0.0.1:9/hook")
    order_id = make.order(channel, [(in_stock, 2), (missing, 1)], partial_allowed=True)
    make.stage(order_id, lane)
    assert order_state(app, order_id)[0] == "ready_to_pack"

    page = text(scan(client, station, lane.code))
    assert "Summit Tent, Olive" in page and "1 later" in page
    page = pack_to_label(client, station, lane, [in_stock.sku] * 2, make.box().code)
    scan(client, station, "CMD-DONE")
    page = text(scan(client, station, "CMD-DONE"))
    assert "The rest stays backordered." in page

    status, lines = order_state(app, order_id)
    assert status == "waiting"
    assert lines == [(0, 0, 2), (0, 1, 0)]
    [shipped] = events(app, order_id, "order.shipped")
    assert shipped["partial"] is True
    assert [line["sku"] for line in shipped["lines"]] == [in_stock.sku]


def test_a_capture_before_ship_order_waits_for_payment_before_its_label(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login()
    station = make.pack_station()
    tote = make.location(LocationKind.TOTE)
    product = make.product()
    channel, token = make.channel(webhook_url="http://127.0.0.1:9/hook")
    order_id = staged_order(make, [(product, 1)], tote, channel=channel, capture_before_ship=True)

    page = pack_to_label(client, station, tote, [product.sku], make.box().code)
    assert 'data-waits="payment"' in page
    assert (
        f"{number(order_id)} waits for the channel to confirm payment; its label is held until "
        "then." in page
    )
    assert order_state(app, order_id)[0] == "awaiting_payment"
    [ready] = events(app, order_id, "order.ready_to_ship")
    assert ready["order_number"] == number(order_id) and ready["payment_captured"] is False

    response = scan(client, station, "CMD-DONE")
    assert response.status_code == 409
    assert "its label is held until then" in text(response)
    assert parcel_of(app, order_id).label_attempts == 0

    captured = client.post(
        f"/api/v1/orders/{number(order_id)}/payment-captured",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert captured.status_code == 200
    page = text(scan(client, station, number(order_id)))
    assert "Scan DONE to buy the label: WMS Local Standard" in page
    assert order_state(app, order_id)[0] == "packed"
    page = text(scan(client, station, "CMD-DONE"))
    assert 'data-step="label"' in page
    scan(client, station, "CMD-DONE")
    assert order_state(app, order_id)[0] == "shipped"


class Listener:
    """A thermal printer's raw port on 127.0.0.1: keeps what each connection sent."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.jobs: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
                self.jobs.append(b"".join(chunks))

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """The jobs once ``count`` arrived: the app closes its end before this thread
        has read everything, so a job may land a moment after the answer."""
        deadline = time.monotonic() + timeout
        while len(self.jobs) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.jobs)

    def close(self) -> None:
        # shutdown wakes the thread blocked in accept(); close alone would not.
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self._thread.join(timeout=5)


@pytest.fixture
def printer() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


def test_a_station_with_a_thermal_printer_prints_the_zpl_label(
    app: Flask, client: FlaskClient, login, make: Factories, printer: Listener
) -> None:
    login()
    station = make.pack_station(printer_host="127.0.0.1", printer_port=printer.port)
    tote = make.location(LocationKind.TOTE)
    product = make.product()
    order_id = staged_order(make, [(product, 1)], tote)
    pack_to_label(client, station, tote, [product.sku], make.box().code)
    page = text(scan(client, station, "CMD-DONE"))
    parcel = parcel_of(app, order_id)
    assert parcel.label_format == "ZPL"
    assert f"Printed on 127.0.0.1:{printer.port}." in page
    page = text(scan(client, station, "CMD-PRINT"))
    assert f"Label sent to the printer at 127.0.0.1:{printer.port}." in page
    jobs = printer.wait_for_jobs(2)
    assert len(jobs) == 2
    assert all(job.startswith(b"^XA") for job in jobs)
    assert f"^FD{parcel.tracking_number}^FS".encode() in jobs[0]
    # The built-in carrier draws the same label as a 4x6 PDF too.
    pdf = client.get(f"/pack/parcels/{parcel.id}/label.pdf")
    assert parcel.tracking_number in values(decode_pdf(pdf.data)[0])


def test_a_printer_that_does_not_answer_is_one_sentence(
    client: FlaskClient, login, make: Factories, printer: Listener
) -> None:
    login()
    port = printer.port
    printer.close()  # nothing listens there any more
    station = make.pack_station(printer_host="127.0.0.1", printer_port=port)
    tote = make.location(LocationKind.TOTE)
    product = make.product()
    staged_order(make, [(product, 1)], tote)
    pack_to_label(client, station, tote, [product.sku], make.box().code)
    page = text(scan(client, station, "CMD-DONE"))
    assert "Label WL" in page  # bought all the same
    assert f"The label printer at 127.0.0.1:{port} refused the connection" in page
    response = scan(client, station, "CMD-PRINT")
    assert response.status_code == 503
    assert "refused the connection" in text(response)


def test_packing_slip_and_end_of_day_manifest(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("supervisor")
    station = make.pack_station()
    tote = make.location(LocationKind.TOTE)
    product = make.product(name="Merino Socks, Grey")
    order_id = staged_order(make, [(product, 2)], tote)
    box = make.box()
    pack_to_label(client, station, tote, [product.sku] * 2, box.code)
    scan(client, station, "CMD-DONE")
    parcel = parcel_of(app, order_id)

    slip = client.get(f"/pack/parcels/{parcel.id}/slip.pdf")
    assert slip.headers["Content-Type"] == "application/pdf"
    assert number(order_id) in values(decode_pdf(slip.data)[0])
    words = pdf_text(slip.data)
    assert "Merino Socks, Grey" in words and box.code in words

    scan(client, station, "CMD-DONE")
    page = text(client.get(f"/shipping/manifests?day={today().isoformat()}"))
    assert "WMS Local" in page
    manifest = client.get(f"/shipping/manifests/{today().isoformat()}.pdf?carrier=WMS Local")
    assert manifest.status_code == 200
    assert parcel.tracking_number in values(decode_pdf(manifest.data)[0])
    missing = client.get("/shipping/manifests/2001-01-01.pdf?carrier=WMS Local")
    assert missing.status_code == 404
    assert "WMS Local took no parcels on Jan 1, 2001." in text(missing)


def test_a_parcel_shipped_after_the_warehouses_midnight_is_on_that_days_manifest(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    # 00:30 on 12 December in the warehouse (Europe/Paris) is 23:30 on the 11th in UTC.
    now = utcnow()
    day = date(now.year + 1, 12, 12)
    with travel(datetime(day.year, 12, 11, 23, 30) - now):
        login("supervisor")
        station = make.pack_station()
        tote = make.location(LocationKind.TOTE)
        product = make.product()
        order_id = staged_order(make, [(product, 1)], tote)
        pack_to_label(client, station, tote, [product.sku], make.box().code)
        scan(client, station, "CMD-DONE")
        scan(client, station, "CMD-DONE")
        parcel = parcel_of(app, order_id)
        assert "WMS Local" in text(client.get(f"/shipping/manifests?day={day.isoformat()}"))
        manifest = client.get(f"/shipping/manifests/{day.isoformat()}.pdf?carrier=WMS Local")
        assert manifest.status_code == 200
        assert parcel.tracking_number in values(decode_pdf(manifest.data)[0])
        eve = (day - timedelta(days=1)).isoformat()
        before = client.get(f"/shipping/manifests/{eve}.pdf?carrier=WMS Local")
    assert before.status_code == 404
