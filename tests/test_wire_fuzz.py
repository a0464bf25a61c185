"""Fuzz tests of both codecs: any request gets parameters or a modeled error, and any response
parses in botocore.

Every input is generated from the operation's own shapes (so the codecs go deep) or is plain
noise; the example budget is fixed, so the file runs in a few seconds.
"""

from __future__ import annotations

import datetime
import functools
import io
import json
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

import pytest
from botocore.model import (
    ListShape,
    MapShape,
    OperationModel,
    ServiceModel,
    Shape,
    StringShape,
    StructureShape,
)
from botocore.parsers import RestJSONParser, RestXMLParser
from botocore.response import StreamingBody
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfmock._cloudfront.backend import Backend
from cfmock._dispatch import SERVICES, Dispatcher
from cfmock._wire import restjson, restxml
from cfmock._wire.http import HttpRequest
from cfmock._wire.model import CLOUDFRONT, KEY_VALUE_STORE, service_model
from cfmock._wire.rest import THROTTLING_ERRORS, check_required, fields_of
from cfmock.exceptions import ServiceError, UnsupportedFeatureError

# A fixed budget and no example database: the file takes about ten seconds and leaves nothing on
# disk.
FUZZ = settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
CODECS = {CLOUDFRONT: restxml, KEY_VALUE_STORE: restjson}
PARSERS = {CLOUDFRONT: RestXMLParser, KEY_VALUE_STORE: RestJSONParser}
OPERATIONS = [
    pytest.param(service, name, id=f"{service}.{name}")
    for service, definition in SERVICES.items()
    for name in sorted(definition.operations)
]

# Any code point, surrogates included, with the troublesome ones drawn often.
HOSTILE = ["\r", "\n", "\t", "\x00", "\x07", "\x1f", "\ud800", "\udfff", "\ufffe", "\uffff"]
CHARACTERS = st.one_of(st.characters(exclude_categories=()), st.sampled_from(HOSTILE))
TEXT = st.text(CHARACTERS, max_size=12)
DIGITS = st.sampled_from(["0", "7", "²", "٣", "３", "-1", "+1", " 1", "1_0", "99999999999"])
# Stand-ins for the name and ARN of the store each dispatched request finds in its backend.
STORE_NAME, STORE_ARN = "fuzz", "{store-arn}"
KNOWN = st.sampled_from([STORE_NAME, STORE_ARN])


@functools.cache
def error_codes(service: str) -> frozenset[str]:
    model = service_model(service)
    codes = {name for name in model.shape_names if model.shape_for(name).metadata.get("exception")}
    return frozenset(codes | set(THROTTLING_ERRORS))


def assert_modeled(service: str, error: ServiceError) -> None:
    assert error.code in error_codes(service), (error.code, error.message)
    assert error.message


# ---------------------------------------------------------------------------------------------
# Requests


def scalar_text(shape: Shape) -> st.SearchStrategy[str]:
    """Text for a scalar member: often of the member's type, often not."""
    kind = shape.type_name
    if kind in ("integer", "long"):
        return st.one_of(st.integers(-(2**70), 2**70).map(str), DIGITS, TEXT)
    if kind == "boolean":
        return st.one_of(st.sampled_from(["true", "false", "True", "1"]), TEXT)
    if kind == "blob":
        return st.one_of(st.sampled_from(["eA==", "", "@@", "eA", "\u00e9"]), TEXT)
    if kind == "timestamp":
        return st.one_of(st.sampled_from(["2026-01-02T03:04:05Z", "2026-13-01", "²"]), TEXT)
    if isinstance(shape, StringShape) and shape.enum:
        return st.one_of(st.sampled_from(shape.enum), TEXT)
    return st.one_of(TEXT, DIGITS, KNOWN)


def xml_for(shape: Shape, name: str, depth: int = 0) -> st.SearchStrategy[str]:
    """An XML element named *name* that roughly follows *shape*, with junk mixed in."""
    junk = st.sampled_from(["", "<x/>", "<x a='1'>t</x>", "&amp;", "&#13;", "<![CDATA[<]]>"])
    if isinstance(shape, StructureShape) and depth < 8:
        members = list(fields_of(shape).body)
        children = st.lists(
            st.one_of(
                *(xml_for(field.shape, field.wire_name, depth + 1) for field in members), junk
            )
            if members
            else junk,
            max_size=4,
        )
        return children.map(lambda items: f"<{name}>{''.join(items)}</{name}>")
    if isinstance(shape, ListShape) and depth < 8:
        item = shape.member.serialization.get("name", "member")
        items = st.lists(st.one_of(xml_for(shape.member, item, depth + 1), junk), max_size=3)
        return items.map(lambda parts: f"<{name}>{''.join(parts)}</{name}>")
    text = scalar_text(shape).map(lambda value: xml_escape(value))
    return st.one_of(text, junk).map(lambda value: f"<{name}>{value}</{name}>")


