"""The botocore seam: the only module that touches botocore's internals.

While a mock is active, botocore methods are wrapped at class level, so that clients created
before, during and after activation, in any thread, are all covered. The mocked services are
``cloudfront`` and ``cloudfront-keyvaluestore`` (the KeyValueStore data plane).

* ``Endpoint.make_request`` registers :func:`_answer` as the *first* ``before-send.<service>``
  handler of the client's event emitter (once per emitter). botocore runs handlers of the more
  specific event name before generic ``before-send`` handlers such as moto's, so cfmock answers
  its own operations even when moto's ``mock_aws`` is active, and returns ``None`` for the rest
  so that moto (if active) can answer them.
* ``Endpoint._send`` refuses to put a mocked service's request on the network: nothing answered
  it, so the caller gets the usage error of :mod:`cfmock._fronts.base`.
* ``RequestSigner.sign`` skips signing for every call cfmock answers itself (nothing verifies
  a signature in process, and SigV4 costs more than the rest of a small call): the request
  carries only the access key ID the signer holds (:func:`unsigned_authorization`), which is
  what the account is read from. Calls another handler (moto's) may answer are signed as
  usual; so are all calls while no mock is active.
* ``EndpointRulesetResolver.auth_schemes_to_signing_ctx`` lets the data plane resolve its
  endpoint without ``awscrt`` (botocore refuses SigV4A-only endpoints otherwise).
* ``InstanceMetadataProvider.load`` and ``ContainerProvider.load`` find no credentials, so a
  client made under the mock on a machine without credentials does not probe the EC2
  instance-metadata service or a container endpoint over the network.

aiobotocore clients go through the same ``make_request``; the first time one shows up, the
async counterparts of ``_send`` and ``sign`` are installed too (:mod:`.aiobotocore_seam`).

``uninstall`` puts the methods back and removes the handler from every emitter it was added
to, leaving botocore exactly as it was.
"""

from __future__ import annotations

import io
import threading
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from botocore import UNSIGNED
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.credentials import ContainerProvider, InstanceMetadataProvider
from botocore.endpoint import Endpoint
from botocore.exceptions import MissingDependencyException
from botocore.hooks import BaseEventHooks
from botocore.model import OperationModel
from botocore.regions import EndpointRulesetResolver
from botocore.signers import RequestSigner

from cfmock._fronts import base
from cfmock._fronts.base import MOCKED_SERVICES, DispatcherLookup, Front
from cfmock._wire import model as wire_model
from cfmock._wire.http import HttpRequest, HttpResponse
from cfmock._wire.model import CLOUDFRONT, KEY_VALUE_STORE

if TYPE_CHECKING:
    from cfmock._fronts.aiobotocore_seam import AsyncSeam
    from cfmock._fronts.requests_front import RequestsFront

_HANDLER_ID = "cfmock-answer"


class _RawBody(io.BytesIO):
    """The raw body botocore reads a response from: ``read()`` and ``stream()``."""

    def stream(self, amt: int | None = None, decode_content: bool = False) -> Iterator[bytes]:
        while chunk := self.read(amt or 65536):
            yield chunk


class _Seam:
    def __init__(self) -> None:
        self.front: Front | None = None
        self.lock = threading.Lock()
        self.emitters: weakref.WeakSet[BaseEventHooks] = weakref.WeakSet()
        self.originals: dict[tuple[Any, str], Any] = {}
        self.aio: AsyncSeam | None = None
        self.requests: RequestsFront | None = None


_seam = _Seam()
# Typed as Any: the seam replaces methods, some private, that botocore's stubs do not declare.
_endpoint: Any = Endpoint
_signer: Any = RequestSigner
_resolver: Any = EndpointRulesetResolver


def _no_credentials(self: Any) -> None:
    return None


def _wrappers() -> tuple[tuple[Any, str, Any], ...]:
    return (
        (_endpoint, "make_request", _make_request),
        (_endpoint, "_send", _send),
        (_signer, "sign", _sign),
        (_resolver, "auth_schemes_to_signing_ctx", _signing_context),
        (InstanceMetadataProvider, "load", _no_credentials),
        (ContainerProvider, "load", _no_credentials),
    )


