"""Requests generated from the application's own OpenAPI document, for tests that must cover
every operation (the tenancy matrix, the injection tests): a new endpoint is covered the day it
appears, and one these helpers cannot fill makes those tests fail instead of being skipped.

- :func:`operations` lists every operation with its path, query and body description.
- :func:`example_value` builds a small value that satisfies a schema (first enum member,
  shortest allowed string, minimum number, required properties only).
- :func:`string_fields` names every query parameter and JSON body field that takes a string
  (directly, in an ``anyOf``, as array items, or as the values of a free-form object), and
  whether the schema constrains it (format, enum, pattern, maximum length) or leaves it free.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

JsonSchema = dict[str, Any]
BodyKind = Literal["json", "multipart", "binary"]
FieldPlace = Literal["query", "json"]
FieldShape = Literal["string", "array", "object"]

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_PATH_PARAMETER = re.compile(r"{([^}]+)}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    path_params: tuple[str, ...]
    query_params: Mapping[str, JsonSchema]
    body_kind: BodyKind | None
    body_schema: JsonSchema | None
    body_required: bool
    secured: bool

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path} ({self.operation_id})"

    def url(self, values: Mapping[str, str]) -> str:
        """The path with every ``{parameter}`` replaced by ``values[parameter]``."""
        return _PATH_PARAMETER.sub(lambda match: values[match.group(1)], self.path)


@dataclass(frozen=True)
class StringField:
    """One string-taking input of an operation."""

    place: FieldPlace
    name: str
    shape: FieldShape
    schema: JsonSchema = field(repr=False)

    def constrained_for(self, value: str) -> bool:
        """Whether the schema alone must refuse ``value`` or everything unlike it: a format
        (uuid, email, date...), an enum, a pattern, a non-string type, or a maximum length
        ``value`` passes. A free-form object's values are never constrained by the schema."""
        if self.shape == "object":
            return False
        return _refuses(self.schema, value)


class OpenApiDocument:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.components: Mapping[str, JsonSchema] = document.get("components", {}).get(
            "schemas", {}
        )

    def resolve(self, schema: JsonSchema) -> JsonSchema:
        """Follow ``$ref`` chains to the schema they name."""
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def operations(self) -> list[Operation]:
        found: list[Operation] = []
        for path, item in self.document["paths"].items():
            for method in HTTP_METHODS:
                if method in item:
                    found.append(self._operation(method, path, item[method]))
        return found

    def _operation(self, method: str, path: str, spec: Mapping[str, Any]) -> Operation:
        query = {
            parameter["name"]: self.resolve(parameter.get("schema", {}))
            for parameter in spec.get("parameters", [])
            if parameter["in"] == "query"
        }
        body_kind: BodyKind | None = None
        body_schema: JsonSchema | None = None
        request_body = spec.get("requestBody", {})
        content = request_body.get("content", {})
        if "application/json" in content:
            body_kind, body_schema = "json", content["application/json"].get("schema", {})
        elif "multipart/form-data" in content:
            body_kind, body_schema = "multipart", content["multipart/form-data"].get("schema", {})
        elif content:
            body_kind, body_schema = "binary", next(iter(content.values())).get("schema", {})
        return Operation(
            method=method,
            path=path,
            operation_id=str(spec.get("operationId", f"{method} {path}")),
            path_params=tuple(_PATH_PARAMETER.findall(path)),
            query_params=query,
            body_kind=body_kind,
            body_schema=self.resolve(body_schema) if body_schema is not None else None,
            body_required=bool(request_body.get("required", False)),
            secured=bool(spec.get("security")),
        )

    def example_value(self, schema: JsonSchema) -> Any:
        """A small value the schema accepts (required object properties only)."""
        schema = self.resolve(schema)
        if "default" in schema:
            return copy.deepcopy(schema["default"])
        if "enum" in schema:
            return schema["enum"][0]
        choices: list[JsonSchema] = [self.resolve(c) for c in schema.get("anyOf", [])]
        if choices:
            usable = [c for c in choices if c.get("type") != "null"] or choices
            return self.example_value(usable[0])
        if schema.get("type") == "object" or "properties" in schema:
            return {
                name: self.example_value(prop)
                for name, prop in schema.get("properties", {}).items()
                if name in schema.get("required", [])
            }
        return _example_scalar(schema)

    def string_fields(self, operation: Operation) -> list[StringField]:
        """Every query parameter and top-level JSON body property that takes a string."""
        found = [
            StringField("query", name, "string", schema)
            for name, schema in operation.query_params.items()
        ]
        if operation.body_kind == "json" and operation.body_schema is not None:
            for name, prop in operation.body_schema.get("properties", {}).items():
                shape = self._shape(self.resolve(prop))
                if shape is not None:
                    found.append(StringField("json", name, shape, self.resolve(prop)))
        return found

    def _shape(self, schema: JsonSchema) -> FieldShape | None:
        choices = [self.resolve(c) for c in schema.get("anyOf", [schema])]
        kinds = {c.get("type") for c in choices} - {"null"}
        if "string" in kinds:
            return "string"
        if "array" in kinds:
            return "array"
        if "object" in kinds:
            return "object"
        # Numbers and booleans also take the injected strings: they must refuse them.
        return "string" if kinds & {"integer", "number", "boolean"} else None


def _example_scalar(schema: JsonSchema) -> Any:
    kind = schema.get("type")
    if kind == "array":
        return []
    if kind in {"integer", "number"}:
        lowest = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
        return int(lowest) if kind == "integer" else float(lowest)
    if kind == "boolean":
        return False
    if kind == "string":
        return _example_string(schema)
    raise ValueError(f"no example for schema {schema}")


def _example_string(schema: JsonSchema) -> str:
    formats = {
        "uuid": "00000000-0000-4000-8000-000000000000",
        "email": "someone@example.com",
        "date-time": "2024-01-01T00:00:00Z",
        "date": "2024-01-01",
        "uri": "https://example.com/",
        "binary": "",
    }
    if schema.get("format") in formats:
        return formats[schema["format"]]
    return "x" * max(1, int(schema.get("minLength", 1)))


def _refuses(schema: JsonSchema, value: str) -> bool:
    choices = schema.get("anyOf", [schema])
    return all(_choice_refuses(choice, value) for choice in choices)


def _choice_refuses(schema: JsonSchema, value: str) -> bool:
    kind = schema.get("type")
    if kind == "array":
        return _choice_refuses(schema.get("items", {}), value)
    if kind in {"integer", "number", "boolean"}:
        return not _numeric_or_boolean_text(value)
    pattern = schema.get("pattern")
    return (
        kind == "null"
        or ("enum" in schema and value not in schema["enum"])
        or schema.get("format") not in {None, "binary"}
        or (pattern is not None and re.search(pattern, value) is None)
        or len(value) > int(schema.get("maxLength", 10**12))
    )


def _numeric_or_boolean_text(value: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(\.\d+)?|true|false", value.strip(), flags=re.IGNORECASE))
