"""Flask extensions, created once and bound to an app in ``create_app``."""

from typing import Any

from flask_htmx import HTMX
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep migrations deterministic on PostgreSQL and let
# SQLite's batch mode find them again.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Session(FlaskSession):
    """The request's session, on the app's one database: it asks which engine once.

    Flask-SQLAlchemy looks the engine up for every statement, to route models to
    other databases by bind key. The app has one database and no bind keys, so the
    first answer holds for the session's life (one request, one command).
    """

    _engine: Any = None

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kw: Any) -> Any:
        if bind is not None:
            return bind
        if self._engine is None:
            self._engine = super().get_bind(mapper=mapper, clause=clause, **kw)
        return self._engine


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
