"""wms: warehouse fulfillment and cross-docking."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The application factory: one app per call, nothing loaded at import."""
    from wms import i18n
    from wms.base import clock
    from wms.config import load_config
    from wms.database import install_postgres_tuning, install_sqlite_tuning
    from wms.extensions import csrf, db, htmx, login_manager, migrate

    instance = os.environ.get("WMS_INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_config(Path(app.instance_path), config))
    # The warehouse's days (today, a due date, a dashboard's "today") are days in its zone.
    clock.set_zone(app.config["TIMEZONE"])

    import wms.models  # noqa: F401  (every table registered before migrations look)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    i18n.init_app(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            install_sqlite_tuning(db.engine)
        elif db.engine.dialect.name == "postgresql":
            install_postgres_tuning(db.engine)

    from sqlalchemy.orm import Session

    from wms import web
    from wms.channels import outbox
    from wms.database import install_unit_of_work

    outbox.install(Session)
    install_unit_of_work(Session)
    web.init_app(app)
    _register_blueprints(app)

    from wms.cli import register_cli

    register_cli(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from wms.admin import bp as admin_bp
    from wms.api import bp as api_bp
    from wms.auth import bp as auth_bp
    from wms.crossdock import bp as crossdock_bp
    from wms.dashboard import bp as dashboard_bp
    from wms.desk import bp as desk_bp
    from wms.floor import bp as floor_bp
    from wms.inbounds import bp as inbounds_bp
    from wms.picking import bp as picking_bp
    from wms.receiving import bp as receiving_bp
    from wms.returns import bp as returns_bp
    from wms.shipping import bp as shipping_bp
    from wms.shops import bp as shops_bp
    from wms.shops import connect as shop_channels_bp
    from wms.stockcontrol import bp as stockcontrol_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(floor_bp)
    app.register_blueprint(desk_bp, url_prefix="/desk")
    app.register_blueprint(shops_bp, url_prefix="/desk/shop-orders")
    app.register_blueprint(shop_channels_bp, url_prefix="/desk/shops")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(receiving_bp, url_prefix="/receive")
    app.register_blueprint(crossdock_bp, url_prefix="/dock")
    app.register_blueprint(inbounds_bp, url_prefix="/inbounds")
    app.register_blueprint(dashboard_bp, url_prefix="/dashboard")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(stockcontrol_bp, url_prefix="/stock")
    app.register_blueprint(shipping_bp)
    app.register_blueprint(picking_bp, url_prefix="/pick")
    app.register_blueprint(returns_bp, url_prefix="/returns")
