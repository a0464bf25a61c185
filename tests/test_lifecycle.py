"""Publish, stages, Delete, List, tags and accounts, through a real boto3 client."""

from __future__ import annotations

import base64

import boto3
import botocore.config
import pytest

from cfmock import CloudFrontMock, Status, mock_connection_functions
from cfmock.exceptions import CfmockError, UnsupportedOperationError
from tests.scaffolding import (
    CODE,
    ETAG_V1,
    ETAG_V2,
    ETAG_V3,
    MISSING_IF_MATCH,
    STALE_IF_MATCH,
    config,
    create,
    error_of,
    update,
)

NEW_CODE = b"function connectionHandler(connection) { connection.deny(); }"


def test_terraform_style_read_after_write_flow(client) -> None:
    created = create(client, "tf-managed")
    function_id = created["ConnectionFunctionSummary"]["Id"]
    assert created["ETag"] == ETAG_V1

    described = client.describe_connection_function(Identifier=function_id, Stage="DEVELOPMENT")
    assert described["ETag"] == ETAG_V1
    assert described["ConnectionFunctionSummary"]["Status"] == "UNPUBLISHED"
    got = client.get_connection_function(Identifier=function_id, Stage="DEVELOPMENT")
    assert got["ConnectionFunctionCode"].read() == CODE
    with pytest.raises(client.exceptions.EntityNotFound):
        client.describe_connection_function(Identifier=function_id, Stage="LIVE")

    published = client.publish_connection_function(Id=function_id, IfMatch=ETAG_V1)
    assert published["ConnectionFunctionSummary"]["Stage"] == "LIVE"
    assert published["ConnectionFunctionSummary"]["Status"] == "PUBLISHING"
    assert "ETag" not in published

    statuses = []
    for _ in range(5):  # a provider's waiter polls DEVELOPMENT until the status settles
        status = client.describe_connection_function(Identifier=function_id, Stage="DEVELOPMENT")[
            "ConnectionFunctionSummary"
        ]["Status"]
        statuses.append(status)
        if status == "UNASSOCIATED":
            break
    assert statuses == ["UNASSOCIATED"]

    live = client.describe_connection_function(Identifier=function_id, Stage="LIVE")
    assert live["ETag"] == ETAG_V1
    assert live["ConnectionFunctionSummary"]["Status"] == "UNASSOCIATED"

    updated = client.update_connection_function(
        Id=function_id,
        IfMatch=ETAG_V1,
        ConnectionFunctionConfig=config("v2"),
        ConnectionFunctionCode=NEW_CODE,
    )
    assert updated["ETag"] == ETAG_V2
    live_code = client.get_connection_function(Identifier=function_id, Stage="LIVE")
    assert live_code["ConnectionFunctionCode"].read() == CODE
    assert live_code["ETag"] == ETAG_V1

    client.publish_connection_function(Id=function_id, IfMatch=ETAG_V2)
    live_again = client.get_connection_function(Identifier=function_id, Stage="LIVE")
    assert live_again["ConnectionFunctionCode"].read() == NEW_CODE
    assert live_again["ETag"] == ETAG_V2
    assert client.describe_connection_function(Identifier=function_id)["ETag"] == ETAG_V2

    names = [
        summary["Name"]
        for page in client.get_paginator("list_connection_functions").paginate()
        for summary in page["ConnectionFunctions"]
    ]
    assert names == ["tf-managed"]

    deleted = client.delete_connection_function(Id=function_id, IfMatch=ETAG_V2)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(client.exceptions.EntityNotFound):
        client.describe_connection_function(Identifier=function_id)
    with pytest.raises(client.exceptions.EntityNotFound):
        client.describe_connection_function(Identifier=function_id, Stage="LIVE")


# -- Publish -----------------------------------------------------------------------------------


def test_publish_leaves_the_development_etag_and_times(client, cf: CloudFrontMock) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    before = cf.get_function(function_id).development
    client.publish_connection_function(Id=function_id, IfMatch=ETAG_V1)
    after = cf.get_function(function_id)
    assert after.development == before
    assert after.live is not None
    assert (after.live.code, after.live.config) == (before.code, before.config)


def test_republishing_unchanged_code_is_allowed_and_bumps_the_live_etag(client) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    live_etags = []
    for _ in range(3):
        client.publish_connection_function(Id=function_id, IfMatch=ETAG_V1)
        live = client.describe_connection_function(Identifier=function_id, Stage="LIVE")
        live_etags.append(live["ETag"])
    assert live_etags == [ETAG_V1, ETAG_V2, ETAG_V3]


def test_live_etag_can_follow_the_development_etag() -> None:
    with mock_connection_functions(live_etag_follows_development=True):
        client = boto3.client("cloudfront", region_name="us-east-1")
        function_id = create(client)["ConnectionFunctionSummary"]["Id"]
        update(client, function_id, ETAG_V1, ConnectionFunctionCode=CODE)
        client.publish_connection_function(Id=function_id, IfMatch=ETAG_V2)
        live = client.describe_connection_function(Identifier=function_id, Stage="LIVE")
    assert live["ETag"] == ETAG_V2


def test_publish_delay_keeps_publishing_until_finished() -> None:
    with mock_connection_functions(publish_delay=3600) as cf:
        client = boto3.client("cloudfront", region_name="us-east-1")
        function_id = create(client)["ConnectionFunctionSummary"]["Id"]
        client.publish_connection_function(Id=function_id, IfMatch=ETAG_V1)
        for stage in ("DEVELOPMENT", "LIVE"):
            summary = client.describe_connection_function(Identifier=function_id, Stage=stage)[
                "ConnectionFunctionSummary"
            ]
            assert summary["Status"] == "PUBLISHING"
        cf.finish_publishing()
        summary = client.describe_connection_function(Identifier=function_id)[
            "ConnectionFunctionSummary"
        ]
    assert summary["Status"] == "UNASSOCIATED"


def test_handle_publishes_without_an_etag(cf: CloudFrontMock, client) -> None:
    seeded = cf.add_function("seeded", CODE)
    published = cf.publish("seeded")
    assert published.status is Status.PUBLISHING
    assert published.live is not None and published.live.etag == ETAG_V1
    assert cf.get_function(seeded.id).status is Status.UNASSOCIATED
    live = client.describe_connection_function(Identifier="seeded", Stage="LIVE")
    assert live["ConnectionFunctionSummary"]["Stage"] == "LIVE"


def test_publish_with_the_live_etag_is_precondition_failed(client) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    client.publish_connection_function(Id=function_id, IfMatch=ETAG_V1)
    update(client, function_id, ETAG_V1, ConnectionFunctionCode=NEW_CODE)
    with pytest.raises(client.exceptions.PreconditionFailed):
        client.publish_connection_function(Id=function_id, IfMatch=ETAG_V1)


MUTATIONS = {
    "publish": lambda c, i, etag: c.publish_connection_function(Id=i, IfMatch=etag),
    "delete": lambda c, i, etag: c.delete_connection_function(Id=i, IfMatch=etag),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutation_with_a_stale_if_match_is_precondition_failed_and_changes_nothing(
    client, cf, mutation
) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    before = cf.get_function(function_id)
    with pytest.raises(client.exceptions.PreconditionFailed) as excinfo:
        MUTATIONS[mutation](client, function_id, ETAG_V2)
    assert error_of(excinfo) == ("PreconditionFailed", 412, STALE_IF_MATCH)
    assert cf.functions() == [before]


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutation_with_an_empty_if_match_is_invalid_if_match_version(client, mutation) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    with pytest.raises(client.exceptions.InvalidIfMatchVersion) as excinfo:
        MUTATIONS[mutation](client, function_id, "")
    assert error_of(excinfo) == ("InvalidIfMatchVersion", 400, MISSING_IF_MATCH)


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutation_of_an_unknown_id_or_a_name_is_entity_not_found(client, mutation) -> None:
    function_id = create(client, "by-name")["ConnectionFunctionSummary"]["Id"]
    operation = f"{mutation.capitalize()}ConnectionFunction"
    hints = {
        "cf_missing": "",
        "by-name": f" 'by-name' is the name of connection function {function_id}; "
        f"{operation} takes its Id.",
    }
    for identifier, hint in hints.items():
        with pytest.raises(client.exceptions.EntityNotFound) as excinfo:
            MUTATIONS[mutation](client, identifier, ETAG_V1)
        assert error_of(excinfo) == (
            "EntityNotFound",
            404,
            f"The connection function {identifier!r} does not exist.{hint}",
        )


OPERATION_CALLS = {
    "PublishConnectionFunction": lambda c, i: c.publish_connection_function(Id=i, IfMatch=ETAG_V1),
    "DeleteConnectionFunction": lambda c, i: c.delete_connection_function(Id=i, IfMatch=ETAG_V1),
    "ListConnectionFunctions": lambda c, i: c.list_connection_functions(),
}


@pytest.mark.parametrize(
    ("operation", "code", "status"),
    [
        ("PublishConnectionFunction", "AccessDenied", 403),
        ("PublishConnectionFunction", "UnsupportedOperation", 400),
        ("PublishConnectionFunction", "InvalidArgument", 400),
        ("DeleteConnectionFunction", "AccessDenied", 403),
        ("DeleteConnectionFunction", "UnsupportedOperation", 400),
        ("DeleteConnectionFunction", "InvalidArgument", 400),
        ("DeleteConnectionFunction", "CannotDeleteEntityWhileInUse", 409),
        ("ListConnectionFunctions", "AccessDenied", 403),
        ("ListConnectionFunctions", "UnsupportedOperation", 400),
    ],
)
def test_injected_errors_arrive_modeled_and_change_nothing(client, cf, operation, code, status):
    seeded = cf.add_function("kept", CODE)
    cf.fail(operation, code, message=f"{code} for this test")
    with pytest.raises(getattr(client.exceptions, code)) as excinfo:
        OPERATION_CALLS[operation](client, seeded.id)
    assert error_of(excinfo) == (code, status, f"{code} for this test")
    assert cf.get_function(seeded.id) == seeded
    OPERATION_CALLS[operation](client, seeded.id)  # the fault was for one call only


# -- Delete ------------------------------------------------------------------------------------


def test_delete_removes_both_stages_and_frees_the_name(client, cf) -> None:
    function_id = create(client, "reused")["ConnectionFunctionSummary"]["Id"]
    client.publish_connection_function(Id=function_id, IfMatch=ETAG_V1)
    response = client.delete_connection_function(Id=function_id, IfMatch=ETAG_V1)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert cf.functions() == []
    again = create(client, "reused")["ConnectionFunctionSummary"]
    assert again["Id"] != function_id
    assert client.list_connection_functions(Stage="LIVE")["ConnectionFunctions"] == []


# -- List --------------------------------------------------------------------------------------


def test_list_with_no_parameters_sends_no_body_and_lists_development(client, cf) -> None:
    for index in range(3):
        create(client, f"fn-{index}")
    response = client.list_connection_functions()
    assert [s["Name"] for s in response["ConnectionFunctions"]] == ["fn-0", "fn-1", "fn-2"]
    assert {s["Stage"] for s in response["ConnectionFunctions"]} == {"DEVELOPMENT"}
    assert "NextMarker" not in response
    assert cf.calls[-1].parameters == {}


def test_list_of_an_empty_account_is_an_empty_list(client) -> None:
    assert client.list_connection_functions()["ConnectionFunctions"] == []


def test_list_pages_with_an_opaque_marker_in_creation_order(client) -> None:
    for index in range(5):
        create(client, f"fn-{index}")
    first = client.list_connection_functions(MaxItems=2)
    second = client.list_connection_functions(MaxItems=2, Marker=first["NextMarker"])
    last = client.list_connection_functions(MaxItems=2, Marker=second["NextMarker"])
    pages = [[s["Name"] for s in page["ConnectionFunctions"]] for page in (first, second, last)]
    assert pages == [["fn-0", "fn-1"], ["fn-2", "fn-3"], ["fn-4"]]
    assert "NextMarker" not in last
    exact = client.list_connection_functions(MaxItems=5)
    assert "NextMarker" not in exact


def test_the_paginator_walks_every_page(client) -> None:
    for index in range(7):
        create(client, f"fn-{index}")
    pages = list(
        client.get_paginator("list_connection_functions").paginate(PaginationConfig={"PageSize": 3})
    )
    assert [len(page["ConnectionFunctions"]) for page in pages] == [3, 3, 1]
    assert [s["Name"] for p in pages for s in p["ConnectionFunctions"]] == [
        f"fn-{i}" for i in range(7)
    ]


def test_a_page_survives_deletion_of_its_marker_function(client) -> None:
    ids = [create(client, f"fn-{i}")["ConnectionFunctionSummary"]["Id"] for i in range(4)]
    first = client.list_connection_functions(MaxItems=2)
    client.delete_connection_function(Id=ids[1], IfMatch=ETAG_V1)
    rest = client.list_connection_functions(MaxItems=2, Marker=first["NextMarker"])
    assert [s["Name"] for s in rest["ConnectionFunctions"]] == ["fn-2", "fn-3"]


def test_list_live_shows_only_published_functions_live_summaries(client) -> None:
    ids = [create(client, f"fn-{i}")["ConnectionFunctionSummary"]["Id"] for i in range(3)]
    client.publish_connection_function(Id=ids[2], IfMatch=ETAG_V1)
    client.publish_connection_function(Id=ids[0], IfMatch=ETAG_V1)
    live = client.list_connection_functions(Stage="LIVE")["ConnectionFunctions"]
    assert [(s["Name"], s["Stage"], s["Status"]) for s in live] == [
        ("fn-0", "LIVE", "UNASSOCIATED"),
        ("fn-2", "LIVE", "UNASSOCIATED"),
    ]
    development = client.list_connection_functions(Stage="DEVELOPMENT")["ConnectionFunctions"]
    assert len(development) == 3


@pytest.mark.parametrize(
    ("request_params", "message"),
    [
        ({"MaxItems": 0}, "MaxItems is 0; it must be between 1 and 100."),
        ({"MaxItems": 101}, "MaxItems is 101; it must be between 1 and 100."),
        ({"MaxItems": -5}, "MaxItems is -5; it must be between 1 and 100."),
        (
            {"Marker": "not-a-marker"},
            "The marker 'not-a-marker' is not valid. Pass the NextMarker of a previous page.",
        ),
        (
            {"Marker": base64.urlsafe_b64encode(b"other:1").decode()},
            "The marker 'b3RoZXI6MQ==' is not valid. Pass the NextMarker of a previous page.",
        ),
        (
            {"Stage": "PRODUCTION"},
            "The stage 'PRODUCTION' is not valid. Valid stages are DEVELOPMENT and LIVE.",
        ),
    ],
)
def test_list_invalid_arguments(client, request_params, message) -> None:
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        client.list_connection_functions(**request_params)
    assert error_of(excinfo) == ("InvalidArgument", 400, message)


# -- Test: the stage and If-Match checks (execution has its own tests) -----------------------


def test_test_function_checks_the_etag_of_the_stage_tested(client) -> None:
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    update(client, function_id, ETAG_V1, ConnectionFunctionCode=CODE)
    with pytest.raises(client.exceptions.EntityNotFound):
        client.test_connection_function(
            Id=function_id, IfMatch=ETAG_V2, Stage="LIVE", ConnectionObject=b"{}"
        )
    client.publish_connection_function(Id=function_id, IfMatch=ETAG_V2)
    with pytest.raises(client.exceptions.PreconditionFailed):
        client.test_connection_function(
            Id=function_id, IfMatch=ETAG_V2, Stage="LIVE", ConnectionObject=b"{}"
        )
    with pytest.raises(client.exceptions.PreconditionFailed):
        client.test_connection_function(Id=function_id, IfMatch=ETAG_V1, ConnectionObject=b"{}")
    live = client.test_connection_function(
        Id=function_id, IfMatch=ETAG_V1, Stage="LIVE", ConnectionObject=b"{}"
    )["ConnectionFunctionTestResult"]
    assert live["ConnectionFunctionSummary"]["Stage"] == "LIVE"
    development = client.test_connection_function(
        Id=function_id, IfMatch=ETAG_V2, ConnectionObject=b"{}"
    )["ConnectionFunctionTestResult"]
    assert development["ConnectionFunctionSummary"]["Stage"] == "DEVELOPMENT"


def test_injected_test_function_failed_is_a_500_receiver_error(client, cf) -> None:
    seeded = cf.add_function("t", CODE)
    cf.fail("TestConnectionFunction", "TestFunctionFailed", times=None)
    client = boto3.client(
        "cloudfront",
        region_name="us-east-1",
        config=__import__("botocore").config.Config(
            retries={"total_max_attempts": 1, "mode": "standard"}
        ),
    )
    for _ in range(2):
        with pytest.raises(client.exceptions.TestFunctionFailed) as excinfo:
            client.test_connection_function(Id=seeded.id, IfMatch=ETAG_V1, ConnectionObject=b"{}")
        assert error_of(excinfo) == (
            "TestFunctionFailed",
            500,
            "TestFunctionFailed (injected by cfmock)",
        )
        assert excinfo.value.response["Error"]["Type"] == "Receiver"
    cf.clear_failures()
    result = client.test_connection_function(Id=seeded.id, IfMatch=ETAG_V1, ConnectionObject=b"{}")
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_fault_injection_usage_errors(cf) -> None:
    with pytest.raises(CfmockError) as excinfo:
        cf.fail("ListOriginAccessControls", "AccessDenied")
    assert str(excinfo.value).startswith(
        "cfmock: cannot inject a fault into 'ListOriginAccessControls'; the operations cfmock "
        "answers"
    )
    with pytest.raises(CfmockError) as excinfo:
        cf.fail("ListConnectionFunctions", "NoSuchThing")
    assert str(excinfo.value).startswith(
        "cfmock: 'NoSuchThing' is neither an error of the cloudfront model nor a throttling "
        "error (Throttling, ThrottlingException, TooManyRequestsException); the modeled errors are "
    )
    for times in (0, True, "2"):
        with pytest.raises(CfmockError):
            cf.fail("ListConnectionFunctions", "AccessDenied", times=times)


# -- Tags --------------------------------------------------------------------------------------


def test_tags_round_trip_and_never_change_etags(client, cf) -> None:
    summary = create(client, Tags={"Items": [{"Key": "team", "Value": "edge"}]})[
        "ConnectionFunctionSummary"
    ]
    arn = summary["ConnectionFunctionArn"]
    client.tag_resource(
        Resource=arn,
        Tags={"Items": [{"Key": "team", "Value": "platform"}, {"Key": "tier", "Value": "1"}]},
    )
    assert client.list_tags_for_resource(Resource=arn)["Tags"]["Items"] == [
        {"Key": "team", "Value": "platform"},
        {"Key": "tier", "Value": "1"},
    ]
    client.untag_resource(Resource=arn, TagKeys={"Items": ["team", "absent"]})
    assert client.list_tags_for_resource(Resource=arn)["Tags"]["Items"] == [
        {"Key": "tier", "Value": "1"}
    ]
    assert client.describe_connection_function(Identifier=summary["Id"])["ETag"] == ETAG_V1
    assert cf.get_function(summary["Id"]).tags == (("tier", "1"),)


def test_tagging_errors(client) -> None:
    arn = create(client)["ConnectionFunctionSummary"]["ConnectionFunctionArn"]
    with pytest.raises(client.exceptions.InvalidTagging) as excinfo:
        client.tag_resource(Resource=arn, Tags={"Items": [{"Key": "bad*key", "Value": "v"}]})
    assert error_of(excinfo)[:2] == ("InvalidTagging", 400)
    unknown = arn.rsplit("/", 1)[0] + "/cf_unknown"
    with pytest.raises(client.exceptions.NoSuchResource) as excinfo:
        client.list_tags_for_resource(Resource=unknown)
    assert error_of(excinfo) == (
        "NoSuchResource",
        404,
        f"The resource {unknown!r} does not exist in this account.",
    )
    with pytest.raises(client.exceptions.NoSuchResource):  # the lookup comes before the tags
        client.tag_resource(Resource=unknown, Tags={"Items": [{"Key": "bad*key", "Value": "v"}]})


def test_tags_of_other_resource_types_fall_through_to_the_usage_error(client, cf) -> None:
    cf.fail("ListTagsForResource", "AccessDenied", times=None)  # not applied to foreign ARNs
    with pytest.raises(UnsupportedOperationError) as excinfo:
        client.list_tags_for_resource(
            Resource="arn:aws:cloudfront::123456789012:streaming-distribution/EDFDVBD6EXAMPLE"
        )
    assert excinfo.value.operation == "ListTagsForResource"


# -- Accounts ----------------------------------------------------------------------------------


def _client_for(account: str):
    return boto3.client(
        "cloudfront",
        region_name="us-east-1",
        aws_access_key_id=account,
        aws_secret_access_key="secret",
    )


def test_a_twelve_digit_access_key_picks_the_account(cf) -> None:
    alice, bob = _client_for("111111111111"), _client_for("222222222222")
    function = create(alice, "shared-name")["ConnectionFunctionSummary"]
    assert function["ConnectionFunctionArn"].startswith("arn:aws:cloudfront::111111111111:")
    assert bob.list_connection_functions()["ConnectionFunctions"] == []
    with pytest.raises(bob.exceptions.EntityNotFound):
        bob.describe_connection_function(Identifier=function["Id"])
    with pytest.raises(bob.exceptions.EntityNotFound):
        bob.update_connection_function(
            Id=function["Id"],
            IfMatch=ETAG_V1,
            ConnectionFunctionConfig=config(),
            ConnectionFunctionCode=CODE,
        )
    create(bob, "shared-name")  # names are unique per account only
    assert [f.name for f in cf.functions(account_id="111111111111")] == ["shared-name"]
    assert cf.calls[0].account_id == "111111111111"


def test_ordinary_keys_and_unsigned_requests_use_the_default_account(cf, client) -> None:
    signed = _client_for("AKIDEXAMPLE")
    create(signed, "signed")
    create(client, "unsigned")
    assert [f.name for f in cf.functions()] == ["signed", "unsigned"]
    assert {c.account_id for c in cf.calls} == {"123456789012"}


def test_empty_identifiers_are_entity_not_found(client) -> None:
    with pytest.raises(client.exceptions.EntityNotFound):
        client.get_connection_function(Identifier="")
    with pytest.raises(client.exceptions.EntityNotFound):
        client.describe_connection_function(Identifier="", Stage="LIVE")


def test_injected_throttling_is_retried_by_botocore(client, cf) -> None:
    cf.add_function("busy", CODE)
    cf.fail("ListConnectionFunctions", "Throttling", times=2)
    response = client.list_connection_functions()
    assert [f["Name"] for f in response["ConnectionFunctions"]] == ["busy"]
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert [(c.status, c.error_code) for c in cf.calls] == [
        (400, "Throttling"),
        (400, "Throttling"),
        (200, None),
    ]


def test_throttling_that_outlasts_the_retries_reaches_the_caller(cf) -> None:
    cf.fail("ListConnectionFunctions", "Throttling", times=None)
    client = boto3.client(
        "cloudfront",
        region_name="us-east-1",
        config=botocore.config.Config(retries={"total_max_attempts": 3, "mode": "standard"}),
    )
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.list_connection_functions()
    assert error_of(excinfo) == ("Throttling", 400, "Rate exceeded")
    assert len(cf.calls) == excinfo.value.response["ResponseMetadata"]["RetryAttempts"] + 1 == 3
