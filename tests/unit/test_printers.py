"""Sending ZPL to a thermal printer's raw TCP port, with a listener standing in for it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from wms.prints.printers import PrinterUnavailable, send_zpl

ZPL = (
    "^XA^CI28^FO40,40^A0N,40,40^FH\\^FDZo\\C3\\AB^FS^FO40,120^BCN,200,Y,N,N^FDWL12345678905^FS^XZ\n"
)


class FakePrinter:
    """Accepts connections on 127.0.0.1 and keeps every byte each one sent."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(5)
        self.port = self.sock.getsockname()[1]
        self.jobs: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
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

    def wait(self) -> None:
        self._thread.join(timeout=5)

    def close(self) -> None:
        self.sock.close()
        self._thread.join(timeout=5)


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter()
    yield fake
    fake.close()


def test_printer_receives_the_exact_bytes(printer: FakePrinter) -> None:
    send_zpl(ZPL, "127.0.0.1", printer.port, timeout=2)
    printer.wait()
    assert printer.jobs == [ZPL.encode("ascii")]


def test_text_goes_as_utf8_and_bytes_as_they_are(printer: FakePrinter) -> None:
    send_zpl("^XA^FDZoë^FS^XZ", "127.0.0.1", printer.port, timeout=2)
    printer.wait()
    assert printer.jobs == [b"^XA^FDZo\xc3\xab^FS^XZ"]


def test_large_job_arrives_whole(printer: FakePrinter) -> None:
    job = (ZPL * 4000).encode()  # some 400 kB: many labels in one go
    send_zpl(job, "127.0.0.1", printer.port, timeout=2)
    printer.wait()
    assert printer.jobs == [job]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_printer_that_is_off_is_named_as_refusing_the_connection() -> None:
    port = _closed_port()
    with pytest.raises(PrinterUnavailable) as caught:
        send_zpl(ZPL, "127.0.0.1", port, timeout=2)
    message = caught.value.message
    assert f"127.0.0.1:{port}" in message
    assert "refused the connection" in message
    assert message.endswith(".") and ". " not in message


def test_printer_that_does_not_answer_times_out() -> None:
    # A listener whose queue is full drops new connections, like a hung printer.
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(0)
        port = busy.getsockname()[1]
        waiting = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))  # in progress; never accepted
            waiting.append(filler)
        try:
            with pytest.raises(PrinterUnavailable) as caught:
                send_zpl(ZPL, "127.0.0.1", port, timeout=0.3)
        finally:
            for filler in waiting:
                filler.close()
    assert "did not answer within 0.3 seconds" in caught.value.message


def test_nothing_to_send() -> None:
    with pytest.raises(ValueError):
        send_zpl("", "127.0.0.1", 9100)
