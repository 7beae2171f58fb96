"""The OpenAPI document, generated from the pydantic models that validate requests.

Each operation lists the error codes it can answer with, per status; the
answers every operation shares (a bad token, too many of them, a body that
is not JSON or too large) are added here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from wms.orders.schemas import ShortLine


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI form, e.g. /orders/{ref}
    summary: str
    body: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | None] = field(default_factory=dict)
    parameters: tuple[dict[str, Any], ...] = ()
    # Error codes this operation answers with, per status: {409: ("not_cancellable",)}.
    codes: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # Other kinds of content for a success, e.g. {200: ("application/pdf", "text/plain")}.
    files: dict[int, tuple[str, ...]] = field(default_factory=dict)


# Every code the API answers with, and what it means.
ERROR_CODES = {
    "invalid_json": "400: the body is not JSON (or is empty, or nested too deeply).",
    "bad_request": "400: the request could not be read.",
    "unauthorized": "401: the API token is missing or not valid.",
    "not_found": "404: no such order or inbound for this channel.",
    "order_not_found": "404: the order a return names is not this channel's.",
    "return_not_found": "404: no such return for this channel.",
    "no_label": "404: the return has no label yet.",
    "method_not_allowed": "405: the path does not take that method (see Allow).",
    "insufficient_stock": "409: lines cannot be reserved or wait; every short line is listed.",
    "idempotency_conflict": "409: the external_id was sent before with other contents.",
    "not_cancellable": "409: the order has started moving.",
    "order_cancelled": "409: the order is cancelled.",
    "inbound_exists": "409: the channel's reference was sent before with other lines or time.",
    "not_returnable": "409: more than was shipped and not yet returned.",
    "return_closed": "409: the return is closed or cancelled.",
    "label_in_progress": "409: the label is being bought; ask again in a moment.",
    "conflict": "409: the change clashed with another one.",
    "too_large": "413: the body is larger than the API takes.",
    "invalid_body": "422: the body does not match the schema; errors name each field.",
    "invalid_query": "422: a query parameter is not valid (cursor, limit) or not taken at all.",
    "invalid": "422: the request is not valid (a NUL character, a repeated SKU).",
    "unknown_sku": "422: a SKU the warehouse does not know; skus lists them.",
    "unknown_language": "422: an order's language the warehouse does not speak.",
    "label_refused": "422: the carrier refused the label (an address, say).",
    "too_many_failures": "429: too many wrong tokens from this address; see Retry-After.",
    "server_error": "500: nothing was saved; try again.",
    "carrier_unavailable": "503: the carrier did not answer; try again.",
    "database_unavailable": "503: the database is down or busy; try again after Retry-After.",
    "error": "503: the database did not save the change; try again.",
}


class ErrorOut(BaseModel):
    code: str = Field(
        description="Stable, machine-readable error code: "
        + " ".join(f"`{code}` {meaning}" for code, meaning in ERROR_CODES.items()),
        json_schema_extra={"enum": list(ERROR_CODES)},
    )
    message: str = Field(description="One sentence for a person.")
    items: list[ShortLine] | None = None
    errors: list[dict[str, object]] | None = None


OPERATIONS: list[Operation] = []

STATUS_WORDS = {
    200: "OK",
    201: "Created",
    304: "Not modified",
    400: "The body is not JSON",
    401: "The token is missing or not valid",
    404: "Not found, or not this channel's",
    409: "Conflict",
    413: "The body is too large",
    422: "The request is not valid",
    429: "Too many wrong tokens from this address: wait Retry-After seconds",
    503: "Unavailable for a moment: try again",
}


def document(op: Operation) -> Operation:
    OPERATIONS.append(op)
    return op


def query_names(method: str, path: str) -> frozenset[str] | None:
    """The query parameters an operation takes, or None when it is not documented."""
    for op in OPERATIONS:
        if op.method == method and op.path == path:
            return frozenset(p["name"] for p in op.parameters if p["in"] == "query")
    return None


def shared_codes(op: Operation) -> dict[int, tuple[str, ...]]:
    """The answers every operation of this shape can give, besides its own."""
    codes: dict[int, tuple[str, ...]] = {401: ("unauthorized",), 429: ("too_many_failures",)}
    # A query parameter the operation does not take, or a NUL character in the query.
    invalid: tuple[str, ...] = ("invalid_query", "invalid")
    if op.body is not None:
        codes[400] = ("invalid_json",)
        codes[413] = ("too_large",)
        invalid = ("invalid_body", *invalid)
    codes[422] = invalid
    # The database down or restarting: any operation may be asked again after Retry-After.
    codes[503] = ("database_unavailable",)
    if op.method == "post":  # a change that could not be saved as it was
        codes[409] = ("conflict",)
        codes[503] = ("database_unavailable", "error")
    if any(p["in"] == "path" for p in op.parameters):
        codes[404] = ("not_found",)
    return codes


def all_codes(op: Operation) -> dict[int, tuple[str, ...]]:
    merged = dict(shared_codes(op))
    for status, codes in op.codes.items():
        merged[status] = tuple(dict.fromkeys((*codes, *merged.get(status, ()))))
    return dict(sorted(merged.items()))


def build(server_url: str = "/api/v1") -> dict[str, Any]:
    components: dict[str, Any] = {}

    def ref(model: type[BaseModel]) -> dict[str, Any]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            components[name] = sub
        components[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        item: dict[str, Any] = {
            "summary": op.summary,
            "operationId": f"{op.method}_{op.path}".replace("/", "_")
            .replace("{", "")
            .replace("}", ""),
            "parameters": list(op.parameters),
            "responses": {},
            "security": [{"bearer": []}],
        }
        if op.body is not None:
            item["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(op.body)}},
            }
        for status, model in op.responses.items():
            out: dict[str, Any] = {"description": STATUS_WORDS.get(status, "Response")}
            if model is not None:
                out["content"] = {"application/json": {"schema": ref(model)}}
            for mimetype in op.files.get(status, ()):
                out.setdefault("content", {})[mimetype] = {
                    "schema": {"type": "string", "format": "binary"}
                }
            item["responses"][str(status)] = out
        for status, codes in all_codes(op).items():
            words = STATUS_WORDS.get(status, "Error")
            item["responses"][str(status)] = {
                "description": f"{words}: code {', '.join(f'`{c}`' for c in codes)}.",
                "content": {"application/json": {"schema": ref(ErrorOut)}},
            }
        paths.setdefault(op.path, {})[op.method] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "wms channel API",
            "version": "1",
            "description": "Order intake, availability and inbounds for sales channels. "
            "Errors are JSON with a stable `code` and a `message` sentence; each "
            "operation lists the codes it can answer with. A channel sees only its own "
            "orders, returns and inbounds: another channel's are 404, as if they did not "
            'exist. Counts are JSON integers ("1", 1.0 and true are refused); times '
            "are ISO 8601 from 2000 to 2099.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
