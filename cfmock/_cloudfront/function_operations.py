"""One adapter per implemented operation: input parameters in, output parameters out.

The parameters are shaped exactly as botocore's client takes and returns them (the codec
builds and reads them from the model); the adapters only translate between those dicts and
the backend's typed calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cfmock._cloudfront import tokens, validation
from cfmock._cloudfront.backend import Backend
from cfmock._cloudfront.values import ConnectionFunction, FunctionConfig, StageVersion
from cfmock.exceptions import ServiceError

Params = dict[str, Any]
Operation = Callable[[Backend, str, Params], Params]

_FUNCTION_ARN_MARKER = ":connection-function/"
_TRUST_STORE_ARN_MARKER = ":trust-store/"
_DISTRIBUTION_ARN_MARKER = ":distribution/"


def handles(operation: str, params: Params, *, distributions: bool = True) -> bool:
    """Whether cfmock answers this call: tagging calls only for the resources it holds
    (connection functions, trust stores and, unless moto holds them, distributions)."""
    if operation in TAGGING_OPERATIONS:
        resource = params.get("Resource", "")
        held = [_FUNCTION_ARN_MARKER, _TRUST_STORE_ARN_MARKER]
        if distributions:
            held.append(_DISTRIBUTION_ARN_MARKER)
        return any(marker in resource for marker in held)
    return True


CODE_CONTENT_TYPE = "application/octet-stream"


def config_from_wire(wire: Mapping[str, Any]) -> FunctionConfig:
    """Read a ``ConnectionFunctionConfig``; a ``Quantity`` that miscounts its items is invalid."""
    associations = wire.get("KeyValueStoreAssociations")
    arns: tuple[str, ...] = ()
    if associations is not None:
        items = associations.get("Items") or []
        validation.check_kvs_quantity(associations["Quantity"], items)
        arns = tuple(item["KeyValueStoreARN"] for item in items)
    return FunctionConfig(wire["Comment"], wire["Runtime"], arns)


def config_to_wire(config: FunctionConfig) -> Params:
    """Write a ``FunctionConfig``; associations appear only when there are any."""
    wire: Params = {"Comment": config.comment, "Runtime": config.runtime}
    if config.key_value_store_arns:
        wire["KeyValueStoreAssociations"] = {
            "Quantity": len(config.key_value_store_arns),
            "Items": [{"KeyValueStoreARN": arn} for arn in config.key_value_store_arns],
        }
    return wire


def summary_to_wire(function: ConnectionFunction, version: StageVersion) -> Params:
    """The ``ConnectionFunctionSummary`` of one stage of *function*."""
    return {
        "Name": function.name,
        "Id": function.id,
        "ConnectionFunctionConfig": config_to_wire(version.config),
        "ConnectionFunctionArn": function.arn,
        "Status": function.status.value,
        "Stage": version.stage.value,
        "CreatedTime": function.created_time,
        "LastModifiedTime": version.last_modified_time,
    }


def tags_from_wire(wire: Mapping[str, Any] | None) -> list[tuple[str, str | None]]:
    return [(tag["Key"], tag.get("Value")) for tag in (wire or {}).get("Items") or []]


def _tags_to_wire(tags: Sequence[tuple[str, str | None]]) -> Params:
    return {
        "Items": [
            {"Key": key, "Value": value} if value is not None else {"Key": key}
            for key, value in tags
        ]
    }


def _create(backend: Backend, account_id: str, params: Params) -> Params:
    tags = tags_from_wire(params.get("Tags"))
    function = backend.create(
        account_id,
        params["Name"],
        config_from_wire(params["ConnectionFunctionConfig"]),
        params["ConnectionFunctionCode"],
        tags,
    )
    return {
        "ConnectionFunctionSummary": summary_to_wire(function, function.development),
        "Location": tokens.function_location(function.arn),
        "ETag": function.development.etag,
    }


def _describe(backend: Backend, account_id: str, params: Params) -> Params:
    function, version = backend.describe(account_id, params["Identifier"], params.get("Stage"))
    return {"ConnectionFunctionSummary": summary_to_wire(function, version), "ETag": version.etag}


def _get(backend: Backend, account_id: str, params: Params) -> Params:
    _, version = backend.describe(account_id, params["Identifier"], params.get("Stage"))
    return {
        "ConnectionFunctionCode": version.code,
        "ETag": version.etag,
        "ContentType": CODE_CONTENT_TYPE,
    }


def _update(backend: Backend, account_id: str, params: Params) -> Params:
    config = config_from_wire(params["ConnectionFunctionConfig"])
    function = backend.update(
        account_id, params["Id"], params.get("IfMatch"), config, params["ConnectionFunctionCode"]
    )
    return {
        "ConnectionFunctionSummary": summary_to_wire(function, function.development),
        "ETag": function.development.etag,
    }


def _publish(backend: Backend, account_id: str, params: Params) -> Params:
    function = backend.publish(account_id, params["Id"], params.get("IfMatch"))
    assert function.live is not None
    return {"ConnectionFunctionSummary": summary_to_wire(function, function.live)}


def _delete(backend: Backend, account_id: str, params: Params) -> Params:
    backend.delete(account_id, params["Id"], params.get("IfMatch"))
    return {}


def _list(backend: Backend, account_id: str, params: Params) -> Params:
    page, next_marker = backend.page(
        account_id, params.get("Marker"), params.get("MaxItems"), params.get("Stage")
    )
    output: Params = {
        "ConnectionFunctions": [summary_to_wire(function, version) for function, version in page]
    }
    if next_marker is not None:
        output["NextMarker"] = next_marker
    return output


def _test(backend: Backend, account_id: str, params: Params) -> Params:
    function, version, result = backend.test(
        account_id,
        params["Id"],
        params.get("IfMatch"),
        params.get("Stage"),
        params["ConnectionObject"],
    )
    return {
        "ConnectionFunctionTestResult": {
            "ConnectionFunctionSummary": summary_to_wire(function, version),
            "ComputeUtilization": str(result.compute_utilization),
            "ConnectionFunctionExecutionLogs": list(result.logs),
            "ConnectionFunctionErrorMessage": result.error,
            "ConnectionFunctionOutput": result.output(),
        }
    }


def _tagged(backend: Backend, arn: str) -> Any:
    """The registry that holds the resource *arn* names (each has tag, untag and tags)."""
    if _TRUST_STORE_ARN_MARKER in arn:
        return backend.trust_stores
    if _DISTRIBUTION_ARN_MARKER in arn:
        return backend.distributions
    return backend


def _tag_resource(backend: Backend, account_id: str, params: Params) -> Params:
    tags = tags_from_wire(params["Tags"])
    _tagged(backend, params["Resource"]).tag(account_id, params["Resource"], tags)
    return {}


def _untag_resource(backend: Backend, account_id: str, params: Params) -> Params:
    keys = params["TagKeys"].get("Items") or []
    _tagged(backend, params["Resource"]).untag(account_id, params["Resource"], keys)
    return {}


def _list_tags(backend: Backend, account_id: str, params: Params) -> Params:
    tags = _tagged(backend, params["Resource"]).tags(account_id, params["Resource"])
    return {"Tags": _tags_to_wire(tags)}


def _takes_id(operation: str, adapter: Operation) -> Operation:
    """*adapter*, whose ``EntityNotFound`` for an ``Id`` that is a function's name or ARN also
    says so, and gives the ID (CloudFront answers the same 404, without the hint)."""

    def run(backend: Backend, account_id: str, params: Params) -> Params:
        try:
            return adapter(backend, account_id, params)
        except ServiceError as error:
            given = params["Id"]
            if error.code != "EntityNotFound":
                raise
            try:
                function = backend.resolve(account_id, given)
            except ServiceError:
                raise error from None
            if function.id == given:
                raise  # the function exists; what is missing is a stage
            what = "ARN" if given == function.arn else "name"
            raise ServiceError(
                error.code,
                f"{error.message} {given!r} is the {what} of connection function "
                f"{function.id}; {operation} takes its Id.",
            ) from None

    return run


TAGGING_OPERATIONS = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})

OPERATIONS: dict[str, Operation] = {
    "CreateConnectionFunction": _create,
    "DeleteConnectionFunction": _takes_id("DeleteConnectionFunction", _delete),
    "DescribeConnectionFunction": _describe,
    "GetConnectionFunction": _get,
    "ListConnectionFunctions": _list,
    "ListTagsForResource": _list_tags,
    "PublishConnectionFunction": _takes_id("PublishConnectionFunction", _publish),
    "TagResource": _tag_resource,
    "TestConnectionFunction": _takes_id("TestConnectionFunction", _test),
    "UntagResource": _untag_resource,
    "UpdateConnectionFunction": _takes_id("UpdateConnectionFunction", _update),
}
"""Every CloudFront operation cfmock answers, by operation name."""
