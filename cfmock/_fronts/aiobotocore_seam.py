"""The aiobotocore side of the seam: async clients answered by the same core.

aiobotocore's endpoint, emitter and signer are async subclasses of botocore's. They inherit
``Endpoint.make_request`` (so :mod:`.botocore_seam` registers a handler on their emitters
too) but override ``_send`` and ``RequestSigner.sign``, and read responses with ``await``.
This module supplies the async counterparts; :mod:`.botocore_seam` installs them the first
time it sees an aiobotocore endpoint, and removes them with everything else.
"""

from __future__ import annotations

import io
from typing import Any

from cfmock._dispatch import Core
from cfmock._wire.model import CLOUDFRONT, KEY_VALUE_STORE


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

    def __init__(self, current: Any, to_http_request: Any, skips_signing: Any) -> None:
        from aiobotocore.endpoint import AioEndpoint
        from aiobotocore.signers import AioRequestSigner

        self._current = current
        self._to_http_request = to_http_request
        self._skips_signing = skips_signing
        self._endpoint: Any = AioEndpoint
        self._signer: Any = AioRequestSigner
        self._send = self._endpoint._send
        self._sign = self._signer.sign

    def install(self) -> None:
        """Wrap aiobotocore's ``_send`` and ``sign``."""
        seam = self

        async def send(endpoint: Any, request: Any) -> Any:
            lookup = seam._current
            if endpoint._endpoint_prefix in (CLOUDFRONT, KEY_VALUE_STORE) and lookup() is not None:
                raise Core.unsupported(seam._to_http_request(request), endpoint._endpoint_prefix)
            return await seam._send(endpoint, request)

        async def sign(
            signer: Any, operation_name: str, request: Any, *args: Any, **kw: Any
        ) -> Any:
            if seam._skips_signing(signer, request):
                return None
            return await seam._sign(signer, operation_name, request, *args, **kw)

        self._endpoint._send = send
        self._signer.sign = sign

    def uninstall(self) -> None:
        """Put aiobotocore's methods back."""
        self._endpoint._send = self._send
        self._signer.sign = self._sign

    async def answer(self, request: Any, event_name: str = "", **_: Any) -> Any:
        """The async ``before-send`` handler: the core's answer as an ``AioAWSResponse``."""
        core: Core | None = self._current()
        if core is None:
            return None
        service = event_name.split(".")[1] if "." in event_name else CLOUDFRONT
        response = core.handle(self._to_http_request(request), service)
        if response is None:
            return None
        return aio_response(request.url, response.status, response.headers, response.body)
