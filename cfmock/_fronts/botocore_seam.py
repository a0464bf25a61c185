"""The botocore seam: the only module that touches botocore's internals.

While a mock is active, four botocore methods are wrapped at class level, so that clients
created before, during and after activation, in any thread, are all covered. The mocked
services are ``cloudfront`` and ``cloudfront-keyvaluestore`` (the KeyValueStore data plane).

* ``Endpoint.make_request`` registers :func:`_answer` as the *first* ``before-send.<service>``
  handler of the client's event emitter (once per emitter). botocore runs handlers of the more
  specific event name before generic ``before-send`` handlers such as moto's, so cfmock answers
  its own operations even when moto's ``mock_aws`` is active, and returns ``None`` for the rest
  so that moto (if active) can answer them.
* ``Endpoint._send`` refuses to put a mocked service's request on the network: nothing answered
  it, so it is an operation cfmock does not implement, and the caller gets a usage error.
* ``RequestSigner.sign`` skips signing when the client has no credentials, and always for the
  data plane, whose SigV4A signer would need the optional ``awscrt`` package.
* ``EndpointRulesetResolver.auth_schemes_to_signing_ctx`` lets the data plane resolve its
  endpoint without ``awscrt`` (botocore refuses SigV4A-only endpoints otherwise).

aiobotocore clients go through the same ``make_request``; the first time one shows up, the
async counterparts of ``_send`` and ``sign`` are installed too (:mod:`.aiobotocore_seam`).

``uninstall`` puts the methods back and removes the handler from every emitter it was added
to, leaving botocore exactly as it was.
"""

from __future__ import annotations

import io
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from botocore import UNSIGNED
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.endpoint import Endpoint
from botocore.exceptions import MissingDependencyException
from botocore.hooks import BaseEventHooks
from botocore.model import OperationModel
from botocore.regions import EndpointRulesetResolver
from botocore.signers import RequestSigner

from cfmock._dispatch import Core
from cfmock._fronts import aiobotocore_seam
from cfmock._wire.http import HttpRequest
from cfmock._wire.model import CLOUDFRONT, KEY_VALUE_STORE

_SERVICES = (CLOUDFRONT, KEY_VALUE_STORE)
_HANDLER_ID = "cfmock-answer"

CoreLookup = Callable[[], "Core | None"]


class _RawBody(io.BytesIO):
    """The raw body botocore reads a response from: ``read()`` and ``stream()``."""

    def stream(self, amt: int | None = None, decode_content: bool = False) -> Iterator[bytes]:
        while chunk := self.read(amt or 65536):
            yield chunk


class _Seam:
    def __init__(self) -> None:
        self.current: CoreLookup | None = None
        self.emitters: weakref.WeakSet[BaseEventHooks] = weakref.WeakSet()
        self.make_request: Any = None
        self.send: Any = None
        self.sign: Any = None
        self.signing_context: Any = None
        self.aio: Any = None  # aiobotocore_seam.AsyncSeam, once an async client shows up
        self.requests: Any = None  # requests_front.RequestsFront, when asked for


_seam = _Seam()
# Typed as Any: the seam replaces methods, some private, that botocore's stubs do not declare.
_endpoint: Any = Endpoint
_signer: Any = RequestSigner
_resolver: Any = EndpointRulesetResolver


def install(current: CoreLookup, *, intercept_requests: bool = False) -> None:
    """Wrap botocore; *current* returns the core to answer with (``None`` when inactive).

    With *intercept_requests*, calls made with the ``requests`` library are answered too.
    """
    if _seam.current is not None:
        return
    if intercept_requests:
        from cfmock._fronts import requests_front

        _seam.requests = requests_front.start(current)
    _seam.current = current
    _seam.make_request = _endpoint.make_request
    _seam.send = _endpoint._send
    _seam.sign = _signer.sign
    _seam.signing_context = _resolver.auth_schemes_to_signing_ctx
    _endpoint.make_request = _make_request
    _endpoint._send = _send
    _signer.sign = _sign
    _resolver.auth_schemes_to_signing_ctx = _signing_context


