"""The OpenAPI document, generated from the pydantic models that validate requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from wms.api.schemas import ErrorOut


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI form, e.g. /orders/{ref}
    summary: str
    body: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | None] = field(default_factory=dict)
    parameters: tuple[dict[str, Any], ...] = ()


OPERATIONS: list[Operation] = []

COMMON_ERRORS = {
    401: "The token is missing or not valid.",
    413: "The body is too large.",
    422: "The body is not valid.",
}


def document(op: Operation) -> Operation:
    OPERATIONS.append(op)
    return op


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
            item["responses"][str(status)] = _response(status, model, ref)
        for status, text in COMMON_ERRORS.items():
            if status == 422 and op.body is None and not op.parameters:
                continue
            item["responses"].setdefault(
                str(status),
                {"description": text, "content": {"application/json": {"schema": ref(ErrorOut)}}},
            )
        paths.setdefault(op.path, {})[op.method] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "wms channel API",
            "version": "1",
            "description": "Order intake, availability and inbounds for sales channels. "
            "Errors are JSON with a stable `code` and a `message` sentence.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _response(status: int, model: type[BaseModel] | None, ref: Any) -> dict[str, Any]:
    descriptions = {
        200: "OK",
        201: "Created",
        304: "Not modified",
        404: "Not found",
        409: "Conflict",
    }
    out: dict[str, Any] = {"description": descriptions.get(status, "Response")}
    if model is not None:
        out["content"] = {"application/json": {"schema": ref(model)}}
    return out
