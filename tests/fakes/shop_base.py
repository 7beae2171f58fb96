"""What the fake shop platforms share: a threaded HTTP server on 127.0.0.1, a request
log, scripted failures, a clock the tests can move, and a webhook catcher.

Each fake (``shopify_server``, ``woocommerce_server``, ``prestashop_server``)
subclasses ``FakeShop`` and answers in ``handle``. Scenario controls common to
all three:

* ``fail_next(endpoint, count, status, retry_after)``: the next calls to an
  endpoint (e.g. ``"POST /products/batch"``; each fake documents its names)
  get that status, with a ``Retry-After`` header when given, and change nothing.
* ``requests`` / ``requests_to(endpoint)``: every request received, in order.

``FakeClock`` is time both sides can share: give its ``sleep`` to a connector
and the clock to a fake, and a wait the connector takes is time the fake sees
pass, instantly. ``HookCatcher`` is a webhook endpoint that hands each raw
delivery to a function (a connector's ``verify_webhook``, in the tests) and
answers with the status it returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeClock:
    """A monotonic clock that moves only when told to, or when someone sleeps on it."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    endpoint: str


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Fault:
    status: int
    retry_after: str | None = None


class FakeShop:
    """Base of the fakes: subclasses define ``endpoint_of`` and ``answer``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._requests: list[Recorded] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # ------------------------------------------------------------ lifecycle

    def start(self) -> FakeShop:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ scenarios

    def fail_next(
        self, endpoint: str, count: int = 1, status: int = 503, retry_after: float | None = None
    ) -> None:
        fault = _Fault(status, None if retry_after is None else f"{retry_after:g}")
        with self.lock:
            self._faults.setdefault(endpoint, []).extend([fault] * count)

    @property
    def requests(self) -> list[Recorded]:
        with self.lock:
            return list(self._requests)

    def requests_to(self, endpoint: str) -> list[Recorded]:
        return [r for r in self.requests if r.endpoint == endpoint]

    # -------------------------------------------------------------- serving

    def endpoint_of(self, method: str, path: str) -> str:
        raise NotImplementedError

    def answer(self, request: Recorded) -> Answer:
        raise NotImplementedError

    def fault_answer(self, fault: _Fault) -> Answer:
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        return Answer(fault.status, b"", headers)

    def dispatch(
        self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes
    ) -> Answer:
        split = urlsplit(raw_path)
        path = split.path
        request = Recorded(
            method=method,
            path=path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
            endpoint=self.endpoint_of(method, path),
        )
        with self.lock:
            self._requests.append(request)
            queue = self._faults.get(request.endpoint)
            fault = queue.pop(0) if queue else None
        if fault is not None:
            return self.fault_answer(fault)
        return self.answer(request)


def _handler_for(fake: FakeShop) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # one answer, one segment: no 40 ms delayed-ACK stall
        wbufsize = 1 << 16

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                answer = fake.dispatch(self.command, self.path, dict(self.headers.items()), body)
            except Exception as exc:  # a bug in the fake: say so rather than hang
                answer = Answer(500, f"fake error: {exc!r}".encode())
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


class HookCatcher:
    """A webhook endpoint on 127.0.0.1: ``reply(headers, raw_body) -> status``."""

    def __init__(self, reply: Callable[[dict[str, str], bytes], int]) -> None:
        self.reply = reply
        self.received: list[tuple[dict[str, str], bytes, int]] = []
        catcher = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                headers = dict(self.headers.items())
                status = catcher.reply(headers, raw)
                catcher.received.append((headers, raw, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> HookCatcher:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
