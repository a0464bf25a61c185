"""The REST-XML codec, driven by botocore's shapes.

It is the only module that knows how CloudFront puts members in an XML body rooted at the
input's ``locationName`` or in a raw payload (members in the URI, the query string and headers
are read by :mod:`cfmock._wire.rest`, shared with the REST-JSON codec). Request bodies are read
with the standard library's ElementTree, after refusing what it would expand or build without
bound (a ``<!DOCTYPE>``, deep nesting, many attributes), and every list, integer, boolean, blob
and timestamp is converted by walking the input shape, so the backend never sees an XML
artifact; responses are written by walking the output shape, with every string made XML-safe.
(xmltodict was the first choice for the raw XML step, but its parse and unparse cost 22 and 45
microseconds per update, about half of the time the performance budget leaves cfmock on top of
botocore.)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any
from xml.etree import ElementTree

from botocore.model import ListShape, OperationModel, ServiceModel, Shape, StructureShape

from cfmock._wire.http import HttpRequest, HttpResponse
from cfmock._wire.rest import (
    MAX_DEPTH,
    THROTTLING_ERRORS,
    TOO_DEEP_MESSAGE,
    MalformedRequest,
    check_required,
    error_metadata,
    fields_of,
    format_timestamp,
    located_headers,
    new_request_id,
    parse_located,
    scalar,
    text_of,
    well_formed,
    with_article,
)
from cfmock.exceptions import ServiceError

__all__ = [
    "THROTTLING_ERRORS",
    "XML_CONTENT_TYPE",
    "MalformedRequest",
    "check_required",
    "error_metadata",
    "escape",
    "fields_of",
    "format_timestamp",
    "located_headers",
    "namespace",
    "new_request_id",
    "parse_located",
    "parse_request",
    "serialize_error",
    "serialize_response",
]

XML_CONTENT_TYPE = "text/xml"

MAX_ATTRIBUTES = 64
"""How many XML attributes a request body may carry in all (CloudFront's requests use none)."""

# What a string cannot carry into XML 1.0 as it is: the markup characters, CR (an XML parser
# reads a raw CR as LF, so it travels as a character reference), and the code points XML forbids:
# C0 controls other than TAB and LF, surrogates, U+FFFE and U+FFFF.
_NEEDS_ESCAPING = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = {
    **dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF], "\ufffd"),
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord("\r"): "&#13;",
}


def escape(text: str) -> str:
    """*text* as XML character data that any XML parser reads back as *text*.

    Code points XML cannot carry (C0 controls but TAB, LF and CR; U+FFFE, U+FFFF; unpaired
    surrogates) become U+FFFD, and CR is written ``&#13;`` so that it is not read as LF.
    """
    if text.isascii() and text.isprintable():  # the usual case, checked without a regex
        if "&" not in text and "<" not in text and ">" not in text:
            return text
    elif _NEEDS_ESCAPING.search(text) is None:
        return text
    return well_formed(text).translate(_ESCAPES)


def namespace(model: ServiceModel) -> str:
    """The XML namespace CloudFront puts on every body, e.g. ``.../doc/2020-05-31/``."""
    return f"http://cloudfront.amazonaws.com/doc/{model.api_version}/"


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
    fields = fields_of(shape)
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


def _xml_root(body: bytes, expected: str) -> ElementTree.Element:
    # A document type declaration is the only way to declare entities (billion laughs) or
    # default attributes; CloudFront's requests never carry one. A UTF-16 body would hide one
    # from this byte search: expat reads a body as UTF-16 only when it opens with a byte order
    # mark or a NUL byte in its first two, and a NUL byte anywhere else is not well-formed.
    if b"<!DOCTYPE" in body:
        raise MalformedRequest(DOCTYPE_MESSAGE)
    if b"\x00" in body[:2] or body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise MalformedRequest(NOT_UTF8_MESSAGE)
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, LookupError, ValueError) as error:
        # LookupError and ValueError: an unknown or multi-byte encoding in the XML declaration.
        raise MalformedRequest(f"The request body is not well-formed XML: {error}.") from None
    # Each element needs a "<" and each attribute a "=": most bodies skip the walk.
    if body.count(b"<") > MAX_DEPTH or body.count(b"=") > MAX_ATTRIBUTES:
        _check_size(root)
    if _local_name(root) != expected:
        raise MalformedRequest(
            f"The request body's root element is {_local_name(root)}; expected {expected}."
        )
    return root


