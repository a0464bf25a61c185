"""The REST-XML codec, driven by botocore's shapes.

It is the only module that knows how CloudFront puts members on the wire: in the URI, the query
string, headers, an XML body rooted at the input's ``locationName``, or a raw payload. Request
bodies are read with the standard library's ElementTree, and every list, integer, boolean, blob
and timestamp is converted by walking the input shape, so the backend never sees an XML
artifact; responses are written by walking the output shape. (xmltodict was the first choice
for the raw XML step, but its parse and unparse cost 22 and 45 microseconds per update, about
half of the time the performance budget leaves cfmock on top of botocore.)
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from botocore.model import ListShape, OperationModel, ServiceModel, Shape, StructureShape

from cfmock._wire.http import HttpRequest, HttpResponse
from cfmock.exceptions import ServiceError

XML_CONTENT_TYPE = "text/xml"


class MalformedRequest(ServiceError):
    """The request does not fit the operation's input shape (raised as ``InvalidArgument``)."""

    def __init__(self, message: str) -> None:
        super().__init__("InvalidArgument", message)


def namespace(model: ServiceModel) -> str:
    """The XML namespace CloudFront puts on every body, e.g. ``.../doc/2020-05-31/``."""
    return f"http://cloudfront.amazonaws.com/doc/{model.api_version}/"


@functools.lru_cache(maxsize=4096)
def format_timestamp(value: datetime.datetime) -> str:
    """ISO-8601 in UTC with milliseconds and ``Z``, as CloudFront writes timestamps."""
    if value.tzinfo is not datetime.timezone.utc:
        value = value.astimezone(datetime.timezone.utc)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:"
        f"{value.minute:02d}:{value.second:02d}.{value.microsecond // 1000:03d}Z"
    )


_request_ids = itertools.count(1)
_REQUEST_ID_PREFIX = os.urandom(10).hex()


def new_request_id() -> str:
    """A unique request ID in UUID form, as CloudFront sends in ``x-amz-request-id``."""
    # A random per-process prefix and a counter: unique, and cheaper than uuid4 per request.
    prefix = _REQUEST_ID_PREFIX
    return f"{prefix[:8]}-{prefix[8:12]}-4{prefix[12:15]}-{prefix[15:19]}-{next(_request_ids):012x}"


@dataclass(frozen=True)
class _Field:
    name: str
    wire_name: str
    shape: Shape
    location: str | None


@dataclass(frozen=True)
class _Fields:
    """A structure's members, sorted by where they travel; computed once per shape."""

    located: tuple[_Field, ...]
    body: tuple[_Field, ...]
    body_by_wire_name: dict[str, _Field]


@functools.cache
def fields_of(shape: StructureShape) -> _Fields:
    """*shape*'s members sorted by where they travel (computed once per shape)."""
    return _fields(shape)


@functools.cache
def _fields(shape: StructureShape) -> _Fields:
    fields = [
        _Field(
            name,
            member.serialization.get("name", name),
            member,
            member.serialization.get("location"),
        )
        for name, member in shape.members.items()
    ]
    body = tuple(field for field in fields if field.location is None)
    return _Fields(
        located=tuple(field for field in fields if field.location is not None),
        body=body,
        body_by_wire_name={field.wire_name: field for field in body},
    )


@functools.cache
def _item_name(shape: ListShape) -> str:
    name: str = shape.member.serialization.get("name", "member")
    return name


# ---------------------------------------------------------------------------------------------
# Requests


def parse_request(
    operation: OperationModel, request: HttpRequest, labels: Mapping[str, str]
) -> dict[str, Any]:
    """Turn *request* into the operation's input parameters, as botocore's client takes them.

    Raises :class:`MalformedRequest` when a member cannot be read as its shape's type.
    """
    shape = operation.input_shape
    params: dict[str, Any] = {}
    if not isinstance(shape, StructureShape):
        return params
    fields = _fields(shape)
    params.update(parse_located(fields, request, labels))
    payload = shape.serialization.get("payload")
    if payload is not None:
        member = shape.members[payload]
        if member.type_name == "blob":
            if request.body:
                params[payload] = request.body
        elif member.type_name == "string":
            if request.body:
                params[payload] = request.body.decode("utf-8", "replace")
        elif request.body and isinstance(member, StructureShape):
            root = _xml_root(request.body, member.serialization.get("name", payload))
            params[payload] = _structure_from_xml(member, root)
    elif fields.body and request.body:
        root = _xml_root(request.body, shape.serialization.get("name", shape.name))
        params.update(_structure_from_xml(shape, root))
    return params


