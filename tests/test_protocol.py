"""The codec, checked against botocore's own serializer and parser as the oracle."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from botocore.awsrequest import prepare_request_dict
from botocore.model import ListShape, Shape, StructureShape
from botocore.parsers import RestXMLParser
from botocore.response import StreamingBody
from botocore.serialize import create_serializer

from cfmock._wire.http import HttpRequest
from cfmock._wire.model import router, service_model
from cfmock._wire.restxml import (
    MalformedRequest,
    check_required,
    format_timestamp,
    parse_request,
    serialize_error,
    serialize_response,
)
from cfmock.exceptions import ServiceError

MODEL = service_model()
CONNECTION_FUNCTION_OPERATIONS = sorted(
    name for name in MODEL.operation_names if "ConnectionFunction" in name
)
WHEN = datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc)


def sample(shape: Any, name: str = "value", depth: int = 0) -> Any:
    """A value of every member of *shape*, distinct enough to catch mix-ups."""
    if isinstance(shape, StructureShape):
        if depth > 6:
            return {}
        return {
            member_name: sample(member, member_name, depth + 1)
            for member_name, member in shape.members.items()
        }
    if isinstance(shape, ListShape):
        return [sample(shape.member, f"{name}-{i}", depth + 1) for i in range(2)]
    kind = shape.type_name
    if kind == "string":
        return shape.enum[0] if shape.enum else f"{name} & <x>"
    if kind in ("integer", "long"):
        return 7
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"\x00\xffblob <&>"
    if kind == "timestamp":
        return WHEN
    raise AssertionError(f"no sample for {kind}")


@pytest.mark.parametrize("operation_name", CONNECTION_FUNCTION_OPERATIONS)
def test_requests_serialized_by_botocore_parse_back_to_the_same_parameters(operation_name) -> None:
    operation = MODEL.operation_model(operation_name)
    params = sample(operation.input_shape)
    request_dict = create_serializer("rest-xml").serialize_to_request(params, operation)
    prepare_request_dict(request_dict, "https://cloudfront.amazonaws.com")
    request = HttpRequest.from_url(
        request_dict["method"], request_dict["url"], request_dict["headers"], request_dict["body"]
    )

    matched = router().match(request.method, request.path, request.query)

    assert matched is not None
    assert matched[0].name == operation_name
    assert parse_request(operation, request, matched[1]) == params


@pytest.mark.parametrize("operation_name", CONNECTION_FUNCTION_OPERATIONS)
def test_responses_parse_in_botocore_to_the_same_output(operation_name) -> None:
    operation = MODEL.operation_model(operation_name)
    if operation.output_shape is None:
        response = serialize_response(MODEL, operation, {})
        assert (response.status, response.body) == (204, b"")
        return
    output = sample(operation.output_shape)

    response = serialize_response(MODEL, operation, output)
    parsed = _botocore_parse(operation, response)

    assert response.status == operation.http["responseCode"]
    for name, value in parsed.items():
        if isinstance(value, StreamingBody):
            parsed[name] = value.read()
    assert parsed == output


def _botocore_parse(operation, response) -> dict[str, Any]:
    body = response.body
    if operation.has_streaming_output:
        import io

        body = StreamingBody(io.BytesIO(body), len(body))
    parsed = RestXMLParser().parse(
        {"status_code": response.status, "headers": response.headers, "body": body},
        operation.output_shape,
    )
    parsed.pop("ResponseMetadata")
    return parsed


def test_response_bodies_are_rooted_and_namespaced_as_cloudfront_does() -> None:
    list_operation = MODEL.operation_model("ListConnectionFunctions")
    body = serialize_response(MODEL, list_operation, {"ConnectionFunctions": []}).body
    assert body == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<ListConnectionFunctionsResult xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
        b"<ConnectionFunctions/></ListConnectionFunctionsResult>"
    )


@pytest.mark.parametrize(
    ("code", "status", "fault"),
    [
        ("PreconditionFailed", 412, "Sender"),
        ("InvalidIfMatchVersion", 400, "Sender"),
        ("EntityNotFound", 404, "Sender"),
        ("EntityAlreadyExists", 409, "Sender"),
        ("EntitySizeLimitExceeded", 413, "Sender"),
        ("TestFunctionFailed", 500, "Receiver"),
    ],
)
def test_errors_take_status_and_type_from_the_model(code, status, fault) -> None:
    response = serialize_error(MODEL, ServiceError(code, "why <it> & failed"))
    parsed = RestXMLParser().parse(
        {"status_code": response.status, "headers": response.headers, "body": response.body},
        None,  # type: ignore[arg-type]
    )
    assert response.status == status
    assert parsed["Error"] == {"Code": code, "Message": "why <it> & failed", "Type": fault}
    assert parsed["ResponseMetadata"]["RequestId"] == response.headers["x-amz-request-id"]


def _update_request(body: bytes, if_match: str = "E1") -> HttpRequest:
    return HttpRequest(
        "PUT", "/2020-05-31/connection-function/cf_x", {}, {"if-match": if_match}, body
    )


UPDATE = MODEL.operation_model("UpdateConnectionFunction")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"<not-closed",
            "The request body is not well-formed XML: unclosed token: line 1, column 0.",
        ),
        (
            b"<Wrong/>",
            "The request body's root element is Wrong; expected UpdateConnectionFunctionRequest.",
        ),
        (
            b"<UpdateConnectionFunctionRequest><ConnectionFunctionCode>@@@"
            b"</ConnectionFunctionCode></UpdateConnectionFunctionRequest>",
            "ConnectionFunctionCode has a value that is not a valid blob: '@@@'.",
        ),
        (
            b"<UpdateConnectionFunctionRequest><ConnectionFunctionConfig><Comment><x/></Comment>"
            b"</ConnectionFunctionConfig></UpdateConnectionFunctionRequest>",
            "Comment must be a string, not an element with children.",
        ),
    ],
)
def test_malformed_bodies_are_invalid_argument(body, message) -> None:
    with pytest.raises(MalformedRequest) as excinfo:
        parse_request(UPDATE, _update_request(body), {"Id": "cf_x"})
    assert (excinfo.value.code, excinfo.value.message) == ("InvalidArgument", message)


def test_integers_and_booleans_are_checked() -> None:
    operation = MODEL.operation_model("ListConnectionFunctions")
    body = (
        b"<ListConnectionFunctionsRequest><MaxItems>ten</MaxItems></ListConnectionFunctionsRequest>"
    )
    with pytest.raises(MalformedRequest) as excinfo:
        parse_request(operation, HttpRequest("POST", "/", body=body), {})
    assert excinfo.value.message == "MaxItems has a value that is not a valid integer: 'ten'."


def test_a_missing_if_match_is_left_for_the_operation_to_refuse() -> None:
    params = {
        "Id": "cf_x",
        "ConnectionFunctionConfig": {"Comment": "c", "Runtime": "r"},
        "ConnectionFunctionCode": b"x",
    }
    check_required(cast(Shape, UPDATE.input_shape), params)


def test_missing_required_members_are_named_with_their_path() -> None:
    params = {
        "Id": "cf_x",
        "IfMatch": "E1",
        "ConnectionFunctionConfig": {"Comment": "c"},
        "ConnectionFunctionCode": b"x",
    }
    with pytest.raises(ServiceError) as excinfo:
        check_required(cast(Shape, UPDATE.input_shape), params)
    assert excinfo.value.code == "InvalidArgument"
    assert excinfo.value.message == (
        "The request is missing the required member ConnectionFunctionConfig.Runtime."
    )


def test_unknown_elements_are_ignored_and_namespaces_accepted() -> None:
    body = (
        b'<UpdateConnectionFunctionRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
        b"<Extra>1</Extra><ConnectionFunctionConfig><Runtime>r</Runtime><Comment></Comment>"
        b"</ConnectionFunctionConfig><ConnectionFunctionCode>eA==</ConnectionFunctionCode>"
        b"</UpdateConnectionFunctionRequest>"
    )
    assert parse_request(UPDATE, _update_request(body), {"Id": "cf_x"}) == {
        "Id": "cf_x",
        "IfMatch": "E1",
        "ConnectionFunctionConfig": {"Runtime": "r", "Comment": ""},
        "ConnectionFunctionCode": b"x",
    }


def test_timestamps_are_iso_8601_utc_with_milliseconds() -> None:
    eastern = datetime.timezone(datetime.timedelta(hours=-5))
    value = datetime.datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=eastern)
    assert format_timestamp(value) == "2026-03-04T10:06:07.891Z"


def test_router_prefers_literal_query_keys_and_rejects_unknown_paths() -> None:
    tag = router().match("POST", "/2020-05-31/tagging", {"Operation": ["Tag"], "Resource": ["a"]})
    untag = router().match("POST", "/2020-05-31/tagging", {"Operation": ["Untag"]})
    assert tag is not None and tag[0].name == "TagResource"
    assert untag is not None and untag[0].name == "UntagResource"
    assert router().match("GET", "/2020-05-31/nothing-here", {}) is None
    assert router().match("PATCH", "/2020-05-31/connection-function/x", {}) is None
    empty = router().match("GET", "/2020-05-31/connection-function//describe", {})
    assert empty is not None
    assert (empty[0].name, empty[1]) == ("DescribeConnectionFunction", {"Identifier": ""})
