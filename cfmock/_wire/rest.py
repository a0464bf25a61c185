"""What the REST-XML and REST-JSON codecs share, driven by botocore's shapes.

Members that travel in the URI, the query string and headers are read and written the same way
in both protocols; so are timestamps in headers, request IDs, required-member checks and the
error metadata (status and fault) read from an error shape.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import itertools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.model import ListShape, ServiceModel, Shape, StructureShape

from cfmock._wire.http import HttpRequest
from cfmock.exceptions import ServiceError


class MalformedRequest(ServiceError):
    """The request does not fit the operation's input shape (raised as ``InvalidArgument``)."""

    def __init__(self, message: str) -> None:
        super().__init__("InvalidArgument", message)


MAX_DEPTH = 64
"""How deep a request body may nest (elements in XML, objects and arrays in JSON); the deepest
request either service models nests 6 levels."""

TOO_DEEP_MESSAGE = f"The request body is nested more than {MAX_DEPTH} levels deep."

_SHOWN_LENGTH = 64
_INTEGER = re.compile(r"-?[0-9]{1,20}")  # [0-9], not \d: only ASCII digits are digits here
_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
_SURROGATE = re.compile("[\ud800-\udfff]")


def shown(text: str) -> str:
    """*text* as an error message echoes it: in ``repr`` form, cut after 64 characters."""
    if len(text) > _SHOWN_LENGTH:
        return f"{text[:_SHOWN_LENGTH]!r}... ({len(text)} characters)"
    return repr(text)


def with_article(noun: str) -> str:
    """*noun* with its indefinite article: ``a string``, ``an integer``."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def has_surrogate(text: str) -> bool:
    """Whether *text* holds a surrogate code point, which no UTF-8 text can carry."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def well_formed(text: str) -> str:
    """*text* with surrogate pairs joined and every unpaired surrogate replaced by U+FFFD."""
    if not has_surrogate(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def integer(text: str, kind: str = "integer") -> int | None:
    """*text* as an *kind* (``integer``, 32-bit, or ``long``), or ``None`` if it is not one.

    Only an optional ``-`` and ASCII digits are accepted: ``int()`` alone would also take
    ``"٣"``, full-width digits, spaces, ``+`` and ``_``.
    """
    if _INTEGER.fullmatch(text) is None:
        return None
    value = int(text)
    low, high = _RANGES.get(kind, _RANGES["long"])
    return value if low <= value <= high else None


@functools.lru_cache(maxsize=1024)
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
_REQUEST_ID_HEAD = (
    f"{_REQUEST_ID_PREFIX[:8]}-{_REQUEST_ID_PREFIX[8:12]}-4{_REQUEST_ID_PREFIX[12:15]}-"
    f"{_REQUEST_ID_PREFIX[15:19]}-"
)


def new_request_id() -> str:
    """A unique request ID in UUID form, as CloudFront sends in ``x-amz-request-id``."""
    # A random per-process prefix and a counter: unique, and cheaper than uuid4 per request.
    return f"{_REQUEST_ID_HEAD}{next(_request_ids):012x}"


@dataclass(frozen=True)
class Field:
    name: str
    wire_name: str
    shape: Shape
    location: str | None


@dataclass(frozen=True)
class Fields:
    """A structure's members, sorted by where they travel; computed once per shape."""

    located: tuple[Field, ...]
    body: tuple[Field, ...]
    body_by_wire_name: dict[str, Field]


@functools.cache
def fields_of(shape: StructureShape) -> Fields:
    """*shape*'s members sorted by where they travel (computed once per shape)."""
    fields = [
        Field(
            name,
            member.serialization.get("name", name),
            member,
            member.serialization.get("location"),
        )
        for name, member in shape.members.items()
    ]
    body = tuple(field for field in fields if field.location is None)
    return Fields(
        located=tuple(field for field in fields if field.location is not None),
        body=body,
        body_by_wire_name={field.wire_name: field for field in body},
    )


# ---------------------------------------------------------------------------------------------
# Requests


def parse_located(
    fields: Fields, request: HttpRequest, labels: Mapping[str, str]
) -> dict[str, Any]:
    """The members that travel in the URI, the query string and headers."""
    params: dict[str, Any] = {}
    for field in fields.located:
        if field.location == "uri":
            if field.wire_name in labels:
                params[field.name] = scalar(field.shape, labels[field.wire_name], field.name)
        elif field.location == "querystring":
            values = request.query.get(field.wire_name)
            if values:
                if isinstance(field.shape, ListShape):
                    item = field.shape.member
                    params[field.name] = [scalar(item, v, field.name) for v in values]
                else:
                    params[field.name] = scalar(field.shape, values[-1], field.name)
        elif field.location == "header":
            header = request.header(field.wire_name)
            if header is not None:
                params[field.name] = scalar(field.shape, header, field.name)
    return params


def check_required(
    shape: Shape | None, params: Mapping[str, Any], path: str = "", code: str = "InvalidArgument"
) -> None:
    """Raise ``InvalidArgument`` naming the first required member *params* lacks.

    The codec already gave every member its shape's type, so only presence is left to check;
    botocore's client checks the same before sending, but other clients may not. An operation
    without an input shape (*shape* ``None``) requires nothing.
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


def scalar(shape: Shape, text: str, name: str) -> Any:
    """*text* read as a value of *shape*'s scalar type (strings are returned as they are)."""
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            value = integer(text, kind)
            if value is None:
                raise ValueError(text)
            return value
        if kind == "boolean":
            if text not in ("true", "false"):
                raise ValueError(text)
            return text == "true"
        if kind == "blob":
            return base64.b64decode(text, validate=True)
        if kind == "timestamp":
            stamp = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=datetime.timezone.utc)
    except (ValueError, OverflowError, binascii.Error):
        raise MalformedRequest(
            f"{name} has a value that is not a valid {kind}: {shown(text)}."
        ) from None
    return text


# ---------------------------------------------------------------------------------------------
# Responses


def located_headers(fields: Fields, output: Mapping[str, Any]) -> dict[str, str]:
    """The response headers of the output members that travel in headers."""
    headers = {"x-amz-request-id": new_request_id()}
    for field in fields.located:
        value = output.get(field.name)
        if field.location == "header" and value is not None:
            headers[field.wire_name] = text_of(field.shape, value)
    return headers


def text_of(shape: Shape, value: Any) -> str:
    """*value* of *shape*'s scalar type as text (XML element content, header values)."""
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    if kind == "timestamp":
        return format_timestamp(value)
    return str(value)


THROTTLING_ERRORS = {"Throttling": 400, "ThrottlingException": 400, "TooManyRequestsException": 429}
"""Errors AWS sends when it throttles, outside the service models, with their HTTP status;
botocore's retry handlers retry every one of them."""


def error_metadata(model: ServiceModel, code: str) -> dict[str, Any]:
    """The ``error`` metadata of *code*: from its shape, or for a throttling error."""
    if code in THROTTLING_ERRORS:
        return {"httpStatusCode": THROTTLING_ERRORS[code], "senderFault": True}
    metadata: dict[str, Any] = model.shape_for(code).metadata.get("error", {})
    return metadata