def json_for(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """A JSON value that roughly follows *shape*: often the right type, sometimes not."""
    anything: st.SearchStrategy[Any] = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
        max_leaves=6,
    )
    if isinstance(shape, StructureShape) and depth < 8:
        members = {
            field.wire_name: json_for(field.shape, depth + 1) for field in fields_of(shape).body
        }
        return st.one_of(st.fixed_dictionaries({}, optional=members), anything)
    if isinstance(shape, ListShape) and depth < 8:
        return st.one_of(st.lists(json_for(shape.member, depth + 1), max_size=3), anything)
    if isinstance(shape, MapShape) and depth < 8:
        return st.one_of(st.dictionaries(TEXT, json_for(shape.value, depth + 1)), anything)
    kind = shape.type_name
    typed: st.SearchStrategy[Any] = {
        "integer": st.integers(-(2**40), 2**40),
        "long": st.integers(-(2**70), 2**70),
        "boolean": st.booleans(),
        "timestamp": st.floats(),
        "blob": st.sampled_from(["eA==", "@@"]),
    }.get(kind, TEXT)
    return st.one_of(typed, anything)


def body_for(service: str, operation: OperationModel) -> st.SearchStrategy[bytes]:
    noise = st.one_of(
        st.binary(max_size=64),
        st.sampled_from([b"", b"<", b"{", b"<!DOCTYPE a []><a/>", b"\xff\xfe<\x00", b"null"]),
    )
    shape = operation.input_shape
    if not isinstance(shape, StructureShape):
        return noise
    if service == KEY_VALUE_STORE:
        document = json_for(shape).map(lambda value: json.dumps(value).encode())
        return st.one_of(document, noise)
    payload = shape.serialization.get("payload")
    if payload is not None:
        member = shape.members[payload]
        if not isinstance(member, StructureShape):
            return noise
        root = member.serialization.get("name", payload)
        return st.one_of(xml_for(member, root).map(_utf8), noise)
    root = shape.serialization.get("name", shape.name)
    return st.one_of(xml_for(shape, root).map(_utf8), noise)


def _utf8(text: str) -> bytes:
    # Lone surrogates become the ill-formed UTF-8 a careless client would send.
    return text.encode("utf-8", "surrogatepass")


@st.composite
def requests(draw: st.DrawFn, service: str, operation: OperationModel) -> Any:
    """A request with every located member drawn (or left out) and a drawn body."""
    labels: dict[str, str] = {}
    query: dict[str, list[str]] = {}
    headers: dict[str, str] = {}
    shape = operation.input_shape
    if isinstance(shape, StructureShape):
        for field in fields_of(shape).located:
            if field.location == "uri":
                labels[field.wire_name] = draw(scalar_text(field.shape))
            elif not draw(st.booleans()):
                continue
            elif field.location == "querystring":
                item = field.shape.member if isinstance(field.shape, ListShape) else field.shape
                query[field.wire_name] = draw(st.lists(scalar_text(item), min_size=1, max_size=2))
            elif field.location == "header":
                headers[field.wire_name.lower()] = draw(scalar_text(field.shape))
    body = draw(body_for(service, operation))
    return labels, HttpRequest(operation.http["method"], "/", query, headers, body)


@pytest.mark.parametrize(("service", "name"), OPERATIONS)
@FUZZ
@given(data=st.data())
def test_any_request_parses_or_gets_a_modeled_error(service, name, data) -> None:
    operation = service_model(service).operation_model(name)
    labels, request = data.draw(requests(service, operation))
    definition = SERVICES[service]
    try:
        params = definition.parse(operation, request, labels)
        assert operation.input_shape is not None
        check_required(operation.input_shape, params, code=definition.malformed_code)
    except ServiceError as error:
        assert error.code == definition.malformed_code
        assert_modeled(service, error)
    else:
        assert isinstance(params, dict)


def _path_of(operation: OperationModel, labels: dict[str, str]) -> str:
    uri, _, _ = operation.http["requestUri"].partition("?")
    for name, value in labels.items():
        uri = uri.replace("{" + name + "}", quote(value.encode("utf-8", "surrogatepass"), ""))
    return uri


@pytest.mark.parametrize(("service", "name"), OPERATIONS)
@FUZZ
@given(data=st.data())
def test_any_request_through_the_dispatcher_gets_a_well_formed_answer(service, name, data) -> None:
    model = service_model(service)
    operation = model.operation_model(name)
    labels, request = data.draw(requests(service, operation))
    backend = Backend()
    arn = backend.stores.create(backend.options.account_id, STORE_NAME).arn
    _, _, static = operation.http["requestUri"].partition("?")
    query = {key: [v.replace(STORE_ARN, arn) for v in vs] for key, vs in request.query.items()}
    for pair in filter(None, static.split("&")):
        key, _, value = pair.partition("=")
        query[key] = [value]
    path = _path_of(operation, {k: v.replace(STORE_ARN, arn) for k, v in labels.items()})
    routed = HttpRequest(request.method, path, query, request.headers, request.body)
    dispatcher = Dispatcher(backend)
    try:
        response = dispatcher.dispatch(routed, service)
    except UnsupportedFeatureError:
        return  # a documented usage error (CreateKeyValueStore with an ImportSource)
    if response is None:
        return  # not for cfmock (tagging of other resources)
    if response.error_code is not None:
        assert response.error_code in error_codes(service)
    _botocore_parse(service, operation, response.status, response.headers, response.body)