def parse_located(
    fields: _Fields, request: HttpRequest, labels: Mapping[str, str]
) -> dict[str, Any]:
    """The members that travel in the URI, the query string and headers."""
    params: dict[str, Any] = {}
    for field in fields.located:
        if field.location == "uri":
            if field.wire_name in labels:
                params[field.name] = _scalar(field.shape, labels[field.wire_name], field.name)
        elif field.location == "querystring":
            values = request.query.get(field.wire_name)
            if values:
                if isinstance(field.shape, ListShape):
                    item = field.shape.member
                    params[field.name] = [_scalar(item, v, field.name) for v in values]
                else:
                    params[field.name] = _scalar(field.shape, values[-1], field.name)
        elif field.location == "header":
            header = request.header(field.wire_name)
            if header is not None:
                params[field.name] = _scalar(field.shape, header, field.name)
    return params


def located_headers(fields: _Fields, output: Mapping[str, Any]) -> dict[str, str]:
    """The response headers of the output members that travel in headers."""
    headers = {"x-amz-request-id": new_request_id()}
    for field in fields.located:
        value = output.get(field.name)
        if field.location == "header" and value is not None:
            headers[field.wire_name] = _header(field.shape, value)
    return headers


def check_required(
    shape: Shape, params: Mapping[str, Any], path: str = "", code: str = "InvalidArgument"
) -> None:
    """Raise ``InvalidArgument`` naming the first required member *params* lacks.

    The codec already gave every member its shape's type, so only presence is left to check;
    botocore's client checks the same before sending, but other clients may not.
    """
    if not isinstance(shape, StructureShape):
        return
    for name in shape.required_members:
        if name not in params and not _is_precondition(shape.members[name]):
            message = f"The request is missing the required member {path}{name}."
            raise ServiceError(code, message)
    for name, value in params.items():
        member = shape.members.get(name)
        if isinstance(member, StructureShape) and isinstance(value, Mapping):
            check_required(member, value, f"{path}{name}.", code)
        elif isinstance(member, ListShape) and isinstance(member.member, StructureShape):
            for index, item in enumerate(value):
                check_required(member.member, item, f"{path}{name}[{index}].", code)


def _is_precondition(member: Shape) -> bool:
    # CloudFront answers a missing If-Match with InvalidIfMatchVersion once it has found the
    # resource, not as a malformed request, so the operation checks it in that order.
    return (
        member.serialization.get("location") == "header"
        and member.serialization.get("name", "").lower() == "if-match"
    )


def _xml_root(body: bytes, expected: str) -> ElementTree.Element:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise MalformedRequest(f"The request body is not well-formed XML: {error}.") from None
    if _local_name(root) != expected:
        raise MalformedRequest(
            f"The request body's root element is {_local_name(root)}; expected {expected}."
        )
    return root


def _local_name(element: ElementTree.Element) -> str:
    return element.tag.rpartition("}")[2]


def _structure_from_xml(shape: StructureShape, element: ElementTree.Element) -> dict[str, Any]:
    by_wire_name = _fields(shape).body_by_wire_name
    result: dict[str, Any] = {}
    for child in element:
        field = by_wire_name.get(_local_name(child))
        if field is not None:
            result[field.name] = _from_xml(field.shape, child, field.name)
    return result


def _from_xml(shape: Shape, element: ElementTree.Element, name: str) -> Any:
    if isinstance(shape, StructureShape):
        return _structure_from_xml(shape, element)
    if isinstance(shape, ListShape):
        item_name = _item_name(shape)
        return [
            _from_xml(shape.member, child, name)
            for child in element
            if _local_name(child) == item_name
        ]
    if len(element):
        raise MalformedRequest(f"{name} must be a {shape.type_name}, not an element with children.")
    return _scalar(shape, element.text or "", name)


