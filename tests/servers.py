"""The app as it is run for real, for tests: gunicorn as ``make run`` starts it,
``flask worker`` as ``make worker`` does, and a signed-in floor user over HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def http_session() -> requests.Session:
    """A client that, like a browser, sends a request again on a fresh connection when the
    kept-alive one was closed under it (gunicorn closes idle ones after 2 s). Safe here:
    scans carry a scan id and orders an external id, so a repeat is answered, not applied."""
    http = requests.Session()
    http.trust_env = False
    retry = Retry(
        total=3,
        connect=3,
        read=3,
        status=0,
        other=0,
        allowed_methods=None,
        respect_retry_after_header=False,  # a 503 is an answer the test reads
        raise_on_status=False,
    )
    http.mount("http://", HTTPAdapter(max_retries=retry))
    return http


def server_log(instance: Path) -> str:
    """What the servers started under ``instance`` wrote: tracebacks, killed workers."""
    return "".join(p.read_text(errors="replace") for p in sorted(instance.glob("gunicorn-*.log")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], Any], what: str, seconds: float = 60.0) -> Any:
    """Poll until ``condition()`` is truthy; fail saying what never happened."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


def _env(url: str, instance: Path, **extra: str) -> dict[str, str]:
    instance.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "FLASK_APP": "wms",
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "WMS_INSTANCE_PATH": str(instance),
        **extra,
    }


@contextmanager
def app_server(url: str, instance: Path) -> Iterator[str]:
    """gunicorn with the settings of ``make run`` on a free port; yields its base URL."""
    with app_servers(url, instance, 1) as (base,):
        yield base


@contextmanager
def app_servers(url: str, instance: Path, count: int, workers: int = 2) -> Iterator[list[str]]:
    """``count`` gunicorn servers on one database, started side by side (``make run``
    starts 2 workers of 4 threads each)."""
    instance.mkdir(parents=True, exist_ok=True)
    started: list[tuple[subprocess.Popen[bytes], str, Any]] = []
    try:
        for _ in range(count):
            port = free_port()
            log = (instance / f"gunicorn-{port}.log").open("wb")
            proc = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(workers),
                    "--threads",
                    "4",
                    "--worker-class",
                    "gthread",
                    "wms:create_app()",
                ],
                cwd=ROOT,
                env=_env(url, instance),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            started.append((proc, f"http://127.0.0.1:{port}", log))
        for proc, base, _ in started:

            def answers(proc: subprocess.Popen[bytes] = proc, base: str = base) -> bool:
                assert proc.poll() is None, "gunicorn exited"
                try:
                    return requests.get(f"{base}/healthz", timeout=10).status_code in (200, 503)
                except requests.RequestException:
                    return False

            wait_for(answers, "gunicorn answers")
        yield [base for _, base, _ in started]
    finally:
        for proc, _, _ in started:
            proc.send_signal(signal.SIGTERM)
        for proc, _, log in started:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


class WorkerProcess:
    """``flask worker`` in a process of its own; its output goes to a file we can read."""

    def __init__(self, url: str, instance: Path, *args: str) -> None:
        instance.mkdir(parents=True, exist_ok=True)
        self.log_path = instance / f"worker-{id(self)}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(BIN / "flask"), "worker", *args],
            cwd=ROOT,
            env=_env(url, instance, PYTHONUNBUFFERED="1"),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> int:
        """SIGTERM, as a supervisor stops it; returns the exit status."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._log.close()
        return code


class FloorUser:
    """A signed-in user of the real server, as a handheld browser is."""

    def __init__(self, base: str, username: str, password: str = "secret-pass") -> None:
        self.base = base
        self.http = http_session()
        page = self.http.get(f"{base}/login", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        response = self.http.post(
            f"{base}/login",
            data={"username": username, "password": password, "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text
        home = self.http.get(f"{base}/", timeout=30).text
        self.csrf = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)  # type: ignore[union-attr]

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(f"{self.base}{path}", timeout=30, allow_redirects=False, **kw)

    def scan(self, path: str, code: str, **form: str) -> requests.Response:
        """A scan as the floor screen sends it: htmx, the CSRF header, a scan id."""
        return self.http.post(
            f"{self.base}{path}",
            data={"code": code, "scan_id": os.urandom(8).hex(), **form},
            headers={"HX-Request": "true", "X-CSRFToken": self.csrf},
            timeout=30,
            allow_redirects=False,
        )


def verify(url: str, instance: Path) -> str:
    """``flask verify`` as an operator runs it (every stored counter proved from its rows):
    what it found wrong, or "" when all agrees."""
    result = subprocess.run(
        [str(BIN / "flask"), "verify"],
        cwd=ROOT,
        env=_env(url, instance),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return "" if result.returncode == 0 else (result.stdout + result.stderr) or "failed"