DOCTYPE_MESSAGE = "The request body must not contain a document type declaration (<!DOCTYPE>)."
NOT_UTF8_MESSAGE = "The request body is not well-formed XML: it is UTF-16; send UTF-8."
TOO_MANY_ATTRIBUTES_MESSAGE = f"The request body has more than {MAX_ATTRIBUTES} XML attributes."


def _check_size(root: ElementTree.Element) -> None:
    attributes = 0
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise MalformedRequest(TOO_DEEP_MESSAGE)
        attributes += len(element.attrib)
        if attributes > MAX_ATTRIBUTES:
            raise MalformedRequest(TOO_MANY_ATTRIBUTES_MESSAGE)
        stack.extend((child, depth + 1) for child in element)


def _local_name(element: ElementTree.Element) -> str:
    return element.tag.rpartition("}")[2]


def _structure_from_xml(shape: StructureShape, element: ElementTree.Element) -> dict[str, Any]:
    by_wire_name = fields_of(shape).body_by_wire_name
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
        raise MalformedRequest(
            f"{name} must be {with_article(shape.type_name)}, not an element with children."
        )
    return scalar(shape, element.text or "", name)


# ---------------------------------------------------------------------------------------------
# Responses


def serialize_response(
    model: ServiceModel, operation: OperationModel, output: Mapping[str, Any]
) -> HttpResponse:
    """Render an operation's output parameters as CloudFront's HTTP response."""
    status = int(operation.http.get("responseCode", 200))
    body = b""
    shape = operation.output_shape
    if not isinstance(shape, StructureShape):
        headers = {"x-amz-request-id": new_request_id()}
    else:
        fields = fields_of(shape)
        headers = located_headers(fields, output)
        payload = shape.serialization.get("payload")
        if payload is not None:
            member = shape.members[payload]
            value = output.get(payload)
            if member.type_name in ("blob", "string"):
                if isinstance(value, str):
                    body = well_formed(value).encode("utf-8")
                else:
                    body = value or b""
            elif isinstance(member, StructureShape) and value is not None:
                root = member.serialization.get("name", payload)
                body = _document(model, root, member, value)
        elif fields.body:
            body = _document(model, shape.name, shape, output)
    if body and not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = XML_CONTENT_TYPE
    return HttpResponse(status, headers, body)


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
    model: ServiceModel, root: str, shape: StructureShape, value: Mapping[str, Any]
) -> bytes:
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{namespace(model)}">']
    _members_writer(shape)(parts, value)
    parts.append(f"</{root}>")
    return "".join(parts).encode("utf-8")


_Writer = Callable[[list[str], Any], None]
"""Appends the XML of one value to a list of parts."""


@functools.cache
def _members_writer(shape: StructureShape) -> _Writer:
    """The writer of *shape*'s body members, made once per shape (members compiled at the
    first use, so that a shape may contain itself)."""
    members: list[tuple[str, _Writer]] | None = None

    def write(parts: list[str], value: Mapping[str, Any]) -> None:
        nonlocal members
        if members is None:
            members = [(f.name, _writer(f.wire_name, f.shape)) for f in fields_of(shape).body]
        for key, write_member in members:
            item = value.get(key)
            if item is not None:
                write_member(parts, item)

    return write


@functools.cache
def _writer(name: str, shape: Shape) -> _Writer:
    """The writer of a value of *shape* as the element *name*, made once per pair."""
    start, end = f"<{name}>", f"</{name}>"
    if isinstance(shape, StructureShape):
        write_members = _members_writer(shape)

        def write_structure(parts: list[str], value: Any) -> None:
            parts.append(start)
            write_members(parts, value)
            parts.append(end)

        return write_structure
    if isinstance(shape, ListShape):
        empty = f"<{name}/>"
        item_writer = _writer(_item_name(shape), shape.member)

        def write_list(parts: list[str], value: Any) -> None:
            if not value:
                parts.append(empty)
                return
            parts.append(start)
            for item in value:
                item_writer(parts, item)
            parts.append(end)

        return write_list
    if shape.type_name == "string":

        def write_string(parts: list[str], value: Any) -> None:
            parts.append(f"{start}{escape(str(value))}{end}")

        return write_string

    # Numbers, booleans, base64 and timestamps: nothing to escape.
    def write_scalar(parts: list[str], value: Any) -> None:
        parts.append(f"{start}{text_of(shape, value)}{end}")

    return write_scalar