def install(current: DispatcherLookup, *, intercept_requests: bool = False) -> None:
    """Wrap botocore; *current* returns the dispatcher to answer with (``None`` when inactive).

    With *intercept_requests*, calls made with the ``requests`` library are answered too.
    """
    with _seam.lock:
        if _seam.front is not None:
            return
        front = Front(current)
        if intercept_requests:
            from cfmock._fronts import requests_front

            _seam.requests = requests_front.start(front)
        for owner, name, wrapper in _wrappers():
            _seam.originals[owner, name] = getattr(owner, name)
            setattr(owner, name, wrapper)
        _seam.front = front


def uninstall() -> None:
    """Restore botocore exactly as :func:`install` found it."""
    with _seam.lock:
        if _seam.front is None:
            return
        for (owner, name), original in _seam.originals.items():
            setattr(owner, name, original)
        _seam.originals.clear()
        if _seam.aio is not None:
            _seam.aio.uninstall()
            _seam.aio = None
        if _seam.requests is not None:
            _seam.requests.stop()
            _seam.requests = None
        for emitter in list(_seam.emitters):
            for service in MOCKED_SERVICES:
                for kind in ("", "aio-"):
                    handler_id = f"{_HANDLER_ID}-{kind}{service}"
                    emitter.unregister(f"before-send.{service}", unique_id=handler_id)
        _seam.emitters.clear()
        _seam.front = None


def is_installed() -> bool:
    """Whether botocore is wrapped right now."""
    return _seam.front is not None


def _original(owner: Any, name: str) -> Any:
    # Read under no lock: a wrapper still running after uninstall finds the originals gone
    # and uses the class's current (restored) method.
    original = _seam.originals.get((owner, name))
    return original if original is not None else getattr(owner, name)


# The wrappers take ``self: Any`` because they read botocore's private, untyped attributes.


def _make_request(self: Any, operation_model: OperationModel, request_dict: dict[str, Any]) -> Any:
    if self._endpoint_prefix in MOCKED_SERVICES and self._event_emitter not in _seam.emitters:
        _register(self, operation_model)
    return _original(_endpoint, "make_request")(self, operation_model, request_dict)


def _register(endpoint: Any, operation_model: OperationModel) -> None:
    from cfmock._fronts import aiobotocore_seam

    with _seam.lock:
        emitter = endpoint._event_emitter
        front = _seam.front
        if front is None or emitter in _seam.emitters:
            return
        wire_model.adopt(operation_model.service_model)
        handler: Any = _answer
        kind = ""
        if aiobotocore_seam.is_async_endpoint(endpoint):
            if _seam.aio is None:
                _seam.aio = aiobotocore_seam.AsyncSeam()
                _seam.aio.install()
            handler, kind = _seam.aio.answer, "aio-"
        for service in MOCKED_SERVICES:
            # An emitter keeps one registry of unique ids across events: one id each.
            handler_id = f"{_HANDLER_ID}-{kind}{service}"
            emitter.register_first(f"before-send.{service}", handler, unique_id=handler_id)
        _seam.emitters.add(emitter)


def service_of_event(event_name: str) -> str:
    """The service of a ``before-send.<service>.<Operation>`` event."""
    parts = event_name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in MOCKED_SERVICES else CLOUDFRONT


def _answer(request: AWSPreparedRequest, event_name: str = "", **_: Any) -> AWSResponse | None:
    response = answer_or_refuse(request, event_name)
    if response is None:
        return None
    # AWSResponse wraps any mapping in its own case-insensitive dict; the stubs ask for more.
    headers: Any = response.headers
    return AWSResponse(request.url, response.status, headers, _RawBody(response.body))


def answer_or_refuse(request: AWSPreparedRequest, event_name: str) -> HttpResponse | None:
    """The active dispatcher's answer; ``None`` lets another handler (moto's) answer.

    The handler runs only for a client seen while a mock was active: when the mock has stopped
    since, the request is refused here, because the send step may already be botocore's own.
    """
    service = service_of_event(event_name)
    http_request = to_http_request(request)
    front = _seam.front
    dispatcher = front.active() if front is not None else None
    if dispatcher is None:
        raise base.refusal(None, http_request, service)
    return dispatcher.dispatch(http_request, service)


