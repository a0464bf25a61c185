"""The codec, checked against botocore's own serializer and parser as the oracle."""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any, cast

import boto3
import botocore.config
import pytest
from botocore.awsrequest import prepare_request_dict
from botocore.model import ListShape, Shape, StructureShape
from botocore.parsers import RestJSONParser, RestXMLParser
from botocore.response import StreamingBody
from botocore.serialize import create_serializer

from cfmock._wire import restjson
from cfmock._wire.http import HttpRequest
from cfmock._wire.model import KEY_VALUE_STORE, router, service_model
from cfmock._wire.restxml import (
    MalformedRequest,
    check_required,
    escape,
    format_timestamp,
    parse_request,
    serialize_error,
    serialize_response,
)
from cfmock.exceptions import ServiceError
from tests.scaffolding import CODE, error_of, update

MODEL = service_model()
KVS_MODEL = service_model(KEY_VALUE_STORE)
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


# ---------------------------------------------------------------------------------------------
# Output encoding: every string a response carries reaches the client as well-formed text


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("plain text, no markup", "plain text, no markup"),
        ("a<b&c>d", "a&lt;b&amp;c&gt;d"),
        ("line\r\nbreak", "line&#13;\nbreak"),
        ("tab\tand line feed\n stay", "tab\tand line feed\n stay"),
        ("\x00\x01\x08\x0b\x0c\x0e\x1f", "\ufffd" * 7),
        ("\ufffe\uffff", "\ufffd\ufffd"),
        ("\x7f\x85 are legal XML", "\x7f\x85 are legal XML"),
        ("lone \ud800 high, lone \udfff low", "lone \ufffd high, lone \ufffd low"),
        ("a pair \ud83d\ude00 is joined", "a pair \U0001f600 is joined"),
        ("reversed \ude00\ud83d", "reversed \ufffd\ufffd"),
    ],
)
def test_xml_text_replaces_what_xml_cannot_carry(text, written) -> None:
    assert escape(text) == written


HOSTILE_TEXT = "log\r\n\x00\x07<&>\ufffe\ud800 \ud83d\ude00"
READ_BACK = "log\r\n\ufffd\ufffd<&>\ufffd\ufffd \U0001f600"


def test_strings_from_user_javascript_reach_botocore_as_well_formed_text() -> None:
    operation = MODEL.operation_model("TestConnectionFunction")
    output = {
        "ConnectionFunctionTestResult": {
            "ComputeUtilization": "1",
            "ConnectionFunctionExecutionLogs": [HOSTILE_TEXT, "\r"],
            "ConnectionFunctionErrorMessage": HOSTILE_TEXT,
            "ConnectionFunctionOutput": HOSTILE_TEXT,
        }
    }

    parsed = _botocore_parse(operation, serialize_response(MODEL, operation, output))

    assert parsed["ConnectionFunctionTestResult"] == {
        "ComputeUtilization": "1",
        "ConnectionFunctionExecutionLogs": [READ_BACK, "\r"],
        "ConnectionFunctionErrorMessage": READ_BACK,
        "ConnectionFunctionOutput": READ_BACK,
    }


def test_error_messages_echoing_user_input_are_well_formed_xml() -> None:
    response = serialize_error(MODEL, ServiceError("InvalidArgument", HOSTILE_TEXT))
    parsed = RestXMLParser().parse(
        {"status_code": response.status, "headers": response.headers, "body": response.body},
        None,  # type: ignore[arg-type]
    )
    assert parsed["Error"]["Message"] == READ_BACK


def test_rest_json_writes_unpaired_surrogates_as_replacement_characters() -> None:
    error = restjson.serialize_error(KVS_MODEL, ServiceError("ValidationException", HOSTILE_TEXT))
    get_key = KVS_MODEL.operation_model("GetKey")
    output = {"Key": "\udc00k", "Value": HOSTILE_TEXT, "ItemCount": 1, "TotalSizeInBytes": 2}
    response = restjson.serialize_response(KVS_MODEL, get_key, output)

    # Strict UTF-8 and strict JSON: no "\udXXX" escape stands alone.
    assert (
        json.loads(error.body.decode("utf-8"))["Message"]
        == "log\r\n\x00\x07<&>\ufffe\ufffd \U0001f600"
    )
    parsed = RestJSONParser().parse(
        {"status_code": 200, "headers": response.headers, "body": response.body},
        cast(Shape, get_key.output_shape),
    )
    assert (parsed["Key"], parsed["Value"]) == (
        "\ufffdk",
        "log\r\n\x00\x07<&>\ufffe\ufffd \U0001f600",
    )