def uninstall() -> None:
    """Restore botocore exactly as :func:`install` found it."""
    if _seam.current is None:
        return
    _endpoint.make_request = _seam.make_request
    _endpoint._send = _seam.send
    _signer.sign = _seam.sign
    _resolver.auth_schemes_to_signing_ctx = _seam.signing_context
    if _seam.aio is not None:
        _seam.aio.uninstall()
        _seam.aio = None
    if _seam.requests is not None:
        _seam.requests.stop()
        _seam.requests = None
    for emitter in list(_seam.emitters):
        for service in _SERVICES:
            for kind in ("", "aio-"):
                handler_id = f"{_HANDLER_ID}-{kind}{service}"
                emitter.unregister(f"before-send.{service}", unique_id=handler_id)
    _seam.emitters.clear()
    _seam.current = None


def is_installed() -> bool:
    """Whether botocore is wrapped right now."""
    return _seam.current is not None


# The wrappers take ``self: Any`` because they read botocore's private, untyped attributes.


def _make_request(self: Any, operation_model: OperationModel, request_dict: dict[str, Any]) -> Any:
    if self._endpoint_prefix in _SERVICES:
        emitter = self._event_emitter
        if emitter not in _seam.emitters:
            handler, kind = _answer, ""
            if aiobotocore_seam.is_async_endpoint(self):
                if _seam.aio is None:
                    _seam.aio = aiobotocore_seam.AsyncSeam(
                        _seam.current, _to_http_request, _skips_signing
                    )
                    _seam.aio.install()
                handler, kind = _seam.aio.answer, "aio-"
            for service in _SERVICES:
                # An emitter keeps one registry of unique ids across events: one id each.
                handler_id = f"{_HANDLER_ID}-{kind}{service}"
                emitter.register_first(f"before-send.{service}", handler, unique_id=handler_id)
            _seam.emitters.add(emitter)
    return _seam.make_request(self, operation_model, request_dict)


def _answer(request: AWSPreparedRequest, event_name: str = "", **_: Any) -> AWSResponse | None:
    lookup = _seam.current
    core = lookup() if lookup is not None else None
    if core is None:
        return None
    service = event_name.split(".")[1] if event_name.count(".") >= 1 else CLOUDFRONT
    response = core.handle(_to_http_request(request), service)
    if response is None:
        return None
    # AWSResponse wraps any mapping in its own case-insensitive dict; the stubs ask for more.
    headers: Any = response.headers
    return AWSResponse(request.url, response.status, headers, _RawBody(response.body))


def _send(self: Any, request: AWSPreparedRequest) -> Any:
    lookup = _seam.current
    if self._endpoint_prefix in _SERVICES and lookup is not None and lookup() is not None:
        raise Core.unsupported(_to_http_request(request), self._endpoint_prefix)
    return _seam.send(self, request)


def _skips_signing(signer: Any, request: Any) -> bool:
    # The data plane's SigV4A needs awscrt; a CloudFront client without credentials cannot sign.
    service = signer._service_id.hyphenize()
    return service == KEY_VALUE_STORE or (
        service == CLOUDFRONT
        and signer._credentials is None
        and not request.context.get("signing", {}).get("request_credentials")
    )


def _sign(self: Any, operation_name: str, request: Any, *args: Any, **kwargs: Any) -> Any:
    if _skips_signing(self, request):
        return None
    return _seam.sign(self, operation_name, request, *args, **kwargs)


def _signing_context(self: Any, auth_schemes: Any) -> Any:
    try:
        return _seam.signing_context(self, auth_schemes)
    except MissingDependencyException:
        if self._service_model.service_id.hyphenize() != KEY_VALUE_STORE:
            raise
        return UNSIGNED, {}


def _to_http_request(request: AWSPreparedRequest) -> HttpRequest:
    body: Any = request.body
    if hasattr(body, "read"):
        position = body.tell()
        body, _ = body.read(), body.seek(position)
    # botocore's HeadersDict ignores case, so it is handed over as it is.
    headers: Any = request.headers
    return HttpRequest.from_case_insensitive_headers(request.method, request.url, headers, body)
