"""Engine tuning per database, small helpers that differ by dialect, and paging."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import has_request_context, request
from sqlalchemy import Select, Table, bindparam, event, func, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from wms.base.errors import NotFound
from wms.extensions import db

T = TypeVar("T")
M = TypeVar("M")

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


# Large values (a shop's raw order, several KB of JSON, kept with each of its orders)
# are compressed with lz4 where the server offers it: several times cheaper than the
# default pglz for the server, at about the same size. Values already stored keep
# their method; both read back alike.
_LZ4_WHERE_OFFERED = (
    "SELECT set_config('default_toast_compression', 'lz4', false) FROM pg_settings"
    " WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
)


def install_postgres_tuning(engine: Engine) -> None:
    """Each new connection compresses large values with lz4 where the server can."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cur = dbapi_connection.cursor()
        cur.execute(_LZ4_WHERE_OFFERED)
        cur.close()
        dbapi_connection.commit()  # a session setting outlives only a committed SET


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


Commit = Callable[[], None]
_AFTER_COMMIT = "wms.after_commit"


def commit_early() -> None:
    """Commit what the action has written so far: the one way to commit before the request's end.

    The request (``wms.web``), the worker and a command each commit once, at
    their end; a service never commits. Two things cannot wait for that end:

    * a call outside the database (a carrier, a shop platform, a printer): what
      was recorded for it (a label purchase under way) must be durable before
      the outside world can act on it, and no row lock may be held while it
      answers;
    * a record the answer would roll back: a failed label purchase or sign-in
      is an error answer, and what it taught must outlive it;
    * a hot row let go as soon as it changed: an order taken in during a flash
      sale commits before its answer is written.

    A route that needs it hands it to the service as an argument (``commit_early``),
    so its call says it commits early. What the action writes afterwards is a new
    transaction, which the request commits at its end as usual.
    """
    db.session.commit()


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction has committed (never if it rolls back):
    for effects outside the database that must not run ahead of the data, such as
    forgetting a cache."""
    db.session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def install_unit_of_work(session_class: type[Session]) -> None:
    """Run ``after_commit`` callbacks after each commit; drop them on rollback."""
    if event.contains(session_class, "after_commit", _run_after_commit):
        return
    event.listen(session_class, "after_commit", _run_after_commit)
    event.listen(session_class, "after_rollback", _drop_after_commit)


def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(_AFTER_COMMIT, ()):
        callback()


def _drop_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def for_update(stmt: Any, **kwargs: Any) -> Any:
    """Row locks on PostgreSQL; on SQLite the write transaction already holds the lock."""
    if is_postgres():
        return stmt.with_for_update(**kwargs)
    return stmt


def existing(model: type[M], row_id: int, missing: str, *, lock: bool = False) -> M:
    """The row of ``model`` with this id, else NotFound(``missing``). With ``lock``, its
    row is locked and its state read after the lock."""
    if lock:
        stmt = for_update(select(model).where(model.id == row_id))  # type: ignore[attr-defined]
        row = db.session.scalar(stmt.execution_options(populate_existing=True))
    else:
        row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(missing)
    return row


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


def update_by_id(table: Table, rows: list[dict[str, Any]]) -> None:
    """Change many rows by id in Core: one executemany per set of columns changed.

    Each row is ``{"id": ..., column: value, ...}``; rows may change different columns.
    """
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        columns = tuple(sorted(k for k in row if k != "id"))
        by_columns.setdefault(columns, []).append(
            {"row_id": row["id"], **{k: row[k] for k in columns}}
        )
    for group in by_columns.values():
        db.session.execute(update(table).where(table.c.id == bindparam("row_id")), group)


def insert_many(table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows in one executemany; their new ids, in the order of the rows."""
    return list(
        db.session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    )


PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


ROW_ID_MAX = 2**31 - 1  # what a table's 32-bit key holds


def row_id(raw: str | None) -> int:
    """The id of a row as a form sends it; 0 (no row) for anything no key holds."""
    try:
        number = int(raw or 0)
    except ValueError:
        return 0
    return number if 0 < number <= ROW_ID_MAX else 0


def page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


def paginate(
    stmt: Select[Any], number: int, per_page: int = PER_PAGE, scalars: bool = True
) -> Page:
    """One page of ``stmt`` (already ordered) and the total it would return."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    result = db.session.execute(stmt.limit(per_page).offset((number - 1) * per_page))
    items = list(result.scalars() if scalars else result.all())
    return Page(items, int(total or 0), number, per_page)


def like_pattern(words: str) -> str:
    """A case-insensitive LIKE pattern for what was typed; % and _ match themselves."""
    escaped = words.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
