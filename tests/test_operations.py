"""Create, Describe, Get and Update through a real boto3 client, errors pinned exactly."""

from __future__ import annotations

import datetime
import re

import pytest
from botocore.exceptions import ClientError
from botocore.response import StreamingBody

from cfmock import CloudFrontMock, MockOptions, mock_connection_functions
from tests.scaffolding import (
    CODE,
    ETAG_V1,
    ETAG_V2,
    ETAG_V3,
    KVS_ARN,
    MISSING_IF_MATCH,
    STALE_IF_MATCH,
    config,
    create,
    error_of,
    update,
)


def test_create_returns_the_development_summary_etag_and_location(client) -> None:
    response = create(client, "allow-all", Tags={"Items": [{"Key": "team", "Value": "edge"}]})

    summary = response["ConnectionFunctionSummary"]
    assert re.fullmatch(r"cf_[0-9A-Za-z]{27}", summary["Id"])
    arn = f"arn:aws:cloudfront::123456789012:connection-function/{summary['Id']}"
    assert summary["ConnectionFunctionArn"] == arn
    assert summary["Name"] == "allow-all"
    assert summary["Stage"] == "DEVELOPMENT"
    assert summary["Status"] == "UNPUBLISHED"
    assert summary["ConnectionFunctionConfig"] == config()
    assert summary["CreatedTime"] == summary["LastModifiedTime"]
    assert response["ETag"] == ETAG_V1
    assert response["Location"] == (
        f"https://cloudfront.amazonaws.com/2020-05-31/connection-function/{arn}"
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201


def test_create_echoes_a_key_value_store_association(client, cf) -> None:
    arn = cf.add_key_value_store("serials").arn
    associations = {"Quantity": 1, "Items": [{"KeyValueStoreARN": arn}]}
    summary = create(
        client, ConnectionFunctionConfig=config(KeyValueStoreAssociations=associations)
    )["ConnectionFunctionSummary"]
    assert summary["ConnectionFunctionConfig"]["KeyValueStoreAssociations"] == associations


def test_update_bumps_the_etag_through_the_known_version_tokens(client) -> None:
    created = create(client)
    function_id = created["ConnectionFunctionSummary"]["Id"]

    first = client.update_connection_function(
        Id=function_id,
        IfMatch=ETAG_V1,
        ConnectionFunctionConfig=config("second"),
        ConnectionFunctionCode=b"function connectionHandler(c) { c.deny(); }",
    )
    second = client.update_connection_function(
        Id=function_id,
        IfMatch=first["ETag"],
        ConnectionFunctionConfig=config("third"),
        ConnectionFunctionCode=CODE,
    )

    assert (first["ETag"], second["ETag"]) == (ETAG_V2, ETAG_V3)
    summary = second["ConnectionFunctionSummary"]
    assert summary["ConnectionFunctionConfig"]["Comment"] == "third"
    assert summary["Stage"] == "DEVELOPMENT"
    assert summary["CreatedTime"] == created["ConnectionFunctionSummary"]["CreatedTime"]
    assert summary["LastModifiedTime"] >= summary["CreatedTime"]
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_update_moves_last_modified_time_but_not_created_time() -> None:
    times = iter(
        datetime.datetime(2026, 1, 1, 0, 0, second, tzinfo=datetime.timezone.utc)
        for second in range(10)
    )
    with mock_connection_functions() as cf:
        cf._backend._clock = lambda: next(times)
        import boto3

        client = boto3.client("cloudfront", region_name="us-east-1")
        created = create(client)["ConnectionFunctionSummary"]
        updated = client.update_connection_function(
            Id=created["Id"],
            IfMatch=ETAG_V1,
            ConnectionFunctionConfig=config(),
            ConnectionFunctionCode=CODE,
        )["ConnectionFunctionSummary"]
    assert created["CreatedTime"].second == 0
    assert updated["CreatedTime"].second == 0
    assert updated["LastModifiedTime"].second == 1


def test_describe_and_get_resolve_id_arn_and_name(client) -> None:
    summary = create(client, "by-any-name")["ConnectionFunctionSummary"]
    for identifier in (summary["Id"], summary["ConnectionFunctionArn"], "by-any-name"):
        described = client.describe_connection_function(Identifier=identifier)
        assert described["ConnectionFunctionSummary"] == summary
        assert described["ETag"] == ETAG_V1
        got = client.get_connection_function(Identifier=identifier)
        assert got["ConnectionFunctionCode"].read() == CODE
        assert got["ETag"] == ETAG_V1


def test_get_returns_a_streaming_body_with_octet_stream_content_type(client) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    got = client.get_connection_function(Identifier=function_id, Stage="DEVELOPMENT")
    assert isinstance(got["ConnectionFunctionCode"], StreamingBody)
    assert got["ContentType"] == "application/octet-stream"
    assert got["ConnectionFunctionCode"].read() == CODE


def test_describe_defaults_to_development_and_accepts_it_explicitly(client) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    implicit = client.describe_connection_function(Identifier=function_id)
    explicit = client.describe_connection_function(Identifier=function_id, Stage="DEVELOPMENT")
    assert implicit["ConnectionFunctionSummary"] == explicit["ConnectionFunctionSummary"]
    assert implicit["ConnectionFunctionSummary"]["Stage"] == "DEVELOPMENT"


# -- errors ------------------------------------------------------------------------------------


def test_stale_if_match_is_precondition_failed_412(client) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    update(client, function_id, ETAG_V1)
    with pytest.raises(client.exceptions.PreconditionFailed) as excinfo:
        update(client, function_id, ETAG_V1)
    assert error_of(excinfo) == ("PreconditionFailed", 412, STALE_IF_MATCH)
    assert excinfo.value.response["Error"]["Type"] == "Sender"
    assert re.fullmatch(r"[0-9a-f-]{36}", excinfo.value.response["ResponseMetadata"]["RequestId"])


def test_made_up_if_match_is_precondition_failed_412(client) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    with pytest.raises(client.exceptions.PreconditionFailed) as excinfo:
        update(client, function_id, "not-an-etag")
    assert error_of(excinfo) == ("PreconditionFailed", 412, STALE_IF_MATCH)


def test_empty_if_match_is_invalid_if_match_version_400(client) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    with pytest.raises(client.exceptions.InvalidIfMatchVersion) as excinfo:
        update(client, function_id, "")
    assert error_of(excinfo) == ("InvalidIfMatchVersion", 400, MISSING_IF_MATCH)


def test_unknown_id_is_entity_not_found_404_whatever_the_if_match(client) -> None:
    with pytest.raises(client.exceptions.EntityNotFound) as excinfo:
        update(client, "cf_doesnotexist", "")
    assert error_of(excinfo) == (
        "EntityNotFound",
        404,
        "The connection function 'cf_doesnotexist' does not exist.",
    )


def test_update_takes_only_the_id_not_the_name(client) -> None:
    create(client, "named")
    with pytest.raises(client.exceptions.EntityNotFound):
        update(client, "named", ETAG_V1)


def test_describe_unknown_identifier_is_entity_not_found(client) -> None:
    with pytest.raises(client.exceptions.EntityNotFound) as excinfo:
        client.describe_connection_function(Identifier="nope")
    assert error_of(excinfo) == (
        "EntityNotFound",
        404,
        "The connection function 'nope' does not exist.",
    )


def test_describe_live_before_any_publish_is_entity_not_found(client) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    with pytest.raises(client.exceptions.EntityNotFound) as excinfo:
        client.describe_connection_function(Identifier=function_id, Stage="LIVE")
    assert error_of(excinfo) == (
        "EntityNotFound",
        404,
        f"The connection function '{function_id}' has no LIVE stage; it has not been published.",
    )


def test_invalid_stage_is_invalid_argument(client) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        client.describe_connection_function(Identifier=function_id, Stage="BOGUS")
    assert error_of(excinfo) == (
        "InvalidArgument",
        400,
        "The stage 'BOGUS' is not valid. Valid stages are DEVELOPMENT and LIVE.",
    )
    with pytest.raises(ClientError) as get_excinfo:
        client.get_connection_function(Identifier=function_id, Stage="BOGUS")
    assert error_of(get_excinfo)[:2] == ("InvalidArgument", 400)


INVALID_CONFIGS = [
    pytest.param(
        config(Runtime="cloudfront-js-1.0"),
        "The runtime 'cloudfront-js-1.0' is not supported for connection functions. "
        "Connection functions support only cloudfront-js-2.0.",
        id="runtime-1.0",
    ),
    pytest.param(
        config(Runtime="cloudfront-js-9"),
        "The runtime 'cloudfront-js-9' is not supported for connection functions. "
        "Connection functions support only cloudfront-js-2.0.",
        id="runtime-unknown",
    ),
    pytest.param(
        config(KeyValueStoreAssociations={"Quantity": 2, "Items": [{"KeyValueStoreARN": KVS_ARN}]}),
        "KeyValueStoreAssociations.Quantity is 2 but 1 item(s) were given; Quantity must equal "
        "the number of Items.",
        id="quantity-mismatch",
    ),
    pytest.param(
        config(
            KeyValueStoreAssociations={
                "Quantity": 2,
                "Items": [{"KeyValueStoreARN": KVS_ARN}, {"KeyValueStoreARN": KVS_ARN}],
            }
        ),
        "A connection function can be associated with at most 1 KeyValueStore; 2 were given.",
        id="two-stores",
    ),
    pytest.param(
        config(KeyValueStoreAssociations={"Quantity": 1, "Items": [{"KeyValueStoreARN": "arn:x"}]}),
        "The KeyValueStore ARN 'arn:x' is not valid. Expected "
        "arn:aws:cloudfront::<12-digit account>:key-value-store/<36-character id>.",
        id="bad-arn",
    ),
]


@pytest.mark.parametrize(("bad_config", "message"), INVALID_CONFIGS)
def test_invalid_config_on_create_is_invalid_argument(client, cf, bad_config, message) -> None:
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        create(client, ConnectionFunctionConfig=bad_config)
    assert error_of(excinfo) == ("InvalidArgument", 400, message)
    assert cf.functions() == []


@pytest.mark.parametrize(("bad_config", "message"), INVALID_CONFIGS)
def test_invalid_config_on_update_is_invalid_argument_and_changes_nothing(
    client, cf, bad_config, message
) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    before = cf.get_function(function_id)
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        update(client, function_id, ETAG_V1, ConnectionFunctionConfig=bad_config)
    assert error_of(excinfo) == ("InvalidArgument", 400, message)
    assert cf.get_function(function_id) == before


def test_stale_etag_is_checked_before_the_config(client) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    with pytest.raises(client.exceptions.PreconditionFailed):
        update(client, function_id, "E-stale", ConnectionFunctionConfig=config(Runtime="x"))


@pytest.mark.parametrize("name", ["has space", "dots.not.allowed", "x" * 65, "slash/", "ünicode"])
def test_invalid_name_is_invalid_argument(client, name) -> None:
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        create(client, name)
    assert error_of(excinfo) == (
        "InvalidArgument",
        400,
        f"The connection function name {name!r} is not valid. A name is 1 to 64 characters "
        "from a-z, A-Z, 0-9, hyphen (-) and underscore (_).",
    )


def test_name_of_64_allowed_characters_is_accepted(client) -> None:
    name = "aZ0-_" * 12 + "abcd"
    assert create(client, name)["ConnectionFunctionSummary"]["Name"] == name


def test_empty_code_is_invalid_argument(client) -> None:
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        create(client, ConnectionFunctionCode=b"")
    assert error_of(excinfo) == (
        "InvalidArgument",
        400,
        "The connection function code is empty; ConnectionFunctionCode is required.",
    )


def test_code_over_10_kb_is_entity_size_limit_exceeded_413(client, cf) -> None:
    create(client, "at-limit", ConnectionFunctionCode=b"x" * 10_240)
    with pytest.raises(client.exceptions.EntitySizeLimitExceeded) as excinfo:
        create(client, "over-limit", ConnectionFunctionCode=b"x" * 10_241)
    assert error_of(excinfo) == (
        "EntitySizeLimitExceeded",
        413,
        "The connection function code is 10241 bytes; the maximum size is 10240 bytes.",
    )
    function_id = cf.get_function("at-limit").id
    with pytest.raises(client.exceptions.EntitySizeLimitExceeded):
        update(client, function_id, ETAG_V1, ConnectionFunctionCode=b"x" * 10_241)
    assert cf.get_function("at-limit").etag == ETAG_V1


def test_code_size_limit_is_an_option_capped_at_the_model_maximum() -> None:
    import boto3

    with mock_connection_functions(code_size_limit=40_960):
        client = boto3.client("cloudfront", region_name="us-east-1")
        create(client, "big", ConnectionFunctionCode=b"x" * 40_960)
        with pytest.raises(client.exceptions.EntitySizeLimitExceeded) as excinfo:
            create(client, "too-big", ConnectionFunctionCode=b"x" * 40_961)
    assert error_of(excinfo)[2] == (
        "The connection function code is 40961 bytes; the maximum size is 40960 bytes."
    )


def test_duplicate_name_is_entity_already_exists_409(client, cf) -> None:
    create(client, "dup")
    with pytest.raises(client.exceptions.EntityAlreadyExists) as excinfo:
        create(client, "dup")
    assert error_of(excinfo) == (
        "EntityAlreadyExists",
        409,
        "A connection function named 'dup' already exists in this account.",
    )
    assert len(cf.functions()) == 1


def test_function_limit_is_entity_limit_exceeded() -> None:
    import boto3

    with mock_connection_functions(max_functions=2) as cf:
        client = boto3.client("cloudfront", region_name="us-east-1")
        create(client, "one")
        create(client, "two")
        with pytest.raises(client.exceptions.EntityLimitExceeded) as excinfo:
            create(client, "three")
        assert [f.name for f in cf.functions()] == ["one", "two"]
    assert error_of(excinfo) == (
        "EntityLimitExceeded",
        400,
        "This account already has 2 connection functions; the limit is 2.",
    )


def test_default_function_limit_is_100(cf) -> None:
    assert cf.options.max_functions == MockOptions().max_functions == 100


def test_comment_length_limit_is_an_option() -> None:
    import boto3

    with mock_connection_functions(max_comment_length=5):
        client = boto3.client("cloudfront", region_name="us-east-1")
        create(client, "short", ConnectionFunctionConfig=config("12345"))
        with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
            create(client, "long", ConnectionFunctionConfig=config("123456"))
    assert error_of(excinfo)[2] == "The comment is 6 characters long; the maximum is 5."


def test_comments_have_no_length_limit_by_default(client) -> None:
    comment = "c" * 5000
    summary = create(client, ConnectionFunctionConfig=config(comment))["ConnectionFunctionSummary"]
    assert summary["ConnectionFunctionConfig"]["Comment"] == comment


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (
            [{"Key": "k" * 129, "Value": "v"}],
            f"The tag key {'k' * 129!r} is not valid. A key is 1 to 128 letters, digits, spaces "
            "and the characters _ . : / = + - @.",
        ),
        (
            [{"Key": "bad*key", "Value": "v"}],
            "The tag key 'bad*key' is not valid. A key is 1 to 128 letters, digits, spaces and "
            "the characters _ . : / = + - @.",
        ),
        (
            [{"Key": "k", "Value": "v" * 257}],
            "The value of tag 'k' is not valid. A value is 0 to 256 letters, digits, spaces and "
            "the characters _ . : / = + - @.",
        ),
        (
            [{"Key": "k", "Value": "a"}, {"Key": "k", "Value": "b"}],
            "The tag key 'k' appears more than once.",
        ),
    ],
)
def test_invalid_tags_are_invalid_tagging(client, cf, tags, message) -> None:
    with pytest.raises(client.exceptions.InvalidTagging) as excinfo:
        create(client, Tags={"Items": tags})
    assert error_of(excinfo) == ("InvalidTagging", 400, message)
    assert cf.functions() == []


