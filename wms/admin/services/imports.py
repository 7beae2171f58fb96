"""CSV import jobs: upload, check a chunk per poll, preview, then write everything at once.

Why chunks driven by the polling and not a background thread: the app servers
are stateless and may be several processes (gunicorn) or machines. A job that
lives in a table and is advanced a chunk at a time by whichever server the
progress bar's poll reaches survives a worker restart, needs no thread to
supervise, and works the same on SQLite (one writer) and PostgreSQL. Checking
writes nothing but the job's own rows, so it can be spread over many small
transactions; the import itself must be all-or-nothing, so it is ONE
transaction that checks every row again against the data as it is at that
moment (someone may have changed a product since the preview) and then
writes in set-based statements."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, insert

from wms.admin.models import ImportJob, ImportKind, ImportRowError, JobStatus
from wms.admin.rules import FileError, Table, decode, read_table
from wms.admin.services.checks import Checker, CheckResult
from wms.admin.services.place_rows import LocationChecker, StockChecker
from wms.admin.services.product_rows import ProductChecker
from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.errors import Conflict, InvalidInput
from wms.base.i18n import Number, _
from wms.database import existing
from wms.extensions import db

CHUNK_ROWS = 2000


MAX_ROWS = 50_000


def start_import(kind: str, filename: str, raw: bytes, user_id: int | None) -> ImportJob:
    """Store the file as a job; the file as a whole is checked now, its rows chunk by chunk."""
    if kind not in {k.value for k in ImportKind}:
        raise InvalidInput(_("Choose what the file holds: products, locations or opening stock."))
    if not raw:
        raise InvalidInput(_("Choose a CSV file to upload."))
    try:
        content = decode(raw)
        table = read_table(content, kind)
    except FileError as error:
        raise InvalidInput(error.args[0]) from None
    if len(table.rows) > MAX_ROWS:
        raise InvalidInput(
            _(
                "The file has %(rows)s rows; at most %(max)s at once. Split it.",
                rows=Number(len(table.rows)),
                max=Number(MAX_ROWS),
            )
        )
    job = ImportJob(
        kind=kind,
        filename=(filename or "upload.csv")[:200],
        content=content,
        total_rows=len(table.rows),
        summary={},
        created_by_id=user_id,
    )
    db.session.add(job)
    db.session.flush()
    audit.record(user_id, "import.upload", "import", job.id, kind=kind, rows=job.total_rows)
    return job


def get_job(job_id: int, lock: bool = False) -> ImportJob:
    """An import job; with ``lock``, its row locked and its state read after the lock."""
    return existing(ImportJob, job_id, _("There is no such import."), lock=lock)


def check_next_chunk(job_id: int) -> ImportJob:
    """Check the next rows of a job; two polls at once take turns on the job's row lock."""
    job = get_job(job_id, lock=True)
    if job.status != JobStatus.CHECKING:
        return job
    table = read_table(job.content, job.kind)
    start = job.checked_rows
    end = min(start + CHUNK_ROWS, len(table.rows))
    result = CHECKERS[job.kind].check(table, start, end)
    _store_problems(job, result)
    summary = Counter(job.summary or {})
    summary.update(result.summary)
    job.summary = dict(summary)
    job.checked_rows = end
    if end >= len(table.rows):
        job.status = JobStatus.CHECKED
        job.checked_at = utcnow()
    return job


def check_all(job_id: int) -> ImportJob:
    """Every chunk in one go (the command line, and tests that do not need the progress)."""
    job = get_job(job_id)
    while job.status == JobStatus.CHECKING:
        job = check_next_chunk(job_id)
    return job


def _store_problems(job: ImportJob, result: CheckResult) -> None:
    if not result.problems:
        return
    db.session.execute(
        insert(ImportRowError.__table__),
        # Written in the language of whoever checks the file (the admin watching the preview).
        [{"job_id": job.id, "row_no": line, "message": str(msg)} for line, msg in result.problems],
    )
    job.error_rows += len({line for line, _msg in result.problems})


def apply_import(job_id: int, user_id: int | None) -> ImportJob:
    """Write every row, or none: one transaction, every row checked again first."""
    job = get_job(job_id, lock=True)
    if job.status == JobStatus.APPLIED:
        raise Conflict(_("This file was imported already."))
    if job.status != JobStatus.CHECKED:
        raise Conflict(_("The file is still being checked; wait for the preview."))
    if job.error_rows:
        raise Conflict(
            _("Fix the rows with errors and upload the file again; nothing was written.")
        )
    table: Table = read_table(job.content, job.kind)
    checker = CHECKERS[job.kind]
    result = checker.check(table, 0, len(table.rows))
    if result.problems:
        # Something changed since the preview: show what, write nothing else.
        errors = ImportRowError.__table__
        db.session.execute(delete(errors).where(errors.c.job_id == job.id))
        job.error_rows = 0
        _store_problems(job, result)
        job.summary = dict(result.summary)
        return job
    applied = checker.apply(table, result, job.id, user_id)
    job.status = JobStatus.APPLIED
    job.applied_by_id = user_id
    job.applied_at = utcnow()
    job.summary = {**dict(result.summary), "written": applied}
    audit.record(
        user_id,
        "import.apply",
        "import",
        job.id,
        kind=job.kind,
        rows=job.total_rows,
        written=applied,
    )
    return job


def discard_import(job_id: int, user_id: int | None) -> ImportJob:
    job = get_job(job_id, lock=True)
    if job.status == JobStatus.APPLIED:
        raise Conflict(_("This file was imported already; it cannot be discarded."))
    job.status = JobStatus.DISCARDED
    job.content = ""  # nothing will read it again
    audit.record(user_id, "import.discard", "import", job.id)
    return job


CHECKERS: dict[str, Checker] = {
    "products": ProductChecker(),
    "locations": LocationChecker(),
    "stock": StockChecker(),
}


__all__ = ["CHECKERS", "CheckResult"]