def test_rest_json_keeps_surrogate_pairs_and_text_that_looks_like_an_escape() -> None:
    error = restjson.serialize_error(
        KVS_MODEL, ServiceError("ValidationException", "\ud83d\ude00 and \\ud800 as text")
    )
    assert json.loads(error.body)["Message"] == "\U0001f600 and \\ud800 as text"


def test_javascript_logs_errors_and_custom_data_reach_boto3_well_formed(cf, client) -> None:
    code = (
        b"function connectionHandler(connection) {"
        b' console.log("a\\uD800b\\u0001c\\rd\\uFFFEe<&>");'
        b' connection.logCustomData("x\\uDC00y");'
        b' throw new Error("boom\\u0002\\r"); }'
    )
    function = cf.add_function("hostile-strings", code)

    result = client.test_connection_function(
        Id=function.id, IfMatch=function.etag, ConnectionObject=b"{}"
    )["ConnectionFunctionTestResult"]

    assert result["ConnectionFunctionExecutionLogs"] == ["a\ufffdb\ufffdc\rd\ufffde<&>"]
    assert result["ConnectionFunctionErrorMessage"].endswith("boom\ufffd\r")
    assert "x\ufffdy" in result["ConnectionFunctionOutput"]


# ---------------------------------------------------------------------------------------------
# Input: every malformed request gets the service's modeled error


LIST_FUNCTIONS = MODEL.operation_model("ListConnectionFunctions")
NOT_ASCII_DIGITS = ["²", "٣", "３", "1٣"]
NOT_INTEGERS = [*NOT_ASCII_DIGITS, " 7", "+7", "1_0", "0x10", "", "2147483648", "-2147483649"]


@pytest.mark.parametrize("text", NOT_INTEGERS)
def test_rest_xml_integers_are_ascii_digits_in_range(text) -> None:
    body = f"<ListConnectionFunctionsRequest><MaxItems>{text}</MaxItems>"
    body += "</ListConnectionFunctionsRequest>"
    with pytest.raises(MalformedRequest) as excinfo:
        parse_request(LIST_FUNCTIONS, HttpRequest("POST", "/", body=body.encode()), {})
    assert (excinfo.value.code, excinfo.value.message) == (
        "InvalidArgument",
        f"MaxItems has a value that is not a valid integer: {text!r}.",
    )


@pytest.mark.parametrize(
    ("text", "value"), [("7", 7), ("007", 7), ("-1", -1), ("2147483647", 2**31 - 1)]
)
def test_rest_xml_integers_in_range_are_read(text, value) -> None:
    body = f"<ListConnectionFunctionsRequest><MaxItems>{text}</MaxItems>"
    body += "</ListConnectionFunctionsRequest>"
    request = HttpRequest("POST", "/", body=body.encode())
    assert parse_request(LIST_FUNCTIONS, request, {}) == {"MaxItems": value}


