"""Send ZPL to a thermal label printer over its raw TCP port (9100, "JetDirect").

The printer takes the bytes as they come and prints; it answers nothing. A
printer that is off, unplugged or busy shows up as a refused connection or a
timeout, reported as ``PrinterUnavailable`` with one sentence for the packer.
ZPL text is sent as UTF-8 (what ``^CI28`` in the label tells the printer).
"""

from __future__ import annotations

import socket

DEFAULT_PORT = 9100


class PrinterUnavailable(Exception):
    """The label printer could not be reached or did not take the label."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def send_zpl(
    zpl: str | bytes, host: str, port: int = DEFAULT_PORT, *, timeout: float = 5.0
) -> None:
    """Send the label(s) to the printer at ``host:port``; ``timeout`` bounds the
    connection and each send, in seconds."""
    data = zpl.encode("utf-8") if isinstance(zpl, str) else zpl
    if not data:
        raise ValueError("there is no ZPL to send")
    where = f"{host}:{port}"
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
    except ConnectionRefusedError as exc:
        raise PrinterUnavailable(
            f"The label printer at {where} refused the connection; check that it is on "
            "and that the port is right."
        ) from exc
    except TimeoutError as exc:
        raise PrinterUnavailable(
            f"The label printer at {where} did not answer within {timeout:g} seconds; "
            "check that it is on and connected."
        ) from exc
    except socket.gaierror as exc:
        raise PrinterUnavailable(
            f"The label printer address {host!r} is not known on this network."
        ) from exc
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise PrinterUnavailable(
            f"The label printer at {where} could not be reached ({reason.lower()})."
        ) from exc
