"""A postal address: where a parcel goes or comes from, as carriers take it and labels print it."""

from __future__ import annotations

from dataclasses import dataclass


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