def _scalar(shape: Shape, text: str, name: str) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind == "boolean":
            if text not in ("true", "false"):
                raise ValueError(text)
            return text == "true"
        if kind == "blob":
            return base64.b64decode(text, validate=True)
        if kind == "timestamp":
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, binascii.Error):
        raise MalformedRequest(
            f"{name} has a value that is not a valid {kind}: {text!r}."
        ) from None
    return text


# ---------------------------------------------------------------------------------------------
# Responses


def serialize_response(
    model: ServiceModel, operation: OperationModel, output: Mapping[str, Any]
) -> HttpResponse:
    """Render an operation's output parameters as CloudFront's HTTP response."""
    status = int(operation.http.get("responseCode", 200))
    headers = {"x-amz-request-id": new_request_id()}
    body = b""
    shape = operation.output_shape
    if isinstance(shape, StructureShape):
        fields = _fields(shape)
        headers = located_headers(fields, output)
        payload = shape.serialization.get("payload")
        if payload is not None:
            member = shape.members[payload]
            value = output.get(payload)
            if member.type_name in ("blob", "string"):
                body = value.encode("utf-8") if isinstance(value, str) else (value or b"")
            elif isinstance(member, StructureShape) and value is not None:
                root = member.serialization.get("name", payload)
                body = _document(model, root, _fields(member).body, value)
        elif fields.body:
            body = _document(model, shape.name, fields.body, output)
    if body and not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = XML_CONTENT_TYPE
    return HttpResponse(status, headers, body)


THROTTLING_ERRORS = {"Throttling": 400, "ThrottlingException": 400, "TooManyRequestsException": 429}
"""Errors AWS sends when it throttles, outside the service models, with their HTTP status;
botocore's retry handlers retry every one of them."""


def error_metadata(model: ServiceModel, code: str) -> dict[str, Any]:
    """The ``error`` metadata of *code*: from its shape, or for a throttling error."""
    if code in THROTTLING_ERRORS:
        return {"httpStatusCode": THROTTLING_ERRORS[code], "senderFault": True}
    metadata: dict[str, Any] = model.shape_for(code).metadata.get("error", {})
    return metadata


def serialize_error(model: ServiceModel, error: ServiceError) -> HttpResponse:
    """Render *error* as CloudFront's ``ErrorResponse``, with the status from its shape."""
    metadata = error_metadata(model, error.code)
    status = int(metadata.get("httpStatusCode", 400))
    request_id = new_request_id()
    fault = "Sender" if metadata.get("senderFault") else "Receiver"
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ErrorResponse xmlns="{namespace(model)}"><Error><Type>{fault}</Type>'
        f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
        f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    headers = {"x-amz-request-id": request_id, "Content-Type": XML_CONTENT_TYPE}
    return HttpResponse(status, headers, body.encode("utf-8"))


def _document(
    model: ServiceModel, root: str, fields: tuple[_Field, ...], value: Mapping[str, Any]
) -> bytes:
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{namespace(model)}">']
    _write_fields(parts, fields, value)
    parts.append(f"</{root}>")
    return "".join(parts).encode("utf-8")


def _write_fields(parts: list[str], fields: tuple[_Field, ...], value: Mapping[str, Any]) -> None:
    for field in fields:
        item = value.get(field.name)
        if item is not None:
            _write(parts, field.wire_name, field.shape, item)


def _write(parts: list[str], name: str, shape: Shape, value: Any) -> None:
    if isinstance(shape, StructureShape):
        parts.append(f"<{name}>")
        _write_fields(parts, _fields(shape).body, value)
        parts.append(f"</{name}>")
    elif isinstance(shape, ListShape):
        if not value:
            parts.append(f"<{name}/>")
            return
        parts.append(f"<{name}>")
        item_name = _item_name(shape)
        for item in value:
            _write(parts, item_name, shape.member, item)
        parts.append(f"</{name}>")
    else:
        parts.append(f"<{name}>{escape(_text(shape, value))}</{name}>")


def _text(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    if kind == "timestamp":
        return format_timestamp(value)
    return str(value)


def _header(shape: Shape, value: Any) -> str:
    if shape.type_name == "timestamp":
        return format_timestamp(value)
    return _text(shape, value)
