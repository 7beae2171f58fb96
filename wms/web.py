"""The request lifecycle shared by every screen: sign-in, one commit, errors, replays."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from sqlalchemy import and_, bindparam, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from wms.auth.models import User
from wms.base.clock import utcnow
from wms.base.errors import DomainError
from wms.base.i18n import N_, Text, _
from wms.database import ROW_ID_MAX, is_unavailable, prebuilt
from wms.extensions import db, htmx, login_manager
from wms.floor.models import ScanReply
from wms.navigation import menu_for

log = logging.getLogger(__name__)

# The parcel tracking page is the URL the channel gives the customer.
PUBLIC_ENDPOINTS = frozenset(
    {"auth.login", "static", "healthz", "shipping.track", "shipping.track_form"}
)
# Public pages people read: a signed-in reader still reads them in their own language.
SPOKEN_PUBLIC_ENDPOINTS = frozenset({"shipping.track", "shipping.track_form"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Headers worth replaying with a stored answer.
# Location: a desk form sent twice is answered, the second time too, by the page it led to.
REPLAYED_HEADERS = (
    "HX-Trigger",
    "HX-Retarget",
    "HX-Reswap",
    "HX-Redirect",
    "HX-Push-Url",
    "Location",
)

HTTP_SENTENCES = {
    400: N_("The request was not understood."),
    401: N_("Your session has ended. Log in again."),
    403: N_("Your role does not allow this screen."),
    404: N_("There is no such page."),
    405: N_("That action is not allowed here."),
    413: N_("What was sent is too large."),
    429: N_("Too many requests. Wait a moment and try again."),
}
DATABASE_UNAVAILABLE = N_(
    "The database cannot be reached just now. Nothing was saved; try again in a moment."
)
RETRY_AFTER_SECONDS = 5


class _SessionInterface(SecureCookieSessionInterface):
    """Session cookie is Secure whenever the request itself came over TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return configured or (has_request_context() and request.is_secure)


class RowId(IntegerConverter):
    """``<int:...>`` in an address: the id of a row, which a table's key holds (32 bits;
    ``<bigid:...>`` for the tables whose key is 64 bits). A larger number names no row,
    so the page does not exist: a 404 whatever the method (no address takes anything
    else where an id goes), rather than a query the database refuses to run."""

    largest = ROW_ID_MAX

    def to_python(self, value: str) -> int:
        number = int(super().to_python(value))
        if number > self.largest:
            raise NotFound()
        return number


class BigRowId(RowId):
    largest = 2**63 - 1


def init_app(app: Flask) -> None:
    """Before the blueprints are registered: their routes' ``int`` is ``RowId``."""
    app.url_map.converters["int"] = RowId
    app.url_map.converters["bigid"] = BigRowId
    app.session_interface = _SessionInterface()
    if app.config.get("TRUST_PROXY"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    login_manager.login_view = "auth.login"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)

    app.before_request(_start_clock)
    app.before_request(_refuse_nul)
    app.before_request(_require_login)
    app.before_request(_replay_scan)
    # After-request functions run last-registered first: the headers (and the
    # server time they report) come after the commit, so the time includes it.
    app.after_request(_headers)
    app.after_request(_finish_transaction)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    app.add_url_rule("/healthz", "healthz", healthz)
    # A global, not a context processor: nothing to work out on each page drawn.
    app.add_template_global(menu_for)


def _load_user(user_id: str) -> User | None:
    """The signed-in user; on a scan, any answer already stored for it comes in the same query."""
    scan_id = _scan_id()
    if scan_id is None:
        user = db.session.get(User, int(user_id))
    else:
        row = db.session.execute(_user_and_reply(), {"uid": int(user_id), "sid": scan_id}).first()
        user, g.scan_reply = row if row is not None else (None, None)
        g.scan_reply_checked = True
    return user if user is not None and user.active else None


