"""Both codecs over every kind of member, on a small service model of each protocol.

CloudFront's and the data plane's implemented operations use only some of what the codecs read
and write (no operation without input, no payload of text or bytes in a request, no map in
REST-JSON requests, no number in a JSON body, ...). The codecs are driven by botocore's shapes,
not by those operations, so each kind is checked here on a made-up model, with botocore's own
serializer and parser as the oracle, as ``test_protocol.py`` does for the real models.
"""

from __future__ import annotations

import datetime
import json
from types import ModuleType
from typing import Any

import pytest
from botocore.awsrequest import prepare_request_dict
from botocore.model import OperationModel, ServiceModel
from botocore.parsers import RestJSONParser, RestXMLParser
from botocore.serialize import create_serializer

from cfmock._wire import restjson, restxml
from cfmock._wire.http import HttpRequest, HttpResponse
from cfmock._wire.model import Router
from cfmock._wire.rest import check_required
from cfmock.exceptions import ServiceError

NAMESPACE = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
WHEN = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
LATER = datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc)

SCALARS = {
    "String": {"type": "string"},
    "Boolean": {"type": "boolean"},
    "Integer": {"type": "integer"},
    "Long": {"type": "long"},
    "Double": {"type": "double"},
    "Timestamp": {"type": "timestamp"},
    "Blob": {"type": "blob"},
    "Strings": {"type": "list", "member": {"shape": "String", "locationName": "Item"}},
    "Labels": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
    "Inner": {
        "type": "structure",
        "members": {"Count": {"shape": "Integer"}, "When": {"shape": "Timestamp"}},
    },
    "Inners": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "Inner"}},
}
LOCATED_IN = {
    "Id": {"shape": "String", "location": "uri", "locationName": "Id"},
    "Tags": {"shape": "Strings", "location": "querystring", "locationName": "tag"},
    "Limit": {"shape": "Integer", "location": "querystring", "locationName": "limit"},
    "Since": {"shape": "Timestamp", "location": "querystring", "locationName": "since"},
    "Flag": {"shape": "Boolean", "location": "header", "locationName": "x-flag"},
    "Meta": {"shape": "Labels", "location": "headers", "locationName": "x-meta-"},
}
LOCATED_OUT = {
    "ETag": {"shape": "String", "location": "header", "locationName": "ETag"},
    "Flag": {"shape": "Boolean", "location": "header", "locationName": "x-flag"},
    "Digest": {"shape": "Blob", "location": "header", "locationName": "x-digest"},
}
WRAPPED = {"shape": "Inner", "locationName": "Inner", "xmlNamespace": {"uri": NAMESPACE}}
XML_BODY = {
    "Count": {"shape": "Integer"},
    "Big": {"shape": "Long"},
    "Enabled": {"shape": "Boolean"},
    "When": {"shape": "Timestamp"},
    "Data": {"shape": "Blob"},
    "Items": {"shape": "Strings"},
    "Inner": {"shape": "Inner"},
}
JSON_BODY = {
    **XML_BODY,
    "Ratio": {"shape": "Double"},
    "Labels": {"shape": "Labels"},
    "Inners": {"shape": "Inners"},
}


