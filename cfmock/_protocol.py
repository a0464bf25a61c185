"""The REST-XML codec, driven by botocore's shapes.

It is the only module that knows how CloudFront puts members on the wire: in the URI, the query
string, headers, an XML body rooted at the input's ``locationName``, or a raw payload. xmltodict
does the raw XML <-> dict step; every list, integer, boolean, blob and timestamp is converted
here from the shape, so the backend never sees an XML artifact.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import uuid
from collections.abc import Mapping
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from botocore.model import ListShape, OperationModel, ServiceModel, Shape, StructureShape

from cfmock._http import HttpRequest, HttpResponse
from cfmock.exceptions import ServiceError

XML_CONTENT_TYPE = "text/xml"


class MalformedRequest(ServiceError):
    """The request does not fit the operation's input shape (raised as ``InvalidArgument``)."""

    def __init__(self, message: str) -> None:
        super().__init__("InvalidArgument", message)


def namespace(model: ServiceModel) -> str:
    """The XML namespace CloudFront puts on every body, e.g. ``.../doc/2020-05-31/``."""
    return f"http://cloudfront.amazonaws.com/doc/{model.api_version}/"


def format_timestamp(value: datetime.datetime) -> str:
    """ISO-8601 in UTC with milliseconds and ``Z``, as CloudFront writes timestamps."""
    value = value.astimezone(datetime.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


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
    if shape is None:
        return params
    body_members: dict[str, Shape] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            if wire_name in labels:
                params[name] = _scalar(member, labels[wire_name], name)
        elif location == "querystring":
            values = request.query.get(wire_name)
            if values:
                if isinstance(member, ListShape):
                    params[name] = [_scalar(member.member, v, name) for v in values]
                else:
                    params[name] = _scalar(member, values[-1], name)
        elif location == "header":
            header = request.headers.get(wire_name.lower())
            if header is not None:
                params[name] = _scalar(member, header, name)
        else:
            body_members[name] = member
    payload = shape.serialization.get("payload")
    if payload is not None:
        member = shape.members[payload]
        if member.type_name in ("blob", "string"):
            if request.body:
                params[payload] = (
                    request.body if member.type_name == "blob" else request.body.decode("utf-8")
                )
        elif request.body:
            params[payload] = _structure_from_xml(
                member, _xml_root(request.body, member.serialization.get("name", payload))
            )
    elif body_members and request.body:
        root_name = shape.serialization.get("name", shape.name)
        node = _xml_root(request.body, root_name)
        params.update(_structure_from_xml(shape, node, only=body_members))
    return params


def _xml_root(body: bytes, expected: str) -> Any:
    try:
        document = xmltodict.parse(body)
    except (ExpatError, ValueError) as error:
        raise MalformedRequest(f"The request body is not well-formed XML: {error}.") from None
    (root_name, node), = document.items()
    if root_name.split(":")[-1] != expected:
        raise MalformedRequest(
            f"The request body's root element is {root_name}; expected {expected}."
        )
    return node


def _structure_from_xml(
    shape: Shape, node: Any, only: Mapping[str, Shape] | None = None
) -> dict[str, Any]:
    if node is None:
        return {}
    if not isinstance(node, dict) or not isinstance(shape, StructureShape):
        raise MalformedRequest(f"{shape.name} must be an XML element with child elements.")
    members = only if only is not None else shape.members
    result: dict[str, Any] = {}
    for name, member in members.items():
        wire_name = member.serialization.get("name", name)
        if wire_name in node:
            result[name] = _from_xml(member, node[wire_name], name)
    return result


def _from_xml(shape: Shape, node: Any, name: str) -> Any:
    if shape.type_name == "structure":
        return _structure_from_xml(shape, node)
    if isinstance(shape, ListShape):
        if node is None:
            return []
        item_name = shape.member.serialization.get("name", "member")
        items = node.get(item_name) if isinstance(node, dict) else None
        if items is None:
            return []
        if not isinstance(items, list):
            items = [items]
        return [_from_xml(shape.member, item, name) for item in items]
    if isinstance(node, dict):
        node = node.get("#text")
    return _scalar(shape, "" if node is None else node, name)


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
        raise MalformedRequest(f"{name} has a value that is not a valid {kind}: {text!r}.") from None
    return text


# ---------------------------------------------------------------------------------------------
# Responses


def serialize_response(
    model: ServiceModel, operation: OperationModel, output: Mapping[str, Any]
) -> HttpResponse:
    """Render an operation's output parameters as CloudFront's HTTP response."""
    status = int(operation.http.get("responseCode", 200))
    headers = {"x-amz-request-id": str(uuid.uuid4())}
    body = b""
    shape = operation.output_shape
    if shape is not None:
        body_members: dict[str, Shape] = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            if location == "header":
                if output.get(name) is not None:
                    headers[member.serialization.get("name", name)] = _header(member, output[name])
            elif location is None:
                body_members[name] = member
        payload = shape.serialization.get("payload")
        if payload is not None:
            member = shape.members[payload]
            value = output.get(payload)
            if member.type_name in ("blob", "string"):
                body = value.encode("utf-8") if isinstance(value, str) else (value or b"")
            elif value is not None:
                root = member.serialization.get("name", payload)
                body = _document(model, root, _to_xml(member, value))
        elif body_members:
            content = _to_xml(shape, output, only=body_members)
            body = _document(model, shape.name, content)
    if body and not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = XML_CONTENT_TYPE
    return HttpResponse(status, headers, body)


def serialize_error(model: ServiceModel, error: ServiceError) -> HttpResponse:
    """Render *error* as CloudFront's ``ErrorResponse``, with the status from its shape."""
    metadata = model.shape_for(error.code).metadata.get("error", {})
    status = int(metadata.get("httpStatusCode", 400))
    request_id = str(uuid.uuid4())
    document = {
        "Error": {
            "Type": "Sender" if metadata.get("senderFault") else "Receiver",
            "Code": error.code,
            "Message": error.message,
        },
        "RequestId": request_id,
    }
    body = _document(model, "ErrorResponse", document)
    headers = {"x-amz-request-id": request_id, "Content-Type": XML_CONTENT_TYPE}
    return HttpResponse(status, headers, body)


def _document(model: ServiceModel, root: str, content: Any) -> bytes:
    element = {"@xmlns": namespace(model), **content} if isinstance(content, dict) else content
    text: str = xmltodict.unparse({root: element})
    return text.encode("utf-8")


def _to_xml(shape: Shape, value: Any, only: Mapping[str, Shape] | None = None) -> Any:
    if isinstance(shape, StructureShape):
        members = only if only is not None else shape.members
        return {
            member.serialization.get("name", name): _to_xml(member, value[name])
            for name, member in members.items()
            if value.get(name) is not None
        }
    if isinstance(shape, ListShape):
        if not value:
            return None
        item_name = shape.member.serialization.get("name", "member")
        return {item_name: [_to_xml(shape.member, item) for item in value]}
    return _text(shape, value)


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
