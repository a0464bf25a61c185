"""aiobotocore clients, answered by the same core as botocore's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiobotocore.awsrequest import AioAWSResponse
from aiobotocore.endpoint import AioEndpoint
from aiobotocore.httpsession import AIOHTTPSession
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
                await client.list_origin_access_controls()
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


def test_an_async_streaming_body_reads_in_pieces_until_it_is_spent(cf: CloudFrontMock) -> None:
    async def scenario() -> list[bytes]:
        async with get_session().create_client("cloudfront", region_name="us-east-1") as client:
            function_id = (await create(client))["ConnectionFunctionSummary"]["Id"]
            body = (await client.get_connection_function(Identifier=function_id))[
                "ConnectionFunctionCode"
            ]
            pieces = []
            while body.readable():
                pieces.append(await body.read(16))
            return pieces

    pieces = run(scenario())
    assert b"".join(pieces) == CODE
    assert len(pieces) == -(-len(CODE) // 16)


def test_an_async_client_with_credentials_acts_in_its_account_unsigned(
    cf: CloudFrontMock,
) -> None:
    seen: list[bytes] = []

    async def scenario() -> None:
        async with get_session().create_client(
            "cloudfront",
            region_name="us-east-1",
            aws_access_key_id="111122223333",
            aws_secret_access_key="secret",
        ) as client:
            client.meta.events.register(
                "before-send.cloudfront",
                lambda request, **_: seen.append(request.headers.get("Authorization", b"")),
            )
            await create(client)

    run(scenario())
    assert len(seen) == 1
    # Nothing verifies a signature in process: the call carries the access key ID alone.
    assert seen[0] == b"cfmock-unsigned Credential=111122223333/"
    assert [(f.account_id, f.name) for f in cf.functions("111122223333")] == [
        ("111122223333", "aio")
    ]


class _EmptyAioBody:
    async def read(self) -> bytes:
        return b""


def test_other_services_go_to_aiobotocore_s_own_send(cf: CloudFrontMock, monkeypatch) -> None:
    sent: list[str] = []

    async def send(self: Any, request: Any) -> Any:
        sent.append(request.url)
        return AioAWSResponse(request.url, 404, {}, _EmptyAioBody())

    monkeypatch.setattr(AIOHTTPSession, "send", send)

    async def scenario() -> None:
        async with (
            get_session().create_client(
                "s3", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
            ) as s3,
            get_session().create_client("cloudfront", region_name="us-east-1") as client,
        ):
            await create(client)  # the async seam is installed
            with pytest.raises(s3.exceptions.ClientError):
                await s3.list_buckets()

    run(scenario())
    assert sent == ["https://s3.amazonaws.com/"]
    assert [c.operation for c in cf.calls] == ["CreateConnectionFunction"]
