"""CSV import jobs: the uploaded file, how far checking got, and every bad row."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wms.base.clock import utcnow
from wms.base.i18n import N_
from wms.base.types import BigId
from wms.extensions import db


class ImportKind(StrEnum):
    PRODUCTS = "products"
    LOCATIONS = "locations"
    STOCK = "stock"  # opening stock


class JobStatus(StrEnum):
    CHECKING = "checking"  # rows are being checked, a chunk per poll
    CHECKED = "checked"  # preview ready: errors to fix, or ready to import
    APPLIED = "applied"  # written, all rows in one transaction
    DISCARDED = "discarded"


# A job's state as people read it (shown through the catalog).
JOB_STATUS_LABELS = {
    JobStatus.CHECKING: N_("checking"),
    JobStatus.CHECKED: N_("checked"),
    JobStatus.APPLIED: N_("imported"),
    JobStatus.DISCARDED: N_("discarded"),
}


class ImportJob(db.Model):
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    filename: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default=JobStatus.CHECKING)
    # The file as uploaded (UTF-8 text); kept so checking and writing read the same rows.
    content: Mapped[str] = mapped_column(Text, deferred=True)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    checked_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, default=0)
    # What the import would do (new, changed, unchanged), filled while checking.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column()
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_import_jobs_created_at", "created_at"),)

    @property
    def status_label(self) -> str:
        """The state in words, marked for the catalog: show it with ``_()``."""
        return JOB_STATUS_LABELS.get(JobStatus(self.status), self.status)

    @property
    def is_checking(self) -> bool:
        """Rows are still being checked: the page keeps asking for the next chunk."""
        return self.status == JobStatus.CHECKING

    @property
    def can_import(self) -> bool:
        """Checked, and every row is good: the import may write it."""
        return self.status == JobStatus.CHECKED and not self.error_rows

    @property
    def progress_pct(self) -> int:
        if not self.total_rows:
            return 100
        return min(100, self.checked_rows * 100 // self.total_rows)


class ImportRowError(db.Model):
    """One bad row of an import, in plain words; ``row_no`` is the line in the file."""

    __tablename__ = "import_row_errors"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id"))
    row_no: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_import_row_errors_job", "job_id", "row_no"),)