@prebuilt
def _user_and_reply() -> Any:
    return (
        select(User, ScanReply)
        .outerjoin(
            ScanReply,
            and_(ScanReply.scan_id == bindparam("sid"), ScanReply.user_id == User.id),
        )
        .where(User.id == bindparam("uid"))
    )


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _unauthorized() -> Any:
    if htmx:
        response = _render_message(_(HTTP_SENTENCES[401]), 401)
        response.headers["HX-Redirect"] = url_for("auth.login")
        return response
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _start_clock() -> None:
    g.started = time.perf_counter()


def _refuse_nul() -> Any:
    """A NUL character is never a real scan or name, and databases refuse it."""
    if b"\x00" in request.query_string or b"%00" in request.query_string:
        return _error_response(
            _("The request holds a character that is not allowed."), 422, "invalid"
        )
    # The API reads its bodies raw (a shop's webhook signs the bytes): no form parsing.
    if (
        request.method not in READ_METHODS
        and not _is_api()
        and request.mimetype
        in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        )
    ):
        for values in request.form.listvalues():
            if any("\x00" in v for v in values):
                return _error_response(
                    _("The request holds a character that is not allowed."), 422, "invalid"
                )
    return None


def _require_login() -> Any:
    if request.endpoint in SPOKEN_PUBLIC_ENDPOINTS and "_user_id" in session:
        # A page anyone may open speaks the language of whoever is signed in.
        current_user._get_current_object()
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None or _is_api():
        return None
    if not current_user.is_authenticated:
        return _unauthorized()
    return None


def _scan_id() -> str | None:
    if request.method in READ_METHODS or _is_api():
        return None
    scan_id = request.form.get("scan_id", "").strip()
    return scan_id[:64] or None


def _replay_scan() -> Response | None:
    """A scan sent again (retry after a timeout) gets the first answer, applied once."""
    scan_id = _scan_id()
    g.scan_id = scan_id
    if not scan_id or not current_user.is_authenticated:
        return None
    # Usually looked up with the user already (see _load_user).
    checked = g.get("scan_reply_checked")
    reply = g.scan_reply if checked else db.session.get(ScanReply, scan_id)
    if reply is None or reply.user_id != current_user.id:
        return None
    g.replayed = True
    return _reply_response(reply)


def _reply_response(reply: ScanReply) -> Response:
    response = Response(reply.body, status=reply.status_code, mimetype="text/html")
    for name, value in json.loads(reply.headers or "{}").items():
        response.headers[name] = value
    response.headers["X-Scan-Replayed"] = "1"
    return response


def _finish_transaction(response: Response) -> Response:
    """One commit per action; anything but success rolls the whole action back.

    An action that committed early (``wms.database.commit_early``) has its rest
    committed here the same way.
    """
    if request.method in READ_METHODS or response.status_code >= 400 or g.get("replayed"):
        db.session.rollback()
        return response
    scan_id = g.get("scan_id")
    try:
        if scan_id and current_user.is_authenticated and not response.direct_passthrough:
            _store_reply(scan_id, response)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if scan_id:
            # The same scan won a race with this retry: answer as it did.
            reply = db.session.get(ScanReply, scan_id)
            if reply is not None:
                return _reply_response(reply)
        log.exception("commit refused")
        return _error_response(
            _("The change clashed with another one and was not saved."), 409, "conflict"
        )
    except SQLAlchemyError as error:
        _rollback_quietly()
        if is_unavailable(error):
            return _database_unavailable(error)
        log.exception("commit failed")
        return _error_response(
            _("The database did not save this. Nothing changed; try again."), 503
        )
    return response


def _twin_reply() -> Response | None:
    """A scan refused because the same scan (a retry that overlapped it) was just applied:
    the first answer, as a retry arriving a moment later gets."""
    scan_id = g.get("scan_id")
    if not scan_id or not current_user.is_authenticated:
        return None
    reply = db.session.get(ScanReply, scan_id)
    if reply is None or reply.user_id != current_user.id:
        return None
    g.replayed = True
    return _reply_response(reply)


def _store_reply(scan_id: str, response: Response) -> None:
    """Keep the answer, in the scan's own transaction, for a retry of the same scan."""
    headers = {h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers}
    db.session.execute(
        _insert_reply(),
        {
            "scan_id": scan_id,
            "user_id": current_user.id,
            "path": request.path[:200],
            "status_code": response.status_code,
            "body": response.get_data(as_text=True),
            "headers": json.dumps(headers),
            "created_at": utcnow(),
        },
    )


@prebuilt
def _insert_reply() -> Any:
    # A Core insert: the ORM's unit of work cost more than the insert itself.
    return insert(ScanReply.__table__)


def _headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
        response.headers.setdefault("Cache-Control", "no-store")
    started = g.get("started")
    if started is not None:
        # Server time, for the browser's network panel and for the benchmarks.
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    if request.is_secure:  # came over TLS (or from a trusted proxy that says so)
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'",
    )
    return response


def _render_message(message: Text | str, status: int, kind: str = "error") -> Response:
    if htmx:
        body = render_template("_message.html", message=message, kind=kind)
    else:
        body = render_template("error.html", message=message, status=status)
    return Response(body, status=status, mimetype="text/html")


def _error_response(message: Text | str, status: int, code: str | None = None) -> Response:
    if _is_api():
        code = code or {401: "unauthorized", 403: "forbidden", 404: "not_found"}.get(
            status, "error"
        )
        response = jsonify({"code": code, "message": str(message)})
        response.status_code = status
        return response
    return _render_message(message, status)


def _domain_error(error: DomainError) -> Response:
    db.session.rollback()
    twin = _twin_reply()
    if twin is not None:
        return twin
    if _is_api():
        response = jsonify(error.to_json())
        response.status_code = error.status
    else:
        response = _render_message(error.message, error.status)
    response.headers.extend(getattr(error, "headers", {}))  # Retry-After of a 429
    return response


def _http_error(error: HTTPException) -> Response:
    db.session.rollback()
    status = error.code or 500
    sentence = HTTP_SENTENCES.get(status)
    message: Text | str = _(sentence) if sentence else error.description or _("The request failed.")
    if status == 400 and "CSRF" in (error.description or ""):
        if htmx and not current_user.is_authenticated:
            # The session ended (its token went with it): a handheld asks for the
            # badge in place and sends the scan again.
            return _unauthorized()  # type: ignore[no-any-return]
        message = _("This page has expired. Reload it and try again.")
    code = {413: "too_large", 405: "method_not_allowed", 400: "bad_request"}.get(status)
    response = _error_response(message, status, code)
    for name, value in error.get_headers():
        if name in ("Allow", "Retry-After"):  # a 405 says which methods are allowed
            response.headers[name] = value
    return response


def _server_error(error: Exception) -> Response:
    if is_unavailable(error):
        _rollback_quietly()
        return _database_unavailable(error)
    db.session.rollback()
    log.exception("unhandled error", exc_info=error)
    return _error_response(
        _("Something went wrong on the server. Nothing was saved; try again."),
        500,
        "server_error",
    )


def _database_unavailable(error: Exception) -> Response:
    """Down, restarting or busy: a stable code and when to try again, not a server error."""
    log.warning("database unavailable: %s", str(getattr(error, "orig", error)).strip()[:200])
    if _is_api():
        response = _error_response(_(DATABASE_UNAVAILABLE), 503, "database_unavailable")
    else:
        # Without the template context processors: they would ask the database for the user.
        template = current_app.jinja_env.get_template("_message.html" if htmx else "error.html")
        body = template.render(message=_(DATABASE_UNAVAILABLE), kind="error", status=503)
        response = Response(body, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _rollback_quietly() -> None:
    with contextlib.suppress(SQLAlchemyError):  # the connection may be gone already
        db.session.rollback()


def healthz() -> Response:
    try:
        db.session.execute(select(1))
        database = "ok"
    except SQLAlchemyError:
        database = "unreachable"
    finally:
        db.session.rollback()
    response = jsonify({"status": "ok" if database == "ok" else "degraded", "database": database})
    response.status_code = 200 if database == "ok" else 503
    return response