def _send(self: Any, request: AWSPreparedRequest) -> Any:
    if self._endpoint_prefix in MOCKED_SERVICES:
        raise refusal(request, self._endpoint_prefix)
    return _original(_endpoint, "_send")(self, request)


def refusal(request: AWSPreparedRequest, service: str) -> Exception:
    """The usage error for a mocked service's request that reached the send step unanswered.

    The wrapper is reached only while the seam is (or was, a moment ago) installed, so the
    request is never put on the network, even when the mock stops during the call.
    """
    front = _seam.front
    dispatcher = front.active() if front is not None else None
    return base.refusal(dispatcher, to_http_request(request), service)


UNSIGNED_SCHEME = "cfmock-unsigned"
"""The ``Authorization`` scheme of a call cfmock answers unsigned: ``Credential=<key id>/``."""


def skips_signing(signer: Any, operation_name: str, request: Any, *, presign: bool = False) -> bool:
    """Whether a request goes unsigned under the mock; the caller then puts the access key ID
    of :func:`credentials_of` in it (:func:`unsigned_authorization`).

    The data plane always goes unsigned (its SigV4A would need ``awscrt``), and so does a
    CloudFront client without credentials; a CloudFront call only when the active mock answers
    that operation itself whatever its parameters, and never a presigned URL (*presign*),
    which is for someone else to use.
    """
    service = signer._service_id.hyphenize()
    if service == KEY_VALUE_STORE:
        return True
    if service != CLOUDFRONT:
        return False
    if presign:
        return credentials_of(signer, request) is None
    front = _seam.front
    dispatcher = front.active() if front is not None else None
    if dispatcher is not None and dispatcher.answers_whatever_the_input(service, operation_name):
        return True
    return credentials_of(signer, request) is None


def credentials_of(signer: Any, request: Any) -> Any:
    """The credentials the signer would sign *request* with, or ``None``."""
    credentials = request.context.get("signing", {}).get("request_credentials")
    return credentials if credentials is not None else signer._credentials


def unsigned_authorization(access_key: str) -> str:
    """The ``Authorization`` header of an unsigned call: the access key ID, and no signature."""
    return f"{UNSIGNED_SCHEME} Credential={access_key}/"


def presigning(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether a ``sign(operation_name, request, region_name, signing_type, ...)`` call makes a
    presigned URL or POST, which is signed as botocore signs it, mock or not: it is for
    someone else to use."""
    signing_type: object = kwargs.get("signing_type", args[1] if len(args) > 1 else "standard")
    return signing_type != "standard"


def _sign(self: Any, operation_name: str, request: Any, *args: Any, **kwargs: Any) -> Any:
    if skips_signing(self, operation_name, request, presign=presigning(args, kwargs)):
        credentials = credentials_of(self, request)
        if credentials is not None:
            access_key = credentials.get_frozen_credentials().access_key
            request.headers["Authorization"] = unsigned_authorization(access_key)
        return None
    return _original(_signer, "sign")(self, operation_name, request, *args, **kwargs)


def _signing_context(self: Any, auth_schemes: Any) -> Any:
    try:
        return _original(_resolver, "auth_schemes_to_signing_ctx")(self, auth_schemes)
    except MissingDependencyException:
        if self._service_model.service_id.hyphenize() != KEY_VALUE_STORE:
            raise
        return UNSIGNED, {}


def to_http_request(request: AWSPreparedRequest) -> HttpRequest:
    """botocore's prepared request as the dispatcher takes it (the body is not consumed)."""
    body: Any = request.body
    if hasattr(body, "read"):
        position = body.tell()
        body, _ = body.read(), body.seek(position)
    # botocore's HeadersDict ignores case, so it is handed over as it is.
    headers: Any = request.headers
    return HttpRequest.from_case_insensitive_headers(request.method, request.url, headers, body)
