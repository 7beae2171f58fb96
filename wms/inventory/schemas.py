"""Availability as channels see it (the API's answer and the webhooks' payload)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class AvailabilityOut(BaseModel):
    sku: str
    available: int = Field(description="Published: available to promise less safety stock.")
    available_to_promise: int
    on_hand: int
    reserved: int
    backordered: int
    preorder: bool
    preorder_available: int | None = None
    release_on: date | None = None


class AvailabilityPage(BaseModel):
    items: list[AvailabilityOut]
    next_cursor: int | None = None
