"""One adapter per implemented operation: input parameters in, output parameters out.

The parameters are shaped exactly as botocore's client takes and returns them (the codec
builds and reads them from the model); the adapters only translate between those dicts and
the backend's typed calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cfmock import _tokens, _validation
from cfmock._backend import Backend
from cfmock._state import ConnectionFunction, FunctionConfig, StageVersion

Params = dict[str, Any]
Operation = Callable[[Backend, str, Params], Params]

CODE_CONTENT_TYPE = "application/octet-stream"


def config_from_wire(wire: Mapping[str, Any]) -> FunctionConfig:
    """Read a ``ConnectionFunctionConfig``; a ``Quantity`` that miscounts its items is invalid."""
    associations = wire.get("KeyValueStoreAssociations")
    arns: tuple[str, ...] = ()
    if associations is not None:
        items = associations.get("Items") or []
        _validation.check_kvs_quantity(associations["Quantity"], items)
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


def _create(backend: Backend, account_id: str, params: Params) -> Params:
    tags = [(tag["Key"], tag.get("Value")) for tag in params.get("Tags", {}).get("Items") or []]
    function = backend.create(
        account_id,
        params["Name"],
        config_from_wire(params["ConnectionFunctionConfig"]),
        params["ConnectionFunctionCode"],
        tags,
    )
    return {
        "ConnectionFunctionSummary": summary_to_wire(function, function.development),
        "Location": _tokens.function_location(function.arn),
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


OPERATIONS: dict[str, Operation] = {
    "CreateConnectionFunction": _create,
    "DescribeConnectionFunction": _describe,
    "GetConnectionFunction": _get,
    "UpdateConnectionFunction": _update,
}
"""Every CloudFront operation cfmock answers, by operation name."""