@pytest.mark.parametrize("service", [CLOUDFRONT, KEY_VALUE_STORE])
@FUZZ
@given(
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"]),
    path=st.one_of(
        st.lists(
            st.sampled_from(["2020-05-31", "connection-function", "key-value-stores"]) | TEXT
        ).map(
            lambda parts: "/" + "/".join(quote(p.encode("utf-8", "surrogatepass")) for p in parts)
        ),
        st.text(max_size=30),
    ),
    query=st.dictionaries(TEXT, st.lists(TEXT, max_size=2), max_size=3),
    body=st.binary(max_size=32),
)
def test_any_path_is_answered_or_left_alone(service, method, path, query, body) -> None:
    response = Dispatcher(Backend()).dispatch(HttpRequest(method, path, query, {}, body), service)
    if response is not None and response.error_code is not None:
        assert response.error_code in error_codes(service)


# ---------------------------------------------------------------------------------------------
# Responses


def output_for(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """An output value of *shape* with arbitrary text in every string."""
    if isinstance(shape, StructureShape):
        if depth > 6:
            return st.just({})
        members = {name: output_for(member, depth + 1) for name, member in shape.members.items()}
        return st.fixed_dictionaries({}, optional=members)
    if isinstance(shape, ListShape):
        return st.lists(output_for(shape.member, depth + 1), max_size=2)
    if isinstance(shape, MapShape):
        return st.dictionaries(TEXT, output_for(shape.value, depth + 1), max_size=2)
    kind = shape.type_name
    if kind in ("integer", "long"):
        return st.integers(-(2**31), 2**31 - 1)
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.binary(max_size=8)
    if kind == "timestamp":
        return st.datetimes(
            min_value=datetime.datetime(1971, 1, 1),
            max_value=datetime.datetime(2999, 1, 1),
            timezones=st.just(datetime.timezone.utc),
        )
    if kind in ("double", "float"):
        return st.floats(allow_nan=False, allow_infinity=False)
    return TEXT


def _botocore_parse(
    service: str, operation: OperationModel, status: int, headers: Any, body: bytes
) -> dict[str, Any]:
    shape = operation.output_shape if status < 300 else None
    raw: Any = body
    if status < 300 and operation.has_streaming_output:
        raw = StreamingBody(io.BytesIO(body), len(body))
    parsed: dict[str, Any] = PARSERS[service]().parse(
        {"status_code": status, "headers": headers, "body": raw},
        shape,  # type: ignore[arg-type]
    )
    return parsed


@pytest.mark.parametrize(("service", "name"), OPERATIONS)
@FUZZ
@given(data=st.data())
def test_any_output_parses_in_botocore(service, name, data) -> None:
    model: ServiceModel = service_model(service)
    operation = model.operation_model(name)
    if operation.output_shape is None:
        return
    output = data.draw(output_for(operation.output_shape))
    response = CODECS[service].serialize_response(model, operation, output)
    _botocore_parse(service, operation, response.status, response.headers, response.body)
    if service == KEY_VALUE_STORE:
        assert_well_formed(json.loads(response.body.decode("utf-8")))


def assert_well_formed(value: Any) -> None:
    """No string in the JSON *value* holds an unpaired surrogate (json.loads keeps them)."""
    if isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_well_formed(key)
            assert_well_formed(item)
    elif isinstance(value, list):
        for item in value:
            assert_well_formed(item)


def _as_xml_reads_it(text: str) -> str:
    replaced = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    illegal = {*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF}
    return "".join("\ufffd" if ord(char) in illegal else char for char in replaced)


@FUZZ
@given(message=st.text(CHARACTERS, min_size=1, max_size=12))
def test_any_error_message_reads_back_as_well_formed_text(message) -> None:
    xml_error = restxml.serialize_error(
        service_model(CLOUDFRONT), ServiceError("InvalidArgument", message)
    )
    parsed = RestXMLParser().parse(
        {"status_code": 400, "headers": xml_error.headers, "body": xml_error.body},
        None,  # type: ignore[arg-type]
    )
    assert parsed["Error"]["Message"] == _as_xml_reads_it(message)

    json_error = restjson.serialize_error(
        service_model(KEY_VALUE_STORE), ServiceError("ValidationException", message)
    )
    well_formed = message.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    assert json.loads(json_error.body.decode("utf-8"))["Message"] == well_formed
