"""Configuration read from the environment, with safe local defaults; ``setting`` reads it."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app

from wms.base.money import DEFAULT_CURRENCY, normal_currency


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, or one generated once into instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _json_object(name: str) -> dict[str, Any] | None:
    raw = os.environ.get(name)
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a JSON object")
    return value


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"WMS_TIMEZONE={name!r} is not a time zone (e.g. Europe/Paris)") from None
    return name


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the app configuration; ``overrides`` win over the environment."""
    overrides = dict(overrides or {})
    instance_path.mkdir(parents=True, exist_ok=True)
    db_url = overrides.pop("SQLALCHEMY_DATABASE_URI", None) or os.environ.get("DATABASE_URL")
    if not db_url:
        db_url = f"sqlite:///{instance_path / 'wms.sqlite3'}"
    if db_url.startswith("postgres://"):
        db_url = "postgresql+psycopg://" + db_url.removeprefix("postgres://")
    elif db_url.startswith("postgresql://"):
        db_url = "postgresql+psycopg://" + db_url.removeprefix("postgresql://")
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": db_url,
        # Connections are checked by use, not by an extra round trip per request.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # CSV imports of 10,000 rows fit well inside this; API bodies have their own limit.
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "API_MAX_BODY_BYTES": 256 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "SHIPPO_API_KEY": os.environ.get("SHIPPO_API_KEY") or None,
        "SHIPPO_API_URL": os.environ.get("SHIPPO_API_URL") or None,
        # Seconds Shippo has to answer each call (connect, then each read).
        "SHIPPO_TIMEOUT": float(os.environ.get("WMS_SHIPPO_TIMEOUT", "10")),
        # Minutes a label purchase the carrier did not confirm waits for the carrier's
        # record of it before a supervisor may release the parcel to buy again.
        "LABEL_RELEASE_MINUTES": float(os.environ.get("WMS_LABEL_RELEASE_MINUTES", "15")),
        # The warehouse's currency (ISO 4217): rates are compared only within it.
        "CURRENCY": normal_currency(os.environ.get("WMS_CURRENCY") or DEFAULT_CURRENCY),
        # The ship-from address on labels: JSON with name, street1, city, state, zip, country.
        "WAREHOUSE_ADDRESS": _json_object("WMS_WAREHOUSE_ADDRESS"),
        # Where return labels send parcels; the warehouse address when unset.
        "RETURN_ADDRESS": _json_object("WMS_RETURN_ADDRESS"),
        # Orders that allow partial shipment are ready to pack when the rest has
        # no projected fill within this many days.
        "PARTIAL_READY_DAYS": int(os.environ.get("WMS_PARTIAL_READY_DAYS", "3")),
        # The Fernet key that seals shop channels' credentials. Without it the app runs,
        # but no shop channel can be added and existing ones cannot reach their shop.
        "CHANNEL_KEY": os.environ.get("WMS_CHANNEL_KEY") or None,
        # The worker reads each shop's figures back and corrects drift this often.
        "RECONCILE_MINUTES": float(os.environ.get("WMS_RECONCILE_MINUTES", "60")),
        "TRUST_PROXY": os.environ.get("WMS_TRUST_PROXY", "") == "1",
        # The language of whoever neither chose one nor has a browser that asks for one
        # we speak (a handheld's kiosk browser), and of the worker's words to customers
        # whose shop gave no language. French: the first warehouses are in France and
        # Belgium, and an operator there must never meet English by default.
        "DEFAULT_LOCALE": (os.environ.get("WMS_DEFAULT_LOCALE") or "fr").strip().lower(),
        # Dates and times on screens and prints are in the warehouse's time zone
        # (they are stored in UTC).
        "TIMEZONE": _time_zone(os.environ.get("WMS_TIMEZONE") or "Europe/Paris"),
    }
    config.update(overrides)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(instance_path)
    return config


def setting(name: str, default: Any = None) -> Any:
    """One value of the running app's configuration.

    Services read settings here rather than through Flask: they need the app (as
    they need its database), never the request.
    """
    return current_app.config.get(name, default)
