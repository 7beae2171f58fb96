"""Replies to floor actions, kept so a retried request is applied once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wms.base.clock import utcnow
from wms.extensions import db


class ScanReply(db.Model):
    __tablename__ = "scan_replies"

    # Made by the handheld for each scan; a retry sends the same id.
    scan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    path: Mapped[str] = mapped_column(String(200))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_scan_replies_created_at", "created_at"),)