DEEP_2000 = b"<a>" * 2000 + b"</a>" * 2000
DEEP_100000 = b"<a>" * 100_000 + b"</a>" * 100_000
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (n, b"&lol%d;" % (n - 1) * 10) for n in range(1, 10))
    + b"]><UpdateConnectionFunctionRequest><ConnectionFunctionConfig><Comment>&lol9;</Comment>"
    b"</ConnectionFunctionConfig></UpdateConnectionFunctionRequest>"
)
EXTERNAL_ENTITY = (
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<UpdateConnectionFunctionRequest><ConnectionFunctionConfig><Comment>&x;</Comment>"
    b"</ConnectionFunctionConfig></UpdateConnectionFunctionRequest>"
)
TOO_DEEP = "The request body is nested more than 64 levels deep."
NOT_WELL_FORMED = "The request body is not well-formed XML: "
HOSTILE_XML_BODIES = [
    pytest.param(
        b"<UpdateConnectionFunctionRequest>%s</UpdateConnectionFunctionRequest>" % DEEP_2000,
        TOO_DEEP,
        id="nested-2000",
    ),
    pytest.param(
        b"<UpdateConnectionFunctionRequest>%s</UpdateConnectionFunctionRequest>" % DEEP_100000,
        TOO_DEEP,
        id="nested-100000",
    ),
    pytest.param(
        b"<UpdateConnectionFunctionRequest><ConnectionFunctionConfig><Comment>"
        + b"<a>" * 70
        + b"</a>" * 70
        + b"</Comment></ConnectionFunctionConfig></UpdateConnectionFunctionRequest>",
        TOO_DEEP,
        id="nested-inside-a-member",
    ),
    pytest.param(
        BILLION_LAUGHS,
        "The request body must not contain a document type declaration (<!DOCTYPE>).",
        id="billion-laughs",
    ),
    pytest.param(
        EXTERNAL_ENTITY,
        "The request body must not contain a document type declaration (<!DOCTYPE>).",
        id="external-entity",
    ),
    pytest.param(
        b"<UpdateConnectionFunctionRequest %s/>"
        % b" ".join(b'a%d="x"' % n for n in range(100_000)),
        "The request body has more than 64 XML attributes.",
        id="100000-attributes",
    ),
    pytest.param(
        b"<UpdateConnectionFunctionRequest>%s</UpdateConnectionFunctionRequest>"
        % b"".join(b'<e a="1"/>' for _ in range(65)),
        "The request body has more than 64 XML attributes.",
        id="65-attributes-in-all",
    ),
    pytest.param(
        "<UpdateConnectionFunctionRequest/>".encode("utf-16"),
        NOT_WELL_FORMED + "it is UTF-16; send UTF-8.",
        id="utf-16",
    ),
    pytest.param(
        " <UpdateConnectionFunctionRequest/>".encode("utf-16-be"),
        NOT_WELL_FORMED + "it is UTF-16; send UTF-8.",
        id="utf-16-without-byte-order-mark",
    ),
    pytest.param(
        "<!DOCTYPE r><UpdateConnectionFunctionRequest/>".encode("utf-16-le"),
        NOT_WELL_FORMED + "it is UTF-16; send UTF-8.",
        id="utf-16-doctype",
    ),
    pytest.param(
        b"<UpdateConnectionFunctionRequest>\x00</UpdateConnectionFunctionRequest>",
        NOT_WELL_FORMED + "not well-formed (invalid token): line 1, column 33.",
        id="nul-byte",
    ),
    pytest.param(
        b'<?xml version="1.0" encoding="bogus"?><UpdateConnectionFunctionRequest/>',
        NOT_WELL_FORMED + "unknown encoding: bogus.",
        id="unknown-encoding",
    ),
    pytest.param(
        b'<?xml version="1.0" encoding="utf-7"?><UpdateConnectionFunctionRequest/>',
        NOT_WELL_FORMED + "multi-byte encodings are not supported.",
        id="multi-byte-encoding",
    ),
    pytest.param(
        b"<UpdateConnectionFunctionRequest>&undefined;</UpdateConnectionFunctionRequest>",
        NOT_WELL_FORMED + "undefined entity: line 1, column 33.",
        id="undefined-entity",
    ),
    pytest.param(
        b"<UpdateConnectionFunctionRequest>\xed\xa0\x80</UpdateConnectionFunctionRequest>",
        NOT_WELL_FORMED + "not well-formed (invalid token): line 1, column 33.",
        id="encoded-surrogate",
    ),
]


@pytest.mark.parametrize(("body", "message"), HOSTILE_XML_BODIES)
def test_hostile_xml_bodies_are_invalid_argument(body, message) -> None:
    with pytest.raises(MalformedRequest) as excinfo:
        parse_request(UPDATE, _update_request(body), {"Id": "cf_x"})
    assert (excinfo.value.code, excinfo.value.message) == ("InvalidArgument", message)


def test_bodies_at_the_limits_are_read() -> None:
    tags = "".join(f'<Tag x="{n}"><Key>k{n}</Key></Tag>' for n in range(64))
    body = f"<Tags><Items>{tags}</Items></Tags>".encode()
    request = HttpRequest("POST", "/2020-05-31/tagging", {"Resource": ["arn"]}, {}, body)
    parsed = parse_request(MODEL.operation_model("TagResource"), request, {})
    assert len(parsed["Tags"]["Items"]) == 64

    nested = b"<a>" * 62 + b"</a>" * 62
    body = b"<UpdateConnectionFunctionRequest><x>%s</x></UpdateConnectionFunctionRequest>" % nested
    assert parse_request(UPDATE, _update_request(body), {"Id": "cf_x"}) == {
        "Id": "cf_x",
        "IfMatch": "E1",
    }


LIST_KEYS = KVS_MODEL.operation_model("ListKeys")
UPDATE_KEYS = KVS_MODEL.operation_model("UpdateKeys")
KVS_ARN = "arn:aws:cloudfront::123456789012:key-value-store/54947df8-0e9e-4471-a2f9-9af509fb5889"


def _data_plane(operation, body: bytes = b"", query: dict[str, list[str]] | None = None) -> Any:
    request = HttpRequest("POST", "/", query or {}, {"if-match": "KV1"}, body)
    return restjson.parse_request(operation, request, {"KvsARN": KVS_ARN})


@pytest.mark.parametrize("text", NOT_INTEGERS)
def test_rest_json_query_integers_are_validation_exception(text) -> None:
    with pytest.raises(ServiceError) as excinfo:
        _data_plane(LIST_KEYS, query={"MaxResults": [text]})
    assert (excinfo.value.code, excinfo.value.message) == (
        "ValidationException",
        f"MaxResults has a value that is not a valid integer: {text!r}.",
    )


HOSTILE_JSON_BODIES = [
    pytest.param(b"[" * 2000 + b"]" * 2000, TOO_DEEP, id="nested-2000"),
    pytest.param(
        b'{"Puts": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", TOO_DEEP, id="nested-100000"
    ),
    pytest.param(b'{"Puts": [' + b"{" * 100_000, TOO_DEEP, id="nested-100000-unclosed"),
    pytest.param(
        b'{"Puts": "' + b'\\"' * 50_000 + b"[" * 100,
        "The request body is not valid JSON: Unterminated string starting at: "
        "line 1 column 10 (char 9).",
        id="unterminated-escapes",
    ),
    pytest.param(
        b"\xff\xfe{}",
        "The request body is not valid JSON: 'utf-8' codec can't decode byte 0xff in "
        "position 0: invalid start byte.",
        id="not-utf-8",
    ),
    pytest.param(
        b"<Puts/>",
        "The request body is not valid JSON: Expecting value: line 1 column 1 (char 0).",
        id="not-json",
    ),
    pytest.param(b"[]", "The request body must be a JSON object.", id="array"),
    pytest.param(b"null", "The request body must be a JSON object.", id="null"),
    pytest.param(
        b'{"Puts": NaN}', "The request body is not valid JSON: NaN is not a JSON value.", id="nan"
    ),
    pytest.param(
        b'{"Puts": [{"Key": "k", "Value": -Infinity}]}',
        "The request body is not valid JSON: -Infinity is not a JSON value.",
        id="infinity",
    ),
    pytest.param(
        b'{"Puts": 5}', "Puts must be a JSON array, not the number 5.", id="number-for-list"
    ),
    pytest.param(
        b'{"Puts": {"Key": "k"}}', "Puts must be a JSON array, not an object.", id="object-for-list"
    ),
    pytest.param(
        b'{"Puts": [null]}', "Puts[0] must be a JSON object, not null.", id="null-for-structure"
    ),
    pytest.param(
        b'{"Puts": [["k", "v"]]}',
        "Puts[0] must be a JSON object, not an array.",
        id="list-for-structure",
    ),
    pytest.param(
        b'{"Puts": [{"Key": 5, "Value": "v"}]}',
        "Puts[0].Key must be a string, not the number 5.",
        id="number-for-string",
    ),
    pytest.param(
        b'{"Puts": [{"Key": "k", "Value": true}]}',
        "Puts[0].Value must be a string, not a boolean.",
        id="boolean-for-string",
    ),
    pytest.param(
        b'{"Puts": [{"Key": 1e999, "Value": ""}]}',
        "Puts[0].Key must be a string, not the number Infinity.",
        id="overflowing-number",
    ),
    pytest.param(
        b'{"Puts": [{"Key": "\\ud800", "Value": "v"}]}',
        "Puts[0].Key holds an unpaired surrogate; strings must be valid Unicode.",
        id="unpaired-surrogate",
    ),
    pytest.param(
        b'{"Puts": [{"Key": "k", "Value": "\\udc00\\ud800"}]}',
        "Puts[0].Value holds an unpaired surrogate; strings must be valid Unicode.",
        id="reversed-pair",
    ),
]


@pytest.mark.parametrize(("body", "message"), HOSTILE_JSON_BODIES)
def test_hostile_json_bodies_are_validation_exception(body, message) -> None:
    with pytest.raises(ServiceError) as excinfo:
        _data_plane(UPDATE_KEYS, body)
    assert (excinfo.value.code, excinfo.value.message) == ("ValidationException", message)


def test_brackets_inside_json_strings_are_not_nesting() -> None:
    body = b'{"Puts": [{"Key": "k\\"[", "Value": "' + b"[" * 100_000 + b'"}]}'
    assert _data_plane(UPDATE_KEYS, body)["Puts"] == [{"Key": 'k"[', "Value": "[" * 100_000}]


def test_json_members_are_read_with_surrogate_pairs_joined() -> None:
    body = b'{"Puts": [{"Key": "\\ud83d\\ude00", "Value": ""}], "Deletes": null}'
    assert _data_plane(UPDATE_KEYS, body) == {
        "KvsARN": KVS_ARN,
        "IfMatch": "KV1",
        "Puts": [{"Key": "\U0001f600", "Value": ""}],
    }


def test_long_values_are_cut_in_messages() -> None:
    text = "9" * 100
    with pytest.raises(ServiceError) as excinfo:
        _data_plane(LIST_KEYS, query={"MaxResults": [text]})
    assert excinfo.value.message == (
        f"MaxResults has a value that is not a valid integer: {'9' * 64!r}... (100 characters)."
    )


# -- the same inputs through real boto3 clients ---------------------------------------------


LAX = botocore.config.Config(parameter_validation=False, retries={"max_attempts": 0})


@pytest.fixture
def data(cf) -> Any:
    return boto3.client("cloudfront-keyvaluestore", region_name="us-east-1", config=LAX)


@pytest.fixture
def lax_client(cf) -> Any:
    return boto3.client("cloudfront", region_name="us-east-1", config=LAX)


@pytest.fixture
def store_arn(client) -> str:
    arn: str = client.create_key_value_store(Name="wire")["KeyValueStore"]["ARN"]
    return arn


@pytest.mark.parametrize("text", NOT_ASCII_DIGITS)
def test_boto3_max_items_and_markers_with_other_digits_are_invalid_argument(
    client, store_arn, text
) -> None:
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        client.list_key_value_stores(MaxItems=text)
    assert error_of(excinfo) == (
        "InvalidArgument",
        400,
        f"MaxItems must be a number, not {text!r}.",
    )

    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        client.list_key_value_stores(Marker=text)
    assert error_of(excinfo) == (
        "InvalidArgument",
        400,
        f"The marker {text!r} is not valid. Pass the value of a previous page.",
    )

    # A marker in cfmock's own form, but with other digits than 0-9 in it.
    marker = base64.urlsafe_b64encode(f"cfmock-page:{text}".encode()).decode().rstrip("=")
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        client.list_connection_functions(Marker=marker)
    assert error_of(excinfo) == (
        "InvalidArgument",
        400,
        f"The marker {marker!r} is not valid. Pass the NextMarker of a previous page.",
    )


@pytest.mark.parametrize("text", NOT_ASCII_DIGITS)
def test_boto3_integers_with_other_digits_are_the_services_validation_error(
    lax_client, data, store_arn, text
) -> None:
    with pytest.raises(lax_client.exceptions.InvalidArgument) as excinfo:
        lax_client.list_connection_functions(MaxItems=text)
    assert error_of(excinfo) == (
        "InvalidArgument",
        400,
        f"MaxItems has a value that is not a valid integer: {text!r}.",
    )

    with pytest.raises(data.exceptions.ValidationException) as excinfo:
        data.list_keys(KvsARN=store_arn, MaxResults=text)
    assert error_of(excinfo) == (
        "ValidationException",
        400,
        f"MaxResults has a value that is not a valid integer: {text!r}.",
    )

    with pytest.raises(data.exceptions.ValidationException) as excinfo:
        data.list_keys(KvsARN=store_arn, NextToken=text)
    assert error_of(excinfo) == (
        "ValidationException",
        400,
        f"The next token {text!r} is not valid. Pass the value of a previous page.",
    )


@pytest.mark.parametrize(
    ("request_params", "message"),
    [
        ({"Key": "k", "Value": 5}, "Value must be a string, not the number 5."),
        ({"Key": "k", "Value": ["v"]}, "Value must be a string, not an array."),
        ({"Key": "k", "Value": {"v": 1}}, "Value must be a string, not an object."),
        ({"Key": "k", "Value": None}, "The request is missing the required member Value."),
        (
            {"Key": "k", "Value": "\ud800"},
            "Value holds an unpaired surrogate; strings must be valid Unicode.",
        ),
        (
            {"Key": "k", "Value": "ok \ude00 \ud83d"},
            "Value holds an unpaired surrogate; strings must be valid Unicode.",
        ),
    ],
)
def test_boto3_put_key_members_of_the_wrong_type_are_validation_exception(
    data, store_arn, request_params, message
) -> None:
    etag = data.describe_key_value_store(KvsARN=store_arn)["ETag"]
    with pytest.raises(data.exceptions.ValidationException) as excinfo:
        data.put_key(KvsARN=store_arn, IfMatch=etag, **request_params)
    assert error_of(excinfo) == ("ValidationException", 400, message)
    assert data.describe_key_value_store(KvsARN=store_arn)["ItemCount"] == 0


@pytest.mark.parametrize(
    ("puts", "message"),
    [
        ([{"Key": 5, "Value": "v"}], "Puts[0].Key must be a string, not the number 5."),
        (
            [{"Key": "k", "Value": "v"}, {"Key": "\udbff", "Value": "v"}],
            "Puts[1].Key holds an unpaired surrogate; strings must be valid Unicode.",
        ),
        (
            [{"Key": "k", "Value": float("nan")}],
            "The request body is not valid JSON: NaN is not a JSON value.",
        ),
    ],
)
def test_boto3_update_keys_members_of_the_wrong_type_are_validation_exception(
    data, store_arn, puts, message
) -> None:
    etag = data.describe_key_value_store(KvsARN=store_arn)["ETag"]
    with pytest.raises(data.exceptions.ValidationException) as excinfo:
        data.update_keys(KvsARN=store_arn, IfMatch=etag, Puts=puts)
    assert error_of(excinfo) == ("ValidationException", 400, message)


def test_boto3_surrogate_pairs_round_trip_through_the_data_plane(data, store_arn) -> None:
    etag = data.describe_key_value_store(KvsARN=store_arn)["ETag"]
    data.put_key(KvsARN=store_arn, IfMatch=etag, Key="smile", Value="\U0001f600 \ud83d\ude00")
    value = data.get_key(KvsARN=store_arn, Key="smile")["Value"]
    assert value == "\U0001f600 \U0001f600"


def _replace_body(client: Any, event: str, body: bytes) -> None:
    def replace(params: dict[str, Any], **_: Any) -> None:
        params["body"] = body

    client.meta.events.register(f"before-call.{event}", replace)


@pytest.mark.parametrize(("body", "message"), HOSTILE_XML_BODIES)
def test_boto3_hostile_xml_bodies_are_invalid_argument(cf, client, body, message) -> None:
    function = cf.add_function("hostile", CODE)
    _replace_body(client, "cloudfront.UpdateConnectionFunction", body)
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        update(client, function.id, function.etag)
    assert error_of(excinfo) == ("InvalidArgument", 400, message)


@pytest.mark.parametrize(("body", "message"), HOSTILE_JSON_BODIES)
def test_boto3_hostile_json_bodies_are_validation_exception(data, store_arn, body, message) -> None:
    etag = data.describe_key_value_store(KvsARN=store_arn)["ETag"]
    _replace_body(data, "cloudfront-keyvaluestore.UpdateKeys", body)
    with pytest.raises(data.exceptions.ValidationException) as excinfo:
        data.update_keys(KvsARN=store_arn, IfMatch=etag, Puts=[{"Key": "k", "Value": "v"}])
    assert error_of(excinfo) == ("ValidationException", 400, message)
