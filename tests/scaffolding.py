"""Builders for valid requests, so each test states only what it varies."""

from __future__ import annotations

from typing import Any

RUNTIME = "cloudfront-js-2.0"
CODE = b"function connectionHandler(connection) { connection.allow(); }"
KVS_ARN = "arn:aws:cloudfront::123456789012:key-value-store/54947df8-0e9e-4471-a2f9-9af509fb5889"
MISSING_IF_MATCH = "The If-Match version is missing or not valid for the resource."
STALE_IF_MATCH = (
    "The request failed because it didn't meet the preconditions in one or more "
    "request-header fields."
)
ETAG_V1, ETAG_V2, ETAG_V3 = "ETVPDKIKX0DER", "E3UN6WX5RRO2AG", "E1F83G8C2ARO7P"


def config(comment: str = "test function", **overrides: Any) -> dict[str, Any]:
    """A valid ConnectionFunctionConfig with *overrides* applied."""
    return {"Comment": comment, "Runtime": RUNTIME, **overrides}


def create(client: Any, name: str = "allow-all", **overrides: Any) -> dict[str, Any]:
    """Create a function through *client*; keyword overrides replace request members."""
    request = {"Name": name, "ConnectionFunctionConfig": config(), "ConnectionFunctionCode": CODE}
    request.update(overrides)
    response: dict[str, Any] = client.create_connection_function(**request)
    return response


def update(client: Any, function_id: str, if_match: str, **overrides: Any) -> dict[str, Any]:
    """Update a function through *client* with a valid config and code unless overridden."""
    request = {
        "Id": function_id,
        "IfMatch": if_match,
        "ConnectionFunctionConfig": config(),
        "ConnectionFunctionCode": CODE,
    }
    request.update(overrides)
    response: dict[str, Any] = client.update_connection_function(**request)
    return response


def error_of(excinfo: Any) -> tuple[str, int, str]:
    """(code, HTTP status, message) of a ClientError caught by pytest.raises."""
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )
