"""A function's name or ARN where a mutation takes its Id: CloudFront's 404, and a hint."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from cfmock import CloudFrontMock
from tests.scaffolding import STALE_IF_MATCH, create, error_of, update

CALLS = {
    "UpdateConnectionFunction": lambda client, given, etag: update(client, given, etag),
    "PublishConnectionFunction": lambda client, given, etag: client.publish_connection_function(
        Id=given, IfMatch=etag
    ),
    "DeleteConnectionFunction": lambda client, given, etag: client.delete_connection_function(
        Id=given, IfMatch=etag
    ),
    "TestConnectionFunction": lambda client, given, etag: client.test_connection_function(
        Id=given, IfMatch=etag, ConnectionObject=b"{}"
    ),
}


@pytest.mark.parametrize("operation", sorted(CALLS))
@pytest.mark.parametrize("by", ["name", "ARN"])
def test_a_name_or_arn_as_the_id_is_not_found_and_the_message_gives_the_id(
    cf: CloudFrontMock, client: Any, operation: str, by: str
) -> None:
    created = create(client, "gate")
    summary = created["ConnectionFunctionSummary"]
    function_id, arn = summary["Id"], summary["ConnectionFunctionArn"]
    given = "gate" if by == "name" else arn
    with pytest.raises(ClientError) as excinfo:
        CALLS[operation](client, given, created["ETag"])
    assert error_of(excinfo) == (
        "EntityNotFound",
        404,
        f"The connection function {given!r} does not exist. {given!r} is the {by} of "
        f"connection function {function_id}; {operation} takes its Id.",
    )
    # Nothing changed; the same call by ID works.
    assert cf.get_function(function_id).etag == created["ETag"]
    CALLS[operation](client, function_id, created["ETag"])


def test_an_id_that_names_nothing_is_not_found_without_a_hint(client: Any) -> None:
    created = create(client, "gate")
    with pytest.raises(ClientError) as excinfo:
        update(client, "other", created["ETag"])
    assert error_of(excinfo) == (
        "EntityNotFound",
        404,
        "The connection function 'other' does not exist.",
    )


def test_a_missing_stage_keeps_its_message_and_gets_the_hint_only_for_a_name(client: Any) -> None:
    created = create(client, "gate")
    function_id = created["ConnectionFunctionSummary"]["Id"]
    with pytest.raises(ClientError) as excinfo:
        client.test_connection_function(
            Id=function_id, IfMatch=created["ETag"], Stage="LIVE", ConnectionObject=b"{}"
        )
    assert error_of(excinfo) == (
        "EntityNotFound",
        404,
        f"The connection function {function_id!r} has no LIVE stage; it has not been published.",
    )
    with pytest.raises(ClientError) as excinfo:
        client.test_connection_function(
            Id="gate", IfMatch=created["ETag"], Stage="LIVE", ConnectionObject=b"{}"
        )
    assert error_of(excinfo)[2] == (
        f"The connection function 'gate' does not exist. 'gate' is the name of connection "
        f"function {function_id}; TestConnectionFunction takes its Id."
    )


def test_other_errors_pass_unchanged(client: Any) -> None:
    created = create(client, "gate")
    with pytest.raises(ClientError) as excinfo:
        update(client, created["ConnectionFunctionSummary"]["Id"], "E2STALE")
    assert error_of(excinfo) == ("PreconditionFailed", 412, STALE_IF_MATCH)
