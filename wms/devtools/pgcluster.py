"""A throwaway PostgreSQL cluster for tests and benchmarks.

The server refuses to run as root, so when we are root it runs as the
``postgres`` system user, in a temporary directory that user owns, on
127.0.0.1 and a free port; clients connect over TCP as a superuser role
named after us.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


def find_bindir() -> Path:
    override = os.environ.get("PG_BINDIR")
    if override:
        return Path(override)
    try:
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if (Path(out) / "initdb").exists():
            return Path(out)
    except (OSError, subprocess.CalledProcessError):
        pass
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not found:
        raise RuntimeError("PostgreSQL server binaries (initdb) not found; install postgresql.")
    return Path(found[0]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    bindir: Path = field(default_factory=find_bindir)
    port: int = field(default_factory=_free_port)
    datadir: Path | None = None
    settings: dict[str, str] = field(default_factory=dict)
    _tmp: Path | None = None
    _options: str = ""

    @property
    def _as_postgres(self) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--"]
        return []

    @property
    def superuser(self) -> str:
        return "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.superuser}@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> Cluster:
        self._tmp = Path(tempfile.mkdtemp(prefix="wms-pg-"))
        self.datadir = self._tmp / "data"
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            os.chown(self._tmp, pg.pw_uid, pg.pw_gid)
        subprocess.run(
            [
                *self._as_postgres,
                str(self.bindir / "initdb"),
                "-D",
                str(self.datadir),
                "-A",
                "trust",
                "-U",
                self.superuser,
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self._tmp),
            "fsync": "off",
            "full_page_writes": "off",
            "max_connections": "200",
            "shared_buffers": "128MB",
            **self.settings,
        }
        self._options = " ".join(f"-c {k}={v}" for k, v in options.items())
        self.start_server()
        return self

    def start_server(self) -> None:
        """Start the server of a cluster made by ``start`` (again, after ``stop_server``)."""
        assert self.datadir is not None and self._tmp is not None, "start() first"
        subprocess.run(
            [
                *self._as_postgres,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-o",
                self._options,
                "-l",
                str(self._tmp / "server.log"),
                "-w",
                "-t",
                "30",
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def stop_server(self, mode: str = "fast") -> None:
        """Stop the server, keeping the cluster: what an operator's restart does."""
        assert self.datadir is not None, "start() first"
        subprocess.run(
            [
                *self._as_postgres,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-m",
                mode,
                "-w",
                "stop",
            ],
            check=True,
            capture_output=True,
        )

    def create_database(self, name: str, template: str | None = None) -> str:
        extra = ["-T", template] if template else []
        subprocess.run(
            [
                str(self.bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.superuser,
                *extra,
                name,
            ],
            check=True,
            capture_output=True,
        )
        return self.url(name)

    def stop(self) -> None:
        if self.datadir is not None and self.datadir.exists():
            subprocess.run(
                [
                    *self._as_postgres,
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.datadir),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                capture_output=True,
            )
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_until_ready(cluster: Cluster, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", cluster.port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("PostgreSQL did not start")
