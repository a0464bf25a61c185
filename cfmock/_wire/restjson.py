"""The REST-JSON codec of the ``cloudfront-keyvaluestore`` data plane, driven by its shapes.

URI, query-string and header members are read and written exactly as for REST-XML (shared
with :mod:`cfmock._wire.restxml`); the body is a JSON object of the remaining members, with
timestamps as epoch seconds, and errors carry their code in ``x-amzn-ErrorType``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Mapping
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from cfmock._wire.http import HttpRequest, HttpResponse
from cfmock._wire.rest import (
    error_metadata,
    fields_of,
    located_headers,
    new_request_id,
    parse_located,
)
from cfmock.exceptions import ServiceError

JSON_CONTENT_TYPE = "application/json"


def parse_request(
    operation: OperationModel, request: HttpRequest, labels: Mapping[str, str]
) -> dict[str, Any]:
    """Turn *request* into the operation's input parameters."""
    shape = operation.input_shape
    if not isinstance(shape, StructureShape):
        return {}
    fields = fields_of(shape)
    params = parse_located(fields, request, labels)
    if fields.body and request.body:
        try:
            document = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise _invalid(f"The request body is not valid JSON: {error}.") from None
        if not isinstance(document, dict):
            raise _invalid("The request body must be a JSON object.")
        for field in fields.body:
            if field.wire_name in document and document[field.wire_name] is not None:
                params[field.name] = _from_json(field.shape, document[field.wire_name], field.name)
    return params


def serialize_response(
    model: ServiceModel, operation: OperationModel, output: Mapping[str, Any]
) -> HttpResponse:
    """Render an operation's output parameters as a REST-JSON response."""
    status = int(operation.http.get("responseCode", 200))
    shape = operation.output_shape
    if not isinstance(shape, StructureShape):
        return HttpResponse(status, {"x-amzn-RequestId": new_request_id()}, b"")
    fields = fields_of(shape)
    headers = located_headers(fields, output)
    document = {
        field.wire_name: _to_json(field.shape, output[field.name])
        for field in fields.body
        if output.get(field.name) is not None
    }
    headers["Content-Type"] = JSON_CONTENT_TYPE
    return HttpResponse(status, headers, json.dumps(document).encode("utf-8"))


def serialize_error(model: ServiceModel, error: ServiceError) -> HttpResponse:
    """Render *error* with its code in ``x-amzn-ErrorType`` and the status from its shape."""
    metadata = error_metadata(model, error.code)
    request_id = new_request_id()
    headers = {
        "x-amzn-ErrorType": error.code,
        "x-amzn-RequestId": request_id,
        "Content-Type": JSON_CONTENT_TYPE,
    }
    body = json.dumps({"__type": error.code, "Message": error.message}).encode("utf-8")
    return HttpResponse(int(metadata.get("httpStatusCode", 400)), headers, body)


def _invalid(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)


def _from_json(shape: Shape, value: Any, name: str) -> Any:
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            raise _invalid(f"{name} must be a JSON object.")
        return {
            field.name: _from_json(field.shape, value[field.wire_name], field.name)
            for field in fields_of(shape).body
            if value.get(field.wire_name) is not None
        }
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            raise _invalid(f"{name} must be a JSON array.")
        return [_from_json(shape.member, item, name) for item in value]
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            raise _invalid(f"{name} must be a JSON object.")
        return {k: _from_json(shape.value, v, name) for k, v in value.items()}
    expected: dict[str, type | tuple[type, ...]] = {
        "string": str,
        "integer": int,
        "long": int,
        "boolean": bool,
        "double": (int, float),
        "float": (int, float),
        "timestamp": (int, float),
        "blob": str,
    }
    if kind in expected and (
        not isinstance(value, expected[kind]) or (kind != "boolean" and isinstance(value, bool))
    ):
        raise _invalid(f"{name} must be a {kind}, not {json.dumps(value)}.")
    if kind == "timestamp":
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    if kind == "blob":
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error:
            raise _invalid(f"{name} is not valid base64.") from None
    return value


def _to_json(shape: Shape, value: Any) -> Any:
    if isinstance(shape, StructureShape):
        return {
            field.wire_name: _to_json(field.shape, value[field.name])
            for field in fields_of(shape).body
            if value.get(field.name) is not None
        }
    if isinstance(shape, ListShape):
        return [_to_json(shape.member, item) for item in value]
    if isinstance(shape, MapShape):
        return {key: _to_json(shape.value, item) for key, item in value.items()}
    if shape.type_name == "timestamp":
        return value.timestamp()
    if shape.type_name == "blob":
        return base64.b64encode(value).decode("ascii")
    return value
