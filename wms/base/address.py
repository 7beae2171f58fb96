"""A postal address: where a parcel goes or comes from, as carriers take it and labels print it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Address:
    name: str
    street1: str
    city: str = ""
    zip: str = ""
    country: str = "US"
    state: str = ""
    street2: str = ""
    company: str = ""
    phone: str = ""
    email: str = ""

    @classmethod
    def of(cls, data: dict[str, Any] | None, name: str = "", email: str = "") -> Address:
        """An address from stored or posted fields, trimmed, its country code upper-case;
        ``name`` and ``email`` stand in for fields the data leaves empty."""
        data = data or {}

        def get(key: str, default: str = "") -> str:
            return str(data.get(key) or default).strip()

        return cls(
            name=get("name", name),
            street1=get("street1"),
            city=get("city"),
            zip=get("zip"),
            country=get("country", "US").upper(),
            state=get("state"),
            street2=get("street2"),
            company=get("company"),
            phone=get("phone"),
            email=get("email", email),
        )
