"""aiobotocore clients, answered by the same core as botocore's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiobotocore.endpoint import AioEndpoint
from aiobotocore.session import get_session
from aiobotocore.signers import AioRequestSigner

from cfmock import CloudFrontMock, mock_connection_functions
from cfmock._fronts import botocore_seam
from cfmock.exceptions import UnsupportedOperationError
from tests.scaffolding import CODE, ETAG_V1, STALE_IF_MATCH, config, error_of

Body = Callable[[Any], Awaitable[Any]]


def run(coroutine: Awaitable[Any]) -> Any:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


async def create(client: Any, name: str = "aio") -> dict[str, Any]:
    response: dict[str, Any] = await client.create_connection_function(
        Name=name, ConnectionFunctionConfig=config(), ConnectionFunctionCode=CODE
    )
    return response


def test_decorated_async_test_with_an_async_client() -> None:
    @mock_connection_functions
    async def scenario() -> tuple[str, bytes, str]:
        async with get_session().create_client("cloudfront", region_name="us-east-1") as client:
            created = await create(client)
            function_id = created["ConnectionFunctionSummary"]["Id"]
            got = await client.get_connection_function(Identifier=function_id)
            code = await got["ConnectionFunctionCode"].read()
            with pytest.raises(client.exceptions.PreconditionFailed) as excinfo:
                await client.update_connection_function(
                    Id=function_id,
                    IfMatch="stale",
                    ConnectionFunctionConfig=config(),
                    ConnectionFunctionCode=CODE,
                )
            assert error_of(excinfo) == ("PreconditionFailed", 412, STALE_IF_MATCH)
            return created["ETag"], code, got["ContentType"]

    assert run(scenario()) == (ETAG_V1, CODE, "application/octet-stream")
    assert not botocore_seam.is_installed()


def test_async_with_and_a_client_made_before_activation() -> None:
    async def scenario() -> list[str]:
        session = get_session()
        client_context = session.create_client("cloudfront", region_name="us-east-1")
        async with client_context as client, mock_connection_functions() as cf:
            await create(client, "early-client")
            result = await client.test_connection_function(
                Id=cf.functions()[0].id, IfMatch=ETAG_V1, ConnectionObject=b"{}"
            )
            assert result["ConnectionFunctionTestResult"]["ConnectionFunctionOutput"] == (
                '{"connection":{"action":"allow"}}'
            )
            return [f.name for f in cf.functions()]

    assert run(scenario()) == ["early-client"]


def test_async_data_plane_and_unsupported_operations(cf: CloudFrontMock) -> None:
    store = cf.add_key_value_store("serials", {"ABC": "revoked"})

    async def scenario() -> str:
        session = get_session()
        async with session.create_client("cloudfront", region_name="us-east-1") as client:
            with pytest.raises(UnsupportedOperationError):
                await client.list_distributions()
        async with session.create_client(
            "cloudfront-keyvaluestore", region_name="us-east-1"
        ) as kvs:
            value: str = (await kvs.get_key(KvsARN=store.arn, Key="ABC"))["Value"]
            return value

    assert run(scenario()) == "revoked"
    assert [c.service for c in cf.calls] == ["cloudfront-keyvaluestore"]


def test_stop_restores_aiobotocore() -> None:
    endpoint: Any = AioEndpoint
    signer: Any = AioRequestSigner
    originals = (endpoint._send, signer.sign)

    async def scenario() -> None:
        client_context = get_session().create_client("cloudfront", region_name="us-east-1")
        async with client_context as client, mock_connection_functions():
            await create(client)
            assert (endpoint._send, signer.sign) != originals

    run(scenario())
    assert (endpoint._send, signer.sign) == originals