def test_valid_tags_with_unicode_letters_and_marks_are_kept(client, cf) -> None:
    tags = [{"Key": "Équipe name", "Value": "edge:mTLS/v1=+-@"}, {"Key": "empty", "Value": ""}]
    create(client, Tags={"Items": tags})
    assert cf.functions()[0].tags == (("Équipe name", "edge:mTLS/v1=+-@"), ("empty", ""))


def test_ids_are_unique_and_names_can_differ_only_by_case(client) -> None:
    first = create(client, "case")["ConnectionFunctionSummary"]
    second = create(client, "CASE")["ConnectionFunctionSummary"]
    assert first["Id"] != second["Id"]


def test_each_activation_starts_empty() -> None:
    import boto3

    with mock_connection_functions():
        create(boto3.client("cloudfront", region_name="us-east-1"), "first-run")
    with mock_connection_functions() as cf:
        client = boto3.client("cloudfront", region_name="us-east-1")
        assert cf.functions() == []
        create(client, "first-run")


def test_recorded_calls_list_operation_parameters_status_and_error(
    client, cf: CloudFrontMock
) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    with pytest.raises(ClientError):
        update(client, function_id, "stale")
    calls = cf.calls
    assert [(c.operation, c.status, c.error_code) for c in calls] == [
        ("CreateConnectionFunction", 201, None),
        ("UpdateConnectionFunction", 412, "PreconditionFailed"),
    ]
    assert calls[1].parameters["IfMatch"] == "stale"
    assert calls[1].parameters["ConnectionFunctionCode"] == CODE
    assert calls[0].account_id == "123456789012"


def _rawupdate(cf: CloudFrontMock, function_id: str, headers: dict[str, str]):
    from cfmock._wire.http import HttpRequest

    body = (
        b"<UpdateConnectionFunctionRequest><ConnectionFunctionConfig><Comment>c</Comment>"
        b"<Runtime>cloudfront-js-2.0</Runtime></ConnectionFunctionConfig>"
        b"<ConnectionFunctionCode>eA==</ConnectionFunctionCode></UpdateConnectionFunctionRequest>"
    )
    request = HttpRequest(
        "PUT", f"/2020-05-31/connection-function/{function_id}", {}, headers, body
    )
    return cf._dispatcher.dispatch(request)


def test_a_request_without_if_match_header_is_invalid_if_match_version(cf) -> None:
    function_id = cf.add_function("raw", CODE).id
    response = _rawupdate(cf, function_id, {})
    assert response.status == 400
    assert b"<Code>InvalidIfMatchVersion</Code>" in response.body
    assert MISSING_IF_MATCH.encode() in response.body


def test_a_request_without_if_match_for_an_unknown_id_is_entity_not_found(cf) -> None:
    response = _rawupdate(cf, "cf_unknown", {})
    assert response.status == 404
    assert b"<Code>EntityNotFound</Code>" in response.body


def test_an_empty_identifier_is_entity_not_found(client) -> None:
    with pytest.raises(client.exceptions.EntityNotFound) as excinfo:
        client.describe_connection_function(Identifier="")
    assert error_of(excinfo) == (
        "EntityNotFound",
        404,
        "The connection function '' does not exist.",
    )
