"""The REST-JSON codec of the ``cloudfront-keyvaluestore`` data plane, driven by its shapes.

URI, query-string and header members are read and written exactly as for REST-XML (see
:mod:`cfmock._wire.rest`); the body is a JSON object of the remaining members, with
timestamps as epoch seconds, and errors carry their code in ``x-amzn-ErrorType``. Every
malformed request is answered with ``ValidationException``, the one error the data plane models
for it, and no string leaves with an unpaired surrogate.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from cfmock._wire.http import HttpRequest, HttpResponse
from cfmock._wire.rest import (
    MAX_DEPTH,
    TOO_DEEP_MESSAGE,
    MalformedRequest,
    error_metadata,
    fields_of,
    has_surrogate,
    integer,
    located_headers,
    new_request_id,
    parse_located,
    shown,
    well_formed,
    with_article,
)
from cfmock.exceptions import ServiceError

JSON_CONTENT_TYPE = "application/json"


def parse_request(
    operation: OperationModel, request: HttpRequest, labels: Mapping[str, str]
) -> dict[str, Any]:
    """Turn *request* into the operation's input parameters.

    Every member that cannot be read as its shape's type raises ``ValidationException``, the
    data plane's modeled error for a malformed request.
    """
    shape = operation.input_shape
    if not isinstance(shape, StructureShape):
        return {}
    fields = fields_of(shape)
    try:
        params = parse_located(fields, request, labels)
    except MalformedRequest as error:
        raise _invalid(error.message) from None
    if fields.body and request.body:
        document = _document(request.body)
        for field in fields.body:
            if field.wire_name in document and document[field.wire_name] is not None:
                params[field.name] = _from_json(field.shape, document[field.wire_name], field.name)
    return params


def _document(body: bytes) -> dict[str, Any]:
    # The depth is checked before json.loads, whose recursion would otherwise end in a
    # RecursionError; each level needs a "[" or "{", so most bodies skip the scan.
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH and _depth(body) > MAX_DEPTH:
        raise _invalid(TOO_DEEP_MESSAGE)
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise _invalid(f"The request body is not valid JSON: {error}.") from None
    if not isinstance(document, dict):
        raise _invalid("The request body must be a JSON object.")
    return document


# A JSON string (escapes included) or one bracket; anything else between them is skipped.
# An unterminated string runs to the end, so that no position is scanned twice.
_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def _depth(body: bytes) -> int:
    depth = deepest = 0
    for token in _TOKENS.finditer(body):
        bracket = token[0]
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in (b"]", b"}"):
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    # json.loads takes NaN, Infinity and -Infinity, which JSON itself does not have.
    raise ValueError(f"{name} is not a JSON value")


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
    return HttpResponse(status, headers, _dumps(document))


def serialize_error(model: ServiceModel, error: ServiceError) -> HttpResponse:
    """Render *error* with its code in ``x-amzn-ErrorType`` and the status from its shape."""
    metadata = error_metadata(model, error.code)
    request_id = new_request_id()
    headers = {
        "x-amzn-ErrorType": error.code,
        "x-amzn-RequestId": request_id,
        "Content-Type": JSON_CONTENT_TYPE,
    }
    body = _dumps({"__type": error.code, "Message": error.message})
    return HttpResponse(int(metadata.get("httpStatusCode", 400)), headers, body)


def _dumps(document: Any) -> bytes:
    text = json.dumps(document)
    # json.dumps writes every character outside ASCII as a \uXXXX escape, a surrogate pair for
    # those beyond the BMP: only then can a string hold an unpaired surrogate, which is no
    # Unicode text, so it is written as U+FFFD instead.
    if "\\ud" in text:
        text = json.dumps(_well_formed(document))
    return text.encode("utf-8")


def _well_formed(value: Any) -> Any:
    if isinstance(value, str):
        return well_formed(value)
    if isinstance(value, dict):
        return {well_formed(key): _well_formed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_well_formed(item) for item in value]
    return value


def _invalid(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)


_EXPECTED: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "long": int,
    "boolean": bool,
    "double": (int, float),
    "float": (int, float),
    "timestamp": (int, float),
    "blob": str,
}


def _from_json(shape: Shape, value: Any, name: str) -> Any:
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            raise _invalid(f"{name} must be a JSON object, not {_json_type(value)}.")
        return {
            field.name: _from_json(field.shape, value[field.wire_name], f"{name}.{field.name}")
            for field in fields_of(shape).body
            if value.get(field.wire_name) is not None
        }
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            raise _invalid(f"{name} must be a JSON array, not {_json_type(value)}.")
        return [_from_json(shape.member, item, f"{name}[{i}]") for i, item in enumerate(value)]
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            raise _invalid(f"{name} must be a JSON object, not {_json_type(value)}.")
        return {
            _string(key, name): _from_json(shape.value, item, f"{name}.{key}")
            for key, item in value.items()
        }
    expected = _EXPECTED.get(kind)
    if expected is not None and (
        not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool))
    ):
        raise _invalid(f"{name} must be {with_article(kind)}, not {_json_type(value)}.")
    if kind == "string":
        return _string(value, name)
    if kind in ("integer", "long"):
        if integer(str(value), kind) is None:
            raise _invalid(f"{name} is {value}, out of the range of {with_article(kind)}.")
        return value
    if kind in ("double", "float", "timestamp") and not math.isfinite(value):
        raise _invalid(f"{name} must be a finite number, not {value}.")
    if kind == "timestamp":
        try:
            return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise _invalid(f"{name} is {value}, out of the range of a timestamp.") from None
    if kind == "blob":
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _invalid(f"{name} is not valid base64.") from None
    return value


def _string(value: str, name: str) -> str:
    # json.loads turns an escaped unpaired surrogate ("\ud800") into a str no UTF-8 text
    # can hold; the data plane refuses it rather than store what it could not give back.
    if has_surrogate(value):
        raise _invalid(f"{name} holds an unpaired surrogate; strings must be valid Unicode.")
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        number = json.dumps(value)
        return f"the number {number if len(number) <= 64 else number[:64] + '...'}"
    if isinstance(value, str):
        return f"the string {shown(value)}"
    if isinstance(value, list):
        return "an array"
    return "an object"


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
