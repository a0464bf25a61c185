"""The aiobotocore side of the seam: async clients answered by the same dispatcher.

aiobotocore's endpoint, emitter and signer are async subclasses of botocore's. They inherit
``Endpoint.make_request`` (so :mod:`.botocore_seam` registers a handler on their emitters too)
but override ``_send`` and ``RequestSigner.sign``, and read responses with ``await``. This
module supplies the async counterparts; :mod:`.botocore_seam` installs them, under its lock, the
first time it sees an aiobotocore endpoint, and removes them with everything else.
"""

from __future__ import annotations

import io
from typing import Any

from cfmock._fronts.base import MOCKED_SERVICES
from cfmock._fronts.botocore_seam import (
    answer_or_refuse,
    credentials_of,
    presigning,
    refusal,
    skips_signing,
    unsigned_authorization,
)


def is_async_endpoint(endpoint: Any) -> bool:
    """Whether *endpoint* is aiobotocore's (its ``_send`` is a coroutine function)."""
    import inspect

    return inspect.iscoroutinefunction(type(endpoint)._send)


class _AioContent:
    def __init__(self, body: bytes) -> None:
        self._stream = io.BytesIO(body)

    async def read(self, amt: int = -1) -> bytes:
        return self._stream.read(amt)

    def at_eof(self) -> bool:
        return self._stream.tell() >= len(self._stream.getbuffer())


class _AioRawBody:
    """What aiobotocore reads a response from: ``await raw.read()`` and ``raw.content``."""

    url = ""

    def __init__(self, body: bytes) -> None:
        self.content = _AioContent(body)

    async def read(self) -> bytes:
        return await self.content.read()


def aio_response(url: str, status: int, headers: dict[str, str], body: bytes) -> Any:
    """An ``AioAWSResponse`` carrying *body*."""
    from aiobotocore.awsrequest import AioAWSResponse

    return AioAWSResponse(url, status, headers, _AioRawBody(body))


class AsyncSeam:
    """The async wrappers and the originals they replace."""

    def __init__(self) -> None:
        from aiobotocore.endpoint import AioEndpoint
        from aiobotocore.signers import AioRequestSigner

        self._endpoint: Any = AioEndpoint
        self._signer: Any = AioRequestSigner
        self._send = self._endpoint._send
        self._sign = self._signer.sign

    def install(self) -> None:
        """Wrap aiobotocore's ``_send`` and ``sign``."""
        original_send, original_sign = self._send, self._sign

        async def send(endpoint: Any, request: Any) -> Any:
            if endpoint._endpoint_prefix in MOCKED_SERVICES:
                raise refusal(request, endpoint._endpoint_prefix)
            return await original_send(endpoint, request)

        async def sign(
            signer: Any, operation_name: str, request: Any, *args: Any, **kw: Any
        ) -> Any:
            presign = presigning(args, kw)
            if skips_signing(signer, operation_name, request, presign=presign):
                credentials = credentials_of(signer, request)
                if credentials is not None:
                    frozen = await credentials.get_frozen_credentials()
                    request.headers["Authorization"] = unsigned_authorization(frozen.access_key)
                return None
            return await original_sign(signer, operation_name, request, *args, **kw)

        self._endpoint._send = send
        self._signer.sign = sign

    def uninstall(self) -> None:
        """Put aiobotocore's methods back."""
        self._endpoint._send = self._send
        self._signer.sign = self._sign

    async def answer(self, request: Any, event_name: str = "", **_: Any) -> Any:
        """The async ``before-send`` handler: the dispatcher's answer as an ``AioAWSResponse``."""
        response = answer_or_refuse(request, event_name)
        if response is None:
            return None
        return aio_response(request.url, response.status, response.headers, response.body)
