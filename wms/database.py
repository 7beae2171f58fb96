"""Engine tuning per database, and small helpers that differ by dialect."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from wms.extensions import db

T = TypeVar("T")

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sqlite_wants_write_lock() -> bool:
    # A request that only reads starts a deferred transaction so readers never
    # queue behind the writer; everything else takes the write lock up front,
    # which avoids SQLITE_BUSY_SNAPSHOT failing a late write immediately.
    if has_request_context():
        return request.method not in _READ_METHODS
    return True


def install_sqlite_tuning(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE for writers."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = "IMMEDIATE" if _sqlite_wants_write_lock() else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def is_unavailable(error: BaseException) -> bool:
    """The database cannot answer now (down, restarting, dropped us, locked, out of
    connections): worth trying again in a moment, unlike a bug or a refused change."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(
        error,
        (
            sa_exc.OperationalError,  # also SQLite's "database is locked"
            sa_exc.InterfaceError,
            sa_exc.DisconnectionError,
            sa_exc.TimeoutError,  # no pooled connection came free
        ),
    )


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def for_update(stmt: Any, **kwargs: Any) -> Any:
    """Row locks on PostgreSQL; on SQLite the write transaction already holds the lock."""
    if is_postgres():
        return stmt.with_for_update(**kwargs)
    return stmt


def prebuilt(build: Callable[[], T]) -> Callable[[], T]:
    """A statement built once per kind of database, then reused with bind parameters.

    Building a statement and working out its cache key cost more than
    running it: the hot paths (a scan, a reservation) build theirs once.
    """
    built: dict[str, T] = {}

    @functools.wraps(build)
    def get() -> T:
        name = db.engine.dialect.name
        stmt = built.get(name)
        if stmt is None:
            stmt = built[name] = build()
        return stmt

    return get
