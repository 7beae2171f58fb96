"""Forwarded headers are believed only behind a trusted proxy, through the real server.

The app is started with the very command ``make run`` uses (read from
``make -n run``), on 127.0.0.1, which is the address gunicorn trusts by
default: a plain-HTTP request that claims ``X-Forwarded-Proto: https`` must
not get a Secure cookie or HSTS unless WMS_TRUST_PROXY=1 says a proxy is there.
"""

from __future__ import annotations

import http.client
import os
import shlex
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _make_run_command(port: int) -> list[str]:
    """The gunicorn command line of ``make run``, as make would run it."""
    printed = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", f"PORT={port}", "HOST=127.0.0.1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")
    line = next(ln for ln in printed.splitlines() if "gunicorn" in ln and "--bind" in ln)
    return shlex.split(line)


@contextmanager
def served(database: Path, tmp_path: Path, trust_proxy: bool) -> Iterator[int]:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("WMS_TRUST_PROXY", "FORWARDED_ALLOW_IPS")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY="proxy-test",
        WMS_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    if trust_proxy:
        env["WMS_TRUST_PROXY"] = "1"
    proc = subprocess.Popen(_make_run_command(port), cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
            finally:
                conn.close()
        else:
            raise RuntimeError("gunicorn did not start")
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _login_page(port: int) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/login", headers={"X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


@pytest.fixture
def served_db(_sqlite_template: str, tmp_path: Path) -> Path:
    path = tmp_path / "served.sqlite3"
    shutil.copy(_sqlite_template, path)
    return path


@pytest.mark.parametrize("trust_proxy", [False, True], ids=["no proxy", "WMS_TRUST_PROXY=1"])
def test_a_forwarded_https_claim_counts_only_behind_a_trusted_proxy(
    served_db: Path, tmp_path: Path, trust_proxy: bool
) -> None:
    with served(served_db, tmp_path, trust_proxy) as port:
        response = _login_page(port)
    assert response.status == 200
    cookie = response.getheader("Set-Cookie") or ""
    assert "session=" in cookie
    assert ("Secure" in cookie) is trust_proxy
    assert (response.getheader("Strict-Transport-Security") is not None) is trust_proxy


def test_a_request_over_tls_gets_hsts(client: FlaskClient) -> None:
    over_tls = client.get("/login", base_url="https://wms.example")
    assert over_tls.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers
