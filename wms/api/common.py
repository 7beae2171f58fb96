"""What every resource of the channel API shares: the blueprint, the one body reader,
the one way an answer is written, the query's numbers and its unknown names.

Errors are not mapped here: a resource raises a domain error and the request
lifecycle (``wms.web``) answers it with its status and stable ``code``, for the
API and the screens alike.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import BaseModel, ValidationError

from wms.api.openapi import query_names
from wms.base.errors import DomainError, InvalidInput
from wms.base.i18n import _, n_
from wms.extensions import csrf

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # channels authenticate with bearer tokens, not cookies

PAGE_MAX = 500
ID_MAX = 2**31 - 1

REF_PARAM = {"name": "ref", "in": "path", "required": True, "schema": {"type": "string"}}
CURSOR_PARAMS = (
    {
        "name": "cursor",
        "in": "query",
        "schema": {"type": "integer", "minimum": 0, "maximum": ID_MAX},
    },
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX},
    },
)

Body = TypeVar("Body", bound=BaseModel)


class BodyTooLarge(DomainError):
    code = "too_large"
    status = 413


class BadJson(DomainError):
    code = "invalid_json"
    status = 400


def read_body(model: type[Body]) -> Body:
    """The request's JSON body as ``model``, or 400/413/422 with a stable code."""
    limit = current_app.config["API_MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLarge(_("The body is larger than %(kb)s KB.", kb=limit // 1024))
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise BodyTooLarge(_("The body is larger than %(kb)s KB.", kb=limit // 1024))
    try:
        return model.model_validate(_parse_json(raw))
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False, include_context=False, include_input=False)
        ]
        first = errors[0]
        # The validator's own words stay as it writes them (English): they name the rule.
        message = (
            _(
                "The body is not valid: %(problem)s (%(field)s).",
                problem=first["message"],
                field=first["field"],
            )
            if first["field"]
            else _("The body is not valid: %(problem)s.", problem=first["message"])
        )
        raise InvalidInput(message, errors=errors).with_code("invalid_body") from exc


def _parse_json(raw: bytes) -> Any:
    """The body as JSON (RFC 8259: no NaN or Infinity), or 400 ``invalid_json``."""
    if not raw.strip():
        raise BadJson(_("The body is empty: send a JSON object."))
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except RecursionError as exc:
        raise BadJson(_("The body is nested too deeply to be read.")) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadJson(_("The body is not valid JSON.")) from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def answer(shape: BaseModel, status: int = 200) -> Response:
    """The answer is the documented shape itself, written as JSON."""
    return plain_answer(shape.model_dump(mode="json"), status)


def plain_answer(data: Any, status: int = 200) -> Response:
    """An answer the document describes without a shape of ours (the document itself)."""
    response = jsonify(data)
    response.status_code = status
    return response


@bp.before_request
def _refuse_unknown_query() -> None:
    """The query takes the parameters the document names, and no others (a typo such
    as ``cursr`` is refused rather than ignored)."""
    rule = request.url_rule
    if rule is None or not request.args:
        return
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
    allowed = query_names(request.method.lower(), path)
    unknown = sorted(set(request.args) - (allowed or frozenset()))
    if allowed is not None and unknown:
        names = ", ".join(repr(n) for n in unknown)
        raise InvalidInput(
            n_(
                "Unknown query parameter %(names)s.",
                "Unknown query parameters %(names)s.",
                len(unknown),
                names=names,
            )
        ).with_code("invalid_query")


def cursor_args() -> tuple[int, int]:
    """``cursor`` (the last id already seen) and ``limit`` of a paged list."""
    return whole_number("cursor", 0, 0, ID_MAX), whole_number("limit", 100, 1, PAGE_MAX)


def whole_number(name: str, default: int, low: int, high: int) -> int:
    """A query number as the document says: ASCII digits only, within its bounds."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and low <= int(raw) <= high):
        raise InvalidInput(
            _("%(name)s is a whole number from %(low)s to %(high)s.", name=name, low=low, high=high)
        ).with_code("invalid_query")
    return int(raw)