def model(protocol: str, body: dict[str, Any]) -> ServiceModel:
    """A service with an operation of every member kind, one with neither input nor output,
    and (in REST-XML) requests and responses whose payload is bytes, text, a structure or
    nothing."""
    operations: dict[str, Any] = {
        "Everything": {
            "http": {"method": "PUT", "requestUri": "/things/{Id}", "responseCode": 200},
            "input": {
                "shape": "EverythingRequest",
                "locationName": "EverythingRequest",
                "xmlNamespace": {"uri": NAMESPACE},
            },
            "output": {"shape": "EverythingResult"},
        },
        "Nothing": {"http": {"method": "DELETE", "requestUri": "/nothing", "responseCode": 204}},
        "Bytes": {
            "http": {"method": "PUT", "requestUri": "/bytes"},
            "input": {"shape": "BytesRequest"},
            "output": {"shape": "TextResult"},
        },
        "Text": {
            "http": {"method": "PUT", "requestUri": "/text"},
            "input": {"shape": "TextRequest"},
            "output": {"shape": "HeadersResult"},
        },
        "Wrapped": {
            "http": {"method": "PUT", "requestUri": "/wrapped"},
            "input": {"shape": "WrappedRequest"},
            "output": {"shape": "WrappedResult"},
        },
    }
    shapes: dict[str, Any] = {
        **SCALARS,
        "EverythingRequest": {
            "type": "structure",
            "required": ["Id"],
            "members": {**LOCATED_IN, **body},
        },
        "EverythingResult": {"type": "structure", "members": {**LOCATED_OUT, **body}},
        "BytesRequest": {
            "type": "structure",
            "payload": "Body",
            "members": {"Body": {"shape": "Blob"}},
        },
        "TextRequest": {
            "type": "structure",
            "payload": "Body",
            "members": {"Body": {"shape": "String"}},
        },
        "TextResult": {
            "type": "structure",
            "payload": "Text",
            "members": {"Text": {"shape": "String"}},
        },
        "HeadersResult": {"type": "structure", "members": {"ETag": LOCATED_OUT["ETag"]}},
        "WrappedRequest": {"type": "structure", "payload": "Inner", "members": {"Inner": WRAPPED}},
        "WrappedResult": {"type": "structure", "payload": "Inner", "members": {"Inner": WRAPPED}},
    }
    for name, operation in operations.items():
        operation["name"] = name
    metadata = {
        "apiVersion": "2020-05-31",
        "endpointPrefix": "shapes",
        "protocol": protocol,
        "serviceId": "Shapes",
        "signatureVersion": "v4",
    }
    return ServiceModel(
        {"metadata": metadata, "operations": operations, "shapes": shapes}, "shapes"
    )


XML = model("rest-xml", XML_BODY)
JSON = model("rest-json", JSON_BODY)
CODECS: dict[str, tuple[ServiceModel, ModuleType, Any]] = {
    "rest-xml": (XML, restxml, RestXMLParser),
    "rest-json": (JSON, restjson, RestJSONParser),
}
PROTOCOLS = list(CODECS)


def botocore_request(service: ServiceModel, operation: str, params: dict[str, Any]) -> HttpRequest:
    """*params* as botocore's client would send them."""
    protocol = service.metadata["protocol"]
    request_dict = create_serializer(protocol).serialize_to_request(
        params, service.operation_model(operation)
    )
    prepare_request_dict(request_dict, "https://shapes.amazonaws.com")
    return HttpRequest.from_url(
        request_dict["method"], request_dict["url"], request_dict["headers"], request_dict["body"]
    )


def parsed_by_cfmock(protocol: str, request: HttpRequest) -> tuple[str, dict[str, Any]]:
    """The operation and parameters cfmock reads from *request*, checked as the dispatcher does."""
    service, codec, _ = CODECS[protocol]
    matched = Router(service).match(request.method, request.path, request.query)
    assert matched is not None
    operation, labels = matched
    params: dict[str, Any] = codec.parse_request(operation, request, labels)
    check_required(operation.input_shape, params)
    return operation.name, params


def parsed_by_botocore(protocol: str, operation: OperationModel, response: HttpResponse) -> Any:
    _, _, parser = CODECS[protocol]
    raw = {"status_code": response.status, "headers": response.headers, "body": response.body}
    parsed = parser().parse(raw, operation.output_shape)
    metadata = parsed.pop("ResponseMetadata")
    assert metadata["HTTPStatusCode"] == response.status
    return parsed


def everything(protocol: str, when: datetime.datetime) -> dict[str, Any]:
    """A value of every body member: as a request's or as a response's body."""
    values: dict[str, Any] = {
        "Count": -7,
        "Big": 2**40,
        "Enabled": False,
        "When": when,
        "Data": b"\x00\xff<&>",
        "Items": ["a & b", "<c>"],
        "Inner": {"Count": 3, "When": when},
    }
    if protocol == "rest-json":
        values |= {
            "Ratio": 0.25,
            "Labels": {"k": "v", "é": ""},
            "Inners": {"x": {"Count": 1, "When": when}},
        }
    return values


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_kind_of_member_botocore_sends_is_read_back(protocol: str) -> None:
    located = {"Id": "id/é", "Tags": ["a", "b c"], "Limit": 5, "Since": LATER, "Flag": True}
    params = {**located, **everything(protocol, WHEN)}
    request = botocore_request(CODECS[protocol][0], "Everything", params | {"Meta": {"k": "v"}})
    assert request.header("x-meta-k") == "v"
    # A map of header fields (location "headers") is not read: no operation of either service
    # has one, and it is not taken for the single header field of its prefix.
    assert parsed_by_cfmock(protocol, request) == ("Everything", params)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_kind_of_member_cfmock_writes_is_read_by_botocore(protocol: str) -> None:
    service, codec, _ = CODECS[protocol]
    operation = service.operation_model("Everything")
    output = {"ETag": "E1", "Flag": False, "Digest": b"\x01\x02", **everything(protocol, LATER)}
    response = codec.serialize_response(service, operation, output)
    assert response.status == 200
    assert parsed_by_botocore(protocol, operation, response) == output


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_operation_without_input_or_output(protocol: str) -> None:
    service, codec, _ = CODECS[protocol]
    request = botocore_request(service, "Nothing", {})
    assert parsed_by_cfmock(protocol, request) == ("Nothing", {})
    response = codec.serialize_response(service, service.operation_model("Nothing"), {})
    assert (response.status, response.body, list(response.headers)) == (
        204,
        b"",
        ["x-amz-request-id" if protocol == "rest-xml" else "x-amzn-RequestId"],
    )
    assert parsed_by_botocore(protocol, service.operation_model("Nothing"), response) == {}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_uri_label_the_route_did_not_supply_is_missing(protocol: str) -> None:
    service, codec, _ = CODECS[protocol]
    operation = service.operation_model("Everything")
    params = codec.parse_request(operation, HttpRequest("PUT", "/things/x"), {})
    assert params == {}
    with pytest.raises(ServiceError) as excinfo:
        check_required(operation.input_shape, params)
    assert excinfo.value.message == "The request is missing the required member Id."


@pytest.mark.parametrize(
    ("protocol", "headers", "body", "error"),
    [
        ("rest-xml", {"x-flag": "yes"}, b"", ("InvalidArgument", "Flag", "'yes'")),
        ("rest-json", {"x-flag": "True"}, b"", ("ValidationException", "Flag", "'True'")),
        (
            "rest-xml",
            {},
            b"<EverythingRequest><Enabled>1</Enabled></EverythingRequest>",
            ("InvalidArgument", "Enabled", "'1'"),
        ),
    ],
)
def test_a_boolean_is_true_or_false_and_nothing_else(
    protocol: str, headers: dict[str, str], body: bytes, error: tuple[str, str, str]
) -> None:
    service, codec, _ = CODECS[protocol]
    request = HttpRequest("PUT", "/things/x", {}, headers, body)
    with pytest.raises(ServiceError) as excinfo:
        codec.parse_request(service.operation_model("Everything"), request, {"Id": "x"})
    code, name, shown = error
    assert (excinfo.value.code, excinfo.value.message) == (
        code,
        f"{name} has a value that is not a valid boolean: {shown}.",
    )


@pytest.mark.parametrize(
    ("operation", "body", "params"),
    [
        ("Bytes", b"\x00\xff", {"Body": b"\x00\xff"}),
        ("Bytes", b"", {}),
        ("Text", "café".encode(), {"Body": "café"}),
        ("Text", b"", {}),
    ],
)
def test_a_rest_xml_payload_of_bytes_or_text_is_the_body(
    operation: str, body: bytes, params: dict[str, Any]
) -> None:
    if body:
        request = botocore_request(XML, operation, params)
        assert request.body == body
    else:
        request = HttpRequest("PUT", f"/{operation.lower()}")
    assert parsed_by_cfmock("rest-xml", request) == (operation, params)


@pytest.mark.parametrize(
    ("operation", "output", "body", "read"),
    [
        ("Bytes", {"Text": "café \ud800"}, "café \ufffd".encode(), {"Text": "café \ufffd"}),
        ("Bytes", {}, b"", {"Text": ""}),  # botocore reads an empty text payload as ""
        ("Text", {"ETag": "E1"}, b"", {"ETag": "E1"}),
    ],
)
def test_rest_xml_responses_with_a_text_payload_or_only_headers(
    operation: str, output: dict[str, Any], body: bytes, read: dict[str, Any]
) -> None:
    model = XML.operation_model(operation)
    response = restxml.serialize_response(XML, model, output)
    assert response.body == body
    assert ("Content-Type" in response.headers) == bool(body)
    assert parsed_by_botocore("rest-xml", model, response) == read


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"Count": 2147483648}', "Count is 2147483648, out of the range of an integer."),
        (
            b'{"Big": -9223372036854775809}',
            "Big is -9223372036854775809, out of the range of a long.",
        ),
        (b'{"Count": true}', "Count must be an integer, not a boolean."),
        (b'{"Count": 1.5}', "Count must be an integer, not the number 1.5."),
        (b'{"Ratio": 1e999}', "Ratio must be a finite number, not inf."),
        (b'{"Ratio": "1"}', "Ratio must be a double, not the string '1'."),
        (b'{"When": 1e20}', "When is 1e+20, out of the range of a timestamp."),
        (b'{"When": -1e999}', "When must be a finite number, not -inf."),
        (b'{"Data": "@@"}', "Data is not valid base64."),
        (b'{"Data": 1}', "Data must be a blob, not the number 1."),
        (b'{"Labels": []}', "Labels must be a JSON object, not an array."),
        (b'{"Labels": {"k": 1}}', "Labels.k must be a string, not the number 1."),
        (
            b'{"Labels": {"\\ud800": "v"}}',
            "Labels holds an unpaired surrogate; strings must be valid Unicode.",
        ),
        (
            b'{"Inners": {"x": {"Count": "1"}}}',
            "Inners.x.Count must be an integer, not the string '1'.",
        ),
        (b'{"Inner": "x"}', "Inner must be a JSON object, not the string 'x'."),
        (b'{"Items": {}}', "Items must be a JSON array, not an object."),
    ],
)
def test_rest_json_members_of_the_wrong_kind_are_validation_exception(
    body: bytes, message: str
) -> None:
    request = HttpRequest("PUT", "/things/x", body=body)
    with pytest.raises(ServiceError) as excinfo:
        restjson.parse_request(JSON.operation_model("Everything"), request, {"Id": "x"})
    assert (excinfo.value.code, excinfo.value.message) == ("ValidationException", message)


def test_rest_json_numbers_at_the_edges_of_their_kinds_are_read() -> None:
    body = {"Count": -(2**31), "Big": 2**63 - 1, "Ratio": 5, "When": 0, "Data": ""}
    request = HttpRequest("PUT", "/things/x", body=json.dumps(body).encode())
    params = restjson.parse_request(JSON.operation_model("Everything"), request, {"Id": "x"})
    assert params == {
        "Id": "x",
        "Count": -(2**31),
        "Big": 2**63 - 1,
        "Ratio": 5,
        "When": datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc),
        "Data": b"",
    }


@pytest.mark.parametrize("inner", [{"Count": 2, "When": WHEN}, None])
def test_a_rest_xml_payload_structure_present_or_absent(inner: dict[str, Any] | None) -> None:
    params = {} if inner is None else {"Inner": inner}
    request = botocore_request(XML, "Wrapped", params)
    assert bool(request.body) == (inner is not None)
    assert parsed_by_cfmock("rest-xml", request) == ("Wrapped", params)
    operation = XML.operation_model("Wrapped")
    response = restxml.serialize_response(XML, operation, params)
    assert bool(response.body) == (inner is not None)
    # botocore reads an empty body as an empty structure.
    assert parsed_by_botocore("rest-xml", operation, response) == {"Inner": inner or {}}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_absent_members_are_left_out_of_headers_and_body(protocol: str) -> None:
    service, codec, _ = CODECS[protocol]
    operation = service.operation_model("Everything")
    output = {"ETag": "E1", "Count": 1, "Inner": {"When": WHEN}}
    response = codec.serialize_response(service, operation, {**output, "Flag": None})
    assert not {"x-flag", "x-digest"} & {name.lower() for name in response.headers}
    assert parsed_by_botocore(protocol, operation, response) == output


def test_rest_json_writes_unpaired_surrogates_in_lists_and_maps_as_replacement_characters() -> None:
    operation = JSON.operation_model("Everything")
    output = {"Items": ["a\ud800", "\udfffb"], "Labels": {"\ud800k": "v\udfff"}}
    response = restjson.serialize_response(JSON, operation, output)
    assert json.loads(response.body) == {
        "Items": ["a\ufffd", "\ufffdb"],
        "Labels": {"\ufffdk": "v\ufffd"},
    }
